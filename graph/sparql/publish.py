"""Publishing the build to any SPARQL 1.1 Graph Store Protocol endpoint.

`publish` replaces each named graph of the build with one HTTP PUT
(https://www.w3.org/TR/sparql11-http-rdf-update/#http-put), so a failed request leaves the
previous graph in place, then reads the graph back (GET) and fails loudly when the endpoint
holds another number of triples than were sent, naming the graphs already replaced.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

import requests
from pyoxigraph import NamedNode, RdfFormat, Store, parse, serialize
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

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
    session = (_Credentials.session(endpoint, user, password or "", timeout)
               if user is not None else _Credentials.anonymous())
    done: list[PublishedGraph] = []
    for source, target in plan:
        triples = (q.triple for q in store.quads_for_pattern(None, None, None, NamedNode(source)))
        body = serialize(triples, format=RdfFormat.N_TRIPLES)
        sent = body.count(b"\n") if body else 0
        try:
            # N-Triples is Turtle, and every GSP server reads Turtle.
            status = _put(endpoint, target, body or b"", timeout, session)
            # A 2xx is not proof: a proxy can cut the body and keep a matching length.
            held = _count(endpoint, target, timeout, session)
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
           session: requests.Session | None = None) -> int:
    """How many triples the endpoint holds in `graph`, read back with a Graph Store GET."""
    session = session or _Credentials.anonymous()
    try:
        response = session.get(endpoint, params={"graph": graph}, timeout=timeout, headers={
            "Accept": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"})
    except requests.RequestException as exc:
        raise EndpointError(
            f"cannot read back graph <{graph}> from {endpoint}: {_reason(exc)}") from exc
    if not response.ok:
        raise EndpointError(
            f"{endpoint} replaced graph <{graph}> but will not give it back for checking: "
            f"HTTP {response.status_code} {response.reason}")
    media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    fmt = RdfFormat.from_media_type(media) or RdfFormat.TURTLE
    try:
        return sum(1 for _ in parse(response.content, format=fmt, base_iri=graph))
    except (SyntaxError, ValueError) as exc:
        raise EndpointError(
            f"{endpoint} sent back graph <{graph}> in a form that cannot be read ({media}): "
            f"{' '.join(str(exc).split())[:200]}") from exc


class _Credentials:
    """A `requests` session that answers the endpoint's HTTP Digest or Basic challenge.

    requests' digest authentication answers a 401 by sending the request again, and servers
    such as Virtuoso close the connection before reading a large first body (a broken pipe).
    So the challenge is fetched first with a body-less GET; requests' `HTTPDigestAuth` then
    signs every later request of the session up front, and the PUT is sent once.
    """

    @staticmethod
    def anonymous() -> requests.Session:
        return requests.Session()

    @staticmethod
    def session(endpoint: str, user: str, password: str, timeout: float) -> requests.Session:
        session = requests.Session()
        try:
            probe = session.get(endpoint, timeout=timeout, stream=True)
            probe.close()
        except requests.RequestException:
            return session  # let the PUT itself report what is wrong
        if probe.status_code != 401:
            return session  # no authentication asked
        schemes = (probe.headers.get("WWW-Authenticate") or "").lower()
        if "digest" in schemes:
            session.auth = HTTPDigestAuth(user, password)
            # learn the nonce: later requests of the session carry the answer with them
            with contextlib.suppress(requests.RequestException):
                session.get(endpoint, timeout=timeout, stream=True).close()
        else:
            session.auth = HTTPBasicAuth(user, password)
        return session


def _reason(exc: requests.RequestException) -> str:
    inner = exc.args[0] if exc.args else exc
    return str(getattr(inner, "reason", inner))


def _put(endpoint: str, graph: str, body: bytes, timeout: float,
         session: requests.Session | None = None) -> int:
    check_endpoint(endpoint, "Graph Store endpoint")
    session = session or _Credentials.anonymous()
    try:
        response = session.put(endpoint, params={"graph": graph}, data=body, timeout=timeout,
                               headers={"Content-Type": "text/turtle; charset=utf-8"})
    except requests.RequestException as exc:
        raise EndpointError(
            f"cannot reach the Graph Store endpoint {endpoint}: {_reason(exc)}") from exc
    if not response.ok:
        detail = response.text[:300].strip()
        code = response.status_code
        hint = " (check --user and the password)" if code in (401, 403) else ""
        raise EndpointError(
            f"{endpoint} refused to replace graph <{graph}>: HTTP {code} {response.reason}{hint}"
            + (f": {' '.join(detail.split())}" if detail else "")
            + "; the previous graph is unchanged"
        )
    return int(response.status_code)


def graph_names(store: Store) -> Sequence[str]:
    """The IRIs of the named graphs of `store`, sorted."""
    return sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode))
