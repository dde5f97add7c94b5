"""What a query may be before it reaches an engine: its size, nesting, and what it may fetch.

Oxigraph parses and plans queries recursively: 5,000 nested parentheses overflow its stack
(the server aborts, `pyoxigraph` takes the Python process down with a segmentation fault), and
a property path of a few hundred steps takes minutes to plan, before any query timeout applies.
A query is therefore scanned first, token by token the way a SPARQL parser sees it (strings,
IRIs and comments skipped; ``\\u`` escapes resolved, as SPARQL resolves them before parsing),
and refused past a size, a bracket depth, a number of path operators, of expression operators
and of pattern clauses. The limits are far above what the query library uses (a 2 KB query
nests 6 deep) and, measured, below what crashes `pyoxigraph` in an 8 MB main-thread stack.

The same scan finds ``SERVICE`` (federated query) and ``LOAD`` (SPARQL Update), which make an
endpoint fetch any URL a query names: `welfare-kg serve` refuses them unless asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from welfare_kg.errors import QueryError

__all__ = ["DEFAULT_LIMITS", "QueryLimits", "check_query", "fetching_keywords"]


@dataclass(frozen=True)
class QueryLimits:
    """Bounds on a query's text; each far above the query library, far below a crash."""

    max_bytes: int = 64 * 1024
    max_depth: int = 64  # nested ( [ {; Oxigraph's server aborts near 2,000
    max_path_ops: int = 64  # / | ^ ; a 300-step path takes 8 s to plan
    max_clauses: int = 256  # OPTIONAL, UNION, BIND, FILTER …: each one a level of the plan
    max_operators: int = 1000  # ! + - * && || = < …: 30,000 `+` overflow the stack


DEFAULT_LIMITS = QueryLimits()

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
             |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[^\W\d][\w.-]*)?:(?:(?:[\w:%]|\\.)(?:(?:[\w.:%-]|\\.)*(?:[\w:%-]|\\.))?)?)
  | (?P<word>[^\W\d]\w*)
  | (?P<number>\d+)
  | (?P<punct>&&|\|\||\^\^|.)
    """,
    re.VERBOSE | re.DOTALL,
)
_OPEN, _CLOSE = "([{", ")]}"
_PATH_OPS = frozenset("/|^")
_OPERATORS = frozenset({"!", "+", "-", "*", "&&", "||", "=", "<", ">"})
_CLAUSES = frozenset(
    {"OPTIONAL", "UNION", "MINUS", "BIND", "FILTER", "EXISTS", "SELECT", "GRAPH", "SERVICE",
     "VALUES"}
)
_FETCHING = frozenset({"SERVICE", "LOAD"})


def _unescape(text: str) -> str:
    """Resolve ``\\uXXXX`` and ``\\UXXXXXXXX`` as SPARQL does before parsing (§19.2)."""
    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return m.group(0)
        return chr(code)

    return _CODEPOINT.sub(char, text)


def _tokens(text: str):
    """(kind, value, offset) of the query's tokens, spaces and comments left out."""
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind not in ("space", "comment"):
            yield kind, m.group(), m.start()


def fetching_keywords(text: str) -> list[str]:
    """The keywords of `text` that make an endpoint fetch a URL (SERVICE, LOAD), in order."""
    return [value.upper() for kind, value, _ in _tokens(_unescape(text))
            if kind == "word" and value.upper() in _FETCHING]


def check_query(text: str, limits: QueryLimits = DEFAULT_LIMITS, *, name: str = "the query",
                allow_fetch: bool = True) -> None:
    """Raise QueryError when `text` is past one of `limits`, or (unless `allow_fetch`) when it
    asks the engine to fetch a URL (SERVICE, LOAD). One line, naming the line of the query.
    """
    size = len(text.encode("utf-8", errors="replace"))
    if size > limits.max_bytes:
        raise QueryError(f"{name} is {size:,} bytes long; the limit is {limits.max_bytes:,}")
    text = _unescape(text)
    depth = paths = clauses = operators = 0
    for kind, value, at in _tokens(text):
        where = f"{name} (line {text.count(chr(10), 0, at) + 1})"
        if kind == "punct":
            if value in _OPEN:
                depth += 1
                if depth > limits.max_depth:
                    raise QueryError(f"{where} nests brackets more than {limits.max_depth} deep")
            elif value in _CLOSE:
                depth = max(depth - 1, 0)
            elif value in _OPERATORS:
                operators += 1
                if operators > limits.max_operators:
                    raise QueryError(f"{where} has more than {limits.max_operators} operators "
                                     "(! + - * && || = < …)")
            elif value in _PATH_OPS:
                paths += 1
                if paths > limits.max_path_ops:
                    raise QueryError(f"{where} has more than {limits.max_path_ops} path "
                                     "operators (/ | ^)")
        elif kind == "word":
            word = value.upper()
            if word in _FETCHING and not allow_fetch:
                raise QueryError(
                    f"{where} uses {word}, which makes the endpoint fetch a URL; federated "
                    "queries are off here (start `welfare-kg serve --allow-federation` to allow)"
                )
            if word in _CLAUSES:
                clauses += 1
                if clauses > limits.max_clauses:
                    raise QueryError(f"{where} has more than {limits.max_clauses} clauses "
                                     "(OPTIONAL, UNION, BIND, FILTER …)")
