"""The catalogue through CKAN's DCAT harvester parser (ckanext-dcat), offline.

A CKAN portal harvesting `out/catalog.ttl` runs ckanext-dcat's RDF parser with its
DCAT-AP 2 or 3 profile; `ckan_harvest.py` runs that parser in a subprocess (no CKAN
server or database is needed for parsing) and the tests check that the fields a portal
shows are filled: title, description, landing page, licence, dates, contact, and for every
distribution its format, media type, access URL, size and checksum. What CKAN cannot map
is pinned as such: PDL 1.0 is not in CKAN's licence register, so `license_id` stays empty
while every resource carries the licence's title.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, Namespace

from welfare_kg.graph.rdf import build_outputs
from welfare_kg.graph.rdf.metadata import load_metadata
from welfare_kg.paths import DEFAULT_REPORT

pytestmark = pytest.mark.integration
pytest.importorskip("ckanext.dcat", reason="ckanext-dcat (test extras of pyproject.toml)")

HARVEST = Path(__file__).with_name("ckan_harvest.py")
ENDPOINT = "https://sparql.example.org/query"
PROFILES = ["euro_dcat_ap_2", "euro_dcat_ap_3"]
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # open: pytest probes module attributes


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    build_outputs([DEFAULT_REPORT], out, public_endpoint=ENDPOINT)
    return out / "catalog.ttl"


def _harvest(catalogue: Path, profile: str) -> list[dict[str, Any]]:
    done = subprocess.run([sys.executable, str(HARVEST), str(catalogue), profile],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _extras(dataset: dict[str, Any]) -> dict[str, str]:
    return {e["key"]: e["value"] for e in dataset.get("extras", [])}


@pytest.fixture(scope="module", params=PROFILES)
def harvested(request: pytest.FixtureRequest, built: Path) -> tuple[Graph, list[dict]]:
    return Graph().parse(built), _harvest(built, request.param)


def test_every_dataset_is_harvested_with_its_fields(harvested) -> None:
    C, datasets = harvested
    meta = load_metadata()
    expected = {str(d) for d in C.subjects(RDF.type, DCAT.Dataset)}
    by_uri = {_extras(d).get("uri"): d for d in datasets}
    assert set(by_uri) == expected
    for uri, dataset in by_uri.items():
        node = URIRef(uri)
        english = {str(t) for t in C.objects(node, DCTERMS.title) if t.language == "en"}
        assert dataset["title"] in english, uri
        assert dataset["notes"] and dataset["notes"] in {
            str(t) for t in C.objects(node, DCTERMS.description)}, uri
        assert dataset["url"] == meta["catalog"]["landing_page"], uri
        extras = _extras(dataset)
        assert extras["issued"] == str(meta["issued"]) and extras["modified"], uri
        assert extras["contact_name"] == meta["catalog"]["contact"]["name"], uri
        assert extras["contact_url"] == meta["catalog"]["contact"]["url"], uri
        assert "contact_email" not in extras  # the bundled configuration has no mailbox
        assert {t["name"] for t in dataset["tags"]} >= set(meta["catalog"]["keywords"]["en"])


def test_licence_is_not_in_ckans_register_but_every_resource_names_it(harvested) -> None:
    _, datasets = harvested
    title = load_metadata()["catalog"]["license"]["title"]["en"]
    for dataset in datasets:
        assert dataset.get("license_id", "") == ""  # PDL 1.0: no entry in CKAN's register
        assert all(r["license"] == title for r in dataset["resources"])


def test_every_distribution_is_a_resource_with_format_type_and_url(harvested) -> None:
    C, datasets = harvested
    resources = {r["uri"]: r for d in datasets for r in d["resources"]}
    dists = {str(d) for d in C.subjects(RDF.type, DCAT.Distribution)}
    assert set(resources) == dists and len(dists) > 10
    for uri, resource in resources.items():
        node = URIRef(uri)
        assert resource["format"] == str(C.value(node, DCTERMS.format)), uri
        assert resource["access_url"] == str(C.value(node, DCAT.accessURL)), uri
        assert resource["url"] and resource["name"] and resource["description"], uri
        download = C.value(node, DCAT.downloadURL)
        if download is None:  # the SPARQL distributions: the endpoint, no file, and no one
            # media type (the endpoint answers in several result formats)
            assert resource["access_url"] == ENDPOINT, uri
            assert "size" not in resource and "mimetype" not in resource, uri
            continue
        assert resource["mimetype"] == str(C.value(node, DCAT.mediaType)), uri
        assert resource["download_url"] == str(download), uri
        assert int(resource["size"]) == int(C.value(node, DCAT.byteSize)), uri
        assert resource["hash"] and resource["hash_algorithm"].endswith("_sha1"), uri


def test_a_configured_contact_email_reaches_the_portal(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from welfare_kg.graph.rdf import exports

    meta = load_metadata()
    meta = {**meta, "catalog": {**meta["catalog"], "contact": {
        "name": "Open data desk", "email": "od@example.org"}}}
    monkeypatch.setattr(exports, "load_metadata", lambda: meta)
    build_outputs([DEFAULT_REPORT], tmp_path / "out")
    for dataset in _harvest(tmp_path / "out" / "catalog.ttl", "euro_dcat_ap_3"):
        extras = _extras(dataset)
        assert extras["contact_email"] == "od@example.org"
        assert extras["contact_name"] == "Open data desk" and "contact_url" not in extras
