"""What every benchmark section shares: the machine line, and one whole process measured.

A process is measured the way the kernel accounts for it (wait4: CPU = user + sys of the
process and every descendant it waited for; ``ru_maxrss`` = the peak resident set of the
largest single process of the tree, not their sum), plus a sampler that reads the tree's
processes every 50 ms from /proc (psutil): the peak of the tree's summed RSS (what the job
holds at once) and the peak of the root process alone (so the kernel's maximum can be
attributed to the command itself or to one of its worker processes).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

__all__ = [
    "Usage",
    "load_average",
    "machine_line",
    "measure_process",
    "remove_out",
    "welfare_kg_command",
]

SAMPLE_SECONDS = 0.05


@dataclass
class Usage:
    """One finished process: seconds, and resident sets in MiB."""

    cpu: float
    wall: float
    max_rss_mb: float  # kernel: the largest single process of the tree
    root_rss_mb: float  # sampled: the root process alone (a lower bound of its peak)
    tree_rss_mb: float  # sampled: the tree's processes summed, at its largest
    processes: int  # sampled: the most processes alive at once in the tree


def welfare_kg_command() -> list[str]:
    """The console script users run (from the venv running this benchmark)."""
    script = Path(sys.executable).parent / "welfare-kg"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "welfare_kg.cli"]


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def machine_line() -> str:
    """Machine, cores, memory, Python, date and the load average (1/5/15 min) now."""
    memory = psutil.virtual_memory().total / 2**30
    return (f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}; "
            f"{time.strftime('%Y-%m-%d %H:%M %Z')}; load average {load_average()}")


class _Sampler(threading.Thread):
    """Polls the process tree under `pid` until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.root_rss = self.tree_rss = 0
        self.processes = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            total = 0
            for proc in procs:
                try:
                    rss = proc.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                if proc is self.root:
                    self.root_rss = max(self.root_rss, rss)
            self.tree_rss = max(self.tree_rss, total)
            self.processes = max(self.processes, len(procs))
            self.done.wait(SAMPLE_SECONDS)


def measure_process(cmd: list[str], *, env: dict[str, str] | None = None,
                    cwd: Path | None = None) -> Usage:
    """Run `cmd` to the end (output discarded) and measure it; exits loudly if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    sampler = _Sampler(proc.pid)
    sampler.start()
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    if proc.stderr:
        proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd[:4])} … failed ({proc.returncode}):\n{err[-2000:]}")
    return Usage(cpu=usage.ru_utime + usage.ru_stime, wall=wall,
                 max_rss_mb=usage.ru_maxrss / 1024, root_rss_mb=sampler.root_rss / 2**20,
                 tree_rss_mb=sampler.tree_rss / 2**20, processes=sampler.processes)


def remove_out(out: Path) -> None:
    """Remove an output folder the CLI wrote: a link to a version folder beside its versions
    (welfare_kg.outdir), or a plain folder."""
    import shutil

    from welfare_kg.outdir import versions_dir

    if out.is_symlink():
        out.unlink()
    elif out.exists():
        shutil.rmtree(out)
    shutil.rmtree(versions_dir(out), ignore_errors=True)
