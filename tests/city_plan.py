"""A synthetic city-scale `Plan`: every ward of a city over every plan year, seeded.

The maps must stay usable when a plan covers a whole city (18 wards x 5 years = 90 reports);
this builds such a plan directly as viz tables, without the extractor or the graph, so the map
tests and `scripts/bench --only map` can use it on their own. Its shape follows the bundled Izumi
report: each ward has its own 18 implementing bodies (divisions, care plazas, the ward council,
partner organizations), about 38 pairs of them work together, and each ward-year has 223 rows
whose body sets (one body 40 %, two 43 %, three or more 17 %) and text lengths (plan items of
10-70 characters, initiatives of ~40) are like the report's. A ward's rows repeat its plan each
year, as real reports do, so the network has 18 x 18 = 324 bodies and 18 x 38 = 684 links over
20,070 rows.

The same arguments always give the same plan (its own `random.Random(seed)`).

>>> plan = city_plan(wards=2, years=1, rows_per_report=20)
>>> len(plan.bodies), len(plan.rows)
(36, 40)
>>> city_plan(wards=2, years=1, rows_per_report=20) == plan
True
"""

from __future__ import annotations

import random
from itertools import combinations

from welfare_kg.viz.plan import (
    ActionPlan,
    Body,
    Initiative,
    Participation,
    Pillar,
    Plan,
    PlanRow,
)

BASE = "https://example.org/city/"
WARDS = [
    ("tsurumi", "鶴見"), ("kanagawa", "神奈川"), ("nishi", "西"), ("naka", "中"),
    ("minami", "南"), ("konan", "港南"), ("hodogaya", "保土ケ谷"), ("asahi", "旭"),
    ("isogo", "磯子"), ("kanazawa", "金沢"), ("kohoku", "港北"), ("midori", "緑"),
    ("aoba", "青葉"), ("tsuzuki", "都筑"), ("totsuka", "戸塚"), ("sakae", "栄"),
    ("izumi", "泉"), ("seya", "瀬谷"),
]
# (slug, Japanese name, English name, type): one ward's implementing bodies, hubs first.
WARD_BODIES = [
    ("council", "社会福祉協議会", "Ward Social Welfare Council", "SocialWelfareCouncil"),
    ("elderly", "高齢・障害支援課", "Elderly and Disability Support Division",
     "WardOfficeDivision"),
    ("children", "こども家庭支援課", "Children and Family Support Division",
     "WardOfficeDivision"),
    ("plaza-1", "第一地域ケアプラザ", "Community Care Plaza 1", "CommunityCarePlaza"),
    ("plaza-2", "第二地域ケアプラザ", "Community Care Plaza 2", "CommunityCarePlaza"),
    ("plaza-3", "第三地域ケアプラザ", "Community Care Plaza 3", "CommunityCarePlaza"),
    ("plaza-4", "第四地域ケアプラザ", "Community Care Plaza 4", "CommunityCarePlaza"),
    ("welfare", "福祉保健課", "Welfare and Health Division", "WardOfficeDivision"),
    ("community", "地域振興課", "Community Promotion Division", "WardOfficeDivision"),
    ("livelihood", "生活支援課", "Livelihood Support Division", "WardOfficeDivision"),
    ("affairs", "総務課", "General Affairs Division", "WardOfficeDivision"),
    ("insurance", "保険年金課", "Insurance and Pension Division", "WardOfficeDivision"),
    ("works", "土木事務所", "Public Works Office", "WardOfficeDivision"),
    ("hub", "地域子育て支援拠点", "Community Childcare Support Hub", "PartnerOrganization"),
    ("core", "基幹相談支援センター", "Core Consultation Support Center",
     "PartnerOrganization"),
    ("medical", "在宅医療相談室", "Home Medical Care Consultation Office",
     "PartnerOrganization"),
    ("police", "警察署", "Police Station", "PartnerOrganization"),
    ("fire", "消防署", "Fire Station", "PartnerOrganization"),
]
HUBS = 7  # the council, two divisions and the care plazas carry most joint work
PILLARS = [
    ("健やかに過ごせるまち", "A town where people live healthily"),
    ("必要な支援が届くまち", "A town where needed support reaches people"),
    ("地域でつながり支え合うまち", "A town where neighbours connect and support each other"),
]
ACTION_PLANS_PER_PILLAR = 5
INITIATIVES_PER_WARD = 68
WORDS = (
    "地域", "見守り", "講座", "高齢者", "子育て", "障害", "認知症", "相談", "支援", "周知",
    "交流", "担い手", "ボランティア", "防災", "健康づくり", "居場所", "連携", "研修", "啓発",
    "情報", "訪問", "サロン", "家族", "介護", "予防", "活動", "ネットワーク", "学習会",
)
ENDINGS = ("の実施", "の開催", "の推進", "の充実", "の支援", "の周知", "の強化", "の検討")
SIZES = (1,) * 40 + (2,) * 43 + (3,) * 11 + (4,) * 5 + (5,) * 1  # bodies per row, like the report
STATUSES = ("implemented",) * 7 + ("partial",) * 2 + ("cancelled",)


