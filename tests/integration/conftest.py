"""Integration tests share the data helpers of tests/ (sparql_data.py)."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = str(Path(__file__).resolve().parents[1])
if TESTS not in sys.path:  # pytest puts only this folder on sys.path for these modules
    sys.path.insert(0, TESTS)
