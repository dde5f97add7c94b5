"""A real SPARQL endpoint: the Oxigraph server process behind a small guarding front.

`OxigraphServer` runs the `oxigraph` binary of the PyPI package (the union of the named graphs
as its default graph, like the embedded store) on a private loopback port, and answers the
public port itself with a thin HTTP front (`_Front`) that

- refuses, with a 400 and one line, a query past the size and nesting limits (`limits`), which
  would otherwise crash or stall the engine, and a query with ``SERVICE`` or ``LOAD`` (the
  engine would fetch any URL it names: server-side request forgery) unless `federation`;
- answers ``/`` with the project's query page when given one (`querypage.py`: prefixes and
  the query library as examples, offline);
- forwards everything else unchanged (/query, /update, /store) and streams the answer back.

The engine runs with a query timeout (`--timeout-s`; since it does not interrupt an aggregate,
an engine that has not answered a few seconds past it is killed and started again), a large
thread stack (so a query inside
the limits cannot overflow it), and a parent-death signal, so it dies with this process even
on `kill -9`. If it dies anyway, a supervisor thread starts it again (a bounded number of times
a minute); meanwhile the front answers 503.
"""

from __future__ import annotations

import http.client
import http.server
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from pathlib import Path

from welfare_kg.errors import EndpointError, QueryError

from .limits import DEFAULT_LIMITS, QueryLimits, check_query
from .querypage import QueryPage

__all__ = ["DEFAULT_QUERY_TIMEOUT", "OxigraphServer", "free_port", "oxigraph_binary"]

DEFAULT_QUERY_TIMEOUT = 30.0  # seconds; every library query answers in well under one
_ENGINE_STACK = 256 * 1024 * 1024  # RUST_MIN_STACK: reserved, not used, unless a query needs it
_MAX_RESTARTS = 5  # in _RESTART_WINDOW seconds; past that the engine is broken, not unlucky
_RESTART_WINDOW = 60.0
_GRACE = 5.0  # seconds past the query timeout before the engine is taken to be stuck
_MAX_UPLOAD = 1024 * 1024 * 1024  # a Graph Store PUT (writable mode) of a whole build
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                         "te", "trailer", "transfer-encoding", "upgrade", "content-length"})

