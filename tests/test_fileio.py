"""Atomic writes: complete or absent, and a file whose bytes do not change is left alone."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from welfare_kg import fileio
from welfare_kg.errors import InputError
from welfare_kg.fileio import (
    atomic_write,
    replace_folder,
    write_bytes,
    write_staged,
    write_text,
)


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


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in folder.rglob("*") if p.is_file()}


def test_a_replaced_folder_is_whole_and_made_like_any_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "old-only").mkdir(parents=True)
    (site / "old-only" / "page.html").write_text("old", encoding="utf-8")
    (tmp_path / "plain").mkdir()
    with replace_folder(site) as stage:
        assert stage.parent == tmp_path and stage != site
        (stage / "index.html").write_text("new", encoding="utf-8")
        assert _tree(site) == {"old-only/page.html": "old"}  # readers see the old one meanwhile
    assert _tree(site) == {"index.html": "new"}
    assert site.stat().st_mode & 0o777 == (tmp_path / "plain").stat().st_mode & 0o777
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain", "site"]


def test_a_failed_block_leaves_the_folder_and_no_staging(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), replace_folder(site) as stage:
        (stage / "index.html").write_text("half", encoding="utf-8")
        raise RuntimeError("boom")
    assert _tree(site) == {"index.html": "old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_swap_that_fails_between_its_renames_puts_the_old_folder_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The old folder is moved aside before the new one moves in: when that second rename
    fails, the user keeps the old folder, not nothing."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old", encoding="utf-8")
    rename = Path.rename

    def refuse_the_stage(self: Path, target: Path) -> Path:
        if ".staging-" in self.name:
            raise PermissionError(13, "Permission denied", str(target))
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse_the_stage)
    with pytest.raises(InputError, match=r"site: cannot write here"), \
            replace_folder(site) as stage:
        (stage / "index.html").write_text("new", encoding="utf-8")
    assert _tree(site) == {"index.html": "old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_link_at_the_target_is_replaced_without_leftovers(tmp_path: Path) -> None:
    """`site` a link to the real folder: the link is replaced by the new folder, what it
    pointed to is kept, and no `.site.old-*` is left behind run after run."""
    real = tmp_path / "real"
    real.mkdir()
    (real / "index.html").write_text("real", encoding="utf-8")
    site = tmp_path / "site"
    site.symlink_to(real)
    for run in range(2):
        with replace_folder(site) as stage:
            (stage / "index.html").write_text(f"new{run}", encoding="utf-8")
    assert not site.is_symlink() and _tree(site) == {"index.html": "new1"}
    assert _tree(real) == {"index.html": "real"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real", "site"]


def _ended_pid() -> int:
    """The pid of a process that has ended (a child, reaped)."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_leftovers_of_killed_runs_go_after_an_hour(tmp_path: Path) -> None:
    dead = _ended_pid()
    stale = [tmp_path / ".site.staging", tmp_path / f".site.staging-{dead}-2",
             tmp_path / f".site.old-{dead}-4"]
    fresh = tmp_path / f".site.staging-{dead}-6"  # maybe a run writing right now
    paused = tmp_path / f".site.staging-{os.getppid()}-7"  # its run was stopped for an hour
    other = tmp_path / f".sites.staging-{dead}-8"  # another folder's
    for folder in (*stale, fresh, paused, other):
        (folder / "x").mkdir(parents=True)
    link = tmp_path / f".site.old-{dead}-9"  # a link moved aside: unlinked, not left
    link.symlink_to(tmp_path / "nowhere")
    stale.append(link)
    hour_ago = time.time() - fileio.STALE_SECONDS - 60
    for folder in (*stale, paused, other):
        os.utime(folder, (hour_ago, hour_ago), follow_symlinks=False)
    with replace_folder(tmp_path / "site") as stage:
        (stage / "index.html").write_text("new", encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [fresh.name, paused.name, other.name, "site"])


def _write_site_many_times(site: str, tag: str, times: int) -> None:
    for i in range(times):
        with replace_folder(Path(site)) as stage:
            for page in ("index.html", "rows/a.html", "rows/b.html"):
                (stage / page).parent.mkdir(parents=True, exist_ok=True)
                (stage / page).write_text(f"{tag}-{i}", encoding="utf-8")


def test_runs_replacing_one_folder_at_once_each_leave_it_whole(tmp_path: Path) -> None:
    """Several processes replace the same folder over and over: at the end it holds one run's
    pages, all of them, and no staging or old folder is left (each run stages under its own
    name; a swap that loses the place to another run tries again)."""
    site = tmp_path / "site"
    fork = multiprocessing.get_context("fork")
    runs = [fork.Process(target=_write_site_many_times, args=(str(site), f"run{n}", 40))
            for n in range(4)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=60)
    assert [run.exitcode for run in runs] == [0, 0, 0, 0]
    pages = _tree(site)
    assert sorted(pages) == ["index.html", "rows/a.html", "rows/b.html"]
    assert len(set(pages.values())) == 1  # one run's pages, not a mixture
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
