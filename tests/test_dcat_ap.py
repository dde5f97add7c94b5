"""The catalogue against the official DCAT-AP 3.0.1 SHACL shapes (tests/data/dcat-ap/).

Core (mandatory), range (classes of the objects) and deprecated terms: no violation.
Recommended: warnings only where a field does not apply, each listed in
`EXPECTED_WARNINGS` with the reason (also in the README). The catalogue is checked as
built by default (no public endpoint configured: no data service) and with a public
endpoint (the data service and the SPARQL distributions join). The controlled-vocabulary
shapes (mdr-vocabularies.shape.ttl) are not run: they need the EU authority tables loaded
beside the data, and their checksum-algorithm shape expects `https://spdx.org/...` IRIs
that SPDX itself does not use (tests/data/dcat-ap/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from welfare_kg.graph.rdf import build_outputs
from welfare_kg.paths import DEFAULT_REPORT

SHAPES = Path(__file__).parent / "data" / "dcat-ap"
SH = Namespace("http://www.w3.org/ns/shacl#")
DCAT = "http://www.w3.org/ns/dcat#"
ID = "https://w3id.org/welfare-kg/id/"
PLACE = "http://data.e-stat.go.jp/lod/sac/C14116"

# (focus node, property) -> why the recommended field does not apply.
EXPECTED_WARNINGS = {
    (f"{ID}dataset/reports", f"{DCAT}distribution"):
        "a dataset series is downloaded through its member datasets (one file per report)",
    (PLACE, f"{DCAT}bbox"):
        "the place is the standard area code's IRI; its geometry lives with that authority",
    (PLACE, f"{DCAT}centroid"):
        "the place is the standard area code's IRI; its geometry lives with that authority",
}
ENDPOINT_WARNINGS = {
    (f"{ID}service/sparql", f"{DCAT}endpointDescription"):
        "the service's operations are the SPARQL 1.1 Protocol named by dct:conformsTo; the "
        "Oxigraph server publishes no separate service description document",
}


def _build(tmp_path_factory: pytest.TempPathFactory, **public: str) -> Graph:
    out = tmp_path_factory.mktemp("out")
    build_outputs([DEFAULT_REPORT], out, **public)
    return Graph().parse(out / "catalog.ttl")


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    return _build(tmp_path_factory)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    return _build(tmp_path_factory, public_endpoint="https://sparql.example.org/query")


def _results(data: Graph, shapes: str) -> tuple[bool, set[tuple[str, str, str]], str]:
    conforms, report, text = validate(
        data, shacl_graph=Graph().parse(SHAPES / shapes), inference="none",
        allow_warnings=False)
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        found.add((severity, str(report.value(result, SH.focusNode)),
                   str(report.value(result, SH.resultPath))))
    return conforms, found, text


@pytest.mark.parametrize("shapes", ["shapes.ttl", "range.ttl", "deprecateduris.ttl"])
@pytest.mark.parametrize("which", ["catalogue", "served"])
def test_catalogue_conforms_to_dcat_ap_3(which: str, shapes: str,
                                         request: pytest.FixtureRequest) -> None:
    conforms, found, text = _results(request.getfixturevalue(which), shapes)
    assert conforms and not found, text


@pytest.mark.parametrize("which", ["catalogue", "served"])
def test_recommended_fields_are_there_unless_they_do_not_apply(
        which: str, request: pytest.FixtureRequest) -> None:
    _, found, text = _results(request.getfixturevalue(which), "shapes_recommended.ttl")
    expected = {**EXPECTED_WARNINGS, **(ENDPOINT_WARNINGS if which == "served" else {})}
    assert {sev for sev, _, _ in found} <= {"Warning"}, text
    assert {(focus, path) for _, focus, path in found} == set(expected), text


def test_core_shapes_catch_a_dataset_without_description(catalogue: Graph) -> None:
    """Negative control: the core shapes reach the catalogue's datasets."""
    broken = Graph()
    broken += catalogue
    broken.remove((None, DCTERMS.description, None))
    conforms, _, text = validate(
        broken, shacl_graph=Graph().parse(SHAPES / "shapes.ttl"), inference="none")
    assert not conforms and "dct:description" in text


def test_range_shapes_catch_an_untyped_media_type(catalogue: Graph) -> None:
    """Negative control: the range shapes see an object without its class."""
    broken = Graph()
    broken += catalogue
    broken.remove((None, RDF.type, DCTERMS.MediaType))
    conforms, found, _ = _results(broken, "range.ttl")
    assert not conforms and (
        "Violation", f"{ID}distribution/turtle", f"{DCAT}mediaType") in found


def test_recommended_shapes_catch_a_distribution_without_availability(
        catalogue: Graph) -> None:
    broken = Graph()
    broken += catalogue
    broken.remove((None, URIRef("http://data.europa.eu/r5r/availability"), None))
    _, found, _ = _results(broken, "shapes_recommended.ttl")
    assert ("Warning", f"{ID}distribution/turtle",
            "http://data.europa.eu/r5r/availability") in found


def test_a_loopback_endpoint_is_refused_on_the_command_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    from welfare_kg.cli import main

    assert main(["build", "--public-endpoint", "http://127.0.0.1:7878/query"]) == 2
    assert "loopback" in capsys.readouterr().err
