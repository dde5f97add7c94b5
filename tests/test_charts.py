"""Static charts: files written, Japanese drawn with real glyphs, labels from the ontology."""

from __future__ import annotations

import warnings

import pytest
from viz_fixtures import small_plan

from welfare_kg.cache import CACHE_ENV
from welfare_kg.errors import InputError
from welfare_kg.viz import charts
from welfare_kg.viz.charts import (
    bodies_by_rows,
    body_pillar_heatmap,
    chart_formats,
    japanese_font,
    missing_glyphs,
    save_figure,
    status_by_pillar,
    status_labels,
    write_charts,
)


def figure_texts(fig) -> list[str]:
    """Every text matplotlib will draw in `fig` (titles, tick labels, legends, annotations)."""
    fig.canvas.draw()
    texts = list(fig.findobj(lambda a: hasattr(a, "get_text")))
    for ax in fig.axes:  # tick labels are made at draw time, outside findobj's tree
        texts += ax.get_xticklabels() + ax.get_yticklabels()
    return [t.get_text() for t in texts if t.get_text()]


def test_a_japanese_font_is_installed() -> None:
    font = japanese_font()  # the bundled IPAexGothic (viz/assets/fonts)
    assert not missing_glyphs("高齢・障害支援課 地域ケアプラザ 区社会福祉協議会 推進の柱",
                              font.path)


def test_missing_glyphs_detects_a_font_without_kanji() -> None:
    from matplotlib import font_manager

    latin = font_manager.findfont("DejaVu Sans")
    assert missing_glyphs("泉a", latin) == ["泉"]


@pytest.mark.parametrize("draw", [bodies_by_rows, body_pillar_heatmap, status_by_pillar],
                         ids=lambda f: f.__name__)
def test_every_character_of_a_chart_has_a_glyph(draw) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = draw(small_plan())
        texts = figure_texts(fig)
    assert not [w for w in caught if "missing from" in str(w.message)], caught
    japanese = "".join(texts)
    assert any("\u3040" <= ch <= "\u9fff" for ch in japanese)
    assert not missing_glyphs(japanese, japanese_font().path)
    drawn = list(fig.findobj(lambda a: hasattr(a, "get_fontname")))
    for ax in fig.axes:
        drawn += ax.get_xticklabels() + ax.get_yticklabels()
    fonts = {t.get_fontname() for t in drawn
             if any("\u3040" <= ch <= "\u9fff" for ch in t.get_text())}
    assert fonts == {japanese_font().name}


def test_charts_show_the_plans_names() -> None:
    texts = figure_texts(bodies_by_rows(small_plan()))
    assert "高齢・障害支援課" in texts and "地域子育て支援拠点" in texts
    texts = figure_texts(status_by_pillar(small_plan()))
    assert "中止 / Cancelled" in texts and "柱2 必要な支援が届くまち" in texts


def test_status_labels_come_from_the_ontology() -> None:
    labels = status_labels()
    assert labels["cancelled"] == ("中止", "Cancelled")
    assert set(labels) == {"implemented", "partial", "cancelled", "postponed", "ongoing"}


def test_svg_alone_by_default(tmp_path) -> None:
    paths = write_charts(small_plan(), tmp_path)
    assert sorted(p.name for p in paths) == [
        "bodies-by-rows.svg", "body-pillar-heatmap.svg", "status-by-pillar.svg"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)


