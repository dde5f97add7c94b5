"""Scale data for scripts/bench: N reports in the graph's shape, as N-Quads bytes.

The shape (issue 9): one named graph `{base}graph/shared` describes every entity that is not
specific to one report (plan, pillars, action plans, initiatives, bodies, organizations,
partners, SKOS concepts) once; one named graph `{base}graph/{slug}` per report holds only that
report's wk:Report node, rows, participations, quantities and source spans (every subject
under `{base}report/{slug}`). IRIs are those of the build.

`copies_of_build` makes N reports from one build by renaming its report slug per copy, so an
Nx dataset has the shape of N ward-years of one plan. It works on a build of either shape
(one self-contained graph per report, or shared + report graphs), so it also runs on the
current build. To benchmark other data (e.g. `scripts/synth` reports built by `welfare-kg
build`), pass the build's N-Quads to `scripts/bench --nquads FILE` instead; nothing else in
the benchmark depends on this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

__all__ = ["copies_of_build", "shared_graph_iri", "split_report"]


def shared_graph_iri(base_iri: str) -> str:
    return f"{base_iri}graph/shared"


def _subject(line: bytes) -> bytes:
    return line.split(b" ", 1)[0]


def _with_graph(line: bytes, graph: bytes) -> bytes:
    """The N-Quads line `line` placed in `graph` (an IRI in angle brackets)."""
    body = line.rstrip()
    if not body.endswith(b"."):
        raise ValueError(f"not an N-Quads line: {line[:80]!r}")
    terms = _terms(body[:-1])
    if len(terms) not in (3, 4):
        raise ValueError(f"not an N-Quads line: {line[:80]!r}")
    return b" ".join(terms[:3]) + b" " + graph + b" .\n"


def _terms(body: bytes) -> list[bytes]:
    """The terms of an N-Quads statement (IRIs, literals with quotes/escapes, blank nodes)."""
    terms, i, n = [], 0, len(body)
    while i < n:
        if body[i:i + 1] == b" ":
            i += 1
            continue
        if body[i:i + 1] == b'"':
            j = i + 1
            while body[j:j + 1] != b'"':
                j += 2 if body[j:j + 1] == b"\\" else 1
            j += 1
            while j < n and body[j:j + 1] != b" ":  # @lang or ^^<datatype>
                j += 1
        else:
            j = body.find(b" ", i)
            j = n if j < 0 else j
        terms.append(body[i:j])
        i = j
    return terms


def split_report(nquads: bytes, base_iri: str, slug: str) -> tuple[list[bytes], list[bytes]]:
    """The lines of one report's build, split into (shared, report-specific) N-Quads lines.

    Report-specific: every statement about a subject under `{base}report/{slug}`; the rest
    goes to the shared graph (duplicates dropped, so a build that repeats shared
    descriptions gives each once).
    """
    report_prefix = f"<{base_iri}report/{slug}".encode()
    shared_graph = f"<{shared_graph_iri(base_iri)}>".encode()
    report_graph = f"<{base_iri}graph/{slug}>".encode()
    shared: dict[bytes, None] = {}
    report: list[bytes] = []
    for line in nquads.splitlines(keepends=True):
        if not line.strip() or line.startswith(b"#"):
            continue
        subject = _subject(line)
        if subject == report_prefix + b">" or subject.startswith(report_prefix + b"/"):
            report.append(_with_graph(line, report_graph))
        else:
            shared.setdefault(_with_graph(line, shared_graph), None)
    return list(shared), report


def _renamed(lines: Iterable[bytes], old: bytes, new: bytes) -> Iterator[bytes]:
    for line in lines:
        yield line.replace(old, new)


def copies_of_build(nquads: bytes, copies: int, base_iri: str, slug: str) -> bytes:
    """`copies` reports in the shared + per-report shape, made from one report's build.

    Copy 0 keeps the slug; copy i is `{slug}-copy{i}` in every report IRI, graph name and
    text that names the slug (the report's file identifier too).
    """
    if copies < 1:
        raise ValueError("copies must be at least 1")
    shared, report = split_report(nquads, base_iri, slug)
    chunks = [b"".join(shared), b"".join(report)]
    template = b"".join(report)
    for i in range(1, copies):
        chunks.append(template.replace(slug.encode(), f"{slug}-copy{i}".encode()))
    return b"".join(chunks)
