"""Write the open-data exports: RDF in five syntaxes, DCAT/VoID metadata and CSV tables.

The exports are written by streaming: each report's part (`graph/rdf/parts.py`) holds its
named graph sorted, and every file is merged from the parts plus the shared graph, one small
buffer per part, so memory does not grow with the number of reports. pyoxigraph writes the
RDF syntaxes (rdflib only the small catalogue and VoID graphs).

Every file is byte-identical for the same input: N-Triples/N-Quads lines are sorted (N-Quads
and TriG graph by graph, in graph IRI order), Turtle is written from the sorted triples,
JSON-LD nodes, properties and values are sorted, and there are no blank nodes and no
timestamps. TriG and N-Quads keep the named graphs (``graph/shared`` and one per report);
Turtle, N-Triples and JSON-LD are their union, each triple once.
"""

from __future__ import annotations

import csv
import filecmp
import hashlib
import heapq
import io
import json
import os
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
from rdflib import RDF, RDFS, Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import ORG, SKOS

from welfare_kg.errors import InputError
from welfare_kg.fileio import write_bytes
from welfare_kg.paths import ONTOLOGY_DIR

from ..report import Extraction
from .build import check_base_iri, dataset_namespaces, shared_graph_iri
from .catalog import (
    DatasetStats,
    GraphInfo,
    catalog_graph,
    checksum_algorithm,
    contact_point,
    graph_file,
    void_graph,
)
from .jsonld import jsonld_context
from .metadata import default_base_iri, load_metadata
from .parts import OxTerms, Part, jsonld_lines, make_parts, nt_lines, part_bytes
from .terms import WK

__all__ = [
    "OUTPUT_FILES",
    "build_outputs",
    "export_dataset",
    "exports_key",
    "jsonld_context",
    "to_nquads",
    "write_exports",
    "write_jsonld",
]

# The files `export_dataset` writes, in writing order.
OUTPUT_FILES = (
    "welfare-kg.ttl",
    "welfare-kg.nt",
    "welfare-kg.jsonld",
    "context.jsonld",
    "welfare-kg.trig",
    "welfare-kg.nq",
    "rows.csv",
    "bodies.csv",
    "ontology.ttl",
    "shapes.ttl",
    "void.ttl",
    "catalog.ttl",
)
_BUFFER = 1 << 20
# Each named graph alone (graphs/{slug}.nq, see catalog.graph_file), beside OUTPUT_FILES.
GRAPHS_DIR = "graphs"


def _turtle_prefixes(base_iri: str) -> dict[str, str]:
    """Prefixes for Turtle/TriG, without those under which local names would need escapes.

    A prefix for the base IRI would give names like ``wkid:report\\/x\\/row\\/3``: legal
    Turtle, but unreadable and a trap for older parsers; such IRIs are written in full.
    """
    return {p: ns for p, ns in dataset_namespaces(base_iri).items() if p not in ("wkid", "xml")}


def to_nquads(ds: Dataset) -> bytes:
    """N-Quads of the named graphs of an in-memory dataset (the default graph is left out),
    graph by graph in IRI order, lines sorted: the bytes `welfare-kg.nq` has."""
    conv = OxTerms()
    out = []
    for G in sorted(ds.graphs(), key=lambda g: str(g.identifier)):
        if not isinstance(G.identifier, URIRef) or G.identifier == DATASET_DEFAULT_GRAPH_ID:
            continue
        name = f" <{G.identifier}> .\n".encode()
        out += [line[:-3] + name for line in nt_lines(conv.triples(G))]
    return b"".join(out)


# -- streaming the union -------------------------------------------------------------------
def _unique(lines: Iterable[bytes]) -> Iterator[bytes]:
    last = None
    for line in lines:
        if line != last:
            yield line
            last = line


def _merged(shared: Sequence[bytes], parts: Sequence[Part], section: str) -> Iterator[bytes]:
    """The sorted lines of `section` over the shared graph and every part, each line once."""
    return _unique(heapq.merge(iter(shared), *(p.lines(section) for p in parts)))


