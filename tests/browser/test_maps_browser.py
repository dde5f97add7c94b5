"""The maps in a real headless Chromium, offline: counts, tooltips, filters, URL state, PNG."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import networkx as nx
import pytest
from city_plan import city_plan
from viz_fixtures import B, hostile_plan, small_plan

from welfare_kg.paths import PROJECT_ROOT
from welfare_kg.viz.maps import map_data, map_scopes, write_map, write_maps
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


def click_details(visit, node_id: str) -> str:
    """Click a node; the selection panel's text once its rows have arrived."""
    x, y = visit.page.evaluate(NODE_XY, node_id)
    visit.page.mouse.click(x, y)
    visit.page.wait_for_selector("#details ol.rows, #details .warning", timeout=10_000)
    return visit.page.locator("#details").inner_text()


def listed_rows(visit) -> list[str]:
    return visit.eval("[...document.querySelectorAll('#details ol.rows li[data-iri]')]"
                      ".map(li => li.dataset.iri)")


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
    assert visit.eval("welfareMap.network.physics.options.enabled") is False  # never moves
    assert visit.eval("document.body.dataset.rows") is None  # no row text needed yet
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
    placed = {n["id"]: {"x": n["x"], "y": n["y"]}  # where Python put them: nothing moved
              for n in map_data(small_plan(), map_scopes(small_plan())[0])["nodes"]}
    assert positions[0] == placed
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
    details = click_details(visit, "d1")
    assert "・r3 の実施（講座）" in details
    assert listed_rows(visit) == list(collaboration_network(small_plan()).nodes[B["d1"]]["rows"])
    assert visit.eval("document.body.dataset.rows") == "loaded"
    assert visit.errors == []


def test_edge_tooltip_lists_shared_rows_and_initiatives(small_maps, open_map) -> None:
    visit = open_map(small_maps["whole-plan"])
    (x1, y1), (x2, y2) = (visit.page.evaluate(NODE_XY, n) for n in ("d1", "p"))
    visit.page.mouse.move((x1 + x2) / 2 + 30, (y1 + y2) / 2 + 30)
    visit.page.mouse.move((x1 + x2) / 2, (y1 + y2) / 2)
    tip = visit.page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    visit.page.wait_for_selector("div.vis-tooltip ol.rows", timeout=10_000)  # rows arrived
    text = tip.inner_text()
    assert "2" in text and "・r1 の実施（講座）" in text and "・r2 の実施（講座）" in text
    assert "認知症に関する正しい知識の普及啓発を行います。" in text
    assert "Spread accurate knowledge" not in text  # Japanese view: the printed title only


def test_english_view_names_initiatives_in_english_too(small_maps, open_map) -> None:
    visit = open_map(small_maps["whole-plan"], "lang=en")
    (x1, y1), (x2, y2) = (visit.page.evaluate(NODE_XY, n) for n in ("d1", "p"))
    visit.page.mouse.move((x1 + x2) / 2 + 30, (y1 + y2) / 2 + 30)
    visit.page.mouse.move((x1 + x2) / 2, (y1 + y2) / 2)
    visit.page.wait_for_selector("div.vis-tooltip ol.rows", timeout=10_000)
    text = visit.page.locator("div.vis-tooltip").inner_text()
    assert "Initiative: Spread accurate knowledge about dementia." in text
    assert "認知症に関する正しい知識の普及啓発を行います。" in text  # as printed, beside it
    assert visit.errors == []


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
    details = click_details(visit, "evil")  # the row's text comes from the side file
    assert '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2"> の実施' in (
        details)
    assert visit.eval("window.__pwned") is None
    assert visit.eval("document.querySelectorAll('img, b, i').length") == 0
    assert visit.eval("[...document.scripts].map(s => s.getAttribute('src'))") == [
        "hostile.rows.js", None, None, None]  # the side file (in <head>) is the only one added
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


