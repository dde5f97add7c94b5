"""A small SVG writer for the charts: bars, a heatmap, text and legends, without matplotlib.

Why not matplotlib for SVG: its import and text layout were most of the main job's chart cost,
and a chart of bars and labels needs none of it. Text stays text (selectable, searchable, a
changed label shows in a diff) with a font-family that names the bundled IPAexGothic first and
then common Japanese fonts, so a viewer without IPAexGothic still draws kana and kanji.

Text is measured without a font file: a wide (East Asian W/F) character counts one em, any
other 0.6 em, which is at least as wide as IPAexGothic's and common Latin glyphs, so a box
computed from it holds the drawn text (legends and credits are never cut off).

Output is deterministic: no ids, no dates, numbers rounded to 0.1 px.
"""

from __future__ import annotations

import unicodedata
from xml.sax.saxutils import escape, quoteattr

__all__ = ["FONT_FAMILY", "Svg", "integer_ticks", "text_width", "wrap"]

FONT_FAMILY = ("IPAexGothic, 'IPAPGothic', 'IPAGothic', 'Noto Sans CJK JP', 'Noto Sans JP', "
               "'Source Han Sans JP', 'Hiragino Sans', 'Yu Gothic', Meiryo, 'TakaoPGothic', "
               "'DejaVu Sans', sans-serif")
"""The CSS font-family of every text: the bundled font, then common Japanese fonts."""

NARROW_EM = 0.6
"""The width, in ems, counted for a character that is not East Asian wide."""


def _em(ch: str, narrow: float = NARROW_EM) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else narrow


def text_width(text: str, size: float, narrow: float = NARROW_EM) -> float:
    """An upper estimate of the drawn width of one line of `text` at `size` px (`narrow`: the
    ems counted for a character that is not East Asian wide)."""
    return sum(_em(ch, narrow) for ch in text) * size


def wrap(text: str, width: float, size: float, narrow: float = NARROW_EM) -> list[str]:
    """`text` in lines no wider than `width` px at `size` px, broken at a space where the line
    has one, else between characters (Japanese has no spaces); widths as `text_width`."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and text_width(line + ch, size, narrow) > width:
            cut = line.rfind(" ")
            if cut > 0 and not ch.isspace():
                lines.append(line[:cut])
                line = line[cut + 1:]
            else:
                lines.append(line)
                line = ""
            if ch.isspace() and not line:
                continue
        line += ch
    if line:
        lines.append(line)
    return lines


def integer_ticks(top: float, most: int = 8) -> list[int]:
    """Integer axis ticks from 0 past `top`, at most about `most` of them, on a 1-2-5 step."""
    step = 1
    while True:
        for mult in (1, 2, 5):
            if (top // (step * mult)) + 2 <= most + 1:
                s = step * mult
                last = -(-max(top, 1) // s) * s
                return list(range(0, int(last) + 1, s))
        step *= 10


def _n(x: float) -> str:
    """A coordinate rounded to 0.1 px, without a trailing `.0`."""
    text = f"{round(x, 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


class Svg:
    """Elements appended in drawing order; `bytes()` gives the document."""

    def __init__(self, width: float, height: float, title: str) -> None:
        self.width, self.height, self.title = width, height, title
        self.parts: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str,
             title: str | None = None) -> None:
        tip = f"<title>{escape(title)}</title>" if title else ""
        end = f">{tip}</rect>" if tip else "/>"
        self.parts.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" '
                          f'fill="{fill}"{end}')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = "#000") -> None:
        self.parts.append(f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
                          f'stroke="{stroke}" stroke-width="0.8"/>')

    def text(self, x: float, y: float, text: str, size: float, anchor: str = "start",
             fill: str = "#000", bold: bool = False, role: str | None = None) -> None:
        """One line of text with its baseline at `y` (`anchor`: start, middle, end).

        `role` (a class name) lets a reader find the title block, legend or credit."""
        extra = ' font-weight="bold"' if bold else ""
        extra += f" class={quoteattr(role)}" if role else ""
        anchor_attr = f' text-anchor="{anchor}"' if anchor != "start" else ""
        fill_attr = f' fill="{fill}"' if fill != "#000" else ""
        self.parts.append(f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"'
                          f'{anchor_attr}{fill_attr}{extra}>{escape(text)}</text>')

    def bytes(self) -> bytes:
        head = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(self.width)}" '
            f'height="{_n(self.height)}" viewBox="0 0 {_n(self.width)} {_n(self.height)}" '
            f'font-family={quoteattr(FONT_FAMILY)}>\n'
            f"<title>{escape(self.title)}</title>\n"
            f'<rect width="100%" height="100%" fill="#fff"/>\n'
        )
        return (head + "\n".join(self.parts) + "\n</svg>\n").encode("utf-8")
