"""The review loop in real headless Chromium (offline): a modified copy of the bundled report
→ `welfare-kg review` → a reviewer at the keyboard gives the hand reading's answers for the
flagged rows → the page's saved corrections file → `extract --corrections` gives the
reading's answers for those rows. Also: progress survives a reload, hostile report text stays
text, and what the page writes loads back exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from review_fixtures import modified_report, reading_by_items, row_keys

from welfare_kg.cli import main
from welfare_kg.datafiles import normalize
from welfare_kg.graph.report import extract_report, load_corrections, read_source
from welfare_kg.paths import DEFAULT_REPORT
from welfare_kg.viz.site.render import script_json

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
    # Each card's printed lines are built from the page's text when the card comes near;
    # the active card's show its row's lines marked.
    built = "document.querySelectorAll('li.card pre.page-text[data-built]').length"
    assert 0 < page.evaluate(built) < len(rows)
    marked = page.evaluate("[...document.querySelectorAll('li.card.active pre .ln.row')]"
                           ".map(l => Number(l.dataset.line))")
    assert marked[0] == rows[0]["line"] and marked == list(range(marked[0], marked[-1] + 1))

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
    got_lines = page.evaluate("[...document.querySelectorAll('li.card')].filter(c => "
                              "c.querySelector('pre[data-built]')).map(c => c.dataset.key)")
    assert {r["key"] for r in rows[half:]} <= set(got_lines)  # each visited card got its lines
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


@pytest.mark.parametrize("seed", [1, 5])
def test_review_loop_on_a_seeded_modified_copy(open_review, tmp_path, seed):
    """A copy the list was not fitted on (scripts/modify_report.py: all nine kinds of change,
    merged cells and dropped bullets among them): the keyboard gives the carried reading's
    answers for every flagged row, and the saved file makes extraction give them."""
    from review_fixtures import modified_copy

    copy = modified_copy(seed)
    report = copy.write(tmp_path / f"modified-{seed}.txt")
    assert copy.changes["merged_cell"] and copy.changes["drop_page"]
    html = tmp_path / "review.html"
    assert main(["review", str(report), "-o", str(html)]) == 0
    page = open_review(html)
    rows = json.loads(page.evaluate("document.getElementById('review-data').textContent"))["rows"]
    method = extract_report(report, corrections=False).rows
    assert 0 < len(rows) <= len(method) // 4
    changed = sum(_answer(page, row, copy.reading.get(row["line"])) for row in rows)
    assert changed >= len(rows) // 4
    with page.expect_download() as info:
        page.keyboard.press("Control+s")
    saved = tmp_path / "saved.yaml"
    info.value.save_as(saved)
    assert page.errors == [] and page.blocked == []
    fixed = {r.line: r for r in extract_report(report, corrections=saved).rows}
    for row in rows:
        truth = copy.reading.get(row["line"])
        if truth is None:
            continue
        got = fixed[row["line"]]
        assert (_flat(got.initiative), got.status) == (_flat(truth["initiative"]),
                                                       truth["status"]), row["line"]
        assert _same_bodies(got.bodies, truth["bodies"]), row["line"]


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
    assert text.count(str(script_json(lines[k]))) == 1  # the printed line, once, in the JSON
    page = open_review(html)
    card = page.locator(f"#row-{target.line}")
    assert first + HOSTILE in card.locator(".texts dd").first.inner_text()
    page.evaluate(f"document.getElementById('row-{target.line}').click()")
    assert first + HOSTILE in card.locator(f"pre .ln[data-line='{k + 1}']").inner_text()
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
    written = saved.read_text(encoding="utf-8")
    assert page.evaluate("t => welfareReview.parse(t)", written) == yaml.safe_load(written)
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
    # The page reads back what it writes, as the extractor's YAML parser does (action plans,
    # merges and statuses of the bundled file included).
    assert page.evaluate("t => welfareReview.parse(t)", empty) == yaml.safe_load(empty)
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


# ------------------------------------------------------------------ reopening a saved file


def _review_page(open_review, tmp_path, report: Path = DEFAULT_REPORT):
    """The review page of `report` with no progress kept (the browser profile is shared by
    the tests, and a fresh profile is what another PC has)."""
    html = tmp_path / "review.html"
    assert main(["review", str(report), "-o", str(html)]) == 0
    page = open_review(html)
    data = json.loads(page.evaluate("document.getElementById('review-data').textContent"))
    _forget(page, data)
    return page, data


def _forget(page, data) -> None:
    page.evaluate(f"localStorage.removeItem({json.dumps(data['storageKey'])})")
    page.reload()
    page.wait_for_selector("body[data-ready=true]", state="attached")


def _save(page, path: Path) -> Path:
    with page.expect_download() as info:
        page.click("#save")
    info.value.save_as(path)
    return path


def _open_file(page, path: Path) -> str:
    """Open `path` with the page's file button; returns the message shown."""
    page.evaluate("document.getElementById('file-result').hidden = true")
    page.set_input_files("#open-file-input", str(path))
    page.wait_for_selector("#file-result:not([hidden]), #file-conflicts:not([hidden])")
    return page.evaluate("document.getElementById('file-result').hidden ? '' : "
                         "document.querySelector('#file-result .file-message').textContent")


