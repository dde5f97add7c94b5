"""The query library: headers, typed parameters, and every query's answer on the mini graph.

The expected answers are worked out by hand from the table at the top of
tests/data/mini-graph.trig, not by running the queries.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Store
from sparql_data import ID, PARAMS, WK, bundled_store

from welfare_kg.datafiles import display_width
from welfare_kg.errors import QueryError
from welfare_kg.graph.rdf.metadata import default_base_iri
from welfare_kg.graph.sparql.library import (
    REQUIREMENTS,
    Param,
    bind_params,
    list_queries,
    load_query,
    parse_param_args,
    parse_query_text,
)
from welfare_kg.graph.sparql.results import Results, comparable, format_results
from welfare_kg.graph.sparql.store import run_query

pytest_plugins = ["sparql_fixtures"]

XSD = "http://www.w3.org/2001/XMLSchema#"
LIBRARY = list_queries()


def short(value: object) -> object:
    """IRIs of the mini graph and the ontology as short names (`r1`, `wk:Partial`)."""
    if isinstance(value, str):
        if value.startswith(ID):
            return value[len(ID):]
        if value.startswith(WK):
            return "wk:" + value[len(WK):]
    return value


def answer(store: Store, name: str, columns: str, **params: str) -> list[tuple]:
    """The query's rows as sorted tuples of the named columns' values."""
    results = run_query(store, name, params)
    wanted = columns.split()
    assert set(wanted) <= set(results.variables), results.variables
    rows = [tuple(short(row.get(c)) for c in wanted) for row in results.values()]
    return sorted(rows, key=repr)


def expect(*rows: tuple) -> list[tuple]:
    return sorted(rows, key=repr)


# -- the library itself ------------------------------------------------------------------

def test_library_has_at_least_fifteen_queries() -> None:
    assert len(LIBRARY) >= 15


@pytest.mark.parametrize("spec", LIBRARY, ids=lambda s: s.name)
def test_every_query_has_a_header(spec) -> None:
    assert spec.title_ja and any("\u3040" <= c <= "\u9fff" for c in spec.title_ja)
    assert spec.title_en.isascii() and spec.title_en
    assert len(spec.description) > 40
    for param in spec.params:
        assert f"?{param.name}" in spec.text, f"{spec.name}: ?{param.name} not in the query"
        assert param.doc, f"{spec.name}: parameter {param.name} is not described"


@pytest.mark.parametrize("spec", LIBRARY, ids=lambda s: s.name)
def test_every_query_runs_on_the_mini_graph(spec, mini_store: Store) -> None:
    results = run_query(mini_store, spec, PARAMS.get(spec.name, {}))
    assert results.kind == "select"
    assert len(results.rows) > 0, f"{spec.name} found nothing in the mini graph"


@pytest.mark.parametrize("spec", LIBRARY, ids=lambda s: s.name)
def test_library_queries_use_no_engine_extensions(spec) -> None:
    text = spec.text.lower()
    for marker in ("define ", "bif:", "sql:", "virtrdf:", "ofn:", "spif:", "jena:", "fts:"):
        assert marker not in text, f"{spec.name} uses {marker}"


def test_header_fields_and_parameters_are_read() -> None:
    spec = parse_query_text(
        "# title@ja: 題\n# title@en: Title\n# description: one\n#   two\n"
        "# param: word (string, required) — a word\n"
        "# param: n (integer, default 3) — a number\n"
        "# param: who (iri, optional)\n"
        "PREFIX ex: <http://example.org/>\nSELECT ?word ?n ?who WHERE { ?who ex:p ?n }\n"
    )
    assert (spec.title_ja, spec.title_en, spec.description) == ("題", "Title", "one two")
    assert spec.params == (
        Param("word", "string", True, None, "a word"),
        Param("n", "integer", False, "3", "a number"),
        Param("who", "iri", False, None, ""),
    )
    assert spec.prefixes == {"ex": "http://example.org/"}


def test_a_malformed_parameter_declaration_names_file_and_line() -> None:
    with pytest.raises(QueryError, match=r"x\.rq:2: cannot read the parameter declaration"):
        parse_query_text("# title@en: T\n# param: word string\nSELECT * {}", path=Path("x.rq"))


def test_a_requirement_is_read_and_an_unknown_one_names_file_and_line() -> None:
    spec = parse_query_text("# title@en: T\n# requires: row-facts\nSELECT * {}")
    assert spec.requires == ("row-facts",)
    assert set(spec.requires) <= set(REQUIREMENTS)
    with pytest.raises(QueryError,
                       match=r"x\.rq:2: unknown requirement 'rows'; use one of row-facts"):
        parse_query_text("# title@en: T\n# requires: rows\nSELECT * {}", path=Path("x.rq"))


def _without_row_facts() -> Store:
    """The bundled graph as a build before ontology 1.2.0 published it: no wk:line or
    wk:bodyCount on the rows."""
    store = Store()
    store.extend(q for q in bundled_store()
                 if q.predicate.value not in (WK + "line", WK + "bodyCount"))
    return store


def test_a_query_declares_the_row_facts_exactly_when_it_answers_short_without_them() -> None:
    """`# requires: row-facts` makes a remote endpoint be asked first whether its rows have
    wk:line/wk:bodyCount. A query declares it when, without them, it would lose rows or leave
    a column empty (found by running it on a graph without them); one that only sorts by
    the line answers the same rows and does not, so it still runs on an older graph."""
    older = _without_row_facts()
    short_without: set[str] = set()
    for spec in LIBRARY:
        params = PARAMS.get(spec.name, {})
        rows = sorted(map(repr, run_query(bundled_store(), spec, params).rows))
        if rows != sorted(map(repr, run_query(older, spec, params).rows)):
            short_without.add(spec.name)
    declared = {spec.name for spec in LIBRARY if "row-facts" in spec.requires}
    assert short_without  # the check can tell: some queries do read the row facts
    assert declared == short_without


def test_unknown_query_name_lists_the_library() -> None:
    with pytest.raises(QueryError, match=r"no query named 'nope'.*--list.*body-portfolio"):
        load_query("nope")


def test_missing_query_file() -> None:
    with pytest.raises(QueryError, match=r"no such query file: missing\.rq"):
        load_query("missing.rq")


def test_any_rq_file_runs(tmp_path: Path, mini_store: Store) -> None:
    path = tmp_path / "count.rq"
    path.write_text("PREFIX wk: <https://w3id.org/welfare-kg/ontology#>\n"
                    "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a wk:PlanRow }\n")
    assert run_query(mini_store, path).values() == [{"n": 6}]


# -- typed parameters ----------------------------------------------------------------------

def test_parameters_become_typed_terms() -> None:
    spec = parse_query_text(
        "# param: s (string, required) — s\n# param: i (integer, required) — i\n"
        "# param: d (decimal, required) — d\n# param: b (boolean, required) — b\n"
        "# param: t (date, required) — t\n# param: u (iri, required) — u\n"
        "PREFIX wk: <https://w3id.org/welfare-kg/ontology#>\n"
        "SELECT ?s ?i ?d ?b ?t ?u WHERE {}"
    )
    bound = bind_params(spec, {"s": " 区 ", "i": "+07", "d": "1.50", "b": "TRUE",
                               "t": "2021-04-01", "u": "wk:Partial"})
    assert bound == {
        "s": Literal(" 区 "),
        "i": Literal("7", datatype=NamedNode(XSD + "integer")),
        "d": Literal("1.50", datatype=NamedNode(XSD + "decimal")),
        "b": Literal("true", datatype=NamedNode(XSD + "boolean")),
        "t": Literal("2021-04-01", datatype=NamedNode(XSD + "date")),
        "u": NamedNode(WK + "Partial"),
    }


@pytest.mark.parametrize(("ptype", "value"), [
    ("integer", "two"), ("integer", "1.5"), ("decimal", "NaN"), ("boolean", "yes"),
    ("date", "2021/04/01"), ("iri", "not an iri"), ("iri", "http://x> } DROP ALL {"),
    # what int(), Decimal() or a \d pattern would take but XSD does not
    ("integer", "1_0"), ("integer", "٣"), ("integer", "３"), ("integer", "1e3"),
    ("decimal", "1_0.5"), ("decimal", "٣.5"), ("decimal", "1e3"), ("decimal", "Infinity"),
    ("date", "2021-13-45"), ("date", "2021-02-29"), ("date", "٢٠٢١-04-01"),
])
def test_a_value_of_the_wrong_type_is_refused(ptype: str, value: str) -> None:
    spec = parse_query_text(f"# param: v ({ptype}, required) — v\nSELECT ?v WHERE {{}}")
    with pytest.raises(QueryError, match=f"parameter 'v' must be an? {ptype}"):
        bind_params(spec, {"v": value})


def test_a_library_parameter_in_odd_digits_is_refused_by_name() -> None:
    spec = next(q for q in LIBRARY if q.param("pillarNumber") is not None)
    for value in ("1_0", "٣"):
        with pytest.raises(QueryError, match=f"parameter 'pillarNumber' must be an integer, "
                                             f"got '{value}'"):
            bind_params(spec, {**PARAMS.get(spec.name, {}), "pillarNumber": value})


def test_missing_required_parameter_says_how_to_give_it() -> None:
    with pytest.raises(QueryError, match=r"needs --param body=… \(string: the body's name"):
        bind_params(load_query("body-portfolio"), {})


def test_unknown_parameter_lists_the_declared_ones() -> None:
    with pytest.raises(QueryError, match="has no parameter 'bdy' \\(it takes: body\\)"):
        bind_params(load_query("body-portfolio"), {"bdy": "x"})


def test_undeclared_query_binds_its_variables_as_strings_or_iris() -> None:
    spec = parse_query_text("SELECT ?a ?b WHERE { ?a ?p ?b }")
    assert bind_params(spec, {"a": "<http://x/>", "b": "v"}) == {
        "a": NamedNode("http://x/"), "b": Literal("v")}
    with pytest.raises(QueryError, match="has no variable \\?c"):
        bind_params(spec, {"c": "v"})


def test_an_iri_parameter_accepts_the_prefixes_tables_print() -> None:
    base = default_base_iri()
    spec = load_query("row-provenance")
    assert bind_params(spec, {"row": "wkr:izumi-fy2021/row/15"}) == {
        "row": NamedNode(base + "report/izumi-fy2021/row/15")}
    assert bind_params(spec, {"row": "wkb:ward-social-welfare-council"}) == {
        "row": NamedNode(base + "body/ward-social-welfare-council")}
    assert bind_params(spec, {"row": "wk:Partial"}) == {"row": NamedNode(WK + "Partial")}
    for absolute in ("https://example.org/x", "urn:x:y"):
        assert bind_params(spec, {"row": absolute}) == {"row": NamedNode(absolute)}


def test_an_iri_parameter_refuses_an_unknown_prefix() -> None:
    with pytest.raises(QueryError, match=r"parameter 'row': unknown prefix 'wkx:'.*wkr:"):
        bind_params(load_query("row-provenance"), {"row": "wkx:izumi-fy2021/row/15"})


def test_param_arguments_split_at_the_first_equals_sign() -> None:
    assert parse_param_args(["word=a=b", "?n=1"]) == {"word": "a=b", "n": "1"}
    with pytest.raises(QueryError, match="bad --param 'word'"):
        parse_param_args(["word"])


# -- injection: values are data, never query text ------------------------------------------

HOSTILE = [
    '" ) } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o FILTER("',
    "' } UNION { ?s ?p ?o } #",
    '"""\n} #',
    "\\\" }",
    "参加\" || true || \"",
]


