"""Queries on a remote SPARQL 1.1 endpoint (SPARQLWrapper), parameters sent as a VALUES block.

A remote endpoint cannot take pyoxigraph substitutions, so a parameter travels as a
``VALUES`` block placed first in the query's outermost ``WHERE`` group, its terms written in
N-Triples syntax by pyoxigraph (quotes, backslashes and newlines escaped), so a value is only
ever data: ``VALUES ?word { "x\\" } DROP ALL #" }``.
"""

from __future__ import annotations

import ast
import contextlib
import math
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse

from welfare_kg.errors import EndpointError, QueryError

from .library import QuerySpec, bind_params, load_query
from .results import Results, from_json
from .urls import check_endpoint, check_timeout

__all__ = ["execute_remote", "inject_values", "run_remote", "values_block"]

_OLDER_GRAPH = Path(__file__).parent / "assets" / "rows-without-row-facts.rq"
_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def values_block(bindings: Mapping[str, NamedNode | Literal]) -> str:
    """A one-row VALUES block of properly serialised terms.

    >>> from pyoxigraph import Literal
    >>> values_block({"word": Literal('a" } DROP ALL #')})
    'VALUES (?word) { ("a\\\\" } DROP ALL #") }'
    """
    names = " ".join(f"?{name}" for name in bindings)
    terms = []
    for name, term in bindings.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"bad parameter name {name!r}")
        if isinstance(term, BlankNode) or not isinstance(term, NamedNode | Literal):
            raise QueryError(f"parameter {name!r} must be an IRI or a literal")
        terms.append(str(term))  # pyoxigraph writes N-Triples syntax, escapes included
    return f"VALUES ({names}) {{ ({' '.join(terms)}) }}"


def _where_brace(text: str) -> int:
    """Index of the `{` that opens the outermost WHERE group (comments, strings, IRIs skipped)."""
    depth, seen_where = 0, False
    first_group: int | None = None
    for i, token in _tokens(text):
        if token == "{":
            if depth == 0 and (seen_where or first_group is None):
                if seen_where:
                    return i
                first_group = i
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0 and token.upper() == "WHERE":
            seen_where = True
    if first_group is not None and re.match(r"\s*(PREFIX|BASE|SELECT|ASK)\b",
                                            _strip_comments(text), re.IGNORECASE):
        return first_group  # `SELECT * { … }` or `ASK { … }` without the WHERE keyword
    raise QueryError("cannot bind parameters: the query has no WHERE group")


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def inject_values(text: str, bindings: Mapping[str, NamedNode | Literal]) -> str:
    """The query with the bindings as a VALUES block first in its outermost WHERE group,
    and first in the WHERE group of every subquery that projects a bound variable.

    The embedded store binds a parameter by substitution, which reaches a subquery that
    projects the variable (a library query resolves a body by name inside the subqueries
    that need it, so the engine's work follows that body's rows); the same VALUES block
    there gives a remote endpoint the same answer.

    >>> inject_values("SELECT ?w WHERE { ?s ?p ?w }", {"w": Literal("x")})
    'SELECT ?w WHERE { VALUES (?w) { ("x") }\\n ?s ?p ?w }'
    >>> inject_values("SELECT ?w WHERE { { SELECT ?w ?n WHERE { ?n ?p ?w } } }",
    ...               {"w": Literal("x")}).count("VALUES")
    2
    """
    if not bindings:
        return text
    at = _where_brace(text) + 1
    inserts = {at: values_block(bindings)}
    for brace, projection in _subquery_groups(text):
        wanted = {k: v for k, v in bindings.items()
                  if projection.strip() == "*" or re.search(rf"[?$]{k}\b", projection)}
        if wanted and brace + 1 not in inserts:
            inserts[brace + 1] = values_block(wanted)
    out, last = [], 0
    for where in sorted(inserts):
        out += [text[last:where], f" {inserts[where]}\n"]
        last = where
    return "".join(out) + text[last:]


def _subquery_groups(text: str) -> list[tuple[int, str]]:
    """For each SELECT inside a group (a subquery): the index of the `{` opening its WHERE
    group and its projection (the text between SELECT and WHERE)."""
    found = []
    pending: tuple[int, int] | None = None  # (end of SELECT, depth) of a subquery's SELECT
    depth = 0
    for i, token in _tokens(text):
        if token == "{":
            if pending is not None and depth == pending[1]:
                projection = re.sub(r"(?i)\bWHERE\b", "", text[pending[0]:i])
                found.append((i, projection))
                pending = None
            depth += 1
        elif token == "}":
            depth -= 1
        elif token.upper() == "SELECT" and depth > 0:
            pending = (i + len(token), depth)
    return found


