"""Fixtures for the SPARQL tests (a pytest plugin: `pytest_plugins = ["sparql_fixtures"]`).

`mini_store` is the mini graph in memory, `build_dir` an out/ directory holding it, and
`oxigraph_server` a real `oxigraph serve` on a free loopback port.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Store
from sparql_data import MINI, write_build

from welfare_kg.graph.sparql.server import OxigraphServer
from welfare_kg.graph.sparql.store import load_store


@pytest.fixture(scope="session")
def mini_store() -> Store:
    """An in-memory store of the mini graph (do not write to it)."""
    return load_store([MINI])


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    """A fresh out/ directory with the mini graph as its build."""
    write_build(tmp_path / "out")
    return tmp_path / "out"


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A writable Oxigraph server on a free loopback port, empty at start."""
    location = tmp_path_factory.mktemp("oxigraph") / "store"
    with OxigraphServer(location, writable=True) as server:
        yield server
    shutil.rmtree(location, ignore_errors=True)
