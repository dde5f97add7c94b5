"""Synthetic city-scale data: N wards x Y fiscal years of progress reports (scripts/synth).

Why: `build`, the store and the maps must be measured on what a city has (Yokohama: 18 wards,
a report a year), and only one real report is bundled. The generator takes the bundled report
as its template and reads it with the project's own extractor (`welfare_kg.graph.report`), so
the shape (pages, rows, wrapped results, own and merged body cells, end blocks) is the real
one and no sentence of the report lives in this code. Per ward it substitutes the ward's own
divisions, council and care plazas (4-9 per ward, named after districts), drops and repeats a
few rows and varies which bodies implement a row; per year it writes the fiscal year into the
table header, cancels some rows (with a cancellation result taken from the template) and moves
the reported quantities. What varies and the names are in `scripts/synth.yaml`.

Output (`-o DIR`, written in a temporary folder and moved into place when complete):

    DIR/reports/<ward>-fy<year>-report.txt   the report texts
    DIR/data/                                the vocabulary: the bundled data files, with each
                                             ward's bodies and organizations, a plan per ward and
                                             an entry per report in dataset.yaml
    DIR/manifest.json                        what was written: per report its rows (line,
                                             bodies, status), and the totals

Use the vocabulary with `WELFARE_KG_DATA_DIR=DIR/data` or `welfare-kg --data-dir DIR/data`.
The same seed and arguments give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import shutil
import sys
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:  # imported at run time inside functions, once the data folder is settled
    from welfare_kg.graph.report import BodyVocabulary, PartnerVocabulary, Row

ROOT = Path(__file__).resolve().parents[1]
CONFIG = Path(__file__).with_name("synth.yaml")
GENERATOR = "scripts/synth"
_INDENT = (" ", "\u3000", "\t")
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


class SynthError(Exception):
    """Bad arguments or an output folder the generator must not touch (exit 2)."""


# ------------------------------------------------------------------------------ the template


@dataclass
class TemplateRow:
    """A row of the template as the extractor reads it, with the lines that hold what."""

    index: int
    row: Row
    body_lines: list[int]  # lines that are a body name alone
    result_lines: list[int] | None  # lines holding the result alone, when they can be told
    clean_end: bool  # the next printed line starts the next row of the same page
    first_on_page: bool
    cell_lines: list[int] = field(default_factory=list)  # its merged body cell, if found

    @property
    def own_whole_lines(self) -> bool:
        """Its bodies are its own and each on a line of its own (safe to add or remove)."""
        return self.row.body_source == "own" and len(self.body_lines) == len(self.row.bodies)


@dataclass
class Template:
    """The template report: its lines, rows, vocabulary and what the variations draw from."""

    path: Path
    lines: list[str]
    rows: list[TemplateRow]
    bodies: BodyVocabulary
    partners: PartnerVocabulary
    header_lines: list[int]
    cancel_pool: list[list[str]]  # result lines of cancelled rows
    body_use: list[tuple[str, int]]  # body id, rows it implements (weights for added bodies)
    row_at: dict[int, TemplateRow] = field(default_factory=dict)

    def body_id(self, printed: str) -> str | None:
        body = self.bodies.lookup(printed)
        return body.id if body else None


def _stripped(line: str) -> str:
    return line.strip(" \u3000\t")


def read_template(path: Path, era_header: re.Pattern[str]) -> Template:
    """Read the template report with the project's extractor (method alone, no corrections:
    the generated reports are new texts, which corrections never apply to)."""
    from welfare_kg.graph.report import extract_report, load_bodies, load_partners, read_source

    source = read_source(path)
    lines = list(source.lines)
    extraction = extract_report(path, corrections=False)
    bodies = load_bodies()
    rows = sorted(extraction.rows, key=lambda r: r.line)
    starts = {r.line: r for r in rows}
    out: list[TemplateRow] = []
    for i, row in enumerate(rows):
        span = range(row.line, row.end_line + 1)
        body_lines = [n for n in span if _stripped(lines[n - 1])
                      and bodies.lookup(_stripped(lines[n - 1]))]
        text = [n for n in span if _stripped(lines[n - 1]) and n not in body_lines]
        result_lines = None
        for k in range(1, len(text)):
            if "".join(_stripped(lines[n - 1]) for n in text[k:]) == row.result:
                result_lines = text[k:]
                break
        nxt = row.end_line + 1
        while nxt <= len(lines) and not _stripped(lines[nxt - 1]):
            nxt += 1
        following = starts.get(nxt)
        clean_end = following is not None and following.page == row.page
        first = i == 0 or rows[i - 1].page != row.page
        out.append(TemplateRow(i, row, body_lines, result_lines, clean_end, first))
    pool = [
        [lines[n - 1] for n in t.result_lines]
        for t in out
        if t.row.status == "cancelled" and t.result_lines
        and not _stripped(lines[t.result_lines[0] - 1]).startswith("・")
    ]
    if not pool:
        raise SynthError(f"{path}: the template has no cancelled row to learn a cancellation from")
    # (a row whose cell the extractor only guessed, body source "nearest", weighs nothing)
    use = Counter(b.id for t in out if t.row.body_source != "nearest"
                  for name in t.row.bodies if (b := bodies.lookup(name)))
    headers = [n for n, line in enumerate(lines, start=1)
               if era_header.search(unicodedata.normalize("NFKC", line))]
    if not headers:
        raise SynthError(f"{path}: no table header naming the fiscal year found")
    _find_cells(out, lines, bodies)
    template = Template(path, lines, out, bodies, load_partners(), headers, pool,
                        sorted(use.items()))
    template.row_at = {t.row.line: t for t in out}
    return template


def _find_cells(rows: list[TemplateRow], lines: list[str], bodies: BodyVocabulary) -> None:
    """The merged body cell of each row that takes its bodies from one: the run of body lines
    outside the rows, on its page, naming the same bodies (the first after the row, else the
    last before it). Needed to tell which care plazas a generated merged cell gives the row."""
    in_rows = {n for t in rows for n in range(t.row.line, t.row.end_line + 1)}
    cells: list[list[int]] = []
    current: list[int] = []
    for n, line in enumerate(lines, start=1):
        s = _stripped(line)
        body = bodies.lookup(s) if s and n not in in_rows else None
        if body is None:
            if s and current:
                cells.append(current)
                current = []
            continue
        if any(bodies.lookup(_stripped(lines[m - 1])).id == body.id for m in current):
            cells.append(current)
            current = []
        current.append(n)
    if current:
        cells.append(current)
    for t in rows:
        if t.row.body_source not in ("merged", "nearest"):
            continue
        wanted = {bodies.lookup(b).id for b in t.row.bodies if bodies.lookup(b)}
        same = [c for c in cells
                if {bodies.lookup(_stripped(lines[m - 1])).id for m in c} == wanted]
        after = [c for c in same if c[0] > t.row.line]
        before = [c for c in same if c[0] < t.row.line]
        chosen = after[0] if after else (before[-1] if before else None)
        t.cell_lines = chosen or []


# -------------------------------------------------------------------------------- the city


@dataclass(frozen=True)
class Ward:
    ja: str
    en: str
    slug: str
    is_template: bool


@dataclass
class WardBodies:
    """A ward's bodies: the template body id -> the rows of bodies.csv standing for it."""

    ward: Ward
    clones: dict[str, dict[str, str]]  # template id -> its ward copy (or the template itself)
    plazas: dict[str, list[dict[str, str]]]  # expanded template id -> the ward's bodies


