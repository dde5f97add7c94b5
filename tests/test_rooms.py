"""The rooms of the code and the one direction their imports run.

report → rdf → sparql → viz → commands (the CLI); `welfare_kg.errors`, `paths`, `fileio` and
`datafiles` are the ground floor every room may use. A room imports another only through that
room's package (its `__init__` and `__all__`), never a module inside it. Imports inside
functions count too: a lazy import against the flow is still a tangle.
"""

from __future__ import annotations

import ast
import importlib
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Folder of each package (the install maps welfare_kg.graph and .viz to top-level folders).
PACKAGE_DIRS = {"welfare_kg": ROOT / "welfare_kg", "welfare_kg.graph": ROOT / "graph",
                "welfare_kg.viz": ROOT / "viz"}
GROUND = {"welfare_kg", "welfare_kg.errors", "welfare_kg.paths", "welfare_kg.fileio",
          "welfare_kg.datafiles"}
ROOMS = ["welfare_kg.graph.report", "welfare_kg.graph.rdf", "welfare_kg.graph.sparql",
         "welfare_kg.viz", "welfare_kg.commands"]
TOP = {"welfare_kg.cli": len(ROOMS)}  # the entry point: above every room


def modules() -> dict[str, Path]:
    """Every module of the installed packages, by dotted name."""
    found = {}
    for package, folder in PACKAGE_DIRS.items():
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).with_suffix("").parts
            if package == "welfare_kg" and parts[0] in ("graph", "viz"):
                continue
            name = ".".join((package, *parts)).removesuffix(".__init__")
            found[name] = path
    return found


def room_of(module: str) -> str | None:
    """The room a module belongs to, `None` for the ground floor and the graph package face."""
    for room in ROOMS:
        if module == room or module.startswith(room + "."):
            return room
    return None


def rank(module: str) -> int:
    room = room_of(module)
    return TOP.get(module, -1) if room is None else ROOMS.index(room)


def imports(name: str, path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, absolute module, names) of every import in the module, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = ".".join(p for p in (base if node.level else "", node.module or "") if p)
            found.append((node.lineno, target, [a.name for a in node.names]))
    return [f for f in found if f[1] == "welfare_kg" or f[1].startswith("welfare_kg.")]


def violations() -> list[str]:
    mods = modules()
    bad = []
    for name, path in sorted(mods.items()):
        here = room_of(name)
        for line, target, _names in imports(name, path):
            where = f"{path}:{line}: {name} imports {target}"
            there = room_of(target)
            if target in GROUND or (there is None and target not in TOP):
                continue
            if target in TOP:
                bad.append(f"{where}: nothing imports the command line")
            elif rank(target) > rank(name):
                bad.append(f"{where}: against the flow (report → rdf → sparql → viz → commands)")
            elif there != here and target != there:
                bad.append(f"{where}: use the room's public API ({there}), not its module")
    return bad


def test_imports_run_one_way_through_public_apis() -> None:
    assert violations() == []


def test_the_checker_sees_a_backward_import(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself can fail: a report module that imports sparql is caught."""
    fake = tmp_path / "graph"
    for sub in ("report", "rdf", "sparql"):
        (fake / sub).mkdir(parents=True)
        (fake / sub / "__init__.py").write_text("")
    (fake / "report" / "bad.py").write_text("from ..sparql import run_query\n")
    (fake / "sparql" / "deep.py").write_text("from welfare_kg.graph.report.bad import x\n")
    monkeypatch.setitem(PACKAGE_DIRS, "welfare_kg.graph", fake)
    found = violations()
    assert any("report.bad imports welfare_kg.graph.sparql: against" in v for v in found)
    assert any("sparql.deep imports welfare_kg.graph.report.bad: use the room" in v for v in found)


@pytest.mark.parametrize("room", ROOMS[:-1])
def test_public_api_is_what_all_names(room: str) -> None:
    module = importlib.import_module(room)
    assert module.__doc__ and "In:" in module.__doc__ and "Out:" in module.__doc__
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert module.__all__ and missing == []


def test_every_package_folder_is_installed() -> None:
    """A new room (a folder with __init__.py) must be listed in pyproject.toml, or a wheel
    and a fresh clone would miss it."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    folders = {n for n, p in modules().items() if p.name == "__init__.py"}
    assert folders <= listed, folders - listed
