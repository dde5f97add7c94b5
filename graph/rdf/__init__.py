"""Records to RDF: the graph, its exports and its description.

In: `Extraction`s from `welfare_kg.graph.report`. Out: the graph (a named graph of the shared
entities and one per report), streamed report by report into the export files (Turtle,
JSON-LD, N-Triples, TriG, N-Quads, CSV), the DCAT catalogue and VoID description, and SHACL
validation reports; an in-memory rdflib `Dataset` of the same graphs for small uses.

Modules: `terms` (namespaces; the ontology as a closed namespace), `metadata` (data/dataset.yaml,
plan and report descriptions, IRI slugs), `build` (records → triples, split into the shared
and the report graph), `parts` (a report's part of the build: cached, made in parallel),
`catalog` (DCAT, VoID), `exports` (merge the parts into out/), `validation` (SHACL shapes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from welfare_kg.lazy import lazy_exports

if TYPE_CHECKING:  # for type checkers and editors; at run time names load on first use
    from .build import (
        build_dataset,
        check_base_iri,
        load_ontology,
        report_graph_iri,
        shared_graph_iri,
        union_graph,
    )
    from .exports import OUTPUT_FILES, build_outputs, export_dataset
    from .metadata import default_base_iri, load_english_titles, load_metadata
    from .parts import default_jobs
    from .validation import DEFAULT_SHAPES, ValidationReport, validate_files, validate_graph

# Each public name and the module it lives in. The package imports a module when one of its
# names is first used (PEP 562), so a command that needs only the metadata (`query` printing
# wkb: prefixes) does not pay for rdflib, the extractor and pyshacl (~0.5 s).
_HOME = {
    "build_dataset": "build",
    "check_base_iri": "build",
    "load_ontology": "build",
    "report_graph_iri": "build",
    "shared_graph_iri": "build",
    "union_graph": "build",
    "OUTPUT_FILES": "exports",
    "build_outputs": "exports",
    "export_dataset": "exports",
    "default_base_iri": "metadata",
    "load_english_titles": "metadata",
    "load_metadata": "metadata",
    "default_jobs": "parts",
    "DEFAULT_SHAPES": "validation",
    "ValidationReport": "validation",
    "validate_files": "validation",
    "validate_graph": "validation",
}

__all__ = [
    "DEFAULT_SHAPES",
    "OUTPUT_FILES",
    "ValidationReport",
    "build_dataset",
    "build_outputs",
    "check_base_iri",
    "default_base_iri",
    "default_jobs",
    "export_dataset",
    "load_english_titles",
    "load_metadata",
    "load_ontology",
    "report_graph_iri",
    "shared_graph_iri",
    "union_graph",
    "validate_files",
    "validate_graph",
]


__getattr__, __dir__ = lazy_exports(globals(), _HOME)
