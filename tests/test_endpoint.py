"""A real Oxigraph server: publish the graph to it, query it remotely, compare with embedded.

The server is the `oxigraph` binary of the PyPI package, started on a free loopback port
by the `oxigraph_server` fixture; queries go through SPARQLWrapper.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Store
from sparql_data import BODIES_GRAPH, MINI, PARAMS, REPORT_GRAPH, SAMPLE_VALUES

from welfare_kg.errors import EndpointError, InputError, QueryError
from welfare_kg.graph.sparql.library import list_queries
from welfare_kg.graph.sparql.publish import _put as put
from welfare_kg.graph.sparql.publish import publish
from welfare_kg.graph.sparql.remote import execute_remote, inject_values, run_remote
from welfare_kg.graph.sparql.results import comparable
from welfare_kg.graph.sparql.server import OxigraphServer, free_port
from welfare_kg.graph.sparql.store import execute, load_store, refresh_store_dir, run_query

pytest_plugins = ["sparql_fixtures"]

LIBRARY = list_queries()
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def published(oxigraph_server: OxigraphServer, mini_store: Store) -> OxigraphServer:
    """The server holding the mini graph, published through the Graph Store Protocol."""
    done = publish(oxigraph_server.store_url, mini_store)
    assert [d.graph for d in done] == [BODIES_GRAPH, REPORT_GRAPH]
    assert all(d.status in (200, 201, 204) for d in done)
    return oxigraph_server


def triples_in(url: str, graph: str) -> int:
    return execute_remote(url, COUNT % graph).values()[0]["n"]


def quads(store: Store, graph: str) -> int:
    return len(list(store.quads_for_pattern(None, None, None, NamedNode(graph))))


# -- publish --------------------------------------------------------------------------------

def test_publish_writes_every_named_graph(published: OxigraphServer, mini_store: Store) -> None:
    for graph in (BODIES_GRAPH, REPORT_GRAPH):
        assert triples_in(published.query_url, graph) == quads(mini_store, graph)


def test_publishing_again_replaces_instead_of_adding(published: OxigraphServer,
                                                     mini_store: Store) -> None:
    publish(published.store_url, mini_store)
    assert triples_in(published.query_url, REPORT_GRAPH) == quads(mini_store, REPORT_GRAPH)


def test_publish_one_graph_under_another_name(oxigraph_server: OxigraphServer) -> None:
    single = Store()
    single.bulk_extend(q for q in load_store([MINI]) if q.graph_name.value == REPORT_GRAPH)
    target = "http://example.org/graph/copy"
    [done] = publish(oxigraph_server.store_url, single, graph=target)
    assert done.graph == target
    assert triples_in(oxigraph_server.query_url, target) == quads(single, REPORT_GRAPH)
    delete = urllib.request.Request(f"{oxigraph_server.store_url}?graph={target}", method="DELETE")
    urllib.request.urlopen(delete, timeout=10).close()


def test_publish_only_the_named_graph(oxigraph_server: OxigraphServer, mini_store: Store) -> None:
    done = publish(oxigraph_server.store_url, mini_store, graph=BODIES_GRAPH)
    assert [d.graph for d in done] == [BODIES_GRAPH]


def test_publish_refuses_an_ambiguous_graph(mini_store: Store) -> None:
    with pytest.raises(InputError, match="is not a graph of the build, and the build has 2"):
        publish("http://127.0.0.1:9/store", mini_store, graph="http://example.org/other")


def test_a_rejected_put_leaves_the_previous_graph(published: OxigraphServer,
                                                  mini_store: Store) -> None:
    before = triples_in(published.query_url, REPORT_GRAPH)
    with pytest.raises(EndpointError, match=r"HTTP 400.*the previous graph is unchanged"):
        put(published.store_url, REPORT_GRAPH, b"<http://a> <http://b> \"unterminated .\n",
            timeout=10)
    assert triples_in(published.query_url, REPORT_GRAPH) == before


def test_read_only_server_refuses_writes_and_keeps_its_graph(build_dir: Path) -> None:
    with OxigraphServer(refresh_store_dir(build_dir)) as server:
        with pytest.raises(EndpointError, match="refused to replace graph"):
            publish(server.store_url, load_store([MINI]), graph=REPORT_GRAPH)
        assert triples_in(server.query_url, REPORT_GRAPH) == quads(load_store([MINI]),
                                                                   REPORT_GRAPH)


def test_unreachable_graph_store() -> None:
    url = f"http://127.0.0.1:{free_port()}/store"
    with pytest.raises(EndpointError, match="cannot reach the Graph Store endpoint"):
        publish(url, load_store([MINI]))


# -- queries: embedded and remote agree -------------------------------------------------------

@pytest.mark.parametrize("spec", LIBRARY, ids=lambda s: s.name)
def test_every_library_query_same_embedded_and_remote(spec, published: OxigraphServer,
                                                      mini_store: Store) -> None:
    params = PARAMS.get(spec.name, {})
    embedded = run_query(mini_store, spec, params)
    remote = run_remote(published.query_url, spec, params)
    assert remote.variables == embedded.variables
    assert comparable(remote) == comparable(embedded)


PARAMETERISED = [(spec, p.name) for spec in LIBRARY for p in spec.params]


@pytest.mark.parametrize(("spec", "name"), PARAMETERISED,
                         ids=[f"{s.name}-{n}" for s, n in PARAMETERISED])
def test_every_parameter_binds_alike_embedded_and_remote(spec, name: str, published,
                                                         mini_store: Store) -> None:
    params = {**PARAMS.get(spec.name, {}), name: SAMPLE_VALUES[name]}
    embedded = run_query(mini_store, spec, params)
    remote = run_remote(published.query_url, spec, params)
    assert embedded.rows, f"{spec.name} with {name}={SAMPLE_VALUES[name]} found nothing"
    assert comparable(remote) == comparable(embedded)
    if not next(p for p in spec.params if p.name == name).required:
        unfiltered = run_query(mini_store, spec, PARAMS.get(spec.name, {}))
        assert len(embedded.rows) < len(unfiltered.rows), f"{name} does not narrow {spec.name}"


def test_parameters_bind_remotely(published: OxigraphServer) -> None:
    rows = run_remote(published.query_url, "quantities-by-body", {"unit": "円"}).values()
    assert sorted((r["bodyLabel"], r["total"]) for r in rows) == [
        ("区社会福祉協議会", 300000), ("泉警察", 300000)]


@pytest.mark.parametrize("word", [
    '" ) } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o FILTER("',
    "' } UNION { ?s ?p ?o } #",
    '"""\n} #',
    "\\\" }",
    "x\" . } } INSERT DATA { <http://a> <http://b> <http://c> } #",
])
def test_hostile_values_stay_data_remotely(word: str, published: OxigraphServer) -> None:
    before = triples_in(published.query_url, REPORT_GRAPH)
    assert run_remote(published.query_url, "keyword-search", {"word": word}).rows == ()
    assert triples_in(published.query_url, REPORT_GRAPH) == before


