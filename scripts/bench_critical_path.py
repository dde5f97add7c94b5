"""The main job's critical path: its wall time on a machine that gives each of its processes
a core of its own, measured from CPU time, so it can be read on a busy machine.

`welfare-kg all` runs parts of its work in second processes (`welfare_kg.parallel`). On a
machine whose cores other work keeps busy, wall time shows none of that; CPU time does not
depend on the sharing (much). This runs the job in this process with every second process
timed: this process's clock runs on its CPU time plus the time it would have waited for a
child, and at each point where it waits for one (the child's first product, `ready`, or its
end) it is set forward to the child's clock there (the fork's time plus the child's CPU up to
that point) when the child would be later. The critical path is that clock at the end.
Interpreter start-up is not included.

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
    waited = [0.0]  # the time this process would have waited for its children
    joins: list[str] = []
    real = parallel.alongside_telling

    def clock() -> float:
        return time.process_time() + waited[0]

    @contextlib.contextmanager
    def timed(work: Callable[[Callable[[Any], None]], Any], *,
              enabled: bool = True) -> Iterator[Any]:
        if not enabled:  # serial: the work runs in this process, on its CPU time
            with real(work, enabled=False) as beside:
                yield beside
            return
        read_end, write_end = os.pipe()

        def measured(tell: Callable[[Any], None]) -> Any:
            began = time.process_time()

            def told(value: Any) -> None:
                os.write(write_end, f"{time.process_time() - began:.6f}\n".encode())
                tell(value)

            result = work(told)
            os.write(write_end, f"{time.process_time() - began:.6f}\n".encode())
            return result

        forked = clock()
        seen: list[tuple[float, float]] = []  # (child CPU, this process's time since the fork)
        marks = os.fdopen(read_end, "rb")

        def catch_up() -> None:
            child = float(marks.readline() or 0)
            here = clock() - forked
            seen.append((child, here))
            waited[0] += max(0.0, child - here)

        with real(measured, enabled=True) as beside:
            os.close(write_end)
            ready, wait = beside.ready, beside.wait

            def timed_ready() -> Any:
                value = ready()
                if not seen:
                    catch_up()
                return value

            def timed_wait() -> Any:
                result = wait()
                if len(seen) < 2:
                    if not seen and beside._told:  # told, but the block never asked
                        catch_up()
                    catch_up()
                return result

            beside.ready, beside.wait = timed_ready, timed_wait
            yield beside
        marks.close()
        joins.append("(" + ", ".join(f"{c:.3f} / {h:.3f}" for c, h in seen) + ")")

    parallel.alongside_telling = timed  # `alongside` runs through it too
    from welfare_kg.cli import main as cli

    code = cli(["all", "-o", *argv])
    cpu = time.process_time() - start
    print(f"exit {code}; this process's CPU {cpu:.3f} s; critical path {clock() - start:.3f} s; "
          "waits (child CPU / this process's since the fork): " + ", ".join(joins),
          file=sys.stderr)
    return code


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
