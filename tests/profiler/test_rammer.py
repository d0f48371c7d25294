"""The per-kommune frame builders against the owning analysis's own tables, kommune by kommune, on
hand-made grants with traps; delanalyse 5's rows through a stand-in for its package (the two
functions of its worktree the profiles call: ``load.from_parts`` and
``kommuneramme.udfald_kommuner``)."""
from __future__ import annotations

import sys
import types
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from hko_research.analyses.d3_brug import measures as M
from hko_research.analyses.d3_brug import tables as d3
from hko_research.analyses.profiler import rammer
from hko_research.analyses.profiler.rammer import Grundlag, IkkeTilgaengelig

K = (101, 147, 825)  # København, Frederiksberg, Læsø
PARAMS = SimpleNamespace(data_dir=".", year=2019, kommuner=K, all_kommuner=False)


def _pgrants() -> pd.DataFrame:
    rows = [
        # ordning, pnr, kommune, start, ydelsesgruppe, perspektiv, jobindsats_gruppe
        ("pa", "p1", 101, "2019-02-01", "kontanthjaelp", "rekruttering", "KTH"),
        ("pa", "p2", 101, "2019-03-01", "selvforsoerget", "fastholdelse", None),
        ("pa", "p3", 101, "2018-05-01", None, None, None),                 # not in DREAM: out of the base
        ("pa", "p4", 147, "2019-01-10", "fleksjob", "fastholdelse", "FLEKS"),
        ("pa", "p5", 147, "2019-06-01", "su", "andet", None),              # 'andet' is in the base, not counted
        ("hm", "h1", 101, "2019-01-05", "sygedagpenge", "rekruttering", "SDP"),
        ("hm", "h1", 147, "2019-08-05", "sygedagpenge", "rekruttering", "SDP"),  # moved: first HM grant in Y counts
        ("hm", "h2", 101, "2018-12-30", "kontanthjaelp", "rekruttering", "KTH"),  # Y-1: not in Figur 22
        ("hm", "h3", 825, "2019-04-04", "ledighedsydelse", "rekruttering", "LYD"),  # LYD has no fuldtidspersoner
        ("hm", "h4", 825, "2019-04-05", "fleksjob", "fastholdelse", "FLEKS"),
        ("hm", "h5", 825, "2019-07-01", "selvforsoerget", "fastholdelse", None),
        ("is", "i1", 825, "2019-07-01", "kontanthjaelp", "rekruttering", "KTH"),  # another ordning
    ]
    g = pd.DataFrame(rows, columns=["ordning", "pnr", "kommunekode", "start", "ydelsesgruppe", "perspektiv",
                                    "jobindsats_gruppe"])
    g["start"] = pd.to_datetime(g["start"])
    g["aar"] = g["start"].dt.year
    g["grant_id"] = [f"g{i}" for i in range(len(g))]
    for c in ("ydelsesgruppe", "perspektiv", "jobindsats_gruppe"):
        g[c] = g[c].astype("string")
    g["rekruttering"] = M.er_rekruttering(g["ydelsesgruppe"], g["perspektiv"])  # as d3_brug.load sets it
    return g


def _brug(kommuner=K, all_kommuner=False):
    g = _pgrants()
    pa_active = g.loc[g["ordning"] == "pa"].assign(dato=lambda d: d["start"])
    fuldtid = pd.DataFrame([(2019, k, gr, f) for k in K for gr, f in (("KTH", 100.0), ("SDP", 50.5), ("FLEKS", 20.0))],
                           columns=["aar", "kommunekode", "ydelsesgruppe", "fuldtidspersoner"])
    return SimpleNamespace(year=2019, pgrants=g, pa_active=pa_active, fuldtid=fuldtid, kommuner=tuple(kommuner),
                           all_kommuner=all_kommuner)


def test_rekruttering_per_kommune_equals_delanalyse_3_for_each_kommune_alone():
    mine = rammer.rekruttering(Grundlag(_brug(), PARAMS), 2019)
    assert len(mine) == 98 and (mine.drop(index=list(K)) == 0).all().all()  # kommuner without grants: zero
    for k in K:
        t = d3.ydelsesforhold(_brug(kommuner=(k,)))
        for o, name in (("pa", "Personlig assistance"), ("hm", "Hjælpemidler")):
            row = t.loc[(t["niveau"] == "Valgte kommuner") & (t["ordning"] == name) & (t["tema"] == "perspektiv")
                        & (t["kategori"] == "rekruttering")]
            assert len(row) == 1
            assert mine.at[k, f"antal_rekruttering_{o}"] == row["antal"].iloc[0], (k, o)
            assert mine.at[k, f"n_rekruttering_{o}"] == row["n"].iloc[0], (k, o)
    # by hand: København PA: p1 rekruttering, p2 not, p3 unknown -> 1 of 2
    assert (mine.at[101, "antal_rekruttering_pa"], mine.at[101, "n_rekruttering_pa"]) == (1, 2)
    assert (mine.at[147, "antal_rekruttering_pa"], mine.at[147, "n_rekruttering_pa"]) == (0, 2)


