"""The endpoint's query page in headless Chromium, offline: the project's prefixes are
preloaded, the query library is offered as examples, and running one shows its answer.

Only requests to the endpoint's own loopback origin are let through; anything else (a CDN
the page would need) is aborted and fails the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from welfare_kg.graph.sparql import OxigraphServer, list_queries, query_page, refresh_store_dir

pytestmark = pytest.mark.integration


@pytest.fixture
def served(build_dir: Path):
    with OxigraphServer(refresh_store_dir(build_dir), cors=True, page=query_page()) as server:
        yield server


def test_the_query_page_runs_a_library_example_offline(served: OxigraphServer,
                                                        browser_context) -> None:
    page = browser_context.new_page()
    errors: list[str] = []
    blocked: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))

    def route(r):
        if r.request.url.startswith(served.url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    try:
        page.goto(served.url + "/")
        editor = page.locator("#query")
        assert "PREFIX wk: <https://w3id.org/welfare-kg/ontology#>" in editor.input_value()
        names = [s.name for s in list_queries()]
        options = page.locator("#examples option").all_text_contents()
        assert len(options) == len(names) + 1
        assert all(any(o.startswith(n + " ") for o in options) for n in names)
        # a fresh query with the prefixes runs
        page.click("#run")
        page.wait_for_selector("#results table tbody tr", timeout=30_000)
        # a library example: its text in the editor, its rows in the table
        index = names.index("bodies-ranking")
        page.select_option("#examples", str(index))
        assert "SELECT ?pillarNumber ?body" in editor.input_value()
        page.click("#run")
        page.wait_for_function(
            "() => /results? in/.test(document.getElementById('status').textContent)",
            timeout=30_000)
        headers = page.locator("#results th").all_text_contents()
        assert headers[:2] == ["?pillarNumber", "?body"]
        assert page.locator("#results tbody tr").count() > 0
        assert not errors and not blocked, (errors, blocked)
        # an error is said on the page, not thrown (the browser logs the 400 itself)
        editor.fill("SELECT nonsense")
        page.click("#run")
        page.wait_for_selector("#status.error", timeout=30_000)
        assert "HTTP 400" in page.locator("#status").text_content()
        assert all("status of 400" in e for e in errors) and not blocked, (errors, blocked)
    finally:
        page.close()
