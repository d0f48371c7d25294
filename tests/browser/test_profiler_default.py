"""The kommune profiles of the default run against delanalyse 3's own published tables of the same
run: a number on a profile is delanalyse 3's number for that kommune (and the country's), and a
per-kommune count delanalyse 3 suppresses is suppressed in the profiles' table too, while one it
shows is shown with the same value (the same cell is not hidden in one place and shown in another)."""
from __future__ import annotations

import pytest
from lxml import html as lxml_html

from hko_research.analyses.profiler.sider import filnavn, tal
from hko_research.publishing.publisher import read_table

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("default_run")]

KOMMUNER = {101: "København", 825: "Læsø", 169: "Høje-Taastrup"}
Y = 2019


def _page(run_dir, kode):
    doc = lxml_html.fromstring((run_dir / "profiler" / filnavn(kode, KOMMUNER[kode])).read_text(encoding="utf-8"))

    def cell(ind, field):
        return doc.xpath(f"string(//tr[@id='{ind}']/td[@data-felt='{field}'])").strip()
    return cell


def _d3(run_dir, name):
    t = read_table(run_dir / "tables" / f"{name}.csv")
    return t, t.attrs["suppressed"]


def test_profile_numbers_are_delanalyse_3s_numbers(default_run):
    run_dir = default_run.run_dir
    bilag, bsup = _d3(run_dir, "bilag_anvendelsesgrad_kommuner")
    udg, usup = _d3(run_dir, "figur_24_udgifter_kommuner")
    compared = 0
    for kode in KOMMUNER:
        cell = _page(run_dir, kode)
        for ind, table, sup in (("anvendelsesgrad", bilag, bsup), ("anvendelsesgrad_pa", bilag, bsup),
                                ("anvendelsesgrad_hm", bilag, bsup), ("enhedspris_pa", udg, usup),
                                ("enhedspris_hm", udg, usup), ("difference", udg, usup)):
            i = table.index[table["kommunekode"] == kode][0]
            kind = "money" if ind.startswith("enhedspris") else ("points" if ind == "difference" else "share")
            expected = "·" if sup.at[i, ind] else tal(table.at[i, ind], kind)
            assert cell(ind, "vaerdi") == expected, (kode, ind)
            compared += 1
    # the country's values: Tabel 11 / trend, Figur 26's total/total, ydelsesforhold, Figur 22-23 summed
    trend, _ = _d3(run_dir, "trend_bevillinger")
    fig26, _ = _d3(run_dir, "figur_26_enhedspriser")
    yf, _ = _d3(run_dir, "tabel_13d_ydelsesforhold")
    f22, _ = _d3(run_dir, "figur_22_hm_fuldtidspersoner")
    land = lambda d: d.loc[d["niveau"] == "Hele landet"]  # noqa: E731
    cell = _page(run_dir, 101)
    assert cell("anvendelsesgrad", "landet") == tal(land(trend).set_index("aar").at[Y, "anvendelsesgrad"], "share")
    for o, name in (("pa", "Personlig assistance"), ("hm", "Hjælpemidler")):
        e = land(fig26).set_index("ordning").at[name, "enhedspris_samlet"]
        assert cell(f"enhedspris_{o}", "landet") == tal(e, "money")
        r = land(yf)
        r = r.loc[(r["ordning"] == name) & (r["tema"] == "perspektiv") & (r["kategori"] == "rekruttering"), "andel"]
        assert cell(f"rekrutteringsgrad_{o}", "landet") == tal(r.iloc[0], "share")
        g = land(f22)
        g = g.loc[(g["ordning"] == name) & g["fuldtidspersoner"].notna()]
        assert cell(f"andel_fuldtid_{o}", "landet") == tal(g["antal"].sum() / g["fuldtidspersoner"].sum(), "share")
        compared += 3
    assert compared == 18 + 6


def test_a_count_is_suppressed_in_the_profiles_exactly_where_delanalyse_3_suppresses_it(default_run):
    run_dir = default_run.run_dir
    prof, psup = _d3(run_dir, "bilag_profiler_indikatorer")
    prof["kommunekode"] = prof["kommunekode"].astype(str)
    rows = prof.index[(prof["aar"] == Y) & (prof["kommunekode"] != "I alt")]
    mine = prof.loc[rows].set_index(prof.loc[rows, "kommunekode"].astype(int))
    msup = psup.loc[rows].set_index(mine.index)
    checked = 0
    for name in ("bilag_anvendelsesgrad_kommuner", "figur_24_udgifter_kommuner"):
        t, sup = _d3(run_dir, name)
        t = t.set_index("kommunekode")
        sup.index = t.index
        for col in ("antal_pa", "antal_hm"):
            assert (sup[col] == msup.loc[t.index, col]).all(), (name, col)
            shown = ~sup[col]
            assert (t.loc[shown, col] == mine.loc[t.index[shown], col]).all(), (name, col)
            checked += int(sup[col].sum())
    assert checked >= 2
