"""The SPARQL query library: `queries/*.rq` files, their headers, and typed parameters.

Each library query starts with a comment header::

    # title@ja: 実施主体ごとの行数と取組数（推進の柱別）
    # title@en: Bodies ranked by rows and initiatives, per pillar
    # description: For each pillar, the implementing bodies ranked by the number of
    #   rows and initiatives they carry out.
    # param: body (iri, required) — the body, e.g. wkb:ward-social-welfare-council
    # param: pillar (integer, optional) — only this pillar (1–3)

A parameter is a variable of the query (``?body``). Its value enters the query as a typed
RDF term (pyoxigraph ``substitutions`` embedded, a ``VALUES`` block for a remote endpoint),
never as text, so a value holding quotes or braces cannot change the query.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from welfare_kg.errors import QueryError
from welfare_kg.paths import QUERIES_DIR

from .limits import check_query

__all__ = [
    "PARAM_TYPES",
    "REQUIREMENTS",
    "Param",
    "QuerySpec",
    "bind_params",
    "display_prefixes",
    "list_queries",
    "load_query",
    "parse_param_args",
    "parse_query_text",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = ("string", "iri", "integer", "decimal", "boolean", "date")
# What a query may declare it needs of the graph (`# requires: NAME`), and what that is.
REQUIREMENTS = {
    "row-facts": "each row's wk:line and wk:bodyCount (welfare-kg ontology 1.2.0)",
}

_HEADER_KEY = re.compile(
    r"^#\s*(title@ja|title@en|title|description|param|requires)\s*:\s*(.*)$")
_PARAM = re.compile(
    r"^\??(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(?P<type>\w+)\s*"
    r"(?:,\s*(?P<mode>required|optional|default\s+(?P<default>[^)]*?)))?\s*\)"
    r"\s*(?:[—–-]+\s*(?P<doc>.*))?$"
)
# Lexical forms of xsd:integer, xsd:decimal and xsd:date, in ASCII digits only.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>", re.IGNORECASE)


@dataclass(frozen=True)
class Param:
    """A declared parameter: the query variable it binds, its RDF type, and its default."""

    name: str
    type: str = "string"
    required: bool = True
    default: str | None = None
    doc: str = ""

    @property
    def example(self) -> str | None:
        """The example value the header's description gives (`… e.g. 認知症`), if any.

        >>> Param("word", doc="the word to look for, e.g. 認知症").example
        '認知症'
        >>> Param("unit", doc="only this unit, e.g. 人, 回 or 円").example
        '人'
        """
        _, sep, rest = self.doc.partition("e.g. ")
        value = rest.split(",")[0].split()[0] if sep and rest.split() else ""
        return value or None


@dataclass(frozen=True)
class QuerySpec:
    """One query: its text, where it came from, and what its header says."""

    name: str
    text: str
    path: Path | None = None
    title_ja: str = ""
    title_en: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    prefixes: Mapping[str, str] = field(default_factory=dict)
    # what the query needs of the graph to answer in full (`REQUIREMENTS`): a remote endpoint
    # is asked first, since an older published graph would answer short and say nothing
    requires: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """Both titles, Japanese first, as `--list` prints them."""
        return " / ".join(t for t in (self.title_ja, self.title_en) if t)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def parse_query_text(text: str, name: str = "<query>", path: Path | None = None) -> QuerySpec:
    """Read the header comment of a query.

    >>> q = parse_query_text('# title@en: Hello\\n# param: w (string, default x) — a word\\n'
    ...                      'SELECT ?w WHERE { BIND(1 AS ?one) }')
    >>> q.title_en, q.params[0].name, q.params[0].required, q.params[0].default
    ('Hello', 'w', False, 'x')
    """
    check_query(text, name=str(path or name))  # before any engine can crash on it
    fields: dict[str, str] = {}
    params: list[Param] = []
    requires: list[str] = []
    last: str | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        m = _HEADER_KEY.match(line)
        if m:
            key, value = m.group(1), m.group(2).strip()
            if key == "param":
                params.append(_parse_param(value, f"{path or name}:{lineno}"))
                last = None
            elif key == "requires":
                requires += _parse_requires(value, f"{path or name}:{lineno}")
                last = None
            else:
                fields[key] = value
                last = key
        elif last and line.startswith("#  "):  # indented continuation of the previous field
            fields[last] += " " + line[1:].strip()
        else:
            last = None
    prefixes = {p or "": iri for p, iri in _PREFIX.findall(text)}
    return QuerySpec(
        name=name,
        text=text,
        path=path,
        title_ja=fields.get("title@ja", ""),
        title_en=fields.get("title@en", fields.get("title", "")),
        description=fields.get("description", ""),
        params=tuple(params),
        prefixes=prefixes,
        requires=tuple(requires),
    )


def _parse_requires(value: str, where: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in REQUIREMENTS]
    if unknown or not names:
        named = ", ".join(map(repr, unknown or [value]))
        raise QueryError(f"{where}: unknown requirement {named}; "
                         f"use one of {', '.join(REQUIREMENTS)}")
    return names


def _parse_param(value: str, where: str) -> Param:
    m = _PARAM.match(value)
    if not m:
        raise QueryError(
            f"{where}: cannot read the parameter declaration {value!r}; "
            "write it as 'param: NAME (TYPE, required|optional|default VALUE) — what it is'"
        )
    ptype = m.group("type")
    if ptype not in PARAM_TYPES:
        raise QueryError(f"{where}: unknown parameter type {ptype!r}; use one of {PARAM_TYPES}")
    mode = m.group("mode") or "required"
    default = m.group("default")
    return Param(
        name=m.group("name"),
        type=ptype,
        required=mode == "required",
        default=default.strip() if default is not None else None,
        doc=(m.group("doc") or "").strip(),
    )


def list_queries(queries_dir: Path = QUERIES_DIR) -> list[QuerySpec]:
    """Every library query, sorted by name."""
    return [load_query(p) for p in sorted(Path(queries_dir).glob("*.rq"))]


def load_query(name_or_path: str | Path, queries_dir: Path = QUERIES_DIR) -> QuerySpec:
    """A library query by name (`body-portfolio`) or any `.rq` file by path."""
    candidate = Path(name_or_path)
    if candidate.is_dir() and (candidate.suffix == ".rq" or "/" in str(name_or_path)):
        raise QueryError(f"{name_or_path}: is a folder, not a query file")
    if candidate.suffix == ".rq" and candidate.is_file():
        path = candidate
    else:
        path = Path(queries_dir) / f"{name_or_path}.rq"
        if not path.is_file():
            if candidate.suffix == ".rq" or "/" in str(name_or_path):
                raise QueryError(f"no such query file: {name_or_path}")
            known = ", ".join(p.stem for p in sorted(Path(queries_dir).glob("*.rq")))
            raise QueryError(
                f"no query named {str(name_or_path)!r} in {queries_dir}; "
                f"run 'welfare-kg query --list' (known: {known})"
            )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QueryError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise QueryError(f"{path}:{line}: not UTF-8 text") from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise QueryError(f"{path}:{line}: binary data (a NUL byte), not a SPARQL query")
    return parse_query_text(text, name=path.stem, path=path)


def parse_param_args(pairs: Iterable[str]) -> dict[str, str]:
    """`['body=x', 'pillar=2']` as a dict; `=` inside the value is kept."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().lstrip("?")
        if not sep or not key:
            raise QueryError(f"bad --param {pair!r}: write it as NAME=VALUE")
        out[key] = value
    return out


