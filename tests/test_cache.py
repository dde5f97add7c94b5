"""The cache: entries keyed by the code/data version, written atomically, never an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from welfare_kg import cache


def test_entries_round_trip_and_depend_on_the_keys(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    a, b = cache.entry("x", "report-a", suffix=".json"), cache.entry("x", "report-b")
    assert a is not None and b is not None and a != b and a.parent == tmp_path / "x"
    assert cache.read_entry(a) is None
    cache.write_entry(a, b"data")
    assert cache.read_entry(a) == b"data"
    assert list(a.parent.glob(".tmp-*")) == []


def test_the_version_changes_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    before = cache.entry("x", "same")
    monkeypatch.setattr(cache, "code_version", lambda: "another version")
    assert cache.entry("x", "same") != before


def test_off_and_unwritable_caches_are_skipped(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert cache.entry("x", "k") is None and cache.read_entry(None) is None
    cache.write_entry(None, b"ignored")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache.write_entry(blocker / "x" / "entry", b"data")  # parent is a file: skipped quietly
    assert blocker.read_text() == "not a folder"


def test_code_version_is_a_stable_digest() -> None:
    assert cache.code_version() == cache.code_version()
    assert len(cache.code_version()) == 64


def test_the_tokenizer_output_is_kept_by_content(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from welfare_kg.graph.report import similarity

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    corpus = ["高齢者虐待防止の研修", "認知症サポーター養成講座の実施", "防災訓練を行った。"]
    first = similarity.Similarity(corpus)
    scores = [first.score(corpus[0], corpus[2], c) for c in corpus]
    first.cosine(corpus[1], "地域の見守り活動")  # a text outside the corpus (a heading)
    first.tokens.save()
    assert len(list((tmp_path / "tokens").glob("*.json"))) == 1

    def no_tokenizer(text: str) -> tuple[str, ...]:
        raise AssertionError(f"tokenised again: {text}")

    monkeypatch.setattr(similarity, "words", no_tokenizer)
    second = similarity.Similarity(corpus)
    assert [second.score(corpus[0], corpus[2], c) for c in corpus] == scores
    second.cosine(corpus[1], "地域の見守り活動")
    # another corpus misses the entry
    with pytest.raises(AssertionError, match="tokenised again"):
        similarity.Similarity([*corpus, "新しい行"])


def test_a_damaged_token_entry_is_tokenised_again(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from welfare_kg.graph.report import similarity

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    corpus = ["高齢者虐待防止の研修"]
    similarity.Similarity(corpus).tokens.save()
    (entry,) = (tmp_path / "tokens").glob("*.json")
    for damage in (b"{not json", b"[1, 2]", b'{"x": 3}'):
        entry.write_bytes(damage)
        sim = similarity.Similarity(corpus)
        assert sim.tokens.words(corpus[0]) == similarity.words(corpus[0])
