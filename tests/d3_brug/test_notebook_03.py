"""Execute notebooks/03_brug_af_hko.ipynb with papermill on the default synthetic data and check what
it wrote: the expected tables, disclosure control in every written table, and clear parameter errors."""
from __future__ import annotations

import glob
import subprocess
import sys
from pathlib import Path

import pandas as pd
import papermill as pm
import pytest

from hko_research.paths import NOTEBOOKS_DIR
from hko_research.publishing.disclosure import count_columns
from hko_research.publishing.publisher import read_table

NB = NOTEBOOKS_DIR / "03_brug_af_hko.ipynb"
MIN_CELL = 5
EXPECTED = [
    "tabel_11_bevillinger", "tabel_12_anvendelsesgrad", "tabel_13_maalgruppe", "tabel_14_funktionsnedsaettelse",
    "tabel_15_kompensationsbehov", "tabel_16_parallelindsatser", "tabel_17_organisering_sagsbehandlingstid",
    "tabel_18_ressourceforbrug", "tabel_19_opfoelgning", "figur_22_hm_fuldtidspersoner", "figur_24_udgifter_kommuner",
    "figur_26_enhedspriser", "figur_29_sagsbehandlingstid", "bilag_anvendelsesgrad_kommuner", "trend_bevillinger",
]
FIGURES = ["figur_22_hm_fuldtidspersoner", "figur_23_pa_fuldtidspersoner", "figur_24_udgifter_stoerrelse",
           "figur_25_udgiftsandel_befolkningsandel", "figur_26_enhedspriser", "figur_29_sagsbehandlingstid",
           "figur_30_over_4_uger", "kort_anvendelsesgrad", "trend_bevillinger"]


def _run(tmp_path: Path, data_dir: Path, **params) -> Path:
    out = tmp_path / "outputs"
    pm.execute_notebook(
        str(NB), str(tmp_path / "03.ipynb"), kernel_name="python3", progress_bar=False, cwd=str(tmp_path),
        parameters={"data_dir": str(data_dir), "output_dir": str(out), "min_cell_size": MIN_CELL, **params},
    )
    return out


def _base_counts(col: str, counts: list[str]) -> list[str]:
    """The counts a published statistic is computed from: a share from its numerator and n, a
    mean from n; anything else from every count of the row."""
    if col.startswith("andel_") and f"antal_{col[6:]}" in counts:
        return [f"antal_{col[6:]}"] + [c for c in ("n",) if c in counts]
    if col in ("andel", "ci_nedre", "ci_oevre") and {"antal", "n"} & set(counts):
        return [c for c in ("antal", "n") if c in counts]
    if col.startswith("gennemsnit") and "n" in counts:
        return ["n"]
    return counts


def _check_disclosure(out: Path) -> int:
    """No published count in 1..min_cell-1 and no share/mean shown where its row's count is masked."""
    files = sorted(glob.glob(str(out / "tables" / "*.csv")))
    assert files
    checked = 0
    for f in files:
        df = read_table(f)
        counts = count_columns(df)
        assert "pnr" not in {c.lower() for c in df.columns}, f
        for c in counts:
            v = pd.to_numeric(df[c], errors="coerce")
            small = (v > 0) & (v < MIN_CELL)
            assert not small.any(), f"{Path(f).name}: column {c} publishes counts below {MIN_CELL}: {v[small].tolist()}"
        if not counts:
            continue
        for c in df.columns:
            if c.startswith(("andel", "ci_", "gennemsnit")):
                base = _base_counts(c, counts)
                masked_row = df[base].isna().any(axis=1)
                shown = pd.to_numeric(df[c], errors="coerce").notna()
                assert not (shown & masked_row).any(), f"{Path(f).name}: {c} shown where its count {base} is masked"
                checked += int(masked_row.sum())
    return checked


@pytest.mark.slow
def test_notebook_03_two_kommuner_2020(tmp_path, default_data_dir):
    out = _run(tmp_path, default_data_dir, year=2020, kommuner=[101, 147])
    for name in EXPECTED:
        assert (out / "tables" / f"{name}.csv").exists(), name
        assert (out / "tables" / f"{name}.xlsx").exists(), name
    for name in FIGURES:
        assert (out / "figures" / f"{name}.png").exists(), name
    t11 = read_table(out / "tables" / "tabel_11_bevillinger.csv")
    assert list(pd.unique(t11["niveau"])) == ["Valgte kommuner", "Hele landet"]
    assert set(t11["periode"]) == {"Bevilliget i 2019", "Bevilliget i 2020", "I alt"}
    pa = t11.loc[t11["ordning"] == "Personlig assistance"].set_index(["niveau", "periode"])["antal"]
    assert pa[("Hele landet", "I alt")] > pa[("Valgte kommuner", "I alt")] > 0
    assert pa[("Hele landet", "I alt")] == pa[("Hele landet", "Bevilliget i 2019")] + pa[("Hele landet", "Bevilliget i 2020")]
    # synthetic data are labelled
    assert (t11["datagrundlag"] == "Syntetiske data").all()
    _check_disclosure(out)
    # not the report setting: no reproduction values
    rep = read_table(out / "reproduction" / "03_brug_af_hko.csv")
    assert rep.empty


@pytest.mark.slow
def test_notebook_03_single_small_kommune(tmp_path, default_data_dir):
    out = _run(tmp_path, default_data_dir, year=2019, kommuner=[825])  # Læsø, ~1.800 inhabitants
    t13 = read_table(out / "tables" / "tabel_13_maalgruppe.csv")
    sel = t13.loc[t13["niveau"] == "Valgte kommuner"]
    assert len(sel) and len(t13.loc[t13["niveau"] == "Hele landet"])
    # Læsø is tiny: its counts are 0, suppressed or at least min_cell_size, and below the national ones
    v = pd.to_numeric(sel["antal"], errors="coerce")
    assert v.isna().any()
    assert ((v == 0) | v.isna() | (v >= MIN_CELL)).all()
    nat = t13.loc[t13["niveau"] == "Hele landet"].set_index(["ordning", "tema", "kategori"])["n"]
    for (o, tema, kat), n in sel.set_index(["ordning", "tema", "kategori"])["n"].dropna().items():
        assert pd.isna(nat[(o, tema, kat)]) or n < nat[(o, tema, kat)]  # a suppressed whole says nothing
    # a suppressed count never comes with its share
    assert not (sel["antal"].isna() & sel["andel"].notna()).any()
    masked = _check_disclosure(out)
    assert masked > 0  # the small kommune forces suppression somewhere


@pytest.mark.slow
def test_notebook_03_misspelled_parameter_fails_clearly(tmp_path, default_data_dir):
    proc = subprocess.run(
        [sys.executable, "-m", "papermill", str(NB), str(tmp_path / "bad.ipynb"), "-p", "yeer", "2019",
         "-p", "data_dir", str(default_data_dir), "-p", "output_dir", str(tmp_path / "o"), "-k", "python3",
         "--no-progress-bar"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )
    assert proc.returncode != 0
    assert "yeer" in proc.stdout + proc.stderr
    assert "unknown parameter" in proc.stdout + proc.stderr
    assert not (tmp_path / "o" / "tables").exists()
