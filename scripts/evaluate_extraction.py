"""Compare the extractor with the hand reading in tests/data/reading/ (the issue's measures).

Usage: scripts/evaluate-extraction [--no-corrections] [--show] [REPORT]
       scripts/evaluate-extraction --modified N [--seed S] [--kinds k,k] [--per-kind]
(the shell wrapper runs this file through the project's .venv).

Also measures how well the review list finds the method's errors (always the method alone,
without corrections): a row is wrong when its initiative, status or bodies differ from the
reading. The curve (share of rows flagged against the share of errors among them, by kind and
overall) is measured leave-one-page-out: for each page, the review score's parameters
(`review.GRID`) and the flag threshold are chosen on the other pages, and that page is flagged
with them (`review.holdout_curve`). Each page's threshold is a share of the other pages' rows,
so the pages together can flag a little more than the target; the list that stays within a
quarter of the rows is printed too (`review.quarter_point`). The list the extractor gives with
its shipped parameters, which were chosen on all pages, is shown beside it, and is not an
honest figure.

`--modified N` measures the shipped list (`flagged_rows`, nothing refitted) on N modified
copies of the bundled report made by `scripts/modify_report.py` (seeds S..S+N-1: pages
dropped, rows swapped, results reworded, quantities and years changed, bullets and body lines
reordered, bodies moved into merged cells), each scored against the hand reading carried to
the copy's rows. This is the out-of-sample figure for the shipped parameters, but only in
part: a copy keeps the bundled report's rows, initiatives and most of its wording.
Printed: per copy its rows, the method's errors by kind, the share flagged and the errors
among them; overall totals with the spread over the copies (min / median / max), and what the
missed rows were on the bundled report (caught by its list, missed there too, or right);
`--per-kind` adds the same for each kind of change made alone.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from welfare_kg.datafiles import normalize  # noqa: E402

TARGETS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)


def norm(s: str | None) -> str:
    return normalize(s or "")


def _reading() -> dict[int, dict]:
    from modify_report import reading_rows

    return {r["line"]: r for r in reading_rows()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("report", nargs="?",
                    default=str(ROOT / "data/izumi-wakuwaku-fy2021-report.txt"))
    ap.add_argument("--no-corrections", action="store_true")
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--modified", type=int, metavar="N",
                    help="measure the shipped review list on N seeded modified copies")
    ap.add_argument("--seed", type=int, default=0, help="first seed of --modified (0)")
    ap.add_argument("--kinds", help="kinds of change for --modified (comma-separated; all)")
    ap.add_argument("--per-kind", action="store_true",
                    help="with --modified: also measure each kind of change alone")
    a = ap.parse_args()
    if a.modified is not None:
        return modified_report(a.modified, a.seed, a.kinds, a.per_kind)
    from welfare_kg.graph.report import extract_report

    ext = extract_report(a.report, corrections=not a.no_corrections)
    truth = _reading()
    got = {r.line: r for r in ext.rows}
    common = sorted(set(truth) & set(got))
    recall = len(common) / len(truth)
    precision = len(common) / len(got)

    def rate(f):
        ok = [ln for ln in common if f(truth[ln], got[ln])]
        bad = [ln for ln in common if ln not in ok]
        return len(ok) / len(common), bad

    def same_list(t, g):
        return [norm(x) for x in t] == [norm(x) for x in g]

    m = {
        "bodies": rate(lambda t, g: sorted(map(norm, t["bodies"])) == sorted(map(norm, g.bodies))),
        "action_plan": rate(lambda t, g: norm(t["action_plan"]) == norm(g.action_plan)),
        "initiative": rate(lambda t, g: norm(t["initiative"]) == norm(g.initiative)),
        "status": rate(lambda t, g: t["status"] == g.status),
        "items": rate(lambda t, g: same_list(t["items"], g.items)),
    }
    print(f"rows: truth {len(truth)} got {len(got)} recall {recall:.3f} precision {precision:.3f}")
    print("  missing:", sorted(set(truth) - set(got)), " extra:", sorted(set(got) - set(truth)))
    for k, (v, bad) in m.items():
        shown = bad if a.show or len(bad) < 40 else f"{len(bad)} lines"
        print(f"{k:12} {v:.3f}  wrong at {shown}")
    review_report(a.report, ext.rows, truth, common)
    if a.show:
        for ln in m["initiative"][1]:
            print(f"--- {ln} {got[ln].items[0][:20]} conf={got[ln].confidence}\n"
                  f"   truth: {truth[ln]['initiative']}\n   got:   {got[ln].initiative}")
        for ln in m["bodies"][1]:
            print(f"--- bodies {ln}: truth {truth[ln]['bodies']} got {got[ln].bodies} "
                  f"({got[ln].body_source})")
        for ln in m["status"][1]:
            print(f"--- status {ln}: truth {truth[ln]['status']} got {got[ln].status}: "
                  f"{got[ln].result[:60]}")
    return 0


def review_report(report, rows, truth, common) -> None:
    """The review list's curve against the reading (see the module docstring)."""
    from welfare_kg.graph.report import flagged_rows
    from welfare_kg.graph.report.review import (
        KINDS,
        REVIEW_SHARE,
        holdout_curve,
        quarter_point,
        ranked_curve,
        reading_errors,
        review_score,
        row_signals,
    )

    method = rows
    if any(r.corrections for r in rows):
        from welfare_kg.graph.report import extract_report
        method = extract_report(report, corrections=False).rows
    errors = reading_errors([r for r in method if r.line in truth], truth)
    kinds = (*KINDS, "any")
    signals = {n: s for n, s in row_signals(report).items() if n in common}
    held, chosen = holdout_curve(signals, errors, TARGETS)
    shipped = ranked_curve({r.line: review_score(r) for r in method if r.line in truth}, errors,
                           TARGETS)
    counts = ", ".join(f"{k} {len(errors[k])}" for k in kinds)
    print(f"review list, method alone: {len(errors['any'])} of {len(common)} rows wrong "
          f"({counts}; 'any' is the union)")
    print("  leave-one-page-out (parameters and threshold chosen on the other pages):")
    print("    target  flagged  " + "  ".join(f"{k:>10}" for k in kinds))

    def line(p) -> str:
        return (f"{p.flagged:7.1%}  " + "  ".join(f"{p.caught[k]:10.0%}" for k in kinds))

    for p in held:
        print(f"    {p.target:6.0%}  {line(p)}")
    quarter = next(p for p in held if p.target == REVIEW_SHARE)
    print(f"    at a quarter, missed: {sorted(quarter.missed)}")
    within = quarter_point(signals, errors)
    caught = len(errors["any"]) - len(within.missed)
    print(f"  within a quarter of the rows (largest target that flags at most {REVIEW_SHARE:.0%}):")
    print(f"    {within.target:6.1%}  {line(within)}   ({len(within.rows)} rows flagged, "
          f"{caught} of {len(errors['any'])} wrong rows; missed {sorted(within.missed)})")
    picked = Counter((c.same, c.run_length, c.status_weight) for c in chosen.values())
    print("    parameters chosen (same, run_length, status_weight: pages): "
          + ", ".join(f"{k}: {v}" for k, v in sorted(picked.items())))
    print("  shipped parameters, lowest share by review score (fitted on these rows):")
    print("    " + "  ".join(f"{p.target:.0%}→{p.caught['any']:.0%}" for p in shipped))
    flagged = {r.line for r in flagged_rows(method)} & set(common)
    held_share = len(errors["any"] & flagged) / max(len(errors["any"]), 1)
    print(f"  flagged_rows (the extractor's list): flags {len(flagged) / len(common):.1%} of "
          f"rows, holds {held_share:.0%} of the wrong ones")


