"""Build the RDF dataset from extracted records: one shared named graph, one per report.

IRIs are readable and stable (the same entity gets the same IRI on every build and from
every report), all under a base IRI (default: ``base_iri`` of data/dataset.yaml)::

    body/{id}                     implementing body (id from data/bodies.csv)
    organization/{id}             parent organisation (data/organizations.csv)
    partner/{id}                  partner named in results (data/partners.csv)
    body/{id}/name, organization/{id}/name, partner/{id}/name   IMI name (ic:名称型)
    plan/{plan}                   the plan (a SKOS concept scheme)
    plan/{plan}/pillar/{n}        pillar n
    plan/{plan}/action-plan/{n}-{h}       action plan numbered n; h hashes its title
    plan/{plan}/initiative/{h}    initiative; h hashes its action plan and sentence
    report/{slug}                 the source report (wk:Report)
    report/{slug}/row/{line}      a plan row, by the line of its first bullet
    report/{slug}/row/{line}/body/{id}, …/partner/{id}   participations
    report/{slug}/row/{line}/quantity/{i}                a reported quantity
    report/{slug}/lines/{start}-{end}                    a span of source lines
    graph/shared                  the named graph of the shared entities
    graph/{slug}                  the report's named graph
    dataset/{slug}                the report's dcat:Dataset (see graph/catalog.py)

Shared entities are described once. A triple belongs to the report graph ``graph/{slug}``
when its subject or object is one of that report's own nodes (the report, its rows,
participations, quantities and source spans, all under ``report/{slug}``); every other
triple (plan, pillars, action plans, initiatives, bodies, organisations, partners, the
status, role and body-type concepts and their schemes) belongs to ``graph/shared``. So the
links from an action plan or initiative to the lines where one report printed it stay in
that report's graph, and the union of the graphs (the default distribution) holds each
triple once: at 100 reports a body's label is one triple, not 100. Replacing one report's
graph in a store leaves the shared graph whole. Types are materialised along the ontology's
``rdfs:subClassOf`` chains so ``?x a wk:Body`` works without a reasoner. There are no blank
nodes.
"""

from __future__ import annotations

import csv
import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, NamespaceManager

from welfare_kg.datafiles import normalize
from welfare_kg.errors import InputError, VocabularyError
from welfare_kg.paths import DATA_DIR, ONTOLOGY_DIR

from ..report import (
    Body,
    Extraction,
    Organization,
    Partner,
    Row,
    load_bodies,
    load_organizations,
    load_partners,
)
from .metadata import (
    ReportInfo,
    default_base_iri,
    load_english_titles,
    load_metadata,
    load_pillar_names,
    plan_info,
    report_info,
)
from .terms import IC, SCHEMA, WK

__all__ = [
    "SHARED_SLUG",
    "ReportTriples",
    "Vocabulary",
    "build_dataset",
    "check_base_iri",
    "dataset_namespaces",
    "load_ontology",
    "load_vocabulary",
    "new_dataset",
    "report_graph_iri",
    "report_triples",
    "shared_graph_iri",
    "union_graph",
]

XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
PREFIXES: dict[str, str] = {
    "wk": str(WK._NS),
    "ic": str(IC),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "org": str(ORG),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "dcat": "http://www.w3.org/ns/dcat#",
    "owl": str(OWL),
    "xsd": str(XSD),
}


@cache
def load_ontology(path: Path = ONTOLOGY_DIR / "welfare.ttl") -> Graph:
    """The ontology graph (cached; do not modify it)."""
    return Graph(bind_namespaces="core").parse(path, format="turtle")


@dataclass(frozen=True)
class Vocabulary:
    """The curated lists the build reads: bodies, their parents and partners."""

    bodies: tuple[Body, ...]
    organizations: tuple[Organization, ...]
    partners: tuple[Partner, ...]
    partner_bodies: tuple[tuple[str, str], ...] = ()  # (partner id, body id): same entity
    titles_en: tuple[tuple[str, str], ...] = ()  # (normalised printed title, English title)

    @functools.cached_property
    def _titles_en(self) -> dict[str, str]:
        return dict(self.titles_en)

    def title_en(self, printed: str) -> str:
        """The English title of an action plan or initiative printed as `printed` (data files
        `outline.yaml`, `initiatives.yaml`), or "" when the data gives none."""
        return self._titles_en.get(normalize(printed), "")

    @functools.cached_property
    def _bodies_by_name(self) -> dict[str, Body]:
        # reversed: the first body listed wins a shared name, as in a linear search
        return {normalize(n): b for b in reversed(self.bodies) for n in (b.name_ja, *b.aliases)}

    def body(self, printed: str) -> Body | None:
        """The body printed as `printed` (NFKC, spaces ignored, aliases allowed)."""
        return self._bodies_by_name.get(normalize(printed))

    def partner(self, name: str) -> Partner | None:
        """The partner whose canonical name or alias is `name`."""
        key = normalize(name)
        for partner in self.partners:
            if key == normalize(partner.name_ja) or key in partner.patterns:
                return partner
        return None


