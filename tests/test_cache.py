"""The cache: entries keyed by the code/data version, written atomically, never an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from welfare_kg import cache


def test_entries_round_trip_and_depend_on_the_keys(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    a, b = cache.entry("part", "report-a", suffix=".json"), cache.entry("part", "report-b")
    assert a is not None and b is not None and a != b and a.parent == tmp_path / "part"
    assert cache.read_entry(a) is None
    cache.write_entry(a, b"data")
    assert cache.read_entry(a) == b"data"
    assert list(a.parent.glob(".tmp-*")) == []


def test_the_version_changes_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    before = cache.entry("part", "same")
    monkeypatch.setattr(cache, "code_version", lambda: "another version")
    assert cache.entry("part", "same") != before


def test_off_and_unwritable_caches_are_skipped(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert cache.entry("part", "k") is None and cache.read_entry(None) is None
    cache.write_entry(None, b"ignored")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache.write_entry(blocker / "x" / "entry", b"data")  # parent is a file: skipped quietly
    assert blocker.read_text() == "not a folder"


def test_code_version_is_a_stable_digest() -> None:
    assert cache.code_version() == cache.code_version()
    assert len(cache.code_version()) == 64


def test_another_library_version_is_another_code_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached site, chart or extraction made with rdflib (or matplotlib, Janome …) of one
    version is not served after an upgrade: the installed packages are part of the version."""
    installed = cache.environment()
    assert any(n.startswith("rdflib-") for n in installed)
    assert any(n.startswith("pyoxigraph-") for n in installed)
    now = cache.code_version.__wrapped__()
    upgraded = [n.replace("rdflib-", "rdflib-99.") if n.startswith("rdflib-") else n
                for n in installed]
    monkeypatch.setattr(cache, "environment", lambda: upgraded)
    assert cache.code_version.__wrapped__() != now


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


