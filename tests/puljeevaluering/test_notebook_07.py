"""Execute notebooks/07_puljeevaluering.ipynb with papermill on the default synthetic data and on a
user-style data folder with two projects of its own, and check what it wrote: the goal-attainment
table by the publication's rule, the reproduction values, the DiD and event-study tables with G
and N, disclosure control, and the narrative's illustrative-result warning."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import papermill as pm
import pytest

from hko_research.paths import NOTEBOOKS_DIR
from hko_research.publishing import reproduction
from hko_research.publishing.publisher import read_table

NB = NOTEBOOKS_DIR / "07_puljeevaluering.ipynb"
REF = "Flere med kognitive handicap i job"
TABLES = ["tabel_p1_maalopfyldelse", "tabel_p2_anvendelsesgrad_grupper", "tabel_p3_difference_i_differencer",
          "tabel_p4_eventstudie"]
FIGURES = ["figur_p1_maal_opnaaet", "figur_p2_anvendelsesgrad_grupper", "figur_p4_eventstudie"]


def _run(tmp_path: Path, data_dir: Path, **params) -> tuple[Path, str]:
    out = tmp_path / "outputs"
    executed = tmp_path / "07.ipynb"
    pm.execute_notebook(str(NB), str(executed), kernel_name="python3", progress_bar=False, cwd=str(tmp_path),
                        parameters={"data_dir": str(data_dir), "output_dir": str(out), "min_cell_size": 5, **params})
    text = "\n".join("".join(o.get("text", "")) + json.dumps(o.get("data", {}), ensure_ascii=False)
                     for c in json.loads(executed.read_text(encoding="utf-8"))["cells"] for o in c.get("outputs", []))
    return out, text


def _table(out: Path, name: str) -> pd.DataFrame:
    return read_table(out / "tables" / f"{name}.csv")


def _reproduced(out: Path) -> dict[str, float]:
    rep = read_table(out / "reproduction" / "07_puljeevaluering.csv")
    return dict(zip(rep["id"], rep["pipeline_value"]))


@pytest.mark.slow
def test_notebook_07_default_data(tmp_path, default_data_dir):
    out, text = _run(tmp_path, default_data_dir)
    for name in TABLES:
        assert (out / "tables" / f"{name}.csv").exists() and (out / "tables" / f"{name}.xlsx").exists(), name
    for name in FIGURES:
        assert (out / "figures" / f"{name}.png").exists(), name
    t1 = _table(out, "tabel_p1_maalopfyldelse").set_index("enhed")
    assert t1["maalopfyldelse_procent"].to_dict() == {"borgere": 97, "jobcentre": 100, "medarbejdere": 118}
    assert t1.loc["borgere", "maalopfyldelse_andel"] == 0.975
    assert t1["omtrentlig"].fillna("").to_dict() == {"borgere": "", "jobcentre": "", "medarbejdere": "ca."}
    assert (t1["datagrundlag"] == "Syntetiske data").all()
    # the three published figures, compared with the evaluation's numbers
    values = _reproduced(out)
    assert values == pytest.approx({"pulje_kognitiv_maalopfyldelse_borgere": 0.97,
                                    "pulje_kognitiv_maalopfyldelse_jobcentre": 1.0,
                                    "pulje_kognitiv_maalopfyldelse_medarbejdere": 1.18})
    rows = reproduction.compare([(k, str(v)) for k, v in values.items()])
    assert [r["status"] for r in rows] == ["ok", "ok", "ok"]
    # the DiD on the synthetic default: 12 drawn kommuner against the other 86, all covered years
    did = _table(out, "tabel_p3_difference_i_differencer").iloc[0]
    years = _table(out, "tabel_p2_anvendelsesgrad_grupper")["aar"].nunique()
    assert did["projekt"] == REF and did["kommuner"] == 98 and did["observationer"] == 98 * years
    assert did["kommuner_deltagende"] == 12 and did["kommuner_sammenligning"] == 86
    assert did["konf_nedre"] < did["koefficient"] < did["konf_oevre"] and 0 < did["p_vaerdi"] <= 1
    ev = _table(out, "tabel_p4_eventstudie")
    assert "term" not in ev.columns
    assert ev.loc[ev["reference"].fillna("") != "", "begivenhedstid"].tolist() == [-1]
    assert len(ev) == years
    g = _table(out, "tabel_p2_anvendelsesgrad_grupper").set_index(["gruppe", "aar"])
    assert (g.xs("Deltagere", level="gruppe")["kommuner"] == 12).all()
    assert "Resultatet er illustrativt" in text and "Deltagerliste: syntetisk" in text
    assert "97,5 pct." in text  # the worked example of the rounding rule, from the table


def _user_folder(tmp_path: Path, default_data_dir: Path) -> Path:
    """The default registers plus a user's own puljeprojekter and puljedeltagere (two projects)."""
    d = tmp_path / "data"
    d.mkdir()
    for f in default_data_dir.iterdir():
        if f.name != "puljedeltagere.csv":
            (d / f.name).symlink_to(f)
    (d / "puljeprojekter.csv").write_text(
        "projekt;pulje;indikator;enhed;maal;opnaaet;opgjort_pr;omtrentlig;kilde\n"
        "Job med støtte;Pulje 2021;Borgere i job;borgere;80;3;2022-12-31;nej;projektets slutrapport\n"
        "Job med støtte;Pulje 2021;Virksomheder med aftale;virksomheder;40;46;2022-12-31;ja;projektets slutrapport\n"
        "HKO-løft;Pulje 2021;Medarbejdere uddannet;medarbejdere;100;87;2022-12-31;nej;kursuslister\n",
        encoding="utf-8")
    job = [101, 147, 151, 153, 157, 159, 161, 163]
    loeft = [751, 461, 851, 561, 621, 615]
    lines = [f"Job med støtte;{k};{'2019-09-01' if i < 4 else '2020-04-01'};;projektets deltagerliste"
             for i, k in enumerate(job)]
    lines += [f"HKO-løft;{k};2020-01-01;2021-12-31;projektets deltagerliste" for k in loeft]
    (d / "puljedeltagere.csv").write_text("projekt;kommunekode;startdato;slutdato;kilde\n" + "\n".join(lines) + "\n",
                                          encoding="utf-8")
    return d


