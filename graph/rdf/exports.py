"""Write the open-data exports: RDF in five syntaxes, DCAT/VoID metadata and CSV tables.

Every file is byte-identical for the same input: triples are sorted before serialising,
N-Triples/N-Quads are sorted line by line, JSON-LD is written here from sorted triples, and
there are no blank nodes and no timestamps.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, SKOS, XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import ORG, PROV
from rdflib.term import Node

from welfare_kg.errors import InputError
from welfare_kg.fileio import write_bytes
from welfare_kg.paths import ONTOLOGY_DIR

from ..report import Extraction
from .build import (
    build_dataset,
    check_base_iri,
    load_ontology,
    union_graph,
)
from .catalog import catalog_graph, void_graph
from .metadata import default_base_iri, load_metadata
from .terms import SCHEMA, WK

__all__ = [
    "OUTPUT_FILES",
    "bodies_csv",
    "build_outputs",
    "export_dataset",
    "jsonld_context",
    "rows_csv",
    "to_jsonld",
    "to_nquads",
    "to_ntriples",
    "to_trig",
    "to_turtle",
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


def _key(triple: tuple[Node, ...]) -> tuple[str, ...]:
    return tuple(term.n3() for term in triple)


def _sorted_graph(G: Graph) -> Graph:
    """A copy of `G` whose triples were inserted in sorted order (stable serialiser input)."""
    out = Graph(bind_namespaces="core")
    for prefix, ns in sorted(G.namespaces()):
        out.bind(prefix, ns, override=True, replace=True)
    for triple in sorted(G, key=_key):
        out.add(triple)
    return out


class _OxTerms:
    """Converts rdflib terms to pyoxigraph terms, each distinct term once."""

    def __init__(self) -> None:
        self._cache: dict[Node, Any] = {}

    def __call__(self, term: Node) -> Any:
        ox_term = self._cache.get(term)
        if ox_term is None:
            ox_term = self._cache[term] = _ox_term(term)
        return ox_term


def _ox_term(term: Node) -> Any:
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


def _ox_triples(G: Graph, conv: _OxTerms | None = None) -> list[Any]:
    conv = conv or _OxTerms()
    triples = (ox.Triple(conv(s), conv(p), conv(o)) for s, p, o in G.triples((None, None, None)))
    return sorted(triples, key=str)


def _ox_quads(ds: Dataset, conv: _OxTerms | None = None) -> list[Any]:
    conv = conv or _OxTerms()
    quads = []
    for G in ds.graphs():
        named = isinstance(G.identifier, URIRef) and G.identifier != DATASET_DEFAULT_GRAPH_ID
        if not named:
            continue
        name = ox.NamedNode(str(G.identifier))
        quads += [ox.Quad(conv(s), conv(p), conv(o), name)
                  for s, p, o in G.triples((None, None, None))]
    return sorted(quads, key=lambda q: (str(q.graph_name), str(q)))


def _prefixes(G: Graph | Dataset) -> dict[str, str]:
    """Prefixes for pyoxigraph, without those under which local names would need escapes.

    A prefix for the base IRI would give names like ``wkid:report\\/x\\/row\\/3``: legal
    Turtle, but unreadable and a trap for older parsers; such IRIs are written in full.
    """
    return {prefix: str(ns) for prefix, ns in sorted(G.namespaces())
            if prefix and prefix not in ("wkid", "xml")}


# pyoxigraph serialises ~50x faster than rdflib's Turtle writer and writes its input order,
# so sorted input gives byte-identical files.
def _sort_prefix_lines(data: bytes) -> bytes:
    """Put the leading @prefix lines in alphabetical order (pyoxigraph keeps a map order)."""
    lines = data.split(b"\n")
    n = 0
    while n < len(lines) and lines[n].startswith(b"@prefix "):
        n += 1
    return b"\n".join(sorted(lines[:n]) + lines[n:])


def to_turtle(G: Graph, *, _triples: list[Any] | None = None) -> bytes:
    """Turtle, subjects sorted, with the graph's prefixes."""
    triples = _triples if _triples is not None else _ox_triples(G)
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_prefixes(G))
    return _sort_prefix_lines(data)


def to_ntriples(G: Graph, *, _triples: list[Any] | None = None) -> bytes:
    """N-Triples, one triple a line, sorted."""
    triples = _triples if _triples is not None else _ox_triples(G)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def to_nquads(ds: Dataset, *, _quads: list[Any] | None = None) -> bytes:
    """N-Quads of the named graphs (the empty default graph is left out), sorted."""
    quads = _quads if _quads is not None else _ox_quads(ds)
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def to_trig(ds: Dataset, *, _quads: list[Any] | None = None) -> bytes:
    """TriG: one block per named graph, graphs and triples sorted."""
    quads = _quads if _quads is not None else _ox_quads(ds)
    data = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_prefixes(ds))
    return _sort_prefix_lines(data)