@pytest.mark.parametrize("word", HOSTILE)
def test_hostile_keyword_matches_nothing_and_changes_nothing(word: str, mini_store: Store) -> None:
    before = len(mini_store)
    assert run_query(mini_store, "keyword-search", {"word": word}).rows == ()
    assert len(mini_store) == before


def test_a_value_with_quotes_is_searched_for_literally(mini_store: Store) -> None:
    rows = answer(mini_store, "keyword-search", "row field", word='"見守り"')
    assert rows == [("r5", "result")]


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_body_name_finds_no_portfolio(body: str, mini_store: Store) -> None:
    assert run_query(mini_store, "body-portfolio", {"body": body}).rows == ()


# -- competency questions on the mini graph -----------------------------------------------

def test_bodies_ranking_per_pillar(mini_store: Store) -> None:
    cols = "pillarNumber bodyLabel rows initiatives"
    assert answer(mini_store, "bodies-ranking", cols) == expect(
        (1, "高齢・障害支援課", 2, 1), (1, "地域ケアプラザ", 1, 1), (1, "区社会福祉協議会", 1, 1),
        (2, "区社会福祉協議会", 2, 1), (2, "福祉保健課", 2, 1), (2, "地域ケアプラザ", 1, 1),
        (3, "区社会福祉協議会", 1, 1), (3, "泉警察", 1, 1), (3, "地域ケアプラザ", 1, 0),
    )
    assert answer(mini_store, "bodies-ranking", cols, pillarNumber="3") == expect(
        (3, "区社会福祉協議会", 1, 1), (3, "泉警察", 1, 1), (3, "地域ケアプラザ", 1, 0),
    )


