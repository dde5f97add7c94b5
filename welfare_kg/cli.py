"""The `welfare-kg` command line: a thin skin over the library.

Each subcommand lives in its own module under `welfare_kg.commands` with two functions,
`add_parser(subparsers)` and `run(args) -> int`; this module only dispatches and turns the
library's named errors into messages and exit codes (0 ok, 1 validation failure, 2 input error).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from welfare_kg.errors import WelfareKGError

__all__ = ["COMMANDS", "main"]

# Subcommand name -> module under welfare_kg.commands. Modules are imported lazily on use,
# so `welfare-kg extract` does not pay for matplotlib or pyvis.
COMMANDS: dict[str, str] = {
    "all": "run_all",
    "extract": "extract",
    "query": "query",
    "serve": "serve",
    "publish": "publish",
    "maps": "maps",
    "metrics": "metrics",
    "charts": "charts",
    "site": "site",
    "build": "build",
    "validate": "validate",
    "corrections": "corrections",
    "review": "review",
    "cache": "cache",
}


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (its own print the usage first); subcommands inherit it."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see --help)\n")


class _ClosedStdout:
    """Stands in for a closed standard output (`welfare-kg extract >&-`): writing to it is an
    OSError the CLI reports in one line, instead of an AttributeError on None."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        pass


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="welfare-kg",
        description="Knowledge graph of Izumi ward's community welfare plan (泉わくわくプラン).",
    )
    parser.add_argument(
        "--data-dir", metavar="DIR",
        help="folder of vocabulary files (bodies.csv, outline.yaml, dataset.yaml …) to use "
        "instead of the bundled data/, e.g. one written by scripts/synth; same as "
        "WELFARE_KG_DATA_DIR. Give it before the command.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for _name, module in COMMANDS.items():
        importlib.import_module(f"welfare_kg.commands.{module}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting, for in-process tests."""
    problem = _use_data_dir(sys.argv[1:] if argv is None else list(argv))
    if problem:
        print(f"welfare-kg: error: {problem}", file=sys.stderr)
        return 2
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()  # type: ignore[assignment]
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return int(args.run(args) or 0)
    except WelfareKGError as exc:
        print(f"welfare-kg {args.command}: error: {_one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"welfare-kg {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`welfare-kg extract | head`): not an error.
        # Point stdout at /dev/null so the interpreter's final flush does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        # A file-system problem the library did not anticipate: still one line, no traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"welfare-kg {args.command}: error: {_one_line(f'{where}{exc.strerror or exc}')}",
              file=sys.stderr)
        return 2


def _use_data_dir(argv: list[str]) -> str | None:
    """Apply a global `--data-dir` before any command module (and so `welfare_kg.paths`) is
    imported, since the loaders bind their default paths at import; check the folder.

    Returns what is wrong, or None.
    """
    chosen = None
    for i, arg in enumerate(argv):
        if arg in COMMANDS:  # options after the command are the command's own
            break
        if arg == "--data-dir" and i + 1 < len(argv):
            chosen = argv[i + 1]
        elif arg.startswith("--data-dir="):
            chosen = arg.split("=", 1)[1]
    paths = sys.modules.get("welfare_kg.paths")
    if chosen is not None:
        wanted = Path(chosen).resolve()
        if paths is not None and Path(paths.DATA_DIR).resolve() != wanted:
            return ("--data-dir must be chosen before welfare_kg is loaded in this process; "
                    "set WELFARE_KG_DATA_DIR before starting it instead")
        os.environ["WELFARE_KG_DATA_DIR"] = chosen
    from welfare_kg.paths import DATA_DIR_ENV, check_data_dir

    return check_data_dir() if os.environ.get(DATA_DIR_ENV) else None

def _one_line(message: str) -> str:
    """Every message is one line, whatever a library or a value put in it (a parser's
    multi-line report, a --base-iri holding a newline)."""
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
