"""Delanalyse 3, report section 5.2 (Omfang): grants, anvendelsesgrad and its relationships."""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from ...levels import VALGTE, levels
from ...stats import distribution_rows, share
from ...vocabulary import ORDNING_NAVN
from . import measures as M
from .load import BrugData, kvartal_befolkning, persons_of


def tabel_11(b: BrugData) -> pd.DataFrame:
    """Tabel 11: grants and re-grants by ordning for Y-1, Y and in total (def. 1-2); isbryder
    løntilskud forløb; fortrinsadgang from the national key-person survey (reported cases)."""
    y0, y1 = b.period
    rows = []
    for niveau, g in levels(b.grants, b):
        for o in ("pa", "hm", "is"):
            go = g.loc[g["ordning"] == o]
            a0, a1 = int((go["aar"] == y0).sum()), int((go["aar"] == y1).sum())
            rows += [{"niveau": niveau, "ordning": ORDNING_NAVN[o], "periode": f"Bevilliget i {y0}", "antal": a0},
                     {"niveau": niveau, "ordning": ORDNING_NAVN[o], "periode": f"Bevilliget i {y1}", "antal": a1},
                     {"niveau": niveau, "ordning": ORDNING_NAVN[o], "periode": "I alt", "antal": a0 + a1}]
    for niveau, s in levels(b.survey, b):
        fa = s.loc[(s["ordning"] == "fa") & s["aar"].isin([y0, y1])]
        a0 = int(fa.loc[fa["aar"] == y0, "antal_bevillinger"].sum())
        a1 = int(fa.loc[fa["aar"] == y1, "antal_bevillinger"].sum())
        rows += [{"niveau": niveau, "ordning": ORDNING_NAVN["fa"], "periode": f"Bevilliget i {y0}", "antal": a0},
                 {"niveau": niveau, "ordning": ORDNING_NAVN["fa"], "periode": f"Bevilliget i {y1}", "antal": a1},
                 {"niveau": niveau, "ordning": ORDNING_NAVN["fa"], "periode": "I alt", "antal": a0 + a1}]
    return pd.DataFrame(rows)

def survey_kommuner(b: BrugData) -> int:
    """Number of kommuner that responded to the national survey for the period (Tabel 11 note,
    l.1240: «55 kommuner har bidraget med antal i perioden 2018-2019»); a kommune counts when it has
    a row for the period, also if its fortrinsadgang count is missing (item non-response)."""
    s = b.survey
    return int(s.loc[s["aar"].isin(b.period), "kommunekode"].nunique())

def udvikling(b: BrugData) -> pd.DataFrame:
    """Change Y-1 -> Y in grants per ordning (5.2: «stigning ... på henholdsvis 8 og 5 procent»)."""
    y0, y1 = b.period
    rows = []
    for niveau, g in levels(b.grants, b):
        for o, lab in (("pa", "pa"), ("hm", "hm"), ("pa+hm", "pa+hm")):
            go = g.loc[g["ordning"].isin(o.split("+"))]
            a0, a1 = int((go["aar"] == y0).sum()), int((go["aar"] == y1).sum())
            rows.append({"niveau": niveau, "ordning": lab, f"antal_{y0}": a0, f"antal_{y1}": a1,
                         "relativ_aendring": share(a1, a0) - 1 if a0 else np.nan})
    return pd.DataFrame(rows)

def anvendelsesgrad_kommuner(b: BrugData, year: int | None = None) -> pd.DataFrame:
    """Kommune-level anvendelsesgrad (def. 15): PA+HM (and each ordning) grants starting in Y per
    inhabitant YK4, with band, rammevilkår, size and (casekommuner) typology."""
    Y = int(year or b.year)
    g = b.grants.loc[b.grants["aar"] == Y]
    cnt = g.pivot_table(index="kommunekode", columns="ordning", values="grant_id", aggfunc="count").reindex(
        columns=["pa", "hm", "is"]).fillna(0)
    info = b.kommuneinfo.set_index("kommunekode")
    df = pd.DataFrame(index=info.index)
    df["kommune"] = info["kommune"]
    for o in ("pa", "hm", "is"):
        df[f"antal_{o}"] = cnt[o].reindex(df.index).fillna(0).astype(int)
    df["antal_pa_hm"] = df["antal_pa"] + df["antal_hm"]
    df["befolkning"] = kvartal_befolkning(b.befolkning, f"{Y}K4").reindex(df.index)
    df["anvendelsesgrad"] = M.anvendelsesgrad(df["antal_pa_hm"], df["befolkning"])
    df["anvendelsesgrad_pa"] = M.anvendelsesgrad(df["antal_pa"], df["befolkning"])
    df["anvendelsesgrad_hm"] = M.anvendelsesgrad(df["antal_hm"], df["befolkning"])
    df["anvendelsesgrad_band"] = M.anvendelsesgrad_band(df["anvendelsesgrad"]).to_numpy()
    for c in ("rang", "rammevilkaar", "kommunestoerrelse", "strategi", "organisering", "region"):
        df[c] = info[c]
    df["valgt"] = df.index.isin(b.kommuner)
    return df.reset_index()

