"""`welfare-kg metrics`: collaboration network figures as CSV tables and a Markdown report."""

from __future__ import annotations

import argparse

from ._views import add_output_arguments, write_view

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
    add_output_arguments(parser, "metrics", "tables")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from welfare_kg.viz import write_metrics

    return write_view(args, "metrics", write_metrics)
