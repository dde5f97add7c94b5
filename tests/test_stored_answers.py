"""Stored answers: the library's parameterless answers kept beside the on-disk store print
byte for byte what evaluating prints, and are used only while their stamps match."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, serialize
from sparql_data import bundled_store

import welfare_kg.graph.sparql as sparql
from welfare_kg.cli import main
from welfare_kg.graph.sparql.answers import ANSWERS_DIRNAME, per_body, storable
from welfare_kg.graph.sparql.library import display_prefixes, list_queries, load_query
from welfare_kg.graph.sparql.names import body_names
from welfare_kg.graph.sparql.results import FORMATS, format_results
from welfare_kg.graph.sparql.store import STORE_DIRNAME, open_store, prepare_store, run_query
from welfare_kg.paths import QUERIES_DIR

STORABLE = [spec.name for spec in list_queries() if storable(spec)]
PER_BODY = [spec.name for spec in list_queries() if per_body(spec)]
BODY_NAMES = sorted(set(body_names(bundled_store()).values()))  # the Japanese names


@pytest.fixture(scope="module")
def bundled_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An out/ holding the bundled report's build and its on-disk store (with answers)."""
    out = tmp_path_factory.mktemp("stored") / "out"
    out.mkdir()
    (out / "welfare-kg.nq").write_bytes(serialize(bundled_store(), format=RdfFormat.N_QUADS))
    open_store(out, "disk")
    return out


def _query(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["query", *argv]) == 0
    return capsys.readouterr().out


def _no_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a store now fails the test: the answer must come from the stored files."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("evaluated instead of answering from the stored answer")

    monkeypatch.setattr(sparql, "open_store", refuse)


def test_every_query_without_required_parameters_is_stored(bundled_out: Path) -> None:
    answers = bundled_out / STORE_DIRNAME / ANSWERS_DIRNAME
    assert len(STORABLE) >= 15
    assert sorted(p.name for p in answers.iterdir() if p.is_file()) == sorted(
        f"{name}.{fmt}" for name in STORABLE for fmt in FORMATS)
    assert "body-portfolio" not in STORABLE and "keyword-search" not in STORABLE
    assert "row-provenance" in STORABLE  # its one parameter is optional
    # Queries whose one required parameter is a body are stored per body, in a folder each.
    assert PER_BODY == ["body-partners", "body-portfolio"]
    assert sorted(p.name for p in answers.iterdir() if p.is_dir()) == PER_BODY
    for name in PER_BODY:
        assert len(list((answers / name).iterdir())) == len(FORMATS) * len(BODY_NAMES)