def load_vocabulary(data_dir: Path = DATA_DIR) -> Vocabulary:
    """Bodies, organisations and partners from `data_dir`; partners.csv is optional."""
    partners_path = data_dir / "partners.csv"
    partners = load_partners(partners_path).partners if partners_path.exists() else []
    links: list[tuple[str, str]] = []
    if partners_path.exists():  # the optional `body` column: a partner that is a known body
        with partners_path.open(encoding="utf-8", newline="") as fh:
            links = [(r["id"], r["body"]) for r in csv.DictReader(fh) if (r.get("body") or "")]
    return Vocabulary(
        bodies=tuple(load_bodies(data_dir / "bodies.csv").bodies),
        organizations=tuple(load_organizations(data_dir / "organizations.csv")),
        partners=tuple(partners),
        partner_bodies=tuple(links),
        titles_en=tuple(sorted(load_english_titles(data_dir).items())),
    )


def check_base_iri(base_iri: str) -> str:
    """`base_iri` if data IRIs can be minted under it, else InputError.

    >>> check_base_iri("https://example.org/kg/")
    'https://example.org/kg/'
    """
    if not base_iri.startswith(("http://", "https://", "urn:")) or base_iri[-1] not in "/#":
        raise InputError(
            f"base IRI must be an http(s) IRI that ends with '/' or '#': {base_iri!r}"
        )
    try:  # spaces, '<', '"', '{' … would make every minted IRI invalid
        NamedNode(base_iri + "x")
    except ValueError as exc:
        raise InputError(f"base IRI {base_iri!r} is not a valid IRI: {exc}") from None
    return base_iri


def new_dataset() -> Dataset:
    """An empty Dataset bound to the core prefixes only (rdflib binds dozens by default)."""
    ds = Dataset()
    ds.namespace_manager = NamespaceManager(ds, bind_namespaces="core")
    return ds


def report_graph_iri(base_iri: str, slug: str) -> URIRef:
    """The IRI of the named graph of report `slug`."""
    return URIRef(f"{base_iri}graph/{slug}")


SHARED_SLUG = "shared"  # graph/shared: a report may not take this slug


def shared_graph_iri(base_iri: str) -> URIRef:
    """The IRI of the named graph of the entities shared by all reports."""
    return URIRef(f"{base_iri}graph/{SHARED_SLUG}")


def dataset_namespaces(base_iri: str) -> dict[str, str]:
    """The prefixes of the built dataset (also its JSON-LD context), sorted by prefix.

    rdflib's core prefixes, the vocabularies the data uses, and the base IRI with its
    body, organisation and partner folders.
    """
    names = {"owl": str(OWL), "rdf": str(RDF), "rdfs": str(RDFS), "xml": XML_NAMESPACE,
             "xsd": str(XSD), **PREFIXES, "wkid": base_iri}
    for prefix, path in (("wkb", "body/"), ("wko", "organization/"), ("wkp", "partner/")):
        names[prefix] = base_iri + path
    return dict(sorted(names.items()))


def _digest(*parts: str, length: int = 8) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def _decimal(value: float) -> Literal:
    """An xsd:decimal in canonical form (``45.0``, ``0.92``), as Turtle writes it back.

    >>> str(_decimal(45)), str(_decimal(0.920))
    ('45.0', '0.92')
    """
    text = format(Decimal(str(value)).normalize(), "f")
    return Literal(text if "." in text else f"{text}.0", datatype=XSD.decimal)


def _superclasses(ontology: Graph, cls: URIRef) -> list[URIRef]:
    """`cls` and every named class above it, in a stable order."""
    seen: list[URIRef] = []
    todo = [cls]
    while todo:
        current = todo.pop()
        if current in seen or not isinstance(current, URIRef) or current == OWL.Thing:
            continue
        seen.append(current)
        todo.extend(o for o in ontology.objects(current, RDFS.subClassOf) if isinstance(o, URIRef))
    return sorted(seen)


