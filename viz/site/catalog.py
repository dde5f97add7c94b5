"""The downloads page: every export of the build (from its DCAT catalogue), the catalogue
itself, and the spreadsheet files the site makes (UTF-8 with BOM), each with size and format.

Exports are copied into the site's `downloads/` folder unchanged (their checksums in the
catalogue stay true), so the site folder can be published or handed on as one piece.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from welfare_kg.fileio import write_bytes

from .model import Site

__all__ = ["DISTRIBUTIONS", "download_groups", "read_distributions"]

DISTRIBUTIONS = Path(__file__).parent / "distributions.rq"
_CATALOGUE = ("catalog.ttl", "void.ttl")
_BOM = "\ufeff"


def read_distributions(catalog: Path) -> dict[str, dict[str, str]]:
    """File name -> title (ja, en), media type and format of each distribution in `catalog`."""
    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.load(path=str(catalog), format=RdfFormat.TURTLE)
    found: dict[str, dict[str, str]] = {}
    for s in store.query(DISTRIBUTIONS.read_text(encoding="utf-8")):
        name = s["url"].value.rstrip("/").rsplit("/", 1)[-1]
        entry = found.setdefault(name, {})
        for key in ("titleJa", "titleEn", "mediaType", "format", "license"):
            if s[key] is not None and not entry.get(key):
                entry[key] = s[key].value
    return found


def _format(entry: dict[str, str], name: str) -> str:
    media = entry.get("mediaType", "")
    return media.rsplit("media-types/", 1)[-1] if media else name.rsplit(".", 1)[-1].upper()


def _file(href: str, path: Path, title: tuple[str, str], fmt: str) -> dict[str, Any]:
    size = path.stat().st_size
    return {"href": href, "name": href.removeprefix("downloads/"), "title_ja": title[0],
            "title_en": title[1], "format": fmt, "bytes": size, "size": _human(size)}


def download_groups(site: Site, root: Path, out_dir: Path | None) -> list[dict[str, Any]]:
    """Copy the exports into `root/downloads` and describe every download, by group."""
    sheets = [_file("rows.csv", root / "rows.csv", ("実施計画の全ての行（Excel対応）",
                                                    "Every plan row (for Excel)"), "text/csv")]
    bodies_csv = root / "downloads" / "bodies-for-excel.csv"
    write_bytes(bodies_csv, _bodies_csv(site))
    sheets.append(_file("downloads/bodies-for-excel.csv", bodies_csv,
                        ("実施主体と連携団体、ネットワーク上の位置（Excel対応）",
                         "Bodies and partners with their network figures (for Excel)"),
                        "text/csv"))
    for target in sorted((root / "downloads" / "metrics").glob("*.csv")):
        sheets.append(_file(f"downloads/metrics/{target.name}", target,
                            (f"ネットワーク指標：{target.stem}（Excel対応）",
                             f"Network metrics: {target.stem} (for Excel)"), "text/csv"))
    graph, catalogue = [], []
    if out_dir is not None:
        catalog = out_dir / "catalog.ttl"
        dists = read_distributions(catalog) if catalog.is_file() else {}
        for name in sorted(set(dists) | set(_CATALOGUE)):
            source = out_dir / name
            if not source.is_file():
                continue
            target = root / "downloads" / name
            write_bytes(target, source.read_bytes())
            entry = dists.get(name, {})
            title = (entry.get("titleJa", name), entry.get("titleEn", name))
            if name in _CATALOGUE:
                title = {"catalog.ttl": ("データカタログ（DCAT）", "Data catalogue (DCAT)"),
                         "void.ttl": ("VoID 統計", "VoID statistics")}[name]
            group = catalogue if name in _CATALOGUE else graph
            group.append(_file(f"downloads/{name}", target, title, _format(entry, name)))
    groups = [{"id": "spreadsheets", "key": "spreadsheets_h", "intro": "spreadsheets_intro",
               "files": sheets}]
    if graph:
        groups.append({"id": "graph", "key": "graph_h", "intro": "", "files": graph})
    if catalogue:
        groups.append({"id": "catalogue", "key": "catalog_h", "intro": "catalog_intro",
                       "files": catalogue})
    return groups


def _bodies_csv(site: Site) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["name_ja", "name_en", "type", "type_en", "part_of", "aliases",
                "rows_implemented", "rows_named_as_partner", "degree", "weighted_degree",
                "betweenness", "community", "iri"])
    for b in site.bodies.values():
        ja, en = site.types.get(b.type, (b.type, b.type))
        m = b.metrics
        w.writerow([b.name_ja, b.name_en, ja, en, b.parent_ja, "・".join(b.aliases),
                    len(b.rows), len(b.named_in), m.get("degree", ""),
                    m.get("weighted_degree", ""), m.get("betweenness", ""),
                    m.get("community", ""), b.iri])
    return (_BOM + buf.getvalue()).encode("utf-8")


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024:
            return f"{int(n)} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"
