"""The ontology with the graph it describes, through two OWL 2 DL reasoners and the OWL API.

HermiT and Pellet (both bundled by owlready2, run on the Debian Java runtime that
scripts/system-packages.txt lists for CI) must find ontology + bundled graph consistent with
no unsatisfiable class, and the OWL API's OWL 2 DL profile checker must find no violation
(undeclared entities, datatypes outside the OWL 2 datatype map, illegal punning …). A
negative control shows each check can fail. Skipped only when no `java` is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import owlready2
import pytest
from rdflib import OWL, RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef

from welfare_kg.graph.rdf import build_dataset, load_ontology, union_graph
from welfare_kg.graph.rdf.terms import WK
from welfare_kg.graph.report import extract_report
from welfare_kg.paths import DEFAULT_REPORT

pytestmark = pytest.mark.integration

JAVA = shutil.which("java")
if JAVA is None:
    pytest.skip(
        "no java on PATH (Debian package default-jre-headless, listed in "
        "scripts/system-packages.txt for CI)",
        allow_module_level=True,
    )

PROFILE_CHECK = Path(__file__).with_name("OwlProfileCheck.java")
HERMIT_JAR = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
MINI = Path(__file__).parents[1] / "data" / "mini-graph.trig"
JAVA_SECONDS = 300

# The OWL 2 datatype map (OWL 2 Structural Specification, section 4), the types used here.
OWL2_DATATYPES = {
    RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal, OWL.real, OWL.rational, XSD.decimal,
    XSD.integer, XSD.nonNegativeInteger, XSD.nonPositiveInteger, XSD.positiveInteger,
    XSD.negativeInteger, XSD.long, XSD.int, XSD.short, XSD.byte, XSD.unsignedLong,
    XSD.unsignedInt, XSD.unsignedShort, XSD.unsignedByte, XSD.double, XSD.float, XSD.string,
    XSD.normalizedString, XSD.token, XSD.language, XSD.Name, XSD.NCName, XSD.NMTOKEN,
    XSD.boolean, XSD.hexBinary, XSD.base64Binary, XSD.anyURI, XSD.dateTime,
    XSD.dateTimeStamp,
}


def _ontology() -> Graph:
    """A copy of the ontology graph (load_ontology() is cached and must not change)."""
    G = Graph()
    G += load_ontology()
    return G


@pytest.fixture(scope="module")
def bundled() -> Graph:
    """Ontology + the graph of the bundled report, built through the library API."""
    G = _ontology()
    G += union_graph(build_dataset([extract_report(DEFAULT_REPORT)]))
    return G


@pytest.fixture(scope="module")
def mini() -> Graph:
    """Ontology + the hand-made graph the SPARQL tests use (tests/data/mini-graph.trig)."""
    G = _ontology()
    data = Dataset()
    data.parse(MINI, format="trig")
    for s, p, o, _ in data.quads((None, None, None, None)):
        G.add((s, p, o))
    return G


def _reason(G: Graph, tmp_path: Path, run: Callable[..., None]) -> list[str]:
    """Run one reasoner on `G`; return the unsatisfiable classes (raises when inconsistent)."""
    owlready2.JAVA_EXE = JAVA
    path = tmp_path / "ontology-and-data.nt"
    G.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    run(world)
    return sorted(str(c.iri) for c in world.inconsistent_classes() if c is not owlready2.Nothing)


def _hermit(world) -> None:
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)


def _pellet(world) -> None:
    owlready2.sync_reasoner_pellet(
        world, infer_property_values=False, infer_data_property_values=False, debug=0)


REASONERS = [pytest.param(_hermit, id="HermiT"), pytest.param(_pellet, id="Pellet")]


@pytest.mark.parametrize("run", REASONERS)
def test_ontology_and_bundled_graph_are_consistent(bundled: Graph, tmp_path: Path, run) -> None:
    assert _reason(bundled, tmp_path, run) == []


@pytest.mark.parametrize("run", REASONERS)
def test_ontology_and_mini_graph_are_consistent(mini: Graph, tmp_path: Path, run) -> None:
    assert _reason(mini, tmp_path, run) == []


@pytest.mark.parametrize("run", REASONERS)
def test_reasoner_finds_a_row_that_is_also_a_report(tmp_path: Path, run) -> None:
    """Negative control: the disjointness axioms reach the reasoner."""
    G = _ontology()
    thing = URIRef("https://example.org/row-and-report")
    G.add((thing, RDF.type, WK.PlanRow))
    G.add((thing, RDF.type, WK.Report))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(G, tmp_path, run)


@pytest.mark.parametrize("run", REASONERS)
def test_reasoner_reports_an_unsatisfiable_class(tmp_path: Path, run) -> None:
    """Negative control: an unsatisfiable class is listed, not hidden."""
    G = _ontology()
    odd = URIRef("https://example.org/DivisionThatIsAPlaza")
    G.add((odd, RDF.type, OWL.Class))
    G.add((odd, RDFS.subClassOf, WK.WardOfficeDivision))
    G.add((odd, RDFS.subClassOf, WK.CommunityCarePlaza))
    assert _reason(G, tmp_path, run) == [str(odd)]


def _profile_violations(G: Graph, tmp_path: Path) -> list[str]:
    path = tmp_path / "ontology-and-data.ttl"
    G.serialize(path, format="turtle", encoding="utf-8")
    done = subprocess.run(
        [JAVA, "-cp", str(HERMIT_JAR), str(PROFILE_CHECK), str(path)],
        capture_output=True, text=True, timeout=JAVA_SECONDS, check=False,
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and lines and lines[-1].startswith("IN_PROFILE\t"), (
        done.stdout[-2000:] + done.stderr[-2000:])
    violations = [line for line in lines if line.startswith("VIOLATION\t")]
    assert (lines[-1] == "IN_PROFILE\ttrue") == (not violations)
    return violations


def test_ontology_alone_is_owl2_dl(tmp_path: Path) -> None:
    assert _profile_violations(_ontology(), tmp_path) == []


def test_ontology_and_bundled_graph_are_owl2_dl(bundled: Graph, tmp_path: Path) -> None:
    assert _profile_violations(bundled, tmp_path) == []


def test_profile_check_finds_an_undeclared_property(tmp_path: Path) -> None:
    """Negative control: a property the ontology does not declare breaks OWL 2 DL."""
    G = _ontology()
    G.add((WK.PlanRow, RDFS.subClassOf, URIRef("https://example.org/Undeclared")))
    violations = _profile_violations(G, tmp_path)
    assert any("UseOfUndeclaredClass" in v for v in violations), violations


def test_hermit_refuses_a_datatype_outside_owl2(tmp_path: Path) -> None:
    """Negative control: the xsd:gYear range of ontology 1.0.0, which HermiT refused."""
    G = _ontology()
    G.remove((WK.fiscalYear, RDFS.range, None))
    G.add((WK.fiscalYear, RDFS.range, XSD.gYear))
    with pytest.raises(owlready2.OwlReadyJavaError, match="gYear"):
        _reason(G, tmp_path, _hermit)


def test_graph_uses_only_owl2_datatypes(bundled: Graph) -> None:
    """Literals of the graph are of the OWL 2 datatype map, or objects of annotations."""
    annotations = set(bundled.subjects(RDF.type, OWL.AnnotationProperty)) | {
        RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo}
    used = {
        o.datatype for _, p, o in bundled
        if isinstance(o, Literal) and o.datatype and p not in annotations
    }
    assert used - OWL2_DATATYPES == set()
