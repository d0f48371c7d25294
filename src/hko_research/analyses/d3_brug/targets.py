"""Delanalyse 3's report targets that need code: extremes, sums, differences, rankings and the
definitions the pipeline uses. Plain look-ups, aliases and the ids the pipeline does not compute
(with the reason) are declared in ``targets.yaml`` (this folder; format in
:mod:`hko_research.publishing.targets`), which names every ``d3_`` id.

:func:`computed` is what the notebook passes to ``S.reproduce(R, computed=...)``: it reads the
result tables through the picker, i.e. after the same disclosure step as publication. The mapping
id -> quantity was written by reading the target list as a developer; this code never reads the
report's values (only :mod:`hko_research.publishing.reproduction` does, to compare).
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ...kommuner import kommune_navne
from ...levels import NATIONAL
from ...publishing.targets import TablePicker, load_spec
from ...vocabulary import ORDNING_NAVN as ON
from . import measures as M
from .tables import SUMS

__all__ = ["SUMS", "computed", "TOP5_NAVNE", "KOMMUNER_FYSISK", "KOMMUNER_VAERKTOEJ"]


# Tabel 14's top-5 ids name an impairment; the code in funktionsnedsaettelser.csv.
TOP5_NAVNE = {"nedsat_hoerelse": "doev_nedsat_hoerelse"}

# Kommuner the report names as extremes (5.3.3 l.1416, 5.3.4 l.1469).
KOMMUNER_FYSISK = {"hoej": ("Aabenraa", "Middelfart", "Morsø", "Lemvig", "Varde"),
                   "lav": ("Gentofte", "Egedal", "Greve", "Helsingør")}
KOMMUNER_VAERKTOEJ = {"hoej": ("Holstebro", "Rebild", "Frederikshavn", "Vejle", "København", "Haderslev",
                               "Ikast-Brande", "Viborg"),
                      "lav": ("Sønderborg", "Brøndby", "Frederikssund", "Skanderborg", "Ishøj")}


def _threshold(predicate, lo: float, hi: float, *, steps: int = 60) -> float:
    """The point in [lo, hi] where ``predicate`` turns from False to True (bisection): the
    threshold a measure *actually* uses, found from its behaviour rather than from a constant."""
    if predicate(lo) or not predicate(hi):
        return math.nan
    for _ in range(steps):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if predicate(mid) else (mid, hi)
    return hi


def _extreme(vals: list[float], fn) -> float:
    """min/max of values that all exist; NaN if any is missing (suppressed or absent)."""
    return fn(vals) if vals and not any(math.isnan(v) for v in vals) else math.nan


@lru_cache(maxsize=1)
def _top5_ids() -> list[tuple[str, str, int, str]]:
    """(id, ordning, rank, impairment code) of Tabel 14's top-5 ids (the ids name the report's
    impairment at each rank; targets.yaml lists them)."""
    out = []
    for tid in load_spec(Path(__file__).with_name("targets.yaml")):
        m = re.fullmatch(r"d3_tabel14_(pa|hm|is|fa)_top(\d)_(\w+)", tid)
        if m:
            out.append((tid, m.group(1), int(m.group(2)), TOP5_NAVNE.get(m.group(3), m.group(3))))
    return out


def _rank_share(P: TablePicker, tid: str, ordning: str, rank: int, code: str) -> float:
    """The published share at rank ``rank`` of the pipeline's own Tabel 14 top-5 (def. 22:
    ``andet`` not ranked) when the impairment there is the report's ``code`` or ties with it
    (equal counts: the order among equal shares is arbitrary); otherwise NaN with a note that
    names the pipeline's ranking."""
    t = P.r["tabel_14"]
    top = t.loc[(t["ordning"] == ON[ordning]) & (t["tema"] == "top-5") & t["niveau"].isin(NATIONAL)]
    at = top.loc[top["rang"] == rank]
    if at.empty:
        P.note(tid, f"pipelinens top-5 har ingen nr. {rank}")
        return math.nan
    at = at.iloc[0]
    d = P.r["diagnose_andele"]
    mine = d.loc[(d["ordning"] == ordning) & (d["kode"] == code)]
    tied = bool(len(mine)) and pd.notna(mine["rang"].iloc[0]) and int(mine["antal"].iloc[0]) == int(at["antal"])
    if at["kode"] != code and not tied:
        own = (f"{code} har nr. {int(mine['rang'].iloc[0])}" if len(mine) and pd.notna(mine["rang"].iloc[0])
               else f"{code} er ikke rangeret")
        P.note(tid, f"pipelinens nr. {rank} er {at['kode']} ({int(at['antal'])} sager); {own}")
        return math.nan
    return P("tabel_14", ordning=ON[ordning], tema="top-5", rang=rank)


