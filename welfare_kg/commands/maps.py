"""`welfare-kg maps`: interactive collaboration maps (one for the whole plan, one per pillar)."""

from __future__ import annotations

import argparse
from pathlib import Path

from welfare_kg.errors import InputError
from welfare_kg.paths import OUT_DIR

__all__ = ["add_parser", "output_folder", "run"]


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
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                        help="where to write the maps (default: OUT_DIR/maps)")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, metavar="OUT_DIR",
                        help="the build directory (default: out)")
    parser.set_defaults(run=run)
    return parser


def output_folder(path: Path) -> Path:
    """Create the output folder `path` (and its parents) now, before any work is done.

    A path that is a file, or that cannot be created (`/proc/x`, no permission), becomes an
    InputError, which the CLI prints as one line (exit 2). Shared by maps, metrics and charts.
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"{path}: cannot create the output folder: {exc.strerror or exc}") from exc
    return path


def run(args: argparse.Namespace) -> int:
    from welfare_kg.graph.store import open_store
    from welfare_kg.viz.maps import write_maps
    from welfare_kg.viz.source import load_plan

    output = output_folder(args.output or Path(args.out_dir) / "maps")
    plan = load_plan(open_store(args.out_dir))
    for path in write_maps(plan, output):
        print(path)
    return 0
