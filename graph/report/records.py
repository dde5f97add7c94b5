"""Typed records: what the extractor hands to the graph builder."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["ActionPlan", "Candidates", "Extraction", "Initiative", "Page", "Quantity", "Row"]

STATUSES = ("implemented", "partial", "cancelled", "postponed", "ongoing")


@dataclass(frozen=True)
class Quantity:
    """A number with its unit reported in a result (`年24回実施し317人が参加` gives two)."""

    value: float
    unit: str
    counted: str | None = None  # what was counted, where the text says so (参加, 配布 …)
    text: str = ""  # the matched text as printed


@dataclass
class Row:
    """One FY plan cell (one or more bullets) with its result and implementing bodies."""

    page: int
    line: int  # 1-based source line of the first bullet
    end_line: int  # last source line that belongs to the row (result or own bodies)
    items: list[str]
    result: str
    bodies: list[str]
    initiative: str | None = None
    action_plan: str | None = None
    action_plan_number: int | None = None
    pillar: int | None = None
    status: str = "ongoing"
    quantities: list[Quantity] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    confidence: float = 0.0  # of the initiative (review.initiative_confidence)
    body_source: str = "own"  # own | merged | nearest (a cell no rule placed) | correction | none
    status_confidence: float = 1.0  # of the status (data/status.yaml `confidence`)
    body_confidence: float = 1.0  # of the bodies (own line 1.0; a merged cell less)
    corrections: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Initiative:
    """An initiative sentence (取組) as printed, with where it was printed."""

    text: str
    page: int
    line: int
    end_line: int


@dataclass
class ActionPlan:
    """A numbered action-plan heading (行動計画) of a page."""

    number: int
    title: str
    page: int
    line: int
    group: int  # 1-based index of the run of headings that restarts at 1
    pillar: int | None = None


@dataclass
class Page:
    """One page of the flattened report: its line span and what was recovered on it."""

    number: int
    first_line: int
    last_line: int
    action_plans: list[ActionPlan] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)


@dataclass
class Candidates:
    """What a reviewer may pick instead of the method's answers for one row (the review page;
    `extract_report(candidates=True)`): every initiative of the page with the share of the
    segmentations that give it to the row, best first (None: no initiative), the merged body
    cells printed on the page (first line, last line, bodies) with the one the row was given,
    and the status rule that decided (`outcomes.DECISIONS`)."""

    initiatives: tuple[tuple[str | None, float], ...]
    cells: tuple[tuple[int, int, tuple[str, ...]], ...] = ()
    cell: int | None = None  # index into `cells` of the row's merged cell
    status_rule: str = ""


@dataclass
class Extraction:
    """Everything recovered from one report."""

    source: str  # path as given
    sha256: str
    pages: list[Page]
    rows: list[Row]
    warnings: list[str] = field(default_factory=list)
    corrections_applied: list[str] = field(default_factory=list)
    # Runner-up answers by row line, only when asked for (not part of the records' JSON).
    candidates: dict[int, Candidates] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "pages": [asdict(p) for p in self.pages],
            "rows": [r.to_json() for r in self.rows],
            "warnings": self.warnings,
            "corrections_applied": self.corrections_applied,
        }
