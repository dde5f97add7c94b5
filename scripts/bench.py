"""The project's benchmark in one run (scripts/bench): every figure issue 9 sets a target for.

Sections, in this order (`--only` picks some; each runs as its own process, so one section's
memory or imports do not colour the next):

- main:    `welfare-kg all` on the bundled report, cold and warm, against the import
           baseline `python -c "import rdflib, pyoxigraph"` (bench_main_job.py);
- queries: load and every library query at 1x/10x/100x copies of the bundled report, on the
           store `welfare-kg query` picks, in-process and end to end through the CLI, with
           rdflib's SPARQL beside it at 1x and 10x (bench_queries.py, bench_data.py);
- build:   `welfare-kg build` time and peak RSS at 1/10/50/90 of scripts/synth's 18 x 5
           city reports, cold, one added and warm (bench_build.py);
- map:     how fast the city-scale collaboration map is ready in headless Chromium, beside
           the bundled report's (bench_map.py).

The output is Markdown: the machine, the date, the commit and the load average before and
after each section (the machine may be shared: read the ratios, measured in the same run).
`--quick` runs every section at toy sizes once, so the test suite can check that the
benchmark still runs (tests/test_bench.py); its figures mean nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import load_average, machine_line

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
SECTIONS = {  # name: (title, module)
    "main": ("The main job against the import baseline", "bench_main_job.py"),
    "queries": ("Load and every query at 1, 10 and 100 reports", "bench_queries.py"),
    "build": ("Build time and peak memory by number of reports", "bench_build.py"),
    "map": ("The city-scale map in headless Chromium", "bench_map.py"),
}


def section_args(name: str, args: argparse.Namespace) -> list[str]:
    """The arguments this run gives one section's module."""
    quick = ["--quick"] if args.quick else []
    if name == "main":
        return [*quick, "--runs", str(args.main_runs)]
    if name == "queries":
        return [*quick, "--scales", args.scales, "--runs", str(args.runs),
                "--rdflib-timeout", str(args.rdflib_timeout)]
    if name == "build":
        return [*quick, "--sizes", args.build_sizes,
                *(["--synth", str(args.synth)] if args.synth else [])]
    return [*quick, "--runs", str(args.map_runs)]


def commit() -> str:
    done = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                          capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


def run_section(name: str, args: argparse.Namespace) -> str:
    """One section as its own process; its Markdown with the load and time around it."""
    title, module = SECTIONS[name]
    before, start = load_average(), time.perf_counter()
    print(f"bench: {name} …", file=sys.stderr, flush=True)
    done = subprocess.run([sys.executable, str(SCRIPTS / module), *section_args(name, args)],
                          cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench: section {name} failed ({done.returncode})")
    return (f"### {title}\n\n(`scripts/bench --only {name}`; load average 1/5/15 min "
            f"{before} before, {load_average()} after; {seconds:.0f} s)\n\n"
            f"{done.stdout.strip()}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default=",".join(SECTIONS),
                    help=f"sections to run, comma-separated (default: {','.join(SECTIONS)})")
    ap.add_argument("--quick", action="store_true",
                    help="toy sizes, one run each: checks that every section still runs")
    ap.add_argument("-o", "--output", type=Path, help="also write the Markdown here")
    ap.add_argument("--main-runs", type=int, default=5, help="main: counted rounds (default 5)")
    ap.add_argument("--scales", default="1,10,100", help="queries: scales (default 1,10,100)")
    ap.add_argument("--runs", type=int, default=2, help="queries: best of N (default 2)")
    ap.add_argument("--rdflib-timeout", type=float, default=120,
                    help="queries: stop an rdflib query after this many seconds (default 120)")
    ap.add_argument("--build-sizes", default="1,10,50,90",
                    help="build: numbers of reports (default 1,10,50,90)")
    ap.add_argument("--synth", type=Path,
                    help="build: reuse this scripts/synth output (default: write 18 x 5)")
    ap.add_argument("--map-runs", type=int, default=5, help="map: page loads per map (default 5)")
    args = ap.parse_args(argv)
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in SECTIONS]
    if unknown or not wanted:
        ap.error(f"--only takes some of {','.join(SECTIONS)}; not {','.join(unknown) or '-'}")
    parts = [f"Machine: {machine_line()}; commit {commit()}"
             + ("; --quick (figures mean nothing)" if args.quick else "") + "\n"]
    print(parts[0], flush=True)
    for name in SECTIONS:  # always in the same order
        if name in wanted:
            parts.append(run_section(name, args))
            print(parts[-1], flush=True)
    if args.output:
        args.output.write_text("\n".join(parts), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
