"""The vocabulary of the report format: body names, partners, units, statuses, layout patterns.

Everything the extractor knows in advance lives in `data/` and is loaded here; the code only
holds the mechanisms. Names are matched after `normalize` (NFKC, whitespace removed) and kept
as printed everywhere else.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from welfare_kg.errors import VocabularyError
from welfare_kg.paths import DATA_DIR

__all__ = [
    "Body",
    "BodyVocabulary",
    "LayoutVocabulary",
    "Organization",
    "Partner",
    "PartnerVocabulary",
    "display_width",
    "load_bodies",
    "load_layout",
    "load_organizations",
    "load_partners",
    "load_yaml",
    "normalize",
]

_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC with all whitespace removed: the form used for matching, never for display.

    >>> normalize("泉消防（救急） ")
    '泉消防(救急)'
    >>> normalize("⾷育")  # a CJK radical that looks like 食
    '食育'
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def display_width(text: str) -> int:
    """Display columns of `text`: 2 for a wide or full-width character, 1 otherwise.

    >>> display_width("ACP(ｱﾄﾞﾊﾞﾝｽ)"), display_width("周知")
    (11, 4)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


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


def load_yaml(path: Path) -> Any:
    """Read a YAML data file, naming the file in any error."""
    with _reading(path), path.open(encoding="utf-8") as fh:
        try:
            return yaml.safe_load(fh)
        except yaml.YAMLError as exc:
            raise VocabularyError(f"{path}: not valid YAML: {exc}") from exc


def _read_csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
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


@dataclass(frozen=True)
class Body:
    """An implementing body of the table (実施主体)."""

    id: str
    name_ja: str
    name_en: str
    type: str
    kind: str
    parent: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Organization:
    """An organization bodies belong to (ward office, ward, city …)."""

    id: str
    name_ja: str
    name_en: str
    parent: str


@dataclass(frozen=True)
class Partner:
    """A partner organization named in result text (医師会, 自治会町内会 …)."""

    id: str
    name_ja: str
    name_en: str
    kind: str
    patterns: tuple[str, ...]
    body: str = ""  # id of the body this partner is, when a row's own body (警察 → 泉警察)


@dataclass
class BodyVocabulary:
    """Known bodies, looked up by any printed form."""

    bodies: list[Body]
    _by_key: dict[str, Body] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for body in self.bodies:
            for name in (body.name_ja, *body.aliases):
                self._by_key[normalize(name)] = body

    def lookup(self, name: str) -> Body | None:
        """The body printed as `name`, or None."""
        return self._by_key.get(normalize(name))

    def prefix(self, text: str) -> tuple[str, str] | None:
        """Split `text` into (body name as printed, rest) when it starts with a known name.

        The longest name wins, so 区社会福祉協議会 is not cut short by a shorter alias.
        """
        best: tuple[str, str] | None = None
        for key in self._by_key:
            printed = _printed_prefix(text, key)
            if printed and (best is None or len(printed) > len(best[0])):
                best = (printed, text[len(printed) :])
        return best

    def suffix(self, text: str) -> tuple[str, str] | None:
        """Split `text` into (rest, body) when it ends with a space and a known body name."""
        head, sep, tail = text.rstrip().rpartition(" ")
        if sep and head.strip() and self.lookup(tail):
            return head.rstrip(), tail
        return None


def _printed_prefix(text: str, key: str) -> str | None:
    """The shortest prefix of `text` whose normalised form is `key`, if any."""
    acc = ""
    for i, ch in enumerate(text):
        acc += normalize(ch)
        if acc == key:
            return text[: i + 1]
        if not key.startswith(acc):
            return None
    return None


@dataclass
class PartnerVocabulary:
    """Partner organizations and the patterns that find them in text."""

    partners: list[Partner]


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
def load_bodies(path: Path = DATA_DIR / "bodies.csv") -> BodyVocabulary:
    """The body vocabulary (data/bodies.csv)."""
    rows = _read_csv(path, ("id", "name_ja", "name_en", "type", "kind", "parent"))
    bodies = [
        Body(
            id=r["id"],
            name_ja=r["name_ja"],
            name_en=r["name_en"],
            type=r["type"],
            kind=r["kind"],
            parent=r["parent"],
            aliases=tuple(a for a in r.get("aliases", "").split("|") if a),
        )
        for r in rows
    ]
    return BodyVocabulary(bodies)


@cache
def load_organizations(path: Path = DATA_DIR / "organizations.csv") -> list[Organization]:
    """Parent organizations of the bodies (data/organizations.csv)."""
    rows = _read_csv(path, ("id", "name_ja", "name_en", "parent"))
    return [Organization(r["id"], r["name_ja"], r["name_en"], r["parent"]) for r in rows]


@cache
def load_partners(path: Path = DATA_DIR / "partners.csv") -> PartnerVocabulary:
    """Partner organizations named in results (data/partners.csv)."""
    rows = _read_csv(path, ("id", "name_ja", "name_en", "kind"))
    partners = [
        Partner(
            id=r["id"],
            name_ja=r["name_ja"],
            name_en=r["name_en"],
            kind=r["kind"],
            patterns=tuple(
                normalize(p) for p in [r["name_ja"], *r.get("aliases", "").split("|")] if p
            ),
            body=r.get("body", ""),
        )
        for r in rows
    ]
    return PartnerVocabulary(partners)


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