def _concept_by_notation(ontology: Graph, scheme: URIRef, notation: str) -> URIRef | None:
    for concept in ontology.subjects(SKOS.inScheme, scheme):
        if str(ontology.value(concept, SKOS.notation)) == notation:
            return concept  # type: ignore[return-value]
    return None


def _once(method: Callable[..., URIRef]) -> Callable[..., URIRef]:
    """Describe each entity once per report graph: later calls return the remembered IRI.

    Bodies, concepts and outline nodes are referenced by many rows; re-adding their
    triples was most of the build time on multi-report builds.
    """

    @functools.wraps(method)
    def wrapper(self: _Builder, *args: Any, **kwargs: Any) -> URIRef:
        key = (method.__name__, args)  # keyword arguments only shape error messages
        if key not in self._done:
            self._done[key] = method(self, *args, **kwargs)
        return self._done[key]

    return wrapper


class _Builder:
    """Collects one report's triples (its own and the shared entities it uses) in a set;
    knows the IRI scheme. A plain set: rdflib's indexed Graph made the build 5x slower."""

    def __init__(
        self,
        G: set[tuple[Any, Any, Any]],
        base: str,
        info: ReportInfo,
        meta: dict[str, Any],
        vocab: Vocabulary,
        ontology: Graph,
        pillar_names: dict[int, tuple[str, str]],
    ) -> None:
        self.G = G
        self.base = Namespace(base)
        self.info = info
        self.meta = meta
        self.vocab = vocab
        self.ontology = ontology
        self.pillar_names = pillar_names
        self.plan = plan_info(meta, info.plan)
        self.plan_iri = self.base[f"plan/{self.plan.id}"]
        self.report_iri = self.base[f"report/{info.slug}"]
        self.source = info.file
        self._done: dict[tuple[Any, ...], URIRef] = {}
        self._supers: dict[URIRef, list[URIRef]] = {}
        self._role_texts: dict[URIRef, Literal] = {}

    # -- helpers -------------------------------------------------------------------------
    def typed(self, node: URIRef, cls: URIRef) -> None:
        if cls not in self._supers:
            self._supers[cls] = _superclasses(self.ontology, cls)
        for c in self._supers[cls]:
            self.G.add((node, RDF.type, c))

    def label(self, node: URIRef, ja: str, en: str | None = None, *, pref: bool = False) -> None:
        preds = (RDFS.label, SKOS.prefLabel) if pref else (RDFS.label,)
        for p in preds:
            self.G.add((node, p, Literal(ja, lang="ja")))
            if en:
                self.G.add((node, p, Literal(en, lang="en")))

    @_once
    def span(self, page: int, start: int, end: int) -> URIRef:
        node = self.base[f"report/{self.info.slug}/lines/{start}-{end}"]
        self.typed(node, WK.SourceSpan)
        self.G.add((node, WK.report, self.report_iri))
        self.G.add((node, WK.page, Literal(page)))
        self.G.add((node, WK.startLine, Literal(start)))
        self.G.add((node, WK.endLine, Literal(end)))
        self.G.add((node, RDFS.label, Literal(f"{self.source}:{start}-{end}")))
        return node

    @_once
    def concept(self, concept: URIRef) -> URIRef:
        """Copy a controlled-list concept (status, role, body type) from the ontology, so
        that the data graph alone gives its labels and code."""
        for p in (SKOS.prefLabel, RDFS.label, SKOS.notation, SKOS.inScheme):
            for o in self.ontology.objects(concept, p):
                self.G.add((concept, p, o))
        self.G.add((concept, RDF.type, SKOS.Concept))
        for cls in (WK.Status, WK.Role):
            if (concept, RDF.type, cls) in self.ontology:  # the ontology, an rdflib Graph
                self.G.add((concept, RDF.type, cls))
        for scheme in self.ontology.objects(concept, SKOS.inScheme):
            self.G.add((scheme, RDF.type, SKOS.ConceptScheme))
            for p in (SKOS.prefLabel, RDFS.label):
                for o in self.ontology.objects(scheme, p):
                    self.G.add((scheme, p, o))
        return concept

    # -- organisations -------------------------------------------------------------------
    @_once
    def organization(self, org_id: str, *, where: str) -> URIRef:
        for body in self.vocab.bodies:
            if body.id == org_id:
                return self.body(body)
        for org in self.vocab.organizations:
            if org.id == org_id:
                node = self.base[f"organization/{org.id}"]
                # org:FormalOrganization is below org:Organization in ORG, which the
                # ontology does not import: assert the chain here.
                for cls in (ORG.FormalOrganization, ORG.Organization, IC["組織型"]):
                    self.G.add((node, RDF.type, cls))
                self.label(node, org.name_ja, org.name_en)
                self.imi_name(node, org.name_ja)
                if org.parent:
                    parent = self.organization(org.parent, where=f"organization {org.id}")
                    self.G.add((node, ORG.subOrganizationOf, parent))
                return node
        raise VocabularyError(
            f"{where}: unknown organisation id {org_id!r}; add it to data/organizations.csv"
        )

    @_once
    def body(self, body: Body) -> URIRef:
        node = self.base[f"body/{body.id}"]
        type_cls = WK._NS[body.type]
        if WK.Body not in _superclasses(self.ontology, type_cls) or type_cls == WK.Body:
            raise VocabularyError(
                f"data/bodies.csv: body {body.id!r} has unknown type {body.type!r}; "
                "use a body-type class of ontology/welfare.ttl"
            )
        most_specific = _concept_by_notation(self.ontology, WK.BodyTypeScheme, body.kind)
        if most_specific is None or type_cls not in _superclasses(self.ontology, most_specific):
            most_specific = type_cls
        self.typed(node, most_specific)
        self.G.add((node, WK.bodyType, self.concept(most_specific)))
        self.G.add((node, WK.kind, Literal(body.kind)))
        self.label(node, body.name_ja, body.name_en)
        self.imi_name(node, body.name_ja)
        for alias in body.aliases:
            self.G.add((node, SKOS.altLabel, Literal(alias, lang="ja")))
        if body.parent:
            parent = self.organization(body.parent, where=f"body {body.id}")
            self.G.add((node, ORG.subOrganizationOf, parent))
            if self._is_unit_of_formal_organization(most_specific, body.parent):
                # W3C ORG: a unit (a ward-office division) of a formal organisation (the
                # ward office, the city). Both directions, like skos:broader/narrower, so
                # the ward office's own description lists its units.
                self.G.add((node, ORG.unitOf, parent))
                self.G.add((parent, ORG.hasUnit, node))
        return node

    def _is_unit_of_formal_organization(self, type_cls: URIRef, parent_id: str) -> bool:
        """A body of an org:OrganizationalUnit class whose parent is an organisation of
        data/organizations.csv (built as an org:FormalOrganization), not another body: ORG's
        org:unitOf runs from a unit to a formal organisation only."""
        if ORG.OrganizationalUnit not in self._supers.get(type_cls, ()):
            return False
        if any(b.id == parent_id for b in self.vocab.bodies):
            return False  # organization() resolves a body id first: the parent is a body
        return any(o.id == parent_id for o in self.vocab.organizations)

    def imi_name(self, node: URIRef, printed: str) -> None:
        """The IMI core vocabulary's name (ic:名称 → an ic:名称型 whose ic:表記 is the name as
        printed), so that tools built on 共通語彙基盤 find an organisation's name where they
        look for it. The name node has its own IRI (``…/name``): the graph has no blank
        nodes, so builds stay byte-identical."""
        name = URIRef(f"{node}/name")
        self.G.add((node, IC["名称"], name))
        self.G.add((name, RDF.type, IC["名称型"]))
        self.G.add((name, IC["表記"], Literal(printed)))

    @_once
    def partner(self, name: str) -> URIRef:
        """The organisation a result names: a known body, or a partner of the list."""
        body = self.vocab.body(name)
        partner = self.vocab.partner(name)
        if body is None and partner is not None:
            body_id = dict(self.vocab.partner_bodies).get(partner.id)
            body = next((b for b in self.vocab.bodies if b.id == body_id), None)
        if body is not None:
            return self.body(body)
        if partner is None:  # a partner the vocabulary does not list: keep it, by its name
            node = self.base[f"partner/p-{_digest(normalize(name))}"]
            self.typed(node, WK.Partner)
            self.label(node, name)
            self.imi_name(node, name)
            return node
        node = self.base[f"partner/{partner.id}"]
        self.typed(node, WK.Partner)
        self.G.add((node, WK.kind, Literal(partner.kind)))
        self.label(node, partner.name_ja, partner.name_en)
        self.imi_name(node, partner.name_ja)
        return node

    # -- the plan outline ----------------------------------------------------------------
    @_once
    def plan_node(self) -> URIRef:
        node = self.plan_iri
        self.typed(node, WK.Plan)
        self.label(node, self.plan.title_ja, self.plan.title_en, pref=True)
        if self.plan.description_ja:
            self.G.add((node, DCTERMS.description, Literal(self.plan.description_ja, lang="ja")))
        if self.plan.description_en:
            self.G.add((node, DCTERMS.description, Literal(self.plan.description_en, lang="en")))
        if self.plan.start and self.plan.end:
            period = self.base[f"plan/{self.plan.id}/period"]
            self.G.add((node, DCTERMS.temporal, period))
            self.G.add((period, RDF.type, DCTERMS.PeriodOfTime))
            dcat_start = URIRef("http://www.w3.org/ns/dcat#startDate")
            dcat_end = URIRef("http://www.w3.org/ns/dcat#endDate")
            self.G.add((period, dcat_start, Literal(self.plan.start, datatype=XSD.date)))
            self.G.add((period, dcat_end, Literal(self.plan.end, datatype=XSD.date)))
        for pub in self.plan.publishers:
            self.G.add((node, DCTERMS.publisher, self.organization(pub, where="dataset.yaml")))
        return node

    @_once
    def pillar(self, number: int) -> URIRef:
        node = self.base[f"plan/{self.plan.id}/pillar/{number}"]
        self.typed(node, WK.Pillar)
        ja, en = self.pillar_names.get(number, (f"推進の柱{number}", f"Pillar {number}"))
        self.label(node, ja, en, pref=True)
        self.G.add((node, WK.number, Literal(number)))
        self.G.add((node, SKOS.notation, Literal(str(number))))
        self.G.add((node, SKOS.inScheme, self.plan_iri))
        self.G.add((node, SKOS.topConceptOf, self.plan_iri))
        self.G.add((self.plan_iri, SKOS.hasTopConcept, node))
        return node

    @_once
    def action_plan(self, pillar: int | None, number: int | None, title: str) -> URIRef:
        # Keyed by what is printed (number and title), not by the inferred pillar.
        key = f"{number or 0}-{_digest(normalize(title))}"
        node = self.base[f"plan/{self.plan.id}/action-plan/{key}"]
        self.typed(node, WK.ActionPlan)
        self.label(node, title, self.vocab.title_en(title), pref=True)
        self.G.add((node, SKOS.inScheme, self.plan_iri))
        if number is not None:
            # No skos:notation: numbers restart within a pillar, and notations should be
            # unique in a scheme.
            self.G.add((node, WK.number, Literal(number)))
        if pillar is not None:
            p = self.pillar(pillar)
            self.G.add((node, WK.pillar, p))
            self.G.add((node, SKOS.broader, p))
            self.G.add((p, SKOS.narrower, node))
        return node

    @_once
    def initiative(self, text: str, action_plan: URIRef | None) -> URIRef:
        # Hash the action plan's path, not its full IRI, so ids do not change with the base.
        ap_key = str(action_plan or "").removeprefix(str(self.base))
        node = self.base[f"plan/{self.plan.id}/initiative/{_digest(ap_key, normalize(text))}"]
        self.typed(node, WK.Initiative)
        self.label(node, text, self.vocab.title_en(text), pref=True)
        self.G.add((node, SKOS.inScheme, self.plan_iri))
        if action_plan is not None:
            self.G.add((node, WK.actionPlan, action_plan))
            self.G.add((node, SKOS.broader, action_plan))
            self.G.add((action_plan, SKOS.narrower, node))
        return node

    # -- the report and its rows ---------------------------------------------------------
    def report(self, extraction: Extraction) -> None:
        node = self.report_iri
        self.typed(node, WK.Report)
        self.label(node, self.info.title_ja, self.info.title_en)
        self.G.add((node, DCTERMS.title, Literal(self.info.title_ja, lang="ja")))
        self.G.add((node, DCTERMS.title, Literal(self.info.title_en, lang="en")))
        self.G.add((node, DCTERMS.identifier, Literal(self.info.file)))
        self.G.add((node, WK.sha256, Literal(extraction.sha256)))
        if self.info.fiscal_year:
            # xsd:integer, not xsd:gYear: OWL 2 reasoners know only the OWL 2 datatypes.
            year = Literal(self.info.fiscal_year, datatype=XSD.integer)
            self.G.add((node, WK.fiscalYear, year))
        self.G.add((node, DCTERMS.subject, self.plan_node()))  # a report about the plan

    def row(self, row: Row, headings: dict[str, tuple[int, int, int]]) -> None:
        where = f"{self.source}:{row.line}"
        node = self.base[f"report/{self.info.slug}/row/{row.line}"]
        self.typed(node, WK.PlanRow)
        if row.items:
            self.label(node, row.items[0])
        for item in row.items:
            self.G.add((node, WK.planItem, Literal(item, lang="ja")))
        self.G.add((node, WK.planText, Literal("\n".join(row.items), lang="ja")))
        if row.result:
            self.G.add((node, WK.resultText, Literal(row.result, lang="ja")))
        if self.info.fiscal_year:
            # xsd:integer, not xsd:gYear: OWL 2 reasoners know only the OWL 2 datatypes.
            year = Literal(self.info.fiscal_year, datatype=XSD.integer)
            self.G.add((node, WK.fiscalYear, year))
        status = _concept_by_notation(self.ontology, WK.StatusScheme, row.status)
        if status is None:
            raise VocabularyError(f"{where}: unknown status {row.status!r}")
        self.G.add((node, WK.status, self.concept(status)))
        self.G.add((node, WK.confidence, _decimal(round(float(row.confidence), 3))))
        self.G.add((node, WK.bodySource, Literal(row.body_source)))
        for note in row.corrections:
            self.G.add((node, WK.correction, Literal(note)))

        span = self.span(row.page, row.line, max(row.end_line, row.line))
        self.G.add((node, WK.sourceSpan, span))
        # The span's start line again, on the row: listings sort rows in the report's order
        # by one lookup per row instead of two (ontology/shapes.ttl checks they agree).
        self.G.add((node, WK.line, Literal(row.line, datatype=XSD.integer)))
        self.G.add((node, PROV.hadPrimarySource, self.report_iri))
        # PROV-O: hadPrimarySource is a kind of wasDerivedFrom; stated for reasoner-less use.
        self.G.add((node, PROV.wasDerivedFrom, self.report_iri))

        ap = None
        if row.pillar is not None:
            self.G.add((node, WK.pillar, self.pillar(row.pillar)))
        if row.action_plan:
            ap = self.action_plan(row.pillar, row.action_plan_number, row.action_plan)
            self.G.add((node, WK.actionPlan, ap))
            heading = headings.get(normalize(row.action_plan))
            if heading:
                self.G.add((ap, WK.sourceSpan, self.span(heading[0], heading[1], heading[2])))
        if row.initiative:
            ini = self.initiative(row.initiative, ap)
            self.G.add((node, WK.initiative, ini))
            printed = headings.get("initiative:" + normalize(row.initiative))
            if printed:
                self.G.add((ini, WK.sourceSpan, self.span(printed[0], printed[1], printed[2])))

        implementing: set[str] = set()
        for printed_name in row.bodies:
            body = self.vocab.body(printed_name)
            if body is None:
                raise VocabularyError(
                    f"{where}: unknown body name {printed_name!r}; add it (or an alias) "
                    "to data/bodies.csv"
                )
            self.participation(node, self.body(body), body.id, "body", WK.ImplementingBodyRole)
            self.G.add((node, WK.implementedBy, self.base[f"body/{body.id}"]))
            implementing.add(body.id)
        # Counted once here so that queries need not recount every row's bodies (a count
        # subquery over all rows was most of body-portfolio's time at 100 reports).
        self.G.add((node, WK.bodyCount, Literal(len(implementing), datatype=XSD.integer)))
        for name in row.partners:
            partner = self.partner(name)
            pid = str(partner).rsplit("/", 1)[-1]
            self.participation(node, partner, pid, "partner", WK.NamedPartnerRole)
            self.G.add((node, WK.namesPartner, partner))
        for i, q in enumerate(row.quantities, start=1):
            qn = self.base[f"report/{self.info.slug}/row/{row.line}/quantity/{i}"]
            self.typed(qn, WK.Quantity)
            self.G.add((node, WK.quantity, qn))
            self.G.add((qn, SCHEMA.value, _decimal(q.value)))
            self.G.add((qn, SCHEMA.unitText, Literal(q.unit)))
            if q.counted:
                self.G.add((qn, WK.counted, Literal(q.counted)))
            if q.text:
                self.G.add((qn, WK.sourceText, Literal(q.text)))

    def participation(
        self, row: URIRef, who: URIRef, who_id: str, kind: str, role: URIRef
    ) -> None:
        node = URIRef(f"{row}/{kind}/{who_id}")
        self.typed(node, WK.Participation)
        self.G.add((row, WK.participation, node))
        self.G.add((node, WK.participant, who))
        self.G.add((node, WK.role, self.concept(role)))
        # IMI's ic:役割 is the role as text (a string range), so it carries the role
        # concept's Japanese label beside wk:role rather than being its super-property.
        self.G.add((node, IC["役割"], self._role_text(role)))

    def _role_text(self, role: URIRef) -> Literal:
        if role not in self._role_texts:
            labels = [o for o in self.ontology.objects(role, SKOS.prefLabel)
                      if isinstance(o, Literal) and o.language == "ja"]
            if not labels:
                raise VocabularyError(f"ontology/welfare.ttl: role {role} has no Japanese "
                                      "skos:prefLabel (ic:役割 of its participations)")
            self._role_texts[role] = Literal(str(min(labels)))
        return self._role_texts[role]


