"""Read the plan's tables from the graph with the library's `network-*.rq` SPARQL queries.

The queries live in `queries/` (`network-bodies`, `network-rows`, `network-participations`,
`network-outline`); this module only runs them on a pyoxigraph store, whose default graph is
the union of the reports' named graphs, and turns the solutions into a `Plan`.

Examples
--------
>>> from pathlib import Path
>>> from pyoxigraph import RdfFormat, Store
>>> store = Store()
>>> store.load(path="tests/data/mini-graph.trig", format=RdfFormat.TRIG)
>>> plan = load_plan(store)
>>> len(plan.rows), len(plan.pillars) > 0
(6, True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from welfare_kg.paths import QUERIES_DIR

from .plan import (
    IMPLEMENTING,
    PARTNER,
    ActionPlan,
    Body,
    Initiative,
    Participation,
    Pillar,
    Plan,
    PlanRow,
)

__all__ = ["QUERY_NAMES", "load_plan", "select"]

QUERY_NAMES = ("network-bodies", "network-rows", "network-participations", "network-outline")

WK = "https://w3id.org/welfare-kg/ontology#"
_ROLES = {"implementing": IMPLEMENTING, "partner": PARTNER}


def select(store: Any, name: str, queries_dir: Path = QUERIES_DIR) -> list[dict[str, str]]:
    """Run the library query `name` on `store`; solutions as {variable: lexical value}."""
    from welfare_kg.graph.sparql import select_values

    return select_values(store, name, queries_dir)


def load_plan(store: Any, queries_dir: Path = QUERIES_DIR) -> Plan:
    """The plan's tables (bodies, rows, participations, outline) read from `store`."""
    bodies = [
        Body(
            iri=r["body"],
            name_ja=r.get("nameJa") or r.get("nameEn") or _local(r["body"]),
            name_en=r.get("nameEn", ""),
            type=_local(r.get("type") or r.get("bodyType") or WK + "Body"),
        )
        for r in select(store, "network-bodies", queries_dir)
    ]
    rows = [
        PlanRow(
            iri=r["row"],
            text=r.get("planText", ""),
            pillar=r.get("pillar"),
            action_plan=r.get("actionPlan"),
            initiative=r.get("initiative"),
            status=_local(r["status"]).lower() if "status" in r else None,
            order=int(r.get("startLine") or 0),
        )
        for r in select(store, "network-rows", queries_dir)
    ]
    parts = [
        Participation(r["row"], r["body"], _ROLES.get(r["role"], r["role"]))
        for r in select(store, "network-participations", queries_dir)
    ]
    pillars, action_plans, initiatives = [], [], []
    for r in select(store, "network-outline", queries_dir):
        number = int(r["number"]) if r.get("number", "").isdigit() else 0
        ja, en = r.get("labelJa", ""), r.get("labelEn", "")
        if r["kind"] == "pillar":
            pillars.append(Pillar(r["concept"], number, ja or f"推進の柱{number}", en))
        elif r["kind"] == "action-plan":
            action_plans.append(ActionPlan(r["concept"], number, ja, en, r.get("parent")))
        else:
            initiatives.append(Initiative(r["concept"], ja or en, en if ja else ""))
    return Plan.from_tables(bodies, rows, parts, pillars, action_plans, initiatives)


def _local(iri: str) -> str:
    """The last segment of an IRI (`…#CommunityCarePlaza` gives `CommunityCarePlaza`)."""
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