def _write_lines(path: Path, lines: Iterable[bytes]) -> int:
    count = 0
    with path.open("wb", buffering=_BUFFER) as fh:
        for line in lines:
            fh.write(line)
            count += 1
    return count


def _sort_prefix_lines(src: Path, dst: Path) -> None:
    """Move `src` to `dst` with its leading @prefix lines in alphabetical order."""
    with src.open("rb") as fh:
        head = []
        while (line := fh.readline()).startswith(b"@prefix "):
            head.append(line)
        if head == sorted(head):
            fh.close()
            src.replace(dst)
            return
        with dst.open("wb") as out:
            out.writelines(sorted(head))
            out.write(line)
            shutil.copyfileobj(fh, out, _BUFFER)
    src.unlink()


def _write_turtle(nt: Path, ttl: Path, base_iri: str) -> DatasetStats:
    """Turtle from the sorted union in `nt`; VoID's figures are counted on the way."""
    stats = _StatsCounter(base_iri)
    triples = (stats.see(q.triple) for q in ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES))
    tmp = ttl.with_name(ttl.name + ".tmp")
    ox.serialize(triples, str(tmp), format=ox.RdfFormat.TURTLE,
                 prefixes=_turtle_prefixes(base_iri))
    _sort_prefix_lines(tmp, ttl)
    return stats.result()


class _StatsCounter:
    """VoID figures of the union, counted while its sorted triples stream past.

    Why not rdflib's `rdflib.void.generateVoID`: it needs the whole union as an in-memory
    rdflib Graph. Measured on the bundled build (12,848 triples, one run, this machine):
    parsing it into rdflib took 1.81 s and generateVoID 0.66 s, against 0.03 s for this
    counter on the triples the Turtle export streams anyway (about 80x), and memory that
    grows with the build, while this counter's does not. pyoxigraph has no VoID generator.
    """

    def __init__(self, base_iri: str) -> None:
        self.base = base_iri
        self.triples = self.subjects = self.entities = 0
        self.classes: Counter[str] = Counter()
        self.predicates: Counter[str] = Counter()
        self.example: str | None = None
        self._last: Any = None
        self._rdf_type = ox.NamedNode(str(RDF.type))
        self._plan_row = ox.NamedNode(str(WK.PlanRow))

    def see(self, t: Any) -> Any:
        self.triples += 1
        if t.subject != self._last:  # the union is sorted: a subject's triples are together
            self._last = t.subject
            self.subjects += 1
            if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(self.base):
                self.entities += 1
        self.predicates[t.predicate.value] += 1
        if t.predicate == self._rdf_type:
            self.classes[t.object.value] += 1
            if t.object == self._plan_row and (
                self.example is None or t.subject.value < self.example
            ):
                self.example = t.subject.value
        return t

    def result(self) -> DatasetStats:
        return DatasetStats(self.triples, self.entities, self.subjects, 0,
                            dict(self.classes), dict(self.predicates), self.example)


def _write_nquads(path: Path, graphs: Sequence[tuple[str, Part | None]],
                  shared: Sequence[bytes]) -> None:
    with path.open("wb", buffering=_BUFFER) as fh:
        _write_graphs(fh, ((iri, shared if part is None else part.lines("triples"))
                           for iri, part in graphs))


def _write_graphs(fh: BinaryIO, graphs: Iterable[tuple[str, Iterable[bytes]]]) -> None:
    """N-Quads of named graphs given as N-Triples lines: each line's ` .\n` becomes the
    graph's name and ` .\n` (the one way the N-Quads file is written, early or not)."""
    for iri, lines in graphs:
        name = f" <{iri}> .\n".encode()
        for line in lines:
            fh.write(line[:-3] + name)


def _keep_or_replace(new: Path, target: Path) -> None:
    """Move `new` to `target`, unless `target` has the same bytes: then the old file (and its
    mtime) stays, so tools watching out/ see no change."""
    if target.is_file() and filecmp.cmp(new, target, shallow=False):
        new.unlink()
    else:
        new.chmod(0o644)
        new.replace(target)