def test_a_value_with_quotes_matches_literally_remotely(published: OxigraphServer) -> None:
    rows = run_remote(published.query_url, "keyword-search", {"word": '"見守り"'}).values()
    assert [r["row"].rsplit("/", 1)[-1] for r in rows] == ["r5"]


def test_default_graph_parameter_limits_the_query(published: OxigraphServer) -> None:
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only_bodies = execute_remote(published.query_url, text, default_graphs=[BODIES_GRAPH])
    assert only_bodies.values()[0]["n"] == quads(load_store([MINI]), BODIES_GRAPH)


def test_ask_and_construct_remotely(published: OxigraphServer, mini_store: Store) -> None:
    ask = "PREFIX wk: <https://w3id.org/welfare-kg/ontology#> ASK { ?r a wk:PlanRow }"
    assert execute_remote(published.query_url, ask).boolean is True
    construct = ("PREFIX wk: <https://w3id.org/welfare-kg/ontology#> "
                 "CONSTRUCT { ?r a wk:PlanRow } WHERE { ?r a wk:PlanRow }")
    remote = execute_remote(published.query_url, construct)
    assert len(remote.triples) == len(execute(mini_store, construct).triples) == 6


def test_unreachable_endpoint_is_a_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(EndpointError, match=f"cannot reach the SPARQL endpoint {url}"):
        run_remote(url, "status-by-pillar")


def test_failing_endpoint_reports_the_server_message(published: OxigraphServer) -> None:
    with pytest.raises(EndpointError, match="rejected <query>"):
        execute_remote(published.query_url, "SELECT ?x WHERE { ?x ?p }")


def test_non_sparql_endpoint_is_a_clear_error(published: OxigraphServer) -> None:
    with pytest.raises(EndpointError):
        execute_remote(published.url + "/no-such-path", "SELECT * WHERE { ?s ?p ?o }")


def test_root_page_offers_a_query_editor(published: OxigraphServer) -> None:
    with urllib.request.urlopen(published.url + "/", timeout=10) as response:
        assert "html" in response.headers.get("Content-Type", "")


# -- the VALUES block -------------------------------------------------------------------------

def test_values_go_first_in_the_outermost_where_group() -> None:
    text = ("# a comment with WHERE { braces }\nPREFIX ex: <http://ex/{x}>\n"
            'CONSTRUCT { ?s ex:p "WHERE {" } WHERE {\n'
            "  { SELECT ?s WHERE { ?s ?p ?o } }\n  FILTER(?o < 3)\n}")
    out = inject_values(text, {"o": Literal("1")})
    assert out.count("VALUES") == 1
    head, tail = out.split("VALUES", 1)
    assert head.endswith('"WHERE {" } WHERE { ')
    assert tail.startswith(' (?o) { ("1") }\n')


def test_values_without_where_keyword() -> None:
    assert inject_values("SELECT * { ?s ?p ?o }", {"s": NamedNode("http://a/")}) == (
        "SELECT * { VALUES (?s) { (<http://a/>) }\n ?s ?p ?o }")


def test_values_need_a_group() -> None:
    with pytest.raises(QueryError, match="no WHERE group"):
        inject_values("DESCRIBE <http://a/>", {"s": NamedNode("http://a/")})


def test_values_escape_quotes_and_newlines() -> None:
    out = inject_values("SELECT ?w WHERE { }", {"w": Literal('a"}\n\\', language="ja")})
    assert 'VALUES (?w) { ("a\\"}\\n\\\\"@ja) }' in out
