"""Dataset metadata graphs: VoID statistics and a DCAT-AP 3.0.1 catalogue.

Everything a person reads (titles, descriptions, keywords, license text) comes from
``data/dataset.yaml``; this module only arranges it. No blank nodes: every auxiliary node
(period, checksum, partition) gets an IRI under the base, so outputs are byte-identical.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV

from welfare_kg.errors import VocabularyError

from .build import dataset_namespaces
from .metadata import slugify
from .terms import IC, ONTOLOGY_IRI, SCHEMA, VOID, WK

__all__ = ["DatasetStats", "GraphInfo", "catalog_graph", "checksum_algorithm", "contact_point",
           "graph_file", "public_endpoint", "void_graph"]

SPDX = Namespace("http://spdx.org/rdf/terms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCAT3 = Namespace(str(DCAT))  # rdflib lacks DCAT 3 terms such as dcat:version
IANA = "http://www.iana.org/assignments/media-types/"  # the form DCAT-AP uses
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
EU_FILE_TYPE = EU_AUTHORITY + "file-type/"
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")

VOCABULARIES = (str(WK._NS), str(IC), str(SCHEMA), str(SKOS), "http://www.w3.org/ns/org#",
                str(PROV), str(DCTERMS))


@dataclass(frozen=True)
class GraphInfo:
    """One named graph of the build (a report's, or the shared one) as the catalogue sees it."""

    slug: str
    graph: URIRef
    report: URIRef | None  # the wk:Report the graph holds (None: the shared graph)
    title_ja: str
    title_en: str
    fiscal_year: int | None
    triples: int
    rows: int
    bodies: int  # distinct bodies implementing its rows
    entities: int  # distinct subjects under the base IRI

    @classmethod
    def of_part(cls, summary: dict[str, Any]) -> GraphInfo:
        """From the summary of a report's part (`graph/rdf/parts.py`)."""
        report = summary.get("report")
        return cls(
            slug=summary["slug"],
            graph=URIRef(summary["graph"]),
            report=URIRef(report) if report else None,
            title_ja=summary.get("title_ja", summary["graph"]),
            title_en=summary.get("title_en", summary["graph"]),
            fiscal_year=summary.get("fiscal_year"),
            triples=summary["triples"],
            rows=summary.get("rows", 0),
            bodies=summary.get("bodies", 0),
            entities=summary["entities"],
        )


@dataclass
class DatasetStats:
    """VoID figures of the union of all graphs, counted while the exports stream."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: dict[str, int]  # class IRI -> rdf:type triples
    predicates: dict[str, int]  # property IRI -> triples
    example: str | None  # the first plan row


def _slug_for(G: Graph, iri: URIRef) -> str:
    """A readable, collision-free path segment for a class or property IRI."""
    qname = G.namespace_manager.normalizeUri(iri)
    if qname.isascii() and not qname.startswith("<"):
        return slugify(qname.replace(":", "-"))
    prefix = qname.split(":", 1)[0] if not qname.startswith("<") else "term"
    return f"{slugify(prefix) or 'term'}-{hashlib.sha1(str(iri).encode()).hexdigest()[:8]}"


def _namespaces(base_iri: str) -> Graph:
    G = Graph(bind_namespaces="core")
    for prefix, ns in dataset_namespaces(base_iri).items():
        G.bind(prefix, ns, override=True, replace=True)
    return G


def void_graph(
    stats: DatasetStats,
    reports: Sequence[GraphInfo],
    shared: GraphInfo | None,
    *,
    base_iri: str,
    meta: dict[str, Any],
) -> Graph:
    """VoID description of the whole dataset and of each named graph (a void:subset)."""
    base = Namespace(base_iri)
    names = _namespaces(base_iri)
    V = Graph(bind_namespaces="core")
    _bind(V, base_iri)
    dataset = base["dataset"]
    V.add((dataset, RDF.type, VOID.Dataset))
    V.add((dataset, VOID.triples, Literal(stats.triples)))
    V.add((dataset, VOID.entities, Literal(stats.entities)))
    V.add((dataset, VOID.distinctSubjects, Literal(stats.distinct_subjects)))
    V.add((dataset, VOID.distinctObjects, Literal(stats.distinct_objects)))
    V.add((dataset, VOID.classes, Literal(len(stats.classes))))
    V.add((dataset, VOID.properties, Literal(len(stats.predicates))))
    V.add((dataset, VOID.uriSpace, Literal(base_iri)))
    endpoint = public_endpoint(meta)
    if endpoint:
        V.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint)))
    download = meta.get("download_url") or base_iri
    for name in ("welfare-kg.ttl", "welfare-kg.nt"):
        V.add((dataset, VOID.dataDump, URIRef(download + name)))
    for vocab in VOCABULARIES:
        V.add((dataset, VOID.vocabulary, URIRef(vocab)))
    if stats.example is not None:
        V.add((dataset, VOID.exampleResource, URIRef(stats.example)))
    for cls, count in sorted(stats.classes.items()):
        part = base[f"dataset/void/class/{_slug_for(names, URIRef(cls))}"]
        V.add((dataset, VOID.classPartition, part))
        V.add((part, VOID["class"], URIRef(cls)))
        V.add((part, VOID.entities, Literal(count)))
    for prop, count in sorted(stats.predicates.items()):
        part = base[f"dataset/void/property/{_slug_for(names, URIRef(prop))}"]
        V.add((dataset, VOID.propertyPartition, part))
        V.add((part, VOID.property, URIRef(prop)))
        V.add((part, VOID.triples, Literal(count)))
    for info in [*([shared] if shared else []), *reports]:
        subset = base[f"dataset/{info.slug}"]
        V.add((dataset, VOID.subset, subset))
        V.add((subset, RDF.type, VOID.Dataset))
        V.add((subset, VOID.triples, Literal(info.triples)))
        V.add((subset, VOID.entities, Literal(info.entities)))
    return V


def _bilingual(G: Graph, node: URIRef, pred: URIRef, texts: dict[str, str]) -> None:
    for lang in ("ja", "en"):
        if texts.get(lang):
            G.add((node, pred, Literal(texts[lang], lang=lang)))


def _fy_period(G: Graph, node: URIRef, start_year: int, end_year: int) -> None:
    """A Japanese fiscal-year period: 1 April of the first year to 31 March after the last."""
    G.add((node, RDF.type, DCTERMS.PeriodOfTime))
    G.add((node, DCAT.startDate, Literal(f"{start_year}-04-01", datatype=XSD.date)))
    G.add((node, DCAT.endDate, Literal(f"{end_year + 1}-03-31", datatype=XSD.date)))


def public_endpoint(meta: dict[str, Any]) -> str | None:
    """The public SPARQL endpoint the catalogue may claim, or None.

    Only a configured one (``sparql_endpoint`` of data/dataset.yaml, or
    ``build --public-endpoint``): a portal that stores a loopback address sends its users
    nowhere, so a local address is never published.
    """
    url = meta.get("sparql_endpoint")
    if not url:
        return None
    host = urlsplit(str(url)).hostname or ""
    if host in ("localhost", "::1") or host.startswith("127."):
        return None
    return str(url)


class _Catalogue:
    """Builds the DCAT-AP 3.0.1 catalogue graph, one method per kind of node.

    The official shapes run without inference (tests/test_dcat_ap.py), so every object
    states the class DCAT-AP's range shapes expect (`dct:MediaType`, `dct:Standard`,
    `dct:LinguisticSystem`, `skos:Concept` …), even where the class follows from the
    property's range.
    """

    def __init__(self, base_iri: str, meta: dict[str, Any], files: dict[str, Path]) -> None:
        self.base = Namespace(base_iri)
        self.base_iri = base_iri
        self.meta = meta
        self.cat = meta["catalog"]
        self.files = files
        self.C = Graph(bind_namespaces="core")
        _bind(self.C, base_iri)
        self.catalog = self.base["catalog"]
        self.dataset = self.base["dataset"]
        self.series = self.base["dataset/reports"]
        self.endpoint = public_endpoint(meta)
        self.service = self.base["service/sparql"] if self.endpoint else None
        self.issued = Literal(str(meta["issued"]), datatype=XSD.date)
        self.modified = Literal(str(meta.get("modified", meta["issued"])), datatype=XSD.date)
        self.license = URIRef(self.cat["license"]["iri"])
        self.publisher = self.base[f"agent/{self.cat['publisher']['id']}"]
        self.rights = self.base["rights"]
        self.contact = self.base["contact"]
        self.checksum = checksum_algorithm(self.cat)
        self.spatial = self._spatial_iri()
        self.download = meta.get("download_url") or base_iri
        self.availability = (URIRef(self.cat["availability"])
                             if self.cat.get("availability") else None)

    # -- shared nodes -------------------------------------------------------------------
    def _spatial_iri(self) -> URIRef:
        spatial = self.cat["spatial"]
        if spatial.get("iri"):
            return URIRef(spatial["iri"])
        return self.base[f"location/{spatial['id']}"]

    def concept(self, iri: str | URIRef, *classes: URIRef, scheme: str | None = None
                ) -> URIRef:
        """A term of a controlled vocabulary, typed for the range shapes, with its scheme
        (the EU authority table it comes from) when known."""
        node = URIRef(iri)
        for cls in classes:
            self.C.add((node, RDF.type, cls))
        if scheme is None and str(node).startswith(EU_AUTHORITY):
            scheme = str(node).rsplit("/", 1)[0]
        if scheme is not None:
            self.C.add((node, RDF.type, SKOS.Concept))
            self.C.add((node, SKOS.inScheme, URIRef(scheme)))
        if SKOS.Concept in (*classes, *([SKOS.Concept] if scheme else [])):
            self.labelled(node, SKOS.prefLabel)
        return node

    def scheme(self, iri: URIRef) -> URIRef:
        self.C.add((iri, RDF.type, SKOS.ConceptScheme))
        self.labelled(iri, DCTERMS.title)
        return iri

    def labelled(self, node: URIRef, pred: URIRef) -> None:
        """The authority's label of a vocabulary term (`vocabulary_labels` of
        data/dataset.yaml); a term without one is a data error, caught here."""
        labels = self.meta.get("vocabulary_labels", {}).get(str(node))
        if not labels:
            raise VocabularyError(
                f"data/dataset.yaml: vocabulary_labels has no label for <{node}>")
        _bilingual(self.C, node, pred, labels)

    def standard(self, iri: URIRef) -> URIRef:
        self.C.add((iri, RDF.type, DCTERMS.Standard))
        return iri

    def agents_and_terms(self) -> None:
        C, cat = self.C, self.cat
        C.add((self.publisher, RDF.type, FOAF.Agent))
        C.add((self.publisher, RDF.type, FOAF.Organization))
        _bilingual(C, self.publisher, FOAF.name, cat["publisher"]["name"])
        if cat["publisher"].get("type"):
            C.add((self.publisher, DCTERMS.type,
                   self.concept(cat["publisher"]["type"], SKOS.Concept)))
        C.add((self.license, RDF.type, DCTERMS.LicenseDocument))
        _bilingual(C, self.license, RDFS.label, cat["license"]["title"])
        if cat["license"].get("type"):
            C.add((self.license, DCTERMS.type,
                   self.concept(cat["license"]["type"], SKOS.Concept)))
        if cat["license"].get("compatible"):
            C.add((self.license, RDFS.seeAlso, URIRef(cat["license"]["compatible"])))
        C.add((self.rights, RDF.type, DCTERMS.RightsStatement))
        _bilingual(C, self.rights, RDFS.label, cat["rights"])
        spatial = cat["spatial"]
        C.add((self.spatial, RDF.type, DCTERMS.Location))
        _bilingual(C, self.spatial, SKOS.prefLabel, spatial["name"])
        if spatial.get("code"):
            C.add((self.spatial, DCTERMS.identifier, Literal(str(spatial["code"]))))
        name, email, url = contact_point(cat)
        C.add((self.contact, RDF.type, VCARD.Kind))
        C.add((self.contact, RDF.type, VCARD.Organization))
        C.add((self.contact, VCARD.fn, Literal(name)))
        if url:
            C.add((self.contact, VCARD.hasURL, URIRef(url)))
        if email:
            C.add((self.contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))
        if cat.get("landing_page"):
            C.add((URIRef(cat["landing_page"]), RDF.type, FOAF.Document))

    def common(self, node: URIRef) -> None:
        """What every catalogue, dataset and service states."""
        C = self.C
        C.add((node, DCTERMS.publisher, self.publisher))
        C.add((node, DCTERMS.license, self.license))
        C.add((node, DCTERMS.rights, self.rights))
        C.add((node, DCTERMS.issued, self.issued))
        C.add((node, DCTERMS.modified, self.modified))
        for lang in self.cat.get("language", ()):
            C.add((node, DCTERMS.language, self.concept(lang, DCTERMS.LinguisticSystem)))

    def described(self, node: URIRef, *, keywords: bool = True) -> None:
        """What every dataset (and the data service) states besides `common`."""
        C, cat = self.C, self.cat
        self.common(node)
        C.add((node, DCAT.contactPoint, self.contact))
        if keywords:
            for lang in ("ja", "en"):
                for word in cat["keywords"].get(lang, ()):
                    C.add((node, DCAT.keyword, Literal(word, lang=lang)))
        for theme in cat.get("themes", ()):
            C.add((node, DCAT.theme, self.concept(theme, SKOS.Concept)))
        if cat.get("landing_page"):
            C.add((node, DCAT.landingPage, URIRef(cat["landing_page"])))

    def dataset_node(self, node: URIRef, *types: URIRef) -> None:
        C = self.C
        for cls in (DCAT.Dataset, VOID.Dataset, *types):
            C.add((node, RDF.type, cls))
        C.add((self.catalog, DCAT.dataset, node))
        self.described(node)
        C.add((node, DCTERMS.spatial, self.spatial))
        C.add((node, DCTERMS.conformsTo, self.standard(ONTOLOGY_IRI)))
        if self.service is not None:
            C.add((self.service, DCAT.servesDataset, node))

    # -- distributions ------------------------------------------------------------------
    def distribution(self, owner: URIRef, dist: URIRef, entry: dict[str, Any],
                     path: Path | None, file: str, *, conforms: bool) -> None:
        """A downloadable file: media type, format, size and checksum when the file is in
        this build, licence, rights, dates, availability."""
        C = self.C
        C.add((owner, DCAT.distribution, dist))
        C.add((dist, RDF.type, DCAT.Distribution))
        url = URIRef(self.download + file)
        C.add((dist, DCAT.accessURL, url))
        C.add((dist, DCAT.downloadURL, url))
        C.add((dist, DCAT.mediaType, self.concept(IANA + entry["media_type"],
                                                  DCTERMS.MediaType)))
        C.add((dist, DCTERMS.format, self.concept(EU_FILE_TYPE + entry["format"],
                                                  DCTERMS.MediaTypeOrExtent)))
        if path is not None:
            size, digest = _size_and_digest(path, self.checksum)
            C.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
            checksum = URIRef(f"{dist}/checksum")
            C.add((dist, SPDX.checksum, checksum))
            C.add((checksum, RDF.type, SPDX.Checksum))
            C.add((checksum, SPDX.algorithm, SPDX[f"checksumAlgorithm_{self.checksum}"]))
            C.add((checksum, SPDX.checksumValue, Literal(digest, datatype=XSD.hexBinary)))
        self.terms_of(dist)
        if conforms:
            C.add((dist, DCTERMS.conformsTo, self.standard(ONTOLOGY_IRI)))

    def terms_of(self, dist: URIRef) -> None:
        C = self.C
        C.add((dist, DCTERMS.license, self.license))
        C.add((dist, DCTERMS.rights, self.rights))
        C.add((dist, DCTERMS.issued, self.issued))
        C.add((dist, DCTERMS.modified, self.modified))
        if self.availability is not None:
            C.add((dist, DCATAP.availability, self.concept(self.availability, SKOS.Concept)))

    def sparql_distribution(self, owner: URIRef, dist: URIRef, graph: URIRef | None) -> None:
        """Access to `owner` through the public endpoint (only when one is configured)."""
        if self.service is None or self.endpoint is None:
            return
        C, texts = self.C, self.cat["service"]
        C.add((owner, DCAT.distribution, dist))
        C.add((dist, RDF.type, DCAT.Distribution))
        _bilingual(C, dist, DCTERMS.title, texts["title"])
        if graph is None:
            _bilingual(C, dist, DCTERMS.description, texts.get("description", {}))
        else:
            for lang in ("ja", "en"):
                if texts.get("distribution", {}).get(lang):
                    C.add((dist, DCTERMS.description,
                           Literal(texts["distribution"][lang].format(graph=graph), lang=lang)))
        C.add((dist, DCAT.accessService, self.service))
        C.add((dist, DCAT.accessURL, URIRef(self.endpoint)))
        if texts.get("format"):
            C.add((dist, DCTERMS.format, self.concept(EU_FILE_TYPE + texts["format"],
                                                      DCTERMS.MediaTypeOrExtent)))
        self.terms_of(dist)

    def graph_distribution(self, node: URIRef, slug: str, graph: URIRef) -> None:
        """One named graph's own file (graphs/{slug}.nq) and its SPARQL access."""
        entry = self.meta.get("report_dataset", {}).get("distribution", {})
        file = graph_file(slug)
        if entry.get("media_type") and file in self.files:
            dist = self.base[f"dataset/{slug}/distribution/nquads"]
            _bilingual(self.C, dist, DCTERMS.title, entry.get("title", {}))
            for lang in ("ja", "en"):
                text = entry.get("description", {}).get(lang)
                if text:
                    self.C.add((dist, DCTERMS.description,
                                Literal(text.format(graph=graph, file=file), lang=lang)))
            self.distribution(node, dist, entry, self.files[file], file, conforms=True)
        self.sparql_distribution(node, self.base[f"dataset/{slug}/distribution/sparql"], graph)


