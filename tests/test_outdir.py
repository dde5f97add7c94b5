"""out/ as one transaction: complete old or complete new, never a mix, never half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from welfare_kg.errors import InputError
from welfare_kg.fileio import write_text
from welfare_kg.outdir import KEEP, current_version, transaction, versions_dir


def contents(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_a_run_switches_out_to_a_complete_new_version(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with transaction(out) as stage:
        write_text(stage / "a.txt", "one")
        assert not out.exists()  # nothing visible until the block succeeds
    assert out.is_symlink() and contents(out) == {"a.txt": "one"}
    first = current_version(out)
    with transaction(out) as stage:
        write_text(stage / "b.txt", "two")  # seeded: a.txt is kept
        write_text(stage / "a.txt", "changed")
    assert contents(out) == {"a.txt": "changed", "b.txt": "two"}
    assert first is not None and contents(first) == {"a.txt": "one"}  # old version intact


def test_a_failure_leaves_out_as_it_was_and_no_staging(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with transaction(out) as stage:
        write_text(stage / "a.txt", "one")
    with pytest.raises(RuntimeError), transaction(out) as stage:
        write_text(stage / "a.txt", "half")
        raise RuntimeError("the build failed")
    assert contents(out) == {"a.txt": "one"}
    assert [p.name for p in versions_dir(out).iterdir() if p.name.startswith(".stage")] == []


def test_a_real_folder_is_adopted_with_its_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("kept")
    with transaction(out) as stage:
        write_text(stage / "new.txt", "new")
    assert contents(out) == {"new.txt": "new", "old.txt": "kept"}


def test_only_a_few_versions_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for i in range(KEEP + 3):
        with transaction(out) as stage:
            write_text(stage / "n.txt", str(i))
    versions = [p for p in versions_dir(out).iterdir() if p.name.startswith("v-")]
    assert len(versions) == KEEP and contents(out) == {"n.txt": str(KEEP + 2)}


def test_a_second_run_waits_for_the_first(tmp_path: Path) -> None:
    out = tmp_path / "out"
    order: list[str] = []
    entered = threading.Event()

    def first() -> None:
        with transaction(out) as stage:
            entered.set()
            time.sleep(0.5)
            write_text(stage / "x.txt", "first")
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    assert entered.wait(10)
    with transaction(out) as stage:
        order.append("second started")
        assert (stage / "x.txt").read_text() == "first"  # seeded from the first's result
    thread.join(10)
    assert order == ["first done", "second started"]


def test_a_killed_run_leaves_out_whole_and_the_next_run_cleans_up(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with transaction(out) as stage:
        write_text(stage / "a.txt", "one")
    code = (
        "import os, signal, sys\n"
        "from welfare_kg.outdir import transaction\n"
        "from welfare_kg.fileio import write_text\n"
        "with transaction(sys.argv[1]) as stage:\n"
        "    write_text(stage / 'a.txt', 'half')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(out)], timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert contents(out) == {"a.txt": "one"}
    assert any(p.name.startswith(".stage") for p in versions_dir(out).iterdir())
    with transaction(out):
        pass
    assert not any(p.name.startswith(".stage") for p in versions_dir(out).iterdir())


def test_unusable_out_paths_are_input_errors(tmp_path: Path, monkeypatch) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(InputError, match="is a file"), transaction(a_file):
        pass
    assert not versions_dir(a_file).exists()  # refused before anything was written
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="folder of their own"), transaction("."):
        pass
    with pytest.raises(InputError, match="current folder"), transaction(tmp_path):
        pass
    if os.geteuid() != 0:  # root can write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(InputError, match=str(locked / "out")), transaction(locked / "out"):
            pass
