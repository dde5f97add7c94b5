"""Reading the project's data files (YAML, CSV) and the text normalisation used to match them.

Every stage reads vocabulary from `data/`; a data file that cannot be read is one
`VocabularyError` naming it. Names are matched after `normalize` (NFKC, whitespace removed)
and kept as printed everywhere else.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from welfare_kg.errors import VocabularyError

__all__ = ["display_width", "load_yaml", "normalize", "normalized", "read_csv"]

_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC with all whitespace removed: the form used for matching, never for display.

    >>> normalize("泉消防（救急） ")
    '泉消防(救急)'
    >>> normalize("⾷育")  # a CJK radical that looks like 食
    '食育'
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=16384)
def normalized(text: str) -> str:
    """`normalize`, remembered: the extractor asks for the same lines', names' and items'
    matching forms many times over (the page walk, the body vocabulary, the corrections)."""
    return normalize(text)


def display_width(text: str) -> int:
    """Display columns of `text`: 2 for a wide or full-width character, 1 otherwise.

    >>> display_width("ACP(ｱﾄﾞﾊﾞﾝｽ)"), display_width("周知")
    (12, 4)
    """
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


@cache
def char_width(ch: str) -> int:
    """Display columns of one character (cached: a query table measures ~10^6 of them)."""
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn the ways a data file can fail to read into one VocabularyError naming it."""
    try:
        yield
    except FileNotFoundError as exc:
        raise VocabularyError(f"{path}: data file not found") from exc
    except UnicodeDecodeError as exc:
        raise VocabularyError(f"{path}: not UTF-8 text; save it as UTF-8") from exc
    except OSError as exc:
        raise VocabularyError(f"{path}: cannot read: {exc.strerror or exc}") from exc


# libyaml's parser when PyYAML was built with it: the same documents, about ten times faster
# (the data files are a tenth of a second of every command in pure Python).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    """Read a YAML data file, naming the file in any error."""
    with _reading(path), path.open(encoding="utf-8") as fh:
        try:
            return yaml.load(fh, Loader=_SAFE_LOADER)
        except yaml.YAMLError as exc:
            raise VocabularyError(f"{path}: not valid YAML: {exc}") from exc


def read_csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a CSV data file, checking its columns and required fields (file:line)."""
    with _reading(path), path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise VocabularyError(f"{path}:1: missing column(s) {', '.join(missing)}")
        rows = []
        for lineno, row in enumerate(reader, start=2):
            if any(not (row.get(c) or "").strip() for c in required if c != "parent"):
                raise VocabularyError(f"{path}:{lineno}: empty required field in {row}")
            rows.append({k: (v or "").strip() for k, v in row.items() if k})
        return rows
