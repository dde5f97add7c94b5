"""`welfare-kg build` time and peak memory by number of reports (scripts/bench build).

The reports are scripts/synth's city (18 wards x 5 fiscal years = 90 distinct reports, each
with its ward's own bodies, rows and quantities; seeded, so every run builds the same bytes),
read with the city's vocabulary (`welfare-kg --data-dir DIR/data`). For N reports the first N
in name order are built (ward by ward, year by year), through the real CLI as a user runs it.

Each build is a whole process measured by bench_common.measure_process: wall time, the peak
resident set of the largest single process (the kernel's ``ru_maxrss`` over the build and its
``--jobs`` worker processes), the build process's own peak and the tree's summed RSS (both
sampled every 50 ms), so the table says whether memory grows with the number of reports and
which process holds it. Three runs per size:

* cold: an empty cache, every report extracted and built;
* add one: the cache holds all reports but the last (its extraction and part are taken out of
  the cold run's cache), so one report is extracted and the exports are written;
* warm: every report cached (only the exports are written).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import Usage, measure_process, remove_out, welfare_kg_command

SCRIPTS = Path(__file__).resolve().parent


def synthesize(out: Path, wards: int, years: int) -> Path:
    """scripts/synth's city of `wards` x `years` reports in `out` (seed 1)."""
    env = {k: v for k, v in os.environ.items() if k != "WELFARE_KG_DATA_DIR"}
    subprocess.run([sys.executable, str(SCRIPTS / "synth.py"), "-o", str(out), "--wards",
                    str(wards), "--years", str(years), "--seed", "1"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    return out


def run_build(reports: list[Path], data: Path, out: Path, cache: Path,
              jobs: int | None) -> Usage:
    """One `welfare-kg --data-dir DATA build REPORT… -o OUT` with its own cache folder."""
    cmd = [*welfare_kg_command(), "--data-dir", str(data), "build", "-o", str(out),
           *(["--jobs", str(jobs)] if jobs else []), *map(str, reports)]
    env = {**os.environ, "WELFARE_KG_CACHE_DIR": str(cache)}
    env.pop("WELFARE_KG_DATA_DIR", None)
    return measure_process(cmd, env=env)


def forget(report: Path, cache_dir: Path) -> None:
    """Take `report`'s extraction and part out of the cache in `cache_dir`.

    The keys are the build's own (welfare_kg.cache), computed in this process, which was
    started with the city's data folder (so the code/data version in the key is the same).
    """
    os.environ["WELFARE_KG_CACHE_DIR"] = str(cache_dir)
    from welfare_kg import cache
    from welfare_kg.graph.rdf import default_base_iri, parts

    raw_sha = hashlib.sha256(report.read_bytes()).hexdigest()
    entries = [
        cache.entry("extraction", raw_sha, str(report), "True", suffix=".json.z"),
        parts._part_entry(raw_sha, report, True, default_base_iri()),
    ]
    for entry in entries:
        if entry is None or not entry.exists():
            raise SystemExit(f"no cache entry {entry} for {report}: the cache keys changed?")
        entry.unlink()


def _cells(u: Usage) -> str:
    return (f"{u.wall:.1f} | {u.max_rss_mb:.0f} | {u.root_rss_mb:.0f} | {u.tree_rss_mb:.0f} "
            f"| {u.processes}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1,10,50,90", help="numbers of reports (default 1,10,50,90)")
    ap.add_argument("--jobs", type=int, default=None, help="--jobs for build (default: cores)")
    ap.add_argument("--synth", type=Path,
                    help="an existing scripts/synth output folder (default: write 18 x 5 now)")
    ap.add_argument("--quick", action="store_true",
                    help="a 1-ward, 2-year city, sizes 1 and 2: checks that the bench runs")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes = "1,2"
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="welfare-kg-bench-build-") as tmp:
        root = Path(tmp)
        city = args.synth or synthesize(root / "synth", 1 if args.quick else 18,
                                        2 if args.quick else 5)
        data = (city / "data").resolve()
        os.environ["WELFARE_KG_DATA_DIR"] = str(data)  # for forget's cache keys
        reports = sorted((city / "reports").glob("*.txt"))
        if max(sizes) > len(reports):
            raise SystemExit(f"{city} holds {len(reports)} reports, fewer than {max(sizes)}")
        print(f"scripts/synth city: {len(reports)} reports in {city.name}/reports, "
              f"`--jobs {args.jobs or 'default (cores)'}`. Peak MB: the largest single "
              "process (kernel); build MB: the build process alone and tree MB: all its "
              "processes summed (both sampled every 50 ms); procs: most processes at once.\n")
        print("| reports | triples | cold s | cold peak MB | build MB | tree MB | procs "
              "| add one s | peak MB | build MB | tree MB | procs "
              "| warm s | peak MB | build MB | tree MB | procs |")
        print("|" + "---:|" * 17)
        for n in sizes:
            cache, out = root / f"cache-{n}", root / f"out-{n}"
            cold = run_build(reports[:n], data, out, cache, args.jobs)
            forget(reports[n - 1], cache)
            added = run_build(reports[:n], data, out, cache, args.jobs)
            warm = run_build(reports[:n], data, out, cache, args.jobs)
            with (out / "welfare-kg.nt").open("rb") as fh:
                triples = sum(1 for _ in fh)
            print(f"| {n} | {triples:,} | {_cells(cold)} | {_cells(added)} | {_cells(warm)} |",
                  flush=True)
            shutil.rmtree(cache)
            remove_out(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