def _drop_file(page, name: str, text: str) -> str:
    """Drop a file on the page, as a file manager's drag and drop does."""
    page.evaluate("document.getElementById('file-result').hidden = true")
    page.evaluate("""([name, text]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], name, {type: "application/x-yaml"}));
        const main = document.querySelector("main");
        for (const type of ["dragenter", "dragover", "drop"]) {
          main.dispatchEvent(new DragEvent(type, {dataTransfer: dt, bubbles: true,
                                                  cancelable: true}));
        }
    }""", [name, text])
    page.wait_for_selector("#file-result:not([hidden]), #file-conflicts:not([hidden])")
    assert page.evaluate("document.getElementById('drop-hint').hidden")
    return page.evaluate("document.getElementById('file-result').hidden ? '' : "
                         "document.querySelector('#file-result .file-message').textContent")


def _state(page, key: str) -> str:
    return page.evaluate(f"document.getElementById('row-{key}').dataset.state")


def _checked(page, key: str, field: str) -> str:
    return page.evaluate(f"document.querySelector('input[name=\"{field}-{key}\"]:checked').value")


def _entries(path: Path) -> list:
    return [(c.item, c.line, c.changes, c.reason) for c in load_corrections(path).corrections]


def _activate(page, key: str) -> None:
    page.evaluate(f"document.getElementById('row-{key}').click()")
    assert page.evaluate("document.querySelector('li.card.active').dataset.key") == key


def test_a_saved_file_reopens_on_another_pc_and_meets_the_progress_there(open_review, tmp_path):
    """Saved on one PC, opened on another (no progress kept there): the cards show the file's
    answers, marked as from the file with their reasons, and saving again gives the same file.
    Where the two disagree the page asks, and the reviewer's pick stands; cancel changes
    nothing. A row merged into the row above travels too, and the extractor merges it."""
    page, data = _review_page(open_review, tmp_path)
    rows = data["rows"]
    first, second = rows[0], rows[1]
    third = next(r for r in rows[2:] if r["previous"])
    page.keyboard.press("Enter")  # first: confirmed as extracted
    status = next(s for s in STATUSES if s != second["status"])
    page.keyboard.press(KEYS["status"][STATUSES.index(status)])
    page.keyboard.press("m")
    page.keyboard.insert_text("結果を読み直した")
    page.keyboard.press("Enter")
    _activate(page, third["key"])
    page.keyboard.press("p")  # part of the row above
    assert page.evaluate(f"document.getElementById('row-{third['key']}').classList"
                         ".contains('merging')")
    page.keyboard.press("1")  # the other choices are off while merging
    page.keyboard.press("Enter")  # a merge is a change: refused without a reason
    assert page.evaluate("document.activeElement.classList.contains('reason-text')")
    page.keyboard.insert_text("上の行の続き")
    page.keyboard.press("Enter")
    saved = _save(page, tmp_path / "first-pc.yaml")
    entries = _entries(saved)
    assert len(entries) == 3
    merge = next(e for e in entries if e[1] == third["line"])
    assert merge[2] == {"merge_into_previous": True} and merge[3] == "上の行の続き"

    # The extractor merges the row into the one above it.
    method = extract_report(DEFAULT_REPORT, corrections=False).rows
    fixed = extract_report(DEFAULT_REPORT, corrections=saved).rows
    assert len(fixed) == len(method) - 1
    above = next(r for r in fixed if r.line == third["previous"]["line"])
    assert third["item"] in above.items and third["line"] not in {r.line for r in fixed}
    assert next(r for r in fixed if r.line == second["line"]).status == status

    # Another PC: nothing kept; open the file.
    _forget(page, data)
    assert page.evaluate("document.querySelector('.n-done').textContent") == "0"
    message = _open_file(page, saved)
    assert "first-pc.yaml" in message
    assert page.evaluate("document.querySelector('.n-done').textContent") == "3"
    assert [_state(page, r["key"]) for r in (first, second, third)] == ["done"] * 3
    assert _checked(page, second["key"], "status") == status
    assert page.evaluate(f"document.querySelector('#row-{third['key']} input.merge-box')"
                         ".checked")
    note = page.locator(f"#row-{second['key']} .from-file")
    assert note.is_visible() and "first-pc.yaml" in note.inner_text()
    assert "結果を読み直した" in note.inner_text()
    assert _entries(_save(page, tmp_path / "second-pc.yaml")) == entries
    # The file's answers are kept like the reviewer's own: a reload shows them.
    page.reload()
    page.wait_for_selector("body[data-ready=true]", state="attached")
    assert page.evaluate("document.querySelector('.n-done').textContent") == "3"
    assert _checked(page, second["key"], "status") == status

    # Opening the same file again asks nothing: the answers agree and stay as they are.
    same = "already checked here with the same answers (left as they are): 3"
    assert same in _open_file(page, saved)
    assert page.evaluate("document.getElementById('file-conflicts').hidden")

    # A different answer here: the page asks which stands.
    _activate(page, second["key"])
    mine = next(s for s in STATUSES if s not in (status, second["status"]))
    page.keyboard.press(KEYS["status"][STATUSES.index(mine)])
    page.keyboard.press("m")
    page.keyboard.insert_text("やはり別の状況")
    page.keyboard.press("Enter")
    assert _open_file(page, saved) == ""
    page.keyboard.press("Escape")  # the question's own cancel key
    assert page.evaluate("document.getElementById('file-conflicts').hidden")
    assert "nothing changed" in page.locator("#file-result").text_content()
    for pick, expected in (("cancel", mine), ("mine", mine), ("file", status)):
        assert _open_file(page, saved) == ""  # the question, not a message
        listed = page.locator("#file-conflicts li")
        assert listed.count() == 1 and str(second["line"]) in listed.inner_text()
        page.click(f"#file-conflicts button[data-pick={pick}]")
        assert page.evaluate("document.getElementById('file-conflicts').hidden")
        assert _checked(page, second["key"], "status") == expected, pick
        assert _state(page, second["key"]) == "done"
    assert _entries(_save(page, tmp_path / "third.yaml")) == entries
    page.evaluate("document.documentElement.setAttribute('data-lang', 'en')")
    page.screenshot(path=str(tmp_path / "review-opened-en.png"))
    assert page.errors == [] and page.blocked == []


