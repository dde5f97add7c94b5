"""The review loop in real headless Chromium (offline): a modified copy of the bundled report
→ `welfare-kg review` → a reviewer at the keyboard gives the hand reading's answers for the
flagged rows → the page's saved corrections file → `extract --corrections` gives the
reading's answers for those rows. Also: progress survives a reload, hostile report text stays
text, and what the page writes loads back exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from review_fixtures import modified_report, reading_by_items, row_keys

from welfare_kg.cli import main
from welfare_kg.datafiles import normalize
from welfare_kg.graph.report import extract_report, load_corrections, read_source
from welfare_kg.paths import DEFAULT_REPORT

pytestmark = pytest.mark.integration

KEYS = {"initiative": "1234567890", "status": "qwert", "bodies": "asdfg"}


@pytest.fixture
def open_review(browser_context, screenshot_dir):
    """open_review(path) -> page, once the page's script has run; network refused."""
    pages = []

    def _open(path: Path):
        page = browser_context.new_page()
        pages.append(page)
        errors: list[str] = []
        blocked: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(Path(path).resolve().as_uri())
        page.wait_for_selector("body[data-ready=true]", state="attached", timeout=30_000)
        page.errors, page.blocked = errors, blocked
        return page

    yield _open
    for page in pages:
        page.close()


def _flat(text: str | None) -> str:
    return normalize(text or "")


def _same_bodies(a: list[str], b: list[str]) -> bool:
    return sorted(map(_flat, a)) == sorted(map(_flat, b))


def _answer(page, row: dict, truth: dict | None) -> bool:
    """Give the reading's answers for the active row with the keyboard; True when changed."""
    assert page.evaluate("document.querySelector('li.card.active').dataset.key") == row["key"]
    if truth is None:  # a row the reading does not have (an end-block bullet): confirm
        page.keyboard.press("Enter")
        return False
    changed = False
    wanted = truth["initiative"]
    index = next((k for k, c in enumerate(row["candidates"]) if _flat(c) == _flat(wanted)
                  and (c is None) == (wanted is None)), None)
    if index is not None and index < len(KEYS["initiative"]):
        page.keyboard.press(KEYS["initiative"][index])
    else:
        page.keyboard.press("i")
        page.keyboard.insert_text(wanted)
        page.keyboard.press("Escape")
    changed |= _flat(wanted) != _flat(row["initiative"]) or (wanted is None) != (
        row["initiative"] is None)
    page.keyboard.press(KEYS["status"][STATUSES.index(truth["status"])])
    changed |= truth["status"] != row["status"]
    if not _same_bodies(truth["bodies"], row["bodies"]):
        changed = True
        others = [k for k in range(len(row["cells"])) if k != row["cell"]]  # as listed
        cell = next((n for n, k in enumerate(others)
                     if _same_bodies(row["cells"][k], truth["bodies"])), None)
        if row["bodySource"] != "own" and cell is not None and cell + 1 < len(KEYS["bodies"]):
            page.keyboard.press(KEYS["bodies"][cell + 1])
        else:
            page.keyboard.press("b")
            page.keyboard.insert_text("、".join(truth["bodies"]))
            page.keyboard.press("Escape")
    if changed:
        page.keyboard.press("Enter")  # refused without a reason: the reason field opens
        assert page.evaluate("document.activeElement.classList.contains('reason-text')")
        page.keyboard.insert_text(f"手で読んだ結果 (hand reading, line {truth['line']})")
    page.keyboard.press("Enter")
    return changed


STATUSES = ("implemented", "partial", "cancelled", "postponed", "ongoing")


