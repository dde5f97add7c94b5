"""The metrics as files: CSV tables for analysts and a readable Markdown report for coordinators.

Scopes are the whole plan (`whole-plan`), each pillar (`pillar-N`) and each action plan
(`pillar-N-action-plan-M`, in reading order; action-plan numbers restart within a pillar, so
the second heading numbered M under pillar N is `pillar-N-action-plan-M-2`); every table has a
`scope` column and the networks table names each scope.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from welfare_kg.fileio import write_text

from .metrics import (
    JOINT_TYPES,
    SEED,
    communities,
    edge_table,
    node_table,
    row_sharing,
    summary,
    type_mixing,
)
from .network import collaboration_network, two_mode_network
from .plan import Plan, type_label

__all__ = ["Scope", "markdown_report", "metric_tables", "scopes", "write_metrics"]


@dataclass(frozen=True)
class Scope:
    """A part of the plan the figures are computed for."""

    slug: str
    name: str
    pillar: str | None = None
    action_plan: str | None = None


def scopes(plan: Plan, action_plans: bool = True) -> list[Scope]:
    """Whole plan, then each pillar, then (with `action_plans`) each action plan."""
    found = [Scope("whole-plan", "計画全体 / Whole plan")]
    number = {p.iri: p.number for p in plan.pillars.values()}
    for p in plan.pillars.values():
        found.append(Scope(f"pillar-{p.number}", f"推進の柱{p.number} {p.name_ja}", pillar=p.iri))
    if action_plans:
        first_row: dict[str, int] = {}  # action plans in reading order, as the report has them
        for i, r in enumerate(plan.rows.values()):
            if r.action_plan is not None:
                first_row.setdefault(r.action_plan, i)
        for a in sorted(plan.action_plans.values(), key=lambda a: first_row.get(a.iri, -1)):
            if a.iri in first_row:
                prefix = f"pillar-{number[a.pillar]}-" if a.pillar in number else ""
                found.append(
                    Scope(f"{prefix}action-plan-{a.number}", f"行動計画{a.number} {a.title_ja}",
                          action_plan=a.iri)
                )
    slugs: dict[str, int] = {}
    unique = []
    for s in found:  # two headings with the same number under one pillar stay apart
        slugs[s.slug] = slugs.get(s.slug, 0) + 1
        slug = s.slug if slugs[s.slug] == 1 else f"{s.slug}-{slugs[s.slug]}"
        unique.append(Scope(slug, s.name, s.pillar, s.action_plan))
    return unique


def metric_tables(plan: Plan, seed: int = SEED) -> dict[str, list[dict[str, Any]]]:
    """The metric tables, by file stem: networks, bodies, links, communities, type-mixing,
    row-sharing, body-initiatives."""
    tables: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("networks", "bodies", "links", "communities", "type-mixing")
    }
    for scope in scopes(plan):
        G = collaboration_network(plan, pillar=scope.pillar, action_plan=scope.action_plan)
        found = communities(G, seed)
        tables["networks"].append(
            {"scope": scope.slug, "name": scope.name, **summary(G, seed, found)}
        )
        tables["bodies"] += [{"scope": scope.slug, **r} for r in node_table(G, seed, found)]
        tables["links"] += [{"scope": scope.slug, **r} for r in edge_table(G)]
        for i, members in enumerate(found, start=1):
            tables["communities"].append(
                {
                    "scope": scope.slug, "community": i, "size": len(members),
                    "bodies": " ".join(v for v in G if v in members),
                    "names_ja": "・".join(G.nodes[v]["name_ja"] for v in G if v in members),
                }
            )
        if scope.action_plan is None:
            scoped = plan.select(pillar=scope.pillar)
            tables["type-mixing"] += [
                {"scope": scope.slug, "type_a": a, "type_b": b, "rows": n}
                for (a, b), n in type_mixing(scoped).items()
            ]
    tables["row-sharing"] = row_sharing(plan)
    B = two_mode_network(plan)
    pairs = [
        (u, v, d) if B.nodes[u]["bipartite"] == 0 else (v, u, d) for u, v, d in B.edges(data=True)
    ]
    tables["body-initiatives"] = [
        {
            "body": b, "name_ja": B.nodes[b]["name_ja"], "initiative": i,
            "initiative_ja": B.nodes[i]["label"], "rows": data["weight"],
        }
        for b, i, data in pairs
    ]
    return tables


def to_csv(records: Sequence[Mapping[str, Any]]) -> str:
    """Records as CSV text (header from the first record; LF line ends)."""
    if not records:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def markdown_report(plan: Plan, tables: Mapping[str, list[dict[str, Any]]]) -> str:
    """A readable summary of the tables, in Japanese and English."""
    lines = [
        "# 協働ネットワークの指標 / Collaboration network metrics",
        "",
        "実施主体が同じ行（実施計画）を担うとき、二つの実施主体をつなぎます。"
        "重みは共同で担う行の数です。 / Two bodies are linked when they implement the same "
        "row; the weight is the number of rows they share.",
        "",
        "## ネットワーク全体の数値 / Whole-network figures",
        "",
    ]
    main_scopes = [r for r in tables["networks"] if "action-plan" not in r["scope"]]
    lines += _md_table(
        ["範囲 / Scope", "行 Rows", "主体 Bodies", "つながり Links", "密度 Density",
         "集中度 Centralization", "成分 Components", "孤立 Isolates", "コミュニティ Communities",
         "モジュラリティ Modularity"],
        [[r["name"], r["rows"], r["bodies"], r["links"], f"{r['density']:.3f}",
          f"{r['centralization']:.3f}", r["components"], r["isolates"], r["communities"],
          f"{r['modularity']:.3f}"] for r in main_scopes],
    )
    whole = [r for r in tables["bodies"] if r["scope"] == "whole-plan"]
    lines += ["", "## 中心となる実施主体 / Central bodies (whole plan)", "",
              "重み付き次数（共同で担う行の延べ数）の順。媒介中心性は、他ではつながらない主体どうしを"
              "結ぶ度合い（ブローカー）です。 / Ordered by weighted degree (shared rows); "
              "betweenness measures brokerage between bodies that do not otherwise meet.", ""]
    lines += _md_table(
        ["実施主体 / Body", "種類 / Type", "行 Rows", "相手 Degree", "重み付き次数 Weighted",
         "媒介中心性 Betweenness", "コミュニティ"],
        [[f"{r['name_ja']} / {r['name_en']}", type_label(r["type"])[0], r["rows"], r["degree"],
          r["weighted_degree"], f"{r['betweenness']:.3f}", r["community"]] for r in whole],
    )
    brokers = sorted((r for r in whole if r["betweenness"] > 0),
                     key=lambda r: -r["betweenness"])[:5]
    lines += ["", "### ブローカー / Brokers", ""]
    lines += [f"- {r['name_ja']} ({r['name_en']}): {r['betweenness']:.3f}" for r in brokers] or [
        "- なし / none"
    ]
    alone = [r for r in whole if r["degree"] == 0]
    lines += ["", "### 単独で実施する主体 / Bodies that only work alone", ""]
    lines += [f"- {r['name_ja']} ({r['name_en']}): {r['rows']} 行 rows" for r in alone] or [
        "- なし / none"
    ]
    lines += ["", "## 推進の柱ごとの中心とブローカー / Centre and brokers per pillar", ""]
    for net in main_scopes[1:]:
        ranked = [r for r in tables["bodies"] if r["scope"] == net["scope"]]
        top = ", ".join(f"{r['name_ja']} ({r['weighted_degree']})" for r in ranked[:3])
        broker = max(ranked, key=lambda r: r["betweenness"], default=None)
        lines.append(f"- {net['name']}: 中心 / centre: {top or '—'}; ブローカー / broker: "
                     + (f"{broker['name_ja']} ({broker['betweenness']:.3f})"
                        if broker and broker["betweenness"] > 0 else "—"))
    lines += ["", "## コミュニティ（Louvain, 固定シード）/ Communities (Louvain, fixed seed)", ""]
    lines += [f"{c['community']}. {c['names_ja']}" for c in tables["communities"]
              if c["scope"] == "whole-plan"]
    lines += ["", "## 種類どうしの協働（行数）/ Mixing by body type (rows shared)", "",
              "ある行に種類Aの主体と種類Bの主体がともにいる行の数（A=Bは同じ種類の主体が二つ以上）。"
              " / Rows with a body of type A and another of type B"
              " (A = B: two or more of one type).",
              ""]
    lines += _mixing_matrix([r for r in tables["type-mixing"] if r["scope"] == "whole-plan"])
    joint = " + ".join(type_label(t)[0] for t in JOINT_TYPES)
    lines += ["", "## 単独の行と共同の行 / Rows done alone and rows done jointly", "",
              f"共同＝{joint}がそろって実施する行。 / Joint = a ward-office division, a community "
              "care plaza and the social welfare council together.", ""]
    lines += _md_table(
        ["推進の柱 / Pillar", "行 Rows", "単独 Single-body", "割合 Share", "共同 Joint",
         "割合 Share"],
        [[f"{r['number']} {r['name_ja']}".strip(), r["rows"], r["single_body_rows"],
          f"{r['single_body_share']:.1%}", r["joint_rows"], f"{r['joint_share']:.1%}"]
         for r in tables["row-sharing"]],
    )
    lines += ["", "## ファイル / Files", "",
              "`networks.csv`, `bodies.csv`, `links.csv`, `communities.csv`, `type-mixing.csv`, "
              "`row-sharing.csv`, `body-initiatives.csv` (scope: whole-plan, pillar-N, "
              "pillar-N-action-plan-M).", ""]
    return "\n".join(lines)


def write_metrics(plan: Plan, out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write the metric CSVs (UTF-8 with BOM, for spreadsheets) and `report.md` into `out_dir`;
    return their paths."""
    out_dir = Path(out_dir)
    tables = metric_tables(plan, seed)
    paths = []
    for stem, records in tables.items():
        path = out_dir / f"{stem}.csv"
        write_text(path, "\ufeff" + to_csv(records))  # BOM: Excel on Japanese Windows reads UTF-8
        paths.append(path)
    report = out_dir / "report.md"
    write_text(report, markdown_report(plan, tables))
    paths.append(report)
    return paths


def _md_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    def cell(v: Any) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return out


def _mixing_matrix(records: Sequence[Mapping[str, Any]]) -> list[str]:
    types: list[str] = []
    for r in records:
        for t in (r["type_a"], r["type_b"]):
            if t not in types:
                types.append(t)
    if not types:
        return ["- なし / none"]
    cells = {(r["type_a"], r["type_b"]): r["rows"] for r in records}
    rows = [
        [type_label(a)[0]] + [cells.get((a, b), cells.get((b, a), 0)) for b in types]
        for a in types
    ]
    return _md_table([""] + [type_label(t)[0] for t in types], rows)
