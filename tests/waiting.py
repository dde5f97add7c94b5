"""Waiting in tests for what another process makes, always bounded."""

from __future__ import annotations

import time
from pathlib import Path


def wait_for(path: Path, seconds: float = 30) -> bool:
    """Whether `path` exists within `seconds` (looked for every 5 ms)."""
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    return path.exists()
