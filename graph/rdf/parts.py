"""A report's part of the build: made once per report content, cached, and streamed.

`welfare-kg build` never holds every report's graph: each report becomes a *part*, one file
holding, sorted, what the exports need from that report alone:

    triples   its named graph as N-Triples lines (sorted, one triple once)
    shared    the shared-entity triples it uses (N-Triples; merged into ``graph/shared``)
    objects   the distinct objects of its graph (VoID counts distinct objects over the union)
    jsonld    its JSON-LD node entries, in JSON-LD order (subject, property, value)
    rows      its rows.csv records (JSON lines, by source line; labels are looked up later)

plus a summary (titles, counts, the bodies its rows name) in the header line. The exports are
then merged from the sorted parts, one small buffer per part, so memory does not grow with
the number of reports (only the shared entities are held).

Parts are cached (`welfare_kg.cache`) by the report file's SHA-256, its name, the corrections
switch (or the SHA-256 of an explicit corrections file), the base IRI and the code/data
version, so adding one report to a build of 89 costs one report; extractions are cached the
same way. Reports whose part is not cached are made in parallel by a process pool (``jobs``);
the result does not depend on the number of jobs.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
import os
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, SKOS, XSD, BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from welfare_kg import cache
from welfare_kg.errors import InputError

from ..report import ActionPlan, Extraction, Initiative, Page, Quantity, Row
from .build import (
    build_inputs,
    check_unique_slug,
    load_ontology,
    report_triples,
)
from .jsonld import jsonld_context
from .terms import SCHEMA, WK

__all__ = [
    "SECTIONS",
    "GraphLines",
    "OxTerms",
    "Part",
    "compact_iri",
    "default_jobs",
    "extraction_from_json",
    "jsonld_lines",
    "make_parts",
    "nt_lines",
    "ox_term",
    "part_bytes",
]

SECTIONS = ("triples", "shared", "objects", "jsonld", "rows")
_CHUNK = 1 << 14  # bytes read at a time from each part while merging (one buffer per part)
RDF_TYPE = str(RDF.type)
# `text` as a JSON string, as json.dumps(text, ensure_ascii=False) writes it: the function it
# calls for a string (the C encoder where there is one).
_json_string = json.encoder.encode_basestring
XSD_STRING = str(XSD.string)


# -- terms ---------------------------------------------------------------------------------
def ox_term(term: Node) -> Any:
    """The pyoxigraph term for an rdflib term (the build makes no blank nodes)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"cannot convert {term!r} to pyoxigraph")


class OxTerms:
    """Converts rdflib terms to pyoxigraph terms, each distinct term once."""

    def __init__(self) -> None:
        self._cache: dict[Node, Any] = {}

    def __call__(self, term: Node) -> Any:
        found = self._cache.get(term)
        if found is None:
            found = self._cache[term] = ox_term(term)
        return found

    def triples(self, triples: Iterable[tuple[Node, Node, Node]]) -> list[Any]:
        return [ox.Triple(self(s), self(p), self(o)) for s, p, o in triples]


def nt_lines(triples: Iterable[Any]) -> list[bytes]:
    """Sorted, distinct N-Triples lines (each ending in a newline) of pyoxigraph triples."""
    data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
    return sorted({line + b"\n" for line in data.split(b"\n") if line})


