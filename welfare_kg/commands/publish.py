"""`welfare-kg publish`: replace the report graphs on a Graph Store Protocol endpoint."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from welfare_kg.paths import OUT_DIR

__all__ = ["add_parser", "run"]

PASSWORD_ENV = "WELFARE_KG_PASSWORD"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "publish",
        help="load the build into a SPARQL 1.1 Graph Store Protocol endpoint",
        description=(
            "Replace each report's named graph on a SPARQL 1.1 Graph Store Protocol endpoint "
            "with one HTTP PUT per graph, so a failure leaves the previous graph in place. "
            "URL is the Graph Store endpoint, e.g. http://127.0.0.1:7878/store (Oxigraph), "
            "http://host:8890/sparql-graph-crud-auth (Virtuoso), "
            "http://host:3030/DATASET/data (Fuseki)."
        ),
    )
    parser.add_argument("--endpoint", required=True, metavar="URL",
                        help="the Graph Store Protocol endpoint")
    parser.add_argument("--graph", metavar="IRI",
                        help="publish only this graph of the build, or (for a one-report build) "
                             "publish the report under this graph IRI")
    parser.add_argument("--user", help="user name for HTTP Digest/Basic authentication; the "
                                       f"password is read from ${PASSWORD_ENV}")
    parser.add_argument("--out-dir", type=Path, default=None, metavar="DIR",
                        help="the build directory (default: out, built from the bundled report "
                             "when missing; a DIR given here must hold a build)")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                        help="HTTP timeout per graph (default: 120)")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from welfare_kg.graph.sparql import (
        check_endpoint,
        check_timeout,
        find_build,
        open_store,
        publish,
    )

    check_endpoint(args.endpoint, "Graph Store endpoint")  # before the store is built
    check_timeout(args.timeout, "--timeout")
    password = os.environ.get(PASSWORD_ENV) if args.user else None
    if args.out_dir is not None and find_build(args.out_dir) is None:
        from welfare_kg.errors import InputError

        raise InputError(f"{args.out_dir}: no build here (welfare-kg.nq or .trig); "
                         f"run 'welfare-kg build -o {args.out_dir}' first")
    store = open_store(args.out_dir or OUT_DIR)
    for done in publish(args.endpoint, store, graph=args.graph, user=args.user,
                        password=password, timeout=args.timeout):
        print(f"replaced <{done.graph}> on {args.endpoint}: {done.triples} triples "
              f"(HTTP {done.status})")
    return 0