def bind_params(spec: QuerySpec, values: Mapping[str, str]) -> dict[str, NamedNode | Literal]:
    """Turn raw parameter strings into typed RDF terms, keyed by variable name.

    Declared defaults fill in missing values; a missing required parameter, an undeclared
    one, or a value that is not of the declared type raises `QueryError`. A query that
    declares no parameters accepts any of its variables, as a string (or an IRI written
    `<…>`).

    >>> q = parse_query_text('# param: n (integer, required)\\nSELECT * WHERE { ?s ?p ?n }')
    >>> bind_params(q, {'n': '07'})
    {'n': <Literal value=7 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>}
    """
    bound: dict[str, NamedNode | Literal] = {}
    declared = {p.name: p for p in spec.params}
    for key, raw in values.items():
        param = declared.get(key)
        if param is None:
            if declared:
                names = ", ".join(declared)
                raise QueryError(
                    f"query {spec.name!r} has no parameter {key!r} (it takes: {names})"
                )
            if not re.search(rf"[?$]{re.escape(key)}\b", spec.text):
                raise QueryError(f"query {spec.name!r} has no variable ?{key} to bind")
            is_iri = raw.startswith("<") and raw.endswith(">")
            param = Param(key, "iri" if is_iri else "string")
        bound[key] = to_term(param, raw, spec)
    for param in spec.params:
        if param.name in bound:
            continue
        if param.default is not None:
            bound[param.name] = to_term(param, param.default, spec)
        elif param.required:
            raise QueryError(
                f"query {spec.name!r} needs --param {param.name}=… ({param.type}"
                + (f": {param.doc}" if param.doc else "")
                + ")"
            )
    return bound


