"""SHACL shapes: the built graph conforms; one violating file per shape is caught."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graph_fixtures import PILLARS, second_year, three_rows, vocabulary
from rdflib import Graph

from welfare_kg.errors import InputError
from welfare_kg.graph.rdf.build import build_dataset, union_graph
from welfare_kg.graph.rdf.validation import DEFAULT_SHAPES, load_rdf, validate_graph

SHAPES_DATA = Path(__file__).parent / "data" / "shapes"
VIOLATIONS = sorted(p for p in SHAPES_DATA.glob("*.ttl") if p.name != "base.ttl")


def _header(path: Path, key: str) -> str:
    match = re.search(rf"^# {key}: (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"{path.name} lacks a '# {key}:' header"
    return match.group(1).strip()


def test_base_fixture_conforms() -> None:
    report = validate_graph(load_rdf([SHAPES_DATA / "base.ttl"]))
    assert report.conforms, report.text()


def test_built_graph_conforms() -> None:
    ds = build_dataset([three_rows(), second_year()], vocabulary=vocabulary(),
                       pillar_names=PILLARS)
    report = validate_graph(union_graph(ds))
    assert report.conforms, report.text()


def test_every_shape_has_a_violating_file() -> None:
    shapes = Graph().parse(DEFAULT_SHAPES)
    names = {
        str(s).rsplit("#", 1)[-1]
        for s in shapes.subjects(predicate=None, object=None)
        if str(s).endswith("Shape")
    }
    covered = {_header(p, "shape") for p in VIOLATIONS}
    assert names - covered == set()


@pytest.mark.parametrize("path", VIOLATIONS, ids=lambda p: p.stem)
def test_violation_is_caught_by_its_shape(path: Path) -> None:
    report = validate_graph(load_rdf([SHAPES_DATA / "base.ttl", path]))
    assert not report.conforms
    shape = _header(path, "shape")
    message = _header(path, "message")
    assert shape  # the header documents which shape the file is for
    assert report.findings, report.text()
    # Exactly one constraint breaks: every finding carries the expected message.
    for finding in report.findings:
        assert message in finding.message, report.text()


def test_report_text_is_readable() -> None:
    files = [SHAPES_DATA / "base.ttl", SHAPES_DATA / "row-without-body.ttl"]
    report = validate_graph(load_rdf(files))
    text = report.text()
    assert text.startswith("The graph does not conform: 1 finding(s).")
    assert "Violation: ex:bad wk:implementedBy: A row needs at least one implementing body" in text


def test_unreadable_files_are_input_errors(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.ttl: not valid turtle"):
        load_rdf([bad])
    with pytest.raises(InputError, match="unknown RDF file extension"):
        load_rdf([tmp_path / "rows.csv"])
    with pytest.raises(InputError, match="no such file"):
        load_rdf([tmp_path / "missing.ttl"])


def test_datasets_are_validated_graph_by_graph(tmp_path: Path) -> None:
    from welfare_kg.graph.rdf.exports import to_nquads
    from welfare_kg.graph.rdf.validation import validate_files

    ds = build_dataset([three_rows(), second_year()], vocabulary=vocabulary(),
                       pillar_names=PILLARS)
    good = tmp_path / "good.nq"
    good.write_bytes(to_nquads(ds))
    assert validate_files([good]).conforms
    # Drop the implementing bodies of one row, in one report's graph only.
    broken = tmp_path / "broken.nq"
    lines = good.read_text("utf-8").splitlines(keepends=True)
    broken.write_text("".join(
        line for line in lines
        if not (line.startswith("<https://w3id.org/welfare-kg/id/report/izumi-fy2021/row/60>")
                and "#implementedBy>" in line)), "utf-8")
    report = validate_files([broken])
    assert not report.conforms
    # The row lacks a body, its participations in the implementing role lack the shortcut,
    # and its wk:bodyCount no longer agrees with its bodies.
    assert sorted({f.focus for f in report.findings}) == [
        "<https://w3id.org/welfare-kg/id/report/izumi-fy2021/row/60>",
        "<https://w3id.org/welfare-kg/ontology#ImplementingBodyRole>",
        "<https://w3id.org/welfare-kg/ontology#PlanRow>"]