def _write_trig(nq: Path, trig: Path, base_iri: str) -> None:
    quads = ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS)
    tmp = trig.with_name(trig.name + ".tmp")
    ox.serialize(quads, str(tmp), format=ox.RdfFormat.TRIG, prefixes=_turtle_prefixes(base_iri))
    _sort_prefix_lines(tmp, trig)


def write_jsonld(path: Path, context: dict[str, Any], lines: Iterable[bytes]) -> None:
    """Flattened JSON-LD: one node object per subject, sorted, with the context inline.

    The context is inlined (and also published as ``context.jsonld``) so that parsers need
    no network access. `lines` are `parts.jsonld_lines` entries, merged in order: compact
    under the term context of `jsonld.py` (short keys, ``@id`` typing, language maps). The
    text is what ``json.dumps(document, ensure_ascii=False, indent=1)`` gives, written node
    by node (json's indenting encoder is pure Python and was most of the export time).

    Why not PyLD's compaction: measured on the bundled build (12,848 triples, one run,
    this machine), PyLD took 0.35 s to expand and 2.97 s to compact the document, against
    0.42 s for these lines and this writer together (about 8x); and PyLD compacts a whole
    document in memory, while this writer streams the merged parts, so memory does not grow
    with the number of reports. PyLD checks the result instead: tests/test_jsonld.py
    expands and compacts the file with it and compares the triples with the Turtle.
    """
    with path.open("w", encoding="utf-8", newline="\n", buffering=_BUFFER) as fh:
        head = json.dumps({"@context": context["@context"]}, ensure_ascii=False, indent=1)
        fh.write(head[:-2] + ',\n "@graph": [')
        first = True
        for node in _jsonld_nodes(lines):
            fh.write(("\n" if first else ",\n") + node)
            first = False
        fh.write("]\n}\n" if first else "\n ]\n}\n")


def _jsonld_nodes(lines: Iterable[bytes]) -> Iterator[str]:
    """The text of each node object, at the depth of the ``@graph`` list."""
    subject, props = None, []  # props: [(property JSON, [value texts])]
    for line in lines:
        s, prop, _, value = line.decode("utf-8").rstrip("\n").split("\t")
        if s != subject:
            if subject is not None:
                yield _node_text(subject, props)
            subject, props = s, []
        if not props or props[-1][0] != prop:
            props.append((prop, []))
        props[-1][1].append(value)
    if subject is not None:
        yield _node_text(subject, props)


def _node_text(subject: str, props: list[tuple[str, list[str]]]) -> str:
    """One node object as ``json.dumps(..., indent=1)`` lays it out at this depth: a term's
    single value as a scalar, several as a list; a language map with one string (or a list)
    per language; value objects under a prefixed name as a list."""
    parts = [f'  {{\n   "@id": {subject}']
    for prop, values in props:
        key, form = prop[1:].rsplit("|", 1)
        if form == "s":  # @type or a term: JSON strings
            body = values[0] if len(values) == 1 else (
                "[\n" + ",\n".join(f"    {v}" for v in values) + "\n   ]")
        elif form == "l":  # a language map
            by_lang: dict[str, list[str]] = {}
            for text in values:
                value = json.loads(text)
                by_lang.setdefault(value["@language"], []).append(_json_str(value["@value"]))
            entries = []
            for lang, texts in sorted(by_lang.items()):
                inner = texts[0] if len(texts) == 1 else (
                    "[\n" + ",\n".join(f"     {t}" for t in texts) + "\n    ]")
                entries.append(f"    {_json_str(lang)}: {inner}")
            body = "{\n" + ",\n".join(entries) + "\n   }"
        else:  # value objects of string members
            body = "[\n" + ",\n".join(
                "    {\n" + ",\n".join(f"     {_json_str(k)}: {_json_str(v)}"
                                       for k, v in json.loads(text).items()) + "\n    }"
                for text in values) + "\n   ]"
        parts.append(f"   {key}: {body}")
    return ",\n".join(parts) + "\n  }"


