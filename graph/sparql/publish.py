"""Publishing the build to any SPARQL 1.1 Graph Store Protocol endpoint.

`publish` replaces each named graph of the build with one HTTP PUT
(https://www.w3.org/TR/sparql11-http-rdf-update/#http-put), so a failed request leaves the
previous graph in place, then reads the graph back (GET) and fails loudly when the endpoint
holds another number of triples than were sent, naming the graphs already replaced.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

from pyoxigraph import NamedNode, RdfFormat, Store, parse, serialize

from welfare_kg.errors import EndpointError, InputError

from .urls import check_endpoint, check_timeout

__all__ = ["PublishedGraph", "graph_names", "publish"]


@dataclass(frozen=True)
class PublishedGraph:
    """One graph written to an endpoint: its IRI, how many triples, and the HTTP status."""

    graph: str
    triples: int
    status: int


def publish(endpoint: str, store: Store, *, graph: str | None = None,
            user: str | None = None, password: str | None = None,
            timeout: float = 120.0) -> list[PublishedGraph]:
    """Replace each named graph of `store` on a Graph Store Protocol endpoint, one PUT each.

    `graph` either names one graph of the store (only that one is sent) or, for a store with
    a single named graph, is the IRI to publish it under. `user`/`password` authenticate with
    HTTP Digest or Basic, as the server asks (Virtuoso's `/sparql-graph-crud-auth` wants
    Digest).
    """
    check_endpoint(endpoint, "Graph Store endpoint")
    timeout = check_timeout(timeout)
    names = graph_names(store)
    if not names:
        raise InputError("the build has no named graph to publish")
    if graph is None:
        plan = [(name, name) for name in names]
    elif graph in names:
        plan = [(graph, graph)]
    elif len(names) == 1:
        plan = [(names[0], graph)]
    else:
        raise InputError(
            f"--graph {graph} is not a graph of the build, and the build has {len(names)} "
            f"graphs ({', '.join(names)}); name one of them"
        )
    credentials = _Credentials(endpoint, user, password or "") if user is not None else None
    done: list[PublishedGraph] = []
    for source, target in plan:
        triples = (q.triple for q in store.quads_for_pattern(None, None, None, NamedNode(source)))
        body = serialize(triples, format=RdfFormat.N_TRIPLES)
        sent = body.count(b"\n") if body else 0
        try:
            # N-Triples is Turtle, and every GSP server reads Turtle.
            status = _put(endpoint, target, body or b"", timeout, credentials)
            # A 2xx is not proof: a proxy can cut the body and keep a matching length.
            held = _count(endpoint, target, timeout, credentials)
            if held != sent:
                raise EndpointError(
                    f"{endpoint} holds {held} triples in <{target}> after the PUT of {sent} "
                    "(HTTP {status}): that graph is now wrong there; publish again".format(
                        status=status))
        except EndpointError as exc:
            if done:
                names = ", ".join(f"<{d.graph}>" for d in done)
                raise EndpointError(f"{exc}; already replaced before this: {names}") from exc
            raise
        done.append(PublishedGraph(target, sent, status))
    return done


def _count(endpoint: str, graph: str, timeout: float,
           credentials: _Credentials | None = None) -> int:
    """How many triples the endpoint holds in `graph`, read back with a Graph Store GET."""
    sep = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    url = f"{endpoint}{sep}{urllib.parse.urlencode({'graph': graph})}"
    request = urllib.request.Request(url, method="GET", headers={
        "Accept": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"})
    try:
        if credentials is not None:
            credentials.authorize(request, timeout)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read()
            media = response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        raise EndpointError(
            f"{endpoint} replaced graph <{graph}> but will not give it back for checking: "
            f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EndpointError(f"cannot read back graph <{graph}> from {endpoint}: {reason}") from exc
    fmt = RdfFormat.from_media_type(media) or RdfFormat.TURTLE
    try:
        return sum(1 for _ in parse(data, format=fmt, base_iri=graph))
    except (SyntaxError, ValueError) as exc:
        raise EndpointError(
            f"{endpoint} sent back graph <{graph}> in a form that cannot be read ({media}): "
            f"{' '.join(str(exc).split())[:200]}") from exc


class _Credentials:
    """HTTP Digest or Basic credentials, sent with the request itself.

    Authenticating only after a 401 would mean sending a large body twice, and servers such
    as Virtuoso close the connection before reading the first one (a broken pipe). So the
    challenge is fetched first with a body-less GET, and the PUT carries its answer.
    """

    def __init__(self, endpoint: str, user: str, password: str) -> None:
        self.manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        self.manager.add_password(None, endpoint, user, password)
        self.digest = urllib.request.HTTPDigestAuthHandler(self.manager)
        self.basic = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")

    def authorize(self, request: urllib.request.Request, timeout: float) -> None:
        probe = urllib.request.Request(request.full_url, method="GET")
        try:
            urllib.request.urlopen(probe, timeout=timeout).close()
            return  # no authentication asked
        except urllib.error.HTTPError as exc:
            if exc.code != 401:
                return  # let the PUT itself report what is wrong
            challenges = exc.headers.get_all("WWW-Authenticate") or []
        for challenge in challenges:
            scheme, _, rest = challenge.partition(" ")
            if scheme.lower() == "digest":
                chal = urllib.request.parse_keqv_list(
                    filter(None, urllib.request.parse_http_list(rest)))
                answer = self.digest.get_authorization(request, chal)
                if answer:
                    request.add_unredirected_header("Authorization", f"Digest {answer}")
                    return
            if scheme.lower() == "basic":
                request.add_unredirected_header("Authorization", f"Basic {self.basic}")
                return


def _put(endpoint: str, graph: str, body: bytes, timeout: float,
         credentials: _Credentials | None = None) -> int:
    check_endpoint(endpoint, "Graph Store endpoint")  # before urlsplit, which can raise
    sep = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    url = f"{endpoint}{sep}{urllib.parse.urlencode({'graph': graph})}"
    request = urllib.request.Request(
        url, data=body, method="PUT",
        headers={"Content-Type": "text/turtle; charset=utf-8"},
    )
    try:
        if credentials is not None:
            credentials.authorize(request, timeout)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", errors="replace").strip()
        hint = " (check --user and the password)" if exc.code in (401, 403) else ""
        raise EndpointError(
            f"{endpoint} refused to replace graph <{graph}>: HTTP {exc.code} {exc.reason}{hint}"
            + (f": {' '.join(detail.split())}" if detail else "")
            + "; the previous graph is unchanged"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EndpointError(f"cannot reach the Graph Store endpoint {endpoint}: {reason}") from exc


def graph_names(store: Store) -> Sequence[str]:
    """The IRIs of the named graphs of `store`, sorted."""
    return sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode))
