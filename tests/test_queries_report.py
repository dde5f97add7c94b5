"""Competency questions on the bundled FY2021 report.

Each library query runs on the graph built from the bundled report, and its answer is
compared with the same answer computed in plain Python from the extracted records (rows,
bodies, statuses, quantities …) and the curated vocabulary — without SPARQL or the graph.
The same graph is published to a live Oxigraph server, and every library query must answer
the same there.
"""

from __future__ import annotations

import math
import re
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from pyoxigraph import RdfFormat, Store
from rdflib import SKOS, Graph, Literal, URIRef

from welfare_kg.graph.rdf.build import build_dataset, load_vocabulary
from welfare_kg.graph.rdf.exports import to_nquads
from welfare_kg.graph.rdf.terms import WK
from welfare_kg.graph.report.extract import extract_report
from welfare_kg.graph.sparql.library import display_prefixes, list_queries, load_query
from welfare_kg.graph.sparql.publish import publish
from welfare_kg.graph.sparql.remote import run_remote
from welfare_kg.graph.sparql.results import comparable, format_results
from welfare_kg.graph.sparql.server import OxigraphServer
from welfare_kg.graph.sparql.store import run_query
from welfare_kg.paths import DEFAULT_REPORT, ONTOLOGY_DIR

pytest_plugins = ["sparql_fixtures"]

DIVISION, PLAZA, COUNCIL = "WardOfficeDivision", "CommunityCarePlaza", "SocialWelfareCouncil"
AFFECTED = ("cancelled", "postponed", "partial")
PARAMS = {
    "body-portfolio": {"body": "区社会福祉協議会"},
    "body-partners": {"body": "地域ケアプラザ"},
    "keyword-search": {"word": "認知症"},
}


@dataclass(frozen=True)
class Row:
    """What the tests know of one extracted row, with bodies resolved through the vocabulary."""

    line: int
    page: int
    end: int
    pillar: int
    ap_number: int | None
    ap_title: str | None
    initiative: str | None
    status: str
    bodies: tuple[str, ...]  # Japanese labels, no repeats
    types: tuple[str, ...]  # body-type class names, parallel to bodies
    kinds: tuple[str, ...]  # vocabulary kind codes, parallel to bodies
    partners: tuple[str, ...]
    quantities: tuple[tuple[Decimal, str], ...]
    plan_text: str
    result: str


@dataclass(frozen=True)
class Report:
    rows: tuple[Row, ...]
    sha256: str
    store: Store


@pytest.fixture(scope="session")
def report() -> Report:
    extraction = extract_report(DEFAULT_REPORT)
    vocab = load_vocabulary()
    rows = []
    for r in extraction.rows:
        seen: dict[str, tuple[str, str, str]] = {}
        for printed in r.bodies:
            body = vocab.body(printed)
            assert body is not None, printed
            seen.setdefault(body.id, (body.name_ja, body.type, body.kind))
        partners = []
        links = dict(vocab.partner_bodies)
        for name in r.partners:  # a named partner can be a known body (data/partners.csv)
            body, partner = vocab.body(name), vocab.partner(name)
            if body is None and partner is not None and partner.id in links:
                body = next(b for b in vocab.bodies if b.id == links[partner.id])
            label = body.name_ja if body else partner.name_ja if partner else name
            if label not in partners:
                partners.append(label)
        rows.append(Row(
            line=r.line, page=r.page, end=max(r.end_line, r.line), pillar=r.pillar,
            ap_number=r.action_plan_number, ap_title=r.action_plan, initiative=r.initiative,
            status=r.status,
            bodies=tuple(v[0] for v in seen.values()), types=tuple(v[1] for v in seen.values()),
            kinds=tuple(v[2] for v in seen.values()), partners=tuple(partners),
            quantities=tuple((Decimal(str(q.value)), q.unit) for q in r.quantities),
            plan_text="\n".join(r.items), result=r.result,
        ))
    data = to_nquads(build_dataset([extraction]))
    store = Store()
    store.load(data, format=RdfFormat.N_QUADS)
    return Report(tuple(rows), extraction.sha256, store)