def derive_name(name: str, ward: Ward, tw: dict[str, str]) -> str:
    """A template ward's name for `ward`: 泉警察 -> 青葉警察, 区社協 -> 青葉区社協,
    高齢・障害支援課 -> 青葉区高齢・障害支援課."""
    if name.startswith(tw["ja"]):
        return ward.ja + name[len(tw["ja"]):]
    if name.startswith("区"):
        return ward.ja + name
    return f"{ward.ja}区{name}"


def derive_name_en(name: str, ward: Ward, tw: dict[str, str]) -> str:
    if tw["en"] in name:
        return name.replace(tw["en"], ward.en)
    return f"{ward.en} Ward {name}"


def derive_id(ident: str, ward: Ward, tw: dict[str, str]) -> str:
    prefix = tw["slug"] + "-"
    return ward.slug + "-" + (ident[len(prefix):] if ident.startswith(prefix) else ident)


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or ()), list(reader)


def ward_subtree(orgs: list[dict[str, str]], root: str) -> list[dict[str, str]]:
    """The organizations at or under `root` (the template ward and its ward office)."""
    inside = {root}
    changed = True
    while changed:
        changed = False
        for org in orgs:
            if org["parent"] in inside and org["id"] not in inside:
                inside.add(org["id"])
                changed = True
    return [o for o in orgs if o["id"] in inside]


