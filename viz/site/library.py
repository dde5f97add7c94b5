"""The query page: each library query with its text, description and parameters, how to run
it, and its answer on the current build (a table of the first rows, the whole as CSV).

A required parameter is given the example its declaration names ("e.g. 区社会福祉協議会");
a query whose required parameter has no example is shown without an answer.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import quote

from welfare_kg.fileio import write_bytes

__all__ = ["example_params", "query_pages"]

_EXAMPLE = re.compile(r"e\.g\.\s*([^\s,;、。)）]+)")
_BOM = "\ufeff"


def example_params(spec: Any) -> dict[str, str] | None:
    """Values for the required parameters without a default, from their examples; None when
    one has no example."""
    values = {}
    for p in spec.params:
        if p.required and p.default is None:
            found = _EXAMPLE.search(p.doc)
            if not found:
                return None
            values[p.name] = found.group(1)
    return values


def query_pages(store: Any, csv_dir: Path, shown: int) -> list[dict[str, Any]]:
    """One record per library query for the template; writes each answer to
    `csv_dir/<name>.csv` (UTF-8 with BOM)."""
    from welfare_kg.graph.sparql import (
        display_prefixes,
        format_results,
        list_queries,
        run_query,
    )

    prefixes = display_prefixes()
    pages = []
    for spec in list_queries():
        params = example_params(spec)
        record: dict[str, Any] = {
            "name": spec.name, "title_ja": spec.title_ja or spec.name,
            "title_en": spec.title_en or spec.title_ja or spec.name,
            "description": spec.description, "params": spec.params,
            "text": spec.text, "ran": params is not None, "used": sorted((params or {}).items()),
            "cli": _cli(spec.name, params or {}), "curl": _curl(spec, params or {}),
            "columns": (), "shown": (), "total": 0,
        }
        if params is not None:
            results = run_query(store, spec, params)
            write_bytes(csv_dir / f"{spec.name}.csv",
                        (_BOM + format_results(results, "csv")).encode("utf-8"))
            record["columns"] = results.variables
            record["total"] = len(results)
            record["shown"] = [[_short(t, prefixes) for t in row]
                               for row in results.rows[:shown]]
        pages.append(record)
    return pages


def _cli(name: str, params: dict[str, str]) -> str:
    args = " ".join(f"--param {shlex.quote(f'{k}={v}')}" for k, v in sorted(params.items()))
    return f"welfare-kg query {name} {args}".rstrip()


def _curl(spec: Any, params: dict[str, str]) -> str:
    lines = ["welfare-kg serve   # then open http://127.0.0.1:7878/ for a query editor",
             _cli(spec.name, params) + " --endpoint http://127.0.0.1:7878/query"]
    if not spec.params:  # parameters are bound by welfare-kg, not by a plain HTTP request
        lines.append(f"curl -H 'Accept: text/csv' --data-urlencode "
                     f"query@queries/{quote(spec.name)}.rq http://127.0.0.1:7878/query")
    return "\n".join(lines)


def _short(term: Any, prefixes: dict[str, str]) -> str:
    if term is None:
        return ""
    text = term.value
    for prefix, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(ns) and type(term).__name__ == "NamedNode":
            return f"{prefix}:{text[len(ns):]}"
    return text
