"""A real SPARQL endpoint (the Oxigraph server process), and publishing by Graph Store Protocol.

`OxigraphServer` runs the `oxigraph` binary of the PyPI package on a loopback port (the
union of the named graphs as its default graph, like the embedded store); `publish` replaces
each named graph of the build on any SPARQL 1.1 Graph Store Protocol endpoint with one HTTP
PUT (https://www.w3.org/TR/sparql11-http-rdf-update/#http-put), so a failed request leaves
the previous graph in place.
"""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store, serialize

from welfare_kg.errors import EndpointError, InputError
from welfare_kg.graph.urls import check_endpoint, check_timeout

__all__ = [
    "OxigraphServer",
    "PublishedGraph",
    "free_port",
    "graph_names",
    "oxigraph_binary",
    "publish",
]


def oxigraph_binary() -> str:
    """The `oxigraph` server binary installed beside this Python (the `oxigraph` PyPI package)."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise EndpointError("the oxigraph server binary is missing; pip install 'oxigraph>=0.4.9'")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on `host` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class OxigraphServer:
    """An `oxigraph serve` process on a store directory, bound to a loopback address.

    >>> with OxigraphServer(tmp_store_dir) as server:      # doctest: +SKIP
    ...     server.query_url   # 'http://127.0.0.1:PORT/query'

    Read-only (`serve-read-only`) unless `writable`; the default graph of queries is the
    union of all named graphs. `start` waits (bounded) until the server answers.
    """

    def __init__(self, location: Path, *, port: int | None = None, host: str = "127.0.0.1",
                 writable: bool = False, startup_timeout: float = 30.0) -> None:
        self.location = Path(location)
        self.host = host
        self.port = port or free_port(host)
        self.writable = writable
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.url}/update"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint."""
        return f"{self.url}/store"

    def command(self) -> list[str]:
        mode = "serve" if self.writable else "serve-read-only"
        return [oxigraph_binary(), mode, "--location", str(self.location),
                "--bind", f"{self.host}:{self.port}", "--union-default-graph"]

    def start(self) -> OxigraphServer:
        """Start the process and wait until it answers a query; raise EndpointError if not."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((self.host, self.port))
            except OSError as exc:  # else the probe below could reach the other server
                raise EndpointError(
                    f"port {self.port} on {self.host} is in use ({exc.strerror}); "
                    "choose another with --port"
                ) from exc
        # A session of its own: Ctrl-C reaches only the Python side, which then stops the
        # server, instead of both racing to exit.
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + self.startup_timeout
        probe = f"{self.query_url}?query={urllib.parse.quote('ASK {}')}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read() if self.process.stderr else b""
                raise EndpointError(
                    f"oxigraph exited with {self.process.returncode}: "
                    f"{err.decode(errors='replace').strip()}"
                )
            try:
                with urllib.request.urlopen(probe, timeout=2):
                    return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise EndpointError(f"oxigraph did not answer on {self.url} within {self.startup_timeout}s")

    def wait(self) -> int:
        """Block until the server exits; returns its exit code."""
        if self.process is None:
            return 0
        return self.process.wait()

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


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
    done = []
    for source, target in plan:
        triples = (q.triple for q in store.quads_for_pattern(None, None, None, NamedNode(source)))
        body = serialize(triples, format=RdfFormat.N_TRIPLES)
        # N-Triples is Turtle, and every GSP server reads Turtle.
        status = _put(endpoint, target, body or b"", timeout, credentials)
        done.append(PublishedGraph(target, body.count(b"\n") if body else 0, status))
    return done


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
