"""Curated corrections: what the general method still gets wrong, fixed by hand with a reason.

A corrections file (`data/corrections/*.yaml`) names the exact source it was written for by
the SHA-256 of its decoded text (`SourceText.text_sha256`), so a CRLF, BOM or Shift_JIS copy of
the same report gets them too. It applies only to that source: found in the corrections folder,
a file for a different or edited report is passed over with a warning; given explicitly
(`welfare-kg extract --corrections FILE`), it is refused with an error naming both hashes.
Each entry finds its row by content (the start of the first plan item), with the printed line
only as a tie-breaker; `unmatched_corrections` lists the entries that no longer find one.
An entry sets any of `initiative`, `bodies`, `status` (one of STATUSES: a person read the
result, so it overrides the phrasing rules), `action_plan` and `merge_into_previous`; the
review page (`welfare-kg review`) writes such files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from welfare_kg.datafiles import load_yaml, normalize, normalized
from welfare_kg.errors import InputError, VocabularyError
from welfare_kg.paths import DATA_DIR

from .outcomes import judge_status_with_confidence
from .records import STATUSES, Row

__all__ = [
    "Correction",
    "CorrectionSet",
    "apply_corrections",
    "corrections_for",
    "find_corrections",
    "load_corrections",
    "unmatched_corrections",
]

CORRECTIONS_DIR = DATA_DIR / "corrections"
_FIELDS = {"initiative", "bodies", "merge_into_previous", "action_plan", "status"}


@dataclass(frozen=True)
class Correction:
    """One fix to one row."""

    item: str  # the start of the row's first plan item, as printed
    line: int | None
    reason: str
    changes: dict[str, Any]
    where: str  # file:index, for messages


@dataclass
class CorrectionSet:
    """The corrections written for one source file."""

    path: Path
    sha256: str
    corrections: list[Correction] = field(default_factory=list)


def load_corrections(path: str | Path) -> CorrectionSet:
    """One corrections file (project format); `VocabularyError`/`InputError` naming the file
    when it cannot be read or is malformed."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such corrections file")
    return _load(path)


def corrections_for(path: str | Path, sha256: str, source_name: str) -> CorrectionSet:
    """The corrections file at `path`, checked to be written for the source with this hash.

    A file written for another report, or for an edited copy of this one, is refused: its
    entries find rows by content and would quietly land on the wrong rows or none.
    """
    cset = load_corrections(path)
    if cset.sha256 != sha256.lower():
        raise InputError(
            f"{path}: written for the report whose text has sha256 {cset.sha256}, but "
            f"{source_name} has sha256 {sha256.lower()} (another report, or an edited copy): "
            "not applied"
        )
    return cset


def _load(path: Path) -> CorrectionSet:
    data = load_yaml(path) or {}
    try:
        if not isinstance(data, dict):
            raise TypeError("not a mapping")
        sha = str(data["source"]["text_sha256"]).lower()
        entries = data.get("corrections") or []
    except (KeyError, TypeError) as exc:
        raise VocabularyError(f"{path}: needs source.text_sha256 and a corrections list") from exc
    out = CorrectionSet(path, sha)
    for i, entry in enumerate(entries, start=1):
        where = f"{path}#{i}"
        if not isinstance(entry, dict) or "row" not in entry or not entry.get("reason"):
            raise VocabularyError(f"{where}: each correction needs `row` and a `reason`")
        changes = {k: v for k, v in entry.items() if k in _FIELDS}
        unknown = set(entry) - _FIELDS - {"row", "reason"}
        if unknown or not changes:
            raise VocabularyError(f"{where}: unknown or missing fields {sorted(unknown)}")
        if "status" in changes and changes["status"] not in STATUSES:
            raise VocabularyError(f"{where}: status {changes['status']!r} is not one of "
                                  f"{', '.join(STATUSES)}")
        row = entry["row"]
        if not isinstance(row, dict) or not row.get("item"):
            raise VocabularyError(f"{where}: `row` needs `item` (start of the first plan item)")
        out.corrections.append(
            Correction(str(row["item"]), row.get("line"), str(entry["reason"]), changes, where)
        )
    return out


def find_corrections(
    sha256: str, source_name: str, directory: Path = CORRECTIONS_DIR
) -> tuple[CorrectionSet | None, list[str]]:
    """The corrections for the source with this hash, and warnings about near misses."""
    warnings: list[str] = []
    if not directory.is_dir():
        return None, warnings
    for path in sorted(directory.glob("*.yaml")):
        cset = _load(path)
        if cset.sha256 == sha256.lower():
            return cset, warnings
        if Path(source_name).stem == path.stem:
            warnings.append(
                f"{path.name} was written for another version of {Path(source_name).name} "
                f"(sha256 {cset.sha256[:12]}…, this file {sha256[:12]}…): not applied"
            )
    return None, warnings


def _find_row(rows: list[Row], c: Correction) -> Row | None:
    key = normalize(c.item)
    hits = [r for r in rows if r.items and normalized(r.items[0]).startswith(key)]
    if len(hits) > 1 and c.line is not None:
        hits.sort(key=lambda r: abs(r.line - int(c.line)))
        return hits[0]
    return hits[0] if len(hits) == 1 else None


def unmatched_corrections(rows: list[Row], cset: CorrectionSet) -> list[Correction]:
    """The entries of `cset` that find no row among `rows` (the method's own rows): after the
    report or the method changed, these need writing again."""
    return [c for c in cset.corrections if _find_row(rows, c) is None]


def apply_corrections(
    rows: list[Row], cset: CorrectionSet
) -> tuple[list[Row], list[str], list[str]]:
    """Apply a correction set; returns the rows, a note per applied correction, and a
    warning per correction that could not be applied."""
    notes: list[str] = []
    problems: list[str] = []
    for c in cset.corrections:
        row = _find_row(rows, c)
        if row is None:
            problems.append(f"{c.where}: no row starts with {c.item!r}: not applied")
            continue
        if c.changes.get("merge_into_previous"):
            i = rows.index(row)
            if i == 0:
                problems.append(f"{c.where}: {c.item!r} is the first row: cannot merge")
                continue
            target = rows[i - 1] if c.changes["merge_into_previous"] is True else next(
                (r for r in rows if r.items and normalize(r.items[0]).startswith(
                    normalize(str(c.changes["merge_into_previous"])))), rows[i - 1])
            target.items.extend(row.items)
            if row.result:
                target.result += row.result
                target.status, target.status_confidence = judge_status_with_confidence(
                    target.result)
            target.corrections.append(f"merged row at line {row.line}: {c.reason}")
            rows.remove(row)
            notes.append(f"line {row.line}: merged into row at line {target.line} ({c.reason})")
            continue
        if "action_plan" in c.changes:
            plan = c.changes["action_plan"]
            if not isinstance(plan, dict) or {"number", "title"} - set(plan):
                raise VocabularyError(f"{c.where}: action_plan needs `number` and `title`")
            row.action_plan_number, row.action_plan = int(plan["number"]), str(plan["title"])
        for key in ("initiative", "bodies"):
            if key in c.changes:
                setattr(row, key, c.changes[key])
                if key == "bodies":
                    row.body_source = "correction"
                    row.body_confidence = 1.0
                if key == "initiative":
                    row.confidence = 1.0
        if "status" in c.changes:  # read by a person from the result: overrides the rules
            row.status, row.status_confidence = str(c.changes["status"]), 1.0
        row.corrections.append(c.reason)
        notes.append(f"line {row.line}: {', '.join(sorted(c.changes))} ({c.reason})")
    return rows, notes, problems