# Run as `python -c _LAUNCHER PARENT_PID BINARY ARGS…`: ask Linux to SIGKILL the engine when
# this process dies (prctl PR_SET_PDEATHSIG, kept across exec), then become the engine. A small
# launcher instead of preexec_fn, which is unsafe in a process with threads.
_LAUNCHER = """
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit(0)
os.execv(sys.argv[2], sys.argv[2:])
"""


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
    """An `oxigraph serve` process on a store directory, behind a guarding front on `port`.

    >>> with OxigraphServer(tmp_store_dir) as server:      # doctest: +SKIP
    ...     server.query_url   # 'http://127.0.0.1:PORT/query'

    Read-only (`serve-read-only`) unless `writable`; the default graph of queries is the
    union of all named graphs. `timeout` bounds each query (seconds); `cors` lets web pages
    of other origins query it; `federation` lets queries use SERVICE (and updates LOAD).
    `start` waits (bounded) until the engine answers.
    """

    def __init__(self, location: Path, *, port: int | None = None, host: str = "127.0.0.1",
                 writable: bool = False, startup_timeout: float = 30.0,
                 timeout: float = DEFAULT_QUERY_TIMEOUT, cors: bool = False,
                 page: QueryPage | None = None,
                 federation: bool = False, limits: QueryLimits = DEFAULT_LIMITS) -> None:
        self.location = Path(location)
        self.host = host
        self.port = port or free_port(host)
        self.writable = writable
        self.startup_timeout = startup_timeout
        self.timeout = timeout
        self.cors = cors
        self.page = page  # the front's own query page at / (else Oxigraph's)
        self.federation = federation
        self.limits = limits
        self.process: subprocess.Popen[bytes] | None = None  # the engine now running
        self.engine_port: int | None = None
        self.restarts = 0
        self._front: _Front | None = None
        self._stopping = threading.Event()
        self._done = threading.Event()  # the engine is gone for good (or stop() was called)
        self._exit_code = 0
        self._supervisor: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopped_on_purpose = 0  # pid of an engine killed for running past its timeout

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

    def command(self, engine_port: int) -> list[str]:
        """The engine's command line, listening on the private `engine_port`."""
        mode = "serve" if self.writable else "serve-read-only"
        cmd = [oxigraph_binary(), mode, "--location", str(self.location),
               "--bind", f"127.0.0.1:{engine_port}", "--union-default-graph",
               "--timeout-s", str(max(1, round(self.timeout)))]
        if self.cors:
            cmd.append("--cors")
        return cmd

    # -- life cycle
    def start(self) -> OxigraphServer:
        """Open the public port, start the engine and wait until it answers; else EndpointError."""
        try:
            self._front = _Front((self.host, self.port), self)
        except OSError as exc:
            raise EndpointError(
                f"port {self.port} on {self.host} is in use or not usable "
                f"({exc.strerror or exc}); choose another with --port"
            ) from exc
        started = threading.Event()
        failure: list[EndpointError] = []
        self._supervisor = threading.Thread(
            target=self._supervise, args=(started, failure), name="oxigraph-supervisor",
            daemon=True)
        self._supervisor.start()
        started.wait()
        if failure:
            self._front.server_close()
            self._front = None
            raise failure[0]
        threading.Thread(target=self._front.serve_forever, kwargs={"poll_interval": 0.2},
                         name="sparql-front", daemon=True).start()
        return self

    def _supervise(self, started: threading.Event, failure: list[EndpointError]) -> None:
        """Start the engine, and start it again when it dies; runs for the server's lifetime.

        The engine is spawned from this long-lived thread because Linux sends the parent-death
        signal when the spawning *thread* ends.
        """
        try:
            self._spawn()
        except EndpointError as exc:
            failure.append(exc)
            started.set()
            self._done.set()
            return
        started.set()
        deaths: deque[float] = deque()
        while not self._stopping.is_set():
            process = self.process
            assert process is not None
            code = process.wait()
            with self._lock:
                self.engine_port = None  # the front answers 503 until the next one is up
            if self._stopping.is_set():
                break
            now = time.monotonic()
            if process.pid != self._stopped_on_purpose:  # a timeout is not a crash
                deaths.append(now)
            while deaths and now - deaths[0] > _RESTART_WINDOW:
                deaths.popleft()
            if process.pid != self._stopped_on_purpose:
                print(f"the SPARQL engine stopped (status {code}); starting it again",
                      file=sys.stderr, flush=True)
            if len(deaths) > _MAX_RESTARTS:
                self._give_up(f"the SPARQL engine died {len(deaths)} times in a minute")
                return
            try:
                self._spawn()
                self.restarts += 1
            except EndpointError as exc:
                self._give_up(str(exc))
                return
        self._done.set()

    def _give_up(self, why: str) -> None:
        print(f"{why}; stopping", file=sys.stderr, flush=True)
        self._exit_code = 1
        with self._lock:
            self.engine_port = None
        self._done.set()

    def _spawn(self) -> None:
        """Start one engine on a fresh private port and wait until it answers."""
        port = free_port("127.0.0.1")
        env = {**os.environ, "RUST_MIN_STACK": str(_ENGINE_STACK)}
        process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(os.getpid()), *self.command(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
            # A session of its own: Ctrl-C reaches only the Python side, which then stops the
            # engine, instead of both racing to exit.
            start_new_session=True,
        )
        self.process = process
        deadline = time.monotonic() + self.startup_timeout
        probe = f"http://127.0.0.1:{port}/query?query={urllib.parse.quote('ASK {}')}"
        while time.monotonic() < deadline and not self._stopping.is_set():
            if process.poll() is not None:
                err = process.stderr.read() if process.stderr else b""
                message = " ".join(err.decode(errors="replace").split())[:400]
                raise EndpointError(f"oxigraph exited with {process.returncode}: {message}")
            try:
                with urllib.request.urlopen(probe, timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        else:
            _terminate(process)
            raise EndpointError(
                f"oxigraph did not answer on 127.0.0.1:{port} within {self.startup_timeout}s")
        if process.stderr is not None:  # keep reading, so a chatty engine never blocks
            threading.Thread(target=_drain, args=(process.stderr,), daemon=True).start()
        with self._lock:
            self.engine_port = port

    def restart_engine(self, port: int) -> None:
        """Kill the engine on `port` (the supervisor starts a new one): a query is running past
        its timeout, which Oxigraph's own `--timeout-s` does not stop inside an aggregate."""
        with self._lock:
            process = self.process if self.engine_port == port else None
            if process is not None:
                self.engine_port = None
                self._stopped_on_purpose = process.pid
        if process is not None and process.poll() is None:
            print(f"a query ran past {self.timeout:g} s; restarting the SPARQL engine",
                  file=sys.stderr, flush=True)
            process.kill()

    def engine(self) -> int | None:
        """The private port of the running engine, or None while it is (re)starting."""
        with self._lock:
            return self.engine_port

    def wait(self) -> int:
        """Block until the server stops for good; returns 0, or 1 if the engine kept dying."""
        while not self._done.wait(0.5):  # a timed wait lets Ctrl-C through
            pass
        return self._exit_code

    def stop(self) -> None:
        """Stop the front and the engine (SIGTERM, then SIGKILL after 10 s)."""
        self._stopping.set()
        if self._front is not None:
            self._front.shutdown()
            self._front.server_close()
            self._front = None
        if self.process is not None:
            _terminate(self.process)
        if self._supervisor is not None and self._supervisor is not threading.current_thread():
            self._supervisor.join(timeout=15)
        self._done.set()

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _terminate(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _drain(stream) -> None:
    try:
        while stream.read(65536):
            pass
    except (OSError, ValueError):
        pass


# ------------------------------------------------------------------------------------ front


class _Front(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """The public port: checks each query, then forwards the request to the engine."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], owner: OxigraphServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


def queries_in(target: str, content_type: str, body: bytes) -> list[str]:
    """Every SPARQL text a request carries: `query`/`update` URL or form parameters, or a
    body of any other type (application/sparql-query, -update …) outside the Graph Store."""
    parts = urllib.parse.urlsplit(target)
    texts = [v for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if k in ("query", "update")]
    if body and not parts.path.startswith("/store"):
        text = body.decode("utf-8", errors="replace")
        if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
            texts += [v for k, v in urllib.parse.parse_qsl(text, keep_blank_values=True)
                      if k in ("query", "update")]
        else:
            texts.append(text)
    return texts


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Front

    def log_message(self, format: str, *args: object) -> None:
        pass  # the engine's own log is not shown either

    def do_GET(self) -> None:
        page = self.server.owner.page
        path = urllib.parse.urlsplit(self.path).path
        found = page.get(path) if page is not None and self.command in ("GET", "HEAD") else None
        if found is not None:
            self._page(*found)
        else:
            self._forward()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = do_GET

    def _page(self, body: bytes, content_type: str) -> None:
        """A file of the project's query page (querypage.py), served by the front itself."""
        self.send_response_only(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy",
                         "default-src 'self'; style-src 'self' 'unsafe-inline'")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _forward(self) -> None:
        owner = self.server.owner
        path = urllib.parse.urlsplit(self.path).path
        try:
            limit = _MAX_UPLOAD if path.startswith("/store") else owner.limits.max_bytes * 4
            body = self._read_body(limit)
        except _TooLarge as exc:
            self._reply(413, str(exc), close=True)
            return
        except (OSError, ValueError):
            self.close_connection = True
            return
        try:
            for text in queries_in(self.path, self.headers.get("Content-Type", ""), body):
                check_query(text, owner.limits, allow_fetch=owner.federation)
        except QueryError as exc:
            self._reply(400, str(exc))
            return
        port = owner.engine()
        if port is None:
            self._reply(503, "the SPARQL engine is restarting; try again in a moment")
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        if body or self.command in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(len(body))
        engine = http.client.HTTPConnection("127.0.0.1", port, timeout=owner.timeout + _GRACE)
        try:
            engine.request(self.command, self.path, body=body or None, headers=headers)
            try:
                answer = engine.getresponse()
            except TimeoutError:
                owner.restart_engine(port)
                self._reply(503, f"the query ran past the {owner.timeout:g} s limit; it was "
                                 "stopped", close=True)
                return
            self._relay(answer)
        except (OSError, http.client.HTTPException):
            if not self.wfile.closed and not getattr(self, "_started", False):
                self._reply(502, "the SPARQL engine failed on this request", close=True)
            self.close_connection = True
        finally:
            engine.close()

    def _read_body(self, limit: int) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024).strip():  # trailers
                        pass
                    return b"".join(chunks)
                total += size
                if total > limit:
                    raise _TooLarge(f"the request body is over {limit:,} bytes")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(8)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError(length)
        if length > limit:
            raise _TooLarge(f"the request body is {length:,} bytes; the limit is {limit:,}")
        return self.rfile.read(length) if length else b""

    def _relay(self, answer: http.client.HTTPResponse) -> None:
        self._started = True
        self.send_response_only(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in _HOP_BY_HOP:
                self.send_header(key, value)
        length = answer.getheader("Content-Length")
        no_body = self.command == "HEAD" or answer.status in (204, 304)
        if length is not None or no_body:
            self.send_header("Content-Length", length or "0")
            self.end_headers()
            if not no_body:
                shutil.copyfileobj(answer, self.wfile, 65536)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        while chunk := answer.read1(65536):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def _reply(self, status: int, message: str, close: bool = False) -> None:
        data = (" ".join(message.split()) + "\n").encode("utf-8")
        self.send_response_only(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if self.server.owner.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class _TooLarge(Exception):
    pass
