"""Which rows each initiative, heading and merged body cell covers: the lost merged cells.

The flattening dropped the vertical merges, so an initiative's rows are not printed. Each
initiative covers a contiguous run of rows, the runs follow the initiatives' top-to-bottom
order, and a row resembles its initiative. `assign_initiatives` picks the segmentation of a
page's rows that scores best under these facts (dynamic programming over row runs), using:

* anchors: an initiative printed among the rows starts at the next row;
* similarity of each row to each initiative (`similarity.Similarity`);
* body continuity: neighbouring rows with the same bodies tend to share an initiative;
* printed order of the end-block initiatives, as a soft preference (it is not always kept).

Each row's `Assignment.share` is the posterior share of the segmentations, each weighted
exp(score / TEMPERATURE), that give the row its initiative, scored with body continuity weighed
more than the segmentation weighs it (REVIEW_SAME: a confidence, never the answers);
`Assignment.confidence` keeps the margin to the best rival segmentation (pinned by a test), and
`Assignment.length` says how much longer the row's run is than the page's rows per initiative.
The row confidence (`review.initiative_confidence`) is made of the share and the length.
The programmes (best segmentation, rivals, posterior) run on the page's `lattice.Lattice`.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

from welfare_kg.datafiles import normalize

from .lattice import Lattice
from .pages import (
    BodiesBlock,
    HeadingBlock,
    InitiativeBlock,
    PageLayout,
    RowBlock,
)
from .similarity import Similarity

__all__ = [
    "Assignment",
    "assign_headings",
    "assign_initiatives",
    "assign_merged_bodies",
    "initiative_candidates",
    "nearest_cells",
]

# Weights of the scoring; tuned on the FY2021 reading, kept few and explained. Row scores are
# centred per row (a row that resembles no initiative votes for none), so weights compare to
# differences of similarity, about 0.1-0.3.
CHANGE = 0.0  # reward for a boundary where the bodies change (no help on FY2021; kept as a knob)
SAME = 0.05  # reward for keeping rows with the same bodies together
NULL_ROW = -0.1  # score of a row left without an initiative
UNUSED = 0.6  # cost of an end-block initiative that covers no row
INVERSION = 0.3  # cost per pair of end-block initiatives taken out of their expected order
ANCHOR_EXTEND = 0.3  # cost per extra row of an initiative printed among the rows
CELL_FIT = 0.3  # cost of an initiative printed beside a merged body cell covering no bare row
CONFIDENCE_SCALE = 0.15  # margin (in score units) at which confidence reaches 63 %
TEMPERATURE = CONFIDENCE_SCALE  # weight exp(score / T) of a segmentation in the posterior
MAX_PERMUTED = 5  # end-block initiatives beyond this keep their printed order
MARGIN_BUDGET = 1500  # rows x orders above which confidence uses the cheap margin
# The posterior share (confidences only, never the answers) weighs SAME this much. Neighbouring
# rows printed with the same bodies seldom change initiative; the segmentation keeps that cue
# weak, but a boundary it places between rows with equal bodies, while a change of bodies sits
# inside the run, is a sign the boundary is misplaced. Chosen leave-one-page-out on the hand
# reading (scripts/evaluate-extraction, `review.GRID`).
REVIEW_SAME = 0.5


@dataclass
class Assignment:
    """The initiative of a row, with how sure the method is."""

    initiative: InitiativeBlock | None
    confidence: float  # the margin to the best rival segmentation, squashed to 0..1
    anchored: bool = False
    fit: float = 0.0  # the row's own similarity to its initiative minus its best other one
    run: int = 1  # rows in the run of rows this initiative covers
    edge: int = 0  # rows between this one and the nearest end of its run
    # The share of all segmentations (weighted exp(score / TEMPERATURE), body continuity at
    # REVIEW_SAME) that give the row this initiative; the margin where the page is too large
    # to sum over. And the log of the row's run length over the page's free rows per free
    # initiative (0 for a row under its anchor). The row's confidence is made of both.
    share: float = 1.0
    length: float = 0.0
    # Every initiative of the page (None: no initiative) with the share of the segmentations
    # that give it to this row, best first; filled only on request (`initiative_candidates`).
    candidates: tuple[tuple[InitiativeBlock | None, float], ...] = ()


def _jaccard(a: list[str], b: list[str]) -> float | None:
    if not a or not b:
        return None
    sa, sb = {normalize(x) for x in a}, {normalize(x) for x in b}
    return len(sa & sb) / len(sa | sb)


def _anchors(page: PageLayout) -> tuple[dict[int, InitiativeBlock], list[InitiativeBlock]]:
    """Initiatives printed right before a row (anchors, by row index) and the rest in the
    order their rows are expected to come, top to bottom.

    The flattening prints the end block in a regular way: the initiatives printed after a
    page's heading belong to the upper rows, those printed before it to the lower rows. With
    several headings, an initiative printed before heading k belongs to action plan k, and the
    plans' rows follow their numbers.
    """
    rows = page.rows
    index = {id(r): i for i, r in enumerate(rows)}
    anchored: dict[int, InitiativeBlock] = {}
    loose: list[tuple[InitiativeBlock, int]] = []  # (initiative, block position)
    pending: tuple[InitiativeBlock, int] | None = None
    for pos, block in enumerate(page.blocks):
        if isinstance(block, InitiativeBlock):
            if pending is not None:
                loose.append(pending)
            pending = (block, pos)
        elif isinstance(block, RowBlock):
            if pending is not None:
                anchored[index[id(block)]] = pending[0]
                pending = None
        elif isinstance(block, HeadingBlock) and pending is not None:
            loose.append(pending)
            pending = None
    if pending is not None:
        loose.append(pending)
    heads = [(pos, b) for pos, b in enumerate(page.blocks) if isinstance(b, HeadingBlock)]
    return anchored, [init for init, _ in sorted(loose, key=lambda x: _expected(x[1], heads))]


def _expected(pos: int, heads: list[tuple[int, HeadingBlock]]) -> tuple[int, int, int]:
    """Sort key of an end-block initiative printed at block position `pos` (see _anchors)."""
    if not heads:
        return (0, 0, pos)
    if len(heads) == 1:
        return (0, 0 if pos > heads[0][0] else 1, pos)
    after = [h for p, h in heads if p > pos]
    number = after[0].number if after else max(h.number for _, h in heads)
    return (number, 0, pos)


def _inversions(order: tuple[int, ...]) -> int:
    return sum(1 for a, b in itertools.combinations(order, 2) if a > b)


def initiative_candidates(page: PageLayout, sim: Similarity) -> list[Assignment]:
    """`assign_initiatives`, with each row's `candidates`: the runner-up initiatives a
    reviewer picks from, scored like the row's own share (from the same posterior sums, with
    every label's share kept; only the review page needs them)."""
    return assign_initiatives(page, sim, candidates=True)