def to_term(param: Param, raw: str, spec: QuerySpec | None = None) -> NamedNode | Literal:
    """One raw value as the RDF term its parameter type asks for."""
    value = raw.strip() if param.type != "string" else raw
    try:
        if param.type == "string":
            return Literal(value)
        if param.type == "iri":
            return NamedNode(_expand_iri(value, spec.prefixes if spec else {}, param.name))
        if param.type == "integer":
            if not _INTEGER.fullmatch(value):  # int() also takes 1_0 and Arabic-Indic digits
                raise ValueError(value)
            return Literal(str(int(value)), datatype=NamedNode(XSD + "integer"))
        if param.type == "decimal":
            if not _DECIMAL.fullmatch(value):  # Decimal() also takes 1_0, 1e3, NaN …
                raise ValueError(value)
            return Literal(str(Decimal(value)), datatype=NamedNode(XSD + "decimal"))
        if param.type == "boolean":
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError(value)
            return Literal(
                "true" if value.lower() in ("true", "1") else "false",
                datatype=NamedNode(XSD + "boolean"),
            )
        if param.type == "date":
            if not _DATE.fullmatch(value):
                raise ValueError(value)
            datetime.date.fromisoformat(value)  # a real day: not 2021-13-45
            return Literal(value, datatype=NamedNode(XSD + "date"))
    except (ValueError, InvalidOperation) as exc:
        raise QueryError(
            f"parameter {param.name!r} must be {_article(param.type)} {param.type}, got {raw!r}"
        ) from exc
    raise QueryError(f"parameter {param.name!r} has unknown type {param.type!r}")


def display_prefixes(base_iri: str | None = None) -> dict[str, str]:
    """Short names for the build's IRIs, as query tables print them (wkb:elderly-… for a
    body, wkr:izumi-fy2021/row/15 for a row); an IRI parameter accepts them too.

    `base_iri` defaults to ``base_iri`` of data/dataset.yaml.
    """
    if base_iri is None:
        from ..rdf import default_base_iri

        base_iri = default_base_iri()
    return {"wkb": base_iri + "body/", "wko": base_iri + "organization/",
            "wkp": base_iri + "partner/", "wkr": base_iri + "report/"}


# Schemes of absolute IRIs written without <…> that have no "//" after the colon.
_OPAQUE_SCHEMES = frozenset({"urn", "mailto", "tag", "data", "did", "doi", "info"})


def _expand_iri(value: str, prefixes: Mapping[str, str], name: str = "") -> str:
    """`<iri>`, an absolute IRI, or a prefixed name with a prefix of the query or of the
    tables (wkb:, wko:, wkp:, wkr:) as a full IRI; an unknown prefix is a QueryError."""
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    prefix, sep, local = value.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+._-]*|", prefix):
        raise ValueError(value)
    known = {**display_prefixes(), **prefixes}
    if prefix in known and not local.startswith("//"):
        return known[prefix] + local
    if local.startswith("//") or prefix.lower() in _OPAQUE_SCHEMES:
        return value  # an absolute IRI (http://…, urn:…)
    names = ", ".join(f"{p}:" for p in sorted(known))
    raise QueryError(
        f"parameter {name!r}: unknown prefix {prefix + ':'!r} in {value!r}; "
        f"use one of {names}, or write the full IRI as <…>"
    )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
