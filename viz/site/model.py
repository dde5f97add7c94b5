"""What the site shows, gathered once from the graph: rows with their results and sources,
bodies with their place in the network, pairs of bodies with the rows they share.

Everything comes from SPARQL on the store: the viz `Plan` (the `network-*.rq` queries) plus
three detail queries (`network-row-details`, `network-quantities`, `network-body-details`).
Pages and downloads are rendered from a `Site`; none of them reads the report.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from welfare_kg.graph.sparql import ALIASES, PARTNERS, extra_names
from welfare_kg.paths import QUERIES_DIR

from ..maps import MapContext, map_context
from ..metrics import communities, node_table, row_sharing, summary
from ..network import collaboration_network
from ..plan import IMPLEMENTING, PARTNER, Plan, type_label
from ..source import load_plan, select
from ..vocabulary import WK, status_labels, term_labels

__all__ = [
    "ALIASES",
    "PARTNERS",
    "BodyView",
    "OutlineView",
    "PairView",
    "Quantity",
    "ReportView",
    "RowView",
    "Site",
    "extra_names",
    "gather",
]

STATUS_ORDER = ("implemented", "partial", "ongoing", "postponed", "cancelled")


@dataclass(frozen=True)
class Quantity:
    """A number reported in a row's result."""

    value: str
    unit: str
    counted: str
    source_text: str


@dataclass(frozen=True)
class RowView:
    """One plan row with everything a reader needs to check it against the report."""

    iri: str
    anchor: str
    text: str
    result: str
    status: str
    pillar: str | None
    action_plan: str | None
    initiative: str | None
    bodies: tuple[str, ...]
    partners: tuple[str, ...]
    file: str
    page: str
    start: str
    end: str
    quantities: tuple[Quantity, ...] = ()
    report: str = ""  # the report's IRI


@dataclass(frozen=True)
class BodyView:
    """A body or partner: names, type, parent, its rows and its place in the network."""

    iri: str
    slug: str
    name_ja: str
    name_en: str
    type: str
    parent_ja: str = ""
    parent_en: str = ""
    parent: str = ""
    aliases: tuple[str, ...] = ()
    rows: tuple[str, ...] = ()          # rows it implements
    named_in: tuple[str, ...] = ()      # rows whose result names it as a partner
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PairView:
    """Two bodies that implement rows together, and those rows."""

    slug: str
    a: str
    b: str
    rows: tuple[str, ...]


@dataclass(frozen=True)
class OutlineView:
    """A pillar, action plan or initiative with its rows."""

    iri: str
    slug: str
    kind: str  # pillar | action-plan | initiative
    number: int
    title_ja: str
    title_en: str
    parent: str | None
    rows: tuple[str, ...]


@dataclass(frozen=True)
class ReportView:
    """One progress report in the build: its fiscal year and the rows read from it."""

    iri: str
    file: str
    fiscal_year: int | None
    title_ja: str
    title_en: str
    rows: tuple[str, ...]


@dataclass
class Site:
    """The site's tables, keyed by IRI, each in the report's reading order."""

    plan: Plan
    rows: dict[str, RowView]
    bodies: dict[str, BodyView]
    pairs: dict[tuple[str, str], PairView]
    pillars: dict[str, OutlineView]
    action_plans: dict[str, OutlineView]
    initiatives: dict[str, OutlineView]
    summary: dict[str, Any]
    pillar_summaries: dict[str, dict[str, Any]]
    sharing: list[dict[str, Any]]
    statuses: dict[str, tuple[str, str, str]]  # code -> (ja, en, IRI)
    extra_aliases: dict[str, tuple[str, ...]]  # body IRI -> search-only short names
    types: dict[str, tuple[str, str]] = field(default_factory=dict)
    reports: list[ReportView] = field(default_factory=list)  # by fiscal year, then file

    def fiscal_years(self) -> list[int]:
        """The fiscal years of the build's reports, oldest first."""
        return sorted({r.fiscal_year for r in self.reports if r.fiscal_year is not None})

    def status_label(self, code: str | None) -> tuple[str, str, str]:
        return self.statuses.get(code or "", (code or "—", code or "—", ""))

    def pair_of(self, a: str, b: str) -> PairView | None:
        return self.pairs.get((a, b)) or self.pairs.get((b, a))

    def map_context(self, store: Any) -> MapContext:
        """The site's maps (in `maps/`): names and handout of the build, and each body and
        link opening its page here (every row behind it)."""
        context = map_context(store)
        return replace(
            context,
            body_pages={b.iri: f"../bodies/{b.slug}.html" for b in self.bodies.values()},
            pair_pages={frozenset((p.a, p.b)): f"../pairs/{p.slug}.html"
                        for p in self.pairs.values()})

    def status_counts(self, rows: Iterable[str]) -> list[tuple[str, int]]:
        counts = Counter(self.rows[r].status for r in rows)
        order = [s for s in STATUS_ORDER if counts[s]] + sorted(
            s for s in counts if s not in STATUS_ORDER)
        return [(s, counts[s]) for s in order]


