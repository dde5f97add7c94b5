"""A real SPARQL endpoint: the Oxigraph server process on a loopback port.

`OxigraphServer` runs the `oxigraph` binary of the PyPI package (the union of the named graphs
as its default graph, like the embedded store).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from welfare_kg.errors import EndpointError

__all__ = ["OxigraphServer", "free_port", "oxigraph_binary"]


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