def jsonld_context(G: Graph) -> dict[str, Any]:
    """The JSON-LD context published with the data: the graph's prefixes, sorted."""
    return {
        "@context": {
            prefix: str(ns) for prefix, ns in sorted(G.namespaces()) if prefix and str(ns)
        }
    }


def _compact(iri: str, prefixes: list[tuple[str, str]]) -> str:
    for prefix, ns in prefixes:  # longest namespace first
        if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def to_jsonld(G: Graph, context: dict[str, Any]) -> bytes:
    """Flattened JSON-LD: one node object per subject, sorted, with the context inline.

    The context is inlined (and also published as ``context.jsonld``) so that parsers need
    no network access. Subjects, properties and values are sorted, so the bytes do not
    depend on the graph's iteration order.
    """
    prefixes = sorted(context["@context"].items(), key=lambda kv: -len(kv[1]))
    compacted: dict[str, str] = {}

    def compact(iri: str) -> str:
        if iri not in compacted:
            compacted[iri] = _compact(iri, prefixes)
        return compacted[iri]

    nodes: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in G.triples((None, None, None)):
        subject = compact(str(s))
        if p == RDF.type and isinstance(o, URIRef):
            nodes[subject]["@type"].append(compact(str(o)))
            continue
        if isinstance(o, URIRef):
            value: Any = {"@id": compact(str(o))}
        elif isinstance(o, Literal) and o.language:
            value = {"@value": str(o), "@language": o.language}
        elif isinstance(o, Literal) and o.datatype and o.datatype != XSD.string:
            value = {"@value": str(o), "@type": compact(str(o.datatype))}
        else:
            value = {"@value": str(o)}
        nodes[subject][compact(str(p))].append(value)
    graph = []
    for subject in sorted(nodes):
        node: dict[str, Any] = {"@id": subject}
        for key in sorted(nodes[subject], key=lambda k: (k != "@type", k)):
            values = nodes[subject][key]
            if key == "@type":
                node[key] = sorted(values)
            else:
                node[key] = sorted(values, key=lambda v: tuple(sorted(v.items())))
        graph.append(node)
    doc = {"@context": context["@context"], "@graph": graph}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _label(G: Graph, node: Node | None, lang: str = "ja") -> str:
    if node is None:
        return ""
    for label in sorted(G.objects(node, RDFS.label)):
        if getattr(label, "language", None) == lang:
            return str(label)
    return ""


def _local(iri: Node | None) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] if iri else ""


def rows_csv(ds: Dataset, base_iri: str, *, union: Graph | None = None) -> bytes:
    """One line per plan row, for spreadsheet users (report, then source line order).

    `union` is the union of the named graphs of `ds`, when the caller has it already.
    """
    header = [
        "report", "row", "page", "line", "end_line", "fiscal_year", "pillar",
        "action_plan_number", "action_plan", "initiative", "items", "result", "status",
        "bodies", "body_ids", "partners", "quantities", "confidence",
    ]
    ontology = load_ontology()
    out = []
    G = union if union is not None else union_graph(ds)
    # One pass over the union: row IRIs are unique across reports.
    for row in G.subjects(RDF.type, WK.PlanRow):
        report = G.value(row, PROV.hadPrimarySource)
        report_slug = str(report).removeprefix(f"{base_iri}report/")
        span = G.value(row, WK.sourceSpan)
        ap = G.value(row, WK.actionPlan)
        pillar = G.value(row, WK.pillar)
        bodies = sorted(
            (str(G.value(p, WK.participant)) for p in G.objects(row, WK.participation)
             if G.value(p, WK.role) == WK.ImplementingBodyRole),
        )
        partners = sorted(_label(G, o) for o in G.objects(row, WK.namesPartner))
        quantities = []
        for q in sorted(G.objects(row, WK.quantity), key=lambda n: int(_local(n))):
            value = str(G.value(q, SCHEMA.value)).removesuffix(".0")
            text = f"{value}{G.value(q, SCHEMA.unitText)}"
            counted = G.value(q, WK.counted)
            quantities.append(f"{text}({counted})" if counted else text)
        out.append([
            report_slug,
            str(row),
            G.value(span, WK.page) if span else "",
            G.value(span, WK.startLine) if span else "",
            G.value(span, WK.endLine) if span else "",
            G.value(row, WK.fiscalYear) or "",
            G.value(pillar, WK.number) if pillar else "",
            G.value(ap, WK.number) if ap else "",
            _label(G, ap),
            _label(G, G.value(row, WK.initiative)),
            G.value(row, WK.planText) or "",
            G.value(row, WK.resultText) or "",
            ontology.value(G.value(row, WK.status), SKOS.notation) or "",
            "|".join(_label(G, URIRef(b)) for b in bodies),
            "|".join(_local(b) for b in bodies),
            "|".join(partners),
            "|".join(quantities),
            G.value(row, WK.confidence) or "",
        ])
    out.sort(key=lambda r: (r[0], int(r[3] or 0), r[1]))
    return _csv_bytes(header, [[str(v) for v in r] for r in out])


