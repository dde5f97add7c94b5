"""Collaboration networks on hand-made plans with known answers, and from SPARQL on a graph."""

from __future__ import annotations

import copy
import doctest
import importlib

import networkx as nx
import pytest
from pyoxigraph import RdfFormat, Store
from viz_fixtures import INI, P1, P2, B, R, iri, small_plan

from welfare_kg.paths import QUERIES_DIR
from welfare_kg.viz.network import (
    collaboration_network,
    networks_by_action_plan,
    networks_by_pillar,
    two_mode_network,
)
from welfare_kg.viz.plan import IMPLEMENTING, PARTNER
from welfare_kg.viz.source import QUERY_NAMES, load_plan

MINI = "tests/data/mini-graph.trig"
ID = "https://w3id.org/welfare-kg/id/"


def weights(G: nx.Graph, names: dict[str, str] = B) -> set[tuple[frozenset[str], int]]:
    """Edges as ({name, name}, weight), independent of node order."""
    back = {v: k for k, v in names.items()}
    return {(frozenset((back[u], back[v])), w) for u, v, w in G.edges(data="weight")}


def pair(a: str, b: str, w: int) -> tuple[frozenset[str], int]:
    return (frozenset((a, b)), w)


@pytest.fixture
def plan():
    return small_plan()


def test_collaboration_network_of_the_whole_plan(plan) -> None:
    G = collaboration_network(plan)
    assert set(G) == set(B.values())
    assert weights(G) == {
        pair("d1", "p", 2), pair("p", "c", 2), pair("d1", "c", 1),
        pair("d1", "x", 1), pair("d2", "p", 1), pair("d2", "c", 1),
    }
    assert list(nx.isolates(G)) == [B["y"]]
    assert G.graph["row_count"] == 6


def test_edges_carry_their_rows_and_initiatives(plan) -> None:
    G = collaboration_network(plan)
    assert G.edges[B["d1"], B["p"]]["rows"] == (R["r1"], R["r2"])
    assert G.edges[B["d1"], B["p"]]["initiatives"] == (INI["i1"],)
    assert G.edges[B["p"], B["c"]]["initiatives"] == (INI["i1"], INI["i3"])


def test_nodes_carry_names_type_and_rows(plan) -> None:
    G = collaboration_network(plan)
    d1 = G.nodes[B["d1"]]
    assert (d1["name_ja"], d1["type"]) == ("高齢・障害支援課", "WardOfficeDivision")
    assert d1["name_en"] == "Elderly and Disability Support Division"
    assert d1["rows"] == (R["r1"], R["r2"], R["r3"])


def test_network_per_pillar(plan) -> None:
    by_pillar = networks_by_pillar(plan)
    assert list(by_pillar) == [P1, P2]
    assert weights(by_pillar[P1]) == {
        pair("d1", "p", 1 + 1), pair("p", "c", 1), pair("d1", "c", 1), pair("d1", "x", 1)
    }
    assert weights(by_pillar[P2]) == {pair("d2", "p", 1), pair("p", "c", 1), pair("d2", "c", 1)}
    assert set(by_pillar[P2]) == {B["d2"], B["p"], B["c"], B["y"]}


def test_network_per_action_plan(plan) -> None:
    ap1 = iri("action-plan", "1")
    G = collaboration_network(plan, action_plan=ap1)
    assert G.number_of_edges() == 4 and G.graph["action_plan"] == ap1
    # the fixture lists no action-plan concepts, so there is nothing to iterate over
    assert networks_by_action_plan(plan) == {}


def test_partners_named_in_results_join_only_when_asked() -> None:
    plan = small_plan(extra_partner=True)
    assert not collaboration_network(plan).has_edge(B["x"], B["y"])
    G = collaboration_network(plan, roles=(IMPLEMENTING, PARTNER))
    assert G.edges[B["x"], B["y"]]["rows"] == (R["r5"],)


def test_two_mode_network_of_bodies_and_initiatives(plan) -> None:
    G = two_mode_network(plan)
    bodies = {v for v, d in G.nodes(data="bipartite") if d == 0}
    assert bodies == set(B.values())
    assert nx.is_bipartite(G)
    assert G.edges[B["d1"], INI["i1"]]["weight"] == 2
    assert G.edges[B["y"], INI["i3"]]["rows"] == (R["r5"],)
    assert G.number_of_edges() == 9
    assert G.graph["unplaced_rows"] == 1  # r6 has no initiative
    assert G.nodes[INI["i2"]]["label"] == "見守りの仕組みをつくります。"


