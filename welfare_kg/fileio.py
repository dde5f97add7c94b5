"""Atomic writes: an output file is either complete or absent, never half-written.

A write whose bytes equal the file already there leaves that file alone (same inode, same
mtime): running the main job again does not touch what did not change, so tools that watch
modification times (make, rsync, a browser's reload, the store's build stamp) see no change.
"""

from __future__ import annotations

import errno
import glob
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from welfare_kg.errors import InputError

__all__ = ["atomic_write", "check_writable", "replace_folder", "write_bytes", "write_staged",
           "write_text"]

STALE_SECONDS = 3600  # a staging folder untouched this long belongs to a run that was killed
_SWAP_TRIES = 10  # each try loses only to another run that finished in between


def _cannot(path: Path, exc: OSError) -> InputError:
    return InputError(f"{path}: cannot write here: {exc.strerror or exc}")


def _special_target(path: Path) -> bool:
    """True when `path` names a device, FIFO or socket (perhaps through a link, as
    /dev/stdout does): such a node is written through, never replaced by a regular file."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _real_target(path: Path) -> Path:
    """The file a symbolic link points to, so the link survives the write (written beside the
    real file and renamed over it); `path` itself when it is no link."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _read_only_fs(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def check_writable(path: str | Path) -> None:
    """Fail early, before any output is written, if `path` cannot become a file.

    Commands that write several files call this for each first, so a bad second path does
    not leave the first file written.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    if _special_target(path):
        if not os.access(path, os.W_OK):
            raise InputError(f"{path}: no permission to write to this device")
        return
    path = _real_target(path)
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{path}: {parent} is not a folder")
    if _read_only_fs(parent):
        raise InputError(f"{path}: {parent} is on a read-only file system")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{path}: no permission to write in {parent}")


@contextmanager
def atomic_write(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside `path`; rename it over `path` only if the block succeeds.

    A device or FIFO (`-o /dev/stdout`) is written through, not replaced; a symbolic link to
    a file keeps being a link, to the new file.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    if _special_target(path):
        with _write_through(path, mode, encoding) as fh:
            yield fh
        return
    shown, path = path, _real_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot(shown, exc) from exc
    binary = "b" in mode
    try:
        text_args = {} if binary else {"encoding": encoding, "newline": ""}
        with os.fdopen(fd, mode, **text_args) as fh:
            yield fh
        if _same_bytes(Path(tmp), path):
            Path(tmp).unlink()
            return
        # mkstemp makes the file private (0600); outputs are meant to be shared and served.
        Path(tmp).chmod(0o644)
        Path(tmp).replace(path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _cannot(shown, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _same_bytes(new: Path, old: Path) -> bool:
    """Whether `old` exists as a regular file with exactly the bytes of `new`."""
    try:
        if not old.is_file() or old.stat().st_size != new.stat().st_size:
            return False
        with new.open("rb") as a, old.open("rb") as b:
            while True:
                chunk = a.read(1 << 20)
                if chunk != b.read(1 << 20):
                    return False
                if not chunk:
                    return True
    except OSError:  # unreadable old file: replace it
        return False


@contextmanager
def _write_through(path: Path, mode: str, encoding: str | None) -> Iterator[IO]:
    """Write straight into a device or FIFO; an error (ENOSPC of /dev/full …) names `path`."""
    text_args = {} if "b" in mode else {"encoding": encoding, "newline": ""}
    try:
        fh = path.open(mode, **text_args)
    except OSError as exc:
        raise _cannot(path, exc) from exc
    try:
        with fh:
            yield fh
    except OSError as exc:
        raise _cannot(path, exc) from exc


def write_text(path: str | Path, text: str) -> None:
    """Write `text` (UTF-8, LF line endings as given) atomically."""
    with atomic_write(path) as fh:
        fh.write(text)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write `data` atomically."""
    with atomic_write(path, "wb") as fh:
        fh.write(data)


