"""Where the project's data files live, and where outputs go by default.

`DATA_DIR` holds the vocabulary the extractor and the build read (bodies, organizations,
outline, dataset metadata …). `WELFARE_KG_DATA_DIR` points it at another folder with the same
files, for example the vocabulary of a generated city (`scripts/synth`); the folder replaces
the bundled one as a whole. It is read once, when this module is first imported (loaders bind
their default paths then), so it must be set before: `welfare-kg --data-dir DIR …` sets it
before any command module is imported. The bundled report stays the default report either way.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "BUNDLED_DATA_DIR",
    "DATA_DIR",
    "DATA_DIR_ENV",
    "DEFAULT_REPORT",
    "ONTOLOGY_DIR",
    "OUT_DIR",
    "PROJECT_ROOT",
    "QUERIES_DIR",
    "check_data_dir",
]

# The package is installed in editable mode from the checkout, so the data folders sit next to it.
# WELFARE_KG_HOME points elsewhere for an installed copy.
PROJECT_ROOT = Path(os.environ.get("WELFARE_KG_HOME") or Path(__file__).resolve().parents[1])
BUNDLED_DATA_DIR = PROJECT_ROOT / "data"
DATA_DIR_ENV = "WELFARE_KG_DATA_DIR"
DATA_DIR = Path(os.environ.get(DATA_DIR_ENV) or BUNDLED_DATA_DIR)
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
QUERIES_DIR = PROJECT_ROOT / "queries"
DEFAULT_REPORT = BUNDLED_DATA_DIR / "izumi-wakuwaku-fy2021-report.txt"
OUT_DIR = Path("out")

# The files the extractor and the build read from every data folder (corrections/ is optional).
_REQUIRED = ("bodies.csv", "organizations.csv", "partners.csv", "dataset.yaml", "format.yaml",
             "outline.yaml", "status.yaml", "thesaurus.yaml", "units.yaml")


def check_data_dir(path: Path = DATA_DIR) -> str | None:
    """Why `path` cannot serve as the data folder, or None when it can.

    Returns a message rather than raising, so the CLI can report it before anything is loaded.
    """
    if not path.is_dir():
        return f"{path}: data folder not found ({DATA_DIR_ENV} or --data-dir)"
    missing = [name for name in _REQUIRED if not (path / name).is_file()]
    if missing:
        return f"{path}: not a welfare-kg data folder: missing {', '.join(missing)}"
    return None
