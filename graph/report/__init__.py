"""Reading the report: text in, records out.

In: a progress report as flattened PDF text (bytes in UTF-8 or Shift_JIS). Out: an
`Extraction` of `Row` records (plan items, result, bodies, initiative, action plan, pillar,
status, quantities, partners), each with its source page and lines.

Stages, one module each: `pages` (decode, split pages, walk each page into blocks),
`segment` and `similarity` (which initiative covers which rows), `outline` (pillars),
`outcomes` (status, quantities, partners from the result text), `corrections` (fixes by hand),
`extract` (the pipeline), `records` (the record types). The vocabulary they read: `format`
(data/format.yaml) and `bodies` (bodies, organizations, partners).
"""

from __future__ import annotations

from .bodies import (
    Body,
    BodyVocabulary,
    Organization,
    Partner,
    PartnerVocabulary,
    load_bodies,
    load_organizations,
    load_partners,
)
from .corrections import Correction, load_corrections
from .extract import (
    CSV_COLUMNS,
    LOW_CONFIDENCE,
    CorrectionsCheck,
    check_corrections,
    extract_report,
    extraction_report,
    flagged_rows,
    review_score,
    write_csv,
    write_json,
)
from .pages import SourceText, read_source
from .records import STATUSES, ActionPlan, Extraction, Initiative, Page, Quantity, Row

__all__ = [
    "CSV_COLUMNS",
    "LOW_CONFIDENCE",
    "STATUSES",
    "ActionPlan",
    "Body",
    "BodyVocabulary",
    "Correction",
    "CorrectionsCheck",
    "Extraction",
    "Initiative",
    "Organization",
    "Page",
    "Partner",
    "PartnerVocabulary",
    "Quantity",
    "Row",
    "SourceText",
    "check_corrections",
    "extract_report",
    "extraction_report",
    "flagged_rows",
    "load_bodies",
    "load_corrections",
    "load_organizations",
    "load_partners",
    "read_source",
    "review_score",
    "write_csv",
    "write_json",
]
