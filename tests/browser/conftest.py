"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) for the map tests.

Each test gets a fresh page in one persistent context with its own profile directory; every
request that is not a file: URL is aborted, so a map that needed the network would break.

Screenshots go to a pytest temporary folder, never into the checkout; set
$WELFARE_KG_SCREENSHOTS to a folder to keep them there instead.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: shared fixtures

CHROMIUM = Path(os.environ.get("WELFARE_KG_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@dataclass
class Visit:
    """A map opened in the browser, with what the page said and asked for."""

    page: object
    shots: Path
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def eval(self, script: str):
        return self.page.evaluate(script)

    def visible(self) -> tuple[int, int]:
        return tuple(self.page.evaluate(
            "() => [welfareMap.nodes.get({filter: n => !n.hidden}).length,"
            " welfareMap.edges.get({filter: e => !e.hidden}).length]"))

    def screenshot(self, name: str) -> Path:
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Where screenshots go: $WELFARE_KG_SCREENSHOTS if set, else a pytest temporary folder."""
    chosen = os.environ.get("WELFARE_KG_SCREENSHOTS")
    return Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium; CI installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=ARGS,
            viewport={"width": 1400, "height": 900}, accept_downloads=True,
        )
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def open_map(browser_context, screenshot_dir):
    """open_map(path, hash="") -> Visit, once the layout has settled (physics stopped)."""
    pages = []

    def _open(path: Path, hash: str = "") -> Visit:
        page = browser_context.new_page()
        pages.append(page)
        visit = Visit(page, screenshot_dir)
        page.on("console", lambda m: m.type == "error" and visit.errors.append(m.text))
        page.on("pageerror", lambda e: visit.errors.append(str(e)))

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                visit.blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(Path(path).resolve().as_uri() + (f"#{hash}" if hash else ""))
        page.wait_for_selector("body[data-settled=true]", state="attached", timeout=30_000)
        return visit

    yield _open
    for page in pages:
        page.close()
