"""The plan outline: pillars, and which action-plan heading groups belong to each pillar."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from welfare_kg.datafiles import load_yaml, normalize
from welfare_kg.errors import ReportFormatError, VocabularyError
from welfare_kg.paths import DATA_DIR

from .pages import HeadingBlock, NoteBlock, PageLayout

__all__ = ["Outline", "Pillar", "heading_groups", "load_outline", "pillar_of_groups"]


@dataclass(frozen=True)
class Pillar:
    """A pillar (推進の柱) and the heading groups that fall under it."""

    number: int
    name_ja: str
    name_en: str
    groups: tuple[int, ...]
    action_plans: tuple[str, ...] = ()
    action_plans_en: tuple[str, ...] = ()  # the English title of each (or "")


@dataclass(frozen=True)
class Outline:
    """The plan and its pillars, as declared in data/outline.yaml."""

    plan: dict[str, Any]
    pillars: tuple[Pillar, ...]
    path: str

    def pillar_for_group(self, group: int) -> int | None:
        return next((p.number for p in self.pillars if group in p.groups), None)

    def title_en(self, title: str) -> str:
        """The English title the outline gives the action plan printed as `title`, or ""."""
        key = normalize(title)
        for p in self.pillars:
            for ja, en in zip(p.action_plans, p.action_plans_en, strict=True):
                if normalize(ja) == key:
                    return en
        return ""

    def pillar_for_title(self, title: str) -> int | None:
        key = normalize(title)
        return next(
            (p.number for p in self.pillars if key in {normalize(t) for t in p.action_plans}),
            None,
        )


@cache
def load_outline(path: Path = DATA_DIR / "outline.yaml") -> Outline:
    """Read an outline file."""
    data = load_yaml(path)
    try:
        pillars = tuple(
            Pillar(
                int(p["number"]), p["name_ja"], p["name_en"],
                tuple(int(g) for g in p["groups"]),
                *_titles(p.get("action_plans") or (), path),
            )
            for p in data["pillars"]
        )
        plan = dict(data.get("plan") or {})
    except (KeyError, TypeError, ValueError) as exc:
        raise VocabularyError(f"{path}: malformed outline: {exc!r}") from exc
    groups = [g for p in pillars for g in p.groups]
    if len(groups) != len(set(groups)):
        raise VocabularyError(f"{path}: a heading group is listed under two pillars")
    return Outline(plan, pillars, str(path))


def _titles(entries: Any, path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Japanese and English titles of a pillar's action plans: each entry is `{ja, en}` or a
    plain Japanese title."""
    ja, en = [], []
    for entry in entries:
        if isinstance(entry, dict):
            if not entry.get("ja"):
                raise VocabularyError(f"{path}: an action plan entry has no `ja` title: {entry!r}")
            ja.append(str(entry["ja"]))
            en.append(str(entry.get("en") or ""))
        else:
            ja.append(str(entry))
            en.append("")
    return tuple(ja), tuple(en)


def heading_groups(pages: list[PageLayout]) -> dict[int, int]:
    """Group number of each heading (by its line): groups restart when numbering restarts.

    Headings of one page are read in number order (a page can print its second heading
    first). A heading with the same number and title as the previous one continues it.
    """
    group = 0
    previous: tuple[int, str] | None = None
    out: dict[int, int] = {}
    for page in pages:
        headings = sorted(
            (b for b in page.blocks if isinstance(b, HeadingBlock)),
            key=lambda h: (h.number, h.line),
        )
        for h in headings:
            key = (h.number, normalize(h.title))
            if previous is None:
                group = 1
            elif key == previous:
                pass
            elif h.number <= previous[0]:
                group += 1
            previous = key
            out[h.line] = group
    return out


def pillar_of_groups(
    pages: list[PageLayout], outline: Outline, path: str
) -> tuple[dict[int, int], list[str]]:
    """Pillar of each heading (by line), and warnings.

    A heading listed by title in the outline takes that pillar; another takes its group's.
    A printed pillar marker that disagrees is reported, not trusted over the outline.
    """
    groups = heading_groups(pages)
    pillars: dict[int, int] = {}
    headings = {b.line: b for p in pages for b in p.blocks if isinstance(b, HeadingBlock)}
    for line, group in groups.items():
        number = outline.pillar_for_title(headings[line].title) or outline.pillar_for_group(group)
        if number is None:
            raise ReportFormatError(
                path, line,
                f"heading {headings[line].title!r} (group {group}) is in no pillar of the "
                f"outline {outline.path}; give this report an outline with --outline",
            )
        pillars[line] = number
    warnings = []
    for page in pages:
        markers = [b for b in page.blocks if isinstance(b, NoteBlock) and b.kind == "pillar"]
        for marker in markers:
            for h in (b for b in page.blocks if isinstance(b, HeadingBlock)):
                if pillars[h.line] != marker.value:
                    warnings.append(
                        f"{path}:{marker.line}: the report prints pillar {marker.value} here but "
                        f"the outline {outline.path} puts {h.title!r} under pillar "
                        f"{pillars[h.line]}"
                    )
    return pillars, warnings
