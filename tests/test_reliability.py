"""Regression tests of issue 10 (reliability) outside the endpoint: deep queries in
`welfare-kg query`, remote deadlines, publish read-back, hostile inputs, one-line messages."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import ClassVar

import pytest
from pyoxigraph import Store

from welfare_kg.cli import main
from welfare_kg.errors import EndpointError, QueryError
from welfare_kg.graph.rdf.metadata import report_slug
from welfare_kg.graph.sparql import OxigraphServer, check_query, publish, run_remote
from welfare_kg.graph.sparql.limits import fetching_keywords

pytest_plugins = ["sparql_fixtures"]

DEEP = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "welfare_kg.cli", *args], capture_output=True,
                          text=True, timeout=120, **kwargs)


# --------------------------------------------------------------------------- query limits


def test_deep_query_is_one_line_not_a_segfault(tmp_path: Path) -> None:
    query = tmp_path / "deep.rq"
    query.write_text(DEEP, encoding="utf-8")
    done = cli("query", str(query), "--out-dir", str(tmp_path / "out"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "nests brackets more than 64 deep" in done.stderr
    assert not (tmp_path / "out").exists()  # refused before any store was built


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s " + "/".join(["<p>"] * 100) + " ?o }",
    "SELECT * WHERE { " + " ".join(["OPTIONAL { ?s ?p ?o }"] * 300) + " }",
    "SELECT * WHERE { ?s ?p ?o } #" + "x" * 70_000,
])
def test_queries_past_the_limits_are_refused(text: str) -> None:
    with pytest.raises(QueryError):
        check_query(text)


def test_library_sized_queries_pass_and_service_is_found() -> None:
    check_query("SELECT * WHERE { ?s <a>/<b>|^<c> ?o OPTIONAL { ?s ?p ?o } }")
    assert fetching_keywords("SELECT * { ?s ?p ?o.SERVICE <x> {} } # LOAD") == ["SERVICE"]
    assert fetching_keywords('SELECT ?service { ?x a schema:Service ; ex:p "SERVICE"@en }') == []
    assert fetching_keywords("\\u0053ERVICE <x> {}") == ["SERVICE"]
    with pytest.raises(QueryError, match="allow-federation"):
        check_query("LOAD <http://169.254.169.254/>", allow_fetch=False)


def test_query_path_that_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["query", str(tmp_path) + "/"]) == 2
    assert "is a folder, not a query file" in capsys.readouterr().err


def test_query_with_nul_byte_names_its_line(tmp_path: Path,
                                           capsys: pytest.CaptureFixture) -> None:
    query = tmp_path / "q.rq"
    query.write_bytes(b"SELECT *\nWHERE { \x00 }")
    assert main(["query", str(query)]) == 2
    assert f"{query}:2: binary data" in capsys.readouterr().err


# ------------------------------------------------------------------------ remote deadline


class _Drip(http.server.BaseHTTPRequestHandler):
    """Answers with headers, then one byte every 2 s, forever (bounded by the test)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        for _ in range(30):
            try:
                self.wfile.write(b" ")
                self.wfile.flush()
            except OSError:
                return
            time.sleep(2)

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def drip():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
    httpd.shutdown()
    httpd.server_close()


def test_dripping_endpoint_meets_the_overall_deadline(drip: str) -> None:
    started = time.monotonic()
    with pytest.raises(EndpointError, match="within 3 s"):
        run_remote(drip, "single-body-rows", timeout=3)
    assert time.monotonic() - started < 10


def test_query_timeout_option_on_the_command_line(drip: str) -> None:
    started = time.monotonic()
    done = cli("query", "single-body-rows", "--endpoint", drip, "--timeout", "2")
    assert done.returncode == 2 and "within 2 s" in done.stderr
    assert time.monotonic() - started < 30


# ------------------------------------------------------------------------ publish read-back