# -- JSON-LD entries -----------------------------------------------------------------------
def compact_iri(iri: str, prefixes: Sequence[tuple[str, str]]) -> str:
    """`iri` as prefix:name with the longest matching namespace of `prefixes`, else as is.

    `prefixes` is sorted longest namespace first.
    """
    for prefix, ns in prefixes:
        if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _context_terms(context: dict[str, Any]) -> tuple[
        list[tuple[str, str]], dict[str, tuple[str, str, str | None]], dict[str, str]]:
    """Prefixes (longest namespace first), property IRI -> (term, kind, datatype IRI) and
    class IRI -> term, read from a JSON-LD context (`jsonld.jsonld_context`)."""
    prefixes = {k: v for k, v in context.items()
                if isinstance(v, str) and v.endswith(("/", "#"))}

    def expand(curie: str) -> str:
        prefix, _, rest = curie.partition(":")
        return prefixes[prefix] + rest if prefix in prefixes else curie

    props: dict[str, tuple[str, str, str | None]] = {}
    classes: dict[str, str] = {}
    for name, value in context.items():
        if isinstance(value, dict):
            coerce = value.get("@type")
            if coerce == "@id":
                props[expand(value["@id"])] = (name, "id", None)
            elif value.get("@container") == "@language":
                props[expand(value["@id"])] = (name, "lang", None)
            elif coerce:
                props[expand(value["@id"])] = (name, "typed", expand(coerce))
            else:
                props[expand(value["@id"])] = (name, "plain", None)
        elif name not in prefixes:
            classes[expand(value)] = name
    return sorted(prefixes.items(), key=lambda kv: -len(kv[1])), props, classes


def jsonld_lines(triples: Iterable[Any], context: dict[str, Any]) -> list[bytes]:
    """One sortable line per triple for the flattened JSON-LD export.

    A line is ``subject TAB property TAB sort-key TAB value``, each JSON-encoded, so that
    sorting the lines (within a part, and merging across parts) orders nodes by subject,
    ``@type`` first and then properties by name, and values by their content; JSON text has
    no raw tabs or newlines. The property field ends in how its values are written: ``|o``
    value objects under a prefixed name, ``|s`` strings under a term of the context
    (`jsonld.py`), ``|l`` a language map.
    """
    prefixes, props, classes = _context_terms(context)
    compacted: dict[str, str] = {}  # IRI -> its compact form as JSON text

    def compact(iri: str) -> str:
        found = compacted.get(iri)
        if found is None:
            found = compacted[iri] = string(compact_iri(iri, prefixes))
        return found

    # JSON text of a string as ``json.dumps(text, ensure_ascii=False)`` writes it (the same
    # function json calls), and of the small objects below as json.dumps lays them out:
    # json.dumps with a keyword builds an encoder on every call, which was most of the time.
    string = _json_string
    names: dict[tuple[str, str], str] = {}  # (property IRI, form) -> its property field
    lines = set()
    for t in triples:
        subject = compact(t.subject.value)
        o = t.object
        predicate = t.predicate.value
        if predicate == RDF_TYPE and isinstance(o, ox.NamedNode):
            known = classes.get(o.value)
            value = string(known) if known else compact(o.value)
            lines.add(f"{subject}\t0\"@type\"|s\t{value}\t{value}\n")
            continue
        term = props.get(predicate)
        is_literal = isinstance(o, ox.Literal)
        kind = term[1] if term else None
        if kind == "id" and isinstance(o, ox.NamedNode):
            form, key_text = "s", compact(o.value)
            text = key_text
        elif kind == "lang" and is_literal and o.language:
            form = "l"
            language, value = string(o.language), string(o.value)
            key_text = f'[["@language", {language}], ["@value", {value}]]'
            text = f'{{"@language": {language}, "@value": {value}}}'
        elif kind in ("typed", "plain") and is_literal and not o.language and (
                o.datatype.value == (term[2] if kind == "typed" else XSD_STRING)):
            form, key_text = "s", string(o.value)  # the term's datatype (plain: xsd:string)
            text = key_text
        else:
            form = "o"
            if isinstance(o, ox.NamedNode):
                node = compact(o.value)
                key_text, text = f'[["@id", {node}]]', f'{{"@id": {node}}}'
            elif is_literal and o.language:
                language, value = string(o.language), string(o.value)
                key_text = f'[["@language", {language}], ["@value", {value}]]'
                text = f'{{"@value": {value}, "@language": {language}}}'
            elif is_literal and o.datatype.value != XSD_STRING:
                datatype, value = compact(o.datatype.value), string(o.value)
                key_text = f'[["@type", {datatype}], ["@value", {value}]]'
                text = f'{{"@value": {value}, "@type": {datatype}}}'
            else:
                value = string(o.value)
                key_text, text = f'[["@value", {value}]]', f'{{"@value": {value}}}'
        prop = names.get((predicate, form))
        if prop is None:
            name = string(term[0]) if form != "o" and term else compact(predicate)
            prop = names[(predicate, form)] = f"{name}|{form}"
        lines.add(f"{subject}\t1{prop}\t{key_text}\t{text}\n")
    return sorted(line.encode("utf-8") for line in lines)


