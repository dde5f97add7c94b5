"""`welfare-kg all`: the main job, from the report to every output a user opens."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from welfare_kg.errors import InputError
from welfare_kg.paths import DEFAULT_REPORT, OUT_DIR

from ._views import add_chart_formats_argument, add_store_argument, store_choice

__all__ = ["add_parser", "run"]


def _load_views() -> tuple[Any, Any, Any]:
    """The functions that write the views and the site, with their modules (every one the
    views and the site use: `welfare_kg.viz` loads them on first use) and templates loaded."""
    from welfare_kg.graph.sparql import open_store
    from welfare_kg.viz import (  # noqa: F401 - imported now, while the build runs
        load_handout,
        load_plan,
        load_templates,
        map_context,
        write_all_beside,
        write_charts,
        write_maps,
        write_metrics,
        write_site,
    )

    from .site import write_site_for

    load_templates()
    return open_store, write_all_beside, write_site_for


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
    from .corrections import add_corrections_arguments

    add_corrections_arguments(parser, several=True)
    add_chart_formats_argument(parser)
    add_store_argument(parser)
    from .build import add_jobs_argument, add_publication_arguments

    add_jobs_argument(parser, "; with N > 1 the build runs in a second process, and once "
                      "its N-Quads is written the store, the charts, the maps and metrics (a "
                      "second process) and the site (half its pages in another) are made "
                      "beside the rest of the exports (1: all in one process, the same files; "
                      "by default 1 when the load average shows the cores busy)")
    add_publication_arguments(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    # The main job allocates millions of short-lived objects (triples, rows, pages): at the
    # default threshold the collector runs some 400 times and takes a tenth of a second;
    # collecting young objects every 10,000 allocations instead of 700 runs it some 30 times.
    # Cyclic garbage is still collected, a little later.
    threshold = gc.get_threshold()
    gc.set_threshold(10_000, 10, 10)
    try:
        return _run(args)
    finally:
        gc.set_threshold(*threshold)


def _run(args: argparse.Namespace) -> int:
    from welfare_kg.graph.rdf import build_outputs, check_base_iri, load_metadata
    from welfare_kg.outdir import transaction
    from welfare_kg.parallel import alongside_telling, spare_cores
    from welfare_kg.viz import chart_formats

    jobs = args.jobs or spare_cores()
    formats = chart_formats(args.chart_formats)  # a bad format name fails before any work
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

    from .corrections import corrections_choice

    corrections = corrections_choice(args, reports)  # checked before any work
    base_iri = args.base_iri if args.base_iri is not None else load_metadata()["base_iri"]
    check_base_iri(base_iri)  # '' or a bad IRI fails before any work
    # Everything is staged and switched in at once: a reader sees the old out/ or the new one,
    # never new exports beside old maps (welfare_kg.outdir).
    with transaction(out) as stage:
        def build(tell: Callable[[str], None]) -> list[Path]:
            # The build extracts each report (cached, in parallel) and writes its records too;
            # it tells as soon as the N-Quads the store loads is in place, then writes the
            # other exports (Turtle, JSON-LD, the catalogue ...).
            return build_outputs(reports, stage, base_iri=base_iri,
                                 corrections=corrections,  # type: ignore[arg-type]
                                 jobs=args.jobs, extraction_dir=stage / "extraction",
                                 on_report=extracted, public_endpoint=args.public_endpoint,
                                 download_url=args.download_url,
                                 on_graph=lambda nquads, key: tell(key))

        # With two cores the build runs in a second process while this one loads what the
        # maps, metrics and the site need (a fifth of a second of imports and templates), then,
        # once the build's N-Quads is in place, loads the store and writes the views and the
        # site while the build writes its other exports; the site waits for those only where
        # it reads them (its overview and downloads).
        with alongside_telling(build, enabled=jobs > 1) as built:
            open_store, write_all_beside, write_site_for = _load_views()
            exports_key = built.ready()
            store = open_store(stage, store_choice(args))
            # The maps and metrics (a second process) and the site (this one, its pages on two
            # processes again) are independent: they run side by side on two cores.
            with write_all_beside(store, stage, formats, jobs=jobs) as views:
                # The site: the front door to all of the above (welfare_kg.commands.site).
                site = write_site_for(store, stage, stage / "site", jobs=jobs,
                                      exports_key=exports_key, exports_written=built.wait)
            del store  # an on-disk store is closed before its folder moves
        written = built.result
    written_views: list[Path] = views.result
    maps = [p for p in written_views if p.parent.name == "maps" and p.suffix == ".html"]
    metrics = sum(1 for p in written_views if p.parent.name == "metrics")
    charts = len({p.stem for p in written_views if p.parent.name == "charts"})
    pages = sum(1 for p in site if p.suffix == ".html")
    print(f"built the graph: {len(written)} files in {out}", file=sys.stderr)
    print(f"wrote {len(maps)} maps, {metrics} metric files and {charts} charts "
          f"({', '.join(formats).upper()}) under {out}", file=sys.stderr)
    print(f"wrote the site: {pages} pages in {out / 'site'}", file=sys.stderr)
    print(f"\nopen {out / 'site' / 'index.html'} in a browser (works offline, from the file)",
          file=sys.stderr)
    print("more: scripts/welfare-kg --help, scripts/welfare-kg query --list, "
          "scripts/welfare-kg serve", file=sys.stderr)
    return 0
