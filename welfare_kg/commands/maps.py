"""`welfare-kg maps`: interactive collaboration maps (one for the whole plan, one per pillar)."""

from __future__ import annotations

import argparse

from ._views import add_output_arguments, store_choice, view_output

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

    output = view_output(args, "maps")
    plan = load_plan(open_store(args.out_dir, store_choice(args)))
    with output.staged() as folder:
        written = write_maps(plan, folder)
    for path in written:
        print(output.show(path, folder))
    return 0
