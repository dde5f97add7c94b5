"""The charts as SVG drawn by the small writer in `svg` (no matplotlib): the same data
(`chart_data`), titles, axis labels and legends as the matplotlib drawing, and the handout's
title block and source credit. The drawing is laid out from estimated text widths (`svg`), so
the figure grows to hold its labels, legends and credit instead of cutting them off.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

from .chart_data import (
    STATUS_COLORS,
    body_counts,
    body_types,
    pillar_grid,
    status_counts,
    status_legend,
)
from .maps import TYPE_COLORS
from .plan import IMPLEMENTING, Plan, type_label
from .svg import Svg, integer_ticks, text_width, wrap

if TYPE_CHECKING:
    from .handout import Handout

__all__ = ["SVG_CHARTS", "svg_bodies_by_rows", "svg_body_pillar_heatmap",
           "svg_status_by_pillar"]

MARGIN = 10.0
HEAD, TITLE, LABEL, SMALL, CREDIT = 12.0, 14.0, 12.0, 11.0, 10.0  # font sizes, px
GREY = "#7f7f7f"
_BLUES = ((0.0, (0xf7, 0xfb, 0xff)), (0.25, (0xc6, 0xdb, 0xef)), (0.5, (0x6b, 0xae, 0xd6)),
          (0.75, (0x21, 0x71, 0xb5)), (1.0, (0x08, 0x30, 0x6b)))


def _head_lines(handout: Handout | None) -> list[str]:
    if handout is None:
        return []
    return [t for t in (" ".join(t for t in (handout.plan_ja, handout.years_ja()) if t),
                        ", ".join(t for t in (handout.plan_en, handout.years_en()) if t)) if t]


def _credit_lines(handout: Handout | None, width: float) -> list[str]:
    if handout is None:
        return []
    return [line for text in (handout.credit_ja, handout.credit_en) if text
            for line in wrap(text, width - 2 * MARGIN, CREDIT)]


def _width(minimum: float, title: str, handout: Handout | None) -> float:
    """The figure's width: what the chart needs, widened to hold the title lines."""
    need = [minimum, text_width(title, TITLE)] + [text_width(t, HEAD)
                                                  for t in _head_lines(handout)]
    return max(minimum, *(w + 2 * MARGIN for w in need[1:]))


def _top(svg: Svg, title: str, handout: Handout | None) -> float:
    """Draw the handout's plan and years and the chart title; return the y below them."""
    y = MARGIN
    for line in _head_lines(handout):
        y += HEAD + 3
        svg.text(svg.width / 2, y, line, HEAD, "middle", "#333", role="handout-title")
    y += TITLE + 8
    svg.text(svg.width / 2, y, title, TITLE, "middle", bold=True, role="chart-title")
    return y + 14


def _legend(svg: Svg, items: list[tuple[str, str]], y: float) -> float:
    """Swatches and labels flowed in rows across the figure, centred; return the y below."""
    rows: list[list[tuple[str, str, float]]] = [[]]
    room = svg.width - 2 * MARGIN
    used = 0.0
    for color, label in items:
        w = 14 + 5 + text_width(label, SMALL) + 16
        if rows[-1] and used + w > room:
            rows.append([])
            used = 0.0
        rows[-1].append((color, label, w))
        used += w
    for row in rows:
        if not row:
            continue
        x = (svg.width - sum(w for *_, w in row) + 16) / 2
        y += SMALL + 6
        for color, label, w in row:
            svg.rect(x, y - SMALL + 1, 14, SMALL - 1, color)
            svg.text(x + 19, y, label, SMALL, role="legend")
            x += w
    return y + 6


def _bottom(svg: Svg, y: float, handout: Handout | None) -> None:
    """Draw the source credit, left-aligned and wrapped, and fix the figure's height."""
    lines = _credit_lines(handout, svg.width)
    if lines:
        y += 8
    for line in lines:
        y += CREDIT + 4
        svg.text(MARGIN, y, line, CREDIT, fill="#333", role="credit")
    svg.height = y + MARGIN


