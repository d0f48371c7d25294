"""Delanalyse 3, report sections 5.3.1-5.3.2 (Målgruppe): background and benefit situation at grant."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...inputs.readers import read_mapping
from ...levels import LANDET, levels
from ...paths import MAPPINGS_DIR
from ...stats import distribution_rows, share_row
from ...vocabulary import ORDNING_NAVN
from . import measures as M
from .load import INDKOMST_GRAENSE, BrugData, persons_of

UDD_KAT = ["grundskole", "gymnasial_erhvervsfaglig", "kort_videregaaende", "mellemlang_videregaaende",
           "lang_videregaaende", "uoplyst"]

ALDER_KAT = ["under 30", "30-50", "over 50"]

def _alder_kat(a: pd.Series) -> pd.Series:
    a = pd.to_numeric(a, errors="coerce")
    return pd.Series(np.select([a < 30, a > 50, a.notna()], ["under 30", "over 50", "30-50"], default=""),
                     index=a.index).replace("", pd.NA).astype("string")

def tabel_13(b: BrugData, ordninger=("pa", "hm", "is")) -> pd.DataFrame:
    """Tabel 13: recipients in the period (person level, index grant) by køn, alder, uddannelse,
    indkomst > 300.000, branche and sektor (def. 3-8). Each tema is a partition of its base n."""
    branche_kat = list(read_mapping(MAPPINGS_DIR / "branche_db07.csv")["branchegruppe"])
    rows = []
    for o in ordninger:
        for niveau, p in levels(persons_of(b, o), b):
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o]}
            rows += distribution_rows(p["koen"], ["mand", "kvinde"], **k, tema="køn")
            rows += distribution_rows(_alder_kat(p["alder"]), ALDER_KAT, **k, tema="alder")
            rows += distribution_rows(p["uddannelse"], UDD_KAT, **k, tema="uddannelse")
            inc = pd.to_numeric(p["perindkp"], errors="coerce")
            lab = pd.Series(np.where(inc > INDKOMST_GRAENSE, "over 300.000 kr.", "300.000 kr. eller derunder"),
                            index=p.index).where(inc.notna())
            rows += distribution_rows(lab, ["over 300.000 kr.", "300.000 kr. eller derunder"], **k, tema="indkomst")
            rows += distribution_rows(p["branchegruppe"], branche_kat, **k, tema="branche")
            rows += distribution_rows(p["sektor"], ["offentlig", "privat"], **k, tema="sektor")
    return pd.DataFrame(rows)

def tabel_13_indkomst(b: BrugData, ordninger=("pa", "hm", "is")) -> pd.DataFrame:
    """Tabel 13: mean personal income (PERINDKP) in the index grant's year, recipients with a value."""
    rows = []
    for o in ordninger:
        for niveau, p in levels(persons_of(b, o), b):
            inc = pd.to_numeric(p["perindkp"], errors="coerce").dropna()
            rows.append({"niveau": niveau, "ordning": ORDNING_NAVN[o], "n": len(inc),
                         "gennemsnitsindkomst": float(inc.mean()) if len(inc) else np.nan})
    return pd.DataFrame(rows)

def antal_modtagere(b: BrugData) -> pd.DataFrame:
    """Recipients (persons) and grants in the period per ordning (Tabel 13/15/16 N)."""
    rows = []
    for o in ("pa", "hm", "is"):
        for niveau, p in levels(persons_of(b, o), b):
            g = b.pgrants.loc[(b.pgrants["ordning"] == o)]
            g = g if niveau == LANDET else g.loc[g["kommunekode"].isin(b.kommuner)]
            rows.append({"niveau": niveau, "ordning": ORDNING_NAVN[o], "antal_personer": len(p), "antal_bevillinger": len(g)})
    return pd.DataFrame(rows)

YDELSE_KAT = ["selvforsoerget", "delvis_sygemeldt", "fleksjob", "ledighedsydelse", "sygedagpenge", "jobafklaring",
              "a_dagpenge", "kontanthjaelp", "uddannelseshjaelp", "integrationsydelse", "revalidering",
              "ressourceforloeb", "su", "uden_for_arbejdsstyrken", "andet"]

def ydelsesforhold(b: BrugData, ordninger=("pa", "hm", "is")) -> pd.DataFrame:
    """5.3.2: grants in the period by ydelsesgruppe at grant (grant level, def. 9) and by perspektiv
    (fastholdelse / rekruttering / andet, def. 10-11)."""
    rows = []
    for o in ordninger:
        for niveau, g in levels(b.pgrants.loc[b.pgrants["ordning"] == o], b):
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o]}
            rows += distribution_rows(g["ydelsesgruppe"], YDELSE_KAT, **k, tema="ydelsesgruppe")
            rows += distribution_rows(g["perspektiv"], ["fastholdelse", "rekruttering", "andet"], **k, tema="perspektiv")
    return pd.DataFrame(rows)

