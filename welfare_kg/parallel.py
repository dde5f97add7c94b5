"""Independent work done in a second process beside this one (the site's pages on two cores).

The main job runs on machines with two or more cores, and once the graph is built much of
what is left is independent files (the site's pages). `alongside(work)` forks a child that
does `work` while this process runs the block, and waits for it at the end of the block. A
forked child starts as a copy of this process (its data, loaded modules and compiled
templates), so nothing is pickled or imported again and the start costs a few milliseconds.

What the two processes write must not depend on which runs first (each writes its own
files); then the output is the same bytes as a serial run's, which is what `enabled=False`
(or a system without `fork`) does: `work` first, then the block, in this process.

Work that others wait for only in part can say so: `alongside_telling(work)` hands `work` a
`tell(value)` to call once its first product is in place (the main job's build: the N-Quads
the store loads, before the exports), and the block waits for that alone (`Beside.ready`)
and for the whole work only where it needs it (`Beside.wait`, or the end of the block).

Failure is the caller's as if the work had run here: an error in the child is raised again
in this process where the block waits for it (`ready`, `wait`, or the end of the block): a
`WelfareKGError` as itself, so the CLI prints its one line; a bug with the child's traceback
attached. An error in the block stops the child and waits for it before it propagates, so
no child is left writing into a staging folder that its caller is about to remove.
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import struct
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from welfare_kg.errors import WelfareKGError

__all__ = ["Beside", "alongside", "alongside_telling", "cores", "spare_cores"]


def cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def spare_cores() -> int:
    """The processes worth running for the main job now: the cores, or 1 when other work
    already keeps them busy (a load average over the last minute of at least the cores and a
    half: more runnable processes than cores besides this one). On a busy machine a second
    process gains no time and costs its fork and the work both processes repeat (about a
    tenth of a second of CPU); the output is the same either way."""
    try:
        load = os.getloadavg()[0]
    except OSError:  # pragma: no cover - no load average on this system
        return cores()
    return 1 if load >= cores() + 0.5 else cores()


class Beside:
    """What `alongside` yields: `result` holds what the work returned, once the block is over
    (pickled across from the child, so it must be picklable: paths, numbers, text).

    Inside the block, `ready()` waits for what the work told (`alongside_telling`) and
    `wait()` for the whole work; either raises the work's error when it failed first."""

    result: Any = None

    def __init__(self) -> None:
        self._told: list[Any] = []  # [value] once the work has told it
        self._done = False  # the outcome is known (result set, or the error raised)
        self._child: _Child | None = None  # the second process, while it is being waited for

    def ready(self) -> Any:
        """The value the work passed to `tell`, waiting for the second process until then."""
        while not self._told:
            if self._done or self._child is None:
                raise RuntimeError("the work finished without telling what it had made")
            self._take(self._child.next_message())
        return self._told[0]

    def wait(self) -> Any:
        """The work's result, waiting for the second process to finish."""
        while not self._done:
            if self._child is None:  # pragma: no cover - a serial work is done before the block
                raise RuntimeError("no work to wait for")
            self._take(self._child.next_message())
        return self.result

    def _take(self, message: tuple[Any, ...] | None) -> None:
        """One message of the child: what it told, or its end (the result, or its error
        raised here)."""
        child = self._child
        assert child is not None
        if message is not None and message[0] == "told":
            self._told.append(message[1])
            return
        self._done = True
        self.result = child.end(message)


class _Child:
    """The parent's end of a forked child: its pid and the pipe of its messages (each a
    pickled tuple behind its length), read as the block needs them.

    The pipe's end of file alone cannot say that the child is gone: a process the child
    forked (a pool worker of the build) holds the pipe's write end too, and may outlive a
    child that was killed. So the reader waits for data at most `_POLL` seconds at a time
    and asks between waits whether the child has exited; once it has, what it wrote is
    already in the pipe, and nothing more is waited for."""

    def __init__(self, pid: int, read_end: int) -> None:
        self.pid = pid
        self.fd = read_end
        self.reaped = False
        self.status = 0  # the wait status, once reaped

    def next_message(self) -> tuple[Any, ...] | None:
        """The next whole message, or None when the child ended without one (it was killed,
        or its reply was cut short)."""
        head = self._read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            return None
        (size,) = _LENGTH.unpack(head)
        data = self._read(size)
        if len(data) < size:
            return None
        try:
            return pickle.loads(data)
        except Exception:
            return None

    def _read(self, size: int) -> bytes:
        """`size` bytes of the pipe, or fewer when it ends or the child has exited."""
        chunks: list[bytes] = []
        while size:
            if not select.select([self.fd], [], [], _POLL)[0]:
                if not self._exited() or select.select([self.fd], [], [], 0)[0]:
                    continue  # still working, or it wrote just before it exited
                break
            data = os.read(self.fd, size)
            if not data:
                break
            chunks.append(data)
            size -= len(data)
        return b"".join(chunks)

    def _exited(self) -> bool:
        """Whether the child has exited (reaping it then)."""
        if not self.reaped:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.reaped, self.status = True, status
        return self.reaped

    def end(self, message: tuple[Any, ...] | None) -> Any:
        """Reap the child; its result, or its failure raised here."""
        self._close()
        if not self.reaped:
            _, status = os.waitpid(self.pid, 0)
            self.reaped, self.status = True, status
        return _outcome(message, self.status)

    def stop(self) -> None:
        """The block failed: end the child unless it was already reaped (its pid may then
        belong to another process)."""
        self._close()
        if not self.reaped:
            self.reaped = True
            _stop(self.pid)

    def _close(self) -> None:
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            with suppress(OSError):
                os.close(fd)


