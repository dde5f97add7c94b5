"""Portability: every library query gives the same answer on Virtuoso as on the embedded store.

Virtuoso Open Source (Debian `virtuoso-opensource-7-bin`, listed in
scripts/system-packages.txt) is started by the fixture with its own ini file in a temporary
directory, on free loopback ports; the graph is written through its authenticated Graph Store
endpoint (`/sparql-graph-crud-auth`, HTTP Digest, the fresh database's `dba` account) and
queried through `/sparql` with SPARQLWrapper. Virtuoso's default graph is the union of its
graphs, like the embedded store's.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyoxigraph import Store
from sparql_data import MINI, PARAMS, REPORT_GRAPH, SAMPLE_VALUES, bundled_store

from welfare_kg.errors import EndpointError
from welfare_kg.graph.sparql.library import list_queries
from welfare_kg.graph.sparql.publish import publish
from welfare_kg.graph.sparql.remote import execute_remote, run_remote
from welfare_kg.graph.sparql.results import comparable
from welfare_kg.graph.sparql.server import free_port
from welfare_kg.graph.sparql.store import load_store, run_query

pytestmark = pytest.mark.integration

LIBRARY = list_queries()
STARTUP_SECONDS = 120
INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
MaxCheckpointRemap = 2000

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
MaxClientConnections = 4
ServerThreads = 4

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 120
"""


