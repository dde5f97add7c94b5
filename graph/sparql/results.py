"""Query results, whatever engine answered: one type, and its table/CSV/TSV/JSON forms.

The CSV, TSV and JSON forms follow the SPARQL 1.1 Query Results formats
(https://www.w3.org/TR/sparql11-results-csv-tsv/, https://www.w3.org/TR/sparql11-results-json/).
"""

from __future__ import annotations

import csv
import io
import json
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import accumulate
from typing import Any

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    Triple,
    parse_query_results,
)

from welfare_kg.datafiles import char_width, display_width

__all__ = [
    "FORMATS",
    "Results",
    "Term",
    "comparable",
    "format_results",
    "from_answer",
    "from_json",
    "python_value",
    "rows_equal",
    "term_key",
]

Term = NamedNode | BlankNode | Literal
FORMATS = ("table", "csv", "tsv", "json")
XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short",
                              "nonNegativeInteger", "positiveInteger", "unsignedInt")}


@dataclass(frozen=True)
class Results:
    """SELECT rows (`variables`, `rows`), an ASK answer (`boolean`) or CONSTRUCT `triples`."""

    kind: str  # "select" | "ask" | "graph"
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[Triple, ...] = ()

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples)

    def dicts(self) -> list[dict[str, Term]]:
        """Rows as `{variable: term}` with unbound variables left out."""
        return [
            {v: t for v, t in zip(self.variables, row, strict=True) if t is not None}
            for row in self.rows
        ]

    def values(self) -> list[dict[str, Any]]:
        """Rows as `{variable: python value}`: numbers as int/Decimal, other terms as strings."""
        return [{v: python_value(t) for v, t in row.items()} for row in self.dicts()]


def python_value(term: Term | None) -> Any:
    """A term's value for comparisons in tests and notebooks.

    >>> python_value(Literal("24", datatype=NamedNode(XSD + "decimal")))
    24
    """
    if term is None:
        return None
    if isinstance(term, Literal) and term.datatype.value in _NUMERIC:
        try:
            number = Decimal(term.value)
        except InvalidOperation:
            return term.value
        return int(number) if number == number.to_integral_value() else number
    return term.value


def term_key(term: Term | None) -> tuple:
    """A key that is equal for terms that mean the same across engines.

    Engines differ in how they spell the same number (`3` as xsd:integer or xsd:int, `1.50`
    or `1.5`), so numbers compare by value; everything else by kind, value, language and
    datatype. Blank nodes compare equal to each other: their labels are local to one answer.
    """
    if term is None:
        return ("unbound",)
    if isinstance(term, NamedNode):
        return ("iri", term.value)
    if isinstance(term, BlankNode):
        return ("bnode",)
    if term.datatype.value in _NUMERIC:
        try:
            return ("number", Decimal(term.value).normalize())
        except InvalidOperation:
            pass
    return ("literal", term.value, (term.language or "").lower(), term.datatype.value)


def rows_equal(a: Results, b: Results, *, ordered: bool = False) -> bool:
    """Whether two answers are the same, compared with `term_key` (as multisets unless ordered)."""
    if a.kind != b.kind:
        return False
    if a.kind == "ask":
        return a.boolean == b.boolean
    if list(a.variables) != list(b.variables):
        return False
    return comparable(a, ordered=ordered) == comparable(b, ordered=ordered)


def comparable(results: Results, *, ordered: bool = False) -> list[tuple]:
    """Rows as tuples of `term_key`s (sorted unless `ordered`), for readable assertion diffs."""
    rows = [tuple(term_key(t) for t in row) for row in results.rows]
    return rows if ordered else sorted(rows, key=repr)


def from_json(data: bytes | Mapping[str, Any]) -> Results:
    """Results from a SPARQL 1.1 JSON results document (what a remote endpoint sends),
    read by pyoxigraph's query-results parser (a document that is not SPARQL JSON results
    raises SyntaxError or ValueError)."""
    raw = data if isinstance(data, bytes) else json.dumps(data).encode("utf-8")
    return from_answer(parse_query_results(raw, format=QueryResultsFormat.JSON))


def from_answer(answer: QuerySolutions | QueryBoolean) -> Results:
    """Results from pyoxigraph's answer to a SELECT or ASK (a query or a parsed document)."""
    if isinstance(answer, QueryBoolean):
        return Results("ask", boolean=bool(answer))
    variables = tuple(v.value for v in answer.variables)
    return Results("select", variables,
                   tuple(tuple(solution[v] for v in variables) for solution in answer))


