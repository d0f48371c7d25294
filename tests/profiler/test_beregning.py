"""The indicator frame and its disclosure on hand-made kommune figures with traps: aggregates are
the measure of summed counts (never a mean of kommune rates), enhedspris leaves out expenditure
without grants as delanalyse 3 does, a rate above 1 has no Wilson interval, and a suppressed
kommune cannot be recovered from its region, its band or the country, also when the other
kommuner's counts are public elsewhere. Pages from the protected frame show the suppression."""
from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from profiler_byggere import FRB, KBH, LAESOE, ZERO_GRANTS
from sdc_attacker import RunAttacker

from hko_research.analyses.d3_brug.measures import enhedspris_national
from hko_research.analyses.profiler import beregning as PB
from hko_research.analyses.profiler import metadata as MD
from hko_research.analyses.profiler import sider
from hko_research.analyses.profiler.rammer import Grundlag
from hko_research.kommuner import kommune_tabel, rammevilkaar_band
from hko_research.publishing import disclosure
from hko_research.stats import proportion_ci

D3 = "hko_research.analyses.d3_brug.measures"
ROWS = [
    {"id": "rate_x", "navn": "Rate", "afsnit": "omfang", "kilde": "d3_brug", "maal": f"{D3}:anvendelsesgrad",
     "ramme": "profiler_byggere:tal", "beregning": "forhold", "taeller": "antal_x", "naevner": "befolkning",
     "ci": "wilson", "definition": "Rate.", "trend": False},
    {"id": "pris_x", "navn": "Pris", "afsnit": "udgifter", "kilde": "d3_brug", "maal": f"{D3}:enhedspris",
     "ramme": "profiler_byggere:tal", "beregning": "enhedspris", "taeller": "udgift_x", "naevner": "antal_x",
     "ci": "ingen", "definition": "Pris."},
    {"id": "andel_y", "navn": "Andel", "afsnit": "maalgruppe", "kilde": "d3_brug", "maal": f"{D3}:er_rekruttering",
     "ramme": "profiler_byggere:tal", "beregning": "andel", "taeller": "antal_y", "naevner": "n_y", "ci": "wilson",
     "definition": "Andel."},
]
K = kommune_tabel().set_index("kommunekode")


def _grundlag() -> Grundlag:
    info = K.reset_index()
    info["rang"] = (np.arange(98) * 37) % 98 + 1
    info["rammevilkaar"] = rammevilkaar_band(info["rang"]).to_numpy()
    info["kommunestoerrelse"] = "lille"
    info["strategi"] = info["organisering"] = pd.NA
    bef = pd.DataFrame({"kommunekode": info["kommunekode"], "kvartal": "2019K4", "befolkning": 10_000})
    return Grundlag(SimpleNamespace(year=2019, covered_years=(2019,), kommuneinfo=info, befolkning=bef),
                    SimpleNamespace(data_dir="."))


@pytest.fixture(scope="module")
def ramme():
    return PB.indikatorramme(_grundlag(), MD.parse({"indikatorer": ROWS}))


def _row(f: pd.DataFrame, **keys) -> pd.Series:
    sel = f.loc[np.logical_and.reduce([f[k] == v for k, v in keys.items()])]
    assert len(sel) == 1, keys
    return sel.iloc[0]


def test_aggregates_are_the_measure_of_summed_counts(ramme):
    f, G = ramme.frame, _grundlag()
    band = G.brug.kommuneinfo.set_index("kommunekode")["rammevilkaar"]
    assert len(f) == 98 + 5 + 3 + 1
    hov = K.index[K["region"] == "Hovedstaden"]
    r = _row(f, region="Hovedstaden", kommunekode="I alt")
    assert r["antal_x"] == 40 * len(hov)
    expected = 40 * len(hov) / (600_000 + 10_000 * (len(hov) - 1))
    assert r["rate_x"] == pytest.approx(expected)
    # not the mean of the kommune rates (København's big population pulls the region's rate down)
    assert abs(expected - f.loc[f["region"].eq("Hovedstaden") & f["kommunekode"].ne("I alt"), "rate_x"].mean()) > 1e-4
    g = band.index[band == band[LAESOE]]
    b = _row(f, rammevilkaar=band[LAESOE], region="I alt")
    assert b["antal_x"] == pd.Series(40, index=g).drop([c for c in (LAESOE, ZERO_GRANTS) if c in g]).sum() + \
        (3 if LAESOE in g else 0)
    land = _row(f, kommunekode="I alt", region="I alt", rammevilkaar="I alt")
    assert land["antal_x"] == 40 * 96 + 3 and land["n_y"] == 50 * 98
    lo, hi = proportion_ci(land["antal_y"], land["n_y"])
    assert (land["ci_nedre_andel_y"], land["ci_oevre_andel_y"]) == (pytest.approx(lo), pytest.approx(hi))


