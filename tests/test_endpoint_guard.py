"""The hardened endpoint: queries past the limits refused with a 400 before the engine sees
them, SERVICE/LOAD refused unless asked, a query timeout, an engine restarted when it dies,
an engine that dies with its parent on kill -9, and a bounded load test (all on loopback)."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar

import pytest

from welfare_kg.graph.sparql import OxigraphServer, free_port, refresh_store_dir

pytest_plugins = ["sparql_fixtures"]

DEEP = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"


def ask(url: str, text: str, *, form: bool = True, key: str = "query",
        path: str = "/query", timeout: float = 60) -> tuple[int, str]:
    """POST `text` (as a form or as application/sparql-query); (status, body)."""
    if form:
        data = urllib.parse.urlencode({key: text}).encode()
        ctype = "application/x-www-form-urlencoded"
    else:
        data = text.encode()
        ctype = "application/sparql-query" if key == "query" else "application/sparql-update"
    request = urllib.request.Request(url + path, data=data, headers={
        "Content-Type": ctype, "Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@pytest.fixture
def server(build_dir: Path):
    with OxigraphServer(refresh_store_dir(build_dir)) as running:
        yield running


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder():
    """A loopback HTTP server that records the requests it gets (a SERVICE target)."""
    _Recorder.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/sparql", _Recorder.hits
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.integration
@pytest.mark.parametrize("form", [True, False], ids=["form", "sparql-query body"])
def test_deep_query_is_refused_and_the_server_stays_up(server: OxigraphServer,
                                                      form: bool) -> None:
    status, body = ask(server.url, DEEP, form=form)
    assert status == 400
    assert "nests brackets more than 64 deep" in body and body.count("\n") == 1
    assert ask(server.url, "ASK {}")[0] == 200
    assert server.restarts == 0  # the engine never saw it


@pytest.mark.integration
def test_deep_query_in_the_url_is_refused(server: OxigraphServer) -> None:
    url = server.query_url + "?query=" + urllib.parse.quote(DEEP)
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url, timeout=30)
    assert err.value.code == 400


@pytest.mark.integration
def test_escaped_brackets_count_too(server: OxigraphServer) -> None:
    # SPARQL resolves \\u escapes before parsing: \\u0028 is "(".
    text = "SELECT * WHERE { FILTER(" + "\\u0028" * 200 + "1" + ")" * 200 + ") }"
    assert ask(server.url, text)[0] == 400


@pytest.mark.integration
def test_long_property_path_and_huge_query_are_refused(server: OxigraphServer) -> None:
    path = "SELECT * WHERE { ?s " + "/".join(["<p>"] * 600) + " ?o }"
    status, body = ask(server.url, path)
    assert status == 400 and "path operators" in body
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 100_000
    status, body = ask(server.url, big)
    assert status in (400, 413) and "limit" in body


@pytest.mark.integration
def test_service_is_refused_by_default(server: OxigraphServer, recorder) -> None:
    target, hits = recorder
    for text in (f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                 f"SELECT * WHERE {{ ?s ?p ?o.\\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
                 f"SELECT * WHERE {{ service silent <{target}> {{ ?s ?p ?o }} }}"):
        status, body = ask(server.url, text)
        assert status == 400 and "--allow-federation" in body, text
    time.sleep(0.2)
    assert hits == []


@pytest.mark.integration
def test_words_that_only_look_like_service_pass(server: OxigraphServer) -> None:
    text = ('PREFIX schema: <http://schema.org/> SELECT ?service WHERE { '
            '?service a schema:Service . FILTER(?service != "SERVICE"@en) } # SERVICE')
    assert ask(server.url, text)[0] == 200


@pytest.mark.integration
def test_service_is_fetched_when_federation_is_allowed(build_dir: Path, recorder) -> None:
    target, hits = recorder
    with OxigraphServer(refresh_store_dir(build_dir), federation=True) as server:
        ask(server.url, f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}")
    assert hits, "the engine should have called the SERVICE endpoint"


@pytest.mark.integration
def test_load_is_refused_on_a_writable_server(tmp_path: Path, recorder) -> None:
    target, hits = recorder
    with OxigraphServer(tmp_path / "store", writable=True) as server:
        status, body = ask(server.url, f"LOAD <{target}>", key="update", path="/update",
                           form=False)
        assert status == 400 and "LOAD" in body
        status, _ = ask(server.url, "INSERT DATA { <http://a> <http://b> <http://c> }",
                        key="update", path="/update", form=False)
        assert status in (200, 204)
    assert hits == []


@pytest.mark.integration
def test_a_query_past_the_timeout_is_stopped(build_dir: Path) -> None:
    with OxigraphServer(refresh_store_dir(build_dir), timeout=2, cors=True) as server:
        assert server.process is not None
        command = " ".join(server.process.args)
        assert "--timeout-s 2" in command and "--cors" in command
        # 10^8 solutions counted: minutes of work, which --timeout-s alone does not stop
        values = " ".join(f"VALUES ?v{i} {{1 2 3 4 5 6 7 8 9 10}}" for i in range(8))
        started = time.monotonic()
        status, body = ask(server.url, f"SELECT (COUNT(*) AS ?n) WHERE {{ {values} }}")
        assert time.monotonic() - started < 20
        assert status == 503 and "2 s limit" in body
        assert ask(server.url, "ASK {}")[0] == 200 or _eventually_ok(server.url)
        request = urllib.request.Request(server.query_url + "?query=ASK%7B%7D",
                                         headers={"Origin": "http://example.org"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers.get("Access-Control-Allow-Origin")


@pytest.mark.integration
def test_a_browser_origin_passes_cors_preflight(build_dir: Path) -> None:
    """What a query editor on another origin sends before a POST with a form body, then the
    query itself: both answered with the CORS headers a browser requires."""
    with OxigraphServer(refresh_store_dir(build_dir), cors=True) as server:
        origin = "http://editor.example.org"
        preflight = urllib.request.Request(server.query_url, method="OPTIONS", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, accept"})
        with urllib.request.urlopen(preflight, timeout=10) as response:
            assert 200 <= response.status < 300
            allowed = response.headers.get("Access-Control-Allow-Origin")
            assert allowed in ("*", origin)
            # Fetch standard, CORS-preflight fetch: a CORS-safelisted method (GET, HEAD,
            # POST) passes without Access-Control-Allow-Methods (Oxigraph sends none);
            # any listed methods must include it.
            methods = response.headers.get("Access-Control-Allow-Methods")
            assert methods is None or "POST" in methods.upper() or methods == "*"
            headers = response.headers.get("Access-Control-Allow-Headers", "").lower()
            assert "content-type" in headers or headers == "*"
        query = urllib.request.Request(
            server.query_url, data=urllib.parse.urlencode({"query": "ASK {}"}).encode(),
            headers={"Origin": origin, "Accept": "application/sparql-results+json",
                     "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(query, timeout=10) as response:
            assert response.headers.get("Access-Control-Allow-Origin") in ("*", origin)
            assert json.loads(response.read())["boolean"] is True
    with OxigraphServer(refresh_store_dir(build_dir), cors=False) as server:  # --no-cors
        preflight = urllib.request.Request(server.query_url, method="OPTIONS", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST"})
        try:
            with urllib.request.urlopen(preflight, timeout=10) as response:
                assert response.headers.get("Access-Control-Allow-Origin") is None
        except urllib.error.HTTPError as exc:
            assert exc.headers.get("Access-Control-Allow-Origin") is None


def test_serve_turns_cors_on_by_default() -> None:
    from welfare_kg.cli import _parser

    parser = _parser()
    assert parser.parse_args(["serve"]).cors is True
    assert parser.parse_args(["serve", "--no-cors"]).cors is False
    assert parser.parse_args(["serve"]).timeout == 30.0


def _eventually_ok(url: str) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if ask(url, "ASK {}", timeout=5)[0] == 200:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.integration
def test_a_dead_engine_is_started_again(server: OxigraphServer) -> None:
    assert server.process is not None
    first = server.process.pid
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, _ = ask(server.url, "ASK {}", timeout=5)
        if status == 200 and server.process.pid != first:
            break
        assert status in (200, 502, 503)
        time.sleep(0.2)
    assert server.restarts == 1 and server.process.pid != first
    assert ask(server.url, "ASK {}")[0] == 200


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead too
    with open(f"/proc/{pid}/stat") as fh:  # noqa: PTH123 - procfs
        return fh.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.integration
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux")
def test_engine_dies_with_serve_on_kill_9(build_dir: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "welfare_kg.cli", "serve", "--port", str(port),
         "--out-dir", str(build_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("SPARQL endpoint")
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        engines = [int(p) for p in children.read_text().split()]
        engines += [int(c) for t in Path(f"/proc/{process.pid}/task").iterdir()
                    for c in (t / "children").read_text().split()]
        assert engines
        process.kill()
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in engines) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(p) for p in engines)
        # the port is free again
        free = OxigraphServer(build_dir / "store", port=port)
        free.start()
        free.stop()
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.integration
def test_load_of_selects_at_concurrency_12_has_no_errors(server: OxigraphServer) -> None:
    texts = ["SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 50",
             "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
             "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"]
    timings: list[float] = []

    def one(i: int) -> int:
        started = time.monotonic()
        status, body = ask(server.url, texts[i % len(texts)], timeout=60)
        timings.append(time.monotonic() - started)
        return status if '"results"' in body else -status

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(one, range(300)))
    assert statuses.count(200) == 300, sorted(set(statuses))
    assert server.restarts == 0


@pytest.mark.integration
def test_the_front_serves_the_project_query_page(build_dir: Path) -> None:
    from welfare_kg.graph.sparql import list_queries, query_page

    with OxigraphServer(refresh_store_dir(build_dir), page=query_page()) as server:
        with urllib.request.urlopen(server.url + "/", timeout=10) as response:
            assert response.headers.get_content_type() == "text/html"
            assert "default-src 'self'" in response.headers["Content-Security-Policy"]
            html = response.read().decode("utf-8")
        data = json.loads(html.split('id="page-data">', 1)[1].split("</script>", 1)[0])
        assert data["prefixes"]["wk"] == "https://w3id.org/welfare-kg/ontology#"
        assert [e["name"] for e in data["examples"]] == [s.name for s in list_queries()]
        assert "http" not in html.split("<script src=", 1)[1].split(">", 1)[0]  # served here
        with urllib.request.urlopen(server.url + "/query-page.js", timeout=10) as response:
            assert b"fetch(endpoint" in response.read()
        assert ask(server.url, "ASK {}")[0] == 200  # the endpoint itself is still forwarded


def test_page_data_cannot_close_its_script_element() -> None:
    from welfare_kg.graph.sparql import QuerySpec, query_page

    spec = QuerySpec(name="x", text="# </script><script>alert(1)</script>\nASK {}",
                     title_en="</script>", description="<!-- &")
    html = query_page([spec], {"wk": "https://w3id.org/welfare-kg/ontology#"}).get("/")[0]
    body = html.decode("utf-8").split('id="page-data">', 1)[1]
    data_text = body.split("</script>", 1)[0]
    assert "<" not in data_text and "&" not in data_text.replace("\\u0026", "")
    assert json.loads(data_text)["examples"][0]["text"].startswith("# </script>")
