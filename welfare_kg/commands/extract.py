"""`welfare-kg extract`: recover the progress table of a report as JSON (and CSV) records."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from welfare_kg.paths import DEFAULT_REPORT

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "extract",
        help="extract the table of a progress report as records (JSON, CSV)",
        description=(
            "Read a flattened progress report and recover its rows: plan items, result, "
            "implementing bodies, initiative, action plan, pillar, status, quantities and "
            "partners, with page and line provenance. Without -o the JSON goes to stdout."
        ),
    )
    parser.add_argument("report", nargs="?", type=Path, default=DEFAULT_REPORT,
                        help=f"report text file (default: the bundled {DEFAULT_REPORT.name})")
    parser.add_argument("-o", "--output", type=Path, metavar="records.json",
                        help="write the JSON records here (default: stdout)")
    parser.add_argument("--csv", type=Path, metavar="rows.csv",
                        help="also write the rows as CSV for spreadsheets")
    from .corrections import add_corrections_arguments

    add_corrections_arguments(parser, several=False)
    parser.add_argument("--report", action="store_true", dest="print_report",
                        help="print an extraction report (rows per page, rows without bodies, "
                        "unknown bodies, low-confidence assignments, corrections) to stderr")
    parser.add_argument("--outline", type=Path, metavar="outline.yaml",
                        help="plan outline (pillars and heading groups) for another report")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from welfare_kg.fileio import check_writable
    from welfare_kg.graph.report import (
        extract_report,
        extraction_report,
        write_csv,
        write_json,
    )

    for target in (args.output, args.csv):
        if target is not None:
            check_writable(target)
    corrections = False if args.no_corrections else (args.corrections or True)
    extraction = extract_report(args.report, corrections=corrections, outline=args.outline)
    if args.output:
        write_json(extraction, args.output)
        print(f"wrote {args.output} ({len(extraction.rows)} rows)", file=sys.stderr)
    else:
        import json

        json.dump(extraction.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    if args.csv:
        write_csv(extraction, args.csv)
        print(f"wrote {args.csv}", file=sys.stderr)
    if args.print_report:
        sys.stderr.write(extraction_report(extraction))
    else:
        for warning in extraction.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return 0
