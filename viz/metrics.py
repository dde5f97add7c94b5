"""Network figures of the collaboration: centrality, brokers, communities, mixing, joint work.

Examples
--------
A star: the centre brokers every path, centralization is at its maximum.

>>> import networkx as nx
>>> S = nx.star_graph(3)
>>> degree_centralization(S)
1.0
>>> round(nx.density(S), 3)
0.5
>>> node_table(S)[0]["betweenness"]
1.0
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import combinations_with_replacement
from typing import Any

import networkx as nx

from .plan import IMPLEMENTING, Plan, type_rank

__all__ = [
    "JOINT_TYPES",
    "SEED",
    "communities",
    "degree_centralization",
    "edge_table",
    "node_table",
    "row_sharing",
    "summary",
    "type_mixing",
]

SEED = 20210401
"""Seed of every randomised step (Louvain communities, layouts): same input, same output."""

JOINT_TYPES = ("WardOfficeDivision", "CommunityCarePlaza", "SocialWelfareCouncil")
"""The plan's three carriers; a row done by one of each is 'joint' (division+plaza+council)."""


def degree_centralization(G: nx.Graph) -> float:
    """Freeman's degree centralization: 1 for a star, 0 when every body has the same degree.

    ``sum(max_degree - degree(v)) / ((n - 1) * (n - 2))``, 0 for fewer than three nodes.

    >>> degree_centralization(nx.cycle_graph(5))
    0.0
    >>> round(degree_centralization(nx.path_graph(4)), 3)
    0.333
    """
    n = G.number_of_nodes()
    if n < 3:
        return 0.0
    degrees = [d for _, d in G.degree()]
    top = max(degrees)
    return sum(top - d for d in degrees) / ((n - 1) * (n - 2))


def communities(G: nx.Graph, seed: int = SEED) -> list[frozenset]:
    """Louvain communities on the shared-row weights, largest first (seeded: reproducible).

    Isolates form their own singleton communities.

    >>> G = nx.barbell_graph(3, 0)
    >>> [sorted(c) for c in communities(G)]
    [[0, 1, 2], [3, 4, 5]]
    """
    if G.number_of_edges() == 0:
        found = [frozenset([v]) for v in G]
    else:
        found = [
            frozenset(c)
            for c in nx.community.louvain_communities(G, weight="weight", seed=seed)
        ]
    order = {v: i for i, v in enumerate(G)}
    return sorted(found, key=lambda c: (-len(c), min(order[v] for v in c)))


def node_table(
    G: nx.Graph, seed: int = SEED, partition: list[frozenset] | None = None
) -> list[dict[str, Any]]:
    """One record per body: degree, weighted degree, rows, betweenness, community.

    Betweenness is normalised and ignores weights (a broker links bodies that otherwise
    do not meet, however often). Records are sorted by weighted degree, then degree.
    `partition` is the result of `communities(G, seed)` when the caller already has it.
    """
    betweenness = nx.betweenness_centrality(G, normalized=True)
    found = partition if partition is not None else communities(G, seed)
    membership = {v: i + 1 for i, c in enumerate(found) for v in c}
    records = [
        {
            "body": v,
            "name_ja": data.get("name_ja", ""),
            "name_en": data.get("name_en", ""),
            "type": data.get("type", ""),
            "rows": len(data.get("rows", ())),
            "degree": G.degree(v),
            "weighted_degree": G.degree(v, weight="weight"),
            "betweenness": round(betweenness[v], 6),
            "community": membership[v],
        }
        for v, data in G.nodes(data=True)
    ]
    order = {v: i for i, v in enumerate(G)}
    return sorted(
        records, key=lambda r: (-r["weighted_degree"], -r["degree"], order[r["body"]])
    )


def edge_table(G: nx.Graph) -> list[dict[str, Any]]:
    """One record per pair of bodies: shared rows and their initiatives, heaviest first."""
    order = {v: i for i, v in enumerate(G)}
    records = []
    for u, v, data in G.edges(data=True):
        if order[u] > order[v]:
            u, v = v, u
        records.append(
            {
                "source": u,
                "target": v,
                "source_ja": G.nodes[u].get("name_ja", ""),
                "target_ja": G.nodes[v].get("name_ja", ""),
                "weight": data.get("weight", 1),
                "rows": " ".join(data.get("rows", ())),
                "initiatives": " ".join(data.get("initiatives", ())),
            }
        )
    return sorted(records, key=lambda r: (-r["weight"], order[r["source"]], order[r["target"]]))


