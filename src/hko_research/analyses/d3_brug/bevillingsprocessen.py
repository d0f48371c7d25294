"""Delanalyse 3, report section 5.6 (Bevillingsprocessen): case-processing time, resources, follow-up."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...levels import case_levels
from ...stats import distribution_rows, share, share_row
from ...vocabulary import ORDNING_NAVN
from . import measures as M
from .load import BrugData


def _sager_weeks(s: pd.DataFrame) -> pd.DataFrame:
    s = s.copy()
    s["uger"] = M.sagsbehandlingstid_uger(s["ansoegningsdato"], s["bevillingsdato"]).astype(float).to_numpy()
    s["over4"] = M.over_4_uger(s["ansoegningsdato"], s["bevillingsdato"]).to_numpy()
    return s

def figur_29_30(b: BrugData) -> pd.DataFrame:
    """Figur 29-30: mean case processing time (weeks) and share over 4 weeks by ordning and year
    (cases with both dates, def. 21)."""
    rows = []
    for niveau, s in case_levels(_sager_weeks(b.sager), b):
        for (o, aar), st in s.groupby(["ordning", "aar"], sort=True):
            w = st["uger"].dropna()
            f = st["over4"].astype("boolean")
            k = int(f.fillna(False).sum())
            n = int(f.notna().sum())
            rows.append({"niveau": niveau, "ordning": ORDNING_NAVN[o], "aar": int(aar), "n": n,
                         "kommuner_med_sager": int(st.loc[st["uger"].notna(), "kommunekode"].nunique()),
                         "gennemsnit_uger": float(w.mean()) if len(w) else np.nan, "antal_over_4_uger": k,
                         "andel_over_4_uger": share(k, n)})
    return pd.DataFrame(rows)

def tabel_17(b: BrugData) -> pd.DataFrame:
    """Tabel 17: mean case processing time (weeks) by the kommune's organisering and strategi, per
    ordning (def. 24), with the number of kommuner and cases."""
    s = _sager_weeks(b.sager).merge(b.kommuneinfo[["kommunekode", "strategi", "organisering"]], on="kommunekode", how="left")
    rows = []
    for dim in ("organisering", "strategi"):
        for v, sv in s.groupby(dim, sort=True):
            for o in ("pa", "hm", "fa", "is"):
                st = sv.loc[sv["ordning"] == o]
                w = st["uger"].dropna()
                rows.append({"dimension": dim, "gruppe": v, "ordning": ORDNING_NAVN[o], "n": len(w),
                             "kommuner": int(sv["kommunekode"].nunique()), "antal_sager_gruppe": len(sv),
                             "gennemsnit_uger": float(w.mean()) if len(w) else np.nan})
    return pd.DataFrame(rows)

def tabel_18(b: BrugData) -> pd.DataFrame:
    """Tabel 18: key persons' estimated hours per case: mean of the casekommuners' averages, range =
    lowest minimum to highest maximum (def. 25)."""
    rows = []
    for niveau, r in case_levels(b.ressource, b):
        for o in ("pa", "hm", "is", "fa"):
            s = r.loc[r["ordning"] == o]
            rows.append({"niveau": niveau, "ordning": ORDNING_NAVN[o], "kommuner_i_alt": int(s["timer_gns"].notna().sum()),
                         "timer_gns": float(s["timer_gns"].mean()), "timer_min": float(s["timer_min"].min()),
                         "timer_max": float(s["timer_max"].max())})
    return pd.DataFrame(rows)

def tabel_19(b: BrugData) -> pd.DataFrame:
    """Tabel 19 (def. 23): PA time-limited or not (recorded), duration of the time-limited (< 12,
    = 12, > 12 months); HM udlån / tilskud."""
    rows = []
    for niveau, s in case_levels(b.sager, b):
        pa, hm = s.loc[s["ordning"] == "pa"], s.loc[s["ordning"] == "hm"]
        t = pa["tidsbegraenset"].astype("boolean")
        lab = pd.Series(np.where(t.fillna(False), "tidsbegrænset", "ikke tidsbegrænset"), index=pa.index).where(t.notna())
        rows += distribution_rows(lab, ["tidsbegrænset", "ikke tidsbegrænset"], niveau=niveau, ordning=ORDNING_NAVN["pa"], tema="bevilling")
        mdr = pd.to_numeric(pa.loc[t.fillna(False).to_numpy(bool), "varighed_mdr"], errors="coerce")
        vlab = pd.Series(np.select([mdr < 12, mdr == 12, mdr > 12], ["under 12 mdr.", "12 mdr.", "over 12 mdr."], default=""),
                         index=mdr.index).replace("", pd.NA).where(mdr.notna())
        rows += distribution_rows(vlab, ["under 12 mdr.", "12 mdr.", "over 12 mdr."], niveau=niveau,
                              ordning=ORDNING_NAVN["pa"], tema="varighed (tidsbegrænsede)")
        rows += distribution_rows(hm["udlaan_tilskud"], ["tilskud", "udlaan"], niveau=niveau, ordning=ORDNING_NAVN["hm"],
                              tema="udlån/tilskud")
    return pd.DataFrame(rows)

def sagsgennemgang_oversigt(b: BrugData) -> pd.DataFrame:
    """5.1/5.6 key facts of the case review per ordning: cases, afslag, førstegangsbevillinger, LAB/KOL,
    opfølgning uden ændring, søgt uden om jobcentret, mean months of time-limited PA grants."""
    rows = []
    for niveau, s in case_levels(b.sager, b):
        for o in ("pa", "hm", "is", "fa"):
            so = s.loc[s["ordning"] == o]
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o]}
            rows.append({**k, "maal": "sager", "antal": len(so), "n": len(so), "andel": np.nan})
            rows.append({**share_row(so["afgoerelse"] == "afslag", **k), "maal": "afslag"})
            rows.append({**share_row(so["foerstegangsbevilling"].astype("boolean"), **k), "maal": "førstegangsbevilling"})
            rows.append({**share_row((so["lov"].astype("string") == "KOL").astype("boolean").where(so["lov"].notna()), **k), "maal": "KOL"})
            rows.append({**share_row((~so["opfoelgning_med_aendring"].astype("boolean")), **k), "maal": "opfølgning uden ændring"})
            rows.append({**share_row(so["soegt_uden_om_jobcenter"].astype("boolean"), **k), "maal": "søgt uden om jobcentret"})
            t = so["tidsbegraenset"].astype("boolean").fillna(False).to_numpy(bool)
            mdr = pd.to_numeric(so.loc[t, "varighed_mdr"], errors="coerce").dropna()
            rows.append({**k, "maal": "gns. varighed tidsbegrænsede (mdr.)", "n": len(mdr),
                         "gennemsnit": float(mdr.mean()) if len(mdr) else np.nan,
                         "maksimum": float(mdr.max()) if len(mdr) else np.nan})
    out = pd.DataFrame(rows)
    return out.loc[out["n"] > 0].reset_index(drop=True)  # n == 0: the field is not recorded for that ordning


def opfoelgning_kommuner(b: BrugData) -> pd.DataFrame:
    """5.6 (l.1689, l.1691): per casekommune, the share of its PA cases that are (not) time-limited
    and the share of its HM cases given as udlån (cases where it is recorded)."""
    rows = []
    for kode, s in b.sager.groupby("kommunekode", sort=True):
        pa, hm = s.loc[s["ordning"] == "pa"], s.loc[s["ordning"] == "hm"]
        t = pa["tidsbegraenset"].astype("boolean")
        rows.append({**share_row(t, kommunekode=int(kode), ordning=ORDNING_NAVN["pa"]), "maal": "tidsbegrænset"})
        rows.append({**share_row(~t, kommunekode=int(kode), ordning=ORDNING_NAVN["pa"]), "maal": "ikke tidsbegrænset"})
        u = hm["udlaan_tilskud"].astype("string")
        rows.append({**share_row((u == "udlaan").astype("boolean").where(u.notna()), kommunekode=int(kode),
                                 ordning=ORDNING_NAVN["hm"]), "maal": "udlån"})
    return pd.DataFrame(rows)


def ressource_intervaller(b: BrugData) -> pd.DataFrame:
    """5.6 (l.1661-1669): the casekommuners' estimated ranges of hours per case (``timer_min`` to
    ``timer_max``), per ordning: how many kommuner give each range, most common first; and, per
    ordning, the kommuner whose whole range is at most 3 hours (HM: «ca. halvdelen ... 1-3 timer»)."""
    r = b.ressource.dropna(subset=["timer_min", "timer_max"])
    rows = []
    for o in ("pa", "hm", "is", "fa"):
        s = r.loc[r["ordning"] == o]
        n = len(s)
        cnt = s.groupby(["timer_min", "timer_max"]).size().reset_index(name="antal")
        cnt = cnt.sort_values(["antal", "timer_min", "timer_max"], ascending=[False, True, True], kind="stable")
        for rang, x in enumerate(cnt.itertuples(), start=1):
            rows.append({"ordning": ORDNING_NAVN[o], "gruppe": "interval", "rang": rang, "timer_min": float(x.timer_min),
                         "timer_max": float(x.timer_max), "antal": int(x.antal), "n": n, "andel": share(int(x.antal), n)})
        low = s.loc[s["timer_max"] <= 3]
        rows.append({"ordning": ORDNING_NAVN[o], "gruppe": "højst 3 timer", "rang": np.nan,
                     "timer_min": float(low["timer_min"].min()) if len(low) else np.nan,
                     "timer_max": float(low["timer_max"].max()) if len(low) else np.nan,
                     "antal": len(low), "n": n, "andel": share(len(low), n)})
    return pd.DataFrame(rows)
