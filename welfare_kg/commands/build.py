"""`welfare-kg build`: extract reports, build the RDF graph and write the open-data exports."""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import urlsplit

from welfare_kg.paths import DEFAULT_REPORT, OUT_DIR

__all__ = ["add_jobs_argument", "add_parser", "add_publication_arguments", "run"]


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def add_jobs_argument(parser: argparse.ArgumentParser, more: str = "") -> None:
    """`--jobs N`: how many reports are extracted at once (build and all); `more` says what
    else the command spreads over the processes."""
    parser.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N",
                        help=f"extract up to N reports at once, one process each{more} "
                        "(default: the number of cores)")


def _public_url(text: str) -> str:
    """An http(s) URL the public can reach: a loopback address in a catalogue sends a
    portal's users nowhere."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"must be an http or https URL, not {text!r}")
    host = parts.hostname
    if host in ("localhost", "::1") or host.startswith("127."):
        raise argparse.ArgumentTypeError(
            f"{text!r} is a loopback address, not a public one")
    return text


def _download_base(text: str) -> str:
    text = _public_url(text)
    if not text.endswith("/"):
        raise argparse.ArgumentTypeError(f"must end in / (file names are appended): {text!r}")
    return text


def add_publication_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the build is published, for the DCAT catalogue and VoID (build and all)."""
    parser.add_argument("--public-endpoint", type=_public_url, default=None, metavar="URL",
                        help="the public SPARQL endpoint serving this graph (default: "
                        "sparql_endpoint of data/dataset.yaml; none: the catalogue claims "
                        "no endpoint)")
    parser.add_argument("--download-url", type=_download_base, default=None, metavar="URL",
                        help="where the exported files are published, ending in / (default: "
                        "download_url of data/dataset.yaml)")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "build",
        help="build the knowledge graph and write Turtle, JSON-LD, N-Triples, TriG, N-Quads, "
        "DCAT/VoID and CSV exports",
        description=(
            "Extract one or more progress reports (default: the bundled FY2021 report), build "
            "one RDF graph (a named graph of shared entities and one per report), and write "
            "every export into OUT_DIR. Reports are cached by content, so a report already "
            "built costs only its reading; the rest are extracted in parallel (--jobs). "
            "The same input gives byte-identical files."
        ),
    )
    parser.add_argument("reports", nargs="*", type=Path, metavar="REPORT",
                        help=f"report text file(s) (default: {DEFAULT_REPORT.name})")
    parser.add_argument("-o", "--out-dir", type=Path, default=OUT_DIR, metavar="OUT_DIR",
                        help="where to write the exports (default: out)")
    parser.add_argument("--base-iri", metavar="IRI", default=None,
                        help="base of the data IRIs, ending in / or # "
                        "(default: base_iri of data/dataset.yaml)")
    from .corrections import add_corrections_arguments

    add_corrections_arguments(parser, several=True)
    add_jobs_argument(parser)
    add_publication_arguments(parser)
    parser.add_argument("--validate", action="store_true",
                        help="also check the graph against ontology/shapes.ttl (exit 1 if not)")
    parser.set_defaults(run=run)
    return parser


def _prepare_store(stage: Path) -> Path | None:
    """A build large enough for `welfare-kg query` to answer from the on-disk store gets that
    store (and its stored answers) now, inside the same staged version, so the first query
    after the build does not pay the load (15 s at 100 reports)."""
    from welfare_kg.graph.sparql import prepare_store

    return prepare_store(stage)


def run(args: argparse.Namespace) -> int:
    from welfare_kg.graph.rdf import build_outputs, check_base_iri, load_metadata
    from welfare_kg.outdir import transaction

    base_iri = args.base_iri if args.base_iri is not None else load_metadata()["base_iri"]
    check_base_iri(base_iri)  # '' or a bad IRI fails before any work
    reports = args.reports or [DEFAULT_REPORT]
    from .corrections import corrections_choice

    corrections = corrections_choice(args, reports)  # checked before any work
    # Staged and switched in at once (welfare_kg.outdir); with --validate, a graph that does
    # not conform is reported and still published, as before (exit 1).
    with transaction(args.out_dir) as stage:
        written = build_outputs(reports, stage, base_iri=base_iri,
                                corrections=corrections,  # type: ignore[arg-type]
                                jobs=args.jobs, public_endpoint=args.public_endpoint,
                                download_url=args.download_url)
        sizes = [(args.out_dir / path.relative_to(stage), path.stat().st_size)
                 for path in written]
        store = _prepare_store(stage)
    for path, size in sizes:
        print(f"wrote {path} ({size} bytes)")
    if store is not None:
        print(f"wrote {args.out_dir / store.relative_to(stage)} (the on-disk query store "
              "and the library's stored answers)")
    if args.validate:
        from welfare_kg.graph.rdf import validate_files

        report = validate_files([args.out_dir / "welfare-kg.trig"])
        print(report.text())
        return 0 if report.conforms else 1
    return 0
