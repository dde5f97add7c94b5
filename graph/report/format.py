"""The vocabulary of the table format: column headers, wrap widths and line patterns.

Loaded from `data/format.yaml`; the page reader (`pages`) holds only the mechanisms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from welfare_kg.datafiles import load_yaml
from welfare_kg.errors import VocabularyError
from welfare_kg.paths import DATA_DIR

__all__ = ["LayoutVocabulary", "load_layout"]


@dataclass(frozen=True)
class LayoutVocabulary:
    """Column headers, wrap widths and line patterns of the table format."""

    header_columns: tuple[re.Pattern[str], ...]
    header_min_columns: int
    bullet: str
    wrap: dict[str, int]
    initiative_endings: tuple[str, ...]
    pillar_marker: re.Pattern[str]
    footnote: re.Pattern[str]
    footnote_mark: re.Pattern[str]
    heading_number: re.Pattern[str]
    body_shape: re.Pattern[str]
    body_max_chars: int
    sentence_end: str


@cache
def load_layout(path: Path = DATA_DIR / "format.yaml") -> LayoutVocabulary:
    """The layout vocabulary (data/format.yaml)."""
    data = load_yaml(path)
    try:
        return LayoutVocabulary(
            header_columns=tuple(re.compile(p) for p in data["header"]["columns"]),
            header_min_columns=int(data["header"]["min_columns"]),
            bullet=data["bullet"],
            wrap={k: int(v) for k, v in data["wrap_columns"].items()},
            initiative_endings=tuple(data["initiative_endings"]),
            pillar_marker=re.compile(data["pillar_marker"]),
            footnote=re.compile(data["footnote"]),
            footnote_mark=re.compile(data["footnote_mark"]),
            heading_number=re.compile(data["heading_number"]),
            body_shape=re.compile(data["body_shape"]),
            body_max_chars=int(data["body_max_chars"]),
            sentence_end=str(data["sentence_end"]),
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise VocabularyError(f"{path}: malformed layout vocabulary: {exc!r}") from exc