@pytest.mark.parametrize("name", STORABLE)
def test_stored_answer_is_byte_identical_to_evaluating(
        name: str, bundled_out: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = {fmt: _query(capsys, name, "--out-dir", str(bundled_out), "--format", fmt,
                         "--fresh", "--store", "memory") for fmt in FORMATS}
    _no_store(monkeypatch)
    for fmt in FORMATS:
        stored = _query(capsys, name, "--out-dir", str(bundled_out), "--format", fmt)
        assert stored == fresh[fmt], (name, fmt)
    assert fresh["table"].count("\n") > 2  # a real answer, not an empty table


def test_parameters_and_fresh_evaluate(bundled_out: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _no_store(monkeypatch)
    for argv in (["--fresh"], ["--param", "pillarNumber=2"]):
        with pytest.raises(AssertionError, match="evaluated instead"):
            main(["query", "bodies-ranking", "--out-dir", str(bundled_out), *argv])


def test_a_stale_stamp_means_evaluating(bundled_out: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    shutil.copytree(bundled_out, out)
    answer = out / STORE_DIRNAME / ANSWERS_DIRNAME / "status-by-pillar.csv"
    stamp, _, text = answer.read_bytes().decode("utf-8").partition("\n")
    # A stored answer that differs from the truth shows when it is used.
    answer.write_text(stamp + "\n" + "forged\r\n", encoding="utf-8", newline="")
    assert _query(capsys, "status-by-pillar", "--out-dir", str(out), "--format", "csv",
                  "--store", "disk") == "forged\r\n"
    # An edited query (same name, other text) is evaluated.
    edited = tmp_path / "status-by-pillar.rq"
    edited.write_text((QUERIES_DIR / "status-by-pillar.rq").read_text(encoding="utf-8")
                      + "\n# edited\n", encoding="utf-8")
    assert _query(capsys, str(edited), "--out-dir", str(out), "--format", "csv") == text
    # A stored answer stamped for another output code or build is not used.
    answer.write_text(stamp.replace('"renderer": "', '"renderer": "0') + "\nforged\r\n",
                      encoding="utf-8", newline="")
    assert _query(capsys, "status-by-pillar", "--out-dir", str(out), "--format", "csv",
                  "--store", "disk") == text
    # A new build: the store is made again with fresh answers (the forged one is gone).
    answer.write_text(stamp + "\n" + "forged\r\n", encoding="utf-8", newline="")
    os.utime(out / "welfare-kg.nq", ns=(3, 3))
    assert _query(capsys, "status-by-pillar", "--out-dir", str(out), "--format", "csv",
                  "--store", "disk") == text
    assert answer.read_bytes().decode("utf-8").partition("\n")[2] == text


def test_prepare_store_only_for_a_build_queried_on_disk(
        bundled_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import welfare_kg.graph.sparql.store as store_module

    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(bundled_out / "welfare-kg.nq", out)
    assert prepare_store(out) is None  # one report: `query` loads it into memory
    assert not (out / STORE_DIRNAME).exists()
    monkeypatch.setattr(store_module, "ONE_QUERY_MEMORY_MAX", 1)
    assert prepare_store(out) == out / STORE_DIRNAME
    assert (out / STORE_DIRNAME / ANSWERS_DIRNAME / "status-by-pillar.csv").is_file()
    assert prepare_store(tmp_path / "empty") is None


def test_body_names_come_from_the_stored_listings(
        bundled_out: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["body-portfolio", "--param", "body=区社協", "--out-dir", str(bundled_out),
            "--format", "csv", "--store", "disk"]
    answer = _query(capsys, *argv)
    import welfare_kg.graph.sparql.names as names

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a listing query was evaluated to resolve the body name")

    monkeypatch.setattr(names, "select_values", refuse)
    assert _query(capsys, *argv) == answer
    assert answer.count("\n") > 10


def test_build_prepares_the_store_the_first_query_uses(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import welfare_kg.graph.sparql.store as store_module

    monkeypatch.setattr(store_module, "ONE_QUERY_MEMORY_MAX", 1)  # as if a large build
    out = tmp_path / "out"
    assert main(["build", "-o", str(out)]) == 0
    assert "the on-disk query store" in capsys.readouterr().out
    assert (out / STORE_DIRNAME / ANSWERS_DIRNAME / "status-by-pillar.csv").is_file()
    _no_store(monkeypatch)
    assert _query(capsys, "status-by-pillar", "--out-dir", str(out),
                  "--format", "csv").startswith("pillarNumber,status,rows")


def test_a_stale_answer_is_replaced_by_the_next_evaluation(
        bundled_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    shutil.copytree(bundled_out, out)
    answer = out / STORE_DIRNAME / ANSWERS_DIRNAME / "status-by-pillar.csv"
    stamp, _, text = answer.read_bytes().decode("utf-8").partition("\n")
    # stamped by other output code (as after an upgrade): evaluated, and stored again
    answer.write_text(stamp.replace('"renderer": "', '"renderer": "0') + "\nforged\r\n",
                      encoding="utf-8", newline="")
    argv = ["status-by-pillar", "--out-dir", str(out), "--format", "csv"]
    assert _query(capsys, *argv, "--fresh") == text
    assert "forged" in answer.read_text(encoding="utf-8")  # --fresh leaves the store alone
    assert _query(capsys, *argv) == text
    assert answer.read_bytes().decode("utf-8") == stamp + "\n" + text
    assert not [p for p in answer.parent.iterdir() if p.name.startswith(".")]
    _no_store(monkeypatch)
    assert _query(capsys, *argv) == text  # now from the stored answer


@pytest.mark.parametrize("name", PER_BODY)
def test_each_bodys_stored_answer_is_what_evaluating_prints(
        name: str, bundled_out: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    spec = load_query(name)
    prefixes = {**display_prefixes(), **spec.prefixes}
    # Through the CLI as a user runs it, for a Japanese name, an English one and a short one.
    typed = ["区社会福祉協議会", "Community Care Plazas", "区社協"]
    fresh = {(body, fmt): _query(capsys, name, "--param", f"body={body}", "--out-dir",
                                 str(bundled_out), "--format", fmt, "--fresh",
                                 "--store", "memory")
             for body in typed for fmt in FORMATS}
    store = bundled_store()
    expected = {body: run_query(store, spec, {"body": body}) for body in BODY_NAMES}
    _no_store(monkeypatch)
    for (body, fmt), text in fresh.items():
        assert _query(capsys, name, "--param", f"body={body}", "--out-dir", str(bundled_out),
                      "--format", fmt) == text, (body, fmt)
    # Every body of the build, every format.
    for body, results in expected.items():
        for fmt in FORMATS:
            assert _query(capsys, name, "--param", f"body={body}", "--out-dir",
                          str(bundled_out), "--format", fmt) == format_results(
                              results, fmt, prefixes), (body, fmt)
    assert sum(len(r.rows) for r in expected.values()) > 50  # real answers, not empty ones


def _body_answer(out: Path, name: str, body: str, fmt: str) -> Path:
    from welfare_kg.graph.sparql.answers import _path

    return _path(out / STORE_DIRNAME / ANSWERS_DIRNAME, name, fmt, {"body": body})


def test_a_bodys_stored_answer_is_used_only_for_that_body_and_never_with_fresh(
        bundled_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    shutil.copytree(bundled_out, out)
    argv = ["body-portfolio", "--out-dir", str(out), "--format", "csv", "--store", "disk"]
    council = _body_answer(out, "body-portfolio", "区社会福祉協議会", "csv")
    stamp, _, text = council.read_bytes().decode("utf-8").partition("\n")
    council.write_text(stamp + "\nforged\r\n", encoding="utf-8", newline="")
    # The stored file is what a body's answer prints (so a forged one shows) ...
    assert _query(capsys, *argv, "--param", "body=区社協") == "forged\r\n"
    # ... but not with --fresh, which evaluates and leaves the store alone,
    assert _query(capsys, *argv, "--param", "body=区社協", "--fresh") == text
    assert "forged" in council.read_text(encoding="utf-8")
    # and never for another body: its stamp names the body it was evaluated for.
    plazas = _body_answer(out, "body-portfolio", "地域ケアプラザ", "csv")
    plazas_text = plazas.read_bytes().decode("utf-8").partition("\n")[2]
    plazas.write_bytes(council.read_bytes())
    assert _query(capsys, *argv, "--param", "body=地域ケアプラザ") == plazas_text
    # The evaluation replaced the wrong file with the body's own answer.
    assert plazas.read_bytes().decode("utf-8").partition("\n")[2] == plazas_text
    # A missing one is evaluated, and kept for the next time.
    council.unlink()
    assert _query(capsys, *argv, "--param", "body=区社会福祉協議会") == text
    assert council.read_bytes().decode("utf-8").partition("\n")[2] == text
    # A name that is no body is an error naming the nearest ones, as when evaluating.
    assert main(["query", *argv, "--param", "body=区社会福祉"]) == 2
    assert "区社会福祉協議会" in capsys.readouterr().err