def _tokens(text: str):
    """`{`, `}` and words of a query with their index, comments, strings and IRIs skipped."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<":
            m = _IRIREF.match(text, i)
            if m:
                i = m.end()
                continue
        if c in "{}":
            yield i, c
        elif c in "?$":  # a variable: its name is not a keyword
            m = _WORD.match(text, i + 1)
            i = m.end() if m else i + 1
            continue
        elif m := _WORD.match(text, i):
            yield i, m.group(0)
            i = m.end()
            continue
        i += 1


def run_remote(endpoint: str, query: str | Path | QuerySpec,
               params: Mapping[str, str] | None = None, *,
               default_graphs: Sequence[str] = (), timeout: float = 60) -> Results:
    """Run a library query (by name), a `.rq` file or a QuerySpec on a SPARQL endpoint."""
    check_endpoint(endpoint)
    check_timeout(timeout)
    spec = query if isinstance(query, QuerySpec) else load_query(query)
    if "row-facts" in spec.requires:
        _check_row_facts(endpoint, spec.name, default_graphs, timeout)
    return execute_remote(endpoint, spec.text, bind_params(spec, params or {}),
                          default_graphs=default_graphs, timeout=timeout, name=spec.name)


def _check_row_facts(endpoint: str, name: str, default_graphs: Sequence[str],
                     timeout: float) -> None:
    """Refuse to run `name` on a graph whose rows lack `wk:line`/`wk:bodyCount`: published
    before ontology 1.2.0, it would answer with some rows missing, and nothing would say so."""
    older = execute_remote(endpoint, _OLDER_GRAPH.read_text(encoding="utf-8"),
                           default_graphs=default_graphs, timeout=timeout,
                           name="the row-facts check")
    if older.boolean:
        raise EndpointError(
            f"{endpoint}: {name} reads each row's wk:line and wk:bodyCount, which this "
            "graph's rows lack (it was published with the welfare-kg ontology before 1.2.0): "
            "publish the build again (welfare-kg publish) and rerun")


def execute_remote(endpoint: str, text: str,
                   bindings: Mapping[str, NamedNode | Literal] | None = None, *,
                   default_graphs: Sequence[str] = (), timeout: float = 60,
                   name: str = "<query>") -> Results:
    """Send SPARQL text with typed bindings to `endpoint` through SPARQLWrapper.

    `timeout` is an overall deadline in seconds for the complete answer.
    `default_graphs` become the protocol's `default-graph-uri` parameters; without them the
    endpoint's own default graph is used (the union of all graphs in Virtuoso and in
    `welfare-kg serve`).
    """
    check_endpoint(endpoint)
    timeout = check_timeout(timeout)
    from SPARQLWrapper import JSON, N3, POST, SPARQLWrapper  # heavy: only for remote use
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    sparql = SPARQLWrapper(endpoint)
    sparql.setMethod(POST)  # long queries with Japanese text do not fit in a URL
    sparql.setTimeout(math.ceil(timeout) + 1)  # per read; the deadline below is overall
    for graph in default_graphs:
        sparql.addDefaultGraph(graph)
    full = inject_values(text, bindings or {})
    sparql.setQuery(full)
    form = sparql.queryType
    sparql.setReturnFormat(N3 if form in ("CONSTRUCT", "DESCRIBE") else JSON)
    if form in ("CONSTRUCT", "DESCRIBE"):
        sparql.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9")
    def fetch() -> tuple[bytes, str]:
        response = sparql.query()
        return response.response.read(), response.response.headers.get("Content-Type", "")

    # The socket timeout bounds each read, not the whole answer: an endpoint that sends one
    # byte every few seconds would hold a plain read forever. The request runs in a daemon
    # thread, and the answer must be complete by the deadline.
    outcome: list = []
    worker = threading.Thread(target=_capture, args=(fetch, outcome), daemon=True,
                              name="sparql-remote")
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise EndpointError(
            f"{endpoint} did not answer {name} completely within {timeout:g} s "
            "(raise it with --timeout)")
    try:
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        raw, content_type = outcome[0]
    except SPARQLWrapperException as exc:
        raise EndpointError(f"{endpoint} rejected {name}: {_first_line(exc)}") from exc
    except OSError as exc:  # URLError, timeouts, refused connections
        reason = getattr(exc, "reason", exc)
        raise EndpointError(f"cannot reach the SPARQL endpoint {endpoint}: {reason}") from exc
    if form in ("CONSTRUCT", "DESCRIBE"):
        fmt = RdfFormat.N_TRIPLES if "n-triples" in content_type else RdfFormat.TURTLE
        try:
            return Results("graph", triples=tuple(q.triple for q in parse(raw, format=fmt)))
        except (SyntaxError, ValueError) as exc:
            raise EndpointError(f"{endpoint} sent an unreadable graph: {exc}") from exc
    try:
        return from_json(raw)
    except (SyntaxError, ValueError) as exc:
        raise EndpointError(
            f"{endpoint} did not answer {name} with SPARQL JSON results "
            f"(Content-Type {content_type or 'missing'}): {raw[:200]!r}"
        ) from exc


def _capture(fetch, outcome: list) -> None:
    """Run `fetch` and append its result, or the exception it raised, to `outcome`."""
    try:
        outcome.append(fetch())
    except BaseException as exc:  # handed to the waiting thread, which raises it
        outcome.append(exc)


def _first_line(exc: Exception) -> str:
    """The server's own message from a SPARQLWrapper error, without the echoed query."""
    text = str(exc)
    if "Response:" in text:
        raw = text.split("Response:", 1)[1].strip()
        if raw.startswith(("b'", 'b"')):
            with contextlib.suppress(ValueError, SyntaxError):
                raw = ast.literal_eval(raw).decode("utf-8", errors="replace")
        text = raw.split("SPARQL query:", 1)[0]
    text = " ".join(text.split())
    return text[:400] + ("…" if len(text) > 400 else "")
