"""Work kept between runs, keyed by content: a report's SHA-256 and the code/data version.

Adding one report to a build of 89 should cost one report, and running the main job twice on
the same report should cost reading what the first run made. An entry's key always includes
`code_version()`, a digest of the package's code, of the data and ontology files and of the
installed packages' versions, so a change to any of them misses instead of serving stale
work. Entries are written atomically; a cache that cannot be written (read-only home, full
disk) is skipped, never an error.

The cache lives in ``$WELFARE_KG_CACHE_DIR`` when set (``off`` turns it off), else in
``$XDG_CACHE_HOME/welfare-kg`` or ``~/.cache/welfare-kg``. It is bounded: each write drops
the least recently used entries (reading an entry renews it) until the cache fits
``$WELFARE_KG_CACHE_MAX`` (default 1G; ``none`` for no bound), since every distinct build
adds its own site, maps and parts and a ward PC's disk is not ours to fill.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import BinaryIO

from welfare_kg.paths import DATA_DIR, ONTOLOGY_DIR, PROJECT_ROOT, QUERIES_DIR

__all__ = ["CACHE_ENV", "KINDS", "LIMIT_ENV", "cache_limit", "cache_root", "code_version",
           "entries", "entry", "environment", "files_digest", "pack_tree", "parse_size",
           "prune", "read_entry", "read_tree", "unpack_tree", "write_entry", "write_tree"]

CACHE_ENV = "WELFARE_KG_CACHE_DIR"
LIMIT_ENV = "WELFARE_KG_CACHE_MAX"
DEFAULT_LIMIT = 1 << 30
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
# The kinds of work kept, one folder each. Pruning looks only in these folders and only at
# names `entry` makes, so a cache folder set by mistake to a shared one (~/.cache, /tmp)
# never loses another program's files.
KINDS = ("charts", "extraction", "maps", "part", "site", "tokens")
_ENTRY_NAME = re.compile(r"[0-9a-f]{40}(\.[A-Za-z0-9]+)?")
_STALE_TEMP = 3600.0  # seconds after which a writer's temporary file is taken as abandoned
# What the cached work depends on: every file of every room (code, and the templates,
# scripts, stylesheets, fonts and interface text that live beside it) and the files it reads.
_CODE_DIRS = ("welfare_kg", "graph", "viz")
_DATA_GLOBS = ((DATA_DIR, "**/*.yaml"), (DATA_DIR, "**/*.csv"), (ONTOLOGY_DIR, "*.ttl"),
               (QUERIES_DIR, "*.rq"))


def cache_root() -> Path | None:
    """The cache folder, or None when caching is off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "welfare-kg"


