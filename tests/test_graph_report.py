"""The graph of the bundled report: counts agree with the records, exports agree, builds repeat."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import RDF, Graph, URIRef

from welfare_kg.datafiles import normalize
from welfare_kg.graph.rdf.build import build_dataset, union_graph
from welfare_kg.graph.rdf.exports import OUTPUT_FILES, build_outputs, export_dataset
from welfare_kg.graph.rdf.metadata import default_base_iri
from welfare_kg.graph.rdf.terms import WK
from welfare_kg.graph.rdf.validation import validate_graph
from welfare_kg.graph.report.bodies import load_bodies
from welfare_kg.graph.report.records import Extraction
from welfare_kg.paths import DEFAULT_REPORT

extract = pytest.importorskip("welfare_kg.graph.report.extract")
ID = default_base_iri()


@pytest.fixture(scope="module")
def extraction() -> Extraction:
    return extract.extract_report(DEFAULT_REPORT)


@pytest.fixture(scope="module")
def G(extraction: Extraction) -> Graph:
    return union_graph(build_dataset([extraction]))


def _count(G: Graph, cls: URIRef) -> int:
    return len(set(G.subjects(RDF.type, cls)))


def test_one_plan_row_per_record(G: Graph, extraction: Extraction) -> None:
    assert _count(G, WK.PlanRow) == len(extraction.rows)
    lines = {int(str(r).rsplit("/", 1)[-1]) for r in G.subjects(RDF.type, WK.PlanRow)}
    assert lines == {r.line for r in extraction.rows}


def test_bodies_per_row_match_the_records(G: Graph, extraction: Extraction) -> None:
    vocab = load_bodies()
    for row in extraction.rows:
        node = URIRef(f"{ID}report/izumi-fy2021/row/{row.line}")
        expected = {vocab.lookup(name).id for name in row.bodies}  # type: ignore[union-attr]
        got = {str(b).rsplit("/", 1)[-1] for b in G.objects(node, WK.implementedBy)}
        assert got == expected, row.line


def test_outline_counts_match_the_records(G: Graph, extraction: Extraction) -> None:
    initiatives = {(normalize(r.action_plan or ""), normalize(r.initiative))
                   for r in extraction.rows if r.initiative}
    assert _count(G, WK.Initiative) == len(initiatives)
    titles = {normalize(r.action_plan) for r in extraction.rows if r.action_plan}
    titles |= {normalize(ap.title) for p in extraction.pages for ap in p.action_plans}
    assert _count(G, WK.ActionPlan) == len(titles)
    assert _count(G, WK.Pillar) == len({r.pillar for r in extraction.rows if r.pillar})
    vocab = load_bodies()
    used = {vocab.lookup(n).id for r in extraction.rows for n in r.bodies}  # type: ignore[union-attr]
    assert {str(b).rsplit("/", 1)[-1] for b in G.objects(None, WK.implementedBy)} == used


def test_rows_link_to_their_source_lines(G: Graph, extraction: Extraction) -> None:
    for row in extraction.rows[:: max(1, len(extraction.rows) // 20)]:
        node = URIRef(f"{ID}report/izumi-fy2021/row/{row.line}")
        span = G.value(node, WK.sourceSpan)
        assert int(G.value(span, WK.startLine)) == row.line
        assert int(G.value(span, WK.endLine)) == max(row.end_line, row.line)
        assert int(G.value(span, WK.page)) == row.page


def test_shapes(G: Graph, extraction: Extraction) -> None:
    # With the curated corrections every row of the bundled report has a body, so the graph
    # must conform: a violation is a failure, never an expected one.
    assert [r.line for r in extraction.rows if not r.bodies] == []
    report = validate_graph(G)
    assert report.conforms, report.text()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("real-out")
    build_outputs([DEFAULT_REPORT], out_dir, base_iri=ID)
    return out_dir


def test_every_export_parses_in_pyoxigraph_with_the_same_count(out: Path, G: Graph) -> None:
    formats = {
        "welfare-kg.ttl": pyoxigraph.RdfFormat.TURTLE,
        "welfare-kg.nt": pyoxigraph.RdfFormat.N_TRIPLES,
        "welfare-kg.jsonld": pyoxigraph.RdfFormat.JSON_LD,
        "welfare-kg.trig": pyoxigraph.RdfFormat.TRIG,
        "welfare-kg.nq": pyoxigraph.RdfFormat.N_QUADS,
    }
    for name, fmt in formats.items():
        assert len(list(pyoxigraph.parse(path=str(out / name), format=fmt))) == len(G), name


def test_build_outputs_is_byte_identical(out: Path, tmp_path: Path) -> None:
    build_outputs([DEFAULT_REPORT], tmp_path, base_iri=ID)
    for name in OUTPUT_FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_two_reports_share_bodies(extraction: Extraction, tmp_path: Path) -> None:
    copy = tmp_path / "izumi-wakuwaku-fy2022-report.txt"
    shutil.copy(DEFAULT_REPORT, copy)
    second = extract.extract_report(copy)
    ds = build_dataset([extraction, second])
    graphs = sorted(str(g.identifier) for g in ds.graphs() if len(g))
    assert graphs == [f"{ID}graph/izumi-fy2021", f"{ID}graph/izumi-wakuwaku-fy2022-report",
                      f"{ID}graph/shared"]
    U = union_graph(ds)
    assert _count(U, WK.PlanRow) == 2 * len(extraction.rows)
    # bodies and the outline are shared entities, not duplicated per report
    assert _count(U, WK.Body) == _count(union_graph(build_dataset([extraction])), WK.Body)
    assert _count(U, WK.Initiative) == _count(
        union_graph(build_dataset([extraction])), WK.Initiative)
    files = export_dataset(ds, tmp_path / "out")
    assert {p.name for p in files} == set(OUTPUT_FILES)


def test_build_outputs_accepts_extractions_already_made(
    extraction: Extraction, out: Path, tmp_path: Path
) -> None:
    build_outputs([DEFAULT_REPORT], tmp_path, base_iri=ID, extractions=[extraction])
    assert (tmp_path / "welfare-kg.nq").read_bytes() == (out / "welfare-kg.nq").read_bytes()
