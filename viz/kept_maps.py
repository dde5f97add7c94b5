"""The maps kept in the cache by the plan they show, as the charts are (`viz/charts.py`).

Laying out and writing the maps is a few tenths of a second, and importing what they need
(pyvis, which brings IPython, and numpy for the layout) about as much again; the main job
writes them twice (into OUT_DIR/maps and into the site), and every later run of the same
build writes the same bytes. So the pages and their side files are kept, keyed by the plan
(its tables, in fixed order), the seed, the code/data version (`welfare_kg.cache`) and the
versions of the libraries whose output is inlined or whose numbers place the bodies.
"""

from __future__ import annotations

import hashlib
import tempfile
from functools import cache
from pathlib import Path

from welfare_kg import cache as kept
from welfare_kg.fileio import write_bytes

from . import maps
from .metrics import SEED
from .plan import Plan

__all__ = ["write_maps"]

_LIBRARIES = ("pyvis", "networkx", "numpy")


@cache
def _library_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in _LIBRARIES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:  # pragma: no cover - run from source trees
            found.append(f"{name} unknown")
    return ", ".join(found)


def _context_key(context: maps.MapContext | None) -> str:
    """The context as text that does not depend on the process (its pair pages are keyed by
    frozensets, whose repr follows string hashing)."""
    if context is None:
        return "none"
    return repr((sorted(context.names.items()), sorted(context.body_pages.items()),
                 sorted((sorted(pair), page) for pair, page in context.pair_pages.items()),
                 context.handout))


def write_maps(plan: Plan, out_dir: Path, seed: int = SEED,
               context: maps.MapContext | None = None) -> list[Path]:
    """`viz.maps.write_maps`, from the cache when the same plan was drawn before with the
    same context: the same files (each written atomically, an unchanged one left alone) and
    the same pages returned, in the order of the map scopes."""
    out_dir = Path(out_dir)
    plan_key = hashlib.sha256(repr(plan).encode("utf-8")).hexdigest()
    context_key = hashlib.sha256(_context_key(context).encode("utf-8")).hexdigest()
    where = kept.entry("maps", plan_key, context_key, str(seed), _library_versions(),
                       suffix=".pack")
    data = kept.read_entry(where)
    files = kept.read_tree(data) if data is not None else None
    if files is None:
        with tempfile.TemporaryDirectory(prefix="welfare-kg-maps-") as tmp:
            maps.write_maps(plan, Path(tmp), seed, context)
            data = kept.pack_tree(Path(tmp))
        kept.write_entry(where, data)
        files = kept.read_tree(data) or []
    for name, content in files:
        write_bytes(out_dir / name, content)
    order = [f"{scope.slug}.html" for scope in maps.map_scopes(plan)]
    return [out_dir / name for name in order if any(n == name for n, _ in files)]
