"""The map also draws in Firefox (headless screenshot, network sent to a dead proxy)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from viz_fixtures import small_plan

from welfare_kg.viz.maps import TYPE_COLORS, write_maps

pytestmark = pytest.mark.integration

FIREFOX = shutil.which(os.environ.get("WELFARE_KG_FIREFOX", "firefox-esr")) or shutil.which(
    "firefox")

# Every http(s) request goes to a closed local port: a map that needed the network would break.
OFFLINE_PREFS = """
user_pref("network.proxy.type", 1);
user_pref("network.proxy.http", "127.0.0.1");
user_pref("network.proxy.http_port", 9);
user_pref("network.proxy.ssl", "127.0.0.1");
user_pref("network.proxy.ssl_port", 9);
user_pref("network.proxy.allow_hijacking_localhost", true);
user_pref("app.update.enabled", false);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
"""


def colour_pixels(png: Path, hex_colour: str, left: int) -> int:
    """How many pixels right of `left` have (nearly) this colour."""
    from matplotlib.image import imread

    image = imread(str(png))[:, left:, :3]
    target = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    close = (abs(image - target) < 0.03).all(axis=2)
    return int(close.sum())


@pytest.mark.skipif(FIREFOX is None,
                    reason="Firefox is not installed (apt-get install firefox-esr; CI installs it)")
def test_map_draws_in_firefox(tmp_path, screenshot_dir) -> None:
    path = write_maps(small_plan(), tmp_path / "maps")[0]
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "user.js").write_text(OFFLINE_PREFS, encoding="utf-8")
    screenshot_dir.mkdir(parents=True, exist_ok=True)
    shot = screenshot_dir / "firefox-whole-plan.png"
    shot.unlink(missing_ok=True)
    subprocess.run(
        [FIREFOX, "--headless", "--no-remote", "--profile", str(profile),
         "--window-size=1400,900", "--screenshot", str(shot), path.as_uri()],
        check=True, timeout=120, capture_output=True,
        env={**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1"},
    )
    assert shot.is_file()
    for colour in TYPE_COLORS.values():  # a node of every body type was drawn on the canvas
        assert colour_pixels(shot, colour, left=320) > 50, colour
