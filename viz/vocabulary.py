"""Labels of the ontology's terms (body types, statuses), read from its Turtle, not restated.

>>> term_labels()["CommunityCarePlaza"]
('地域ケアプラザ', 'Community care plaza')
>>> status_labels()["cancelled"]
('中止', 'Cancelled')
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from welfare_kg.paths import ONTOLOGY_DIR

__all__ = ["ONTOLOGY", "WK", "status_labels", "term_labels"]

ONTOLOGY = ONTOLOGY_DIR / "welfare.ttl"
WK = "https://w3id.org/welfare-kg/ontology#"

_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?term ?notation ?ja ?en WHERE {
  ?term rdfs:label ?any .
  OPTIONAL { ?term skos:notation ?notation }
  OPTIONAL { ?term rdfs:label ?ja FILTER(LANG(?ja) = "ja") }
  OPTIONAL { ?term rdfs:label ?en FILTER(LANG(?en) = "en") }
}
"""


@cache
def _rows(ontology: Path) -> list[tuple[str, str, str, str]]:
    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.load(path=str(ontology), format=RdfFormat.TURTLE)
    found = set()
    for s in store.query(_LABELS):
        term = s["term"].value
        if term.startswith(WK):
            found.add((
                term[len(WK):],
                s["notation"].value if s["notation"] else "",
                s["ja"].value if s["ja"] else "",
                s["en"].value if s["en"] else "",
            ))
    return sorted(found)


def term_labels(ontology: Path = ONTOLOGY) -> dict[str, tuple[str, str]]:
    """Local name of each labelled `wk:` term -> (Japanese, English) label."""
    return {name: (ja or en or name, en or ja or name) for name, _, ja, en in _rows(ontology)}


def status_labels(ontology: Path = ONTOLOGY) -> dict[str, tuple[str, str]]:
    """Status code (the skos:notation the extractor emits) -> (Japanese, English) label."""
    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.load(path=str(ontology), format=RdfFormat.TURTLE)
    codes = {
        s["s"].value[len(WK):]
        for s in store.query(
            "PREFIX wk: <https://w3id.org/welfare-kg/ontology#> SELECT ?s WHERE { ?s a wk:Status }"
        )
    }
    labels = term_labels(ontology)
    return {
        notation: labels[name]
        for name, notation, _, _ in _rows(ontology)
        if name in codes and notation
    }
