"""`welfare-kg query`: run a library query or any .rq file, embedded or on a remote endpoint."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from welfare_kg.errors import InputError
from welfare_kg.paths import OUT_DIR

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "query",
        help="run a SPARQL query of the library (by name) or a .rq file",
        description=(
            "Run a library query by name (see --list) or any .rq file on the build in OUT_DIR "
            "(built from the bundled report when missing), or on a remote SPARQL 1.1 endpoint. "
            "Parameters are bound as typed RDF terms, never pasted into the query. "
            "Stored answers: when the on-disk store of a large build is made (by `build`, or "
            "by the first query), every library query whose parameters are all optional is "
            "answered once and kept beside the store, and the queries whose one required "
            "parameter is a body once per body; the same query without parameters (or with "
            "only a body) then prints that answer, byte for byte what evaluating prints, as "
            "long as the build, the query's text and the output code are unchanged (--fresh "
            "evaluates anyway)."
        ),
    )
    parser.add_argument("query", nargs="?", metavar="NAME|FILE",
                        help="library query name (e.g. body-portfolio) or path of a .rq file")
    parser.add_argument("--list", action="store_true", help="list the library queries and exit")
    parser.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                        help="bind a query parameter (repeatable), e.g. "
                             "--param body=地域ケアプラザ")
    parser.add_argument("-f", "--format", choices=("table", "csv", "tsv", "json"),
                        default="table", help="output format (default: table)")
    parser.add_argument("--endpoint", metavar="URL",
                        help="query this SPARQL 1.1 endpoint instead of the embedded store")
    parser.add_argument("--default-graph", action="append", default=[], metavar="IRI",
                        help="with --endpoint: use this graph as the default graph (repeatable); "
                             "without it the endpoint's own default graph is used")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="with --endpoint: give up when the complete answer has not "
                             "arrived within this many seconds (default: 60)")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, metavar="DIR",
                        help="the build directory (default: out)")
    parser.add_argument("--store", choices=("auto", "memory", "disk"), default="auto",
                        help="which store answers: memory (load the build into this process), "
                             "disk (OUT_DIR/store, loaded once per build and reused) or auto "
                             "(memory for a small build, disk for a large one; the default)")
    parser.add_argument("--fresh", action="store_true",
                        help="evaluate the query even when an answer stored with the build's "
                             "on-disk store would do (the stored one is identical unless the "
                             "store was changed by hand)")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from welfare_kg.graph.sparql import (
        bind_params,
        format_results,
        list_queries,
        load_query,
        parse_param_args,
    )

    if args.list:
        return _write(_list_text(list_queries()))
    if not args.query:
        raise InputError("name a query (NAME or FILE.rq), or use --list to see the library")
    if args.endpoint:
        from welfare_kg.graph.sparql import check_endpoint, check_timeout

        check_endpoint(args.endpoint)
        check_timeout(args.timeout, "--timeout")
    spec = load_query(args.query)
    params = parse_param_args(args.param)
    bind_params(spec, params)  # a bad parameter fails before the endpoint or store is asked
    prefixes = {**_display_prefixes(), **spec.prefixes}
    if args.endpoint:
        from welfare_kg.graph.sparql import run_remote

        _resolve_body(None, spec, params, args)
        results = run_remote(args.endpoint, spec, params, default_graphs=args.default_graph,
                             timeout=args.timeout)
    else:
        from welfare_kg.graph.sparql import open_store, run_query

        stored = None if args.fresh else _stored(spec, args, prefixes, params)
        if stored is not None:
            return _write(stored)
        store = open_store(args.out_dir, args.store, many_queries=False)
        _resolve_body(store, spec, params, args)
        results = _on_a_large_stack(lambda: run_query(store, spec, params))
        if not args.fresh:  # a stale or missing stored answer: this one replaces it
            from welfare_kg.graph.sparql import keep_answer

            keep_answer(spec, results, prefixes, args.out_dir, params)
    return _write(format_results(results, args.format, prefixes))


_QUERY_STACK = 512 * 1024 * 1024  # address space reserved, not memory used


def _on_a_large_stack(work):
    """Run `work` in a thread with a large stack and return its result (or raise its error).

    Oxigraph plans a query recursively; the query limits keep known shapes far from the
    8 MB main-thread stack, and this keeps a shape nobody thought of from ending the process
    with a segmentation fault instead of an answer.
    """
    import threading

    outcome: list = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as exc:  # handed back to the calling thread
            outcome.append((False, exc))

    previous = threading.stack_size(_QUERY_STACK)
    try:
        worker = threading.Thread(target=run, name="query", daemon=True)
        worker.start()
    finally:
        threading.stack_size(previous)
    while worker.is_alive():
        worker.join(0.2)  # a timed join lets Ctrl-C through
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


def _stored(spec: object, args: argparse.Namespace, prefixes: dict[str, str],
            params: dict[str, str]) -> str | None:
    """The answer stored with the build's on-disk store, when it is current
    (graph/sparql/answers.py): without parameters, or for a query stored per body with only
    a body given (resolved to its Japanese name from the stored listings first, without
    opening the store); None means evaluate."""
    from welfare_kg.graph.sparql import stored_answer, stored_values, stored_with

    if params:
        if not stored_with(spec, params):  # type: ignore[arg-type]
            return None
        listings = {name: stored_values(name, args.out_dir)
                    for name in ("network-bodies", "network-body-details")}
        if any(values is None for values in listings.values()):
            return None  # no current store: names are resolved on the evaluated store
        _resolve_body(None, spec, params, args, stored=listings.get)
    return stored_answer(spec, args.format, prefixes, args.out_dir,  # type: ignore[arg-type]
                         params)


def _resolve_body(store: object, spec: object, params: dict[str, str],
                  args: argparse.Namespace, stored=None) -> None:
    """A `body` parameter accepts English names, aliases and short names (区社協, 社協); a name
    that matches no body is an error naming the nearest ones, not an empty answer. With
    --endpoint the names are the endpoint's own (its bodies, asked with parameterless
    library queries) plus data/aliases.csv; the resolved name is then bound, not pasted.
    Locally the names come from the stored answers of the listing queries when current."""
    if "body" not in params or spec.param("body") is None:  # type: ignore[attr-defined]
        return
    if args.endpoint:
        from welfare_kg.graph.sparql import resolve_remote_body_name

        name = resolve_remote_body_name(args.endpoint, params["body"],
                                        default_graphs=args.default_graph,
                                        timeout=args.timeout)
    else:
        from welfare_kg.graph.sparql import resolve_body_name, stored_values

        name = resolve_body_name(store, params["body"], stored=stored or (
            lambda query: stored_values(query, args.out_dir)))
    if name != params["body"]:
        print(f"body={params['body']} is {name}", file=sys.stderr)
        params["body"] = name


def _display_prefixes() -> dict[str, str]:
    """Short names for the build's IRIs in tables (wkb:elderly-… for a body)."""
    from welfare_kg.graph.sparql import display_prefixes

    return display_prefixes()


def _write(text: str) -> int:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `welfare-kg query … | head` is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _list_text(specs: list) -> str:
    width = max((len(s.name) for s in specs), default=0)
    lines = []
    for spec in specs:
        lines.append(f"{spec.name.ljust(width)}  {spec.title_ja}")
        lines.append(f"{' ' * width}  {spec.title_en}")
        for p in spec.params:
            need = "required" if p.required else (
                f"default {p.default}" if p.default is not None else "optional")
            lines.append(f"{' ' * width}    --param {p.name}=… ({p.type}, {need}) {p.doc}".rstrip())
    return "\n".join(lines) + "\n"
