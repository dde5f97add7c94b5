"""Which rows a person should check, and how well that list finds the method's errors.

A row's review score (0..1, lower is less sure) joins its initiative confidence and its status
confidence; rows with no bodies at all, or with a merged cell given by nearness alone, score 0
whatever their initiative confidence (the graph's shapes reject a row without bodies). The
initiative confidence starts from the share of the segmentations that give the row its
initiative (`segment`: `Assignment.share`, body continuity weighed REVIEW_SAME, more than the
answers weigh it) and lowers it, in log-odds, for a row whose run is longer than the page's rows
per initiative (`Assignment.length`): the similarity can be confidently wrong about where a
boundary sits, and then one initiative swallows its neighbour's rows; an unusually long run is
where that shows. Merged-cell bodies are placed by the initiatives' runs, so their confidence is
the row's initiative confidence.

Three parameters (REVIEW_SAME, RUN_LENGTH, STATUS_WEIGHT) were chosen on the FY2021 hand
reading; `holdout_curve` measures the list honestly: for each page, the parameters and the
flag threshold are chosen on the other pages only and that page is flagged with them
(`scripts/evaluate-extraction` prints the curve, a test keeps it from regressing). A fold
chooses the candidate that catches the most errors in the lowest quarter of the other pages'
rows; with about forty errors many candidates tie there, so ties go to the one that catches
more in the lowest fifth, then in the lowest 30 % (TIE_SHARES: the neighbouring list
lengths), and only then to the simplest. Breaking ties by simplicity alone made the choice
hang on one row at the cut.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .records import Row

__all__ = [
    "GRID",
    "KINDS",
    "LOW_CONFIDENCE",
    "REVIEW_SHARE",
    "TIE_SHARES",
    "CurvePoint",
    "Params",
    "RowSignals",
    "flagged_rows",
    "has_sure_bodies",
    "holdout_curve",
    "initiative_confidence",
    "quarter_point",
    "ranked_curve",
    "reading_errors",
    "review_score",
    "row_signals",
]

RUN_LENGTH = 6.0  # log-odds lost per unit of log(run length / rows per initiative) above 0
STATUS_WEIGHT = 0.5  # weight of the status confidence's log-odds beside the initiative's
LOW_CONFIDENCE = 0.6  # a row whose review score is below this is listed for a person to check
REVIEW_SHARE = 0.25  # … but at most this share of the rows, the least sure first
# Measuring (`holdout_curve`): candidates that catch as many errors in the lowest REVIEW_SHARE
# of the other pages' rows are told apart by the errors they catch in these shares, in order.
TIE_SHARES = (0.2, 0.3)
_CLAMP = 1e-3  # probabilities are kept within [_CLAMP, 1 - _CLAMP] before taking log-odds


def _logit(p: float) -> float:
    p = min(max(p, _CLAMP), 1.0 - _CLAMP)
    return math.log(p / (1.0 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def initiative_confidence(share: float, length: float, run_length: float = RUN_LENGTH) -> float:
    """How sure the row's initiative is: its posterior share, lowered in log-odds by
    `run_length` per unit of log(run / rows per initiative) above 0 (see module docstring)."""
    if length <= 0.0 or run_length == 0.0 or share <= 0.0:
        return round(share, 4)
    return round(_sigmoid(_logit(share) - run_length * max(length, 0.0)), 4)


def _joined(confidence: float, status_confidence: float, has_bodies: bool,
            status_weight: float = STATUS_WEIGHT) -> float:
    if not has_bodies:
        return 0.0
    return _sigmoid(_logit(confidence) + status_weight * _logit(status_confidence))


def review_score(row: Row) -> float:
    """How sure the extraction is of a row as a whole (initiative, status, bodies), 0..1.
    Rows below LOW_CONFIDENCE are flagged for review, lowest first. A row without bodies, or
    whose merged cell no rule placed (`body_source` "nearest"), scores 0 however sure its
    initiative is, unless a person said so (its bodies come from a correction)."""
    return round(_joined(row.confidence, row.status_confidence, has_sure_bodies(row)), 4)


def has_sure_bodies(row: Row) -> bool:
    """Whether the row's bodies were read, not guessed: printed with it, placed by a rule, or
    given by a correction (the graph's shapes reject a row without any)."""
    return row.body_source == "correction" or (bool(row.bodies) and row.body_source != "nearest")


def flagged_rows(rows: list[Row]) -> list[Row]:
    """The rows to check by hand, worst first (ties in printed order): those below
    LOW_CONFIDENCE, at most REVIEW_SHARE of all rows, so a reviewer's list stays short; but a
    row without bodies, or with a guessed cell, is always listed (the graph's shapes reject a
    row without bodies, so it must not pass unseen because the list is full)."""
    low = sorted((r for r in rows if review_score(r) < LOW_CONFIDENCE),
                 key=lambda r: (review_score(r), r.line))
    cap = int(REVIEW_SHARE * len(rows))
    return low[:cap] + [r for r in low[cap:] if not has_sure_bodies(r)]


# --------------------------------------------------------------- measuring against a reading

KINDS = ("initiative", "status", "bodies")  # the method's errors the review list must find


def _flat(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def reading_errors(rows: Iterable[Row], reading: Mapping[int, Mapping]) -> dict[str, set[int]]:
    """The lines whose initiative, status or bodies differ from a hand reading (records keyed
    by line, with the same field names as `Row`), by kind, and "any" of them."""
    got = {r.line: r for r in rows}
    common = set(got) & set(reading)
    out: dict[str, set[int]] = {
        "initiative": {n for n in common
                       if _flat(reading[n]["initiative"]) != _flat(got[n].initiative)},
        "status": {n for n in common if reading[n]["status"] != got[n].status},
        "bodies": {n for n in common if sorted(map(_flat, reading[n]["bodies"]))
                   != sorted(map(_flat, got[n].bodies))},
    }
    out["any"] = set().union(*(out[k] for k in KINDS))
    return out


@dataclass(frozen=True)
class Params:
    """The review score's parameters: the posterior share's body-continuity weight
    (REVIEW_SAME), RUN_LENGTH and STATUS_WEIGHT."""

    same: float
    run_length: float
    status_weight: float


# The candidates `holdout_curve` chooses among on the other pages, simplest first (ties go to
# the earlier one): the first is the segmentation's own posterior with the status beside it.
GRID = tuple(Params(s, b, g) for s in (0.05, 0.3, 0.5, 0.8) for b in (0.0, 1.0, 2.0, 4.0, 6.0, 10.0)
             for g in (0.0, 0.5, 1.0))


@dataclass(frozen=True)
class RowSignals:
    """What the review score of one row (method alone) is made of, under several views."""

    line: int
    page: int
    share: Mapping[float, float]  # the posterior share, by body-continuity weight
    length: float
    status_confidence: float
    has_bodies: bool

    def score(self, p: Params) -> float:
        conf = initiative_confidence(self.share[p.same], self.length, p.run_length)
        return round(_joined(conf, self.status_confidence, self.has_bodies, p.status_weight), 4)


def row_signals(report: str | Path, sames: Iterable[float] = sorted({p.same for p in GRID})
                ) -> dict[int, RowSignals]:
    """Each row's signals (method alone, no corrections) under every body-continuity weight
    in `sames`, by line: the inputs `holdout_curve` scores with each of its candidates."""
    from .extract import extract_report, segment_pages

    rows = {r.line: r for r in extract_report(report, corrections=False).rows}
    views = {s: segment_pages(report, review_same=s) for s in sames}
    first = next(iter(views.values()))
    return {
        line: RowSignals(line, rows[line].page, {s: v[line].share for s, v in views.items()},
                         first[line].length, rows[line].status_confidence,
                         has_sure_bodies(rows[line]))
        for line in first if line in rows
    }


@dataclass(frozen=True)
class CurvePoint:
    """Rows flagged at one target share, and the share of each kind of error among them."""

    target: float
    flagged: float  # share of the rows flagged
    caught: Mapping[str, float]  # by kind (KINDS and "any"): share of those errors flagged
    missed: frozenset[int]  # lines with an error (any kind) not flagged
    rows: frozenset[int]  # the lines flagged


def _point(target: float, flagged: set[int], lines: list[int],
           errors: Mapping[str, set[int]]) -> CurvePoint:
    caught = {k: len(flagged & e) / len(e) if e else 1.0 for k, e in errors.items()}
    return CurvePoint(target, len(flagged) / len(lines), caught,
                      frozenset(errors["any"] - flagged), frozenset(flagged))


def _lowest(scores: Mapping[int, float], lines: list[int], share: float) -> set[int]:
    return set(sorted(lines, key=lambda n: (scores[n], n))[: int(share * len(lines))])


def ranked_curve(scores: Mapping[int, float], errors: Mapping[str, set[int]],
                 targets: Iterable[float]) -> list[CurvePoint]:
    """The lowest `target` share of the rows by score, for each target (no split: for scores
    nothing was fitted on, or to show what fitting on the rows scored gives)."""
    lines = sorted(scores)
    return [_point(t, _lowest(scores, lines, t), lines, errors) for t in targets]


def holdout_curve(signals: Mapping[int, RowSignals], errors: Mapping[str, set[int]],
                  targets: Iterable[float], fit_share: float = REVIEW_SHARE,
                  grid: tuple[Params, ...] = GRID, tie_shares: tuple[float, ...] = TIE_SHARES,
                  ) -> tuple[list[CurvePoint], dict[int, Params]]:
    """Leave-one-page-out: for each page, the parameters that catch the most errors (any kind)
    in the lowest `fit_share` of the other pages' rows (ties: the most in each of
    `tie_shares` in turn, then the earliest in `grid`), and for each target the threshold
    below which that share of the other pages' rows falls; the page is flagged with both.
    Nothing about a page's own rows or errors is used to flag it. Returns the curve and the
    parameters chosen for each page."""
    lines = sorted(signals)
    pages = sorted({s.page for s in signals.values()})
    targets = list(targets)
    every = {p: {n: signals[n].score(p) for n in lines} for p in grid}
    flagged: dict[float, set[int]] = {t: set() for t in targets}
    chosen: dict[int, Params] = {}
    for page in pages:
        train = [n for n in lines if signals[n].page != page]
        held = [n for n in lines if signals[n].page == page]
        wrong = errors["any"] & set(train)

        def caught(p: Params, train=train, wrong=wrong) -> tuple[int, ...]:
            return tuple(len(_lowest(every[p], train, share) & wrong)
                         for share in (fit_share, *tie_shares))

        best = max(grid, key=lambda p: (caught(p), -grid.index(p)))
        chosen[page] = best
        ordered = sorted(every[best][n] for n in train)
        for t in targets:
            cut = ordered[min(int(t * len(train)), len(train) - 1)]
            flagged[t] |= {n for n in held if every[best][n] < cut}
    return [_point(t, flagged[t], lines, errors) for t in targets], chosen


def quarter_point(signals: Mapping[int, RowSignals], errors: Mapping[str, set[int]],
                  share: float = REVIEW_SHARE, step: float = 0.005, **kwargs) -> CurvePoint:
    """The held-out list that flags at most `share` of the rows: `holdout_curve` at the
    largest target (`share`, then lower by `step`) whose pages, each flagged with its own
    fold's threshold, add up to no more than `share` of the rows. A page's threshold is a
    share of the other pages' rows, so the pages together can overshoot the target by a few
    rows; which target stays within is read from the flagged counts alone, never from the
    errors."""
    targets = [round(share - k * step, 6) for k in range(int(share / step))]
    points, _ = holdout_curve(signals, errors, targets, **kwargs)
    return next((p for p in points if p.flagged <= share), points[-1])
