"""Static charts for reports and slides (SVG, or PNG on request): who carries the plan, where,
and how.

One format by default, SVG, written by the project's own small SVG writer (`chart_svg`,
`svg`): matplotlib's import and text layout were most of the main job's chart cost, and bars,
a heatmap and labels need none of it. SVG serves both uses the charts are for: it scales
without blur on slides and in print, current office suites and browsers insert it, and it is
text, so a changed chart shows in a diff. Its Japanese stays text, in a font-family naming the
bundled IPAexGothic first and then common Japanese fonts.

PNG (150 dpi) is there for tools that take only bitmaps (`formats=("svg", "png")`,
`--chart-formats svg,png` on the CLI) and is drawn by matplotlib (the functions below) with a
Japanese font found on the system (the bundled IPAexGothic, else IPA or Noto CJK); without one
the PNG would show boxes, so `japanese_font` fails loudly instead. Both formats show the same
data (`chart_data`). Every file is byte-identical for the same input, whichever other formats
are written.

A drawn chart is kept in the cache (`welfare_kg.cache`) keyed by the plan it shows, the
code/data version and, for PNG, the matplotlib version and the font file: the main job run
again on the same build writes the same bytes without drawing.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from welfare_kg.cache import entry as cache_entry
from welfare_kg.cache import read_entry, write_entry
from welfare_kg.errors import InputError
from welfare_kg.fileio import write_bytes

from .chart_data import (
    STATUS_COLORS,
    STATUS_ORDER,
    body_counts,
    body_types,
    pillar_grid,
    status_counts,
    status_legend,
)
from .chart_svg import SVG_CHARTS
from .formats import CHART_FORMATS, DEFAULT_CHART_FORMATS, chart_formats
from .maps import TYPE_COLORS
from .plan import IMPLEMENTING, Plan, type_label
from .vocabulary import status_labels

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .handout import Handout

__all__ = [
    "CHARTS",
    "CHART_FORMATS",
    "DEFAULT_CHART_FORMATS",
    "JAPANESE_FONTS",
    "STATUS_ORDER",
    "FontSpec",
    "bodies_by_rows",
    "body_pillar_heatmap",
    "chart_bytes",
    "chart_formats",
    "japanese_font",
    "missing_glyphs",
    "save_figure",
    "status_by_pillar",
    "status_labels",
    "with_handout",
    "write_charts",
]

JAPANESE_FONTS = (
    "IPAPGothic", "IPAGothic", "IPAexGothic", "Noto Sans CJK JP", "Noto Sans JP",
    "TakaoPGothic", "VL PGothic", "Source Han Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo",
)
"""Font families tried in turn for Japanese text when the bundled font is missing."""

_CHART_SVG_SALT = "welfare-kg"

# Per format: what savefig is given so the bytes carry no date or version and stay the same.
_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "png": {"metadata": {"Software": None}, "dpi": 150},
    "svg": {"metadata": {"Date": None}},
}


@dataclass(frozen=True)
class FontSpec:
    """A font family and the file matplotlib draws it from."""

    name: str
    path: str


BUNDLED_FONT = Path(__file__).parent / "assets" / "fonts" / "ipaexg.ttf"
"""IPAexGothic, shipped with the project (IPA Font License v1.0, beside it), so charts render
Japanese on a fresh machine with no font installed, and the same everywhere."""


@cache
def japanese_font() -> FontSpec:
    """The bundled IPAexGothic, else the first installed font of `JAPANESE_FONTS` that has
    kana and kanji glyphs."""
    from matplotlib import font_manager

    if BUNDLED_FONT.is_file() and not missing_glyphs("泉区わくわくプランケア", str(BUNDLED_FONT)):
        font_manager.fontManager.addfont(str(BUNDLED_FONT))
        return FontSpec(font_manager.FontProperties(fname=BUNDLED_FONT).get_name(),
                        str(BUNDLED_FONT))
    for family in JAPANESE_FONTS:
        for entry in font_manager.fontManager.ttflist:
            if entry.name == family and not missing_glyphs("泉区わくわくプランケア", entry.fname):
                return FontSpec(entry.name, entry.fname)
    raise InputError(
        "no Japanese font found for the charts (tried "
        + ", ".join(JAPANESE_FONTS)
        + "); install one, e.g. `apt-get install fonts-ipafont-gothic`"
    )


def missing_glyphs(text: str, font_path: str) -> list[str]:
    """The characters of `text` (other than spaces) that the font file has no glyph for."""
    from matplotlib.ft2font import FT2Font

    charmap = FT2Font(font_path).get_charmap()
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in charmap})


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _rc() -> dict[str, Any]:
    font = japanese_font()
    return {
        "font.family": [font.name, "DejaVu Sans"],
        "svg.hashsalt": _CHART_SVG_SALT,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.unicode_minus": False,
    }


def bodies_by_rows(plan: Plan, roles: tuple[str, ...] = (IMPLEMENTING,)) -> Figure:
    """Horizontal bars: each body's number of rows, most first, coloured by body type."""
    import matplotlib as mpl
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    counts = dict(body_counts(plan, roles))
    order = list(counts)
    with mpl.rc_context(_rc()):
        fig = _figure(8, 0.38 * max(len(order), 3) + 1.4)
        ax = fig.add_subplot()
        labels = [plan.bodies[b].name_ja for b in order]
        colors = [TYPE_COLORS.get(plan.bodies[b].type, "#7f7f7f") for b in order]
        bars = ax.barh(labels, [counts[b] for b in order], color=colors)
        ax.bar_label(bars, padding=2, fontsize=8)
        ax.invert_yaxis()
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("実施する行の数 / Rows implemented")
        ax.set_title("実施主体ごとの行数 / Rows per body")
        types = body_types(plan, order)
        handles = [
            Patch(color=TYPE_COLORS.get(t, "#7f7f7f"), label=" / ".join(type_label(t)))
            for t in types
        ]
        if handles:
            ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=False)
    return fig


