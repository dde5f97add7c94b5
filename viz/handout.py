"""What an exported map or chart carries so it can be handed out alone: the plan's title, the
fiscal years of the reports it shows, and the source credit the Public Data License 1.0 asks
for (「…を加工して作成」).

The plan title and the credit are the catalogue's own text (`data/dataset.yaml`: the default
plan's `title`, `catalog.rights`), so the site, the DCAT catalogue and every handout say the
same; the fiscal years come from the build (`queries/network-reports.rq`), so a build of
several reports names them all.

>>> h = Handout("計画", "Plan", (2021, 2022), "出典：…を加工して作成", "Source: …")
>>> h.years_ja(), h.years_en()
('2021・2022年度', 'FY2021, FY2022')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from welfare_kg.paths import QUERIES_DIR

from .source import select

__all__ = ["Handout", "load_handout"]


@dataclass(frozen=True)
class Handout:
    """The title block and credit line of a handout."""

    plan_ja: str
    plan_en: str
    years: tuple[int, ...] = ()
    credit_ja: str = ""
    credit_en: str = ""

    def years_ja(self) -> str:
        return "・".join(str(y) for y in self.years) + "年度" if self.years else ""

    def years_en(self) -> str:
        return ", ".join(f"FY{y}" for y in self.years)

    def as_json(self) -> dict[str, Any]:
        """The form the map page reads (`DATA.handout`)."""
        return {"plan": {"ja": self.plan_ja, "en": self.plan_en},
                "years": {"ja": self.years_ja(), "en": self.years_en()},
                "credit": {"ja": self.credit_ja, "en": self.credit_en}}


def load_handout(store: Any, meta: dict[str, Any] | None = None,
                 queries_dir: Path = QUERIES_DIR) -> Handout:
    """The handout text for the build in `store` (`meta`: data/dataset.yaml when None)."""
    from welfare_kg.graph.rdf import load_metadata

    meta = load_metadata() if meta is None else meta
    plan = meta["plans"][meta["default_plan"]]
    rights = meta["catalog"].get("rights", {})
    years = sorted({int(r["fiscalYear"]) for r in select(store, "network-reports", queries_dir)
                    if str(r.get("fiscalYear", "")).isdigit()})
    return Handout(plan["title"]["ja"], plan["title"].get("en", ""), tuple(years),
                   rights.get("ja", ""), rights.get("en", ""))
