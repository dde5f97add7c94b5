"""`welfare-kg review REPORT [-o review.html] [--corrections FILE]`: the rows the extractor is
least sure of, as one offline page where a person confirms or fixes them and saves a
corrections file for `--corrections FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "review",
        help="write a review page for the rows the extractor is least sure of",
        description=(
            "Extract REPORT and write one self-contained HTML page (opens from a file, no "
            "network) listing the flagged rows, least sure first, with the printed lines around "
            "each, the initiative candidates with their scores, the bodies and where they came "
            "from, and the status. Confirm or change each row with the mouse or the keyboard; "
            "the page saves a corrections file bound to REPORT's SHA-256, which `extract`, "
            "`build` and `all` apply with --corrections FILE. Progress is kept in the browser."
        ),
    )
    parser.add_argument("report", type=Path, help="report text file")
    parser.add_argument("-o", "--output", type=Path, default=Path("review.html"),
                        metavar="review.html", help="where to write the page (default: "
                        "review.html in the current folder)")
    parser.add_argument(
        "--corrections", type=Path, metavar="FILE",
        help="a corrections file already written for REPORT (e.g. saved by an earlier "
        "review): applied first, so its rows leave the list, and carried into the file the "
        "page saves; refused when written for another report or an edited copy")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from welfare_kg.fileio import check_writable
    from welfare_kg.viz import write_review

    check_writable(args.output)
    model = write_review(args.report, args.output, corrections=args.corrections)
    print(f"wrote {args.output}: {len(model.rows)} of {model.total_rows} rows to check"
          + (f" ({len(model.existing)} corrections carried over from {args.corrections})"
             if args.corrections else ""), file=sys.stderr)
    print(args.output)
    return 0
