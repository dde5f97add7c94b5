"""Reading the report: text in, records out.

In: a progress report as flattened PDF text (bytes in UTF-8 or Shift_JIS). Out: an
`Extraction` of `Row` records (plan items, result, bodies, initiative, action plan, pillar,
status, quantities, partners), each with its source page and lines.

Stages, one module each: `pages` (decode, split pages, walk each page into blocks),
`segment` and `similarity` (which initiative covers which rows), `outline` (pillars),
`outcomes` (status, quantities, partners from the result text), `review` (which rows a person
should check, measured against a hand reading), `corrections` (fixes by hand),
`extract` (the pipeline), `records` (the record types). The vocabulary they read: `format`
(data/format.yaml) and `bodies` (bodies, organizations, partners).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from welfare_kg.lazy import lazy_exports

if TYPE_CHECKING:  # for type checkers and editors; at run time names load on first use
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
        CorrectionsCheck,
        check_corrections,
        extract_report,
        extraction_report,
        write_csv,
        write_json,
    )
    from .pages import SourceText, read_source
    from .records import (
        STATUSES,
        ActionPlan,
        Candidates,
        Extraction,
        Initiative,
        Page,
        Quantity,
        Row,
    )
    from .review import LOW_CONFIDENCE, flagged_rows, review_score

# Each public name and the module it lives in. The package imports a module when one of its
# names is first used (PEP 562): the graph and the query library need the records and
# vocabularies, not the extractor and its tokeniser.
_HOME = {
    "Body": "bodies",
    "BodyVocabulary": "bodies",
    "Organization": "bodies",
    "Partner": "bodies",
    "PartnerVocabulary": "bodies",
    "load_bodies": "bodies",
    "load_organizations": "bodies",
    "load_partners": "bodies",
    "Correction": "corrections",
    "load_corrections": "corrections",
    "CSV_COLUMNS": "extract",
    "LOW_CONFIDENCE": "review",
    "CorrectionsCheck": "extract",
    "check_corrections": "extract",
    "flagged_rows": "review",
    "review_score": "review",
    "extract_report": "extract",
    "extraction_report": "extract",
    "write_csv": "extract",
    "write_json": "extract",
    "SourceText": "pages",
    "read_source": "pages",
    "STATUSES": "records",
    "ActionPlan": "records",
    "Candidates": "records",
    "Extraction": "records",
    "Initiative": "records",
    "Page": "records",
    "Quantity": "records",
    "Row": "records",
}

__all__ = [
    "CSV_COLUMNS",
    "LOW_CONFIDENCE",
    "STATUSES",
    "ActionPlan",
    "Body",
    "BodyVocabulary",
    "Candidates",
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


__getattr__, __dir__ = lazy_exports(globals(), _HOME)
