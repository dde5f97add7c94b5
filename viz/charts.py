"""Static charts for reports and slides (PNG and SVG): who carries the plan, where, and how.

Japanese text is drawn with a Japanese font found on the system (IPA or Noto CJK); without
one the charts would show boxes, so `japanese_font` fails loudly instead.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from welfare_kg.errors import InputError
from welfare_kg.fileio import write_bytes

from .maps import TYPE_COLORS
from .plan import IMPLEMENTING, Plan, type_label, type_rank
from .vocabulary import status_labels

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "JAPANESE_FONTS",
    "STATUS_ORDER",
    "FontSpec",
    "bodies_by_rows",
    "body_pillar_heatmap",
    "japanese_font",
    "missing_glyphs",
    "save_figure",
    "status_by_pillar",
    "status_labels",
    "write_charts",
]

JAPANESE_FONTS = (
    "IPAPGothic", "IPAGothic", "IPAexGothic", "Noto Sans CJK JP", "Noto Sans JP",
    "TakaoPGothic", "VL PGothic", "Source Han Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo",
)
"""Font families tried in turn for Japanese text when the bundled font is missing."""

STATUS_ORDER = ("implemented", "partial", "ongoing", "postponed", "cancelled")
"""Stacking order of statuses: done, reduced, continuing, then what COVID-19 stopped."""

_STATUS_COLORS = {
    "implemented": "#2ca02c", "partial": "#bcbd22", "ongoing": "#1f77b4",
    "postponed": "#ff7f0e", "cancelled": "#d62728",
}
_CHART_SVG_SALT = "welfare-kg"


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

    counts = Counter(b for bodies in plan.row_bodies(roles).values() for b in bodies)
    rank = {b: i for i, b in enumerate(plan.bodies)}
    order = sorted(counts, key=lambda b: (-counts[b], rank[b]))
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
        types = sorted({plan.bodies[b].type for b in order}, key=lambda t: (type_rank(t), t))
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

    pillars = list(plan.pillars.values())
    grid: dict[str, list[int]] = {}
    for row, bodies in plan.row_bodies(roles).items():
        pillar = plan.rows[row].pillar
        for b in bodies:
            cells = grid.setdefault(b, [0] * len(pillars))
            for i, p in enumerate(pillars):
                if p.iri == pillar:
                    cells[i] += 1
    order = [b for b in plan.bodies if b in grid]
    with mpl.rc_context(_rc()):
        fig = _figure(3 + 2.2 * max(len(pillars), 1), 0.38 * max(len(order), 3) + 1.8)
        ax = fig.add_subplot()
        values = [grid[b] for b in order] or [[0] * max(len(pillars), 1)]
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

    labels = status_labels()
    pillars = list(plan.pillars.values())
    counts = {p.iri: Counter() for p in pillars}
    for row in plan.rows.values():
        if row.pillar in counts:
            counts[row.pillar][row.status or "ongoing"] += 1
    seen = {s for c in counts.values() for s in c}
    statuses = [s for s in STATUS_ORDER if s in seen] + sorted(seen - set(STATUS_ORDER))
    with mpl.rc_context(_rc()):
        fig = _figure(9, 1.0 * max(len(pillars), 2) + 1.6)
        ax = fig.add_subplot()
        names = [f"柱{p.number} {p.name_ja}" for p in pillars]
        left = [0] * len(pillars)
        for s in statuses:
            widths = [counts[p.iri][s] for p in pillars]
            ja, en = labels.get(s, (s, s))
            bars = ax.barh(names, widths, left=left, label=f"{ja} / {en}",
                           color=_STATUS_COLORS.get(s, "#7f7f7f"))
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


def save_figure(fig: Figure, stem: Path) -> list[Path]:
    """Write `stem`.png and `stem`.svg (atomically, without timestamps); return both paths."""
    import matplotlib as mpl

    paths = []
    with mpl.rc_context(_rc()):
        for fmt, metadata in (("png", {"Software": None}), ("svg", {"Date": None})):
            buffer = io.BytesIO()
            fig.savefig(buffer, format=fmt, metadata=metadata, dpi=150 if fmt == "png" else None)
            path = Path(f"{stem}.{fmt}")
            write_bytes(path, buffer.getvalue())
            paths.append(path)
    return paths


def write_charts(plan: Plan, out_dir: Path) -> list[Path]:
    """Write the three charts as PNG and SVG into `out_dir`; return the paths."""
    out_dir = Path(out_dir)
    charts = {
        "bodies-by-rows": bodies_by_rows(plan),
        "body-pillar-heatmap": body_pillar_heatmap(plan),
        "status-by-pillar": status_by_pillar(plan),
    }
    paths = []
    for stem, fig in charts.items():
        paths += save_figure(fig, out_dir / stem)
    return paths
