"""The static site (welfare_kg.viz.site) on the bundled report: links, drill-downs, CSVs,
search index, escaping and determinism. The browser tests are in tests/browser/."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from welfare_kg import cache
from welfare_kg.cli import main
from welfare_kg.errors import InputError
from welfare_kg.viz.site import gather, search_index, write_site
from welfare_kg.viz.site.render import strings

BuiltSite = object  # site_fixtures.BuiltSite: out, site, store, hostile

pytest_plugins = ["site_fixtures"]

WK = "PREFIX wk: <https://w3id.org/welfare-kg/ontology#>\n"
HEAVIEST_PAIR = WK + """
SELECT ?a ?b (COUNT(DISTINCT ?row) AS ?n) WHERE {
  ?row a wk:PlanRow ; wk:implementedBy ?a , ?b . FILTER(STR(?a) < STR(?b))
} GROUP BY ?a ?b ORDER BY DESC(?n) ?a ?b LIMIT 1
"""


def run_query(store, text: str) -> _Answer:
    """A SPARQL text on the store (default graph = union of the report graphs)."""
    answer = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in answer.variables]
    return _Answer({n: _value(sol[n]) for n in names if sol[n] is not None} for sol in answer)


class _Answer(list):
    def values(self) -> list[dict]:
        return list(self)


def _value(term) -> object:
    text = term.value
    return int(text) if text.isdigit() and type(term).__name__ == "Literal" else text


class _Page(HTMLParser):
    """Links, ids and elements of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.duplicates: list[str] = []
        self.rows: list[str] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            if a["id"] in self.ids:
                self.duplicates.append(a["id"] or "")
            self.ids.add(a["id"] or "")
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key] or "")
        if tag == "tr" and a.get("data-row"):
            self.rows.append(a["data-row"] or "")
        if tag == "script":
            self._in_script = True
            self.scripts.append(a.get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if not self._in_script:
            self.text.append(data)


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def local_target(page: Path, link: str) -> tuple[Path, str] | None:
    parts = urlsplit(link)
    if parts.scheme or link.startswith("//"):
        return None
    # out/ is a link to a version folder: compare resolved paths throughout
    target = (page.parent / unquote(parts.path) if parts.path else page).resolve()
    return target, parts.fragment


def test_every_internal_link_resolves(built_site: BuiltSite) -> None:
    site = built_site.site
    ids = {p.resolve(): parse(p).ids for p in pages(site)}
    broken = []
    for page in pages(site):
        if page.parent.name == "maps":  # the maps are the maps room's pages
            continue
        parsed = parse(page)
        if parsed.duplicates:
            broken.append(f"{page.relative_to(site)}: duplicate ids {parsed.duplicates}")
        for link in parsed.links:
            found = local_target(page, link)
            if found is None:
                continue
            target, fragment = found
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {link}")
            elif fragment and target.suffix == ".html" and fragment not in ids[target]:
                broken.append(f"{page.relative_to(site)}: {link} (no id {fragment})")
            elif not target.is_relative_to(site.resolve()):
                broken.append(f"{page.relative_to(site)}: {link} (outside the site)")
    assert broken == []
    assert len(ids) > 100


def test_external_links_are_only_licence_and_identifiers(built_site: BuiltSite) -> None:
    """Nothing a page loads comes from the network (no CDN): only <a href> may leave."""
    for page in pages(built_site.site):
        if page.parent.name == "maps":
            continue
        parsed = parse(page)
        assert all(not urlsplit(s).scheme for s in parsed.scripts if s), page
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'(?:src|href)="https?://[^"]+\.(?:js|css)"', text), page


