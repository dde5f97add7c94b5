"""The catalogue against the official DCAT-AP 3.0.1 SHACL shapes (tests/data/dcat-ap/).

Today the catalogue passes the core (mandatory) shapes and the deprecated-terms check; the
range, recommended and controlled-vocabulary shapes still report violations (issue 11, see
tests/data/dcat-ap/README.md) and join this test once the catalogue is rewritten.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import DCTERMS

from welfare_kg.graph.rdf import build_outputs
from welfare_kg.paths import DEFAULT_REPORT

SHAPES = Path(__file__).parent / "data" / "dcat-ap"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    out = tmp_path_factory.mktemp("out")
    build_outputs([DEFAULT_REPORT], out)
    return Graph().parse(out / "catalog.ttl")


@pytest.mark.parametrize("shapes", ["shapes.ttl", "deprecateduris.ttl"])
def test_catalogue_conforms_to_dcat_ap_3(catalogue: Graph, shapes: str) -> None:
    conforms, _, text = validate(
        catalogue, shacl_graph=Graph().parse(SHAPES / shapes), inference="none",
        allow_warnings=False)
    assert conforms, text


def test_core_shapes_catch_a_dataset_without_description(catalogue: Graph) -> None:
    """Negative control: the core shapes reach the catalogue's datasets."""
    broken = Graph()
    broken += catalogue
    broken.remove((None, DCTERMS.description, None))
    conforms, _, text = validate(
        broken, shacl_graph=Graph().parse(SHAPES / "shapes.ttl"), inference="none")
    assert not conforms and "dct:description" in text
