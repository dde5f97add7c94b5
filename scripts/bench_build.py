"""Build benchmark behind scripts/bench-build: `welfare-kg build` time and peak RSS.

The reports are copies of the bundled report made distinct (each copy's first line gets a
different number of trailing spaces: a different SHA-256, so nothing is shared through the
cache, but the same rows, so every copy costs the same). They are built with
``--no-corrections`` because the curated corrections apply only to the bundled text.

Each build runs in a child process; its peak RSS is the largest resident set of the build
process or any of its worker processes (``ru_maxrss`` of the reaped child tree), so it shows
whether memory grows with the number of reports. Three runs per size:

* cold: an empty cache, every report extracted and built;
* add one: the cache holds all reports but one (the last report's entries are taken out of
  the cold run's cache), so one report is extracted and the exports are written;
* warm: every report cached (only the exports are written).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from welfare_kg import cache
from welfare_kg.graph.rdf import default_base_iri, parts
from welfare_kg.paths import DEFAULT_REPORT

WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)\n"
)


def make_reports(folder: Path, count: int) -> list[Path]:
    """`count` distinct copies of the bundled report in `folder`."""
    lines = DEFAULT_REPORT.read_text(encoding="utf-8").split("\n")
    paths = []
    for i in range(count):
        copy = list(lines)
        copy[0] = copy[0] + " " * i
        path = folder / f"report-{i:03d}.txt"
        path.write_text("\n".join(copy), encoding="utf-8")
        paths.append(path)
    return paths


def run_build(reports: list[Path], out: Path, cache: Path, jobs: int | None) -> tuple[float, int]:
    """Seconds and peak RSS (MB) of one `welfare-kg build` in a child process."""
    cmd = [sys.executable, "-m", "welfare_kg.cli", "build", "--no-corrections", "-o", str(out),
           *map(str, reports)]
    if jobs:
        cmd[4:4] = ["--jobs", str(jobs)]
    env = {**os.environ, "WELFARE_KG_CACHE_DIR": str(cache)}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], env=env, check=True,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - start
    maxrss_kb, rc = (int(x) for x in result.stdout.split())
    if rc != 0:
        raise SystemExit(f"build failed ({rc}) on {len(reports)} reports")
    return seconds, maxrss_kb // 1024


def forget(report: Path, cache_dir: Path) -> None:
    """Take `report`'s extraction and part out of the cache in `cache_dir`."""
    os.environ["WELFARE_KG_CACHE_DIR"] = str(cache_dir)
    raw_sha = hashlib.sha256(report.read_bytes()).hexdigest()
    entries = [
        cache.entry("extraction", raw_sha, str(report), "False", suffix=".json.z"),
        parts._part_entry(raw_sha, report, False, default_base_iri()),
    ]
    for entry in entries:
        if entry is None or not entry.exists():
            raise SystemExit(f"no cache entry {entry} for {report}: the cache keys changed?")
        entry.unlink()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="1,10,50")
    ap.add_argument("--jobs", type=int, default=None, help="--jobs for build (default: cores)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}; "
          f"jobs: {args.jobs or 'default (cores)'}\n")
    print("| reports | cold: s | cold: peak MB | add one: s | add one: peak MB "
          "| warm: s | warm: peak MB | triples |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        root = Path(tmp)
        reports = make_reports(root, max(sizes))
        for n in sizes:
            cache, out = root / f"cache-{n}", root / f"out-{n}"
            cold = run_build(reports[:n], out, cache, args.jobs)
            forget(reports[n - 1], cache)
            added = run_build(reports[:n], out, cache, args.jobs)
            warm = run_build(reports[:n], out, cache, args.jobs)
            with (out / "welfare-kg.nt").open("rb") as fh:
                triples = sum(1 for _ in fh)
            print(f"| {n} | {cold[0]:.1f} | {cold[1]} | {added[0]:.1f} | {added[1]} "
                  f"| {warm[0]:.1f} | {warm[1]} | {triples:,} |", flush=True)
            shutil.rmtree(cache)
            shutil.rmtree(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
