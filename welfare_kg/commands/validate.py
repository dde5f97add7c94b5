"""`welfare-kg validate`: check a graph against the SHACL shapes and print a readable report."""

from __future__ import annotations

import argparse
from pathlib import Path

from welfare_kg.paths import OUT_DIR

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "validate",
        help="check the graph against the SHACL shapes (exit 1 on a violation)",
        description=(
            "Validate RDF files (Turtle, N-Triples, TriG, N-Quads, JSON-LD; datasets are merged) "
            "against ontology/shapes.ttl with pySHACL; TriG and N-Quads files are checked one "
            "named graph at a time. Without files, validates OUT_DIR/welfare-kg.trig, building "
            "it from the bundled report when missing. "
            "Exit 0 when the graph conforms, 1 on a violation, 2 on unreadable input."
        ),
    )
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE",
                        help="RDF file(s) to validate (default: OUT_DIR/welfare-kg.trig)")
    parser.add_argument("--shapes", action="append", type=Path, default=[], metavar="FILE",
                        help="an extra SHACL shapes file (Turtle); repeatable")
    parser.add_argument("--only-extra-shapes", action="store_true",
                        help="run only the --shapes files, not ontology/shapes.ttl")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, metavar="OUT_DIR",
                        help="the build directory used when no FILE is given (default: out)")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from welfare_kg.errors import InputError
    from welfare_kg.graph.rdf import DEFAULT_SHAPES, validate_files

    files = list(args.files)
    if not files:
        main = args.out_dir / "welfare-kg.trig"
        if not main.exists():
            from welfare_kg.graph.rdf import build_outputs, load_metadata
            from welfare_kg.paths import DEFAULT_REPORT

            build_outputs([DEFAULT_REPORT], args.out_dir, base_iri=load_metadata()["base_iri"])
        files = [main]
    shapes = list(args.shapes) if args.only_extra_shapes else [DEFAULT_SHAPES, *args.shapes]
    if not shapes:
        raise InputError("--only-extra-shapes needs at least one --shapes FILE")
    report = validate_files(files, shapes)
    print(report.text())
    return 0 if report.conforms else 1
