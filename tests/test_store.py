"""The embedded store: in memory or kept on disk (reloaded on a new build), chosen per job."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sparql_data import MINI, write_build

from welfare_kg.errors import InputError, QueryError
from welfare_kg.graph.sparql import store as store_module
from welfare_kg.graph.sparql.store import (
    STORE_DIRNAME,
    choose_store,
    ensure_build,
    execute,
    find_build,
    load_store,
    open_store,
    refresh_store_dir,
    run_query,
)

pytest_plugins = ["sparql_fixtures"]

ROWS = (
    "PREFIX wk: <https://w3id.org/welfare-kg/ontology#> "
    "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a wk:PlanRow }"
)


def rows_in(store) -> int:
    return execute(store, ROWS).values()[0]["n"]


def test_find_build_prefers_the_n_quads_file(tmp_path: Path) -> None:
    assert find_build(tmp_path) is None
    (tmp_path / "welfare-kg.trig").write_text("")
    assert find_build(tmp_path) == tmp_path / "welfare-kg.trig"
    (tmp_path / "welfare-kg.nq").write_text("")
    assert find_build(tmp_path) == tmp_path / "welfare-kg.nq"


def test_open_store_loads_the_build_and_keeps_it_on_disk(build_dir: Path) -> None:
    store = open_store(build_dir, "disk")
    assert rows_in(store) == 6
    assert (build_dir / STORE_DIRNAME / "build-stamp.json").is_file()
    del store
    again = open_store(build_dir, "disk")  # reuses the store: same answer
    assert rows_in(again) == 6


def test_two_readers_share_the_store(build_dir: Path) -> None:
    first, second = open_store(build_dir, "disk"), open_store(build_dir, "disk")
    assert rows_in(first) == rows_in(second) == 6


def test_a_new_build_replaces_the_store(build_dir: Path) -> None:
    assert rows_in(open_store(build_dir, "disk")) == 6
    nq = build_dir / "welfare-kg.nq"
    kept = [line for line in nq.read_text(encoding="utf-8").splitlines(keepends=True)
            if "/id/r6>" not in line]
    nq.write_text("".join(kept), encoding="utf-8")
    os.utime(nq, ns=(1, 1))  # a different stamp even within the same clock tick
    assert rows_in(open_store(build_dir, "disk")) == 5


def test_in_memory_store(build_dir: Path) -> None:
    assert rows_in(open_store(build_dir, "memory")) == 6
    assert not (build_dir / STORE_DIRNAME).exists()


def test_auto_picks_memory_for_a_small_build_and_disk_for_a_large_one(
    build_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = build_dir / "welfare-kg.nq"
    size = build.stat().st_size
    assert choose_store(build) == choose_store(build, many_queries=False) == "memory"
    assert rows_in(open_store(build_dir)) == 6
    assert not (build_dir / STORE_DIRNAME).exists()  # nothing written for a small build
    monkeypatch.setattr(store_module, "ONE_QUERY_MEMORY_MAX", size - 1)
    assert choose_store(build, many_queries=False) == "disk"
    assert choose_store(build) == "memory"  # several queries: loading still pays
    assert rows_in(open_store(build_dir, many_queries=False)) == 6
    assert (build_dir / STORE_DIRNAME).is_dir()
    monkeypatch.setattr(store_module, "MANY_QUERIES_MEMORY_MAX", size - 1)
    assert choose_store(build) == "disk"


def test_a_forced_store_wins_and_an_unknown_one_is_an_input_error(build_dir: Path) -> None:
    build = build_dir / "welfare-kg.nq"
    assert choose_store(build, "disk") == "disk"
    assert choose_store(build, "memory", many_queries=False) == "memory"
    with pytest.raises(InputError, match="unknown store 'ram'"):
        open_store(build_dir, "ram")


@pytest.mark.parametrize("kind", ["memory", "disk"])
def test_query_command_store_option(kind: str, build_dir: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    from welfare_kg.cli import main

    assert main(["query", "status-by-pillar", "--out-dir", str(build_dir), "--store", kind,
                 "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("pillarNumber,status,rows")
    assert (build_dir / STORE_DIRNAME).exists() == (kind == "disk")


def test_missing_build_is_built_from_the_bundled_report(tmp_path: Path, monkeypatch) -> None:
    calls = []

    def fake_build_outputs(reports, out_dir, **kwargs):
        calls.append((list(reports), out_dir))
        return [write_build(out_dir)]

    import welfare_kg.graph.rdf as export

    monkeypatch.setattr(export, "build_outputs", fake_build_outputs)
    out = tmp_path / "out"
    assert ensure_build(out) == out / "welfare-kg.nq"
    assert calls and calls[0][0][0].name == "izumi-wakuwaku-fy2021-report.txt"
    assert rows_in(open_store(out)) == 6
    assert rows_in(open_store(out, "disk")) == 6
    assert len(calls) == 1  # the second call found the build


def test_unloadable_file_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    bad.write_text("<a> <b> .\n")
    with pytest.raises(InputError, match=r"bad\.nq: cannot load"):
        load_store([bad])
    with pytest.raises(InputError, match=r"cannot load '\.json' files"):
        load_store([tmp_path / "x.json"])


def test_invalid_sparql_is_a_query_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("SELECT ?x WHERE { ?x ?p }")
    with pytest.raises(QueryError, match=r"broken: not valid SPARQL 1\.1"):
        run_query(load_store([MINI]), path)


def test_refresh_leaves_no_temporary_directories(build_dir: Path) -> None:
    refresh_store_dir(build_dir)
    (build_dir / "welfare-kg.nq").touch()
    os.utime(build_dir / "welfare-kg.nq", ns=(2, 2))
    refresh_store_dir(build_dir)
    visible = sorted(p.name for p in build_dir.iterdir() if not p.name.startswith(".store.lock"))
    assert visible == ["store", "welfare-kg.nq"]


def test_module_exports_exist() -> None:
    for name in store_module.__all__:
        assert hasattr(store_module, name)


def test_concurrent_commands_share_one_refresh(build_dir: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        dirs = list(pool.map(lambda _: refresh_store_dir(build_dir), range(4)))
    assert set(dirs) == {build_dir / STORE_DIRNAME}
    assert rows_in(open_store(build_dir, "disk")) == 6


# -- an out/ that cannot be written is an input error naming the path ------------------------

def test_an_unwritable_out_dir_is_an_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(InputError, match=rf"{blocker}/out: cannot write"):
        refresh_store_dir(blocker / "out")
    with pytest.raises(InputError, match=r"^/proc: cannot write .*\.store\.lock"):
        refresh_store_dir(Path("/proc"))


def test_a_failing_store_write_is_an_input_error(build_dir: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object) -> Path:
        raise OSError(28, "No space left on device", str(build_dir / ".store.1.tmp"))

    monkeypatch.setattr(store_module, "_refresh", full)
    with pytest.raises(InputError, match=r"store: cannot write .*No space left on device"):
        refresh_store_dir(build_dir)


@pytest.mark.parametrize("command", [["query", "bodies-ranking"], ["serve"]])
def test_commands_on_an_unwritable_out_dir_exit_2_naming_it(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from welfare_kg.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main([*command, "--out-dir", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{blocker}/out: cannot write" in err
    assert len(err.splitlines()) == 1


def test_serve_into_an_unwritable_location_exits_2(
    build_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from welfare_kg.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    args = ["serve", "--out-dir", str(build_dir), "--writable", "--location",
            str(blocker / "store")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{blocker}/store: cannot copy the store here" in err
    assert len(err.splitlines()) == 1