def test_review_loop_gives_the_reading(open_review, tmp_path):
    report, changes = modified_report(tmp_path)
    assert changes["moved"] and changes["reworded"] > 20 and changes["dropped_rows"]
    html = tmp_path / "review.html"
    assert main(["review", str(report), "-o", str(html)]) == 0
    page = open_review(html)
    data = json.loads(page.evaluate("document.getElementById('review-data').textContent"))
    assert data["statuses"] == list(STATUSES)
    rows = data["rows"]
    method = extract_report(report, corrections=False)
    truth_of = dict(zip((r.line for r in method.rows),
                        row_keys([r.items for r in method.rows]), strict=True))
    reading = reading_by_items()
    assert 0 < len(rows) <= len(method.rows) // 4

    half = len(rows) // 2
    changed = 0
    for row in rows[:half]:
        changed += _answer(page, row, reading.get(truth_of[row["line"]]))
    # Closing the page loses nothing: a new page on the same file shows the same progress.
    page.close()
    page = open_review(html)
    assert page.evaluate("document.querySelector('.n-done').textContent") == str(half)
    done = page.evaluate("[...document.querySelectorAll('li.card')].filter("
                         "c => c.dataset.state === 'done').map(c => c.dataset.key)")
    assert done == [r["key"] for r in rows[:half]]
    for row in rows[half:]:
        changed += _answer(page, row, reading.get(truth_of[row["line"]]))
    assert page.evaluate("document.querySelector('.n-done').textContent") == str(len(rows))
    assert changed >= len(rows) // 4  # the flagged rows do hold the method's errors
    page.screenshot(path=str(tmp_path / "review-done.png"))
    with page.expect_download() as info:
        page.keyboard.press("Control+s")
    saved = tmp_path / "saved.yaml"
    info.value.save_as(saved)
    assert info.value.suggested_filename == "izumi-modified-report.corrections.yaml"
    assert page.errors == [] and page.blocked == []

    cset = load_corrections(saved)
    assert cset.sha256 == read_source(report).text_sha256
    assert len(cset.corrections) == len(rows)
    fixed = {r.line: r for r in extract_report(report, corrections=saved).rows}
    for row in rows:
        truth = reading.get(truth_of[row["line"]])
        got = fixed[row["line"]]
        assert got.confidence == 1.0 and got.status_confidence == 1.0
        if truth is None:
            continue
        assert (_flat(got.initiative), got.status) == (_flat(truth["initiative"]),
                                                       truth["status"]), row["line"]
        assert (got.initiative is None) == (truth["initiative"] is None)
        assert _same_bodies(got.bodies, truth["bodies"]), row["line"]
    unreviewed = {r.line for r in method.rows} - {r["line"] for r in rows}
    for line in unreviewed:  # the file touches the reviewed rows only
        before = next(r for r in method.rows if r.line == line)
        assert (fixed[line].initiative, fixed[line].status) == (before.initiative, before.status)
    assert main(["corrections", "check", str(saved), str(report)]) == 0

    # The next round starts from the saved file: its rows leave the list and are carried on.
    again = tmp_path / "again.html"
    assert main(["review", str(report), "--corrections", str(saved), "-o", str(again)]) == 0
    page = open_review(again)
    data2 = json.loads(page.evaluate("document.getElementById('review-data').textContent"))
    assert not {r["line"] for r in rows} & {r["line"] for r in data2["rows"]}
    assert len(data2["existing"]) == len(rows)
    with page.expect_download() as info:
        page.click("#save")
    resaved = tmp_path / "resaved.yaml"
    info.value.save_as(resaved)
    assert [(c.item, c.changes) for c in load_corrections(resaved).corrections] == [
        (c.item, c.changes) for c in cset.corrections]


# Markup, a template expression and quotes, with no space (the extractor splits a bullet's
# line at a space into item and result).
HOSTILE = '</script><script>alert(1)</script><img/src=x/onerror=alert(2)>"\'&amp;{{7*7}}${x}'
# Characters YAML reads as line breaks or refuses unescaped: typed by the reviewer.
ODD = "\u2028\u2029\u0085\ufeff\x7f\x9f\ufffe\t#: - [x] {y} *a &b !c %d @e `f"


