"""The actors the report names: implementing bodies, their parent organizations, partners.

Loaded from `data/bodies.csv`, `data/organizations.csv` and `data/partners.csv`; the extractor
recognises printed names with them and the RDF build describes the same entities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from welfare_kg.datafiles import normalize, normalized, read_csv
from welfare_kg.paths import DATA_DIR

__all__ = [
    "Body",
    "BodyVocabulary",
    "Organization",
    "Partner",
    "PartnerVocabulary",
    "load_bodies",
    "load_organizations",
    "load_partners",
]


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
        """The body printed as `name`, or None (asked of every line the page walk meets and
        every row's bodies: the remembered normal form)."""
        return self._by_key.get(normalized(name))

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


@cache
def load_bodies(path: Path = DATA_DIR / "bodies.csv") -> BodyVocabulary:
    """The body vocabulary (data/bodies.csv)."""
    rows = read_csv(path, ("id", "name_ja", "name_en", "type", "kind", "parent"))
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
    rows = read_csv(path, ("id", "name_ja", "name_en", "parent"))
    return [Organization(r["id"], r["name_ja"], r["name_en"], r["parent"]) for r in rows]


@cache
def load_partners(path: Path = DATA_DIR / "partners.csv") -> PartnerVocabulary:
    """Partner organizations named in results (data/partners.csv)."""
    rows = read_csv(path, ("id", "name_ja", "name_en", "kind"))
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