def assign_initiatives(page: PageLayout, sim: Similarity, *, candidates: bool = False,
                       review_same: float = REVIEW_SAME) -> list[Assignment]:
    """The initiative of each row of the page (see module docstring); `candidates` also
    scores every other initiative for every row (see `initiative_candidates`); `review_same`
    is the body-continuity weight of the posterior share (`Assignment.share`), not of the
    answers."""
    rows = page.rows
    n = len(rows)
    if n == 0:
        return []
    anchored, free = _anchors(page)
    inits = list(anchored.values()) + free
    if not inits:  # the page prints no initiative: null, and no confidence in any
        return [Assignment(None, 0.0, share=0.0) for _ in rows]
    raw = []
    for r in rows:
        items = "".join(r.items)  # once per row, not once per initiative
        raw.append([sim.score(items, r.result, init.text) for init in inits])
    score = [[v - sum(line) / len(line) for v in line] for line in raw]
    col = {id(init): j for j, init in enumerate(inits)}
    cont = [_jaccard(rows[i].bodies, rows[i + 1].bodies) for i in range(n - 1)]
    paired, _, _ = _pair_cells(page)
    with_cell = {col[id(init)] for init in paired.values() if id(init) in col}
    bare = [not r.bodies for r in rows]

    def boundary(i: int, same: bool) -> float:
        j = cont[i]
        if j is None:
            return 0.0
        return SAME * j if same else CHANGE * (1.0 - j)

    # A segment's sums run over slices of these, in row order, as they always did.
    column = [[line[j] for line in score] for j in range(len(inits))]
    kept = [boundary(r, True) for r in range(n - 1)]
    inner = [c or 0.0 for c in cont]

    @functools.cache
    def span(a: int, b: int) -> tuple[float, bool, float]:
        """What a segment's score takes from its rows whatever its initiative: the kept
        continuity, whether a bare row is among them, the continuity for the posterior."""
        return sum(kept[a:b - 1]), any(bare[a:b]), sum(inner[a:b - 1])

    def seg_score(a: int, b: int, j: int | None) -> float:
        together, has_bare, _ = span(a, b)
        s = sum(column[j][a:b]) if j is not None else NULL_ROW * (b - a)
        if a in anchored:
            s -= ANCHOR_EXTEND * (b - a - 1)
        if j in with_cell and not has_bare:
            s -= CELL_FIT
        s += together
        if b < n:
            s += boundary(b - 1, False)
        return s

    def together(a: int, b: int) -> float:
        """What the posterior share adds to `seg_score`: rows of the same bodies kept
        together at `review_same`."""
        return (review_same - SAME) * span(a, b)[2]

    lattice = Lattice(n, {i: col[id(b)] for i, b in anchored.items()},
                      [col[id(f)] for f in free], seg_score, together, TEMPERATURE, UNUSED)
    orders: list[tuple[int, ...]]
    if len(free) <= MAX_PERMUTED:
        orders = list(itertools.permutations(range(len(free))))
    else:
        orders = [tuple(range(len(free)))]
    best_total, best_order = -math.inf, None
    for order in orders:
        total = lattice.best(order)
        total -= INVERSION * _inversions(order)
        if total > best_total:
            best_total, best_order = total, order
    best_path = lattice.best_path(best_order) if best_order is not None else []
    labels = [j for a, b, j in best_path for _ in range(a, b)]
    exact = n * len(orders) <= MARGIN_BUDGET
    # The posterior of each order, for the rows' labels (every label for the candidates).
    wanted = {*range(len(inits)), None} if candidates else set(labels)
    sums = {order: lattice.posterior(order, wanted) for order in orders} if exact else {}
    share: list[float] = []  # posterior share of each row's label (see `Lattice.posterior`)
    if exact:
        totals: list[float] = []
        parts: list[list[float]] = [[] for _ in range(n)]
        rival = lattice.rivals(orders, labels, lambda order: INVERSION * _inversions(order))
        for order in orders:
            penalty = INVERSION * _inversions(order)
            z, running = sums[order]
            totals.append(z - penalty / TEMPERATURE)
            for r, v in enumerate(_masses(z, running, labels)):
                parts[r].append(v - penalty / TEMPERATURE)
        top = max(totals)
        log_z = top + math.log(sum(math.exp(t - top) for t in totals))
        share = [
            sum(math.exp(v - log_z) for v in parts[r] if v > -math.inf) for r in range(n)
        ]
    # rows per initiative where the end block leaves the choice to the segmentation
    per_init = max(n - len(anchored), 1) / max(len(free), 1)
    runs = {r: (a, b) for a, b, _ in best_path for r in range(a, b)}
    ranked: list[tuple[tuple[InitiativeBlock | None, float], ...]] = [()] * n
    if candidates:
        ranked = _ranked(inits, orders, score, exact, sums,
                         lambda order: INVERSION * _inversions(order) / TEMPERATURE)
    out: list[Assignment] = []
    for r, j in enumerate(labels):
        # Confidence: how much worse the best segmentation is that gives this row any other
        # initiative (a max-marginal margin), squashed to 0..1. On very large pages, where a
        # search per row would be slow, the row's own score margin stands in for it.
        if exact:
            margin = best_total - rival[r]
        else:
            own = score[r][j] if j is not None else NULL_ROW
            margin = own - max(
                (s for k, s in enumerate(score[r]) if k != j), default=NULL_ROW
            )
        own = score[r][j] if j is not None else NULL_ROW
        other = max((s for k, s in enumerate(score[r]) if k != j), default=NULL_ROW)
        a, b = runs[r]
        squashed = round(1.0 - math.exp(-max(margin, 0.0) / CONFIDENCE_SCALE), 3)
        out.append(Assignment(
            inits[j] if j is not None else None,
            squashed,
            anchored=r in anchored,
            fit=round(own - other, 4),
            run=b - a,
            edge=min(r - a, b - 1 - r),
            share=round(min(share[r], 1.0), 3) if exact else squashed,
            length=0.0 if r in anchored else round(math.log((b - a) / per_init), 4),
            candidates=ranked[r],
        ))
    return out