def test_the_cache_drops_its_least_recently_used_entries(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    monkeypatch.setenv(cache.LIMIT_ENV, "none")
    paths = [cache.entry("part", f"k{i}") for i in range(3)]
    for age, path in enumerate(paths):
        cache.write_entry(path, b"x" * 1000)
        os.utime(path, (1_000_000 + age, 1_000_000 + age))  # written in this order
    monkeypatch.setenv(cache.LIMIT_ENV, "2500")
    assert cache.read_entry(paths[0]) == b"x" * 1000  # read: now the most recent
    newest = cache.entry("site", "k")
    cache.write_entry(newest, b"y" * 1000)  # 4,000 bytes > 2,500: the two oldest unused go
    assert [p.exists() for p in paths] == [True, False, False]
    assert newest.exists()
    monkeypatch.setenv(cache.LIMIT_ENV, "10")
    cache.write_entry(newest, b"z" * 1000)  # larger than the bound alone: still kept
    assert newest.read_bytes() == b"z" * 1000 and not paths[0].exists()


def test_cache_sizes_are_read_strictly() -> None:
    assert cache.parse_size("500M") == 500 << 20
    assert cache.parse_size("2GiB") == 2 << 30 and cache.parse_size("1048576") == 1 << 20
    assert cache.parse_size("none") is None
    for bad in ("", "2X", "-1G", "lots"):
        with pytest.raises((ValueError, KeyError)):
            cache.parse_size(bad)


def test_the_cache_command_shows_prunes_and_clears(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from welfare_kg.cli import main

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    monkeypatch.delenv(cache.LIMIT_ENV, raising=False)
    for i in range(3):
        cache.write_entry(cache.entry("part", f"r{i}"), b"p" * 2048)
    assert main(["cache"]) == 0
    shown = capsys.readouterr().out
    assert f"{tmp_path}: 3 entries, 6.0 KB (bound 1.0 GB)" in shown and "part" in shown
    assert main(["cache", "prune", "--max", "5K"]) == 0
    assert "removed 1 entries (2.0 KB)" in capsys.readouterr().out
    assert main(["cache", "prune", "--max", "2X"]) == 2
    assert "not a size" in capsys.readouterr().err
    assert main(["cache", "clear"]) == 0
    assert "removed 2 entries" in capsys.readouterr().out
    assert cache.entries(tmp_path) == []


def test_pruning_touches_only_the_caches_own_entries(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache folder set by mistake to a shared one (~/.cache, /tmp) keeps others' files."""
    import os

    from welfare_kg.cli import main

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    monkeypatch.setenv(cache.LIMIT_ENV, "1K")
    foreign = [tmp_path / "Documents" / "thesis.txt", tmp_path / "pip" / "wheel.whl",
               tmp_path / "part" / "notes.txt", tmp_path / "thesis.txt"]
    for path in foreign:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"x" * 4096)
        os.utime(path, (1_000_000, 1_000_000))
    cache.write_entry(cache.entry("part", "r"), b"p" * 2048)
    assert main(["cache", "clear"]) == 0
    assert all(p.read_bytes() == b"x" * 4096 for p in foreign)
    assert cache.entries(tmp_path) == []
    with pytest.raises(ValueError, match="unknown cache kind"):
        cache.entry("Documents", "k")


def test_abandoned_temporary_files_are_removed_by_the_next_prune(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    (tmp_path / "site").mkdir()
    old, fresh = tmp_path / "site" / ".tmp-abandoned", tmp_path / "site" / ".tmp-writing"
    old.write_bytes(b"half")
    fresh.write_bytes(b"half")
    os.utime(old, (1_000_000, 1_000_000))
    cache.write_entry(cache.entry("site", "k"), b"site")  # far under the bound
    assert not old.exists() and fresh.exists()  # a writer at work keeps its file


def test_an_infinite_bound_is_not_a_size(monkeypatch: pytest.MonkeyPatch) -> None:
    for text in ("inf", "1e999", "nan"):
        with pytest.raises(ValueError):
            cache.parse_size(text)
        monkeypatch.setenv(cache.LIMIT_ENV, text)
        assert cache.cache_limit() == cache.DEFAULT_LIMIT


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_a_tree_is_kept_as_the_bytes_of_its_pack(tmp_path: Path, kernel_copy: bool,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """write_tree copies the files into the entry one by one (os.sendfile, or reads where the
    kernel will not): the entry is the very bytes of pack_tree, and unpacks to the tree."""
    import os

    tree = tmp_path / "tree"
    (tree / "a" / "b").mkdir(parents=True)
    (tree / "index.html").write_text("<p>索引</p>\n", encoding="utf-8")
    (tree / "a" / "empty.txt").write_bytes(b"")
    (tree / "a" / "b" / "big.bin").write_bytes(bytes(range(256)) * 9000)  # > one block
    (tree / "z.csv").write_bytes(b"\xef\xbb\xbfa,b\r\n")
    if not kernel_copy:
        def refuse(*args: object) -> int:
            raise OSError(22, "Invalid argument")

        monkeypatch.setattr(os, "sendfile", refuse, raising=False)
    kept = tmp_path / "cache" / "site" / "x.pack"
    cache.write_tree(kept, tree)
    assert kept.read_bytes() == cache.pack_tree(tree)
    assert cache.unpack_tree(kept.read_bytes(), tmp_path / "copy") is not None
    assert {p.relative_to(tmp_path / "copy"): p.read_bytes()
            for p in (tmp_path / "copy").rglob("*") if p.is_file()} == {
        p.relative_to(tree): p.read_bytes() for p in tree.rglob("*") if p.is_file()}


def test_a_tree_that_changes_while_it_is_kept_leaves_no_entry(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.txt").write_bytes(b"12345")
    real_copy = cache._copy_file

    def shrinking(src: object, out: object, size: int) -> int:
        (tree / "a.txt").write_bytes(b"1")  # cut short by another writer meanwhile
        return real_copy(src, out, size)

    monkeypatch.setattr(cache, "_copy_file", shrinking)
    kept = tmp_path / "cache" / "site" / "x.pack"
    cache.write_tree(kept, tree)
    assert not kept.exists()
    assert not [p for p in kept.parent.iterdir() if p.name.startswith(".tmp-")]
