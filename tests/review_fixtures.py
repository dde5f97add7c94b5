"""A modified copy of the bundled report for the review loop (rows moved, a page dropped,
results reworded), generated from the bundled text and its hand reading, never checked in;
and the hand reading keyed by a row's plan items, which survive those changes.

The seeded generator of many kinds of change is `scripts/modify_report.py` (shared with
`scripts/evaluate-extraction --modified`); this fixed copy is the one the browser test walks
through, and its reading helpers come from there."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from welfare_kg.paths import DEFAULT_REPORT

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from modify_report import ModifiedReport, modify, reading_rows, row_keys

__all__ = ["modified_copy", "modified_report", "reading_by_items", "reading_by_line", "row_keys"]


def modified_copy(seed: int) -> ModifiedReport:
    """A seeded copy with every kind of change and the reading carried to its lines."""
    return modify(seed)


def reading_by_line() -> dict[int, dict]:
    """The hand reading's rows by the line of their first plan bullet."""
    return {r["line"]: r for r in reading_rows()}


def reading_by_items() -> dict[tuple[str, int], dict]:
    """The hand reading's rows by `row_keys` (moving rows within a page and dropping a page
    keep them: the rows printed twice with the same items stay in their order)."""
    rows = reading_rows()
    return dict(zip(row_keys([r["items"] for r in rows]), rows, strict=True))


def modified_report(folder: Path) -> tuple[Path, dict]:
    """Write the modified copy into `folder`; returns its path and what was changed.

    * a page dropped: the middle page that has rows;
    * rows moved: on two other pages, the first two neighbouring rows with their own body
      lines that the reading gives the same initiative swap places (so the reading still
      holds for both);
    * results reworded: plain past endings made polite (した。 → しました。) outside plan
      bullets, which keeps each result's meaning and so its status in the reading.
    """
    from welfare_kg.graph.report import extract_report

    lines = DEFAULT_REPORT.read_text(encoding="utf-8").split("\n")
    extraction = extract_report(DEFAULT_REPORT, corrections=False)
    truth = reading_by_items()
    key = dict(zip((r.line for r in extraction.rows),
                   row_keys([r.items for r in extraction.rows]), strict=True))
    with_rows = [p for p in extraction.pages if any(r.page == p.number for r in extraction.rows)]
    dropped = with_rows[len(with_rows) // 2]
    moved: list[tuple[int, int]] = []
    for page in with_rows:
        if page is dropped or len(moved) == 2 or page.number % 2:
            continue
        rows = [r for r in extraction.rows if r.page == page.number]
        for a, b in itertools.pairwise(rows):
            ta, tb = truth.get(key[a.line]), truth.get(key[b.line])
            if (a.body_source == b.body_source == "own" and ta and tb
                    and ta["initiative"] == tb["initiative"]
                    and all(not lines[k - 1].strip() for k in range(a.end_line + 1, b.line))):
                moved.append((a.line, b.line))
                block_a = lines[a.line - 1:a.end_line]
                gap = lines[a.end_line:b.line - 1]
                block_b = lines[b.line - 1:b.end_line]
                lines[a.line - 1:b.end_line] = block_b + gap + block_a
                break
    reworded = 0
    for k, text in enumerate(lines):
        if text.lstrip(" 　").startswith("・") or "した。" not in text:
            continue
        lines[k] = text.replace("した。", "しました。")
        reworded += 1
    lines[dropped.first_line - 1:dropped.last_line] = []
    path = folder / "izumi-modified-report.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, {"dropped_page": dropped.number, "moved": moved, "reworded": reworded,
                  "dropped_rows": [r.line for r in extraction.rows if r.page == dropped.number]}