# -- rows.csv records ----------------------------------------------------------------------
def _local(iri: Any) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] if iri else ""


def _row_records(index: dict[Any, dict[Any, list[Any]]], slug: str) -> list[dict[str, Any]]:
    """The rows of one report graph as rows.csv records, shared entities still as IRIs."""
    ontology = load_ontology()

    def value(node: Any, pred: Any) -> Any:
        found = index.get(node, {}).get(pred) if node is not None else None
        return min(found) if found else None

    records = []
    for row, props in index.items():
        if WK.PlanRow not in props.get(RDF.type, ()):
            continue
        span = value(row, WK.sourceSpan)
        bodies = sorted(
            str(value(p, WK.participant)) for p in props.get(WK.participation, ())
            if value(p, WK.role) == WK.ImplementingBodyRole
        )
        quantities = []
        for q in sorted(props.get(WK.quantity, ()), key=lambda n: int(_local(n))):
            text = f"{str(value(q, SCHEMA.value)).removesuffix('.0')}{value(q, SCHEMA.unitText)}"
            counted = value(q, WK.counted)
            quantities.append(f"{text}({counted})" if counted else text)
        status = ontology.value(value(row, WK.status), SKOS.notation)
        records.append({
            "report": slug,
            "row": str(row),
            "page": str(value(span, WK.page) or ""),
            "line": str(value(span, WK.startLine) or ""),
            "end_line": str(value(span, WK.endLine) or ""),
            "fiscal_year": str(value(row, WK.fiscalYear) or ""),
            "pillar": str(value(row, WK.pillar) or ""),
            "action_plan": str(value(row, WK.actionPlan) or ""),
            "initiative": str(value(row, WK.initiative) or ""),
            "items": str(value(row, WK.planText) or ""),
            "result": str(value(row, WK.resultText) or ""),
            "status": str(status or ""),
            "bodies": bodies,
            "partners": sorted(str(p) for p in props.get(WK.namesPartner, ())),
            "quantities": quantities,
            "confidence": str(value(row, WK.confidence) or ""),
        })
    records.sort(key=lambda r: (int(r["line"] or 0), r["row"]))
    return records


