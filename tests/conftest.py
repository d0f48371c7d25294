"""Shared test set-up: non-GUI matplotlib, the default synthetic data made by `make data`, and the
default run (params/default.yaml through the runner) that several folders check."""
from __future__ import annotations

import contextlib
import dataclasses
import io
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


# The default run is built once per worker that asks for it: every test using it is marked
# xdist_group("default_run"), so one worker builds it once for the pages, the profiles and the
# backtests of delanalyse 1, 3 and 4.


@dataclasses.dataclass
class DefaultRun:
    result: object
    run_dir: Path
    audit_dir: Path
    stdout: str


@pytest.fixture(scope="session")
def default_run(tmp_path_factory) -> DefaultRun:
    """params/default.yaml through the runner with the disclosure audit hook on (synthetic data
    only): the pages, the files and the unprotected tables the independent attacker checks."""
    from hko_research import runner
    from hko_research.params import load_params
    from hko_research.paths import PARAMS_DIR
    from hko_research.publishing.publisher import AUDIT_ENV

    tmp = tmp_path_factory.mktemp("default_run")
    params = dataclasses.replace(load_params(PARAMS_DIR / "default.yaml"), output_dir=tmp / "out")
    audit = tmp / "audit"
    mp = pytest.MonkeyPatch()
    mp.setenv(AUDIT_ENV, str(audit))  # the workers and their kernels inherit it
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            result = runner.run(params, jobs=2, progress=False, cache_dir=tmp / "cache")
    finally:
        mp.undo()
    assert result.exit_code == 0, buf.getvalue()
    return DefaultRun(result=result, run_dir=result.run_dir, audit_dir=audit, stdout=buf.getvalue())
