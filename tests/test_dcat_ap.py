"""The catalogue against the official DCAT-AP 3.0.1 SHACL shapes (tests/data/dcat-ap/).

Core (mandatory), range (classes of the objects) and deprecated terms: no violation.
Recommended: warnings only where a field does not apply, each listed in
`EXPECTED_WARNINGS` with the reason (also in the README). The catalogue is checked as
built by default (no public endpoint configured: no data service) and with a public
endpoint (the data service and the SPARQL distributions join). The controlled-vocabulary
shapes (mdr-vocabularies.shape.ttl) are not run: they need the EU authority tables loaded
beside the data, and their checksum-algorithm shape expects `https://spdx.org/...` IRIs
that SPDX itself does not use (tests/data/dcat-ap/README.md).

The same catalogue against the official DCAT-AP 2.1.1 shapes (tests/data/dcat-ap-2.1.1/):
only the one rule 3.0.1 contradicts (dcat:byteSize's datatype) is broken.
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


# --- DCAT-AP 2.1.1 (tests/data/dcat-ap-2.1.1/) -----------------------------------------------
SHAPES_2 = Path(__file__).parent / "data" / "dcat-ap-2.1.1"
SPDX = "http://spdx.org/rdf/terms#"


def _results_2(data: Graph, name: str) -> tuple[bool, set[tuple[str, str, str]], str]:
    return _results(data, str(SHAPES_2 / f"dcat-ap_2.1.1_shacl_{name}.ttl"))


@pytest.mark.parametrize("which", ["catalogue", "served"])
def test_dcat_ap_2_1_1_finds_only_the_byte_size_datatype(
        which: str, request: pytest.FixtureRequest) -> None:
    """DCAT-AP 2.1.1's core shapes: the one rule 3.0.1 contradicts is left, on every file
    with a size (2.1.1 `:Distribution_Shape` wants `dcat:byteSize` as xsd:decimal, 3.0.1's
    xsd:nonNegativeInteger, each at most once); the SHA-1 checksum both accept passes."""
    data = request.getfixturevalue(which)
    _, found, text = _results_2(data, "shapes")
    sized = {str(d) for d in data.subjects(URIRef(f"{DCAT}byteSize"), None)}
    assert sized and found == {("Violation", d, f"{DCAT}byteSize") for d in sized}, text


@pytest.mark.parametrize("name", ["range", "deprecateduris"])
@pytest.mark.parametrize("which", ["catalogue", "served"])
def test_dcat_ap_2_1_1_range_and_deprecated_terms_pass(
        which: str, name: str, request: pytest.FixtureRequest) -> None:
    conforms, found, text = _results_2(request.getfixturevalue(which), name)
    assert conforms and not found, text


@pytest.mark.parametrize("which", ["catalogue", "served"])
def test_dcat_ap_2_1_1_recommended_warnings_are_the_3_0_1_ones(
        which: str, request: pytest.FixtureRequest) -> None:
    _, found, text = _results_2(request.getfixturevalue(which), "shapes_recommended")
    expected = {**EXPECTED_WARNINGS, **(ENDPOINT_WARNINGS if which == "served" else {})}
    assert {(sev, focus, path) for sev, focus, path in found} == {
        ("Warning", focus, path) for focus, path in expected}, text


def test_dcat_ap_2_1_1_refuses_a_sha256_checksum(catalogue: Graph) -> None:
    """Negative control, and why the catalogue uses SHA-1 by default (`catalog.checksum`)."""
    checksum = URIRef(f"{ID}distribution/turtle/checksum")
    assert catalogue.value(checksum, URIRef(f"{SPDX}algorithm")) == URIRef(
        f"{SPDX}checksumAlgorithm_sha1")
    broken = Graph()
    broken += catalogue
    broken.set((checksum, URIRef(f"{SPDX}algorithm"), URIRef(f"{SPDX}checksumAlgorithm_sha256")))
    _, found, _ = _results_2(broken, "shapes")
    assert ("Violation", str(checksum), f"{SPDX}algorithm") in found
    conforms, _, text = _results(broken, "shapes.ttl")  # 3.0.1 accepts either
    assert conforms, text


def _with_catalog(monkeypatch: pytest.MonkeyPatch, **fields: object) -> None:
    """data/dataset.yaml's `catalog` with `fields` changed, for the builds that follow."""
    from welfare_kg.graph.rdf import exports
    from welfare_kg.graph.rdf.metadata import load_metadata

    meta = load_metadata()
    meta = {**meta, "catalog": {**meta["catalog"], **fields}}
    monkeypatch.setattr(exports, "load_metadata", lambda: meta)


