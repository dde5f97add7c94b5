"""How much a row's text resembles an initiative sentence: word TF-IDF plus character bigrams.

Words come from MeCab (through fugashi) with the IPA dictionary (the `ipadic` package, so no
dictionary download): content nouns, verbs and adjectives in base form. IDF is computed over
the texts of one report, so a word every row uses (実施, 支援) counts for little and a rare
shared word (虐待, 防災) for much.

MeCab replaced Janome, a pure-Python port of it over the same dictionary: Janome took about
1 s of CPU (0.4 s of it loading its dictionary) for the 500-odd texts of one report, MeCab
under 0.1 s. The two differ only where Janome's copy of the dictionary was patched (令和 is one word
there) and in ASCII punctuation, which Janome tagged as nouns; on the bundled report every
extracted row, initiative, status and body is the same (scripts/evaluate-extraction), and
confidences move by a few thousandths. The words of a report's texts are still kept in the
cache (`welfare_kg.cache`), keyed by the texts themselves, the code/data version and the
tokenizer's and dictionary's versions.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from welfare_kg.cache import entry, read_entry, write_entry
from welfare_kg.datafiles import load_yaml, normalize
from welfare_kg.paths import DATA_DIR

__all__ = ["Similarity", "TokenCache", "bigrams", "words"]

ITEMS = 0.65  # weight of the plan items against the result text
CHARS = 0.5  # weight of character-bigram overlap beside word TF-IDF
_PUNCT = re.compile(r"[、。・，,.()（）「」『』【】:：;；!！?？~～\-ー/／\s0-9]+")
_CONTENT_POS = ("名詞", "動詞", "形容詞")
_SKIP_POS2 = ("数", "非自立", "代名詞", "接尾", "副詞可能")


@cache
def _tagger():  # MeCab loads the dictionary once (memory-mapped)
    import fugashi
    import ipadic

    return fugashi.GenericTagger(ipadic.MECAB_ARGS)


@cache
def words(text: str) -> tuple[str, ...]:
    """Content words of `text` in base form.

    >>> "虐待" in words("高齢者虐待防止事業")
    True
    """
    out = []
    thesaurus = _thesaurus()
    for surface, feature in _tokens(normalize(text)):
        # IPA dictionary features: 4 parts of speech, conjugation type and form, base form,
        # reading, pronunciation; an unknown word has no base form (7 fields, or "*").
        if feature[0] not in _CONTENT_POS or feature[1] in _SKIP_POS2:
            continue
        base = feature[6] if len(feature) > 6 and feature[6] != "*" else surface
        if len(base) > 1 or feature[0] == "名詞":
            out.append(base)
            concept = thesaurus.get(base)
            if concept:
                out.append(concept)
    return tuple(out)


def _tokens(text: str) -> list[tuple[str, list[str] | tuple[str, ...]]]:
    """MeCab's tokens of `text` (normalised: no whitespace), as surface and feature fields.

    Read from MeCab's text output ("surface TAB features" per line), which costs half of
    asking fugashi for each node's fields; a feature with a quoted comma would need CSV
    parsing, so text with a quote in its output goes through the nodes as before.
    """
    parsed = _tagger().parse(text)
    if '"' in parsed:
        # A node is MeCab's memory, valid until the next parse: read it inside this loop.
        return [(node.surface, tuple(node.feature)) for node in _tagger()(text)]
    out = []
    for line in parsed.split("\n"):
        surface, tab, feature = line.partition("\t")
        if tab:  # the last line, EOS, has none
            out.append((surface, feature.split(",")))
    return out


@cache
def _thesaurus() -> dict[str, str]:
    """Word -> concept tag from data/thesaurus.yaml."""
    data = load_yaml(DATA_DIR / "thesaurus.yaml") or {}
    return {normalize(w): f"#{c}" for c, ws in (data.get("concepts") or {}).items() for w in ws}


def bigrams(text: str) -> Counter[str]:
    """Character bigrams of the text without punctuation and digits."""
    flat = _PUNCT.sub("", normalize(text))
    return Counter(flat[i : i + 2] for i in range(len(flat) - 1))


def _dice(a: Counter[str], b: Counter[str], size_a: int, size_b: int) -> float:
    """Dice overlap of two bigram multisets of `size_a` and `size_b` bigrams."""
    total = size_a + size_b
    if not total:
        return 0.0
    if len(b) < len(a):
        a, b = b, a
    shared = sum(min(count, b[gram]) for gram, count in a.items() if gram in b)
    return 2 * shared / total


@cache
def _tokenizer_version() -> str:
    try:
        return f"fugashi {_version('fugashi')} ipadic {_version('ipadic')}"
    except ImportError:  # pragma: no cover - importlib.metadata's PackageNotFoundError
        return "unknown"


def _version(name: str) -> str:
    """The installed version of distribution `name`: the Version of the one
    `name-*.dist-info` beside its package, else `importlib.metadata.version`.

    Read directly because importing importlib.metadata (email parsing, zip and path
    machinery) costs more CPU than tokenising a cold report's texts.
    """
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is not None and spec.origin:
        found = list(Path(spec.origin).parents[1].glob(f"{name}-*.dist-info/METADATA"))
        try:
            headers = found[0].read_text(encoding="utf-8") if len(found) == 1 else ""
        except (OSError, UnicodeError):
            headers = ""  # unreadable: importlib.metadata says (or fails as itself) below
        for line in headers.splitlines():
            if not line:  # the end of the headers
                break
            if line.startswith("Version:"):
                return line.removeprefix("Version:").strip()
    from importlib.metadata import version

    return version(name)


class TokenCache:
    """The words of a corpus's texts, read from the cache and written back when new words
    were needed (texts outside the corpus, such as headings, are kept too).

    The entry is keyed by the corpus texts, so the same report (or one with the same texts)
    finds it; any change of a text, of the code or data, or of the tokenizer or its
    dictionary misses.
    """

    def __init__(self, corpus: Iterable[str]) -> None:
        texts = sorted(set(corpus))
        digest = hashlib.sha256("\0".join(texts).encode("utf-8")).hexdigest()
        self._path = entry("tokens", _tokenizer_version(), digest, suffix=".json")
        self._known: dict[str, tuple[str, ...]] = {}
        data = read_entry(self._path)
        if data is not None:
            try:
                stored = json.loads(data)
                self._known = {t: tuple(ws) for t, ws in stored.items()}
            except (ValueError, AttributeError, TypeError):  # a damaged entry: tokenise again
                self._known = {}
        self._dirty = False

    def words(self, text: str) -> tuple[str, ...]:
        """`words(text)`, from the cache entry when it has the text."""
        found = self._known.get(text)
        if found is None:
            found = self._known[text] = words(text)
            self._dirty = True
        return found

    def save(self) -> None:
        """Write the entry back if tokenising added words to it."""
        if self._dirty:
            payload = json.dumps(self._known, ensure_ascii=False, sort_keys=True)
            write_entry(self._path, payload.encode("utf-8"))
            self._dirty = False


class Similarity:
    """Scores rows against initiatives, with IDF learned from all texts of a report."""

    def __init__(self, corpus: Iterable[str]) -> None:
        corpus = list(corpus)
        self.tokens = TokenCache(corpus)
        docs = [set(self.tokens.words(t)) for t in corpus]
        self.n = max(len(docs), 1)
        self.df: Counter[str] = Counter(w for d in docs for w in d)
        # The segmentation scores each row against each initiative of its page many times:
        # a text's vector and bigrams are made once (the IDF is fixed once built).
        self._vectors: dict[str, dict[str, float]] = {}
        self._bigrams: dict[str, tuple[Counter[str], int]] = {}
        self._idf: dict[str, float] = {}

    def idf(self, word: str) -> float:
        found = self._idf.get(word)
        if found is None:
            found = self._idf[word] = math.log((1 + self.n) / (1 + self.df[word])) + 1.0
        return found

    def vector(self, text: str) -> dict[str, float]:
        """The unit TF-IDF vector of `text` (shared between calls: do not change it)."""
        found = self._vectors.get(text)
        if found is None:
            counts = Counter(self.tokens.words(text))
            vec = {w: (1 + math.log(c)) * self.idf(w) for w, c in counts.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            found = self._vectors[text] = {w: v / norm for w, v in vec.items()}
        return found

    def _bigrams_of(self, text: str) -> tuple[Counter[str], int]:
        """The text's bigrams and their number."""
        found = self._bigrams.get(text)
        if found is None:
            grams = bigrams(text)
            found = self._bigrams[text] = (grams, sum(grams.values()))
        return found

    def cosine(self, a: str, b: str) -> float:
        """Cosine of the texts' unit TF-IDF vectors, summed in `a`'s word order (words
        missing from `b` would add exact zeros, so they are skipped)."""
        va, vb = self.vector(a), self.vector(b)
        return sum([v * vb[w] for w, v in va.items() if w in vb], 0.0)

    def score(self, items: str, result: str, initiative: str) -> float:
        """Resemblance of a row (plan items and result) to an initiative, about 0..1."""
        word = (ITEMS * self.cosine(items, initiative)
                + (1 - ITEMS) * self.cosine(result, initiative))
        (grams, size), (other, other_size) = self._bigrams_of(items), self._bigrams_of(initiative)
        char = _dice(grams, other, size, other_size)
        return word + CHARS * char
