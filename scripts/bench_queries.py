"""The query library at 1x/10x/100x reports (scripts/bench queries). Seconds, one run.

For each scale N the benchmark writes a build folder holding N reports' N-Quads in the
graph's shape (shared entities once + one graph per report; `bench_data.py`, or the files
given with --nquads), then measures what the CLI does on it:

- which store `welfare-kg query` picks there (`choose_store`), and the load of both stores
  (in-memory bulk load; the on-disk store `refresh_store_dir` writes: bulk load, optimize,
  and the library's stored answers, graph/sparql/answers.py);
- every library query in-process through the CLI's own path (`open_store` + `run_query`, the
  rows converted as `welfare-kg query` does), on the in-memory and on the on-disk store;
- every library query end-to-end as a subprocess `welfare-kg query NAME --format csv`
  (interpreter start, imports, opening the store, the answer written), beside the bare
  interpreter start `python -c "import pyoxigraph"`, twice: as the CLI answers by default
  on the folder `welfare-kg build` leaves (stored answers where the build has a disk store
  and the query takes no parameters; at a scale `query` answers in memory the disk store
  is removed first, as `build` does not make one there; the body queries, given the header's
  example body, from the answer stored per body) and with `--fresh` (evaluated);
- rdflib's SPARQL engine on the same N-Quads (a union-default Dataset) up to --rdflib-max.

The scales are copies of the bundled report's build (`bench_data.py`: its rows renamed per
copy, the shared entities once), so every scale has the same answer shapes multiplied.
`--quick` runs tiny scales once, for the test suite (tests/test_bench.py), so the benchmark
keeps working; its figures mean nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import welfare_kg_command
from bench_data import copies_of_build

from welfare_kg.graph.sparql.answers import ANSWERS_DIRNAME, per_body, storable
from welfare_kg.graph.sparql.library import QuerySpec, bind_params, list_queries
from welfare_kg.graph.sparql.store import (
    STORE_DIRNAME,
    choose_store,
    load_store,
    open_store,
    refresh_store_dir,
    run_query,
)

# A value for each required parameter: the example its query's header gives (`e.g. …`).
PARAMS: dict[str, dict[str, str]] = {
    spec.name: {p.name: p.example for p in spec.params if p.required and p.example}
    for spec in list_queries()
    if any(p.required for p in spec.params)
}
SLUG = "izumi-fy2021"


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def best_of(fn: Callable[[], object], runs: int) -> float:
    return min(timed(fn)[0] for _ in range(max(1, runs)))


@dataclass
class Scale:
    """The figures of one scale."""

    label: str
    quads: int = 0
    nq_mb: float = 0.0
    cli_store: str = ""
    load: dict[str, float] = field(default_factory=dict)
    query: dict[str, dict[str, float]] = field(default_factory=dict)  # query -> kind -> s
    rows: dict[str, int] = field(default_factory=dict)
    rss_mb: float = 0.0
    answers_mb: float = 0.0
    timed_out: set[str] = field(default_factory=set)  # rdflib queries stopped


def bundled_build(tmp: Path) -> tuple[bytes, str]:
    """The bundled report's build (N-Quads) and its base IRI, built in `tmp`."""
    from welfare_kg.graph.rdf import build_outputs, load_metadata
    from welfare_kg.paths import DEFAULT_REPORT

    base = load_metadata()["base_iri"]
    build_outputs([DEFAULT_REPORT], tmp, base_iri=base)
    return (tmp / "welfare-kg.nq").read_bytes(), base


def cli_query_seconds(out_dir: Path, spec: QuerySpec, runs: int, *, fresh: bool = False,
                      ) -> float:
    """`welfare-kg query NAME` as a user runs it, answer to /dev/null; best of `runs`."""
    argv = [*welfare_kg_command(), "query", spec.name, "--format", "csv", "--out-dir", str(out_dir)]
    argv += ["--fresh"] if fresh else []
    for key, value in PARAMS.get(spec.name, {}).items():
        argv += ["--param", f"{key}={value}"]

    def once() -> None:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)

    return best_of(once, runs)


def interpreter_seconds(runs: int) -> float:
    return best_of(lambda: subprocess.run([sys.executable, "-c", "import pyoxigraph"],
                                          check=True), runs)