def test_enhedspris_of_a_group_leaves_out_expenditure_without_grants(ramme):
    f = ramme.frame
    kom = f.loc[f["kommunekode"] != "I alt"].set_index("kommunekode")
    assert np.isnan(kom.at[str(ZERO_GRANTS), "pris_x"])  # no grants: no unit price
    land = _row(f, kommunekode="I alt", region="I alt", rammevilkaar="I alt")
    u = pd.Series(kom["antal_x"].astype(float) * 1000, index=kom.index)
    u[str(ZERO_GRANTS)] = 50_000.0
    assert land["pris_x"] == pytest.approx(enhedspris_national(u, kom["antal_x"].astype(float))["samlet"])
    assert land["pris_x"] == pytest.approx(1000.0)  # the 50.000 kr. of Aarhus do not count


def test_a_rate_above_one_gets_no_interval(ramme):
    f = ramme.frame
    frb = _row(f, kommunekode=str(FRB))
    assert frb["andel_y"] == pytest.approx(1.2) and np.isnan(frb["ci_nedre_andel_y"])
    assert not np.isnan(_row(f, kommunekode=str(KBH))["ci_nedre_andel_y"])


def _attack(tables: list[tuple[str, pd.DataFrame, pd.DataFrame]]) -> list:
    """The independent attacker over the tables, knowing that the kommuner sum to their region's,
    band's and the country's row (rows of one year)."""
    att = RunAttacker(5)
    for name, prot, truth in tables:
        att.add_table(name, prot.reset_index(drop=True), disclosure.masked_cells(prot).reset_index(drop=True),
                      truth.reset_index(drop=True))
    name, _, truth = tables[-1]
    ids = {(c.row, c.col): i for i, c in enumerate(att.cells) if c.table == name}
    kom = truth["kommunekode"] != "I alt"
    for col in [c for c in truth.columns if c.startswith(("antal", "n_"))]:
        for key, total_rows in (("region", truth["region"] != "I alt"), ("rammevilkaar", truth["rammevilkaar"] != "I alt")):
            for r in truth.index[~kom & total_rows & (truth["region" if key == "rammevilkaar" else "rammevilkaar"] == "I alt")]:
                members = truth.index[kom & (truth[key] == truth.at[r, key])]
                eq = {ids[(m, col)]: 1.0 for m in members if (m, col) in ids}
                if (r, col) in ids and len(eq) == len(members):
                    eq[ids[(r, col)]] = -1.0
                    att.eqs.append((eq, 0.0))
    return att.attack()


def test_a_small_kommune_is_not_recoverable_from_its_region_band_or_the_country(ramme):
    f = ramme.frame
    prot = disclosure.protect_table(f, min_cell_size=5, sums=PB.SUMS, basis=ramme.basis(), ledger=disclosure.DisclosureLedger())
    m = disclosure.masked_cells(prot)
    laesoe = f.index[f["kommunekode"] == str(LAESOE)][0]
    assert m.at[laesoe, "antal_x"] and np.isnan(prot.at[laesoe, "rate_x"]) and np.isnan(prot.at[laesoe, "pris_x"])
    assert m["antal_x"].sum() >= 2  # one suppressed cell alone would be region minus the rest
    assert not _attack([("main", prot, f)])


def test_counts_public_elsewhere_are_not_hidden_here_their_totals_are(ramme):
    f = ramme.frame
    L = disclosure.DisclosureLedger()
    # what another notebook shows: every kommune's count but Læsø's (suppressed there)
    shadow_truth = f.loc[f["kommunekode"] != "I alt", [*PB.KEYS, "antal_x"]].reset_index(drop=True)
    elsewhere = shadow_truth.assign(antal_x=shadow_truth["antal_x"].astype(float).where(lambda v: ~v.between(1, 4)))
    shadow = disclosure.protect_table(elsewhere, min_cell_size=5, ledger=L, name="elsewhere")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no cell left that this table cannot protect
        prot = disclosure.protect_table(f, min_cell_size=5, sums=PB.SUMS, basis=ramme.basis(), ledger=L, name="main")
    m = disclosure.masked_cells(prot)
    kom = f["kommunekode"] != "I alt"
    # the kommune cells are masked exactly as elsewhere (Læsø only) ...
    assert list(f.loc[kom & m["antal_x"], "kommunekode"]) == [str(LAESOE)]
    assert disclosure.masked_cells(shadow)["antal_x"].sum() == 0  # nothing more is hidden there
    # ... so every total Læsø is part of is suppressed instead
    band = _grundlag().brug.kommuneinfo.set_index("kommunekode").at[LAESOE, "rammevilkaar"]
    for keys in ({"region": "Nordjylland", "kommunekode": "I alt"}, {"rammevilkaar": band, "region": "I alt"},
                 {"kommunekode": "I alt", "region": "I alt", "rammevilkaar": "I alt"}):
        i = _row(f.assign(_i=f.index), **keys)["_i"]
        assert m.at[i, "antal_x"] and np.isnan(prot.at[i, "rate_x"]), keys
    shown = shadow.assign(antal_x=shadow_truth["antal_x"])  # the attacker's copy: Læsø's cell marked
    shown.attrs = shadow.attrs
    shown.attrs["disclosure"] = {**shadow.attrs["disclosure"], "masked_cells": {"antal_x": [int(
        shadow_truth.index[shadow_truth["kommunekode"] == str(LAESOE)][0])]}}
    assert not _attack([("elsewhere", shown, shadow_truth), ("main", prot, f)])


