"""`welfare-kg site`: the static site, the front door to everything the build holds."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from ._views import add_output_arguments, view_output

__all__ = ["add_parser", "run", "write_site_for"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "site",
        help="write the static site (front door: OUT_DIR/site/index.html)",
        description=(
            "Write a self-contained static site from the build in OUT_DIR (built from the "
            "bundled report when missing): an overview, a page per body, pair of bodies, "
            "pillar, action plan and initiative with every row behind each figure and a CSV "
            "of them, search, the maps, the metrics, downloads and the query library. It opens "
            "from a file with no network; index.html is the front door."
        ),
    )
    add_output_arguments(parser, "site", "site")
    parser.set_defaults(run=run)
    return parser


def write_site_for(store: object, out_dir: Path, output: Path, jobs: int | None = None,
                   exports_key: str | None = None,
                   exports_written: Callable[[], object] | None = None) -> list[Path]:
    """Write the site for `store` (the build in `out_dir`) into `output`, its pages rendered
    by `jobs` processes (default: the cores); with `exports_key`, while the build's exports
    are still being written (`welfare_kg.viz.write_site`)."""
    from welfare_kg.viz import write_site

    return write_site(store, output, out_dir=out_dir, jobs=jobs, exports_key=exports_key,
                      exports_written=exports_written)


def run(args: argparse.Namespace) -> int:
    from welfare_kg.graph.sparql import open_store

    output = view_output(args, "site")  # staged with the rest of OUT_DIR when it lies there
    store = open_store(args.out_dir)
    with output.staged() as folder:
        written = write_site_for(store, Path(args.out_dir), folder)
    pages = sum(1 for p in written if p.suffix == ".html")
    print(f"wrote the site: {pages} pages, {len(written)} files in {output.target}",
          file=sys.stderr)
    print(output.target / "index.html")
    return 0
