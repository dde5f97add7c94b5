"""The plan as the viz layer sees it: bodies, rows, and which body takes part in which row.

A `Plan` is a set of small tables filled from SPARQL results (see `welfare_kg.viz.source`),
or by hand in tests. Networks, metrics, maps and charts are all computed from it, so none of
them reads the report or knows the ontology's terms.

Examples
--------
>>> plan = Plan.from_tables(
...     bodies=[Body("b:a", "甲課", "Division A", "WardOfficeDivision"),
...             Body("b:p", "乙プラザ", "Plaza P", "CommunityCarePlaza")],
...     rows=[PlanRow("r:1", "講座の実施", pillar="p:1")],
...     participations=[Participation("r:1", "b:a"), Participation("r:1", "b:p")],
...     pillars=[Pillar("p:1", 1, "健やかに過ごせるまち", "A town where people live healthily")],
... )
>>> plan.bodies_of("r:1")
('b:a', 'b:p')
>>> len(plan.select(pillar="p:1").rows)
1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "BODY_TYPES",
    "IMPLEMENTING",
    "PARTNER",
    "ActionPlan",
    "Body",
    "Initiative",
    "Participation",
    "Pillar",
    "Plan",
    "PlanRow",
]

IMPLEMENTING = "implementing"
"""Role of a body listed in the row's 実施主体 column."""
PARTNER = "partner"
"""Role of an organization named in the row's result text."""

# The plan's top-level body types in the order legends and tables list them; their labels
# come from the ontology. Types outside this list (a new kind in another report) come after.
BODY_TYPES: tuple[str, ...] = (
    "WardOfficeDivision", "CommunityCarePlaza", "SocialWelfareCouncil", "PartnerOrganization",
    "Partner",
)


@dataclass(frozen=True)
class Body:
    """An implementing body or partner organization; `type` is its type's local name."""

    iri: str
    name_ja: str
    name_en: str
    type: str


@dataclass(frozen=True)
class PlanRow:
    """One FY plan row: its plan items as text, where it sits in the outline, its status."""

    iri: str
    text: str
    pillar: str | None = None
    action_plan: str | None = None
    initiative: str | None = None
    status: str | None = None
    order: int = 0  # position in the report (source line), for a stable reading order


@dataclass(frozen=True)
class Pillar:
    """A pillar (推進の柱) of the plan."""

    iri: str
    number: int
    name_ja: str
    name_en: str = ""


@dataclass(frozen=True)
class ActionPlan:
    """An action plan (行動計画) heading."""

    iri: str
    number: int
    title_ja: str
    title_en: str = ""
    pillar: str | None = None


@dataclass(frozen=True)
class Initiative:
    """An initiative (取組) sentence."""

    iri: str
    text: str
    text_en: str = ""


@dataclass(frozen=True)
class Participation:
    """A body's part in a row, in a role (implementing body, or partner named in the result)."""

    row: str
    body: str
    role: str = IMPLEMENTING


@dataclass(frozen=True)
class Plan:
    """Tables of one or more reports, keyed by IRI, each in a stable reading order."""

    bodies: Mapping[str, Body]
    rows: Mapping[str, PlanRow]
    participations: tuple[Participation, ...]
    pillars: Mapping[str, Pillar] = field(default_factory=dict)
    action_plans: Mapping[str, ActionPlan] = field(default_factory=dict)
    initiatives: Mapping[str, Initiative] = field(default_factory=dict)

    @classmethod
    def from_tables(
        cls,
        bodies: Iterable[Body],
        rows: Iterable[PlanRow],
        participations: Iterable[Participation],
        pillars: Iterable[Pillar] = (),
        action_plans: Iterable[ActionPlan] = (),
        initiatives: Iterable[Initiative] = (),
    ) -> Plan:
        """Sort each table into its reading order and drop duplicate participations."""
        rows_sorted = sorted(rows, key=lambda r: (r.order, r.iri))
        row_rank = {r.iri: i for i, r in enumerate(rows_sorted)}
        parts = sorted(
            set(participations), key=lambda p: (row_rank.get(p.row, -1), p.role, p.body)
        )
        return cls(
            bodies={b.iri: b for b in sorted(bodies, key=body_sort_key)},
            rows={r.iri: r for r in rows_sorted},
            participations=tuple(parts),
            pillars={p.iri: p for p in sorted(pillars, key=lambda p: (p.number, p.iri))},
            action_plans={
                a.iri: a for a in sorted(action_plans, key=lambda a: (a.pillar or "", a.number))
            },
            initiatives={i.iri: i for i in sorted(initiatives, key=lambda i: i.iri)},
        )

    def bodies_of(self, row: str, roles: Iterable[str] = (IMPLEMENTING,)) -> tuple[str, ...]:
        """The bodies taking part in `row` in one of `roles`, in body order."""
        wanted = set(roles)
        found = {p.body for p in self.participations if p.row == row and p.role in wanted}
        return tuple(b for b in self.bodies if b in found)

    def row_bodies(self, roles: Iterable[str] = (IMPLEMENTING,)) -> dict[str, tuple[str, ...]]:
        """Every row (in reading order) with the bodies taking part in it in one of `roles`."""
        wanted = set(roles)
        found: dict[str, set[str]] = {r: set() for r in self.rows}
        for p in self.participations:
            if p.role in wanted and p.row in found and p.body in self.bodies:
                found[p.row].add(p.body)
        order = {b: i for i, b in enumerate(self.bodies)}
        return {r: tuple(sorted(bs, key=order.__getitem__)) for r, bs in found.items()}

    def select(self, pillar: str | None = None, action_plan: str | None = None) -> Plan:
        """The plan restricted to the rows of one pillar and/or one action plan."""
        rows = [
            r
            for r in self.rows.values()
            if (pillar is None or r.pillar == pillar)
            and (action_plan is None or r.action_plan == action_plan)
        ]
        keep = {r.iri for r in rows}
        return Plan(
            bodies=self.bodies,
            rows={r.iri: r for r in rows},
            participations=tuple(p for p in self.participations if p.row in keep),
            pillars=self.pillars,
            action_plans=self.action_plans,
            initiatives=self.initiatives,
        )


def type_rank(body_type: str) -> int:
    """Position of a body type in legends: the plan's types first, then any others."""
    return BODY_TYPES.index(body_type) if body_type in BODY_TYPES else len(BODY_TYPES)


def type_label(body_type: str) -> tuple[str, str]:
    """(Japanese, English) label of a body type from the ontology; else its local name."""
    from .vocabulary import term_labels

    return term_labels().get(body_type, (body_type, body_type))


def body_sort_key(body: Body) -> tuple[int, str, str]:
    return (type_rank(body.type), body.type, body.iri)
