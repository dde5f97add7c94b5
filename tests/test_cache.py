"""The cache: entries keyed by the code/data version, written atomically, never an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from welfare_kg import cache


def test_entries_round_trip_and_depend_on_the_keys(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    a, b = cache.entry("x", "report-a", suffix=".json"), cache.entry("x", "report-b")
    assert a is not None and b is not None and a != b and a.parent == tmp_path / "x"
    assert cache.read_entry(a) is None
    cache.write_entry(a, b"data")
    assert cache.read_entry(a) == b"data"
    assert list(a.parent.glob(".tmp-*")) == []


def test_the_version_changes_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    before = cache.entry("x", "same")
    monkeypatch.setattr(cache, "code_version", lambda: "another version")
    assert cache.entry("x", "same") != before


def test_off_and_unwritable_caches_are_skipped(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert cache.entry("x", "k") is None and cache.read_entry(None) is None
    cache.write_entry(None, b"ignored")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache.write_entry(blocker / "x" / "entry", b"data")  # parent is a file: skipped quietly
    assert blocker.read_text() == "not a folder"


def test_code_version_is_a_stable_digest() -> None:
    assert cache.code_version() == cache.code_version()
    assert len(cache.code_version()) == 64