def district_names(cfg: dict[str, Any], seed: str) -> list[tuple[str, str]]:
    """All district names (Japanese, English) in a seeded order, for unique plaza names."""
    names = [(a + b, ra + rb) for a, ra in cfg["districts"]["first"]
             for b, rb in cfg["districts"]["second"]]
    random.Random(f"{seed}/districts").shuffle(names)
    return names


def city_bodies(template: Template, wards: list[Ward], cfg: dict[str, Any], seed: str,
                body_rows: list[dict[str, str]],
                org_rows: list[dict[str, str]]) -> tuple[list[WardBodies], list[dict[str, str]],
                                                      list[dict[str, str]]]:
    """Each ward's bodies, and the rows to add to bodies.csv and organizations.csv.

    The template ward keeps its bundled bodies (the ward-prefixed names become aliases), so
    its generated reports and the bundled report describe the same entities.
    """
    tw = cfg["template_ward"]
    expand = set(cfg["expand"]["types"])
    subtree = ward_subtree(org_rows, tw["id"])
    subtree_ids = {o["id"] for o in subtree}
    districts = iter(district_names(cfg, seed))
    lo, hi = cfg["expand"]["per_ward"]
    new_bodies: list[dict[str, str]] = []
    new_orgs: list[dict[str, str]] = []
    result: list[WardBodies] = []
    by_id = {b["id"]: b for b in body_rows}
    originals = [dict(b) for b in body_rows]  # derive from these, not from aliases added below
    for ward in wards:
        rng = random.Random(f"{seed}/plazas/{ward.slug}")
        if not ward.is_template:
            for org in subtree:
                new_orgs.append({
                    "id": derive_id(org["id"], ward, tw),
                    "name_ja": derive_name(org["name_ja"], ward, tw),
                    "name_en": derive_name_en(org["name_en"], ward, tw),
                    "parent": (derive_id(org["parent"], ward, tw)
                               if org["parent"] in subtree_ids else org["parent"]),
                })
        clones: dict[str, dict[str, str]] = {}
        plazas: dict[str, list[dict[str, str]]] = {}
        for body in originals:
            if body["id"] not in {b for b, _ in template.body_use} and body["type"] not in expand:
                continue  # a body the template never prints: no ward copy needed
            if body["type"] in expand:
                count = rng.randint(lo, hi)
                plazas[body["id"]] = []
                for _ in range(count):
                    try:
                        ja, en = next(districts)
                    except StopIteration as exc:
                        raise SynthError("not enough district names in scripts/synth.yaml "
                                         "for this many wards") from exc
                    row = {**body,
                           "id": cfg["expand"]["id"].format(ward=ward.slug, district=en.lower()),
                           "name_ja": ja + body["name_ja"],
                           "name_en": cfg["expand"]["name_en"].format(district=en),
                           "aliases": ""}
                    plazas[body["id"]].append(row)
                    new_bodies.append(row)
                continue
            name = derive_name(body["name_ja"], ward, tw)
            aliases = [derive_name(a, ward, tw) for a in body["aliases"].split("|") if a]
            aliases = [a for a in dict.fromkeys(aliases) if a != name]
            if ward.is_template:
                # The bundled body is this ward's: print the ward-prefixed name, known as alias.
                target = by_id[body["id"]]
                known = {target["name_ja"], *target["aliases"].split("|")}
                extra = [n for n in (name, *aliases) if n not in known]
                target["aliases"] = "|".join(a for a in (*target["aliases"].split("|"), *extra)
                                             if a)
                clones[body["id"]] = {**target, "name_ja": name}
                continue
            row = {**body, "id": derive_id(body["id"], ward, tw), "name_ja": name,
                   "name_en": derive_name_en(body["name_en"], ward, tw),
                   "parent": (derive_id(body["parent"], ward, tw)
                              if body["parent"] in subtree_ids else body["parent"]),
                   "aliases": "|".join(aliases)}
            clones[body["id"]] = row
            new_bodies.append(row)
        result.append(WardBodies(ward, clones, plazas))
    return result, new_bodies, new_orgs


# ----------------------------------------------------------------------------- one report


