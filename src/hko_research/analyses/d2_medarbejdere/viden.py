"""Delanalyse 2, report section 4.2: knowledge of disability and of HKO, advisory competence,
experience (Figur 3-10), sources of knowledge (Tabel 11), the key person's support (Q21) and the
"Hvilke forhold har betydning for ... viden" cross-tabs."""
from __future__ import annotations

import pandas as pd

from . import measures as M
from .estimat import fordeling, kommune_gennemsnit, krydstabel_gennemsnit, valgt
from .load import SurveyData

Q7 = {f"q7{x}": t for x, t in M.HANDICAPTYPER.items()}
Q8 = {f"q8{x}": o for x, o in M.ORDNINGER_SKEMA.items()}
Q9 = {f"q9{x}": o for x, o in M.ORDNINGER_SKEMA.items()}
Q11 = {f"q11{x}": o for x, o in M.ORDNINGER_SKEMA.items()}
Q10 = {f"q10{x}": k for x, k in M.VIDENSKILDER.items()}
ERFARING = {1: 1.0, 2: 0.0}  # def. 9: ja / (ja + nej), 'ved ikke' left out
DIMENSIONER = ("anciennitet_3", "stilling", "koen", "rammevilkaar", "anvendelsesgrad_band", "strategi", "organisering",
               "kommunestoerrelse")


def _items(S: SurveyData, items: dict, collapse, order, col: str) -> pd.DataFrame:
    parts = [fordeling(S, v, collapse, order, maal=name).rename(columns={"maal": col}) for v, name in items.items()]
    return pd.concat(parts, ignore_index=True)


def five_to_three(s: pd.Series) -> pd.Series:
    return M.sammenlaeg_5_3(s)


def figur_3(S: SurveyData) -> pd.DataFrame:
    """Figur 3: knowledge of each disability type, 5 -> 3 categories (def. 4), weighted (l.785)."""
    return _items(S, Q7, five_to_three, M.ORDER_5_3, "handicaptype")


def figur_4(S: SurveyData) -> pd.DataFrame:
    """Figur 4: each casekommune's mean knowledge (1-5, 5 = meget enig; def. 7) per type and across."""
    return kommune_gennemsnit(S, Q7, M.SKALA_VIDEN)


def figur_5(S: SurveyData) -> pd.DataFrame:
    """Figur 5: knowledge of each HKO, 0-10 -> 3 categories (def. 5), weighted (l.810)."""
    return _items(S, Q8, M.sammenlaeg_0_10, ("hoej", "mellem", "lav"), "ordning")


def figur_6(S: SurveyData) -> pd.DataFrame:
    """Figur 6: each casekommune's mean HKO knowledge (0-10) per ordning and across the four."""
    return kommune_gennemsnit(S, Q8, None)


def figur_7(S: SurveyData) -> pd.DataFrame:
    """Figur 7: «tilstrækkelig viden om HKO til at kunne vejlede» per ordning, 5 -> 3, weighted (l.823)."""
    return _items(S, Q9, five_to_three, M.ORDER_5_3, "ordning")


def figur_8(S: SurveyData) -> pd.DataFrame:
    """Figur 8: each casekommune's mean advisory competence (1-5, 5 = meget enig)."""
    return kommune_gennemsnit(S, Q9, M.SKALA_VIDEN)


def figur_9(S: SurveyData) -> pd.DataFrame:
    """Figur 9: experience with each HKO (ja / nej / ved ikke), weighted (l.839)."""
    jn = lambda s: s.map(lambda v: None if pd.isna(v) else M.JA_NEJ.get(int(v))).astype("string")  # noqa: E731
    return _items(S, Q11, jn, ("ja", "nej", "ved_ikke"), "ordning")


def figur_10(S: SurveyData) -> pd.DataFrame:
    """Figur 10: each casekommune's erfaringsniveau (def. 9): ja / (ja + nej), mean of the four ordninger."""
    out = kommune_gennemsnit(S, Q11, ERFARING)
    return out.rename(columns={c: c.replace("gennemsnit", "erfaringsniveau") for c in out.columns})


def tabel_11(S: SurveyData) -> pd.DataFrame:
    """Tabel 11: sources of knowledge about HKO (Q10, multi-select), weighted, most frequent first
    (rang 1-5 are the report's table, l.865-876)."""
    t = valgt(S, Q10).rename(columns={"maal": "videnskilde"})
    t["rang"] = t.groupby("niveau")["andel"].rank(ascending=False, method="first").astype(int)
    return t.sort_values(["niveau", "rang"]).reset_index(drop=True)


def noegleperson_stoette(S: SurveyData) -> pd.DataFrame:
    """Q21: «I hvor høj grad oplever du, at nøglepersonen understøtter dig» (l.878), weighted."""
    g = lambda s: M.sammenlaeg_5_3(s, M.GRAD_3)  # noqa: E731
    return fordeling(S, "q21", g, ("hoej_grad", "hverken", "lav_grad", "ved_ikke"), maal="noegleperson_stoette")


def forhold_viden(S: SurveyData) -> pd.DataFrame:
    """«Hvilke forhold har betydning for jobcentermedarbejdernes viden om handicap og HKO?» (l.880-885):
    the mean knowledge, advisory competence and erfaringsniveau by respondent characteristics and
    kommune facts, at respondent level."""
    parts = [krydstabel_gennemsnit(S, Q8, None, DIMENSIONER, maal="viden_hko"),
             krydstabel_gennemsnit(S, Q7, M.SKALA_VIDEN, DIMENSIONER, maal="viden_handicap"),
             krydstabel_gennemsnit(S, Q9, M.SKALA_VIDEN, DIMENSIONER, maal="vejledning"),
             krydstabel_gennemsnit(S, Q11, ERFARING, DIMENSIONER, maal="erfaringsniveau")]
    return pd.concat(parts, ignore_index=True)
