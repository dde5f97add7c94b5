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

    monkeypatch.setattr(charts, "CHARTS", dict.fromkeys(charts.CHARTS, no_drawing))
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