def test_two_mode_network_by_action_plan(plan) -> None:
    G = two_mode_network(plan, by="action_plan")
    assert G.graph["unplaced_rows"] == 0
    assert G.edges[B["d2"], iri("action-plan", "2")]["weight"] == 2


def test_two_mode_refuses_an_unknown_mode(plan) -> None:
    with pytest.raises(ValueError, match="'pillar'"):
        two_mode_network(plan, by="pillar")


def test_building_networks_leaves_the_plan_unchanged(plan) -> None:
    before = copy.deepcopy(plan)
    collaboration_network(plan, pillar=P1)
    two_mode_network(plan)
    assert plan == before


def test_same_input_same_graph(plan) -> None:
    a, b = collaboration_network(plan), collaboration_network(small_plan())
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert list(a.edges(data=True)) == list(b.edges(data=True))


# -- from SPARQL on a graph ---------------------------------------------------------------

@pytest.fixture(scope="module")
def mini_plan():
    store = Store()
    store.load(path=MINI, format=RdfFormat.TRIG)
    return load_plan(store)


def test_plan_read_from_the_graph(mini_plan) -> None:
    assert len(mini_plan.rows) == 6
    assert [p.number for p in mini_plan.pillars.values()] == [1, 2, 3]
    police = mini_plan.bodies[ID + "body-police"]
    assert (police.name_ja, police.type) == ("泉警察", "PartnerOrganization")
    assert mini_plan.bodies[ID + "partner-ishikai"].type == "Partner"
    assert mini_plan.rows[ID + "r2"].status == "cancelled"
    assert mini_plan.rows[ID + "r6"].initiative is None
    assert list(mini_plan.rows) == [ID + f"r{i}" for i in range(1, 7)]  # by source line


def test_collaboration_network_from_the_graph(mini_plan) -> None:
    # The mini graph's header: r1 elderly+plaza+council, r2 elderly, r3 welfare+plaza+council,
    # r4 welfare+council, r5 council+police, r6 plaza.
    names = {k: ID + f"body-{k}" for k in
             ("elderly-division", "welfare-division", "care-plaza", "council", "police")}
    G = collaboration_network(mini_plan)
    assert weights(G, names) == {
        pair("elderly-division", "care-plaza", 1), pair("elderly-division", "council", 1),
        pair("welfare-division", "care-plaza", 1), pair("welfare-division", "council", 2),
        pair("care-plaza", "council", 2), pair("council", "police", 1),
    }
    assert ID + "partner-ishikai" not in G
    with_partners = collaboration_network(mini_plan, roles=(IMPLEMENTING, PARTNER))
    assert with_partners.has_edge(ID + "partner-ishikai", ID + "body-police")


def test_network_queries_are_in_the_library_with_headers() -> None:
    for name in QUERY_NAMES:
        text = (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")
        header = [line for line in text.splitlines() if line.startswith("#")]
        keys = {line.split(":", 1)[0].lstrip("# ").strip() for line in header}
        assert {"title@ja", "title@en", "description"} <= keys, name


@pytest.mark.parametrize(
    "module", ["plan", "network", "metrics", "maps", "source", "vocabulary"], ids=str
)
def test_docstring_examples_run(module: str, monkeypatch) -> None:
    monkeypatch.chdir(QUERIES_DIR.parent)  # examples name files relative to the checkout
    mod = importlib.import_module(f"welfare_kg.viz.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_a_missing_network_query_is_a_named_error(tmp_path) -> None:
    from welfare_kg.errors import QueryError

    with pytest.raises(QueryError, match="network-bodies"):
        load_plan(Store(), queries_dir=tmp_path)


def test_every_body_type_of_the_legend_has_labels_in_the_ontology() -> None:
    from welfare_kg.viz.plan import BODY_TYPES, type_label

    for body_type in BODY_TYPES:
        ja, en = type_label(body_type)
        assert ja != body_type and en != body_type and en.isascii(), body_type
