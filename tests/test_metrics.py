"""Network metrics on hand-made graphs with answers worked out by hand."""

from __future__ import annotations

import csv
import io

import networkx as nx
import pytest
from viz_fixtures import P1, P2, B, small_plan

from welfare_kg.viz.metrics import (
    communities,
    degree_centralization,
    edge_table,
    node_table,
    row_sharing,
    summary,
    type_mixing,
)
from welfare_kg.viz.network import collaboration_network
from welfare_kg.viz.report import markdown_report, metric_tables, scopes, write_metrics


@pytest.fixture
def G() -> nx.Graph:
    return collaboration_network(small_plan())


def by_body(records):
    back = {v: k for k, v in B.items()}
    return {back[r["body"]]: r for r in records}


def test_degree_and_weighted_degree(G) -> None:
    table = by_body(node_table(G))
    assert {k: r["degree"] for k, r in table.items()} == {
        "d1": 3, "p": 3, "c": 3, "d2": 2, "x": 1, "y": 0
    }
    assert {k: r["weighted_degree"] for k, r in table.items()} == {
        "d1": 4, "p": 5, "c": 4, "d2": 2, "x": 1, "y": 0
    }
    assert table["d1"]["rows"] == 3 and table["y"]["rows"] == 1


def test_rows_are_sorted_by_weighted_degree(G) -> None:
    assert [r["body"] for r in node_table(G)][:1] == [B["p"]]


def test_betweenness_finds_the_broker(G) -> None:
    # x reaches everyone through d1 only: d1 lies on 3 of the 10 pairs of the 5 connected
    # bodies; d1-d2 and x-d2 split between p and c (0.5 + 0.5 each).
    table = by_body(node_table(G))
    assert table["d1"]["betweenness"] == pytest.approx(3 / 10)
    assert table["p"]["betweenness"] == pytest.approx(1 / 10)
    assert table["c"]["betweenness"] == pytest.approx(1 / 10)
    assert table["x"]["betweenness"] == 0 and table["y"]["betweenness"] == 0


def test_whole_network_figures(G) -> None:
    s = summary(G)
    assert (s["bodies"], s["links"], s["rows"]) == (6, 6, 6)
    assert s["density"] == pytest.approx(6 / 15)
    # degrees 3,3,3,2,1,0: sum(3 - d) = 6 over (n-1)(n-2) = 20
    assert s["centralization"] == pytest.approx(0.3)
    assert (s["components"], s["isolates"]) == (2, 1)


@pytest.mark.parametrize(
    ("graph", "expected"),
    [(nx.star_graph(4), 1.0), (nx.complete_graph(5), 0.0), (nx.cycle_graph(6), 0.0),
     (nx.path_graph(4), 1 / 3), (nx.empty_graph(2), 0.0)],
    ids=["star", "complete", "cycle", "path", "tiny"],
)
def test_degree_centralization(graph, expected) -> None:
    assert degree_centralization(graph) == pytest.approx(expected)


def test_communities_split_two_cliques_and_are_reproducible() -> None:
    G = nx.Graph()
    G.add_weighted_edges_from([("a", "b", 3), ("b", "c", 3), ("a", "c", 3),
                               ("d", "e", 3), ("e", "f", 3), ("d", "f", 3), ("c", "d", 1)])
    G.add_node("lone")
    found = communities(G)
    assert [set(c) for c in found] == [{"a", "b", "c"}, {"d", "e", "f"}, {"lone"}]
    assert communities(G) == found
    assert summary(G)["modularity"] > 0.3


def test_edge_table_lists_pairs_heaviest_first(G) -> None:
    records = edge_table(G)
    assert [r["weight"] for r in records] == [2, 2, 1, 1, 1, 1]
    assert records[0]["rows"].split() == list(G.edges[records[0]["source"],
                                                      records[0]["target"]]["rows"])


def test_type_mixing_counts_rows_shared_by_types() -> None:
    mixing = type_mixing(small_plan())
    assert mixing == {
        ("WardOfficeDivision", "CommunityCarePlaza"): 3,  # r1, r2, r4
        ("WardOfficeDivision", "SocialWelfareCouncil"): 2,  # r1, r4
        ("WardOfficeDivision", "PartnerOrganization"): 1,  # r3
        ("CommunityCarePlaza", "SocialWelfareCouncil"): 2,  # r1, r4
    }


def test_single_body_and_joint_rows_per_pillar() -> None:
    records = {r["pillar"]: r for r in row_sharing(small_plan())}
    assert (records[P1]["rows"], records[P1]["single_body_rows"], records[P1]["joint_rows"]) == (
        3, 0, 1)
    assert (records[P2]["single_body_rows"], records[P2]["joint_rows"]) == (2, 1)
    assert records[P2]["single_body_share"] == pytest.approx(2 / 3)
    whole = records[""]
    assert (whole["rows"], whole["single_body_rows"], whole["joint_rows"]) == (6, 2, 2)
    assert whole["joint_share"] == pytest.approx(1 / 3)


def test_scopes_are_whole_plan_then_pillars() -> None:
    assert [s.slug for s in scopes(small_plan())] == ["whole-plan", "pillar-1", "pillar-2"]


def test_metric_files_and_report(tmp_path) -> None:
    paths = write_metrics(small_plan(), tmp_path)
    assert {p.name for p in paths} == {
        "networks.csv", "bodies.csv", "links.csv", "communities.csv", "type-mixing.csv",
        "row-sharing.csv", "body-initiatives.csv", "report.md",
    }
    assert all((tmp_path / n).read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8
               for n in ("networks.csv", "bodies.csv", "links.csv"))
    networks = list(csv.DictReader(io.StringIO(
        (tmp_path / "networks.csv").read_text(encoding="utf-8-sig"))))
    assert [(r["scope"], r["bodies"], r["links"]) for r in networks] == [
        ("whole-plan", "6", "6"), ("pillar-1", "4", "4"), ("pillar-2", "4", "3")]
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "高齢・障害支援課 (Elderly and Disability Support Division): 0.300" in report
    assert "地域子育て支援拠点 (Community Childcare Support Hub): 1 行 rows" in report
    assert "| 2 必要な支援が届くまち | 3 | 2 | 66.7% | 1 | 33.3% |" in report
    assert ("- 推進の柱1 健やかに過ごせるまち: 中心 / centre: 高齢・障害支援課 (4), "
            "地域ケアプラザ (3), 区社会福祉協議会 (2); "
            "ブローカー / broker: 高齢・障害支援課 (0.667)") in report


def test_metric_files_are_the_same_on_every_run(tmp_path) -> None:
    write_metrics(small_plan(), tmp_path / "a")
    write_metrics(small_plan(), tmp_path / "b")
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_markdown_escapes_table_cells() -> None:
    plan = small_plan()
    tables = metric_tables(plan)
    tables["networks"][0]["name"] = "a | b\nc"
    assert "a \\| b c" in markdown_report(plan, tables)