def _json_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _distinct_objects(shared_objects: Sequence[bytes], parts: Sequence[Part]) -> int:
    return sum(1 for _ in _merged(shared_objects, parts, "objects"))


# -- CSV tables ----------------------------------------------------------------------------
class _Shared:
    """The shared graph, indexed: labels and numbers of the entities rows point to."""

    def __init__(self, lines: Sequence[bytes]) -> None:
        self.index: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        self._statuses: dict[str, str] | None = None
        for q in ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES):
            self.index[q.subject.value][q.predicate.value].append(q.object)

    def value(self, node: str, pred: URIRef) -> str:
        found = sorted(o.value for o in self.index.get(node, {}).get(str(pred), ()))
        return found[0] if found else ""

    def label(self, node: str, lang: str = "ja") -> str:
        labels = sorted(o.value for o in self.index.get(node, {}).get(str(RDFS.label), ())
                        if getattr(o, "language", None) == lang)
        return labels[0] if labels else ""

    def status(self, code: str) -> tuple[str, str, str]:
        """(IRI, Japanese label, English label) of the status whose skos:notation is `code`
        (the ontology's status concepts are in the shared graph)."""
        if self._statuses is None:
            notation = str(SKOS.notation)
            self._statuses = {self.value(s, SKOS.notation): s for s in self.of_type(WK.Status)
                              if notation in self.index[s]}
        iri = self._statuses.get(code, "")
        return iri, self.label(iri, "ja") if iri else "", self.label(iri, "en") if iri else ""

    def of_type(self, cls: URIRef) -> list[str]:
        rdf_type, target = str(RDF.type), str(cls)
        return sorted(s for s, props in self.index.items()
                      if any(o.value == target for o in props.get(rdf_type, ())))


ROWS_HEADER = [
    "report", "row", "page", "line", "end_line", "fiscal_year", "pillar",
    "action_plan_number", "action_plan", "action_plan_en", "initiative", "initiative_en",
    "items", "result", "status",
    "status_ja", "status_en", "status_iri", "bodies", "body_ids", "partners", "quantities",
    "confidence",
]
BODIES_HEADER = ["id", "iri", "name_ja", "name_en", "type", "type_ja", "type_en", "kind",
                 "parent", "parent_name_ja", "rows", "reports"]
"""rows.csv and bodies.csv are for spreadsheet users: UTF-8 with a BOM (Excel on Japanese
Windows reads them right; without it, it guesses Shift_JIS and garbles every label), and
readable labels (実施 / 一部実施・縮小 / 中止, body types) beside the codes and IRIs, and the
English titles of action plans and initiatives (data/outline.yaml, data/initiatives.yaml)
beside the printed Japanese, empty where there is none."""


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] if iri else ""


def _write_rows_csv(path: Path, parts: Sequence[Part], shared: _Shared) -> None:
    """One line per plan row, for spreadsheet users (report, then source line order)."""
    with path.open("w", encoding="utf-8-sig", newline="", buffering=_BUFFER) as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(ROWS_HEADER)
        for part in sorted(parts, key=lambda p: p.summary["slug"]):
            for line in part.lines("rows"):
                r = json.loads(line)
                bodies = r["bodies"]
                writer.writerow([
                    r["report"], r["row"], r["page"], r["line"], r["end_line"],
                    r["fiscal_year"], shared.value(r["pillar"], WK.number),
                    shared.value(r["action_plan"], WK.number), shared.label(r["action_plan"]),
                    shared.label(r["action_plan"], "en"), shared.label(r["initiative"]),
                    shared.label(r["initiative"], "en"), r["items"], r["result"], r["status"],
                    *_status_columns(shared, r["status"]),
                    "|".join(shared.label(b) for b in bodies),
                    "|".join(_local(b) for b in bodies),
                    "|".join(sorted(shared.label(p) for p in r["partners"])),
                    "|".join(r["quantities"]), r["confidence"],
                ])


