"""The numbers each chart shows, computed once from the plan, so the SVG writer
(`chart_svg`) and the matplotlib drawing (`charts`, PNG) show the same data."""

from __future__ import annotations

from collections import Counter

from .plan import IMPLEMENTING, Pillar, Plan, type_rank
from .vocabulary import status_labels

__all__ = ["STATUS_COLORS", "STATUS_ORDER", "body_counts", "body_types", "pillar_grid",
           "status_counts", "status_legend"]

STATUS_ORDER = ("implemented", "partial", "ongoing", "postponed", "cancelled")
"""Stacking order of statuses: done, reduced, continuing, then what COVID-19 stopped."""

STATUS_COLORS = {
    "implemented": "#2ca02c", "partial": "#bcbd22", "ongoing": "#1f77b4",
    "postponed": "#ff7f0e", "cancelled": "#d62728",
}


def body_counts(plan: Plan, roles: tuple[str, ...] = (IMPLEMENTING,)) -> list[tuple[str, int]]:
    """Each body with its number of rows in `roles`, most first (ties in the plan's order)."""
    counts = Counter(b for bodies in plan.row_bodies(roles).values() for b in bodies)
    rank = {b: i for i, b in enumerate(plan.bodies)}
    return [(b, counts[b]) for b in sorted(counts, key=lambda b: (-counts[b], rank[b]))]


def body_types(plan: Plan, bodies: list[str]) -> list[str]:
    """The body types of `bodies`, in the legend's order."""
    return sorted({plan.bodies[b].type for b in bodies}, key=lambda t: (type_rank(t), t))


def pillar_grid(plan: Plan, roles: tuple[str, ...] = (IMPLEMENTING,)
                ) -> tuple[list[Pillar], list[str], list[list[int]]]:
    """The pillars, the bodies with rows (plan order) and their rows per pillar."""
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
    return pillars, order, [grid[b] for b in order]


def status_counts(plan: Plan) -> tuple[list[Pillar], list[str], dict[str, Counter]]:
    """The pillars, the statuses present (stacking order) and each pillar's rows by status
    (a row without a status counts as ongoing)."""
    pillars = list(plan.pillars.values())
    counts: dict[str, Counter] = {p.iri: Counter() for p in pillars}
    for row in plan.rows.values():
        if row.pillar in counts:
            counts[row.pillar][row.status or "ongoing"] += 1
    seen = {s for c in counts.values() for s in c}
    statuses = [s for s in STATUS_ORDER if s in seen] + sorted(seen - set(STATUS_ORDER))
    return pillars, statuses, counts


def status_legend(status: str) -> str:
    """A status's legend text, Japanese / English."""
    ja, en = status_labels().get(status, (status, status))
    return f"{ja} / {en}"