_LENGTH = struct.Struct(">Q")
_POLL = 0.1  # seconds the parent waits for the child's pipe before asking if it exited


@contextmanager
def alongside(work: Callable[[], Any], *, enabled: bool = True) -> Iterator[Beside]:
    """Run `work` in a forked child while the block runs here; when the block ends, wait for
    the child, raise its error if it failed, else keep its return value in `result`. Serial
    (`work`, then the block) when not `enabled` or where there is no `fork`."""
    with alongside_telling(lambda tell: work(), enabled=enabled) as beside:
        yield beside


@contextmanager
def alongside_telling(work: Callable[[Callable[[Any], None]], Any], *,
                      enabled: bool = True) -> Iterator[Beside]:
    """`alongside` for work that tells the block when its first product is in place:
    `work(tell)` calls `tell(value)` once (a small picklable value), and the block's
    `beside.ready()` returns that value as soon as the child has told it, while the child
    goes on; the block may `beside.wait()` for the whole work, and the end of the block
    waits for it in any case. Serial (`work`, then the block) when not `enabled` or where
    there is no `fork`: `ready()` then returns at once."""
    beside = Beside()
    if not enabled or not hasattr(os, "fork"):
        beside.result = work(beside._told.append)
        beside._done = True
        yield beside
        return
    read_end, write_end = os.pipe()
    _flush_output()  # nothing buffered is written twice
    # The child shares this process's memory until it writes to a page; a garbage collection
    # in the child would write to every object it scans, copying most of the heap. Objects
    # made before the fork are set aside from collection (in both, for the child's life).
    gc.freeze()
    # Ctrl-C or SIGTERM between the fork and the child's own handlers would raise in the child
    # on the parent's stack (it would run the caller's cleanup): both are held back across
    # the fork, and each process lets them through once it is ready.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        pid = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        gc.unfreeze()
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # pragma: no cover - the child; its effects are what the tests check
        try:
            # The parent stops this child when it is interrupted (`_stop`): Ctrl-C, sent to
            # the whole process group, is the parent's to handle.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, _stopped)
            os.close(read_end)
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            _child(work, write_end)
        finally:
            os._exit(1)  # never back into the caller's code, whatever happened above
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    gc.unfreeze()
    os.close(write_end)
    child = beside._child = _Child(pid, read_end)
    try:
        yield beside
        beside.wait()
    except BaseException:  # the block failed, or was interrupted while waiting
        child.stop()
        raise
    finally:
        beside._child = None


def _child(work: Callable[[Callable[[Any], None]], Any],
           pipe: int) -> None:  # pragma: no cover - in the child
    """Do `work`, send back what it tells, then its result or its error, and leave with
    os._exit: the parent's exit handlers, temporary folders and buffered output are the
    parent's, not run or written a second time here."""
    out = os.fdopen(pipe, "wb")

    def send(message: bytes) -> None:
        out.write(_LENGTH.pack(len(message)) + message)
        out.flush()

    def tell(value: Any) -> None:
        _flush_output()  # what it printed comes before the block's
        send(pickle.dumps(("told", value)))

    code = 0
    try:
        message = pickle.dumps(("result", work(tell)))
    except BaseException as exc:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        code = 1
        message = _error_message(exc)
    # Done: a late SIGTERM must not cut the reply short (the parent reads it whole).
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    for stream in (sys.stdout, sys.stderr):  # each, whatever the other does
        with suppress(BaseException):
            if stream is not None:
                stream.flush()
    with suppress(BaseException), out:
        send(message)
    os._exit(code)


def _flush_output() -> None:
    """Write out what this process has buffered for stdout and stderr."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()


def _error_message(exc: BaseException) -> bytes:
    """The child's error, pickled when it can be (a `WelfareKGError` keeps its type and
    message), with its traceback as text."""
    text = "".join(traceback.format_exception(exc))
    try:
        data = pickle.dumps(("error", exc, text))
        pickle.loads(data)  # an exception whose constructor takes other arguments fails here
    except Exception:
        data = pickle.dumps(("error", None, text))
    return data


def _stop(pid: int, grace: float = 5.0) -> None:
    """End the child (the block failed: its work is not wanted) and reap it: asked first
    (SIGTERM ends its work like an error, so its `with` blocks remove their temporary
    folders), killed when it has not ended within `grace` seconds."""
    with suppress(ProcessLookupError):  # already gone
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    with suppress(ChildProcessError):  # already reaped
        while time.monotonic() < deadline:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
            time.sleep(0.005)
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _stopped(signum: int, frame: object) -> None:  # pragma: no cover - in the child
    raise SystemExit(f"stopped by signal {signum}")


def _outcome(message: tuple[Any, ...] | None, status: int) -> Any:
    """The child's result, or its failure raised here."""
    code = os.waitstatus_to_exitcode(status)
    if code == 0 and message and message[0] == "result":
        return message[1]
    if message and message[0] == "error":
        _, exc, text = message
        if isinstance(exc, BaseException):
            if not isinstance(exc, WelfareKGError):
                exc.add_note(f"in the second process:\n{text}")
            raise exc
        raise RuntimeError(f"the second process failed:\n{text}")  # a bug, with its traceback
    how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
    raise WelfareKGError(f"the second process of this job {how} before it finished")
