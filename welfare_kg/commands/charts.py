"""`welfare-kg charts`: static charts (PNG and SVG) of bodies, pillars and statuses."""

from __future__ import annotations

import argparse
from pathlib import Path

from welfare_kg.commands.maps import output_folder
from welfare_kg.paths import OUT_DIR

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "charts",
        help="write static charts (PNG and SVG) for reports and slides",
        description=(
            "Draw bodies by number of rows, a body x pillar heatmap and row status by pillar, "
            "from the build in OUT_DIR, with a Japanese font (e.g. fonts-ipafont-gothic)."
        ),
    )
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                        help="where to write the charts (default: OUT_DIR/charts)")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, metavar="OUT_DIR",
                        help="the build directory (default: out)")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from welfare_kg.graph.store import open_store
    from welfare_kg.viz.charts import japanese_font, write_charts
    from welfare_kg.viz.source import load_plan

    japanese_font()  # fail before building anything when no Japanese font is installed
    output = output_folder(args.output or Path(args.out_dir) / "charts")
    plan = load_plan(open_store(args.out_dir))
    for path in write_charts(plan, output):
        print(path)
    return 0