def test_bodies_ranking_is_ordered_by_rows(mini_store: Store) -> None:
    results = run_query(mini_store, "bodies-ranking", {"pillarNumber": "1"})
    assert [r["rows"] for r in results.values()] == [2, 1, 1]


def test_body_collaboration_pairs(mini_store: Store) -> None:
    assert answer(mini_store, "body-collaboration", "bodyA bodyB sharedRows") == expect(
        ("body-care-plaza", "body-council", 2),
        ("body-council", "body-welfare-division", 2),
        ("body-care-plaza", "body-elderly-division", 1),
        ("body-council", "body-elderly-division", 1),
        ("body-care-plaza", "body-welfare-division", 1),
        ("body-council", "body-police", 1),
    )


def test_joint_division_plaza_council_rows(mini_store: Store) -> None:
    assert answer(mini_store, "joint-division-plaza-council", "pillarNumber row division") == [
        (1, "r1", "body-elderly-division"), (2, "r3", "body-welfare-division")]


def test_joint_share_by_pillar(mini_store: Store) -> None:
    assert answer(mini_store, "joint-share-by-pillar",
                  "pillarNumber rows jointRows jointPercent") == [
        (1, 2, 1, 50), (2, 2, 1, 50), (3, 2, 0, 0)]


def test_body_portfolio(mini_store: Store) -> None:
    assert answer(mini_store, "body-portfolio", "row status bodies", body="区社会福祉協議会") == [
        ("r1", "wk:Implemented", 3), ("r3", "wk:Partial", 3),
        ("r4", "wk:Postponed", 2), ("r5", "wk:Implemented", 2)]
    # the English name finds the same body
    assert len(answer(mini_store, "body-portfolio", "row",
                      body="Izumi Ward Social Welfare Council")) == 4


