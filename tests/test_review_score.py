"""The review score and list: confidences made of the segmentation's signals, and the share of
the method's errors the list finds, measured leave-one-page-out against the hand reading."""

from __future__ import annotations

import pytest
from review_fixtures import reading_by_line

from welfare_kg.graph.report.extract import extract_report, segment_pages
from welfare_kg.graph.report.review import (
    GRID,
    REVIEW_SHARE,
    RUN_LENGTH,
    STATUS_WEIGHT,
    Params,
    RowSignals,
    flagged_rows,
    holdout_curve,
    initiative_confidence,
    quarter_point,
    reading_errors,
    row_signals,
)
from welfare_kg.graph.report.segment import REVIEW_SAME, SAME
from welfare_kg.paths import DEFAULT_REPORT


@pytest.fixture(scope="module")
def method_rows():
    return extract_report(DEFAULT_REPORT, corrections=False).rows


def test_row_confidence_is_the_review_share_lowered_for_long_runs(method_rows) -> None:
    got = segment_pages(DEFAULT_REPORT)
    assert all(r.confidence == initiative_confidence(got[r.line].share, got[r.line].length)
               for r in method_rows)
    assert all(0.0 <= r.confidence <= 1.0 for r in method_rows)
    # a row whose run is no longer than the page's rows per initiative keeps its share
    short = [r for r in method_rows if got[r.line].length <= 0]
    assert short and all(r.confidence == got[r.line].share for r in short)
    longer = [r for r in method_rows if got[r.line].length > 0 and 0 < got[r.line].share < 1]
    assert longer and all(r.confidence < got[r.line].share for r in longer)
    # merged-cell bodies are placed by the runs: as sure as the row's initiative
    merged = [r for r in method_rows if r.body_source == "merged"]
    assert merged and all(r.body_confidence == r.confidence for r in merged)


def test_the_shares_body_weight_changes_the_confidence_never_the_answers() -> None:
    own = segment_pages(DEFAULT_REPORT, review_same=SAME)
    shipped = segment_pages(DEFAULT_REPORT, review_same=REVIEW_SAME)
    assert [a.initiative for a in own.values()] == [a.initiative for a in shipped.values()]
    assert [a.confidence for a in own.values()] == [a.confidence for a in shipped.values()]
    assert sum(a.share != b.share for a, b in zip(own.values(), shipped.values(),
                                                   strict=True)) > 100


def test_holdout_flags_a_page_without_its_own_errors() -> None:
    """Changing which rows of a page are wrong never changes that page's flags."""
    signals = {
        n: RowSignals(n, page=n // 10, share={s: (n % 7) / 7 for s in {p.same for p in GRID}},
                      length=(n % 3) / 3, status_confidence=0.9, has_bodies=True)
        for n in range(10, 60)
    }
    base = {"initiative": {11, 23, 35, 47}, "status": set(), "bodies": set()}
    changed = {**base, "initiative": {11, 12, 13, 23, 35, 47}}  # more errors on page 1
    page1 = set(range(10, 20))
    flags = []
    for errors in (base, changed):
        curve, _ = holdout_curve(signals, {**errors, "any": set().union(*errors.values())},
                                 [0.25])
        flags.append(curve[0].rows & page1)
    assert flags[0] == flags[1]


def test_review_list_finds_the_methods_errors_leave_one_page_out(method_rows) -> None:
    """Issue 13: at most a quarter of the rows flagged, holding the method's errors. The
    parameters and threshold for each page are chosen on the other pages only; the floors are
    the measured figures (README), so a change that loses an error fails here."""
    truth = reading_by_line()
    errors = reading_errors([r for r in method_rows if r.line in truth], truth)
    signals = {n: s for n, s in row_signals(DEFAULT_REPORT).items() if n in truth}
    assert len(errors["any"]) >= 40  # the method alone does make errors to find
    # the list that stays within a quarter of the rows (README: 55 rows, 36 of 41 errors)
    within = quarter_point(signals, errors)
    assert within.flagged <= REVIEW_SHARE and within.target <= REVIEW_SHARE
    assert len(errors["any"] - within.missed) >= 36  # measured 36 of 41 (88 %)
    assert within.caught["initiative"] >= 0.9  # measured 36 of 40
    # the quarter target itself (each page cut at a quarter of the other pages' rows)
    curve, chosen = holdout_curve(signals, errors, [REVIEW_SHARE])
    quarter = curve[0]
    assert quarter.flagged <= REVIEW_SHARE + 0.01  # measured 25.6 %: the pages overshoot a little
    assert len(errors["any"] - quarter.missed) >= 36
    # the shipped parameters are what most pages' folds choose: they are not fitted to a page
    shipped = Params(REVIEW_SAME, RUN_LENGTH, STATUS_WEIGHT)
    assert sum(p == shipped for p in chosen.values()) > len(chosen) / 2


