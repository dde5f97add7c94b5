"""Independent work done in a second process beside this one (the site's pages on two cores).

The main job runs on machines with two or more cores, and once the graph is built much of
what is left is independent files (the site's pages). `alongside(work)` forks a child that
does `work` while this process runs the block, and waits for it at the end of the block. A
forked child starts as a copy of this process (its data, loaded modules and compiled
templates), so nothing is pickled or imported again and the start costs a few milliseconds.

What the two processes write must not depend on which runs first (each writes its own
files); then the output is the same bytes as a serial run's, which is what `enabled=False`
(or a system without `fork`) does: `work` first, then the block, in this process.

Failure is the caller's as if the work had run here: an error in the child is raised again
in this process at the end of the block (a `WelfareKGError` as itself, so the CLI prints its
one line; a bug with the child's traceback attached); an error in the block stops the
child and waits for it before it propagates, so no child is left writing into a staging
folder that its caller is about to remove.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from welfare_kg.errors import WelfareKGError

__all__ = ["alongside", "cores"]


def cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def alongside(work: Callable[[], object], *, enabled: bool = True) -> Iterator[None]:
    """Run `work` in a forked child while the block runs here; when the block ends, wait for
    the child and raise its error, if any. Serial (`work`, then the block) when not
    `enabled` or where there is no `fork`."""
    if not enabled or not hasattr(os, "fork"):
        work()
        yield
        return
    read_end, write_end = os.pipe()
    for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
        if stream is not None:
            stream.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its effects are what the tests check
        os.close(read_end)
        _child(work, write_end)
    os.close(write_end)
    try:
        yield
    except BaseException:
        _stop(pid)
        os.close(read_end)
        raise
    with os.fdopen(read_end, "rb") as pipe:
        report = pipe.read()
    _, status = os.waitpid(pid, 0)
    _raise_failure(report, status)


def _child(work: Callable[[], object], pipe: int) -> None:  # pragma: no cover - in the child
    """Do `work` and leave with os._exit: the parent's exit handlers, temporary folders and
    buffered output are the parent's, not run or written a second time here. Every failure
    goes back to the parent, which raises it."""
    code = 0
    try:
        work()
    except BaseException as exc:
        code = 1
        with suppress(BaseException):
            _send(pipe, exc)
    finally:
        for stream in (sys.stdout, sys.stderr):
            with suppress(BaseException):
                if stream is not None:
                    stream.flush()
        os._exit(code)


def _send(pipe: int, exc: BaseException) -> None:
    """The child's error, pickled when it can be (a `WelfareKGError` keeps its type and
    message), with its traceback as text."""
    text = "".join(traceback.format_exception(exc))
    try:
        data = pickle.dumps((exc, text))
        pickle.loads(data)  # an exception whose constructor takes other arguments fails here
    except Exception:
        data = pickle.dumps((None, text))
    with os.fdopen(pipe, "wb") as out:
        out.write(data)


def _stop(pid: int) -> None:
    """End the child (the block failed: its work is not wanted) and reap it."""
    with suppress(ProcessLookupError):  # already gone
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _raise_failure(report: bytes, status: int) -> None:
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return
    exc, text = pickle.loads(report) if report else (None, "")
    if isinstance(exc, BaseException):
        if not isinstance(exc, WelfareKGError):
            exc.add_note(f"in the second process:\n{text}")
        raise exc
    if text:  # a failure whose exception could not cross: a bug, shown with its traceback
        raise RuntimeError(f"the second process failed:\n{text}")
    how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
    raise WelfareKGError(f"the second process of this job {how} before it finished")
