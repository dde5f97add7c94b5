"""Sites built for the tests (a pytest plugin: `pytest_plugins = ["site_fixtures"]`).

`built_site`: `welfare-kg all` on the bundled report into a temporary out/, so the site has
its maps, charts, metric tables and exports. `hostile_site`: the bundled report with markup
and quotes written into a plan item and a result, built into a site without the exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from welfare_kg.paths import DEFAULT_REPORT

HOSTILE = "<script>alert('x')</script><img/src=x/onerror=alert(1)>&amp;\"'</td>"
"""Text that would run, or break the page, if it were pasted into HTML or a script tag."""
PLAN_ITEM = "認知症サポーター養成講座等の実施"
RESULT = "コロナ禍で回数は少ないが、各施設で実施した。"


@dataclass(frozen=True)
class BuiltSite:
    out: Path
    site: Path
    store: Store
    hostile: str = ""  # the hostile text written into the report, for hostile_site


def hostile_report(tmp: Path) -> Path:
    """The bundled report with HOSTILE appended to one plan item and one result."""
    text = DEFAULT_REPORT.read_text(encoding="utf-8")
    assert PLAN_ITEM in text and RESULT in text
    text = text.replace(PLAN_ITEM, PLAN_ITEM + HOSTILE, 1).replace(RESULT, RESULT + HOSTILE, 1)
    path = tmp / "hostile-report.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    from welfare_kg.cli import main
    from welfare_kg.graph.sparql import open_store

    out = tmp_path_factory.mktemp("site-build") / "out"
    assert main(["all", "-o", str(out)]) == 0
    return BuiltSite(out, out / "site", open_store(out))


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    from welfare_kg.graph.rdf import build_dataset
    from welfare_kg.graph.rdf.exports import to_nquads
    from welfare_kg.graph.report import extract_report
    from welfare_kg.viz import write_site

    tmp = tmp_path_factory.mktemp("hostile-site")
    extraction = extract_report(hostile_report(tmp))
    store = Store()
    store.load(to_nquads(build_dataset([extraction])), format=RdfFormat.N_QUADS)
    write_site(store, tmp / "site")
    return BuiltSite(tmp, tmp / "site", store, HOSTILE)
