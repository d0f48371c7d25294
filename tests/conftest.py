"""Shared test set-up: non-GUI matplotlib, and the default synthetic data made by `make data`."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

# Property tests draw the same examples on every run: a red CI is a bug to fix, never bad luck.
# Explore new examples locally with HYPOTHESIS_PROFILE=explore.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

from hko_research.paths import DEFAULT_DATA_DIR, PROJECT_ROOT  # noqa: E402


@pytest.fixture(scope="session")
def default_data_dir() -> Path:
    """data/synthetic as made by `make data` (the test target depends on it)."""
    marker = DEFAULT_DATA_DIR / "DATASET.yaml"
    assert marker.exists(), "run `make data` (make test does it) to create the default synthetic data"
    return DEFAULT_DATA_DIR


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT
