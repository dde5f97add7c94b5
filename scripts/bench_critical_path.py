"""The main job's critical path: its wall time on a machine that gives each of its processes
a core of its own, measured from CPU time, so it can be read on a busy machine.

`welfare-kg all` runs parts of its work in a second process (`welfare_kg.parallel.alongside`).
On a machine whose cores other work keeps busy, wall time shows none of that; CPU time does
not depend on the sharing (much). This runs the job in this process with `alongside` timed:
the critical path is this process's CPU time plus, at each join, how much longer the
child's CPU time was than the block beside it. Interpreter start-up is not included.

    .venv/bin/python scripts/bench_critical_path.py OUT_DIR [welfare-kg all options]

Use an empty `$WELFARE_KG_CACHE_DIR` and a fresh OUT_DIR for the cold job; pass `--jobs 2`
(by default the job takes one process when the load average shows the cores busy).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import welfare_kg.parallel as parallel


def main(argv: list[str]) -> int:
    start = time.process_time()
    extra: list[float] = []
    joins: list[tuple[float, float]] = []
    real = parallel.alongside

    @contextlib.contextmanager
    def timed(work: Callable[[], Any], *, enabled: bool = True) -> Iterator[Any]:
        read_end, write_end = os.pipe()

        def measured() -> Any:
            began = time.process_time()
            result = work()
            os.write(write_end, f"{time.process_time() - began:.6f}".encode())
            return result

        began = time.process_time()
        with real(measured, enabled=enabled) as beside:
            yield beside
            block = time.process_time() - began
        os.close(write_end)
        child = float(os.read(read_end, 64) or 0)
        os.close(read_end)
        if not enabled:  # serial: the work ran in this process, before the block
            block -= child
        joins.append((child, block))
        extra.append(max(0.0, child - block))

    parallel.alongside = timed  # before the modules that import it by name are loaded
    from welfare_kg.cli import main as cli

    code = cli(["all", "-o", *argv])
    cpu = time.process_time() - start
    print(f"exit {code}; this process's CPU {cpu:.3f} s; critical path {cpu + sum(extra):.3f} s;"
          f" joins (child CPU, block CPU): "
          + ", ".join(f"({c:.3f}, {b:.3f})" for c, b in joins), file=sys.stderr)
    return code


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
