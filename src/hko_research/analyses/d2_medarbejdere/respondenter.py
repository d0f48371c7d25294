"""Delanalyse 2, bilag 9.4 and 9.4.1: response rates, the respondent profile, the report's worked
weighting example and the tallies side by side."""
from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd

from ...kommuner import RAMMEVILKAAR_BAANDS_KAP4
from ...stats import TALLIES, TALLY_LABELS, survey_shares, tally_weights
from . import measures as M
from .estimat import binaer, levels
from .load import SurveyData, weight_column


def besvarelsesprocent(S: SurveyData) -> pd.DataFrame:
    """9.4 (l.2638-2650): respondents / staff with citizen contact per casekommune (def. 1), with the
    population share the report's weighting uses (9.4.1) and the respondents' share."""
    k = S.kom
    out = pd.DataFrame({
        "kommune": k["kommune"], "valgt": (k["valgt"] & (not S.all_kommuner)).map({True: "ja", False: "nej"}),
        "medarbejdere": k["medarbejdere"], "n": k["respondenter"], "besvarelsesgrad": k["besvarelsesprocent"],
        "befolkning": k["befolkning"], "befolkningsandel": k["befolkningsandel"],
        "andel_respondenter": k["respondenter"] / k["respondenter"].sum(),
    })
    tot = {"kommune": "I alt", "valgt": "i alt", "medarbejdere": k["medarbejdere"].sum(), "n": k["respondenter"].sum(),
           "besvarelsesgrad": M.besvarelsesprocent(k["respondenter"].sum(), k["medarbejdere"].sum()),
           "befolkning": k["befolkning"].sum(), "befolkningsandel": 1.0, "andel_respondenter": 1.0}
    out = pd.concat([out, pd.DataFrame([tot])], ignore_index=True)
    # with every kommune selected, "valgt" would say "nej" for all: leave it out
    return out.drop(columns="valgt") if S.all_kommuner else out


def profil(S: SurveyData) -> pd.DataFrame:
    """9.4's respondent profile at respondent level (l.2659-2669): køn, anciennitet, stilling, the
    number of respondents and kommuner; the mean age is :func:`profil_alder`."""
    rows = []
    dims = (("koen", ["kvinde", "mand", "andet"]), ("anciennitet", [b for b, _, _ in M.ANCIENNITET_PROFIL]),
            ("stilling", list(M.STILLINGER.values())))
    for niveau, d in levels(S):
        d = d.assign(vaegt=d[weight_column("respondent")])
        for dim, cats in dims:
            r = survey_shares(d, dim, categories=cats, population="medarbejdere")
            rows.append(r.assign(niveau=niveau, tema=dim))
    out = pd.concat(rows, ignore_index=True)
    return out[["niveau", "tema", "kategori", "antal", "n", "andel", "ci_nedre", "ci_oevre"]]


def profil_alder(S: SurveyData) -> pd.DataFrame:
    from ...stats import survey_means

    rows = []
    for niveau, d in levels(S):
        d = d.assign(vaegt=d[weight_column("respondent")], alder=d["q6"].astype(float))
        r = survey_means(d, "alder", population="medarbejdere").iloc[0]
        rows.append({"niveau": niveau, "n": int(r["n"]), "kommuner": int(d["kommunekode"].nunique()),
                     "gennemsnit_alder": r["gennemsnit"], "gennemsnit_alder_ci_nedre": r["ci_nedre"],
                     "gennemsnit_alder_ci_oevre": r["ci_oevre"]})
    return pd.DataFrame(rows)


def stilling_kommuner(S: SurveyData) -> pd.DataFrame:
    """Each stilling's share per casekommune (9.4: «På kommuneniveau varierer andelen fra 26-65 pct.»)."""
    d = S.resp
    tab = pd.crosstab(d["kommune"], d["stilling"]).reindex(columns=list(M.STILLINGER.values()), fill_value=0)
    n = tab.sum(axis=1)
    out = tab.add_prefix("antal_").reset_index()
    out.insert(1, "n", n.to_numpy())
    for s in M.STILLINGER.values():
        out[f"andel_{s}"] = out[f"antal_{s}"] / out["n"]
    return out


