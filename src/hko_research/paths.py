"""Project paths, derived from the package location, never from the working directory.

Papermill and pytest change the working directory; every path the project uses is resolved here.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parents[1]

REFERENCE_DIR = PACKAGE_DIR / "reference"
REPORT_TARGETS = REFERENCE_DIR / "report_targets.csv"
CONTRACTS_DIR = PROJECT_ROOT / "data_contracts"
PARAMS_DIR = PROJECT_ROOT / "params"
MAPPINGS_DIR = PARAMS_DIR / "mappings"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data" / "synthetic"
# in a notebook's output folder: masked cells its publisher could not protect (read by the runner)
WEAK_CELLS_FILE = "beskyttelse.json"


def resolve(path: str | Path) -> Path:
    """Absolute path; relative paths are taken relative to the project root."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (PROJECT_ROOT / p)
