"""The difference-in-differences and the event study (def. P3-P5) on hand-made kommune × year
panels: a planted effect is recovered, none is not found (and over many seeds the clustered test
rejects near the nominal rate where the unclustered one does not), the 2×2 estimate equals the
hand-computed difference of differences, and the traps (kommuner of other projects, missing years,
start dates within a year, too few kommuner) are handled."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hko_research.analyses.puljeevaluering import effekt as E
from hko_research.publishing.disclosure import protect_table

PROJ = "Projekt A"


def _panel(seed: int, *, G: int = 30, T: int = 6, nt: int = 10, effect: float = 0.0, rho: float = 0.8,
           start_t: int = 3, sd: float = 3.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kommune fixed effects, a common trend, AR(1) errors within kommune (so clustering matters)
    and ``effect`` added to the first ``nt`` kommuner from year index ``start_t`` on."""
    rng = np.random.default_rng(seed)
    e = np.zeros((G, T))
    e[:, 0] = rng.normal(0, sd / np.sqrt(1 - rho ** 2), G)
    for j in range(1, T):
        e[:, j] = rho * e[:, j - 1] + rng.normal(0, sd, G)
    k, t = np.repeat(np.arange(G), T), np.tile(np.arange(T), G)
    y = rng.normal(40, 8, G)[k] + 1.5 * t + e.ravel() + effect * ((k < nt) & (t >= start_t))
    panel = pd.DataFrame({"kommunekode": 101 + k, "aar": 2016 + t, "y": y,
                          "antal_pa_hm": 100, "befolkning": 20_000, "anvendelsesgrad": y / 10_000})
    deltagere = pd.DataFrame({"projekt": PROJ, "kommunekode": 101 + np.arange(nt),
                              "startdato": pd.Timestamp(f"{2016 + start_t}-03-01"), "kilde": "test"})
    return panel, deltagere


def test_planted_effect_is_recovered():
    panel, deltagere = _panel(1, G=40, nt=12, effect=6.0, sd=1.5)
    row = E.did(panel, deltagere).iloc[0]
    assert row["bemaerkning"] == ""
    assert row["konf_nedre"] < 6.0 < row["konf_oevre"]
    assert row["koefficient"] == pytest.approx(6.0, abs=1.5)
    assert row["p_vaerdi"] < 0.001
    assert row["kommuner"] == 40 and row["observationer"] == 240
    assert row["kommuner_deltagende"] == 12 and row["kommuner_sammenligning"] == 28
    ev = E.eventstudie(panel, deltagere).set_index("begivenhedstid")
    assert list(ev.index) == [-3, -2, -1, 0, 1, 2]
    assert ev.loc[-1, "koefficient"] == 0 and pd.isna(ev.loc[-1, "standardfejl"]) and ev.loc[-1, "reference"]
    for e in (0, 1, 2):
        assert ev.loc[e, "konf_nedre"] > 0  # the effect shows in every year after the start
    for e in (-3, -2):
        assert ev.loc[e, "konf_nedre"] < 0 < ev.loc[e, "konf_oevre"]  # and not before


def test_no_effect_is_not_found_and_the_clustered_test_keeps_its_size():
    import statsmodels.formula.api as smf

    found = E.did(*_panel(11)).iloc[0]
    assert found["konf_nedre"] < 0 < found["konf_oevre"] and found["p_vaerdi"] > 0.05
    seeds = range(120)
    clustered = naive = 0
    for s in seeds:
        d = E.design(*_panel(s), PROJ)
        clustered += E.fit_did(d).pvalue("efter") < 0.05
        naive += smf.ols("y ~ efter + C(kommunekode) + C(aar)", d).fit().pvalues["efter"] < 0.05
    # nominal 5 pct.: the clustered test rejects at most about that often (HC1 is slightly
    # conservative with kommune dummies); ignoring the serial correlation rejects far too often
    assert 0.01 <= clustered / len(seeds) <= 0.10
    assert naive / len(seeds) >= 0.12


