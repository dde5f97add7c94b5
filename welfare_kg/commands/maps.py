"""`welfare-kg maps`: interactive collaboration maps (one for the whole plan, one per pillar)."""

from __future__ import annotations

import argparse

from ._views import add_output_arguments, write_view

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
    from welfare_kg.viz import map_context, write_maps

    return write_view(args, "maps", lambda plan, folder, store: write_maps(
        plan, folder, context=map_context(store)), with_store=True)