@pytest.fixture(scope="module")
def live(oxigraph_server: OxigraphServer, report: Report) -> Iterator[tuple[str, list[str]]]:
    """The server's query URL and the report's graph, published there (queried on its own)."""
    done = publish(oxigraph_server.store_url, report.store)
    yield oxigraph_server.query_url, [d.graph for d in done]
    for d in done:  # leave the shared server as it was
        request = urllib.request.Request(f"{oxigraph_server.store_url}?graph={d.graph}",
                                         method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()


def got(report: Report, name: str, columns: str, **params: str) -> list[tuple]:
    values = run_query(report.store, name, params).values()
    out = []
    for row in values:
        out.append(tuple(_simple(c, row.get(c)) for c in columns.split()))
    return sorted(out, key=repr)


def _simple(column: str, value: object) -> object:
    if isinstance(value, str) and "/row/" in value:
        return int(value.rsplit("/", 1)[1])  # a row by its first line
    if isinstance(value, str) and value.startswith(str(WK._NS)):
        return value[len(str(WK._NS)):]
    return value


def want(rows: object) -> list[tuple]:
    return sorted(rows, key=repr)  # type: ignore[arg-type]


def status_name(code: str) -> str:
    return code.capitalize()


# -- the questions ------------------------------------------------------------------------------

def test_report_has_rows(report: Report) -> None:
    assert len(report.rows) > 200


def test_bodies_ranking(report: Report) -> None:
    rows: Counter = Counter()
    initiatives: dict[tuple, set] = defaultdict(set)
    for r in report.rows:
        for b in r.bodies:
            rows[r.pillar, b] += 1
            if r.initiative:
                initiatives[r.pillar, b].add((r.ap_number, r.ap_title, r.initiative))
    expected = [(p, b, n, len(initiatives[p, b])) for (p, b), n in rows.items()]
    cols = "pillarNumber bodyLabel rows initiatives"
    assert got(report, "bodies-ranking", cols) == want(expected)


def test_body_collaboration(report: Report) -> None:
    shared: Counter = Counter()
    for r in report.rows:
        for a in r.bodies:
            for b in r.bodies:
                if a < b:
                    shared[a, b] += 1
    answer = [(*sorted((a, b)), n) for a, b, n in
              got(report, "body-collaboration", "labelA labelB sharedRows")]
    assert sorted(answer) == sorted((a, b, n) for (a, b), n in shared.items())


def _joint(r: Row) -> bool:
    return DIVISION in r.types and PLAZA in r.types and COUNCIL in r.types


def test_joint_division_plaza_council(report: Report) -> None:
    expected = [(r.pillar, r.line, b) for r in report.rows if _joint(r)
                for b, t in zip(r.bodies, r.types, strict=True) if t == DIVISION]
    assert got(report, "joint-division-plaza-council", "pillarNumber row divisionLabel") == want(
        expected)


def test_joint_share_by_pillar(report: Report) -> None:
    total, joint = Counter(r.pillar for r in report.rows), Counter(
        r.pillar for r in report.rows if _joint(r))
    expected = [(p, n, joint[p], math.floor(100 * joint[p] / n + 0.5)) for p, n in total.items()]
    assert got(report, "joint-share-by-pillar",
               "pillarNumber rows jointRows jointPercent") == want(expected)


def test_body_portfolio(report: Report) -> None:
    expected = [(r.line, r.pillar, status_name(r.status), len(r.bodies))
                for r in report.rows if "区社会福祉協議会" in r.bodies]
    assert got(report, "body-portfolio", "row pillarNumber status bodies",
               body="区社会福祉協議会") == want(expected)


def test_body_partners(report: Report) -> None:
    counts: Counter = Counter()
    for r in report.rows:
        if "地域ケアプラザ" in r.bodies:
            for b in r.bodies:
                if b != "地域ケアプラザ":
                    counts[b, "ImplementingBodyRole"] += 1
            for p in r.partners:
                if p != "地域ケアプラザ":
                    counts[p, "NamedPartnerRole"] += 1
    assert got(report, "body-partners", "partnerLabel role rows", body="地域ケアプラザ") == want(
        (p, role, n) for (p, role), n in counts.items())


def test_covid_affected_rows(report: Report) -> None:
    expected = [(r.line, status_name(r.status), b) for r in report.rows
                if r.status in AFFECTED for b in r.bodies]
    assert got(report, "covid-affected-rows", "row status bodyLabel") == want(expected)


def test_covid_impact_by_body(report: Report) -> None:
    stats: dict[str, Counter] = defaultdict(Counter)
    for r in report.rows:
        for b in r.bodies:
            stats[b]["rows"] += 1
            stats[b][r.status] += 1
            stats[b]["affected"] += r.status in AFFECTED
    expected = [(b, s["rows"], s["affected"], s["cancelled"], s["postponed"], s["partial"])
                for b, s in stats.items()]
    cols = "bodyLabel rows affectedRows cancelledRows postponedRows partialRows"
    assert got(report, "covid-impact-by-body", cols) == want(expected)


def test_status_by_pillar(report: Report) -> None:
    counts = Counter((r.pillar, status_name(r.status)) for r in report.rows)
    assert got(report, "status-by-pillar", "pillarNumber status rows") == want(
        (p, s, n) for (p, s), n in counts.items())


def test_named_partners(report: Report) -> None:
    counts = Counter((p, b) for r in report.rows for p in r.partners for b in r.bodies)
    assert got(report, "named-partners", "partnerLabel bodyLabel rows") == want(
        (p, b, n) for (p, b), n in counts.items())


def test_quantities_by_body(report: Report) -> None:
    sums: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0, set()])
    for r in report.rows:
        for b in r.bodies:
            for value, unit in r.quantities:
                entry = sums[b, unit]
                entry[0] += value
                entry[1] += 1
                entry[2].add(r.line)
    expected = [(b, u, _number(s), n, len(lines)) for (b, u), (s, n, lines) in sums.items()]
    assert got(report, "quantities-by-body", "bodyLabel unit total quantities rows") == want(
        expected)