def modified_report(n: int, seed: int, kinds: str | None, per_kind: bool) -> int:
    """The shipped review list on `n` modified copies (see the module docstring)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from modify_report import KINDS

    chosen = tuple(k for k in kinds.split(",") if k) if kinds else KINDS
    if n < 1 or not chosen or set(chosen) - set(KINDS):
        print(f"evaluate-extraction: --modified needs N >= 1 and kinds among {', '.join(KINDS)}",
              file=sys.stderr)
        return 2
    print(f"the shipped review list (flagged_rows) on {n} modified copies, seeds {seed}.."
          f"{seed + n - 1}, method alone, against the hand reading carried to each copy")
    print(f"kinds of change: {', '.join(chosen)}")
    print("  seed  rows  wrong (initiative/status/bodies)  flagged  caught      changes")
    overall = _copies(n, seed, chosen, show=True)
    print("  " + _summary("overall", overall))
    if per_kind:
        print(f"each kind of change alone ({n} copies each):")
        for kind in chosen:
            print("  " + _summary(kind, _copies(n, seed, (kind,), show=False)))
    return 0


def _copies(n: int, seed: int, kinds: tuple[str, ...], show: bool) -> list[dict]:
    """Measure `n` copies made with `kinds`; one dict per copy (rows, errors by kind, caught
    by kind, flagged, unmatched reading rows)."""
    import tempfile

    from modify_report import measure_copy, modify

    bundled = _bundled_list()
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for s in range(seed, seed + n):
            copy = modify(s, kinds)
            m = measure_copy(copy, copy.write(Path(tmp) / f"modified-{s}.txt"))
            missed = Counter(_missed_as(bundled, copy.reading[line]["bundled_line"])
                             for line in m.errors["any"] - m.flagged)
            got = {"rows": m.rows, "flagged": len(m.flagged), "unmatched": len(m.unmatched),
                   **{k: len(e) for k, e in m.errors.items()},
                   **{f"{k}_caught": len(e & m.flagged) for k, e in m.errors.items()},
                   **{f"missed_{k}": missed[k] for k in ("caught", "missed", "new")}}
            out.append(got)
            if show:
                done = ", ".join(f"{k} {len(v)}" for k, v in copy.changes.items() if v)
                wrong = f"{got['any']} ({got['initiative']}/{got['status']}/{got['bodies']})"
                print(f"  {s:4}  {m.rows:4}  {wrong:32}  {got['flagged'] / m.rows:6.1%}  "
                      f"{got['any_caught']:3} {got['any_caught'] / max(got['any'], 1):4.0%}  "
                      f"{done}" + (f"; {got['unmatched']} reading rows not found"
                                   if got["unmatched"] else ""))
    return out


def _bundled_list() -> tuple[set[int], set[int]]:
    """The bundled report's wrong rows (method alone) and the lines its shipped list flags."""
    from welfare_kg.graph.report import extract_report, flagged_rows
    from welfare_kg.graph.report.review import reading_errors

    truth = _reading()
    rows = extract_report(ROOT / "data/izumi-wakuwaku-fy2021-report.txt", corrections=False).rows
    wrong = reading_errors([r for r in rows if r.line in truth], truth)["any"]
    return wrong, {r.line for r in flagged_rows(rows)}