def test_ties_between_candidates_go_to_the_neighbouring_list_lengths() -> None:
    """Two candidates that catch the same errors in the lowest quarter of the other pages are
    told apart by the lowest fifth (TIE_SHARES), not by their order in the grid."""
    from welfare_kg.graph.report.review import TIE_SHARES

    assert TIE_SHARES[0] < REVIEW_SHARE
    weak, sharp = Params(0.05, 0.0, 0.0), Params(0.05, 1.0, 0.0)
    # ten pages of twenty rows; rows 0-1 of each page are wrong and sit in long runs. `weak`
    # ranks three right rows of each page below them, `sharp` (the run-length term) above
    # them: both hold every error in the lowest quarter, only `sharp` in the lowest fifth.
    signals = {}
    for page in range(10):
        for k in range(20):
            n = page * 20 + k
            share = 0.3 if k < 2 else 0.2 if k < 5 else 0.9
            signals[n] = RowSignals(n, page, {0.05: share}, 1.0 if k < 2 else 0.0, 0.9, True)
    wrong = {p * 20 + k for p in range(10) for k in (0, 1)}
    errors = {"initiative": wrong, "status": set(), "bodies": set(), "any": wrong}
    _, chosen = holdout_curve(signals, errors, [REVIEW_SHARE], grid=(weak, sharp))
    assert set(chosen.values()) == {sharp}
    _, untied = holdout_curve(signals, errors, [REVIEW_SHARE], grid=(weak, sharp), tie_shares=())
    assert set(untied.values()) == {weak}


def test_the_extractors_review_list(method_rows) -> None:
    """flagged_rows with the shipped parameters (chosen on all pages, so this is the fitted
    figure, not the honest one above): a quarter of the rows, nine in ten errors."""
    truth = reading_by_line()
    errors = reading_errors([r for r in method_rows if r.line in truth], truth)
    flagged = {r.line for r in flagged_rows(method_rows)}
    assert len(flagged) <= REVIEW_SHARE * len(method_rows)
    assert len(flagged & errors["any"]) >= 0.9 * len(errors["any"])
    # worst first: the list is in order of review score
    from welfare_kg.graph.report.review import review_score
    scores = [review_score(r) for r in flagged_rows(method_rows)]
    assert scores == sorted(scores)


def test_rows_without_sure_bodies_score_zero_and_are_always_listed() -> None:
    """A row without bodies, or with a merged cell no rule placed ("nearest"), is never passed
    at initiative confidence 1: it scores 0 and is listed even when the list is full."""
    from welfare_kg.graph.report.records import Row
    from welfare_kg.graph.report.review import has_sure_bodies, review_score

    def row(line: int, bodies: list[str], source: str) -> Row:
        return Row(page=1, line=line, end_line=line, items=[f"item {line}"], result="",
                   bodies=bodies, confidence=1.0, body_source=source, status_confidence=0.95,
                   body_confidence=0.0 if source in ("none", "nearest") else 1.0)

    sure = [row(n, ["総務課"], "own") for n in range(1, 9)]
    unsure = [row(20, [], "none"), row(21, ["総務課"], "nearest"), row(22, [], "none")]
    corrected = row(23, ["総務課"], "correction")
    assert not any(has_sure_bodies(r) for r in unsure)
    assert has_sure_bodies(corrected) and all(has_sure_bodies(r) for r in sure)
    assert [review_score(r) for r in unsure] == [0.0, 0.0, 0.0]
    assert review_score(corrected) > 0.9
    rows = [*sure, *unsure, corrected]  # 12 rows: a quarter is 3
    unsure.append(row(24, [], "none"))  # a fourth: over the quarter, still listed
    rows.append(unsure[-1])
    assert [r.line for r in flagged_rows(rows)] == [20, 21, 22, 24]
