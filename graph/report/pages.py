"""The report's text layout: decoding, pages, and the blocks printed on each page.

The flattened PDF prints each page as a run of rows (plan bullets, then the result, then the
bodies) followed by an end block of initiative sentences, action-plan headings, merged body
cells and footnotes (see FORMAT.md). This module recovers those blocks in printed order; which
initiative and which merged body cell belong to which row is decided later (`segment`).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from welfare_kg.datafiles import display_width
from welfare_kg.datafiles import normalized as normalize  # each line is asked several times
from welfare_kg.errors import InputError, ReportFormatError

from .bodies import BodyVocabulary, load_bodies
from .format import LayoutVocabulary, load_layout

__all__ = [
    "MAX_REPORT_BYTES",
    "BodiesBlock",
    "HeadingBlock",
    "InitiativeBlock",
    "NoteBlock",
    "PageLayout",
    "RowBlock",
    "SourceText",
    "decode_source",
    "parse_page",
    "parse_report",
    "read_source",
    "repeated_pages",
    "split_pages",
]

_INDENT = (" ", "\u3000", "\t")
# A report is refused above this size: the bundled one is 75 KB, so this allows a plan a
# hundred times longer (extraction is linear, about 2 s per 75 KB: some 3 minutes) while
# keeping a mistaken input (a disk image, a log) from being parsed for an hour.
MAX_REPORT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class SourceText:
    """A decoded report: its lines (1-based through `line`) and how it was decoded."""

    path: str
    lines: tuple[str, ...]
    encoding: str
    data: bytes

    def line(self, number: int) -> str:
        return self.lines[number - 1]

    @property
    def text_sha256(self) -> str:
        """SHA-256 of the decoded text (UTF-8, LF line ends, no BOM): the same for a CRLF,
        BOM or Shift_JIS copy of the same report, different for any change of content."""
        return hashlib.sha256("\n".join(self.lines).encode("utf-8")).hexdigest()


@dataclass
class RowBlock:
    """A row as printed: plan bullets, the result, and the body lines printed with it."""

    line: int
    end_line: int
    items: list[str] = field(default_factory=list)
    result_lines: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    body_lines: list[int] = field(default_factory=list)
    in_end_block: bool = False  # a bullet printed after the page's initiatives and headings

    @property
    def result(self) -> str:
        return "".join(self.result_lines)


@dataclass
class InitiativeBlock:
    """An initiative sentence (取組) as printed, lines joined with nothing between."""

    text: str
    line: int
    end_line: int


@dataclass
class HeadingBlock:
    """A numbered action-plan heading (行動計画)."""

    number: int
    title: str
    line: int
    end_line: int


@dataclass
class BodiesBlock:
    """Body lines printed apart from any row: a merged body cell."""

    bodies: list[str]
    line: int
    end_line: int
    body_lines: list[int] = field(default_factory=list)


@dataclass
class NoteBlock:
    """A footnote, the pillar marker, or text the layout could not place."""

    kind: str  # footnote | pillar | text
    text: str
    line: int
    end_line: int
    value: int | None = None


Block = RowBlock | InitiativeBlock | HeadingBlock | BodiesBlock | NoteBlock


@dataclass
class PageLayout:
    """One page: its line span and its blocks in printed order."""

    number: int
    first_line: int
    last_line: int
    blocks: list[Block] = field(default_factory=list)
    unknown_bodies: list[tuple[int, str]] = field(default_factory=list)

    @property
    def rows(self) -> list[RowBlock]:
        return [b for b in self.blocks if isinstance(b, RowBlock)]


# --------------------------------------------------------------------------------- decoding


def decode_source(data: bytes, path: str) -> SourceText:
    """Decode report bytes: UTF-8 (with or without BOM), else Shift_JIS/CP932; LF line ends.

    Japanese government files are often CP932; a file that is neither is refused by name.
    """
    if not data.strip():
        raise ReportFormatError(path, None, "the file is empty")
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data_ = data[len(codecs.BOM_UTF8) :]
        encoding = "utf-8-sig"
    else:
        data_ = data
    try:
        text = data_.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            text = data_.decode("cp932")
            encoding = "cp932"
            if any("\ue000" <= ch <= "\uf8ff" for ch in text):  # cp932 maps junk bytes here
                raise UnicodeDecodeError("cp932", data_, 0, 1, "private-use characters")
        except UnicodeDecodeError:
            line = data_[: exc.start].count(b"\n") + 1
            if exc.reason == "unexpected end of data":
                raise ReportFormatError(
                    path, line, "the file ends in the middle of a UTF-8 character: truncated?"
                ) from exc
            raise ReportFormatError(
                path, line, "not UTF-8 and not Shift_JIS/CP932 text; convert it to UTF-8"
            ) from exc
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ReportFormatError(path, line, "binary data (a NUL byte), not a text report")
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return SourceText(path=path, lines=tuple(lines), encoding=encoding, data=data)


def read_source(path: str | Path, max_bytes: int = MAX_REPORT_BYTES) -> SourceText:
    """Read and decode a report file.

    Only regular files up to `max_bytes` are read: a device (/dev/zero), a FIFO or a huge file
    would otherwise be read without bound.
    """
    try:
        # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise InputError(f"{path}: not a regular file (a device, FIFO or socket); "
                                 "give a report text file")
            if info.st_size > max_bytes:
                raise InputError(f"{path}: {info.st_size:,} bytes is over the "
                                 f"{max_bytes:,}-byte limit for a report")
            os.set_blocking(fd, True)
            data = fh.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a directory, not a report file") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    if len(data) > max_bytes:  # it grew while being read
        raise InputError(f"{path}: over the {max_bytes:,}-byte limit for a report")
    return decode_source(data, str(path))


# ------------------------------------------------------------------------------------ pages


def is_header(text: str, layout: LayoutVocabulary) -> bool:
    """True for the table's column-header line."""
    flat = normalize(text)
    return sum(1 for p in layout.header_columns if p.search(flat)) >= layout.header_min_columns