def _status_columns(shared: _Shared, code: str) -> tuple[str, str, str]:
    """Japanese label, English label and IRI of a row's status (empty when it has none)."""
    iri, ja, en = shared.status(code) if code else ("", "", "")
    return ja, en, iri


def _write_bodies_csv(path: Path, parts: Sequence[Part], shared: _Shared) -> None:
    """One line per implementing body, with how many rows and reports it implements."""
    rows: Counter[str] = Counter()
    reports: Counter[str] = Counter()
    for part in parts:
        for body, n in (part.summary.get("body_rows") or {}).items():
            rows[body] += n
            reports[body] += 1
    out = []
    for body in shared.of_type(WK.Body):
        parent = shared.value(body, ORG.subOrganizationOf)
        body_type = shared.value(body, WK.bodyType)
        out.append([
            _local(body), body, shared.label(body, "ja"), shared.label(body, "en"),
            _local(body_type), shared.label(body_type, "ja"), shared.label(body_type, "en"),
            shared.value(body, WK.kind),
            _local(parent), shared.label(parent, "ja"), rows[body], reports[body],
        ])
    out.sort(key=lambda r: str(r[0]))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(BODIES_HEADER)
    writer.writerows([[str(v) for v in r] for r in out])
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))


# -- the whole export ----------------------------------------------------------------------
def write_exports(
    parts: Sequence[Part],
    shared_triples: Iterable[bytes],
    out_dir: Path,
    *,
    base_iri: str,
    meta: dict[str, Any],
    on_graph: Callable[[Path], Path] | None = None,
) -> list[Path]:
    """Write every export into the (staging) folder `out_dir`, the catalogue last.

    `parts` are the named graphs other than the shared one; `shared_triples` the shared
    graph's N-Triples lines. The N-Quads (what a store loads) is written first, and
    `on_graph(path)` hears of it before the other files are written (and returns where the
    file is then: it may move it). Returns the paths in OUTPUT_FILES order.
    """
    shared = sorted(set(shared_triples))
    shared_iri = str(shared_graph_iri(base_iri))
    graphs: list[tuple[str, Part | None]] = [(p.summary["graph"], p) for p in parts]
    if shared:
        graphs.append((shared_iri, None))
    graphs.sort(key=lambda g: g[0])
    context = jsonld_context(base_iri)
    path = {name: out_dir / name for name in OUTPUT_FILES}
    _write_nquads(path["welfare-kg.nq"], graphs, shared)
    if on_graph is not None:
        path["welfare-kg.nq"] = on_graph(path["welfare-kg.nq"])
    shared_ox = [q.triple for q in ox.parse(b"".join(shared), format=ox.RdfFormat.N_TRIPLES)]

    _write_lines(path["welfare-kg.nt"], _merged(shared, parts, "triples"))
    stats = _write_turtle(path["welfare-kg.nt"], path["welfare-kg.ttl"], base_iri)
    shared_objects = sorted({str(t.object).encode("utf-8") + b"\n" for t in shared_ox})
    stats.distinct_objects = _distinct_objects(shared_objects, parts)
    write_jsonld(path["welfare-kg.jsonld"], context,
                 _merged(jsonld_lines(shared_ox, context["@context"]), parts, "jsonld"))
    path["context.jsonld"].write_bytes(
        (json.dumps(context, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    graph_files = _write_graph_files(out_dir, parts, shared, shared_iri)
    _write_trig(path["welfare-kg.nq"], path["welfare-kg.trig"], base_iri)
    index = _Shared(shared)
    _write_rows_csv(path["rows.csv"], parts, index)
    _write_bodies_csv(path["bodies.csv"], parts, index)
    shutil.copyfile(ONTOLOGY_DIR / "welfare.ttl", path["ontology.ttl"])
    shutil.copyfile(ONTOLOGY_DIR / "shapes.ttl", path["shapes.ttl"])

    infos = [GraphInfo.of_part(p.summary) for p in parts]
    shared_info = None
    if shared:
        subjects = {t.subject for t in shared_ox}
        shared_info = GraphInfo(
            slug="shared", graph=URIRef(shared_iri), report=None, title_ja="", title_en="",
            fiscal_year=None, triples=len(shared), rows=0, bodies=0,
            entities=sum(1 for s in subjects if s.value.startswith(base_iri)))
    V = void_graph(stats, infos, shared_info, base_iri=base_iri, meta=meta)
    write_bytes(path["void.ttl"], _turtle(V))
    written = {name: path[name] for name in OUTPUT_FILES if name != "catalog.ttl"}
    written.update({str(p.relative_to(out_dir)): p for p in graph_files})
    C = catalog_graph(infos, shared_info, base_iri=base_iri, meta=meta, files=written)
    write_bytes(path["catalog.ttl"], _turtle(C + V, prefixes_of=C))
    return [path[name] for name in OUTPUT_FILES] + graph_files


def _write_graph_files(out_dir: Path, parts: Sequence[Part], shared: Sequence[bytes],
                       shared_iri: str) -> list[Path]:
    """Each named graph alone as N-Quads (graphs/{slug}.nq): the download of each report's
    dataset in the catalogue, with its own size and checksum."""
    written = []
    for slug, iri, lines in [
        *([("shared", shared_iri, shared)] if shared else []),
        *((p.summary["slug"], p.summary["graph"], p.lines("triples")) for p in parts),
    ]:
        target = out_dir / graph_file(slug)
        target.parent.mkdir(exist_ok=True)
        name = f" <{iri}> .\n".encode()
        _write_lines(target, (line[:-3] + name for line in lines))
        written.append(target)
    return written


def _turtle(G: Graph, *, prefixes_of: Graph | None = None) -> bytes:
    """Turtle of a small metadata graph, triples inserted in sorted order (rdflib writes a
    stable document from sorted input)."""
    out = Graph(bind_namespaces="core")
    for prefix, ns in sorted((prefixes_of or G).namespaces()):
        out.bind(prefix, ns, override=True, replace=True)
    for triple in sorted(G, key=lambda t: tuple(term.n3() for term in t)):
        out.add(triple)
    return out.serialize(format="turtle", encoding="utf-8")


def _staged(out_dir: Path,
            stage: Callable[[Path, Callable[[Path], Path]], list[Path]]) -> list[Path]:
    """Run `stage` on a staging folder inside `out_dir`; move its files into place only when
    every one succeeded, so a failure leaves the previous build whole; a file whose bytes did
    not change is not rewritten; files of `out_dir` not in OUTPUT_FILES are left alone,
    except graphs/*.nq of graphs this build no longer has.

    `stage(staging, place)` may `place` a finished file at once (it returns the file's path
    in `out_dir`): then a later failure leaves that file new beside the previous build's
    others, which only a caller that stages `out_dir` as a whole (welfare_kg.outdir) does."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out_dir))
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot write the exports here: {exc.strerror}") from exc

    def place(path: Path) -> Path:
        target = out_dir / path.relative_to(staging)
        target.parent.mkdir(exist_ok=True)
        _keep_or_replace(path, target)
        return target

    try:
        staged = stage(staging, place)
        for path in staged:
            if path.is_relative_to(staging):  # not placed already
                place(path)
        # graphs/ holds this build's named graphs only: drop a graph left by an earlier build
        kept = {out_dir / p.relative_to(staging) if p.is_relative_to(staging) else p
                for p in staged}
        for old in sorted((out_dir / GRAPHS_DIR).glob("*.nq")):
            if old not in kept:
                old.unlink()
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot write the exports here: {exc.strerror}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / name for name in OUTPUT_FILES]


def _base_and_meta(base_iri: str | None, metadata: dict[str, Any] | None,
                   public: dict[str, str | None] | None = None) -> tuple[str, dict[str, Any]]:
    meta = metadata if metadata is not None else load_metadata()
    if public:  # where this build is published: overrides of data/dataset.yaml
        meta = {**meta, **{key: value for key, value in public.items() if value}}
    if base_iri is None:
        use = metadata if metadata is not None and "base_iri" in metadata else None
        base_iri = default_base_iri(use)
    return check_base_iri(base_iri), meta


def export_dataset(
    ds: Dataset,
    out_dir: Path,
    *,
    base_iri: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> list[Path]:
    """Write every export of an in-memory `ds` into `out_dir` (see OUTPUT_FILES).

    `base_iri` is the one `ds` was built with (default: ``base_iri`` of the metadata).
    Goes through the same parts and writers as `build_outputs`.
    """
    base_iri, meta = _base_and_meta(base_iri, metadata)
    shared_iri = shared_graph_iri(base_iri)
    context = jsonld_context(base_iri)["@context"]

    def stage(staging: Path, place: Callable[[Path], Path]) -> list[Path]:
        work = staging / ".parts"
        work.mkdir()
        parts, shared = [], []
        named = [g for g in ds.graphs()
                 if isinstance(g.identifier, URIRef) and g.identifier != DATASET_DEFAULT_GRAPH_ID]
        for i, G in enumerate(sorted(named, key=lambda g: str(g.identifier))):
            if G.identifier == shared_iri:
                shared = nt_lines(OxTerms().triples(G))
                continue
            if len(G) == 0:
                continue
            target = work / f"{i:06d}.part"
            target.write_bytes(part_bytes(str(G.identifier), G, (), base_iri=base_iri,
                                          context=context))
            parts.append(Part.load(target))
        return write_exports(parts, shared, staging, base_iri=base_iri, meta=meta)

    return _staged(out_dir, stage)


def build_outputs(
    report_paths: Sequence[Path],
    out_dir: Path,
    *,
    base_iri: str | None = None,
    corrections: bool = True,
    extractions: Sequence[Extraction] | None = None,
    jobs: int | None = None,
    extraction_dir: Path | None = None,
    on_report: Callable[[Path, dict[str, Any]], None] | None = None,
    public_endpoint: str | None = None,
    download_url: str | None = None,
    on_graph: Callable[[Path, str], None] | None = None,
) -> list[Path]:
    """Extract each report, build the graph and write every export into `out_dir`, streaming.

    Report by report (cached by content, `jobs` processes in parallel; see
    `graph/rdf/parts.py`), then the exports merged from the reports' sorted parts: memory
    does not grow with the number of reports. `extractions`, when given (one per report,
    already extracted by the caller), are used instead of extracting. `extraction_dir`
    also receives each report's records (JSON, CSV, extraction report); `on_report(path,
    summary)` hears of each report in order. `base_iri` defaults to ``base_iri`` of
    data/dataset.yaml. `public_endpoint` and `download_url` say where the build is
    published (the catalogue's SPARQL endpoint and the base of its download URLs; default:
    ``sparql_endpoint`` and ``download_url`` of data/dataset.yaml). Returns the paths
    written, in OUTPUT_FILES order.

    `on_graph(path, key)`, when given, hears of the N-Quads (``welfare-kg.nq``, what a store
    loads) as soon as it is in place in `out_dir`, before the other exports are written, so
    the caller can load the store meanwhile; `key` is `exports_key` of this build. The
    N-Quads is then moved into `out_dir` before the rest: a caller giving `on_graph` stages
    `out_dir` as a whole (welfare_kg.outdir), so a later failure leaves no trace.
    """
    base_iri, meta = _base_and_meta(base_iri, None, {
        "sparql_endpoint": public_endpoint, "download_url": download_url})
    _check_out_dir(Path(out_dir))
    checksum_algorithm(meta["catalog"])  # bad catalogue settings fail before the slow work
    contact_point(meta["catalog"])
    # The parts live outside out_dir, so bad input found while extracting leaves no trace.
    early = _EarlyGraph(Path(out_dir), base_iri, meta, on_graph)
    with tempfile.TemporaryDirectory(prefix="welfare-kg-parts-") as work:
        parts = make_parts([Path(p) for p in report_paths], Path(work), base_iri=base_iri,
                           corrections=corrections, jobs=jobs, extraction_dir=extraction_dir,
                           extractions=extractions, on_report=on_report,
                           on_graph=early.graph_lines if on_graph is not None else None)
        shared: set[bytes] = set()
        for part in parts:
            shared.update(part.lines("shared"))

        def stage(staging: Path, place: Callable[[Path], Path]) -> list[Path]:
            return write_exports(parts, shared, staging, base_iri=base_iri, meta=meta,
                                 on_graph=lambda nq: early.placed(nq, place))

        return _staged(out_dir, stage)


class _EarlyGraph:
    """The N-Quads of a build, told to `build_outputs`'s `on_graph` once: as soon as a
    single report's graph is made (before the rest of its part, `make_parts`), written
    straight into `out_dir`; otherwise when `write_exports` has written it. The N-Quads
    `write_exports` writes later must then be the same bytes (else a bug: the caller would
    have loaded another graph)."""

    def __init__(self, out_dir: Path, base_iri: str, meta: dict[str, Any],
                 on_graph: Callable[[Path, str], None] | None) -> None:
        self.out_dir, self.base_iri, self.meta, self.on_graph = out_dir, base_iri, meta, on_graph
        self.told: Path | None = None

    def graph_lines(self, graph: str, triples: list[bytes], shared: list[bytes]) -> None:
        """One report's graph (`parts.GraphLines`): its N-Quads as `write_exports` will
        write it (graphs in IRI order, the shared one from the shared lines)."""
        shared_iri = str(shared_graph_iri(self.base_iri))
        graphs = sorted([(graph, triples), *([(shared_iri, shared)] if shared else [])],
                        key=lambda g: g[0])
        target = self.out_dir / "welfare-kg.nq"
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=".welfare-kg.nq.", dir=self.out_dir)
        except OSError as exc:
            raise InputError(f"{self.out_dir}: cannot write the exports here: "
                             f"{exc.strerror}") from exc
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb", buffering=_BUFFER) as fh:
                _write_graphs(fh, graphs)
            _keep_or_replace(tmp, target)
            self._tell(target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise InputError(f"{self.out_dir}: cannot write the exports here: "
                             f"{exc.strerror}") from exc

    def placed(self, staged: Path, place: Callable[[Path], Path]) -> Path:
        """`write_exports` has written the N-Quads at `staged`: `place` it (`_staged`) and
        tell, unless it was told early; the path it is at."""
        if self.told is not None and not filecmp.cmp(staged, self.told, shallow=False):
            raise RuntimeError(f"{staged}: the N-Quads told early differs from the build's")
        target = place(staged)
        if self.told is None:
            self._tell(target)
        return target

    def _tell(self, nq: Path) -> None:
        self.told = nq
        if self.on_graph is not None:
            self.on_graph(nq, exports_key(nq, self.base_iri, self.meta))


def exports_key(nquads: Path, base_iri: str, meta: dict[str, Any]) -> str:
    """A digest of what every export of a build is a pure function of, to key work done from
    the exports (the site) before they are all written: the build's N-Quads (every triple of
    every named graph: the parts, their summaries, the CSV rows and JSON-LD entries are all
    read from these triples), the base IRI, the metadata with this build's publication
    overrides (the catalogue's text, endpoint and download URLs), and, through the cache's
    code version, the code, the ontology files copied beside them, the data files and the
    installed libraries' versions (rdflib writes Turtle and JSON-LD). Two
    builds with the same key write the same bytes in every export file; a change to any
    export changes one of these inputs."""
    digest = hashlib.sha256()
    digest.update(json.dumps([base_iri, meta], sort_keys=True, ensure_ascii=False,
                             default=str).encode("utf-8") + b"\0")
    with nquads.open("rb") as fh:
        for block in iter(lambda: fh.read(_BUFFER), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_out_dir(out_dir: Path) -> None:
    """Fail before the slow work if `out_dir` cannot become a folder of exports."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: cannot write the exports here: not a folder")
    parent = out_dir
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{out_dir}: cannot write the exports here: {parent} is not a "
                         "writable folder")