def graph_file(slug: str) -> str:
    """The file (relative to the output folder) holding one named graph alone."""
    return f"graphs/{slug}.nq"  # exports.GRAPHS_DIR


def catalog_graph(
    reports: Sequence[GraphInfo],
    shared: GraphInfo | None,
    *,
    base_iri: str,
    meta: dict[str, Any],
    files: dict[str, Path],
) -> Graph:
    """The DCAT-AP 3.0.1 catalogue: the whole dataset with its files, the shared entities'
    dataset, the yearly reports as a dcat:DatasetSeries of one dataset per report (each with
    its own file), and the SPARQL endpoint as a dcat:DataService when a public one is
    configured. `files` maps each written file (relative name) to its path, for byte sizes
    and checksums (`catalog.checksum`, default SHA-1)."""
    K = _Catalogue(base_iri, meta, files)
    C, cat, base = K.C, K.cat, K.base
    catalog, dataset = K.catalog, K.dataset
    reports = sorted((r for r in reports if r.report is not None),
                     key=lambda r: (r.fiscal_year or 0, r.slug))
    K.agents_and_terms()

    # The catalogue.
    C.add((catalog, RDF.type, DCAT.Catalog))
    _bilingual(C, catalog, DCTERMS.title, cat["title"])
    _bilingual(C, catalog, DCTERMS.description, cat["description"])
    K.common(catalog)
    C.add((catalog, DCTERMS.spatial, K.spatial))
    if cat.get("landing_page"):
        C.add((catalog, FOAF.homepage, URIRef(cat["landing_page"])))
    if cat.get("theme_taxonomy"):
        C.add((catalog, DCAT.themeTaxonomy, K.scheme(URIRef(cat["theme_taxonomy"]))))

    # The whole dataset (the union of all graphs).
    K.dataset_node(dataset)
    _bilingual(C, dataset, DCTERMS.title, cat["title"])
    _bilingual(C, dataset, DCTERMS.description, cat["description"])
    C.add((dataset, DCAT3["version"], Literal(str(meta.get("version", "1.0.0")))))
    C.add((dataset, OWL.versionInfo, Literal(str(meta.get("version", "1.0.0")))))
    if cat.get("accrual_periodicity"):
        C.add((dataset, DCTERMS.accrualPeriodicity,
               K.concept(cat["accrual_periodicity"], DCTERMS.Frequency)))
    years = [r.fiscal_year for r in reports if r.fiscal_year]
    if years:
        period = base["dataset/period"]
        C.add((dataset, DCTERMS.temporal, period))
        _fy_period(C, period, min(years), max(years))
    for entry in meta.get("distributions", ()):
        if entry["file"] in files:
            dist = base[f"distribution/{entry['id']}"]
            _bilingual(C, dist, DCTERMS.title, entry["title"])
            _bilingual(C, dist, DCTERMS.description, entry.get("description", {}))
            K.distribution(dataset, dist, entry, files[entry["file"]], entry["file"],
                           conforms=entry["format"].startswith(("RDF_", "JSON_LD"))
                           and entry["id"] not in ("ontology", "shapes", "jsonld-context",
                                                   "void"))
    K.sparql_distribution(dataset, base["distribution/sparql"], None)

    # How the data was made: one extraction activity per report, by this software.
    software = base["agent/welfare-kg-software"]
    C.add((software, RDF.type, PROV.SoftwareAgent))
    C.add((software, FOAF.name, Literal("welfare-kg")))
    C.add((software, OWL.versionInfo, Literal(_software_version())))

    # The shared entities: one named graph every report's graph relies on.
    shared_node = None
    if shared is not None:
        texts = meta.get("shared_dataset", {})
        shared_node = base[f"dataset/{shared.slug}"]
        K.dataset_node(shared_node)
        C.add((dataset, DCTERMS.hasPart, shared_node))
        C.add((shared_node, DCTERMS.isPartOf, dataset))
        _bilingual(C, shared_node, DCTERMS.title, texts.get("title", {}))
        _bilingual(C, shared_node, DCTERMS.description, texts.get("description", {}))
        C.add((shared_node, DCTERMS.identifier, Literal(str(shared.graph))))
        plan_years = _plan_years(meta)
        if plan_years:  # the plan outline holds for the plans' whole period
            period = base[f"dataset/{shared.slug}/period"]
            C.add((shared_node, DCTERMS.temporal, period))
            _fy_period(C, period, *plan_years)
        K.graph_distribution(shared_node, shared.slug, shared.graph)

    # The yearly reports: a series of one dataset per report (one named graph each).
    if reports:
        series_texts = meta.get("report_series", {})
        K.dataset_node(K.series, DCAT3["DatasetSeries"])
        C.add((dataset, DCTERMS.hasPart, K.series))
        C.add((K.series, DCTERMS.isPartOf, dataset))
        _bilingual(C, K.series, DCTERMS.title, series_texts.get("title", cat["title"]))
        _bilingual(C, K.series, DCTERMS.description,
                   series_texts.get("description", cat["description"]))
        if cat.get("accrual_periodicity"):
            C.add((K.series, DCTERMS.accrualPeriodicity,
                   K.concept(cat["accrual_periodicity"], DCTERMS.Frequency)))
        if years:
            period = base["dataset/reports/period"]
            C.add((K.series, DCTERMS.temporal, period))
            _fy_period(C, period, min(years), max(years))
        C.add((K.series, DCAT3["first"], base[f"dataset/{reports[0].slug}"]))
        C.add((K.series, DCAT3["last"], base[f"dataset/{reports[-1].slug}"]))
    template = meta.get("report_dataset", {}).get("description", {})
    previous: URIRef | None = None
    for report in reports:
        assert report.report is not None
        node = base[f"dataset/{report.slug}"]
        K.dataset_node(node)
        C.add((node, DCAT3["inSeries"], K.series))
        if previous is not None:
            C.add((node, DCAT3["prev"], previous))
        previous = node
        if shared_node is not None:  # its rows point to the shared entities
            C.add((node, DCTERMS.requires, shared_node))
        C.add((dataset, DCTERMS.hasPart, node))
        C.add((node, DCTERMS.isPartOf, dataset))
        C.add((node, DCTERMS.title, Literal(report.title_ja, lang="ja")))
        C.add((node, DCTERMS.title, Literal(report.title_en, lang="en")))
        for lang, title in (("ja", report.title_ja), ("en", report.title_en)):
            if template.get(lang):
                text = template[lang].format(title=title, rows=report.rows, bodies=report.bodies)
                C.add((node, DCTERMS.description, Literal(text, lang=lang)))
        C.add((node, DCTERMS.identifier, Literal(str(report.graph))))
        # The report itself is a document, not a dcat:Dataset (DCAT-AP's range of
        # dct:source), so the link is PROV's.
        C.add((node, PROV.wasDerivedFrom, report.report))
        activity = base[f"dataset/{report.slug}/extraction"]
        C.add((node, PROV.wasGeneratedBy, activity))
        C.add((activity, RDF.type, PROV.Activity))
        C.add((activity, PROV.used, report.report))
        C.add((activity, PROV.wasAssociatedWith, software))
        if report.fiscal_year:
            period = base[f"dataset/{report.slug}/period"]
            C.add((node, DCTERMS.temporal, period))
            _fy_period(C, period, report.fiscal_year, report.fiscal_year)
            C.add((node, WK.fiscalYear, Literal(report.fiscal_year, datatype=XSD.integer)))
        K.graph_distribution(node, report.slug, report.graph)

    # The public SPARQL endpoint.
    if K.service is not None and K.endpoint is not None:
        service = K.service
        C.add((catalog, DCAT.service, service))
        C.add((service, RDF.type, DCAT.DataService))
        _bilingual(C, service, DCTERMS.title, cat["service"]["title"])
        _bilingual(C, service, DCTERMS.description, cat["service"].get("description", {}))
        K.described(service)
        C.add((service, DCTERMS.conformsTo, K.standard(SPARQL_PROTOCOL)))
        C.add((service, DCAT.endpointURL, URIRef(K.endpoint)))
        C.add((service, DCAT.servesDataset, dataset))
    return C


