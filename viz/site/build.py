"""Write the site: every page, the row downloads, the search index, the maps and the exports,
into a staging folder of this run's own that then takes the old site's place whole
(`fileio.replace_folder`: a reader sees the old site or the new one, never a mixture;
for a moment between its two renames, neither).

Pages link to each other with relative paths, so the folder works from `file://` on a PC with
no network and from any static web server. Data the browser needs (the search index) travels
as a `.js` file that assigns it, because Chromium refuses `fetch()` of local files.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from welfare_kg import cache
from welfare_kg.datafiles import normalize
from welfare_kg.errors import InputError
from welfare_kg.fileio import replace_folder, write_bytes, write_staged, write_text
from welfare_kg.parallel import alongside, cores

from ..charts import write_charts
from ..handout import load_handout
from ..kept_maps import write_maps
from ..maps import map_scopes
from ..metrics import JOINT_TYPES, type_mixing
from ..plan import type_rank
from ..report import metric_tables, to_csv
from .model import STATUS_ORDER, Site, gather
from .render import HERE, environment, script_json, strings

__all__ = ["CHART_FILES", "rows_csv", "search_index", "write_site"]

ASSETS = HERE / "assets"
CHART_FILES = (("status-by-pillar", "chart_status"), ("bodies-by-rows", "chart_bodies"),
               ("body-pillar-heatmap", "chart_heatmap"))
"""Charts the overview shows (stem, caption key), read from OUT_DIR/charts."""

ANSWER_ROWS = 30  # rows of a query's answer shown on the query page (the CSV has them all)
BOM = "\ufeff"


def write_site(store: Any, site_dir: Path, out_dir: Path | None = None,
               jobs: int | None = None, *, exports_key: str | None = None,
               exports_written: Callable[[], object] | None = None) -> list[Path]:
    """Write the site for the build in `store` into `site_dir`; return the files written.

    `out_dir` is the build folder whose exports, charts and metric tables the downloads page
    offers (copied into the site, so the folder stands alone); without it those are left out.
    The site is staged beside `site_dir` and swapped in only when complete. `store` must hold
    the build in `out_dir`: the site is kept in the cache by that folder's files
    (`_cache_entry`), and the same build's site is unpacked from there, not rendered again.
    `jobs`: processes that render pages (default: the cores; the pages are the same bytes
    with 1).

    `exports_key` and `exports_written` are for exports still being written into `out_dir`
    beside the site (the main job's build finishes them while the site is rendered):
    `exports_key` (`graph.rdf.exports.exports_key`) digests what they are a function of and
    keys the cache instead of their bytes, and `exports_written()` returns once they are
    all in place; the pages that read them are rendered after it, the others meanwhile.
    """
    site_dir = Path(site_dir)
    out = Path(out_dir) if out_dir else None
    kept = _cache_entry(out, exports_key)
    with replace_folder(site_dir) as stage:  # its own staging folder: concurrent runs are safe
        try:
            if not _from_cache(kept, stage):
                writer = _Writer(gather(store), stage, out, store, exports_written)
                writer.write(jobs or cores())
                cache.write_tree(kept, stage)
        except OSError as exc:
            raise InputError(f"{site_dir}: cannot write the site: {exc.strerror or exc}") from exc
        except _ExportsFailed as exc:  # the exports' own error, not one of writing the site
            raise exc.error from None
    return sorted(p for p in site_dir.rglob("*") if p.is_file())


class _ExportsFailed(Exception):
    """Waiting for the exports (`write_site`'s `exports_written`) raised `error`: carried past
    the site's handling of its own write errors, and raised as itself."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _cache_entry(out_dir: Path | None, exports_key: str | None = None) -> Path | None:
    """The cache entry of the site of the build in `out_dir`, or None (no build folder, or
    caching off).

    A site is a function of what it reads from the build folder, its top-level files (the
    dataset file the store was loaded from, the catalogue and the exports the downloads page
    copies) and `charts/`, and of the code, templates, interface text and data files
    (`code_version`, part of every entry's key). So the same build gives the same site, and a
    later run unpacks it instead of rendering some 200 pages again.

    With `exports_key` (the exports are still being written: `write_site`), the dataset
    file and the exports are stood for by that digest of what they are a function of, and
    only `charts/` is read; such a key never equals a key of the files.
    """
    if out_dir is None or cache.cache_root() is None:
        return None
    read = [] if exports_key is not None else [
        p for p in out_dir.iterdir() if p.is_file() and not p.name.startswith(".")]
    if (out_dir / "charts").is_dir():
        read += [p for p in (out_dir / "charts").iterdir() if p.is_file()]
    digest = cache.files_digest(out_dir, read)
    if exports_key is not None:
        return cache.entry("site", "exports", exports_key, digest, suffix=".pack")
    return cache.entry("site", digest, suffix=".pack")


def _from_cache(kept: Path | None, stage: Path) -> bool:
    """Unpack a kept site into the empty `stage`; False (stage left empty) on a miss."""
    data = cache.read_entry(kept)
    return data is not None and cache.unpack_tree(data, stage) is not None


def rows_csv(site: Site, rows: Iterable[str]) -> bytes:
    """Rows as CSV for spreadsheets: UTF-8 with a BOM (Excel on Japanese Windows reads it
    right), CRLF, readable status labels (実施 / 一部実施 / 中止) beside the status IRI, the
    English titles beside the printed ones (as out/rows.csv), and the source page and lines
    of every row."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["row", "file", "page", "start_line", "end_line", "pillar", "action_plan",
                "action_plan_en", "initiative", "initiative_en", "plan_item", "result",
                "status", "status_en", "status_iri",
                "bodies", "bodies_en", "partners_named", "row_iri"])
    for iri in rows:
        r = site.rows[iri]
        ja, en, status_iri = site.status_label(r.status)
        pillar = site.pillars.get(r.pillar or "")
        ap = site.action_plans.get(r.action_plan or "")
        ini = site.initiatives.get(r.initiative or "")
        w.writerow([
            r.anchor, r.file, r.page, r.start, r.end,
            f"{pillar.number} {pillar.title_ja}" if pillar else "",
            f"{ap.number} {ap.title_ja}" if ap else "", f"{ap.number} {ap.title_en}" if ap else "",
            ini.title_ja if ini else "", ini.title_en if ini else "",
            r.text, r.result, ja, en, status_iri,
            "・".join(site.bodies[b].name_ja for b in r.bodies),
            "; ".join(site.bodies[b].name_en or site.bodies[b].name_ja for b in r.bodies),
            "・".join(site.bodies[b].name_ja for b in r.partners), r.iri,
        ])
    return (BOM + buf.getvalue()).encode("utf-8")


def search_index(site: Site) -> list[dict[str, Any]]:
    """One entry per body, action plan, initiative and row: what is shown (`ja`, `en`), the
    names it is found by (`names`: exact and alias matches rank first), the text searched
    (`text`, normalised: NFKC, no spaces, lower case) and the page it opens (`url`)."""
    entries: list[dict[str, Any]] = []

    def add(kind: str, ja: str, en: str, url: str, names: Iterable[str], text: Iterable[str],
            detail: str = "") -> None:
        keys = sorted({_key(n) for n in names if n})
        entries.append({"kind": kind, "ja": ja, "en": en, "url": url, "names": keys,
                        "text": _key(" ".join(t for t in text if t)), "detail": detail})

    for b in site.bodies.values():
        names = [b.name_ja, b.name_en, *b.aliases, *site.extra_aliases.get(b.iri, ())]
        kind = "body" if b.rows else "partner"
        add(kind, b.name_ja, b.name_en, f"bodies/{b.slug}.html", names, names,
            f"{len(b.rows)}/{len(b.named_in)}")
    for a in site.action_plans.values():
        add("action_plan", a.title_ja, a.title_en, f"action-plans/{a.slug}.html",
            [a.title_ja, a.title_en], [a.title_ja, a.title_en], str(len(a.rows)))
    for i in site.initiatives.values():
        add("initiative", i.title_ja, i.title_en, f"initiatives/{i.slug}.html",
            [i.title_ja, i.title_en], [i.title_ja, i.title_en], str(len(i.rows)))
    for r in site.rows.values():
        add("row", r.text, "", f"rows.html#{r.anchor}", [], [r.text, r.result],
            f"p.{r.page} l.{r.start}" if r.page else "")
    return entries


def _key(text: str) -> str:
    return normalize(text).lower()


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


class _Writer:
    """Renders every page of one site into `root`."""

    def __init__(self, site: Site, root: Path, out_dir: Path | None, store: Any,
                 exports_written: Callable[[], object] | None = None) -> None:
        from welfare_kg.graph.rdf import load_metadata

        self.site, self.root, self.out_dir, self.store = site, root, out_dir, store
        self.exports_written = exports_written
        # Every page links the catalogue when the build has one; exports still being written
        # always include it (graph/rdf/exports.py writes catalog.ttl with every build).
        self.has_catalog = bool(out_dir and (
            exports_written is not None or (out_dir / "catalog.ttl").is_file()))
        self.meta = load_metadata()
        self.env = environment()
        plan_key = self.meta["default_plan"]
        self.plan_meta = self.meta["plans"][plan_key]
        self.maps: list[dict[str, str]] = []  # filled by name_maps
        self.pillar_maps: dict[str, str] = {}
        self._row_macro = self.env.get_template("_macros.html").module.row
        self._row_lines: dict[tuple[str, str], Any] = {}

    def row_line(self, iri: str, root: str) -> Any:
        """One row's line of a rows table (the `row` macro of `_macros.html`), rendered once
        per row and page depth: a row is listed on many pages (all rows, its status, pillar,
        action plan, initiative, bodies and pairs), always the same way."""
        key = (iri, root)
        line = self._row_lines.get(key)
        if line is None:
            line = self._row_lines[key] = self._row_macro(self.site, self.site.rows[iri], root)
        return line

    # -- helpers --------------------------------------------------------------------------------
    def page(self, rel: str, template: str, title: tuple[str, str], **context: Any) -> None:
        depth = rel.count("/")
        html = self.env.get_template(template).render(
            site=self.site, catalog=self.meta["catalog"], root="../" * depth, current=rel,
            has_catalog=self.has_catalog,
            title_ja=title[0], title_en=title[1], row_line=self.row_line, **context)
        write_staged(self.root / rel, html.encode("utf-8"))  # root: the site's staging folder

    def csv(self, rel: str, rows: Iterable[str]) -> None:
        write_staged(self.root / rel, rows_csv(self.site, rows))

    def write(self, jobs: int = 1) -> None:
        """Every file of the site. With `jobs` > 1 the maps and the pages of the bodies, the
        pairs, the pillars and the action plans (about half the work) are written by a second
        process while this one writes the rest: they need only the gathered site and the
        maps' context, and no page of one share reads a file of the other, so the files are
        those of a serial run. The store is queried in this process only.
        """
        for asset in sorted(ASSETS.iterdir()):
            if asset.is_file():
                write_bytes(self.root / "assets" / asset.name, asset.read_bytes())
        context = self.site.map_context(self.store)
        self.name_maps()
        self.charts_of_the_build()
        with alongside(lambda: self.maps_and_body_pages(context), enabled=jobs > 1):
            self.initiative_pages()
            self.row_lists()  # before downloads: it writes rows.csv
            self.search()
            self.metrics()  # before downloads: it writes the metric tables
            self.queries()
            self.wait_for_exports()  # the overview and the downloads read them
            self.overview()
            self.downloads()

    def wait_for_exports(self) -> None:
        """Return once the exports still being written into out_dir are in place."""
        if self.exports_written is None:
            return
        try:
            self.exports_written()
        except Exception as exc:
            raise _ExportsFailed(exc) from exc

    def maps_and_body_pages(self, context: Any) -> None:
        self.draw_maps(context)
        self.body_pages()
        self.pillar_and_action_plan_pages()

    # -- pages ----------------------------------------------------------------------------------
    def name_maps(self) -> None:
        """The maps the pages link to: one per map scope (`write_maps` writes each)."""
        for scope in map_scopes(self.site.plan):
            name = f"{scope.slug}.html"
            self.maps.append({"file": name, "ja": f"{scope.title_ja}のマップ",
                              "en": f"Map: {scope.title_en}"})
            if scope.pillar:
                self.pillar_maps[scope.pillar] = name

    def draw_maps(self, context: Any) -> None:
        maps = write_maps(self.site.plan, self.root / "maps", context=context)
        written = [p.name for p in maps if p.suffix == ".html"]  # not the side files
        if written != [m["file"] for m in self.maps]:  # pragma: no cover - a broken promise
            raise RuntimeError(f"the site links maps {self.maps} but {written} were written")

    def charts_of_the_build(self) -> None:
        """The build's charts copied into the site (drawn here when the build has none)."""
        self.charts = []
        source = self.out_dir / "charts" if self.out_dir else None
        if source is None or not all((source / f"{stem}.svg").is_file() for stem, _ in CHART_FILES):
            source = self.root / "charts"  # no charts in the build: draw them here
            write_charts(self.site.plan, source, handout=load_handout(self.store, self.meta))
        for stem, key in CHART_FILES:
            svg, png = source / f"{stem}.svg", source / f"{stem}.png"
            if source != self.root / "charts":
                write_bytes(self.root / "charts" / svg.name, svg.read_bytes())
                if png.is_file():
                    write_bytes(self.root / "charts" / png.name, png.read_bytes())
            self.charts.append({"file": svg.name, "key": key,
                                "png": png.name if png.is_file() else ""})

    def overview(self) -> None:
        s = self.site
        codes = [c for c in STATUS_ORDER if any(r.status == c for r in s.rows.values())]
        codes += sorted({r.status for r in s.rows.values() if r.status not in codes} - {""})
        cells: dict[tuple[str, str], list[str]] = {}
        for r in s.rows.values():
            cells.setdefault((r.pillar or "", r.status), []).append(r.iri)
        for p in s.pillars.values():
            for c in codes:
                rows = cells.get((p.iri, c), [])
                cells[(p.iri, c)] = rows
                if rows:
                    self.status_page(f"status/{_safe(c)}-{p.slug}", c, rows, p.number)
        for c in codes:
            cells[("", c)] = [r.iri for r in s.rows.values() if r.status == c]
            self.status_page(f"status/{_safe(c)}", c, cells[("", c)], None)
        whole = s.summary
        share = s.sharing[-1]
        isolates = [b for b in s.bodies.values() if b.metrics and b.metrics["degree"] == 0]
        figures = [
            {"key": "fig_links", "value": whole["links"], "href": "maps.html",
             "link_key": "see_rows"},
            {"key": "fig_density", "value": f"{whole['density']:.2f}", "href": "metrics.html",
             "link_key": "nav_metrics"},
            {"key": "fig_centralization", "value": f"{whole['centralization']:.2f}",
             "href": "metrics.html", "link_key": "nav_metrics"},
            {"key": "fig_isolates", "value": len(isolates),
             "href": f"bodies/{isolates[0].slug}.html" if len(isolates) == 1 else
             "metrics.html", "link_key": "see_rows"},
            {"key": "fig_components", "value": whole["components"], "href": "metrics.html",
             "link_key": "nav_metrics"},
            {"key": "fig_single", "value": f"{share['single_body_share']:.0%}",
             "href": "status/single-body.html", "link_key": "see_rows"},
            {"key": "fig_joint", "value": f"{share['joint_share']:.0%}",
             "href": "status/joint.html", "link_key": "see_rows"},
        ]
        single = [r.iri for r in s.rows.values() if len(r.bodies) == 1]
        joint = [r.iri for r in s.rows.values()
                 if set(JOINT_TYPES) <= {s.bodies[b].type for b in r.bodies}]
        self.list_page("status/single-body", single, (strings()["fig_single"]["ja"],
                                                      strings()["fig_single"]["en"]),
                       (strings()["fig_single_help"]["ja"], strings()["fig_single_help"]["en"]))
        self.list_page("status/joint", joint, (strings()["fig_joint"]["ja"],
                                               strings()["fig_joint"]["en"]),
                       (strings()["fig_joint_help"]["ja"], strings()["fig_joint_help"]["en"]))
        aps_by_pillar = {p: [a for a in s.action_plans.values() if a.parent == p]
                         for p in s.pillars}
        inis_by_ap: dict[str, list[str]] = {a: [] for a in s.action_plans}
        for i in s.initiatives.values():
            if i.parent in inis_by_ap:
                inis_by_ap[i.parent].append(i.iri)
        self.page(
            "index.html", "index.html", (self.plan_meta["title"]["ja"],
                                         self.plan_meta["title"]["en"]),
            plan_title=self.plan_meta["title"], plan_description=self.plan_meta["description"],
            reports=self.meta.get("reports", []),
            n_implementing=sum(1 for b in s.bodies.values() if b.rows),
            n_partners=sum(1 for b in s.bodies.values() if not b.rows and b.named_in),
            aps_by_pillar=aps_by_pillar, inis_by_ap=inis_by_ap, status_codes=codes,
            status_cells=cells, cancelled=cells.get(("", "cancelled"), []), figures=figures,
            maps=self.maps, charts=self.charts, safe=_safe, dataset=self.dataset_jsonld(),
            years=self.years(codes),
        )
        self.page("maps.html", "maps.html", (strings()["maps_title"]["ja"],
                                             strings()["maps_title"]["en"]), maps=self.maps)

    def years(self, codes: list[str]) -> list[dict[str, Any]]:
        """Status by pillar for each fiscal year, when the build holds several (a row is
        counted in its own report's year only); each count opens a page of its rows."""
        s = self.site
        if len(s.fiscal_years()) < 2:
            return []
        out = []
        for year in s.fiscal_years():
            rows = [r for rep in s.reports if rep.fiscal_year == year for r in rep.rows]
            lines = []
            for p in [*s.pillars.values(), None]:
                mine = [r for r in rows if p is None or s.rows[r].pillar == p.iri]
                cells = []
                for code in codes:
                    hit = [r for r in mine if s.rows[r].status == code]
                    rel = f"status/fy{year}-{_safe(code)}" + (f"-{p.slug}" if p else "")
                    if hit:
                        self.year_page(rel, year, code, hit, p.number if p else None)
                    cells.append((len(hit), f"{rel}.html" if hit else ""))
                lines.append({"pillar": p, "cells": cells, "total": len(mine)})
            out.append({"year": year, "lines": lines,
                        "reports": [r for r in s.reports if r.fiscal_year == year]})
        return out

    def year_page(self, rel: str, year: int, code: str, rows: list[str],
                  pillar: int | None) -> None:
        ja, en, _ = self.site.status_label(code)
        where_ja = f"推進の柱{pillar}：" if pillar else ""
        where_en = f"Pillar {pillar}: " if pillar else ""
        self.list_page(rel, rows, (f"{year}年度 {where_ja}{ja}の行",
                                   f"FY{year} {where_en}{en} rows"),
                       (f"{year}年度の報告書で実施状況が「{ja}」の行です。",
                        f"The rows of the FY{year} report whose status is {en}."),
                       crumbs_status=True)

    def dataset_jsonld(self) -> dict[str, Any]:
        """schema.org Dataset for harvesters that read landing pages (the DCAT catalogue is
        the full description: downloads/catalog.ttl, linked from every page's head)."""
        from .catalog import read_distributions

        cat = self.meta["catalog"]
        catalog = self.out_dir / "catalog.ttl" if self.out_dir else None
        dists = read_distributions(catalog) if catalog and catalog.is_file() else {}
        base = self.meta.get("download_url", "")
        return {
            "@context": "https://schema.org/", "@type": "Dataset",
            "name": [{"@language": k, "@value": v} for k, v in sorted(cat["title"].items())],
            "description": [{"@language": k, "@value": v}
                            for k, v in sorted(cat["description"].items())],
            "keywords": sorted(cat.get("keywords", {}).get("ja", [])),
            "license": cat["license"]["iri"], "creditText": cat["rights"]["ja"],
            "inLanguage": "ja", "version": str(self.meta.get("version", "")),
            "distribution": [
                {"@type": "DataDownload", "name": d.get("titleEn") or name,
                 "contentUrl": base + name,
                 "encodingFormat": d.get("mediaType", "").rsplit("media-types/", 1)[-1]}
                for name, d in sorted(dists.items())
            ],
        }

    def status_page(self, rel: str, code: str, rows: list[str], pillar: int | None) -> None:
        ja, en, _ = self.site.status_label(code)
        where_ja = f"推進の柱{pillar}：" if pillar else ""
        where_en = f"Pillar {pillar}: " if pillar else ""
        self.list_page(rel, rows, (f"{where_ja}{ja}の行", f"{where_en}{en} rows"),
                       (f"実施状況が「{ja}」の全ての行です。", f"Every row whose status is {en}."),
                       crumbs_status=True)

    def list_page(self, rel: str, rows: list[str], title: tuple[str, str],
                  intro: tuple[str, str], crumbs_status: bool = False) -> None:
        name = rel.rsplit("/", 1)[-1]
        self.csv(f"{rel}.csv", rows)
        self.page(f"{rel}.html", "rows.html", title, rows=rows, csv=f"{name}.csv",
                  intro_ja=intro[0], intro_en=intro[1], crumbs_status=crumbs_status)

    def pillar_and_action_plan_pages(self) -> None:
        s = self.site
        for p in s.pillars.values():
            children = [a for a in s.action_plans.values() if a.parent == p.iri]
            self.outline(f"pillars/{p.slug}", p, "pillar", [], children, "action_plans_of", 0)
        for a in s.action_plans.values():
            children = [i for i in s.initiatives.values() if i.iri in
                        {s.rows[r].initiative for r in a.rows}]
            unplaced = sum(1 for r in a.rows if not s.rows[r].initiative)
            crumbs = [s.pillars[a.parent]] if a.parent in s.pillars else []
            self.outline(f"action-plans/{a.slug}", a, "action_plan", crumbs, children,
                         "initiatives_of", unplaced)

    def initiative_pages(self) -> None:
        s = self.site
        for i in s.initiatives.values():
            ap = s.action_plans.get(i.parent or "")
            crumbs = ([s.pillars[ap.parent]] if ap and ap.parent in s.pillars else []) + (
                [ap] if ap else [])
            self.outline(f"initiatives/{i.slug}", i, "initiative", crumbs, [], "", 0)

    def outline(self, rel: str, o: Any, kind_key: str, crumbs: list, children: list,
                children_key: str, unplaced: int) -> None:
        counts = Counter(b for r in o.rows for b in self.site.rows[r].bodies)
        bodies = sorted(counts.items(), key=lambda kv: (-kv[1], list(self.site.bodies).index(
            kv[0])))
        figures = []
        summary = self.site.pillar_summaries.get(o.iri) if o.kind == "pillar" else None
        if summary:
            figures = [("fig_links", summary["links"]),
                       ("fig_density", f"{summary['density']:.2f}"),
                       ("fig_centralization", f"{summary['centralization']:.2f}"),
                       ("fig_isolates", summary["isolates"])]
        self.csv(f"{rel}.csv", o.rows)
        self.page(f"{rel}.html", "outline.html", (o.title_ja, o.title_en or o.title_ja), o=o,
                  figures=figures, map_file=self.pillar_maps.get(o.iri, ""),
                  kind_key=kind_key, crumbs=crumbs, children=children,
                  children_key=children_key or "initiatives_of", unplaced=unplaced,
                  bodies=bodies)

    def body_pages(self) -> None:
        s = self.site
        order = list(s.bodies)
        for b in s.bodies.values():
            pairs = sorted(
                ((p.b if p.a == b.iri else p.a, p) for p in s.pairs.values()
                 if b.iri in (p.a, p.b)),
                key=lambda op: (-len(op[1].rows), order.index(op[0])))
            partners: dict[str, list[str]] = {}
            for r in b.rows:
                for p in s.rows[r].partners:
                    partners.setdefault(p, []).append(r)
            partner_list = sorted(partners.items(), key=lambda kv: (-len(kv[1]),
                                                                    order.index(kv[0])))
            quantities = [(s.rows[r], q) for r in b.rows for q in s.rows[r].quantities]
            totals: dict[str, list[float]] = {}
            for _, q in quantities:
                totals.setdefault(q.unit, []).append(float(q.value))
            quantity_totals = [(u, _number(sum(v)), len(v)) for u, v in sorted(totals.items())]
            tl = s.types.get(b.type, (b.type, b.type))
            self.csv(f"bodies/{b.slug}.csv", b.rows)
            if b.named_in:
                self.csv(f"bodies/{b.slug}-named.csv", b.named_in)
            aliases = sorted(set(b.aliases) | set(s.extra_aliases.get(b.iri, ())))
            self.page(f"bodies/{b.slug}.html", "body.html", (b.name_ja, b.name_en), b=b,
                      type_ja=tl[0], type_en=tl[1], pairs=pairs, partners=partner_list,
                      quantities=quantities, quantity_totals=quantity_totals, aliases=aliases)
        for p in s.pairs.values():
            self.csv(f"pairs/{p.slug}.csv", p.rows)
            title = (f"{s.bodies[p.a].name_ja} × {s.bodies[p.b].name_ja}",
                     f"{s.bodies[p.a].name_en} × {s.bodies[p.b].name_en}")
            self.page(f"pairs/{p.slug}.html", "pair.html", title, pair=p)
        groups = []
        for ty in sorted(s.types, key=lambda t: (type_rank(t), t)):
            members = sorted((b for b in s.bodies.values() if b.type == ty),
                             key=lambda b: (-len(b.rows), -len(b.named_in), b.name_ja))
            if members:
                groups.append({"id": "partners" if ty == "Partner" else f"type-{ty}",
                               "ja": s.types[ty][0], "en": s.types[ty][1], "bodies": members})
        self.page("bodies/index.html", "bodies.html", (strings()["bodies_title"]["ja"],
                                                       strings()["bodies_title"]["en"]),
                  groups=groups)

    def row_lists(self) -> None:
        st = strings()
        self.list_page("rows", list(self.site.rows), (st["all_rows_title"]["ja"],
                                                      st["all_rows_title"]["en"]),
                       (st["all_rows_intro"]["ja"], st["all_rows_intro"]["en"]))

    def search(self) -> None:
        index = search_index(self.site)
        write_text(self.root / "assets" / "search-index.js",
                   "window.WK_SEARCH_INDEX = " + script_json(index) + ";\n")
        kinds = {k: strings()[f"kind_{k}"] for k in
                 ("body", "partner", "action_plan", "initiative", "row")}
        self.page("search.html", "search.html", (strings()["nav_search"]["ja"],
                                                 strings()["nav_search"]["en"]), kinds=kinds)

    def metrics(self) -> None:
        s = self.site
        tables = metric_tables(s.plan)
        for stem, records in tables.items():  # the metric tables, for spreadsheets
            write_bytes(self.root / "downloads" / "metrics" / f"{stem}.csv",
                        (BOM + to_csv(records).replace("\n", "\r\n")).encode("utf-8"))
        pillars = {f"pillar-{p.number}": p for p in s.pillars.values()}
        st = strings()
        networks = []
        for n in tables["networks"]:
            if "action-plan" in n["scope"]:
                continue
            p = pillars.get(n["scope"])
            networks.append(dict(
                n, href=f"pillars/{p.slug}.html" if p else "",
                name_ja=f"推進の柱{p.number} {p.title_ja}" if p else st["whole_plan"]["ja"],
                name_en=(f"Pillar {p.number} {p.title_en}".rstrip() if p
                         else st["whole_plan"]["en"])))
        central = [r for r in tables["bodies"] if r["scope"] == "whole-plan"]
        community_list = []
        for c in tables["communities"]:
            if c["scope"] == "whole-plan":
                community_list.append([b for b in c["bodies"].split() if b in s.bodies])
        mixing = type_mixing(s.plan)
        mixing_types = sorted({t for pair in mixing for t in pair},
                              key=lambda t: (type_rank(t), t))
        self.page("metrics.html", "metrics.html", (strings()["metrics_title"]["ja"],
                                                   strings()["metrics_title"]["en"]),
                  networks=networks, central=central, community_list=community_list,
                  mixing=mixing, mixing_types=mixing_types)

    def downloads(self) -> None:
        from .catalog import download_groups

        groups = download_groups(self.site, self.root, self.out_dir)
        self.page("downloads.html", "downloads.html", (strings()["downloads_title"]["ja"],
                                                       strings()["downloads_title"]["en"]),
                  groups=groups)

    def queries(self) -> None:
        from .library import query_pages

        queries = query_pages(self.store, self.root / "queries", ANSWER_ROWS)
        self.page("queries.html", "queries.html", (strings()["queries_title"]["ja"],
                                                   strings()["queries_title"]["en"]),
                  queries=queries)


def _safe(code: str) -> str:
    """A status code as a file name (codes come from the data's status IRIs)."""
    return re.sub(r"[^a-z0-9-]+", "-", code.lower()).strip("-") or "none"


def _number(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return re.sub(r"^-0$", "0", text)
