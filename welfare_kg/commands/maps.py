"""`welfare-kg maps`: interactive collaboration maps (one for the whole plan, one per pillar)."""

from __future__ import annotations

import argparse

from ._views import add_output_arguments, resolve_output, store_choice

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "maps",
        help="write interactive collaboration maps (self-contained HTML)",
        description=(
            "Write one HTML map of the bodies' collaboration network for the whole plan and one "
            "per pillar, from the build in OUT_DIR (built from the bundled report when missing). "
            "The maps open from a file with no network."
        ),
    )
    add_output_arguments(parser, "maps", "maps")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from welfare_kg.graph.sparql import open_store
    from welfare_kg.viz import load_plan, write_maps

    output = resolve_output(args, "maps")
    plan = load_plan(open_store(args.out_dir, store_choice(args)))
    for path in write_maps(plan, output):
        print(path)
    return 0
