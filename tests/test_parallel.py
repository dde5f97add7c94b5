"""Work beside the main process (welfare_kg.parallel): done, and its failures raised here."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from waiting import wait_for

from welfare_kg.errors import InputError, ReportFormatError, WelfareKGError
from welfare_kg.parallel import alongside, alongside_telling, cores, spare_cores


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


def test_a_killed_child_whose_own_child_holds_the_pipe_is_not_waited_for() -> None:
    """The build's pool workers inherit the pipe: when the child is killed they may hold it
    open for a while, and the parent must not wait for them to let go."""
    import time

    def fork_then_die(tell: Callable[[object], None]) -> None:
        if os.fork() == 0:  # the grandchild: holds the pipe's write end for 5 s
            time.sleep(5)
            os._exit(0)
        os.kill(os.getpid(), signal.SIGKILL)

    start = time.monotonic()
    with pytest.raises(WelfareKGError, match="killed by signal 9"), \
            alongside_telling(fork_then_die) as beside:
        beside.ready()
    assert time.monotonic() - start < 3


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


# -- work that tells the block when its first product is in place --------------------------
def test_the_block_goes_on_once_the_work_has_told_while_the_work_goes_on(
        tmp_path: Path) -> None:
    """The child tells, then waits for a file only the block writes after `ready()`: the
    two really overlap, and the result still comes back at the end."""
    go = tmp_path / "go"

    def work(tell: Callable[[object], None]) -> str:
        _write(tmp_path / "first", "made")
        tell({"first": str(tmp_path / "first")})
        if not wait_for(go):
            raise AssertionError("the block never went on while this work ran")
        return "rest made"

    with alongside_telling(work) as beside:
        told = beside.ready()
        assert Path(told["first"]).read_text(encoding="utf-8") == "made"
        assert beside.ready() == told  # asked again: the same answer, nothing read
        _write(go, "yes")
        assert beside.wait() == "rest made"
    assert beside.result == "rest made"


def test_telling_serially_runs_the_whole_work_first() -> None:
    order: list[str] = []

    def work(tell: Callable[[object], None]) -> int:
        order.append("first")
        tell(7)
        order.append("rest")
        return 8

    with alongside_telling(work, enabled=False) as beside:
        order.append("block")
        assert beside.ready() == 7
        assert beside.wait() == 8
    assert order == ["first", "rest", "block"]


@pytest.mark.parametrize("when", ["before telling", "after telling"])
def test_the_works_error_is_raised_where_the_block_waits_for_it(when: str) -> None:
    error = InputError(f"report.txt: line 3: failed {when}")

    def work(tell: Callable[[object], None]) -> None:
        if when == "after telling":
            tell("first")
        raise error

    with pytest.raises(InputError) as caught, alongside_telling(work) as beside:
        assert beside.ready() == "first"  # raises here when the work failed before telling
        beside.wait()
        raise AssertionError("not reached: the work failed")
    assert str(caught.value) == str(error)
    assert not getattr(caught.value, "__notes__", None)


def test_an_error_after_telling_is_raised_at_the_end_of_the_block() -> None:
    def work(tell: Callable[[object], None]) -> None:
        tell("first")
        raise ReportFormatError("report.txt", 9, "cut short")

    reached = []
    with pytest.raises(ReportFormatError, match="cut short"), alongside_telling(work) as b:
        b.ready()
        reached.append("block")
    assert reached == ["block"]


def test_work_that_never_tells_is_a_clear_error_at_ready() -> None:
    with pytest.raises(RuntimeError, match="without telling"), \
            alongside_telling(lambda tell: 1) as beside:
        beside.ready()


def test_a_failing_block_after_the_child_ended_stops_no_other_process() -> None:
    """Once the child is reaped its pid may belong to another process: the block's error
    must not send it a signal."""
    import welfare_kg.parallel as parallel

    stopped: list[int] = []
    real_stop = parallel._stop

    def spy(pid: int, grace: float = 5.0) -> None:
        stopped.append(pid)
        real_stop(pid, grace)

    parallel._stop = spy
    try:
        with pytest.raises(ValueError, match="block failed"), \
                alongside_telling(lambda tell: tell(1)) as beside:
            beside.wait()  # the child is done and reaped
            raise ValueError("block failed")
    finally:
        parallel._stop = real_stop
    assert stopped == []
