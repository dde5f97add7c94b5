"""Tiny hand-made progress reports, one per layout quirk of FORMAT.md.

Each is a complete report text in the flattened layout, small enough to check by eye.
"""

from __future__ import annotations

HEADER = " 行動計画 取組  令和３年度実施計画 実施した取組結果 実施主体"

# Two rows with their own bodies, one result inline on the bullet line; two initiatives and
# the heading in the end block (initiatives after the heading, top to bottom).
BASIC = f"""{HEADER}

・認知症サポーター養成講座の実施 各施設で講座を3回実施した。
高齢・障害支援課
地域ケアプラザ

・高齢者虐待防止の研修
虐待防止の研修会を開催し、40人が参加し
た。

高齢・障害支援課
区社会福祉協議会

１
個人の権利と尊厳
を守る仕組みづくり

認知症に関する正しい知識の普及啓
発を行います。

高齢者への虐待を早期に発見できる
よう、研修を推進します。
"""

# A body printed at the end of a result line, and one glued to the initiative after it.
INLINE_AND_GLUED = f"""{HEADER}

・地域防犯講習会の実施 防犯講習会を合計7回開催した。 地域振興課

・相談窓口リーフレットの活用
相談時にリーフレットを用いて窓口の説明を行っ
た。

高齢・障害支援課
地域ケアプラザ身近な相談窓口の機能・連絡先を周

知します。

１
安心・安全に暮ら
せる環境の整備

地域での防犯の意識を高めるための
啓発を行っていきます。
"""

# Rows without bodies of their own share a merged cell printed beside their initiative.
MERGED_CELL = f"""{HEADER}

・防災訓練の支援
希望する自治会町内会に安否確認カードを配布した。

・防災出前講座
防災出前講座を13団体で実施した。

・河川の整備
阿久和川の護岸を整備した。

１
安心・安全に暮ら
せる環境の整備

地域での防災訓練や出前講座による
啓発を行っていきます。

総務課

災害に強い、安心・安全なまちづく
りを河川の整備で進めます。

土木事務所
"""

# Rows printed without bodies that no rule gives a merged cell: 防犯講習会 has an initiative of
# its own printed among the rows, while the only cell pairs with the initiative of the bare row
# above it (a row with its own body between them); 防災出前講座 is a lone bullet printed in the
# end block, after the cell, at the foot of a page the next one continues (` ・`).
BARE_ROWS = f"""{HEADER}

・防災訓練の支援
希望する自治会町内会に安否確認カードを配布した。

・河川の整備
阿久和川の護岸を整備した。

土木事務所

地域での防犯の意識を高めるための
啓発を行っていきます。

・防犯講習会の実施
防犯講習会を合計7回開催した。

災害に強い、安心・安全なまちづく
りを防災訓練で進めます。

総務課

１
安心・安全に暮ら
せる環境の整備

地域での防災出前講座による啓発を
行っていきます。

・防災出前講座の実施
 ・地域防犯パトロールの支援
パトロール団体に物品を支給した。

地域振興課

地域での防犯活動を支援します。

１
安心・安全に暮ら
せる環境の整備
"""

# Result text with bullets and numbered lines of its own; a footnote; a ※1 mark in a result.
RESULT_BULLETS = f"""{HEADER}

・自主製品等販売活動支援事業

(1) 区庁舎での販売
・販売実績：240回（通年週５日）
(2) 駅での農産物販売支援
・販売実績0回（通年週２回の予定がコロナ状況により休止）

高齢・障害支援課
地域ケアプラザ

・障害理解啓発の研修会等の実施
「にも包括」周知目的の講演会（コロナ状況により中止）
※１

高齢・障害支援課
生活支援センター

３
サポートが必要な
方々の理解と支援

障害児・者の理解を深めるため、自
主製品販売等の支援を行います。

※１　「にも包括」は「精神障害者にも対応した地域包括ケアシステム」の略称。
"""

# Page 2 has no heading: it continues the action plan of page 1.
CONTINUED_PAGE = f"""{HEADER}

・ボランティア講座の実施
ボランティア講座を5回開催した。

区社会福祉協議会

１
活動を継続してい
くための支援

地域の活動グループの研修会を実施
し、活動継続を支援します。
 ・各種助成金の交付
「泉ふれあい助成金」を交付し、団体活動を支援した。

区社会福祉協議会
地域ケアプラザ
{HEADER}

・地区ボランティアセンターの運営支援
既存の団体の支援を行った。

区社会福祉協議会

２
新たな担い手の発
掘・育成

担い手として気軽に活動を始められ
る講座を開催します。
"""

# Two headings on one page: the one printed first has the higher number.
TWO_HEADINGS = f"""{HEADER}

・福祉教育の実施
小学校で福祉教育の授業を実施した。

区社会福祉協議会

・関係機関との連絡会の開催
関係機関同士の連絡会を10回開催した。

福祉保健課

行政から関係機関への情報提供と連
携を行います。

２
関係機関同士の連
携強化

小中学生に対し、福祉の理解を進め
る機会を提供します。

1
様々な人との交流
の推進
"""

# A report whose outline marker disagrees with data/outline.yaml (group 1 is pillar 1).
WRONG_PILLAR = BASIC + "\n\n推進の柱２\n"


def write(tmp_path, text: str, name: str = "report.txt", encoding: str = "utf-8") -> str:
    """Write a fixture report and return its path as a string."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)