def format_results(results: Results, fmt: str = "table",
                   prefixes: Mapping[str, str] | None = None) -> str:
    """Render results as `table` (for people), `csv`, `tsv` or `json` (SPARQL 1.1 formats).

    CONSTRUCT results are N-Triples whatever the format.

    Why not pyoxigraph's query-results serializer: it writes only a `QuerySolutions` as it
    comes out of its own engine or parser, consumed once, while `Results` are rows already
    collected, from Oxigraph, SPARQLWrapper or a test, and printed after being compared;
    feeding them to it would mean writing a JSON document by hand to parse it back. The
    parser side (`from_json`) does use pyoxigraph.

    >>> r = Results("select", ("n",), ((Literal("3", datatype=NamedNode(XSD + "integer")),),))
    >>> print(format_results(r, "csv"), end="")
    n\r
    3\r
    """
    if results.kind == "graph":
        return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in results.triples)
    if fmt == "json":
        return json.dumps(_to_json(results), ensure_ascii=False, indent=1) + "\n"
    if results.kind == "ask":
        return ("true" if results.boolean else "false") + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(results.variables)
        for row in results.rows:
            writer.writerow([_plain(t) for t in row])
        return buf.getvalue()
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in results.variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in results.rows]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        return _table(results, prefixes or {})
    raise ValueError(f"unknown format {fmt!r}; use one of {FORMATS}")


def _plain(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return term.value


def _to_json(results: Results) -> dict[str, Any]:
    if results.kind == "ask":
        return {"head": {}, "boolean": bool(results.boolean)}
    bindings = []
    for row in results.rows:
        binding: dict[str, Any] = {}
        for var, term in zip(results.variables, row, strict=True):
            if term is None:
                continue
            if isinstance(term, NamedNode):
                binding[var] = {"type": "uri", "value": term.value}
            elif isinstance(term, BlankNode):
                binding[var] = {"type": "bnode", "value": term.value}
            else:
                node: dict[str, str] = {"type": "literal", "value": term.value}
                if term.language:
                    node["xml:lang"] = term.language
                elif term.datatype.value != XSD + "string":
                    node["datatype"] = term.datatype.value
                binding[var] = node
        bindings.append(binding)
    return {"head": {"vars": list(results.variables)}, "results": {"bindings": bindings}}


def _short(term: Term | None, prefixes: Mapping[str, str], width: int = 60) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        text = term.value
        best = max(
            ((p, ns) for p, ns in prefixes.items() if ns and text.startswith(ns)),
            key=lambda item: len(item[1]),
            default=None,
        )
        if best:
            text = f"{best[0]}:{text[len(best[1]):]}"
    elif isinstance(term, BlankNode):
        text = f"_:{term.value}"
    else:
        text = term.value
    text = " ".join(text.split())
    return _cut(text, width)


def _cut(text: str, width: int) -> str:
    """`text` if it fits in `width` columns, else its longest head that fits with "…" added.

    Only the first `width` characters are measured: a row-listing query prints ~10^4 long
    Japanese texts.
    """
    if len(text) * 2 <= width:
        return text
    columns = list(accumulate(map(char_width, text[:width])))
    if len(text) <= width and columns[-1] <= width:
        return text
    return text[:bisect_right(columns, width - 1)] + "…"


def _pad(text: str, used: int, width: int, right: bool) -> str:
    gap = " " * (width - used)
    return gap + text if right else text + gap


def _table(results: Results, prefixes: Mapping[str, str]) -> str:
    header = list(results.variables)
    cells = [[_short(t, prefixes) for t in row] for row in results.rows]
    used = [[display_width(c) for c in row] for row in cells]  # measured once per cell
    numeric = [
        any(row[i] is not None for row in results.rows)
        and all(
            isinstance(row[i], Literal) and row[i].datatype.value in _NUMERIC
            for row in results.rows
            if row[i] is not None
        )
        for i in range(len(header))
    ]
    widths = [max([display_width(h)] + [u[i] for u in used]) for i, h in enumerate(header)]
    lines = [
        "  ".join(_pad(h, display_width(h), w, False)
                  for h, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for row, row_used in zip(cells, used, strict=True):
        lines.append("  ".join(
            _pad(c, u, w, n) for c, u, w, n in zip(row, row_used, widths, numeric, strict=True)
        ).rstrip())
    count = len(results.rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(lines) + "\n"