def _x_axis(svg: Svg, x0: float, scale: float, ticks: list[int], y: float, label: str) -> float:
    """A horizontal axis with integer ticks and its label below; return the y below it."""
    svg.line(x0, y, x0 + ticks[-1] * scale, y)
    for t in ticks:
        x = x0 + t * scale
        svg.line(x, y, x, y + 4)
        svg.text(x, y + 6 + SMALL, str(t), SMALL, "middle")
    y += 6 + SMALL + 8 + LABEL
    svg.text(x0 + ticks[-1] * scale / 2, y, label, LABEL, "middle", role="axis-label")
    return y + 4


def svg_bodies_by_rows(plan: Plan, handout: Handout | None = None,
                       roles: tuple[str, ...] = (IMPLEMENTING,)) -> bytes:
    """Horizontal bars: each body's number of rows, most first, coloured by body type."""
    title = "実施主体ごとの行数 / Rows per body"
    counts = body_counts(plan, roles)
    labels = [plan.bodies[b].name_ja for b, _ in counts]
    label_w = max((text_width(t, LABEL) for t in labels), default=0) + 8
    svg = Svg(_width(800, title, handout), 0, title)
    y = _top(svg, title, handout)
    x0 = MARGIN + label_w
    ticks = integer_ticks(max((c for _, c in counts), default=1))
    scale = max(svg.width - x0 - MARGIN - 30, 120) / ticks[-1]
    svg.width = max(svg.width, x0 + ticks[-1] * scale + 30 + MARGIN)
    step = 24.0
    for i, ((body, count), label) in enumerate(zip(counts, labels, strict=True)):
        top = y + i * step
        color = TYPE_COLORS.get(plan.bodies[body].type, GREY)
        svg.rect(x0, top + 4, count * scale, step - 8, color, title=f"{label}: {count}")
        svg.text(x0 - 6, top + step / 2 + LABEL * 0.35, label, LABEL, "end")
        svg.text(x0 + count * scale + 3, top + step / 2 + SMALL * 0.35, str(count), SMALL)
    y = _x_axis(svg, x0, scale, ticks, y + max(len(counts), 1) * step,
                "実施する行の数 / Rows implemented")
    types = body_types(plan, [b for b, _ in counts])
    y = _legend(svg, [(TYPE_COLORS.get(t, GREY), " / ".join(type_label(t))) for t in types], y)
    _bottom(svg, y, handout)
    return svg.bytes()


def _blue(v: float, top: float) -> str:
    """Matplotlib's "Blues" colour map at v / top (white for nothing, dark blue for most)."""
    f = v / top if top else 0.0
    for (f0, c0), (f1, c1) in pairwise(_BLUES):
        if f <= f1:
            t = (f - f0) / (f1 - f0)
            return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(c0, c1,
                                                                                  strict=True))
    return "#08306b"


