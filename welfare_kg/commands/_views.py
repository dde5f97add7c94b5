"""What the view commands (maps, metrics, charts) share: their output arguments and folder."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from welfare_kg.errors import InputError
from welfare_kg.paths import OUT_DIR

__all__ = [
    "ViewOutput",
    "add_chart_formats_argument",
    "add_output_arguments",
    "add_store_argument",
    "output_folder",
    "resolve_output",
    "store_choice",
    "view_output",
    "write_view",
]


def add_output_arguments(parser: argparse.ArgumentParser, folder: str, what: str) -> None:
    """`-o DIR` (default OUT_DIR/<folder>) and `--out-dir OUT_DIR` (the build to read)."""
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                        help=f"where to write the {what} (default: OUT_DIR/{folder})")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, metavar="OUT_DIR",
                        help="the build directory (default: out)")
    add_store_argument(parser)


def add_store_argument(parser: argparse.ArgumentParser) -> None:
    """`--store auto|memory|disk`: which store the command's queries run on."""
    parser.add_argument("--store", choices=("auto", "memory", "disk"), default="auto",
                        help="which store answers the queries: memory (load the build into "
                             "this process), disk (OUT_DIR/store, loaded once per build and "
                             "reused) or auto (memory unless the build is very large; default)")


def add_chart_formats_argument(parser: argparse.ArgumentParser) -> None:
    """`--chart-formats svg,png`: which formats the charts are written in (default SVG).

    The names are checked by `welfare_kg.viz.chart_formats` when the command runs (exit 2 for
    an unknown one), so building the parser does not import the charting code.
    """
    parser.add_argument("--chart-formats", default="svg", metavar="FORMATS",
                        help="comma-separated chart formats: svg, png or both "
                        "(default: svg, which scales for slides and print)")


def output_folder(path: Path) -> Path:
    """Create the output folder `path` (and its parents) now, before any work is done.

    A path that is a file, or that cannot be created (`/proc/x`, no permission), becomes an
    InputError, which the CLI prints as one line (exit 2).
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"{path}: cannot create the output folder: {exc.strerror or exc}") from exc
    return path


def resolve_output(args: argparse.Namespace, folder: str) -> Path:
    """The created output folder of a view command: `-o`, else OUT_DIR/<folder>."""
    return output_folder(args.output or Path(args.out_dir) / folder)


def store_choice(args: argparse.Namespace) -> str:
    """The `--store` given (callers that build their own Namespace get "auto")."""
    return getattr(args, "store", None) or "auto"


@dataclass(frozen=True)
class ViewOutput:
    """Where a view command's files go: `target` as the user sees it; `inside` is its path
    relative to OUT_DIR when it lies there (then it is written in a transaction of OUT_DIR)."""

    target: Path
    out_dir: Path
    inside: Path | None

    @contextmanager
    def staged(self) -> Iterator[Path]:
        """The folder to write into now.

        Maps, metrics and charts written into OUT_DIR (the default) are staged with the rest
        of OUT_DIR and switched in together (`welfare_kg.outdir`), so a reader never sees new
        maps beside old metrics; a folder elsewhere (`-o DIR`) is written file by file, each
        atomically.
        """
        if self.inside is None:
            yield self.target
            return
        from welfare_kg.outdir import transaction

        with transaction(self.out_dir) as stage:
            yield output_folder(stage / self.inside)

    def show(self, path: Path, folder: Path) -> Path:
        """The path the user sees for `path`, written under `folder` (maybe a staging one)."""
        return self.target / Path(path).relative_to(folder)


def view_output(args: argparse.Namespace, folder: str) -> ViewOutput:
    """The output of a view command: `-o DIR`, else OUT_DIR/<folder>; a folder outside OUT_DIR
    is created now, so a bad `-o` fails before any work is done."""
    target = Path(args.output) if args.output else Path(args.out_dir) / folder
    out_dir = Path(args.out_dir)
    try:
        inside = target.resolve().relative_to(out_dir.resolve())
    except ValueError:
        return ViewOutput(output_folder(target), out_dir, None)
    if target.exists() and not target.is_dir():
        raise InputError(f"{target}: cannot create the output folder: it is a file")
    return ViewOutput(target, out_dir, inside)


def write_view(args: argparse.Namespace, folder: str,
               write: Callable[..., list[Path]], with_store: bool = False) -> int:
    """What maps, metrics and charts do: read the plan from the build's store, `write(plan,
    folder)` (`write(plan, folder, store)` `with_store`, for what else the view reads from
    the build) into the (staged) output folder, print each path as the user will find it."""
    from welfare_kg.graph.sparql import open_store
    from welfare_kg.viz import load_plan

    output = view_output(args, folder)
    store = open_store(args.out_dir, store_choice(args))
    plan = load_plan(store)
    with output.staged() as staged:
        written = write(plan, staged, store) if with_store else write(plan, staged)
    for path in written:
        print(output.show(path, staged))
    return 0
