"""The synthetic casekommune coding (default data) against the report and delanalyse 3: the
strategy and organisation of every kommune as in kommunetypologi, the counts of chapter 3, the
named Tabel 7-9 kommuner, and the report's constraints between codes."""
from __future__ import annotations

import pandas as pd
import pytest

from hko_research.analyses.d1_strategi.load import wide_coding
from hko_research.inputs import coding, qualitative
from hko_research.inputs.contracts import read_input
from hko_research.kommuner import casekommuner, kommune_navn
from hko_research.typologi import ORGANISERING_ANTAL, STRATEGI_ANTAL, uoverensstemmelser


@pytest.fixture(scope="module")
def wide(default_data_dir):
    t = qualitative.read_project(default_data_dir, "casekommuner")
    assert not any(t.problems.values())
    return wide_coding(t.kodebog, t.sager, t.kodning).set_index("kommune")


def test_default_data_deliver_the_coding_as_a_filled_template(default_data_dir):
    assert qualitative.project_source(default_data_dir, coding.project("casekommuner"))[0] == "xlsx"
    assert qualitative.project_source(default_data_dir, coding.project("interviews"))[0] == "qdpx"


def test_typologies_agree_with_kommunetypologi_kommune_by_kommune(wide, default_data_dir):
    typ = read_input(default_data_dir, "kommunetypologi")
    assert uoverensstemmelser(wide.reset_index()[["kommunekode", "strategi", "organisering", "antal_noeglepersoner"]],
                              typ).empty
    assert sorted(wide["kommunekode"]) == sorted(casekommuner())
    assert wide["strategi"].value_counts().to_dict() == STRATEGI_ANTAL == {"proaktiv": 8, "reaktiv": 9, "diffus": 3}
    assert wide["organisering"].value_counts().to_dict() == ORGANISERING_ANTAL
    # the three kommuner the report names (l.620, l.637, l.652)
    assert wide.loc[["Høje-Taastrup", "Holbæk", "Vejen"], "organisering"].tolist() == [
        "specialiseret_team", "spredt_specialisering", "generel_specialisering"]


def test_a_broken_kommunetypologi_is_detected():
    a = pd.DataFrame({"kommunekode": [101, 147], "strategi": ["proaktiv", "reaktiv"], "organisering": ["x", "y"]})
    b = a.assign(strategi=["proaktiv", "diffus"]).iloc[[1, 0]]
    d = uoverensstemmelser(a, b)
    assert d.to_dict("records") == [{"kommunekode": 147, "kolonne": "strategi", "kodning": "reaktiv",
                                     "kommunetypologi": "diffus"}]
    missing = uoverensstemmelser(a, b.iloc[:1])  # kommune 101 missing on one side: one row per column
    assert sorted(missing["kommunekode"].tolist()) == [101, 101, 147]


@pytest.mark.parametrize("kode,n", [
    ("o_begraenset_viden", 17), ("o_bred_maalgruppe", 15), ("o_manglende_registrering", 12), ("o_stigmatisering", 10),
    ("o_andre_agendaer", 8), ("o_regelbundet", 5), ("rationale_1", 15), ("rationale_2", 16), ("rationale_3", 12),
    ("rationale_4", 14), ("rationale_5", 15), ("proaktiv_formidling", 5), ("hm_mindre_alle_medarbejdere", 14),
])
def test_presence_counts_of_chapter_3(wide, kode, n):
    assert int(wide[kode].sum()) == n


def test_nuances_and_constraints_of_3_4_4(wide):
    assert wide["forankring"].value_counts()[["sdp_fleks", "alle_teams"]].tolist() == [10, 3]  # l.674
    # broad anchoring only where the key persons are spread (spredt/generel, l.674)
    assert (wide.loc[wide["forankring"] == "alle_teams", "organisering"] != "specialiseret_team").all()
    # every spredt/generel kommune lets all staff grant minor aids (Tabel 6)
    assert wide.loc[wide["organisering"] != "specialiseret_team", "hm_mindre_alle_medarbejdere"].all()
    one = pd.to_numeric(wide["antal_noeglepersoner"]) == 1
    assert int(one.sum()) == 5 and (wide.loc[one, "fysisk_placering"] == "en_noegleperson").all()  # l.672
    assert int(wide["fysisk_placering"].isin(["samme_kontor", "samme_gang", "samme_matrikel"]).sum()) == 11  # l.676
    assert int((wide["fysisk_placering"] == "forskellige_matrikler").sum()) == 3
    assert wide["faglig_baggrund"].value_counts()[["fastholdelse_myndighed", "ergo_fysio"]].tolist() == [15, 3]  # l.678
    n = pd.to_numeric(wide["antal_noeglepersoner"])
    assert (n.min(), n.max()) == (1, 7) and n["Bornholm"] == 7 and n["Frederiksberg"] == 1  # l.670


def test_tabel_7_to_9_kommuner_as_the_report_describes_them(wide):
    ht, hb, vj = (wide.loc[k] for k in ("Høje-Taastrup", "Holbæk", "Vejen"))
    assert (ht["antal_noeglepersoner"], ht["antal_kontorer"], ht["hm_bevillingsgraense_kr"]) == (4, 2, 20000)
    assert (ht["forankring"], ht["fysisk_placering"]) == ("fastholdelse", "samme_gang")
    assert (hb["antal_noeglepersoner"], hb["antal_teams"], hb["antal_fuld_bevillingskompetence"]) == (4, 4, 3)
    assert (hb["hm_bevillingsgraense_kr"], hb["pa_bevillingsgraense_timer"], hb["fysisk_placering"]) == (
        10000, 20, "forskellige_matrikler")
    assert (vj["antal_noeglepersoner"], vj["hm_orienteringsgraense_kr"], vj["forankring"], vj["faglig_baggrund"]) == (
        1, 10000, "sdp_fleks", "ergo_fysio")
    assert all(wide.loc[k, "organisering_eksempel"] for k in ("Høje-Taastrup", "Holbæk", "Vejen"))
    assert int(wide["organisering_eksempel"].sum()) == 3


def test_a_second_coder_codes_a_subset(default_data_dir):
    t = qualitative.read_project(default_data_dir, "casekommuner")
    per_case = t.kodning.groupby("sag")["koder"].unique()
    double = [s for s, c in per_case.items() if set(c) == {"AK", "MJ"}]
    assert len(double) == 6 and set(t.sager["koder"]) == {"AK"}
    assert set(per_case.index) == {kommune_navn(k) for k in casekommuner()}
    pairs = coding.double_coded_pairs(t.kodning, t.kodebog, t.sager)
    assert 0.8 < (pairs["vaerdi_a"] == pairs["vaerdi_b"]).mean() < 1.0  # coders agree mostly, not always
