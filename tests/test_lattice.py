"""The segmentation lattice (graph/report/lattice.py) gives, to the last bit, what the plain
programme over states gave: the best path and its total, each row's best rival, and the
posterior sums. The plain programme (segment.py before the lattice) is kept here as the
reference and both run on seeded random pages: anchors anywhere, up to five end-block
initiatives, segment scores with many equal values (ties must break the same way)."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from welfare_kg.graph.report.lattice import Lattice, log_sum_exp

UNUSED, TEMP = 0.6, 0.15


def _page(seed: int) -> tuple[int, dict[int, int], list[int], dict, dict]:
    """A random page: rows, anchors (row -> column), free columns, segment scores and what
    the posterior adds to them."""
    rng = random.Random(seed)
    n = rng.randint(1, 12)
    anchored_rows = sorted(rng.sample(range(n), rng.randint(0, min(3, n))))
    anchored = {r: c for c, r in enumerate(anchored_rows)}
    free = list(range(len(anchored), len(anchored) + rng.randint(0, 5 if n <= 6 else 4)))
    coarse = rng.random() < 0.3  # few distinct values: equal totals, ties to break
    seg, bonus = {}, {}
    for a in range(n):
        for b in range(a + 1, n + 1):
            bonus[(a, b)] = rng.uniform(0, 0.2) * (b - a - 1)
            for j in [*anchored.values(), *free, None]:
                seg[(a, b, j)] = (rng.randint(-3, 3) / 4 if coarse
                                  else rng.uniform(-1, 1) * (b - a))
    return n, anchored, free, seg, bonus


class Plain:
    """The plain programme over states (i, k) that the lattice replaced, as it was."""

    def __init__(self, n, anchored, free, seg, review):
        self.n, self.anchored, self.free = n, anchored, free
        self.seg, self.review = seg, review
        self.starts = sorted(anchored)

    def moves(self, order, i, k):
        n, m = self.n, len(order)
        limit = next((s for s in self.starts if s > i), n)
        options = []
        if i in self.anchored:
            options.append((self.anchored[i], k))
        else:
            if k < m:
                options.append((self.free[order[k]], k + 1))
            options.append((None, k))
        return tuple((j, k2, b) for j, k2 in options for b in range(i + 1, limit + 1))

    def solve(self, order):
        n, m = self.n, len(order)
        best = {(0, 0): (0.0, [])}
        for i in range(n):
            for k in range(m + 1):
                if (i, k) not in best:
                    continue
                base, path = best[(i, k)]
                for j, k2, b in self.moves(order, i, k):
                    val = base + self.seg[(i, b, j)]
                    key = (b, k2)
                    if key not in best or val > best[key][0]:
                        best[key] = (val, [*path, (i, b, j)])
        finals = [(v - UNUSED * (m - k), p) for (i, k), (v, p) in best.items() if i == n]
        return max(finals, key=lambda x: x[0], default=(-math.inf, []))

    def rivals(self, order, labels):
        n, m = self.n, len(order)
        fwd = {(0, 0): 0.0}
        for i in range(n):
            for k in range(m + 1):
                if (i, k) in fwd:
                    for j, k2, b in self.moves(order, i, k):
                        val = fwd[(i, k)] + self.seg[(i, b, j)]
                        if (b, k2) not in fwd or val > fwd[(b, k2)]:
                            fwd[(b, k2)] = val
        bwd = {(n, k): -UNUSED * (m - k) for k in range(m + 1)}
        for i in range(n - 1, -1, -1):
            for k in range(m + 1):
                bwd[(i, k)] = max(self.seg[(i, b, j)] + bwd[(b, k2)]
                                  for j, k2, b in self.moves(order, i, k))
        out = [-math.inf] * n
        for (i, k), base in fwd.items():
            if i == n:
                continue
            for j, k2, b in self.moves(order, i, k):
                val = base + self.seg[(i, b, j)] + bwd[(b, k2)]
                for r in range(i, b):
                    if j != labels[r] and val > out[r]:
                        out[r] = val
        return out

    def posterior(self, order, wanted):
        n, m, temp = self.n, len(order), TEMP

        def seg(i, b, j):
            return self.review[(i, b, j)]

        def lse(values):
            top = max(values)
            if top == -math.inf:
                return top
            return top + math.log(sum(math.exp(v - top) for v in values))

        fwd = {(0, 0): [0.0]}
        done = {}
        for i in range(n):
            for k in range(m + 1):
                if (i, k) in fwd:
                    done[(i, k)] = here = lse(fwd[(i, k)])
                    for j, k2, b in self.moves(order, i, k):
                        fwd.setdefault((b, k2), []).append(here + seg(i, b, j) / temp)
        bwd = {(n, k): -UNUSED * (m - k) / temp for k in range(m + 1)}
        for i in range(n - 1, -1, -1):
            for k in range(m + 1):
                bwd[(i, k)] = lse([seg(i, b, j) / temp + bwd[(b, k2)]
                                   for j, k2, b in self.moves(order, i, k)])
        total = bwd[(0, 0)]
        diff = {}
        for (i, k), base in done.items():
            for j, k2, b in self.moves(order, i, k):
                if j not in wanted:
                    continue
                w = math.exp(base + seg(i, b, j) / temp + bwd[(b, k2)] - total)
                d = diff.get(j)
                if d is None:
                    d = diff[j] = [0.0] * (n + 1)
                d[i] += w
                d[b] -= w
        running = {}
        for j, d in diff.items():
            acc, out = 0.0, []
            for r in range(n):
                acc += d[r]
                out.append(acc)
            running[j] = out
        return total, running


def _orders(free: list[int]) -> list[tuple[int, ...]]:
    return list(itertools.permutations(range(len(free))))


def _penalty(order: tuple[int, ...]) -> float:
    return 0.3 * sum(1 for a, b in itertools.combinations(order, 2) if a > b)


@pytest.mark.parametrize("seed", range(60))
def test_the_lattice_gives_the_plain_programmes_numbers_bit_for_bit(seed: int) -> None:
    n, anchored, free, seg, bonus = _page(seed)
    review = {(a, b, j): v + bonus[(a, b)] for (a, b, j), v in seg.items()}
    plain = Plain(n, anchored, free, seg, review)
    lattice = Lattice(n, anchored, free, lambda a, b, j: seg[(a, b, j)],
                      lambda a, b: bonus[(a, b)], TEMP, UNUSED)
    every = {*anchored.values(), *free, None}
    orders = _orders(free)
    best = (-math.inf, [])
    for order in orders:
        total, path = plain.solve(order)
        assert lattice.best(order) == total
        assert lattice.best_path(order) == path
        if total - _penalty(order) > best[0]:
            best = (total - _penalty(order), path)
        labels = [j for a, b, j in path for _ in range(a, b)]
        for wanted in (set(labels), every):
            assert lattice.posterior(order, wanted) == plain.posterior(order, wanted)
    rng = random.Random(seed)
    chosen = [j for a, b, j in best[1] for _ in range(a, b)]
    for labels in (chosen, [rng.choice([*every]) for _ in range(n)]):
        rivals = [max(plain.rivals(order, labels)[r] - _penalty(order) for order in orders)
                  for r in range(n)]
        assert lattice.rivals(orders, labels, _penalty) == rivals


def test_ties_are_exercised() -> None:
    """The coarse pages give equal totals somewhere, so the tie-breaking is tested."""
    tied = 0
    for seed in range(60):
        n, anchored, free, seg, _ = _page(seed)
        plain = Plain(n, anchored, free, seg, seg)
        totals = [plain.solve(order)[0] for order in _orders(free)]
        tied += len(totals) != len(set(totals))
    assert tied >= 3


def test_log_sum_exp_sums_in_list_order() -> None:
    values = [0.1, -30.0, 2.5, -math.inf, 1e-3]
    top = max(values)
    assert log_sum_exp(values) == top + math.log(sum(math.exp(v - top) for v in values))
    assert log_sum_exp([-math.inf, -math.inf]) == -math.inf
