"""Graph build: IRIs, types, participations, provenance, several reports, bad input."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
from graph_fixtures import AP1, INI1, PILLARS, second_year, three_rows, vocabulary
from rdflib import RDF, RDFS, SKOS, Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import ORG, PROV

from welfare_kg.errors import InputError, VocabularyError
from welfare_kg.graph.rdf.build import (
        build_dataset,
    report_graph_iri,
    union_graph,
)
from welfare_kg.graph.rdf.metadata import default_base_iri
from welfare_kg.graph.rdf.terms import IC, SCHEMA, WK
from welfare_kg.graph.report.records import Extraction

ID = default_base_iri()
ROW3 = URIRef(f"{ID}report/izumi-fy2021/row/3")
ROW15 = URIRef(f"{ID}report/izumi-fy2021/row/15")
ROW60 = URIRef(f"{ID}report/izumi-fy2021/row/60")
DIVISION = URIRef(f"{ID}body/elderly-disability-support-division")
POLICE = URIRef(f"{ID}body/izumi-police-station")
COUNCIL = URIRef(f"{ID}body/ward-social-welfare-council")


def build(*extractions: Extraction, **kwargs: object) -> Dataset:
    return build_dataset(list(extractions), vocabulary=vocabulary(), pillar_names=PILLARS,
                         **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def G() -> Graph:
    """The union graph of the three-row fixture."""
    return union_graph(build(three_rows()))


def _assert_isomorphic(expected: Graph, actual: Graph) -> None:
    if not isomorphic(expected, actual):
        _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        pytest.fail(
            "graphs differ\nonly expected:\n"
            + only_expected.serialize(format="nt")
            + "\nonly actual:\n"
            + only_actual.serialize(format="nt")
        )


def test_rows_get_readable_iris_from_report_slug_and_line(G: Graph) -> None:
    assert set(G.subjects(RDF.type, WK.PlanRow)) == {ROW3, ROW15, ROW60}


def test_types_are_materialised_along_the_ontology(G: Graph) -> None:
    types = set(G.objects(POLICE, RDF.type))
    assert {WK.PoliceStation, WK.PartnerOrganization, WK.Body, ORG.Organization,
            IC["組織型"]} <= types
    assert G.value(POLICE, WK.bodyType) == WK.PoliceStation
    assert {WK.PlanRow, IC["活動型"], PROV.Entity} <= set(G.objects(ROW3, RDF.type))
    pillars = set(G.subjects(RDF.type, WK.Pillar))
    assert pillars and all((p, RDF.type, SKOS.Concept) in G for p in pillars)


def test_bodies_are_matched_by_name_or_alias(G: Graph) -> None:
    assert set(G.objects(ROW60, WK.implementedBy)) == {
        URIRef(f"{ID}body/children-family-support-division"),
        COUNCIL,  # printed as the alias 区社協
    }
    assert (COUNCIL, RDFS.label, Literal("Izumi Ward Social Welfare Council", lang="en")) in G


def test_each_body_has_a_participation_in_the_implementing_role(G: Graph) -> None:
    participations = list(G.objects(ROW15, WK.participation))
    roles = {(G.value(p, WK.participant), G.value(p, WK.role)) for p in participations}
    assert roles == {
        (DIVISION, WK.ImplementingBodyRole),
        (POLICE, WK.ImplementingBodyRole),
        (URIRef(f"{ID}partner/medical-association"), WK.NamedPartnerRole),
    }
    assert (ROW15, WK.namesPartner, URIRef(f"{ID}partner/medical-association")) in G


def test_a_body_named_in_a_result_is_the_same_entity(tmp_path: Path) -> None:
    extraction = three_rows()
    extraction.rows[0].partners = ["区社会福祉協議会"]
    G = union_graph(build(extraction))
    assert (ROW3, WK.namesPartner, COUNCIL) in G
    assert (URIRef(f"{ROW3}/partner/ward-social-welfare-council"), WK.participant, COUNCIL) in G


def test_parents_come_from_the_organisation_vocabulary(G: Graph) -> None:
    office = G.value(DIVISION, ORG.subOrganizationOf)
    assert office == URIRef(f"{ID}organization/izumi-ward-office")
    ward = G.value(office, ORG.subOrganizationOf)
    assert G.value(ward, ORG.subOrganizationOf) == URIRef(f"{ID}organization/yokohama-city")


def test_divisions_are_units_of_their_formal_organisation(G: Graph) -> None:
    """W3C ORG: a body of an org:OrganizationalUnit class whose parent comes from
    organizations.csv is org:unitOf it (and the parent org:hasUnit it); other bodies only
    org:subOrganizationOf."""
    office = URIRef(f"{ID}organization/izumi-ward-office")
    assert (DIVISION, RDF.type, ORG.OrganizationalUnit) in G
    assert (DIVISION, ORG.unitOf, office) in G
    assert (office, ORG.hasUnit, DIVISION) in G
    assert (DIVISION, ORG.subOrganizationOf, office) in G  # unitOf ⊑ subOrganizationOf
    assert (office, RDF.type, ORG.FormalOrganization) in G
    units = set(G.subjects(ORG.unitOf, None))
    assert units == set(G.subjects(RDF.type, ORG.OrganizationalUnit)) and DIVISION in units
    assert set(G.subject_objects(ORG.unitOf)) == {(u, o) for o, u in G.subject_objects(ORG.hasUnit)}
    assert (POLICE, ORG.unitOf, None) not in G and (COUNCIL, ORG.unitOf, None) not in G


def test_a_unit_whose_parent_is_a_body_is_not_unit_of_it() -> None:
    """org:unitOf runs to a formal organisation: a section under a division (a body) is
    only org:subOrganizationOf it."""
    vocab = vocabulary()
    section = next(b for b in vocab.bodies if b.id == "community-empowerment-section")
    moved = dataclasses.replace(section, parent="community-promotion-division")
    vocab = dataclasses.replace(vocab, bodies=tuple(
        moved if b.id == section.id else b for b in vocab.bodies))
    extraction = three_rows()
    extraction.rows[0].bodies = [section.name_ja]
    G = union_graph(build_dataset([extraction], vocabulary=vocab, pillar_names=PILLARS))
    node = URIRef(f"{ID}body/{section.id}")
    parent = URIRef(f"{ID}body/community-promotion-division")
    assert (node, ORG.subOrganizationOf, parent) in G
    assert (node, ORG.unitOf, None) not in G and (parent, ORG.hasUnit, None) not in G


def test_organisations_have_their_imi_name(G: Graph) -> None:
    """IMI core vocabulary: every ic:組織型 has one ic:名称, an ic:名称型 node with its own
    IRI whose ic:表記 is the name as printed (a plain string, IMI's string range)."""
    organisations = set(G.subjects(RDF.type, IC["組織型"]))
    assert {DIVISION, POLICE, COUNCIL, URIRef(f"{ID}partner/medical-association"),
            URIRef(f"{ID}organization/izumi-ward-office")} <= organisations
    for node in organisations:
        names = list(G.objects(node, IC["名称"]))
        assert names == [URIRef(f"{node}/name")], node
        assert (names[0], RDF.type, IC["名称型"]) in G
        label = {str(o) for o in G.objects(node, RDFS.label) if o.language == "ja"}
        assert [str(o) for o in G.objects(names[0], IC["表記"])] == sorted(label), node
    assert G.value(URIRef(f"{COUNCIL}/name"), IC["表記"]) == Literal("区社会福祉協議会")


def test_participations_state_their_role_as_imi_text(G: Graph) -> None:
    """ic:役割 (a string in IMI) carries the role concept's Japanese label."""
    for participation in G.subjects(RDF.type, WK.Participation):
        role = G.value(participation, WK.role)
        label = next(o for o in G.objects(role, SKOS.prefLabel) if o.language == "ja")
        assert list(G.objects(participation, IC["役割"])) == [Literal(str(label))]
    assert (URIRef(f"{ROW15}/partner/medical-association"), IC["役割"],
            Literal("結果に挙がる連携先")) in G


def test_outline_is_a_skos_hierarchy(G: Graph) -> None:
    initiative = G.value(ROW3, WK.initiative)
    action_plan = G.value(ROW3, WK.actionPlan)
    pillar = G.value(ROW3, WK.pillar)
    assert (initiative, SKOS.prefLabel, Literal(INI1, lang="ja")) in G
    assert (initiative, SKOS.broader, action_plan) in G
    assert (action_plan, SKOS.broader, pillar) in G
    assert (action_plan, RDFS.label, Literal(AP1, lang="ja")) in G
    assert (pillar, RDFS.label, Literal("A town where people live healthily", lang="en")) in G
    plan = G.value(pillar, SKOS.inScheme)
    assert (plan, SKOS.hasTopConcept, pillar) in G
    assert (plan, RDF.type, WK.Plan) in G


def test_row_without_initiative_has_none(G: Graph) -> None:
    assert G.value(ROW60, WK.initiative) is None


def test_provenance_links_rows_to_report_lines(G: Graph) -> None:
    span = G.value(ROW15, WK.sourceSpan)
    assert span == URIRef(f"{ID}report/izumi-fy2021/lines/15-24")
    assert (G.value(span, WK.startLine), G.value(span, WK.endLine)) == (Literal(15), Literal(24))
    assert G.value(span, WK.page) == Literal(1)
    report = G.value(ROW15, PROV.hadPrimarySource)
    assert G.value(span, WK.report) == report
    assert G.value(report, WK.sha256) == Literal("ab" * 32)
    # the reused PROV, DCTERMS and IMI properties are stated too (no reasoner needed)
    assert {span, report} <= set(G.objects(ROW15, PROV.wasDerivedFrom))
    assert (span, URIRef("http://purl.org/dc/terms/isPartOf"), report) in G
    participation = next(iter(G.objects(ROW15, WK.participation)))
    assert (ROW15, IC["関与"], participation) in G
    assert G.value(participation, IC["関与者"]) == G.value(participation, WK.participant)
    # initiatives and action plans link to where they were printed
    assert G.value(G.value(ROW3, WK.initiative), WK.sourceSpan) is not None


def test_quantities_and_status(G: Graph) -> None:
    assert G.value(ROW60, WK.status) == WK.Cancelled
    quantities = sorted(G.objects(ROW60, WK.quantity))
    values = {(G.value(q, SCHEMA.value).toPython(), str(G.value(q, SCHEMA.unitText)))
              for q in quantities}
    assert values == {(2, "回"), (45, "人")}
    assert str(G.value(quantities[1], SCHEMA.value)) == "45.0"  # canonical xsd:decimal


def test_expected_graph_for_one_bare_row() -> None:
    extraction = three_rows()
    extraction.pages = []
    row = dataclasses.replace(extraction.rows[2], quantities=[], initiative=None,
                              action_plan=None, pillar=None, bodies=["泉警察"])
    extraction.rows = [row]
    actual = build(extraction).graph(report_graph_iri(ID, "izumi-fy2021"))
    expected = Graph().parse(Path(__file__).parent / "data" / "expected" / "one-row.ttl")
    row_part = Graph()
    for triple in actual.triples((URIRef(f"{ID}report/izumi-fy2021/row/60"), None, None)):
        row_part.add(triple)
    _assert_isomorphic(expected, row_part)


def test_iris_are_stable_across_builds() -> None:
    first = union_graph(build(three_rows()))
    second = union_graph(build(three_rows()))
    assert set(first.all_nodes()) == set(second.all_nodes())
    assert isomorphic(first, second)


def test_several_reports_are_named_graphs_sharing_bodies() -> None:
    ds = build(three_rows(), second_year())
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert names == {f"{ID}graph/shared", f"{ID}graph/izumi-fy2021",
                     f"{ID}graph/izumi-wakuwaku-fy2022-report"}
    shared = ds.graph(URIRef(f"{ID}graph/shared"))
    g2021 = ds.graph(URIRef(f"{ID}graph/izumi-fy2021"))
    g2022 = ds.graph(URIRef(f"{ID}graph/izumi-wakuwaku-fy2022-report"))
    # shared entities are described once, in the shared graph, with the same IRI
    assert (DIVISION, RDF.type, WK.Body) in shared
    assert (DIVISION, RDF.type, WK.Body) not in g2021
    assert (DIVISION, RDF.type, WK.Body) not in g2022
    U = union_graph(ds)
    assert len(set(U.subjects(RDF.type, WK.PlanRow))) == 4
    assert len(set(U.subjects(WK.implementedBy, DIVISION))) == 3
    year = U.value(URIRef(f"{ID}report/izumi-wakuwaku-fy2022-report"), WK.fiscalYear)
    assert str(year) == "2022"  # from the file name, as no header text is readable
    # the shared action plan has one IRI
    assert len(set(U.subjects(RDF.type, WK.ActionPlan))) == 2


def test_shared_entities_once_and_each_report_only_itself() -> None:
    """The graph contract: every triple is in exactly one graph; a report graph holds only
    triples touching its own nodes (report/{slug}…), the shared graph none of any report."""
    ds = build(three_rows(), second_year())
    graphs = {str(g.identifier): set(g) for g in ds.graphs() if len(g)}
    shared = graphs.pop(f"{ID}graph/shared")
    seen: set = set(shared)
    for iri, triples in graphs.items():
        own = f"{ID}report/{iri.rsplit('/', 1)[-1]}"

        def mine(term: object, own: str = own) -> bool:
            return str(term) == own or str(term).startswith(own + "/")

        assert triples and all(mine(s) or mine(o) for s, _, o in triples), iri
        assert not seen & triples, f"{iri} repeats triples of another graph"
        seen |= triples
    assert not any("/report/" in str(s) or "/report/" in str(o) for s, _, o in shared)
    # the union is the same set of triples the graphs hold together, nothing twice
    assert len(union_graph(ds)) == len(seen)
    # where one report printed an action plan stays in that report's graph
    g2021 = graphs[f"{ID}graph/izumi-fy2021"]
    assert any(p == WK.sourceSpan and "/action-plan/" in str(s) for s, p, _ in g2021)
    assert (WK.Cancelled, SKOS.notation, Literal("cancelled")) in shared


def test_a_report_may_not_take_the_shared_graphs_slug(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="names the shared graph"):
        build(three_rows(str(tmp_path / "shared.txt")))


def test_fiscal_year_read_from_the_table_header(tmp_path: Path) -> None:
    report = tmp_path / "another-ward.txt"
    report.write_text(" 行動計画 取組  令和４年度実施計画 実施した取組結果 実施主体\n", "utf-8")
    U = union_graph(build(three_rows(str(report))))
    assert str(U.value(URIRef(f"{ID}report/another-ward"), WK.fiscalYear)) == "2022"


@pytest.mark.parametrize(("encoding", "header", "year"), [
    ("cp932", "令和４年度実施計画", 2022),
    ("utf-8-sig", "令和元年度実施計画", 2019),
    ("utf-8", "平成３０年度実施計画", 2018),
    ("cp932", "平成元年度実施計画", 1989),
])
def test_fiscal_year_from_a_header_in_any_encoding_and_era(
    tmp_path: Path, encoding: str, header: str, year: int
) -> None:
    report = tmp_path / "another-ward.txt"
    report.write_bytes(f" 行動計画 取組  {header} 実施した取組結果 実施主体\r\n".encode(encoding))
    U = union_graph(build(three_rows(str(report))))
    assert str(U.value(URIRef(f"{ID}report/another-ward"), WK.fiscalYear)) == str(year)


def test_era_offsets_are_data(tmp_path: Path) -> None:
    from welfare_kg.graph.rdf.metadata import fiscal_year_from_text, load_eras

    assert load_eras() == {"令和": 2018, "平成": 1988}  # data/format.yaml
    assert fiscal_year_from_text("昭和６３年度実施計画", {"昭和": 1925}) == 1988
    assert fiscal_year_from_text("昭和６３年度実施計画") is None


def test_custom_base_iri() -> None:
    base = "https://example.org/kg/"
    U = union_graph(build(three_rows(), base_iri=base))
    subjects = {str(s) for s in U.subjects() if not str(s).startswith(str(WK._NS))}
    assert subjects and all(s.startswith(base) for s in subjects)


def test_iri_paths_do_not_depend_on_the_base() -> None:
    default = union_graph(build(three_rows()))
    other = union_graph(build(three_rows(), base_iri="https://example.org/kg/"))

    def paths(G: Graph, base: str) -> set[str]:
        return {str(s).removeprefix(base) for s in G.subjects() if str(s).startswith(base)}

    assert paths(default, ID) == paths(other, "https://example.org/kg/")


def test_input_is_not_mutated() -> None:
    extraction = three_rows()
    before = copy.deepcopy(extraction)
    build(extraction)
    assert extraction == before


def test_unknown_body_names_the_report_line() -> None:
    extraction = three_rows()
    extraction.rows[1].bodies.append("謎の課")
    where = r"izumi-wakuwaku-fy2021-report\.txt:15"
    with pytest.raises(VocabularyError, match=where + ": unknown body name '謎の課'"):
        build(extraction)


def test_unknown_status_is_refused() -> None:
    extraction = three_rows()
    extraction.rows[0].status = "done"
    with pytest.raises(VocabularyError, match="unknown status 'done'"):
        build(extraction)


def test_two_reports_with_the_same_slug_are_refused() -> None:
    with pytest.raises(InputError, match="already used"):
        build(three_rows(), three_rows())


def test_base_iri_must_end_with_a_separator() -> None:
    with pytest.raises(InputError, match="ends with"):
        build(three_rows(), base_iri="https://example.org/kg")


@pytest.mark.parametrize("base", ["https://example.org/a b/", "https://example.org/a<b/",
                                  'https://example.org/a"b/', "https://[::1/"])
def test_base_iri_must_be_a_valid_iri(base: str) -> None:
    with pytest.raises(InputError, match="is not a valid IRI"):
        build(three_rows(), base_iri=base)


def test_controlled_list_concepts_travel_with_the_data(G: Graph) -> None:
    assert (WK.Cancelled, SKOS.notation, Literal("cancelled")) in G
    assert (WK.Cancelled, SKOS.prefLabel, Literal("中止", lang="ja")) in G
    assert (WK.Cancelled, RDF.type, WK.Status) in G
    assert (WK.PoliceStation, SKOS.inScheme, WK.BodyTypeScheme) in G
    assert (WK.ImplementingBodyRole, RDF.type, WK.Role) in G


def test_no_blank_nodes(G: Graph) -> None:
    from rdflib import BNode

    assert not any(isinstance(n, BNode) for n in G.all_nodes())


@pytest.mark.parametrize("module", [
    "welfare_kg.graph.rdf.build", "welfare_kg.graph.rdf.metadata", "welfare_kg.graph.rdf.exports",
    "welfare_kg.graph.rdf.catalog", "welfare_kg.graph.rdf.validation",
])
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0
