"""Answering SPARQL: stores, the query library, results and endpoints.

In: the build's N-Quads/TriG from `welfare_kg.graph.rdf` and `.rq` files from `queries/`.
Out: `Results` (tables of RDF terms) from the embedded Oxigraph store or any SPARQL 1.1
endpoint; a running Oxigraph server; graphs published by Graph Store Protocol.

Modules: `library` (the `.rq` files, their parameters and how values are bound), `store` (the
embedded store over a build), `results` (result tables and their CSV/TSV/JSON forms), `remote`
(SPARQLWrapper against another endpoint), `server` (the Oxigraph server), `publish` (GSP PUT),
`querypage` (the endpoint's query page), `answers` (the library's parameterless answers, and
the body queries' per body, stored beside the on-disk store), `urls` (checking endpoint URLs
and timeouts), `limits` (what a query may be before it reaches an engine: size, nesting, SERVICE).
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING

from welfare_kg.lazy import lazy_exports

if TYPE_CHECKING:  # for type checkers and editors; at run time names load on first use
    from .answers import stored_with
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
    from .names import (
        ALIASES,
        PARTNERS,
        body_names,
        extra_names,
        remote_body_names,
        resolve_body_name,
        resolve_name,
        resolve_remote_body_name,
    )
    from .publish import PublishedGraph, graph_names, publish
    from .querypage import QueryPage, query_page
    from .remote import run_remote
    from .results import FORMATS, Results, format_results
    from .server import OxigraphServer, free_port
    from .store import (
        find_build,
        keep_answer,
        open_store,
        prepare_store,
        refresh_store_dir,
        run_query,
        select_values,
        stored_answer,
        stored_values,
    )
    from .urls import check_endpoint, check_timeout

# Each public name and the module it lives in. The package imports a module when one of its
# names is first used (PEP 562): `welfare-kg query` on the embedded store needs the library,
# the store and the results, not the HTTP client and server modules (urllib.request,
# http.server, subprocess: ~0.1-0.2 s).
_HOME = {
    "stored_with": "answers",
    "PARAM_TYPES": "library",
    "Param": "library",
    "QuerySpec": "library",
    "bind_params": "library",
    "display_prefixes": "library",
    "list_queries": "library",
    "load_query": "library",
    "parse_param_args": "library",
    "DEFAULT_LIMITS": "limits",
    "QueryLimits": "limits",
    "check_query": "limits",
    "ALIASES": "names",
    "PARTNERS": "names",
    "body_names": "names",
    "extra_names": "names",
    "remote_body_names": "names",
    "resolve_body_name": "names",
    "resolve_name": "names",
    "resolve_remote_body_name": "names",
    "PublishedGraph": "publish",
    "graph_names": "publish",
    "publish": "publish",
    "QueryPage": "querypage",
    "query_page": "querypage",
    "run_remote": "remote",
    "FORMATS": "results",
    "Results": "results",
    "format_results": "results",
    "OxigraphServer": "server",
    "free_port": "server",
    "find_build": "store",
    "keep_answer": "store",
    "open_store": "store",
    "prepare_store": "store",
    "refresh_store_dir": "store",
    "stored_answer": "store",
    "stored_values": "store",
    "run_query": "store",
    "select_values": "store",
    "check_endpoint": "urls",
    "check_timeout": "urls",
}

__all__ = [
    "ALIASES",
    "DEFAULT_LIMITS",
    "FORMATS",
    "PARAM_TYPES",
    "PARTNERS",
    "OxigraphServer",
    "Param",
    "PublishedGraph",
    "QueryLimits",
    "QueryPage",
    "QuerySpec",
    "Results",
    "bind_params",
    "body_names",
    "check_endpoint",
    "check_query",
    "check_timeout",
    "display_prefixes",
    "extra_names",
    "find_build",
    "format_results",
    "free_port",
    "graph_names",
    "keep_answer",
    "list_queries",
    "load_query",
    "open_store",
    "parse_param_args",
    "prepare_store",
    "publish",
    "query_page",
    "refresh_store_dir",
    "remote_body_names",
    "resolve_body_name",
    "resolve_name",
    "resolve_remote_body_name",
    "run_query",
    "run_remote",
    "select_values",
    "stored_answer",
    "stored_values",
    "stored_with",
]


__getattr__, __dir__ = lazy_exports(globals(), _HOME)


class _Package(types.ModuleType):
    """Keeps `publish` the function when the module `publish` is imported by its full name.

    Importing a submodule sets the package attribute of its name to the module; the eager
    `from .publish import publish` used to overwrite that, and this does the same lazily.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and _HOME.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