def test_body_partners(mini_store: Store) -> None:
    rows = answer(mini_store, "body-partners", "partner role rows", body="地域ケアプラザ")
    assert rows == expect(
        ("body-council", "wk:ImplementingBodyRole", 2),
        ("body-elderly-division", "wk:ImplementingBodyRole", 1),
        ("body-welfare-division", "wk:ImplementingBodyRole", 1),
        ("partner-ishikai", "wk:NamedPartnerRole", 1),
        ("partner-jichikai", "wk:NamedPartnerRole", 1),
    )


def test_covid_affected_rows(mini_store: Store) -> None:
    assert answer(mini_store, "covid-affected-rows", "row status bodyLabel") == expect(
        ("r2", "wk:Cancelled", "高齢・障害支援課"),
        ("r3", "wk:Partial", "福祉保健課"), ("r3", "wk:Partial", "地域ケアプラザ"),
        ("r3", "wk:Partial", "区社会福祉協議会"),
        ("r4", "wk:Postponed", "福祉保健課"), ("r4", "wk:Postponed", "区社会福祉協議会"),
    )
    assert answer(mini_store, "covid-affected-rows", "row", status="wk:Cancelled") == [("r2",)]


def test_covid_impact_by_body(mini_store: Store) -> None:
    cols = "body rows affectedRows cancelledRows postponedRows partialRows"
    assert answer(mini_store, "covid-impact-by-body", cols) == expect(
        ("body-council", 4, 2, 0, 1, 1),
        ("body-welfare-division", 2, 2, 0, 1, 1),
        ("body-care-plaza", 3, 1, 0, 0, 1),
        ("body-elderly-division", 2, 1, 1, 0, 0),
        ("body-police", 1, 0, 0, 0, 0),
    )


