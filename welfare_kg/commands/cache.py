"""`welfare-kg cache [info|prune|clear]`: see and trim the work kept between runs.

The cache bounds itself on every write ($WELFARE_KG_CACHE_MAX, default 1G); this command is
for a person who wants to know where the space went, or to free it now.
"""

from __future__ import annotations

import argparse
import os
from collections import defaultdict
from pathlib import Path

from welfare_kg import cache
from welfare_kg.errors import InputError

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "cache",
        help="show, prune or clear the work kept between runs",
        description=(
            "The cache keeps each report's extraction and graph part, the tokenizer's words, "
            "drawn charts, maps and the site, keyed by content and code version, in "
            "$WELFARE_KG_CACHE_DIR (default ~/.cache/welfare-kg). It drops its least recently "
            "used entries when it grows past $WELFARE_KG_CACHE_MAX (default 1G). "
            "info: where it is and what it holds; prune [--max SIZE]: trim it now; "
            "clear: remove every entry."),
    )
    parser.add_argument("action", nargs="?", choices=("info", "prune", "clear"), default="info")
    parser.add_argument("--max", metavar="SIZE",
                        help="for prune: the size to trim to, e.g. 200M or 2G "
                        "(default: $WELFARE_KG_CACHE_MAX, else 1G)")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    root = cache.cache_root()
    if root is None:
        print(f"the cache is off (${cache.CACHE_ENV}={os.environ.get(cache.CACHE_ENV, '')})")
        return 0
    if args.max is not None and args.action != "prune":
        raise InputError("--max only goes with prune")
    if args.action == "clear":
        removed, freed = cache.prune(root, 0)
        print(f"removed {removed} entries ({_size(freed)}) from {root}")
        return 0
    if args.action == "prune":
        limit = _limit(args.max)
        if limit is None:
            print(f"no bound set: nothing pruned in {root}")
            return 0
        removed, freed = cache.prune(root, limit)
        print(f"removed {removed} entries ({_size(freed)}) from {root}; "
              f"it now holds {_size(sum(s for _, s, _ in cache.entries(root)))}")
        return 0
    _info(root)
    return 0


def _info(root: Path) -> None:
    found = cache.entries(root)
    by_kind: dict[str, list[int]] = defaultdict(list)
    for path, size, _ in found:
        by_kind[path.parent.name].append(size)
    limit = cache.cache_limit()
    bound = "no bound" if limit is None else f"bound {_size(limit)}"
    print(f"{root}: {len(found)} entries, {_size(sum(s for _, s, _ in found))} ({bound})")
    for kind in sorted(by_kind):
        sizes = by_kind[kind]
        print(f"  {kind:<12} {len(sizes):5d} entries  {_size(sum(sizes)):>9}")


def _limit(text: str | None) -> int | None:
    if text is None:
        return cache.cache_limit()
    try:
        return cache.parse_size(text)
    except ValueError:
        raise InputError(f"--max {text!r}: not a size (e.g. 500M, 2G, or none)") from None


def _size(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"
