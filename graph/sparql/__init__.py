"""Answering SPARQL: stores, the query library, results and endpoints.

In: the build's N-Quads/TriG from `welfare_kg.graph.rdf` and `.rq` files from `queries/`.
Out: `Results` (tables of RDF terms) from the embedded Oxigraph store or any SPARQL 1.1
endpoint; a running Oxigraph server; graphs published by Graph Store Protocol.

Modules: `library` (the `.rq` files, their parameters and how values are bound), `store` (the
embedded store over a build), `results` (result tables and their CSV/TSV/JSON forms), `remote`
(SPARQLWrapper against another endpoint), `server` (the Oxigraph server), `publish` (GSP PUT),
`querypage` (the endpoint's query page), `urls` (checking endpoint URLs and timeouts),
`limits` (what a query may be before it reaches an engine: size, nesting, SERVICE).
"""

from __future__ import annotations

from .library import (
    PARAM_TYPES,
    Param,
    QuerySpec,
    bind_params,
    display_prefixes,
    list_queries,
    load_query,
    parse_param_args,
)
from .limits import DEFAULT_LIMITS, QueryLimits, check_query
from .publish import PublishedGraph, graph_names, publish
from .querypage import QueryPage, query_page
from .remote import run_remote
from .results import FORMATS, Results, format_results
from .server import OxigraphServer, free_port
from .store import find_build, open_store, refresh_store_dir, run_query
from .urls import check_endpoint, check_timeout

__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "PARAM_TYPES",
    "OxigraphServer",
    "Param",
    "PublishedGraph",
    "QueryLimits",
    "QueryPage",
    "QuerySpec",
    "Results",
    "bind_params",
    "check_endpoint",
    "check_query",
    "check_timeout",
    "display_prefixes",
    "find_build",
    "format_results",
    "free_port",
    "graph_names",
    "list_queries",
    "load_query",
    "open_store",
    "parse_param_args",
    "publish",
    "query_page",
    "refresh_store_dir",
    "run_query",
    "run_remote",
]
