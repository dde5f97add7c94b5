"""The output folder as one transaction: a reader sees a complete old or a complete new out/.

`out/` is a symbolic link to a version folder under a hidden sibling, ``.out.versions/``. A
command that writes into it works in a staging folder seeded with hard links to the current
version's files (cheap, and the old version stays intact because every output is written to a
new file and renamed, never modified in place), then renames the staging folder to a new
version and swaps the link with one ``rename(2)``, which is atomic. A run that fails or is
killed leaves out/ as it was; its staging folder is removed then, or by the next run.

A lock file makes a second run wait for the first (two runs into the same out/ used to leave
files from both inputs). A real folder found at out/ (made by an older version, or by hand)
is moved into the versions folder once, so its files stay readable through the link.

Old versions are kept a little while (``KEEP`` versions) because a running `welfare-kg serve`
or a browser may still read one; older ones are removed.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from welfare_kg.errors import InputError

__all__ = ["KEEP", "current_version", "transaction", "versions_dir"]

KEEP = 3  # versions kept besides staging: the current one and two before it
_STAGE = ".stage-"
_LINK = ".link-"


def versions_dir(out: Path) -> Path:
    """The hidden folder beside `out` that holds its versions (``.out.versions``)."""
    out = Path(out)
    return out.parent / f".{out.name}.versions"


def current_version(out: Path) -> Path | None:
    """The version folder `out` points at, or None when there is none yet."""
    out = Path(out)
    if out.is_symlink():
        target = out.resolve()
        return target if target.is_dir() else None
    return None


def _check(out: Path) -> Path:
    """`out` unless it is a folder that must not become a link (the current folder, a parent
    of it, the root): its contents would be moved into the versions folder."""
    if out.name in ("", ".", ".."):
        raise InputError(f"{out}: give the outputs a folder of their own (e.g. out)")
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file, not an output folder")
    here = Path.cwd().resolve()
    target = out.resolve()
    if here == target or target in here.parents:
        raise InputError(f"{out}: is the current folder or holds it; give the outputs a "
                         "folder of their own (e.g. out)")
    return out


def _cannot(out: Path, exc: OSError) -> InputError:
    """An InputError about the user's out/ path, not about a staging path inside it."""
    reason = exc.strerror or str(exc)
    return InputError(f"{out}: cannot write the outputs here: {reason}")


@contextmanager
def _locked(folder: Path, out: Path) -> Iterator[None]:
    lock_path = folder / ".lock"
    with lock_path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another run that is writing {out} …", file=sys.stderr)
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _clean_stale(folder: Path) -> None:
    """Remove staging folders and links left by runs that were killed (we hold the lock)."""
    for path in folder.iterdir():
        if path.name.startswith(_STAGE):
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(_LINK):
            path.unlink(missing_ok=True)


def _seed(stage: Path, current: Path | None) -> None:
    """Fill `stage` with hard links to the current version's files (copies where links fail)."""
    if current is None:
        stage.mkdir()
        return
    shutil.copytree(current, stage, symlinks=True, copy_function=_link_or_copy)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _adopt(out: Path, folder: Path) -> None:
    """Move a real folder found at `out` into the versions folder and link to it."""
    if out.is_symlink() or not out.exists():
        return
    adopted = folder / f"v-{time.time_ns():020d}-adopted"
    out.rename(adopted)
    _switch(out, adopted)


def _switch(out: Path, version: Path) -> None:
    """Point `out` at `version` with one atomic rename of a fresh link over it."""
    link = version.parent / f"{_LINK}{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(version, out.parent))
    link.replace(out)


def _prune(folder: Path, keep: int) -> None:
    versions = sorted(p for p in folder.iterdir() if p.name.startswith("v-") and p.is_dir())
    for old in versions[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def transaction(out: str | Path, *, seed: bool = True, keep: int = KEEP) -> Iterator[Path]:
    """Stage a new version of `out`; switch `out` to it only if the block succeeds.

    Yields the staging folder: write every output there (with `seed`, it starts as a copy of
    the current version, so a command that writes only maps keeps the rest). Raises
    InputError naming `out` when the folder cannot be written.
    """
    out = _check(Path(out))
    folder = versions_dir(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot(out, exc) from exc
    with _locked(folder, out):
        stage = folder / f"{_STAGE}{os.getpid()}-{time.time_ns()}"
        try:
            _clean_stale(folder)
            _adopt(out, folder)
            _seed(stage, current_version(out) if seed else None)
        except OSError as exc:
            shutil.rmtree(stage, ignore_errors=True)
            raise _cannot(out, exc) from exc
        try:
            yield stage
            version = folder / f"v-{time.time_ns():020d}-{os.getpid()}"
            stage.rename(version)
            _switch(out, version)
        except OSError as exc:
            shutil.rmtree(stage, ignore_errors=True)
            raise _cannot(out, exc) from exc
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        _prune(folder, keep)
