"""Notebook 01 run with papermill: the casekommuner of one region and a single casekommune (values
checked against the coding, read independently), and the report's setting (the reproduction rows
of every delanalyse-1 target)."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

from hko_research.inputs.contracts import read_input
from hko_research.kommuner import casekommuner, region_kommuner
from hko_research.paths import NOTEBOOKS_DIR
from hko_research.publishing.publisher import read_table

NB = NOTEBOOKS_DIR / "01_prioritering_organisering.ipynb"


def run(tmp_path: Path, **params) -> tuple[Path, str]:
    out = tmp_path / "outputs"
    pm.execute_notebook(str(NB), str(tmp_path / "01.ipynb"), kernel_name="python3", progress_bar=False,
                        cwd=str(tmp_path), parameters={"output_dir": str(out), **params})
    nb = nbformat.read(tmp_path / "01.ipynb", as_version=4)
    text = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/markdown", ""))
                     + str(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", []))
    return out, text


def coded_strategies(data_dir: Path, kommuner) -> pd.Series:
    """The responsible coder's strategy per kommune, read straight from the canonical tables."""
    sager = read_input(data_dir, "casekommune_sager")
    kod = read_input(data_dir, "casekommune_kodning")
    k = kod.merge(sager[["sag", "kommunekode", "koder"]], on=["sag", "koder"])
    k = k.loc[(k["kode"] == "strategi") & k["kommunekode"].isin(list(kommuner))]
    return k.set_index("kommunekode")["vaerdi"]


@pytest.mark.slow
@pytest.mark.xdist_group("nb01")
def test_notebook_01_region_sjaelland(tmp_path, default_data_dir):
    out, text = run(tmp_path, kommuner="region:Sjælland")
    sel = sorted(set(region_kommuner("Sjælland")) & set(casekommuner()))
    assert len(sel) == 4
    t3 = read_table(out / "tables" / "tabel_3_strategityper.csv")
    v = t3.loc[t3["niveau"] == "Valgte casekommuner"].set_index("strategi")
    expected = coded_strategies(default_data_dir, sel).value_counts()
    for st in ("proaktiv", "reaktiv", "diffus"):
        assert v.at[st, "kommuner"] == expected.get(st, 0)
    assert set(v["kommuner_i_alt"]) == {4}
    assert t3.loc[t3["niveau"] == "Alle casekommuner", "kommuner"].tolist() == [8, 9, 3]
    # Tabel 8's example is Holbæk (the coded example, selected); no generel specialisering in Sjælland
    t8 = read_table(out / "tables" / "tabel_8_spredt_specialisering.csv")
    assert set(t8["kommune"]) == {"Holbæk"}
    orgs = set(read_input(default_data_dir, "kommunetypologi").set_index("kommunekode").loc[sel, "organisering"])
    if "generel_specialisering" not in orgs:
        assert not (out / "tables" / "tabel_9_generel_specialisering.csv").exists()
        assert "ingen af de valgte casekommuner er organiseret med generel specialisering" in text
    t6c = read_table(out / "tables" / "tabel_6c_noeglepersoner_kommuner.csv")
    assert sorted(t6c["kommunekode"]) == sel
    assert "stemmer overens for alle casekommuner" in text
    assert (out / "figures" / "bilag_strategi_organisering.png").exists()
    assert not (out / "reproduction" / "01_prioritering_organisering.csv").read_text().strip().count("\n")


@pytest.mark.slow
@pytest.mark.xdist_group("nb01")
def test_notebook_01_single_casekommune(tmp_path, default_data_dir):
    out, text = run(tmp_path, kommuner=[575])  # Vejen
    t6 = read_table(out / "tables" / "tabel_6_organiseringstyper.csv")
    one = t6.loc[t6["niveau"] == "Valgte casekommuner"].set_index("organisering")["kommuner"]
    assert one.to_dict() == {"specialiseret_team": 0, "spredt_specialisering": 0, "generel_specialisering": 1}
    t9 = read_table(out / "tables" / "tabel_9_generel_specialisering.csv").set_index("egenskab")
    assert t9.at["antal_noeglepersoner", "tal"] == 1 and t9.at["hm_orienteringsgraense_kr", "tal"] == 10000
    assert "organiseret med specialiseret team" in text  # Tabel 7 says why it is missing