def city_plan(
    wards: int = 18,
    years: int = 5,
    rows_per_report: int = 223,
    links_per_ward: int = 38,
    seed: int = 20210401,
) -> Plan:
    """A plan of `wards` wards over `years` years, `rows_per_report` rows per ward-year."""
    if not 1 <= wards <= len(WARDS):
        raise ValueError(f"wards must be 1..{len(WARDS)}, not {wards}")
    rnd = random.Random(seed)
    pillars = [Pillar(f"{BASE}pillar/{i + 1}", i + 1, ja, en) for i, (ja, en) in enumerate(PILLARS)]
    action_plans = [
        ActionPlan(f"{BASE}action-plan/{p.number}-{k + 1}", k + 1,
                   f"{_phrase(rnd, 3)}を進めます", "", p.iri)
        for p in pillars for k in range(ACTION_PLANS_PER_PILLAR)
    ]
    bodies: list[Body] = []
    rows: list[PlanRow] = []
    parts: list[Participation] = []
    initiatives: list[Initiative] = []
    for slug, ward_ja in WARDS[:wards]:
        ward_bodies = [
            Body(f"{BASE}body/{slug}-{key}", f"{ward_ja}区{ja}", f"{slug.title()} {en}", kind)
            for key, ja, en, kind in WARD_BODIES
        ]
        bodies += ward_bodies
        allowed = _ward_links(rnd, len(ward_bodies), links_per_ward)
        ward_initiatives = [
            Initiative(f"{BASE}initiative/{slug}/{k + 1}", _phrase(rnd, 5) + "に取り組みます。")
            for k in range(INITIATIVES_PER_WARD)
        ]
        initiatives += ward_initiatives
        templates = _ward_rows(rnd, allowed, len(ward_bodies), rows_per_report)
        for year in range(years):
            report = f"{BASE}report/{slug}-fy{2021 + year}"
            for i, members in enumerate(templates):
                action = action_plans[i * len(action_plans) // rows_per_report]
                row = PlanRow(
                    f"{report}/row/{i + 1}",
                    "・" + _phrase(rnd, rnd.randint(2, 9)) + rnd.choice(ENDINGS),
                    pillar=action.pillar, action_plan=action.iri,
                    initiative=ward_initiatives[i * INITIATIVES_PER_WARD // rows_per_report].iri,
                    status=rnd.choice(STATUSES), order=len(rows),
                )
                rows.append(row)
                parts += [Participation(row.iri, ward_bodies[b].iri) for b in members]
    return Plan.from_tables(bodies, rows, parts, pillars, action_plans, initiatives)


def _phrase(rnd: random.Random, words: int) -> str:
    return "・".join(rnd.sample(WORDS, 2)) + "".join(rnd.choice(WORDS) for _ in range(words))


def _ward_links(rnd: random.Random, n: int, count: int) -> set[tuple[int, int]]:
    """`count` pairs of a ward's bodies that work together: every body tied to a hub, hubs
    tied to each other, the rest random."""
    links = {(a, b) for a, b in combinations(range(HUBS), 2) if rnd.random() < 0.6}
    for b in range(HUBS, n):
        links.add((rnd.randrange(HUBS), b))
    pairs = [p for p in combinations(range(n), 2) if p not in links]
    rnd.shuffle(pairs)
    while len(links) < count and pairs:
        links.add(pairs.pop())
    return set(sorted(links)[:count]) if len(links) > count else links


def _ward_rows(rnd: random.Random, links: set[tuple[int, int]], n: int,
               count: int) -> list[tuple[int, ...]]:
    """The body sets of a ward's rows: each link once, then sets drawn like the report's."""
    rows: list[tuple[int, ...]] = [pair for pair in sorted(links)]
    neighbours = {v: {b for a, b in links if a == v} | {a for a, b in links if b == v}
                  for v in range(n)}
    while len(rows) < count:
        size = rnd.choice(SIZES)
        if size == 1:
            rows.append((rnd.randrange(n),))
            continue
        members = list(rnd.choice(sorted(links)))
        while len(members) < size:  # grow a clique of the ward's links, so no new link appears
            common = set.intersection(*(neighbours[m] for m in members)) - set(members)
            if not common:
                break
            members.append(rnd.choice(sorted(common)))
        rows.append(tuple(sorted(members)))
    rows = rows[:count]
    rnd.shuffle(rows)
    return rows
