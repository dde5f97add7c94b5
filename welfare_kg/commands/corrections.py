"""`welfare-kg corrections check FILE REPORT`, and the `--corrections FILE` option that
extract, build and all share: corrections written by hand (or saved by a review) for one report.

A corrections file is bound to one report by the SHA-256 of its decoded text; given
explicitly, a file written for another report (or an edited copy) is refused, naming both
hashes. `check` says which entries no longer find their row, so a file can be carried over to
an edited report knowingly.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from welfare_kg.errors import InputError, ValidationFailure

__all__ = ["add_corrections_arguments", "add_parser", "corrections_choice", "run"]


def add_corrections_arguments(parser: argparse.ArgumentParser, *, several: bool) -> None:
    """`--no-corrections` and `--corrections FILE` (one excludes the other)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--no-corrections", action="store_true",
                       help="show the general method alone, without any corrections file")
    if several:
        group.add_argument(
            "--corrections", type=Path, action="append", metavar="FILE",
            help="apply this corrections file (project format, data/corrections/*.yaml) to "
            "the report it was written for, instead of the bundled one; repeat for several "
            "reports. A file that fits none of the reports is refused.")
    else:
        group.add_argument(
            "--corrections", type=Path, metavar="FILE",
            help="apply this corrections file (project format, data/corrections/*.yaml) "
            "instead of the bundled one; refused when written for another report or an "
            "edited copy of this one")


def corrections_choice(args: argparse.Namespace, reports: Sequence[Path]
                       ) -> bool | dict[Path, Path]:
    """What build and all pass on: the switch, or each explicit file keyed by the report
    it was written for (checked here, before any work)."""
    if args.no_corrections:
        return False
    if not args.corrections:
        return True
    from welfare_kg.graph.report import load_corrections, read_source

    hashes = {Path(r): read_source(r).text_sha256 for r in reports}
    chosen: dict[Path, Path] = {}
    for path in args.corrections:
        cset = load_corrections(path)
        fits = [r for r, sha in hashes.items() if sha == cset.sha256]
        if not fits:
            listed = ", ".join(f"{r} has sha256 {sha}" for r, sha in hashes.items())
            raise InputError(
                f"{path}: written for the report whose text has sha256 {cset.sha256}, but "
                f"{listed} (another report, or an edited copy): not applied")
        for report in fits:
            if report in chosen:
                raise InputError(f"{path}: {report} already gets corrections from "
                                 f"{chosen[report]}; give one file per report")
            chosen[report] = Path(path)
    return chosen


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "corrections",
        help="check a corrections file against a report",
        description="Work with corrections files (project format, data/corrections/*.yaml).",
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = sub.add_parser(
        "check",
        help="list the entries of a corrections file that no longer find their row",
        description=(
            "Extract REPORT with the method alone and list each entry of FILE that finds no "
            "row (its `row.item` starts no row's first plan item): after the report was "
            "edited, these entries need writing again. Also says whether FILE was written for "
            "this very report (its text_sha256). Exit 0 when every entry finds its row, 1 when "
            "some do not, 2 for unreadable input."
        ),
    )
    check.add_argument("file", type=Path, metavar="FILE", help="the corrections file (YAML)")
    check.add_argument("report", type=Path, metavar="REPORT", help="the report text file")
    check.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from welfare_kg.graph.report import check_corrections

    result = check_corrections(args.file, args.report)
    if result.same_report:
        print(f"{args.file}: written for {args.report} (text sha256 {result.report_sha256})")
    else:
        print(f"{args.file}: written for another text (sha256 {result.file_sha256}); "
              f"{args.report} has sha256 {result.report_sha256}: extract would refuse it")
    for c in result.unmatched:
        line = f" (line {c.line})" if c.line is not None else ""
        print(f"{c.where}: no row starts with {c.item!r}{line}: {c.reason}")
    found = result.entries - len(result.unmatched)
    print(f"{found} of {result.entries} entries find their row")
    if result.unmatched:
        raise ValidationFailure(f"{len(result.unmatched)} of {result.entries} entries of "
                                f"{args.file} find no row in {args.report}")
    return 0