def split_pages(source: SourceText, layout: LayoutVocabulary) -> list[tuple[int, int]]:
    """Line spans (first, last; 1-based) of the pages.

    A page starts at a header line, or at a line of exactly one leading space and a bullet
    (the PDF page began in the middle of the table).
    """
    starts = []
    for number, text in enumerate(source.lines, start=1):
        if is_header(text, layout) or (text.startswith(" ") and not text.startswith(_INDENT, 1)
              and text[1:].startswith(layout.bullet)):
            starts.append(number)
    if not any(is_header(t, layout) for t in source.lines):
        raise ReportFormatError(
            source.path, None,
            "no table header line (行動計画 … 実施主体) found: not a progress table",
        )
    first_content = next(n for n, t in enumerate(source.lines, start=1) if t.strip())
    if not starts or starts[0] > first_content:
        starts.insert(0, first_content)
    spans = []
    for i, start in enumerate(starts):
        end = (starts[i + 1] - 1) if i + 1 < len(starts) else len(source.lines)
        if any(source.line(n).strip() for n in range(start, end + 1)):
            spans.append((start, end))
    last_start, last_end = spans[-1]
    if len(spans) > 1 and is_header(source.line(last_start), layout) and not any(
            source.line(n).strip() for n in range(last_start + 1, last_end + 1)):
        raise ReportFormatError(
            source.path, last_start,
            "the report ends right after a page's header line: truncated file?")
    return spans


def repeated_pages(source: SourceText, spans: list[tuple[int, int]],
                   layout: LayoutVocabulary) -> list[str]:
    """Warnings for pages printed twice word for word (a file joined twice, a page pasted
    again): their rows would be counted twice."""
    seen: dict[str, tuple[int, int]] = {}
    notes = []
    for first, last in spans:
        body = "\n".join(normalize(source.line(n)) for n in range(first, last + 1)
                         if source.line(n).strip() and not is_header(source.line(n), layout))
        if not body:
            continue
        if body in seen:
            a, b = seen[body]
            notes.append(f"{source.path}:{first}: the page at lines {first}-{last} repeats the "
                         f"page at lines {a}-{b} word for word; its rows are counted twice")
        else:
            seen[body] = (first, last)
    return notes


