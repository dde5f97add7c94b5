"""Benchmarks behind scripts/bench (see there). Times are best of a few runs, in seconds.

Larger graphs are made from the bundled report's build by copying every report-specific
IRI per copy (bodies stay shared, as they are across real reports), so a 100x graph has the
shape of 100 ward-years of reports.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from welfare_kg.graph.rdf.exports import build_outputs
from welfare_kg.graph.report.extract import extract_report
from welfare_kg.graph.sparql.library import bind_params, list_queries
from welfare_kg.paths import DEFAULT_REPORT


def best_of(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def scaled_nquads(nq: bytes, copies: int, report_key: bytes) -> bytes:
    """`copies` copies of the build, report-specific IRIs renamed per copy."""
    out = [nq]
    for i in range(1, copies):
        out.append(nq.replace(report_key, report_key + b"-copy%d" % i))
    return b"".join(out)


def runnable_queries():
    specs = []
    for spec in list_queries():
        if all(not p.required or p.default is not None for p in spec.params):
            specs.append(spec)
    return specs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--rdflib-max", type=int, default=10,
                    help="largest scale also run on rdflib (it is slow)")
    ap.add_argument("-o", "--output", type=Path)
    args = ap.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    lines = [f"Machine: {platform.machine()}, Python {platform.python_version()}, "
             f"{time.strftime('%Y-%m-%d')}", ""]

    from welfare_kg.graph.report.similarity import words

    def cold_extract():
        words.cache_clear()  # tokenisation is memoised; measure a cold extraction
        return extract_report(DEFAULT_REPORT)

    t_extract = best_of(cold_extract, runs=2)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t_build = best_of(lambda: build_outputs([DEFAULT_REPORT], out), runs=1)
        nq = (out / "welfare-kg.nq").read_bytes()
    lines += ["| step (bundled report) | seconds |", "|---|---|",
              f"| extract (layout, segmentation, outcomes) | {t_extract:.2f} |",
              f"| extract + build + all exports | {t_build:.2f} |", ""]

    import pyoxigraph as ox
    import rdflib

    specs = runnable_queries()
    lines += [f"SPARQL library: {len(specs)} queries runnable without parameters, run in turn; "
              "time is the sum over the queries.", "",
              "| scale | quads | oxigraph load s | oxigraph queries s | rdflib load s "
              "| rdflib queries s | rdflib / oxigraph (queries) | max RSS MB |",
              "|---|---|---|---|---|---|---|---|"]
    for scale in scales:
        data = scaled_nquads(nq, scale, b"izumi-fy2021")
        store = ox.Store()
        t0 = time.perf_counter()
        store.bulk_load(data, ox.RdfFormat.N_QUADS)
        t_ox_load = time.perf_counter() - t0
        quads = len(store)

        def run_ox(store=store):
            for spec in specs:
                subs = {ox.Variable(k): v for k, v in bind_params(spec, {}).items()}
                list(store.query(spec.text, use_default_graph_as_union=True,
                                 substitutions=subs or None))

        t_ox = best_of(run_ox, runs=2)
        rd_load = rd_q = None
        if scale <= args.rdflib_max:
            ds = rdflib.Dataset(default_union=True)
            t0 = time.perf_counter()
            ds.parse(data=data, format="nquads")
            rd_load = time.perf_counter() - t0

            def run_rd(ds=ds):
                for spec in specs:
                    init = {k: rdflib.util.from_n3(str(v)) for k, v in
                            bind_params(spec, {}).items()}
                    list(ds.query(spec.text, initBindings=init or None))

            rd_q = best_of(run_rd, runs=1)
            del ds
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ratio = f"{rd_q / t_ox:.0f}x" if rd_q else "–"
        rd_load_s = f"{rd_load:.2f}" if rd_load else "–"
        rd_q_s = f"{rd_q:.2f}" if rd_q else "–"
        lines.append(
            f"| {scale}x | {quads:,} | {t_ox_load:.2f} | {t_ox:.3f} | {rd_load_s} | {rd_q_s} | "
            f"{ratio} | {rss:.0f} |"
        )
        print(lines[-1], file=sys.stderr, flush=True)
        del store
    text = "\n".join(lines) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