def computed(P: TablePicker) -> dict[str, float]:
    """The code-made delanalyse-3 targets (``kode`` entries of targets.yaml), national values."""
    out: dict[str, float] = {}
    names = kommune_navne()
    code_of = {v: k for k, v in names.items()}

    # ---- definitions the pipeline uses (probed on the measures, not read from constants)
    lav_mellem = _threshold(lambda r: M.anvendelsesgrad_band(r) != "lav", 0.0, 0.05)
    mellem_hoej = _threshold(lambda r: M.anvendelsesgrad_band(r) == "hoej", 0.0, 0.05)
    out["d3_s52_anvendelsesgrad_graense_lav_mellem"] = lav_mellem
    out["d3_s52_anvendelsesgrad_graense_mellem_hoej"] = mellem_hoej
    out["d3_s52_signifikansniveau"] = _threshold(lambda p: not M.signifikant(p), 0.0, 1.0)
    days = next((d for d in range(0, 366) if M.over_4_uger(pd.Series([pd.Timestamp("2020-01-01")]),
                                                            pd.Series([pd.Timestamp("2020-01-01") + pd.Timedelta(days=d)]))
                 .iloc[0]), math.nan)
    out["d3_s56_hm_frist"] = (days - 1) / 7
    out["d3_s55_hoejere_udgifter_graense"] = float(M.HOEJERE_UDGIFTER_GRAENSE)

    # ---- 5.2 extremes: the lowest/highest kommune is found on the unprotected rates; its value
    # is published only if its own cell survived disclosure control
    raw = P.r["anvendelsesgrad_kommuner"]["anvendelsesgrad"]
    ak = P.table("anvendelsesgrad_kommuner")["anvendelsesgrad"]
    out["d3_dk_anvendelsesgrad_min"] = float(ak.loc[raw.idxmin()]) if raw.notna().any() else math.nan
    out["d3_dk_anvendelsesgrad_max"] = float(ak.loc[raw.idxmax()]) if raw.notna().any() else math.nan

    # ---- 5.3.2 ranges over PA and HM, and over strategies
    def g(o, k):
        return P("ydelsesforhold", ordning=ON[o], tema="ydelsesgruppe", kategori=k)

    for key, groups in (("fleks_ledigh", ("fleksjob", "ledighedsydelse")), ("sygedagpenge", ("sygedagpenge",)),
                        ("jobafklaring", ("jobafklaring",))):
        vals = [sum(g(o, k) for k in groups) for o in ("pa", "hm")]
        out[f"d3_dk_ydelse_{key}_min"] = _extreme(vals, min)
        out[f"d3_dk_ydelse_{key}_max"] = _extreme(vals, max)
    hm_r = [P("rekrutteringsgrad_strategi", "rekrutteringsgrad", ordning=ON["hm"], strategi=s)
            for s in ("proaktiv", "reaktiv", "diffus")]
    out["d3_s532_rekrutteringsgrad_hm_min"] = _extreme(hm_r, min)
    out["d3_s532_rekrutteringsgrad_hm_max"] = _extreme(hm_r, max)

    # ---- Tabel 14 top-5: the pipeline's own ranking, names and ranks
    for tid, o, rank, code in _top5_ids():
        out[tid] = _rank_share(P, tid, o, rank, code)
    out["d3_s51_sagsgennemgang_n"] = sum(P("sagsgennemgang_oversigt", "antal", ordning=ON[o], maal="sager")
                                         for o in ("pa", "hm", "is", "fa"))
    t14 = {c: P("tabel_14", ordning=ON["is"], tema="funktionsnedsættelse", kategori=c) for c in ("fysisk", "psykisk")}
    out["d3_dk_is_fysisk_psykisk"] = t14["fysisk"] + t14["psykisk"]
    out["d3_dk_is_ryg_arme"] = (P("diagnose_andele", ordning="is", kode="ryg_nakke")
                                + P("diagnose_andele", ordning="is", kode="arme_haender"))
    out["d3_s51_hm_lab_andel"] = 1 - P("sagsgennemgang_oversigt", ordning=ON["hm"], maal="KOL")

    # ---- kommune extremes the report names (register data, national)
    fk = P.table("fysisk_kommuner").set_index("kommunekode")
    hoej = [float(fk["andel"].get(code_of[k], math.nan)) for k in KOMMUNER_FYSISK["hoej"]]
    out["d3_s533_fysisk_kommune_max"] = _extreme(hoej, min)
    lav = fk.reindex([code_of[k] for k in KOMMUNER_FYSISK["lav"]])
    out["d3_s533_fysisk_kommune_min"] = (float(lav["antal"].sum() / lav["n"].sum())
                                         if lav[["antal", "n"]].notna().all().all() else math.nan)
    hv = P.table("hm_type_kommuner").set_index("kommunekode")["andel"]
    out["d3_s534_hm_vaerktoej_kommune_hoej"] = _extreme([float(hv.get(code_of[k], math.nan))
                                                         for k in KOMMUNER_VAERKTOEJ["hoej"]], min)
    out["d3_s534_hm_vaerktoej_kommune_lav"] = _extreme([float(hv.get(code_of[k], math.nan))
                                                        for k in KOMMUNER_VAERKTOEJ["lav"]], max)

    # ---- 5.4 sums and differences within a type
    st = "strukturering_kvalitetssikring"
    out["d3_s54_pa_strukturering_fleks_ledigh"] = sum(
        P("subgrupper", ordning=ON["pa"], type=st, tema="ydelsesgruppe", kategori=k) for k in ("fleksjob", "ledighedsydelse"))
    out["d3_s54_pa_tegnsprog_ingen_indsats"] = 1 - P("subgrupper", ordning=ON["pa"], type="tegnsprogstolkning",
                                                     tema="indsats forud", kategori="indsats i jobcentret forud")

    # ---- 5.5
    hoejere = P.table("udgifter_kommuner")["hoejere_end_forventet"]
    out["d3_s55_kommuner_hoejere_udgifter"] = (float(hoejere.astype(float).mean()) if hoejere.notna().all()
                                               else math.nan)

    # ---- 5.6 processing times over ordninger
    m18 = [P("figur_29_30", "gennemsnit_uger", ordning=ON[o], aar=2018) for o in ("pa", "hm", "fa")]
    out["d3_dk_sagsbehandlingstid_2018_min"] = _extreme(m18, min)
    out["d3_dk_sagsbehandlingstid_2018_max"] = _extreme(m18, max)
    factors = [P("figur_29_30", "gennemsnit_uger", ordning=ON[o], aar=2018)
               / P("figur_29_30", "gennemsnit_uger", ordning=ON[o], aar=2020) for o in ("pa", "hm", "fa")]
    out["d3_dk_forkortet_faktor"] = _extreme(factors, max)

    # resource estimates: the most common range of hours (l.1661-1669)
    ri = P.table("ressource_intervaller")

    def modal(o, subset=None):
        s = ri.loc[(ri["ordning"] == ON[o]) & (ri["gruppe"] == "interval")]
        if subset is not None:
            s = s.loc[subset(s)]
        s = s.sort_values("rang")
        return (float(s["timer_min"].iloc[0]), float(s["timer_max"].iloc[0])) if len(s) else (math.nan, math.nan)

    out["d3_s56_pa_timer_majoritet_min"], out["d3_s56_pa_timer_majoritet_max"] = modal("pa")
    out["d3_s56_fa_timer_min"], out["d3_s56_fa_timer_max"] = modal("fa")
    out["d3_s56_hm_halvdel_2_4_min"], out["d3_s56_hm_halvdel_2_4_max"] = modal("hm", lambda s: s["timer_max"] > 3)

    # casekommune extremes of follow-up practice (l.1689, l.1691)
    ok = P.table("opfoelgning_kommuner")
    ok_raw = P.r["opfoelgning_kommuner"]

    def ranked(maal):
        s = ok.loc[ok["maal"] == maal].copy()
        s["raw"] = ok_raw.loc[ok_raw["maal"] == maal, "andel"].to_numpy()
        return s.sort_values(["raw", "kommunekode"], ascending=[False, True])

    tb = ranked("tidsbegrænset")
    out["d3_s56_pa_alle_tidsbegraensede_andel"] = float(tb["andel"].iloc[0]) if len(tb) else math.nan
    out["d3_s56_pa_alle_tidsbegraensede_kommuner"] = float((tb["raw"] == 1.0).sum())
    ikke = ranked("ikke tidsbegrænset")
    out["d3_s56_pa_ikke_tidsbegr_kommune_a"] = float(ikke["andel"].iloc[0]) if len(ikke) > 0 else math.nan
    out["d3_s56_pa_ikke_tidsbegr_kommune_b"] = float(ikke["andel"].iloc[1]) if len(ikke) > 1 else math.nan
    ud = ranked("udlån")
    out["d3_s56_hm_udlaan_kommune_b"] = float(ud["andel"].iloc[0]) if len(ud) > 0 else math.nan
    out["d3_s56_hm_udlaan_kommune_a"] = float(ud["andel"].iloc[1]) if len(ud) > 1 else math.nan
    return {k: (float(v) if v is not None and not (isinstance(v, float) and np.isnan(v)) else math.nan)
            for k, v in out.items()}


