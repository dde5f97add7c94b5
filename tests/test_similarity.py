"""The similarity's shortcuts give what the plain forms gave (graph/report/similarity.py):
words from MeCab's text output as from its nodes, the overlap and cosine without the terms
that were exact zeros, the tokenizer's version without importlib.metadata."""

from __future__ import annotations

import importlib.metadata
import itertools
from collections import Counter

import pytest

from welfare_kg.datafiles import normalize
from welfare_kg.graph.report import similarity
from welfare_kg.graph.report.bodies import load_bodies
from welfare_kg.graph.report.extract import _corpus
from welfare_kg.graph.report.format import load_layout
from welfare_kg.graph.report.pages import parse_report, read_source
from welfare_kg.paths import DEFAULT_REPORT


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    pages = parse_report(read_source(DEFAULT_REPORT), load_layout(), load_bodies())
    return sorted(set(_corpus(pages)))


def test_tokens_from_the_text_output_are_the_nodes(corpus: list[str]) -> None:
    tagger = similarity._tagger()
    quoted = '「"A,B"」は1,000人'  # a quote in the output: read through the nodes
    for text in [*corpus, quoted, "", "EOS"]:
        flat = normalize(text)
        nodes = [(node.surface, tuple(node.feature)) for node in tagger(flat)]
        assert [(s, tuple(f)) for s, f in similarity._tokens(flat)] == nodes


def test_overlap_and_cosine_are_the_full_sums(corpus: list[str]) -> None:
    sim = similarity.Similarity(corpus)
    for a, b in itertools.islice(itertools.combinations(corpus, 2), 3000):
        va, vb = sim.vector(a), sim.vector(b)
        assert sim.cosine(a, b) == sum(v * vb.get(w, 0.0) for w, v in va.items())
        ga, gb = similarity.bigrams(a), similarity.bigrams(b)
        total = sum(ga.values()) + sum(gb.values())
        plain = 2 * sum((ga & gb).values()) / total if total else 0.0
        assert similarity._dice(ga, gb, sum(ga.values()), sum(gb.values())) == plain
    assert similarity._dice(Counter(), Counter(), 0, 0) == 0.0


@pytest.mark.parametrize("name", ["fugashi", "ipadic"])
def test_the_tokenizer_version_is_the_installed_one(name: str) -> None:
    assert similarity._version(name) == importlib.metadata.version(name)
