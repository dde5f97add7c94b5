"""The review page's model and page (viz/review.py), the runner-up candidates behind it
(graph/report/segment.py `initiative_candidates`), the `status` field of corrections files,
and `welfare-kg review` on bad input. The page in a browser:
tests/browser/test_review_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from welfare_kg.cli import main
from welfare_kg.errors import VocabularyError
from welfare_kg.graph.report import (
    extract_report,
    flagged_rows,
    load_corrections,
    read_source,
    review_score,
)
from welfare_kg.graph.report.extract import segment_pages
from welfare_kg.paths import DATA_DIR, DEFAULT_REPORT
from welfare_kg.viz import review_model
from welfare_kg.viz.review import STRINGS, page_data, render_review, strings

BUNDLED_CORRECTIONS = DATA_DIR / "corrections" / "izumi-wakuwaku-fy2021-report.yaml"


@pytest.fixture(scope="module")
def method():
    return extract_report(DEFAULT_REPORT, corrections=False, candidates=True)


@pytest.fixture(scope="module")
def model():
    return review_model(DEFAULT_REPORT)


def test_candidates_are_every_initiative_of_the_page_scored_like_the_confidence(method):
    # the chosen initiative's candidate share is the segmentation's posterior share, of which
    # the row's confidence is made (lowered for unusually long runs, graph/report/review.py)
    shares_of = {line: a.share for line, a in segment_pages(DEFAULT_REPORT).items()}
    for row in method.rows:
        found = method.candidates[row.line]
        page = next(p for p in method.pages if p.number == row.page)
        texts = [t for t, _ in found.initiatives]
        assert sorted(texts, key=str) == sorted([i.text for i in page.initiatives] + [None],
                                                key=str)
        shares = [s for _, s in found.initiatives]
        assert shares == sorted(shares, reverse=True)
        assert dict(found.initiatives)[row.initiative] == pytest.approx(shares_of[row.line],
                                                                        abs=1e-3)
        assert row.confidence <= shares_of[row.line] + 1e-3
        assert sum(shares) == pytest.approx(1.0, abs=0.01)


def test_candidates_leave_the_records_alone(method):
    plain = extract_report(DEFAULT_REPORT, corrections=False)
    assert plain.to_json() == method.to_json()
    assert plain.candidates == {}


def test_runner_ups_point_at_the_errors(method):
    """On rows whose initiative the reading gives otherwise, the reading's initiative is a
    listed candidate with a real share more often than not: the list helps the reviewer."""
    reading = {}
    for path in sorted((Path(__file__).parent / "data" / "reading").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            reading[r["line"]] = r
    wrong = [r for r in method.rows if r.line in reading and r.initiative is not None
             and reading[r.line]["initiative"] and r.initiative != reading[r.line]["initiative"]]
    assert len(wrong) > 10
    second = sum(
        1 for r in wrong
        if dict(method.candidates[r.line].initiatives).get(reading[r.line]["initiative"], 0) > 0.05
    )
    assert second / len(wrong) > 0.5


def test_model_lists_the_flagged_rows_worst_first(model):
    rows = extract_report(DEFAULT_REPORT, corrections=False).rows
    assert [r.line for r in model.rows] == [r.line for r in flagged_rows(rows)]
    assert [r.rank for r in model.rows] == list(range(1, len(model.rows) + 1))
    scores = [r.score for r in model.rows]
    assert scores == sorted(scores)
    assert model.total_rows == len(rows) and len(model.rows) <= len(rows) // 4
    by_line = {r.line: r for r in rows}
    for r in model.rows:
        assert r.score == review_score(by_line[r.line])
        assert sum(c.chosen for c in r.candidates) == 1
        page = model.pages[r.page]
        assert page.first_line <= r.line <= r.end_line < page.first_line + len(page.lines)
        if r.body_source == "merged":
            cell = next(c for c in r.cells if c.chosen)
            assert list(cell.bodies) == list(r.bodies)
            assert r.body_lines == (cell.line, cell.end_line)
        if r.body_source == "own":
            assert r.body_lines == (r.line, r.end_line)


def test_model_is_bound_to_the_text_hash(model):
    sha = read_source(DEFAULT_REPORT).text_sha256
    assert model.text_sha256 == sha
    data = page_data(model)
    assert data["sha256"] == sha and data["storageKey"].endswith(sha)
    assert data["statuses"] == ["implemented", "partial", "cancelled", "postponed", "ongoing"]


def test_page_is_self_contained_escaped_and_deterministic(model):
    html = render_review(model)
    assert html == render_review(review_model(DEFAULT_REPORT))
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(", html)
    assert "--accent" in html and "welfare-kg-lang" in html  # the site's style and switch
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
    assert len(scripts) == 2
    data = json.loads(scripts[0])
    assert [r["line"] for r in data["rows"]] == [r.line for r in model.rows]
    for r in model.rows:
        assert f'id="row-{r.key}"' in html


def test_every_string_has_both_languages_and_every_status_rule_a_label():
    from welfare_kg.graph.report.outcomes import DECISIONS

    text = strings()
    assert all(forms["ja"] and forms["en"] for forms in text.values())
    assert {f"status_rule_{d}" for d in DECISIONS} <= set(text)
    used = set(re.findall(r"""\b(?:t|attr)\('([a-z_]+[a-z])'""",
                          (STRINGS.parent / "review.html").read_text(encoding="utf-8")))
    assert used <= set(text)
    assert {f"source_{s}" for s in ("own", "merged", "nearest", "correction", "none")} <= set(text)


def test_existing_corrections_are_applied_and_carried_over():
    model = review_model(DEFAULT_REPORT, BUNDLED_CORRECTIONS)
    cset = load_corrections(BUNDLED_CORRECTIONS)
    assert [e["row"]["item"] for e in model.existing] == [c.item for c in cset.corrections]
    assert [e["reason"] for e in model.existing] == [c.reason for c in cset.corrections]
    assert model.corrections_file == BUNDLED_CORRECTIONS.name
    corrected = {r.line for r in extract_report(DEFAULT_REPORT, corrections=BUNDLED_CORRECTIONS)
                 .rows if r.corrections and r.confidence == 1.0 and r.status_confidence == 1.0}
    assert not corrected & {r.line for r in model.rows}


# ------------------------------------------------------------------ status in corrections


def _corrections(tmp_path: Path, entries: str, sha: str | None = None) -> Path:
    sha = sha or read_source(DEFAULT_REPORT).text_sha256
    path = tmp_path / "c.yaml"
    path.write_text(f"source:\n  text_sha256: '{sha}'\ncorrections:\n{entries}", encoding="utf-8")
    return path


def test_a_status_correction_overrides_the_rules(tmp_path):
    rows = extract_report(DEFAULT_REPORT, corrections=False).rows
    row = next(r for r in rows if r.status == "implemented")
    path = _corrections(tmp_path, f"- row: {{item: {json.dumps(row.items[0])}, line: {row.line}}}"
                        "\n  status: cancelled\n  reason: read by hand\n")
    fixed = next(r for r in extract_report(DEFAULT_REPORT, corrections=path).rows
                 if r.line == row.line)
    assert (fixed.status, fixed.status_confidence) == ("cancelled", 1.0)
    assert fixed.corrections == ["read by hand"]


def test_an_unknown_status_is_refused_naming_the_entry(tmp_path, capsys):
    path = _corrections(tmp_path, "- row: {item: 認知症}\n  status: done\n  reason: x\n")
    with pytest.raises(VocabularyError, match=r"c\.yaml#1: status 'done' is not one of"):
        load_corrections(path)
    assert main(["extract", "--corrections", str(path), "-o", str(tmp_path / "o.json")]) == 2
    assert not (tmp_path / "o.json").exists()


# ------------------------------------------------------------------ the command


def test_review_command_writes_the_page(tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["review", str(DEFAULT_REPORT), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert re.search(r"\d+ of \d+ rows to check", err)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_review_refuses_corrections_for_another_text(tmp_path, capsys):
    other = _corrections(tmp_path, "- row: {item: 認知症}\n  status: implemented\n  reason: x\n",
                         sha="0" * 64)
    out = tmp_path / "r.html"
    assert main(["review", str(DEFAULT_REPORT), "--corrections", str(other), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "0" * 64 in err and read_source(DEFAULT_REPORT).text_sha256 in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("args", [["/nonexistent/report.txt"], [str(DEFAULT_REPORT), "-o", "/"]])
def test_review_bad_input_is_one_line_and_exit_2(args, tmp_path, capsys):
    assert main(["review", *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_choice_keys_match_the_script_and_leave_the_commands_free():
    """The keys the page prints beside each choice are the ones its script acts on, and no
    choice key is also a command (next, previous, type, reason, undo, hide)."""
    from welfare_kg.viz.review import _KEYS, ASSETS

    script = (ASSETS / "review.js").read_text(encoding="utf-8")
    found = re.search(r'var KEYS = \{ initiative: "(\w+)", status: "(\w+)", bodies: "(\w+)" \}',
                      script)
    assert found and found.groups() == (_KEYS["initiative"], _KEYS["status"], _KEYS["bodies"])
    keys = "".join(_KEYS.values())
    assert len(set(keys)) == len(keys)
    assert not set(keys) & set("jkibmuh")