def test_status_by_pillar(mini_store: Store) -> None:
    assert answer(mini_store, "status-by-pillar", "pillarNumber status rows") == expect(
        (1, "wk:Implemented", 1), (1, "wk:Cancelled", 1),
        (2, "wk:Partial", 1), (2, "wk:Postponed", 1),
        (3, "wk:Implemented", 1), (3, "wk:Ongoing", 1),
    )


def test_named_partners_and_who_works_with_them(mini_store: Store) -> None:
    assert answer(mini_store, "named-partners", "partnerLabel bodyLabel rows") == expect(
        ("医師会", "区社会福祉協議会", 2), ("医師会", "地域ケアプラザ", 1),
        ("医師会", "高齢・障害支援課", 1), ("医師会", "泉警察", 1),
        ("自治会町内会", "区社会福祉協議会", 2), ("自治会町内会", "地域ケアプラザ", 1),
        ("自治会町内会", "福祉保健課", 1), ("自治会町内会", "泉警察", 1),
    )


def test_quantities_by_body(mini_store: Store) -> None:
    cols = "body unit total quantities rows"
    assert answer(mini_store, "quantities-by-body", cols) == expect(
        ("body-elderly-division", "人", 317, 1, 1), ("body-elderly-division", "回", 24, 1, 1),
        ("body-care-plaza", "人", 437, 2, 2), ("body-care-plaza", "回", 29, 2, 2),
        ("body-care-plaza", "件", 12, 1, 1),
        ("body-council", "人", 437, 2, 2), ("body-council", "回", 29, 2, 2),
        ("body-council", "円", 300000, 1, 1),
        ("body-welfare-division", "人", 120, 1, 1), ("body-welfare-division", "回", 5, 1, 1),
        ("body-police", "円", 300000, 1, 1),
    )
    assert answer(mini_store, "quantities-by-body", "body total", unit="円") == expect(
        ("body-council", 300000), ("body-police", 300000))


def test_quantities_by_pillar(mini_store: Store) -> None:
    assert answer(mini_store, "quantities-by-pillar", "pillarNumber unit total rows") == expect(
        (1, "人", 317, 1), (1, "回", 24, 1), (2, "人", 120, 1), (2, "回", 5, 1), (3, "件", 12, 1),
        (3, "円", 300000, 1))


def test_keyword_search(mini_store: Store) -> None:
    assert answer(mini_store, "keyword-search", "word row field", word="参加") == [
        ("参加", "r1", "result"), ("参加", "r3", "result")]
    assert answer(mini_store, "keyword-search", "row field", word="講座") == expect(
        ("r1", "plan"), ("r4", "plan"))


def test_bodies_that_never_implement_alone(mini_store: Store) -> None:
    assert answer(mini_store, "bodies-never-alone", "body rows fewestBodies") == expect(
        ("body-council", 4, 2), ("body-welfare-division", 2, 2), ("body-police", 1, 2))


def test_rows_with_a_single_body(mini_store: Store) -> None:
    assert answer(mini_store, "single-body-rows", "row body") == [
        ("r2", "body-elderly-division"), ("r6", "body-care-plaza")]


