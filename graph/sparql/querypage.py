"""The endpoint's own query page: the project's prefixes and the query library as examples.

Oxigraph's built-in page loads its editor from a CDN, so it is blank on a machine without
network and knows nothing of the project. `serve`'s front answers ``/`` with this page
instead: a plain HTML page and a small script (``assets/``), served from the package, that
preload the prefixes the library uses and offer every library query (with its titles and
description) as a ready example, and post the query to the endpoint's ``/query``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from .library import QuerySpec, display_prefixes, list_queries

__all__ = ["QueryPage", "query_page"]

ASSETS = Path(__file__).parent / "assets"


class QueryPage:
    """The files of the page, by path on the endpoint: ``/`` and ``/query-page.js``."""

    def __init__(self, html: bytes, script: bytes) -> None:
        self.files = {
            "/": (html, "text/html; charset=utf-8"),
            "/index.html": (html, "text/html; charset=utf-8"),
            "/query-page.js": (script, "text/javascript; charset=utf-8"),
        }

    def get(self, path: str) -> tuple[bytes, str] | None:
        return self.files.get(path)


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element: no "</script>" or "<!--" can appear."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def query_page(examples: Iterable[QuerySpec] | None = None,
               prefixes: Mapping[str, str] | None = None) -> QueryPage:
    """The page for `examples` (default: the query library) with `prefixes` (default: every
    prefix the library's queries declare, and the short names of the build's IRIs)."""
    examples = list(list_queries() if examples is None else examples)
    if prefixes is None:
        merged: dict[str, str] = {}
        for spec in examples:
            merged.update(spec.prefixes)
        merged.update(display_prefixes())
        prefixes = merged
    data = {
        "prefixes": dict(sorted(prefixes.items())),
        "examples": [{"name": s.name, "title": s.title, "description": s.description,
                      "text": s.text} for s in examples],
    }
    html = (ASSETS / "query.html").read_text("utf-8").replace("__PAGE_DATA__",
                                                             _script_json(data))
    return QueryPage(html.encode("utf-8"), (ASSETS / "query-page.js").read_bytes())
