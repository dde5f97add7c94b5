"""`welfare-kg charts`: static charts (SVG, PNG on request) of bodies, pillars and statuses."""

from __future__ import annotations

import argparse

from ._views import add_chart_formats_argument, add_output_arguments, write_view

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "charts",
        help="write static charts (SVG; PNG with --chart-formats) for reports and slides",
        description=(
            "Draw bodies by number of rows, a body x pillar heatmap and row status by pillar, "
            "from the build in OUT_DIR, with a Japanese font (e.g. fonts-ipafont-gothic)."
        ),
    )
    add_output_arguments(parser, "charts", "charts")
    add_chart_formats_argument(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from welfare_kg.viz import chart_formats, japanese_font, load_handout, write_charts

    formats = chart_formats(args.chart_formats)  # a bad name fails before any work
    if "png" in formats:  # PNG is drawn with a font file; SVG names its fonts
        japanese_font()  # fail before building anything when no Japanese font is installed
    return write_view(args, "charts", lambda plan, folder, store: write_charts(
        plan, folder, formats, load_handout(store)), with_store=True)
