"""Atomic writes: complete or absent, and a file whose bytes do not change is left alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from welfare_kg.fileio import atomic_write, write_bytes, write_text


def test_an_unchanged_file_keeps_its_inode_and_mtime(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    write_text(path, "泉区\n")
    old_ns = 1_000_000_000_000_000_000
    os.utime(path, ns=(old_ns, old_ns))
    before = path.stat()
    write_text(path, "泉区\n")
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, old_ns)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]  # no temp file left


@pytest.mark.parametrize("new", [b"same length", b"longer than before", b""])
def test_changed_bytes_replace_the_file(tmp_path: Path, new: bytes) -> None:
    path = tmp_path / "out.bin"
    write_bytes(path, b"same-length")
    write_bytes(path, new)
    assert path.read_bytes() == new
    assert oct(path.stat().st_mode & 0o777) == "0o644"


def test_a_failed_block_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    write_text(path, "old\n")
    with pytest.raises(RuntimeError), atomic_write(path) as fh:
        fh.write("half")
        raise RuntimeError("boom")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_staged_write_makes_a_shared_file_and_names_the_path_it_cannot_write(
        tmp_path: Path) -> None:
    from welfare_kg.errors import InputError
    from welfare_kg.fileio import write_staged

    old = os.umask(0o077)
    try:
        write_staged(tmp_path / "stage" / "pages" / "a.html", "ページ".encode())
    finally:
        os.umask(old)
    target = tmp_path / "stage" / "pages" / "a.html"
    assert target.read_bytes() == "ページ".encode()
    assert target.stat().st_mode & 0o777 == 0o644
    write_staged(target, b"shorter")  # written again: replaced, not appended
    assert target.read_bytes() == b"shorter"
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"file/b\.html: cannot write here"):
        write_staged(tmp_path / "file" / "b.html", b"x")
