"""Collaboration networks of bodies: who implements rows together, and who implements what.

Examples
--------
>>> from welfare_kg.viz.plan import Body, Participation, Plan, PlanRow
>>> plan = Plan.from_tables(
...     bodies=[Body("a", "甲", "A", "WardOfficeDivision"),
...             Body("b", "乙", "B", "CommunityCarePlaza"),
...             Body("c", "丙", "C", "SocialWelfareCouncil")],
...     rows=[PlanRow("r1", "x", initiative="i1", order=1),
...           PlanRow("r2", "y", initiative="i1", order=2),
...           PlanRow("r3", "z", initiative="i2", order=3)],
...     participations=[Participation("r1", "a"), Participation("r1", "b"),
...                     Participation("r2", "a"), Participation("r2", "b"),
...                     Participation("r3", "c")],
... )
>>> G = collaboration_network(plan)
>>> sorted(G.edges(data="weight"))
[('a', 'b', 2)]
>>> G.edges["a", "b"]["rows"], G.edges["a", "b"]["initiatives"]
(('r1', 'r2'), ('i1',))
>>> G.nodes["c"]["rows"]
('r3',)
>>> B = two_mode_network(plan)
>>> sorted(B.edges("a", data="weight"))
[('a', 'i1', 2)]
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

import networkx as nx

from .plan import IMPLEMENTING, Plan

__all__ = [
    "collaboration_network",
    "networks_by_action_plan",
    "networks_by_pillar",
    "two_mode_network",
]


def collaboration_network(
    plan: Plan,
    *,
    pillar: str | None = None,
    action_plan: str | None = None,
    roles: Iterable[str] = (IMPLEMENTING,),
) -> nx.Graph:
    """The one-mode network of bodies: an edge where two bodies take part in the same row.

    Parameters
    ----------
    plan : the plan's tables.
    pillar, action_plan : IRIs; when given, only the rows of that pillar / action plan count.
    roles : which participations count (implementing bodies by default).

    Returns
    -------
    An undirected graph whose nodes are the bodies with at least one row in scope (a body that
    only works alone is an isolate) with attributes `name_ja`, `name_en`, `type` and `rows`
    (row IRIs in reading order); each edge has `weight` (number of shared rows), `rows` and
    `initiatives` (the shared rows' initiatives, in first-seen order). `G.graph` carries the
    scope (`pillar`, `action_plan`) and `row_count`, the number of rows in scope.
    """
    scoped = plan.select(pillar=pillar, action_plan=action_plan)
    row_bodies = scoped.row_bodies(roles)
    G = nx.Graph(pillar=pillar, action_plan=action_plan, row_count=len(scoped.rows))
    body_rows: dict[str, list[str]] = {}
    for row, bodies in row_bodies.items():
        for b in bodies:
            body_rows.setdefault(b, []).append(row)
    for b in scoped.bodies:  # body order, so node order is stable
        if b in body_rows:
            body = scoped.bodies[b]
            G.add_node(
                b, name_ja=body.name_ja, name_en=body.name_en, type=body.type,
                rows=tuple(body_rows[b]),
            )
    shared: dict[tuple[str, str], list[str]] = {}
    for row, bodies in row_bodies.items():
        for u, v in combinations(bodies, 2):
            shared.setdefault((u, v), []).append(row)
    for (u, v), rows in shared.items():
        G.add_edge(
            u, v, weight=len(rows), rows=tuple(rows),
            initiatives=_unique(scoped.rows[r].initiative for r in rows),
        )
    return G


def two_mode_network(
    plan: Plan,
    *,
    by: str = "initiative",
    pillar: str | None = None,
    action_plan: str | None = None,
    roles: Iterable[str] = (IMPLEMENTING,),
) -> nx.Graph:
    """The two-mode network of bodies and initiatives (`by="initiative"`) or action plans.

    Body nodes have `bipartite=0` and the attributes of `collaboration_network`; the other
    nodes have `bipartite=1` and `kind` (the value of `by`). An edge's `weight` is the number
    of that initiative's (action plan's) rows the body takes part in, `rows` lists them. Rows
    that have no initiative (action plan) in the graph have no node to attach to and are left
    out; `G.graph["unplaced_rows"]` counts them.
    """
    if by not in ("initiative", "action_plan"):
        raise ValueError(f"by must be 'initiative' or 'action_plan', not {by!r}")
    scoped = plan.select(pillar=pillar, action_plan=action_plan)
    G = nx.Graph(pillar=pillar, action_plan=action_plan, by=by, unplaced_rows=0)
    links: dict[tuple[str, str], list[str]] = {}
    for row, bodies in scoped.row_bodies(roles).items():
        target = getattr(scoped.rows[row], by)
        if target is None:
            G.graph["unplaced_rows"] += 1
            continue
        for b in bodies:
            links.setdefault((b, target), []).append(row)
    rank = {r: i for i, r in enumerate(scoped.rows)}
    for b in scoped.bodies:
        mine = {r for (body, _), rows in links.items() if body == b for r in rows}
        if mine:
            body = scoped.bodies[b]
            G.add_node(
                b, bipartite=0, name_ja=body.name_ja, name_en=body.name_en, type=body.type,
                rows=tuple(sorted(mine, key=rank.__getitem__)),
            )
    for target in _unique(t for _, t in links):
        G.add_node(target, bipartite=1, kind=by, label=_outline_label(scoped, by, target))
    for (b, target), rows in links.items():
        G.add_edge(b, target, weight=len(rows), rows=tuple(rows))
    return G


def networks_by_pillar(plan: Plan, **kwargs) -> dict[str, nx.Graph]:
    """`collaboration_network` for each pillar, keyed by the pillar's IRI, in pillar order."""
    return {p: collaboration_network(plan, pillar=p, **kwargs) for p in plan.pillars}


def networks_by_action_plan(plan: Plan, **kwargs) -> dict[str, nx.Graph]:
    """`collaboration_network` for each action plan, keyed by its IRI, in outline order."""
    return {a: collaboration_network(plan, action_plan=a, **kwargs) for a in plan.action_plans}


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v is not None))


def _outline_label(plan: Plan, by: str, iri: str) -> str:
    if by == "initiative":
        initiative = plan.initiatives.get(iri)
        return initiative.text if initiative else iri
    action = plan.action_plans.get(iri)
    return f"{action.number} {action.title_ja}" if action else iri