def test_fuldtid_per_kommune_equals_figur_22_23_summed_over_the_groups_with_fuldtidspersoner():
    mine = rammer.fuldtid(Grundlag(_brug(), PARAMS), 2019)
    for k in K:
        t = d3.figur_22_23(_brug(kommuner=(k,)))
        for o, name in (("hm", "Hjælpemidler"), ("pa", "Personlig assistance")):
            rows = t.loc[(t["niveau"] == "Valgte kommuner") & (t["ordning"] == name) & t["fuldtidspersoner"].notna()]
            assert mine.at[k, f"antal_fuldtid_{o}"] == rows["antal"].sum(), (k, o)
            assert mine.at[k, "fuldtidspersoner"] == pytest.approx(rows["fuldtidspersoner"].sum())
    # by hand: h1 counts in København (first HM grant in 2019), not in Frederiksberg; h2 is 2018;
    # Læsø's LYD recipient has no fuldtidspersoner, its selvforsørget recipient no group
    assert mine.at[101, "antal_fuldtid_hm"] == 1 and mine.at[147, "antal_fuldtid_hm"] == 0
    assert mine.at[825, "antal_fuldtid_hm"] == 1
    assert np.isnan(mine.at[751, "fuldtidspersoner"])  # no fuldtidspersoner reported: unknown, not 0


def _fake_d5(monkeypatch, table: pd.DataFrame):
    """A stand-in for delanalyse 5's package with the two functions the profiles call."""
    pkg = types.ModuleType("hko_research.analyses.d5_tvaergaaende")
    pkg.__path__ = []
    load = types.ModuleType("hko_research.analyses.d5_tvaergaaende.load")
    kommuneramme = types.ModuleType("hko_research.analyses.d5_tvaergaaende.kommuneramme")
    seen = {}

    def from_parts(P, brug, kodning, survey):
        seen["parts"] = (P, brug, kodning, survey)
        return SimpleNamespace(udfald=table)

    def udfald_kommuner(T, population=None):
        seen["population"] = population
        return T.udfald

    load.from_parts, kommuneramme.udfald_kommuner = from_parts, udfald_kommuner
    pkg.load, pkg.kommuneramme = load, kommuneramme
    for mod in (pkg, load, kommuneramme):
        monkeypatch.setitem(sys.modules, mod.__name__, mod)
    return seen


def test_udfald_takes_delanalyse_5s_own_per_kommune_counts(monkeypatch):
    # delanalyse 5's table: one row per kommune and ordning with recipients; Læsø has PA only
    table = pd.DataFrame({"kommunekode": [101, 101, 825], "ordning": ["pa", "hm", "pa"],
                          "n_fastholdelse": [40, 80, 3], "antal_fastholdelse": [30, 70, 2],
                          "n_oeget": [50, 90, 4], "antal_oeget": [10, 20, 1], "andel_oeget": [0.2, 0.22, 0.25]})
    seen = _fake_d5(monkeypatch, table)
    brug = SimpleNamespace(year=2019)
    out = rammer.udfald(Grundlag(brug, PARAMS), 2019)
    P, b, kodning, survey = seen["parts"]
    assert P is PARAMS and b is brug and kodning is None and survey is None  # this run's d3 frames, reused
    assert seen["population"] is None  # the report's population per ordning (delanalyse 5's default)
    assert (out.at[101, "antal_fastholdelse_pa"], out.at[101, "n_fastholdelse_pa"]) == (30, 40)
    assert (out.at[101, "antal_oeget_hm"], out.at[101, "n_oeget_hm"]) == (20, 90)
    assert (out.at[825, "antal_oeget_pa"], out.at[825, "n_oeget_pa"]) == (1, 4)
    assert out.at[825, "n_fastholdelse_hm"] == 0 and out.loc[147].eq(0).all()  # no recipients: zero, not missing
    assert len(out) == 98 and "andel_oeget_pa" not in out.columns


def test_with_delanalyse_5_its_indicators_are_in_the_frame(monkeypatch):
    from hko_research.analyses.profiler import beregning as PB
    from hko_research.analyses.profiler.metadata import indikatorer

    table = pd.DataFrame({"kommunekode": [101], "ordning": ["pa"], "n_fastholdelse": [40],
                          "antal_fastholdelse": [30], "n_oeget": [50], "antal_oeget": [10]})
    _fake_d5(monkeypatch, table)
    d5 = [i for i in indikatorer() if i.kilde == "d5_tvaergaaende"]
    R = PB.indikatorramme(Grundlag(SimpleNamespace(year=2019, covered_years=(2019,), kommuneinfo=_kommuneinfo(),
                                                   befolkning=pd.DataFrame(columns=["kommunekode", "kvartal", "befolkning"])),
                                  PARAMS), d5)
    assert not R.mangler and [i.id for i in R.indikatorer] == [i.id for i in d5]
    land = R.frame.loc[(R.frame["kommunekode"] == "I alt") & (R.frame["region"] == "I alt")
                       & (R.frame["rammevilkaar"] == "I alt")].iloc[0]
    assert land["fastholdelse_pa"] == pytest.approx(30 / 40) and land["oegede_loentimer_pa"] == pytest.approx(10 / 50)
    assert np.isnan(land["fastholdelse_hm"])  # no HM recipients at all: no share, not 0


def _kommuneinfo() -> pd.DataFrame:
    from hko_research.kommuner import kommune_tabel

    info = kommune_tabel()
    info["rang"] = np.arange(1, 99)
    info["rammevilkaar"] = "mellem"
    info["kommunestoerrelse"] = "lille"
    info["strategi"] = info["organisering"] = pd.NA
    return info


def test_without_delanalyse_5_its_indicators_are_declared_not_computed():
    try:
        import hko_research.analyses.d5_tvaergaaende  # noqa: F401
    except ModuleNotFoundError:
        with pytest.raises(IkkeTilgaengelig, match="delanalyse 5"):
            rammer.udfald(Grundlag(SimpleNamespace(year=2019), PARAMS), 2019)
    else:  # pragma: no cover - once delanalyse 5 is merged, the builder must run
        pytest.skip("delanalyse 5 is part of the package")
