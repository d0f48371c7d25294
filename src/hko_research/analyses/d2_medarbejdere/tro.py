"""Delanalyse 2, report section 4.4: the caseworker's belief in the citizen — across disability types
(Figur 17-18), by HKO knowledge (Figur 19), the vignette 'Hanne' without and with an HKO (Figur 20-21)
and the "Hvilke forhold samvarierer med ... tro på borger" cross-tabs."""
from __future__ import annotations

import pandas as pd

from . import measures as M
from .estimat import fordeling, gennemsnit, kommune_gennemsnit, krydstabel_gennemsnit
from .load import SurveyData

Q18 = {f"q18{x}": t for x, t in M.HANDICAPTYPER.items()}
TRO = ("bedre", "hverken", "daarligere", "ved_ikke")
DIMENSIONER = ("rammevilkaar", "anvendelsesgrad_band", "strategi", "organisering", "kommunestoerrelse", "anciennitet_3",
               "stilling", "viden_hko")


def figur_17(S: SurveyData) -> pd.DataFrame:
    """Figur 17: job chances for persons with each disability type vs persons without, 5 -> 3 (l.1029)."""
    parts = [fordeling(S, v, lambda s: M.sammenlaeg_5_3(s, M.TRO_3), TRO, maal=t).rename(columns={"maal": "handicaptype"})
             for v, t in Q18.items()]
    return pd.concat(parts, ignore_index=True)


def figur_18(S: SurveyData) -> pd.DataFrame:
    """Figur 18: each casekommune's mean belief (1 = meget dårligere ... 5 = meget bedre)."""
    return kommune_gennemsnit(S, Q18, M.SKALA_SOM_KODER)


def figur_19(S: SurveyData) -> pd.DataFrame:
    """Figur 19: mean belief per disability type by the respondent's HKO knowledge (def. 10), weighted
    (l.1056: «Vægtet gennemsnitligt trosniveau ... krydset med viden om HKO»)."""
    out = gennemsnit(S, Q18, M.SKALA_SOM_KODER, by="viden_hko", maal="tro")
    return out.rename(columns={"delspoergsmaal": "handicaptype"})


def _hanne(S: SurveyData, variabel: str, mapping: dict, order, maal: str) -> pd.DataFrame:
    out = fordeling(S, variabel, lambda s: M.sammenlaeg_5_3(s, mapping), order, maal=maal, by="hanne")
    return out.rename(columns={"hanne": "ydelse"})


def figur_20(S: SurveyData) -> pd.DataFrame:
    """Figur 20: Hanne's chances of a job within a year, by the ydelse she was randomly given (Q19, l.1084)."""
    return _hanne(S, "q19", M.MULIGHEDER_3, ("gode_chancer", "nogenlunde", "daarlige_chancer", "ved_ikke"), "hanne_uden_hko")


def figur_21(S: SurveyData) -> pd.DataFrame:
    """Figur 21: how much an HKO would raise her chances, by ydelse (Q20, l.1090; the note cites Q19)."""
    return _hanne(S, "q20", M.GRAD_3, ("hoej_grad", "hverken", "lav_grad", "ved_ikke"), "hanne_med_hko")


def forhold_tro(S: SurveyData) -> pd.DataFrame:
    """«Hvilke forhold samvarierer med jobcentermedarbejdernes tro på borger?» (l.1097-1101): mean belief
    across the four types by kommune facts and respondent characteristics, at respondent level."""
    return krydstabel_gennemsnit(S, Q18, M.SKALA_SOM_KODER, DIMENSIONER, maal="tro")
