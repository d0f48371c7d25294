"""The one parameter validator: each rejection, the named kommune sets, and notebook globals."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hko_research.kommuner import REGIONS, casekommuner, kommune_navne
from hko_research.params import ParamsError, load_params, resolve_kommuner, validate_notebook_globals, validate_params


@pytest.fixture()
def data_dir(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    (d / "DATASET.yaml").write_text(yaml.safe_dump({"kind": "synthetic", "years": [2018, 2019, 2020], "seed": 1}))
    return d


def base(data_dir, **kw):
    raw = {"year": 2019, "kommuner": "alle", "data_dir": str(data_dir), "output_dir": "outputs", "min_cell_size": 5,
           "notebooks": ["00_datagrundlag"]}
    raw.update(kw)
    return raw


def test_valid_params_resolve_all_kommuner(data_dir):
    p = validate_params(base(data_dir))
    assert len(p.kommuner) == 98
    assert p.synthetic is True
    assert p.covered_years == (2018, 2019, 2020)
    assert p.is_report_setting


def test_unknown_key_is_rejected_with_suggestion(data_dir):
    raw = base(data_dir)
    raw["yeer"] = raw.pop("year")
    with pytest.raises(ParamsError) as exc:
        validate_params(raw)
    msg = str(exc.value)
    assert "unknown parameter 'yeer'" in msg and "did you mean 'year'" in msg
    assert "missing parameter 'year'" in msg


def test_uncovered_year_lists_covered_years(data_dir):
    with pytest.raises(ParamsError, match=r"year 2016 is not covered .*covered years: 2018, 2019, 2020"):
        validate_params(base(data_dir, year=2016))


def test_unknown_kommunekode_rejected(data_dir):
    with pytest.raises(ParamsError, match=r"unknown kommunekode\(r\) \[999\]"):
        validate_params(base(data_dir, kommuner=[101, 999]))


def test_unknown_region_rejected_with_choices(data_dir):
    with pytest.raises(ParamsError, match="unknown region 'Sjaelland'.*Sjælland"):
        validate_params(base(data_dir, kommuner="region:Sjaelland"))


def test_bad_min_cell_size_and_notebook(data_dir):
    with pytest.raises(ParamsError) as exc:
        validate_params(base(data_dir, min_cell_size=0, notebooks=["03_brug_af_hk"]))
    assert "min_cell_size" in str(exc.value)
    assert "no notebook '03_brug_af_hk'" in str(exc.value)


def test_all_problems_reported_at_once(data_dir):
    with pytest.raises(ParamsError) as exc:
        validate_params(base(data_dir, year=1999, kommuner=[1], min_cell_size="x", colour="red"))
    msg = str(exc.value)
    for part in ("colour", "1999", "kommunekode", "min_cell_size"):
        assert part in msg


def test_missing_data_dir_is_clear(tmp_path):
    with pytest.raises(ParamsError, match="does not exist"):
        validate_params(base(tmp_path / "nope"))


def test_named_sets():
    assert resolve_kommuner("casekommuner") == tuple(sorted(casekommuner()))
    assert len(casekommuner()) == 20
    hovedstaden = resolve_kommuner("region:Hovedstaden")
    assert len(hovedstaden) == 29 and 101 in hovedstaden
    assert resolve_kommuner([147, "101"]) == (101, 147)
    assert resolve_kommuner("[147, 101]") == resolve_kommuner("101,147") == (101, 147)  # papermill -p text
    counts = {r: len(resolve_kommuner(f"region:{r}")) for r in REGIONS}
    assert counts == {"Hovedstaden": 29, "Sjælland": 17, "Syddanmark": 22, "Midtjylland": 19, "Nordjylland": 11}


def test_casekommuner_are_the_reports_twenty():
    names = set(kommune_navne()[k] for k in casekommuner())
    assert {"Thisted", "Høje-Taastrup", "Bornholm", "Stevns", "Vesthimmerlands"} <= names


def test_notebook_globals_catch_misspelled_parameter(data_dir):
    ns = {"__name__": "__main__", "In": [], "Out": {}, "_": None, "get_ipython": lambda: None,
          **base(data_dir), "yeer": 2020}
    with pytest.raises(ParamsError, match="'yeer'"):
        validate_notebook_globals(ns)
    del ns["yeer"]
    assert validate_notebook_globals(ns).year == 2019


def test_params_files_in_repo_are_valid(default_data_dir, project_root):
    from hko_research.batch import load_batch

    for path in sorted((project_root / "params").glob("*.yaml")):
        if "grid" in yaml.safe_load(path.read_text(encoding="utf-8")):  # a batch: every combination valid
            assert len(load_batch([path]).combinations) > 1, path
            continue
        p = load_params(path)
        assert p.notebooks, path
    default = load_params(project_root / "params" / "default.yaml")
    assert default.is_report_setting and default.year == 2019


def test_malformed_params_yaml_names_the_file_and_line(tmp_path, data_dir):
    bad = tmp_path / "mine.yaml"
    bad.write_text(f"year: 2019\nkommuner: [101, 147\ndata_dir: {data_dir}\n", encoding="utf-8")
    with pytest.raises(ParamsError) as exc:
        load_params(bad)
    msg = str(exc.value)
    assert str(bad) in msg and "line 3" in msg and "key: value" in msg
    assert len(msg.splitlines()) == 1  # short: what, where, how to fix


def test_a_kommune_listed_twice_is_a_warning_not_silence(data_dir):
    p = validate_params(base(data_dir, kommuner=[101, 147, 101]))
    assert p.kommuner == (101, 147) and p.duplicated_kommuner == (101,)
    assert p.warnings and "101" in p.warnings[0]
    assert validate_params(base(data_dir, kommuner="101, 147")).duplicated_kommuner == ()


def test_output_dir_that_cannot_be_used_is_explained(tmp_path):
    from hko_research.params import check_output_dir

    a_file = tmp_path / "fil"
    a_file.write_text("x")
    assert "is a file, not a folder" in check_output_dir(a_file / "sub")
    assert check_output_dir(tmp_path / "ny" / "mappe") is None and not (tmp_path / "ny").exists()
    assert "cannot be written" in check_output_dir(Path("/proc/hko-research"))
