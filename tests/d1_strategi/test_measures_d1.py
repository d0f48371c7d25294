"""Delanalyse 1's measures and tables on hand-made coding with traps: the responsible coder's
coding only, a theme coded in two passages once, an empty selection of casekommuner."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from hko_research.analyses.d1_strategi import measures as m
from hko_research.analyses.d1_strategi import organisering, prioritering
from hko_research.analyses.d1_strategi.load import D1, wide_coding
from hko_research.inputs import coding
from hko_research.levels import ALLE_CASE, VALGTE_CASE


@dataclass
class Sel:
    kommuner: tuple
    all_kommuner: bool = False
    year: int = 2019


def hand_data(selection) -> D1:
    kb = coding.project("casekommuner").kodebog()
    sager = pd.DataFrame({"sag": ["A", "B", "C", "D"], "kommunekode": [101, 147, 316, 575], "koder": ["AK"] * 4,
                          "antal_noeglepersoner": [1, 3, None, 1], "antal_kontorer": [None] * 4, "antal_teams": [None] * 4,
                          "antal_fuld_bevillingskompetence": [None] * 4, "hm_bevillingsgraense_kr": [None] * 4,
                          "pa_bevillingsgraense_timer": [None] * 4, "hm_orienteringsgraense_kr": [None] * 4})
    rows = [
        ("A", "strategi", "proaktiv", "AK"), ("A", "organisering", "specialiseret_team", "AK"),
        ("A", "strategi", "reaktiv", "MJ"),  # trap: the second coder's value is not the analysis value
        ("A", "o_begraenset_viden", "ja", "AK"), ("A", "o_begraenset_viden", "ja", "AK"),  # two passages
        ("B", "strategi", "reaktiv", "AK"), ("B", "organisering", "specialiseret_team", "AK"),
        ("B", "o_begraenset_viden", "ja", "MJ"),  # trap: only the second coder
        ("C", "strategi", "diffus", "AK"), ("C", "organisering", "spredt_specialisering", "AK"),
        ("C", "forankring", "alle_teams", "AK"),
        ("D", "strategi", "reaktiv", "AK"), ("D", "organisering", "generel_specialisering", "AK"),
        ("D", "fysisk_placering", "en_noegleperson", "AK"), ("D", "organisering_eksempel", "ja", "AK"),
    ]
    kod = pd.DataFrame(rows, columns=["sag", "kode", "vaerdi", "koder"])
    wide = wide_coding(kb, sager, kod)
    typ = wide[["kommunekode", "strategi", "organisering"]]
    return D1(P=selection, kodebog=kb, sager=sager, kodning=kod, wide=wide, kommunetypologi=typ,
              befolkning=pd.Series({101: 600000, 147: 100000, 316: 70000, 575: 40000}))


def test_wide_coding_uses_the_responsible_coder_and_counts_a_theme_once():
    B = hand_data(Sel(kommuner=(101, 147, 316, 575), all_kommuner=True))
    w = B.wide.set_index("sag")
    assert w.at["A", "strategi"] == "proaktiv"
    assert bool(w.at["A", "o_begraenset_viden"]) and not bool(w.at["B", "o_begraenset_viden"])
    assert m.kommuner_med(B.wide, "o_begraenset_viden") == 1
    assert m.kommuner_med_vaerdi(B.wide, "strategi", ("reaktiv", "diffus")) == 3
    assert m.en_noegleperson(B.wide) == 2  # None is not one key person
    assert m.noeglepersoner_interval(B.wide) == (1.0, 3.0)
    assert m.andel_organisering_i_strategi(B.wide, ("reaktiv", "diffus"), "specialiseret_team") == (1, 3, 1 / 3)


def test_levels_and_tables_for_a_selection():
    B = hand_data(Sel(kommuner=(101, 316)))
    t3 = prioritering.tabel_3_fordeling(B)
    sel = t3.loc[t3["niveau"] == VALGTE_CASE].set_index("strategi")
    assert sel["kommuner"].to_dict() == {"proaktiv": 1, "reaktiv": 0, "diffus": 1} and set(sel["kommuner_i_alt"]) == {2}
    assert t3.loc[t3["niveau"] == ALLE_CASE, "kommuner"].tolist() == [1, 2, 1]
    matrix = prioritering.tabel_3_kriterier(B)
    base = matrix.loc[(matrix["niveau"] == ALLE_CASE) & (matrix["typologi"] == "i_alt")].iloc[0]
    assert (base["kommuner_proaktiv"], base["kommuner_reaktiv"], base["kommuner_diffus"], base["kommuner_alle"]) == (1, 2, 1, 4)
    nu = organisering.tabel_6b_nuancer(B)
    alle = nu.loc[nu["niveau"] == ALLE_CASE].set_index(["egenskab", "vaerdi"])["kommuner"]
    assert alle[("forankring", "alle_teams")] == 1 and alle[("noeglepersoner", "en")] == 2
    # the example: the coded one (Vejen-like D) is not selected; the selected spredt kommune is C
    assert organisering.eksempel(B, "spredt_specialisering")["sag"] == "C"
    assert organisering.eksempel(B, "generel_specialisering") is None
    kryds = organisering.krydstabel(B)
    r = kryds.loc[(kryds["niveau"] == ALLE_CASE) & (kryds["strategi"] == "reaktiv_diffus")
                  & (kryds["organisering"] == "specialiseret_team")].iloc[0]
    assert (r["kommuner"], r["kommuner_i_strategi"]) == (1, 3) and r["andel"] == pytest.approx(1 / 3)


def test_a_selection_without_casekommuner_shows_all_and_does_not_crash():
    B = hand_data(Sel(kommuner=(851,)))
    assert B.selected.empty
    assert {n for n, _ in B.levels()} == {ALLE_CASE}
    for org in ("specialiseret_team", "spredt_specialisering", "generel_specialisering"):
        assert organisering.tabel_eksempel(B, org).empty
    assert organisering.tabel_6c_kommuner(B).empty
    assert len(prioritering.tabel_4(B)) == 6