def test_files_for_another_report_or_written_by_hand_are_refused(open_review, tmp_path):
    """A file bound to another report's text is refused naming both hashes; a file the page
    did not write (plain YAML by hand) is refused naming its line; nothing changes either
    way. A JSON file is read, and entries for rows not on the list are kept for the save."""
    page, data = _review_page(open_review, tmp_path)
    page.keyboard.press("Enter")
    before = page.evaluate("welfareReview.corrections()")
    ours = read_source(DEFAULT_REPORT).text_sha256
    other_report, _ = modified_report(tmp_path)
    theirs = read_source(other_report).text_sha256
    foreign = before.replace(ours, theirs)
    message = _drop_file(page, "colleague.yaml", foreign)
    assert "colleague.yaml" in message and ours in message and theirs in message
    assert page.evaluate("document.querySelector('#file-result').className") == "notice"
    assert page.evaluate("welfareReview.corrections()") == before
    assert page.evaluate("document.querySelector('.n-done').textContent") == "1"

    bundled = DEFAULT_REPORT.parent / "corrections" / "izumi-wakuwaku-fy2021-report.yaml"
    line = next(n for n, text in enumerate(bundled.read_text(encoding="utf-8").split("\n"),
                                           start=1) if text.strip().startswith("item:"))
    message = _open_file(page, bundled)
    assert f"{bundled.name}, line {line}:" in message and "--corrections" in message
    assert page.evaluate("welfareReview.corrections()") == before

    wrong_status = (f'source:\n  text_sha256: "{ours}"\ncorrections:\n- row:\n    item: "x"\n'
                    '  status: "done"\n  reason: "r"\n')
    for bad, why in ((b"\xff\xfe source", "UTF-8"), (wrong_status, "#1: status")):
        path = tmp_path / "bad.yaml"
        path.write_bytes(bad if isinstance(bad, bytes) else bad.encode())
        assert why in _open_file(page, path)
        assert page.evaluate("welfareReview.corrections()") == before

    flagged = {r["line"] for r in data["rows"]}
    method = extract_report(DEFAULT_REPORT, corrections=False).rows
    elsewhere = next(r for r in method if r.line not in flagged and r.items
                     and sum(x.items[0].startswith(r.items[0]) for x in method if x.items) == 1)
    doc = {"source": {"file": DEFAULT_REPORT.name, "text_sha256": ours}, "corrections": [
        {"row": {"item": elsewhere.items[0]}, "status": "cancelled", "reason": "JSONで"},
        {"row": {"item": "どの行にもない計画"}, "status": "ongoing", "reason": "行なし"}]}
    path = tmp_path / "from-a-script.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert len(load_corrections(path).corrections) == 2  # the extractor reads it too
    message = _open_file(page, path)
    assert "from-a-script.json" in message and "corrections check" in message
    resaved = _save(page, tmp_path / "with-json.yaml")
    got = {c.item: c for c in load_corrections(resaved).corrections}
    assert got[elsewhere.items[0]].changes == {"status": "cancelled"}
    assert got["どの行にもない計画"].reason == "行なし"
    assert len(got) == 3
    fixed = {r.line: r for r in extract_report(DEFAULT_REPORT, corrections=resaved).rows}
    assert fixed[elsewhere.line].status == "cancelled"
    assert page.errors == [] and page.blocked == []
