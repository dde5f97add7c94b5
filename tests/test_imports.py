"""Each command imports only what it uses: no charting, maps or numerics on `query`/`extract`.

matplotlib, numpy, pyvis (with IPython and jinja2) and networkx cost most of a second to import
on the 2-core machine; a command that does not draw or analyse networks must not pay for them.
Each case runs the real CLI in a fresh interpreter and lists the heavy packages it loaded.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from report_fixtures import BASIC

from welfare_kg.paths import PROJECT_ROOT

HEAVY = ("matplotlib", "numpy", "pyvis", "IPython", "jinja2", "networkx", "scipy", "pandas",
         "fugashi", "rdflib", "pyshacl", "pyoxigraph", "SPARQLWrapper")

_PROBE = """
import json, sys
from welfare_kg.cli import main
code = main(sys.argv[2:])
heavy = set(json.loads(sys.argv[1]))
sys.stdout.flush()
print("\\nLOADED " + json.dumps(sorted({m.split(".")[0] for m in sys.modules} & heavy)))
sys.exit(code)
"""


def loaded_packages(args: list[str], cwd: Path) -> set[str]:
    """The heavy packages a fresh interpreter has imported after running `welfare-kg ARGS`."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(HEAVY), *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    line = done.stdout.rsplit("\nLOADED ", 1)[1]
    return set(json.loads(line))


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(PROJECT_ROOT / "tests" / "data" / "mini-graph.trig", out / "welfare-kg.trig")
    return out


@pytest.mark.parametrize("args", [["--help"], ["extract", "--help"], ["query", "--help"],
                                  ["all", "--help"], ["charts", "--help"]])
def test_help_imports_nothing_heavy(args: list[str], tmp_path: Path) -> None:
    assert loaded_packages(args, tmp_path) == set()


def test_query_list_reads_the_library_only(tmp_path: Path) -> None:
    assert loaded_packages(["query", "--list"], tmp_path) <= {"pyoxigraph"}


def test_a_query_does_not_load_charts_maps_or_the_tokenizer(build_dir: Path) -> None:
    loaded = loaded_packages(
        ["query", "single-body-rows", "--out-dir", str(build_dir)], build_dir.parent)
    assert "pyoxigraph" in loaded  # the probe sees what the command really used
    assert not loaded & {"matplotlib", "numpy", "pyvis", "IPython", "jinja2", "networkx",
                         "fugashi", "pyshacl", "rdflib", "SPARQLWrapper"}


def test_a_query_on_the_embedded_store_loads_no_http_modules(build_dir: Path) -> None:
    """The rooms' packages load their modules on first use: the query path leaves out the
    build (rdflib, the extractor) and the endpoint client and server (urllib.request,
    http.server): together ~0.7 s that a query on a reused store paid before its answer."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom welfare_kg.cli import main\n"
         "code = main(sys.argv[1:])\nprint(sorted(m for m in ('urllib.request', 'http.server',"
         " 'welfare_kg.graph.rdf.build', 'welfare_kg.graph.report.extract')"
         " if m in sys.modules))", "query", "status-by-pillar", "--out-dir", str(build_dir)],
        cwd=build_dir.parent, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().rsplit("\n", 1)[1] == "[]"


def test_extract_loads_the_tokenizer_and_nothing_of_the_graph_or_views(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text(BASIC, encoding="utf-8")
    loaded = loaded_packages(
        ["extract", str(report), "-o", str(tmp_path / "records.json"), "--no-corrections"],
        tmp_path)
    assert (tmp_path / "records.json").is_file()
    assert loaded <= {"fugashi"}


def test_metrics_do_not_load_charts_or_maps(build_dir: Path) -> None:
    loaded = loaded_packages(
        ["metrics", "--out-dir", str(build_dir)], build_dir.parent)
    assert "networkx" in loaded
    assert not loaded & {"matplotlib", "pyvis", "IPython", "jinja2", "fugashi"}
