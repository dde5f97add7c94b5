"""`welfare-kg build` and `welfare-kg validate`, run in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from welfare_kg.cli import main

SHAPES_DATA = Path(__file__).parent / "data" / "shapes"
Capsys = pytest.CaptureFixture[str]


@pytest.mark.parametrize("command", ["build", "validate"])
def test_help(command: str, capsys: Capsys) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert f"usage: welfare-kg {command}" in out


def test_validate_conforming_file_exits_0(capsys: Capsys) -> None:
    assert main(["validate", str(SHAPES_DATA / "base.ttl")]) == 0
    assert "The graph conforms to the shapes." in capsys.readouterr().out


def test_validate_violation_exits_1_with_a_readable_report(
    capsys: Capsys,
) -> None:
    files = [str(SHAPES_DATA / "base.ttl"), str(SHAPES_DATA / "row-without-body.ttl")]
    assert main(["validate", *files]) == 1
    out = capsys.readouterr().out
    assert "The graph does not conform: 1 finding(s)." in out
    assert "ex:bad wk:implementedBy: A row needs at least one implementing body" in out


def test_validate_with_extra_shapes_only(tmp_path: Path, capsys: Capsys) -> None:
    shapes = tmp_path / "extra.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix wk: <https://w3id.org/welfare-kg/ontology#> .\n"
        "[] a sh:NodeShape ; sh:targetClass wk:PlanRow ;\n"
        "   sh:property [ sh:path wk:quantity ; sh:minCount 2 ; sh:message \"two\" ] .\n",
        encoding="utf-8",
    )
    args = ["validate", str(SHAPES_DATA / "base.ttl"), "--shapes", str(shapes)]
    assert main([*args, "--only-extra-shapes"]) == 1
    assert "two" in capsys.readouterr().out


def test_validate_missing_file_exits_2(tmp_path: Path, capsys: Capsys) -> None:
    assert main(["validate", str(tmp_path / "nothing.ttl")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("welfare-kg validate: error: ")
    assert "nothing.ttl: no such file" in err


def test_validate_unknown_extension_exits_2(tmp_path: Path, capsys: Capsys) -> None:
    (tmp_path / "rows.csv").write_text("a,b\n", encoding="utf-8")
    assert main(["validate", str(tmp_path / "rows.csv")]) == 2
    assert "unknown RDF file extension" in capsys.readouterr().err


def test_validate_broken_turtle_exits_2(tmp_path: Path, capsys: Capsys) -> None:
    (tmp_path / "broken.ttl").write_text("<a> <b> .", encoding="utf-8")
    assert main(["validate", str(tmp_path / "broken.ttl")]) == 2
    assert "broken.ttl: not valid turtle" in capsys.readouterr().err


def test_build_bad_base_iri_exits_2(tmp_path: Path, capsys: Capsys) -> None:
    pytest.importorskip("welfare_kg.graph.report.extract")
    assert main(["build", "-o", str(tmp_path), "--base-iri", "https://example.org/kg"]) == 2
    assert "ends with '/' or '#'" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_build_base_iri_with_a_space_exits_2(tmp_path: Path, capsys: Capsys) -> None:
    pytest.importorskip("welfare_kg.graph.report.extract")
    assert main(["build", "-o", str(tmp_path), "--base-iri", "https://ex.org/a b/"]) == 2
    err = capsys.readouterr().err
    assert "'https://ex.org/a b/' is not a valid IRI" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert not list(tmp_path.iterdir())


def test_build_missing_report_exits_2(tmp_path: Path, capsys: Capsys) -> None:
    pytest.importorskip("welfare_kg.graph.report.extract")
    assert main(["build", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "out")]) == 2
    assert "missing.txt" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_build_empty_report_exits_2(tmp_path: Path, capsys: Capsys) -> None:
    pytest.importorskip("welfare_kg.graph.report.extract")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main(["build", str(empty), "-o", str(tmp_path / "out")]) == 2
    assert "empty.txt" in capsys.readouterr().err
