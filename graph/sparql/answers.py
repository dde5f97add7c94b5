"""Stored answers: the library's parameterless answers (and the body queries' answers per
body), evaluated once per on-disk store.

Why: on a large build (100 reports, ~1.2 M quads) the on-disk store answers a library query
in 0.3-6 s, most of it RocksDB lookups that are the same every time the same question is
asked of the same build. When the on-disk store of a build is made, every library query
whose parameters are all optional is evaluated with none given, and its answer is written
beside the store in every output format (`ANSWERS_DIRNAME/NAME.FORMAT`). `welfare-kg query
NAME` with no parameters then prints the stored text, byte for byte what evaluating would
print, when its stamp still matches:

- the SHA-256 of the query's text (an edited `.rq` file is evaluated again),
- the build's stamp (file name, size, modification time, as for the store itself),
- the renderer's stamp: the SHA-256 of the code that formats answers (`results.py`, and
  `welfare_kg/datafiles.py` for the display width of table cells), the prefixes a table
  abbreviates IRIs with, and the engine's version.

Each stored file starts with its stamp as one JSON line, so a reader never pairs one
build's stamp with another build's answer. Queries with parameters given are always
evaluated; `welfare-kg query --fresh` evaluates even without. A stored answer whose stamp no
longer matches (the query or the output code changed since the store was made) is replaced
by the next evaluation of that query without parameters (`store.keep_answer`).

Per body: a library query whose one required parameter is `body` (body-portfolio,
body-partners) has a finite domain, the build's bodies and partners, so its answer is also
stored for each of their Japanese names (the form `welfare-kg query` binds after resolving
an English name, alias or short name), in `ANSWERS_DIRNAME/NAME/KEY.FORMAT`, KEY a digest
of the bound value; the stamp then also names the parameters, so a file is only ever
printed for the value it was evaluated with. At 100 reports such an answer (5,900 rows for
区社会福祉協議会) takes ~0.5-0.7 s to evaluate on the disk store, most of it one RocksDB lookup
per row and property; printed from the stored file it takes what a parameterless stored
answer takes. `--fresh` evaluates, and any other value is evaluated as before.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from .library import QuerySpec, list_queries
from .results import FORMATS, Results, format_results

__all__ = [
    "ANSWERS_DIRNAME",
    "BODY_PARAM",
    "answer_stamp",
    "per_body",
    "read_stored_answer",
    "storable",
    "stored_with",
    "write_stored_answer",
    "write_stored_answers",
]

ANSWERS_DIRNAME = "answers"


def storable(spec: QuerySpec) -> bool:
    """Whether `spec` has an answer without parameters: none of them is required."""
    return all(not p.required for p in spec.params)


BODY_PARAM = "body"


def per_body(spec: QuerySpec) -> bool:
    """Whether `spec`'s answers are stored per body: its one required parameter is `body`
    (the others optional, left unset)."""
    return [p.name for p in spec.params if p.required] == [BODY_PARAM]


def stored_with(spec: QuerySpec, params: Mapping[str, str] | None) -> bool:
    """Whether an answer of `spec` with `params` bound is one that is stored: no parameters
    for a `storable` query, exactly the body for a `per_body` one."""
    if params:
        return per_body(spec) and set(params) == {BODY_PARAM}
    return storable(spec)


def _renderer_stamp(prefixes: Mapping[str, str]) -> str:
    import pyoxigraph

    from welfare_kg import datafiles

    from . import results

    digest = hashlib.sha256(Path(results.__file__).read_bytes())
    digest.update(Path(datafiles.__file__).read_bytes())  # display widths of table cells
    digest.update(json.dumps(sorted(prefixes.items())).encode("utf-8"))
    digest.update(str(getattr(pyoxigraph, "__version__", "")).encode("utf-8"))
    return digest.hexdigest()


def answer_stamp(spec: QuerySpec, build_stamp: Mapping[str, object],
                 prefixes: Mapping[str, str], params: Mapping[str, str] | None = None) -> str:
    """The stamp line a stored answer of `spec` (with `params` bound, for a per-body
    answer) must carry to be printed for this build."""
    stamp: dict[str, object] = {
        "query_sha256": hashlib.sha256(spec.text.encode("utf-8")).hexdigest(),
        "build": dict(build_stamp),
        "renderer": _renderer_stamp(prefixes),
    }
    if params:
        stamp["params"] = dict(params)
    return json.dumps(stamp, sort_keys=True, ensure_ascii=True)


def _path(answers_dir: Path, name: str, fmt: str,
          params: Mapping[str, str] | None = None) -> Path:
    if not params:
        return answers_dir / f"{name}.{fmt}"
    key = hashlib.sha256(json.dumps(sorted(params.items()), ensure_ascii=False)
                         .encode("utf-8")).hexdigest()[:32]
    return answers_dir / name / f"{key}.{fmt}"


def write_stored_answers(store: object, answers_dir: Path, build_stamp: Mapping[str, object],
                         display: Mapping[str, str]) -> list[str]:
    """Evaluate every storable library query on `store` and write its answers; returns the
    names stored. `display` are the table prefixes `welfare-kg query` uses."""
    from .store import run_query

    answers_dir.mkdir(parents=True, exist_ok=True)
    stored = []
    answers: dict[str, Results] = {}
    for spec in list_queries():
        if not storable(spec):
            continue
        results = answers[spec.name] = run_query(store, spec)  # type: ignore[arg-type]
        write_stored_answer(answers_dir, spec, results, build_stamp,
                            {**display, **spec.prefixes})
        stored.append(spec.name)
    names = _body_names(store, answers)
    for spec in list_queries():
        if not per_body(spec):
            continue
        for name in names:
            params = {BODY_PARAM: name}
            results = run_query(store, spec, params)  # type: ignore[arg-type]
            write_stored_answer(answers_dir, spec, results, build_stamp,
                                {**display, **spec.prefixes}, params)
        stored.append(spec.name)
    return stored


def _body_names(store: object, answers: Mapping[str, Results]) -> list[str]:
    """The Japanese names `welfare-kg query` binds a body parameter to (names.py resolves
    every other name to one of them), from the listing answers just evaluated."""
    from .names import body_names

    def listed(name: str) -> list[dict[str, str]] | None:
        results = answers.get(name)
        if results is None:
            return None
        return [{k: term.value for k, term in row.items()} for row in results.dicts()]

    return sorted(set(body_names(store, stored=listed).values()))


def write_stored_answer(answers_dir: Path, spec: QuerySpec, results: Results,
                        build_stamp: Mapping[str, object], prefixes: Mapping[str, str],
                        params: Mapping[str, str] | None = None) -> None:
    """Store one evaluated answer of `spec` (with `params` bound, for a per-body answer) in
    every format (each file written whole and renamed into place, so a reader sees the old
    answer or the new one)."""
    stamp = answer_stamp(spec, build_stamp, prefixes, params)
    for fmt in FORMATS:
        path = _path(answers_dir, spec.name, fmt, params)
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(stamp + "\n" + format_results(results, fmt, prefixes),
                           encoding="utf-8", newline="")
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)  # gone after the rename; a half-written one goes too


def read_stored_answer(answers_dir: Path, spec: QuerySpec, fmt: str,
                       build_stamp: Mapping[str, object],
                       prefixes: Mapping[str, str],
                       params: Mapping[str, str] | None = None) -> str | None:
    """The stored answer of `spec` (with `params` bound) in `fmt`, or None when there is
    none or its stamp differs."""
    try:
        with _path(answers_dir, spec.name, fmt, params).open(encoding="utf-8",
                                                             newline="") as f:
            stamp = f.readline().rstrip("\n")
            if stamp != answer_stamp(spec, build_stamp, prefixes, params):
                return None
            return f.read()
    except (OSError, UnicodeDecodeError):
        return None
