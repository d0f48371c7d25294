"""validate_inputs keeps one content-keyed cache: reused while inputs and code are unchanged,
recomputed when an input changes, and a passed full validation covers a subset."""
from __future__ import annotations

import shutil

import yaml

from hko_research.inputs import checks as contracts
from hko_research.inputs.validation import validate_inputs
from hko_research.params import validate_params

TYPOLOGI = (
    "kommunekode;strategi;organisering;antal_noeglepersoner\n"
    "101;proaktiv;specialiseret_team;4\n"
    "147;reaktiv;spredt_specialisering;1\n"
)


def test_validation_cache(tmp_path, monkeypatch, default_data_dir):
    data = tmp_path / "data"
    shutil.copytree(default_data_dir, data)
    params = validate_params({"year": 2019, "kommuner": "alle", "data_dir": str(data)})
    calls = []
    real = contracts.validate_dataset

    def counting(data_dir, names=None):
        calls.append(names)
        return real(data_dir, names=names)

    monkeypatch.setattr(contracts, "validate_dataset", counting)
    cache = tmp_path / "cache"
    first = validate_inputs(params, cache_dir=cache)
    assert first.ok and not first.from_cache and len(calls) == 1
    again = validate_inputs(params, cache_dir=cache)
    assert again.ok and again.from_cache and len(calls) == 1
    subset = validate_inputs(params, names=["kommunetypologi"], cache_dir=cache)
    assert subset.ok and subset.from_cache and len(calls) == 1  # covered by the passed full run
    (data / "kommunetypologi.csv").write_text(TYPOLOGI.replace("reaktiv", "passiv"), encoding="utf-8")
    changed = validate_inputs(params, cache_dir=cache)
    assert not changed.ok and not changed.from_cache and len(calls) == 2
    assert ("kommunetypologi.csv", "strategi", "isin") in changed.counts
    again_bad = validate_inputs(params, cache_dir=cache)
    assert again_bad.from_cache and not again_bad.ok and again_bad.counts == changed.counts
    assert yaml.safe_load((data / "DATASET.yaml").read_text())["kind"] == "synthetic"


def test_runner_cache_folder_is_where_notebooks_validate(tmp_path, monkeypatch, default_data_dir):
    """The runner points its notebooks at its own cache (HKO_RESEARCH_CACHE); without it the
    default is outputs/.cache. A notebook validating after the runner finds the runner's report."""
    from hko_research.inputs.validation import CACHE_ENV, default_cache_dir
    from hko_research.paths import OUTPUTS_DIR

    monkeypatch.delenv(CACHE_ENV, raising=False)
    assert default_cache_dir() == OUTPUTS_DIR / ".cache"
    run_cache = tmp_path / "run-cache"
    monkeypatch.setenv(CACHE_ENV, str(run_cache))
    assert default_cache_dir() == run_cache
    params = validate_params({"year": 2019, "kommuner": "alle", "data_dir": str(default_data_dir)})
    calls = []
    real = contracts.validate_dataset
    monkeypatch.setattr(contracts, "validate_dataset", lambda d, names=None: calls.append(names) or real(d, names=names))
    first = validate_inputs(params, names=["kommunetypologi"])
    assert not first.from_cache and list((run_cache / "validation-reports").glob("*.json"))
    assert validate_inputs(params, names=["kommunetypologi"], cache_dir=run_cache).from_cache
    assert len(calls) == 1