def test_bodies_named_like_javascript_internals_work(tmp_path, open_map) -> None:
    from test_maps import names_plan

    visit = open_map(write_map(names_plan(), tmp_path / "names.html"), "focus=constructor-2")
    assert visit.visible() == (3, 3) and visit.errors == []
    assert "constructor" in click_details(visit, "constructor-2")
    assert listed_rows(visit) == ["https://example.org/wk/row/1"]


def test_a_missing_side_file_is_said_and_the_map_still_works(tmp_path, open_map) -> None:
    path = write_map(small_plan(), tmp_path / "alone.html")
    (tmp_path / "alone.rows.js").unlink()  # the page was copied without its side file
    visit = open_map(path)
    assert visit.visible() == (6, 6)
    details = click_details(visit, "d1")
    assert "alone.rows.js" in details and "same folder" in details
    assert "高齢・障害支援課" in details  # what the page itself knows is still shown
    assert visit.eval("document.body.dataset.rows") == "failed"
    assert visit.errors == ["Failed to load resource: net::ERR_FILE_NOT_FOUND"]  # the file only


def test_a_side_file_of_another_build_is_not_misread(tmp_path, open_map) -> None:
    path = write_map(small_plan(), tmp_path / "stale.html")
    write_map(hostile_plan(), tmp_path / "other.html")
    (tmp_path / "other.rows.js").replace(tmp_path / "stale.rows.js")
    visit = open_map(path)
    details = click_details(visit, "d1")
    assert "stale.rows.js" in details and "・r3" not in details and "pwned" not in details
    assert visit.eval("document.body.dataset.rows") == "failed"
    assert visit.errors == []


# -- a city: 18 wards x 5 years, 324 bodies, 684 links, 20,070 rows -------------------------

@pytest.fixture(scope="module")
def city_map(tmp_path_factory):
    plan = city_plan()
    return plan, write_map(plan, tmp_path_factory.mktemp("city") / "whole-plan.html")


def test_a_city_scale_map_becomes_ready_and_draws_every_body(city_map, open_map) -> None:
    """Ready means drawn with the layout in place (timings are for scripts/bench --only map)."""
    plan, path = city_map
    G = collaboration_network(plan)
    visit = open_map(path)
    assert visit.eval("performance.getEntriesByName('welfare-map-ready').length") == 1
    assert visit.eval("welfareMap.network.physics.options.enabled") is False
    assert visit.visible() == (G.number_of_nodes(), G.number_of_edges()) == (324, 684)
    figures = visit.eval("welfareMap.figures()")
    assert (figures["bodies"], figures["links"], figures["components"]) == (324, 684, 18)
    # every body is drawn inside the map, with the view fitted to the network
    inside = visit.eval("""() => {
      const net = welfareMap.network, box = document.getElementById('map').getBoundingClientRect();
      const pos = net.getPositions(welfareMap.nodes.getIds());
      return Object.values(pos).filter(p => { const d = net.canvasToDOM(p);
        return d.x >= 0 && d.y >= 0 && d.x <= box.width && d.y <= box.height; }).length;
    }""")
    assert inside == 324
    assert visit.errors == [] and visit.blocked == []
    assert visit.screenshot("city-whole-plan").stat().st_size > 50_000


def test_a_city_scale_drill_down_lists_every_row_of_a_body(city_map, open_map) -> None:
    plan, path = city_map
    G = collaboration_network(plan)
    busiest = max(G, key=lambda v: (len(G.nodes[v]["rows"]), v))
    ref = busiest.rsplit("/", 1)[1]
    visit = open_map(path, f"focus={ref}")
    assert visit.eval("document.getElementById('focus').value") == ref
    details = click_details(visit, ref)
    rows = list(G.nodes[busiest]["rows"])
    assert len(rows) > 300 and listed_rows(visit) == rows  # every row, in reading order
    assert plan.rows[rows[-1]].text in details
    visit.page.locator('#pillars input[value="2"]').uncheck()  # the pillar filter applies too
    click_details(visit, ref)
    assert listed_rows(visit) == [r for r in rows if not plan.rows[r].pillar.endswith("/2")]
    assert visit.errors == []


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