def _super_property_triples(
    triples: set[tuple[Any, Any, Any]], ontology: Graph
) -> set[tuple[Any, Any, Any]]:
    """State the reused property each wk: property specialises (wk:sourceSpan is a
    prov:wasDerivedFrom, wk:participant an ic:関与者 …), so that queries and shapes written
    against PROV, DCTERMS or the IMI vocabulary work without a reasoner."""
    parents: dict[Any, list[URIRef]] = {}
    for prop, parent in sorted(ontology.subject_objects(RDFS.subPropertyOf)):
        if isinstance(prop, URIRef) and isinstance(parent, URIRef):
            parents.setdefault(prop, []).append(parent)
    return {(s, parent, o) for s, p, o in triples for parent in parents.get(p, ())}


def _printed_headings(extraction: Extraction) -> dict[str, tuple[int, int, int]]:
    """Where action-plan headings and initiative sentences were printed (first occurrence)."""
    found: dict[str, tuple[int, int, int]] = {}
    for page in extraction.pages:
        for ap in page.action_plans:
            found.setdefault(normalize(ap.title), (page.number, ap.line, ap.line))
        for ini in page.initiatives:
            key = "initiative:" + normalize(ini.text)
            found.setdefault(key, (page.number, ini.line, max(ini.end_line, ini.line)))
    return found


