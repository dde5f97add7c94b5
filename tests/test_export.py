"""Exports: round trips, a second parser (pyoxigraph), byte-identical output, DCAT/VoID, CSV."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from graph_fixtures import PILLARS, second_year, three_rows, vocabulary
from rdflib import RDF, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, PROV, XSD

from welfare_kg.datafiles import load_yaml, normalize
from welfare_kg.graph.rdf.build import build_dataset, union_graph
from welfare_kg.graph.rdf.exports import OUTPUT_FILES, export_dataset
from welfare_kg.graph.rdf.metadata import default_base_iri, load_metadata
from welfare_kg.graph.rdf.terms import ONTOLOGY_IRI, VOID, WK
from welfare_kg.paths import DATA_DIR

ID = default_base_iri()
RDF_FILES = {
    "welfare-kg.ttl": ("turtle", pyoxigraph.RdfFormat.TURTLE),
    "welfare-kg.nt": ("nt", pyoxigraph.RdfFormat.N_TRIPLES),
    "welfare-kg.jsonld": ("json-ld", pyoxigraph.RdfFormat.JSON_LD),
}
DATASET_FILES = {
    "welfare-kg.trig": ("trig", pyoxigraph.RdfFormat.TRIG),
    "welfare-kg.nq": ("nquads", pyoxigraph.RdfFormat.N_QUADS),
}

DCAT3 = Namespace("http://www.w3.org/ns/dcat#")  # rdflib's DCAT lacks the DCAT 3 terms
SPDX = Namespace("http://spdx.org/rdf/terms#")


def _dataset() -> Dataset:
    return build_dataset([three_rows(), second_year()], vocabulary=vocabulary(),
                         pillar_names=PILLARS)


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return _dataset()


@pytest.fixture(scope="module")
def out(ds: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("out")
    written = export_dataset(ds, out_dir)
    assert [p.name for p in written] == list(OUTPUT_FILES)
    return out_dir


@pytest.mark.parametrize("name", sorted(RDF_FILES))
def test_graph_exports_round_trip(ds: Dataset, out: Path, name: str) -> None:
    fmt, _ = RDF_FILES[name]
    parsed = Graph().parse(out / name, format=fmt)
    assert isomorphic(parsed, union_graph(ds))


@pytest.mark.parametrize("name", sorted(DATASET_FILES))
def test_dataset_exports_round_trip_with_one_graph_per_report(
    ds: Dataset, out: Path, name: str
) -> None:
    fmt, _ = DATASET_FILES[name]
    parsed = Dataset()
    parsed.parse(out / name, format=fmt)
    expected = {str(g.identifier): g for g in ds.graphs() if len(g)}
    got = {str(g.identifier): g for g in parsed.graphs() if len(g)}
    assert set(got) == set(expected) == {f"{ID}graph/shared", f"{ID}graph/izumi-fy2021",
                                         f"{ID}graph/izumi-wakuwaku-fy2022-report"}
    for iri, G in expected.items():
        assert isomorphic(got[iri], G), iri


@pytest.mark.parametrize("name", sorted(RDF_FILES))
def test_pyoxigraph_reads_the_same_number_of_triples(ds: Dataset, out: Path, name: str) -> None:
    _, fmt = RDF_FILES[name]
    quads = list(pyoxigraph.parse(path=str(out / name), format=fmt))
    assert len(quads) == len(union_graph(ds))


@pytest.mark.parametrize("name", sorted(DATASET_FILES))
def test_pyoxigraph_reads_the_same_quads(ds: Dataset, out: Path, name: str) -> None:
    _, fmt = DATASET_FILES[name]
    quads = list(pyoxigraph.parse(path=str(out / name), format=fmt))
    assert len(quads) == sum(len(g) for g in ds.graphs())
    assert {str(q.graph_name.value) for q in quads} == {
        f"{ID}graph/shared", f"{ID}graph/izumi-fy2021", f"{ID}graph/izumi-wakuwaku-fy2022-report"}
    # shared entities are in the dataset once: the quads are the union's triples, no more
    assert len(quads) == len(union_graph(ds))


@pytest.mark.parametrize("name", ["catalog.ttl", "void.ttl", "ontology.ttl", "shapes.ttl"])
def test_metadata_files_parse_in_pyoxigraph(out: Path, name: str) -> None:
    quads = list(pyoxigraph.parse(path=str(out / name), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(Graph().parse(out / name))


def test_outputs_are_byte_identical(ds: Dataset, out: Path, tmp_path: Path) -> None:
    export_dataset(_dataset(), tmp_path)
    for name in OUTPUT_FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_outputs_do_not_depend_on_hash_seed(out: Path, tmp_path: Path) -> None:
    script = (
        "import sys; sys.path.insert(0, sys.argv[2]);"
        "from pathlib import Path; from graph_fixtures import *;"
        "from welfare_kg.graph.rdf.build import build_dataset;"
        "from welfare_kg.graph.rdf.exports import export_dataset;"
        "export_dataset(build_dataset([three_rows(), second_year()], vocabulary=vocabulary(),"
        " pillar_names=PILLARS), Path(sys.argv[1]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(tmp_path), str(Path(__file__).parent)],
                   check=True, env=env)
    for name in OUTPUT_FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_no_blank_nodes_in_any_rdf_export(out: Path) -> None:
    for name in ("welfare-kg.ttl", "catalog.ttl", "void.ttl"):
        G = Graph().parse(out / name)
        assert not any(isinstance(n, BNode) for n in G.all_nodes()), name


def test_jsonld_uses_the_published_context(out: Path) -> None:
    doc = json.loads((out / "welfare-kg.jsonld").read_text("utf-8"))
    context = json.loads((out / "context.jsonld").read_text("utf-8"))
    assert doc["@context"] == context["@context"]
    assert context["@context"]["wk"] == "https://w3id.org/welfare-kg/ontology#"


@pytest.fixture(scope="module")
def catalog(out: Path) -> Graph:
    return Graph().parse(out / "catalog.ttl")


def test_catalog_describes_dataset_bilingually(catalog: Graph) -> None:
    dataset = URIRef(f"{ID}dataset")
    assert (URIRef(f"{ID}catalog"), DCAT.dataset, dataset) in catalog
    for pred in (DCTERMS.title, DCTERMS.description):
        assert {lit.language for lit in catalog.objects(dataset, pred)} == {"ja", "en"}
    assert (dataset, DCTERMS.conformsTo, ONTOLOGY_IRI) in catalog
    assert catalog.value(dataset, DCTERMS.publisher) is not None
    assert {lit.language for lit in catalog.objects(dataset, DCAT.keyword)} == {"ja", "en"}
    period = catalog.value(dataset, DCTERMS.temporal)
    assert catalog.value(period, DCAT.startDate) == Literal("2021-04-01", datatype=XSD.date)
    assert catalog.value(period, DCAT.endDate) == Literal("2023-03-31", datatype=XSD.date)
    assert catalog.value(dataset, DCTERMS.spatial) is not None


def test_catalog_license_follows_pdl(catalog: Graph) -> None:
    dataset = URIRef(f"{ID}dataset")
    license_iri = catalog.value(dataset, DCTERMS.license)
    assert "public_data_license" in str(license_iri)
    rights = catalog.value(dataset, DCTERMS.rights)
    texts = [str(t) for t in catalog.objects(rights, None) if isinstance(t, Literal)]
    assert any("を加工して作成" in t for t in texts)


def test_distributions_have_true_sizes_and_media_types(catalog: Graph, out: Path) -> None:
    dists = list(catalog.objects(URIRef(f"{ID}dataset"), DCAT.distribution))
    sized = [d for d in dists if catalog.value(d, DCAT.byteSize) is not None]
    assert len(sized) >= 10
    for dist in sized:
        name = str(catalog.value(dist, DCAT.downloadURL)).rsplit("/", 1)[-1]
        assert int(catalog.value(dist, DCAT.byteSize)) == (out / name).stat().st_size, name
        assert str(catalog.value(dist, DCAT.mediaType)).startswith(
            "http://www.iana.org/assignments/media-types/")
        assert {lit.language for lit in catalog.objects(dist, DCTERMS.title)} == {"ja", "en"}


def test_no_endpoint_is_claimed_unless_one_is_configured(catalog: Graph, out: Path) -> None:
    """data/dataset.yaml names no public endpoint: no data service, no SPARQL distribution,
    no void:sparqlEndpoint, and never a loopback address."""
    assert not list(catalog.subjects(RDF.type, DCAT.DataService))
    assert not [d for d in catalog.subjects(RDF.type, DCAT.Distribution)
                if str(d).endswith("/sparql")]
    assert not list(Graph().parse(out / "void.ttl").objects(None, VOID.sparqlEndpoint))
    assert b"127.0.0.1" not in (out / "catalog.ttl").read_bytes()


def test_a_configured_public_endpoint_is_a_data_service(
        ds: Dataset, tmp_path: Path) -> None:
    meta = {**load_metadata(), "sparql_endpoint": "https://sparql.example.org/query",
            "download_url": "https://files.example.org/kg/"}
    export_dataset(ds, tmp_path, metadata=meta)
    catalog = Graph().parse(tmp_path / "catalog.ttl")
    services = list(catalog.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1
    endpoint = URIRef("https://sparql.example.org/query")
    assert catalog.value(services[0], DCAT.endpointURL) == endpoint
    assert (services[0], DCAT.servesDataset, URIRef(f"{ID}dataset")) in catalog
    for node, dist in (("dataset", "distribution/sparql"),
                       ("dataset/shared", "dataset/shared/distribution/sparql"),
                       ("dataset/izumi-fy2021", "dataset/izumi-fy2021/distribution/sparql")):
        dist = URIRef(f"{ID}{dist}")
        assert (URIRef(f"{ID}{node}"), DCAT.distribution, dist) in catalog
        assert catalog.value(dist, DCAT.accessURL) == endpoint
        assert catalog.value(dist, DCTERMS.format) is not None
    assert (URIRef(f"{ID}distribution/turtle"), DCAT.downloadURL,
            URIRef("https://files.example.org/kg/welfare-kg.ttl")) in catalog
    void = Graph().parse(tmp_path / "void.ttl")
    assert void.value(URIRef(f"{ID}dataset"), VOID.sparqlEndpoint) == endpoint


def test_the_shared_graph_is_a_dataset_the_reports_require(catalog: Graph) -> None:
    node = URIRef(f"{ID}dataset/shared")
    assert (node, RDF.type, DCAT.Dataset) in catalog
    assert (URIRef(f"{ID}dataset"), DCTERMS.hasPart, node) in catalog
    assert catalog.value(node, DCTERMS.identifier) == Literal(f"{ID}graph/shared")
    assert {lit.language for lit in catalog.objects(node, DCTERMS.title)} == {"ja", "en"}
    for slug in ("izumi-fy2021", "izumi-wakuwaku-fy2022-report"):
        assert (URIRef(f"{ID}dataset/{slug}"), DCTERMS.requires, node) in catalog


def test_each_report_is_a_dataset(catalog: Graph, out: Path) -> None:
    series = URIRef(f"{ID}dataset/reports")
    assert (series, RDF.type, DCAT3.DatasetSeries) in catalog
    assert (URIRef(f"{ID}catalog"), DCAT.dataset, series) in catalog
    assert catalog.value(series, DCAT3.first) == URIRef(f"{ID}dataset/izumi-fy2021")
    assert catalog.value(series, DCAT3.last) == URIRef(
        f"{ID}dataset/izumi-wakuwaku-fy2022-report")
    assert catalog.value(URIRef(f"{ID}dataset/izumi-wakuwaku-fy2022-report"),
                         DCAT3.prev) == URIRef(f"{ID}dataset/izumi-fy2021")
    for slug in ("izumi-fy2021", "izumi-wakuwaku-fy2022-report"):
        node = URIRef(f"{ID}dataset/{slug}")
        assert (node, RDF.type, DCAT.Dataset) in catalog
        assert (URIRef(f"{ID}catalog"), DCAT.dataset, node) in catalog
        assert {lit.language for lit in catalog.objects(node, DCTERMS.description)} == {"ja", "en"}
        assert (node, DCAT3.inSeries, URIRef(f"{ID}dataset/reports")) in catalog
        # its own download: the named graph alone, with its true size and checksum
        dists = list(catalog.objects(node, DCAT.distribution))
        assert [str(d).rsplit("/", 1)[-1] for d in dists] == ["nquads"]
        file = out / "graphs" / f"{slug}.nq"
        assert int(catalog.value(dists[0], DCAT.byteSize)) == file.stat().st_size
        checksum = catalog.value(dists[0], SPDX.checksum)
        assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha1(
            file.read_bytes()).hexdigest()
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha1
        quads = Dataset().parse(file, format="nquads").quads()
        assert {str(g) for _, _, _, g in quads} == {f"{ID}graph/{slug}"}
        activity = catalog.value(node, PROV.wasGeneratedBy)
        assert catalog.value(activity, PROV.used) == URIRef(f"{ID}report/{slug}")


def test_void_statistics(ds: Dataset, out: Path) -> None:
    V = Graph().parse(out / "void.ttl")
    dataset = URIRef(f"{ID}dataset")
    assert int(V.value(dataset, VOID.triples)) == len(union_graph(ds))
    partitions = {V.value(p, VOID["class"]): int(V.value(p, VOID.entities))
                  for p in V.objects(dataset, VOID.classPartition)}
    assert partitions[WK.PlanRow] == 4
    properties = {V.value(p, VOID.property): int(V.value(p, VOID.triples))
                  for p in V.objects(dataset, VOID.propertyPartition)}
    assert properties[WK.implementedBy] == 3 + 2 + 2 + 3
    subsets = set(V.objects(dataset, VOID.subset))
    assert subsets == {URIRef(f"{ID}dataset/{slug}") for slug in (
        "shared", "izumi-fy2021", "izumi-wakuwaku-fy2022-report")}
    assert sum(int(V.value(s, VOID.triples)) for s in subsets) == len(union_graph(ds))
    U = union_graph(ds)
    assert int(V.value(dataset, VOID.distinctSubjects)) == len(set(U.subjects()))
    assert int(V.value(dataset, VOID.distinctObjects)) == len(set(U.objects()))
    assert int(V.value(dataset, VOID.entities)) == len(
        {s for s in U.subjects() if str(s).startswith(ID)})


def test_rows_csv(out: Path) -> None:
    assert (out / "rows.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8
    with (out / "rows.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["report"], r["line"]) for r in rows] == [
        ("izumi-fy2021", "3"), ("izumi-fy2021", "15"), ("izumi-fy2021", "60"),
        ("izumi-wakuwaku-fy2022-report", "3"),
    ]
    assert rows[1]["bodies"].split("|") == ["高齢・障害支援課", "泉警察"]  # by body IRI
    assert rows[1]["partners"] == "医師会"
    assert rows[2]["status"] == "cancelled"
    assert (rows[2]["status_ja"], rows[2]["status_en"], rows[2]["status_iri"]) == (
        "中止", "Cancelled", "https://w3id.org/welfare-kg/ontology#Cancelled")
    assert rows[2]["quantities"] == "2回|45人(参加)"
    # English titles beside the printed ones (data/initiatives.yaml, data/outline.yaml)
    english = {normalize(e["ja"]): e["en"]
               for e in load_yaml(DATA_DIR / "initiatives.yaml")["initiatives"]}
    for r in rows[:2]:
        assert r["initiative_en"] == english[normalize(r["initiative"])] != ""
        assert r["action_plan_en"].isascii() and r["action_plan_en"]


def test_bodies_csv(out: Path) -> None:
    assert (out / "bodies.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with (out / "bodies.csv").open(encoding="utf-8-sig", newline="") as fh:
        bodies = {r["id"]: r for r in csv.DictReader(fh)}
    division = bodies["elderly-disability-support-division"]
    assert (division["rows"], division["reports"]) == ("3", "2")
    assert division["type"] == "WardOfficeDivision"
    assert (division["type_ja"], division["type_en"]) == ("区役所の課", "Ward-office division")
    assert bodies["izumi-police-station"]["type"] == "PoliceStation"


@pytest.mark.skipif(shutil.which("rapper") is None, reason="raptor2-utils (rapper) not installed")
@pytest.mark.parametrize("name,syntax", [
    ("welfare-kg.ttl", "turtle"), ("welfare-kg.nt", "ntriples"), ("welfare-kg.trig", "trig"),
    ("welfare-kg.nq", "nquads"), ("catalog.ttl", "turtle"), ("void.ttl", "turtle"),
])
def test_raptor_reads_the_same_number_of_triples(ds: Dataset, out: Path, name: str,
                                                 syntax: str) -> None:
    """A third, independent parser (Raptor, in C) agrees on every RDF export."""
    result = subprocess.run(["rapper", "-q", "-i", syntax, "-o", "ntriples", str(out / name)],
                            capture_output=True, check=True)
    count = len([line for line in result.stdout.splitlines() if line.strip()])
    if name.startswith("welfare-kg"):
        # rapper flattens datasets into triples; duplicates across graphs count once per graph
        expected = len(union_graph(ds)) if name.endswith((".ttl", ".nt")) else sum(
            len(g) for g in ds.graphs())
        assert count == expected
    else:
        assert count == len(Graph().parse(out / name))


def test_a_failing_export_leaves_the_previous_build_whole(
    ds: Dataset, out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exports are staged: if one serialisation fails, no file of the old build changes."""
    target = tmp_path / "build"
    shutil.copytree(out, target)
    before = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert Path("graphs/shared.nq") in before
    smaller = build_dataset([three_rows()], vocabulary=vocabulary(), pillar_names=PILLARS)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full while writing JSON-LD")

    monkeypatch.setattr("welfare_kg.graph.rdf.exports.write_jsonld", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        export_dataset(smaller, target)
    assert {p.relative_to(target): p.read_bytes()
            for p in target.rglob("*") if p.is_file()} == before
