"""`welfare-kg metrics`: collaboration network figures as CSV tables and a Markdown report."""

from __future__ import annotations

import argparse
from pathlib import Path

from welfare_kg.commands.maps import output_folder
from welfare_kg.paths import OUT_DIR

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "metrics",
        help="write collaboration network metrics (CSV and a Markdown report)",
        description=(
            "Compute degree, weighted degree, betweenness, density, centralization, communities, "
            "mixing by body type and the share of single-body and joint rows, for the whole "
            "plan, each pillar and each action plan, from the build in OUT_DIR."
        ),
    )
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                        help="where to write the tables (default: OUT_DIR/metrics)")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, metavar="OUT_DIR",
                        help="the build directory (default: out)")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from welfare_kg.graph.store import open_store
    from welfare_kg.viz.report import write_metrics
    from welfare_kg.viz.source import load_plan

    output = output_folder(args.output or Path(args.out_dir) / "metrics")
    plan = load_plan(open_store(args.out_dir))
    for path in write_metrics(plan, output):
        print(path)
    return 0