def measure_scale(label: str, nquads: bytes, specs: list[QuerySpec], work: Path, *,
                  rdflib: bool, cli: bool | list[str], runs: int,
                  rdflib_timeout: float) -> Scale:
    """The figures of one scale; `cli` times every query as a subprocess, or those named."""
    out = work / label
    out.mkdir(parents=True)
    build = out / "welfare-kg.nq"
    build.write_bytes(nquads)
    fig = Scale(label, nq_mb=len(nquads) / 2**20)
    fig.cli_store = choose_store(build, "auto", many_queries=False)
    fig.load["memory"], memory = timed(lambda: load_store([build]))
    fig.quads = len(memory)
    fig.load["disk"], _ = timed(lambda: refresh_store_dir(out))
    answers = out / STORE_DIRNAME / ANSWERS_DIRNAME
    fig.answers_mb = sum(f.stat().st_size for f in answers.rglob("*") if f.is_file()) / 2**20
    disk = open_store(out, "disk")
    for spec in specs:
        params = PARAMS.get(spec.name, {})
        times = fig.query.setdefault(spec.name, {})
        for kind, store in (("memory", memory), ("disk", disk)):
            times[kind] = best_of(
                lambda s=store, q=spec, p=params: run_query(s, q, p).values(), runs)
        fig.rows[spec.name] = len(run_query(memory, spec, params).rows)
    del memory, disk
    if fig.cli_store == "memory":  # `build` leaves no disk store (nor stored answers) here
        shutil.rmtree(out / STORE_DIRNAME)
    for spec in specs:
        times = fig.query[spec.name]
        if cli is True or (cli and spec.name in cli):
            times["cli"] = cli_query_seconds(out, spec, runs)
            times["fresh"] = cli_query_seconds(out, spec, runs, fresh=True)
        print(f"  {label} {spec.name}: " + ", ".join(f"{k} {v:.3f}" for k, v in times.items()),
              file=sys.stderr, flush=True)
    if rdflib:
        measure_rdflib(fig, nquads, specs, rdflib_timeout)
    fig.rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return fig


def measure_rdflib(fig: Scale, nquads: bytes, specs: list[QuerySpec], timeout: float) -> None:
    """rdflib's load and each query's time; a query past `timeout` seconds is stopped.

    Each query runs in a forked child (which shares the parsed dataset), so one query that
    takes rdflib hours cannot stall the benchmark; its figure is then the timeout, marked
    as a lower bound.
    """
    import rdflib
    from rdflib.util import from_n3

    dataset = rdflib.Dataset(default_union=True)
    fig.load["rdflib"], _ = timed(lambda: dataset.parse(data=nquads, format="nquads"))
    for spec in specs:
        init = {k: from_n3(str(v)) for k, v in
                bind_params(spec, PARAMS.get(spec.name, {})).items()}
        seconds = _in_child(lambda spec=spec, init=init: list(
            dataset.query(spec.text, initBindings=init)), timeout)
        fig.query[spec.name]["rdflib"] = timeout if seconds is None else seconds
        if seconds is None:
            fig.timed_out.add(spec.name)
        print(f"  {fig.label} {spec.name}: rdflib "
              f"{'>' if seconds is None else ''}{fig.query[spec.name]['rdflib']:.3f}",
              file=sys.stderr, flush=True)


