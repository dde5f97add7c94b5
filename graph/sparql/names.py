"""Body names as people type them: canonical Japanese and English names, the other names in
the graph (skos:altLabel) and the search-only short names of data/aliases.csv, matched after
normalisation (NFKC, no spaces, case-folded). The site's search and `welfare-kg query
--param body=…` share this, so 区社協 and 社協 reach 区社会福祉協議会 in both.

>>> names = {"区社会福祉協議会": "区社会福祉協議会", "区社協": "区社会福祉協議会"}
>>> resolve_name(names, "区社協")
'区社会福祉協議会'
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from welfare_kg.datafiles import normalize, read_csv
from welfare_kg.errors import InputError
from welfare_kg.paths import DATA_DIR, QUERIES_DIR

from .store import select_values

__all__ = ["ALIASES", "PARTNERS", "body_names", "extra_names", "remote_body_names",
           "resolve_body_name", "resolve_name", "resolve_remote_body_name"]

Stored = Callable[[str], "list[dict[str, str]] | None"]
PARTNERS = DATA_DIR / "partners.csv"
ALIASES = DATA_DIR / "aliases.csv"
"""Short names people search by that are too ambiguous for the extractor (社協 is also a
district council's short name), each pointing to one body's Japanese name."""


def _key(text: str) -> str:
    return normalize(text).casefold()


def body_names(store: Any, aliases: Path | None = None,
               queries_dir: Path = QUERIES_DIR, stored: Stored | None = None,
               ) -> dict[str, str]:
    """Every name a body is known by -> its Japanese name (the form the queries match).

    `stored(name)` may give a listing query's values without evaluating it (the answers
    stored with the on-disk store, `store.stored_values`); None there means evaluate.
    """
    def values(name: str) -> list[dict[str, str]]:
        found = stored(name) if stored is not None else None
        return found if found is not None else select_values(store, name, queries_dir)

    return _names(values, aliases)


def remote_body_names(endpoint: str, aliases: Path | None = None, *,
                      default_graphs: Sequence[str] = (), timeout: float = 60) -> dict[str, str]:
    """`body_names` from a SPARQL endpoint: the same library queries (`network-bodies`,
    `network-body-details`, which take no parameters) sent to `endpoint`, and the same
    short names of data/aliases.csv. Nothing a user typed goes into these queries."""
    from .remote import run_remote

    def select(name: str) -> list[dict[str, str]]:
        results = run_remote(endpoint, name, {}, default_graphs=default_graphs,
                             timeout=timeout)
        return [{k: t.value for k, t in row.items()} for row in results.dicts()]

    return _names(select, aliases)


def _names(select: Callable[[str], list[dict[str, str]]],
           aliases: Path | None) -> dict[str, str]:
    found: dict[str, str] = {}
    canonical = {}
    for r in select("network-bodies"):
        ja = r.get("nameJa") or r.get("nameEn") or ""
        if ja:
            canonical[r["body"]] = ja
            found[ja] = ja
            if r.get("nameEn"):
                found.setdefault(r["nameEn"], ja)
    for r in select("network-body-details"):
        if r.get("alias") and r["body"] in canonical:
            found.setdefault(r["alias"], canonical[r["body"]])
    known = set(canonical.values())
    for name, alias in extra_names(ALIASES if aliases is None else aliases):
        if name in known:
            found.setdefault(alias, name)
    return found


def extra_names(path: Path = ALIASES) -> list[tuple[str, str]]:
    """(Japanese name, other name) pairs from data/aliases.csv (short names people search by)
    and the aliases column of data/partners.csv (the graph has no altLabel for partners).
    Names of bodies the graph does not have are kept: the caller skips them."""
    pairs = []
    if path.is_file():
        pairs += [(r["name_ja"], r["alias"]) for r in read_csv(path, ("alias", "name_ja"))]
    if PARTNERS.is_file():
        for r in read_csv(PARTNERS, ("name_ja",)):
            pairs += [(r["name_ja"], a) for a in r.get("aliases", "").split("|") if a]
    return pairs


def resolve_name(names: Mapping[str, str], typed: str, what: str = "body") -> str:
    """The canonical name `typed` stands for; an InputError suggesting the nearest names when
    it stands for none."""
    by_key = {_key(n): c for n, c in names.items()}
    key = _key(typed)
    if key in by_key:
        return by_key[key]
    partial = sorted({c for k, c in by_key.items() if key and (key in k or k in key)})
    close = difflib.get_close_matches(key, list(by_key), n=5, cutoff=0.4)
    suggestions = list(dict.fromkeys([*partial, *(by_key[k] for k in close)]))[:5]
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    raise InputError(f"no {what} named {typed!r}{hint} "
                     "(`welfare-kg query network-bodies` lists them)")


def resolve_body_name(store: Any, typed: str, stored: Stored | None = None) -> str:
    """`typed` (a name, an English name, an alias or a short name) as the body's Japanese
    name, or an InputError with the nearest names."""
    return resolve_name(body_names(store, stored=stored), typed)


def resolve_remote_body_name(endpoint: str, typed: str, *, default_graphs: Sequence[str] = (),
                             timeout: float = 60) -> str:
    """`resolve_body_name` against the bodies `endpoint` holds; the answer is then bound as
    a typed literal into the query (`bind_params`), never pasted into its text."""
    names = remote_body_names(endpoint, default_graphs=default_graphs, timeout=timeout)
    return resolve_name(names, typed)
