"""scripts/bench keeps working (quick mode) and its scale data has the shared + report shape.

No timing is asserted: speed is measured by the benchmark itself (BENCHMARKS.md).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from pyoxigraph import RdfFormat, Store
from sparql_data import ID, PARAMS, write_build

from welfare_kg.graph.sparql.library import list_queries
from welfare_kg.graph.sparql.store import run_query
from welfare_kg.paths import PROJECT_ROOT

SCRIPTS = PROJECT_ROOT / "scripts"
sys.path.insert(0, str(SCRIPTS))

from bench_data import copies_of_build, shared_graph_iri, split_report  # noqa: E402

REPORT = b"<https://w3id.org/welfare-kg/id/report/fy2021"


def _mini_as_report_build(tmp_path: Path) -> bytes:
    """The mini graph's N-Quads with its row-level subjects under report/fy2021 (as a build)."""
    nq = write_build(tmp_path / "mini").read_bytes()
    for local in (b"r1", b"r2", b"r3", b"r4", b"r5", b"r6", b"report-fy2021"):
        nq = nq.replace(f"<{ID}".encode() + local, REPORT + b"/" + local)
    return nq


def test_split_puts_report_subjects_in_the_report_graph_and_the_rest_once(
    tmp_path: Path,
) -> None:
    nq = _mini_as_report_build(tmp_path)
    shared, report = split_report(nq, ID, "fy2021")
    assert shared and report
    assert all(line.split(b" ", 1)[0].startswith(REPORT) for line in report)
    assert not any(line.split(b" ", 1)[0].startswith(REPORT) for line in shared)
    assert len(set(shared)) == len(shared)  # labels repeated in the mini report graph: once
    assert all(line.endswith(f"<{shared_graph_iri(ID)}> .\n".encode()) for line in shared)


def test_copies_have_one_shared_graph_and_a_graph_per_report(tmp_path: Path) -> None:
    data = copies_of_build(_mini_as_report_build(tmp_path), 3, ID, "fy2021")
    store = Store()
    store.load(data, format=RdfFormat.N_QUADS)
    graphs = sorted(g.value for g in store.named_graphs())
    assert graphs == sorted([shared_graph_iri(ID), f"{ID}graph/fy2021",
                             f"{ID}graph/fy2021-copy1", f"{ID}graph/fy2021-copy2"])
    one = Store()
    one.load(copies_of_build(_mini_as_report_build(tmp_path), 1, ID, "fy2021"),
             format=RdfFormat.N_QUADS)
    # Three reports: three times the rows, the same bodies; every query still answers.
    rows = run_query(store, "status-by-pillar").values()
    assert sum(r["rows"] for r in rows) == 3 * sum(
        r["rows"] for r in run_query(one, "status-by-pillar").values())
    for spec in list_queries():
        run_query(store, spec, PARAMS.get(spec.name, {}))


def test_quick_benchmark_runs_every_section(tmp_path: Path) -> None:
    """scripts/bench --quick: the main job, every query, the build at 1 and 2 reports."""
    out = tmp_path / "bench.md"
    done = subprocess.run([sys.executable, str(SCRIPTS / "bench.py"), "--quick",
                           "--only", "main,queries,build", "-o", str(out)],
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Machine: ") and "load average" in text
    titles = [line for line in text.splitlines() if line.startswith("### ")]
    assert len(titles) == 3 and "map" not in text.split("### ")[0]
    # main: the baseline, cold and warm rows, each with its figures
    for run in ("import rdflib, pyoxigraph", "cold", "warm"):
        row = next(line for line in text.splitlines() if line.startswith("| ") and run in line)
        assert all(_number(cell) for cell in row.strip("| ").split(" | ")[1:]), row
    # queries: both scales, every query, rdflib beside the CLI's store
    # (the 1x row names the bundled graph's triple count, which follows the build)
    assert re.search(r"^\| 1x \| \d{1,3}(,\d{3})+ \|", text, re.MULTILINE) and "| 2x |" in text
    for spec in list_queries():
        assert f"| {spec.name} |" in text
    assert "rdflib / CLI store" in text
    # build: 1 and 2 synthetic reports, a figure in every cell, more triples for two
    rows = {int(line.split(" | ")[0].strip("| ")): line.strip("| ").split(" | ")
            for line in text.splitlines() if re.match(r"\| [12] \| [\d,]+ \| ", line)}
    assert sorted(rows) == [1, 2]
    assert all(_number(cell) for cells in rows.values() for cell in cells)
    assert _number(rows[2][1]) > _number(rows[1][1])


def test_bench_refuses_an_unknown_section() -> None:
    done = subprocess.run([sys.executable, str(SCRIPTS / "bench.py"), "--only", "maps"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "--only takes some of main,queries,build,map" in done.stderr


def _number(cell: str) -> float:
    return float(cell.replace(",", ""))


def test_compare_runs_a_query_in_both_trees_and_checks_their_answers(tmp_path: Path) -> None:
    """scripts/bench-compare keeps working: this tree against itself (a copy run from its
    sources through PYTHONPATH), on a one-report build it writes; same answers, no flag."""
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "bench_compare.py"), "--other", str(PROJECT_ROOT),
         "--build", str(tmp_path / "build"), "--scale", "1", "--runs", "1",
         "--queries", "status-by-pillar,body-portfolio"],
        capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    # Row counts are what the query gives on this build (they follow the extraction).
    from bench_queries import PARAMS

    from welfare_kg.graph.sparql.store import load_store, run_query

    build = next((tmp_path / "build").rglob("welfare-kg.nq"))
    store = load_store([build])
    for name in ("status-by-pillar", "body-portfolio"):
        rows = len(run_query(store, name, PARAMS.get(name, {})).rows)
        assert f"| {name} | {rows} |" in done.stdout
    assert "differ" not in done.stdout


def test_the_critical_path_of_the_main_job_is_measured(tmp_path: Path) -> None:
    """scripts/bench_critical_path.py times each wait of the two-process job for a child (no
    time is asserted: only that every wait is seen and the path is at least this process's
    CPU)."""
    import os

    env = {**os.environ, "WELFARE_KG_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, str(SCRIPTS / "bench_critical_path.py"),
                           str(tmp_path / "out"), "--jobs", "2"],
                          capture_output=True, text=True, env=env, check=True)
    found = re.search(r"exit 0; this process's CPU ([0-9.]+) s; critical path ([0-9.]+) s; "
                      r"waits \(child CPU / this process's since the fork\): (.*)$",
                      done.stderr.strip())
    assert found, done.stderr
    assert float(found.group(2)) >= float(found.group(1))
    # the site's pages, the maps beside the site, and the build: its N-Quads, then the rest
    children = re.findall(r"\(([^()]*)\)", found.group(3))
    assert [len(re.findall(r"[0-9.]+ / [0-9.]+", c)) for c in children] == [1, 1, 2]
    assert (tmp_path / "out" / "site" / "index.html").is_file()