def figur_22_23(b: BrugData) -> pd.DataFrame:
    """Figur 22 (HM: persons granted in Y, ydelsesgruppe at their first HM grant in Y) and Figur 23
    (PA: persons with a grant active in Y, ydelsesgruppe in the first active week of Y), per
    jobindsats group, divided by fuldtidspersoner in Y (def. 16)."""
    Y = b.year
    grupper = ["ADP", "KTH", "UDH", "REV", "INT", "SDP", "JAF", "RESS", "LYD", "FLEKS"]
    hm = (b.pgrants.loc[(b.pgrants["ordning"] == "hm") & (b.pgrants["aar"] == Y)]
          .sort_values(["pnr", "start", "grant_id"]).drop_duplicates("pnr"))
    pa = b.pa_active.sort_values(["pnr", "dato", "grant_id"]).drop_duplicates("pnr")
    ft = b.fuldtid.loc[b.fuldtid["aar"] == Y]
    rows = []
    for o, frame in (("hm", hm), ("pa", pa)):
        for niveau, g in levels(frame, b):
            f = ft if niveau == LANDET else ft.loc[ft["kommunekode"].isin(b.kommuner)]
            fsum = f.groupby("ydelsesgruppe")["fuldtidspersoner"].sum()
            cnt = g["jobindsats_gruppe"].value_counts()
            for gr in grupper:
                a = int(cnt.get(gr, 0))
                rows.append({"niveau": niveau, "ordning": ORDNING_NAVN[o], "ydelsesgruppe": gr, "antal": a,
                             "fuldtidspersoner": float(fsum.get(gr, np.nan)),
                             "andel": M.andel_af_fuldtidspersoner(a, float(fsum.get(gr, np.nan)))})
    return pd.DataFrame(rows)

def rekrutteringsgrad_strategi(b: BrugData) -> pd.DataFrame:
    """5.3.2 (l.1379): rekrutteringsgrad (def. 11) per casekommune for PA and HM over the period's
    grants, averaged (unweighted) over the kommuner of each strategi."""
    g = b.pgrants.merge(b.kommuneinfo[["kommunekode", "strategi"]], on="kommunekode").dropna(subset=["strategi"])
    rows = []
    for o in ("pa", "hm"):
        per_k = g.loc[g["ordning"] == o].groupby(["strategi", "kommunekode"]).apply(
            lambda s: M.rekrutteringsgrad(s["ydelsesgruppe"], s["perspektiv"]), include_groups=False)
        for v in ("proaktiv", "reaktiv", "diffus"):
            vals = per_k.get(v, pd.Series(dtype=float)) if len(per_k) else pd.Series(dtype=float)
            rows.append({"ordning": ORDNING_NAVN[o], "strategi": v, "kommuner": int(pd.Series(vals).notna().sum()),
                         "rekrutteringsgrad": float(pd.Series(vals).mean())})
    return pd.DataFrame(rows)

def profil_ekstra(b: BrugData, ordninger=("pa", "hm", "is")) -> pd.DataFrame:
    """Person-level shares used in 5.3.1 and 5.7 that are not partitions of Tabel 13: age 18-29 and
    over 40, any videregående uddannelse, ydelsesgruppe at the index grant, and branche among all
    recipients."""
    branche_kat = list(read_mapping(MAPPINGS_DIR / "branche_db07.csv")["branchegruppe"])
    rows = []
    for o in ordninger:
        for niveau, p in levels(persons_of(b, o), b):
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o]}
            a = pd.to_numeric(p["alder"], errors="coerce")
            for lab, flag in (("18-29", (a >= 18) & (a <= 29)), ("over 40", a > 40)):
                rows.append({**share_row(flag.astype("boolean").where(a.notna()), **k, tema="alder"), "kategori": lab})
            rows.append({**share_row(p["uddannelse"].isin(["kort_videregaaende", "mellemlang_videregaaende",
                                                            "lang_videregaaende"]), **k, tema="uddannelse"),
                         "kategori": "videregaaende"})
            rows += distribution_rows(p["ydelsesgruppe"], YDELSE_KAT, **k, tema="ydelsesgruppe (person)")
            # 5.3.4 (l.1481) gives branche shares of all recipients, with those without a workplace
            # in the base (Tabel 13: of those with a branche code).
            rows += distribution_rows(p["branchegruppe"].astype("string").fillna("uden_branche"),
                                      [*branche_kat, "uden_branche"], **k, tema="branche (alle modtagere)")
    return pd.DataFrame(rows)

def uddannelse_rammevilkaar(b: BrugData) -> pd.DataFrame:
    """5.3.1 (l.1328): share of PA and HM recipients with lang videregående uddannelse by the
    kommune's rammevilkår band, plus a Spearman test at kommune level (share vs rank)."""
    from scipy import stats

    info = b.kommuneinfo.set_index("kommunekode")
    rows = []
    for o in ("pa", "hm"):
        p = persons_of(b, o).copy()
        p["rammevilkaar"] = p["kommunekode"].map(info["rammevilkaar"])
        p["lvu"] = p["uddannelse"] == "lang_videregaaende"
        p["vu"] = p["uddannelse"].isin(["kort_videregaaende", "mellemlang_videregaaende", "lang_videregaaende"])
        for band in ("vanskelige", "mellem", "gode"):
            s = p.loc[p["rammevilkaar"] == band]
            rows.append({**share_row(s["lvu"], ordning=ORDNING_NAVN[o], rammevilkaar=band), "kategori": "lang_videregaaende"})
        per_k = p.groupby("kommunekode")["vu"].mean()
        d = pd.DataFrame({"vu": per_k, "rang": info["rang"].reindex(per_k.index)}).dropna()
        rho, pv = stats.spearmanr(d["rang"], d["vu"]) if len(d) >= 3 else (np.nan, np.nan)
        rows.append({"ordning": ORDNING_NAVN[o], "rammevilkaar": "alle (Spearman, kommuneniveau)",
                     "kategori": "videregaaende vs. rang", "n": len(d), "spearman_rho": float(rho), "p_vaerdi": float(pv)})
    return pd.DataFrame(rows)
