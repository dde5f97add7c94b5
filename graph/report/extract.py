"""Extraction: from a report's text to typed records (rows with initiative, bodies, status …).

    text ─► layout (pages, blocks) ─► segment (initiatives, headings, merged bodies)
         ─► outcomes (status, quantities, partners) ─► corrections ─► Extraction
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from welfare_kg.errors import ReportFormatError
from welfare_kg.fileio import write_text
from welfare_kg.paths import DATA_DIR

from .bodies import load_bodies, load_partners
from .corrections import (
    Correction,
    apply_corrections,
    corrections_for,
    find_corrections,
    load_corrections,
    unmatched_corrections,
)
from .format import load_layout
from .outcomes import (
    find_partners,
    find_quantities,
    judge_status_rule,
    judge_status_with_confidence,
)
from .outline import load_outline, pillar_of_groups
from .pages import (
    BodiesBlock,
    HeadingBlock,
    InitiativeBlock,
    NoteBlock,
    PageLayout,
    RowBlock,
    parse_report,
    read_source,
    repeated_pages,
)
from .records import ActionPlan, Candidates, Extraction, Initiative, Page, Row
from .review import LOW_CONFIDENCE, REVIEW_SHARE, flagged_rows, initiative_confidence, review_score
from .segment import (
    REVIEW_SAME,
    Assignment,
    assign_headings,
    assign_initiatives,
    assign_merged_bodies,
    initiative_candidates,
    nearest_cells,
)
from .similarity import Similarity

__all__ = [
    "CSV_COLUMNS",
    "CorrectionsCheck",
    "check_corrections",
    "extract_report",
    "extraction_report",
    "flagged_rows",
    "review_score",
    "segment_pages",
    "write_csv",
    "write_json",
]

def extract_report(
    path: str | Path, *, corrections: bool | str | Path = True, outline: Path | None = None,
    candidates: bool = False,
) -> Extraction:
    """Read a progress report and recover its rows as records.

    `corrections`: True looks for the report's file in data/corrections/, False applies none,
    a path applies that file, which must be written for this report (else `InputError` naming
    both hashes, before any output). `candidates` also gives each row what a reviewer could
    pick instead (`Extraction.candidates`: every initiative's share). Raises
    `InputError`/`ReportFormatError` (naming file and line) for input it cannot read.
    """
    source = read_source(path)
    name = str(path)
    explicit = None
    if not isinstance(corrections, bool):  # checked first: a wrong file fails fast
        explicit = corrections_for(corrections, source.text_sha256, name)
    layout, bodies = load_layout(), load_bodies()
    pages = parse_report(source, layout, bodies)
    if not any(p.rows for p in pages):
        raise ReportFormatError(name, None, "no plan rows (lines starting with ・) found")
    pillars, warnings = pillar_of_groups(
        pages, load_outline(outline or DATA_DIR / "outline.yaml"), name
    )
    sim = Similarity(_corpus(pages))
    rows: list[Row] = []
    page_records: list[Page] = []
    found: dict[int, Candidates] = {}
    current: HeadingBlock | None = None
    for page in pages:
        page_records.append(_page_record(page, pillars))
        if not page.rows:
            current = _last_heading(page) or current
            continue
        initiatives = (initiative_candidates if candidates else assign_initiatives)(page, sim)
        headings = assign_headings(page, initiatives, sim)
        merged = assign_merged_bodies(page, initiatives)
        nearest = nearest_cells(page, merged)
        for i, block in enumerate(page.rows):
            heading = headings[i] or current
            if heading is None:
                raise ReportFormatError(
                    name, block.line, "rows before any action-plan heading (truncated page?)"
                )
            own = list(block.bodies)
            cell = merged.get(i) or nearest.get(i)
            sure = initiative_confidence(initiatives[i].share, initiatives[i].length)
            row = Row(
                page=page.number,
                line=block.line,
                end_line=block.end_line,
                items=list(block.items),
                result=block.result,
                bodies=own or (list(cell.bodies) if cell else []),
                initiative=initiatives[i].initiative.text if initiatives[i].initiative else None,
                action_plan=heading.title,
                action_plan_number=heading.number,
                pillar=pillars.get(heading.line),
                confidence=sure,
                body_source=("own" if own else "merged" if i in merged
                             else "nearest" if cell else "none"),
                # a merged cell is placed by the initiatives' runs: as sure as the row's run;
                # one placed by nearness alone (or none) is not sure at all
                body_confidence=1.0 if own else (sure if i in merged else 0.0),
            )
            rows.append(row)
            if candidates:
                found[block.line] = _candidates(page, initiatives[i], cell)
        current = _last_heading(page) or current
        warnings += [
            f"{name}:{line}: unknown body name {text!r} (not in data/bodies.csv)"
            for line, text in page.unknown_bodies
        ]
        warnings += [
            f"{name}:{b.line}: text not placed in any cell: {b.text[:40]!r}"
            for b in page.blocks if isinstance(b, NoteBlock) and b.kind == "text"
        ]
    sim.tokens.save()  # the next extraction of these texts skips the tokenizer
    _check_truncation(name, pages, rows)
    warnings += repeated_pages(source, [(p.first_line, p.last_line) for p in pages], layout)
    sha = hashlib.sha256(source.data).hexdigest()
    applied: list[str] = []
    _judge_status(rows)  # from the printed result; a correction may override it
    if corrections is not False:
        notes: list[str] = []
        cset = explicit
        if cset is None:
            cset, notes = find_corrections(source.text_sha256, name)
        warnings += notes
        if cset is not None:
            rows, applied, problems = apply_corrections(rows, cset)
            warnings += problems
    _judge(rows)
    for row in rows:
        if row.line in found:
            found[row.line].status_rule = judge_status_rule(row.result)[1]
    warnings += [
        f"{name}:{r.line}: row has no implementing body" for r in rows if not r.bodies
    ]
    warnings += [
        f"{name}:{r.line}: row printed without bodies and no rule placed a merged cell for it: "
        f"given the nearest cell ({', '.join(r.bodies)}), to review"
        for r in rows if r.body_source == "nearest"
    ]
    if source.encoding == "cp932":
        warnings.insert(0, f"{name}: decoded as Shift_JIS (CP932), not UTF-8")
    return Extraction(name, sha, page_records, rows, warnings, applied, found)


def _candidates(page: PageLayout, chosen: Assignment, cell: BodiesBlock | None) -> Candidates:
    """A row's runner-up initiatives and the page's merged body cells (for the review page)."""
    cells = [b for b in page.blocks if isinstance(b, BodiesBlock)]
    return Candidates(
        initiatives=tuple((c.text if c else None, share) for c, share in chosen.candidates),
        cells=tuple((b.line, b.end_line, tuple(b.bodies)) for b in cells),
        cell=next((k for k, b in enumerate(cells) if b is cell), None),
    )


@dataclass(frozen=True)
class CorrectionsCheck:
    """How a corrections file fits a report: whether it was written for it, and its entries
    that find no row of the report (the method's rows, before any correction)."""

    file_sha256: str
    report_sha256: str
    entries: int
    unmatched: list[Correction]

    @property
    def same_report(self) -> bool:
        return self.file_sha256 == self.report_sha256


def check_corrections(corrections: str | Path, report: str | Path) -> CorrectionsCheck:
    """Which entries of a corrections file no longer find their row in `report` (for a report
    edited since the file was written, or after the method changed)."""
    cset = load_corrections(corrections)
    extraction = extract_report(report, corrections=False)
    text_sha = read_source(report).text_sha256
    return CorrectionsCheck(cset.sha256, text_sha, len(cset.corrections),
                            unmatched_corrections(extraction.rows, cset))


def segment_pages(path: str | Path, *, review_same: float = REVIEW_SAME) -> dict[int, Assignment]:
    """The segmentation's assignment of each row of a report, by the row's first line, with
    the posterior share weighing body continuity `review_same` (for measuring the review
    score under other weights; `extract_report` uses REVIEW_SAME)."""
    pages = parse_report(read_source(path), load_layout(), load_bodies())
    sim = Similarity(_corpus(pages))
    return {row.line: a for page in pages if page.rows
            for row, a in zip(page.rows, assign_initiatives(page, sim, review_same=review_same),
                              strict=True)}


def _corpus(pages: list[PageLayout]) -> list[str]:
    texts = []
    for page in pages:
        # items and results apart: the same strings are scored later, so tokens are reused
        texts += ["".join(r.items) for r in page.rows] + [r.result for r in page.rows]
        texts += [b.text for b in page.blocks if isinstance(b, InitiativeBlock)]
    return texts


def _last_heading(page: PageLayout) -> HeadingBlock | None:
    headings = [b for b in page.blocks if isinstance(b, HeadingBlock)]
    return max(headings, key=lambda h: (h.number, h.line)) if headings else None


def _page_record(page: PageLayout, pillars: dict[int, int]) -> Page:
    headings = sorted((b for b in page.blocks if isinstance(b, HeadingBlock)),
                      key=lambda h: (h.number, h.line))
    return Page(
        number=page.number,
        first_line=page.first_line,
        last_line=page.last_line,
        action_plans=[
            ActionPlan(h.number, h.title, page.number, h.line, 0, pillars.get(h.line))
            for h in headings
        ],
        initiatives=[
            Initiative(b.text, page.number, b.line, b.end_line)
            for b in page.blocks if isinstance(b, InitiativeBlock)
        ],
    )


def _check_truncation(name: str, pages: list[PageLayout], rows: list[Row]) -> None:
    """A report ends with a page that prints its initiatives or heading after its rows; a last
    page without them, or a last row without result and bodies, means the file was cut."""
    last_row = max(rows, key=lambda r: r.line)
    page = pages[-1]
    last = max((k for k, b in enumerate(page.blocks) if isinstance(b, RowBlock)), default=-1)
    ends = any(isinstance(b, HeadingBlock | InitiativeBlock) for b in page.blocks[last + 1 :])
    if not last_row.result and not last_row.bodies and not ends:
        raise ReportFormatError(
            name, last_row.line,
            "the report ends in the middle of a row (a plan bullet with no result, bodies, "
            "initiatives or heading after it): truncated file?",
        )
    if page.rows and not ends:
        raise ReportFormatError(
            name, page.first_line,
            f"the last page (lines {page.first_line}-{page.last_line}) prints no initiative and "
            "no action-plan heading after its rows: truncated file?",
        )


def _judge_status(rows: list[Row]) -> None:
    for row in rows:
        row.status, row.status_confidence = judge_status_with_confidence(row.result)


def _judge(rows: list[Row]) -> None:
    partners, bodies = load_partners(), load_bodies()
    for row in rows:
        row.quantities = find_quantities(row.result)
        row.partners = find_partners(row.result, row.bodies, partners, bodies)


# ------------------------------------------------------------------------------- outputs

CSV_COLUMNS = ("page", "line", "end_line", "pillar", "action_plan_number", "action_plan",
               "initiative", "items", "result", "bodies", "status", "quantities", "partners",
               "confidence", "status_confidence", "body_confidence", "body_source", "corrections")


def write_json(extraction: Extraction, path: str | Path) -> None:
    """Write the records as JSON (UTF-8, Japanese as printed, stable key order)."""
    text = json.dumps(extraction.to_json(), ensure_ascii=False, indent=2, sort_keys=False)
    write_text(path, text + "\n")


def _csv_value(row: Row, column: str) -> str:
    value = getattr(row, column)
    if column in ("items", "bodies", "partners", "corrections"):
        return " | ".join(value)
    if column == "quantities":
        return " | ".join(f"{q.counted or ''} {q.value:g}{q.unit}".strip() for q in value)
    return "" if value is None else str(value)


def write_csv(extraction: Extraction, path: str | Path) -> None:
    """The rows as CSV for spreadsheet users (UTF-8 with BOM so Excel reads Japanese)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in extraction.rows:
        writer.writerow([_csv_value(row, c) for c in CSV_COLUMNS])
    write_text(path, "\ufeff" + buf.getvalue())


def extraction_report(extraction: Extraction) -> str:
    """A readable account of the extraction: what to check by eye."""
    rows = extraction.rows
    lines = [f"Extraction report for {extraction.source}", f"sha256 {extraction.sha256}", ""]
    per_page = Counter(r.page for r in rows)
    lines.append(f"rows: {len(rows)} on {len(extraction.pages)} pages")
    lines += [
        f"  page {p.number:>2} (lines {p.first_line}-{p.last_line}): {per_page[p.number]} rows"
        for p in extraction.pages
    ]
    statuses = Counter(r.status for r in rows)
    lines += ["", "status: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))]
    no_bodies = [r for r in rows if not r.bodies]
    lines += ["", f"rows without bodies: {len(no_bodies)}"]
    lines += [f"  line {r.line}: {r.items[0][:30]}" for r in no_bodies]
    merged = [r for r in rows if r.body_source == "merged"]
    lines += ["", f"rows given a merged body cell: {len(merged)}"]
    nearest = [r for r in rows if r.body_source == "nearest"]
    if nearest:  # (a line only when there are some: older reports stay as they were)
        lines += [f"rows given the nearest merged cell (no rule placed one; to review): "
                  f"{len(nearest)}"]
        lines += [f"  line {r.line}: {r.items[0][:30]} -> {', '.join(r.bodies)}" for r in nearest]
    unknown = [w for w in extraction.warnings if "unknown body name" in w]
    lines += ["", f"unknown body names: {len(unknown)}", *[f"  {w}" for w in unknown]]
    no_init = [r for r in rows if r.initiative is None]
    lines += ["", f"rows without an initiative: {len(no_init)}"]
    lines += [f"  line {r.line}: {r.items[0][:30]}" for r in no_init]
    low = flagged_rows(rows)
    lines += ["", f"rows to review (review score of initiative, status, bodies < {LOW_CONFIDENCE};"
              f" at most {REVIEW_SHARE:.0%} of the rows), worst first: {len(low)}"]
    lines += [f"  line {r.line} ({review_score(r):.2f}: initiative {r.confidence:.2f}, status "
              f"{r.status_confidence:.2f}, bodies {r.body_confidence:.2f}): {r.items[0][:24]} -> "
              f"{(r.initiative or '(none)')[:24]}" for r in low]
    lines += ["", f"corrections applied: {len(extraction.corrections_applied)}"]
    lines += [f"  {c}" for c in extraction.corrections_applied]
    other = [w for w in extraction.warnings if "unknown body name" not in w]
    lines += ["", f"warnings: {len(other)}", *[f"  {w}" for w in other]]
    return "\n".join(lines) + "\n"