@dataclass(frozen=True)
class Virtuoso:
    url: str

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    @property
    def graph_store(self) -> str:
        return f"{self.url}/sparql-graph-crud-auth"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    binary = shutil.which("virtuoso-t")
    if binary is None:
        pytest.skip("virtuoso-t is not installed (Debian package virtuoso-opensource-7-bin, "
                    "listed in scripts/system-packages.txt for CI)")
    home = tmp_path_factory.mktemp("virtuoso")
    http_port = free_port()
    (home / "virtuoso.ini").write_text(
        INI.format(d=home, sql_port=free_port(), http_port=http_port), encoding="utf-8")
    process = subprocess.Popen(
        [binary, "+configfile", str(home / "virtuoso.ini"), "+foreground"],
        cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    server = Virtuoso(f"http://127.0.0.1:{http_port}")
    probe = f"{server.sparql}?query={urllib.parse.quote('ASK {}')}"
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            if process.poll() is not None:
                log = (home / "virtuoso.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"virtuoso-t exited with {process.returncode}:\n{log}")
            try:
                urllib.request.urlopen(probe, timeout=2).close()
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"Virtuoso did not answer within {STARTUP_SECONDS}s")
                time.sleep(0.25)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def mini_store() -> Store:
    return load_store([MINI])


@pytest.fixture(scope="module")
def loaded(virtuoso: Virtuoso, mini_store: Store) -> Virtuoso:
    done = publish(virtuoso.graph_store, mini_store, user="dba", password="dba")
    assert all(d.status in (200, 201, 204) for d in done)
    return virtuoso


@pytest.mark.parametrize("spec", LIBRARY, ids=lambda s: s.name)
def test_every_library_query_same_on_virtuoso(spec, loaded: Virtuoso, mini_store: Store) -> None:
    params = PARAMS.get(spec.name, {})
    embedded = run_query(mini_store, spec, params)
    remote = run_remote(loaded.sparql, spec, params)
    assert remote.variables == embedded.variables
    assert comparable(remote) == comparable(embedded)


PARAMETERISED = [(spec, p.name) for spec in LIBRARY for p in spec.params]


@pytest.mark.parametrize(("spec", "name"), PARAMETERISED,
                         ids=[f"{s.name}-{n}" for s, n in PARAMETERISED])
def test_every_parameter_binds_alike_on_virtuoso(spec, name: str, loaded: Virtuoso,
                                                 mini_store: Store) -> None:
    params = {**PARAMS.get(spec.name, {}), name: SAMPLE_VALUES[name]}
    embedded = run_query(mini_store, spec, params)
    assert embedded.rows
    assert comparable(run_remote(loaded.sparql, spec, params)) == comparable(embedded)


REPORT_PARAMS = {**PARAMS, "keyword-search": {"word": "認知症"}}


@pytest.fixture(scope="module")
def report_graphs(virtuoso: Virtuoso) -> list[str]:
    """The bundled report's graph, published beside the mini graph (queried on its own)."""
    done = publish(virtuoso.graph_store, bundled_store(), user="dba", password="dba")
    return [d.graph for d in done]


@pytest.mark.parametrize("spec", LIBRARY, ids=lambda s: s.name)
def test_every_library_query_same_on_virtuoso_for_the_report(spec, virtuoso: Virtuoso,
                                                             report_graphs: list[str]) -> None:
    params = REPORT_PARAMS.get(spec.name, {})
    embedded = run_query(bundled_store(), spec, params)
    remote = run_remote(virtuoso.sparql, spec, params, default_graphs=report_graphs)
    assert len(embedded.rows) == len(remote.rows)
    assert comparable(remote) == comparable(embedded)


ROW_LISTS = ["keyword-search", "body-portfolio", "single-body-rows", "covid-affected-rows",
             "joint-division-plaza-council", "rows-without-initiative"]


@pytest.mark.parametrize("name", ROW_LISTS)
def test_rows_come_in_the_report_order_on_virtuoso(name: str, virtuoso: Virtuoso,
                                                   report_graphs: list[str]) -> None:
    values = run_remote(virtuoso.sparql, name, REPORT_PARAMS.get(name, {}),
                        default_graphs=report_graphs).values()
    order = [(v["pillarNumber"], int(v["row"].rsplit("/", 1)[1])) for v in values]
    assert order and order == sorted(order)


def test_parameters_bind_on_virtuoso(loaded: Virtuoso) -> None:
    rows = run_remote(loaded.sparql, "keyword-search", {"word": '"見守り"'}).values()
    assert [r["row"].rsplit("/", 1)[-1] for r in rows] == ["r5"]
    hostile = '" ) } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o FILTER("'
    assert run_remote(loaded.sparql, "keyword-search", {"word": hostile}).rows == ()


def count(virtuoso: Virtuoso, graph: str) -> int:
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return execute_remote(virtuoso.sparql, text).values()[0]["n"]


def test_republish_replaces_the_graph(loaded: Virtuoso, mini_store: Store) -> None:
    publish(loaded.graph_store, mini_store, user="dba", password="dba")
    assert count(loaded, REPORT_GRAPH) == len(
        [q for q in mini_store if q.graph_name.value == REPORT_GRAPH])


def test_wrong_password_is_refused_and_the_graph_stays(loaded: Virtuoso) -> None:
    before = count(loaded, REPORT_GRAPH)
    with pytest.raises(EndpointError, match=r"HTTP 401.*check --user and the password"):
        publish(loaded.graph_store, load_store([MINI]), user="dba", password="wrong")
    assert count(loaded, REPORT_GRAPH) == before


def test_virtuoso_error_message_reaches_the_user(loaded: Virtuoso) -> None:
    with pytest.raises(EndpointError, match=r"rejected <query>: .*SP030"):
        execute_remote(loaded.sparql, "SELECT ?x WHERE { ?x ?p }")


def test_publish_command_with_password_from_the_environment(
        loaded: Virtuoso, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from sparql_data import write_build

    from welfare_kg.cli import main

    write_build(tmp_path / "out")
    argv = ["publish", "--endpoint", loaded.graph_store, "--user", "dba",
            "--graph", REPORT_GRAPH, "--out-dir", str(tmp_path / "out")]
    monkeypatch.setenv("WELFARE_KG_PASSWORD", "wrong")
    assert main(argv) == 2
    assert "HTTP 401" in capsys.readouterr().err
    monkeypatch.setenv("WELFARE_KG_PASSWORD", "dba")
    assert main(argv) == 0
    assert f"replaced <{REPORT_GRAPH}>" in capsys.readouterr().out