class _HalfProxy(http.server.BaseHTTPRequestHandler):
    """A proxy that forwards only the first half of each PUT's lines, with a matching length."""

    upstream: ClassVar[str] = ""

    def do_PUT(self) -> None:
        import urllib.request

        body = self.rfile.read(int(self.headers["Content-Length"]))
        lines = body.splitlines(keepends=True)
        half = b"".join(lines[: len(lines) // 2])
        request = urllib.request.Request(self.upstream + self.path, data=half, method="PUT",
                                         headers={"Content-Type": "text/turtle"})
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        import urllib.request

        request = urllib.request.Request(self.upstream + self.path,
                                         headers={"Accept": self.headers.get("Accept", "*/*")})
        with urllib.request.urlopen(request, timeout=30) as response:
            data = response.read()
            ctype = response.headers.get("Content-Type", "")
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.integration
def test_publish_reads_back_and_names_replaced_graphs(oxigraph_server: OxigraphServer,
                                                      mini_store: Store) -> None:
    _HalfProxy.upstream = oxigraph_server.url
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HalfProxy)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        proxy = f"http://127.0.0.1:{httpd.server_address[1]}/store"
        with pytest.raises(EndpointError, match=r"holds .* triples .* after the PUT of"):
            publish(proxy, mini_store, timeout=30)
        done = publish(oxigraph_server.store_url, mini_store, timeout=30)  # direct: fine
        assert all(d.triples > 0 for d in done)
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_publish_out_dir_without_build_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = cli("publish", "--endpoint", "http://127.0.0.1:9/store", "--out-dir",
               str(tmp_path / "empty"))
    assert done.returncode == 2 and "no build here" in done.stderr
    assert list((tmp_path / "empty").iterdir()) == []


# ------------------------------------------------------------------------------- inputs


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null"])
def test_non_regular_report_is_refused(path: str) -> None:
    done = cli("extract", path)
    assert done.returncode == 2 and "not a regular file" in done.stderr
    assert done.stderr.count("\n") == 1


def test_fifo_report_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    done = cli("extract", str(fifo))
    assert done.returncode == 2 and "not a regular file" in done.stderr


def test_report_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    from welfare_kg.graph.report.pages import read_source

    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(Exception, match="limit for a report"):
        read_source(big, max_bytes=1000)


def test_nul_byte_in_report_names_its_line(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_bytes("行1\n行2\n\x00\n".encode())
    done = cli("extract", str(report))
    assert done.returncode == 2 and f"{report}:3:" in done.stderr


def test_closed_stdout_is_one_line() -> None:
    done = subprocess.run(
        f"{sys.executable} -m welfare_kg.cli query --list >&-", shell=True,
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == "welfare-kg query: error: standard output is closed"


def test_argparse_errors_are_one_line() -> None:
    done = cli("query", "--format", "xml", "x")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "see --help" in done.stderr


@pytest.mark.parametrize("stem", ["泉区報告書", "泉区2021", "...", "izumi-fy2021", "Ｉｚｕｍｉ"])
def test_report_slug_always_works(stem: str) -> None:
    slug = report_slug(stem)
    assert slug and slug == report_slug(stem)
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in slug)
    assert urllib.parse.quote(slug) == slug
    assert report_slug("泉区報告書") != report_slug("港北区報告書")


def _report_lines() -> list[str]:
    from welfare_kg.paths import DEFAULT_REPORT

    return DEFAULT_REPORT.read_text(encoding="utf-8").splitlines()


def test_report_cut_right_after_a_page_header_is_refused(tmp_path: Path) -> None:
    from welfare_kg.graph.report.format import load_layout
    from welfare_kg.graph.report.pages import is_header

    lines = _report_lines()
    layout = load_layout()
    cut_at = [n for n, line in enumerate(lines, 1) if is_header(line, layout)][3]
    report = tmp_path / "cut.txt"
    report.write_text("\n".join(lines[:cut_at]) + "\n", encoding="utf-8")
    done = cli("extract", str(report), "-o", str(tmp_path / "out.json"))
    assert done.returncode == 2
    assert f"{report}:{cut_at}: the report ends right after a page's header line" in done.stderr
    assert not (tmp_path / "out.json").exists()


def test_repeated_page_is_reported(tmp_path: Path) -> None:
    from welfare_kg.graph.report import extract_report
    from welfare_kg.graph.report.format import load_layout
    from welfare_kg.graph.report.pages import read_source, split_pages
    from welfare_kg.paths import DEFAULT_REPORT

    spans = split_pages(read_source(DEFAULT_REPORT), load_layout())
    first, last = spans[2]
    lines = _report_lines()
    report = tmp_path / "dup.txt"
    report.write_text("\n".join(lines[:last] + lines[first - 1:last] + lines[last:]) + "\n",
                      encoding="utf-8")
    extraction = extract_report(report, corrections=False)
    notes = [w for w in extraction.warnings if "word for word" in w]
    assert notes == [f"{report}:{last + 1}: the page at lines {last + 1}-{2 * last - first + 1} "
                     f"repeats the page at lines {first}-{last} word for word; its rows are "
                     "counted twice"]
    assert not [w for w in extract_report(DEFAULT_REPORT).warnings if "word for word" in w]


def test_output_to_a_full_device_is_written_through_not_replaced() -> None:
    done = cli("extract", "-o", "/dev/full")
    assert done.returncode == 2
    assert done.stderr.strip().endswith("/dev/full: cannot write here: No space left on device")
    assert Path("/dev/full").is_char_device()


def test_output_to_dev_stdout_goes_to_stdout() -> None:
    done = cli("query", "--list")
    through = subprocess.run(
        [sys.executable, "-m", "welfare_kg.cli", "extract", "-o", "/dev/stdout"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and through.returncode == 0
    assert through.stdout.lstrip().startswith("{") and '"rows"' in through.stdout


def test_output_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    from welfare_kg.fileio import write_text

    real = tmp_path / "real.json"
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_text(link, "new\n")
    assert link.is_symlink() and real.read_text() == "new\n"


def test_read_only_file_system_is_not_no_permission(tmp_path: Path, monkeypatch) -> None:
    from welfare_kg import fileio

    monkeypatch.setattr(fileio, "_read_only_fs", lambda folder: True)
    with pytest.raises(Exception, match="read-only file system"):
        fileio.check_writable(tmp_path / "x.json")


def test_broken_turtle_in_validate_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix x: <http://x/> .\nx:a x:b "unterminated .\n', encoding="utf-8")
    done = cli("validate", str(bad))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert str(bad) in done.stderr


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { BIND(" + "+".join(["1"] * 30000) + " AS ?x) }",
    "SELECT * WHERE { FILTER(" + "!" * 60000 + "true) }",
    "SELECT * WHERE { FILTER(" + "||".join(["1"] * 20000) + ") }",
])
def test_long_operator_chains_are_refused_not_a_segfault(tmp_path: Path, text: str) -> None:
    query = tmp_path / "chain.rq"
    query.write_text(text, encoding="utf-8")
    done = cli("query", str(query), "--out-dir", str(tmp_path / "out"))
    assert done.returncode == 2 and "more than 1000 operators" in done.stderr
