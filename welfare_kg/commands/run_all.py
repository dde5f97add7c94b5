"""`welfare-kg all`: the main job, from the report to every output a user opens."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from welfare_kg.errors import InputError
from welfare_kg.paths import DEFAULT_REPORT, OUT_DIR

from ._views import add_chart_formats_argument, add_store_argument, store_choice

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "all",
        help="extract, build, export, load the store, and write maps, metrics and charts",
        description=(
            "The main job: extract each report (records JSON, CSV and an extraction report "
            "under OUT_DIR/extraction), build the graph and its open-data exports (OUT_DIR), "
            "load it into a SPARQL store (see --store) and write the collaboration maps, metrics "
            "and charts (OUT_DIR/maps, metrics, charts)."
        ),
    )
    parser.add_argument("reports", nargs="*", type=Path, metavar="REPORT",
                        help=f"report text file(s) (default: the bundled {DEFAULT_REPORT.name})")
    parser.add_argument("-o", "--out-dir", type=Path, default=OUT_DIR, metavar="OUT_DIR",
                        help="where to write everything (default: out)")
    parser.add_argument("--base-iri", metavar="IRI", default=None,
                        help="base of the data IRIs (default: base_iri of data/dataset.yaml)")
    parser.add_argument("--no-corrections", action="store_true",
                        help="do not apply the curated corrections")
    add_chart_formats_argument(parser)
    add_store_argument(parser)
    from .build import add_jobs_argument, add_publication_arguments

    add_jobs_argument(parser)
    add_publication_arguments(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from welfare_kg.graph.rdf import build_outputs, load_metadata
    from welfare_kg.graph.sparql import open_store
    from welfare_kg.viz import chart_formats, write_all

    formats = chart_formats(args.chart_formats)  # a bad name fails before any work
    reports = args.reports or [DEFAULT_REPORT]
    out: Path = args.out_dir
    stems = [Path(r).stem for r in reports]
    if len(set(stems)) != len(stems):
        raise InputError(f"two reports share a file name ({', '.join(stems)}): "
                         "rename one, their outputs would overwrite each other")

    def extracted(report: Path, summary: dict) -> None:
        note = summary["extraction"]
        stem = out / "extraction" / Path(report).stem
        print(f"extracted {report}: {note['rows']} rows, {note['corrections']} corrections, "
              f"{note['warnings']} warnings -> {stem}.json", file=sys.stderr)

    base_iri = args.base_iri or load_metadata()["base_iri"]
    # The build extracts each report (cached, in parallel) and writes its records too.
    written = build_outputs(reports, out, base_iri=base_iri, corrections=not args.no_corrections,
                            jobs=args.jobs, extraction_dir=out / "extraction",
                            on_report=extracted, public_endpoint=args.public_endpoint,
                            download_url=args.download_url)
    print(f"built the graph: {len(written)} files in {out}", file=sys.stderr)
    store = open_store(out, store_choice(args))
    views = write_all(store, out, formats)
    print(f"wrote {len(views)} maps, metrics and charts under {out}", file=sys.stderr)
    print(f"open {out / 'maps' / 'whole-plan.html'} in a browser, or run `welfare-kg serve`",
          file=sys.stderr)
    return 0
