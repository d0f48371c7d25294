"""The synthetic interviews (default data, a REFI-QDA export) against chapter 6: 48 citizens and 24
employers, exact counts behind the report's shares, and the report's constraints."""
from __future__ import annotations

import pandas as pd
import pytest

from hko_research.analyses.d4_interviews.load import wide_coding
from hko_research.inputs import qualitative
from hko_research.kommuner import casekommuner


@pytest.fixture(scope="module")
def w(default_data_dir):
    t = qualitative.read_project(default_data_dir, "interviews")
    assert not any(t.problems.values())
    return wide_coding(t.kodebog, t.sager, t.kodning)


def test_participants_and_profile(w):
    b, a = w.loc[w["gruppe"] == "borger"], w.loc[w["gruppe"] == "arbejdsgiver"]
    assert (len(b), len(a)) == (48, 24)  # l.1762
    assert set(w["kommunekode"]) == set(casekommuner())
    per = b.groupby("kommunekode").size()
    assert per.between(2, 3).all()  # l.181: 2-3 citizens per casekommune
    assert [int(b[f"ordning_{o}"].sum()) for o in ("pa", "hm", "fa", "is")] == [24, 19, 10, 5]  # 50/40/20/10 pct.
    assert b["funktionsnedsaettelse"].value_counts()[["fysisk", "psykisk", "intellektuel", "sensorisk"]].tolist() == [24, 14, 5, 5]
    assert b["koen"].value_counts()[["kvinde", "mand"]].tolist() == [25, 23]
    assert pd.to_numeric(b["alder"]).mean() == 46  # l.1768, exactly
    assert b["sektor"].value_counts()[["privat", "offentlig"]].tolist() == [28, 12]  # 70/30 pct. of those with a workplace
    no_job = b.loc[b["sektor"].isna()]
    assert len(no_job) == 8 and no_job["ordning_fa"].all() and not no_job[["ordning_pa", "ordning_hm", "ordning_is"]].any(axis=None)


def test_self_employed_and_farmers(w):
    b = w.loc[w["gruppe"] == "borger"]
    selv = b.loc[b["selvstaendig"].fillna(False).astype(bool)]
    assert len(selv) == 11  # fn. 39
    assert (selv["ordning_pa"] | selv["ordning_hm"]).all() and (selv["sektor"] == "privat").all()
    pa_hm = b.loc[b["ordning_pa"] | b["ordning_hm"]]
    assert len(pa_hm) == 37 and round(len(selv) / len(pa_hm), 2) == 0.30  # l.1825
    farmers = selv.loc[selv["selvstaendig_branche"] == "landbrug"]
    assert len(farmers) == 4 and farmers["ordning_pa"].all() and (farmers["funktionsnedsaettelse"] == "fysisk").all()
    assert selv["hm_forudsaetning_selvstaendig"].all()  # "alle" (l.1825)


@pytest.mark.parametrize("kode,gruppe,n", [
    ("pa_fastholde_medarbejdere", "arbejdsgiver", 19), ("pa_oekonomisk_gevinst", "arbejdsgiver", 22),
    ("av_kvalifikationer", "arbejdsgiver", 22), ("av_aaben_dialog", "arbejdsgiver", 12),
    ("av_socialt_ansvar", "arbejdsgiver", 7), ("jc_taet_kontakt", "borger", 14),
])
def test_theme_counts(w, kode, gruppe, n):
    assert int(w.loc[w["gruppe"] == gruppe, kode].sum()) == n
    assert int(w.loc[w["gruppe"] != gruppe, kode].sum()) == 0


def test_fortrinsadgang_and_isbryder_statements(w):
    fa = w.loc[(w["gruppe"] == "borger") & w["ordning_fa"]]
    assert len(fa) == 10 and int(fa["fa_ikke_igen"].sum()) == 8 and int(fa["fa_fokus_handicap"].sum()) == 8
    assert int(w.loc[~w["ordning_fa"], "fa_ikke_igen"].sum()) == 0
    isb = w.loc[w["ordning_is"]]
    assert len(isb) == 8 and int(isb["is_vise_vaerd"].sum()) == 5  # "over halvdelen"


def test_transcripts_quotes_and_double_coding(default_data_dir):
    t = qualitative.read_project(default_data_dir, "interviews")
    k = t.kodning
    assert k["citat"].str.startswith("[Syntetisk citat").all()
    per_case = k.groupby("sag")["koder"].unique()
    assert sum(set(c) == {"AK", "MJ"} for c in per_case) == 12
    assert (k.groupby(["sag", "koder", "kode"]).size() > 1).any()  # themes coded in more than one passage
