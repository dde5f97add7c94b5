"""Data for the SPARQL tests: the hand-made mini graph and a build directory made from it.

`MINI` (tests/data/mini-graph.trig) holds one report of six rows; its header comment lists
them. The fixtures that use it live in sparql_fixtures.py.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pyoxigraph import RdfFormat, Store, serialize

from welfare_kg.graph.sparql.store import load_store

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini-graph.trig"
ID = "https://w3id.org/welfare-kg/id/"
WK = "https://w3id.org/welfare-kg/ontology#"
REPORT_GRAPH = "https://w3id.org/welfare-kg/graph/report/fy2021"
BODIES_GRAPH = "https://w3id.org/welfare-kg/graph/bodies"

# What each library query needs to run on the mini graph.
PARAMS: dict[str, dict[str, str]] = {
    "body-portfolio": {"body": "区社会福祉協議会"},
    "body-partners": {"body": "地域ケアプラザ"},
    "keyword-search": {"word": "参加"},
}

# A value for every parameter the library declares, each matching something in the mini graph.
SAMPLE_VALUES: dict[str, str] = {
    "body": "区社会福祉協議会",
    "word": "参加",
    "pillarNumber": "2",
    "unit": "人",
    "status": "wk:Partial",
    "row": ID + "r3",
}


def write_build(out_dir: Path) -> Path:
    """A build directory holding the mini graph as `welfare-kg.nq`, as the build writes it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    store = load_store([MINI])
    path = out_dir / "welfare-kg.nq"
    path.write_bytes(serialize(store, format=RdfFormat.N_QUADS))
    return path


@cache
def bundled_store() -> Store:
    """The graph of the bundled FY2021 report, built in memory once per test session."""
    from welfare_kg.graph.rdf.build import build_dataset
    from welfare_kg.graph.rdf.exports import to_nquads
    from welfare_kg.graph.report.extract import extract_report
    from welfare_kg.paths import DEFAULT_REPORT

    store = Store()
    store.load(to_nquads(build_dataset([extract_report(DEFAULT_REPORT)])),
               format=RdfFormat.N_QUADS)
    return store
