"""One source for the base of the data IRIs: `base_iri` of data/dataset.yaml.

`build` read the YAML while the automatic build behind query/maps/serve and the prefixes of
query tables used a constant of graph/rdf/build.py; a deployment that changed the YAML got two
different bases.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graph_fixtures import three_rows
from rdflib import URIRef

from welfare_kg.commands.query import _display_prefixes
from welfare_kg.graph.rdf import build as build_module
from welfare_kg.graph.rdf import metadata as metadata_module
from welfare_kg.graph.rdf.build import build_dataset, union_graph
from welfare_kg.graph.rdf.metadata import default_base_iri, load_metadata
from welfare_kg.graph.sparql.store import ensure_build
from welfare_kg.paths import DATA_DIR

OTHER = "https://example.org/elsewhere/"


@pytest.fixture
def other_base(monkeypatch: pytest.MonkeyPatch) -> str:
    """data/dataset.yaml as if its base_iri were OTHER."""
    meta = {**load_metadata(), "base_iri": OTHER}
    monkeypatch.setattr(metadata_module, "load_metadata", lambda *a, **k: meta)
    monkeypatch.setattr(build_module, "load_metadata", lambda *a, **k: meta)
    return OTHER


def test_the_default_base_is_the_one_of_dataset_yaml() -> None:
    text = (DATA_DIR / "dataset.yaml").read_text(encoding="utf-8")
    assert f"\nbase_iri: {default_base_iri()}\n" in text
    assert not hasattr(build_module, "DEFAULT_BASE_IRI")  # no second copy in code


def test_build_without_a_base_uses_the_yaml(other_base: str) -> None:
    U = union_graph(build_dataset([three_rows()]))
    subjects = {str(s) for s in U.subjects() if isinstance(s, URIRef)}
    assert any(s.startswith(other_base + "report/") for s in subjects)
    assert not any(s.startswith("https://w3id.org/welfare-kg/id/") for s in subjects)


def test_table_prefixes_follow_the_yaml(other_base: str) -> None:
    prefixes = _display_prefixes()
    assert prefixes["wkb"] == other_base + "body/"
    assert prefixes["wkr"] == other_base + "report/"


def test_the_automatic_build_follows_the_yaml(other_base: str, tmp_path: Path) -> None:
    built = ensure_build(tmp_path)
    text = built.read_text(encoding="utf-8")
    assert f"<{other_base}report/izumi-fy2021/row/" in text
    assert "<https://w3id.org/welfare-kg/id/" not in text
