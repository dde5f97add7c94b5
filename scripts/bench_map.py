"""Benchmark behind scripts/bench-map (see there): how fast a map is ready in real Chromium.

A map is ready when its page has drawn the network with the layout in place and physics
stopped (it sets `data-settled="true"` on <body>). An init script, installed before any of the
page's own code runs, notes the time (ms since navigation start) at which that happens, and a
long-task observer adds up the main thread's blocked time (the part of each task over 50 ms)
until then, so the figures mean the same for any version of the page.
"""

from __future__ import annotations

import argparse
import os
import platform
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--wards", type=int, default=18, help="wards in the city (default 18)")
    ap.add_argument("--years", type=int, default=5, help="plan years (default 5)")
    ap.add_argument("--runs", type=int, default=5, help="page loads per map (median shown)")
    ap.add_argument("--timeout", type=float, default=60, help="seconds to wait for a map")
    ap.add_argument("--keep", type=Path, help="write the maps here instead of a temp folder")
    ap.add_argument("--quick", action="store_true",
                    help="a small city (2 wards, 1 year, 1 run): checks the bench runs")
    args = ap.parse_args()
    if args.quick:
        args.wards, args.years, args.runs = 2, 1, 1
    if not CHROMIUM.exists():
        print(f"bench-map: error: {CHROMIUM} is not installed (apt-get install chromium)",
              file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    start = time.perf_counter()
    plan = city_plan(wards=args.wards, years=args.years)
    made = time.perf_counter() - start
    G = collaboration_network(plan)
    with tempfile.TemporaryDirectory(prefix="welfare-kg-bench-map-") as tmp:
        out = args.keep or Path(tmp)
        start = time.perf_counter()
        paths = write_maps(plan, out)
        written = time.perf_counter() - start
        print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}, Chromium {CHROMIUM}, {time.strftime('%Y-%m-%d')}")
        print(f"City plan: {args.wards} wards x {args.years} years: {len(plan.bodies)} bodies, "
              f"{len(plan.rows)} rows; whole-plan network {G.number_of_nodes()} bodies, "
              f"{G.number_of_edges()} links (plan made in {made:.2f} s, "
              f"{len(paths)} maps written in {written:.2f} s)")
        print()
        print("| map | bodies | links | page KB | side files KB | ready ms (median) | "
              "blocked ms | long tasks |")
        print("|---|---|---|---|---|---|---|---|")
        with tempfile.TemporaryDirectory(prefix="welfare-kg-bench-chromium-") as profile, \
                sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), headless=True, args=ARGS,
                viewport={"width": 1400, "height": 900})
            context.add_init_script(WATCH)
            try:
                for scope, path in zip(map_scopes(plan), paths, strict=True):
                    g = collaboration_network(plan, pillar=scope.pillar)
                    runs = [measure(context, path, int(args.timeout * 1000))
                            for _ in range(args.runs)]
                    side = sum(f.stat().st_size for f in out.glob(f"{path.stem}.*")
                               if f != path)
                    print(f"| {scope.slug} | {g.number_of_nodes()} | {g.number_of_edges()} | "
                          f"{path.stat().st_size / 1024:,.0f} | {side / 1024:,.0f} | "
                          f"{statistics.median(r['settled'] for r in runs):,.0f} | "
                          f"{statistics.median(r['blocked'] for r in runs):,.0f} | "
                          f"{statistics.median(r['tasks'] for r in runs):.0f} |")
            finally:
                context.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
