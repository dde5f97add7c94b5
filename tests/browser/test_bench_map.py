"""scripts/bench's map section (bench_map.py) in quick mode, so it keeps running (no timings)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from welfare_kg.paths import PROJECT_ROOT

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed (CI installs it)")
def test_bench_map_quick_mode_measures_every_map(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "bench_map.py"), "--quick",
         "--keep", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("| city |")]
    assert [line.split(" | ")[1] for line in lines] == [
        "whole-plan", "pillar-1", "pillar-2", "pillar-3"]
    whole = lines[0].split(" | ")
    assert whole[3:5] == ["36", "76"]  # 2 wards: 36 bodies, 2 x 38 links
    assert all(re.fullmatch(r"[\d,]+", cell) for cell in whole[5:10])
    assert sorted(p.name for p in (tmp_path / "city").iterdir())[:2] == [
        "pillar-1.html", "pillar-1.rows.js"]