def _plan_years(meta: dict[str, Any]) -> tuple[int, int] | None:
    """First and last fiscal year of the plans (a plan ends on 31 March of the year after
    its last fiscal year)."""
    starts, ends = [], []
    for plan in meta.get("plans", {}).values():
        if plan.get("start") and plan.get("end"):
            starts.append(int(str(plan["start"])[:4]))
            ends.append(int(str(plan["end"])[:4]) - 1)
    return (min(starts), max(ends)) if starts else None


# An e-mail address as vcard:hasEmail needs it: local@domain, no spaces, no second '@'.
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+")


def contact_point(cat: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """Name, e-mail and web page of the catalogue's contact (`catalog.contact` of
    data/dataset.yaml). The name is required; e-mail (``mailto:`` optional) and page are
    published only when set, so a deployment without a mailbox claims none.

    >>> contact_point({"contact": {"name": "Team", "email": "mailto:data@example.org"}})
    ('Team', 'data@example.org', None)
    """
    contact = cat.get("contact") or {}
    name = str(contact.get("name") or "").strip()
    if not name:
        raise VocabularyError("data/dataset.yaml: catalog.contact.name is missing "
                              "(the contact point's vcard:fn)")
    email = str(contact.get("email") or "").strip().removeprefix("mailto:") or None
    if email is not None and not _EMAIL.fullmatch(email):
        raise VocabularyError(f"data/dataset.yaml: catalog.contact.email {email!r} is not an "
                              "e-mail address (name@domain)")
    url = str(contact.get("url") or "").strip() or None
    if url is not None and urlsplit(url).scheme not in ("http", "https"):
        raise VocabularyError(f"data/dataset.yaml: catalog.contact.url {url!r} is not an "
                              "http(s) URL")
    return name, email, url


# SPDX checksum algorithms (spdx:checksumAlgorithm_<name>) that hashlib computes.
CHECKSUM_ALGORITHMS = ("sha1", "sha224", "sha256", "sha384", "sha512", "md5")


def checksum_algorithm(cat: dict[str, Any]) -> str:
    """The distributions' checksum algorithm (`catalog.checksum` of data/dataset.yaml,
    default sha1: DCAT-AP 2.1.1 requires SHA-1 and 3.0.1 accepts any one algorithm, and
    both allow one spdx:checksum per distribution, so SHA-1 is the one choice that serves
    both profiles)."""
    name = str(cat.get("checksum") or "sha1").lower()
    if name not in CHECKSUM_ALGORITHMS:
        raise VocabularyError(
            f"data/dataset.yaml: catalog.checksum {name!r} is not one of "
            f"{', '.join(CHECKSUM_ALGORITHMS)}")
    return name


def _size_and_digest(path: Path, algorithm: str) -> tuple[int, str]:
    """Byte size and checksum of a file, read a block at a time (exports reach gigabytes)."""
    digest, size = hashlib.new(algorithm), 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _software_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("welfare-kg")
    except PackageNotFoundError:  # running from a checkout without installing
        return "unknown"


def _bind(G: Graph, base_iri: str) -> None:
    for prefix, ns in (
        ("dcat", DCAT), ("dcterms", DCTERMS), ("foaf", FOAF), ("vcard", VCARD), ("void", VOID),
        ("spdx", SPDX), ("dcatap", DCATAP), ("prov", PROV), ("skos", SKOS), ("wk", WK._NS),
        ("owl", OWL), ("org", ORG), ("xsd", XSD), ("wkid", Namespace(base_iri)),
    ):
        G.bind(prefix, ns, override=True, replace=True)