def test_heaviest_pair_lists_exactly_the_graphs_rows(built_site: BuiltSite) -> None:
    top = run_query(built_site.store, HEAVIEST_PAIR).values()[0]
    rows = {r["row"] for r in run_query(built_site.store, WK + f"""
        SELECT DISTINCT ?row WHERE {{ ?row a wk:PlanRow ;
          wk:implementedBy <{top["a"]}> , <{top["b"]}> }}""").values()}
    assert len(rows) == top["n"] == 51  # the bundled report's heaviest pair (plazas × 高齢・障害)
    site = gather(built_site.store)
    pair = site.pair_of(top["a"], top["b"])
    page = parse(built_site.site / "pairs" / f"{pair.slug}.html")
    assert len(page.rows) == len(set(page.rows)) and set(page.rows) == rows
    csv_rows = read_csv(built_site.site / "pairs" / f"{pair.slug}.csv")
    assert {r["row_iri"] for r in csv_rows} == rows
    for r in csv_rows:  # the team's English titles beside the printed ones
        if r["initiative"]:
            assert r["initiative_en"] and r["initiative_en"] != r["initiative"]
        else:
            assert not r["initiative_en"]
        assert r["action_plan_en"].split()[0] == r["action_plan"].split()[0]
        assert r["action_plan_en"] != r["action_plan"]
    for body in (top["a"], top["b"]):  # each body's page links the count to that page
        text = (built_site.site / "bodies" / f"{site.bodies[body].slug}.html").read_text()
        assert f'href="../pairs/{pair.slug}.html"' in text


def test_a_body_page_lists_every_row_it_implements(built_site: BuiltSite) -> None:
    site = gather(built_site.store)
    for body in site.bodies.values():
        expected = {r["row"] for r in run_query(built_site.store, WK + f"""
            SELECT DISTINCT ?row WHERE {{ ?row wk:implementedBy <{body.iri}> }}""").values()}
        page = parse(built_site.site / "bodies" / f"{body.slug}.html")
        listed = [r for r in page.rows if r in expected]
        assert set(listed) == expected, body.name_ja
        assert len(listed) == len(expected)  # every row once: not the first 8


def read_csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), path
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_every_csv_meant_for_people_starts_with_a_bom(built_site: BuiltSite) -> None:
    # downloads/rows.csv and bodies.csv are the catalogued exports, copied unchanged so
    # their DCAT checksums hold; the site offers BOM versions of both for spreadsheets.
    exports = {built_site.site / "downloads" / p.name for p in built_site.out.glob("*.csv")}
    csvs = [p for p in built_site.site.rglob("*.csv") if p not in exports]
    assert len(csvs) > 100 and (built_site.site / "rows.csv") in csvs
    assert [p for p in csvs if not p.read_bytes().startswith(b"\xef\xbb\xbf")] == []


def test_the_builds_csvs_for_people_start_with_a_bom_and_read_status_labels(
        built_site: BuiltSite) -> None:
    people = [built_site.out / "rows.csv", built_site.out / "bodies.csv",
              *sorted((built_site.out / "metrics").glob("*.csv"))]
    assert len(people) > 4
    assert [p for p in people if not p.read_bytes().startswith(b"\xef\xbb\xbf")] == []
    rows = read_csv(built_site.out / "rows.csv")
    labels = {(r["status"], r["status_ja"], r["status_en"]) for r in rows}
    assert ("cancelled", "中止", "Cancelled") in labels
    assert ("implemented", "実施", "Implemented") in labels
    assert all(r["status_iri"].endswith("#" + r["status"].capitalize()) for r in rows)
    # the machine-facing exports are as they were: no BOM in Turtle or N-Triples
    assert not (built_site.out / "welfare-kg.nt").read_bytes().startswith(b"\xef\xbb\xbf")


def test_the_rows_csv_has_every_row_with_readable_status_and_source(
        built_site: BuiltSite) -> None:
    records = read_csv(built_site.site / "rows.csv")
    graph_rows = run_query(built_site.store, WK + "SELECT DISTINCT ?row ?status WHERE "
                           "{ ?row a wk:PlanRow ; wk:status ?status }").values()
    assert {r["row_iri"] for r in records} == {r["row"] for r in graph_rows}
    status = {r["row"]: r["status"] for r in graph_rows}
    assert {r["status"] for r in records} <= {"実施", "一部実施・縮小", "中止", "継続中", "延期"}
    for r in records:
        assert r["status_iri"] == status[r["row_iri"]]
        assert r["page"].isdigit() and int(r["start_line"]) <= int(r["end_line"])
    assert any(r["status"] == "中止" and r["status_en"] == "Cancelled" for r in records)


