"""Which rows each initiative, heading and merged body cell covers: the lost merged cells.

The flattening dropped the vertical merges, so an initiative's rows are not printed. Each
initiative covers a contiguous run of rows, the runs follow the initiatives' top-to-bottom
order, and a row resembles its initiative. `assign_initiatives` picks the segmentation of a
page's rows that scores best under these facts (dynamic programming over row runs), using:

* anchors: an initiative printed among the rows starts at the next row;
* similarity of each row to each initiative (`similarity.Similarity`);
* body continuity: neighbouring rows with the same bodies tend to share an initiative;
* printed order of the end-block initiatives, as a soft preference (it is not always kept).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from welfare_kg.graph.layout import (
    BodiesBlock,
    HeadingBlock,
    InitiativeBlock,
    PageLayout,
    RowBlock,
)
from welfare_kg.graph.similarity import Similarity
from welfare_kg.graph.vocabulary import normalize

__all__ = ["Assignment", "assign_initiatives", "assign_headings", "assign_merged_bodies"]

# Weights of the scoring; tuned on the FY2021 reading, kept few and explained.
CONTINUITY = 0.25  # reward for a body-set change at a boundary / sameness inside a run
NULL_ROW = 0.08  # score of a row left without an initiative (below a weak match)
UNUSED = 0.6  # cost of an end-block initiative that covers no row
INVERSION = 0.05  # cost per pair of end-block initiatives taken out of printed order
MAX_PERMUTED = 5  # end-block initiatives beyond this keep their printed order


@dataclass
class Assignment:
    """The initiative of a row, with how sure the method is."""

    initiative: InitiativeBlock | None
    confidence: float
    anchored: bool = False


def _jaccard(a: list[str], b: list[str]) -> float | None:
    if not a or not b:
        return None
    sa, sb = {normalize(x) for x in a}, {normalize(x) for x in b}
    return len(sa & sb) / len(sa | sb)


def _anchors(page: PageLayout) -> tuple[dict[int, InitiativeBlock], list[InitiativeBlock]]:
    """Initiatives printed right before a row (anchors, by row index) and the rest."""
    rows = page.rows
    index = {id(r): i for i, r in enumerate(rows)}
    anchored: dict[int, InitiativeBlock] = {}
    free: list[InitiativeBlock] = []
    pending: InitiativeBlock | None = None
    for block in page.blocks:
        if isinstance(block, InitiativeBlock):
            if pending is not None:
                free.append(pending)
            pending = block
        elif isinstance(block, RowBlock):
            if pending is not None:
                anchored[index[id(block)]] = pending
                pending = None
        elif isinstance(block, HeadingBlock) and pending is not None:
            free.append(pending)
            pending = None
    if pending is not None:
        free.append(pending)
    return anchored, free


def _inversions(order: tuple[int, ...]) -> int:
    return sum(1 for a, b in itertools.combinations(order, 2) if a > b)


def assign_initiatives(page: PageLayout, sim: Similarity) -> list[Assignment]:
    """The initiative of each row of the page (see module docstring)."""
    rows = page.rows
    n = len(rows)
    if n == 0:
        return []
    anchored, free = _anchors(page)
    inits = list(anchored.values()) + free
    if not inits:
        return [Assignment(None, 1.0) for _ in rows]
    score = [
        [sim.score("".join(r.items), r.result, init.text) for init in inits] for r in rows
    ]
    col = {id(init): j for j, init in enumerate(inits)}
    cont = [_jaccard(rows[i].bodies, rows[i + 1].bodies) for i in range(n - 1)]
    starts = sorted(anchored)

    def boundary(i: int, same: bool) -> float:
        j = cont[i]
        if j is None:
            return 0.0
        return CONTINUITY * (j if same else 1.0 - j)

    def seg_score(a: int, b: int, j: int | None) -> float:
        s = sum(score[r][j] for r in range(a, b)) if j is not None else NULL_ROW * (b - a)
        s += sum(boundary(r, True) for r in range(a, b - 1))
        if b < n:
            s += boundary(b - 1, False)
        return s

    def solve(order: tuple[int, ...]) -> tuple[float, list[tuple[int, int, int | None]]]:
        m = len(order)
        best: dict[tuple[int, int], tuple[float, list]] = {(0, 0): (0.0, [])}
        for i in range(n):
            for k in range(m + 1):
                if (i, k) not in best:
                    continue
                base, path = best[(i, k)]
                limit = next((s for s in starts if s > i), n)
                options: list[tuple[int | None, int]] = []
                if i in anchored:
                    options.append((col[id(anchored[i])], k))
                else:
                    if k < m:
                        options.append((col[id(free[order[k]])], k + 1))
                    options.append((None, k))
                for j, k2 in options:
                    for b in range(i + 1, limit + 1):
                        val = base + seg_score(i, b, j)
                        key = (b, k2)
                        if key not in best or val > best[key][0]:
                            best[key] = (val, [*path, (i, b, j)])
        finals = [
            (v - UNUSED * (m - k), p) for (i, k), (v, p) in best.items() if i == n
        ]
        return max(finals, key=lambda x: x[0])

    orders: list[tuple[int, ...]]
    if len(free) <= MAX_PERMUTED:
        orders = list(itertools.permutations(range(len(free))))
    else:
        orders = [tuple(range(len(free)))]
    best_total, best_path = -math.inf, []
    for order in orders:
        total, path = solve(order)
        total -= INVERSION * _inversions(order)
        if total > best_total:
            best_total, best_path = total, path

    out: list[Assignment] = []
    for a, b, j in best_path:
        for r in range(a, b):
            init = inits[j] if j is not None else None
            out.append(Assignment(init, _confidence(score[r], j, r == a and r in anchored),
                                  anchored=r in anchored and r == a))
    return out


def _confidence(scores: list[float], chosen: int | None, anchored: bool) -> float:
    """How far the chosen initiative is ahead of the best other one, squashed to 0..1."""
    if anchored:
        return 0.99
    if len(scores) == 1:
        return 0.9 if chosen is not None else 0.5
    own = scores[chosen] if chosen is not None else NULL_ROW
    other = max(s for j, s in enumerate(scores) if j != chosen)
    return round(1 / (1 + math.exp(-8 * (own - other))), 3)


def assign_headings(
    page: PageLayout, initiatives: list[Assignment], sim: Similarity
) -> list[HeadingBlock | None]:
    """The action-plan heading of each row; several headings split the rows in number order.

    The split falls between initiative runs, where the rows' and initiatives' words agree best
    with each heading's title.
    """
    rows = page.rows
    headings = sorted(
        (b for b in page.blocks if isinstance(b, HeadingBlock)), key=lambda h: (h.number, h.line)
    )
    if not headings:
        return [None] * len(rows)
    if len(headings) == 1 or not rows:
        return [headings[0]] * len(rows)
    cuts = [
        i for i in range(1, len(rows))
        if initiatives[i].initiative is not initiatives[i - 1].initiative
    ]
    text = [
        "".join(r.items) + (a.initiative.text if a.initiative else "")
        for r, a in zip(rows, initiatives, strict=True)
    ]
    fit = [[sim.cosine(t, h.title) for h in headings] for t in text]
    best: tuple[float, tuple[int, ...]] = (-math.inf, ())
    for chosen in itertools.combinations(cuts, len(headings) - 1):
        bounds = (0, *chosen, len(rows))
        total = sum(
            fit[r][h] for h in range(len(headings)) for r in range(bounds[h], bounds[h + 1])
        )
        if total > best[0]:
            best = (total, bounds)
    if not best[1]:
        return [headings[0]] * len(rows)
    bounds = best[1]
    return [
        headings[h] for h in range(len(headings)) for _ in range(bounds[h], bounds[h + 1])
    ]


def assign_merged_bodies(
    page: PageLayout, initiatives: list[Assignment]
) -> dict[int, BodiesBlock]:
    """The merged body cell of each row printed without bodies, by row index.

    A cell printed right after an initiative in the end block is that initiative's cell. The
    other cells go, last first, to the last runs of rows still without bodies (a cell prints
    after its group). Rows left over share the cell of the nearest row below them (or above).
    """
    rows = page.rows
    bare = [i for i, r in enumerate(rows) if not r.bodies]
    if not bare:
        return {}
    cells: list[tuple[BodiesBlock, InitiativeBlock | None]] = []
    previous = None
    for block in page.blocks:
        if isinstance(block, BodiesBlock):
            cells.append((block, previous if isinstance(previous, InitiativeBlock) else None))
        previous = block
    out: dict[int, BodiesBlock] = {}
    loose: list[BodiesBlock] = []
    for cell, init in cells:
        targets = [i for i in bare if init is not None and initiatives[i].initiative is init]
        if targets:
            for i in targets:
                out.setdefault(i, cell)
        else:
            loose.append(cell)
    runs: list[list[int]] = []
    for i in bare:
        if i in out:
            continue
        same_run = (
            runs and runs[-1][-1] == i - 1
            and initiatives[i].initiative is initiatives[i - 1].initiative
        )
        if same_run:
            runs[-1].append(i)
        else:
            runs.append([i])
    for cell, run in zip(reversed(loose), reversed(runs), strict=False):
        for i in run:
            out[i] = cell
    # Rows still bare share the cell of the nearest bare neighbour (below first).
    for i in bare:
        if i in out:
            continue
        below = next((j for j in range(i + 1, len(rows)) if j in out), None)
        contiguous_below = below is not None and all(not rows[k].bodies for k in range(i, below))
        above = next((j for j in range(i - 1, -1, -1) if j in out), None)
        contiguous_above = above is not None and all(not rows[k].bodies for k in range(above, i))
        if contiguous_below:
            out[i] = out[below]
        elif contiguous_above:
            out[i] = out[above]
    return out
