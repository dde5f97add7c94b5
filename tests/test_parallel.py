"""Work beside the main process (welfare_kg.parallel): done, and its failures raised here."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from welfare_kg.errors import InputError, ReportFormatError, WelfareKGError
from welfare_kg.parallel import alongside, cores, spare_cores


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("enabled", [True, False])
def test_the_work_and_the_block_both_run(tmp_path: Path, enabled: bool) -> None:
    pids = []
    with alongside(lambda: _write(tmp_path / "child", str(os.getpid())), enabled=enabled):
        _write(tmp_path / "parent", str(os.getpid()))
        pids.append(os.getpid())
    # the child's file is complete once the block is over
    assert (tmp_path / "parent").read_text(encoding="utf-8") == str(pids[0])
    child = int((tmp_path / "child").read_text(encoding="utf-8"))
    assert (child != pids[0]) is enabled


@pytest.mark.parametrize("enabled", [True, False])
def test_the_works_result_comes_back(enabled: bool) -> None:
    big = [Path("a") / str(i) for i in range(50_000)]  # more than a pipe holds at once
    with alongside(lambda: (os.getpid(), big), enabled=enabled) as beside:
        pass
    pid, paths = beside.result
    assert paths == big
    assert (pid != os.getpid()) is enabled


def test_serial_runs_the_work_first(tmp_path: Path) -> None:
    order: list[str] = []
    with alongside(lambda: order.append("work"), enabled=False):
        order.append("block")
    assert order == ["work", "block"]


@pytest.mark.parametrize("error", [
    InputError("bodies.csv: line 3: no name"),
    ReportFormatError("report.txt", 12, "no table header"),
])
def test_a_projects_error_in_the_child_is_raised_here_as_itself(error: Exception) -> None:
    def fail() -> None:
        raise error

    with pytest.raises(type(error)) as caught, alongside(fail):
        pass
    assert str(caught.value) == str(error)
    assert not getattr(caught.value, "__notes__", None)  # the CLI prints its one line


def test_a_bug_in_the_child_keeps_its_type_and_traceback() -> None:
    def bug() -> None:
        {}["missing"]

    with pytest.raises(KeyError) as caught, alongside(bug):
        pass
    assert "in the second process" in caught.value.__notes__[0]
    assert "bug" in caught.value.__notes__[0]  # the child's traceback names the function


def test_an_error_that_cannot_cross_becomes_a_runtime_error_with_its_text() -> None:
    class Odd(Exception):
        def __init__(self, a: int, b: int) -> None:  # pickles but cannot be rebuilt
            super().__init__(f"odd {a} {b}")

    def fail() -> None:
        raise Odd(1, 2)

    with pytest.raises(RuntimeError, match="odd 1 2"), alongside(fail):
        pass


def test_a_killed_child_is_a_clear_error() -> None:
    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(WelfareKGError, match="killed by signal 9"), alongside(die):
        pass


def test_an_error_in_the_block_stops_the_child_before_it_propagates(tmp_path: Path) -> None:
    marker, pid_file, cleaned = tmp_path / "late", tmp_path / "pid", tmp_path / "cleaned"

    def slow() -> None:
        import time

        _write(pid_file, str(os.getpid()))
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # stopped long before this
                time.sleep(0.01)
            _write(marker, "written after the caller gave up")
        finally:  # the child is asked to stop: its clean-up (temporary folders) runs
            _write(cleaned, "yes")

    with pytest.raises(ValueError, match="block failed"), alongside(slow):
        import time

        deadline = time.monotonic() + 30
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        raise ValueError("block failed")
    # the child is gone (killed and reaped), so it never writes into a folder the caller
    # is about to remove
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text(encoding="utf-8")), 0)
    assert not marker.exists()
    assert cleaned.read_text(encoding="utf-8") == "yes"


def test_cores_is_at_least_one() -> None:
    assert cores() >= 1


@pytest.mark.parametrize(("load", "spare"), [(0.0, 2), (1.4, 2), (2.5, 1), (7.0, 1)])
def test_a_busy_machine_gets_one_process(monkeypatch: pytest.MonkeyPatch, load: float,
                                         spare: int) -> None:
    import welfare_kg.parallel as parallel

    monkeypatch.setattr(parallel, "cores", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert spare_cores() == spare


def test_an_interrupt_in_the_child_never_runs_the_callers_code(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C landing in the child right after the fork (here: raised by its first os.close)
    must not unwind the caller's stack there: only this process runs the cleanup."""
    from welfare_kg import parallel

    parent, real_close = os.getpid(), os.close

    def close(fd: int) -> None:
        real_close(fd)
        if os.getpid() != parent:
            raise KeyboardInterrupt

    monkeypatch.setattr(parallel.os, "close", close)
    with pytest.raises(WelfareKGError, match="exited with status 1"):
        try:
            with alongside(lambda: 1):
                pass
        finally:
            with (tmp_path / "cleanup").open("a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()}\n")
    monkeypatch.undo()
    assert (tmp_path / "cleanup").read_text(encoding="utf-8").split() == [str(parent)]
