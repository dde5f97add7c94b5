"""The review page: the rows the extractor is least sure of, for a person to confirm or fix,
turned into a corrections file the extractor applies (`--corrections FILE`).

A new year's report has no hand reading; the method gets about one initiative in eight
wrong. `review_model` gathers the flagged rows (worst first) with what a reviewer needs to
decide: the printed page around the row with its lines marked, the plan item and result, the
chosen initiative and its runner-ups with their posterior shares, the bodies and where they
came from (own lines or a merged cell, with the page's other cells), the status with its
confidence and the rule that decided. `write_review` renders it as one self-contained HTML
file (the site's stylesheet and a small script inlined; no network), Japanese first with
English beside it. The page writes the corrections file itself (a download, no server), bound
to the report's text SHA-256, keeps the reviewer's progress in localStorage under that hash,
and opens such a file again (refused when bound to another hash). Each printed page's lines
travel once in the page's JSON (`page_data`); the script draws a card's excerpt from them.
Every value from the report travels escaped (HTML by Jinja2's autoescape, data as JSON safe
inside a script element), and the same input gives the same bytes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from welfare_kg.datafiles import normalize
from welfare_kg.fileio import write_text

from .site.render import environment, script_json
from .site.render import strings as site_strings
from .vocabulary import status_labels

if TYPE_CHECKING:
    from welfare_kg.graph.report import Extraction, Row

__all__ = ["ReviewModel", "ReviewRow", "render_review", "review_model", "write_review"]

ASSETS = Path(__file__).parent / "assets"
STRINGS = ASSETS / "review-strings.yaml"
SITE_CSS = Path(__file__).parent / "site" / "assets" / "site.css"
SITE_JS = SITE_CSS.with_name("site.js")  # the language switch, as on the site
STORAGE_PREFIX = "welfare-kg-review:"  # localStorage key: this + the report's text SHA-256


@dataclass(frozen=True)
class Candidate:
    """An initiative a reviewer may pick for a row, with the share of the segmentations that
    give it to the row (the row's own confidence when it is the method's choice)."""

    text: str | None  # None: the row has no initiative
    share: float
    chosen: bool
    lines: tuple[int, int] | None  # where the sentence is printed on the page
    text_en: str = ""  # the team's English title (data/initiatives.yaml), "" when none


@dataclass(frozen=True)
class Cell:
    """A merged body cell printed on the row's page."""

    line: int
    end_line: int
    bodies: tuple[str, ...]
    chosen: bool


@dataclass(frozen=True)
class PreviousRow:
    """The row printed just before a flagged one: the row a `merge_into_previous` entry
    joins it to (graph/report/corrections.py merges into the row before it)."""

    page: int
    line: int
    end_line: int
    item: str


@dataclass(frozen=True)
class ReviewRow:
    """One flagged row, with what the reviewer picks from."""

    rank: int  # 1 = least sure
    key: str  # stable within the report: the row's first line
    page: int
    line: int
    end_line: int
    items: tuple[str, ...]
    result: str
    action_plan: str | None
    action_plan_number: int | None
    score: float
    confidence: float
    status_confidence: float
    body_confidence: float
    initiative: str | None
    candidates: tuple[Candidate, ...]  # best first; the method's choice wherever it ranks
    status: str
    status_rule: str
    bodies: tuple[str, ...]
    body_source: str  # own | merged | nearest | correction | none
    body_lines: tuple[int, int] | None  # own lines or the merged cell's lines
    cells: tuple[Cell, ...]
    corrections: tuple[str, ...]  # reasons of corrections already applied to the row
    previous: PreviousRow | None = None  # None for the report's first row: nothing to merge into
    action_plan_en: str = ""  # English title of the action plan (data/outline.yaml), "" when none


@dataclass(frozen=True)
class SourcePage:
    """The printed lines of a page, for the context shown beside its rows."""

    number: int
    first_line: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class ReviewModel:
    """Everything the review page shows and the corrections file it writes needs."""

    file: str  # the report's file name (no folders: the page is the same wherever it runs)
    text_sha256: str  # what corrections.py checks a corrections file against
    total_rows: int
    threshold: float
    rows: tuple[ReviewRow, ...]
    pages: dict[int, SourcePage]
    existing: tuple[dict[str, Any], ...]  # entries of the --corrections file, carried over
    corrections_file: str | None
    warnings: tuple[str, ...]
    initiatives: tuple[str, ...]  # every initiative printed in the report (typing hints)
    bodies: tuple[tuple[str, str], ...]  # known bodies (ja, en), for typing hints and labels
    statuses: tuple[tuple[str, str, str], ...] = field(default=())  # (code, ja, en)
    # Every row of the extraction as (line, first plan item): a corrections file opened on
    # the page finds its rows among these as the extractor does, not only among the flagged.
    row_index: tuple[tuple[int, str], ...] = field(default=())