def gather(store: Any, queries_dir: Path = QUERIES_DIR, aliases: Path = ALIASES) -> Site:
    """Read the plan and the details from `store` into a `Site`."""
    plan = load_plan(store, queries_dir)
    details = {r["row"]: r for r in select(store, "network-row-details", queries_dir)}
    quantities: dict[str, list[Quantity]] = {}
    for q in select(store, "network-quantities", queries_dir):
        quantities.setdefault(q["row"], []).append(Quantity(
            _number(q["value"]), q.get("unit", ""), q.get("counted", ""), q.get("sourceText", "")))
    implementing = plan.row_bodies((IMPLEMENTING,))
    partners = plan.row_bodies((PARTNER,))
    row_slugs = _Slugs()
    rows = {}
    for r in plan.rows.values():
        d = details.get(r.iri, {})
        rows[r.iri] = RowView(
            iri=r.iri, anchor=row_slugs.add(r.iri, segments=3), text=r.text,
            result=d.get("resultText", ""), status=r.status or "", pillar=r.pillar,
            action_plan=r.action_plan, initiative=r.initiative, bodies=implementing[r.iri],
            partners=partners[r.iri], file=d.get("file", ""), page=d.get("page", ""),
            start=d.get("startLine", ""), end=d.get("endLine", ""),
            quantities=tuple(quantities.get(r.iri, ())), report=d.get("report", ""),
        )
    G = collaboration_network(plan)
    partition = communities(G)
    metrics = {rec["body"]: rec for rec in node_table(G, partition=partition)}
    details_b: dict[str, dict[str, Any]] = {}
    for d in select(store, "network-body-details", queries_dir):
        entry = details_b.setdefault(d["body"], {"aliases": []})
        entry.update({k: d[k] for k in ("parent", "parentJa", "parentEn") if k in d})
        if d.get("alias"):
            entry["aliases"].append(d["alias"])
    body_slugs = _Slugs()
    bodies = {}
    for b in plan.bodies.values():
        d = details_b.get(b.iri, {"aliases": []})
        bodies[b.iri] = BodyView(
            iri=b.iri, slug=body_slugs.add(b.iri), name_ja=b.name_ja, name_en=b.name_en,
            type=b.type, parent=d.get("parent", ""), parent_ja=d.get("parentJa", ""),
            parent_en=d.get("parentEn", ""), aliases=tuple(sorted(set(d["aliases"]))),
            rows=tuple(r for r, bs in implementing.items() if b.iri in bs),
            named_in=tuple(r for r, bs in partners.items() if b.iri in bs),
            metrics=metrics.get(b.iri, {}),
        )
    pairs = {}
    order = {b: i for i, b in enumerate(plan.bodies)}
    for u, v, data in G.edges(data=True):
        a, b = sorted((u, v), key=order.__getitem__)
        pairs[(a, b)] = PairView(f"{bodies[a].slug}--{bodies[b].slug}", a, b, tuple(data["rows"]))
    pairs = dict(sorted(pairs.items(), key=lambda kv: (-len(kv[1].rows), kv[1].slug)))
    pillars, action_plans, initiatives = _outline(plan)
    whole = summary(G, partition=partition)
    per_pillar = {}
    for p in plan.pillars:
        Gp = collaboration_network(plan, pillar=p)
        per_pillar[p] = summary(Gp)
    labels = status_labels()
    names = {n.lower(): n for n in term_labels()}
    statuses = {code: (ja, en, WK + names.get(code, code.capitalize()))
                for code, (ja, en) in labels.items()}
    types = {t: type_label(t) for t in sorted({b.type for b in plan.bodies.values()})}
    return Site(
        plan=plan, rows=rows, bodies=bodies, pairs=pairs, pillars=pillars,
        action_plans=action_plans, initiatives=initiatives, summary=whole,
        pillar_summaries=per_pillar, sharing=row_sharing(plan), statuses=statuses,
        extra_aliases=_extra_aliases(aliases, bodies), types=types,
        reports=_reports(select(store, "network-reports", queries_dir), rows),
    )


