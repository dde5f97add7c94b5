"""Dataset metadata graphs: VoID statistics and a DCAT-AP 3 style catalogue.

Everything a person reads (titles, descriptions, keywords, license text) comes from
``data/dataset.yaml``; this module only arranges it. No blank nodes: every auxiliary node
(period, checksum, partition) gets an IRI under the base, so outputs are byte-identical.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV

from .build import dataset_namespaces
from .metadata import slugify
from .terms import IC, ONTOLOGY_IRI, SCHEMA, VOID, WK

__all__ = ["DatasetStats", "GraphInfo", "catalog_graph", "void_graph"]

SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCAT3 = Namespace(str(DCAT))  # rdflib lacks DCAT 3 terms such as dcat:version
IANA = "http://www.iana.org/assignments/media-types/"  # the form DCAT-AP uses
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
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
    if meta.get("sparql_endpoint"):
        V.add((dataset, VOID.sparqlEndpoint, URIRef(meta["sparql_endpoint"])))
    download = meta.get("download_url", base_iri)
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


def catalog_graph(
    reports: Sequence[GraphInfo],
    shared: GraphInfo | None,
    *,
    base_iri: str,
    meta: dict[str, Any],
    files: dict[str, Path],
) -> Graph:
    """The DCAT catalogue: catalogue, whole dataset, the shared entities' dataset, one dataset
    per report, distributions (with byte size and SHA-256 of each file in `files`, keyed by
    file name) and the SPARQL endpoint as a dcat:DataService."""
    base = Namespace(base_iri)
    cat = meta["catalog"]
    C = Graph(bind_namespaces="core")
    _bind(C, base_iri)
    catalog, dataset, service = base["catalog"], base["dataset"], base["service/sparql"]
    issued = Literal(str(meta["issued"]), datatype=XSD.date)
    license_iri = URIRef(cat["license"]["iri"])
    publisher = base[f"agent/{cat['publisher']['id']}"]
    rights = base["rights"]
    reports = sorted((r for r in reports if r.report is not None), key=lambda r: r.slug)

    # Agents, license, rights, place.
    C.add((publisher, RDF.type, FOAF.Agent))
    C.add((publisher, RDF.type, FOAF.Organization))
    _bilingual(C, publisher, FOAF.name, cat["publisher"]["name"])
    C.add((license_iri, RDF.type, DCTERMS.LicenseDocument))
    _bilingual(C, license_iri, RDFS.label, cat["license"]["title"])
    if cat["license"].get("compatible"):
        C.add((license_iri, RDFS.seeAlso, URIRef(cat["license"]["compatible"])))
    C.add((rights, RDF.type, DCTERMS.RightsStatement))
    _bilingual(C, rights, RDFS.label, cat["rights"])
    spatial = base[f"location/{cat['spatial']['id']}"]
    C.add((spatial, RDF.type, DCTERMS.Location))
    _bilingual(C, spatial, SKOS.prefLabel, cat["spatial"]["name"])
    contact = base["contact"]
    C.add((contact, RDF.type, VCARD.Organization))
    C.add((contact, VCARD.fn, Literal(cat["contact"]["name"])))
    if cat["contact"].get("url"):
        C.add((contact, VCARD.hasURL, URIRef(cat["contact"]["url"])))

    def common(node: URIRef) -> None:
        C.add((node, DCTERMS.publisher, publisher))
        C.add((node, DCTERMS.license, license_iri))
        C.add((node, DCTERMS.rights, rights))
        C.add((node, DCTERMS.issued, issued))
        for lang in cat.get("language", ()):
            C.add((node, DCTERMS.language, URIRef(lang)))

    # The catalogue.
    C.add((catalog, RDF.type, DCAT.Catalog))
    _bilingual(C, catalog, DCTERMS.title, cat["title"])
    _bilingual(C, catalog, DCTERMS.description, cat["description"])
    common(catalog)
    C.add((catalog, DCAT.dataset, dataset))
    C.add((catalog, DCAT.service, service))

    # The whole dataset.
    C.add((dataset, RDF.type, DCAT.Dataset))
    C.add((dataset, RDF.type, VOID.Dataset))
    _bilingual(C, dataset, DCTERMS.title, cat["title"])
    _bilingual(C, dataset, DCTERMS.description, cat["description"])
    common(dataset)
    C.add((dataset, DCAT.contactPoint, contact))
    C.add((dataset, DCTERMS.spatial, spatial))
    C.add((dataset, DCTERMS.conformsTo, ONTOLOGY_IRI))
    C.add((dataset, DCAT3["version"], Literal(str(meta.get("version", "1.0.0")))))
    C.add((dataset, OWL.versionInfo, Literal(str(meta.get("version", "1.0.0")))))
    for lang in ("ja", "en"):
        for word in cat["keywords"].get(lang, ()):
            C.add((dataset, DCAT.keyword, Literal(word, lang=lang)))
    for theme in cat.get("themes", ()):
        C.add((dataset, DCAT.theme, URIRef(theme)))
    if cat.get("accrual_periodicity"):
        C.add((dataset, DCTERMS.accrualPeriodicity, URIRef(cat["accrual_periodicity"])))
    # How the data was made: one extraction activity per report, by this software.
    software = base["agent/welfare-kg-software"]
    C.add((software, RDF.type, PROV.SoftwareAgent))
    C.add((software, FOAF.name, Literal("welfare-kg")))
    C.add((software, OWL.versionInfo, Literal(_software_version())))
    years = [r.fiscal_year for r in reports if r.fiscal_year]
    if years:
        period = base["dataset/period"]
        C.add((dataset, DCTERMS.temporal, period))
        _fy_period(C, period, min(years), max(years))

    # The shared entities (plan outline, bodies, organisations, concepts): one named graph
    # that every report's graph relies on.
    shared_node = base[f"dataset/{shared.slug}"] if shared is not None else None
    graph_dist = meta.get("report_dataset", {}).get("distribution", {})

    def graph_distributions(node: URIRef, slug: str, graph: URIRef) -> None:
        """Where to get one named graph: inside the TriG and N-Quads files, or through
        the SPARQL endpoint."""
        for entry in meta.get("distributions", ()):
            if entry["id"] not in ("trig", "nquads") or entry["file"] not in files:
                continue
            dist = base[f"dataset/{slug}/distribution/{entry['id']}"]
            C.add((node, DCAT.distribution, dist))
            C.add((dist, RDF.type, DCAT.Distribution))
            _bilingual(C, dist, DCTERMS.title, entry["title"])
            for lang in ("ja", "en"):
                if graph_dist.get(lang):
                    text = graph_dist[lang].format(graph=graph, file=entry["file"])
                    C.add((dist, DCTERMS.description, Literal(text, lang=lang)))
            download = URIRef(meta.get("download_url", base_iri) + entry["file"])
            C.add((dist, DCAT.accessURL, download))
            C.add((dist, DCAT.downloadURL, download))
            C.add((dist, DCAT.mediaType, URIRef(IANA + entry["media_type"])))
            C.add((dist, DCTERMS.format, URIRef(EU_FILE_TYPE + entry["format"])))
            C.add((dist, DCTERMS.license, license_iri))
            C.add((dist, DCTERMS.conformsTo, ONTOLOGY_IRI))
        if meta.get("sparql_endpoint"):
            dist = base[f"dataset/{slug}/distribution/sparql"]
            C.add((node, DCAT.distribution, dist))
            C.add((dist, RDF.type, DCAT.Distribution))
            _bilingual(C, dist, DCTERMS.title, cat["service"]["title"])
            C.add((dist, DCAT.accessService, service))
            C.add((dist, DCAT.accessURL, URIRef(meta["sparql_endpoint"])))
            C.add((dist, DCTERMS.license, license_iri))

    if shared is not None and shared_node is not None:
        texts = meta.get("shared_dataset", {})
        C.add((catalog, DCAT.dataset, shared_node))
        C.add((dataset, DCTERMS.hasPart, shared_node))
        C.add((shared_node, DCTERMS.isPartOf, dataset))
        C.add((shared_node, RDF.type, DCAT.Dataset))
        C.add((shared_node, RDF.type, VOID.Dataset))
        _bilingual(C, shared_node, DCTERMS.title, texts.get("title", {}))
        _bilingual(C, shared_node, DCTERMS.description, texts.get("description", {}))
        common(shared_node)
        C.add((shared_node, DCAT.contactPoint, contact))
        C.add((shared_node, DCTERMS.spatial, spatial))
        C.add((shared_node, DCTERMS.conformsTo, ONTOLOGY_IRI))
        C.add((shared_node, DCTERMS.identifier, Literal(str(shared.graph))))
        C.add((service, DCAT.servesDataset, shared_node))
        graph_distributions(shared_node, shared.slug, shared.graph)

    # One dataset per report (one named graph each).
    template = meta.get("report_dataset", {}).get("description", {})
    for report in reports:
        assert report.report is not None
        node = base[f"dataset/{report.slug}"]
        if shared_node is not None:  # its rows point to the shared entities
            C.add((node, DCTERMS.requires, shared_node))
        C.add((catalog, DCAT.dataset, node))
        C.add((dataset, DCTERMS.hasPart, node))
        C.add((node, DCTERMS.isPartOf, dataset))
        C.add((node, RDF.type, DCAT.Dataset))
        C.add((node, RDF.type, VOID.Dataset))
        C.add((node, DCTERMS.title, Literal(report.title_ja, lang="ja")))
        C.add((node, DCTERMS.title, Literal(report.title_en, lang="en")))
        for lang, title in (("ja", report.title_ja), ("en", report.title_en)):
            if template.get(lang):
                text = template[lang].format(title=title, rows=report.rows, bodies=report.bodies)
                C.add((node, DCTERMS.description, Literal(text, lang=lang)))
        common(node)
        C.add((node, DCAT.contactPoint, contact))
        C.add((node, DCTERMS.spatial, spatial))
        C.add((node, DCTERMS.conformsTo, ONTOLOGY_IRI))
        C.add((node, DCTERMS.identifier, Literal(str(report.graph))))
        C.add((node, DCTERMS.source, report.report))
        C.add((node, PROV.wasDerivedFrom, report.report))
        activity = base[f"dataset/{report.slug}/extraction"]
        C.add((node, PROV.wasGeneratedBy, activity))
        C.add((activity, RDF.type, PROV.Activity))
        C.add((activity, PROV.used, report.report))
        C.add((activity, PROV.wasAssociatedWith, software))
        for lang in ("ja", "en"):
            for word in cat["keywords"].get(lang, ()):
                C.add((node, DCAT.keyword, Literal(word, lang=lang)))
        if report.fiscal_year:
            period = base[f"dataset/{report.slug}/period"]
            C.add((node, DCTERMS.temporal, period))
            _fy_period(C, period, report.fiscal_year, report.fiscal_year)
            C.add((node, WK.fiscalYear, Literal(report.fiscal_year, datatype=XSD.integer)))
        C.add((service, DCAT.servesDataset, node))
        graph_distributions(node, report.slug, report.graph)

    # Distributions of the whole dataset.
    download = meta.get("download_url", base_iri)
    for entry in meta.get("distributions", ()):
        path = files.get(entry["file"])
        if path is None:
            continue
        dist = base[f"distribution/{entry['id']}"]
        C.add((dataset, DCAT.distribution, dist))
        C.add((dist, RDF.type, DCAT.Distribution))
        _bilingual(C, dist, DCTERMS.title, entry["title"])
        C.add((dist, DCAT.accessURL, URIRef(download + entry["file"])))
        C.add((dist, DCAT.downloadURL, URIRef(download + entry["file"])))
        C.add((dist, DCAT.mediaType, URIRef(IANA + entry["media_type"])))
        C.add((dist, DCTERMS.format, URIRef(EU_FILE_TYPE + entry["format"])))
        size, digest = _size_and_sha256(path)
        C.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        checksum = URIRef(f"{dist}/checksum")
        C.add((dist, SPDX.checksum, checksum))
        C.add((checksum, RDF.type, SPDX.Checksum))
        C.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        C.add((checksum, SPDX.checksumValue, Literal(digest,
                                                     datatype=XSD.hexBinary)))
        C.add((dist, DCTERMS.license, license_iri))
        C.add((dist, DCTERMS.rights, rights))
        C.add((dist, DCTERMS.issued, issued))
        if entry["format"].startswith(("RDF_", "JSON_LD")) and entry["id"] not in (
            "ontology", "shapes", "jsonld-context", "void"
        ):
            C.add((dist, DCTERMS.conformsTo, ONTOLOGY_IRI))

    # The SPARQL endpoint.
    C.add((service, RDF.type, DCAT.DataService))
    _bilingual(C, service, DCTERMS.title, cat["service"]["title"])
    common(service)
    C.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    if meta.get("sparql_endpoint"):
        C.add((service, DCAT.endpointURL, URIRef(meta["sparql_endpoint"])))
    C.add((service, DCAT.servesDataset, dataset))
    C.add((dataset, DCAT.distribution, base["distribution/sparql"]))
    sparql_dist = base["distribution/sparql"]
    C.add((sparql_dist, RDF.type, DCAT.Distribution))
    _bilingual(C, sparql_dist, DCTERMS.title, cat["service"]["title"])
    C.add((sparql_dist, DCAT.accessService, service))
    C.add((sparql_dist, DCAT.accessURL, URIRef(meta.get("sparql_endpoint", base_iri))))
    C.add((sparql_dist, DCTERMS.license, license_iri))
    return C


def _size_and_sha256(path: Path) -> tuple[int, str]:
    """Byte size and SHA-256 of a file, read a block at a time (exports reach gigabytes)."""
    digest, size = hashlib.sha256(), 0
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
        ("spdx", SPDX), ("prov", PROV), ("skos", SKOS), ("wk", WK._NS), ("owl", OWL), ("org", ORG),
        ("xsd", XSD), ("wkid", Namespace(base_iri)),
    ):
        G.bind(prefix, ns, override=True, replace=True)
