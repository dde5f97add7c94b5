"""Library answers on the bundled report against the hand-checked reading of the report.

tests/data/reading/*.jsonl is a person's reading of every row (first line, bodies as
printed, initiative, action plan). The questions here depend only on what the reading
records, so their answers must match it exactly.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest
from sparql_data import bundled_store

from welfare_kg.graph.sparql.store import run_query
from welfare_kg.paths import DATA_DIR

READING = Path(__file__).parent / "data" / "reading"


def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).replace(" ", "").replace("\u3000", "")


@pytest.fixture(scope="module")
def reading() -> dict[int, dict]:
    """Rows of the reading by first line, with bodies as their vocabulary names (ja)."""
    names: dict[str, str] = {}
    with (DATA_DIR / "bodies.csv").open(encoding="utf-8", newline="") as fh:
        for body in csv.DictReader(fh):
            for name in [body["name_ja"], *filter(None, body["aliases"].split("|"))]:
                names[_key(name)] = body["name_ja"]
    rows = {}
    for path in sorted(READING.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row["bodies"] = sorted({names[_key(b)] for b in row["bodies"]})
                rows[row["line"]] = row
    return rows


def values(name: str, **params: str) -> list[dict]:
    return run_query(bundled_store(), name, params).values()


def line(iri: str) -> int:
    return int(iri.rsplit("/", 1)[1])


def test_every_read_row_is_in_the_graph(reading: dict[int, dict]) -> None:
    assert sorted(line(r["row"]) for r in values("row-provenance")) == sorted(reading)


def test_single_body_rows(reading: dict[int, dict]) -> None:
    got = sorted((line(r["row"]), r["bodyLabel"]) for r in values("single-body-rows"))
    assert got == sorted((n, r["bodies"][0]) for n, r in reading.items() if len(r["bodies"]) == 1)


def test_bodies_never_alone(reading: dict[int, dict]) -> None:
    fewest: dict[str, int] = {}
    for r in reading.values():
        for b in r["bodies"]:
            fewest[b] = min(fewest.get(b, 99), len(r["bodies"]))
    got = sorted(r["bodyLabel"] for r in values("bodies-never-alone"))
    assert got == sorted(b for b, n in fewest.items() if n > 1)


def test_body_collaboration(reading: dict[int, dict]) -> None:
    pairs = Counter(p for r in reading.values() for p in combinations(r["bodies"], 2))
    got = {tuple(sorted((r["labelA"], r["labelB"]))): r["sharedRows"]
           for r in values("body-collaboration")}
    assert got == {tuple(sorted(p)): n for p, n in pairs.items()}


@pytest.mark.parametrize("body", ["区社会福祉協議会", "地域ケアプラザ", "泉警察"])
def test_body_portfolio(body: str, reading: dict[int, dict]) -> None:
    got = sorted((line(r["row"]), r["bodies"]) for r in values("body-portfolio", body=body))
    assert got == sorted((n, len(r["bodies"])) for n, r in reading.items() if body in r["bodies"])


def test_plan_skeleton_initiatives_and_bodies(reading: dict[int, dict]) -> None:
    expected = Counter((r["initiative"], b) for r in reading.values() if r["initiative"]
                       for b in r["bodies"])
    got = {(r["initiativeLabel"], r["bodyLabel"]): r["rows"] for r in values("plan-skeleton")
           if r.get("bodyLabel")}
    assert got == dict(expected)


def test_rows_without_initiative(reading: dict[int, dict]) -> None:
    got = sorted(line(r["row"]) for r in values("rows-without-initiative"))
    assert got == sorted(n for n, r in reading.items() if not r["initiative"])