# ----------------------------------------------------------------------------- page parser


class _PageParser:
    """A small state machine over one page's lines.

    States: `items` (reading plan bullets), `result`, `bodies` (a row's own body lines),
    `orphan` (a merged body cell), `free` (between end-block elements).
    """

    def __init__(self, source: SourceText, span: tuple[int, int], number: int,
                 layout: LayoutVocabulary, bodies: BodyVocabulary) -> None:
        self.source = source
        self.first, self.last = span
        self.layout = layout
        self.vocab = bodies
        self.page = PageLayout(number, self.first, self.last)
        self.state = "free"
        self.row: RowBlock | None = None
        self.orphan: BodiesBlock | None = None
        self.seen_end_block = False
        self.inline_lines: set[int] = set()

    # -- line predicates
    def text(self, n: int) -> str:
        return self.source.line(n)

    def stripped(self, n: int) -> str:
        return self.text(n).strip(" \u3000\t")

    def is_blank(self, n: int) -> bool:
        return not self.stripped(n)

    def is_bullet(self, s: str) -> bool:
        return s.startswith(self.layout.bullet)

    def body_name(self, s: str) -> str | None:
        return s if self.vocab.lookup(s) else None

    def looks_like_body(self, s: str) -> bool:
        flat = normalize(s)
        return (
            len(flat) <= self.layout.body_max_chars
            and not flat.endswith(self.layout.sentence_end)
            and bool(self.layout.body_shape.search(flat))
            and not self.is_bullet(s)
        )

    def is_number(self, s: str) -> bool:
        return bool(self.layout.heading_number.match(normalize(s)))

    def is_footnote(self, s: str) -> bool:
        return bool(self.layout.footnote.match(unicodedata.normalize("NFKC", s)))

    def pillar(self, s: str) -> int | None:
        m = self.layout.pillar_marker.match(normalize(s))
        return int(m.group(1)) if m else None

    def plan_width(self, s: str) -> int:
        """Width of a bullet line without the result printed after it on the same line."""
        return display_width(self.split_inline(s)[0])

    def ends_initiative(self, s: str) -> bool:
        flat = normalize(s)
        return any(flat.endswith(e) for e in self.layout.initiative_endings)

    def is_structural(self, s: str) -> bool:
        return bool(
            self.is_bullet(s) or self.body_name(s) or self.is_number(s) or self.is_footnote(s)
            or self.pillar(s) is not None
        )

    # -- blocks
    def close_row(self) -> None:
        self.row = None

    def start_row(self, n: int, s: str) -> None:
        self.close_row()
        self.orphan = None
        self.row = RowBlock(line=n, end_line=n, in_end_block=self.seen_end_block)
        self.page.blocks.append(self.row)
        item, inline = self.split_inline(s[len(self.layout.bullet) :])
        self.row.items.append(item)
        self.state = "items"
        if inline:
            self.add_result_text(n, inline)

    @staticmethod
    def split_inline(s: str) -> tuple[str, str]:
        """A cell's text and what follows it on the same line after a half-width space."""
        head, sep, tail = s.partition(" ")
        return (head, tail.strip()) if sep else (s, "")

    def add_result_text(self, n: int, s: str) -> None:
        """Result text, with a body name printed at its end (`…した。 区社会福祉協議会`)."""
        assert self.row is not None
        if self.body_name(s.strip()):
            self.add_body(n, s.strip(), inline=True)
            return
        split = self.vocab.suffix(s)
        if split:
            s, body = split
        if s:
            self.row.result_lines.append(s)
            self.row.end_line = n
            self.state = "result"
        if split:
            self.add_body(n, body, inline=True)

    def add_body(self, n: int, name: str, inline: bool = False) -> None:
        key = normalize(name)
        if self.state in ("items", "result", "bodies") and self.row is not None:
            # A body printed on a text line is a one-line cell; body lines after a blank
            # line belong to another (merged) cell.
            after_inline = (
                bool(self.row.body_lines)
                and self.row.body_lines[-1] in self.inline_lines
                and self.row.end_line == self.row.body_lines[-1]
            )
            if inline:
                self.inline_lines.add(n)
            if after_inline and self.is_blank(n - 1):
                pass
            elif all(normalize(b) != key for b in self.row.bodies):
                self.row.bodies.append(name)
                self.row.body_lines.append(n)
                self.row.end_line = n
                self.state = "bodies"
                return
        # A repeated name, or bodies away from any row: a merged cell of its own.
        if self.orphan is None or any(normalize(b) == key for b in self.orphan.bodies):
            self.orphan = BodiesBlock(bodies=[], line=n, end_line=n)
            self.page.blocks.append(self.orphan)
        self.orphan.bodies.append(name)
        self.orphan.body_lines.append(n)
        self.orphan.end_line = n
        self.close_row()
        self.state = "orphan"

    def initiative_at(self, n: int) -> int | None:
        """If an initiative sentence starts at line n, its last line (it may span blanks)."""
        wrap = self.layout.wrap["initiative"]
        m = n
        joined = ""
        while m <= self.last:
            s = self.stripped(m)
            if not s:
                # A sentence broken by a blank line: continue only if it has not ended.
                if not joined or normalize(joined).endswith(self.layout.sentence_end):
                    break
                m += 1
                continue
            if self.is_structural(s) or display_width(s) > wrap or self.looks_like_body(s):
                break
            joined += s
            if self.ends_initiative(joined):
                return m
            m += 1
        return None

    def heading_at(self, n: int) -> int:
        """Parse a heading whose number is on line n; return its last line."""
        wrap = self.layout.wrap["heading"]
        title: list[str] = []
        end = n
        m = n + 1
        while m <= self.last:
            s = self.stripped(m)
            if not s:
                m += 1
                continue
            flat = normalize(s)
            if (self.is_structural(s) or self.looks_like_body(s) or display_width(s) > wrap
                    or flat.endswith(self.layout.sentence_end)):
                break
            title.append(s)
            end = m
            m += 1
        number = int(normalize(self.stripped(n)))
        self.page.blocks.append(HeadingBlock(number, "".join(title), n, end))
        return end

    # -- the walk
    def run(self) -> PageLayout:
        n = self.first
        prev_blank = True
        while n <= self.last:
            raw = self.text(n)
            s = self.stripped(n)
            if not s:
                prev_blank = True
                n += 1
                continue
            if n == self.first and is_header(raw, self.layout):
                n += 1
                continue
            n = self.step(n, raw, s, prev_blank)
            prev_blank = False
            n += 1
        return self.page

    def step(self, n: int, raw: str, s: str, prev_blank: bool) -> int:
        """Handle line n; return the last line consumed."""
        wrap_plan = self.layout.wrap["plan"]
        if self.state == "items" and self.row is not None:
            if raw.startswith(_INDENT) and not self.is_bullet(s) and not prev_blank:
                item, inline = self.split_inline(s)
                self.row.items[-1] += item
                self.row.end_line = n
                if inline:
                    self.add_result_text(n, inline)
                return n
            if (not prev_blank and not self.is_bullet(s) and not self.is_structural(s)
                    and self._continues_item(n, s)):
                self.row.items[-1] += s
                self.row.end_line = n
                return n
        if self.is_bullet(s):
            in_result = self.state == "result" and self.row is not None
            if in_result and (not prev_blank or self.plan_width(s) > wrap_plan):
                self.add_result_text(n, s)
                return n
            if self.state == "items" and self.row is not None and not prev_blank:
                item, inline = self.split_inline(s[len(self.layout.bullet) :])
                self.row.items.append(item)
                self.row.end_line = n
                if inline:
                    self.add_result_text(n, inline)
                return n
            if self.state == "items" and self.row is not None and self.plan_width(s) > wrap_plan:
                self.add_result_text(n, s)
                return n
            self.start_row(n, s)
            return n
        if self.pillar(s) is not None:
            self.page.blocks.append(NoteBlock("pillar", s, n, n, value=self.pillar(s)))
            self.enter_free(end_block=True)
            return n
        if self.is_footnote(s):
            self.page.blocks.append(NoteBlock("footnote", s, n, n))
            self.enter_free(end_block=True)
            return n
        if self.is_number(s):
            self.enter_free(end_block=True)
            return self.heading_at(n)
        if self.body_name(s):
            self.add_body(n, s)
            return n
        if self.state in ("bodies", "orphan"):
            glued = self.vocab.prefix(s)
            if glued and glued[1].strip():
                self.add_body(n, glued[0])
                return self.free_text(n, glued[1].strip(), prev_blank=True)
            if self.looks_like_body(s):
                self.page.unknown_bodies.append((n, s))
                self.add_body(n, s)
                return n
        if self.state in ("items", "result") and self.row is not None:
            if prev_blank and self.state == "result":
                end = self.initiative_at(n)
                if end is not None:
                    return self.add_initiative(n, end)
            if prev_blank and self.state == "result" and self.looks_like_body(s):
                self.page.unknown_bodies.append((n, s))
                self.add_body(n, s)
                return n
            self.add_result_text(n, s)
            return n
        return self.free_text(n, s, prev_blank)

    def _continues_item(self, n: int, s: str) -> bool:
        """A wrapped bullet whose continuation lost its leading space: the bullet line is full."""
        wrap_plan = self.layout.wrap["plan"]
        prev = self.stripped(n - 1)
        return (
            display_width(prev) >= wrap_plan - 4
            and display_width(s) <= wrap_plan - 8
            and (n + 1 > self.last or self.is_blank(n + 1))
        )

    def free_text(self, n: int, s: str, prev_blank: bool) -> int:
        """Text outside a row: an initiative, or result text of a row that printed it late."""
        end = self.initiative_at(n) if s == self.stripped(n) else self._glued_initiative(n, s)
        if end is not None:
            if s != self.stripped(n):
                return self.add_initiative(n, end, first=s)
            return self.add_initiative(n, end)
        if self.row is not None and self.state == "bodies" and not self.row.result_lines:
            # The result printed below the row's (inline) body: it is still the row's result.
            self.row.result_lines.append(s)
            self.row.end_line = n
            self.state = "result"
            return n
        last = self.page.blocks[-1] if self.page.blocks else None
        if isinstance(last, NoteBlock) and last.kind == "text" and not prev_blank:
            last.text += s
            last.end_line = n
        else:
            self.page.blocks.append(NoteBlock("text", s, n, n))
        self.enter_free()
        return n

    def _glued_initiative(self, n: int, first: str) -> int | None:
        """An initiative whose first line was glued behind a body name."""
        if self.ends_initiative(first):
            return n
        # (the rest of the sentence follows on the next lines)
        if n + 1 > self.last:
            return None
        end = self.initiative_at(n + 1)
        if end is None:
            # the rest may start after a blank line
            m = n + 1
            while m <= self.last and self.is_blank(m):
                m += 1
            end = self.initiative_at(m) if m <= self.last else None
        return end

    def add_initiative(self, n: int, end: int, first: str | None = None) -> int:
        parts = [first] if first is not None else [self.stripped(n)]
        parts += [self.stripped(m) for m in range(n + 1, end + 1) if not self.is_blank(m)]
        self.page.blocks.append(InitiativeBlock("".join(parts), n, end))
        self.enter_free()
        return end

    def enter_free(self, end_block: bool = False) -> None:
        self.close_row()
        self.orphan = None
        self.state = "free"
        self.seen_end_block = self.seen_end_block or end_block


def parse_page(source: SourceText, span: tuple[int, int], number: int,
               layout: LayoutVocabulary | None = None,
               bodies: BodyVocabulary | None = None) -> PageLayout:
    """The blocks of one page in printed order."""
    return _PageParser(source, span, number, layout or load_layout(), bodies or load_bodies()).run()


def parse_report(source: SourceText, layout: LayoutVocabulary | None = None,
                 bodies: BodyVocabulary | None = None) -> list[PageLayout]:
    """All pages of a decoded report."""
    layout = layout or load_layout()
    bodies = bodies or load_bodies()
    return [
        parse_page(source, span, i, layout, bodies)
        for i, span in enumerate(split_pages(source, layout), start=1)
    ]


