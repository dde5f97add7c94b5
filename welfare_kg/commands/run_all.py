"""`welfare-kg all`: the main job, from the report to every output a user opens."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from welfare_kg.errors import InputError
from welfare_kg.paths import DEFAULT_REPORT, OUT_DIR

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "all",
        help="extract, build, export, load the store, write maps, metrics, charts and the site",
        description=(
            "The main job: extract each report (records JSON, CSV and an extraction report "
            "under OUT_DIR/extraction), build the graph and its open-data exports (OUT_DIR), "
            "load the SPARQL store (OUT_DIR/store) and write the collaboration maps, metrics "
            "and charts (OUT_DIR/maps, metrics, charts), and the site (OUT_DIR/site/index.html)."
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
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from welfare_kg.fileio import write_text
    from welfare_kg.graph.rdf import build_outputs, load_metadata
    from welfare_kg.graph.report import (
        extract_report,
        extraction_report,
        write_csv,
        write_json,
    )
    from welfare_kg.graph.sparql import open_store
    from welfare_kg.viz import write_all

    reports = args.reports or [DEFAULT_REPORT]
    out: Path = args.out_dir
    stems = [Path(r).stem for r in reports]
    if len(set(stems)) != len(stems):
        raise InputError(f"two reports share a file name ({', '.join(stems)}): "
                         "rename one, their outputs would overwrite each other")
    corrections = not args.no_corrections
    extractions = []
    for report in reports:
        extraction = extract_report(report, corrections=corrections)
        extractions.append(extraction)
        stem = out / "extraction" / Path(report).stem
        write_json(extraction, stem.with_suffix(".json"))
        write_csv(extraction, stem.with_suffix(".csv"))
        text = extraction_report(extraction)
        write_text(stem.with_suffix(".report.txt"), text)
        print(f"extracted {report}: {len(extraction.rows)} rows, "
              f"{len(extraction.corrections_applied)} corrections, "
              f"{len(extraction.warnings)} warnings -> {stem}.json", file=sys.stderr)
    base_iri = args.base_iri or load_metadata()["base_iri"]
    written = build_outputs(reports, out, base_iri=base_iri, corrections=corrections,
                            extractions=extractions)
    print(f"built the graph: {len(written)} files in {out}", file=sys.stderr)
    store = open_store(out)
    views = write_all(store, out)
    per_folder = {f: sum(1 for p in views if p.parent.name == f and p.suffix in (".html", ".csv",
                                                                                ".md"))
                  for f in ("maps", "metrics")}  # pages and tables, not the maps' side files
    charts = len({p.stem for p in views if p.parent.name == "charts"})
    print(f"wrote {per_folder['maps']} maps, {per_folder['metrics']} metric files and "
          f"{charts} charts (PNG + SVG) under {out}", file=sys.stderr)

    # -- the site: the front door to all of the above (welfare_kg.commands.site) ----------------
    from .site import write_site_for

    site = out / "site"
    pages = sum(1 for p in write_site_for(store, out, site) if p.suffix == ".html")
    print(f"wrote the site: {pages} pages in {site}", file=sys.stderr)
    print(f"\nopen {site / 'index.html'} in a browser (works offline, from the file)",
          file=sys.stderr)
    print("more: scripts/welfare-kg --help, scripts/welfare-kg query --list, "
          "scripts/welfare-kg serve", file=sys.stderr)
    return 0
