"""d3 table builders on a tiny hand-made data folder with hand-computed expectations."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hko_research.analyses.d3_brug import measures as M
from hko_research.analyses.d3_brug import tables as brug
from hko_research.levels import ALLE_CASE, LANDET, VALGTE, VALGTE_CASE
from hko_research.publishing.columns import basis_for, count_columns, is_key_name

Y = 2019
KOM = (101, 147, 825)  # København, Frederiksberg, Læsø


def _week_cols(years=(2018, 2019)):
    cols = []
    for y in years:
        for w in range(1, 53):
            cols.append(f"y_{y % 100:02d}{w:02d}")
    return cols


def _month_cols(prefix, years=(2018, 2019)):
    return [f"{prefix}_{y}_{m:02d}" for y in years for m in range(1, 13)]


def make_data_dir(root):
    """Write a minimal, hand-checkable data folder (every input brug.load reads)."""
    d = root / "data"
    d.mkdir()
    # persons P01..P12; grants in 2018/2019 in kommuner 101/147/825
    pa = pd.DataFrame([
        # id, pnr, kom, start, slut, type
        ("pa1", "P01", 101, "2019-03-04", "2020-03-01", "fysisk_aflastning"),
        ("pa2", "P02", 101, "2019-06-03", None, "fysisk_aflastning"),
        ("pa3", "P03", 147, "2018-02-05", "2019-02-01", "tegnsprogstolkning"),
        ("pa4", "P03", 147, "2019-02-04", "2020-02-01", "tegnsprogstolkning"),   # re-grant: same person
        ("pa5", "P04", 825, "2019-09-02", "2019-12-31", "saerlig_personlig_stoette"),
        ("pa6", "P05", 101, "2017-05-01", None, "fysisk_aflastning"),             # active in 2019, granted 2017
    ], columns=["bevilling_id", "pnr", "kommunekode", "startdato", "slutdato", "pa_type"])
    pa["timer_pr_uge"] = 10.0
    for c in ("ar_type", "timepris", "timepris_type", "oevrige_udgifter", "oevrige_udgifter_type"):
        pa[c] = None
    pa.to_csv(d / "dfdg_personlig_assistance.csv", index=False)
    hm = pd.DataFrame([
        ("hm1", "P01", 101, "vaerktoej_udstyr", "arbejdsredskaber", "2019-04-01", "2023-04-01"),  # parallel with pa1
        ("hm2", "P06", 101, "vaerktoej_udstyr", "arbejdsredskaber", "2019-01-07", None),
        ("hm3", "P07", 101, "it_udstyr", "arbejdsredskaber", "2018-05-07", "2022-01-01"),
        ("hm4", "P08", 147, "arbejdspladsindretning", "mindre_arbejdspladsindretning", "2019-08-05", None),
        ("hm5", "P09", 147, "vaerktoej_udstyr", None, "2019-10-07", None),
        ("hm6", "P10", 825, "undervisningsmateriale", "undervisningsmateriale", "2018-11-05", "2019-11-05"),
    ], columns=["bevilling_id", "pnr", "kommunekode", "hjaelpemiddel_type", "art", "startdato", "slutdato"])
    hm["ejerskab"], hm["pris"], hm["lov"] = "eje", 1000.0, "LAB"
    hm.to_csv(d / "dfdg_hjaelpemidler.csv", index=False)
    isb = pd.DataFrame([("is1", "P11", 101, "2019-03-04", "2019-12-02"), ("is2", "P12", 147, "2018-09-03", None)],
                       columns=["forloeb_id", "pnr", "kommunekode", "loentilskud_start", "loentilskud_slut"])
    for c in ("kontaktgruppe_start", "kontaktgruppe_slut", "timer_pr_uge", "cvr", "p_nummer"):
        isb[c] = None
    isb.to_csv(d / "dfdg_isbryder.csv", index=False)
    pd.DataFrame([("m1", "P06", 101, "2019-01-01", "2019-06-30", None, None)],
                 columns=["forloeb_id", "pnr", "kommunekode", "startdato", "slutdato", "mentor_type", "timer_pr_uge"]).to_csv(
        d / "dfdg_mentor.csv", index=False)
    pd.DataFrame([("P11", "100", None, "2019-05-01", None)],
                 columns=["pnr", "modt_ydelse_kode", "funk_vurd", "ydelse_start", "ydelse_slut"]).to_csv(d / "handic.csv", index=False)
    # DREAM: P01 selvforsørget+employed, P02 fleksjob (771), P03 a-dagpenge (111), P04 kontanthjælp (130),
    # P05 fleksjob, P06 sygedagpenge (890), P07 selvforsørget no job, P08 delvis syg (899), P09 KTH,
    # P10 revalidering (760), P11 selvforsørget, P12 a-dagpenge
    codes = {"P01": None, "P02": 771, "P03": 111, "P04": 130, "P05": 771, "P06": 890, "P07": None,
             "P08": 899, "P09": 130, "P10": 760, "P11": None, "P12": 111}
    kon = {"P01": "M", "P02": "K", "P03": "M", "P04": "K", "P05": "M", "P06": "M", "P07": "K", "P08": "K",
           "P09": "M", "P10": "K", "P11": "K", "P12": "K"}
    born = {"P01": "1960-01-01", "P02": "1990-06-01", "P03": "1975-01-01", "P04": "1995-01-01", "P05": "1960-01-01",
            "P06": "1965-01-01", "P07": "1980-01-01", "P08": "1970-01-01", "P09": "1961-01-01", "P10": "1999-01-01",
            "P11": "1996-01-01", "P12": "1994-01-01"}
    rows = []
    for p in codes:
        r = {"pnr": p, "foeddt": born[p], "kon": kon[p], "nykom2019": 101}
        for c in _week_cols():
            r[c] = codes[p]
        for c in _month_cols("grad"):
            r[c] = 80.0 if p == "P01" else 0.0
        for c in _month_cols("branche"):
            r[c] = "841100" if p in ("P01", "P02", "P03") else ("470000" if p in ("P06", "P08") else None)
        for c in _month_cols("virkform"):
            r[c] = "1" if p in ("P01", "P02", "P03") else ("2" if p in ("P06", "P08", "P11") else None)
        rows.append(r)
    dream = pd.DataFrame(rows)
    for c in _week_cols():
        dream[c] = dream[c].astype("Int64")
    dream.to_parquet(d / "dream.parquet", index=False)
    pd.DataFrame({"pnr": list(codes), "aar": 2019, "hfaudd": [1, 141, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}).to_csv(d / "udda.csv", index=False)
    pd.concat([pd.DataFrame({"pnr": list(codes), "aar": 2019, "perindkp": [400_000.0] + [200_000.0] * 11}),
               pd.DataFrame({"pnr": list(codes), "aar": 2018, "perindkp": [100_000.0] * 12})]).to_csv(d / "ind.csv", index=False)
    pd.DataFrame([("P01", "r1", "2017-01-01", "DM545", "A"), ("P01", "r2", "2016-01-01", "DF32", "A"),
                  ("P02", "r3", "2010-01-01", "DM545", "A")],
                 columns=["pnr", "recnum", "d_inddto", "c_diag", "c_diagtype"]).to_csv(d / "lpr_diagnoser.csv", index=False)
    bef = []
    for k, n in ((101, 630_000), (147, 100_000), (825, 150)):
        for q in ("2018K4", "2019K4"):
            bef.append((k, q, n, "FOLK1A"))
    pd.DataFrame(bef, columns=["kommunekode", "kvartal", "befolkning", "kilde"]).to_csv(d / "befolkning.csv", index=False, sep=";")
    pd.DataFrame([(2019, 101, "5.68.91.007", 300.0), (2019, 101, "5.57.71.009", 20.0), (2019, 147, "5.68.91.008", 100.0),
                  (2019, 825, "5.68.91.007", 50.0), (2019, 101, "5.58.81.009", 90.0)],
                 columns=["aar", "kommunekode", "konto", "bruttoudgift_1000kr"]).to_csv(d / "regnskab.csv", index=False, sep=";")
    pd.DataFrame([(2019, 101, "FLEKS", 100.0), (2019, 147, "FLEKS", 50.0), (2019, 101, "KTH", 200.0), (2019, 825, "KTH", 10.0)],
                 columns=["aar", "kommunekode", "ydelsesgruppe", "fuldtidspersoner"]).to_csv(d / "fuldtidspersoner.csv", index=False, sep=";")
    pd.DataFrame({"kommunekode": [101, 147, 825], "rang": [10, 90, 50], "aar": 2018}).to_csv(d / "rammevilkaar.csv", index=False, sep=";")
    pd.DataFrame({"kommunekode": [101, 147], "strategi": ["proaktiv", "reaktiv"],
                  "organisering": ["specialiseret_team", "spredt_specialisering"], "antal_noeglepersoner": [3, 1]}).to_csv(
        d / "kommunetypologi.csv", index=False, sep=";")
    sager = pd.DataFrame([
        ("s1", 101, "pa", 2019, "2019-01-01", "2019-01-29", "ryg_nakke", "depression", True, True, 12.0, None),
        ("s2", 101, "pa", 2019, "2019-01-01", "2019-01-30", "ryg_nakke", None, False, True, 6.0, None),
        ("s3", 147, "pa", 2018, "2018-01-01", "2018-03-01", "adhd", None, None, False, None, None),
        ("s4", 101, "hm", 2019, "2019-01-01", "2019-01-08", "arme_haender", None, False, None, None, "udlaan"),
        ("s5", 147, "hm", 2019, None, "2019-01-08", "ryg_nakke", None, False, None, None, "tilskud"),
        ("s6", 147, "fa", 2019, "2019-01-01", "2019-01-03", "stress", None, False, None, None, None),
    ], columns=["sag_id", "kommunekode", "ordning", "aar", "ansoegningsdato", "bevillingsdato", "funktionsnedsaettelse_1",
                "funktionsnedsaettelse_2", "dobbeltdiagnose", "tidsbegraenset", "varighed_mdr", "udlaan_tilskud"])
    sager["afgoerelse"] = "bevilling"
    sager["lov"] = np.where(sager["ordning"] == "hm", "LAB", None)
    sager["foerstegangsbevilling"] = True
    sager["opfoelgning_med_aendring"] = None
    sager["soegt_uden_om_jobcenter"] = None
    sager["ydelse"] = None
    sager.to_csv(d / "sagsgennemgang.csv", index=False, sep=";")
    pd.DataFrame([(101, "fa", 2018, 3, None, None), (101, "fa", 2019, 4, None, None), (147, "fa", 2019, 2, None, None)],
                 columns=["kommunekode", "ordning", "aar", "antal_bevillinger", "timer_pr_sag", "udgifter_kr"]).to_csv(d / "noegleperson_survey.csv", index=False, sep=";")
    pd.DataFrame([(101, "pa", 2.0, 6.0, 4.0), (147, "pa", 1.0, 10.0, 3.0)],
                 columns=["kommunekode", "ordning", "timer_min", "timer_max", "timer_gns"]).to_csv(d / "ressourceestimat.csv", index=False, sep=";")
    (d / "DATASET.yaml").write_text("kind: synthetic\nyears: [2018, 2019]\nseed: 1\n", encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return make_data_dir(tmp_path_factory.mktemp("brug"))


@pytest.fixture(scope="module")
def b_all(data):
    return brug.load_dir(data, Y, [101, 147, 825], all_kommuner=True)


@pytest.fixture(scope="module")
def b_sel(data):
    return brug.load_dir(data, Y, [147], all_kommuner=False)


def _row(df, **kw):
    m = pd.Series(True, index=df.index)
    for k, v in kw.items():
        m &= df[k] == v
    assert m.sum() == 1, (kw, df.loc[m])
    return df.loc[m].iloc[0]


def test_no_person_identifier_leaves_any_table(b_all, b_sel):
    builders = [f for f in dir(brug) if callable(getattr(brug, f))]
    tables = [brug.tabel_11, brug.tabel_12, brug.tabel_13, brug.tabel_13_indkomst, brug.ydelsesforhold, brug.figur_22_23,
              brug.tabel_14, brug.tabel_14_lpr, brug.bevillingstyper, brug.tabel_16, brug.varighed, brug.subgrupper,
              brug.udgifter_kommuner, brug.udgifter_national, brug.enhedspriser, brug.figur_29_30, brug.tabel_17,
              brug.tabel_18, brug.tabel_19, brug.trend, brug.anvendelsesgrad_kommuner, brug.sagsgennemgang_oversigt,
              brug.type_efter_ydelse, brug.antal_modtagere]
    assert len(builders) > len(tables)
    for b in (b_all, b_sel):
        for f in tables:
            df = f(b)
            assert isinstance(df, pd.DataFrame) and len(df), f.__name__
            assert "pnr" not in df.columns, f.__name__
            text = df.astype(str).to_numpy().ravel()
            assert not any(str(v).startswith("P0") or str(v).startswith("P1") for v in text), f.__name__


def test_tabel_11_counts_and_selection(b_all, b_sel):
    t = brug.tabel_11(b_all)
    assert set(t["niveau"]) == {LANDET}
    assert _row(t, ordning="Personlig assistance", periode="Bevilliget i 2019")["antal"] == 4
    assert _row(t, ordning="Personlig assistance", periode="Bevilliget i 2018")["antal"] == 1
    assert _row(t, ordning="Personlig assistance", periode="I alt")["antal"] == 5
    assert _row(t, ordning="Hjælpemidler", periode="I alt")["antal"] == 6
    assert _row(t, ordning="Isbryderordning", periode="Bevilliget i 2019")["antal"] == 1
    assert _row(t, ordning="Fortrinsadgang", periode="I alt")["antal"] == 9
    s = brug.tabel_11(b_sel)
    assert list(pd.unique(s["niveau"])) == [VALGTE, LANDET]
    assert _row(s, niveau=VALGTE, ordning="Personlig assistance", periode="I alt")["antal"] == 2
    assert _row(s, niveau=VALGTE, ordning="Fortrinsadgang", periode="I alt")["antal"] == 2
    assert _row(s, niveau=LANDET, ordning="Personlig assistance", periode="I alt")["antal"] == 5


def test_anvendelsesgrad_and_tabel_12(b_all):
    k = brug.anvendelsesgrad_kommuner(b_all).set_index("kommunekode")
    assert k.loc[101, "antal_pa_hm"] == 4  # pa1, pa2, hm1, hm2 start in 2019
    assert k.loc[101, "anvendelsesgrad"] == pytest.approx(4 / 630_000)
    assert k.loc[825, "anvendelsesgrad"] == pytest.approx(1 / 150)  # pa5
    assert k.loc[825, "anvendelsesgrad_band"] == "hoej" and k.loc[101, "anvendelsesgrad_band"] == "lav"
    t = brug.tabel_12(b_all)
    assert _row(t, anvendelsesgrad="lav")["kommuner"] == 2
    assert _row(t, anvendelsesgrad="hoej")["andel"] == pytest.approx(1 / 3)


def test_tabel_13_person_level_index_grant(b_all, b_sel):
    t = brug.tabel_13(b_all)
    pa = t.loc[(t["ordning"] == "Personlig assistance") & (t["niveau"] == LANDET)]
    # PA recipients in 2018-2019: P01, P02, P03 (two grants, counted once), P04
    assert _row(pa, tema="køn", kategori="mand")["n"] == 4
    assert _row(pa, tema="køn", kategori="mand")["antal"] == 2
    # P03 index grant 2018-02-05: 2018 income (100.000) is used, not 2019; only P01 > 300.000
    inc = _row(pa, tema="indkomst", kategori="over 300.000 kr.")
    assert inc["n"] == 4 and inc["antal"] == 1
    assert _row(pa, tema="alder", kategori="over 50")["antal"] == 1  # P01 born 1960
    assert _row(pa, tema="uddannelse", kategori="kort_videregaaende")["antal"] == 1  # P02
    assert _row(pa, tema="uddannelse", kategori="uoplyst")["antal"] == 1  # P03: no UDDA row for 2018
    br = _row(pa, tema="branche", kategori="offentlig_adm_undervisning_sundhed")
    assert br["antal"] == 3 and br["n"] == 3  # P04 has no branche code -> not in the denominator
    s = brug.tabel_13(b_sel)
    sel = s.loc[(s["ordning"] == "Personlig assistance") & (s["niveau"] == VALGTE)]
    assert _row(sel, tema="køn", kategori="mand")["n"] == 1  # only P03 in Frederiksberg


def test_ydelsesforhold_and_fastholdelse(b_all):
    t = brug.ydelsesforhold(b_all)
    pa = t.loc[t["ordning"] == "Personlig assistance"]
    # PA grants in period: pa1 selvforsørget, pa2 fleksjob, pa3+pa4 a-dagpenge, pa5 kontanthjælp
    assert _row(pa, tema="perspektiv", kategori="fastholdelse")["andel"] == pytest.approx(2 / 5)
    assert _row(pa, tema="ydelsesgruppe", kategori="a_dagpenge")["antal"] == 2
    g = b_all.pgrants.loc[b_all.pgrants["ordning"] == "pa"]
    assert M.fastholdelsesgrad(g["perspektiv"]) == pytest.approx(2 / 5)


def test_figur_22_23_fuldtidspersoner(b_all):
    f = brug.figur_22_23(b_all)
    # PA active in 2019: pa1 (P01), pa2 (P02, fleks), pa4 (P03), pa5 (P04, KTH), pa6 (P05, fleks) ; pa3 ends 2019-02-01 too
    pa_fleks = _row(f, ordning="Personlig assistance", ydelsesgruppe="FLEKS")
    assert pa_fleks["antal"] == 2 and pa_fleks["fuldtidspersoner"] == 150.0
    assert pa_fleks["andel"] == pytest.approx(2 / 150)
    hm_kth = _row(f, ordning="Hjælpemidler", ydelsesgruppe="KTH")
    assert hm_kth["antal"] == 1 and hm_kth["andel"] == pytest.approx(1 / 210)  # hm5 (P09) in 2019


def test_tabel_16_parallel(b_all):
    t = brug.tabel_16(b_all)
    # PA recipients: P01 has hm1 overlapping pa1 -> parallel; others none
    assert _row(t, population="Personlig assistance", indsats="Hjælpemiddel")["antal"] == 1
    assert _row(t, population="Personlig assistance", indsats="Personlig assistance (eneste indsats)")["andel"] == pytest.approx(3 / 4)
    # HM recipients: P01 (PA), P06 (mentor) -> 2 of 6 with parallel effort
    assert _row(t, population="Hjælpemidler", indsats="Mentor (LAB)")["antal"] == 1
    assert _row(t, population="Hjælpemidler", indsats="Mindst én parallelindsats")["antal"] == 2
    # isbryder P11 has a SEL ydelse from 2019-05-01
    assert _row(t, population="Isbryderordning", indsats="Indsats under serviceloven (SEL)")["antal"] == 1


def test_tabel_14_case_review(b_all, b_sel):
    t = brug.tabel_14(b_all)
    pa = t.loc[(t["ordning"] == "Personlig assistance")]
    assert _row(pa, tema="funktionsnedsættelse", kategori="fysisk")["andel"] == pytest.approx(2 / 3)
    assert _row(pa, tema="funktionsnedsættelse", kategori="psykisk")["antal"] == 1
    top1 = _row(pa, tema="top-5", kategori="1. Ryg/nakke")
    assert top1["antal"] == 2 and top1["n"] == 3
    # dobbeltdiagnose recorded for 2 of 3 PA cases, 1 true
    assert _row(pa, tema="multisygdom", kategori="dobbeltdiagnose")["andel"] == pytest.approx(1 / 2)
    s = brug.tabel_14(b_sel)
    assert set(s["niveau"]) == {VALGTE_CASE, ALLE_CASE}
    assert _row(s.loc[s["ordning"] == "Personlig assistance"], niveau=VALGTE_CASE, tema="funktionsnedsættelse",
                kategori="intellektuel")["andel"] == 1.0


def test_figur_29_30_and_tabel_17(b_all):
    f = brug.figur_29_30(b_all)
    pa = _row(f, ordning="Personlig assistance", aar=2019)
    assert pa["n"] == 2 and pa["gennemsnit_uger"] == pytest.approx((28 + 29) / 14)
    assert pa["antal_over_4_uger"] == 1  # exactly 28 days is not over four weeks
    hm = _row(f, ordning="Hjælpemidler", aar=2019)
    assert hm["n"] == 1  # s5 lacks ansøgningsdato
    t = brug.tabel_17(b_all)
    r = _row(t, dimension="strategi", gruppe="proaktiv", ordning="Personlig assistance")
    assert r["gennemsnit_uger"] == pytest.approx((28 + 29) / 14) and r["n"] == 2


def test_tabel_18_19(b_all):
    t = brug.tabel_18(b_all)
    r = _row(t, ordning="Personlig assistance")
    assert r["timer_gns"] == 3.5 and r["timer_min"] == 1.0 and r["timer_max"] == 10.0
    t19 = brug.tabel_19(b_all)
    assert _row(t19, tema="bevilling", kategori="tidsbegrænset")["andel"] == pytest.approx(2 / 3)
    assert _row(t19, tema="varighed (tidsbegrænsede)", kategori="12 mdr.")["antal"] == 1
    assert _row(t19, tema="udlån/tilskud", kategori="udlaan")["andel"] == pytest.approx(0.5)


def test_udgifter_and_enhedspriser(b_all):
    k = brug.udgifter_kommuner(b_all).set_index("kommunekode")
    assert k.loc[101, "udgift_pa"] == 300_000 and k.loc[101, "antal_pa"] == 2
    assert k.loc[101, "enhedspris_pa"] == 150_000
    assert math.isnan(k.loc[147, "enhedspris_pa"]) or k.loc[147, "antal_pa"] > 0
    nat = brug.udgifter_national(b_all).set_index("ordning")
    tot = 300_000 + 20_000 + 100_000 + 50_000 + 90_000
    assert nat.loc["Personlig assistance", "udgiftsandel"] == pytest.approx(450_000 / tot)
    e = brug.enhedspriser(b_all).set_index("ordning")
    # PA prices: 101: 300.000/2, 147: 100.000/1 (pa4), 825: 50.000/1 -> mean of kommune prices
    assert e.loc["Personlig assistance", "enhedspris_gns_kommuner"] == pytest.approx((150_000 + 100_000 + 50_000) / 3)
    assert e.loc["Personlig assistance", "enhedspris_samlet"] == pytest.approx(450_000 / 4)
    assert k["udgiftsandel"].sum() == pytest.approx(1.0)


def test_default_basis_covers_every_derived_column(b_all):
    t = brug.tabel_13(b_all)
    counts = count_columns(t)
    derived = [c for c in t.columns if c not in counts and not is_key_name(c)
               and pd.api.types.is_numeric_dtype(t[c]) and not pd.api.types.is_bool_dtype(t[c])]
    assert set(derived) == {"andel", "ci_nedre", "ci_oevre"}
    assert all(basis_for(c, counts) == ["antal", "n"] for c in derived)