def test_plan_skeleton(mini_store: Store) -> None:
    rows = answer(mini_store, "plan-skeleton", "pillarNumber initiativeLabel bodyLabel rows")
    a, b, c = ("認知症に関する正しい知識の普及啓発を行います。", "子育て世代の交流の場を広げます。",
               "地域活動への助成を行います。")
    assert rows == expect(
        (1, a, "高齢・障害支援課", 2), (1, a, "地域ケアプラザ", 1), (1, a, "区社会福祉協議会", 1),
        (2, b, "福祉保健課", 2), (2, b, "地域ケアプラザ", 1), (2, b, "区社会福祉協議会", 2),
        (3, c, "区社会福祉協議会", 1), (3, c, "泉警察", 1),
    )


def test_row_provenance(mini_store: Store) -> None:
    cols = "row file sha256 page startLine endLine"
    assert len(answer(mini_store, "row-provenance", cols)) == 6
    assert answer(mini_store, "row-provenance", cols, row=ID + "r3") == [
        ("r3", "mini-report.txt", "00ff", 2, 30, 35)]


def test_rows_without_initiative(mini_store: Store) -> None:
    assert answer(mini_store, "rows-without-initiative", "row page") == [("r6", 3)]


def test_body_types_per_pillar(mini_store: Store) -> None:
    cols = "pillarNumber bodyType rows bodies"
    assert answer(mini_store, "body-types-per-pillar", cols) == expect(
        (1, "wk:WardOfficeDivision", 2, 1), (1, "wk:CommunityCarePlaza", 1, 1),
        (1, "wk:SocialWelfareCouncil", 1, 1),
        (2, "wk:WardOfficeDivision", 2, 1), (2, "wk:CommunityCarePlaza", 1, 1),
        (2, "wk:SocialWelfareCouncil", 2, 1),
        (3, "wk:SocialWelfareCouncil", 1, 1), (3, "wk:PoliceStation", 1, 1),
        (3, "wk:CommunityCarePlaza", 1, 1),
    )


# -- output formats ------------------------------------------------------------------------

def test_formats(mini_store: Store) -> None:
    spec = load_query("single-body-rows")
    results = run_query(mini_store, spec)
    table = format_results(results, "table", spec.prefixes)
    assert "高齢・障害支援課" in table and table.endswith("(2 rows)\n")
    csv_text = format_results(results, "csv")
    assert csv_text.startswith("row,pillarNumber,body,bodyLabel,planText\r\n")
    assert f"{ID}r2,1,{ID}body-elderly-division,高齢・障害支援課" in csv_text
    tsv = format_results(results, "tsv").splitlines()
    assert tsv[0] == "?row\t?pillarNumber\t?body\t?bodyLabel\t?planText"
    assert f"<{ID}r2>\t\"1\"^^<{XSD}integer>" in tsv[1]
    assert '"高齢・障害支援課"@ja' in tsv[1]
    import json

    data = json.loads(format_results(results, "json"))
    assert data["head"]["vars"][0] == "row"
    assert data["results"]["bindings"][0]["bodyLabel"] == {
        "type": "literal", "value": "高齢・障害支援課", "xml:lang": "ja"}



@pytest.mark.parametrize("text", ["", "ab", "a" * 60, "a" * 61, "泉" * 30, "泉" * 31,
                                  "x" + "泉" * 30, "ACP(ｱﾄﾞﾊﾞﾝｽ)" * 9, "地域 ケア　プラザ" * 8])
def test_a_table_cell_is_cut_to_sixty_columns_with_its_width_kept(text: str) -> None:
    """Cells wider than 60 columns end in "…" after the longest head that fits in 59; the
    columns line up whatever mix of wide and narrow characters the texts hold."""
    rows = ((Literal(text),), (Literal("短い"),))
    lines = format_results(Results("select", ("t",), rows), "table").splitlines()
    width = display_width(lines[1])  # the dashes
    assert all(display_width(line) <= width for line in lines[2:4])
    shown = lines[2].rstrip()
    words = " ".join(text.split())
    if display_width(words) <= 60:
        assert shown == words
    else:
        head = shown.removesuffix("…")
        assert shown.endswith("…") and words.startswith(head)
        assert display_width(head) <= 59 < display_width(words[:len(head) + 1])

