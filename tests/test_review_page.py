"""The review page's HTML and data (viz/review.py), without a browser: each printed page's
text travels once (the script builds a card's excerpt from it), every card knows the row
above it (what a merge joins it to), and every message the script writes has both
languages. The page in a real browser is tests/browser/test_review_browser.py."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter

import pytest
from markupsafe import escape

from welfare_kg.graph.report import extract_report
from welfare_kg.paths import DEFAULT_REPORT
from welfare_kg.viz import review_model
from welfare_kg.viz.review import ASSETS, page_data, render_review
from welfare_kg.viz.site.render import script_json


@pytest.fixture(scope="module")
def model():
    return review_model(DEFAULT_REPORT)


def test_each_page_is_stored_once(model):
    html = render_review(model)
    data = page_data(model)
    shared = Counter(r.page for r in model.rows)
    page, _ = shared.most_common(1)[0]
    assert shared[page] > 1  # several cards show this page
    lines = data["pages"][str(page)]["lines"]
    assert lines == list(model.pages[page].lines)
    longest = max((t for t in lines if not set(t) & set("<>&\"\\")), key=len)
    assert html.count(str(script_json(longest))) == 1
    assert html.count(longest) == 1  # only there: not in the cards' HTML
    assert set(data["pages"]) == {str(r.page) for r in model.rows}
    assert not re.search(r'<pre class="page-text"[^>]*>[^<]', html)  # built by the script


def test_cards_know_the_row_above_and_their_marked_lines(model):
    rows = extract_report(DEFAULT_REPORT, corrections=False, candidates=True).rows
    before = {b.line: a for a, b in itertools.pairwise(rows)}
    data = {r["key"]: r for r in page_data(model)["rows"]}
    for r in model.rows:
        above = before.get(r.line)
        card = data[r.key]
        if above is None:
            assert card["previous"] is None
            continue
        assert card["previous"] == {"page": above.page, "line": above.line,
                                    "end_line": above.end_line, "item": above.items[0]}
        marks = {line: cls for line, cls, _ in card["marks"]}
        assert all(marks[n] == "row" for n in range(r.line, r.end_line + 1))
        if above.page == r.page:
            assert marks[above.line] == "prev"
        for c in r.candidates:
            if c.lines:
                assert marks[c.lines[0]] in {"init", "row", "cell"}
    index = page_data(model)["rowIndex"]
    assert [line for line, _ in index] == [r.line for r in rows]


def test_every_message_of_the_script_has_both_languages(model):
    script = (ASSETS / "review.js").read_text(encoding="utf-8")
    used = set(re.findall(r'(?:bilingual|report)\((?:"\w+", )?"(\w+)"', script))
    used |= set(re.findall(r'\["(\w+)", \{', script)) | {"conflict_here", "conflict_file"}
    strings = page_data(model)["strings"]
    assert used and used <= set(strings)
    assert all(forms["ja"] and forms["en"] for forms in strings.values())
    for key, forms in strings.items():  # the same placeholders in both languages
        assert sorted(re.findall(r"\{\w+\}", forms["ja"])) == \
            sorted(re.findall(r"\{\w+\}", forms["en"])), key
    json.dumps(strings)


def test_initiatives_and_action_plans_carry_their_english_titles(model):
    """The English view names each candidate initiative and the action plan in English too
    (the team's titles in data/initiatives.yaml and data/outline.yaml), beside the printed
    Japanese the reviewer compares with the page."""
    from welfare_kg.datafiles import load_yaml, normalize
    from welfare_kg.paths import DATA_DIR

    english = {normalize(e["ja"]): e["en"]
               for e in load_yaml(DATA_DIR / "initiatives.yaml")["initiatives"]}
    named = [c for r in model.rows for c in r.candidates if c.text]
    assert named and all(c.text_en == english.get(normalize(c.text), "") for c in named)
    assert sum(bool(c.text_en) for c in named) > len(named) // 2
    assert all(r.action_plan_en for r in model.rows if r.action_plan)
    html = render_review(model)
    for c in {c.text_en for c in named if c.text_en}:
        assert f'<span class="en title-en" lang="en">{escape(c)}</span>' in html
