"""Collaboration networks, metrics, maps and charts, computed from SPARQL results on the graph.

Modules: `plan` (the tables the rest reads), `source` (fills them with the `network-*.rq`
queries), `network`, `metrics`, `report` (CSV and Markdown), `maps` (pyvis HTML), `charts`
(matplotlib PNG and SVG). `write_all` is the entry point of `welfare-kg all`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["write_all"]


def write_all(store: Any, out_dir: Path) -> list[Path]:
    """Write maps to `out_dir/maps`, metrics to `out_dir/metrics`, charts to `out_dir/charts`.

    `store` is a pyoxigraph store holding the build (e.g. `welfare_kg.graph.store.open_store`).
    Returns the paths written.
    """
    from welfare_kg.viz.charts import write_charts
    from welfare_kg.viz.maps import write_maps
    from welfare_kg.viz.report import write_metrics
    from welfare_kg.viz.source import load_plan

    out_dir = Path(out_dir)
    plan = load_plan(store)
    return (
        write_maps(plan, out_dir / "maps")
        + write_metrics(plan, out_dir / "metrics")
        + write_charts(plan, out_dir / "charts")
    )
