"""Dataset metadata (data/dataset.yaml) and what is known about each plan and report."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from welfare_kg.datafiles import load_yaml, normalize
from welfare_kg.errors import InputError, VocabularyError
from welfare_kg.paths import DATA_DIR

from ..report import Extraction

__all__ = [
    "DEFAULT_FORMAT",
    "DEFAULT_METADATA",
    "DEFAULT_OUTLINE",
    "PlanInfo",
    "ReportInfo",
    "default_base_iri",
    "fiscal_year_from_text",
    "load_english_titles",
    "load_eras",
    "load_metadata",
    "load_pillar_names",
    "plan_info",
    "report_info",
    "report_slug",
    "slugify",
]

DEFAULT_METADATA = DATA_DIR / "dataset.yaml"
DEFAULT_OUTLINE = DATA_DIR / "outline.yaml"
DEFAULT_FORMAT = DATA_DIR / "format.yaml"

_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")
_FY_IN_NAME = re.compile(r"fy(\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class PlanInfo:
    """A plan: its id (used in IRIs), titles, period and publishers."""

    id: str
    title_ja: str
    title_en: str
    description_ja: str = ""
    description_en: str = ""
    start: str | None = None
    end: str | None = None
    publishers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportInfo:
    """A report: its slug (used in IRIs), file name, plan, fiscal year and titles."""

    slug: str
    file: str
    plan: str
    fiscal_year: int | None
    title_ja: str
    title_en: str
    source_title: str = ""


def slugify(text: str) -> str:
    """A lower-case ASCII slug for IRIs.

    >>> slugify("Izumi_Wakuwaku FY2021-report.txt")
    'izumi-wakuwaku-fy2021-report-txt'
    """
    ascii_text = unicodedata.normalize("NFKC", text).lower()
    return _SLUG_UNSAFE.sub("-", ascii_text).strip("-")


def report_slug(stem: str) -> str:
    """A slug for a report file name that always works: the ASCII words of the name, and a
    short hash of the whole name when any of it was not ASCII, so `泉区報告書` and `港北区報告書`
    get different slugs. The name itself stays the report's label.

    >>> report_slug("izumi-fy2021"), report_slug("泉区報告書"), report_slug("泉区2021")
    ('izumi-fy2021', 'report-90b3153c', '2021-ca4d23ef')
    """
    name = unicodedata.normalize("NFKC", stem)
    slug = slugify(name)
    if name.isascii() and slug:
        return slug
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{slug or 'report'}-{digest}"


@cache
def load_metadata(path: Path = DEFAULT_METADATA) -> dict[str, Any]:
    """The dataset metadata file, checked for the keys the build needs."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise VocabularyError(f"{path}: expected a mapping at the top level")
    for key in ("base_iri", "plans", "default_plan", "catalog", "issued"):
        if key not in data:
            raise VocabularyError(f"{path}: missing key {key!r}")
    if data["default_plan"] not in data["plans"]:
        raise VocabularyError(f"{path}: default_plan {data['default_plan']!r} is not in plans")
    return data


def default_base_iri(meta: dict[str, Any] | None = None) -> str:
    """The base of the data IRIs: `base_iri` of data/dataset.yaml (or of `meta`).

    The one place the default base is defined; the build, the automatic build behind
    `query`/`maps`/`serve` and the prefixes of query tables all read it from here.
    """
    meta = load_metadata() if meta is None else meta
    base = meta.get("base_iri")
    if not isinstance(base, str) or not base:
        raise VocabularyError("dataset metadata: 'base_iri' must be an IRI ending in '/' or '#'")
    return base


def plan_info(meta: dict[str, Any], plan_id: str) -> PlanInfo:
    """The plan `plan_id` of the metadata."""
    try:
        plan = meta["plans"][plan_id]
        return PlanInfo(
            id=plan_id,
            title_ja=plan["title"]["ja"],
            title_en=plan["title"]["en"],
            description_ja=plan.get("description", {}).get("ja", ""),
            description_en=plan.get("description", {}).get("en", ""),
            start=str(plan["start"]) if plan.get("start") else None,
            end=str(plan["end"]) if plan.get("end") else None,
            publishers=tuple(plan.get("publishers", ())),
        )
    except (KeyError, TypeError) as exc:
        raise VocabularyError(f"dataset metadata: plan {plan_id!r} is incomplete: {exc!r}") from exc


@cache
def load_eras(path: Path = DEFAULT_FORMAT) -> dict[str, int]:
    """Era name -> offset (year N of the era is offset + N), from `eras` of data/format.yaml."""
    data = load_yaml(path)
    eras = data.get("eras") if isinstance(data, dict) else None
    try:
        out = {str(name): int(offset) for name, offset in (eras or {}).items()}
    except (AttributeError, TypeError, ValueError) as exc:
        raise VocabularyError(f"{path}: 'eras' must map era names to year offsets") from exc
    if not out:
        raise VocabularyError(f"{path}: missing 'eras' (e.g. 令和: 2018)")
    return out


