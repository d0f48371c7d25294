"""codelists: the shared definitions on small hand-computed frames, including the edge cases."""
from __future__ import annotations

import pandas as pd

from hko_research import codelists as m


def test_ydelsesgruppe_ved_bevilling_empty_week_is_selvforsoerget():
    out = m.ydelsesgruppe_ved_bevilling(pd.Series([None, 771, 899, 130], dtype="Int64"))
    assert out["ydelsesgruppe"].tolist() == ["selvforsoerget", "fleksjob", "delvis_sygemeldt", "kontanthjaelp"]
    assert out["perspektiv"].tolist() == ["fastholdelse", "fastholdelse", "fastholdelse", "rekruttering"]
    assert out["jobindsats_gruppe"].tolist()[1:] == ["FLEKS", "SDP", "KTH"]


def test_code_mappings():
    assert m.uddannelsesgruppe(pd.Series([1, None, 141])).tolist() == ["grundskole", "uoplyst", "kort_videregaaende"]
    assert m.branchegruppe(pd.Series(["011100", "841100", "470000", None])).tolist()[:3] == [
        "landbrug", "offentlig_adm_undervisning_sundhed", "handel_transport"]
    assert m.sektor(pd.Series(["1", "2", None])).tolist()[:2] == ["offentlig", "privat"]
    assert m.funktionsnedsaettelse_kategori(pd.Series(["ryg_nakke", "stress", "adhd"])).tolist() == [
        "fysisk", "psykisk", "intellektuel"]
    # longest prefix wins: F603 borderline, F60x personlighedsforstyrrelse; D-prefix stripped
    assert m.icd10_funktionsnedsaettelse(pd.Series(["DF603", "DF601", "M545", "DZ000"])).tolist()[:3] == [
        "borderline", "personlighedsforstyrrelse", "ryg_nakke"]
    assert pd.isna(m.icd10_funktionsnedsaettelse(pd.Series(["DZ000"]))[0])