def review_model(report: str | Path, corrections: str | Path | None = None) -> ReviewModel:
    """The review of `report`: its flagged rows after applying `corrections` (a file written
    for this report, e.g. by an earlier review; `InputError` naming both hashes otherwise).

    Without `corrections` the method's own answers are reviewed (the bundled corrections
    folder is not used: a new report has none, and the page must not pretend otherwise).
    """
    # The extractor loads on use: other viz commands import this package and never need it.
    from welfare_kg.graph.report import (
        LOW_CONFIDENCE,
        STATUSES,
        extract_report,
        flagged_rows,
        load_bodies,
        load_corrections,
        read_source,
    )
    extraction = extract_report(report, corrections=corrections or False, candidates=True)
    source = read_source(report)
    flagged = flagged_rows(extraction.rows)
    from welfare_kg.graph.rdf import load_english_titles

    before = {row.line: previous for previous, row in zip(
        [None, *extraction.rows], extraction.rows, strict=False)}
    english = load_english_titles()
    rows = tuple(_review_row(rank, row, extraction, before[row.line], english)
                 for rank, row in enumerate(flagged, start=1))
    pages = {
        p.number: SourcePage(p.number, p.first_line,
                             tuple(source.lines[p.first_line - 1:p.last_line]))
        for p in extraction.pages if any(r.page == p.number for r in rows)
    }
    existing = tuple(_entry(c) for c in load_corrections(corrections).corrections) \
        if corrections else ()
    labels = status_labels()
    return ReviewModel(
        file=Path(str(report)).name,
        text_sha256=source.text_sha256,
        total_rows=len(extraction.rows),
        threshold=LOW_CONFIDENCE,
        rows=rows,
        pages=pages,
        existing=existing,
        corrections_file=Path(str(corrections)).name if corrections else None,
        warnings=tuple(extraction.warnings),
        initiatives=tuple(sorted({i.text for p in extraction.pages for i in p.initiatives})),
        bodies=tuple(sorted((b.name_ja, b.name_en) for b in load_bodies().bodies)),
        statuses=tuple((code, *labels.get(code, (code, code))) for code in STATUSES),
        row_index=tuple((r.line, r.items[0] if r.items else "") for r in extraction.rows),
    )


def _review_row(rank: int, row: Row, extraction: Extraction, previous: Row | None,
                english: dict[str, str]) -> ReviewRow:
    from welfare_kg.graph.report import review_score

    found = extraction.candidates.get(row.line)
    page = next(p for p in extraction.pages if p.number == row.page)
    printed = {i.text: (i.line, i.end_line) for i in page.initiatives}
    ranked = list(found.initiatives) if found else [(row.initiative, row.confidence)]
    if row.initiative not in {t for t, _ in ranked}:  # set by a correction: show it first
        ranked.insert(0, (row.initiative, row.confidence))
    candidates = tuple(Candidate(text, share, text == row.initiative, printed.get(text or ""),
                                 english.get(normalize(text), "") if text else "")
                       for text, share in ranked)
    cells = tuple(Cell(a, b, bodies, found.cell == k)
                  for k, (a, b, bodies) in enumerate(found.cells)) if found else ()
    if row.body_source == "own":
        body_lines: tuple[int, int] | None = (row.line, row.end_line)
    else:
        body_lines = next(((c.line, c.end_line) for c in cells if c.chosen), None)
    return ReviewRow(
        rank=rank, key=str(row.line), page=row.page, line=row.line, end_line=row.end_line,
        items=tuple(row.items), result=row.result, action_plan=row.action_plan,
        action_plan_number=row.action_plan_number, score=review_score(row),
        confidence=row.confidence, status_confidence=row.status_confidence,
        body_confidence=row.body_confidence, initiative=row.initiative,
        candidates=candidates, status=row.status,
        status_rule=found.status_rule if found else "", bodies=tuple(row.bodies),
        body_source=row.body_source, body_lines=body_lines, cells=cells,
        corrections=tuple(row.corrections),
        previous=PreviousRow(previous.page, previous.line, previous.end_line,
                             previous.items[0] if previous.items else "")
        if previous else None,
        action_plan_en=english.get(normalize(row.action_plan), "") if row.action_plan else "",
    )


def _entry(correction: Any) -> dict[str, Any]:
    """A corrections entry as the page writes it back (the file's own fields, in order)."""
    row: dict[str, Any] = {"item": correction.item}
    if correction.line is not None:
        row["line"] = int(correction.line)
    return {"row": row, **correction.changes, "reason": correction.reason}


# ---------------------------------------------------------------------------------- page


def strings(path: Path = STRINGS) -> dict[str, dict[str, str]]:
    """The page's interface text, each key with a Japanese and an English form (read and
    checked as the site's own strings are)."""
    return site_strings(path)


def _t(key: str) -> Markup:
    forms = strings()[key]
    return Markup(f'<span class="ja" lang="ja">{escape(forms["ja"])}</span>'
                  f'<span class="en" lang="en">{escape(forms["en"])}</span>')