@cache
def code_version() -> str:
    """SHA-256 over every file of the package's rooms and its data, ontology and query
    files, and over the Python version and the installed packages (`environment`)."""
    digest = hashlib.sha256()
    digest.update("\n".join(environment()).encode("utf-8") + b"\0")
    files = [p for d in _CODE_DIRS for p in (PROJECT_ROOT / d).rglob("*")
             if "__pycache__" not in p.parts and p.is_file()]
    files += [p for folder, pattern in _DATA_GLOBS for p in folder.glob(pattern)]
    for path in sorted(set(files)):
        digest.update(_file_key(path).encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def environment() -> list[str]:
    """The Python version and the name and version of every installed distribution (its
    ``*.dist-info`` folder's name): rdflib, pyoxigraph, matplotlib, pyvis, Janome or Jinja2
    of another version may write other bytes from the same input, so cached work made with
    them must miss. One listing of site-packages, not a metadata lookup per package."""
    names = [sys.version]
    for folder in sorted({sysconfig.get_paths()[k] for k in ("purelib", "platlib")}):
        with contextlib.suppress(OSError):
            names += sorted(p.name for p in Path(folder).iterdir()
                            if p.name.endswith(".dist-info"))
    return names


def _file_key(path: Path) -> str:
    """The name a file is hashed under: relative to the checkout, or, for a data folder set
    with WELFARE_KG_DATA_DIR outside it, relative to that folder."""
    if path.is_relative_to(PROJECT_ROOT):
        return str(path.relative_to(PROJECT_ROOT))
    return str(Path("data") / path.relative_to(DATA_DIR))


def entry(kind: str, *keys: str, suffix: str = "") -> Path | None:
    """The path of the cache entry of `kind` for `keys` under the current code version."""
    if kind not in KINDS:
        raise ValueError(f"unknown cache kind {kind!r} (welfare_kg.cache.KINDS)")
    root = cache_root()
    if root is None:
        return None
    key = hashlib.sha256("\0".join((code_version(), *keys)).encode("utf-8")).hexdigest()
    return root / kind / f"{key[:40]}{suffix}"


def read_entry(path: Path | None) -> bytes | None:
    """The bytes of a cache entry, or None when there is none (or it cannot be read)."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # used now: the last to go when the cache is pruned
    return data


def write_entry(path: Path | None, data: bytes) -> None:
    """Store a cache entry atomically; a cache that cannot be written is skipped."""
    _write_atomically(path, lambda fh: fh.write(data))


def write_tree(path: Path | None, folder: Path) -> None:
    """Store every file under `folder` as the cache entry `path`: the bytes
    `write_entry(path, pack_tree(folder))` stores, copied file by file into the entry (by
    the kernel where it can) instead of gathered in memory first. For a site of some 20 MB
    that gathering cost a tenth of a second of CPU, mostly the kernel's handing out fresh
    pages for two 20 MB buffers; the copy costs a fifth of that. A file that changes size
    while it is copied leaves no entry."""
    def copy(out: BinaryIO) -> None:
        files = _tree_files(folder)
        sizes = [p.stat().st_size for p in files]
        out.write(_tree_header(folder, files, sizes))
        for file, size in zip(files, sizes, strict=True):
            with file.open("rb") as src:
                if _copy_file(src, out, size) != size:
                    raise OSError(f"{file} changed while it was kept")

    _write_atomically(path, copy)


def _copy_file(src: BinaryIO, out: BinaryIO, size: int) -> int:
    """Copy `size` bytes of `src` to the end of `out`; the bytes copied."""
    out.flush()  # the kernel's copy writes at the file's own position
    copied = 0
    if hasattr(os, "sendfile"):
        with contextlib.suppress(OSError):  # not supported here: copied below instead
            while copied < size:
                sent = os.sendfile(out.fileno(), src.fileno(), copied, size - copied)
                if sent == 0:
                    break
                copied += sent
            return copied
    src.seek(copied)
    while copied < size and (block := src.read(min(1 << 20, size - copied))):
        out.write(block)
        copied += len(block)
    return copied


def _write_atomically(path: Path | None, write: Callable[[BinaryIO], object]) -> None:
    """Write a cache entry through `write(file)` into a temporary file renamed into place,
    then keep the cache within its bound; a cache that cannot be written is skipped."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return
    root, limit = cache_root(), cache_limit()
    if root is not None and limit is not None and path.is_relative_to(root):
        prune(root, limit, keep=path)


def parse_size(text: str) -> int | None:
    """Bytes from a size such as ``500M``, ``2G`` or ``1048576``; None for ``none``/``off``.

    Raises ValueError for anything else, so a typo is not read as "no bound".
    """
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    if value.lower() in ("none", "off", "unlimited"):
        return None
    number, unit = (value[:-1], value[-1]) if value[-1:] in _UNITS and value[-1:] else (value, "")
    size = float(number) * _UNITS[unit]
    if size < 0 or not math.isfinite(size):
        raise ValueError(text)
    return int(size)


def cache_limit() -> int | None:
    """The cache's bound in bytes from $WELFARE_KG_CACHE_MAX (default 1 GiB); None when
    unbounded. A value that cannot be read keeps the default rather than failing a run."""
    chosen = os.environ.get(LIMIT_ENV)
    if chosen is None or not chosen.strip():
        return DEFAULT_LIMIT
    try:
        return parse_size(chosen)
    except ValueError:
        return DEFAULT_LIMIT


def entries(root: Path) -> list[tuple[Path, int, float]]:
    """Every entry under `root` as (path, size, last use), oldest first: the files `entry`
    names in the KINDS folders, nothing else. A writer's temporary file counts once it is
    older than an hour (its writer was killed), so abandoned ones are pruned too."""
    found = []
    now = time.time()
    for kind in KINDS:
        try:
            files = list(os.scandir(root / kind))
        except OSError:
            continue
        for item in files:
            temp = item.name.startswith(".tmp-")
            if not (temp or _ENTRY_NAME.fullmatch(item.name)):
                continue
            try:
                info = item.stat(follow_symlinks=False)
            except OSError:
                continue
            if not item.is_file(follow_symlinks=False) or (temp and
                                                            now - info.st_mtime < _STALE_TEMP):
                continue
            found.append((Path(item.path), info.st_size, info.st_mtime))
    found.sort(key=lambda e: (e[2], str(e[0])))
    return found


def prune(root: Path, limit: int, keep: Path | None = None) -> tuple[int, int]:
    """Remove the least recently used entries under `root` until it holds at most `limit`
    bytes, never `keep` (the entry just written). Returns (entries removed, bytes freed).

    Another process may be pruning or reading at the same time: a file that is already gone
    is simply counted as gone.
    """
    found = entries(root)
    total = sum(size for _, size, _ in found)
    removed = freed = 0
    for path, size, _ in found:
        abandoned = path.name.startswith(".tmp-")  # always removed (see `entries`)
        if total <= limit and not abandoned:
            continue
        if path == keep:
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            continue
        total -= size
        removed, freed = removed + 1, freed + size
    return removed, freed


def files_digest(folder: Path, files: Iterable[Path]) -> str:
    """SHA-256 over the names (relative to `folder`) and bytes of `files`, in name order."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _tree_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def pack_tree(folder: Path) -> bytes:
    """Every file under `folder` as one cache entry: a JSON header line of (name, size), then
    the files' bytes one after the other (one read and one write, not one per file)."""
    files = _tree_files(folder)
    blobs = [p.read_bytes() for p in files]
    return _tree_header(folder, files, [len(b) for b in blobs]) + b"".join(blobs)


def _tree_header(folder: Path, files: list[Path], sizes: list[int]) -> bytes:
    """A tree entry's header line: the JSON list of each file's (name under `folder`, size)."""
    header = [[p.relative_to(folder).as_posix(), size] for p, size in zip(files, sizes,
                                                                           strict=True)]
    return json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n"


def read_tree(data: bytes) -> list[tuple[str, memoryview]] | None:
    """The (name, bytes) of each file of a `pack_tree` entry, or None when it is damaged.

    The bytes are views into `data`, not copies: a site's entry is some 20 MB.
    """
    end = data.find(b"\n")
    try:
        header = [(str(name), int(size)) for name, size in json.loads(data[:end])]
    except (ValueError, TypeError):
        return None
    body = memoryview(data)[end + 1:]
    if end < 0 or sum(size for _, size in header) != len(body) or any(
            Path(name).is_absolute() or ".." in Path(name).parts for name, _ in header):
        return None
    files, at = [], 0
    for name, size in header:
        files.append((name, body[at:at + size]))
        at += size
    return files


def unpack_tree(data: bytes, folder: Path) -> list[Path] | None:
    """Write the files of a `pack_tree` entry under the empty `folder`; None, with nothing
    written, when the entry is damaged, so the caller makes the files instead."""
    files = read_tree(data)
    if files is None:
        return None
    written, made = [], set()
    for name, content in files:
        path = folder / name
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), "wb") as fh:
            os.fchmod(fh.fileno(), 0o644)  # as welfare_kg.fileio leaves outputs, any umask
            fh.write(content)
        written.append(path)
    return written