@cache
def _era_header(eras: tuple[tuple[str, int], ...]) -> re.Pattern[str]:
    """The table header's plan column, which names the fiscal year (令和3年度実施計画)."""
    names = "|".join(re.escape(name) for name, _ in eras)
    return re.compile(rf"({names})\s*(\d+|元)\s*年度\s*実施計画")


def fiscal_year_from_text(text: str, eras: dict[str, int] | None = None) -> int | None:
    """The fiscal year the report's table header names, as a Gregorian year.

    >>> fiscal_year_from_text("行動計画 取組 令和３年度実施計画")
    2021
    >>> fiscal_year_from_text("平成元年度実施計画")
    1989
    """
    eras = load_eras() if eras is None else eras
    match = _era_header(tuple(eras.items())).search(unicodedata.normalize("NFKC", text))
    if not match:
        return None
    year = 1 if match.group(2) == "元" else int(match.group(2))
    return eras[match.group(1)] + year


def _fiscal_year_from_file(path: Path) -> int | None:
    """The fiscal year of the report file at `path` (UTF-8, BOM or Shift_JIS), if readable."""
    from ..report import read_source  # the one decoder of report files

    try:
        source = read_source(path)
    except InputError:
        return None
    head, size = [], 0
    for line in source.lines:  # the header is on the first page
        head.append(line)
        size += len(line) + 1
        if size > 20000:
            break
    return fiscal_year_from_text("\n".join(head))


def report_info(meta: dict[str, Any], extraction: Extraction) -> ReportInfo:
    """What the metadata says about the report of `extraction`, or what its file tells."""
    name = Path(extraction.source).name
    for entry in meta.get("reports") or ():
        if entry.get("sha256", extraction.sha256) == extraction.sha256 and entry.get("file") in (
            name,
            None,
        ):
            title = entry.get("title") or {}
            return ReportInfo(
                slug=str(entry.get("slug") or report_slug(Path(name).stem)),
                file=name,
                plan=str(entry.get("plan") or meta["default_plan"]),
                fiscal_year=int(entry["fiscal_year"]) if entry.get("fiscal_year") else None,
                title_ja=title.get("ja") or name,
                title_en=title.get("en") or name,
                source_title=entry.get("source_title", ""),
            )
    slug = report_slug(Path(name).stem)
    year = _fiscal_year_from_file(Path(extraction.source))
    if year is None and (match := _FY_IN_NAME.search(name)):
        year = int(match.group(1))
    return ReportInfo(
        slug=slug,
        file=name,
        plan=str(meta["default_plan"]),
        fiscal_year=year,
        title_ja=f"{name}（{year}年度）" if year else name,
        title_en=f"{name} (FY{year})" if year else name,
    )


def load_english_titles(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Printed Japanese title (normalised) -> English title, for the action plans of the
    outline (`outline.yaml`: entries `{ja, en}`) and the initiatives of `initiatives.yaml`.
    The report prints neither in English; both files are optional."""
    titles: dict[str, str] = {}
    outline = data_dir / "outline.yaml"
    data = load_yaml(outline) if outline.exists() else {}
    for pillar in (data.get("pillars") or []) if isinstance(data, dict) else []:
        for entry in (pillar.get("action_plans") or []) if isinstance(pillar, dict) else []:
            if isinstance(entry, dict) and entry.get("ja") and entry.get("en"):
                titles[normalize(str(entry["ja"]))] = str(entry["en"])
    initiatives = data_dir / "initiatives.yaml"
    data = load_yaml(initiatives) if initiatives.exists() else {}
    for i, entry in enumerate((data or {}).get("initiatives") or [], start=1):
        if not isinstance(entry, dict) or not entry.get("ja") or not entry.get("en"):
            raise VocabularyError(f"{initiatives}: initiative {i}: give both ja and en")
        titles[normalize(str(entry["ja"]))] = str(entry["en"])
    return titles


def load_pillar_names(path: Path = DEFAULT_OUTLINE) -> dict[int, tuple[str, str]]:
    """Pillar number -> (Japanese name, English name) from the plan outline, if there is one.

    The outline file is optional here: without it pillars are labelled by number.
    """
    if not path.exists():
        return {}
    data = load_yaml(path)
    pillars = data.get("pillars") if isinstance(data, dict) else data
    names: dict[int, tuple[str, str]] = {}
    if isinstance(pillars, dict):  # {1: {name_ja: …}, …}
        pillars = [{"number": k, **v} for k, v in pillars.items() if isinstance(v, dict)]
    for entry in pillars or ():
        if not isinstance(entry, dict):
            continue
        number = entry.get("number", entry.get("pillar"))
        name_ja = entry.get("name_ja") or (entry.get("name") or {}).get("ja")
        name_en = entry.get("name_en") or (entry.get("name") or {}).get("en")
        if number is not None and name_ja:
            names[int(number)] = (str(name_ja), str(name_en or name_ja))
    return names
