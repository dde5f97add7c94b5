"""Maps kept in the cache by the plan they show: the same files as drawing them, drawn once."""

from __future__ import annotations

from pathlib import Path

import pytest
from viz_fixtures import small_plan

from welfare_kg import cache
from welfare_kg.viz import kept_maps, maps


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_kept_maps_are_the_drawn_maps_and_are_drawn_once(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    plan = small_plan()
    drawn = maps.write_maps(plan, tmp_path / "drawn")
    first = kept_maps.write_maps(plan, tmp_path / "first")  # drawn, and kept
    assert [p.name for p in first] == [p.name for p in drawn]  # pages, in scope order
    assert _files(tmp_path / "first") == _files(tmp_path / "drawn")  # side files too

    def no_drawing(*args: object) -> list[Path]:
        raise AssertionError("drawn again although the plan is the same")

    monkeypatch.setattr(maps, "write_maps", no_drawing)
    second = kept_maps.write_maps(plan, tmp_path / "second")
    assert [p.name for p in second] == [p.name for p in drawn]
    assert _files(tmp_path / "second") == _files(tmp_path / "drawn")
    with pytest.raises(AssertionError, match="drawn again"):  # another plan is another entry
        kept_maps.write_maps(small_plan(extra_partner=True), tmp_path / "third")


def test_a_damaged_entry_is_drawn_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    kept_maps.write_maps(small_plan(), tmp_path / "first")
    for entry in (tmp_path / "cache" / "maps").glob("*.pack"):
        entry.write_bytes(entry.read_bytes()[:-10])
    kept_maps.write_maps(small_plan(), tmp_path / "again")
    assert _files(tmp_path / "again") == _files(tmp_path / "first")
