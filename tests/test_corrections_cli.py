"""`--corrections FILE` on extract/build/all, and `welfare-kg corrections check FILE REPORT`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from welfare_kg.cli import main
from welfare_kg.paths import DATA_DIR, DEFAULT_REPORT

BUNDLED = DATA_DIR / "corrections" / f"{DEFAULT_REPORT.stem}.yaml"


def _edited(tmp_path: Path) -> Path:
    """The bundled report with the first plan item of the first corrected row reworded."""
    first = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))["corrections"][0]["row"]["item"]
    text = DEFAULT_REPORT.read_text(encoding="utf-8")
    assert text.count("・" + first) == 1
    path = tmp_path / "edited.txt"
    path.write_text(text.replace("・" + first, "・改" + first), encoding="utf-8")
    return path


def test_explicit_file_gives_the_same_records_as_the_bundled_lookup(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["extract", "-o", str(a)]) == 0
    assert main(["extract", "--corrections", str(BUNDLED), "-o", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert len(json.loads(b.read_text(encoding="utf-8"))["corrections_applied"]) > 40


def test_file_for_another_text_is_refused_naming_both_hashes(tmp_path, capsys):
    edited, out = _edited(tmp_path), tmp_path / "x.json"
    sha = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))["source"]["text_sha256"]
    for command in (["extract", str(edited), "-o", str(out)],
                    ["build", str(edited), "-o", str(tmp_path / "out")]):
        capsys.readouterr()
        assert main([*command, "--corrections", str(BUNDLED)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert sha in err and "edited.txt has sha256" in err
        assert not out.exists() and not (tmp_path / "out" / "welfare-kg.ttl").exists()


def test_corrections_and_no_corrections_exclude_each_other(capsys):
    assert main(["extract", "--no-corrections", "--corrections", str(BUNDLED)]) == 2
    assert "not allowed" in capsys.readouterr().err


def test_check_lists_entries_that_no_longer_find_their_row(tmp_path, capsys):
    assert main(["corrections", "check", str(BUNDLED), str(DEFAULT_REPORT)]) == 0
    out = capsys.readouterr().out
    assert "written for" in out and "45 of 45 entries find their row" in out
    assert main(["corrections", "check", str(BUNDLED), str(_edited(tmp_path))]) == 1
    captured = capsys.readouterr()
    assert "written for another text" in captured.out
    assert f"{BUNDLED}#1: no row starts with" in captured.out
    assert "44 of 45 entries find their row" in captured.out
    assert "1 of 45 entries" in captured.err


def test_check_of_a_malformed_file_is_an_input_error(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just a list\n", encoding="utf-8")
    assert main(["corrections", "check", str(bad), str(DEFAULT_REPORT)]) == 2
    assert "bad.yaml" in capsys.readouterr().err


def test_build_cache_knows_the_corrections_file(tmp_path):
    """The cached part is keyed by the corrections file's content: an edited file changes
    the build (parts.py keys explicit files by their SHA-256)."""
    data = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    data["corrections"] = [data["corrections"][0]]
    data["corrections"][0]["reason"] = "first reason"
    mine = tmp_path / "mine.yaml"
    mine.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["build", "--corrections", str(mine), "-o", str(tmp_path / "a")]) == 0
    data["corrections"][0]["reason"] = "second reason"
    mine.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["build", "--corrections", str(mine), "-o", str(tmp_path / "b")]) == 0
    a = (tmp_path / "a" / "welfare-kg.nt").read_text(encoding="utf-8")
    b = (tmp_path / "b" / "welfare-kg.nt").read_text(encoding="utf-8")
    assert "first reason" in a and "second reason" in b and "first reason" not in b
