"""The query, serve and publish commands, run in-process (serve as a real process for Ctrl-C)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sparql_data import BODIES_GRAPH, REPORT_GRAPH

from welfare_kg.cli import main
from welfare_kg.errors import EndpointError
from welfare_kg.graph.sparql.library import list_queries
from welfare_kg.graph.sparql.remote import execute_remote, run_remote
from welfare_kg.graph.sparql.server import OxigraphServer, free_port

pytest_plugins = ["sparql_fixtures"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", ["query", "serve", "publish"])
def test_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and f"usage: welfare-kg {command}" in out


def test_list_shows_every_query_with_both_titles(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query", "--list")
    assert code == 0
    for spec in list_queries():
        assert spec.name in out and spec.title_ja in out and spec.title_en in out
    assert "--param body=… (string, required)" in out


def test_query_by_name_as_table(build_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "query", "single-body-rows", "--out-dir", str(build_dir))
    assert (code, err) == (0, "")
    assert "高齢・障害支援課" in out and out.endswith("(2 rows)\n")


def test_query_with_parameters_as_json(build_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query", "body-portfolio", "--param", "body=区社会福祉協議会",
                       "--format", "json", "--out-dir", str(build_dir))
    assert code == 0
    rows = json.loads(out)["results"]["bindings"]
    assert sorted(r["row"]["value"].rsplit("/", 1)[1] for r in rows) == ["r1", "r3", "r4", "r5"]


def test_query_a_file(build_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rq = tmp_path / "rows.rq"
    rq.write_text("PREFIX wk: <https://w3id.org/welfare-kg/ontology#>\n"
                  "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a wk:PlanRow }\n")
    code, out, _ = run(capsys, "query", str(rq), "-f", "csv", "--out-dir", str(build_dir))
    assert (code, out) == (0, "n\r\n6\r\n")


@pytest.mark.parametrize(("argv", "message"), [
    (["query", "nope"], "welfare-kg query: error: no query named 'nope'"),
    (["query", "missing.rq"], "welfare-kg query: error: no such query file: missing.rq"),
    (["query"], "welfare-kg query: error: name a query (NAME or FILE.rq), or use --list"),
    (["query", "body-portfolio"], "needs --param body=…"),
    (["query", "bodies-ranking", "--param", "pillarNumber=two"],
     "parameter 'pillarNumber' must be an integer, got 'two'"),
    (["query", "bodies-ranking", "--param", "pillar"], "bad --param 'pillar'"),
    (["query", "bodies-ranking", "--param", "colour=red"], "has no parameter 'colour'"),
])
def test_query_errors_are_messages(argv: list[str], message: str, build_dir: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *argv, "--out-dir", str(build_dir))
    assert code == 2 and message in err
    assert "Traceback" not in err and out == ""


def test_bad_parameter_fails_before_any_build(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "out"
    code, _, err = run(capsys, "query", "bodies-ranking", "--param", "pillarNumber=x",
                       "--out-dir", str(empty))
    assert code == 2 and "must be an integer" in err and not empty.exists()


def test_unreachable_endpoint(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    code, out, err = run(capsys, "query", "status-by-pillar", "--endpoint", url)
    assert code == 2 and out == ""
    assert err.startswith(f"welfare-kg query: error: cannot reach the SPARQL endpoint {url}")


def test_publish_then_query_the_endpoint(build_dir: Path, oxigraph_server: OxigraphServer,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "publish", "--endpoint", oxigraph_server.store_url,
                         "--out-dir", str(build_dir))
    assert (code, err) == (0, "")
    assert f"replaced <{BODIES_GRAPH}>" in out and f"replaced <{REPORT_GRAPH}>" in out
    code, out, _ = run(capsys, "query", "single-body-rows", "-f", "tsv",
                       "--endpoint", oxigraph_server.query_url)
    assert code == 0 and len(out.splitlines()) == 3
    code, out, _ = run(capsys, "query", "single-body-rows", "-f", "csv",
                       "--endpoint", oxigraph_server.query_url, "--default-graph", BODIES_GRAPH)
    assert (code, out.splitlines()) == (0, ["row,pillarNumber,body,bodyLabel,planText"])


def test_publish_errors(build_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}/store"
    code, _, err = run(capsys, "publish", "--endpoint", url, "--out-dir", str(build_dir))
    assert code == 2 and "cannot reach the Graph Store endpoint" in err
    code, _, err = run(capsys, "publish", "--endpoint", url, "--graph", "http://x/",
                       "--out-dir", str(build_dir))
    assert code == 2 and "is not a graph of the build" in err
    code, _, err = run(capsys, "publish", "--out-dir", str(build_dir))
    assert code == 2 and "--endpoint" in err


def _serve(build_dir: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "welfare_kg.cli", "serve", "--port", str(port),
         "--out-dir", str(build_dir), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # printed once the server answers
    assert first.startswith("SPARQL endpoint"), first + process.stderr.read()
    return process, f"http://127.0.0.1:{port}"


def _stopped(url: str) -> bool:
    for _ in range(50):
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).close()
        except (urllib.error.URLError, OSError):
            return True
        time.sleep(0.1)
    return False


def test_serve_answers_read_only_and_stops_on_ctrl_c(build_dir: Path) -> None:
    process, url = _serve(build_dir)
    try:
        rows = run_remote(url + "/query", "single-body-rows").values()
        assert sorted(r["row"].rsplit("/", 1)[1] for r in rows) == ["r2", "r6"]
        put = urllib.request.Request(url + "/store?graph=http://x/", data=b"<a:b> <a:c> <a:d> .",
                                     method="PUT", headers={"Content-Type": "text/turtle"})
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(put, timeout=10)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert "stopping the server" in process.stdout.read()
        assert _stopped(url)
    finally:
        process.kill()


def test_a_graph_without_the_row_facts_is_refused_not_answered_short(build_dir: Path) -> None:
    """A graph published before ontology 1.2.0 has no wk:line/wk:bodyCount on its rows: the
    queries that read them would drop those rows silently; they are refused with a reason."""
    process, url = _serve(build_dir, "--writable")
    try:
        assert len(run_remote(url + "/query", "single-body-rows").values()) == 2
        older = ("PREFIX wk: <https://w3id.org/welfare-kg/ontology#>\n"
                 "DELETE WHERE { GRAPH ?g { ?row wk:line ?line } }")
        request = urllib.request.Request(url + "/update", data=older.encode(), method="POST",
                                         headers={"Content-Type": "application/sparql-update"})
        urllib.request.urlopen(request, timeout=10).close()
        with pytest.raises(EndpointError, match=r"single-body-rows reads each row's wk:line"
                                                r".*before 1\.2\.0.*welfare-kg publish"):
            run_remote(url + "/query", "single-body-rows")
        assert run_remote(url + "/query", "plan-skeleton").values()  # reads no row facts
        # sorts by the line only: the same rows, so it still runs on an older graph
        assert run_remote(url + "/query", "keyword-search", {"word": "参加"}).values()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def test_serve_writable_works_on_a_copy(build_dir: Path) -> None:
    process, url = _serve(build_dir, "--writable")
    try:
        update = "INSERT DATA { GRAPH <http://x/> { <http://x/a> <http://x/b> 1 } }"
        request = urllib.request.Request(url + "/update", data=update.encode(), method="POST",
                                         headers={"Content-Type": "application/sparql-update"})
        urllib.request.urlopen(request, timeout=10).close()
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://x/> { ?s ?p ?o } }"
        assert execute_remote(url + "/query", count).values() == [{"n": 1}]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
    assert _stopped(url)
    process, url = _serve(build_dir)  # the build's own store never saw the write
    try:
        assert execute_remote(url + "/query", count).values() == [{"n": 0}]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def test_serve_on_a_busy_port_is_a_clear_error(build_dir: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               oxigraph_server: OxigraphServer) -> None:
    code, _, err = run(capsys, "serve", "--port", str(oxigraph_server.port),
                       "--out-dir", str(build_dir))
    assert code == 2
    assert f"welfare-kg serve: error: port {oxigraph_server.port} on 127.0.0.1 is in use" in err


def test_a_body_alias_resolves_through_the_endpoint(build_dir: Path,
                                                    oxigraph_server: OxigraphServer,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "publish", "--endpoint", oxigraph_server.store_url,
                       "--out-dir", str(build_dir))
    assert (code, err) == (0, "")
    url = oxigraph_server.query_url
    code, expected, _ = run(capsys, "query", "body-portfolio", "-f", "tsv", "--endpoint", url,
                            "--param", "body=区社会福祉協議会")
    assert code == 0 and len(expected.splitlines()) > 1
    # short names of data/aliases.csv, the English name, any case and spacing
    for alias in ("社協", "泉区 社協", "izumi ward social welfare council"):
        code, out, err = run(capsys, "query", "body-portfolio", "-f", "tsv", "--endpoint", url,
                             "--param", f"body={alias}")
        assert (code, out) == (0, expected), alias
        assert err == f"body={alias} is 区社会福祉協議会\n"
    # a name the endpoint has no body for is an error with the nearest names, and text that
    # would break a query pasted into it is only ever a name to look up
    for typed in ("区社会福祉", '"} } DROP ALL ; #'):
        code, out, err = run(capsys, "query", "body-portfolio", "--endpoint", url,
                             "--param", f"body={typed}")
        assert code == 2 and out == "" and "no body named" in err, typed
    assert "did you mean 区社会福祉協議会" in run(
        capsys, "query", "body-portfolio", "--endpoint", url, "--param", "body=区社会福祉")[2]
    code, out, _ = run(capsys, "query", "single-body-rows", "-f", "tsv", "--endpoint", url)
    assert code == 0 and len(out.splitlines()) == 3  # the endpoint's graphs are unharmed
