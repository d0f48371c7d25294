"""Backtest: run notebook 03 in the report's own setting (params/default.yaml) and compare its
reproduction values with the report's delanalyse-3 numbers (report_targets.csv)."""
from __future__ import annotations

import papermill as pm
import pytest

from hko_research.params import load_params
from hko_research.paths import NOTEBOOKS_DIR, PARAMS_DIR
from hko_research.publishing import reproduction

NB = NOTEBOOKS_DIR / "03_brug_af_hko.ipynb"


@pytest.mark.slow
@pytest.mark.xdist_group("nb03")
def test_notebook_03_reproduces_the_report(tmp_path, default_data_dir):
    P = load_params(PARAMS_DIR / "default.yaml")
    assert P.is_report_setting
    params = P.notebook_parameters()
    params["output_dir"] = str(tmp_path / "outputs")
    pm.execute_notebook(str(NB), str(tmp_path / "03.ipynb"), kernel_name="python3", progress_bar=False,
                        cwd=str(tmp_path), parameters=params)
    csv = tmp_path / "outputs" / "reproduction" / "03_brug_af_hko.csv"
    assert csv.exists()
    rows = reproduction.build([csv])  # raises on unknown or duplicate ids
    d3 = [r for r in rows if r["id"].startswith("d3_")]
    assert len(d3) == len(rows), "notebook 03 emitted ids of other delanalyser"
    compared = [r for r in d3 if r["status"] in (reproduction.STATUS_OK, reproduction.STATUS_DEVIATION)]
    failing = sorted((r["id"], r["report_value"], r["pipeline_value"]) for r in compared if not r["ok"])
    share_ok = sum(bool(r["ok"]) for r in compared) / len(compared)
    print(f"\ncompared {len(compared)} distinct d3 ids, ok {share_ok:.1%}; failing:")
    for rid, rep, pipe in failing:
        print(f"  {rid}: report {rep}, pipeline {pipe}")
    assert len({r['id'] for r in compared}) >= 200
    assert share_ok >= 0.95, failing
    # every conflict listed for delanalyse 3 names the row that is reproduced instead or why none is
    conflicts = reproduction.load_conflicts()
    assert all(reason.strip() for rid, reason in conflicts.items() if rid.startswith("d3_"))
