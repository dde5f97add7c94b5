"""The maps in a real headless Chromium, offline: counts, tooltips, filters, URL state, PNG."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import networkx as nx
import pytest
from viz_fixtures import B, hostile_plan, small_plan

from welfare_kg.paths import PROJECT_ROOT
from welfare_kg.viz.maps import map_scopes, write_map, write_maps
from welfare_kg.viz.network import collaboration_network

pytestmark = pytest.mark.integration

READING = Path(__file__).resolve().parents[1] / "data" / "reading"

ALL_POSITIONS = "welfareMap.network.getPositions(welfareMap.nodes.getIds())"
NODE_XY = """(id) => {
  const net = welfareMap.network, p = net.getPositions([id])[id], d = net.canvasToDOM(p);
  const r = document.getElementById('map').getBoundingClientRect();
  return [r.left + d.x, r.top + d.y];
}"""


@pytest.fixture(scope="module")
def small_maps(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("maps")
    return {p.stem: p for p in write_maps(small_plan(), out)}


def hover(visit, node_id: str) -> str:
    x, y = visit.page.evaluate(NODE_XY, node_id)
    visit.page.mouse.move(x - 40, y - 40)
    visit.page.mouse.move(x, y)
    tip = visit.page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    return tip.inner_text()


@pytest.mark.parametrize("scope", map_scopes(small_plan()), ids=lambda s: s.slug)
def test_map_loads_offline_with_the_networks_counts(scope, small_maps, open_map) -> None:
    G = collaboration_network(small_plan(), pillar=scope.pillar)
    visit = open_map(small_maps[scope.slug])
    assert visit.eval("[welfareMap.nodes.length, welfareMap.edges.length]") == [
        G.number_of_nodes(), G.number_of_edges()]
    assert visit.visible() == (G.number_of_nodes(), G.number_of_edges())
    figures = visit.eval("welfareMap.figures()")
    assert (figures["bodies"], figures["links"]) == (G.number_of_nodes(), G.number_of_edges())
    assert figures["components"] == nx.number_connected_components(G)
    assert figures["density"] == pytest.approx(nx.density(G))
    assert visit.eval("document.getElementById('figures').dataset.links") == str(
        G.number_of_edges())
    assert visit.eval("welfareMap.network.physics.options.enabled") is False  # settled, stopped
    assert visit.errors == [] and visit.blocked == []
    assert visit.screenshot(f"small-{scope.slug}").stat().st_size > 10_000


def test_screenshots_go_to_a_temporary_folder_not_the_checkout(
        small_maps, open_map, screenshot_dir, tmp_path_factory) -> None:
    shot = open_map(small_maps["whole-plan"]).screenshot("where-screenshots-go")
    assert shot.parent == screenshot_dir and shot.is_file()
    chosen = os.environ.get("WELFARE_KG_SCREENSHOTS")
    if chosen:
        assert screenshot_dir == Path(chosen)
    else:
        assert shot.resolve().is_relative_to(tmp_path_factory.getbasetemp().resolve())
        assert not shot.resolve().is_relative_to(PROJECT_ROOT.resolve())


def test_the_same_map_settles_to_the_same_layout(small_maps, open_map) -> None:
    positions = [open_map(small_maps["whole-plan"]).eval(ALL_POSITIONS) for _ in range(2)]
    assert positions[0] == positions[1]
    assert len(positions[0]) == 6
    focused = open_map(small_maps["whole-plan"], "focus=x&types=PartnerOrganization,"
                       "WardOfficeDivision")
    assert focused.eval(ALL_POSITIONS) == positions[0]


def test_a_view_that_hides_everything_still_loads(small_maps, open_map) -> None:
    visit = open_map(small_maps["whole-plan"], "types=")
    assert visit.visible() == (0, 0)
    assert visit.eval("document.getElementById('figures').dataset.bodies") == "0"
    assert visit.errors == []


@pytest.mark.parametrize("hash", [
    "focus=%E0%A4%A", "types=%", "pillars=%ZZ,1", "depth=%&lang=%", "focus=d1%",
    "focus=nobody", "focus=constructor", "focus=__proto__", "focus=toString&depth=2",
    "types=%E0%A4%A,PartnerOrganization&focus=%",
])
def test_a_malformed_or_unknown_link_falls_back_to_the_whole_map(hash, small_maps, open_map):
    visit = open_map(small_maps["whole-plan"], hash)
    assert visit.errors == []
    assert visit.visible() == (6, 6)
    assert visit.eval("document.getElementById('focus').value") == ""
    assert visit.eval("document.getElementById('figures').dataset.bodies") == "6"


def test_unknown_types_and_pillars_in_a_link_are_ignored(small_maps, open_map) -> None:
    clean = "types=WardOfficeDivision,CommunityCarePlaza,SocialWelfareCouncil&pillars=1"
    expected = open_map(small_maps["whole-plan"], clean).visible()
    assert expected != (6, 6)
    visit = open_map(small_maps["whole-plan"],
                     "focus=%E0%A4%A&types=Bogus,WardOfficeDivision,CommunityCarePlaza,"
                     "SocialWelfareCouncil&pillars=1,9,%3Ci%3E&lang=xx")
    assert visit.errors == []
    assert visit.visible() == expected
    assert visit.eval("document.getElementById('link').getAttribute('href')") == "#" + clean
    assert visit.eval("document.getElementById('lang').value") == "ja"


def test_node_tooltip_on_hover_and_details_on_click(small_maps, open_map) -> None:
    visit = open_map(small_maps["whole-plan"])
    text = hover(visit, "d1")
    assert "高齢・障害支援課" in text and "Elderly and Disability Support Division" in text
    assert "地域ケアプラザ" in text  # top partner
    x, y = visit.page.evaluate(NODE_XY, "d1")
    visit.page.mouse.click(x, y)
    details = visit.page.locator("#details").inner_text()
    assert "・r3 の実施（講座）" in details
    assert visit.errors == []


def test_edge_tooltip_lists_shared_rows_and_initiatives(small_maps, open_map) -> None:
    visit = open_map(small_maps["whole-plan"])
    (x1, y1), (x2, y2) = (visit.page.evaluate(NODE_XY, n) for n in ("d1", "p"))
    visit.page.mouse.move((x1 + x2) / 2 + 30, (y1 + y2) / 2 + 30)
    visit.page.mouse.move((x1 + x2) / 2, (y1 + y2) / 2)
    tip = visit.page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    text = tip.inner_text()
    assert "2" in text and "・r1 の実施（講座）" in text and "・r2 の実施（講座）" in text
    assert "認知症に関する正しい知識の普及啓発を行います。" in text


@pytest.mark.parametrize(("depth", "expected"), [(1, (4, 4)), (2, (5, 6))])
def test_focus_from_the_url_shows_the_neighbourhood(depth, expected, small_maps, open_map):
    visit = open_map(small_maps["whole-plan"], f"focus=d1&depth={depth}")
    assert visit.visible() == expected
    ego = nx.ego_graph(collaboration_network(small_plan()), B["d1"], radius=depth)
    assert expected == (ego.number_of_nodes(), ego.number_of_edges())
    assert visit.eval("document.getElementById('focus').value") == "d1"


def test_controls_update_the_view_and_the_url(small_maps, open_map) -> None:
    visit = open_map(small_maps["whole-plan"])
    page = visit.page
    page.locator('#legend button[data-type="PartnerOrganization"]').click()
    assert visit.visible() == (4, 5)  # x and y hidden; d1-x gone
    assert "types=WardOfficeDivision,CommunityCarePlaza,SocialWelfareCouncil" in page.url
    assert page.locator('#legend button[data-type="PartnerOrganization"]').get_attribute(
        "aria-pressed") == "false"
    page.locator('#legend button[data-type="PartnerOrganization"]').click()
    page.locator('#pillars input[value="2"]').uncheck()
    assert visit.visible() == (4, 4)  # the pillar-1 network
    assert "pillars=1" in page.url
    widths = visit.eval("welfareMap.edges.get({filter: e => !e.hidden}).map(e => e.value)")
    assert sorted(widths) == [1, 1, 1, 2]  # d1-p keeps both its pillar-1 rows
    page.locator("#search").fill("ケアプラザ")
    page.locator("#search").press("Enter")
    assert "focus=p" in page.url
    page.select_option("#lang", "en")
    assert visit.eval("welfareMap.nodes.get('d1').label") == (
        "Elderly and Disability Support Division")
    assert "lang=en" in page.url
    page.locator("#clear").click()
    assert visit.visible() == (6, 6)
    assert visit.eval("welfareMap.nodes.get('d1').label") == "高齢・障害支援課"
    assert visit.errors == []


def test_a_sent_link_reopens_the_same_view(small_maps, open_map) -> None:
    first = open_map(small_maps["whole-plan"])
    first.page.select_option("#focus", "c")
    first.page.select_option("#depth", "2")
    link = first.page.url.split("#", 1)[1]
    second = open_map(small_maps["whole-plan"], link)
    assert second.visible() == first.visible()
    assert second.eval("document.getElementById('depth').value") == "2"


def test_a_map_of_no_bodies_loads(tmp_path, open_map) -> None:
    from welfare_kg.viz.plan import Plan

    visit = open_map(write_map(Plan.from_tables([], [], []), tmp_path / "empty.html"))
    assert visit.visible() == (0, 0) and visit.errors == []


def test_maps_link_to_each_other_and_carry_the_view(small_maps, open_map) -> None:
    visit = open_map(small_maps["whole-plan"], "focus=p")
    links = visit.eval("[...document.querySelectorAll('nav#maps a')].map(a => a.href)")
    assert [link.rsplit("/", 1)[1] for link in links] == ["pillar-1.html#focus=p",
                                                           "pillar-2.html#focus=p"]
    visit.page.locator("nav#maps a").first.click()
    visit.page.wait_for_selector("body[data-settled=true]", state="attached")
    assert visit.page.url.endswith("pillar-1.html#focus=p")
    assert visit.visible() == (3, 3)  # pillar 1 around p: p, d1, c (x is two steps away)
    assert visit.errors == []


def test_png_export_of_the_current_view(small_maps, open_map) -> None:
    visit = open_map(small_maps["pillar-1"])
    with visit.page.expect_download() as download_info:
        visit.page.locator("#export").click()
    download = download_info.value
    assert download.suggested_filename == "pillar-1.png"
    data = Path(download.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000


def test_markup_in_the_data_shows_as_text(tmp_path, open_map) -> None:
    path = write_map(hostile_plan(), tmp_path / "hostile.html")
    visit = open_map(path)
    assert visit.eval("window.__pwned") is None
    assert visit.eval("document.querySelectorAll('img, b, i').length") == 0
    assert visit.eval("document.scripts.length") == 3  # data, vis-network, the page's own
    options = visit.eval("[...document.querySelectorAll('#focus option')].map(o => o.text)")
    assert any(o.startswith('<script>window.__pwned = 1</script><img src=x') for o in options)
    text = hover(visit, "evil")
    assert "<script>window.__pwned = 1</script>" in text and "</script><b>bold</b>" in text
    assert "柱 <i>1</i>" in visit.eval("document.getElementById('pillars').textContent")
    assert visit.errors == []
    visit.screenshot("hostile")


def test_marker_strings_in_the_data_leave_the_page_working(tmp_path, open_map) -> None:
    from test_maps import marker_plan

    for path in write_maps(marker_plan(), tmp_path):
        visit = open_map(path)
        assert visit.errors == [] and visit.visible() == (2, 1)
        assert "@MAP_JS@" in visit.eval("document.title") or path.stem == "whole-plan"
        options = visit.eval("[...document.querySelectorAll('#focus option')].map(o => o.text)")
        assert "@MAP_JS@ / @DATA@" in options
        assert visit.eval("document.scripts.length") == 3


# -- the bundled report, built from scratch -----------------------------------------------

def hand_read_collaboration() -> tuple[set[str], set[frozenset[str]]]:
    """Bodies and pairs of bodies sharing a row, from the hand reading of the report."""
    bodies: set[str] = set()
    pairs: set[frozenset[str]] = set()
    for path in sorted(READING.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                names = set(json.loads(line)["bodies"])
                bodies |= names
                pairs |= {frozenset(p) for p in itertools.combinations(sorted(names), 2)}
    return bodies, pairs


@pytest.fixture(scope="module")
def report_maps(tmp_path_factory):
    from welfare_kg.graph.sparql.store import open_store
    from welfare_kg.viz.source import load_plan

    out = tmp_path_factory.mktemp("build")
    plan = load_plan(open_store(out, "memory"))  # builds from the bundled report
    return plan, {p.stem: p for p in write_maps(plan, out / "maps")}


def test_report_maps_match_the_network_and_the_hand_reading(report_maps, open_map) -> None:
    plan, paths = report_maps
    assert list(paths) == ["whole-plan", "pillar-1", "pillar-2", "pillar-3"]
    for scope in map_scopes(plan):
        G = collaboration_network(plan, pillar=scope.pillar)
        visit = open_map(paths[scope.slug])
        assert visit.visible() == (G.number_of_nodes(), G.number_of_edges()), scope.slug
        assert visit.errors == [] and visit.blocked == []
        visit.screenshot(f"report-{scope.slug}")
    bodies, pairs = hand_read_collaboration()
    whole = collaboration_network(plan)
    names = {v: whole.nodes[v]["name_ja"] for v in whole}
    assert set(names.values()) == bodies
    assert {frozenset((names[u], names[v])) for u, v in whole.edges} == pairs