def test_png_and_svg_are_written_the_same_each_time(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")  # draw every time
    paths = write_charts(small_plan(), tmp_path / "a", ("png", "svg"))
    assert sorted(p.name for p in paths) == sorted(
        f"{stem}.{ext}" for stem in ("bodies-by-rows", "body-pillar-heatmap", "status-by-pillar")
        for ext in ("png", "svg"))
    for p in paths:
        head = p.read_bytes()[:8]
        assert head == b"\x89PNG\r\n\x1a\n" if p.suffix == ".png" else head.startswith(b"<?xml")
    # each format alone gives the same bytes as beside the other
    alone = write_charts(small_plan(), tmp_path / "b", ["svg"])
    alone += write_charts(small_plan(), tmp_path / "b", ["png"])
    for p in alone:
        assert p.read_bytes() == (tmp_path / "a" / p.name).read_bytes(), p.name
    again = save_figure(status_by_pillar(small_plan()), tmp_path / "c" / "status-by-pillar",
                        ("png",))
    assert again[0].read_bytes() == (tmp_path / "a" / "status-by-pillar.png").read_bytes()


def test_the_svg_carries_no_date_and_no_random_ids(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    text = write_charts(small_plan(), tmp_path)[0].read_text(encoding="utf-8")
    assert "<dc:date>" not in text
    assert write_charts(small_plan(), tmp_path / "again")[0].read_text(encoding="utf-8") == text


def test_chart_formats_are_checked() -> None:
    assert chart_formats("png,SVG") == ("svg", "png")
    assert chart_formats(["png"]) == ("png",)
    for bad in ("gif", "", "svg,jpeg"):
        with pytest.raises(InputError, match="choose from svg, png"):
            chart_formats(bad)


def test_an_unknown_chart_format_is_one_line_and_exit_2(tmp_path, capsys) -> None:
    from welfare_kg.cli import main

    code = main(["charts", "-o", str(tmp_path / "charts"), "--chart-formats", "gif"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == ("welfare-kg charts: error: chart formats gif: choose from svg, png "
                   "(e.g. svg,png)\n")
    assert not (tmp_path / "charts").exists()


def test_drawn_charts_are_kept_by_the_plan_they_show(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    plan = small_plan()
    first = write_charts(plan, tmp_path / "a", ("svg", "png"))
    drawn = {p.name: p.read_bytes() for p in first}

    def no_drawing(_plan):
        raise AssertionError("drawn again")

    def no_svg(_plan, _handout):
        raise AssertionError("drawn again")

    monkeypatch.setattr(charts, "CHARTS", dict.fromkeys(charts.CHARTS, no_drawing))
    monkeypatch.setattr(charts, "SVG_CHARTS", dict.fromkeys(charts.CHARTS, no_svg))
    again = write_charts(small_plan(), tmp_path / "b", ("svg", "png"))
    assert {p.name: p.read_bytes() for p in again} == drawn
    # another plan (one row fewer) is drawn, not served from the cache
    other = type(plan).from_tables(plan.bodies.values(), list(plan.rows.values())[1:],
                                   plan.participations, plan.pillars.values(),
                                   plan.action_plans.values(), plan.initiatives.values())
    with pytest.raises(AssertionError, match="drawn again"):
        write_charts(other, tmp_path / "c")


HANDOUT_CREDIT = "出典：泉区「進捗状況」（公共データ利用規約 第1.0版）を加工して作成"


@pytest.mark.parametrize("stem", sorted(charts.CHARTS))
def test_a_chart_carries_the_plan_year_and_credit_and_no_legend_is_cut(stem) -> None:
    from welfare_kg.viz.handout import Handout

    handout = Handout("泉わくわくプラン", "Izumi Wakuwaku Plan", (2021,), HANDOUT_CREDIT,
                      "Source: Izumi ward progress report (Public Data License 1.0), processed")
    fig = charts.with_handout(charts.CHARTS[stem](small_plan()), handout)
    texts = "".join([*figure_texts(fig), fig._suptitle.get_text(), fig._supxlabel.get_text()])
    flat = texts.replace("\n", "")
    assert "泉わくわくプラン 2021年度" in flat and "FY2021" in flat
    assert HANDOUT_CREDIT in flat and "processed" in flat
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    frame = fig.bbox
    for artist in [fig._suptitle, fig._supxlabel, *(ax.get_legend() for ax in fig.axes)]:
        if artist is None:
            continue
        box = artist.get_window_extent(renderer)
        assert (box.x0 >= frame.x0 - 1 and box.y0 >= frame.y0 - 1 and box.x1 <= frame.x1 + 1
                and box.y1 <= frame.y1 + 1), (stem, artist)


def test_the_handout_changes_the_cached_chart(tmp_path, monkeypatch) -> None:
    from welfare_kg.viz.handout import Handout

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    plain = write_charts(small_plan(), tmp_path / "a")
    told = write_charts(small_plan(), tmp_path / "b",
                        handout=Handout("計画", "Plan", (2021,), HANDOUT_CREDIT, "Source"))
    assert [p.read_bytes() for p in plain] != [p.read_bytes() for p in told]


# --- the SVG writer (the default format): the same charts without matplotlib ---------------

SVG_NS = "{http://www.w3.org/2000/svg}"


def svg_texts(data: bytes):
    """The SVG's root and its <text> elements, parsed."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(data)
    return root, list(root.iter(f"{SVG_NS}text"))


def text_box(el) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1) a <text> line takes, by the writer's upper width estimate."""
    from welfare_kg.viz.svg import text_width

    x, y, size = float(el.get("x")), float(el.get("y")), float(el.get("font-size"))
    w = text_width(el.text or "", size)
    x0 = {"start": x, "middle": x - w / 2, "end": x - w}[el.get("text-anchor", "start")]
    return x0, y - size, x0 + w, y + size * 0.25


def test_svg_text_width_is_an_upper_estimate_of_the_bundled_font() -> None:
    """The layout relies on `text_width` not being narrower than the glyphs drawn."""
    from matplotlib.ft2font import FT2Font

    from welfare_kg.viz.svg import text_width

    font = FT2Font(str(charts.BUNDLED_FONT))
    font.set_size(12, 72)
    for text in ("高齢・障害支援課", "Rows implemented / WWW", "柱2 必要な支援が届くまち 105"):
        font.set_text(text)
        drawn = font.get_width_height()[0] / 64
        assert drawn <= text_width(text, 12), text


@pytest.mark.parametrize("stem", sorted(charts.CHARTS))
def test_an_svg_chart_carries_the_plan_year_and_credit_and_nothing_is_cut(stem) -> None:
    from welfare_kg.viz.handout import Handout

    handout = Handout("泉わくわくプラン", "Izumi Wakuwaku Plan", (2021,), HANDOUT_CREDIT,
                      "Source: Izumi ward progress report (Public Data License 1.0), processed")
    root, texts = svg_texts(charts.SVG_CHARTS[stem](small_plan(), handout))
    by_role: dict[str, str] = {}
    for el in texts:
        by_role[el.get("class", "")] = by_role.get(el.get("class", ""), "") + (el.text or "")
    assert "泉わくわくプラン 2021年度" in by_role["handout-title"]
    assert "Izumi Wakuwaku Plan, FY2021" in by_role["handout-title"]
    assert HANDOUT_CREDIT in by_role["credit"] and "processed" in by_role["credit"]
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    assert (root.get("width"), root.get("height")) == (f"{width:g}", f"{height:g}")
    for el in texts:  # every line, legends and credit included, inside the figure
        x0, y0, x1, y1 = text_box(el)
        assert x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height, (stem, el.text)
    if stem != "body-pillar-heatmap":
        assert by_role["legend"]


def test_svg_charts_show_the_same_data_as_the_png_drawing() -> None:
    plan = small_plan()
    for stem in charts.CHARTS:
        _, texts = svg_texts(charts.SVG_CHARTS[stem](plan, None))
        svg = {el.text for el in texts}
        drawn = set(figure_texts(charts.CHARTS[stem](plan)))
        # the matplotlib drawing writes pillar heads on two lines of one tick label
        drawn = {part for t in drawn for part in t.split("\n")}
        numbers = {t for t in drawn if t.lstrip("−-").replace(".", "").isdigit()}
        assert drawn - numbers <= svg, (stem, drawn - numbers - svg)
    _, texts = svg_texts(charts.SVG_CHARTS["status-by-pillar"](plan, None))
    assert "中止 / Cancelled" in {el.text for el in texts}


@pytest.mark.parametrize("stem", sorted(charts.CHARTS))
def test_svg_japanese_is_text_in_the_bundled_font_with_every_glyph(stem) -> None:
    root, texts = svg_texts(charts.SVG_CHARTS[stem](small_plan(), None))
    assert root.get("font-family").startswith("IPAexGothic, ")
    assert "Noto Sans CJK JP" in root.get("font-family")
    japanese = "".join(el.text or "" for el in texts)
    assert any("\u3040" <= ch <= "\u9fff" for ch in japanese)
    assert not missing_glyphs(japanese, str(charts.BUNDLED_FONT))


def test_svg_charts_escape_names_and_draw_an_empty_plan() -> None:
    plan = small_plan()
    body = next(iter(plan.bodies.values()))
    hostile = type(body)(body.iri, "<b>&課</b>", body.name_en, body.type)
    other = type(plan).from_tables([hostile, *list(plan.bodies.values())[1:]],
                                   plan.rows.values(), plan.participations,
                                   plan.pillars.values(), plan.action_plans.values(),
                                   plan.initiatives.values())
    for stem in charts.CHARTS:
        data = charts.SVG_CHARTS[stem](other, None)
        assert b"<b>" not in data
        svg_texts(data)  # well-formed
    empty = type(plan).from_tables([], [], [], plan.pillars.values(), [], [])
    for stem in charts.CHARTS:
        svg_texts(charts.SVG_CHARTS[stem](empty, None))


def test_the_default_charts_do_not_import_matplotlib(tmp_path) -> None:
    import subprocess
    import sys

    code = ("import sys; from viz_fixtures import small_plan; "
            "from welfare_kg.viz.charts import write_charts; "
            f"write_charts(small_plan(), {str(tmp_path)!r}); "
            "print('matplotlib' in sys.modules)")
    from pathlib import Path

    tests = str(Path(__file__).parent)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**__import__("os").environ, "PYTHONPATH": tests,
                              CACHE_ENV: "off"}, check=True)
    assert out.stdout.strip() == "False"
