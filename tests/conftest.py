"""Settings for the whole suite: a private cache, so tests start cold and leave ~/.cache alone."""

from __future__ import annotations

import os
import tempfile


def pytest_configure(config) -> None:
    # Set before any test imports the package or starts a CLI subprocess (which inherits it).
    if not os.environ.get("WELFARE_KG_KEEP_CACHE"):
        os.environ["WELFARE_KG_CACHE_DIR"] = tempfile.mkdtemp(prefix="welfare-kg-test-cache-")