def write_staged(path: str | Path, data: bytes) -> None:
    """Write `data` to `path` inside a staging folder of the caller's own: a folder it made
    empty, that no reader sees until it is complete and switched in whole, and that is
    removed whole when the work fails (the site's staging folder). There a half-written
    file is never seen, so the temporary file and rename of `write_bytes` (a quarter of a
    millisecond a file, hundreds of pages) buy nothing. The file is shared (0644), as
    `atomic_write` makes it.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fd, 0o644)
            fh.write(data)
    except OSError as exc:
        raise _cannot(path, exc) from exc


@contextmanager
def replace_folder(target: str | Path) -> Iterator[Path]:
    """Yield an empty staging folder beside `target`; when the block succeeds, it replaces
    `target` whole (two renames), and when it fails, it is removed and `target` is untouched
    (a swap that fails between its two renames puts the old folder back).

    Each run stages under a name of its own (``.NAME.staging-*``), so two runs writing the same
    folder at once do not write into one staging folder: the last to finish wins, complete.
    Leftovers of killed runs (older than `STALE_SECONDS`) are removed on the way.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(target)
        stage = _unique(target, "staging")
        stage.mkdir()  # as any folder the user makes (umask), unlike mkdtemp's 0700
    except OSError as exc:
        raise _cannot(target, exc) from exc
    try:
        yield stage
        _swap_in(stage, target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _remove_stale(target: Path) -> None:
    """Remove the staging and old folders of `target` that killed runs left behind: older
    than `STALE_SECONDS`, and not of a process still running (a run stopped for an hour, or
    on a suspended laptop, keeps its staging folder)."""
    now = time.time()
    for prefix in (f".{target.name}.staging", f".{target.name}.old"):
        for path in target.parent.glob(f"{glob.escape(prefix)}*"):
            try:
                if now - path.lstat().st_mtime > STALE_SECONDS and not _owner_runs(path):
                    _remove(path)
            except FileNotFoundError:
                pass  # another run removed it first


def _owner_runs(path: Path) -> bool:
    """Whether the process named in `path` (``.NAME.KIND-PID-NS``) still runs on this host."""
    m = re.search(r"-(\d+)-\d+$", path.name)
    if not m or int(m.group(1)) == os.getpid():
        return False  # an older name, or this process's own leftover of an earlier call
    try:
        os.kill(int(m.group(1)), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it runs, as another user
    return True


def _unique(target: Path, kind: str) -> Path:
    """A name beside `target` that no other run (process) uses: ``.NAME.KIND-PID-NS``."""
    return target.parent / f".{target.name}.{kind}-{os.getpid()}-{time.time_ns()}"


def _swap_in(stage: Path, target: Path) -> None:
    """Move `target` aside and `stage` into its place, then remove what was moved aside.

    Between the two renames another run may put its own folder at `target`; then the rename
    fails (the place is taken) and is tried again, a bounded number of times. What was moved
    aside is removed only once `stage` is in place: when the swap fails (an error, an
    interrupt, too many lost tries), the last folder moved aside goes back, so a failed run
    never leaves `target` missing.
    """
    olds: list[Path] = []
    swapped = False
    try:
        for _ in range(_SWAP_TRIES):
            if os.path.lexists(target):
                old = _unique(target, "old")
                try:
                    target.rename(old)
                    olds.append(old)
                except FileNotFoundError:
                    pass  # another run moved it first: the place is free now
            try:
                stage.rename(target)
                swapped = True
                return
            except OSError as exc:
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
        raise OSError(errno.EBUSY, "other runs keep replacing it")
    except OSError as exc:
        raise _cannot(target, exc) from exc
    finally:
        if not swapped and olds:
            _put_back(olds.pop(), target)
        for old in olds:
            _remove(old)


def _put_back(old: Path, target: Path) -> None:
    """After a failed swap: `old` back at `target` while the place is free; when another run
    has filled it meanwhile, `old` is an older copy and goes."""
    if os.path.lexists(target):
        _remove(old)
        return
    with suppress(OSError):  # else kept under its .old name (removed as stale later)
        old.rename(target)


def _remove(path: Path) -> None:
    """Remove a folder tree, or a link or file (a `target` may be a link to the real folder:
    the link goes, not what it points to); what cannot be removed stays."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass
