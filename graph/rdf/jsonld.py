"""The JSON-LD context of the published graph: prefixes plus short terms for web developers.

A term per property and class of the ontology (``ontology/welfare.ttl`` declares every term
the data uses, its own and the reused ones, with its OWL type and range):

- object properties are ``@id``-typed (``"status": "wk:Implemented"``);
- datatype properties with an XSD range carry it (``"page": "3"`` is an ``xsd:integer``);
- text properties (range ``rdf:PlainLiteral``, and the label properties in
  `LANGUAGE_MAPPED`) are language maps (``"label": {"en": "…", "ja": "…"}``);
- classes are their local names (``"@type": "PlanRow"``).

A value that does not fit its property's term (a label without a language, a literal of
another datatype) is written under the prefixed name (``"rdfs:label"``) as an expanded
value object, so the document always expands to exactly the graph's triples
(tests/test_jsonld.py checks it against the Turtle with PyLD and rdflib).
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF

from .build import dataset_namespaces, load_ontology

__all__ = ["LANGUAGE_MAPPED", "Term", "jsonld_context", "term_table"]

# Annotation properties whose values are texts in several languages: language maps.
LANGUAGE_MAPPED = (RDFS.label, RDFS.comment, SKOS.prefLabel, SKOS.altLabel, SKOS.definition,
                   DCTERMS.title, DCTERMS.description, FOAF.name)
PLAIN_LITERAL = RDF.PlainLiteral


class Term(NamedTuple):
    """How a property's values are written: under `name`, as `kind` — ``id`` (an IRI
    string), ``lang`` (a language map), ``typed`` (a string of `datatype`) or ``plain``
    (a string: an xsd:string literal)."""

    name: str
    kind: str
    datatype: str | None = None


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _definitions(ontology: Graph) -> tuple[dict[str, Term], dict[str, str]]:
    """Property IRI -> Term and class IRI -> term name, from the ontology; a local name
    two IRIs share gets no term (both keep their prefixed names)."""
    props: dict[str, Term] = {}
    for iri in sorted({*ontology.subjects(RDF.type, OWL.ObjectProperty)}):
        props[str(iri)] = Term(_local(str(iri)), "id")
    for iri in sorted({*ontology.subjects(RDF.type, OWL.DatatypeProperty)}):
        ranges = {r for r in ontology.objects(iri, RDFS.range) if isinstance(r, URIRef)}
        if PLAIN_LITERAL in ranges:
            props[str(iri)] = Term(_local(str(iri)), "lang")
        elif len(ranges) == 1 and str(next(iter(ranges))).startswith(str(XSD)) \
                and XSD.string not in ranges:
            props[str(iri)] = Term(_local(str(iri)), "typed", str(next(iter(ranges))))
        else:
            props[str(iri)] = Term(_local(str(iri)), "plain")
    for iri in LANGUAGE_MAPPED:
        props[str(iri)] = Term(_local(str(iri)), "lang")
    classes = {str(c): _local(str(c)) for c in ontology.subjects(RDF.type, OWL.Class)
               if isinstance(c, URIRef)}
    names: dict[str, int] = {}
    for name in [t.name for t in props.values()] + list(classes.values()):
        names[name] = names.get(name, 0) + 1
    return ({iri: t for iri, t in props.items() if names[t.name] == 1},
            {iri: n for iri, n in classes.items() if names[n] == 1})


@cache
def _ontology_terms() -> tuple[dict[str, Term], dict[str, str]]:
    return _definitions(load_ontology())


def term_table(base_iri: str) -> tuple[dict[str, Term], dict[str, str]]:
    """The property terms and class terms of the context (names that are not prefixes)."""
    props, classes = _ontology_terms()
    prefixes = dataset_namespaces(base_iri)
    return ({iri: t for iri, t in props.items() if t.name not in prefixes},
            {iri: n for iri, n in classes.items() if n not in prefixes})


def _curie(iri: str, prefixes: dict[str, str]) -> str:
    best = max((ns for ns in prefixes.values() if iri.startswith(ns) and iri != ns),
               key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in prefixes.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


def jsonld_context(base_iri: str) -> dict[str, Any]:
    """The context published with the data (``context.jsonld``, and inline in
    ``welfare-kg.jsonld``): the prefixes, then the terms, sorted."""
    prefixes = dataset_namespaces(base_iri)
    props, classes = term_table(base_iri)
    terms: dict[str, Any] = {}
    for iri, name in classes.items():
        terms[name] = _curie(iri, prefixes)
    for iri, term in props.items():
        definition: dict[str, str] = {"@id": _curie(iri, prefixes)}
        if term.kind == "id":
            definition["@type"] = "@id"
        elif term.kind == "lang":
            definition["@container"] = "@language"
        elif term.kind == "typed" and term.datatype:
            definition["@type"] = _curie(term.datatype, prefixes)
        terms[term.name] = definition
    return {"@context": {**prefixes, **dict(sorted(terms.items()))}}