def bodies_csv(ds: Dataset, *, union: Graph | None = None) -> bytes:
    """One line per implementing body, with how many rows and reports it implements."""
    U = union if union is not None else union_graph(ds)
    header = ["id", "iri", "name_ja", "name_en", "type", "kind", "parent", "parent_name_ja",
              "rows", "reports"]
    out = []
    for body in set(U.subjects(RDF.type, WK.Body)):
        rows = set(U.subjects(WK.implementedBy, body))
        reports = {U.value(r, PROV.hadPrimarySource) for r in rows}
        parent = U.value(body, ORG.subOrganizationOf)
        out.append([
            _local(body), str(body), _label(U, body, "ja"), _label(U, body, "en"),
            _local(U.value(body, WK.bodyType)), U.value(body, WK.kind) or "",
            _local(parent), _label(U, parent, "ja"), len(rows), len(reports),
        ])
    out.sort(key=lambda r: str(r[0]))
    return _csv_bytes(header, [[str(v) for v in r] for r in out])


def export_dataset(
    ds: Dataset,
    out_dir: Path,
    *,
    base_iri: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> list[Path]:
    """Write every export of `ds` into `out_dir` (see OUTPUT_FILES); return the paths written.

    `base_iri` is the one `ds` was built with (default: ``base_iri`` of the metadata).
    All files are first written into a staging folder inside `out_dir` and moved into place
    only when every one succeeded, so a failure leaves the previous build whole; files of
    `out_dir` not in OUTPUT_FILES are left alone.
    """
    meta = metadata if metadata is not None else load_metadata()
    if base_iri is None:
        base_iri = default_base_iri(meta) if "base_iri" in meta else default_base_iri()
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out_dir))
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot write the exports here: {exc.strerror}") from exc
    try:
        staged = _stage(ds, staging, base_iri=base_iri, meta=meta)
        for path in staged:
            path.replace(out_dir / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / name for name in OUTPUT_FILES]


def _stage(ds: Dataset, out_dir: Path, *, base_iri: str, meta: dict[str, Any]) -> list[Path]:
    """Write every export into the (staging) folder `out_dir`, the catalogue last."""
    U = union_graph(ds, store="SimpleMemory")
    context = jsonld_context(U)
    conv = _OxTerms()  # each term converted once, shared by the four serialisations
    triples, quads = _ox_triples(U, conv), _ox_quads(ds, conv)
    contents: dict[str, bytes] = {
        "welfare-kg.ttl": to_turtle(U, _triples=triples),
        "welfare-kg.nt": to_ntriples(U, _triples=triples),
        "welfare-kg.jsonld": to_jsonld(U, context),
        "context.jsonld": (json.dumps(context, ensure_ascii=False, indent=1) + "\n").encode(),
        "welfare-kg.trig": to_trig(ds, _quads=quads),
        "welfare-kg.nq": to_nquads(ds, _quads=quads),
        "rows.csv": rows_csv(ds, base_iri, union=U),
        "bodies.csv": bodies_csv(ds, union=U),
        "ontology.ttl": (ONTOLOGY_DIR / "welfare.ttl").read_bytes(),
        "shapes.ttl": (ONTOLOGY_DIR / "shapes.ttl").read_bytes(),
    }
    written: dict[str, Path] = {}
    for name, data in contents.items():
        write_bytes(out_dir / name, data)
        written[name] = out_dir / name
    V = _sorted_graph(void_graph(ds, base_iri=base_iri, meta=meta, union=U))
    write_bytes(out_dir / "void.ttl", V.serialize(format="turtle", encoding="utf-8"))
    written["void.ttl"] = out_dir / "void.ttl"
    C = catalog_graph(ds, base_iri=base_iri, meta=meta, files=written)
    catalog = _sorted_graph(C + V)
    for prefix, ns in C.namespaces():
        catalog.bind(prefix, ns, override=True, replace=True)
    write_bytes(out_dir / "catalog.ttl", catalog.serialize(format="turtle", encoding="utf-8"))
    written["catalog.ttl"] = out_dir / "catalog.ttl"
    return [written[name] for name in OUTPUT_FILES]


def build_outputs(
    report_paths: Sequence[Path],
    out_dir: Path,
    *,
    base_iri: str | None = None,
    corrections: bool = True,
    extractions: Sequence[Extraction] | None = None,
) -> list[Path]:
    """Extract each report, build the dataset and write every export into `out_dir`.

    `extractions`, when given (one per report, already extracted by the caller), are used
    instead of extracting again. `base_iri` defaults to ``base_iri`` of data/dataset.yaml.
    Returns the paths written, in OUTPUT_FILES order.
    """
    base_iri = check_base_iri(base_iri or default_base_iri())  # before the slow extraction
    if extractions is None:
        from ..report import extract_report

        extractions = [extract_report(Path(p), corrections=corrections) for p in report_paths]
    ds = build_dataset(list(extractions), base_iri=base_iri)
    return export_dataset(ds, out_dir, base_iri=base_iri)
