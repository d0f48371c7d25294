"""Delanalyse 2, report section 4.3: the employment approach — 'omplacering' and 'det gode match'
(Figur 11-14), screening (Figur 15-16, Q13), economic limits (Q16) and the "Hvilke forhold har
betydning for ... tilgang" cross-tabs."""
from __future__ import annotations

import pandas as pd

from . import measures as M
from .estimat import binaer, fordeling, kommune_andel, kommune_gennemsnit, krydstabel, krydstabel_gennemsnit, valgt
from .load import SurveyData

ENIG = ("enig", "hverken", "uenig", "ved_ikke")
Q13 = {f"q13{x}": k for x, k in M.IKKE_SCREENING_GRUNDE.items()}
DIMENSIONER = ("anciennitet_3", "stilling", "koen", "rammevilkaar", "anvendelsesgrad_band", "strategi", "organisering",
               "kommunestoerrelse")


def _enig(s: pd.Series) -> pd.Series:
    return M.sammenlaeg_5_3(s, M.ENIG_3)


def figur_11(S: SurveyData) -> pd.DataFrame:
    """Figur 11: «Omplacering ... er et bedre redskab end HKO», 5 -> 3, weighted (l.909)."""
    return fordeling(S, "q14", _enig, ENIG, maal="omplacering")


def figur_12(S: SurveyData) -> pd.DataFrame:
    """Figur 12: each casekommune's mean agreement (1 = meget enig ... 5 = meget uenig, l.932)."""
    return kommune_gennemsnit(S, {"q14": "omplacering"}, M.SKALA_SOM_KODER)


def figur_13(S: SurveyData) -> pd.DataFrame:
    """Figur 13: «Et godt match ... gør det ofte unødvendigt at anvende HKO», 5 -> 3, weighted (l.922)."""
    return fordeling(S, "q15", _enig, ENIG, maal="godt_match")


def figur_14(S: SurveyData) -> pd.DataFrame:
    """Figur 14: each casekommune's mean agreement with the good match (1 = meget enig)."""
    return kommune_gennemsnit(S, {"q15": "godt_match"}, M.SKALA_SOM_KODER)


def _jn(s: pd.Series) -> pd.Series:
    return s.map(lambda v: None if pd.isna(v) else M.JA_NEJ.get(int(v))).astype("string")


def figur_15(S: SurveyData) -> pd.DataFrame:
    """Figur 15: «Screener du borgere for deres eventuelle handicap?» (Q12), weighted (l.966)."""
    return fordeling(S, "q12", _jn, ("ja", "nej", "ved_ikke"), maal="screening")


def figur_16(S: SurveyData) -> pd.DataFrame:
    """Figur 16: the share who screen in each casekommune (its respondents 1:1)."""
    return kommune_andel(S, "q12", lambda s: s.astype(int) == 1, maal="screening")


def ikke_screening(S: SurveyData) -> pd.DataFrame:
    """Q13: why those who do not screen do not (multi-select), weighted among them (l.980)."""
    return valgt(S, Q13, rows=lambda d: d["q12"] == 2).rename(columns={"maal": "grund"})


def oekonomi(S: SurveyData) -> pd.DataFrame:
    """Q16: «I hvilken grad oplever du, at økonomiske hensyn begrænser anvendelsen af HKO», weighted (l.1009)."""
    g = lambda s: M.sammenlaeg_5_3(s, M.GRAD_3)  # noqa: E731
    return fordeling(S, "q16", g, ("hoej_grad", "hverken", "lav_grad", "ved_ikke"), maal="oekonomi")


def sygeliggoerelse(S: SurveyData) -> pd.DataFrame:
    """Q17: «Jeg bruger ikke HKO, fordi ... sygeliggøre eller marginalisere borgeren» (not shown in the report)."""
    return fordeling(S, "q17", _enig, ENIG, maal="sygeliggoerelse")


def forhold_tilgang(S: SurveyData) -> pd.DataFrame:
    """«Hvilke forhold har betydning for jobcentermedarbejdernes beskæftigelsesfaglige tilgang?»
    (l.1009-1010): screening and the economic limits by respondent characteristics and kommune
    facts, at respondent level, with design-based intervals."""
    screen = krydstabel(S, "q12", binaer("screener", [1]), "screener", DIMENSIONER, maal="screener")
    limit = krydstabel(S, "q16", binaer("begraenser", [1, 2]), "begraenser", DIMENSIONER, maal="oekonomi_begraenser")
    return pd.concat([screen, limit], ignore_index=True)


def forhold_holdninger(S: SurveyData) -> pd.DataFrame:
    """The same breakdowns of the mean agreement with 'omplacering' and 'det gode match'
    (1 = meget enig; l.1009: the least favourable rammevilkår agree more)."""
    return pd.concat([krydstabel_gennemsnit(S, {"q14": "omplacering"}, M.SKALA_SOM_KODER, DIMENSIONER, maal="omplacering"),
                      krydstabel_gennemsnit(S, {"q15": "godt_match"}, M.SKALA_SOM_KODER, DIMENSIONER, maal="godt_match")],
                     ignore_index=True)