@dataclass(frozen=True)
class ReportTriples:
    """One report's triples, split by the graph they belong to (see the module docstring)."""

    info: ReportInfo
    graph: URIRef  # the report's named graph
    report: frozenset[tuple[Any, Any, Any]]  # its own triples
    shared: frozenset[tuple[Any, Any, Any]]  # the shared entities it uses


@dataclass(frozen=True)
class BuildInputs:
    """What building any report needs besides its records: the curated data and the base."""

    base_iri: str
    meta: dict[str, Any]
    vocabulary: Vocabulary
    pillar_names: dict[int, tuple[str, str]]
    ontology: Graph


def build_inputs(
    *,
    base_iri: str | None = None,
    vocabulary: Vocabulary | None = None,
    metadata: dict[str, Any] | None = None,
    pillar_names: dict[int, tuple[str, str]] | None = None,
) -> BuildInputs:
    """The curated data (default: the files in ``data/``) and a checked base IRI."""
    meta = metadata if metadata is not None else load_metadata()
    if base_iri is None:
        base_iri = default_base_iri(meta) if "base_iri" in meta else default_base_iri()
    check_base_iri(base_iri)
    return BuildInputs(
        base_iri=base_iri,
        meta=meta,
        vocabulary=vocabulary if vocabulary is not None else load_vocabulary(),
        pillar_names=pillar_names if pillar_names is not None else load_pillar_names(),
        ontology=load_ontology(),
    )


