"""The streaming build: cached report parts, parallel extraction, errors from workers."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
from graph_fixtures import second_year, three_rows

from welfare_kg.cli import main
from welfare_kg.errors import InputError, ReportFormatError
from welfare_kg.graph.rdf import parts as parts_module
from welfare_kg.graph.rdf.build import build_dataset
from welfare_kg.graph.rdf.exports import OUTPUT_FILES, build_outputs, export_dataset
from welfare_kg.graph.rdf.parts import extraction_from_json
from welfare_kg.paths import DEFAULT_REPORT

Capsys = pytest.CaptureFixture[str]


def _copies(folder: Path, count: int) -> list[Path]:
    """Distinct copies of the bundled report (trailing spaces on the header line: another
    SHA-256, the same rows)."""
    lines = DEFAULT_REPORT.read_text(encoding="utf-8").split("\n")
    paths = []
    for i in range(count):
        lines_i = [lines[0] + " " * (i + 1), *lines[1:]]
        path = folder / f"ward-{i}.txt"
        path.write_text("\n".join(lines_i), encoding="utf-8")
        paths.append(path)
    return paths


def _files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUT_FILES}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return _copies(tmp_path_factory.mktemp("reports"), 2)


@pytest.fixture(scope="module")
def serial(reports: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two reports built one at a time (jobs=1) on a cold cache."""
    out = tmp_path_factory.mktemp("serial")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WELFARE_KG_CACHE_DIR", str(tmp_path_factory.mktemp("cache-serial")))
        build_outputs(reports, out, corrections=False, jobs=1)
    return out


def test_parallel_build_is_byte_identical_to_serial(
    reports: list[Path], serial: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WELFARE_KG_CACHE_DIR", str(tmp_path / "cache"))
    used = []
    real = parts_module.ProcessPoolExecutor

    def pool(*args, **kwargs):
        used.append(kwargs.get("max_workers"))
        return real(*args, **kwargs)

    monkeypatch.setattr(parts_module, "ProcessPoolExecutor", pool)
    build_outputs(reports, tmp_path / "out", corrections=False, jobs=2)
    assert used == [2], "two uncached reports with --jobs 2 run in a pool of two"
    assert _files(tmp_path / "out") == _files(serial)


def test_adding_a_report_extracts_only_that_report(
    reports: list[Path], serial: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WELFARE_KG_CACHE_DIR", str(tmp_path / "cache"))
    import welfare_kg.graph.report as report_room

    extracted: list[str] = []
    real = report_room.extract_report

    def counting(path, **kwargs):
        extracted.append(Path(path).name)
        return real(path, **kwargs)

    monkeypatch.setattr(report_room, "extract_report", counting)
    build_outputs(reports[:1], tmp_path / "first", corrections=False, jobs=1)
    assert extracted == ["ward-0.txt"]
    build_outputs(reports, tmp_path / "both", corrections=False, jobs=1)
    assert extracted == ["ward-0.txt", "ward-1.txt"], "the cached report is not extracted again"
    assert _files(tmp_path / "both") == _files(serial)
    build_outputs(reports, tmp_path / "again", corrections=False, jobs=1)
    assert extracted == ["ward-0.txt", "ward-1.txt"]
    assert _files(tmp_path / "again") == _files(serial)


def test_a_changed_report_misses_the_cache(
    reports: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WELFARE_KG_CACHE_DIR", str(tmp_path / "cache"))
    report = tmp_path / "ward.txt"
    shutil.copy(reports[0], report)
    build_outputs([report], tmp_path / "one", corrections=False, jobs=1)
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("令和３年度実施計画", "令和４年度実施計画"), encoding="utf-8")
    build_outputs([report], tmp_path / "two", corrections=False, jobs=1)
    rows = (tmp_path / "two" / "rows.csv").read_text(encoding="utf-8").splitlines()
    assert rows[1].split(",")[5] == "2022", "the edited header's fiscal year, not the cached one"


def test_extraction_round_trips_through_json() -> None:
    for extraction in (three_rows(), second_year()):
        assert extraction_from_json(json.loads(json.dumps(extraction.to_json()))) == extraction


def test_report_format_errors_cross_process_boundaries() -> None:
    error = ReportFormatError("a.txt", 3, "no table header")
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), str(again), again.line) == (ReportFormatError, str(error), 3)


