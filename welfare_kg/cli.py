"""The `welfare-kg` command line: a thin skin over the library.

Each subcommand lives in its own module under `welfare_kg.commands` with two functions,
`add_parser(subparsers)` and `run(args) -> int`; this module only dispatches and turns the
library's named errors into messages and exit codes (0 ok, 1 validation failure, 2 input error).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

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
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="welfare-kg",
        description="Knowledge graph of Izumi ward's community welfare plan (泉わくわくプラン).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for _name, module in COMMANDS.items():
        importlib.import_module(f"welfare_kg.commands.{module}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting, for in-process tests."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return int(args.run(args) or 0)
    except WelfareKGError as exc:
        print(f"welfare-kg {args.command}: error: {exc}", file=sys.stderr)
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
        print(f"welfare-kg {args.command}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