def rammevilkaar_grupper(rang: pd.DataFrame) -> pd.DataFrame:
    """Chapter 4's rammevilkår bands as they fall on the data (l.769): kommuner, lowest and highest
    VIVE rank in each band (all kommuner with a rank)."""
    r = rang.dropna(subset=["rang"]).assign(gruppe=lambda x: M.rammevilkaar_kap4(x["rang"]).to_numpy())
    rows = []
    for band, lo, hi in RAMMEVILKAAR_BAANDS_KAP4:
        g = r.loc[r["gruppe"] == band, "rang"]
        rows.append({"rammevilkaar": band, "kommuner": int(len(g)), "rang_min": int(g.min()) if len(g) else None,
                     "rang_max": int(g.max()) if len(g) else None, "definition": f"nr. {lo}-{hi}"})
    return pd.DataFrame(rows)


def regneeksempel(svar: Mapping[str, Sequence[int]], befolkning: Mapping[str, float] | None = None,
                  kategorier: Sequence[str] = ("meget_hoej", "hoej", "hverken", "lav", "meget_lav", "ved_ikke")) -> pd.DataFrame:
    """9.4.1's tallies on answers given per kommune ({kommune: [answer category, ...]}): each kommune's
    distribution (its respondents 1:1), their mean (kommuner 1:1) and, with ``befolkning``, their
    population-weighted mean. The package's own estimator (tally weights), not a copy of the
    arithmetic: the report's worked example is one use (tests/d2_medarbejdere, notebook 02)."""
    d = pd.DataFrame([{"kommunekode": k, "svar": a} for k, answers in svar.items() for a in answers])
    rows = []
    # 'svar'/'svar_i_alt' are the example's answers, not respondents: named so, they are not person
    # counts for disclosure control (the report's own illustration, published as printed)
    for k, g in d.groupby("kommunekode", sort=False):
        for c in kategorier:
            rows.append({"opgoerelse": f"Kommune {k}", "kategori": c, "svar": int((g["svar"] == c).sum()),
                         "svar_i_alt": int(len(g)), "andel": float((g["svar"] == c).mean())})
    tallies = [("kommune", "Kommuner (1:1)")]
    if befolkning is not None:
        tallies.append(("kommune_vaegtet", "Vægtet kommuner"))
    for t, label in tallies:
        w = tally_weights(d["kommunekode"], t, befolkning=befolkning)
        for c in kategorier:
            hit = (d["svar"] == c).astype(float)
            rows.append({"opgoerelse": label, "kategori": c, "svar": int(hit.sum()), "svar_i_alt": int(len(d)),
                         "andel": float((w * hit).sum() / w.sum())})
    return pd.DataFrame(rows)


def tre_opgoerelser(S: SurveyData, variabel: str = "q12", codes: Sequence[int] = (1,), *,
                    maal: str = "screener") -> pd.DataFrame:
    """One headline question under all four tallies side by side (9.4.1 and the textbook weight),
    with design-based logit intervals: so a reader sees whether the report's choice matters."""
    rows = []
    for niveau, d in levels(S):
        for t in TALLIES:
            x = d.assign(vaegt=d[weight_column(t)], _k=binaer(maal, codes)(d[variabel]).to_numpy())
            r = survey_shares(x, "_k", categories=[maal, "_andet"], population="medarbejdere")
            r = r.loc[r["kategori"] == maal].iloc[0]
            rows.append({"niveau": niveau, "opgoerelse": TALLY_LABELS[t], "vaegtning": t, "antal": int(r["antal"]),
                         "n": int(r["n"]), "andel": r["andel"], "ci_nedre": r["ci_nedre"], "ci_oevre": r["ci_oevre"],
                         "se": r["se"]})
    return pd.DataFrame(rows)


def kodebog_oversigt(S: SurveyData) -> pd.DataFrame:
    """The codebook the survey file declared, per question: answer codes, missing codes, multi-select set."""
    cb = S.kodebog.copy()
    cb["spoergsmaal"] = cb["multi_set"].where(cb["multi_set"].astype(str) != "", cb["variabel"])
    g = cb.groupby("spoergsmaal", sort=False)
    return pd.DataFrame({
        "spoergsmaal": list(g.groups),
        "variable": g["variabel"].nunique().to_numpy(),
        "svarkoder": g["vaerdi"].apply(lambda s: s.notna().sum()).to_numpy(),
        "missingkoder": g["missing"].apply(lambda s: int(s.astype(bool).sum())).to_numpy(),
        "flervalg": g["multi_set"].apply(lambda s: "ja" if (s.astype(str) != "").any() else "nej").to_numpy(),
    })

