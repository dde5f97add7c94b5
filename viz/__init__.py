"""Collaboration networks, metrics, maps and charts, computed from SPARQL results on the graph.

In: a pyoxigraph store holding the build (`welfare_kg.graph.sparql.open_store`). Out: HTML
maps, metric tables (CSV, Markdown) and charts. Modules: `source` (runs the `network-*.rq`
queries into a `Plan`), `plan` (the tables the rest reads), `network` (networkx graphs),
`metrics`, `report` (CSV and Markdown), `maps` (pyvis HTML with `assets/map.js`), `kept_maps`
(the maps kept in the cache by the plan they show), `charts` (SVG by the small writer in
`chart_svg`/`svg`, PNG by matplotlib on request), `handout` (the title block and credit of
exported maps and charts), `site` (the static site, `write_site`), `review` (the page where a
person checks the extractor's least sure rows, `write_review`; its input is a report text, not
the store). `write_all` is the entry point of `welfare-kg all`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from welfare_kg.lazy import lazy_exports
from welfare_kg.parallel import Beside

from .formats import CHART_FORMATS, DEFAULT_CHART_FORMATS, chart_formats

if TYPE_CHECKING:  # for type checkers and editors; at run time names load on first use
    from .charts import japanese_font, write_charts
    from .handout import Handout, load_handout
    from .kept_maps import write_maps
    from .maps import MapContext, map_context
    from .report import write_metrics
    from .review import review_model, write_review
    from .site import load_templates, write_site
    from .source import load_plan

# Each public name and the module it lives in, imported when the name is first used (PEP
# 562): the chart formats (`formats`) cost nothing, so the main job checks `--chart-formats`
# before it starts work, while the maps, charts and site modules (networkx, Jinja: ~0.3 s)
# load where they are used.
_HOME = {
    "japanese_font": "charts",
    "write_charts": "charts",
    "Handout": "handout",
    "load_handout": "handout",
    "write_maps": "kept_maps",  # viz.maps.write_maps, kept in the cache by the plan
    "MapContext": "maps",
    "map_context": "maps",
    "write_metrics": "report",
    "review_model": "review",
    "write_review": "review",
    "load_templates": "site",
    "write_site": "site",
    "load_plan": "source",
}

__all__ = [
    "CHART_FORMATS",
    "DEFAULT_CHART_FORMATS",
    "Handout",
    "MapContext",
    "chart_formats",
    "japanese_font",
    "load_handout",
    "load_plan",
    "load_templates",
    "map_context",
    "review_model",
    "write_all",
    "write_all_beside",
    "write_charts",
    "write_maps",
    "write_metrics",
    "write_review",
    "write_site",
]

__getattr__, __dir__ = lazy_exports(globals(), _HOME)


def write_all(store: Any, out_dir: Path,
              chart_formats: Sequence[str] = DEFAULT_CHART_FORMATS) -> list[Path]:
    """Write maps to `out_dir/maps`, metrics to `out_dir/metrics`, charts to `out_dir/charts`
    (in `chart_formats`).

    `store` is a pyoxigraph store holding the build (`welfare_kg.graph.sparql.open_store`).
    Returns the paths written.
    """
    with write_all_beside(store, out_dir, chart_formats, jobs=1) as views:
        pass
    return views.result


@contextmanager
def write_all_beside(store: Any, out_dir: Path,
                     chart_formats: Sequence[str] = DEFAULT_CHART_FORMATS,
                     jobs: int = 1) -> Iterator[Beside]:
    """`write_all`, with the maps and metrics written by a second process (`jobs` > 1) while
    the caller's block runs (the main job writes the site meanwhile); `result` holds the
    paths written once the block is over, in `write_all`'s order.

    The charts are written first, in this process, since the site copies them; the store is
    queried here only (the maps' names and pages), so the second process never touches it.
    """
    from welfare_kg.parallel import alongside

    # Through the package's names (loaded on first use), as callers and tests see them.
    from . import (
        load_handout,
        load_plan,
        map_context,
        write_charts,
        write_maps,
        write_metrics,
    )

    out_dir = Path(out_dir)
    plan = load_plan(store)
    handout = load_handout(store)
    charts = write_charts(plan, out_dir / "charts", chart_formats, handout)
    context = map_context(store, handout)

    def maps_and_metrics() -> list[Path]:
        return (write_maps(plan, out_dir / "maps", context=context)
                + write_metrics(plan, out_dir / "metrics"))

    views = Beside()
    with alongside(maps_and_metrics, enabled=jobs > 1) as beside:
        yield views
    views.result = beside.result + charts
