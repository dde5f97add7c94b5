"""The segmentations of a page's rows as paths through a lattice: the sums `segment` needs.

A state (i, k) says "the rows before i are covered, k end-block initiatives are used"; a move
is one segment, rows i..b-1 under one label (an initiative column, or None for no initiative).
At an anchored row the only move is its anchor's initiative; at another row, the next end-block
initiative of the order (k + 1) or no initiative (k); no segment runs past the next anchor.
For one order of the end-block initiatives, `segment` asks for the best path (max-plus), each
row's best path giving it another label (`rivals`), and the sums over all paths weighted
exp(score / temperature) (`posterior`).

Why a lattice of columns: column k's forward values depend only on the first k initiatives of
the order and its backward values only on the rest, so orders that share a prefix (suffix)
share those columns, computed once per page. Segment scores are tabled once per page. Each
value is made by the same floating-point expression, with its additions in the same order, as
the plain programme over states that this replaced (kept in tests/test_lattice.py as the
reference), so answers, confidences and shares are the same to the last bit: maxima are taken
in another order (a maximum does not depend on it), a sum may gain terms of exp(-inf), exact
zeros, and the rivals skip states that cannot raise any maximum.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import reduce
from itertools import accumulate, repeat
from operator import add, sub
from typing import NamedTuple

__all__ = ["Lattice", "log_sum_exp"]

Label = int | None  # an initiative column, or None: the rows have no initiative
Order = tuple[int, ...]  # the end-block initiatives (indices into `free`) in path order
Path = list[tuple[int, int, Label]]  # segments (first row, end row, label)
_NEG = -math.inf


def log_sum_exp(values: list[float]) -> float:
    """log(sum(exp(v))), summed in the list's order (the order is part of the last bit)."""
    top = max(values)
    if top == _NEG:
        return top
    return top + math.log(sum(map(math.exp, map(sub, values, repeat(top)))))


class _Kind(NamedTuple):
    """One of the lattice's two programmes: its segment table, how it joins the ways into a
    state, and its memoised columns."""

    table: dict[Label, list[list[float]]]  # [label][start row]: by end row
    join: Callable[[list[float]], float]
    per_temp: bool  # the end values are divided by the temperature (the posterior)
    # The table by end row: [end row] by start row lo[b]..b-1, for the label a row takes in
    # its own column (`own`), and [label][end row] for a step to the next column (-inf at an
    # anchored row, which cannot take it: a way that adds nothing to a max or a sum).
    into_own: list[list[float]]
    into: dict[Label, list[list[float]]]
    forward: dict[Order, list[float]]
    backward: dict[Order, list[float]]