def report_triples(extraction: Extraction, inputs: BuildInputs) -> ReportTriples:
    """The triples of one report, split into its own graph and the shared entities."""
    info = report_info(inputs.meta, extraction)
    if info.slug == SHARED_SLUG:
        raise InputError(
            f"{extraction.source}: report slug {SHARED_SLUG!r} names the shared graph; "
            "rename the report file (or give it another slug in data/dataset.yaml)"
        )
    triples: set[tuple[Any, Any, Any]] = set()
    builder = _Builder(triples, inputs.base_iri, info, inputs.meta, inputs.vocabulary,
                       inputs.ontology, inputs.pillar_names)
    builder.report(extraction)
    headings = _printed_headings(extraction)
    for row in extraction.rows:
        builder.row(row, headings)
    # Headings without rows are still part of the outline; rows know the pillar best.
    pillars = {normalize(r.action_plan): r.pillar for r in extraction.rows if r.action_plan}
    for page in extraction.pages:
        for ap in page.action_plans:
            pillar = pillars.get(normalize(ap.title), ap.pillar)
            builder.action_plan(pillar, ap.number, ap.title)
    triples |= _super_property_triples(triples, inputs.ontology)
    own_iri = str(builder.report_iri)
    own_prefix = own_iri + "/"

    def own(term: Any) -> bool:
        # str(): an rdflib URIRef never equals a plain str
        return isinstance(term, URIRef) and (str(term) == own_iri or term.startswith(own_prefix))

    report = frozenset(t for t in triples if own(t[0]) or own(t[2]))
    return ReportTriples(info, report_graph_iri(inputs.base_iri, info.slug), report,
                         frozenset(triples - report))


