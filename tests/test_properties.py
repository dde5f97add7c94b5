"""Property-based tests (Hypothesis): the extractor on generated tables of the report's format
and on arbitrary text, IRI slug minting, query limits and parameter binding. Bounded by
max_examples so the suite stays fast."""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, Store

from welfare_kg.errors import InputError, QueryError
from welfare_kg.graph.rdf.metadata import report_slug
from welfare_kg.graph.report import extract_report
from welfare_kg.graph.sparql import bind_params, check_query
from welfare_kg.graph.sparql.library import parse_query_text
from welfare_kg.graph.sparql.remote import inject_values

BOUNDED = settings(max_examples=40, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])
HEADER = " 行動計画 取組  令和３年度実施計画 実施した取組結果 実施主体"
BODIES = ["高齢・障害支援課", "区社会福祉協議会", "地域ケアプラザ", "こども家庭支援課"]
# Kanji and kana that make no body name, heading number, footnote or sentence end.
WORD = st.text(alphabet="地域活動交流講座相談訪問研修情報発信募集見守参加広報紙作成", min_size=3,
               max_size=9)


@st.composite
def rows(draw) -> tuple[list[str], list[str]]:
    """The lines of one row (plan bullets, result, bodies) and its plan bullets."""
    bullets = [draw(WORD) for _ in range(draw(st.integers(1, 3)))]
    lines = [f"・{b}" for b in bullets]
    lines.append(draw(WORD) + "を実施した。")
    lines.append("")
    lines += draw(st.lists(st.sampled_from(BODIES), min_size=1, max_size=3, unique=True))
    lines.append("")
    return lines, bullets


@st.composite
def reports(draw) -> tuple[str, list[str]]:
    """A report of 1-3 pages in the flattened layout, and every plan bullet it prints."""
    lines: list[str] = []
    bullets: list[str] = []
    for page in range(1, draw(st.integers(1, 3)) + 1):
        lines += [HEADER, ""]
        for row_lines, row_bullets in draw(st.lists(rows(), min_size=1, max_size=5)):
            lines += row_lines
            bullets += row_bullets
        lines += [draw(WORD) + "を進めます。", "", str(page), draw(WORD), ""]
    return "\n".join(lines) + "\n", bullets


def _extract(text: str | bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.txt"
        if isinstance(text, str):
            path.write_text(text, encoding="utf-8")
        else:
            path.write_bytes(text)
        return extract_report(path, corrections=False)


@BOUNDED
@given(reports())
def test_every_plan_bullet_lands_in_exactly_one_row(report) -> None:
    text, bullets = report
    extraction = _extract(text)
    items = Counter(item for row in extraction.rows for item in row.items)
    assert items == Counter(bullets)
    assert all(row.bodies for row in extraction.rows)


@BOUNDED
@given(st.one_of(st.binary(max_size=400),
                 st.text(max_size=400),
                 reports().map(lambda r: r[0][: len(r[0]) // 2])))
def test_arbitrary_input_raises_only_input_errors(data) -> None:
    with contextlib.suppress(InputError):
        _extract(data)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_report_slug_is_always_a_safe_iri_segment(stem: str) -> None:
    slug = report_slug(stem)
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug), slug
    assert report_slug(stem) == slug


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_query_check_raises_only_query_errors(text: str) -> None:
    with contextlib.suppress(QueryError):
        check_query(text, allow_fetch=False)


STRING_QUERY = parse_query_text(
    "# param: word (string, required) — any text\nSELECT ?word WHERE { }", name="echo")


@pytest.fixture(scope="module")
def store() -> Store:
    return Store()


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40))
def test_a_bound_string_comes_back_unchanged(word: str) -> None:
    bound = bind_params(STRING_QUERY, {"word": word})
    assert bound["word"] == Literal(word)
    # the remote form: a VALUES block in the query text, parsed by a real engine
    text = inject_values(STRING_QUERY.text, bound)
    solutions = list(Store().query(text))
    assert len(solutions) == 1 and solutions[0]["word"] == Literal(word)


INTEGER_QUERY = parse_query_text(
    "# param: n (integer, required) — a number\nSELECT ?n WHERE { }", name="n")


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.integers(), st.text(max_size=12)))
def test_integer_parameters_are_integers_or_refused(value) -> None:
    try:
        bound = bind_params(INTEGER_QUERY, {"n": str(value)})
    except QueryError:
        assert not isinstance(value, int)
        return
    assert int(bound["n"].value) == int(str(value).strip())
    assert bound["n"].datatype.value.endswith("#integer")