def _attr(key: str, lang: str = "ja") -> str:
    return strings()[key][lang]


def page_data(model: ReviewModel) -> dict[str, Any]:
    """What the page's script reads (as JSON in the page): the rows' answers and options,
    each printed page's lines once (the script builds a card's excerpt from them when the
    card comes into view), every row's first item (to place the entries of a corrections
    file opened on the page), the existing corrections and the script's messages; never
    HTML."""
    return {
        "file": model.file,
        "sha256": model.text_sha256,
        "storageKey": STORAGE_PREFIX + model.text_sha256,
        "correctionsFile": model.corrections_file,
        "existing": list(model.existing),
        "statuses": [code for code, _, _ in model.statuses],
        "statusLabels": {code: [ja, en] for code, ja, en in model.statuses},
        "pages": {str(n): {"first": p.first_line, "lines": list(p.lines)}
                  for n, p in sorted(model.pages.items())},
        "rowIndex": [[line, item] for line, item in model.row_index],
        "strings": {key: forms for key, forms in strings().items()
                    if key.startswith(SCRIPT_STRINGS)},
        "rows": [
            {
                "key": r.key,
                "line": r.line,
                "page": r.page,
                "item": r.items[0] if r.items else "",
                "initiative": r.initiative,
                "candidates": [c.text for c in r.candidates],
                "status": r.status,
                "bodies": list(r.bodies),
                "bodySource": r.body_source,
                "cells": [list(c.bodies) for c in r.cells],
                "cell": next((k for k, c in enumerate(r.cells) if c.chosen), None),
                "marks": [[line, cls, label] for line, (cls, label)
                          in sorted(_line_marks(r).items())],
                "previous": asdict(r.previous) if r.previous else None,
            }
            for r in model.rows
        ],
    }


SCRIPT_STRINGS = ("file_", "conflict_", "from_file")  # keys of the messages the script writes


def other_cells(row: ReviewRow) -> list[tuple[int, Cell]]:
    """The merged cells a reviewer may give a row instead of its own (index into `cells`):
    none for a row whose bodies are printed on its own lines."""
    if row.body_source == "own":
        return []
    return [(k, c) for k, c in enumerate(row.cells) if not c.chosen]


def _line_marks(row: ReviewRow) -> dict[int, tuple[str, str]]:
    """CSS class and label of each marked line of the row's page: the row, its body cell,
    the printed initiative sentences (labelled with the key that picks them) and the row
    above (shown when the reviewer would merge the row into it)."""
    marks: dict[int, tuple[str, str]] = {}
    if row.previous and row.previous.page == row.page:  # the row a merge would join
        for line in range(row.previous.line, row.previous.end_line + 1):
            marks[line] = ("prev", "")
    for n, c in enumerate(row.candidates):
        if c.lines:
            label = _KEYS["initiative"][n] if n < len(_KEYS["initiative"]) else "·"
            for line in range(c.lines[0], c.lines[1] + 1):
                marks[line] = ("init", label if line == c.lines[0] else "")
    if row.body_lines and row.body_source != "own":
        for line in range(row.body_lines[0], row.body_lines[1] + 1):
            marks[line] = ("cell", "")
    for line in range(row.line, row.end_line + 1):
        marks[line] = ("row", "")
    return marks


def render_review(model: ReviewModel) -> str:
    """The page's HTML (one file: stylesheet and script inlined)."""
    env = environment().overlay(loader=_loader())
    template = env.get_template("review.html")
    labels = {code: (ja, en) for code, ja, en in model.statuses}
    names = dict(model.bodies)
    return template.render(
        m=model,
        t=_t,
        attr=_attr,
        data=script_json(page_data(model)),
        css=Markup(_asset_text(SITE_CSS) + "\n" + _asset_text(ASSETS / "review.css")),
        script=Markup(_asset_text(SITE_JS) + "\n" + _asset_text(ASSETS / "review.js")),
        status_labels=labels,
        body_en=names,
        other_cells=other_cells,
        keys=_KEYS,
    )


# Keys of the choices, in the order the page lists them: initiative candidates take the
# digits, statuses the row below them, body options the row below that.
_KEYS = {
    "initiative": "1234567890",
    "status": "qwert",
    "bodies": "asdfg",
}


@cache
def _loader() -> Any:
    import jinja2

    return jinja2.FileSystemLoader(str(ASSETS))


def _asset_text(path: Path) -> str:
    """An asset inlined into the page; `</` is broken so no asset can end its element early."""
    return path.read_text(encoding="utf-8").replace("</", "<\\/")


def write_review(report: str | Path, output: str | Path,
                 corrections: str | Path | None = None) -> ReviewModel:
    """Write the review page of `report` to `output` (atomically); returns its model."""
    model = review_model(report, corrections)
    write_text(output, render_review(model))
    return model


def model_json(model: ReviewModel) -> dict[str, Any]:
    """The model as plain data (for tests and debugging)."""
    return asdict(model)
