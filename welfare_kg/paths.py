"""Where the project's data files live, and where outputs go by default."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DATA_DIR", "DEFAULT_REPORT", "ONTOLOGY_DIR", "OUT_DIR", "PROJECT_ROOT", "QUERIES_DIR"]

# The package is installed in editable mode from the checkout, so the data folders sit next to it.
# WELFARE_KG_HOME points elsewhere for an installed copy.
PROJECT_ROOT = Path(os.environ.get("WELFARE_KG_HOME") or Path(__file__).resolve().parents[1])
DATA_DIR = PROJECT_ROOT / "data"
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
QUERIES_DIR = PROJECT_ROOT / "queries"
DEFAULT_REPORT = DATA_DIR / "izumi-wakuwaku-fy2021-report.txt"
OUT_DIR = Path("out")