def test_decimal_sums_keep_their_value(mini_store: Store) -> None:
    totals = run_query(mini_store, "quantities-by-pillar", {"unit": "円"}).values()
    assert totals[0]["total"] == 300000 and not isinstance(totals[0]["total"], Decimal | float)


# -- many reports: shared descriptions repeated in every report graph -----------------------

ROW_LEVEL = {WK + t for t in ("PlanRow", "SourceSpan", "Quantity", "Participation", "Report")}


@pytest.fixture(scope="module")
def repeated_store(mini_store: Store) -> Store:
    """The mini graph plus two graphs that repeat every shared description (bodies, outline).

    So does a build of several reports: each report graph describes the bodies and the plan
    outline again, and the union default graph keeps every copy.
    """
    from pyoxigraph import Quad

    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    row_level = {q.subject for q in mini_store
                 if q.predicate.value == rdf_type and q.object.value in ROW_LEVEL}
    store = Store()
    store.bulk_extend(mini_store)
    for copy in ("http://example.org/graph/a", "http://example.org/graph/b"):
        store.bulk_extend(Quad(q.subject, q.predicate, q.object, NamedNode(copy))
                          for q in mini_store if q.subject not in row_level)
    return store


@pytest.mark.parametrize("spec", LIBRARY, ids=lambda s: s.name)
def test_repeated_shared_descriptions_change_no_answer(spec, mini_store: Store,
                                                       repeated_store: Store) -> None:
    params = PARAMS.get(spec.name, {})
    assert comparable(run_query(repeated_store, spec, params)) == comparable(
        run_query(mini_store, spec, params))


@pytest.fixture(scope="module")
def shared_once_store(mini_store: Store) -> Store:
    """The mini graph in the many-report shape: one shared graph describes bodies and the
    outline once; the report graph holds only row-level subjects (rows, participations,
    quantities, spans, the report)."""
    from pyoxigraph import Quad

    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    row_level = {q.subject for q in mini_store
                 if q.predicate.value == rdf_type and q.object.value in ROW_LEVEL}
    shared = NamedNode("https://w3id.org/welfare-kg/graph/shared")
    store = Store()
    store.extend(Quad(q.subject, q.predicate, q.object,
                      q.graph_name if q.subject in row_level else shared)
                 for q in mini_store)
    return store


@pytest.mark.parametrize("spec", LIBRARY, ids=lambda s: s.name)
def test_shared_entities_described_once_change_no_answer(spec, mini_store: Store,
                                                         shared_once_store: Store) -> None:
    params = PARAMS.get(spec.name, {})
    assert comparable(run_query(shared_once_store, spec, params)) == comparable(
        run_query(mini_store, spec, params))


@pytest.mark.parametrize(
    "module", ["sparql.library", "sparql.results", "sparql.remote", "sparql.store"])
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    mod = importlib.import_module(f"welfare_kg.graph.{module}")
    failures, tried = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


def test_any_string_survives_the_values_block_unchanged() -> None:
    """Round trip: a VALUES block of any text parses back to exactly that text."""
    import random

    from welfare_kg.graph.sparql.remote import inject_values
    from welfare_kg.graph.sparql.store import execute

    alphabet = "a{}\"'\\\n\r\t#<>?$. ;()|^`" + "区認知症\u3000\U0001f600" + "\u2028\u0000"
    rng = random.Random(4)
    store = Store()
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        lang = rng.choice([None, "ja"])
        query = inject_values("SELECT ?w ?n WHERE { BIND(1 AS ?n) }",
                              {"w": Literal(text, language=lang)})
        [row] = execute(store, query).rows
        assert row[0] == Literal(text, language=lang), query