def summary(
    G: nx.Graph, seed: int = SEED, partition: list[frozenset] | None = None
) -> dict[str, Any]:
    """Whole-network figures: bodies, links, density, centralization, components, communities.

    >>> summary(nx.path_graph(3))["components"]
    1
    """
    found = partition if partition is not None else communities(G, seed)
    return {
        "bodies": G.number_of_nodes(),
        "links": G.number_of_edges(),
        "rows": G.graph.get("row_count", ""),
        "density": round(nx.density(G), 6) if len(G) > 1 else 0.0,
        "centralization": round(degree_centralization(G), 6),
        "components": nx.number_connected_components(G) if len(G) else 0,
        "isolates": nx.number_of_isolates(G),
        "communities": len(found),
        "modularity": (
            round(nx.community.modularity(G, found, weight="weight"), 6)
            if G.number_of_edges()
            else 0.0
        ),
    }


def type_mixing(
    plan: Plan, roles: Iterable[str] = (IMPLEMENTING,)
) -> dict[tuple[str, str], int]:
    """How many rows two body types share: rows with a body of type A and another of type B.

    Keys are type pairs (A, B) in legend order with A <= B; (A, A) counts rows with at least
    two bodies of type A. Only pairs that occur are present.

    >>> from welfare_kg.viz.plan import Body, Participation, PlanRow
    >>> plan = Plan.from_tables(
    ...     [Body("d1", "", "", "WardOfficeDivision"), Body("d2", "", "", "WardOfficeDivision"),
    ...      Body("p", "", "", "CommunityCarePlaza")],
    ...     [PlanRow("r1", ""), PlanRow("r2", "")],
    ...     [Participation("r1", "d1"), Participation("r1", "d2"), Participation("r1", "p"),
    ...      Participation("r2", "d1"), Participation("r2", "p")])
    >>> for pair, rows in type_mixing(plan).items():
    ...     print(*pair, rows)
    WardOfficeDivision WardOfficeDivision 1
    WardOfficeDivision CommunityCarePlaza 2
    """
    counts: Counter[tuple[str, str]] = Counter()
    for bodies in plan.row_bodies(roles).values():
        per_type = Counter(plan.bodies[b].type for b in bodies)
        types = sorted(per_type, key=lambda t: (type_rank(t), t))
        for a, b in combinations_with_replacement(types, 2):
            if a != b or per_type[a] >= 2:
                counts[(a, b)] += 1
    return dict(
        sorted(counts.items(), key=lambda kv: (type_rank(kv[0][0]), kv[0][0],
                                               type_rank(kv[0][1]), kv[0][1]))
    )


def row_sharing(
    plan: Plan,
    roles: Iterable[str] = (IMPLEMENTING,),
    joint_types: Sequence[str] = JOINT_TYPES,
) -> list[dict[str, Any]]:
    """Per pillar and for the whole plan: rows, rows done by one body, rows done jointly.

    A row is 'joint' when among its bodies there is one of each of `joint_types` (a
    ward-office division, a community care plaza and the social welfare council). Shares are
    fractions of the scope's rows with at least one body. The last record is the whole plan
    (`pillar` is empty). Rows without a pillar count only in the whole-plan record.
    """
    row_bodies = plan.row_bodies(roles)
    scopes: list[tuple[str, int | str, str, list[str]]] = [
        (p.iri, p.number, p.name_ja, [r for r in plan.rows if plan.rows[r].pillar == p.iri])
        for p in plan.pillars.values()
    ]
    scopes.append(("", "", "計画全体", list(plan.rows)))
    records = []
    for iri, number, name, rows in scopes:
        with_body = [r for r in rows if row_bodies[r]]
        single = sum(1 for r in with_body if len(row_bodies[r]) == 1)
        joint = sum(
            1
            for r in with_body
            if set(joint_types) <= {plan.bodies[b].type for b in row_bodies[r]}
        )
        n = len(with_body)
        records.append(
            {
                "pillar": iri,
                "number": number,
                "name_ja": name,
                "rows": n,
                "single_body_rows": single,
                "single_body_share": round(single / n, 6) if n else 0.0,
                "joint_rows": joint,
                "joint_share": round(joint / n, 6) if n else 0.0,
            }
        )
    return records
