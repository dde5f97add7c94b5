"""Seeded modified copies of the bundled report, with the hand reading carried over to them.

Why: the review list's parameters were chosen on the bundled report and its hand reading
(tests/data/reading/), so the list is measured there only leave-one-page-out. The issue is
checked on modified reports the team has not seen; this makes such copies, each with the
changes a next year's report really has, and carries the hand reading to the rows that
remain (by row: a change never alters what the reading says of a row, only how it is
printed), so `scripts/evaluate-extraction --modified N` can measure the list on them and the
tests can keep floors. A copy is unseen only in part: its rows, initiatives and most of its
wording are the bundled report's.

The kinds of change (`KINDS`), each chosen where it keeps the reading true:

* `drop_page`: one or two pages with rows dropped (not the first, which holds the table
  header, nor the last, so the copy ends as a report does);
* `swap_rows`: neighbouring rows with their own body lines, which the reading gives the same
  initiative, swap places (with their body lines);
* `polite`: plain past endings made polite (した。→ しました。, た。→ ました。 after し);
* `verb`: 実施した → 行った, 開催した → 実施した (the same work said with another verb);
* `fiscal_year`: 令和N年度 in results moved on a year or dropped, and 令和N+1年度は added
  in front of some results;
* `quantities`: counts with a unit (`data/units.yaml`) changed, never to or from zero;
* `bullets`: a row's plan bullets printed in another order, or one of two or more dropped;
* `body_order`: a row's own body lines printed in another order;
* `merged_cell`: neighbouring rows with the same own bodies and the same initiative in the
  reading lose their body lines, printed once as a merged cell beside that initiative's
  sentence in the page's end block.

Usage: scripts/modify-report --seed S [--kinds k,k] -o copy.txt [--reading copy.jsonl]
(the reading of the copy, one row a line, keyed by the copy's line numbers).
The same seed and kinds give the same text.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READING = ROOT / "tests" / "data" / "reading"
KINDS = ("drop_page", "swap_rows", "polite", "verb", "fiscal_year", "quantities", "bullets",
         "body_order", "merged_cell")
_FULL = str.maketrans("０１２３４５６７８９", "0123456789")
_TO_FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def reading_rows() -> list[dict]:
    """The hand reading's rows in printed order (line of the first plan bullet)."""
    rows = []
    for path in sorted(READING.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    return sorted(rows, key=lambda r: r["line"])


def row_keys(items: list[list[str]]) -> list[tuple[str, int]]:
    """Each row's joined, normalised plan items and how many rows before it had the same."""
    from welfare_kg.datafiles import normalize

    seen: dict[str, int] = {}
    out = []
    for its in items:
        key = normalize("".join(its))
        out.append((key, seen.get(key, 0)))
        seen[key] = seen.get(key, 0) + 1
    return out


@dataclass
class ModifiedReport:
    """A modified copy: its text, the reading of its rows by the copy's line (each record as
    in tests/data/reading/, its `line` the copy's and `bundled_line` the bundled report's),
    what changed (kind → the bundled report's lines or pages it touched) and the rows each
    kind touched (the copy's lines)."""

    seed: int
    text: str
    reading: dict[int, dict]
    changes: dict[str, list] = field(default_factory=dict)
    touched: dict[str, set[int]] = field(default_factory=dict)  # kind → rows (copy's lines)

    def write(self, path: Path) -> Path:
        from welfare_kg.fileio import write_text

        write_text(path, self.text)
        return path


@dataclass
class _Row:
    """A printed row of the bundled report, with the lines of each part."""

    line: int
    end_line: int
    page: int
    items: list[str]
    body_lines: list[int]
    bodies: list[str]
    source: str  # own | merged | none
    truth: dict | None


def _rows(report: Path) -> tuple[list[_Row], list, list[str]]:
    from welfare_kg.graph.report import extract_report, read_source
    from welfare_kg.graph.report.pages import parse_report

    source = read_source(report)
    blocks = {b.line: b for p in parse_report(source) for b in p.rows}
    extraction = extract_report(report, corrections=False)
    truth = {r["line"]: r for r in reading_rows()}
    rows = [_Row(r.line, r.end_line, r.page, list(r.items), list(blocks[r.line].body_lines),
                 list(r.bodies), r.body_source, truth.get(r.line)) for r in extraction.rows]
    return rows, extraction.pages, list(source.lines)


class _Copy:
    """The bundled report's lines as slots (a slot may become several lines or none), so
    changes made on the original line numbers compose; text edits keep a line in its slot."""

    def __init__(self, lines: list[str]):
        self.slots: list[list[tuple[int | None, str]]] = [[(k, t)] for k, t in
                                                           enumerate(lines, start=1)]

    def text(self, line: int) -> str:
        slot = self.slots[line - 1]
        return slot[0][1] if slot else ""

    def set(self, line: int, text: str) -> None:
        self.slots[line - 1] = [(line, text)]

    def render(self) -> tuple[str, dict[int, int]]:
        """The copy's text, and where each original line that remains landed."""
        out, where = [], {}
        for slot in self.slots:
            for orig, text in slot:
                out.append(text)
                if orig is not None:
                    where[orig] = len(out)
        return "\n".join(out), where


def _item_blocks(copy: _Copy, row: _Row) -> list[tuple[int, int]] | None:
    """The line span of each plan bullet of a row, when each bullet's lines hold exactly its
    item (no result or body on them); None otherwise."""
    from welfare_kg.datafiles import normalize

    spans, line = [], row.line
    for item in row.items:
        start, acc = line, ""
        while line <= row.end_line:
            acc += copy.text(line).strip(" \u3000\t")
            line += 1
            if normalize(acc.lstrip("・")) == normalize(item):
                break
        else:
            return None
        if not copy.text(start).lstrip(" \u3000\t").startswith("・"):
            return None
        spans.append((start, line - 1))
    return spans


def _result_lines(copy: _Copy, row: _Row) -> list[int]:
    """Lines of the row's result after the line its plan items end on, before its own
    bodies (a result printed on a bullet's line is left alone)."""
    from welfare_kg.datafiles import normalize

    items, acc, end = normalize("".join(row.items)), "", row.end_line
    for k in range(row.line, row.end_line + 1):
        acc += copy.text(k).strip(" \u3000\t").lstrip("・")
        if items in normalize(acc):
            end = k
            break
    bodies = set(row.body_lines)
    return [k for k in range(end + 1, row.end_line + 1)
            if k not in bodies and copy.text(k).strip()]


def _units() -> list[str]:
    import yaml

    data = yaml.safe_load((ROOT / "data" / "units.yaml").read_text(encoding="utf-8"))
    return sorted((u["ja"] for u in data["units"]), key=len, reverse=True)


def modify(seed: int, kinds: tuple[str, ...] = KINDS) -> ModifiedReport:
    """A modified copy of the bundled report made with `seed` and the `kinds` of change (the
    hand reading is the bundled report's, so no other report can be modified this way)."""
    from welfare_kg.paths import DEFAULT_REPORT

    report = Path(DEFAULT_REPORT)
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds of change: {', '.join(sorted(unknown))}")
    rng = random.Random(seed)
    rows, pages, lines = _rows(report)
    copy = _Copy(lines)
    changes: dict[str, list] = {k: [] for k in kinds}
    touched: dict[str, set[int]] = {k: set() for k in kinds}  # original first lines
    with_rows = [p for p in pages if any(r.page == p.number for r in rows)]
    dropped: list = []
    if "drop_page" in kinds:
        dropped = rng.sample(with_rows[1:-1], rng.choice((1, 2)))
    gone = {p.number for p in dropped}
    live = [r for r in rows if r.page not in gone]
    readings = {r.line: dict(r.truth) for r in live if r.truth}

    # Text edits first: each keeps a line in its slot.
    if "bullets" in kinds:
        for row in live:
            spans = _item_blocks(copy, row) if len(row.items) > 1 else None
            if not spans or rng.random() < 0.3:
                continue
            texts = [[copy.text(k) for k in range(a, b + 1)] for a, b in spans]
            order = list(range(len(spans)))
            if rng.random() < 0.5:
                rng.shuffle(order)
                if order == sorted(order):
                    order.reverse()
            else:
                order.pop(rng.randrange(len(order)))
            new = [t for k in order for t in texts[k]]
            new[0] = _lead(texts[0][0]) + new[0].lstrip(" \u3000\t")
            span = range(spans[0][0], spans[-1][1] + 1)
            for k, line in enumerate(span):
                copy.set(line, new[k] if k < len(new) else "")
            if len(new) < len(span):  # a dropped bullet leaves no blank lines behind
                for line in span[len(new):]:
                    copy.slots[line - 1] = []
            if row.line in readings:
                readings[row.line]["items"] = [readings[row.line]["items"][k] for k in order]
            changes["bullets"].append((row.line, order))
            touched["bullets"].add(row.line)
    if "body_order" in kinds:
        for row in live:
            own = [k for k in row.body_lines if copy.text(k).strip(" \u3000\t") in row.bodies]
            if row.source != "own" or len(own) < 2 or len(own) != len(row.bodies) \
                    or rng.random() < 0.5:
                continue
            texts = [copy.text(k) for k in own]
            shuffled = texts[:]
            while shuffled == texts:
                rng.shuffle(shuffled)
            for k, t in zip(own, shuffled, strict=True):
                copy.set(k, t)
            changes["body_order"].append(row.line)
            touched["body_order"].add(row.line)
    rewrites = {
        "polite": [(re.compile(r"(?<=し)た。"), "ました。")],
        "verb": [(re.compile("実施した"), "行った"), (re.compile("開催した"), "実施した")],
    }
    units = "|".join(map(re.escape, _units()))
    for row in live:
        for k in _result_lines(copy, row):
            text = before = copy.text(k)
            for kind, pairs in rewrites.items():
                if kind in kinds and rng.random() < 0.7:
                    new_text = text
                    for pattern, new in pairs:
                        new_text = pattern.sub(new, new_text)
                    if new_text != text:
                        touched[kind].add(row.line)
                        text = new_text
            if "quantities" in kinds:
                text = re.sub(rf"([0-9０-９]+)(?=({units}))",
                              lambda m: _new_count(m.group(1), rng), text)
            if "fiscal_year" in kinds:
                text = re.sub(r"令和([0-9０-９]+)年度([はも]、?)?",
                              lambda m: _new_year(m, rng), text)
            if text != before:
                copy.set(k, text)
                for kind in ("quantities", "fiscal_year"):
                    if kind in kinds and _differs(kind, before, text):
                        touched[kind].add(row.line)
        if "fiscal_year" in kinds and row.line in readings and rng.random() < 0.15:
            results = _result_lines(copy, row)
            if results and results[0] > row.line:
                first = results[0]
                text = copy.text(first)
                copy.set(first, _lead(text) + "令和４年度は、" + text.lstrip(" \u3000\t"))
                touched["fiscal_year"].add(row.line)
    for kind in ("polite", "verb", "quantities", "fiscal_year"):
        if kind in kinds:
            changes[kind] = sorted(touched[kind])

    # Structural changes, each on rows no other structural change touches.
    busy: set[int] = set()
    if "merged_cell" in kinds:
        for page in with_rows:
            if page.number in gone or rng.random() < 0.4:
                continue
            group = _merge_group(page, live, copy, busy, rng)
            if not group:
                continue
            cell = [copy.text(k) for k in group[-1].body_lines if copy.text(k).strip()]
            for row in group:
                for k in row.body_lines:
                    copy.slots[k - 1] = []
                busy.add(row.line)
            sentence = next(i for i in page.initiatives
                            if _same(i.text, group[0].truth["initiative"]))
            copy.slots[sentence.end_line - 1] = (copy.slots[sentence.end_line - 1]
                                                 + [(None, "")] + [(None, t) for t in cell])
            changes["merged_cell"].append([r.line for r in group])
            touched["merged_cell"] |= {r.line for r in group}
    if "swap_rows" in kinds:
        for page in with_rows:
            if page.number in gone or rng.random() < 0.5:
                continue
            on_page = [r for r in live if r.page == page.number]
            pairs = [(a, b) for a, b in itertools.pairwise(on_page)
                     if _swappable(a, b, copy, busy)]
            if not pairs:
                continue
            a, b = rng.choice(pairs)
            block_a = copy.slots[a.line - 1:a.end_line]
            gap = copy.slots[a.end_line:b.line - 1]
            block_b = copy.slots[b.line - 1:b.end_line]
            # the page's first line starts with a space: the lead stays where it was printed
            (na, ta), (nb, tb) = block_a[0][0], block_b[0][0]
            block_a[0] = [(na, _lead(tb) + ta.lstrip(" \u3000\t")), *block_a[0][1:]]
            block_b[0] = [(nb, _lead(ta) + tb.lstrip(" \u3000\t")), *block_b[0][1:]]
            copy.slots[a.line - 1:b.end_line] = block_b + gap + block_a
            busy |= {a.line, b.line}
            changes["swap_rows"].append((a.line, b.line))
            touched["swap_rows"] |= {a.line, b.line}
    for page in dropped:
        for k in range(page.first_line, page.last_line + 1):
            copy.slots[k - 1] = []
        changes["drop_page"].append(page.number)

    text, where = copy.render()
    reading = {}
    for line, truth in readings.items():
        reading[where[line]] = {**truth, "line": where[line], "bundled_line": line}
    return ModifiedReport(seed, text, dict(sorted(reading.items())), changes,
                          {k: {where[n] for n in v if n in where} for k, v in touched.items()})


def _lead(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" \u3000\t"))]


def _same(a: str | None, b: str | None) -> bool:
    from welfare_kg.datafiles import normalize

    return normalize(a or "") == normalize(b or "")


def _differs(kind: str, before: str, after: str) -> bool:
    pattern = r"令和[0-9０-９]+年度" if kind == "fiscal_year" else r"[0-9０-９]+"
    return re.findall(pattern, before) != re.findall(pattern, after)


def _new_count(digits: str, rng: random.Random) -> str:
    value = int(digits.translate(_FULL))
    if value == 0 or rng.random() < 0.5:
        return digits
    new = max(1, round(value * rng.uniform(0.5, 1.6)))
    out = str(new)
    return out.translate(_TO_FULL) if digits != digits.translate(_FULL) else out


def _new_year(m: re.Match, rng: random.Random) -> str:
    """令和N年度 moved on a year, or dropped with the particle after it (令和３年度は、);
    a year not followed by は or も (令和５年度に向け) is only moved on."""
    digits = m.group(1)
    if m.group(2) and rng.random() < 0.3:
        return ""
    out = str(int(digits.translate(_FULL)) + 1)
    full = digits != digits.translate(_FULL)
    return "令和" + (out.translate(_TO_FULL) if full else out) + "年度" + (m.group(2) or "")


def _own_bodies_alone(copy: _Copy, row: _Row) -> bool:
    """The row's bodies are on lines of their own (after its result)."""
    return (row.source == "own" and bool(row.body_lines)
            and all(copy.text(k).strip(" \u3000\t") in row.bodies for k in row.body_lines
                    if copy.text(k).strip()))


def _merge_group(page, live: list[_Row], copy: _Copy, busy: set[int], rng: random.Random):
    """Two to four neighbouring rows of the page with the same own bodies, the same
    initiative in the reading, that initiative printed in the page's end block."""
    on_page = [r for r in live if r.page == page.number]
    printed = [i for i in page.initiatives if i.line > max(r.end_line for r in on_page)]
    runs, run = [], []
    for row in on_page:
        ok = (row.truth and row.truth["initiative"] and _own_bodies_alone(copy, row)
              and row.line not in busy
              and any(_same(i.text, row.truth["initiative"]) for i in printed))
        if run and ok and _same(run[-1].truth["initiative"], row.truth["initiative"]) \
                and sorted(run[-1].bodies) == sorted(row.bodies):
            run.append(row)
            continue
        if len(run) >= 2:
            runs.append(run)
        run = [row] if ok else []
    if len(run) >= 2:
        runs.append(run)
    if not runs:
        return None
    run = rng.choice(runs)
    size = rng.randint(2, min(4, len(run)))
    start = rng.randrange(len(run) - size + 1)
    return run[start:start + size]


def _swappable(a: _Row, b: _Row, copy: _Copy, busy: set[int]) -> bool:
    return (a.source == b.source == "own" and a.truth is not None and b.truth is not None
            and _same(a.truth["initiative"], b.truth["initiative"])
            and a.line not in busy and b.line not in busy
            and all(not copy.text(k).strip() for k in range(a.end_line + 1, b.line)))