def _summary(graph: str, triples: Iterable[tuple[Node, Node, Node]], base_iri: str,
             count: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What the catalogue, VoID and the CSVs need from one report graph, and its rows."""
    index: dict[Any, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in triples:
        index[s][p].append(o)
    prefix = f"{base_iri}graph/"
    slug = graph[len(prefix):] if graph.startswith(prefix) else graph
    reports = sorted(s for s, props in index.items() if WK.Report in props.get(RDF.type, ()))
    summary: dict[str, Any] = {
        "graph": graph,
        "slug": slug,
        "triples": count,
        "entities": sum(1 for s in index if isinstance(s, URIRef) and s.startswith(base_iri)),
        "report": None,
    }
    if not reports:
        return summary, []
    report = reports[0]
    titles = {lit.language: str(lit) for lit in index[report].get(DCTERMS.title, ())}
    year = min(index[report].get(WK.fiscalYear, ()), default=None)
    rows = _row_records(index, slug)
    body_rows: dict[str, int] = defaultdict(int)
    for props in index.values():
        if PROV.hadPrimarySource in props:
            for body in set(props.get(WK.implementedBy, ())):
                body_rows[str(body)] += 1
    summary.update(
        report=str(report),
        title_ja=titles.get("ja", graph),
        title_en=titles.get("en", titles.get("ja", graph)),
        fiscal_year=int(str(year)[:4]) if year is not None else None,
        rows=len(rows),
        bodies=len(body_rows),
        body_rows=dict(sorted(body_rows.items())),
    )
    return summary, rows



# -- the part file -------------------------------------------------------------------------
def part_bytes(
    graph: str,
    own: Iterable[tuple[Node, Node, Node]],
    shared: Iterable[tuple[Node, Node, Node]],
    *,
    base_iri: str,
    context: dict[str, Any],
    extra: dict[str, Any] | None = None,
    on_graph: GraphLines | None = None,
) -> bytes:
    """The part file of one named graph: its own triples and the shared ones it uses.

    `on_graph(graph, triples, shared)` hears of the graph's N-Triples lines and the shared
    ones as soon as they are made, before the rest of the part (summary, JSON-LD entries,
    rows)."""
    own = list(own)
    conv = OxTerms()
    ox_own = conv.triples(own)
    triples = nt_lines(ox_own)
    shared_lines = nt_lines(conv.triples(shared))
    if on_graph is not None:
        on_graph(graph, triples, shared_lines)
    summary, rows = _summary(graph, own, base_iri, len(triples))
    summary.update(extra or {})
    sections = {
        "triples": b"".join(triples),
        "shared": b"".join(shared_lines),
        "objects": b"".join(sorted({str(t.object).encode("utf-8") + b"\n" for t in ox_own})),
        "jsonld": b"".join(jsonld_lines(ox_own, context)),
        "rows": "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8"),
    }
    header = {"summary": summary, "sizes": [len(sections[name]) for name in SECTIONS]}
    head = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
    return head + b"".join(sections[name] for name in SECTIONS)


@dataclass(frozen=True)
class Part:
    """A part file in the build's workspace: its summary and where each section is."""

    path: Path
    summary: dict[str, Any]
    spans: dict[str, tuple[int, int]]  # section -> (offset, length)

    @classmethod
    def load(cls, path: Path) -> Part:
        with path.open("rb") as fh:
            head = fh.readline()
        header = json.loads(head)
        spans, offset = {}, len(head)
        for name, size in zip(SECTIONS, header["sizes"], strict=True):
            spans[name] = (offset, size)
            offset += size
        return cls(path, header["summary"], spans)

    def read(self, section: str) -> bytes:
        offset, size = self.spans[section]
        with self.path.open("rb") as fh:
            fh.seek(offset)
            return fh.read(size)

    def lines(self, section: str) -> Iterator[bytes]:
        """The lines of `section`, read a chunk at a time (no file stays open in between,
        so a merge over a thousand parts needs no thousand file descriptors)."""
        offset, size = self.spans[section]
        end, rest = offset + size, b""
        while offset < end:
            with self.path.open("rb") as fh:
                fh.seek(offset)
                data = fh.read(min(_CHUNK, end - offset))
            if not data:
                break
            offset += len(data)
            lines = (rest + data).split(b"\n")
            rest = lines.pop()
            for line in lines:
                yield line + b"\n"
        if rest:
            yield rest


# -- extractions in the cache --------------------------------------------------------------
def extraction_from_json(data: dict[str, Any]) -> Extraction:
    """The `Extraction` that `Extraction.to_json` gave `data`."""
    pages = [
        Page(**{**p, "action_plans": [ActionPlan(**a) for a in p["action_plans"]],
                "initiatives": [Initiative(**i) for i in p["initiatives"]]})
        for p in data["pages"]
    ]
    rows = [Row(**{**r, "quantities": [Quantity(**q) for q in r["quantities"]]})
            for r in data["rows"]]
    return Extraction(data["source"], data["sha256"], pages, rows, list(data["warnings"]),
                      list(data["corrections_applied"]))


Corrections = bool | Path  # the switch, or an explicit corrections file for the report
GraphLines = Callable[[str, list[bytes], list[bytes]], None]
"""Hears of a report's graph before its part is done: (graph IRI, its N-Triples lines, the
shared graph's lines it uses), each list sorted and distinct."""


def _corrections_key(corrections: Corrections) -> str:
    """The corrections part of a cache key: the switch, or the content of an explicit file
    (its SHA-256), so an edited corrections file is never answered from the cache."""
    if isinstance(corrections, bool):
        return str(corrections)
    try:
        return "file:" + hashlib.sha256(Path(corrections).read_bytes()).hexdigest()
    except OSError as exc:
        raise InputError(f"{corrections}: cannot read the corrections file "
                         f"({exc.strerror or exc})") from exc


def _extraction(path: Path, raw_sha: str, corrections: Corrections) -> Extraction:
    """The records of the report at `path`, from the cache or by extracting them."""
    from ..report import extract_report

    where = cache.entry("extraction", raw_sha, str(path), _corrections_key(corrections),
                        suffix=".json.z")
    data = cache.read_entry(where)
    if data is not None:
        try:
            return extraction_from_json(json.loads(zlib.decompress(data)))
        except (ValueError, KeyError, TypeError, zlib.error):
            pass  # a damaged entry: extract again
    extraction = extract_report(path, corrections=corrections)
    text = json.dumps(extraction.to_json(), ensure_ascii=False).encode("utf-8")
    cache.write_entry(where, zlib.compress(text, 1))
    return extraction


def _part_entry(raw_sha: str, path: Path, corrections: Corrections, base_iri: str
                ) -> Path | None:
    # The part depends on the content, the file name (slug, titles), the corrections switch
    # or file, the base IRI and (through the key's code version) the data files.
    return cache.entry("part", raw_sha, path.name, _corrections_key(corrections), base_iri,
                       suffix=".z")


@dataclass(frozen=True)
class _Task:
    path: Path
    corrections: Corrections
    base_iri: str
    target: Path  # where the part file goes
    extraction_dir: Path | None  # also write the extraction's JSON, CSV and report here


def _run_task(task: _Task, on_graph: GraphLines | None = None) -> dict[str, Any]:
    """Make the part of one report (in a worker process, or inline); return its summary.
    `on_graph` (inline only) hears of its graph when the part is made, not read from the
    cache (`part_bytes`)."""
    raw = _read(task.path)
    raw_sha = hashlib.sha256(raw).hexdigest()
    entry = _part_entry(raw_sha, task.path, task.corrections, task.base_iri)
    cached = cache.read_entry(entry)
    extraction = None
    if task.extraction_dir is not None or cached is None:
        extraction = _extraction(task.path, raw_sha, task.corrections)
        if task.extraction_dir is not None:
            _write_extraction(extraction, task.path, task.extraction_dir)
    data = None
    if cached is not None:
        try:
            data = zlib.decompress(cached)
        except zlib.error:
            data = None
    if data is None:
        extraction = extraction or _extraction(task.path, raw_sha, task.corrections)
        data = _built_part(extraction, task.base_iri, on_graph)
        cache.write_entry(entry, zlib.compress(data, 1))
    task.target.write_bytes(data)
    summary = Part.load(task.target).summary
    if extraction is not None:  # this run's reading of the report, not the cached one's
        summary["extraction"] = _extraction_note(extraction)
    return summary


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _extraction_note(extraction: Extraction) -> dict[str, Any]:
    return {"source": extraction.source, "rows": len(extraction.rows),
            "corrections": len(extraction.corrections_applied),
            "warnings": len(extraction.warnings)}


def _write_extraction(extraction: Extraction, path: Path, folder: Path) -> None:
    from welfare_kg.fileio import write_text

    from ..report import extraction_report, write_csv, write_json

    stem = folder / path.stem
    write_json(extraction, stem.with_suffix(".json"))
    write_csv(extraction, stem.with_suffix(".csv"))
    write_text(stem.with_suffix(".report.txt"), extraction_report(extraction))


# -- making the parts of a build -----------------------------------------------------------
def default_jobs() -> int:
    """The number of worker processes by default: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def make_parts(
    report_paths: Sequence[Path],
    workdir: Path,
    *,
    base_iri: str,
    corrections: Corrections | Mapping[Path, Path] = True,
    jobs: int | None = None,
    extraction_dir: Path | None = None,
    extractions: Sequence[Extraction] | None = None,
    on_report: Callable[[Path, dict[str, Any]], None] | None = None,
    on_graph: GraphLines | None = None,
) -> list[Part]:
    """The parts of `report_paths`, written into `workdir`, in the reports' order.

    `corrections`: the switch (True: the corrections folder's file for each report), one
    corrections file for every report, or a mapping from report path to its corrections file
    (the reports not in it use the folder).

    `extractions` (one per report, already made by the caller) skip extraction and the
    cache. Reports run on `jobs` processes (default: the cores; 1 runs them here), at most
    two per process in flight, and their results are taken in the reports' order, so the
    first report that fails is the one reported. `on_report(path, summary)` is called for each
    report, in order, as its part is ready. `on_graph` (`GraphLines`) hears of a report's
    graph before the rest of its part is made, for a part made in this process (one report,
    not in the cache): the caller may load a store from it meanwhile.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    tasks = [_Task(Path(p), _corrections_of(corrections, Path(p)), base_iri,
                   workdir / f"{i:06d}.part", extraction_dir)
             for i, p in enumerate(report_paths)]
    if extractions is not None:
        if len(extractions) != len(tasks):
            raise ValueError("give one extraction per report")
        summaries: Iterator[dict[str, Any]] = (
            _part_of_extraction(e, t) for e, t in zip(extractions, tasks, strict=True))
    else:
        summaries = _run_all(tasks, jobs or default_jobs(), on_graph)
    parts: list[Part] = []
    seen: dict[str, str] = {}
    for task, summary in zip(tasks, summaries, strict=True):
        check_unique_slug(seen, summary["slug"], str(task.path))
        if on_report is not None:
            on_report(task.path, summary)
        parts.append(Part.load(task.target))
    return parts


def _corrections_of(corrections: Corrections | Mapping[Path, Path], report: Path
                    ) -> Corrections:
    if isinstance(corrections, Mapping):
        return Path(corrections[report]) if report in corrections else True
    return corrections


def _built_part(extraction: Extraction, base_iri: str,
                on_graph: GraphLines | None = None) -> bytes:
    built = report_triples(extraction, build_inputs(base_iri=base_iri))
    return part_bytes(str(built.graph), built.report, built.shared, base_iri=base_iri,
                      context=jsonld_context(base_iri)["@context"],
                      extra={"extraction": _extraction_note(extraction)}, on_graph=on_graph)


def _part_of_extraction(extraction: Extraction, task: _Task) -> dict[str, Any]:
    if task.extraction_dir is not None:
        _write_extraction(extraction, task.path, task.extraction_dir)
    task.target.write_bytes(_built_part(extraction, task.base_iri))
    return Part.load(task.target).summary


def _run_all(tasks: list[_Task], jobs: int,
             on_graph: GraphLines | None = None) -> Iterator[dict[str, Any]]:
    """Run `tasks`, yielding their summaries in order; in a pool when it pays (`on_graph`
    hears only of a single report's graph, made here)."""
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield _run_task(task, on_graph if len(tasks) == 1 else None)
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
        yield from _in_order(pool, tasks, window=2 * jobs)


def _in_order(pool: Executor, tasks: list[_Task], window: int) -> Iterator[dict[str, Any]]:
    pending: list[Future[dict[str, Any]]] = []
    todo = iter(tasks)
    try:
        for task in todo:
            pending.append(pool.submit(_run_task, task))
            if len(pending) >= window:
                yield pending.pop(0).result()
        while pending:
            yield pending.pop(0).result()
    finally:
        for future in pending:
            future.cancel()
