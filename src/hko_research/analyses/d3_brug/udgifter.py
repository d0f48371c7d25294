"""Delanalyse 3, report section 5.5 (Udgiftsniveau): expenditure, unit prices, expenditure vs population."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...levels import levels
from ...stats import share
from ...vocabulary import ORDNING_NAVN
from . import measures as M
from .load import BrugData, persons_of
from .omfang import anvendelsesgrad_kommuner


def udgifter_kommuner(b: BrugData) -> pd.DataFrame:
    """Per kommune: gross expenditure in Y per ordning (kr.), grants in Y, unit prices (def. 17),
    population YK4, and the PA+HM expenditure share minus population share (def. 18)."""
    Y = b.year
    r = b.regnskab.loc[b.regnskab["aar"] == Y]
    u = r.pivot_table(index="kommunekode", columns="ordning", values="bruttoudgift_1000kr", aggfunc="sum").reindex(
        columns=["pa", "hm", "is"]) * 1000
    k = anvendelsesgrad_kommuner(b).set_index("kommunekode")
    df = k[["kommune", "befolkning", "antal_pa", "antal_hm", "antal_is", "strategi", "organisering", "rammevilkaar",
            "kommunestoerrelse", "valgt"]].copy()
    for o in ("pa", "hm", "is"):
        df[f"udgift_{o}"] = u[o].reindex(df.index).fillna(0.0)
        df[f"enhedspris_{o}"] = M.enhedspris(df[f"udgift_{o}"], df[f"antal_{o}"])
        df[f"sager_pr_1000_{o}"] = share(df[f"antal_{o}"], df["befolkning"]) * 1000
    df["udgift_pa_hm"] = df["udgift_pa"] + df["udgift_hm"]
    diff = M.udgiftsandel_minus_befolkningsandel(df["udgift_pa_hm"], df["befolkning"])
    df = df.join(diff)
    df["udgift_pr_indbygger"] = share(df["udgift_pa_hm"] + df["udgift_is"], df["befolkning"])
    return df.reset_index()

def udgifter_national(b: BrugData) -> pd.DataFrame:
    """5.5: national expenditure per ordning, its share of all HKO expenditure, unit prices (mean of
    kommune prices = the report's yellow dot, and total/total), and share of recipients."""
    k = udgifter_kommuner(b)
    tot = sum(k[f"udgift_{o}"].sum() for o in ("pa", "hm", "is"))
    npers = {o: len(persons_of(b, o)) for o in ("pa", "hm", "is")}
    rows = []
    for o in ("pa", "hm", "is"):
        ep = M.enhedspris_national(k.set_index("kommunekode")[f"udgift_{o}"], k.set_index("kommunekode")[f"antal_{o}"])
        rows.append({"ordning": ORDNING_NAVN[o], "udgift_kr": float(k[f"udgift_{o}"].sum()),
                     "udgiftsandel": share(k[f"udgift_{o}"].sum(), tot), f"antal_bevillinger_{b.year}": int(k[f"antal_{o}"].sum()),
                     "enhedspris_gns_kommuner": ep["gennemsnit_kommuner"], "enhedspris_samlet": ep["samlet"],
                     "antal_personer_periode": npers[o], "personandel": share(npers[o], sum(npers.values()))})
    return pd.DataFrame(rows)

def enhedspriser(b: BrugData) -> pd.DataFrame:
    """Figur 26: mean kommune unit price per ordning for the selected kommuner and the whole country
    (mean of kommune prices over kommuner with grants), with the number of kommuner and grants."""
    k = udgifter_kommuner(b)
    rows = []
    for niveau, s in levels(k, b):
        for o in ("pa", "hm", "is"):
            ep = M.enhedspris_national(s.set_index("kommunekode")[f"udgift_{o}"], s.set_index("kommunekode")[f"antal_{o}"])
            rows.append({"niveau": niveau, "ordning": ORDNING_NAVN[o], "antal_bevillinger": int(s[f"antal_{o}"].sum()),
                         "kommuner_i_alt": int((s[f"antal_{o}"] > 0).sum()),
                         "enhedspris_gns_kommuner": ep["gennemsnit_kommuner"], "enhedspris_samlet": ep["samlet"]})
    return pd.DataFrame(rows)

def enhedspris_sammenhaenge(b: BrugData) -> pd.DataFrame:
    """5.5: Spearman correlation between kommune unit price and grants per inhabitant (PA, HM)."""
    from scipy import stats

    k = udgifter_kommuner(b)
    rows = []
    for o in ("pa", "hm"):
        d = k.dropna(subset=[f"enhedspris_{o}", f"sager_pr_1000_{o}"])
        if len(d) >= 3:
            rho, p = stats.spearmanr(d[f"sager_pr_1000_{o}"], d[f"enhedspris_{o}"])
        else:
            rho, p = np.nan, np.nan
        rows.append({"ordning": ORDNING_NAVN[o], "kommuner_i_alt": len(d), "spearman_rho": float(rho), "p_vaerdi": float(p)})
    return pd.DataFrame(rows)

def udgifter_grupper(b: BrugData) -> pd.DataFrame:
    """5.5 (l.1576-1580): mean kommune unit price and expenditure per inhabitant by strategi."""
    k = udgifter_kommuner(b)
    rows = []
    for v in ("proaktiv", "reaktiv", "diffus"):
        s = k.loc[k["strategi"] == v]
        rows.append({"strategi": v, "kommuner": len(s), "enhedspris_pa": s["enhedspris_pa"].mean(),
                     "enhedspris_hm": s["enhedspris_hm"].mean(), "udgift_pr_indbygger": s["udgift_pr_indbygger"].mean()})
    return pd.DataFrame(rows)
