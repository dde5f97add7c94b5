"""`welfare-kg serve`: a SPARQL 1.1 endpoint (the Oxigraph server) loaded with the build."""

from __future__ import annotations

import argparse
import shutil
import signal
import tempfile
from pathlib import Path

from welfare_kg.paths import OUT_DIR

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "serve",
        help="serve the graph as a SPARQL endpoint on 127.0.0.1 (Ctrl-C stops)",
        description=(
            "Start the Oxigraph server (from the oxigraph PyPI package) on 127.0.0.1, loaded "
            "with the build in OUT_DIR (built from the bundled report when missing). The root "
            "page is a query page with the project's prefixes and the query library as "
            "examples; /query is the SPARQL endpoint, /store the Graph Store. "
            "Read-only unless --writable. The default graph is the union of the named graphs."
        ),
    )
    parser.add_argument("--port", type=int, default=7878, help="TCP port (default: 7878)")
    parser.add_argument("--writable", action="store_true",
                        help="accept SPARQL Update and Graph Store writes, on a copy of the "
                             "build's store that is removed on exit (or kept in --location)")
    parser.add_argument("--location", type=Path, metavar="DIR",
                        help="with --writable: keep the writable store in DIR")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, metavar="DIR",
                        help="the build directory (default: out)")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                        help="stop a query that runs longer than this (default: 30)")
    parser.add_argument("--cors", action=argparse.BooleanOptionalAction, default=True,
                        help="let web pages of other origins (a query editor elsewhere) query "
                             "the endpoint, answering CORS preflight (default: on; "
                             "--no-cors turns it off)")
    parser.add_argument("--allow-federation", action="store_true",
                        help="let queries use SERVICE (and updates LOAD), which make the server "
                             "fetch the URLs they name; off by default")
    parser.set_defaults(run=run)
    return parser


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from welfare_kg.errors import InputError
    from welfare_kg.graph.sparql import (
        OxigraphServer,
        check_timeout,
        query_page,
        refresh_store_dir,
    )

    if args.location and not args.writable:
        raise InputError("--location only makes sense with --writable")
    if not 0 < args.port < 65536:
        raise InputError(f"--port must be between 1 and 65535, got {args.port}")
    check_timeout(args.timeout, "--timeout")
    store_dir = refresh_store_dir(args.out_dir)
    scratch = None
    location = store_dir
    if args.writable:
        location = args.location or Path(tempfile.gettempdir()) / "welfare-kg-store-*"
        try:
            if args.location:
                if not location.exists():
                    shutil.copytree(store_dir, location)
            else:
                scratch = Path(tempfile.mkdtemp(prefix="welfare-kg-store-"))
                location = scratch / "store"
                shutil.copytree(store_dir, location)
        except OSError as exc:  # shutil.Error too
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
            raise InputError(f"{location}: cannot copy the store here: "
                             f"{getattr(exc, 'strerror', None) or exc}") from exc
    server = OxigraphServer(location, port=args.port, writable=args.writable,
                            timeout=args.timeout, cors=args.cors, page=query_page(),
                            federation=args.allow_federation)
    previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops as cleanly as Ctrl-C
    # Also when started in the background (`serve &`), where the shell ignores SIGINT: a
    # server is stopped with Ctrl-C or `kill -INT`, and never left without a way to stop.
    previous_int = signal.signal(signal.SIGINT, _interrupt)
    try:
        server.start()
        mode = "read-write" if args.writable else "read-only"
        print(f"SPARQL endpoint ({mode}): {server.query_url}", flush=True)
        print(f"query editor: {server.url}/   graph store: {server.store_url}", flush=True)
        print(f"queries stop after {args.timeout:g} s; CORS {'on' if args.cors else 'off'}; "
              f"federated queries (SERVICE) {'allowed' if args.allow_federation else 'refused'}",
              flush=True)
        print("press Ctrl-C to stop", flush=True)
        code = server.wait()
        if code != 0:
            print("the server stopped: its engine kept failing", flush=True)
            return 1
        return 0
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM, wherever it lands
        print("\nstopping the server", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
        server.stop()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
