"""The embedded store: a pyoxigraph Store filled from the build in `out/`, and queries on it.

The store answers with the union of all named graphs as its default graph (each report is
a named graph; library queries do not name graphs), like Virtuoso does by default and
`oxigraph serve --union-default-graph`.

Two kinds of store, and a rule for picking one (`choose_store`, measured in BENCHMARKS.md):

- **memory**: the build's N-Quads bulk-loaded into an in-memory store for this process.
  Queries run 2-10x faster than on disk (most on large answers), loading is 2-3x faster
  than into RocksDB, nothing is written, but every process pays the load.
- **disk**: `out/store`, a RocksDB store bulk-loaded once per build and opened read-only
  (shared with `welfare-kg serve`); opening costs about 0.1 s whatever the size.

`auto` picks memory for one query (`welfare-kg query`) on a build of up to
`ONE_QUERY_MEMORY_MAX` bytes of N-Quads (one report: ~0.1 s to load, nothing written) and the
reused disk store beyond; for commands that run several queries (maps, metrics, charts, all,
publish) memory up to `MANY_QUERIES_MEMORY_MAX`, past which the in-memory store no longer sits
comfortably in RAM. `serve` always uses the disk store (the server process opens it).

>>> from welfare_kg.paths import PROJECT_ROOT
>>> store = load_store([PROJECT_ROOT / "tests" / "data" / "mini-graph.trig"])
>>> run_query(store, "single-body-rows").values()[0]["bodyLabel"]
'高齢・障害支援課'
>>> run_query(store, "keyword-search", {"word": "参加"}).values()[0]["field"]
'result'
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from pyoxigraph import (
    QueryBoolean,
    QuerySolutions,
    RdfFormat,
    Store,
    Variable,
)

from welfare_kg.errors import InputError, QueryError
from welfare_kg.paths import DEFAULT_REPORT, OUT_DIR, QUERIES_DIR

from .answers import (
    ANSWERS_DIRNAME,
    read_stored_answer,
    stored_with,
    write_stored_answer,
    write_stored_answers,
)
from .library import QuerySpec, bind_params, display_prefixes, load_query
from .results import Results

__all__ = [
    "BUILD_FILES",
    "MANY_QUERIES_MEMORY_MAX",
    "ONE_QUERY_MEMORY_MAX",
    "STORE_DIRNAME",
    "STORE_KINDS",
    "choose_store",
    "current_build",
    "ensure_build",
    "execute",
    "find_build",
    "keep_answer",
    "load_store",
    "open_store",
    "prepare_store",
    "refresh_store_dir",
    "run_query",
    "select_values",
    "store_is_current",
    "stored_answer",
    "stored_values",
]

# The build's dataset files, best first: N-Quads loads fastest and keeps the named graphs.
BUILD_FILES = ("welfare-kg.nq", "welfare-kg.trig")
STORE_DIRNAME = "store"
_STAMP = "build-stamp.json"
STORE_KINDS = ("auto", "memory", "disk")
# Measured (BENCHMARKS.md, "Which store"), both costs growing with the build: loading N-Quads
# into memory costs ~0.2 s per 10 MB, about 5x what one average library query loses on the disk
# store; loading the disk store costs ~3x the memory load, once per build. So for one query a
# build of one report (~3 MB) loads into memory in ~0.1 s with nothing written, and anything
# larger is cheaper on the reused disk store; a command running several queries (maps: five,
# with large answers, where disk is 5-10x slower) gains from memory until the in-memory store
# (~7x the N-Quads size in RSS at 100 reports) stops fitting comfortably.
ONE_QUERY_MEMORY_MAX = 4 * 2**20
MANY_QUERIES_MEMORY_MAX = 1 * 2**30
_FORMATS = {".nq": RdfFormat.N_QUADS, ".trig": RdfFormat.TRIG, ".ttl": RdfFormat.TURTLE,
            ".nt": RdfFormat.N_TRIPLES}


def find_build(out_dir: Path = OUT_DIR) -> Path | None:
    """The dataset file of the build in `out_dir` (N-Quads or TriG), or None."""
    out_dir = Path(out_dir)
    for name in BUILD_FILES:
        if (out_dir / name).is_file():
            return out_dir / name
    for pattern in ("*.nq", "*.trig"):
        found = sorted(out_dir.glob(pattern))
        if found:
            return found[0]
    return None


def ensure_build(out_dir: Path = OUT_DIR, reports: Iterable[Path] | None = None) -> Path:
    """The build's dataset file, building it from the bundled report first when there is none."""
    found = find_build(out_dir)
    if found is not None:
        return found
    from welfare_kg.outdir import transaction

    from ..rdf import build_outputs  # the build is heavy: import on demand

    with transaction(out_dir) as stage:  # readers see no build or a whole one
        build_outputs(list(reports or [DEFAULT_REPORT]), stage)
    found = find_build(out_dir)
    if found is None:
        raise InputError(f"the build wrote no N-Quads or TriG file in {out_dir}")
    return found


