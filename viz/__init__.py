"""Collaboration networks, metrics, maps and charts, computed from SPARQL results on the graph.

In: a pyoxigraph store holding the build (`welfare_kg.graph.sparql.open_store`). Out: HTML
maps, metric tables (CSV, Markdown) and charts. Modules: `source` (runs the `network-*.rq`
queries into a `Plan`), `plan` (the tables the rest reads), `network` (networkx graphs),
`metrics`, `report` (CSV and Markdown), `maps` (pyvis HTML with `assets/map.js`), `kept_maps`
(the maps kept in the cache by the plan they show), `charts` (matplotlib SVG, PNG on
request), `site` (the static site, `write_site`). `write_all` is the entry point of
`welfare-kg all`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .charts import (
    CHART_FORMATS,
    DEFAULT_CHART_FORMATS,
    chart_formats,
    japanese_font,
    write_charts,
)
from .kept_maps import write_maps  # viz.maps.write_maps, kept in the cache by the plan
from .report import write_metrics
from .site import write_site
from .source import load_plan

__all__ = [
    "CHART_FORMATS",
    "DEFAULT_CHART_FORMATS",
    "chart_formats",
    "japanese_font",
    "load_plan",
    "write_all",
    "write_charts",
    "write_maps",
    "write_metrics",
    "write_site",
]


def write_all(store: Any, out_dir: Path,
              chart_formats: Sequence[str] = DEFAULT_CHART_FORMATS) -> list[Path]:
    """Write maps to `out_dir/maps`, metrics to `out_dir/metrics`, charts to `out_dir/charts`
    (in `chart_formats`).

    `store` is a pyoxigraph store holding the build (`welfare_kg.graph.sparql.open_store`).
    Returns the paths written.
    """
    out_dir = Path(out_dir)
    plan = load_plan(store)
    return (
        write_maps(plan, out_dir / "maps")
        + write_metrics(plan, out_dir / "metrics")
        + write_charts(plan, out_dir / "charts", chart_formats)
    )