def _masses(total: float, running: dict[int | None, list[float]],
            labels: list[int | None]) -> list[float]:
    """Per row r, the log of the summed weight of the paths giving it labels[r] (-inf for
    none), from `Lattice.posterior`'s total and shares."""
    out = []
    for r, j in enumerate(labels):
        v = running[j][r] if j in running else 0.0
        out.append(total + math.log(v) if v > 0.0 else -math.inf)
    return out


def _ranked(inits: list[InitiativeBlock], orders: list[tuple[int, ...]],
            score: list[list[float]], exact: bool,
            sums: dict[tuple[int, ...], tuple[float, dict[int | None, list[float]]]],
            penalty: Callable,
            ) -> list[tuple[tuple[InitiativeBlock | None, float], ...]]:
    """Per row, each label (initiative column or None) with its posterior share, best first.

    `sums[order]` is `Lattice.posterior` for every label: one label asked on every row gives
    that label's mass on each row. On pages too large to sum over, the row's own similarity
    stands in (a softmax at the same temperature).
    """
    n = len(score)
    labels: list[int | None] = [*range(len(inits)), None]
    if exact:
        mass = {j: [[] for _ in range(n)] for j in labels}
        totals: list[float] = []
        for order in orders:
            z, running = sums[order]
            totals.append(z - penalty(order))
            for j in labels:
                for r, v in enumerate(_masses(z, running, [j] * n)):
                    mass[j][r].append(v - penalty(order))
        top = max(totals)
        log_z = top + math.log(sum(math.exp(t - top) for t in totals))
        share = {j: [sum(math.exp(v - log_z) for v in mass[j][r] if v > -math.inf)
                     for r in range(n)] for j in labels}
    else:
        share = {j: [0.0] * n for j in labels}
        for r in range(n):
            own = [*score[r], NULL_ROW]
            top = max(own)
            weights = [math.exp((v - top) / TEMPERATURE) for v in own]
            for j, w in zip(labels, weights, strict=True):
                share[j][r] = w / sum(weights)
    out = []
    for r in range(n):
        found = [(inits[j] if j is not None else None, round(min(float(share[j][r]), 1.0), 3))
                 for j in labels]
        found.sort(key=lambda c: -c[1])  # stable: ties keep the printed order, None last
        out.append(tuple(found))
    return out


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