def _reports(found: list[dict[str, str]], rows: dict[str, RowView]) -> list[ReportView]:
    """The build's reports with their rows."""
    by_report: dict[str, list[str]] = {}
    for r in rows.values():
        by_report.setdefault(r.report, []).append(r.iri)
    reports = [
        ReportView(r["report"], r.get("file", ""),
                   int(r["fiscalYear"]) if r.get("fiscalYear", "").isdigit() else None,
                   r.get("titleJa", ""), r.get("titleEn", ""),
                   tuple(by_report.get(r["report"], ())))
        for r in found
    ]
    return sorted(reports, key=lambda r: (r.fiscal_year or 0, r.file, r.iri))


def _outline(plan: Plan) -> tuple[dict[str, OutlineView], ...]:
    by: dict[str, dict[str, list[str]]] = {"pillar": {}, "action_plan": {}, "initiative": {}}
    for r in plan.rows.values():
        for key in by:
            value = getattr(r, key)
            if value:
                by[key].setdefault(value, []).append(r.iri)
    first = {iri: i for key in by for i, iri in enumerate(by[key])}  # reading order
    pillars = {
        p.iri: OutlineView(p.iri, f"pillar-{p.number}", "pillar", p.number, p.name_ja,
                           p.name_en, None, tuple(by["pillar"].get(p.iri, ())))
        for p in plan.pillars.values()
    }
    slugs = _Slugs()
    aps = sorted(plan.action_plans.values(), key=lambda a: (first.get(a.iri, 1 << 30), a.iri))
    action_plans = {
        a.iri: OutlineView(a.iri, slugs.add(a.iri), "action-plan", a.number, a.title_ja,
                           a.title_en, a.pillar, tuple(by["action_plan"].get(a.iri, ())))
        for a in aps
    }
    ini_parent = {}
    for r in plan.rows.values():
        if r.initiative and r.action_plan:
            ini_parent.setdefault(r.initiative, r.action_plan)
    inis = sorted(plan.initiatives.values(),
                  key=lambda i: (first.get(i.iri, 1 << 30), i.iri))
    initiatives = {
        i.iri: OutlineView(i.iri, slugs.add(i.iri), "initiative", n, i.text, i.text_en,
                           ini_parent.get(i.iri), tuple(by["initiative"].get(i.iri, ())))
        for n, i in enumerate(inis, start=1)
    }
    return pillars, action_plans, initiatives


def _extra_aliases(path: Path, bodies: dict[str, BodyView]) -> dict[str, tuple[str, ...]]:
    """Body IRI -> the search-only names of `path` and the partners' printed aliases."""
    by_name = {b.name_ja: b.iri for b in bodies.values()}
    found: dict[str, list[str]] = {}
    for name, alias in extra_names(path):
        if name in by_name:
            found.setdefault(by_name[name], []).append(alias)
    return {k: tuple(sorted(set(v))) for k, v in found.items()}


def _number(value: Any) -> str:
    """A quantity as printed: 28 not 28.0."""
    text = str(value)
    return text[:-2] if text.endswith(".0") else text


class _Slugs:
    """File-name-safe, unique, deterministic slugs from IRIs (the last path segments)."""

    _UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")

    def __init__(self) -> None:
        self.used: set[str] = set()

    def add(self, iri: str, segments: int = 1) -> str:
        parts = [p for p in re.split(r"[/#]", iri) if p][-segments:]
        base = "-".join(parts)
        safe = self._UNSAFE.sub("-", base).strip("-").lower()
        if safe != base.lower() or not safe:
            safe = f"{safe[:40]}-{hashlib.sha256(iri.encode()).hexdigest()[:8]}".strip("-")
        slug, n = safe, 1
        while slug in self.used:
            n += 1
            slug = f"{safe}-{n}"
        self.used.add(slug)
        return slug
