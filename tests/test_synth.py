"""scripts/synth: a generated city extracts, builds and answers the query library, and its
counts agree with what the generator says it wrote (manifest.json); same seed, same bytes.

The CLI runs in a child interpreter that calls `welfare_kg.cli.main` in-process for each
command: the data folder (`WELFARE_KG_DATA_DIR`) is chosen when `welfare_kg.paths` is first
imported, and this test process has long imported it with the bundled data.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import subprocess
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Runs each argv of a JSON list through welfare_kg.cli.main in this one process; prints, as
# JSON, each exit code with what the command wrote to stdout and stderr.
DRIVER = """
import contextlib, io, json, sys
from welfare_kg.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    results.append({"code": code, "out": out.getvalue(), "err": err.getvalue()})
print(json.dumps(results, ensure_ascii=False))
"""


def load_synth() -> ModuleType:
    spec = importlib.util.spec_from_file_location("synth_script", ROOT / "scripts" / "synth.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


synth = load_synth()


def run_cli(data_dir: Path | None, *commands: list[str]) -> list[dict[str, Any]]:
    """Run CLI commands in-process in a fresh interpreter whose data folder is `data_dir`."""
    env = dict(os.environ)
    env.pop("WELFARE_KG_DATA_DIR", None)
    if data_dir is not None:
        env["WELFARE_KG_DATA_DIR"] = str(data_dir)
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps([list(c) for c in commands])],
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def read_rows(path: Path) -> list[dict[str, str]]:
    # utf-8-sig: the build's rows.csv and bodies.csv start with a BOM (for Excel)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city") / "synth"
    assert synth.main(["-o", str(out), "--wards", "2", "--years", "2", "--seed", "3"]) == 0
    return out


@pytest.fixture(scope="module")
def manifest(city: Path) -> dict[str, Any]:
    return json.loads((city / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built(city: Path) -> tuple[Path, list[dict[str, Any]]]:
    """The city built through the CLI, and one report extracted through it."""
    reports = sorted(str(p) for p in (city / "reports").glob("*.txt"))
    build = city.parent / "build"
    results = run_cli(city / "data",
                      ["build", *reports, "-o", str(build)],
                      ["extract", reports[0], "-o", str(city.parent / "one.json")])
    return build, results


def test_the_generator_writes_what_it_says(city: Path, manifest: dict[str, Any]) -> None:
    files = sorted(p.name for p in (city / "reports").iterdir())
    assert files == sorted(r["file"] for r in manifest["reports"])
    assert files == ["kanagawa-fy2021-report.txt", "kanagawa-fy2022-report.txt",
                     "tsurumi-fy2021-report.txt", "tsurumi-fy2022-report.txt"]
    # a plan per ward, each report listed with its plan and fiscal year
    import yaml

    meta = yaml.safe_load((city / "data" / "dataset.yaml").read_text(encoding="utf-8"))
    assert {"tsurumi-welfare-plan", "kanagawa-welfare-plan"} <= set(meta["plans"])
    listed = {r["file"]: r for r in meta["reports"]}
    assert listed["kanagawa-fy2022-report.txt"]["plan"] == "kanagawa-welfare-plan"
    assert listed["kanagawa-fy2022-report.txt"]["fiscal_year"] == 2022
    # the header names the report's fiscal year (令和4 = 2022)
    head = (city / "reports" / "kanagawa-fy2022-report.txt").read_text(encoding="utf-8")[:200]
    assert "令和４年度実施計画" in head
    # every ward has 4-9 care plazas of its own; each body printed is in the vocabulary
    bodies = read_rows(city / "data" / "bodies.csv")
    for ward in ("tsurumi", "kanagawa"):
        plazas = [b for b in bodies
                  if b["id"].startswith(ward) and b["type"] == "CommunityCarePlaza"]
        assert 4 <= len(plazas) <= 9
    ids = {b["id"] for b in bodies}
    assert set(manifest["reports"][0]["bodies"]) <= ids
    # the wards differ: rows dropped or repeated, and cancellations vary by year
    rows = {r["file"]: r["rows"] for r in manifest["reports"]}
    assert rows["tsurumi-fy2021-report.txt"] != rows["kanagawa-fy2021-report.txt"]
    statuses = {r["file"]: r["statuses"] for r in manifest["reports"]}
    assert statuses["tsurumi-fy2021-report.txt"] != statuses["tsurumi-fy2022-report.txt"]


def test_build_counts_agree_with_the_manifest(built: tuple[Path, list[dict[str, Any]]],
                                              manifest: dict[str, Any]) -> None:
    build, results = built
    assert results[0]["code"] == 0, results[0]["err"]
    rows = read_rows(build / "rows.csv")
    totals = manifest["totals"]
    assert len(rows) == totals["rows"]
    per_report = Counter(r["report"] for r in rows)
    assert per_report == {r["slug"]: r["rows"] for r in manifest["reports"]}
    assert len(per_report) == totals["reports"]
    used = {b["id"] for b in read_rows(build / "bodies.csv") if int(b["rows"]) > 0}
    assert used == {b for r in manifest["reports"] for b in r["bodies"]}
    assert len(used) == totals["bodies"]
    assert Counter(r["status"] for r in rows) == totals["statuses"]
    # every row has a body (the graph's shapes reject one without): the template's lone
    # end-block bullet and bare rows whose cell the segmentation pairs elsewhere included
    assert all(r["body_ids"] for r in rows), [r["row"] for r in rows if not r["body_ids"]]
    links = {pair for r in rows
             for pair in combinations(sorted(set(r["body_ids"].split("|")) - {""}), 2)}
    # merged body cells are paired with rows by the extractor's segmentation, which may pair
    # a generated cell differently from the template's: links agree closely, not exactly
    assert abs(len(links) - totals["links"]) <= 0.05 * totals["links"]


def test_rows_agree_row_by_row(built: tuple[Path, list[dict[str, Any]]],
                               manifest: dict[str, Any]) -> None:
    build, _ = built
    got = {(r["report"], int(r["line"])): r for r in read_rows(build / "rows.csv")}
    merged_agree = merged = 0
    for report in manifest["reports"]:
        for row in report["row_list"]:
            found = got[(report["slug"], row["line"])]
            bodies = sorted(set(found["body_ids"].split("|")) - {""})
            assert found["status"] == row["status"], (report["file"], row["line"])
            if row["body_source"] == "own":  # printed with the row: exact
                assert bodies == row["bodies"], (report["file"], row["line"])
            else:
                merged += 1
                merged_agree += bodies == row["bodies"]
    assert merged and merged_agree >= 0.9 * merged


def test_extract_reads_a_generated_report_without_unknown_names(
        built: tuple[Path, list[dict[str, Any]]], manifest: dict[str, Any], city: Path) -> None:
    _, results = built
    extract = results[1]
    assert extract["code"] == 0, extract["err"]
    assert "unknown" not in extract["err"] and "not placed" not in extract["err"]
    records = json.loads((city.parent / "one.json").read_text(encoding="utf-8"))
    first = sorted(manifest["reports"], key=lambda r: r["file"])[0]
    assert len(records["rows"]) == first["rows"]


def test_the_query_library_answers_on_the_city(
        built: tuple[Path, list[dict[str, Any]]], city: Path) -> None:
    from welfare_kg.graph.sparql import list_queries

    build, _ = built
    council = next(b["name_ja"] for b in read_rows(city / "data" / "bodies.csv")
                   if b["id"] == "tsurumi-ward-social-welfare-council")
    params = {"body-partners": ["-p", f"body={council}"],
              "body-portfolio": ["-p", f"body={council}"],
              "keyword-search": ["-p", "word=認知症"]}
    names = [q.name for q in list_queries()]
    results = run_cli(city / "data", *[
        ["query", name, "--out-dir", str(build), "--format", "json", *params.get(name, [])]
        for name in names])
    for name, result in zip(names, results, strict=True):
        assert result["code"] == 0, (name, result["err"])
    answers = dict(zip(names, results, strict=True))
    portfolio = json.loads(answers["body-portfolio"]["out"])
    assert portfolio["results"]["bindings"], "the ward council implements rows"


def test_same_seed_same_bytes_other_seed_other_text(tmp_path: Path) -> None:
    args = ["--wards", "Izumi", "--years", "1"]
    assert synth.main(["-o", str(tmp_path / "a"), *args, "--seed", "5"]) == 0
    assert synth.main(["-o", str(tmp_path / "b"), *args, "--seed", "5"]) == 0
    assert synth.main(["-o", str(tmp_path / "c"), *args, "--seed", "6"]) == 0
    a, b, c = (files_of(tmp_path / x) for x in "abc")
    assert a == b
    report = "reports/izumi-fy2021-report.txt"
    assert a[report] != c[report]
    # a second run over an earlier output replaces it
    assert synth.main(["-o", str(tmp_path / "c"), *args, "--seed", "5"]) == 0
    assert files_of(tmp_path / "c") == a


def test_the_template_ward_keeps_its_bundled_bodies(tmp_path: Path) -> None:
    """Izumi's generated reports name the bundled Izumi bodies (as aliases), so a build of
    the bundled report with them describes each body once."""
    assert synth.main(["-o", str(tmp_path / "s"), "--wards", "Izumi", "--years", "1"]) == 0
    bodies = {b["id"]: b for b in read_rows(tmp_path / "s" / "data" / "bodies.csv")}
    assert "泉区高齢・障害支援課" in bodies["elderly-disability-support-division"]["aliases"]
    assert not any(i.startswith("izumi-elderly") for i in bodies)
    text = (tmp_path / "s" / "reports" / "izumi-fy2021-report.txt").read_text(encoding="utf-8")
    assert "泉区高齢・障害支援課" in text


def test_synth_refuses_a_folder_it_did_not_write(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    assert synth.main(["-o", str(tmp_path), "--wards", "1", "--years", "1"]) == 2
    assert "not an earlier scripts/synth output" in capsys.readouterr().err
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep me"
    assert synth.main(["-o", str(tmp_path / "x"), "--wards", "Atlantis"]) == 2
    assert "unknown ward 'Atlantis'" in capsys.readouterr().err


def test_data_dir_flag_and_the_bundled_default_report(city: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    out = tmp_path / "default.json"
    # one process each: the data folder is fixed once welfare_kg.paths is loaded
    results = run_cli(None, ["--data-dir", str(missing), "extract"])
    results += run_cli(None, ["--data-dir", str(city / "data"), "extract", "-o", str(out)])
    assert results[0]["code"] == 2
    assert f"{missing}: data folder not found" in results[0]["err"]
    # the default report is still the bundled one, read with the city's vocabulary
    assert results[1]["code"] == 0, results[1]["err"]
    records = json.loads(out.read_text(encoding="utf-8"))
    assert Path(records["source"]) == ROOT / "data" / "izumi-wakuwaku-fy2021-report.txt"
    assert records["corrections_applied"], "the bundled corrections are in the city's data"


def test_a_data_folder_must_hold_the_vocabulary(tmp_path: Path) -> None:
    from welfare_kg.paths import BUNDLED_DATA_DIR, check_data_dir

    assert check_data_dir(BUNDLED_DATA_DIR) is None
    (tmp_path / "bodies.csv").write_text("id\n", encoding="utf-8")
    problem = check_data_dir(tmp_path)
    assert problem is not None
    assert problem.startswith(f"{tmp_path}: not a welfare-kg data folder: missing ")
    assert "organizations.csv" in problem and "bodies.csv" not in problem.split("missing")[1]