def test_two_by_two_estimate_is_the_hand_computed_difference_of_differences():
    # 6 kommuner x 2 years. 101-102 take part from 2020; 103 is only in another project and has a
    # large jump (it must not be a control); 104-106 are controls.
    y = {101: (10, 16), 102: (20, 24), 103: (30, 90), 104: (12, 13), 105: (8, 11), 106: (40, 42)}
    panel = pd.DataFrame([{"kommunekode": k, "aar": a, "y": v, "antal_pa_hm": 50, "befolkning": 10_000,
                           "anvendelsesgrad": v / 10_000} for k, (v0, v1) in y.items() for a, v in ((2019, v0), (2020, v1))])
    deltagere = pd.DataFrame({"projekt": [PROJ, PROJ, "Projekt B"], "kommunekode": [101, 102, 103],
                              "startdato": pd.to_datetime(["2020-06-15", "2020-01-01", "2020-01-01"]), "kilde": "x"})
    treated = np.mean([16 - 10, 24 - 20])
    controls = np.mean([13 - 12, 11 - 8, 42 - 40])
    row = E.did(panel, deltagere).set_index("projekt").loc[PROJ]
    assert row["koefficient"] == pytest.approx(treated - controls, abs=1e-9)  # 5 - 2 = 3
    assert row["kommuner"] == 5 and row["observationer"] == 10
    assert row["foer_niveau"] == pytest.approx(15.0)
    # project B has a single participant: reported as not estimable, with the reason
    b = E.did(panel, deltagere).set_index("projekt").loc["Projekt B"]
    assert pd.isna(b["koefficient"]) and "mindst 2" in b["bemaerkning"]


def test_start_year_is_the_calendar_year_of_the_start_date_and_missing_years_are_dropped():
    panel, deltagere = _panel(5, start_t=3)  # start 2019-03-01 -> 2019 is event year 0
    d = E.design(panel, deltagere, PROJ)
    first = d.loc[d["kommunekode"] == 101].set_index("aar")
    assert first.loc[2018, "efter"] == 0 and first.loc[2019, "efter"] == 1
    assert first.loc[2019, "begivenhedstid"] == 0 and first.loc[2016, "begivenhedstid"] == -3
    assert d.loc[d["kommunekode"] == 125, "begivenhedstid"].isna().all()  # a control has no event time
    # without year -1 for the participants the event study uses the last year before the start
    gap = panel.copy()
    gap.loc[(gap["kommunekode"] <= 110) & (gap["aar"] == 2018), "y"] = np.nan
    ev = E.eventstudie(gap, deltagere)
    assert ev.loc[ev["reference"] != "", "begivenhedstid"].tolist() == [-2]
    assert -1 not in ev["begivenhedstid"].tolist()
    assert E.did(gap, deltagere).iloc[0]["observationer"] == 180 - 10


def test_not_estimable_without_years_after_the_start():
    panel, deltagere = _panel(2)
    late = deltagere.assign(startdato=pd.Timestamp("2030-01-01"))
    row = E.did(panel, late).iloc[0]
    assert pd.isna(row["koefficient"]) and row["bemaerkning"] == "ingen år efter projektstart i data"
    assert E.eventstudie(panel, late).empty
    assert E.did(panel, None).empty and E.eventstudie(panel, None).empty


def test_group_development_adds_up_and_protects_a_small_group():
    panel, deltagere = _panel(3, G=8, T=2, nt=2, start_t=1)
    panel.loc[panel["kommunekode"] == 101, "antal_pa_hm"] = 1  # participants: 1 + 100 grants
    panel.loc[panel["kommunekode"] == 102, "antal_pa_hm"] = 2
    deltagere = pd.concat([deltagere, pd.DataFrame({"projekt": ["Projekt B"], "kommunekode": [103],
                                                    "startdato": [pd.Timestamp("2017-01-01")], "kilde": ["x"]})])
    t = E.udvikling_grupper(panel, deltagere)
    a = t.loc[t["projekt"] == PROJ].set_index(["gruppe", "aar"])
    for col in ("kommuner", "antal_bevillinger", "befolkning"):
        parts = a.loc[["Deltagere", "Andre projekters deltagere", "Øvrige kommuner"]].groupby(level="aar")[col].sum()
        assert (parts == a.xs("I alt", level="gruppe")[col]).all(), col
    assert a.loc[("Deltagere", 2016), "antal_bevillinger"] == 3
    assert a.loc[("Andre projekters deltagere", 2016), "kommuner"] == 1
    shown = protect_table(t, min_cell_size=5, sums=E.SUMS["udvikling_grupper"])
    s = shown.loc[(shown["projekt"] == PROJ) & (shown["gruppe"] == "Deltagere")]
    assert s["antal_bevillinger"].isna().all() and s["gennemsnit_anvendelsesgrad"].isna().all()
    # the masked cell cannot be recovered from the total: another cell of the year is masked too
    rest = shown.loc[(shown["projekt"] == PROJ) & (shown["gruppe"] != "Deltagere") & (shown["aar"] == 2016)]
    assert rest["antal_bevillinger"].isna().any()
