"""Every delanalyse-3 measure on small hand-computed frames, including the edge cases."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hko_research.analyses.d3_brug import measures as m


def test_anvendelsesgrad_zero_population_and_alignment():
    rate = m.anvendelsesgrad(pd.Series({101: 30, 147: 5}), pd.Series({101: 10_000, 147: 0, 825: 1_800}))
    assert rate[101] == pytest.approx(0.003)
    assert math.isnan(rate[147])  # zero population
    assert math.isnan(rate[825])  # no grants given for the kommune -> unknown, not 0


@pytest.mark.parametrize("rate,band", [
    (0.0, "lav"), (0.0019999, "lav"), (0.002, "mellem"), (0.0035, "mellem"),
    (0.005, "mellem"), (0.0050001, "hoej"), (0.014, "hoej"),
])
def test_anvendelsesgrad_band_edges(rate, band):
    assert m.anvendelsesgrad_band(rate) == band


def test_anvendelsesgrad_band_missing():
    assert m.anvendelsesgrad_band(float("nan")) is None
    assert list(m.anvendelsesgrad_band(pd.Series([0.001, np.nan, 0.006]))) == ["lav", None, "hoej"]


def test_fastholdelsesgrad_and_rekrutteringsgrad_default_are_complements_without_andet():
    persp = pd.Series(["fastholdelse", "fastholdelse", "rekruttering", "andet", None])
    assert m.fastholdelsesgrad(persp) == pytest.approx(2 / 4)
    grp = pd.Series(["selvforsoerget", "fleksjob", "kontanthjaelp", "su", None])
    assert m.rekrutteringsgrad(grp, persp) == pytest.approx(1 / 4)


def test_rekrutteringsgrad_definitions_differ_as_documented():
    grp = pd.Series(["selvforsoerget", "fleksjob", "delvis_sygemeldt", "a_dagpenge", "kontanthjaelp", "su"])
    persp = pd.Series(["fastholdelse", "fastholdelse", "fastholdelse", "rekruttering", "rekruttering", "andet"])
    assert m.rekrutteringsgrad(grp, persp) == pytest.approx(2 / 6)                       # l.1342
    assert m.rekrutteringsgrad(grp, definition="l392") == pytest.approx(5 / 6)           # all but selvforsørget
    assert m.rekrutteringsgrad(grp, definition="l2140") == pytest.approx(1 / 6)          # a-dagpenge not listed
    assert m.rekrutteringsgrad(grp, definition="l2169") == pytest.approx(3 / 6)          # a_dagpenge, kth, su
    assert m.rekrutteringsgrad(grp, definition="l2177") == m.rekrutteringsgrad(grp, definition="l2169")
    with pytest.raises(ValueError, match="unknown rekrutteringsgrad definition"):
        m.rekrutteringsgrad(grp, persp, definition="l9999")
    with pytest.raises(ValueError, match="needs perspektiv"):
        m.rekrutteringsgrad(grp)


def test_rekrutteringsgrad_empty_is_nan():
    assert math.isnan(m.rekrutteringsgrad(pd.Series([], dtype="string"), pd.Series([], dtype="string")))


def test_er_beskaeftiget_needs_selvforsoerget_and_positive_grad():
    grp = pd.Series(["selvforsoerget", "selvforsoerget", "selvforsoerget", "fleksjob"])
    grad = pd.Series([37.0, 0.0, None, 80.0])
    assert m.er_beskaeftiget(grp, grad).tolist() == [True, False, False, False]


def test_andel_af_fuldtidspersoner():
    out = m.andel_af_fuldtidspersoner(pd.Series({"FLEKS": 32, "KTH": 27}), pd.Series({"FLEKS": 1000.0, "KTH": 1000.0, "ADP": 0.0}))
    assert out["FLEKS"] == pytest.approx(0.032) and out["KTH"] == pytest.approx(0.027) and math.isnan(out["ADP"])


def test_enhedspris_kommune_and_national_gule_prik_vs_aggregate():
    udgift = pd.Series({101: 1_000_000.0, 147: 30_000.0, 825: 5_000.0})
    bev = pd.Series({101: 100, 147: 1, 825: 0})
    price = m.enhedspris(udgift, bev)
    assert price[101] == 10_000 and price[147] == 30_000 and math.isnan(price[825])
    nat = m.enhedspris_national(udgift, bev)
    assert nat["gennemsnit_kommuner"] == pytest.approx(20_000)  # mean of 10.000 and 30.000
    assert nat["samlet"] == pytest.approx(1_030_000 / 101)  # kommuner without grants left out


def test_udgiftsandel_minus_befolkningsandel_threshold_is_strict():
    udgift = pd.Series({1: 10.5, 2: 89.5})
    bef = pd.Series({1: 100, 2: 900})  # 10 % and 90 %
    out = m.udgiftsandel_minus_befolkningsandel(udgift, bef)
    assert out.loc[1, "difference"] == pytest.approx(0.005)
    assert not out.loc[1, "hoejere_end_forventet"]  # exactly 0,5 pp is not "larger than"
    out2 = m.udgiftsandel_minus_befolkningsandel(pd.Series({1: 10.6, 2: 89.4}), bef)
    assert out2.loc[1, "hoejere_end_forventet"] and not out2.loc[2, "hoejere_end_forventet"]
    assert out2["udgiftsandel"].sum() == pytest.approx(1) and out2["befolkningsandel"].sum() == pytest.approx(1)


def test_sagsbehandlingstid_and_over_4_uger_exactly_28_days():
    a = pd.Series(["2019-01-01", "2019-01-01", "2019-01-01", None, "2019-03-01"])
    b = pd.Series(["2019-01-29", "2019-01-30", "2019-01-08", "2019-02-01", None])  # 28, 29, 7 days
    w = m.sagsbehandlingstid_uger(a, b)
    assert w[0] == pytest.approx(4.0) and w[1] == pytest.approx(29 / 7) and w[2] == pytest.approx(1.0)
    assert pd.isna(w[3]) and pd.isna(w[4])
    flags = m.over_4_uger(a, b)
    assert flags[0] == False and flags[1] == True and flags[2] == False  # noqa: E712
    assert pd.isna(flags[3]) and pd.isna(flags[4])
    assert m.andel_over_4_uger(a, b) == pytest.approx(1 / 3)  # missing dates excluded
    assert math.isnan(m.andel_over_4_uger(pd.Series([None]), pd.Series([None])))


def test_varighed_and_alder():
    v = m.varighed_uger(pd.Series(["2019-01-01", "2019-01-01"]), pd.Series(["2019-12-31", None]))
    assert v[0] == pytest.approx(364 / 7) and pd.isna(v[1])
    a = m.alder(pd.Series(["1969-05-10", "1969-05-10", None]), pd.Series(["2019-05-09", "2019-05-10", "2019-01-01"]))
    assert a[0] == 49 and a[1] == 50 and pd.isna(a[2])


def test_intervals_overlap_inclusive_and_open_ended():
    out = m.intervals_overlap(
        pd.Series(["2019-01-01", "2019-01-01", "2019-01-01"]), pd.Series(["2019-01-31", "2019-01-31", None]),
        pd.Series(["2019-01-31", "2019-02-01", "2025-01-01"]), pd.Series([None, "2019-03-01", "2025-02-01"]),
    )
    assert out.tolist() == [True, False, True]