class Lattice:
    """One page's segmentation lattice: segment tables, and memoised columns per order prefix
    (forward) and suffix (backward), for the best path (max) and the posterior (log-sum-exp)."""

    def __init__(self, n: int, anchored: dict[int, int], free: list[int],
                 seg: Callable[[int, int, Label], float], bonus: Callable[[int, int], float],
                 temp: float, unused: float) -> None:
        """`anchored`: row -> initiative column of its anchor; `free`: the end-block
        initiatives' columns; `seg`: a segment's score for the best path and rivals; the
        posterior scores a segment (a, b) `seg` + `bonus(a, b)`, over `temp`; `unused`: cost
        of an unused end-block initiative."""
        self.n, self.anchored, self.free = n, anchored, free
        self.m, self.temp, self.unused = len(free), temp, unused
        starts = sorted(anchored)
        # limit[i]: the last end row of a segment from row i (the next anchor, or the page end)
        self.limit = [next((s for s in starts if s > i), n) for i in range(n)]
        # lo[b]: the first row a segment ending at row b can start at
        self.lo = [max((s for s in starts if s < b), default=0) for b in range(n + 1)]
        # own[i]: the label of a move from row i that uses no end-block initiative
        self.own: list[Label] = [anchored.get(i) for i in range(n)]
        labels: set[Label] = {*anchored.values(), *free, None}
        # table[j][i]: scores of the segments (i, b, j) for b = i+1..limit[i] (the posterior's
        # over temp), made only for the labels a move from row i can take.
        gain: dict[Label, list[list[float]]] = {j: [[] for _ in range(n)] for j in labels}
        rgain: dict[Label, list[list[float]]] = {j: [[] for _ in range(n)] for j in labels}
        for i in range(n):
            ends = range(i + 1, self.limit[i] + 1)
            extra = [bonus(i, b) for b in ends]
            for j in ([anchored[i]] if i in anchored else [*free, None]):
                gain[j][i] = [seg(i, b, j) for b in ends]
                rgain[j][i] = [(g + x) / temp for g, x in zip(gain[j][i], extra, strict=True)]
        self.best_kind = self._kind(gain, max, False)
        self.sum_kind = self._kind(rgain, log_sum_exp, True)

    def _kind(self, table: dict[Label, list[list[float]]], join: Callable[[list[float]], float],
              per_temp: bool) -> _Kind:
        """A programme over `table`, with the table turned by end row for the forward pass."""
        n, lo, anchored = self.n, self.lo, self.anchored
        into_own = [[]] + [[table[self.own[i]][i][b - i - 1] for i in range(lo[b], b)]
                           for b in range(1, n + 1)]
        into = {j: [[]] + [[_NEG if i in anchored else table[j][i][b - i - 1]
                            for i in range(lo[b], b)] for b in range(1, n + 1)]
                for j in self.free}
        return _Kind(table, join, per_temp, into_own, into, {}, {})

    def _options(self, i: int, k: int, following: Order) -> list[tuple[Label, int]]:
        """The moves' labels from state (i, k), `following` the initiatives not yet used,
        with the column each leads to, in the order the plain programme tried them (the
        posterior's sums keep that order)."""
        if i in self.anchored:
            return [(self.anchored[i], k)]
        if following:
            return [(self.free[following[0]], k + 1), (None, k)]
        return [(None, k)]

    def _sources(self, b: int, k: int, prefix: Order) -> list[tuple[int, int, Label]]:
        """The moves into (b, k) as (start row, its column, label), in the order the plain
        programme made them: start rows ascending, column k - 1 before column k."""
        out: list[tuple[int, int, Label]] = []
        entry = self.free[prefix[-1]] if k else None
        for i in range(self.lo[b], b):
            if i in self.anchored:
                out.append((i, k, self.anchored[i]))
            else:
                if k:
                    out.append((i, k - 1, entry))
                out.append((i, k, None))
        return out

    def forward(self, prefix: Order, kind: _Kind) -> list[float]:
        """Per row i, the ways from the start to (i, len(prefix)) joined (-inf: none).

        The ways into a state are collected in the order the plain programme pushed them
        (start rows ascending, column k - 1 before column k), so sums keep their order; the
        posterior needs rows before the end only.
        """
        found = kind.forward.get(prefix)
        if found is not None:
            return found
        k, n = len(prefix), self.n
        before = self.forward(prefix[:-1], kind) if k else None
        entry = kind.into[self.free[prefix[-1]]] if k else None
        value = [_NEG] * (n + 1)
        if not k:
            value[0] = kind.join([0.0])
        for b in range(1, n if kind.per_temp else n + 1):
            lo = self.lo[b]
            mine = map(add, value[lo:b], kind.into_own[b])
            if entry is None:
                value[b] = kind.join(list(mine))
                continue
            terms = [_NEG] * (2 * (b - lo))  # start rows ascending, column k - 1 first
            terms[0::2] = map(add, before[lo:b], entry[b])  # type: ignore[index]
            terms[1::2] = mine
            value[b] = kind.join(terms)
        kind.forward[prefix] = value
        return value

    def backward(self, suffix: Order, kind: _Kind) -> list[float]:
        """Per row i, the ways from (i, m - len(suffix)) to the end joined, unused
        initiatives charged; the terms in the order the plain programme listed the moves."""
        found = kind.backward.get(suffix)
        if found is not None:
            return found
        n, k, table = self.n, self.m - len(suffix), kind.table
        value = [_NEG] * (n + 1)
        value[n] = -self.unused * (self.m - k)
        if kind.per_temp:
            value[n] /= self.temp
        after = self.backward(suffix[1:], kind) if suffix else None
        entry = table[self.free[suffix[0]]] if suffix else None
        for i in range(n - 1, -1, -1):
            end = self.limit[i] + 1
            terms = list(map(add, table[self.own[i]][i], value[i + 1:end]))
            if entry is not None and i not in self.anchored:
                terms = list(map(add, entry[i], after[i + 1:end])) + terms  # type: ignore[index]
            value[i] = kind.join(terms)
        kind.backward[suffix] = value
        return value

    # The best path ------------------------------------------------------------------------

    def _final(self, order: Order) -> tuple[float, int]:
        """The best path's total (unused initiatives charged) and the column it ends in; of
        equal totals, the end state the plain programme reached first."""
        n, m = self.n, self.m
        finals = []
        for k in range(m + 1):
            value = self.forward(order[:k], self.best_kind)
            if value[n] != _NEG:
                finals.append((value[n] - self.unused * (m - k), k))
        total = max(v for v, _ in finals)
        tied = [k for v, k in finals if v == total]
        if len(tied) == 1:
            return total, tied[0]
        return total, min(tied, key=lambda k: self._first_move(k, order))

    def _first_move(self, k: int, order: Order) -> tuple[int, int, int]:
        """When the plain programme first reached (n, k): its start state, then its move
        (the next initiative before no initiative)."""
        for i, kk, _ in self._sources(self.n, k, order[:k]):
            if self.forward(order[:kk], self.best_kind)[i] != _NEG:
                return (i, kk, 0 if kk != k else 1)
        raise AssertionError("an end state reached by no move")  # pragma: no cover

    def best(self, order: Order) -> float:
        """The best path's total in this order."""
        return self._final(order)[0]

    def best_path(self, order: Order) -> Path:
        """The best path's segments, each state entered by the first move (in the plain
        programme's order) that reaches its best value."""
        b, k = self.n, self._final(order)[1]
        path: Path = []
        while b:
            top, arg = _NEG, None
            for i, kk, j in self._sources(b, k, order[:k]):
                base = self.forward(order[:kk], self.best_kind)[i]
                if base != _NEG:
                    val = base + self.best_kind.table[j][i][b - i - 1]
                    if arg is None or val > top:
                        top, arg = val, (i, kk, j)
            i, k, j = arg  # type: ignore[misc]
            path.append((i, b, j))
            b = i
        return path[::-1]

    def rivals(self, orders: list[Order], labels: list[Label],
               penalty: Callable[[Order], float]) -> list[float]:
        """Per row r, the best total, less its order's penalty, of a path giving r any label
        but labels[r]: the best of the segments covering r with another label, each with
        its best way from the start and on to the end. A segment's rows take the best of the
        segments from its start that end no sooner (a maximum, whatever its order).

        Orders go best first; a state whose best path (less the penalty) falls short of the
        rival every row it can reach already has cannot give any row a better one, so its
        moves are skipped. The margin allows for the bound adding in another order (far
        above the rounding of sums this size); skipping changes no maximum.
        """
        n, rival = self.n, [_NEG] * self.n
        for order in sorted(orders, key=lambda o: -(self.best(o) - penalty(o))):
            cost = penalty(order)
            low = [min(rival[i:self.limit[i]]) for i in range(n)]
            for r, top in enumerate(self._rivals(order, labels, cost, low)):
                rival[r] = max(rival[r], top - cost)
        return rival

    def _rivals(self, order: Order, labels: list[Label], cost: float,
                low: list[float]) -> list[float]:
        """`rivals` for one order (before its penalty), skipping the states that cannot beat
        `low` (per start row: the least rival among the rows its segments can cover)."""
        n, kind = self.n, self.best_kind
        ahead = [self.backward(order[k:], kind) for k in range(self.m + 1)]
        out = [_NEG] * n
        for k in range(self.m + 1):
            value, best_on = self.forward(order[:k], kind), ahead[k]
            for i in range(n):
                base = value[i]
                if base == _NEG:
                    continue
                bound = base + best_on[i] - cost
                if bound + 1e-9 * (1.0 + abs(bound)) < low[i]:
                    continue
                for j, k2 in self._options(i, k, order[k:]):
                    gains, after = kind.table[j][i], ahead[k2]
                    top = _NEG
                    for r in range(i + len(gains) - 1, i - 1, -1):
                        v = base + gains[r - i] + after[r + 1]
                        if v > top:
                            top = v
                        if top > out[r] and j != labels[r]:
                            out[r] = top
        return out

    # The posterior ------------------------------------------------------------------------

    def posterior(self, order: Order, wanted: set[Label]) -> tuple[float, dict[Label, list[float]]]:
        """log of the summed weights of all paths in this order, and per wanted label the
        share (relative to that total) of the paths giving it to each row.

        Each move's weight is added to the rows it covers through a difference array per
        label, in the plain programme's order of moves (its additions are kept in order).
        """
        n, kind, columns = self.n, self.sum_kind, range(self.m + 1)
        done = [self.forward(order[:k], kind) for k in columns]
        tails = [self.backward(order[k:], kind) for k in columns]
        total = tails[0][0]
        diff: dict[Label, list[float]] = {}
        for i in range(n):
            for k in columns:
                base = done[k][i]
                if base == _NEG:
                    continue
                for j, k2 in self._options(i, k, order[k:]):
                    if j not in wanted:
                        continue
                    ahead = tails[k2]
                    gains = kind.table[j][i]
                    end = i + 1 + len(gains)
                    exponents = [base + g + a - total
                                 for g, a in zip(gains, ahead[i + 1:end], strict=True)]
                    weights = list(map(math.exp, exponents))
                    d = diff.get(j)
                    if d is None:
                        d = diff[j] = [0.0] * (n + 1)
                    d[i] = reduce(add, weights, d[i])
                    d[i + 1:end] = map(sub, d[i + 1:end], weights)
        running = {j: list(accumulate(d[:n], add, initial=0.0))[1:] for j, d in diff.items()}
        return total, running

