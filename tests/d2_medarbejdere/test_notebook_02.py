"""Execute notebooks/02_viden_holdninger.ipynb with papermill on the default synthetic data for one
casekommune and for region Nordjylland, and check what it wrote against the survey read directly:
the selection's respondents and shares, the highlighted kommuner, and disclosure control in every
written table (no count below min_cell_size, no share or mean shown where its count is masked)."""
from __future__ import annotations

import glob
import json
from pathlib import Path

import pandas as pd
import papermill as pm
import pytest

from hko_research.inputs.survey import read_survey
from hko_research.kommuner import region_kommuner
from hko_research.paths import NOTEBOOKS_DIR
from hko_research.publishing.columns import basis_for, count_columns, is_key_name
from hko_research.publishing.publisher import read_table

NB = NOTEBOOKS_DIR / "02_viden_holdninger.ipynb"
MIN_CELL = 5


def _run(tmp_path: Path, data_dir: Path, **params) -> tuple[Path, dict]:
    out = tmp_path / "outputs"
    nb_path = tmp_path / "02.ipynb"
    pm.execute_notebook(str(NB), str(nb_path), kernel_name="python3", progress_bar=False, cwd=str(tmp_path),
                        parameters={"data_dir": str(data_dir), "output_dir": str(out), "min_cell_size": MIN_CELL,
                                    **params})
    return out, json.loads(nb_path.read_text(encoding="utf-8"))


def _check_disclosure(out: Path) -> int:
    files = sorted(glob.glob(str(out / "tables" / "*.csv")))
    assert len(files) >= 30
    masked = 0
    for f in files:
        df = read_table(f)
        counts = count_columns(df)
        for c in counts:
            v = pd.to_numeric(df[c], errors="coerce")
            small = (v > 0) & (v < MIN_CELL)
            assert not small.any(), f"{Path(f).name}: {c} publishes counts below {MIN_CELL}: {v[small].tolist()}"
        for c in df.columns:  # every statistic (not a count, not a key): hidden where its counts are
            if counts and c not in counts and pd.api.types.is_numeric_dtype(df[c]) and not is_key_name(c):
                base = basis_for(c, counts)
                hidden = df[base].isna().any(axis=1)
                shown = df[c].notna()
                assert not (shown & hidden).any(), f"{Path(f).name}: {c} shown where its count {base} is masked"
                masked += int(hidden.sum())
    return masked


def _text(nb: dict) -> str:
    parts = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            parts.append("".join(data.get("text/markdown", [])) + "".join(data.get("text/plain", [])) + "".join(o.get("text", [])))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def survey(default_data_dir):
    return read_survey(default_data_dir).respondenter


@pytest.mark.slow
@pytest.mark.xdist_group("nb02")
def test_notebook_02_for_one_casekommune(tmp_path, default_data_dir, survey):
    out, nb = _run(tmp_path, default_data_dir, kommuner=[787])  # Thisted
    mine = survey.loc[survey["q1"] == 787]
    f15 = read_table(out / "tables" / "figur_15_screening.csv")
    sel = f15.loc[(f15["niveau"] == "Valgte casekommuner") & (f15["kategori"] == "ja")].iloc[0]
    # shown, a cell is the kommune's own value; hidden, it is marked as suppressed (never blank)
    hidden = f15.attrs["suppressed"].loc[sel.name]
    assert sel["n"] == len(mine) or hidden["n"]
    # one kommune: every tally weight is the same, so the weighted share is the kommune's own share
    if not hidden["andel"]:
        assert sel["andel"] == pytest.approx((mine["q12"] == 1).mean())
        assert sel["ci_nedre"] < sel["andel"] < sel["ci_oevre"]
    whole = f15.loc[(f15["niveau"] == "Alle casekommuner") & (f15["kategori"] == "ja")].iloc[0]
    assert whole["n"] == len(survey) or f15.attrs["suppressed"].loc[whole.name, "n"]
    k16 = read_table(out / "tables" / "figur_16_screening_kommuner.csv")
    assert k16.loc[k16["valgt"] == "ja", "kommune"].tolist() == ["Thisted"]
    # a key person in Thisted: the cross-tab shows the selection's groups only when they are large enough
    tilgang = read_table(out / "tables" / "bilag_43_forhold_tilgang.csv")
    np_ = tilgang.loc[(tilgang["niveau"] == "Valgte casekommuner") & (tilgang["gruppe"] == "noegleperson")]
    assert np_["andel"].isna().all() or (np_["n"] >= MIN_CELL).all()
    assert _check_disclosure(out) > 0  # something was masked, and nothing small is shown
    assert "Valgte casekommuner:** Thisted" in _text(nb)
    assert (out / "figures" / "figur_16_screening_kommuner.png").stat().st_size > 10_000
    repro = (out / "reproduction" / "02_viden_holdninger.csv").read_text(encoding="utf-8").splitlines()
    assert repro == ["id,pipeline_value"]  # not the report's setting: nothing compared


@pytest.mark.slow
@pytest.mark.xdist_group("nb02")
def test_notebook_02_for_region_nordjylland(tmp_path, default_data_dir, survey):
    out, nb = _run(tmp_path, default_data_dir, kommuner="region:Nordjylland")
    codes = set(region_kommuner("Nordjylland"))
    mine = survey.loc[survey["q1"].isin(codes)]
    t94 = read_table(out / "tables" / "bilag_94_besvarelsesprocent.csv")
    assert sorted(t94.loc[t94["valgt"] == "ja", "kommune"]) == ["Brønderslev", "Jammerbugt", "Thisted", "Vesthimmerlands"]
    prof = read_table(out / "tables" / "bilag_94_respondentprofil.csv")
    women = prof.loc[(prof["niveau"] == "Valgte casekommuner") & (prof["kategori"] == "kvinde")].iloc[0]
    assert women["n"] == len(mine) and women["antal"] == int((mine["q5"] == 1).sum())
    t11 = read_table(out / "tables" / "tabel_11_videnskilder.csv")
    sel = t11.loc[(t11["niveau"] == "Valgte casekommuner") & (t11["videnskilde"] == "noegleperson")].iloc[0]
    assert sel["antal"] + sel["antal_ikke_valgt"] == sel["n"] == len(mine)
    k4 = read_table(out / "tables" / "figur_4_viden_handicap_kommuner.csv")
    assert (k4["valgt"] == "ja").sum() == 4
    _check_disclosure(out)
    assert "Valgte casekommuner:**" in _text(nb)
