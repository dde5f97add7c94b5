"""Every library query end to end through `welfare-kg query`, this tree against another one.

Behind scripts/bench-compare. Both trees run with this tree's virtual environment on the same
build folder (and so the same on-disk store), one process per query, the two versions
interleaved query by query so that load from other jobs falls on both alike: read the ratios.
The other tree (e.g. `git worktree add /tmp/before main`, or `git archive main | tar -x -C
/tmp/before`) is imported from its own sources through PYTHONPATH and WELFARE_KG_HOME, so its
queries, data and code are its own. Each query's answer must be byte-identical in both trees;
a difference is reported.

The build folder holds a build's `welfare-kg.nq` (e.g. 100 copies of the bundled report,
written with --scale 100 from scripts/bench_data.py).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import copies_of_build
from bench_queries import PARAMS, SLUG, bundled_build

from welfare_kg.graph.sparql.library import list_queries
from welfare_kg.graph.sparql.store import refresh_store_dir


def tree_env(tree: Path | None, scratch: Path) -> dict[str, str]:
    """The environment that runs `tree`'s welfare_kg (None: this tree, as installed)."""
    env = dict(os.environ)
    if tree is None:
        return env
    pkg = scratch / "pkg"  # welfare_kg with graph/ and viz/ inside, as the install maps them
    if not pkg.exists():
        shutil.copytree(tree / "welfare_kg", pkg / "welfare_kg")
        for sub in ("graph", "viz"):
            (pkg / "welfare_kg" / sub).symlink_to(tree.resolve() / sub)
    env.update(PYTHONPATH=str(pkg), WELFARE_KG_HOME=str(tree.resolve()))
    return env


def run_once(env: dict[str, str], name: str, build_dir: Path, fmt: str) -> tuple[float, bytes]:
    """One `welfare-kg query` process; started in the build folder, so that no source tree
    is the current directory (`python -m` would import welfare_kg from there first)."""
    argv = [sys.executable, "-m", "welfare_kg.cli", "query", name, "--format", fmt,
            "--out-dir", str(build_dir.resolve())]
    for key, value in PARAMS.get(name, {}).items():
        argv += ["--param", f"{key}={value}"]
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=build_dir, stdout=subprocess.PIPE, check=True)
    return time.perf_counter() - start, done.stdout


def count_rows(answer: bytes, fmt: str) -> int | str:
    """Rows of a CSV answer (texts may span lines); other formats are not counted."""
    if fmt != "csv":
        return "–"
    return max(0, sum(1 for _ in csv.reader(io.StringIO(answer.decode("utf-8")))) - 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--other", type=Path, required=True, help="the other source tree")
    ap.add_argument("--build", type=Path, required=True,
                    help="build folder (with welfare-kg.nq; made with --scale when missing)")
    ap.add_argument("--scale", type=int, default=100,
                    help="copies of the bundled report to write when the build is missing")
    ap.add_argument("--runs", type=int, default=2, help="best of this many runs (default 2)")
    ap.add_argument("--queries", help="only these queries (comma-separated)")
    ap.add_argument("--format", default="csv", choices=("csv", "table", "tsv", "json"))
    args = ap.parse_args(argv)
    if not (args.build / "welfare-kg.nq").is_file():
        args.build.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            nq, base = bundled_build(Path(tmp))
        (args.build / "welfare-kg.nq").write_bytes(copies_of_build(nq, args.scale, base, SLUG))
    refresh_store_dir(args.build)  # loaded once, outside the timings (both trees reuse it)
    names = [s.name for s in list_queries()]
    if args.queries:
        names = [n for n in names if n in set(args.queries.split(","))]
    print("| query | rows | other s | this s | other / this |\n|---|---|---|---|---|")
    ratios = []
    with tempfile.TemporaryDirectory(prefix="welfare-kg-compare-") as tmp:
        envs = {"other": tree_env(args.other, Path(tmp)), "this": tree_env(None, Path(tmp))}
        for name in names:
            best = dict.fromkeys(envs, float("inf"))
            answers: dict[str, bytes] = {}
            for _ in range(max(1, args.runs)):
                for which, env in envs.items():
                    seconds, answers[which] = run_once(env, name, args.build, args.format)
                    best[which] = min(best[which], seconds)
            rows = count_rows(answers["this"], args.format)
            note = "" if answers["this"] == answers["other"] else " (answers differ)"
            ratios.append(best["other"] / best["this"])
            print(f"| {name}{note} | {rows} | {best['other']:.3f} | {best['this']:.3f} | "
                  f"{ratios[-1]:.1f}x |", flush=True)
    print(f"\nmedian ratio {statistics.median(ratios):.2f}x over {len(ratios)} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