def load_store(paths: Iterable[Path], store: Store | None = None) -> Store:
    """An in-memory store (or `store`) loaded with RDF files; the format comes from the suffix."""
    store = Store() if store is None else store
    for path in paths:
        path = Path(path)
        fmt = _FORMATS.get(path.suffix)
        if fmt is None:
            raise InputError(
                f"{path}: cannot load {path.suffix!r} files; use .nq, .trig, .ttl or .nt"
            )
        try:
            store.bulk_load(path=str(path), format=fmt)
        except (OSError, SyntaxError, ValueError) as exc:
            raise InputError(f"{path}: cannot load: {exc}") from exc
    return store


def _stamp_of(build: Path) -> dict[str, object]:
    info = build.stat()
    return {"file": build.name, "size": info.st_size, "mtime_ns": info.st_mtime_ns}


def store_is_current(store_dir: Path, build: Path) -> bool:
    """Whether the on-disk store under `store_dir` was loaded from this very build file."""
    try:
        stamp = json.loads((store_dir / _STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return stamp == _stamp_of(build)


def refresh_store_dir(out_dir: Path = OUT_DIR) -> Path:
    """Make `out_dir/store` an on-disk store of the current build; returns its directory.

    The new store is loaded beside the old one and swapped in by renames, so a reader never
    sees a half-loaded store.
    """
    out_dir = Path(out_dir)
    with _out_lock(out_dir):
        build = ensure_build(out_dir)
        try:
            return _refresh(out_dir, build)
        except OSError as exc:
            raise _cannot_write(out_dir / STORE_DIRNAME, exc) from exc


def current_build(out_dir: Path = OUT_DIR) -> Path:
    """`ensure_build` under the build folder's lock: two commands started together build once."""
    out_dir = Path(out_dir)
    found = find_build(out_dir)
    if found is not None:
        return found
    with _out_lock(out_dir):
        return ensure_build(out_dir)


@contextmanager
def _out_lock(out_dir: Path) -> Iterator[None]:
    # Beside the versions of out/ (welfare_kg.outdir), not inside one: out/ may not exist yet
    # and becomes a link when first built; a staging folder (a real one) keeps it inside.
    from welfare_kg.outdir import versions_dir

    folder = versions_dir(out_dir) if out_dir.is_symlink() or not out_dir.exists() else out_dir
    lock_path = folder / f".{STORE_DIRNAME}.lock"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = lock_path.open("w")
    except OSError as exc:
        raise _cannot_write(out_dir, exc) from exc
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _cannot_write(path: Path, exc: OSError) -> InputError:
    """An InputError naming the folder (and the file, when the OS says which) not writable."""
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
    reason = exc.strerror or str(exc)
    return InputError(f"{path}: cannot write the build or its store here{where}: {reason}")


def _refresh(out_dir: Path, build: Path) -> Path:
    store_dir = out_dir / STORE_DIRNAME
    if store_is_current(store_dir, build):
        return store_dir
    tmp = out_dir / f".{STORE_DIRNAME}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    store = load_store([build], Store(str(tmp)))
    store.flush()
    # Compacting after the bulk load leaves one sorted run per index: measured 20-30 % off
    # every query at 100 reports, for ~2 s once per build.
    store.optimize()
    _store_answers(store, tmp / ANSWERS_DIRNAME, build)
    del store  # closes RocksDB before the directory moves
    (tmp / _STAMP).write_text(json.dumps(_stamp_of(build)), encoding="utf-8")
    old = out_dir / f".{STORE_DIRNAME}.{os.getpid()}.old"
    if store_dir.exists():
        store_dir.rename(old)
    tmp.rename(store_dir)
    shutil.rmtree(old, ignore_errors=True)
    return store_dir


def _store_answers(store: Store, answers_dir: Path, build: Path) -> None:
    """The library's parameterless answers, and the body queries' per body, beside the store
    (graph/sparql/answers.py)."""
    write_stored_answers(store, answers_dir, _stamp_of(build), display_prefixes())


def prepare_store(out_dir: Path = OUT_DIR) -> Path | None:
    """Make the on-disk store (and its stored answers) of the build in `out_dir` when
    `welfare-kg query` would pick it (`choose_store` for one query), so the first query
    after a large build does not pay the load; returns its directory, or None for a build
    `query` answers in memory. `build` calls it on its staging folder."""
    build = find_build(out_dir)
    if build is None or choose_store(build, many_queries=False) != "disk":
        return None
    return refresh_store_dir(out_dir)


def stored_answer(spec: QuerySpec, fmt: str, prefixes: Mapping[str, str],
                  out_dir: Path = OUT_DIR, params: Mapping[str, str] | None = None,
                  ) -> str | None:
    """The answer of `spec` with no parameters (or, for a query stored per body, with
    `params` = {"body": a Japanese name}) as `fmt` text, from the answers stored with the
    on-disk store of the build in `out_dir`, or None when there is no build, no current
    store, no such answer, or the stored answer's stamp does not match
    (graph/sparql/answers.py)."""
    if not stored_with(spec, params):
        return None
    out_dir = Path(out_dir)
    build = find_build(out_dir)
    store_dir = out_dir / STORE_DIRNAME
    if build is None or not store_is_current(store_dir, build):
        return None
    return read_stored_answer(store_dir / ANSWERS_DIRNAME, spec, fmt, _stamp_of(build),
                              prefixes, params)


def keep_answer(spec: QuerySpec, results: Results, prefixes: Mapping[str, str],
                out_dir: Path = OUT_DIR, params: Mapping[str, str] | None = None) -> None:
    """Store `results`, the answer just evaluated for the library query `spec` without
    parameters (or with the one body of a query stored per body), beside the build's
    current on-disk store when there is one: the stored answer it replaces was stamped for
    other query text or output code. Best effort: a store folder that cannot be written is
    left as it is."""
    out_dir = Path(out_dir)
    build = find_build(out_dir)
    answers_dir = out_dir / STORE_DIRNAME / ANSWERS_DIRNAME
    library = spec.path is not None and spec.path.resolve().parent == QUERIES_DIR.resolve()
    if (build is None or not library or not stored_with(spec, params) or not answers_dir.is_dir()
            or not store_is_current(out_dir / STORE_DIRNAME, build)):
        return
    with suppress(OSError):
        write_stored_answer(answers_dir, spec, results, _stamp_of(build), prefixes, params)


def stored_values(name: str, out_dir: Path = OUT_DIR, queries_dir: Path = QUERIES_DIR,
                  ) -> list[dict[str, str]] | None:
    """`select_values` of the library query `name` from its stored answer (SPARQL JSON) when
    that is current, else None: resolving a body name needs two listing queries, which take
    ~0.5 s on the disk store at 100 reports and nothing when stored."""
    spec = load_query(name, queries_dir)
    text = stored_answer(spec, "json", {**display_prefixes(), **spec.prefixes}, out_dir)
    if text is None:
        return None
    bindings = json.loads(text)["results"]["bindings"]
    return [{k: term["value"] for k, term in row.items()} for row in bindings]


def choose_store(build: Path, kind: str = "auto", *, many_queries: bool = True) -> str:
    """"memory" or "disk": `kind` itself when forced, else the rule in the module docstring.

    `many_queries` says whether the command runs several queries on the store (maps,
    metrics, charts, all) or one (`welfare-kg query`).
    """
    if kind not in STORE_KINDS:
        raise InputError(f"unknown store {kind!r}: use one of {', '.join(STORE_KINDS)}")
    if kind != "auto":
        return kind
    limit = MANY_QUERIES_MEMORY_MAX if many_queries else ONE_QUERY_MEMORY_MAX
    try:
        size = Path(build).stat().st_size
    except OSError as exc:
        raise InputError(f"{build}: cannot read the build: {exc.strerror or exc}") from exc
    return "memory" if size <= limit else "disk"


def open_store(out_dir: Path = OUT_DIR, kind: str = "auto", *,
               many_queries: bool = True) -> Store:
    """The store of the current build in `out_dir`, built from the bundled report if needed.

    `kind` is "memory" (the build loaded into this process), "disk" (`out_dir/store`,
    reloaded only when the build changes and opened read-only, so it can be shared with a
    running `welfare-kg serve`) or "auto" (`choose_store`).
    """
    if kind not in STORE_KINDS:
        raise InputError(f"unknown store {kind!r}: use one of {', '.join(STORE_KINDS)}")
    build = current_build(out_dir)
    if choose_store(build, kind, many_queries=many_queries) == "memory":
        return load_store([build])
    store_dir = refresh_store_dir(out_dir)
    try:
        return Store.read_only(str(store_dir))
    except OSError as exc:
        raise InputError(f"cannot open the store in {store_dir}: {exc}") from exc


def run_query(store: Store, query: str | Path | QuerySpec,
              params: Mapping[str, str] | None = None) -> Results:
    """Run a library query (by name), a `.rq` file or a QuerySpec on `store`.

    `params` are raw strings, typed by the query's declarations and bound as RDF terms.
    """
    spec = query if isinstance(query, QuerySpec) else load_query(query)
    return execute(store, spec.text, bind_params(spec, params or {}), name=spec.name)


def select_values(store: Store, name: str, queries_dir: Path = QUERIES_DIR,
                  ) -> list[dict[str, str]]:
    """Run the library query `name` on `store`; solutions as {variable: lexical value}
    (unbound variables left out, IRIs as their IRI, literals as their lexical form)."""
    results = run_query(store, load_query(name, queries_dir))
    return [{k: term.value for k, term in row.items()} for row in results.dicts()]


def execute(store: Store, text: str, bindings: Mapping[str, object] | None = None,
            *, name: str = "<query>") -> Results:
    """Run SPARQL text on `store` with already typed bindings (variable name -> term)."""
    substitutions = {Variable(k): v for k, v in (bindings or {}).items()}
    try:
        answer = store.query(text, use_default_graph_as_union=True,
                             substitutions=substitutions or None)
    except SyntaxError as exc:
        raise QueryError(f"{name}: not valid SPARQL 1.1: {exc}") from exc
    except OSError as exc:
        raise QueryError(f"{name}: the store failed: {exc}") from exc
    if isinstance(answer, QueryBoolean):
        return Results("ask", boolean=bool(answer))
    if isinstance(answer, QuerySolutions):
        variables = tuple(v.value for v in answer.variables)
        rows = tuple(tuple(solution[v] for v in variables) for solution in answer)
        return Results("select", variables, rows)
    return Results("graph", triples=tuple(answer))
