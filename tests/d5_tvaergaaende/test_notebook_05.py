"""Execute notebooks/05_tvaergaaende.ipynb once with papermill (region Nordjylland, the default
synthetic data) and check what it wrote:

* the outcome tables against an independent recomputation from the raw files (DFDG, løntimer, BEF
  read with pandas here, not with the package), for the selected kommuner and the whole country;
* the report's numbers, read from the published (protected) national rows through targets.yaml and
  compared by the reproduction rule: >= 45 compared, >= 95 pct. ok, the conflicts as declared;
* the refusal of tests on groups of fewer than 5 kommuner, G and N in every model row;
* disclosure control in every written table, the figures' layout, the Danish readings.
"""
from __future__ import annotations

import glob
import json
from pathlib import Path

import numpy as np
import pandas as pd
import papermill as pm
import pytest
from PIL import Image

from hko_research.analyses.d5_tvaergaaende import targets as d5_targets
from hko_research.kommuner import region_kommuner
from hko_research.paths import NOTEBOOKS_DIR, PACKAGE_DIR
from hko_research.publishing import reproduction as rp
from hko_research.publishing.columns import basis_for, count_columns, is_key_name
from hko_research.publishing.publisher import LAYOUT_KEY, read_table
from hko_research.publishing.targets import load_spec, record

# one worker builds the module fixtures once (xdist would otherwise build them on both)
pytestmark = pytest.mark.xdist_group("nb05")

NB = NOTEBOOKS_DIR / "05_tvaergaaende.ipynb"
MIN_CELL = 5
NORD = set(region_kommuner("Nordjylland"))
FIGURES = ["figur_31_forandringsteori", "figur_32_strategi_oegede", "figur_33_strategi_fastholdelse",
           "figur_34_organisering_oegede", "figur_35_organisering_fastholdelse", "figur_36_anvendelsesgrad_oegede",
           "figur_37_rekrutteringsgrad_oegede", "figur_38_anvendelsesgrad_rekrutteringsgrad",
           "figur_39_rammevilkaar_oegede", "figur_40_rammevilkaar_fastholdelse", "figur_41_stoerrelse_oegede",
           "figur_42_stoerrelse_fastholdelse"]
TABLES = ["tabel_7_udfald", "tabel_7b_populationer", "figur_32_35_strategi_organisering", "tabel_32_35_test",
          "figur_36_38_kommuner_pa", "figur_36_38_kommuner_hm", "bilag_7_anvendelsesgrad_kommuner", "figur_39_42_rammevilkaar_stoerrelse",
          "tabel_7_model_rammevilkaar", "tabel_7_model_kommunestoerrelse", "tabel_7_model_rekrutteringsgrad",
          "tabel_7_model_anvendelse_rekruttering", "tabel_7_model_medarbejdere_anvendelse",
          "tabel_7_model_medarbejdere_udfald", "tabel_72_best_practice", "figur_31_forandringsteori"]


