"""The default run (params/default.yaml) published once for the tests in this folder, with the
disclosure audit hook on (synthetic data only): the pages, the files and the unprotected tables
the independent attacker checks them against."""
from __future__ import annotations

import contextlib
import dataclasses
import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "shared"))  # the independent attacker


@dataclasses.dataclass
class DefaultRun:
    result: object
    run_dir: Path
    audit_dir: Path
    stdout: str


@pytest.fixture(scope="session")
def default_run(tmp_path_factory) -> DefaultRun:
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