def build_dataset(
    extractions: Sequence[Extraction],
    *,
    base_iri: str | None = None,
    vocabulary: Vocabulary | None = None,
    metadata: dict[str, Any] | None = None,
    pillar_names: dict[int, tuple[str, str]] | None = None,
) -> Dataset:
    """Build an in-memory rdflib Dataset: the shared graph and one named graph per report.

    For tests, validation and small uses; `welfare-kg build` streams instead (see
    `graph/rdf/parts.py`), with the same triples in the same graphs.

    Parameters
    ----------
    extractions : the reports' records, in any order (graphs are keyed by report slug).
    base_iri : IRIs of the data are minted under it; must end with ``/`` or ``#``
        (default: ``base_iri`` of the metadata, data/dataset.yaml).
    vocabulary, metadata, pillar_names : the curated data (default: the files in ``data/``).

    Returns
    -------
    Dataset whose default graph is empty and whose named graphs are ``{base}graph/shared``
    and ``{base}graph/{slug}`` for each report.
    """
    inputs = build_inputs(base_iri=base_iri, vocabulary=vocabulary, metadata=metadata,
                          pillar_names=pillar_names)
    ds = new_dataset()
    seen: dict[str, str] = {}
    shared: set[tuple[Any, Any, Any]] = set()
    for extraction in extractions:
        part = report_triples(extraction, inputs)
        check_unique_slug(seen, part.info.slug, extraction.source)
        G = ds.graph(part.graph)
        G.addN((s, p, o, G) for s, p, o in part.report)
        shared |= part.shared
    if shared:
        S = ds.graph(shared_graph_iri(inputs.base_iri))
        S.addN((s, p, o, S) for s, p, o in shared)
    _bind(ds, inputs.base_iri)
    return ds


def check_unique_slug(seen: dict[str, str], slug: str, source: str) -> None:
    """Refuse a second report with the slug `slug` (`seen` maps slugs to their reports)."""
    if slug in seen:
        raise InputError(
            f"{source}: report slug {slug!r} is already used by "
            f"{seen[slug]}; give the reports distinct file names"
        )
    seen[slug] = source


def _bind(ds: Dataset, base_iri: str) -> None:
    for prefix, ns in dataset_namespaces(base_iri).items():
        if prefix != "xml":  # rdflib binds it itself
            ds.bind(prefix, ns, override=True, replace=True)


def union_graph(ds: Dataset, *, store: str = "Memory") -> Graph:
    """All triples of all named graphs in one Graph (prefixes kept).

    Reads each graph once (``ds.quads`` would look up the contexts of every triple, most of
    the export time on multi-report builds). ``store="SimpleMemory"`` is faster still but
    not context-aware, which pySHACL needs.
    """
    G = Graph(store=store, bind_namespaces="core")
    for prefix, ns in ds.namespaces():
        G.bind(prefix, ns, override=True, replace=True)
    triples: set[tuple[Any, Any, Any]] = set()
    for named in ds.graphs():
        triples.update(named.triples((None, None, None)))
    G.addN((s, p, o, G) for s, p, o in triples)
    return G
