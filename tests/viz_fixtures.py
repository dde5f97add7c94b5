"""Hand-made plans with known collaboration answers, shared by the network/metrics/map tests.

`small_plan()`:

    row  pillar initiative  bodies
    r1   1      i1          d1 (division), p (care plaza), c (council)   joint
    r2   1      i1          d1, p
    r3   1      i2          d1, x (partner)
    r4   2      i3          d2 (division), p, c                          joint
    r5   2      i3          y (partner)                                  alone
    r6   2      —           d2                                           alone

Collaboration edges (shared rows): d1–p 2, p–c 2, d1–c 1, d1–x 1, d2–p 1, d2–c 1; y is an
isolate. d1 is the only broker towards x.
"""

from __future__ import annotations

from welfare_kg.viz.plan import (
    PARTNER,
    Body,
    Initiative,
    Participation,
    Pillar,
    Plan,
    PlanRow,
)

EX = "https://example.org/wk/"


def iri(kind: str, key: str) -> str:
    return f"{EX}{kind}/{key}"


B = {k: iri("body", k) for k in ("d1", "d2", "p", "c", "x", "y")}
R = {k: iri("row", k) for k in ("r1", "r2", "r3", "r4", "r5", "r6")}
P1, P2 = iri("pillar", "1"), iri("pillar", "2")
INI = {k: iri("initiative", k) for k in ("i1", "i2", "i3")}

DIVISION = "WardOfficeDivision"
BODIES = [
    Body(B["d1"], "高齢・障害支援課", "Elderly and Disability Support Division", DIVISION),
    Body(B["d2"], "こども家庭支援課", "Children and Family Support Division", DIVISION),
    Body(B["p"], "地域ケアプラザ", "Community Care Plazas", "CommunityCarePlaza"),
    Body(B["c"], "区社会福祉協議会", "Izumi Ward Social Welfare Council", "SocialWelfareCouncil"),
    Body(B["x"], "泉警察", "Izumi Police Station", "PartnerOrganization"),
    Body(B["y"], "地域子育て支援拠点", "Community Childcare Support Hub", "PartnerOrganization"),
]

TABLE = [
    ("r1", P1, "i1", "implemented", ("d1", "p", "c")),
    ("r2", P1, "i1", "cancelled", ("d1", "p")),
    ("r3", P1, "i2", "implemented", ("d1", "x")),
    ("r4", P2, "i3", "partial", ("d2", "p", "c")),
    ("r5", P2, "i3", "implemented", ("y",)),
    ("r6", P2, None, "cancelled", ("d2",)),
]


def small_plan(extra_partner: bool = False) -> Plan:
    """The plan of the module docstring; `extra_partner` adds a named-partner participation."""
    rows = [
        PlanRow(
            R[key], f"・{key} の実施（講座）", pillar=pillar,
            action_plan=iri("action-plan", "1" if pillar == P1 else "2"),
            initiative=INI[ini] if ini else None, status=status, order=i,
        )
        for i, (key, pillar, ini, status, _) in enumerate(TABLE)
    ]
    parts = [Participation(R[key], B[b]) for key, *_, bodies in TABLE for b in bodies]
    if extra_partner:
        parts.append(Participation(R["r5"], B["x"], PARTNER))
    return Plan.from_tables(
        bodies=BODIES,
        rows=rows,
        participations=parts,
        pillars=[
            Pillar(P1, 1, "健やかに過ごせるまち", "A town where people live healthily"),
            Pillar(P2, 2, "必要な支援が届くまち", "A town where needed support reaches people"),
        ],
        initiatives=[
            Initiative(INI["i1"], "認知症に関する正しい知識の普及啓発を行います。",
                       "Spread accurate knowledge about dementia."),
            Initiative(INI["i2"], "見守りの仕組みをつくります。"),
            Initiative(INI["i3"], "子育て家庭を支えます。"),
        ],
    )


def hostile_plan() -> Plan:
    """Two bodies whose names and row text carry markup: it must show as text."""
    evil = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">'
    return Plan.from_tables(
        bodies=[
            Body(iri("body", "evil"), evil, "</script><b>bold</b>", "WardOfficeDivision"),
            Body(iri("body", "ok"), "普通の課 & 係", 'Plain "quoted" body', "CommunityCarePlaza"),
        ],
        rows=[PlanRow(iri("row", "e1"), evil + " の実施", pillar=P1, order=1)],
        participations=[
            Participation(iri("row", "e1"), iri("body", "evil")),
            Participation(iri("row", "e1"), iri("body", "ok")),
        ],
        pillars=[Pillar(P1, 1, "柱 <i>1</i>", "Pillar </script>")],
    )