def test_the_first_bad_report_is_the_one_reported(tmp_path: Path, capsys: Capsys) -> None:
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_bytes(b"\x00\x01binary")
    code = main(["build", "--jobs", "2", "-o", str(tmp_path / "out"),
                 str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert code == 2
    err = capsys.readouterr().err
    assert "a.txt" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "welfare-kg.nq").exists()


@pytest.mark.parametrize("jobs", ["0", "x"])
def test_jobs_must_be_a_positive_number(jobs: str, tmp_path: Path, capsys: Capsys) -> None:
    assert main(["build", "--jobs", jobs, "-o", str(tmp_path)]) == 2
    assert "--jobs: must be a whole number of at least 1" in capsys.readouterr().err


def test_two_reports_with_one_slug_are_refused_before_any_output(
    reports: list[Path], tmp_path: Path
) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy(reports[1], other / reports[0].name)
    with pytest.raises(InputError, match="already used"):
        build_outputs([reports[0], other / reports[0].name], tmp_path / "out",
                      corrections=False, jobs=1)
    assert not (tmp_path / "out" / "welfare-kg.nq").exists()


def test_jsonld_is_written_as_json_dumps_would(tmp_path: Path) -> None:
    export_dataset(build_dataset([three_rows(), second_year()]), tmp_path)
    text = (tmp_path / "welfare-kg.jsonld").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n"


def test_unchanged_exports_are_not_rewritten(tmp_path: Path) -> None:
    ds = build_dataset([three_rows(), second_year()])
    export_dataset(ds, tmp_path)
    before = {name: (tmp_path / name).stat().st_mtime_ns for name in OUTPUT_FILES}
    (tmp_path / "rows.csv").write_text("stale\n", encoding="utf-8")
    export_dataset(ds, tmp_path)
    after = {name: (tmp_path / name).stat().st_mtime_ns for name in OUTPUT_FILES}
    assert [n for n in OUTPUT_FILES if before[n] != after[n]] == ["rows.csv"]
    assert (tmp_path / "rows.csv").read_text(encoding="utf-8") != "stale\n"


@pytest.mark.parametrize("cache", ["cold", "warm", "several reports"])
def test_the_graph_is_told_once_as_soon_as_it_is_made(
        reports: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        cache: str) -> None:
    """`on_graph` hears of the N-Quads once, in place in out_dir: for one report made here,
    before the rest of its part (its JSON-LD entries) is made, else once the parts are;
    the file is the N-Quads of the finished build, and the key is `exports_key`'s."""
    from welfare_kg.graph.rdf import exports
    from welfare_kg.graph.rdf.metadata import load_metadata

    monkeypatch.setenv("WELFARE_KG_CACHE_DIR", str(tmp_path / "cache"))
    chosen = reports if cache == "several reports" else reports[:1]
    if cache == "warm":
        build_outputs(chosen, tmp_path / "first", corrections=False, jobs=1)
    events: list[str] = []
    told: list[tuple[Path, str, bytes]] = []
    real_jsonld_lines = parts_module.jsonld_lines

    def jsonld_lines(*args: object, **kwargs: object) -> list[bytes]:
        events.append("part's JSON-LD")
        return real_jsonld_lines(*args, **kwargs)

    def on_graph(path: Path, key: str) -> None:
        events.append("told")
        told.append((path, key, path.read_bytes()))

    monkeypatch.setattr(parts_module, "jsonld_lines", jsonld_lines)
    out = tmp_path / "out"
    build_outputs(chosen, out, corrections=False, jobs=1, on_graph=on_graph)
    assert [p for p, _, _ in told] == [out / "welfare-kg.nq"]
    assert told[0][2] == (out / "welfare-kg.nq").read_bytes()
    meta = load_metadata()
    assert told[0][1] == exports.exports_key(out / "welfare-kg.nq", meta["base_iri"], meta)
    expected = {"cold": ["told", "part's JSON-LD"], "warm": ["told"],
                "several reports": ["part's JSON-LD", "part's JSON-LD", "told"]}[cache]
    assert [e for e in events if e == "told" or cache != "warm"] == expected
    monkeypatch.undo()
    monkeypatch.setenv("WELFARE_KG_CACHE_DIR", "off")
    build_outputs(chosen, tmp_path / "plain", corrections=False, jobs=1)
    assert _files(out) == _files(tmp_path / "plain")


def test_an_early_graph_that_the_build_contradicts_is_a_bug_not_a_build(
        reports: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from welfare_kg.graph.rdf import exports

    monkeypatch.setenv("WELFARE_KG_CACHE_DIR", "off")
    real = exports._write_nquads

    def other(path: Path, *args: object) -> None:
        real(path, *args)
        with path.open("ab") as fh:
            fh.write(b"<urn:x> <urn:y> <urn:z> <urn:g> .\n")

    monkeypatch.setattr(exports, "_write_nquads", other)
    with pytest.raises(RuntimeError, match="told early differs"):
        build_outputs(reports[:1], tmp_path / "out", corrections=False, jobs=1,
                      on_graph=lambda path, key: None)


def test_exports_key_follows_what_the_exports_are_made_of(tmp_path: Path) -> None:
    from welfare_kg.graph.rdf.exports import exports_key

    nq = tmp_path / "a.nq"
    nq.write_bytes(b"<urn:a> <urn:b> <urn:c> <urn:g> .\n")
    meta = {"download_url": "https://example.org/d/", "catalog": {"title": {"ja": "計画"}}}
    key = exports_key(nq, "https://example.org/", meta)
    assert key == exports_key(nq, "https://example.org/", dict(meta))
    assert key != exports_key(nq, "https://example.org/other/", meta)
    assert key != exports_key(nq, "https://example.org/",
                              {**meta, "download_url": "https://example.org/e/"})
    nq.write_bytes(b"<urn:a> <urn:b> <urn:d> <urn:g> .\n")
    assert key != exports_key(nq, "https://example.org/", meta)
