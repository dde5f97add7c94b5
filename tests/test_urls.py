"""Endpoint URLs and timeouts are checked before any request: one line, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Store

from welfare_kg.cli import main
from welfare_kg.errors import InputError
from welfare_kg.graph.sparql.publish import publish
from welfare_kg.graph.sparql.remote import execute_remote, run_remote
from welfare_kg.graph.sparql.urls import check_endpoint, check_timeout

Capsys = pytest.CaptureFixture[str]

BAD_URLS = ["notaurl", "http://[::1", "http://exa mple.com/", "ftp://example.org/q",
            "http:///query", "http://example.org:port/q", "http://a\tb/", ""]


@pytest.mark.parametrize("url", BAD_URLS)
def test_bad_endpoint_urls_are_input_errors(url: str) -> None:
    with pytest.raises(InputError, match="must be an http\\(s\\) URL"):
        check_endpoint(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:7878/query", "https://example.org/sparql",
                                 "http://[::1]:8890/sparql", "HTTP://example.org/q?x=1"])
def test_good_endpoint_urls_pass(url: str) -> None:
    assert check_endpoint(url) == url


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), "soon"])
def test_bad_timeouts_are_input_errors(timeout: object) -> None:
    with pytest.raises(InputError, match="timeout must be"):
        check_timeout(timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize("url", BAD_URLS)
def test_library_functions_check_the_url(url: str) -> None:
    with pytest.raises(InputError, match="Graph Store endpoint must be"):
        publish(url, Store())
    with pytest.raises(InputError, match="SPARQL endpoint must be"):
        execute_remote(url, "ASK {}")
    with pytest.raises(InputError, match="SPARQL endpoint must be"):
        run_remote(url, "status-by-pillar")


def test_library_functions_check_the_timeout() -> None:
    with pytest.raises(InputError, match="timeout must be more than 0"):
        publish("http://127.0.0.1:9/store", Store(), timeout=-1)
    with pytest.raises(InputError, match="timeout must be more than 0"):
        execute_remote("http://127.0.0.1:9/query", "ASK {}", timeout=0)


def _one_line_error(argv: list[str], capsys: Capsys) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert len(captured.err.splitlines()) == 1
    return captured.err


@pytest.mark.parametrize("url", ["notaurl", "http://[::1", "http://exa mple.com/"])
def test_query_with_a_bad_endpoint_exits_2(url: str, tmp_path: Path, capsys: Capsys) -> None:
    err = _one_line_error(["query", "bodies-ranking", "--endpoint", url,
                           "--out-dir", str(tmp_path / "out")], capsys)
    assert "SPARQL endpoint must be an http(s) URL" in err


@pytest.mark.parametrize("url", ["notaurl", "http://[::1", "http://exa mple.com/"])
def test_publish_with_a_bad_endpoint_exits_2(url: str, tmp_path: Path, capsys: Capsys) -> None:
    err = _one_line_error(["publish", "--endpoint", url, "--out-dir", str(tmp_path / "out")],
                          capsys)
    assert "Graph Store endpoint must be an http(s) URL" in err
    assert not (tmp_path / "out").exists()  # refused before anything was built


def test_publish_with_a_negative_timeout_exits_2(tmp_path: Path, capsys: Capsys) -> None:
    err = _one_line_error(["publish", "--endpoint", "http://127.0.0.1:9/store", "--timeout",
                           "-1", "--out-dir", str(tmp_path / "out")], capsys)
    assert "--timeout must be more than 0 seconds" in err
    assert not (tmp_path / "out").exists()