def body_pillar_heatmap(plan: Plan, roles: tuple[str, ...] = (IMPLEMENTING,)) -> Figure:
    """Heatmap: rows per body (lines) and pillar (columns), with the counts written in."""
    import matplotlib as mpl

    pillars, order, grid_values = pillar_grid(plan, roles)
    with mpl.rc_context(_rc()):
        fig = _figure(3 + 2.2 * max(len(pillars), 1), 0.38 * max(len(order), 3) + 1.8)
        ax = fig.add_subplot()
        values = grid_values or [[0] * max(len(pillars), 1)]
        image = ax.imshow(values, cmap="Blues", aspect="auto", vmin=0, vmax=None if order else 1)
        ax.set_xticks(range(len(pillars)), [f"柱{p.number}\n{p.name_ja}" for p in pillars],
                      fontsize=8)
        ax.set_yticks(range(len(order)), [plan.bodies[b].name_ja for b in order], fontsize=9)
        top = max((v for line in values for v in line), default=0)
        for y, line in enumerate(values):
            for x, v in enumerate(line):
                ax.text(x, y, str(v), ha="center", va="center", fontsize=8,
                        color="white" if top and v > top * 0.6 else "black")
        ax.set_title("実施主体 × 推進の柱（行数）/ Rows per body and pillar")
        fig.colorbar(image, ax=ax, shrink=0.6, label="行 / rows")
    return fig


def status_by_pillar(plan: Plan) -> Figure:
    """Stacked bars per pillar: rows by status (how much COVID-19 cancelled or reduced)."""
    import matplotlib as mpl
    from matplotlib.ticker import MaxNLocator

    pillars, statuses, counts = status_counts(plan)
    with mpl.rc_context(_rc()):
        fig = _figure(9, 1.0 * max(len(pillars), 2) + 1.6)
        ax = fig.add_subplot()
        names = [f"柱{p.number} {p.name_ja}" for p in pillars]
        left = [0] * len(pillars)
        for s in statuses:
            widths = [counts[p.iri][s] for p in pillars]
            bars = ax.barh(names, widths, left=left, label=status_legend(s),
                           color=STATUS_COLORS.get(s, "#7f7f7f"))
            ax.bar_label(bars, labels=[str(w) if w else "" for w in widths],
                         label_type="center", fontsize=8, color="white")
            left = [a + b for a, b in zip(left, widths, strict=True)]
        ax.invert_yaxis()
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("行の数 / Rows")
        ax.set_title("推進の柱ごとの実施状況 / Status of rows per pillar")
        if statuses:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18),
                      ncols=min(len(statuses), 5), fontsize=8, frameon=False)
    return fig


def chart_bytes(fig: Figure, fmt: str) -> bytes:
    """The figure drawn in `fmt` (svg or png), without timestamps."""
    import matplotlib as mpl

    (fmt,) = chart_formats([fmt])
    buffer = io.BytesIO()
    with mpl.rc_context(_rc()):
        fig.savefig(buffer, format=fmt, **_SAVE_OPTIONS[fmt])
    return buffer.getvalue()


