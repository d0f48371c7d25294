"""Notebook 04 run with papermill: the interviews of one region and of a single casekommune (with
suppression: no published count below min_cell_size, no share from a masked count), and the
report's setting (the reproduction rows of every delanalyse-4 target)."""
from __future__ import annotations

import glob
from pathlib import Path

import numpy as np
import pandas as pd
import papermill as pm
import pytest

from hko_research.inputs.contracts import read_input
from hko_research.kommuner import casekommuner, region_kommuner
from hko_research.paths import NOTEBOOKS_DIR
from hko_research.publishing.columns import count_columns
from hko_research.publishing.publisher import read_table

NB = NOTEBOOKS_DIR / "04_borger_virksomhed.ipynb"
MIN = 5


def run(tmp_path: Path, **params) -> Path:
    out = tmp_path / "outputs"
    pm.execute_notebook(str(NB), str(tmp_path / "04.ipynb"), kernel_name="python3", progress_bar=False,
                        cwd=str(tmp_path), parameters={"output_dir": str(out), "min_cell_size": MIN, **params})
    return out


def by_id_value(rows, rid):
    return next(r["pipeline_value"] for r in rows if r["id"] == rid)


def check_disclosure(out: Path) -> int:
    """No count in 1..MIN-1; no share, mean or kappa shown where its row's counts are masked."""
    masked = 0
    for f in sorted(glob.glob(str(out / "tables" / "*.csv"))):
        df = read_table(f)
        counts = count_columns(df)
        for c in counts:
            v = pd.to_numeric(df[c], errors="coerce")
            assert not ((v > 0) & (v < MIN)).any(), f"{Path(f).name}: {c} publishes {v[(v > 0) & (v < MIN)].tolist()}"
        if not counts:
            continue
        for c in df.columns:
            if c.startswith(("andel", "ci_", "gennemsnit", "enighed", "kappa")):
                base = [f"antal_{c.split('_', 1)[1]}", f"n_{c.split('_', 1)[1]}"] if "_" in c and c.startswith("andel_") \
                    else [x for x in ("antal", "n") if x in counts]
                base = [b for b in base if b in counts]
                hidden = df[base].isna().any(axis=1)
                assert not (hidden & pd.to_numeric(df[c], errors="coerce").notna()).any(), f"{Path(f).name}: {c}"
                masked += int(hidden.sum())
    return masked


@pytest.mark.slow
@pytest.mark.xdist_group("nb04")
def test_notebook_04_region_nordjylland(tmp_path, default_data_dir):
    out = run(tmp_path, kommuner="region:Nordjylland")
    sel = set(region_kommuner("Nordjylland")) & set(casekommuner())
    d = read_input(default_data_dir, "interview_deltagere")
    expected = d.loc[d["kommunekode"].isin(list(sel))].groupby("gruppe").size()
    t = read_table(out / "tables" / "tabel_61_deltagere.csv")
    v = t.loc[t["niveau"] == "Valgte casekommuner"].set_index("gruppe")["antal"]
    for g in ("borger", "arbejdsgiver"):
        assert (v[g] == expected[g]) if expected[g] >= MIN else np.isnan(v[g])
    assert t.loc[t["niveau"] == "Alle casekommuner", "antal"].tolist() == [48, 24]
    assert check_disclosure(out) > 0  # the region's small cells are masked
    assert (out / "tables" / "tabel_65_anbefalinger_2024.csv").exists()


@pytest.mark.slow
@pytest.mark.xdist_group("nb04")
def test_notebook_04_single_casekommune_is_suppressed_not_crashed(tmp_path, default_data_dir):
    out = run(tmp_path, kommuner=[169])  # Høje-Taastrup: a handful of interviews
    t = read_table(out / "tables" / "tabel_61_deltagere.csv")
    assert t.loc[t["niveau"] == "Valgte casekommuner", "antal"].isna().all()
    prof = read_table(out / "tables" / "tabel_61b_profil.csv")
    assert prof.loc[prof["niveau"] == "Valgte casekommuner", "andel"].isna().all()
    assert check_disclosure(out) > 10
