"""How fast a map is ready in real headless Chromium (scripts/bench map).

The maps of a synthetic city (tests/city_plan.py: 18 wards x 5 years) and of the bundled
report are written and opened in the same run, so their ratio holds on a busy machine.

A map is ready when its page has drawn the network with the layout in place and physics
stopped (it sets `data-settled="true"` on <body>). An init script, installed before any of the
page's own code runs, notes the time (ms since navigation start) at which that happens, and a
long-task observer adds up the main thread's blocked time (the part of each task over 50 ms)
until then, so the figures mean the same for any version of the page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the synthetic city plan lives with the test fixtures

from city_plan import city_plan  # noqa: E402

from welfare_kg.viz.maps import map_scopes, write_maps  # noqa: E402
from welfare_kg.viz.network import collaboration_network  # noqa: E402
from welfare_kg.viz.plan import Plan  # noqa: E402

CHROMIUM = Path(os.environ.get("WELFARE_KG_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

WATCH = """
(() => {
  window.__bench = { settled: null, blocked: 0, tasks: 0 };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (window.__bench.settled !== null && e.startTime > window.__bench.settled) continue;
        window.__bench.tasks += 1;
        window.__bench.blocked += Math.max(0, e.duration - 50);
      }
    }).observe({ type: "longtask", buffered: true });
  } catch (err) { /* no long-task timing: blocked stays 0 */ }
  new MutationObserver((changes, observer) => {
    if (document.body && document.body.getAttribute("data-settled") === "true") {
      window.__bench.settled = performance.now();
      observer.disconnect();
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-settled"] });
})();
"""


def measure(context, path: Path, timeout_ms: int) -> dict[str, float]:
    """Open `path` in a fresh page; times in ms since navigation start."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
               else r.abort())
    try:
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("body[data-settled=true]", state="attached", timeout=timeout_ms)
        page.wait_for_timeout(100)  # let the long-task observer deliver the last entries
        found = page.evaluate("""() => ({
            settled: window.__bench.settled, blocked: window.__bench.blocked,
            tasks: window.__bench.tasks,
            nodes: welfareMap.nodes.get({filter: n => !n.hidden}).length,
            physics: welfareMap.network.physics.options.enabled })""")
    finally:
        page.close()
    if errors:
        raise RuntimeError(f"{path.name}: page error: {errors[0]}")
    return found


def bundled_plan(tmp: Path) -> Plan:
    """The bundled report's plan, built into `tmp` the way `welfare-kg maps` reads it."""
    from welfare_kg.graph.sparql import open_store
    from welfare_kg.viz import load_plan

    return load_plan(open_store(tmp / "build"))


def bench_maps(context, name: str, plan: Plan, out: Path, runs: int, timeout_ms: int) -> list[str]:
    """Write `plan`'s maps into `out`, open each `runs` times; one table line per map."""
    start = time.perf_counter()
    paths = write_maps(plan, out)
    written = time.perf_counter() - start
    lines = []
    for scope, path in zip(map_scopes(plan), paths, strict=True):
        g = collaboration_network(plan, pillar=scope.pillar)
        found = [measure(context, path, timeout_ms) for _ in range(runs)]
        side = sum(f.stat().st_size for f in out.glob(f"{path.stem}.*") if f != path)
        lines.append(
            f"| {name} | {scope.slug} | {len(plan.rows):,} | {g.number_of_nodes()} | "
            f"{g.number_of_edges()} | {path.stat().st_size / 1024:,.0f} | {side / 1024:,.0f} | "
            f"{statistics.median(r['settled'] for r in found):,.0f} | "
            f"{min(r['settled'] for r in found):,.0f} | "
            f"{statistics.median(r['blocked'] for r in found):,.0f} | "
            f"{written / len(paths):.2f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wards", type=int, default=18, help="wards in the city (default 18)")
    ap.add_argument("--years", type=int, default=5, help="plan years (default 5)")
    ap.add_argument("--runs", type=int, default=5, help="page loads per map (median shown)")
    ap.add_argument("--timeout", type=float, default=60, help="seconds to wait for a map")
    ap.add_argument("--keep", type=Path, help="write the maps here instead of a temp folder")
    ap.add_argument("--no-bundled", action="store_true",
                    help="leave out the bundled report's maps (they need a build, ~15 s)")
    ap.add_argument("--quick", action="store_true",
                    help="a small city (2 wards, 1 year, 1 run), no bundled report: checks "
                         "that the bench runs")
    args = ap.parse_args(argv)
    if args.quick:
        args.wards, args.years, args.runs, args.no_bundled = 2, 1, 1, True
    if not CHROMIUM.exists():
        print(f"bench map: error: {CHROMIUM} is not installed (apt-get install chromium)",
              file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    plan = city_plan(wards=args.wards, years=args.years)
    G = collaboration_network(plan)
    print(f"Browser: {CHROMIUM} (headless, 1400x900), opened from a file.")
    print(f"City: {args.wards} wards x {args.years} years, {len(plan.bodies)} bodies, "
          f"{len(plan.rows):,} rows; its whole-plan network has {G.number_of_nodes()} bodies "
          f"and {G.number_of_edges()} links. Median and best of {args.runs} page loads.")
    print()
    print("| plan | map | rows | bodies | links | page KB | side file KB | ready ms (median) | "
          "ready ms (best) | blocked ms | Python s per map |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    timeout_ms = int(args.timeout * 1000)
    with tempfile.TemporaryDirectory(prefix="welfare-kg-bench-map-") as tmp, \
            sync_playwright() as p:
        out = args.keep or Path(tmp)
        bundled = None if args.no_bundled else bundled_plan(Path(tmp))
        context = p.chromium.launch_persistent_context(
            str(Path(tmp) / "profile"), executable_path=str(CHROMIUM), headless=True,
            args=ARGS, viewport={"width": 1400, "height": 900})
        context.add_init_script(WATCH)
        try:
            for line in bench_maps(context, "city", plan, out / "city", args.runs, timeout_ms):
                print(line, flush=True)
            if bundled is not None:
                for line in bench_maps(context, "bundled", bundled, out / "bundled", args.runs,
                                       timeout_ms):
                    print(line, flush=True)
        finally:
            context.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