def test_quantities_by_pillar(report: Report) -> None:
    sums: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0, set()])
    for r in report.rows:
        for value, unit in r.quantities:
            entry = sums[r.pillar, unit]
            entry[0] += value
            entry[1] += 1
            entry[2].add(r.line)
    expected = [(p, u, _number(s), n, len(lines)) for (p, u), (s, n, lines) in sums.items()]
    assert got(report, "quantities-by-pillar", "pillarNumber unit total quantities rows") == want(
        expected)


def _number(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral_value() else value.normalize()


def test_keyword_search(report: Report) -> None:
    expected = [(r.line, field) for r in report.rows
                for field, text in (("plan", r.plan_text), ("result", r.result))
                if "認知症" in text]
    assert expected, "the report talks about dementia (認知症)"
    assert got(report, "keyword-search", "row field", word="認知症") == want(expected)


def test_bodies_never_alone(report: Report) -> None:
    fewest: dict[str, int] = {}
    rows: Counter = Counter()
    for r in report.rows:
        for b in r.bodies:
            fewest[b] = min(fewest.get(b, 99), len(r.bodies))
            rows[b] += 1
    expected = [(b, rows[b], fewest[b]) for b in fewest if fewest[b] > 1]
    assert got(report, "bodies-never-alone", "bodyLabel rows fewestBodies") == want(expected)


def test_single_body_rows(report: Report) -> None:
    expected = [(r.line, r.pillar, r.bodies[0]) for r in report.rows if len(r.bodies) == 1]
    assert got(report, "single-body-rows", "row pillarNumber bodyLabel") == want(expected)


def test_plan_skeleton(report: Report) -> None:
    counts = Counter((r.pillar, r.ap_number, r.ap_title, r.initiative, b)
                     for r in report.rows if r.initiative and r.ap_title for b in r.bodies)
    cols = "pillarNumber actionPlanNumber actionPlanLabel initiativeLabel bodyLabel rows"
    assert got(report, "plan-skeleton", cols) == want((*k, n) for k, n in counts.items())


def test_row_provenance(report: Report) -> None:
    expected = [(r.line, DEFAULT_REPORT.name, report.sha256, r.page, r.line, r.end)
                for r in report.rows]
    cols = "row file sha256 page startLine endLine"
    assert got(report, "row-provenance", cols) == want(expected)


# Queries that list rows give them in the report's order (by source line within a pillar),
# not in the text order of their IRIs (row/15 before row/3).
ROW_LISTS = ["keyword-search", "body-portfolio", "single-body-rows", "covid-affected-rows",
             "joint-division-plaza-council", "rows-without-initiative"]


def row_order(values: list[dict]) -> list[tuple[int, int]]:
    return [(v["pillarNumber"], int(v["row"].rsplit("/", 1)[1])) for v in values]


@pytest.mark.parametrize("name", ROW_LISTS)
def test_rows_come_in_the_report_order(report: Report, name: str) -> None:
    order = row_order(run_query(report.store, name, PARAMS.get(name, {})).values())
    assert order and order == sorted(order)


def test_the_report_order_is_not_the_iri_text_order(report: Report) -> None:
    for name in ("keyword-search", "body-portfolio", "single-body-rows"):
        order = row_order(run_query(report.store, name, PARAMS.get(name, {})).values())
        assert order != sorted(order, key=lambda k: (k[0], str(k[1]))), name


def test_a_row_as_a_table_prints_it_is_a_valid_row_parameter(report: Report) -> None:
    spec = load_query("keyword-search")
    results = run_query(report.store, spec, PARAMS["keyword-search"])
    table = format_results(results, "table", {**display_prefixes(), **spec.prefixes})
    printed = re.findall(r"wkr:\S+/row/\d+", table)
    assert printed
    for row in printed[:5]:
        answer = run_query(report.store, "row-provenance", {"row": row}).values()
        assert [a["startLine"] for a in answer] == [int(row.rsplit("/", 1)[1])]


def test_rows_without_initiative(report: Report) -> None:
    expected = [(r.line, r.pillar) for r in report.rows if r.initiative is None]
    assert got(report, "rows-without-initiative", "row pillarNumber") == want(expected)


def test_body_types_per_pillar(report: Report) -> None:
    ontology = Graph().parse(ONTOLOGY_DIR / "welfare.ttl")
    by_notation = {str(n): str(c)[len(str(WK._NS)):] for c, n in
                   ontology.subject_objects(SKOS.notation)
                   if (c, SKOS.inScheme, URIRef(WK.BodyTypeScheme)) in ontology}
    assert isinstance(next(iter(ontology.objects(None, SKOS.notation))), Literal)
    rows: dict[tuple, set] = defaultdict(set)
    bodies: dict[tuple, set] = defaultdict(set)
    for r in report.rows:
        for b, t, k in zip(r.bodies, r.types, r.kinds, strict=True):
            key = (r.pillar, by_notation.get(k, t))
            rows[key].add(r.line)
            bodies[key].add(b)
    expected = [(*k, len(v), len(bodies[k])) for k, v in rows.items()]
    assert got(report, "body-types-per-pillar", "pillarNumber bodyType rows bodies") == want(
        expected)


COMPETENCY = {name[5:].replace("_", "-") for name in dir() if name.startswith("test_")}


@pytest.mark.parametrize("spec", list_queries(), ids=lambda s: s.name)
def test_every_query_same_embedded_and_live_on_the_report(
        spec, report: Report, live: tuple[str, list[str]]) -> None:
    params = PARAMS.get(spec.name, {})
    embedded = run_query(report.store, spec, params)
    remote = run_remote(live[0], spec, params, default_graphs=live[1])
    assert comparable(remote) == comparable(embedded)


def test_every_library_query_of_this_issue_has_a_competency_test() -> None:
    ours = {s.name for s in list_queries() if not s.name.startswith("network-")}
    assert ours - COMPETENCY == set()