def test_cancelled_rows_are_listed_on_the_overview(built_site: BuiltSite) -> None:
    cancelled = {r["row"] for r in run_query(built_site.store, WK + """
        SELECT DISTINCT ?row WHERE { ?row wk:status wk:Cancelled }""").values()}
    assert cancelled
    assert set(parse(built_site.site / "index.html").rows) == cancelled


def test_search_index_finds_bodies_by_alias(built_site: BuiltSite) -> None:
    index = search_index(gather(built_site.store))
    council = [e for e in index if e["ja"] == "区社会福祉協議会"]
    assert len(council) == 1
    assert {"区社協", "社協"} <= set(council[0]["names"])  # bodies.csv and aliases.csv
    kinds = {e["kind"] for e in index}
    assert kinds == {"body", "partner", "action_plan", "initiative", "row"}
    script = (built_site.site / "assets" / "search-index.js").read_text(encoding="utf-8")
    data = json.loads(script.removeprefix("window.WK_SEARCH_INDEX = ").removesuffix(";\n"))
    assert data == json.loads(json.dumps(index))


def test_interface_text_has_both_languages() -> None:
    forms = strings()
    assert all(f["ja"] and f["en"] for f in forms.values())


def test_hostile_text_is_escaped_everywhere(hostile_site: BuiltSite) -> None:
    site = gather(hostile_site.store)
    assert any(hostile_site.hostile in r.text for r in site.rows.values())  # it reached the graph
    assert any(hostile_site.hostile in r.result for r in site.rows.values())
    for page in pages(hostile_site.site):
        if page.parent.name == "maps":
            continue
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img/src" not in html, page
    script = (hostile_site.site / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert "</script" not in script.lower() and "<" not in script
    # built without an out/ folder: the charts were drawn for the site itself
    assert (hostile_site.site / "charts" / "status-by-pillar.svg").is_file()


def _files(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_same_build_gives_byte_identical_sites(built_site: BuiltSite, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")  # rendered again, not unpacked from the cache
    again = tmp_path / "site"
    write_site(built_site.store, again, out_dir=built_site.out)
    first, second = _files(built_site.site), _files(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_two_processes_write_the_same_site_as_one(built_site: BuiltSite, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    write_site(built_site.store, tmp_path / "one", out_dir=built_site.out, jobs=1)
    write_site(built_site.store, tmp_path / "two", out_dir=built_site.out, jobs=2)
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert one.keys() == two.keys()
    assert [k for k in one if one[k] != two[k]] == []
    assert one == _files(built_site.site)


def test_the_site_is_kept_by_the_build_it_shows(built_site: BuiltSite, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import welfare_kg.viz.site.build as build

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    write_site(built_site.store, tmp_path / "first", out_dir=built_site.out)  # fills the cache
    assert len(list((tmp_path / "cache" / "site").glob("*.pack"))) == 1

    def no_rendering(*args: object) -> None:
        raise AssertionError("rendered again although the build is the same")

    monkeypatch.setattr(build, "gather", no_rendering)
    written = write_site(built_site.store, tmp_path / "second", out_dir=built_site.out)
    assert _files(tmp_path / "second") == _files(built_site.site)
    assert written == sorted(p for p in (tmp_path / "second").rglob("*") if p.is_file())
    assert {p.stat().st_mode & 0o777 for p in written} == {0o644}
    # A different build folder (here: another catalogue) is another site: rendered, not kept.
    other = tmp_path / "other-out"
    shutil.copytree(built_site.out, other, symlinks=False)
    catalog = other / "catalog.ttl"
    catalog.write_text(catalog.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="rendered again"):
        write_site(built_site.store, tmp_path / "third", out_dir=other)


@pytest.mark.parametrize("jobs", [1, 2])
def test_exports_still_being_written_are_waited_for_only_by_the_pages_that_read_them(
        built_site: BuiltSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        jobs: int) -> None:
    """With `exports_written` (the main job's build finishes the exports beside the site),
    every page that does not read them is written first; the overview and the downloads
    come after the wait, and the site is the same bytes."""
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    seen: list[set[str]] = []
    stage = tmp_path / "site"

    def exports_written() -> None:
        staging = [p for p in tmp_path.iterdir() if p.is_dir() and p != stage]
        seen.append({str(f.relative_to(staging[0])) for f in staging[0].rglob("*.html")})

    write_site(built_site.store, stage, out_dir=built_site.out, jobs=jobs,
               exports_key="k", exports_written=exports_written)
    assert len(seen) == 1
    assert {"rows.html", "queries.html", "metrics.html", "search.html"} <= seen[0]
    assert not {"index.html", "downloads.html"} & seen[0]
    assert _files(stage) == _files(built_site.site)


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"),
                                   InputError("out: cannot write the exports here: full")])
def test_a_failure_of_the_exports_the_site_waits_for_is_raised_as_itself(
        built_site: BuiltSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        error: Exception) -> None:
    """Not as the site's own "cannot write the site": the exports failed, elsewhere."""
    monkeypatch.setenv(cache.CACHE_ENV, "off")

    def exports_written() -> None:
        raise error

    with pytest.raises(type(error)) as caught:
        write_site(built_site.store, tmp_path / "site", out_dir=built_site.out, jobs=1,
                   exports_key="k", exports_written=exports_written)
    assert caught.value is error
    assert not (tmp_path / "site").exists()
    assert [p for p in tmp_path.iterdir()] == []  # no staging folder left


def test_a_damaged_cache_entry_is_rendered_again(tmp_path: Path) -> None:
    (tmp_path / "tree" / "a").mkdir(parents=True)
    (tmp_path / "tree" / "a" / "page.html").write_text("<p>ページ</p>", encoding="utf-8")
    (tmp_path / "tree" / "rows.csv").write_bytes(b"\xef\xbb\xbfrow\r\n")
    packed = cache.pack_tree(tmp_path / "tree")
    (tmp_path / "copy").mkdir()
    cache.unpack_tree(packed, tmp_path / "copy")
    assert _files(tmp_path / "copy") == _files(tmp_path / "tree")
    for damaged in (packed[:-1], b"not json\n", b'[["../escape", 1]]\nx'):
        (tmp_path / "empty").mkdir(exist_ok=True)
        assert cache.unpack_tree(damaged, tmp_path / "empty") is None
        assert list((tmp_path / "empty").iterdir()) == []


def test_site_command_writes_the_site_and_refuses_a_file(built_site: BuiltSite,
                                                         tmp_path: Path, capsys) -> None:
    target = tmp_path / "my-site"
    assert main(["site", "--out-dir", str(built_site.out), "-o", str(target)]) == 0
    assert (target / "index.html").is_file()
    assert capsys.readouterr().out.strip() == str(target / "index.html")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["site", "--out-dir", str(built_site.out), "-o", str(blocker)]) == 2
    assert "a-file" in capsys.readouterr().err


def test_downloads_page_lists_every_export_with_size(built_site: BuiltSite) -> None:
    text = (built_site.site / "downloads.html").read_text(encoding="utf-8")
    for name in ("welfare-kg.ttl", "welfare-kg.jsonld", "welfare-kg.nq", "catalog.ttl",
                 "void.ttl", "rows.csv"):
        assert f"{name}</a>" in text, name
    for match in re.finditer(r'href="(downloads/[^"]+)"[^>]*>[^<]+</a>.*?data-bytes="(\d+)"',
                             text):
        assert (built_site.site / match.group(1)).stat().st_size == int(match.group(2))
    index = (built_site.site / "index.html").read_text(encoding="utf-8")
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', index)
    dataset = json.loads(found.group(1))  # a landing page harvesters can read
    assert dataset["@type"] == "Dataset" and dataset["license"].startswith("https://")
    assert any(d["contentUrl"].endswith("/welfare-kg.ttl") for d in dataset["distribution"])
    assert 'rel="alternate" type="text/turtle" title="DCAT catalogue"' in index
    copied = built_site.site / "downloads" / "welfare-kg.ttl"
    assert copied.read_bytes() == (built_site.out / "welfare-kg.ttl").read_bytes()


def test_query_page_shows_each_library_query_with_its_answer(built_site: BuiltSite) -> None:
    from welfare_kg.graph.sparql import list_queries

    text = (built_site.site / "queries.html").read_text(encoding="utf-8")
    for spec in list_queries():
        assert f'id="q-{spec.name}"' in text
    answer = read_csv(built_site.site / "queries" / "body-portfolio.csv")
    assert answer and {r["body"] for r in answer} == {"区社会福祉協議会"}


def test_every_page_says_its_language_and_credits_the_source(built_site: BuiltSite) -> None:
    for page in pages(built_site.site):
        if page.parent.name == "maps":
            continue
        html = page.read_text(encoding="utf-8")
        assert html.startswith('<!DOCTYPE html>\n<html lang="ja"'), page
        assert "を加工して作成" in html and '<main id="main"' in html, page


def test_cli_body_parameter_takes_aliases_and_suggests_names(built_site: BuiltSite,
                                                             capsys) -> None:
    def portfolio(name: str) -> tuple[int, str, str]:
        code = main(["query", "body-portfolio", "--out-dir", str(built_site.out), "-f", "csv",
                     "--param", f"body={name}"])
        out, err = capsys.readouterr()
        return code, out, err

    code, canonical, _ = portfolio("区社会福祉協議会")
    assert code == 0 and canonical.count("\n") > 10
    for alias in ("区社協", "社協", "Izumi Ward Social Welfare Council"):
        code, out, err = portfolio(alias)
        assert (code, out) == (0, canonical), alias
        assert "区社会福祉協議会" in err
    code, out, err = portfolio("社会福祉")
    assert code == 2 and out == "" and "did you mean 区社会福祉協議会" in err


def test_every_action_plan_and_initiative_has_an_english_label_from_the_data(
        built_site: BuiltSite) -> None:
    from welfare_kg.datafiles import load_yaml, normalize
    from welfare_kg.paths import DATA_DIR

    missing = run_query(built_site.store, WK + """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?x WHERE {
          VALUES ?class { wk:ActionPlan wk:Initiative wk:Pillar }
          ?x a ?class .
          FILTER NOT EXISTS { ?x rdfs:label ?en FILTER(LANGMATCHES(LANG(?en), "en")) }
        }""").values()
    assert missing == []
    # every translation in the data file is of an initiative the report prints (none stale)
    printed = {normalize(r["ja"]) for r in run_query(built_site.store, WK + """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?ja WHERE { ?x a wk:Initiative ; rdfs:label ?ja FILTER(LANG(?ja) = "ja") }"""
    ).values()}
    listed = [normalize(e["ja"]) for e in load_yaml(DATA_DIR / "initiatives.yaml")["initiatives"]]
    assert sorted(set(listed)) == sorted(printed) and len(listed) == len(set(listed))
    # the site's English side and its search show them
    site = gather(built_site.store)
    assert all(i.title_en for i in site.initiatives.values())
    assert all(a.title_en for a in site.action_plans.values())
    index = search_index(site)
    hits = [e for e in index if e["kind"] == "initiative" and "dementia" in e["text"]]
    assert hits and all(e["en"] for e in hits)


def test_an_outline_entry_may_be_a_plain_title_or_ja_and_en(tmp_path: Path) -> None:
    from welfare_kg.graph.report.outline import load_outline

    path = tmp_path / "outline.yaml"
    path.write_text("plan: {}\npillars:\n  - {number: 1, name_ja: 柱, name_en: P, groups: [1],\n"
                    "     action_plans: [甲の推進, {ja: 乙の推進, en: Promoting B}]}\n",
                    encoding="utf-8")
    outline = load_outline(path)
    assert outline.pillar_for_title("乙の推進") == outline.pillar_for_title("甲の推進") == 1
    assert (outline.title_en("乙 の推進"), outline.title_en("甲の推進")) == ("Promoting B", "")


def test_the_overview_separates_fiscal_years_when_the_build_has_several(
        built_site: BuiltSite, tmp_path: Path) -> None:
    import re as regex

    from welfare_kg.graph.sparql import open_store
    from welfare_kg.paths import DEFAULT_REPORT

    assert 'id="years-h"' not in (built_site.site / "index.html").read_text(encoding="utf-8")
    second = tmp_path / "izumi-wakuwaku-fy2022-report.txt"
    text = DEFAULT_REPORT.read_text(encoding="utf-8")
    second.write_text(text.replace("令和３年度実施計画", "令和４年度実施計画"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["all", str(DEFAULT_REPORT), str(second), "-o", str(out)]) == 0
    per_year = {int(r["year"]): {x["row"] for x in run_query(open_store(out), WK + f"""
        SELECT DISTINCT ?row WHERE {{ ?row a wk:PlanRow ; wk:sourceSpan/wk:report ?r .
                                      ?r wk:fiscalYear {r["year"]} }}""").values()}
                for r in run_query(open_store(out), WK + """
        SELECT DISTINCT ?year WHERE { ?r a wk:Report ; wk:fiscalYear ?year }""").values()}
    assert sorted(per_year) == [2021, 2022]
    index = (out / "site" / "index.html").read_text(encoding="utf-8")
    assert 'id="years-h"' in index
    for year, rows in per_year.items():
        body = index.split(f'<tbody data-year="{year}">', 1)[1].split("</tbody>", 1)[0]
        total = regex.findall(r'<tr class="total">.*?<td class="num">(\d+)</td></tr>', body,
                              regex.S)
        assert total == [str(len(rows))], year
        listed: set[str] = set()  # the year's cells link to exactly its rows
        for href in regex.findall(r'href="(status/fy\d+-[a-z-]+)\.html"', body):
            if "pillar" not in href:
                listed |= set(parse(out / "site" / f"{href}.html").rows)
        assert listed == rows, year


def test_compiled_templates_are_kept_by_source_and_settings(tmp_path: Path) -> None:
    import jinja2

    from welfare_kg.viz.site.render import template_bytecode

    templates, kept = tmp_path / "templates", tmp_path / "templates" / "__pycache__"
    templates.mkdir()
    (templates / "page.html").write_text("<p>{{ x }}</p>\n", encoding="utf-8")

    def env(**settings: object) -> jinja2.Environment:
        e = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)),
                               autoescape=True, **settings)
        e.bytecode_cache = template_bytecode(e, kept)
        return e

    assert env().get_template("page.html").render(x="<a>") == "<p>&lt;a&gt;</p>"
    assert len(list(kept.iterdir())) == 1  # compiled once and kept
    # another whitespace setting compiles to other code: kept under another name
    assert env(keep_trailing_newline=True).get_template("page.html").render(x=1) == "<p>1</p>\n"
    assert len(list(kept.iterdir())) == 2
    # an edited template is compiled again, never served from the kept code
    (templates / "page.html").write_text("<b>{{ x }}</b>", encoding="utf-8")
    assert env().get_template("page.html").render(x=2) == "<b>2</b>"


def test_templates_compile_where_nothing_can_be_kept(tmp_path: Path) -> None:
    import jinja2

    from welfare_kg.viz.site.render import template_bytecode

    (tmp_path / "page.html").write_text("{{ x }}", encoding="utf-8")
    (tmp_path / "blocked").write_text("a file where the folder would go", encoding="utf-8")
    e = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)))
    e.bytecode_cache = template_bytecode(e, tmp_path / "blocked" / "__pycache__")
    assert e.get_template("page.html").render(x="ok") == "ok"


def test_a_cut_short_compiled_template_is_compiled_again(tmp_path: Path) -> None:
    import jinja2

    from welfare_kg.viz.site.render import template_bytecode

    (tmp_path / "page.html").write_text("<i>{{ x }}</i>", encoding="utf-8")
    kept = tmp_path / "__pycache__"

    def render() -> str:
        e = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)))
        e.bytecode_cache = template_bytecode(e, kept)
        return e.get_template("page.html").render(x=1)

    assert render() == "<i>1</i>"
    (code,) = kept.iterdir()
    # cut inside the checksum after the header (a crash or a full disk while it was written)
    code.write_bytes(code.read_bytes()[:len(jinja2.bccache.bc_magic) + 3])
    assert render() == "<i>1</i>"
    (code,) = kept.iterdir()
    assert render() == "<i>1</i>"