def test_hostile_text_stays_text_and_round_trips(open_review, tmp_path):
    """Report text that looks like markup is shown as text, runs nothing, and what the page
    writes back into the corrections file is the same string."""
    from welfare_kg.graph.report import flagged_rows

    method = extract_report(DEFAULT_REPORT, corrections=False)
    target = next(r for r in flagged_rows(method.rows) if r.result)
    lines = DEFAULT_REPORT.read_text(encoding="utf-8").split("\n")
    first = target.items[0][:6]
    k = next(k for k in range(target.line - 1, target.end_line) if first in lines[k])
    lines[k] = lines[k].replace(first, first + HOSTILE, 1)
    report = tmp_path / "hostile-report.txt"
    report.write_text("\n".join(lines), encoding="utf-8")
    html = tmp_path / "review.html"
    assert main(["review", str(report), "-o", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "<img/src" not in text
    page = open_review(html)
    card = page.locator(f"#row-{target.line}")
    assert first + HOSTILE in card.locator(".texts dd").first.inner_text()
    assert page.evaluate("document.querySelectorAll('script').length") == 2
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    page.evaluate(f"document.getElementById('row-{target.line}').click()")
    page.keyboard.press("i")
    page.keyboard.insert_text("取組" + HOSTILE + ODD)
    page.keyboard.press("m")  # typing: m is text here
    page.keyboard.press("Escape")
    page.keyboard.press("m")
    page.keyboard.insert_text("理由 " + HOSTILE)
    page.keyboard.press("Enter")
    saved = tmp_path / "saved.yaml"
    with page.expect_download() as info:
        page.keyboard.press("Control+s")
    info.value.save_as(saved)
    assert page.errors == [] and page.blocked == []
    entry = load_corrections(saved).corrections[0]
    assert entry.item == target.items[0].replace(first, first + HOSTILE, 1)
    assert entry.changes["initiative"] == "取組" + HOSTILE + ODD + "m"
    assert entry.reason == "理由 " + HOSTILE
    fixed = {r.line: r for r in extract_report(report, corrections=saved).rows}
    assert fixed[target.line].initiative == "取組" + HOSTILE + ODD + "m"


def test_written_file_keeps_the_existing_corrections_in_place(open_review, tmp_path):
    """What the page writes, exactly: a header, the source bound to the text hash, the
    corrections file it was given (every field: action plans, merges, statuses) in its order
    with a reviewed row's entry in place of that row's old one, then new rows by line."""
    bundled = DEFAULT_REPORT.parent / "corrections" / "izumi-wakuwaku-fy2021-report.yaml"
    html = tmp_path / "review.html"
    assert main(["review", str(DEFAULT_REPORT), "--corrections", str(bundled),
                 "-o", str(html)]) == 0
    page = open_review(html)
    data = json.loads(page.evaluate("document.getElementById('review-data').textContent"))
    empty = page.evaluate("welfareReview.corrections()")
    sha = read_source(DEFAULT_REPORT).text_sha256
    assert f'source:\n  file: "{DEFAULT_REPORT.name}"\n  text_sha256: "{sha}"\n' in empty
    path = tmp_path / "same.yaml"
    path.write_text(empty, encoding="utf-8")
    old = load_corrections(bundled).corrections
    assert [(c.item, c.line, c.changes, c.reason) for c in load_corrections(path).corrections] \
        == [(c.item, c.line, c.changes, c.reason) for c in old]

    page.fill("#reviewer", "山田")
    page.keyboard.press("Escape")  # out of the field: keys act on the rows again
    first, second = data["rows"][0], data["rows"][1]
    page.keyboard.press("Enter")  # first: confirmed as extracted
    assert page.evaluate("document.querySelector('li.card.active').dataset.key") == second["key"]
    page.keyboard.press("t")  # second: ongoing, with a reason
    page.keyboard.press("m")
    page.keyboard.insert_text("継続中と読む")
    page.keyboard.press("Enter")
    path.write_text(page.evaluate("welfareReview.corrections()"), encoding="utf-8")
    assert "# Reviewer: 山田\n" in path.read_text(encoding="utf-8")
    got = load_corrections(path).corrections
    assert [c.item for c in got[:len(old)]] == [c.item for c in old]
    new = got[len(old):]
    assert [c.line for c in new] == sorted([first["line"], second["line"]])
    by_line = {c.line: c for c in new}
    assert by_line[first["line"]].changes["initiative"] == first["initiative"]
    assert by_line[first["line"]].changes["status"] == first["status"]
    assert by_line[first["line"]].reason == "確認済み（抽出どおり） (confirmed as extracted) [山田]"
    assert by_line[second["line"]].changes["status"] == "ongoing"
    assert by_line[second["line"]].reason == "継続中と読む [山田]"
    page.keyboard.press("h")  # hide the checked rows: the two leave the list, the rest stay
    hidden = page.evaluate("[...document.querySelectorAll('li.card')].filter("
                           "c => c.offsetParent === null).map(c => c.dataset.key)")
    assert sorted(hidden) == sorted([first["key"], second["key"]])
    assert page.evaluate("document.querySelector('li.card.active').offsetParent !== null")
    page.keyboard.press("k")  # moving skips hidden rows
    assert page.evaluate("document.querySelector('li.card.active').dataset.key") not in hidden
    assert page.errors == []


def test_kept_answers_are_shown_by_value(open_review, tmp_path):
    """A kept decision shows the candidate it names, not the position it had: a page written
    again after the method changed may list the candidates in another order."""
    html = tmp_path / "review.html"
    assert main(["review", str(DEFAULT_REPORT), "-o", str(html)]) == 0
    page = open_review(html)
    data = json.loads(page.evaluate("document.getElementById('review-data').textContent"))
    row = next(r for r in data["rows"] if len(r["candidates"]) > 2)
    kept = {"reviewer": "", "rows": {row["key"]: {
        "item": row["item"], "line": row["line"], "initiative": "0",
        "initiativeValue": row["candidates"][2], "initiativeText": "", "status": "postponed",
        "bodies": "keep", "bodiesValue": None, "bodiesText": "", "reason": "r",
        "done": False, "entry": None}}}
    page.evaluate(f"localStorage.setItem({json.dumps(data['storageKey'])}, "
                  f"{json.dumps(json.dumps(kept, ensure_ascii=False))})")
    page.reload()
    page.wait_for_selector("body[data-ready=true]", state="attached")
    picked = page.evaluate(
        f"document.querySelector('input[name=\"init-{row['key']}\"]:checked').value")
    assert picked == "2"
    assert page.evaluate(f"document.getElementById('row-{row['key']}').dataset.state") == "draft"
    assert page.errors == []
