"""The ontology: parses, labels and defines every term in both languages, matches WK."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

from welfare_kg.graph.rdf.terms import ONTOLOGY_IRI, WK, WK_NAMESPACE
from welfare_kg.paths import ONTOLOGY_DIR


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "welfare.ttl")


def _terms(G: Graph) -> set[URIRef]:
    return {s for s in G.subjects() if isinstance(s, URIRef) and str(s).startswith(WK_NAMESPACE)}


def test_namespace_lists_exactly_the_turtle_terms(ontology: Graph) -> None:
    in_turtle = {str(t)[len(WK_NAMESPACE):] for t in _terms(ontology)}
    in_python = {name for name in WK.__annotations__ if not name.startswith("_")}
    assert in_turtle - in_python == set(), "terms missing from graph/rdf/terms.py"
    assert in_python - in_turtle == set(), "terms in graph/rdf/terms.py not in the ontology"


def test_misspelt_term_raises() -> None:
    with pytest.raises(AttributeError):
        WK.PlanRwo  # noqa: B018


def test_every_term_has_labels_and_definitions_in_japanese_and_english(ontology: Graph) -> None:
    for term in sorted(_terms(ontology) | {ONTOLOGY_IRI}):
        labels = {lit.language for lit in ontology.objects(term, RDFS.label)}
        definitions = {lit.language for lit in ontology.objects(term, SKOS.definition)}
        assert labels == {"ja", "en"}, term
        assert definitions == {"ja", "en"}, term


def test_ontology_has_version_and_license(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert ontology.value(ONTOLOGY_IRI, URIRef("http://purl.org/dc/terms/license")) is not None


def test_every_term_is_declared(ontology: Graph) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme}
    for term in _terms(ontology):
        assert set(ontology.objects(term, RDF.type)) & kinds, term


def test_outline_classes_are_skos_concepts(ontology: Graph) -> None:
    for cls in (WK.Pillar, WK.ActionPlan, WK.Initiative, WK.Status, WK.Role):
        assert (cls, RDFS.subClassOf, SKOS.Concept) in ontology


def test_reuses_imi_core_vocabulary(ontology: Graph) -> None:
    ic = "http://imi.go.jp/ns/core/rdf#"
    assert (WK.Body, RDFS.subClassOf, URIRef(ic + "組織型")) in ontology
    assert (WK.PlanRow, RDFS.subClassOf, URIRef(ic + "活動型")) in ontology
    assert (WK.Participation, RDFS.subClassOf, URIRef(ic + "関与型")) in ontology


def test_controlled_lists_have_notations(ontology: Graph) -> None:
    in_scheme = ontology.subjects(SKOS.inScheme, WK.StatusScheme)
    statuses = {str(ontology.value(c, SKOS.notation)) for c in in_scheme}
    assert statuses == {"implemented", "partial", "cancelled", "postponed", "ongoing"}
    for body_type in ontology.subjects(SKOS.inScheme, WK.BodyTypeScheme):
        assert (body_type, RDF.type, OWL.Class) in ontology
        assert ontology.value(body_type, SKOS.notation) is not None


def test_every_term_is_defined_by_the_ontology(ontology: Graph) -> None:
    for term in _terms(ontology):
        assert ontology.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI, term


DCTERMS = "http://purl.org/dc/terms/"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
# The datatypes of OWL 2's datatype map this ontology may use as ranges (OWL 2 Structural
# Specification, section 4); xsd:gYear or rdf:langString make HermiT or Pellet refuse it.
OWL2_RANGES = {URIRef(XSD_NS + t) for t in ("integer", "decimal", "string", "boolean",
                                            "dateTime", "anyURI", "nonNegativeInteger")}
OWL2_RANGES.add(RDF.PlainLiteral)


def test_every_term_has_comments_in_japanese_and_english(ontology: Graph) -> None:
    # Protégé and documentation generators show rdfs:comment, not skos:definition.
    for term in sorted(_terms(ontology) | {ONTOLOGY_IRI}):
        comments = {lit.language for lit in ontology.objects(term, RDFS.comment)}
        assert comments == {"ja", "en"}, term


def test_ontology_metadata_names_creator_dates_and_licence(ontology: Graph) -> None:
    creator = ontology.value(ONTOLOGY_IRI, URIRef(DCTERMS + "creator"))
    assert isinstance(creator, URIRef), "dcterms:creator is a resource, not a literal"
    for name in ("created", "modified"):
        date = ontology.value(ONTOLOGY_IRI, URIRef(DCTERMS + name))
        assert date is not None and date.datatype == URIRef(XSD_NS + "date"), name
    assert str(ontology.value(ONTOLOGY_IRI, OWL.versionIRI)).endswith(
        "/" + str(ontology.value(ONTOLOGY_IRI, OWL.versionInfo)))


def test_ontology_licence_is_the_catalogue_licence(ontology: Graph) -> None:
    from welfare_kg.graph.rdf import load_metadata

    licence = ontology.value(ONTOLOGY_IRI, URIRef(DCTERMS + "license"))
    assert str(licence) == load_metadata()["catalog"]["license"]["iri"]


def test_every_property_has_a_domain_and_an_owl2_range(ontology: Graph) -> None:
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in ontology.subjects(RDF.type, kind):
            if not str(prop).startswith(WK_NAMESPACE):
                continue
            assert ontology.value(prop, RDFS.domain) is not None, prop
            assert ontology.value(prop, RDFS.range) is not None, prop
    for prop in ontology.subjects(RDF.type, OWL.DatatypeProperty):
        if str(prop).startswith(WK_NAMESPACE):
            assert ontology.value(prop, RDFS.range) in OWL2_RANGES, prop


def test_body_type_specialises_org_classification(ontology: Graph) -> None:
    org = "http://www.w3.org/ns/org#"
    assert (WK.bodyType, RDFS.subPropertyOf, URIRef(org + "classification")) in ontology


def test_disjoint_classes_cover_the_main_kinds_of_thing(ontology: Graph) -> None:
    groups = [set(ontology.items(ontology.value(node, OWL.members)))
              for node in ontology.subjects(RDF.type, OWL.AllDisjointClasses)]
    assert {WK.PlanRow, WK.Report, WK.SourceSpan, WK.Participation, WK.Body, WK.Partner} <= (
        max(groups, key=len))
    assert {WK.WardOfficeDivision, WK.CommunityCarePlaza, WK.SocialWelfareCouncil,
            WK.PartnerOrganization} in groups


def test_every_reused_term_is_declared(ontology: Graph) -> None:
    """OWL 2 DL needs each entity declared; the ontology imports nothing, so it declares
    the ORG, SKOS, PROV, DCTERMS, schema.org and IMI terms it uses."""
    builtin = (str(RDF), str(RDFS), str(OWL), XSD_NS)
    declared = set()
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        declared |= set(ontology.subjects(RDF.type, kind))
    used = {p for p in ontology.predicates()} | {
        o for p, o in ontology.predicate_objects()
        if p in (RDF.type, RDFS.subClassOf, RDFS.domain, RDFS.range, RDFS.subPropertyOf)
        and isinstance(o, URIRef)}
    undeclared = {t for t in used if not str(t).startswith(builtin)} - declared
    assert undeclared == set()