@pytest.fixture(scope="module")
def run(tmp_path_factory, default_data_dir):
    tmp = tmp_path_factory.mktemp("nb05")
    out = tmp / "outputs"
    pm.execute_notebook(str(NB), str(tmp / "05.ipynb"), kernel_name="python3", progress_bar=False, cwd=str(tmp),
                        parameters={"data_dir": str(default_data_dir), "output_dir": str(out),
                                    "min_cell_size": MIN_CELL, "kommuner": "region:Nordjylland"})
    nb = json.loads((tmp / "05.ipynb").read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    text = "\n".join("".join(o.get("data", {}).get("text/markdown", [])) + "".join(o.get("text", [])) for o in outputs)
    stderr = "".join("".join(o.get("text", [])) for o in outputs if o.get("name") == "stderr")
    assert "Warning" not in stderr, stderr[:2000]  # e.g. a figure whose texts overlap
    return out, text


def table(out: Path, name: str) -> pd.DataFrame:
    return read_table(out / "tables" / f"{name}.csv")


@pytest.fixture(scope="module")
def independent(default_data_dir) -> pd.DataFrame:
    """Recipients of PA and HM in 2018-2019 and their flags, computed here from the raw files."""
    d = default_data_dir
    g = pd.concat([pd.read_parquet(d / "dfdg_personlig_assistance.parquet").assign(o="pa"),
                   pd.read_parquet(d / "dfdg_hjaelpemidler.parquet").assign(o="hm")])
    g = g.loc[pd.to_datetime(g["startdato"]).dt.year.isin([2018, 2019])]
    g = g.sort_values(["o", "pnr", "startdato", "bevilling_id"]).drop_duplicates(["o", "pnr"])
    s = pd.to_datetime(g["startdato"])
    g["mf"] = s.dt.year * 12 + s.dt.month - 2          # the month before
    g["me"] = s.dt.year * 12 + s.dt.month + 2          # the third month after
    lt = pd.read_parquet(d / "loentimer.parquet")
    h = dict(zip(zip(lt["pnr"], lt["aar"] * 12 + lt["maaned"] - 1), lt["loentimer"]))
    bef = pd.read_parquet(d / "bef.parquet")
    res = set(zip(bef["pnr"], bef["aar"]))
    g["obs"] = [(p, a // 12) in res and (p, b // 12) in res for p, a, b in zip(g["pnr"], g["mf"], g["me"])]
    g["f"] = [h.get((p, m), 0.0) for p, m in zip(g["pnr"], g["mf"])]
    g["e"] = [h.get((p, m), 0.0) for p, m in zip(g["pnr"], g["me"])]
    return g


def test_outcomes_equal_an_independent_recomputation(run, independent):
    out, _ = run
    t7 = table(out, "tabel_7_udfald")
    for niveau, sel in (("Hele landet", independent), ("Valgte kommuner", independent.loc[independent["kommunekode"].isin(NORD)])):
        for o, name in (("pa", "Personlig assistance"), ("hm", "Hjælpemidler")):
            s = sel.loc[(sel["o"] == o) & sel["obs"]]
            row = t7.loc[(t7["niveau"] == niveau) & (t7["ordning"] == name)].set_index("maal")
            before = s["f"] > 0
            assert row.at["fulgt", "n"] == len(sel.loc[sel["o"] == o]) and row.at["fulgt", "antal"] == len(s)
            assert row.at["loentimer_foer", "antal"] == before.sum()
            assert row.at["fastholdelse", "n"] == before.sum()
            assert row.at["fastholdelse", "antal"] == ((s["e"] > 0) & before).sum()
            pop = s.loc[before] if o == "pa" else s  # the report's populations
            assert row.at["oegede", "n"] == len(pop) and row.at["oegede", "antal"] == (pop["e"] > pop["f"]).sum()
    # the national totals are the report's (the synthetic data are calibrated to l.2023-2025)
    nat = t7.loc[t7["niveau"] == "Hele landet"].set_index(["ordning", "maal"])
    assert nat.at[("Hjælpemidler", "fastholdelse"), "n"] == 9429 and nat.at[("Personlig assistance", "fastholdelse"), "n"] == 5018
    assert nat.at[("Hjælpemidler", "oegede"), "n"] == 23062


def test_the_report_numbers_from_the_published_national_rows(run):
    out, _ = run
    spec = load_spec(PACKAGE_DIR / "analyses" / "d5_tvaergaaende" / "targets.yaml")
    names = ("tabel_7_udfald", "figur_32_35_strategi_organisering", "figur_39_42_rammevilkaar_stoerrelse")
    published = {n: table(out, n) for n in names}
    values, details = record(spec, published, 1, d5_targets.computed)
    rows = rp.compare([(k, "" if v != v else repr(v)) for k, v in values.items()], details=[details])
    summary = rp.summarise(rows)
    assert len(rows) == 59 and summary["compared"] >= 45 and summary["share_ok"] >= 0.95, summary
    bad = [r["id"] for r in rows if r["status"] == rp.STATUS_DEVIATION]
    assert not bad, bad
    conflicts = {r["id"] for r in rows if r["status"] == rp.STATUS_CONFLICT}
    assert conflicts == {"d5_s7_pa_loentimer_ved_bevilling", "d5_fig33_pa_loentimer_ved_bevilling",
                         "d5_fig34_hm_pp_spredt_generel_3", "d5_fig34_hm_pp_spredt_specialiseret_1",
                         "d5_fig34_spredt_count", "d5_dk_spredt_count", "d5_fig41_n_hm", "d5_fig41_n_pa"}
    # not the report's setting: the notebook itself compared nothing
    assert (out / "reproduction" / "05_tvaergaaende.csv").read_text(encoding="utf-8").splitlines() == ["id,pipeline_value"]


def test_selection_levels_and_groups(run):
    out, _ = run
    g = table(out, "figur_32_35_strategi_organisering")
    # Nordjylland holds 4 casekommuner (Thisted, Vesthimmerland, Brønderslev, Jammerbugt): fewer than 5,
    # so no selected level (its strategy and organisation groups would give each other away)
    assert set(g["niveau"]) == {"Alle casekommuner"}
    assert set(g.loc[g["gruppe"] == "I alt", "kommuner"]) == {20}
    b = table(out, "figur_39_42_rammevilkaar_stoerrelse")
    valgt = b.loc[(b["niveau"] == "Valgte kommuner") & (b["gruppe"] == "I alt")]
    assert set(valgt["kommuner"]) == {len(NORD)}
    for o in ("pa", "hm"):
        k = table(out, f"figur_36_38_kommuner_{o}")
        assert set(k.loc[k["valgt"] == "ja", "kommunekode"]) == NORD and len(k) == 98 and k["ordning"].nunique() == 1


def test_models_report_g_and_n_and_refuse_small_groups(run):
    out, text = run
    tests = table(out, "tabel_32_35_test")
    small = tests.loc[tests["kommuner_gruppe"] < 5]
    assert len(small) and small["p_vaerdi"].isna().all() and small["p_wild"].isna().all()
    assert small["bemaerkning"].str.contains("mindst 5 kræves").all()
    big = tests.loc[(tests["kommuner_gruppe"] >= 5)]
    assert big["p_vaerdi"].between(0, 1).all() and big["p_wild"].between(0, 1).all()
    assert (tests["kommuner"] == 20).all()
    for name in ("rammevilkaar", "kommunestoerrelse", "rekrutteringsgrad"):
        m = table(out, f"tabel_7_model_{name}")
        assert set(m["kommuner"]) == {len(NORD)}, name  # the selected kommuner are the clusters
        kom, per = m.loc[m["analyseniveau"] == "kommuneniveau"], m.loc[m["analyseniveau"] == "personniveau"]
        assert (kom["observationer"] == len(NORD)).all() and (per["observationer"] > 100).all()
        assert np.allclose(per["odds_ratio"], np.exp(per["koefficient"]))
        assert per["p_wild"].between(0, 1).all() and kom["dispersion"].gt(0).all()
        assert (m["konf_nedre"] < m["koefficient"]).all() and (m["koefficient"] < m["konf_oevre"]).all()
    # four casekommuner in Nordjylland: too few clusters for the employee-survey models
    med = table(out, "tabel_7_model_medarbejdere_udfald")
    assert (med["kommuner"] == 4).all() and med["p_vaerdi"].isna().all()
    assert med["bemaerkning"].str.contains("4 kommuner, mindst 5 kræves").all()
    assert "ingen kontrafaktisk sammenligning" in text and "Rapporten:" in text
    assert "ingen test" in text


def test_every_table_is_protected_and_every_figure_laid_out(run):
    out, _ = run
    for name in TABLES:
        assert (out / "tables" / f"{name}.csv").exists() and (out / "tables" / f"{name}.xlsx").exists(), name
    masked = 0
    for f in sorted(glob.glob(str(out / "tables" / "*.csv"))):
        df = read_table(f)  # suppressed cells are NaN
        counts = count_columns(df)
        for c in counts:
            v = pd.to_numeric(df[c], errors="coerce")
            assert not ((v > 0) & (v < MIN_CELL)).any(), f"{Path(f).name}: {c} publishes counts below {MIN_CELL}"
        for c in df.columns:
            if counts and c not in counts and pd.api.types.is_numeric_dtype(df[c]) and not is_key_name(c):
                hidden = df[basis_for(c, counts, {"andel_fastholdelse": ["antal_fastholdelse", "n_fastholdelse"],
                                                   "andel_oeget": ["antal_oeget", "n_oeget"],
                                                   "rekrutteringsgrad": ["antal_rekruttering", "n_bevillinger"],
                                                   "anvendelsesgrad": ["antal_pa", "antal_hm"]})].isna().any(axis=1)
                assert not (hidden & df[c].notna()).any(), f"{Path(f).name}: {c} shown where its counts are masked"
                masked += int(hidden.sum())
    assert masked > 0  # small kommuner exist: something was suppressed
    for name in FIGURES:
        png = out / "figures" / f"{name}.png"
        assert png.exists(), name
        assert Image.open(png).text.get(LAYOUT_KEY) == "ok", (name, Image.open(png).text.get(LAYOUT_KEY))
