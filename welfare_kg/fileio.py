"""Atomic writes: an output file is either complete or absent, never half-written.

A write whose bytes equal the file already there leaves that file alone (same inode, same
mtime): running the main job again does not touch what did not change, so tools that watch
modification times (make, rsync, a browser's reload, the store's build stamp) see no change.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from welfare_kg.errors import InputError

__all__ = ["atomic_write", "check_writable", "write_bytes", "write_text"]


def _cannot(path: Path, exc: OSError) -> InputError:
    return InputError(f"{path}: cannot write here: {exc.strerror or exc}")


def check_writable(path: str | Path) -> None:
    """Fail early, before any output is written, if `path` cannot become a file.

    Commands that write several files call this for each first, so a bad second path does
    not leave the first file written.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{path}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{path}: no permission to write in {parent}")


@contextmanager
def atomic_write(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside `path`; rename it over `path` only if the block succeeds."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot(path, exc) from exc
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
        raise _cannot(path, exc) from exc
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


def write_text(path: str | Path, text: str) -> None:
    """Write `text` (UTF-8, LF line endings as given) atomically."""
    with atomic_write(path) as fh:
        fh.write(text)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write `data` atomically."""
    with atomic_write(path, "wb") as fh:
        fh.write(data)