@dataclass
class RowPlan:
    """What a ward does with one template row (the same every year)."""

    drop: bool = False
    duplicate: bool = False
    add: str | None = None  # template body id added to its own cell
    remove: str | None = None  # template body id removed from its own cell
    plazas: dict[str, list[str]] = field(default_factory=dict)  # expanded id -> names printed


def plan_ward(template: Template, wb: WardBodies, cfg: dict[str, Any], seed: str
              ) -> list[RowPlan]:
    """The ward's variations, drawn row by row from a stream of its own."""
    rng = random.Random(f"{seed}/rows/{wb.ward.slug}")
    var = cfg["ward_variation"]
    lo, hi = cfg["expand"]["per_row"]
    ids = [b for b, _ in template.body_use]
    weights = [w for _, w in template.body_use]
    plans = []
    for t in template.rows:
        p = RowPlan()
        draws = [rng.random() for _ in range(4)]  # a fixed number per row: stable streams
        pick_add = rng.choices(ids, weights)[0]
        pick_remove = rng.random()
        for template_id, names in wb.plazas.items():
            k = rng.randint(lo, min(hi, len(names)))
            p.plazas[template_id] = [b["name_ja"] for b in sorted(
                rng.sample(names, k), key=lambda b: b["id"])]
        row_ids = [template.body_id(n) for n in t.row.bodies]
        movable = t.own_whole_lines and t.clean_end
        if movable and not t.first_on_page:
            p.drop = draws[0] < var["drop_row"]
            p.duplicate = not p.drop and draws[1] < var["duplicate_row"]
        if movable and draws[2] < var["add_body"] and pick_add not in row_ids:
            p.add = pick_add
        if movable and len(row_ids) >= 2 and draws[3] < var["remove_body"]:
            p.remove = row_ids[int(pick_remove * len(row_ids))]
        plans.append(p)
    return plans


class Mentions:
    """Body names inside result text, replaced by the ward's (partner names kept as they are,
    so 地区社会福祉協議会 is not read as 区社会福祉協議会)."""

    def __init__(self, template: Template, tw: dict[str, str]) -> None:
        targets: dict[str, str | None] = {}
        for partner in template.partners.partners:
            for name in (partner.name_ja, *partner.patterns):
                targets.setdefault(name, None)
        for body in template.bodies.bodies:
            for name in (body.name_ja, *body.aliases):
                targets[name] = body.id
        targets.setdefault(tw["ja"] + "区", "")  # the ward's own name: 泉区 -> 青葉区
        self.targets = targets
        names = sorted(targets, key=lambda s: (-len(s), s))
        self.pattern = re.compile("|".join(re.escape(n) for n in names))

    def replace(self, text: str, name_of: Any, ward: Ward) -> str:
        def sub(m: re.Match[str]) -> str:
            target = self.targets[m.group(0)]
            if target is None:
                return m.group(0)
            if target == "":
                return ward.ja + "区"
            return name_of(target)
        return self.pattern.sub(sub, text)


def era_year(year: int, eras: dict[str, int]) -> tuple[str, int]:
    """(era, year of era) of a Gregorian fiscal year: 2021 -> (令和, 3)."""
    era, offset = max(((e, o) for e, o in eras.items() if o < year), key=lambda eo: eo[1])
    return era, year - offset


def header_line(line: str, year: int, eras: dict[str, int], era_header: re.Pattern[str]) -> str:
    """The table header with the fiscal year changed, printed in the template's digits."""
    era, n = era_year(year, eras)
    m = re.search(r"(" + "|".join(map(re.escape, eras)) + r")\s*([0-9０-９]+|元)(\s*年度)", line)
    if not m:
        return line
    digits = "元" if n == 1 else str(n)
    if any("０" <= ch <= "９" for ch in m.group(2)):
        digits = digits.translate(_FULLWIDTH)
    return line[: m.start()] + era + digits + m.group(3) + line[m.end():]


class Quantities:
    """Numbers followed by a unit of data/units.yaml, moved by a year's factor."""

    def __init__(self, units: list[str]) -> None:
        alternatives = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
        self.pattern = re.compile(rf"([0-9０-９]+)(?={alternatives})")

    def vary(self, text: str, rng: random.Random, spread: float) -> str:
        def sub(m: re.Match[str]) -> str:
            printed = m.group(1)
            value = int(unicodedata.normalize("NFKC", printed))
            if value == 0:
                return printed
            new = str(max(1, round(value * (1 + rng.uniform(-spread, spread)))))
            return new.translate(_FULLWIDTH) if not printed.isascii() else new
        return self.pattern.sub(sub, text)


@dataclass
class Generator:
    """Everything one run needs: the template, the city's bodies, the rules."""

    template: Template
    cfg: dict[str, Any]
    seed: str
    eras: dict[str, int]
    era_header: re.Pattern[str]
    mentions: Mentions
    quantities: Quantities

    def render(self, wb: WardBodies, plans: list[RowPlan], year: int
               ) -> tuple[str, list[dict[str, Any]]]:
        """One ward-year's report text, and the rows it prints (line, bodies, status)."""
        t = self.template
        rng = random.Random(f"{self.seed}/year/{wb.ward.slug}/{year}")
        share = self.cfg["cancelled_share"]
        cancel_share = float(share.get(year, share["default"]))
        spread = float(self.cfg["quantity_spread"])
        out: list[str] = []
        rows: list[dict[str, Any]] = []
        n = 1
        while n <= len(t.lines):
            tr = t.row_at.get(n)
            if tr is None:
                out += self.other_line(n, wb, year)
                n += 1
                continue
            plan = plans[tr.index]
            cancel_draw, pool_draw = rng.random(), rng.random()
            q_rng = random.Random(f"{self.seed}/quantities/{wb.ward.slug}/{year}/{tr.index}")
            cancel = (cancel_draw < cancel_share and tr.result_lines is not None
                      and tr.row.status != "cancelled"
                      and not _stripped(t.lines[tr.result_lines[0] - 1]).startswith("・"))
            pool = t.cancel_pool[int(pool_draw * len(t.cancel_pool))] if cancel else None
            if not plan.drop:
                for _copy in range(2 if plan.duplicate else 1):
                    if _copy:
                        out.append("")
                    lines, record = self.render_row(tr, plan, wb, pool, q_rng, spread)
                    record["line"] = len(out) + 1
                    out += lines
                    rows.append(record)
            n = tr.row.end_line + 1
        return "\n".join(out) + "\n", rows

    def name_of(self, wb: WardBodies, plan: RowPlan | None) -> Any:
        def name(template_id: str) -> str:
            if template_id in wb.plazas:
                names = plan.plazas[template_id] if plan else [wb.plazas[template_id][0]["name_ja"]]
                return names[0]
            return wb.clones[template_id]["name_ja"]
        return name

    def body_names(self, wb: WardBodies, plan: RowPlan, template_id: str) -> list[str]:
        if template_id in wb.plazas:
            return list(plan.plazas[template_id])
        return [wb.clones[template_id]["name_ja"]]

    def body_ids(self, wb: WardBodies, plan: RowPlan, template_id: str) -> list[str]:
        if template_id in wb.plazas:
            chosen = set(plan.plazas[template_id])
            return [b["id"] for b in wb.plazas[template_id] if b["name_ja"] in chosen]
        return [wb.clones[template_id]["id"]]

    def render_row(self, tr: TemplateRow, plan: RowPlan, wb: WardBodies,
                   cancelled: list[str] | None, q_rng: random.Random, spread: float
                   ) -> tuple[list[str], dict[str, Any]]:
        t = self.template
        name_of = self.name_of(wb, plan)
        result = set(tr.result_lines or ())
        last_body = tr.body_lines[-1] if tr.body_lines else None
        lines: list[str] = []
        for n in range(tr.row.line, tr.row.end_line + 1):
            raw = t.lines[n - 1]
            if n in tr.body_lines:
                template_id = t.body_id(_stripped(raw))
                if template_id != plan.remove:
                    lines += self.body_names(wb, plan, template_id)
                if n == last_body and plan.add:
                    lines += self.body_names(wb, plan, plan.add)
            elif n in result:
                if cancelled is not None:
                    if n == tr.result_lines[0]:
                        lines += [self.mentions.replace(c, name_of, wb.ward) for c in cancelled]
                else:
                    text = self.mentions.replace(raw, name_of, wb.ward)
                    lines.append(self.quantities.vary(text, q_rng, spread))
            elif _stripped(raw) and (_stripped(raw).startswith("・") or raw.startswith(_INDENT)):
                # a bullet line: only what follows the cell on the same line is result text
                lead = len(raw) - len(raw.lstrip(" \u3000\t"))
                head, sep, tail = raw[lead:].partition(" ")
                tail = self.quantities.vary(self.mentions.replace(tail, name_of, wb.ward),
                                            q_rng, spread) if sep else tail
                lines.append(raw[:lead] + head + sep + tail)
            else:
                text = self.mentions.replace(raw, name_of, wb.ward)
                lines.append(self.quantities.vary(text, q_rng, spread) if _stripped(raw) else raw)
        ids: list[str] = []
        cell_plazas = [b["id"] for n in tr.cell_lines for b in self.cell_plazas(wb, n)]
        for name in tr.row.bodies:
            template_id = t.body_id(name)
            if template_id in wb.plazas and tr.row.body_source in ("merged", "nearest"):
                # the cell's plaza lines, or a plaza name glued to text (printed as the first)
                ids += cell_plazas or [wb.plazas[template_id][0]["id"]]
            elif template_id != plan.remove:
                ids += self.body_ids(wb, plan, template_id)
        if plan.add:
            ids += self.body_ids(wb, plan, plan.add)
        status = "cancelled" if cancelled is not None else tr.row.status
        record = {"line": 0, "template_line": tr.row.line, "body_source": tr.row.body_source,
                  "bodies": sorted(set(ids)), "status": status}
        return lines, record

    def cell_plazas(self, wb: WardBodies, n: int) -> list[dict[str, str]]:
        """The plazas a merged cell's plaza line `n` names for the ward (none if it is not one)."""
        template_id = self.template.body_id(_stripped(self.template.lines[n - 1]))
        if template_id not in wb.plazas:
            return []
        rng = random.Random(f"{self.seed}/cell/{wb.ward.slug}/{n}")
        lo, hi = self.cfg["expand"]["per_row"]
        names = wb.plazas[template_id]
        chosen = rng.sample(names, rng.randint(lo, min(hi, len(names))))
        return sorted(chosen, key=lambda b: b["id"])

    def other_line(self, n: int, wb: WardBodies, year: int) -> list[str]:
        """A line outside the rows: the header, a merged body cell, or kept as printed."""
        t = self.template
        raw = t.lines[n - 1]
        if n in t.header_lines:
            return [header_line(raw, year, self.eras, self.era_header)]
        s = _stripped(raw)
        template_id = t.body_id(s) if s else None
        if template_id is not None:
            if template_id in wb.plazas:
                return [b["name_ja"] for b in self.cell_plazas(wb, n)]
            return [wb.clones[template_id]["name_ja"]]
        prev = n - 1
        while prev >= 1 and not _stripped(t.lines[prev - 1]):
            prev -= 1
        after_body = prev >= 1 and t.body_id(_stripped(t.lines[prev - 1])) is not None
        # a body name glued to the text after it, in a body cell (not an initiative that
        # starts with a body's name)
        glued = t.bodies.prefix(s) if s and after_body else None
        if glued and glued[1].strip():
            template_id = t.body_id(glued[0])
            name = self.name_of(wb, None)(template_id)
            return [raw.replace(glued[0], name, 1)]
        return [raw]


# ------------------------------------------------------------------------- the vocabulary


def write_csv(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def dataset_metadata(meta: dict[str, Any], cfg: dict[str, Any], wards: list[Ward],
                     reports: list[dict[str, Any]], years: list[int],
                     eras: dict[str, int]) -> dict[str, Any]:
    """dataset.yaml with a plan per ward and an entry per report (the bundled ones kept)."""
    tw = cfg["template_ward"]
    base_plan = meta["plans"][meta["default_plan"]]
    plans = dict(meta["plans"])
    for ward in wards:
        fill = {"ward": ward.ja, "ward_en": ward.en, "slug": ward.slug}
        plans[cfg["plan"]["id"].format(**fill)] = {
            "title": {"ja": cfg["plan"]["title_ja"].format(**fill),
                      "en": cfg["plan"]["title_en"].format(**fill)},
            "description": {"ja": cfg["plan"]["description_ja"].format(**fill),
                            "en": cfg["plan"]["description_en"].format(**fill)},
            "start": f"{years[0]}-04-01",
            "end": f"{max(years[-1], years[0] + 4) + 1}-03-31",
            "publishers": [derive_id(p, ward, tw) if not ward.is_template else p
                           for p in base_plan.get("publishers", ())],
        }
    entries = list(meta.get("reports") or ())
    for rep in reports:
        ward = next(w for w in wards if w.slug == rep["ward"])
        fill = {"ward": ward.ja, "ward_en": ward.en, "slug": ward.slug, "year": rep["fiscal_year"],
                "era_year": "".join(map(str, era_year(rep["fiscal_year"], eras)))}
        title = {"ja": cfg["report"]["title_ja"].format(**fill),
                 "en": cfg["report"]["title_en"].format(**fill)}
        entries.append({"file": rep["file"], "slug": rep["slug"], "plan": rep["plan"],
                        "fiscal_year": rep["fiscal_year"], "title": title,
                        "source_title": title["ja"]})
    catalog = dict(meta["catalog"])
    catalog["title"] = {"ja": cfg["catalog"]["title_ja"], "en": cfg["catalog"]["title_en"]}
    return {**meta, "plans": plans, "reports": entries, "catalog": catalog}


# ------------------------------------------------------------------------------- the run


def choose_wards(cfg: dict[str, Any], spec: str) -> list[Ward]:
    """`--wards`: a number (the first N of the city) or names (English or Japanese, commas)."""
    tw = cfg["template_ward"]
    known = [Ward(w["ja"], w["en"], w["en"].lower(), w["en"] == tw["en"]) for w in cfg["wards"]]
    if spec.isdigit():
        count = int(spec)
        if not 1 <= count <= len(known):
            raise SynthError(f"--wards: between 1 and {len(known)} (the wards of the config)")
        return known[:count]
    chosen = []
    for name in (s.strip() for s in spec.split(",") if s.strip()):
        ward = next((w for w in known if name in (w.en, w.slug, w.ja, w.ja + "区")), None)
        if ward is None:
            raise SynthError(f"--wards: unknown ward {name!r} (see the config's wards)")
        if ward not in chosen:
            chosen.append(ward)
    if not chosen:
        raise SynthError("--wards: give a number or ward names")
    return chosen


def generate(out_dir: Path, wards_spec: str, years: int, first_year: int, seed: str,
             config: Path = CONFIG) -> dict:
    """Write the city into `out_dir` (replacing an earlier synth output); return the manifest."""
    from welfare_kg.paths import BUNDLED_DATA_DIR, DEFAULT_REPORT

    try:
        cfg = yaml.safe_load(Path(config).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SynthError(f"{config}: cannot read the generator's rules: {exc}") from exc
    if years < 1:
        raise SynthError("--years: at least 1")
    wards = choose_wards(cfg, wards_spec)
    layout = yaml.safe_load((BUNDLED_DATA_DIR / "format.yaml").read_text(encoding="utf-8"))
    eras = {str(k): int(v) for k, v in layout["eras"].items()}
    names = "|".join(re.escape(e) for e in eras)
    era_header = re.compile(rf"({names})\s*(\d+|元)\s*年度\s*実施計画")
    if out_dir.exists() and not (out_dir / "manifest.json").is_file() and any(out_dir.iterdir()):
        raise SynthError(f"{out_dir}: exists and is not an earlier scripts/synth output; "
                         "choose another folder")
    template = read_template(DEFAULT_REPORT, era_header)
    units_cfg = yaml.safe_load((BUNDLED_DATA_DIR / "units.yaml").read_text(encoding="utf-8"))
    gen = Generator(template, cfg, seed, eras, era_header, Mentions(template, cfg["template_ward"]),
                    Quantities([u["ja"] for u in units_cfg["units"]]))

    body_fields, body_rows = read_csv_rows(BUNDLED_DATA_DIR / "bodies.csv")
    org_fields, org_rows = read_csv_rows(BUNDLED_DATA_DIR / "organizations.csv")
    ward_bodies, new_bodies, new_orgs = city_bodies(template, wards, cfg, seed, body_rows,
                                                    org_rows)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        (tmp / "reports").mkdir()
        shutil.copytree(BUNDLED_DATA_DIR, tmp / "data", ignore=shutil.ignore_patterns("*.txt"))
        reports: list[dict[str, Any]] = []
        fiscal_years = list(range(first_year, first_year + years))
        for wb in ward_bodies:
            plans = plan_ward(template, wb, cfg, seed)
            plan_id = cfg["plan"]["id"].format(slug=wb.ward.slug)
            for year in fiscal_years:
                text, rows = gen.render(wb, plans, year)
                name = f"{wb.ward.slug}-fy{year}-report.txt"
                (tmp / "reports" / name).write_text(text, encoding="utf-8")
                reports.append({
                    "file": name, "slug": f"synth-{wb.ward.slug}-fy{year}", "ward": wb.ward.slug,
                    "plan": plan_id, "fiscal_year": year, "rows": len(rows),
                    "dropped": sum(p.drop for p in plans),
                    "duplicated": sum(p.duplicate for p in plans),
                    "statuses": dict(sorted(Counter(r["status"] for r in rows).items())),
                    "bodies": sorted({b for r in rows for b in r["bodies"]}),
                    "row_list": rows,
                })
        write_csv(tmp / "data" / "bodies.csv", body_fields, body_rows + new_bodies)
        write_csv(tmp / "data" / "organizations.csv", org_fields, org_rows + new_orgs)
        meta = yaml.safe_load((BUNDLED_DATA_DIR / "dataset.yaml").read_text(encoding="utf-8"))
        meta = dataset_metadata(meta, cfg, wards, reports, fiscal_years, eras)
        header = ("# Generated by scripts/synth from data/dataset.yaml: a plan per ward and an "
                  "entry per generated report.\n")
        (tmp / "data" / "dataset.yaml").write_text(
            header + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=100),
            encoding="utf-8")
        manifest = summary(reports, wards, fiscal_years, seed, len(body_rows) + len(new_bodies))
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
            out_dir.rename(old / "previous")
            tmp.rename(out_dir)
            shutil.rmtree(old)
        else:
            tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def summary(reports: list[dict[str, Any]], wards: list[Ward], years: list[int], seed: str,
            vocabulary_bodies: int) -> dict[str, Any]:
    """The manifest: what was written, so a build can be checked against it."""
    links = {pair for r in reports for row in r["row_list"]
             for pair in combinations(row["bodies"], 2)}
    bodies = sorted({b for r in reports for b in r["bodies"]})
    return {
        "generator": GENERATOR,
        "seed": seed,
        "wards": [w.slug for w in wards],
        "fiscal_years": years,
        "totals": {
            "reports": len(reports),
            "rows": sum(r["rows"] for r in reports),
            "bodies": len(bodies),
            "vocabulary_bodies": vocabulary_bodies,
            "links": len(links),
            "statuses": dict(sorted(sum((Counter(r["statuses"]) for r in reports),
                                        Counter()).items())),
        },
        "reports": reports,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/synth",
        description="Write N wards x Y fiscal years of synthetic progress reports shaped like "
        "the bundled one, with the vocabulary to read them (see scripts/synth.py).")
    parser.add_argument("-o", "--out-dir", type=Path, default=Path("out/synth"),
                        help="where to write reports/, data/ and manifest.json (default: "
                        "out/synth; an earlier synth output there is replaced)")
    parser.add_argument("--wards", default="18",
                        help="how many wards (the first N of scripts/synth.yaml), or ward names "
                        "separated by commas (default: 18, all of Yokohama)")
    parser.add_argument("--years", type=int, default=5, help="fiscal years per ward (default 5)")
    parser.add_argument("--first-year", type=int, default=2021,
                        help="the first fiscal year (default 2021)")
    parser.add_argument("--seed", default="1", help="random seed (default 1)")
    parser.add_argument("--config", type=Path, default=CONFIG,
                        help="the generator's rules (default: scripts/synth.yaml)")
    args = parser.parse_args(argv)
    try:
        manifest = generate(args.out_dir, args.wards, args.years, args.first_year, args.seed,
                            args.config)
    except SynthError as exc:
        print(f"synth: error: {exc}", file=sys.stderr)
        return 2
    totals = manifest["totals"]
    try:
        print(f"wrote {totals['reports']} reports ({totals['rows']} rows, {totals['bodies']} "
              f"bodies named, {totals['links']} body pairs sharing a row) into {args.out_dir}\n"
              f"build: WELFARE_KG_DATA_DIR={args.out_dir / 'data'} welfare-kg build "
              f"{args.out_dir / 'reports'}/*.txt -o {args.out_dir / 'build'}", flush=True)
    except BrokenPipeError:  # `scripts/synth | head -1`: the reader went away, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    # The template is read with the bundled vocabulary, whatever the caller's data folder is.
    os.environ.pop("WELFARE_KG_DATA_DIR", None)
    sys.exit(main())