def _pair_cells(page: PageLayout) -> tuple[dict[int, InitiativeBlock], list[BodiesBlock],
                                          list[BodiesBlock]]:
    """Pair merged body cells with the initiatives printed beside them in the end block.

    Within a run of initiatives and cells (headings and notes end a run): a cell glued to an
    initiative on one line pairs with it; alternating initiative, cell, initiative, cell pair
    up; k initiatives then k cells (or k cells then initiatives) pair in order. Returns the
    pairs (by id of the cell), the unpaired cells printed right after the rows, and the other
    unpaired cells.
    """
    paired: dict[int, InitiativeBlock] = {}
    runs: list[list[InitiativeBlock | BodiesBlock]] = [[]]
    last_row = max(
        (k for k, b in enumerate(page.blocks) if isinstance(b, RowBlock) and not b.in_end_block),
        default=-1,
    )
    after_rows: list[BodiesBlock] = []
    for block in page.blocks[last_row + 1 :]:
        if not isinstance(block, BodiesBlock):
            break
        after_rows.append(block)
    for block in page.blocks:
        if isinstance(block, InitiativeBlock | BodiesBlock):
            runs[-1].append(block)
        else:
            runs.append([])
    for run in runs:
        for a, b in itertools.pairwise(run):
            glued = isinstance(a, BodiesBlock) and isinstance(b, InitiativeBlock)
            if glued and a.end_line == b.line:
                paired[id(a)] = b
        taken = {id(v) for v in paired.values()}
        rest = [x for x in run if id(x) not in paired and id(x) not in taken]
        kinds = "".join("I" if isinstance(x, InitiativeBlock) else "C" for x in rest)
        inits = [x for x in rest if isinstance(x, InitiativeBlock)]
        cells = [x for x in rest if isinstance(x, BodiesBlock)]
        if kinds and kinds == "IC" * (len(kinds) // 2):
            pairs = list(zip(rest[0::2], rest[1::2], strict=True))
            for init, cell in pairs:
                paired[id(cell)] = init  # type: ignore[assignment]
        elif kinds in ("I" * len(inits) + "C" * len(cells), "C" * len(cells) + "I" * len(inits)):
            if cells and inits and (len(cells) == len(inits) or kinds.startswith("C")):
                for cell, init in zip(cells, inits, strict=False):
                    paired[id(cell)] = init
        else:
            for a, b in itertools.pairwise(rest):
                if isinstance(a, InitiativeBlock) and isinstance(b, BodiesBlock):
                    paired[id(b)] = a
    cells_all = [b for b in page.blocks if isinstance(b, BodiesBlock)]
    unpaired = [c for c in cells_all if id(c) not in paired]
    after = {id(x) for x in after_rows}
    early = [c for c in unpaired if id(c) in after]
    late = [c for c in unpaired if id(c) not in after]
    return paired, early, late


def assign_merged_bodies(
    page: PageLayout, initiatives: list[Assignment]
) -> dict[int, BodiesBlock]:
    """The merged body cell of each row printed without bodies, by row index.

    A cell paired with an initiative (`_pair_cells`) covers that initiative's bare rows. Of the
    other cells, those printed right after the rows fill the last bare runs, last first (a cell
    prints after its group); the rest fill the first bare runs in order. Rows left over share
    the cell of the nearest bare row below them (or above), as a cell can span initiatives.
    """
    rows = page.rows
    bare = [i for i, r in enumerate(rows) if not r.bodies]
    if not bare:
        return {}
    paired, early, late = _pair_cells(page)
    out: dict[int, BodiesBlock] = {}
    for cell in (b for b in page.blocks if isinstance(b, BodiesBlock)):
        init = paired.get(id(cell))
        targets = [i for i in bare if init is not None and initiatives[i].initiative is init]
        for i in targets:
            out.setdefault(i, cell)
        if init is not None and not targets:
            late.append(cell)

    def runs() -> list[list[int]]:
        found: list[list[int]] = []
        for i in bare:
            if i in out:
                continue
            if (found and found[-1][-1] == i - 1
                    and initiatives[i].initiative is initiatives[i - 1].initiative):
                found[-1].append(i)
            else:
                found.append([i])
        return found

    for cell, run in zip(reversed(early), reversed(runs()), strict=False):
        for i in run:
            out[i] = cell
    for cell, run in zip(late, runs(), strict=False):
        for i in run:
            out[i] = cell
    for i in bare:
        if i in out:
            continue
        below = next((j for j in range(i + 1, len(rows)) if j in out), None)
        if below is not None and all(not rows[k].bodies for k in range(i, below)):
            out[i] = out[below]
            continue
        above = next((j for j in range(i - 1, -1, -1) if j in out), None)
        if above is not None and all(not rows[k].bodies for k in range(above, i)):
            out[i] = out[above]
    return out


def nearest_cells(page: PageLayout, placed: dict[int, BodiesBlock]) -> dict[int, BodiesBlock]:
    """The cell of each row printed without bodies that no rule of `assign_merged_bodies`
    placed (`placed`), by row index: the first merged cell printed after the row on its page
    (a merged cell prints in the end block, after the rows it covers), else the last one before.

    A row with no body line has its bodies in a merged cell of its page, so leaving it with
    none is never the right reading; but nothing tied this cell to the row, so the extractor
    marks the row's bodies as unsure (`body_source` "nearest", body confidence 0) and lists the
    row for review. A page without any cell leaves the row without bodies.
    """
    cells = [b for b in page.blocks if isinstance(b, BodiesBlock)]
    out: dict[int, BodiesBlock] = {}
    if not cells:
        return out
    for i, row in enumerate(page.rows):
        if row.bodies or i in placed:
            continue
        after = [c for c in cells if c.line > row.end_line]
        out[i] = after[0] if after else cells[-1]
    return out