def test_checksum_algorithm_is_configurable(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    from welfare_kg.errors import VocabularyError

    _with_catalog(monkeypatch, checksum="sha256")
    out = tmp_path / "out"
    build_outputs([DEFAULT_REPORT], out)
    C = Graph().parse(out / "catalog.ttl")
    checksum = URIRef(f"{ID}distribution/turtle/checksum")
    assert C.value(checksum, URIRef(f"{SPDX}algorithm")) == URIRef(
        f"{SPDX}checksumAlgorithm_sha256")
    assert str(C.value(checksum, URIRef(f"{SPDX}checksumValue"))) == hashlib.sha256(
        (out / "welfare-kg.ttl").read_bytes()).hexdigest()
    _with_catalog(monkeypatch, checksum="crc32")
    with pytest.raises(VocabularyError, match=r"catalog\.checksum 'crc32'"):
        build_outputs([DEFAULT_REPORT], tmp_path / "bad")
    assert not (tmp_path / "bad").exists()


# --- the contact point (catalog.contact of data/dataset.yaml) -------------------------------
VCARD = "http://www.w3.org/2006/vcard/ns#"


def _contact(C: Graph) -> dict[str, set[str]]:
    points = {o for _, o in C.subject_objects(URIRef(f"{DCAT}contactPoint"))}
    assert len(points) == 1
    point = next(iter(points))
    return {key: {str(o) for o in C.objects(point, URIRef(f"{VCARD}{key}"))}
            for key in ("fn", "hasEmail", "hasURL")}


def test_bundled_contact_publishes_no_mailbox(catalogue: Graph) -> None:
    """The project has no mailbox that is read: no e-mail is claimed, the page is."""
    from welfare_kg.graph.rdf.metadata import load_metadata

    contact = load_metadata()["catalog"]["contact"]
    assert not contact.get("email")
    assert _contact(catalogue) == {"fn": {contact["name"]}, "hasEmail": set(),
                                   "hasURL": {contact["url"]}}


def test_a_configured_contact_is_published(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _with_catalog(monkeypatch, contact={"name": "Open data desk", "email": "mailto:od@example.org",
                                        "url": "https://example.org/contact"})
    build_outputs([DEFAULT_REPORT], tmp_path / "out")
    C = Graph().parse(tmp_path / "out" / "catalog.ttl")
    assert _contact(C) == {"fn": {"Open data desk"}, "hasEmail": {"mailto:od@example.org"},
                           "hasURL": {"https://example.org/contact"}}
    for shapes in ("shapes.ttl", "range.ttl"):
        conforms, _, text = _results(C, shapes)
        assert conforms, text
    # without a page either: only the name and the mailbox
    _with_catalog(monkeypatch, contact={"name": "Open data desk", "email": "od@example.org"})
    build_outputs([DEFAULT_REPORT], tmp_path / "out2")
    assert _contact(Graph().parse(tmp_path / "out2" / "catalog.ttl")) == {
        "fn": {"Open data desk"}, "hasEmail": {"mailto:od@example.org"}, "hasURL": set()}


@pytest.mark.parametrize(("contact", "error"), [
    ({"name": "Desk", "email": "nobody"}, r"catalog\.contact\.email 'nobody' is not an e-mail"),
    ({"name": "Desk", "email": "a b@example.org"}, "is not an e-mail"),
    ({"name": "Desk", "url": "ftp://example.org/"}, r"catalog\.contact\.url .* not an http"),
    ({"email": "od@example.org"}, r"catalog\.contact\.name is missing"),
])
def test_a_bad_contact_fails_before_any_output(
        contact: dict[str, str], error: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from welfare_kg.errors import VocabularyError

    _with_catalog(monkeypatch, contact=contact)
    with pytest.raises(VocabularyError, match=error):
        build_outputs([DEFAULT_REPORT], tmp_path / "out")
    assert not (tmp_path / "out").exists()
