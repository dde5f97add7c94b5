"""The site's maps in headless Chromium, offline, on the bundled report: a body or a link opens
its page with every row behind it, the map's search knows the aliases and says "no match",
the PNG export is a handout (title, plan, fiscal year, filters, legend, PDL credit, 2×), and
English labels do not overlap each other or another body's disc."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from welfare_kg.graph.rdf import load_metadata

pytestmark = pytest.mark.integration
pytest_plugins = ["site_fixtures"]

LABEL_BOXES = """() => {
  const net = welfareMap.network, out = [];
  for (const id of welfareMap.nodes.getIds()) {
    const n = net.body.nodes[id];
    if (!n || n.options.hidden) continue;
    const s = n.labelModule.size;
    out.push({id: id, x: n.x, y: n.y, r: n.shape.radius, label: n.options.label,
              box: [s.left, s.top, s.left + s.width, s.top + s.height]});
  }
  return out;
}"""
EDGE_MIDDLE = """(id) => {
  const net = welfareMap.network, e = welfareMap.edges.get(id);
  const p = net.getPositions([e.from, e.to]);
  const d = net.canvasToDOM({x: (p[e.from].x + p[e.to].x) / 2, y: (p[e.from].y + p[e.to].y) / 2});
  const r = document.getElementById('map').getBoundingClientRect();
  return [r.left + d.x, r.top + d.y];
}"""


def meets(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def site_maps(built_site) -> list[Path]:
    return sorted((built_site.site / "maps").glob("*.html"))


def test_a_link_on_the_map_opens_the_page_of_every_row_the_pair_shares(built_site,
                                                                        open_map) -> None:
    from welfare_kg.viz.site import gather

    site = gather(built_site.store)
    heaviest = next(iter(site.pairs.values()))  # pairs are sorted heaviest first
    assert len(heaviest.rows) == 51
    visit = open_map(built_site.site / "maps" / "whole-plan.html")
    data = visit.eval("welfareMap.data")
    iri = {n["id"]: n["iri"] for n in data["nodes"]}
    edge = next(e for e in data["edges"] if {iri[e["from"]], iri[e["to"]]} ==
                {heaviest.a, heaviest.b})
    assert edge["href"] == f"../pairs/{heaviest.slug}.html"
    x, y = visit.page.evaluate(EDGE_MIDDLE, edge["id"])
    visit.page.mouse.click(x, y)
    link = visit.page.locator("#details a.drill")
    link.wait_for(timeout=10_000)
    visit.page.wait_for_selector("#details ol.rows", timeout=10_000)
    assert visit.eval("document.querySelectorAll('#details ol.rows li[data-iri]').length") == 51
    with visit.page.expect_navigation():
        link.click()
    assert visit.page.url.endswith(f"/pairs/{heaviest.slug}.html")
    shown = visit.eval("[...document.querySelectorAll('table.row-table tbody tr')].length")
    assert shown == 51
    assert visit.errors == [] and visit.blocked == []


def test_a_body_chosen_by_keyboard_links_to_its_page(built_site, open_map) -> None:
    from welfare_kg.viz.site import gather

    site = gather(built_site.store)
    council = next(b for b in site.bodies.values() if b.name_ja == "区社会福祉協議会")
    visit = open_map(built_site.site / "maps" / "whole-plan.html")
    node = visit.eval(f"welfareMap.data.nodes.find(n => n.iri === {council.iri!r}).id")
    visit.page.locator("#focus").focus()
    visit.page.select_option("#focus", node)
    link = visit.page.locator("#details a.drill")
    link.wait_for(timeout=10_000)
    link.focus()
    with visit.page.expect_navigation():
        visit.page.keyboard.press("Enter")
    assert visit.page.url.endswith(f"/bodies/{council.slug}.html")
    rows = visit.eval("[...document.querySelectorAll('#rows table.row-table tbody tr')].length")
    assert rows == len(council.rows) > 0


@pytest.mark.parametrize("typed", ["社協", "区社協", "泉区社会福祉協議会", "ｸｼｬｷｮｳ"])
def test_the_maps_search_knows_the_aliases_and_says_no_match(typed, built_site,
                                                              open_map) -> None:
    visit = open_map(built_site.site / "maps" / "whole-plan.html")
    visit.page.fill("#search", typed)
    visit.page.press("#search", "Enter")
    status = visit.page.locator("#search-status")
    if typed == "ｸｼｬｷｮｳ":  # nonsense for this map: said, visibly, and nothing focused
        assert status.is_visible() and "No body matches" in status.inner_text()
        assert "一致する実施主体はありません" in status.inner_text()
        assert visit.eval("location.hash") == ""
        return
    focused = visit.eval("welfareMap.data.nodes.find(n => n.id === "
                         "document.getElementById('focus').value).label")
    assert focused == "区社会福祉協議会"
    assert status.inner_text().startswith(f"{typed} → 区社会福祉協議会")
    assert visit.errors == []


def test_the_png_export_is_a_handout_with_title_credit_and_legend_at_twice_the_size(
        built_site, open_map, tmp_path) -> None:
    meta = load_metadata()
    visit = open_map(built_site.site / "maps" / "pillar-1.html",
                     "types=WardOfficeDivision,CommunityCarePlaza")
    visit.eval("""() => { window.__drawn = [];
      const fill = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (text, x, y) {
        window.__drawn.push(String(text)); return fill.apply(this, arguments); }; }""")
    width = visit.eval("document.getElementById('map').clientWidth")
    with visit.page.expect_download() as download_info:
        visit.page.locator("#export").click()
    data = Path(download_info.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    png_width, png_height = struct.unpack(">II", data[16:24])
    assert png_width >= 2 * width and png_height > 2 * 400
    drawn = "\n".join(visit.eval("window.__drawn"))
    flat = drawn.replace("\n", "")
    assert "推進の柱1" in drawn and "Pillar 1" in drawn  # the title
    plan = meta["plans"][meta["default_plan"]]["title"]
    assert plan["ja"] in flat and "2021年度" in flat and "FY2021" in flat
    credit = meta["catalog"]["rights"]["ja"]
    assert credit.endswith("を加工して作成") and credit in flat
    assert meta["catalog"]["rights"]["en"].replace(" ", "") in flat.replace(" ", "")
    assert "区役所の課 / Ward-office division" in drawn  # the legend: the types in view
    assert "関係機関" not in drawn  # a hidden type is not in the legend ...
    assert "Filters: 種類 / Types" in flat  # ... it is in the filters
    # the map on screen is back as it was
    assert visit.eval("document.getElementById('map').clientWidth") == width
    assert visit.eval("document.querySelector('#map canvas').style.width") == "100%"
    assert visit.errors == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_labels_do_not_overlap_each_other_or_another_bodys_disc(lang, built_site,
                                                                 open_map) -> None:
    for path in site_maps(built_site):
        visit = open_map(path, f"lang={lang}" if lang == "en" else "")
        visit.page.wait_for_timeout(100)
        nodes = visit.eval(LABEL_BOXES)
        assert len(nodes) >= 10
        for i, a in enumerate(nodes):
            for b in nodes[i + 1:]:
                assert not meets(a["box"], b["box"]), (path.name, a["id"], b["id"])
            for b in nodes:
                disc = [b["x"] - b["r"], b["y"] - b["r"], b["x"] + b["r"], b["y"] + b["r"]]
                assert b is a or not meets(a["box"], disc), (path.name, a["id"], b["id"])
        names = {n["id"]: n["name_en"] if lang == "en" else n["label"]
                 for n in visit.eval("welfareMap.data.nodes")}
        assert all(n["label"] == names[n["id"]] for n in nodes)  # drawn in that language
        if lang == "en":  # long English names wrap onto several lines
            assert any(n["box"][3] - n["box"][1] > 25 for n in nodes)
