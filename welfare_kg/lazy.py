"""Packages whose public names load their module on first use (PEP 562).

A room's `__init__` names its API in `__all__` and maps each name to the module it lives in;
`welfare-kg query` then imports the query library and the store, not rdflib, the extractor or
the HTTP server modules, which other commands need.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(namespace: dict[str, Any], home: Mapping[str, str],
                 ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for the package whose globals are `namespace`.

    `home` maps each public name to its submodule; a name is imported when first used and
    kept in the package, so later uses are plain attribute reads.
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> object:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *namespace.get("__all__", ())})

    return __getattr__, __dir__
