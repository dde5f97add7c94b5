"""Validate a graph against the SHACL shapes (ontology/shapes.ttl) with pySHACL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from welfare_kg.errors import InputError
from welfare_kg.paths import ONTOLOGY_DIR

from .build import SHARED_SLUG

__all__ = [
    "DEFAULT_SHAPES",
    "Finding",
    "ValidationReport",
    "load_rdf",
    "validate_files",
    "validate_graph",
]

DEFAULT_SHAPES = ONTOLOGY_DIR / "shapes.ttl"

SHARED_GRAPH_PATH = f"graph/{SHARED_SLUG}"  # the end of the shared graph's IRI, whatever the base
_FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".trig": "trig",
    ".nq": "nquads",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
}


@dataclass(frozen=True)
class Finding:
    """One SHACL validation result, in readable form."""

    severity: str
    focus: str
    path: str
    value: str
    message: str
    shape: str

    def __str__(self) -> str:
        where = f"{self.focus} {self.path}".strip()
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: {where}: {self.message}{value}"


@dataclass
class ValidationReport:
    """Whether a graph conforms, and why not."""

    conforms: bool
    findings: list[Finding] = field(default_factory=list)

    def text(self) -> str:
        """A readable report: a verdict line, then one line per finding, grouped by message."""
        if self.conforms:
            return "The graph conforms to the shapes."
        lines = [f"The graph does not conform: {len(self.findings)} finding(s)."]
        lines += [f"  {f}" for f in self.findings]
        return "\n".join(lines)


def _format(path: Path) -> str:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown RDF file extension (use one of {sorted(_FORMATS)})")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return fmt


def _named_graphs(paths: Sequence[Path]) -> list[tuple[str, Graph]]:
    """The graphs of TriG/N-Quads files, one Graph per graph name (merged across files)."""
    from rdflib import Dataset

    graphs: dict[str, Graph] = {}
    for path in paths:
        fmt = _format(path)
        ds = Dataset()
        try:
            ds.parse(path, format=fmt)
        except Exception as exc:  # rdflib raises many parser-specific types
            raise InputError(f"{path}: not valid {fmt}: {exc}") from exc
        for named in ds.graphs():
            if not len(named):
                continue
            G = graphs.setdefault(str(named.identifier), Graph())
            for prefix, ns in ds.namespaces():
                G.bind(prefix, ns, override=False)
            for triple in named.triples((None, None, None)):
                G.add(triple)
    return [(name, graphs[name]) for name in sorted(graphs)]


def load_rdf(paths: Sequence[Path]) -> Graph:
    """Parse RDF files (format from the extension) into one graph; datasets are merged."""
    G = Graph()
    for path in paths:
        fmt = _format(path)
        try:
            if fmt in ("trig", "nquads"):
                from rdflib import Dataset

                ds = Dataset()
                ds.parse(path, format=fmt)
                for s, p, o, _ in ds.quads((None, None, None, None)):
                    G.add((s, p, o))
            else:
                G.parse(path, format=fmt)
        except Exception as exc:  # rdflib raises many parser-specific types
            raise InputError(f"{path}: not valid {fmt}: {exc}") from exc
    return G


def _short(G: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        try:
            return G.namespace_manager.normalizeUri(node)
        except Exception:
            return f"<{node}>"
    return node.n3(G.namespace_manager)


def validate_graph(
    G: Graph, shapes: Sequence[Path] = (DEFAULT_SHAPES,)
) -> ValidationReport:
    """Run the SHACL shapes in `shapes` on `G` (no inference; the build materialises types).

    Returns a ValidationReport; it does not raise on violations.
    """
    import pyshacl  # heavy import, only when validating

    shapes_graph = Graph()
    for path in shapes:
        try:
            shapes_graph.parse(path, format="turtle")
        except FileNotFoundError as exc:
            raise InputError(f"{path}: shapes file not found") from exc
        except Exception as exc:  # a syntax error in a shapes file
            raise InputError(f"{path}: not valid Turtle: {exc}") from exc
    conforms, results, _ = pyshacl.validate(
        G, shacl_graph=shapes_graph, inference="none", advanced=True, allow_warnings=True
    )
    for prefix, ns in G.namespaces():
        results.bind(prefix, ns, override=False)
    findings = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        findings.append(
            Finding(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=_short(G, results.value(result, SH.focusNode)),
                path=_short(G, results.value(result, SH.resultPath)),
                value=_short(G, results.value(result, SH.value)),
                message=str(results.value(result, SH.resultMessage) or ""),
                shape=_short(G, results.value(result, SH.sourceShape)),
            )
        )
    findings.sort(key=lambda f: (f.message, f.focus, f.path, f.value))
    violations = [f for f in findings if f.severity == "Violation"]
    return ValidationReport(conforms=bool(conforms) and not violations, findings=findings)


def validate_files(
    paths: Sequence[Path], shapes: Sequence[Path] = (DEFAULT_SHAPES,)
) -> ValidationReport:
    """Validate RDF files: TriG/N-Quads report by report, anything else merged into one graph.

    Each report's named graph is validated together with the shared graph
    (``…/graph/shared``: the bodies, outline and concepts its rows point to), which checks the
    same constraints as the whole union (a report graph leans only on the shared one) and
    keeps the time linear in the number of reports: rdflib's SPARQL, which pySHACL uses for
    the SPARQL-based shapes, slows down faster than the graph grows.
    """
    if paths and all(_format(p) in ("trig", "nquads") for p in paths):
        named = _named_graphs(paths)
        shared = [G for name, G in named if name.endswith(SHARED_GRAPH_PATH)]
        reports = [G for name, G in named if not name.endswith(SHARED_GRAPH_PATH)]
        base = shared[0] if shared else Graph()
        graphs = [_with(G, base) for G in reports] or [base]
    else:
        graphs = [load_rdf(paths)]
    findings: set[Finding] = set()
    conforms = True
    for G in graphs:
        report = validate_graph(G, shapes)
        conforms = conforms and report.conforms
        findings.update(report.findings)
    ordered = sorted(findings, key=lambda f: (f.message, f.focus, f.path, f.value))
    return ValidationReport(conforms=conforms, findings=ordered)


def _with(G: Graph, shared: Graph) -> Graph:
    """`G` plus the triples of `shared` (a new graph; neither is changed)."""
    out = Graph()
    for prefix, ns in G.namespaces():
        out.bind(prefix, ns, override=False)
    for triple in G:
        out.add(triple)
    for triple in shared:
        out.add(triple)
    return out
