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
reference), so answers, confidences and shares are the same to the last bit; only maxima are
taken in another order, and a maximum does not depend on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import reduce
from itertools import accumulate
from operator import add

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
    return top + math.log(sum(map(math.exp, [v - top for v in values])))


class Lattice:
    """One page's segmentation lattice: segment tables, and memoised columns per order prefix
    (forward) and suffix (backward)."""

    def __init__(self, n: int, anchored: dict[int, int], free: list[int],
                 seg: Callable[[int, int, Label], float],
                 review: Callable[[int, int, Label], float], temp: float, unused: float) -> None:
        """`anchored`: row -> initiative column of its anchor; `free`: the end-block
        initiatives' columns; `seg`/`review`: a segment's score for the best path and rivals,
        and for the posterior (divided by `temp` here); `unused`: cost of an unused end-block
        initiative."""
        self.n, self.anchored, self.free = n, anchored, free
        self.m, self.temp, self.unused = len(free), temp, unused
        starts = sorted(anchored)
        # limit[i]: the last end row of a segment from row i (the next anchor, or the page end)
        self.limit = [next((s for s in starts if s > i), n) for i in range(n)]
        # lo[b]: the first row a segment ending at row b can start at
        self.lo = [max((s for s in starts if s < b), default=0) for b in range(n + 1)]
        labels: set[Label] = set(anchored.values())
        if len(anchored) < n:
            labels |= {*free, None}
        # gain[j][i]: scores of the segments (i, b, j) for b = i+1..limit[i], and rgain the
        # posterior's, over temp; tabled only for the labels a move from row i can take.
        self.gain: dict[Label, list[list[float]]] = {j: [[] for _ in range(n)] for j in labels}
        self.rgain: dict[Label, list[list[float]]] = {j: [[] for _ in range(n)] for j in labels}
        for i in range(n):
            for j in ([anchored[i]] if i in anchored else [*free, None]):
                ends = range(i + 1, self.limit[i] + 1)
                self.gain[j][i] = [seg(i, b, j) for b in ends]
                self.rgain[j][i] = [review(i, b, j) / temp for b in ends]
        self._best: dict[Order, tuple[list[float], list]] = {}
        self._ends: dict[Order, list[float]] = {}
        self._sums: dict[Order, list[float]] = {}
        self._tails: dict[Order, list[float]] = {}

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

    # The best path (max-plus) ------------------------------------------------------------

    def best_column(self, prefix: Order) -> tuple[list[float], list]:
        """Best score reaching (i, len(prefix)) for every row i (-inf: unreachable), with the
        move that first reached that score (the plain programme kept the first of equals)."""
        found = self._best.get(prefix)
        if found is not None:
            return found
        k, n = len(prefix), self.n
        before = self.best_column(prefix[:-1])[0] if k else None
        value = [_NEG] * (n + 1)
        back: list = [None] * (n + 1)
        if not k:
            value[0] = 0.0
        for b in range(1, n + 1):
            top, arg = _NEG, None
            for i, kk, j in self._sources(b, k, prefix):
                base = before[i] if kk != k else value[i]  # type: ignore[index]
                if base == _NEG:
                    continue
                val = base + self.gain[j][i][b - i - 1]
                if arg is None or val > top:
                    top, arg = val, (i, kk, j)
            value[b], back[b] = top, arg
        self._best[prefix] = (value, back)
        return value, back

    def best(self, order: Order) -> tuple[float, Path]:
        """The best path's score (unused initiatives charged) and its segments."""
        n, m = self.n, self.m
        finals = []  # (order the end state was first reached in, score, column)
        for k in range(m + 1):
            value = self.best_column(order[:k])[0]
            if value[n] == _NEG:
                continue
            finals.append((self._first_move(k, order), value[n] - self.unused * (m - k), k))
        if not finals:
            return _NEG, []
        finals.sort(key=lambda f: f[0])
        _, total, k = max(finals, key=lambda f: f[1])
        path: Path = []
        b = n
        while b:
            i, kk, j = self.best_column(order[:k])[1][b]
            path.append((i, b, j))
            b, k = i, kk
        return total, path[::-1]

    def _first_move(self, k: int, order: Order) -> tuple[int, int, int]:
        """When the plain programme first reached (n, k): its start state, then its move
        (the next initiative before no initiative). Equal best totals keep the first."""
        for i, kk, _ in self._sources(self.n, k, order[:k]):
            if self.best_column(order[:kk])[0][i] != _NEG:
                return (i, kk, 0 if kk != k else 1)
        raise AssertionError("an end state reached by no move")  # pragma: no cover

    # Rivals: the best path avoiding each row's label ----------------------------------------

    def best_to_end(self, suffix: Order) -> list[float]:
        """Best score from (i, m - len(suffix)) to the end, unused initiatives included."""
        found = self._ends.get(suffix)
        if found is not None:
            return found
        n, k = self.n, self.m - len(suffix)
        value = [_NEG] * (n + 1)
        value[n] = -self.unused * (self.m - k)
        after = self.best_to_end(suffix[1:]) if suffix else None
        for i in range(n - 1, -1, -1):
            top = _NEG
            for j, k2 in self._options(i, k, suffix):
                ahead = value if k2 == k else after
                for b, g in enumerate(self.gain[j][i], i + 1):
                    v = g + ahead[b]  # type: ignore[index]
                    if v > top:
                        top = v
            value[i] = top
        self._ends[suffix] = value
        return value

    def rivals(self, order: Order, labels: list[Label]) -> list[float]:
        """Per row r, the best total of a path (in this order) giving r any label but
        labels[r]: the best of the segments covering r with another label, each with the best
        way to its start and from its end."""
        n = self.n
        out = [_NEG] * n
        for k in range(self.m + 1):
            value = self.best_column(order[:k])[0]
            for i in range(n):
                base = value[i]
                if base == _NEG:
                    continue
                for j, k2 in self._options(i, k, order[k:]):
                    ahead = self.best_to_end(order[k2:])
                    top = _NEG  # best segment (i, b', j) with b' >= b, for row b - 1
                    gains = self.gain[j][i]
                    for b in range(i + len(gains), i, -1):
                        v = base + gains[b - i - 1] + ahead[b]
                        if v > top:
                            top = v
                        if j != labels[b - 1] and top > out[b - 1]:
                            out[b - 1] = top
        return out

    # The posterior: sums over all paths ---------------------------------------------------

    def sum_column(self, prefix: Order) -> list[float]:
        """log of the summed weights of the paths reaching (i, len(prefix)), rows i < n."""
        found = self._sums.get(prefix)
        if found is not None:
            return found
        k, n = len(prefix), self.n
        before = self.sum_column(prefix[:-1]) if k else None
        done = [_NEG] * n
        if not k:
            done[0] = log_sum_exp([0.0])
        for b in range(1, n):
            terms = []
            for i, kk, j in self._sources(b, k, prefix):
                base = before[i] if kk != k else done[i]  # type: ignore[index]
                if base != _NEG:
                    terms.append(base + self.rgain[j][i][b - i - 1])
            if terms:
                done[b] = log_sum_exp(terms)
        self._sums[prefix] = done
        return done

    def sum_to_end(self, suffix: Order) -> list[float]:
        """log of the summed weights of the paths from (i, m - len(suffix)) to the end."""
        found = self._tails.get(suffix)
        if found is not None:
            return found
        n, k = self.n, self.m - len(suffix)
        value = [_NEG] * (n + 1)
        value[n] = -self.unused * (self.m - k) / self.temp
        after = self.sum_to_end(suffix[1:]) if suffix else None
        for i in range(n - 1, -1, -1):
            terms = []
            for j, k2 in self._options(i, k, suffix):
                ahead = value if k2 == k else after
                terms += [g + ahead[b] for b, g in  # type: ignore[index]
                          enumerate(self.rgain[j][i], i + 1)]
            value[i] = log_sum_exp(terms)
        self._tails[suffix] = value
        return value

    def posterior(self, order: Order, wanted: set[Label]) -> tuple[float, dict[Label, list[float]]]:
        """log of the summed weights of all paths in this order, and per wanted label the
        share (relative to that total) of the paths giving it to each row.

        Each move's weight is added to the rows it covers through a difference array per
        label, in the plain programme's order of moves (its additions are kept in order).
        """
        n = self.n
        total = self.sum_to_end(order)[0]
        diff: dict[Label, list[float]] = {}
        for i in range(n):
            for k in range(self.m + 1):
                base = self.sum_column(order[:k])[i]
                if base == _NEG:
                    continue
                for j, k2 in self._options(i, k, order[k:]):
                    if j not in wanted:
                        continue
                    ahead = self.sum_to_end(order[k2:])
                    weights = [math.exp(base + g + ahead[b] - total)
                               for b, g in enumerate(self.rgain[j][i], i + 1)]
                    d = diff.get(j)
                    if d is None:
                        d = diff[j] = [0.0] * (n + 1)
                    d[i] = reduce(add, weights, d[i])
                    end = i + 1 + len(weights)
                    d[i + 1:end] = [x - w for x, w in zip(d[i + 1:end], weights, strict=True)]
        running = {j: list(accumulate(d[:n], add, initial=0.0))[1:] for j, d in diff.items()}
        return total, running