@pytest.mark.slow
def test_notebook_07_user_input_with_two_projects(tmp_path, default_data_dir):
    out, text = _run(tmp_path, _user_folder(tmp_path, default_data_dir))
    t1 = _table(out, "tabel_p1_maalopfyldelse")
    assert len(t1) == 6 and set(t1["datakilde"]) == {"referencedata (pakken)", "brugerens fil"}
    mine = t1.loc[t1["projekt"] == "Job med støtte"].set_index("enhed")
    # 3 citizens is below min_cell_size: the count and its goal attainment are suppressed, the goal is not
    assert pd.isna(mine.loc["borgere", "antal_opnaaet"]) and pd.isna(mine.loc["borgere", "maalopfyldelse_procent"])
    assert mine.loc["borgere", "maal"] == 80
    assert mine.loc["virksomheder", "maalopfyldelse_procent"] == 115 and mine.loc["virksomheder", "omtrentlig"] == "ca."
    assert t1.loc[t1["projekt"] == "HKO-løft", "maalopfyldelse_procent"].tolist() == [87]
    # the reference figures are untouched, so the evaluation's numbers are still reproduced
    assert _reproduced(out) == pytest.approx({"pulje_kognitiv_maalopfyldelse_borgere": 0.97,
                                              "pulje_kognitiv_maalopfyldelse_jobcentre": 1.0,
                                              "pulje_kognitiv_maalopfyldelse_medarbejdere": 1.18})
    did = _table(out, "tabel_p3_difference_i_differencer").set_index("projekt")
    assert list(did.index) == ["Job med støtte", "HKO-løft"]
    years = _table(out, "tabel_p2_anvendelsesgrad_grupper")["aar"].nunique()
    # each project's controls leave out the other project's participants
    assert did.loc["Job med støtte", "kommuner"] == 98 - 6 and did.loc["Job med støtte", "kommuner_deltagende"] == 8
    assert did.loc["Job med støtte", "observationer"] == (98 - 6) * years
    assert did.loc["HKO-løft", "kommuner"] == 98 - 8 and did.loc["HKO-løft", "kommuner_deltagende"] == 6
    assert did["p_vaerdi"].between(0, 1).all() and did["bemaerkning"].isna().all()
    ev = _table(out, "tabel_p4_eventstudie")
    assert set(ev["projekt"]) == {"Job med støtte", "HKO-løft"}
    # staggered starts (2019 and 2020): event years from 2017-2020 = -3 to 2021-2019 = +2
    assert ev.loc[ev["projekt"] == "Job med støtte", "begivenhedstid"].tolist() == [-3, -2, -1, 0, 1, 2]
    g = _table(out, "tabel_p2_anvendelsesgrad_grupper")
    a = g.loc[(g["projekt"] == "HKO-løft")].set_index(["gruppe", "aar"])
    assert (a.xs("Andre projekters deltagere", level="gruppe")["kommuner"] == 8).all()
    # a real participant list: no "synthetic list" warning, but the registers are still synthetic
    assert "Deltagerliste: syntetisk" not in text and "Resultatet er illustrativt" in text
    assert "Projekter i deltagerlisten uden mål" not in text
