"""The JSON-LD export: a term context web developers can use, and exactly the graph's triples.

PyLD (the JSON-LD reference processor for Python) expands the published document and
compacts it again with the published context; both, and rdflib's own JSON-LD parser, must
give the same triples as the Turtle. Offline: the context is inline, no URL is fetched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyld import jsonld
from rdflib import Dataset, Graph

from welfare_kg.graph.rdf import build_outputs
from welfare_kg.paths import DEFAULT_REPORT

# rdflib's N-Quads parser warns once per triple about its own use of a deprecated API.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Dataset.default_context is deprecated:DeprecationWarning")


def _no_fetch(url: str, options: dict | None = None) -> dict:
    raise AssertionError(f"the JSON-LD processor tried to fetch {url}")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    build_outputs([DEFAULT_REPORT], out)
    return out


@pytest.fixture(scope="module")
def turtle(out: Path) -> set:
    return set(Graph().parse(out / "welfare-kg.ttl"))


@pytest.fixture(scope="module")
def document(out: Path) -> dict:
    return json.loads((out / "welfare-kg.jsonld").read_text("utf-8"))


def _triples(doc: dict) -> set:
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": _no_fetch})
    return {(s, p, o) for s, p, o, _ in Dataset().parse(data=nquads, format="nquads").quads()}


def test_expanded_json_ld_is_the_turtle(document: dict, turtle: set) -> None:
    expanded = jsonld.expand(document, {"documentLoader": _no_fetch})
    assert _triples(expanded) == turtle


def test_compacted_json_ld_is_the_turtle(out: Path, document: dict, turtle: set) -> None:
    context = json.loads((out / "context.jsonld").read_text("utf-8"))
    compacted = jsonld.compact(document, context, {"documentLoader": _no_fetch})
    assert _triples(compacted) == turtle


def test_rdflib_reads_the_same_triples(out: Path, turtle: set) -> None:
    assert set(Graph().parse(out / "welfare-kg.jsonld", format="json-ld")) == turtle


def test_the_context_has_short_terms(out: Path, document: dict) -> None:
    context = json.loads((out / "context.jsonld").read_text("utf-8"))["@context"]
    assert document["@context"] == context
    assert context["status"] == {"@id": "wk:status", "@type": "@id"}
    assert context["planText"] == {"@id": "wk:planText", "@container": "@language"}
    assert context["label"] == {"@id": "rdfs:label", "@container": "@language"}
    assert context["page"] == {"@id": "wk:page", "@type": "xsd:integer"}
    assert context["PlanRow"] == "wk:PlanRow"
    row = next(n for n in document["@graph"] if "PlanRow" in n["@type"])
    assert row["status"].startswith("wk:")
    assert set(row["planText"]) == {"ja"}
    assert isinstance(row["page"] if "page" in row else row["fiscalYear"], str)


def test_the_standard_terms_of_the_data_have_short_keys(document: dict) -> None:
    """org:unitOf / org:hasUnit and the IMI name and role are terms like the wk: ones: a
    division reads ``"unitOf": "wko:izumi-ward-office"``, its name ``"表記": "…"``."""
    context = document["@context"]
    assert context["unitOf"] == {"@id": "org:unitOf", "@type": "@id"}
    assert context["hasUnit"] == {"@id": "org:hasUnit", "@type": "@id"}
    assert context["名称"] == {"@id": "ic:名称", "@type": "@id"}
    assert context["表記"] == {"@id": "ic:表記"} and context["役割"] == {"@id": "ic:役割"}
    nodes = {n["@id"]: n for n in document["@graph"]}
    division = nodes["wkb:welfare-health-division"]
    assert division["unitOf"] == "wko:izumi-ward-office"
    assert "wkb:welfare-health-division" in nodes["wko:izumi-ward-office"]["hasUnit"]
    name = nodes[division["名称"]]
    assert name["@type"] == "名称型" and name["表記"] == "福祉保健課"
    participation = next(n for n in nodes.values() if "Participation" in n["@type"])
    assert participation["役割"] in {"実施主体", "結果に挙がる連携先"}


def test_the_file_is_laid_out_as_json_dumps_would(out: Path) -> None:
    text = (out / "welfare-kg.jsonld").read_text("utf-8")
    assert json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n" == text
