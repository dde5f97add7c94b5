"""The front door: one static site over the build, for coordinators and open-data portals.

In: a pyoxigraph store holding the build (`welfare_kg.graph.sparql.open_store`), read through
the viz `Plan` and the `network-*.rq` detail queries (never the report), and optionally the
build folder whose exports, charts and metric tables the downloads page offers.
Out: a folder of plain HTML, CSS and JavaScript (`index.html` is the front door) that opens
from `file://` with no network: an overview, a page per body, pair of bodies, pillar, action
plan and initiative with every row behind each figure (page and line of the report) and a CSV
of those rows (UTF-8 with BOM), search with aliases, the maps, the metrics report, downloads
and the query library with its answers. Japanese first, English with one switch.

Modules: `model` (what the site shows, gathered from the store), `render` (Jinja2 with
autoescape; two-language text from `strings.yaml`), `build` (pages, CSVs, search index, the
staged write), `names` (body names and aliases, shared with the CLI), `catalog` (downloads
page from the DCAT catalogue), `library` (query page).
Templates live in `templates/`, stylesheet and scripts in `assets/`.
"""

from __future__ import annotations

from .build import rows_csv, search_index, write_site
from .model import Site, gather
from .render import load_templates

__all__ = [
    "Site", "gather", "load_templates", "rows_csv", "search_index", "write_site",
]
