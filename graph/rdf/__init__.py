"""Records to RDF: the graph, its exports and its description.

In: `Extraction`s from `welfare_kg.graph.report`. Out: an rdflib `Dataset` (one named graph
per report plus the shared entities), the export files (Turtle, JSON-LD, N-Triples, TriG,
N-Quads, CSV), the DCAT catalogue and VoID description, and SHACL validation reports.

Modules: `terms` (namespaces; the ontology as a closed namespace), `metadata` (data/dataset.yaml,
plan and report descriptions, IRI slugs), `build` (records → triples), `catalog` (DCAT, VoID),
`exports` (serialise the build into out/), `validation` (SHACL shapes).
"""

from __future__ import annotations

from .build import build_dataset, check_base_iri, load_ontology, union_graph
from .exports import OUTPUT_FILES, build_outputs
from .metadata import default_base_iri, load_metadata
from .validation import DEFAULT_SHAPES, ValidationReport, validate_files, validate_graph

__all__ = [
    "DEFAULT_SHAPES",
    "OUTPUT_FILES",
    "ValidationReport",
    "build_dataset",
    "build_outputs",
    "check_base_iri",
    "default_base_iri",
    "load_metadata",
    "load_ontology",
    "union_graph",
    "validate_files",
    "validate_graph",
]