def tabel_12(b: BrugData) -> pd.DataFrame:
    """Tabel 12: share of kommuner by anvendelsesgrad band (lav < 0,2 pct., mellem, høj > 0,5 pct.)."""
    k = anvendelsesgrad_kommuner(b)
    rows = []
    for niveau, s in levels(k, b):
        rows += distribution_rows(s["anvendelsesgrad_band"], ["lav", "mellem", "hoej"], niveau=niveau)
    out = pd.DataFrame(rows).rename(columns={"kategori": "anvendelsesgrad", "antal": "kommuner",
                                             "n": "kommuner_i_alt"})
    return out

def anvendelsesgrad_sammenhaenge(b: BrugData) -> pd.DataFrame:
    """Kommune-level tests the report makes (5.2, fn. 28 «p-værdi <0,05»): anvendelsesgrad (PA+HM,
    PA, HM) vs VIVE rammevilkår rank — Spearman correlation and OLS slope (statsmodels) with p-values."""
    from scipy import stats
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    k = anvendelsesgrad_kommuner(b).dropna(subset=["rang"])
    rows = []
    for col, lab in (("anvendelsesgrad", "PA og hjælpemidler"), ("anvendelsesgrad_pa", "Personlig assistance"),
                     ("anvendelsesgrad_hm", "Hjælpemidler")):
        d = k.dropna(subset=[col])
        if len(d) < 3:
            rows.append({"maal": lab, "kommuner_i_alt": len(d)})
            continue
        rho, p_s = stats.spearmanr(d["rang"], d[col])
        fit = OLS(d[col].astype(float) * 100, add_constant(d["rang"].astype(float))).fit()
        rows.append({"maal": lab, "kommuner_i_alt": len(d), "spearman_rho": float(rho), "spearman_p": float(p_s),
                     "ols_haeldning_pct_point_pr_rang": float(fit.params["rang"]), "ols_p": float(fit.pvalues["rang"]),
                     "signifikant": M.signifikant(p_s)})
    return pd.DataFrame(rows)

def anvendelsesgrad_grupper(b: BrugData) -> pd.DataFrame:
    """Mean kommune anvendelsesgrad (unweighted over kommuner) by rammevilkår band (all kommuner) and
    by strategi / organisering (casekommuner), for PA+HM, PA and HM (5.2, l.1285-1297)."""
    k = anvendelsesgrad_kommuner(b)
    rows = []
    for dim, values in (("rammevilkaar", ["vanskelige", "mellem", "gode"]),
                        ("strategi", ["proaktiv", "reaktiv", "diffus"]),
                        ("organisering", ["specialiseret_team", "spredt_specialisering", "generel_specialisering"])):
        for v in values:
            s = k.loc[k[dim] == v]
            rows.append({"dimension": dim, "gruppe": v, "kommuner": len(s),
                         "anvendelsesgrad": s["anvendelsesgrad"].mean(),
                         "anvendelsesgrad_pa": s["anvendelsesgrad_pa"].mean(),
                         "anvendelsesgrad_hm": s["anvendelsesgrad_hm"].mean()})
    return pd.DataFrame(rows)