def test_pages_from_the_protected_frame_show_the_suppression(ramme, tmp_path):
    L = disclosure.DisclosureLedger()
    prot = disclosure.protect_table(ramme.frame, min_cell_size=5, sums=PB.SUMS, basis=ramme.basis(), ledger=L)
    P = sider.Profiler(prot, ramme, synthetic=True, run_index=None)
    page = P.indikator(ramme.indikatorer[0], LAESOE, "Nordjylland", None)
    assert page["vaerdi"] == "·" and page["ci"] == "·" and page["rang"] == "·"
    assert page["n"].startswith("·") and "10.000" not in page["n"]  # no public denominator next to a hidden count
    assert page["sammenligning"] == "undertrykt" and page["spine"]["v"] is None
    kbh = P.indikator(ramme.indikatorer[0], KBH, "Hovedstaden", None)
    assert kbh["vaerdi"] == sider.tal(40 / 600_000, "share") and kbh["n"] == "40 / 600.000"
    # a published value's rank is among the published values only
    n_shown = int((~np.isnan(prot.loc[prot["kommunekode"] != "I alt", "rate_x"].to_numpy(float))).sum())
    assert kbh["rang"].endswith(f"af {n_shown}") and n_shown < 98
    paths = P.skriv(tmp_path, [LAESOE, KBH])
    html = (tmp_path / "825_laesoe.html").read_text(encoding="utf-8")
    assert "Syntetiske data" in html and 'data-undertrykt="true"' in html
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert {p.name for p in paths} == {"825_laesoe.html", "101_koebenhavn.html", "index.html"}
    assert index.count('href="825_laesoe.html"') == 2 and index.count('href="101_koebenhavn.html"') == 2  # map + table
    assert 'href="147_frederiksberg.html"' not in index  # not selected: no page, no link


def test_the_pages_refuse_an_unprotected_frame(ramme):
    with pytest.raises(ValueError, match="protected"):
        sider.Profiler(ramme.frame, ramme, synthetic=True)


def test_file_names_are_ascii():
    assert sider.filnavn(825, "Læsø") == "825_laesoe.html"
    assert sider.filnavn(101, "København") == "101_koebenhavn.html"
    assert sider.filnavn(169, "Høje-Taastrup") == "169_hoeje-taastrup.html"
    assert sider.filnavn(860, "Hjørring") == "860_hjoerring.html"


def test_the_attacker_still_finds_a_real_per_kommune_leak_and_ignores_a_coincidence():
    """The independent attacker's population rule for per-kommune tables (sdc_attacker.unit): the
    country's row is the total of every kommune (a masked kommune recovered from it is found), a
    single kommune's equal count is no total of a group of kommuner (no false finding)."""
    truth = pd.DataFrame({"kommunekode": ["101", "147", "151", "153", "I alt"],
                          "region": ["A", "A", "B", "B", "I alt"], "antal_pa": [3, 20, 23, 40, 86]})
    shown = truth.assign(antal_pa=truth["antal_pa"].astype(float).where(truth.index != 0))
    masked = pd.DataFrame(False, index=truth.index, columns=truth.columns)
    masked.loc[0, "antal_pa"] = True
    att = RunAttacker(5)
    att.add_table("t", shown, masked, truth)
    assert [(lk.row, lk.lo, lk.hi) for lk in att.attack()] == [(0, 3.0, 3.0)]  # 86 - 20 - 23 - 40
    # without the country's row, {101, 147} sums to 23 = kommune 151's count: a coincidence
    att = RunAttacker(5)
    att.add_table("t", shown.iloc[:4], masked.iloc[:4], truth.iloc[:4])
    assert att.attack() == []
