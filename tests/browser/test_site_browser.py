"""The site in a real headless Chromium from files, with the network blocked: every page
loads without a console error, search (aliases, "no match"), keyboard-only navigation to a
body's rows, the language switch, and hostile text from a modified report shown as text."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
pytest_plugins = ["site_fixtures"]


@pytest.fixture
def visit(browser_context):
    """visit(path, query="") -> (page, errors, dialogs); only file: URLs are served."""
    opened = []

    def _visit(path: Path, query: str = ""):
        page = browser_context.new_page()
        opened.append(page)
        errors: list[str] = []
        dialogs: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))

        def dialog(d) -> None:
            dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)

        def route(r) -> None:
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                errors.append(f"network: {r.request.url}")
                r.abort()

        page.route("**/*", route)
        page.goto(Path(path).resolve().as_uri() + query)
        page.wait_for_load_state("load")
        return page, errors, dialogs

    yield _visit
    for page in opened:
        page.close()


def site_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.parent.name != "maps")


def test_every_page_loads_from_files_with_no_console_error(built_site, visit) -> None:
    pages = site_pages(built_site.site)
    assert len(pages) > 100
    page, errors, _ = visit(pages[0])
    for path in pages:
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        assert errors == [], path
        assert page.evaluate("document.images.length === 0 || [...document.images].every("
                             "i => i.complete && i.naturalWidth > 0)"), path


def test_search_finds_a_body_by_its_alias_and_says_no_match(built_site, visit,
                                                            screenshot_dir) -> None:
    page, errors, _ = visit(built_site.site / "search.html")
    for alias in ("区社協", "社協", "ケアプラザ"):
        page.fill("#q", alias)
        first = page.locator("#search-results li a").first
        want = {"区社協": "区社会福祉協議会", "社協": "区社会福祉協議会",
                "ケアプラザ": "地域ケアプラザ"}[alias]
        assert first.inner_text() == want, alias
        if alias != "ケアプラザ":  # the result says which name matched
            assert alias in page.locator("#search-results li").first.inner_text()
    page.fill("#q", "ｚｚｑｘ存在しない語")
    status = page.locator("#search-status")
    assert status.is_visible() and "一致するものはありません" in status.inner_text()
    assert page.locator("#search-results li").count() == 0
    page.fill("#q", "認知症")  # partial matching over plan items and results
    assert page.locator("#search-results li").count() > 10
    page.screenshot(path=str(screenshot_dir / "site-search.png"))
    assert errors == []


def test_the_header_search_opens_results_and_a_body(built_site, visit) -> None:
    page, errors, _ = visit(built_site.site / "index.html")
    page.fill("#site-q", "区社協")
    page.press("#site-q", "Enter")
    page.wait_for_url("**/search.html?q=*")
    page.locator("#search-results li a").first.click()
    page.wait_for_url("**/bodies/*.html")
    assert page.locator("h1").inner_text() == "区社会福祉協議会"
    assert errors == []


def _tab_to(page, test: str, limit: int = 400) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return {test}; }})()"):
            return
    raise AssertionError(f"no focusable element where {test}")


def test_keyboard_alone_reaches_a_bodys_rows(built_site, visit) -> None:
    page, errors, _ = visit(built_site.site / "index.html")
    _tab_to(page, "e.getAttribute('href') === 'bodies/index.html'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/bodies/index.html")
    _tab_to(page, "e.innerText.trim() === '区社会福祉協議会'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/bodies/ward-social-welfare-council.html")
    _tab_to(page, "e.getAttribute('href') === '#rows'")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#rows"
    rows = page.locator("#rows tbody tr")
    assert rows.count() == int(page.locator("#rows-table").get_attribute("data-rows")) > 8
    assert rows.first.is_visible()
    _tab_to(page, "e.closest('#rows-table') !== null")  # the rows' own links take focus
    assert errors == []


def test_the_language_switch_changes_the_whole_interface(built_site, visit,
                                                         screenshot_dir) -> None:
    page, errors, _ = visit(built_site.site / "index.html")
    page.click("#lang-switch")
    assert page.evaluate("document.documentElement.lang") == "en"
    nav = page.locator("nav[aria-label=main]").inner_text()
    assert "Overview" in nav and "概要" not in nav
    assert "Status by pillar" in page.locator("#status").inner_text()
    assert page.title().endswith("collaboration data") and "Izumi" in page.title()
    hidden_ja = page.evaluate("[...document.querySelectorAll('.ja')].every("
                              "e => e.offsetParent === null)")
    assert hidden_ja
    page.screenshot(path=str(screenshot_dir / "site-overview-en.png"), full_page=True)
    page.goto((built_site.site / "bodies" / "index.html").resolve().as_uri())
    assert page.evaluate("document.documentElement.lang") == "en"  # kept for the next page
    assert "Bodies and partners" in page.locator("h1").inner_text()
    page.click("#lang-switch")
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert errors == []


def test_hostile_text_from_the_report_shows_as_text(hostile_site, visit) -> None:
    for name in ("rows.html", "index.html", "search.html"):
        page, errors, dialogs = visit(hostile_site.site / name,
                                      "?q=認知症サポーター" if name == "search.html" else "")
        assert dialogs == [] and errors == [], name
        if name == "rows.html":
            body = page.locator("main").inner_text()
            assert body.count(hostile_site.hostile) == 2  # plan item and result, as text
            assert page.evaluate("document.querySelectorAll('main img').length") == 0
    page, errors, dialogs = visit(hostile_site.site / "search.html", "?q=alert")
    assert page.locator("#search-results li").count() >= 1
    assert hostile_site.hostile in page.locator("#search-results").inner_text()
    assert dialogs == [] and errors == []


def test_screenshots_of_the_main_pages(built_site, visit, screenshot_dir) -> None:
    """Not a check of looks: the pages render at desktop and phone widths (for people to look
    at), and a phone shows the row tables as cards without horizontal scrolling."""
    for name in ("index.html", "bodies/ward-social-welfare-council.html", "metrics.html",
                 "downloads.html", "queries.html"):
        page, errors, _ = visit(built_site.site / name)
        page.screenshot(path=str(screenshot_dir / f"site-{name.replace('/', '-')}.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, name
        page.screenshot(path=str(screenshot_dir / f"site-phone-{name.replace('/', '-')}.png"))
        assert errors == []


CONTRAST = """() => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(c => { c /= 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); })
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => { for (; el; el = el.parentElement) {
    const v = rgb(getComputedStyle(el).backgroundColor);
    if (v.length < 4 || v[3] > 0) return v.slice(0, 3); } return [255, 255, 255]; };
  const bad = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el.getClientRects().length) continue;
    const st = getComputedStyle(el), a = lum(rgb(st.color).slice(0, 3)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(st.fontSize);
    const large = size >= 24 || (+st.fontWeight >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5))
      bad.push(node.textContent.trim().slice(0, 30) + ' ' + ratio.toFixed(2));
  }
  return bad;
}"""


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_text_contrast_passes_wcag_aa(built_site, visit, lang) -> None:
    for name in ("index.html", "bodies/ward-social-welfare-council.html", "search.html",
                 "metrics.html"):
        page, errors, _ = visit(built_site.site / name, f"?q=社協&lang={lang}")
        assert page.evaluate(CONTRAST) == [], name
        assert errors == []
    # the check can fail: light grey text on white is caught
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', "
                  "'<p style=\\'color:#aaa\\'>faint</p>')")
    assert [b for b in page.evaluate(CONTRAST) if b.startswith("faint")]


def test_pages_print_on_a4_without_the_navigation(built_site, visit, tmp_path) -> None:
    page, errors, _ = visit(built_site.site / "bodies" / "ward-social-welfare-council.html")
    page.emulate_media(media="print")
    assert page.locator("header.site-header").is_hidden()
    assert page.locator("#rows tbody tr").first.is_visible()
    assert "を加工して作成" in page.locator("footer").inner_text()  # the credit is printed
    pdf = tmp_path / "body.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=False)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    assert errors == []


def test_a_long_row_table_can_be_filtered_by_text(built_site, visit) -> None:
    page, errors, _ = visit(built_site.site / "rows.html")
    rows = page.locator("#rows-table tbody tr:not([hidden])")
    total = rows.count()
    page.fill("#rows-table-filter", "中止")
    shown = rows.count()
    texts = rows.all_inner_texts()
    assert 0 < shown < total and all("中止" in t for t in texts)
    page.fill("#rows-table-filter", "")
    assert rows.count() == total
    assert errors == []
