"""Commands that write into out/ do it as one transaction: a reader sees old or new, whole."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from waiting import wait_for

from welfare_kg.cli import main
from welfare_kg.outdir import versions_dir

FILES = ("welfare-kg.nq", "catalog.ttl", "maps/whole-plan.html", "metrics/report.md",
         "extraction/izumi-wakuwaku-fy2021-report.json")


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def _left_as_it_was(built: Path, before: dict[str, bytes]) -> None:
    """out/ holds the same files as `before`, and no staging folder is left beside it."""
    assert snapshot(built) == before
    assert not [p for p in versions_dir(built).iterdir() if p.name.startswith(".stage")]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tx") / "out"
    assert main(["all", "-o", str(out), "--jobs", "1"]) == 0
    return out


def test_all_switches_in_one_complete_folder(built: Path) -> None:
    assert built.is_symlink()
    for name in FILES:
        assert (built / name).is_file(), name
    assert not [p for p in versions_dir(built).iterdir() if p.name.startswith(".stage")]


def test_a_failing_step_leaves_the_previous_out_whole(
        built: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A full disk while the maps are written: one line naming out/, and out/ as it was."""
    before = snapshot(built)
    import welfare_kg.viz as viz

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(viz, "write_all_beside", broken)
    assert main(["all", "-o", str(built), "--jobs", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.endswith(f"{built}: cannot write the outputs here: No space left on device")
    _left_as_it_was(built, before)


def test_a_failure_in_the_sites_second_process_leaves_the_previous_out_whole(
        built: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The body pages are written by a second process (--jobs 2): a full disk there is the
    same one line and the same untouched out/ as in the main process."""
    from welfare_kg import cache
    from welfare_kg.viz.site import build

    before = snapshot(built)
    monkeypatch.setenv(cache.CACHE_ENV, "off")  # rendered, not unpacked from the cache
    parent = os.getpid()

    def broken(self: object) -> None:
        assert os.getpid() != parent  # this share is the second process's
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build._Writer, "body_pages", broken)
    assert main(["all", "-o", str(built), "--jobs", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("welfare-kg all: error: ")
    assert err[-1].endswith("cannot write the site: No space left on device")
    _left_as_it_was(built, before)


def test_a_failure_in_the_maps_second_process_leaves_the_previous_out_whole(
        built: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The maps and metrics are written beside the site (--jobs 2): a project's error there
    is its own one line, and out/ stays as it was."""
    import welfare_kg.viz as viz
    from welfare_kg import cache
    from welfare_kg.errors import VocabularyError

    before = snapshot(built)
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    parent = os.getpid()

    def broken(*args: object, **kwargs: object) -> None:
        assert os.getpid() != parent
        raise VocabularyError("data/bodies.csv:7: no English name")

    monkeypatch.setattr(viz, "write_maps", broken)
    assert main(["all", "-o", str(built), "--jobs", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "welfare-kg all: error: data/bodies.csv:7: no English name"
    _left_as_it_was(built, before)


def test_one_process_and_two_write_the_same_out(
        built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from welfare_kg import cache

    monkeypatch.setenv(cache.CACHE_ENV, "off")  # everything made again, in both runs
    again = tmp_path / "out"
    assert main(["all", "-o", str(again), "--jobs", "2"]) == 0
    assert snapshot(again) == snapshot(built)  # built with --jobs 1


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_bad_input_found_by_the_build_process_is_one_line_and_out_stays(
        built: Path, tmp_path: Path, jobs: str, capsys: pytest.CaptureFixture[str]) -> None:
    """With two cores the build runs in a second process: its input errors read the same."""
    before = snapshot(built)
    report = tmp_path / "not-a-report.txt"
    report.write_text("これは報告書ではありません。\n", encoding="utf-8")
    assert main(["all", str(report), "-o", str(built), "--jobs", jobs]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("welfare-kg all: error: ")
    assert str(report) in err[0]
    _left_as_it_was(built, before)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_bad_chart_format_is_refused_and_out_stays(
        built: Path, jobs: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(built)
    assert main(["all", "-o", str(built), "--chart-formats", "gif", "--jobs", jobs]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("welfare-kg all: error: chart formats gif: choose from svg, png")
    _left_as_it_was(built, before)


def test_a_bad_chart_format_on_two_cores_stops_before_the_build_starts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The format names are checked before the build's second process is started: only the
    error is printed (no "extracted ..." line), and no out/ nor versions folder is made."""
    out = tmp_path / "out"
    assert main(["all", "-o", str(out), "--chart-formats", "svg,gif", "--jobs", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["welfare-kg all: error: chart formats gif: choose from svg, png "
                   "(e.g. svg,png)"]
    assert not out.exists() and not out.is_symlink()
    assert not versions_dir(out).exists()


def test_the_store_and_the_views_start_while_the_build_writes_its_other_exports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With two cores the build tells as soon as its N-Quads is in place: the store is
    opened then, while the build's second process still writes Turtle, JSON-LD and the
    catalogue (here it waits, bounded, for the store to be opened before it goes on), and
    out/ is the same as ever."""
    import welfare_kg.graph.rdf.exports as exports
    import welfare_kg.graph.sparql as sparql
    from welfare_kg import cache

    monkeypatch.setenv(cache.CACHE_ENV, "off")
    opened = tmp_path / "store-opened"
    parent = os.getpid()
    real_open, real_jsonld = sparql.open_store, exports.write_jsonld

    def open_store(out_dir: Path, *args: object, **kwargs: object) -> object:
        assert os.getpid() == parent
        assert (Path(out_dir) / "welfare-kg.nq").is_file()
        assert not (Path(out_dir) / "catalog.ttl").exists()  # the exports are still on
        opened.write_text("yes", encoding="utf-8")
        return real_open(out_dir, *args, **kwargs)

    def write_jsonld(*args: object, **kwargs: object) -> None:
        assert os.getpid() != parent  # the build's second process
        if not wait_for(opened):
            raise AssertionError("the store waited for the whole build")
        real_jsonld(*args, **kwargs)

    monkeypatch.setattr(sparql, "open_store", open_store)
    monkeypatch.setattr(exports, "write_jsonld", write_jsonld)
    out = tmp_path / "out"
    assert main(["all", "-o", str(out), "--jobs", "2"]) == 0
    assert opened.exists()
    monkeypatch.undo()
    again = tmp_path / "again"
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert main(["all", "-o", str(again), "--jobs", "1"]) == 0
    assert snapshot(out) == snapshot(again)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_failure_while_the_build_writes_its_other_exports_leaves_out_whole(
        built: Path, jobs: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """After the N-Quads is in place (the store, the views and the site are under way) the
    build's writing of the other exports fails: its one line, and out/ as it was."""
    import welfare_kg.graph.rdf.exports as exports
    from welfare_kg import cache

    before = snapshot(built)
    monkeypatch.setenv(cache.CACHE_ENV, "off")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports, "_write_rows_csv", broken)
    assert main(["all", "-o", str(built), "--jobs", jobs]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("welfare-kg all: error: ")
    assert err[-1].endswith("cannot write the exports here: No space left on device")
    _left_as_it_was(built, before)


def test_the_main_jobs_site_is_kept_by_what_its_exports_are_made_of(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The site is keyed before the exports are written (by the N-Quads, base IRI and
    metadata they are made of): the same job again unpacks it; a job whose exports differ
    (another download URL: another catalogue) renders it again."""
    from welfare_kg import cache
    from welfare_kg.viz.site import build

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    first = tmp_path / "first"
    assert main(["all", "-o", str(first), "--jobs", "2"]) == 0

    def no_rendering(*args: object) -> None:
        raise AssertionError("rendered again")

    monkeypatch.setattr(build, "gather", no_rendering)
    second = tmp_path / "second"
    assert main(["all", "-o", str(second), "--jobs", "2"]) == 0
    assert snapshot(first) == snapshot(second)
    with pytest.raises(AssertionError, match="rendered again"):
        main(["all", "-o", str(tmp_path / "third"), "--jobs", "1",
              "--download-url", "https://example.org/other/"])


def test_an_empty_base_iri_is_refused_before_anything_is_written(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(built)
    for command in ("all", "build"):
        assert main([command, "-o", str(built), "--base-iri", ""]) == 2
        assert "base IRI" in capsys.readouterr().err
    assert snapshot(built) == before


def test_maps_into_out_are_staged_and_keep_the_rest(built: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    version = built.readlink()
    before = snapshot(built)
    assert main(["maps", "--out-dir", str(built)]) == 0
    printed = capsys.readouterr().out.split()
    assert str(built / "maps" / "whole-plan.html") in printed  # the user's path, not staging
    assert built.readlink() != version  # a new version was switched in
    assert snapshot(built) == before  # same input: the same bytes everywhere


def test_maps_elsewhere_are_written_there(built: Path, tmp_path: Path) -> None:
    version = built.readlink()
    assert main(["maps", "--out-dir", str(built), "-o", str(tmp_path / "m")]) == 0
    assert (tmp_path / "m" / "whole-plan.html").is_file()
    assert built.readlink() == version