def _missed_as(bundled: tuple[set[int], set[int]], line: int) -> str:
    """What a row missed on a copy was on the bundled report: an error its list caught, an
    error it missed too, or right there (an error the change made)."""
    wrong, flagged = bundled
    return "new" if line not in wrong else "caught" if line in flagged else "missed"


def _summary(name: str, copies: list[dict]) -> str:
    """Totals and spread (min / median / max over the copies) of flagged share and catch."""
    import statistics

    total = {k: sum(c[k] for c in copies) for k in copies[0]}
    flagged = [c["flagged"] / c["rows"] for c in copies]
    caught = [c["any_caught"] / c["any"] if c["any"] else 1.0 for c in copies]

    def spread(xs, fmt):
        return " / ".join(format(f(xs), fmt) for f in (min, statistics.median, max))

    kinds = ", ".join(f"{k} {total[k + '_caught']} of {total[k]}"
                      for k in ("initiative", "status", "bodies"))
    missing = f"; {total['unmatched']} reading rows not found" if total["unmatched"] else ""
    return (f"{name}: {total['rows']} rows, {total['any']} wrong; flagged "
            f"{total['flagged'] / total['rows']:.1%} ({spread(flagged, '.1%')}), caught "
            f"{total['any_caught']} = {total['any_caught'] / max(total['any'], 1):.1%} "
            f"({spread(caught, '.0%')}); by kind of error: {kinds}{missing}\n"
            f"    of the {total['any'] - total['any_caught']} missed: {total['missed_caught']} "
            f"the bundled report's list catches, {total['missed_missed']} it misses too, "
            f"{total['missed_new']} right on the bundled report (errors the changes made)")


if __name__ == "__main__":
    sys.exit(main())
