"""Hand-made extractions for the graph build, export and shape tests.

`three_rows()` is a report of two pages (action plans: AP1 on page 1, AP2 on page 2):

    line 3   p1  pillar 1  AP1  INI1    3 bodies (division, dementia team, care plaza)  partial
    line 15  p1  pillar 1  AP1  INI2    division + 泉警察; 28 件; partner 医師会        implemented
    line 60  p2  pillar 2  AP2  (none)  こども家庭支援課 + 区社協 (alias); 2 回, 45 人    cancelled
"""

from __future__ import annotations

import dataclasses

from welfare_kg.graph.rdf.build import Vocabulary, load_vocabulary
from welfare_kg.graph.report.bodies import Partner
from welfare_kg.graph.report.records import ActionPlan, Extraction, Initiative, Page, Quantity, Row

AP1 = "個人の権利と尊厳を守るための仕組みづくり"
AP2 = "妊娠期からの切れ目のない子育て支援"
INI1 = "認知症に関する正しい知識の普及啓発を行います。"
INI2 = "認知症の人と家族が安心して住み慣れた地域で生活できるよう、地域での見守り体制を推進します。"

PILLARS = {
    1: ("健やかに過ごせるまち", "A town where people live healthily"),
    2: ("必要な支援が届くまち", "A town where needed support reaches people"),
    3: ("人と人、活動と活動がつながるまち", "A town where people and activities connect"),
}


def vocabulary() -> Vocabulary:
    """The bundled bodies and organisations, with two partners (partners.csv may be absent)."""
    partners = (
        Partner("medical-association", "医師会", "Medical association", "association", ("医師会",)),
        Partner(
            "neighbourhood-associations",
            "自治会町内会",
            "Neighbourhood associations",
            "residents",
            ("自治会町内会", "自治会・町内会"),
        ),
    )
    return dataclasses.replace(load_vocabulary(), partners=partners)


def three_rows(source: str = "izumi-wakuwaku-fy2021-report.txt") -> Extraction:
    """A two-page, three-row report (see the module docstring)."""
    rows = [
        Row(
            page=1, line=3, end_line=8,
            items=["認知症サポーター養成講座等の実施"],
            result="コロナ禍で回数は少ないが、各施設で実施した。",
            bodies=["高齢・障害支援課", "認知症初期集中支援チーム", "地域ケアプラザ"],
            initiative=INI1, action_plan=AP1, action_plan_number=1, pillar=1,
            status="partial", confidence=0.92, body_source="own",
        ),
        Row(
            page=1, line=15, end_line=24,
            items=["認知症高齢者等SOSネットワーク及びシール事業の周知", "関係機関連絡会等の継続"],
            result="チラシを配布し周知を行った。新規登録28件。医師会と連携した。",
            bodies=["高齢・障害支援課", "泉警察"],
            initiative=INI2, action_plan=AP1, action_plan_number=1, pillar=1,
            status="implemented", confidence=0.5, body_source="merged",
            quantities=[Quantity(28, "件", "登録", "新規登録28件")],
            partners=["医師会"], corrections=["initiative: moved to the watch-network sentence"],
        ),
        Row(
            page=2, line=60, end_line=63,
            items=["両親教室の開催"],
            result="新型コロナウイルス感染症の影響により中止した。代替で2回、45人が参加した。",
            bodies=["こども家庭支援課", "区社協"],
            initiative=None, action_plan=AP2, action_plan_number=2, pillar=2,
            status="cancelled", confidence=0.0, body_source="own",
            quantities=[Quantity(2, "回", None, "2回"), Quantity(45.0, "人", "参加", "45人が参加")],
        ),
    ]
    pages = [
        Page(
            1, 1, 58,
            action_plans=[ActionPlan(1, AP1, 1, 40, group=1, pillar=1)],
            initiatives=[Initiative(INI1, 1, 44, 45), Initiative(INI2, 1, 47, 49)],
        ),
        Page(2, 59, 80, action_plans=[ActionPlan(2, AP2, 2, 70, group=4, pillar=2)]),
    ]
    return Extraction(source=source, sha256="ab" * 32, pages=pages, rows=rows)


def second_year() -> Extraction:
    """Another year's report sharing bodies and an action plan with `three_rows()`."""
    extraction = three_rows("izumi-wakuwaku-fy2022-report.txt")
    extraction.sha256 = "cd" * 32
    extraction.rows = extraction.rows[:1]
    return extraction