def _in_child(fn: Callable[[], object], timeout: float) -> float | None:
    """Seconds `fn` takes in a forked child, or None when it runs past `timeout`."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: time fn, report, leave without cleanup handlers
        os.close(read_end)
        try:
            seconds = timed(fn)[0]
            os.write(write_end, repr(seconds).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], timeout)
        data = os.read(read_end, 64) if ready else b""
    finally:
        os.close(read_end)
        if not data:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return float(data) if data else None


def _s(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def report(figs: list[Scale], specs: list[QuerySpec], interp: float | None) -> str:
    lines = ["Loading, and the whole library (sum over the queries, in-process):", "",
              "| scale | quads | N-Quads MB | store `query` picks | load memory s | "
              "load disk s | stored answers MB | load rdflib s | queries memory s | "
              "queries disk s | queries rdflib s | rdflib / CLI store | max RSS MB |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for f in figs:
        total = {k: sum(t[k] for t in f.query.values()) for k in ("memory", "disk")}
        rd = sum(t["rdflib"] for t in f.query.values()) if "rdflib" in f.load else None
        more = ">" if f.timed_out else ""
        ratio = f"{more}{rd / total[f.cli_store]:.0f}x" if rd else "–"
        lines.append(
            f"| {f.label} | {f.quads:,} | {f.nq_mb:.1f} | {f.cli_store} | "
            f"{f.load['memory']:.2f} | {f.load['disk']:.2f} | {f.answers_mb:.1f} | "
            f"{_s(f.load.get('rdflib'), 2)} | "
            f"{total['memory']:.3f} | {total['disk']:.3f} | {more if rd else ''}{_s(rd, 2)} | "
            f"{ratio} | "
            f"{f.rss_mb:.0f} |")
    lines.append("")
    for f in figs:
        has_cli = all("cli" in t for t in f.query.values())
        has_rd = "rdflib" in f.load
        head = ["query", "rows", "memory s", "disk s"]
        head += ["`welfare-kg query` s", "`--fresh` s"] if has_cli else []
        head += ["rdflib s", "rdflib / CLI store"] if has_rd else []
        head += ["rdflib / `query --fresh`"] if has_rd and has_cli else []
        lines += [f"Per query at {f.label} ({f.quads:,} quads; `welfare-kg query` picks the "
                  f"{f.cli_store} store" + (f"; bare interpreter start {interp:.3f} s"
                                            if has_cli and interp else "") + "):", "",
                  "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for spec in specs:
            t = f.query[spec.name]
            stored = ("*" if has_cli and f.cli_store == "disk"
                      and (storable(spec) or per_body(spec)) else "")
            cells = [spec.name, str(f.rows[spec.name]), _s(t["memory"]), _s(t["disk"])]
            cells += [_s(t["cli"]) + stored, _s(t["fresh"])] if has_cli else []
            if has_rd:
                more = ">" if spec.name in f.timed_out else ""
                cells += [more + _s(t["rdflib"]), f"{more}{t['rdflib'] / t[f.cli_store]:.0f}x"]
                cells += [f"{more}{t['rdflib'] / t['fresh']:.0f}x"] if has_cli else []
            lines.append("| " + " | ".join(cells) + " |")
        if has_cli:
            summary = []
            for kind in ("cli", "fresh"):
                times = [t[kind] for t in f.query.values()]
                under = sum(x < 0.5 for x in times)
                summary.append(f"{statistics.median(times):.3f} / {max(times):.3f} "
                               f"({under} of {len(times)} < 0.5 s)")
            lines.append("| median / max | | | | " + " | ".join(summary) + " |"
                         + (" | | |" if has_rd else ""))
            if f.cli_store == "disk":
                lines.append("")
                lines.append("\\* answered from the stored answer (no parameters, or "
                             "per body for the body queries; graph/sparql/answers.py)")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="1,10,100",
                    help="numbers of reports, copies of the bundled one (default 1,10,100)")
    ap.add_argument("--nquads", type=Path, nargs="+", metavar="FILE",
                    help="benchmark these builds' N-Quads instead of copies of the bundled "
                         "report (e.g. scripts/synth reports built by welfare-kg build)")
    ap.add_argument("--rdflib-max", type=int, default=10,
                    help="largest scale also run on rdflib, which is slow (default 10)")
    ap.add_argument("--rdflib-timeout", type=float, default=300,
                    help="stop an rdflib query after this many seconds (default 300)")
    ap.add_argument("--cli-max", type=int, default=100,
                    help="largest scale also timed as `welfare-kg query` subprocesses")
    ap.add_argument("--runs", type=int, default=2, help="best of this many runs (default 2)")
    ap.add_argument("--queries", help="only these library queries (comma-separated)")
    ap.add_argument("--quick", action="store_true",
                    help="tiny scales, one run: checks that the benchmark works")
    ap.add_argument("-o", "--output", type=Path, help="also write the Markdown here")
    args = ap.parse_args(argv)
    if args.quick:
        args.scales, args.rdflib_max, args.cli_max, args.runs = "1,2", 1, 1, 1
        args.rdflib_timeout = min(args.rdflib_timeout, 10)
    specs = list_queries()
    if args.queries:
        wanted = set(args.queries.split(","))
        specs = [s for s in specs if s.name in wanted]
    # Quick mode starts the CLI only for the queries with parameters (argument passing).
    cli_quick = [s.name for s in specs if s.name in PARAMS] if args.quick else True
    figs: list[Scale] = []
    with tempfile.TemporaryDirectory(prefix="welfare-kg-bench-") as tmp:
        work = Path(tmp)
        if args.nquads:
            datasets = [(path.stem, path.read_bytes(), 0) for path in args.nquads]
        else:
            nq, base = bundled_build(work / "bundled")
            datasets = [(f"{n}x", None, n) for n in (int(s) for s in args.scales.split(","))]
        for label, data, n in datasets:
            if data is None:
                data = copies_of_build(nq, n, base, SLUG)
            count = n or 1
            figs.append(measure_scale(label, data, specs, work,
                                      rdflib=count <= args.rdflib_max,
                                      cli=count <= args.cli_max and cli_quick,
                                      runs=args.runs, rdflib_timeout=args.rdflib_timeout))
            del data
    interp = interpreter_seconds(args.runs)
    text = report(figs, specs, interp) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