def trend(b: BrugData) -> pd.DataFrame:
    """Grants per ordning and national/selected anvendelsesgrad (PA+HM) for every covered year."""
    rows = []
    for Y in b.covered_years:
        pop = kvartal_befolkning(b.befolkning, f"{Y}K4")
        for niveau, g in levels(b.grants.loc[b.grants["aar"] == Y], b):
            kom = list(b.kommuner) if niveau == VALGTE else list(pop.index)
            row = {"niveau": niveau, "aar": int(Y)}
            for o in ("pa", "hm", "is"):
                row[f"antal_{o}"] = int((g["ordning"] == o).sum())
            row["anvendelsesgrad"] = share(row["antal_pa"] + row["antal_hm"], float(pop.reindex(kom).sum()))
            rows.append(row)
    return pd.DataFrame(rows)

def kommune_andele(b: BrugData, ordning: str, kommunekoder: Iterable[int]) -> float:
    """Share of the period's grants of ``ordning`` made by the given kommuner (5.2, l.1248)."""
    g = b.pgrants.loc[b.pgrants["ordning"] == ordning]
    return share(int(g["kommunekode"].isin(list(kommunekoder)).sum()), len(g))

def fuldtid_udvikling(b: BrugData) -> pd.DataFrame:
    """Fuldtidspersoner on public support (all groups), Y-1 and Y, and the relative change — the
    nearest available measure of 5.2's «antallet af borgere på offentlig forsørgelse» (fn. 26 counts
    persons, jobindsats.dk; the pipeline only has fuldtidspersoner)."""
    y0, y1 = b.period
    rows = []
    for niveau, f in levels(b.fuldtid, b):
        a0 = float(f.loc[f["aar"] == y0, "fuldtidspersoner"].sum())
        a1 = float(f.loc[f["aar"] == y1, "fuldtidspersoner"].sum())
        rows.append({"niveau": niveau, f"fuldtidspersoner_{y0}": a0, f"fuldtidspersoner_{y1}": a1,
                     "relativ_aendring": share(a1, a0) - 1 if a0 else np.nan})
    return pd.DataFrame(rows)

def kommune_fakta(b: BrugData) -> pd.DataFrame:
    """Kommune shares the report names (5.2 l.1248, 5.3.4 l.1481): every kommune's share of the
    period's isbryder grants (zero where it has none), and the branche distribution of each
    kommune's PA recipients with a branche code (every group, zero where none)."""
    from ...inputs.readers import read_mapping
    from ...paths import MAPPINGS_DIR

    rows = []
    g = b.pgrants.loc[b.pgrants["ordning"] == "is"]
    n = len(g)
    cnt = g["kommunekode"].value_counts()
    for kode in b.kommuneinfo["kommunekode"]:
        a = int(cnt.get(kode, 0))
        rows.append({"maal": "andel af isbryderforløb", "kommunekode": int(kode), "kategori": "",
                     "antal": a, "n": n, "andel": share(a, n)})
    grupper = list(read_mapping(MAPPINGS_DIR / "branche_db07.csv")["branchegruppe"])
    p = persons_of(b, "pa")
    for kode, s in p.groupby("kommunekode"):
        for r in distribution_rows(s["branchegruppe"], grupper):
            rows.append({"maal": "PA-modtagere efter branche", "kommunekode": int(kode), **r})
    return pd.DataFrame(rows, columns=["maal", "kommunekode", "kategori", "antal", "n", "andel"])


# DST's landsdele "Byen København" (København, Frederiksberg, Dragør, Tårnby) and "Københavns omegn"
# (NUTS 3 DK011 and DK012): DST's geographic hierarchy, the file kommuner.csv is derived from
# (reference/PROVENANCE.md: ktbaek/COVID-19-Danmark data/DST_geografisk_hieraki.csv, commit 69c2334).
KOEBENHAVN_OG_OMEGN = (101, 147, 155, 185,
                       165, 151, 153, 157, 159, 161, 163, 167, 169, 183, 173, 175, 187)


def isbryder_omraade(b: BrugData) -> pd.DataFrame:
    """5.2 (l.1248): share of the period's isbryder grants made in København and omegn (DST
    landsdele Byen København + Københavns omegn) and in the rest of the country."""
    g = b.pgrants.loc[b.pgrants["ordning"] == "is"]
    i = g["kommunekode"].isin(KOEBENHAVN_OG_OMEGN)
    lab = pd.Series(np.where(i, "København og omegn", "Resten af landet"), index=g.index)
    return pd.DataFrame(distribution_rows(lab, ["København og omegn", "Resten af landet"])).rename(
        columns={"kategori": "omraade"})