def save_figure(fig: Figure, stem: Path,
                formats: Sequence[str] = DEFAULT_CHART_FORMATS) -> list[Path]:
    """Write `stem`.<format> for each of `formats` (atomically, without timestamps).

    The formats are drawn in turn on the same figure, and a draw can nudge the layout of the
    next (text is measured at each format's resolution); `write_charts` draws a fresh figure
    per format so that each file is the same whatever else is written.
    """
    paths = []
    for fmt in chart_formats(formats):
        path = Path(f"{stem}.{fmt}")
        write_bytes(path, chart_bytes(fig, fmt))
        paths.append(path)
    return paths


SVG_WRITER = "welfare-kg svg writer"
"""The SVG charts' drawing version: the writer is project code (in the code version), and the
SVG names its fonts rather than embedding them, so nothing else goes into the key."""


@cache
def _drawing_version(fmt: str) -> str | None:
    """What a drawn chart depends on besides the plan and the code: for PNG, matplotlib and
    the font; None (no caching) when the bundled font is missing and a system font is used."""
    if fmt == "svg":
        return SVG_WRITER
    from importlib.metadata import version

    if not BUNDLED_FONT.is_file():
        return None
    font = hashlib.sha256(BUNDLED_FONT.read_bytes()).hexdigest()
    return f"matplotlib {version('matplotlib')} font {font}"


def _cached_chart(plan_key: str, stem: str, fmt: str, draw: Callable[[], bytes]) -> bytes:
    """The bytes of a chart from the cache, else drawn now and kept."""
    drawing = _drawing_version(fmt)
    path = None
    if drawing is not None:
        path = cache_entry("charts", drawing, plan_key, stem, fmt, suffix=f".{fmt}")
    data = read_entry(path)
    if data is None:
        data = draw()
        write_entry(path, data)
    return data


def with_handout(fig: Figure, handout: Handout | None) -> Figure:
    """`fig` with what a chart handed out alone needs: the plan and fiscal year above it and
    the source credit of the Public Data License 1.0 (「…を加工して作成」) below it, both
    inside the figure's constrained layout, so neither they nor a legend are cut off."""
    if handout is None:
        return fig
    import matplotlib as mpl

    width = fig.get_figwidth() * 72  # points
    head = [" ".join(t for t in (handout.plan_ja, handout.years_ja()) if t),
            ", ".join(t for t in (handout.plan_en, handout.years_en()) if t)]
    credit = [line for text in (handout.credit_ja, handout.credit_en) if text
              for line in _wrap(text, width / 7 * 0.95)]
    with mpl.rc_context(_rc()):
        fig.suptitle("\n".join(t for t in head if t), fontsize=9, color="#333")
        if credit:
            fig.supxlabel("\n".join(credit), fontsize=7, color="#333", x=0.01, ha="left",
                          linespacing=1.4)
    return fig


def _wrap(text: str, ems: float) -> list[str]:
    """`text` in lines of at most `ems` character widths (a wide character is one, another
    half: matplotlib draws with the bundled font), broken at a space where the line has one."""
    from .svg import wrap

    return wrap(text, ems, 1.0, narrow=0.5)


CHARTS: dict[str, Callable[[Plan], Figure]] = {  # the PNG drawings; SVG: `SVG_CHARTS`
    "bodies-by-rows": bodies_by_rows,
    "body-pillar-heatmap": body_pillar_heatmap,
    "status-by-pillar": status_by_pillar,
}
"""File stem -> the function drawing that chart."""


def write_charts(plan: Plan, out_dir: Path,
                 formats: Sequence[str] = DEFAULT_CHART_FORMATS,
                 handout: Handout | None = None) -> list[Path]:
    """Write every chart of `CHARTS` in each of `formats` into `out_dir`; return the paths.
    `handout` (`load_handout(store)`) puts the plan, fiscal year and source credit on each.
    SVG comes from the SVG writer (`SVG_CHARTS`), PNG from matplotlib (`CHARTS`)."""
    out_dir = Path(out_dir)
    formats = chart_formats(formats)
    plan_key = hashlib.sha256(  # tables in fixed order
        (repr(plan) + repr(handout)).encode("utf-8")).hexdigest()
    paths = []
    for stem in CHARTS:
        for fmt in formats:
            if fmt == "svg":
                def draw(stem: str = stem) -> bytes:
                    return SVG_CHARTS[stem](plan, handout)
            else:
                def draw(stem: str = stem, fmt: str = fmt) -> bytes:
                    return chart_bytes(with_handout(CHARTS[stem](plan), handout), fmt)
            data = _cached_chart(plan_key, stem, fmt, draw)
            path = out_dir / f"{stem}.{fmt}"
            write_bytes(path, data)
            paths.append(path)
    return paths