@dataclass(frozen=True)
class CopyMeasure:
    """The shipped review list on a copy: its rows, the method's errors against the carried
    reading (by kind and "any"), the flagged lines, and reading rows the method did not find
    as rows (a change that broke the layout would show here)."""

    rows: int
    errors: dict[str, set[int]]
    flagged: set[int]
    unmatched: set[int]


def measure_copy(copy: ModifiedReport, path: Path) -> CopyMeasure:
    """Extract the copy written at `path` (method alone), score its rows against the carried
    reading and flag them with the shipped parameters (`flagged_rows`)."""
    from welfare_kg.graph.report import extract_report, flagged_rows
    from welfare_kg.graph.report.review import reading_errors

    rows = extract_report(path, corrections=False).rows
    found = {r.line for r in rows}
    errors = reading_errors([r for r in rows if r.line in copy.reading], copy.reading)
    return CopyMeasure(len(rows), errors, {r.line for r in flagged_rows(rows)},
                       set(copy.reading) - found)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kinds", default=",".join(KINDS),
                    help=f"comma-separated, of: {', '.join(KINDS)}")
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--reading", type=Path, help="write the copy's reading here (JSON lines)")
    a = ap.parse_args(argv)
    from welfare_kg.errors import InputError
    from welfare_kg.fileio import write_text

    try:
        copy = modify(a.seed, tuple(k for k in a.kinds.split(",") if k))
        copy.write(a.output)
        if a.reading:
            write_text(a.reading, "".join(json.dumps(r, ensure_ascii=False) + "\n"
                                          for r in copy.reading.values()))
    except (ValueError, InputError) as e:
        print(f"modify_report: {e}", file=sys.stderr)
        return 2
    print(f"{a.output}: " + "; ".join(f"{k} {len(v)}" for k, v in copy.changes.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