def svg_body_pillar_heatmap(plan: Plan, handout: Handout | None = None,
                            roles: tuple[str, ...] = (IMPLEMENTING,)) -> bytes:
    """Heatmap: rows per body (lines) and pillar (columns), with the counts written in."""
    title = "実施主体 × 推進の柱（行数）/ Rows per body and pillar"
    pillars, order, values = pillar_grid(plan, roles)
    labels = [plan.bodies[b].name_ja for b in order]
    heads = [(f"柱{p.number}", p.name_ja) for p in pillars]
    label_w = max((text_width(t, LABEL) for t in labels), default=0) + 8
    col_w = max([110.0] + [text_width(t, CREDIT) + 12 for h in heads for t in h])
    bar_label = "行 / rows"
    top = max((v for line in values for v in line), default=0)
    grid_right = MARGIN + label_w + col_w * len(pillars)
    svg = Svg(_width(grid_right + 30 + 14 + 40 + text_width(bar_label, SMALL), title, handout),
              0, title)
    y = _top(svg, title, handout)
    x0 = MARGIN + label_w
    step = 24.0
    for i, (label, line) in enumerate(zip(labels, values, strict=True)):
        row_y = y + i * step
        svg.text(x0 - 6, row_y + step / 2 + LABEL * 0.35, label, LABEL, "end")
        for j, v in enumerate(line):
            svg.rect(x0 + j * col_w, row_y, col_w, step, _blue(v, top),
                     title=f"{label} × {heads[j][0]} {heads[j][1]}: {v}")
            svg.text(x0 + (j + 0.5) * col_w, row_y + step / 2 + SMALL * 0.35, str(v), SMALL,
                     "middle", "#fff" if top and v > top * 0.6 else "#000")
    grid_bottom = y + len(values) * step
    for j, (number, name) in enumerate(heads):
        cx = x0 + (j + 0.5) * col_w
        svg.text(cx, grid_bottom + 4 + CREDIT, number, CREDIT, "middle")
        svg.text(cx, grid_bottom + 8 + 2 * CREDIT, name, CREDIT, "middle")
    # colour bar: the scale from 0 to the most rows, in 20 steps, ticks on its right
    bx, bar_h = grid_right + 30, max(min(len(values) * step, 200.0), 80.0)
    svg.text(bx, y - 4, bar_label, SMALL, role="axis-label")
    for k in range(20):
        svg.rect(bx, y + bar_h * (19 - k) / 20, 14, bar_h / 20 + 0.2,
                 _blue((k + 0.5) / 20 * max(top, 1), max(top, 1)))
    ticks = integer_ticks(max(top, 1), 5)
    for t in ticks:
        if t <= max(top, 1):
            ty = y + bar_h * (1 - t / max(top, 1))
            svg.line(bx + 14, ty, bx + 18, ty)
            svg.text(bx + 21, ty + SMALL * 0.35, str(t), SMALL)
    y = max(grid_bottom + 12 + 2 * CREDIT, y + bar_h + SMALL)
    _bottom(svg, y, handout)
    return svg.bytes()


def svg_status_by_pillar(plan: Plan, handout: Handout | None = None) -> bytes:
    """Stacked bars per pillar: rows by status (how much COVID-19 cancelled or reduced)."""
    title = "推進の柱ごとの実施状況 / Status of rows per pillar"
    pillars, statuses, counts = status_counts(plan)
    names = [f"柱{p.number} {p.name_ja}" for p in pillars]
    label_w = max((text_width(t, LABEL) for t in names), default=0) + 8
    svg = Svg(_width(900, title, handout), 0, title)
    y = _top(svg, title, handout)
    x0 = MARGIN + label_w
    totals = [sum(counts[p.iri].values()) for p in pillars]
    ticks = integer_ticks(max(totals, default=1))
    scale = max(svg.width - x0 - 2 * MARGIN, 160) / ticks[-1]
    svg.width = max(svg.width, x0 + ticks[-1] * scale + 2 * MARGIN)
    step = 44.0
    for i, (p, name) in enumerate(zip(pillars, names, strict=True)):
        row_y = y + i * step
        svg.text(x0 - 6, row_y + step / 2 + LABEL * 0.35, name, LABEL, "end")
        left = 0
        for s in statuses:
            w = counts[p.iri][s]
            if not w:
                continue
            svg.rect(x0 + left * scale, row_y + 8, w * scale, step - 16,
                     STATUS_COLORS.get(s, GREY), title=f"{name}: {status_legend(s)} {w}")
            svg.text(x0 + (left + w / 2) * scale, row_y + step / 2 + SMALL * 0.35, str(w),
                     SMALL, "middle", "#fff")
            left += w
    y = _x_axis(svg, x0, scale, ticks, y + max(len(pillars), 1) * step, "行の数 / Rows")
    y = _legend(svg, [(STATUS_COLORS.get(s, GREY), status_legend(s)) for s in statuses], y)
    _bottom(svg, y, handout)
    return svg.bytes()


SVG_CHARTS: dict[str, Callable[[Plan, Handout | None], bytes]] = {
    "bodies-by-rows": svg_bodies_by_rows,
    "body-pillar-heatmap": svg_body_pillar_heatmap,
    "status-by-pillar": svg_status_by_pillar,
}
"""File stem -> the function writing that chart as SVG."""
