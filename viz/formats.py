"""The chart formats: their names, the default, and the check of a user's choice.

Kept apart from `charts` (which loads the chart writers, the maps' colours and networkx) so
that the main job can refuse a bad `--chart-formats` before it starts any work, at the cost of
this module alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from welfare_kg.errors import InputError

__all__ = ["CHART_FORMATS", "DEFAULT_CHART_FORMATS", "chart_formats"]

CHART_FORMATS = ("svg", "png")
"""The formats the charts can be written in."""

DEFAULT_CHART_FORMATS = ("svg",)
"""What `write_charts` writes unless asked for more (see `charts` for why SVG)."""


def chart_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """The chart formats named in `formats` ("svg,png" or a list), in a fixed order, checked.

    >>> chart_formats("PNG, svg")
    ('svg', 'png')
    """
    names = formats.split(",") if isinstance(formats, str) else list(formats)
    chosen = {n.strip().lower().lstrip(".") for n in names if n.strip()}
    unknown = sorted(chosen - set(CHART_FORMATS))
    if unknown or not chosen:
        raise InputError(
            f"chart formats {', '.join(unknown) or '(none)'}: choose from "
            f"{', '.join(CHART_FORMATS)} (e.g. svg,png)")
    return tuple(f for f in CHART_FORMATS if f in chosen)
