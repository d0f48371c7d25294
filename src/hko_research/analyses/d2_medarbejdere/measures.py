"""Delanalyse 2's measures, each defined once with the report's wording (definitions.md, def. #).

The questionnaire's codes (bilag 9.4.2, params/mappings/medarbejdersurvey_spoergeskema.csv) are
turned into the report's categories and scores here; the generator and the table builders both
call these functions, so the synthetic data and the analysis use the same definitions.
"""
from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from ...kommuner import RAMMEVILKAAR_BAANDS_KAP4, rammevilkaar_band

VED_IKKE = 6  # 'Ved ikke' on every five-point scale of the questionnaire (code 6)

# The four disability types (Q7, Q18) and the four ordninger (Q8, Q9, Q11) in questionnaire order.
HANDICAPTYPER = {"a": "fysisk", "b": "psykisk", "c": "sensorisk", "d": "intellektuel"}
ORDNINGER_SKEMA = {"a": "pa", "b": "is", "c": "fa", "d": "hm"}
HANNE_YDELSER = {1: "kontanthjaelp", 2: "dagpenge", 3: "sygedagpenge", 4: "ledighedsydelse"}
STILLINGER = {1: "myndighedssagsbehandler", 2: "virksomhedskonsulent", 3: "myndighed_virksomhed",
              4: "noegleperson", 5: "administrativ", 6: "andet"}
VIDENSKILDER = {"a": "noegleperson", "b": "naermeste_leder", "c": "opkvalificering", "d": "handicaporganisationer",
                "e": "laeser_selv_lovgivning", "f": "nyhedsbreve_star", "g": "tidligere_ansaettelse",
                "h": "specialteam", "i": "ingen_viden", "j": "andet"}
IKKE_SCREENING_GRUNDE = {"a": "ubehageligt", "b": "ikke_erkendt", "c": "svaert_at_opdage", "d": "ressourcer_frem_for_barrierer",
                         "e": "ikke_opmaerksom", "f": "ingen_borgersamtaler", "g": "allerede_beskrevet",
                         "h": "ikke_min_opgave", "i": "ikke_relevant", "j": "andet"}

# def. 4 — collapsing five answers into three (l.785 «Svarkategorierne er samlet fra 5 til 3
# kategorier»; the report never says which codes merge). Default: the two answers at each end and
# the middle one; 'ved ikke' its own category. Parameter of the table builders.
SAMMENLAEGNING_5_3 = {1: "hoej", 2: "hoej", 3: "mellem", 4: "lav", 5: "lav", VED_IKKE: "ved_ikke"}
# The same collapse with the words of each scale (labels.yaml gives the Danish text).
ENIG_3 = {1: "enig", 2: "enig", 3: "hverken", 4: "uenig", 5: "uenig", VED_IKKE: "ved_ikke"}
GRAD_3 = {1: "hoej_grad", 2: "hoej_grad", 3: "hverken", 4: "lav_grad", 5: "lav_grad", VED_IKKE: "ved_ikke"}
MULIGHEDER_3 = {1: "gode_chancer", 2: "gode_chancer", 3: "nogenlunde", 4: "daarlige_chancer", 5: "daarlige_chancer",
                VED_IKKE: "ved_ikke"}
TRO_3 = {1: "daarligere", 2: "daarligere", 3: "hverken", 4: "bedre", 5: "bedre", VED_IKKE: "ved_ikke"}
JA_NEJ = {1: "ja", 2: "nej", 3: "ved_ikke"}
ORDER_5_3 = ("hoej", "mellem", "lav", "ved_ikke")
# def. 5 — collapsing 0-10 into three (l.810 «samlet fra 10 til 3 kategorier»): 0-3 / 4-6 / 7-10
# (about a third of the scale each; assumption A2).
SAMMENLAEGNING_0_10 = ((0, 3, "lav"), (4, 6, "mellem"), (7, 10, "hoej"))
# def. 6 — 'ved ikke' stays in the denominator of shares (9.4.1, l.2702-2709: the kommune
# distribution has six categories summing to 100); means leave it out.
VED_IKKE_I_NAEVNER = True

# def. 7 — scores for means. Knowledge and advisory competence (Q7, Q9) are scored so that a higher
# mean is more knowledge (5 = meget enig): the report reads kommune means of 2,9-4,2 next to 50-58
# pct. 'høj viden' (l.793), which only fits that direction. The statements on omplacering and the
# good match are scored as the report says, 1 = meget enig ... 5 = meget uenig (l.932). Belief in
# job chances (Q18) runs from 1 = meget dårligere to 5 = meget bedre (the questionnaire's order).
SKALA_VIDEN = {1: 5, 2: 4, 3: 3, 4: 2, 5: 1}
SKALA_SOM_KODER = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}


def sammenlaeg_5_3(codes, mapping: Mapping[int, str] = SAMMENLAEGNING_5_3) -> pd.Series:
    """Q7, Q9, Q14-Q21 codes -> 'hoej' (codes 1-2), 'mellem' (3), 'lav' (4-5), 'ved_ikke' (6) (def. 4).

    What 'hoej' means follows the question: agreement (Q7, Q9, Q14, Q15, Q17), 'i (meget) høj grad'
    (Q16, Q20, Q21), 'meget gode/gode' (Q19) and, on Q18, 'dårligere' (codes 1-2 are the worse end)."""
    s = pd.Series(codes)
    return s.map(lambda v: mapping.get(int(v)) if pd.notna(v) else None).astype("string")


def sammenlaeg_0_10(values, cuts=SAMMENLAEGNING_0_10) -> pd.Series:
    """Q8 (0-10) -> 'lav' / 'mellem' / 'hoej' by ``cuts`` (def. 5). Non-integer values (a mean of
    several answers) belong to the band whose range, widened by half a point, holds them."""
    s = pd.to_numeric(pd.Series(values), errors="coerce").astype(float)
    out = pd.Series(pd.NA, index=s.index, dtype="string")
    for lo, hi, label in cuts:
        out[(s >= lo - 0.5) & (s < hi + 0.5)] = label
    return out


def score(codes, scale: Mapping[int, float] = SKALA_SOM_KODER) -> pd.Series:
    """Numeric score of a five-point answer (def. 7); 'ved ikke' and missing -> NaN."""
    s = pd.Series(codes)
    return s.map(lambda v: scale.get(int(v), np.nan) if pd.notna(v) else np.nan).astype(float)


def procentvis_forskel(values: Iterable[float]) -> float:
    """The report's 'procentvis forskel' between the highest and the lowest value: max/min - 1
    (def. 8; l.793 «2,9-4,2 ..., hvilket svarer til en procentvis forskel på 45 pct.»: 4,2/2,9 - 1 =
    0,448). NaN values are left out; NaN when fewer than two values or the minimum is 0."""
    v = pd.to_numeric(pd.Series(list(values)), errors="coerce").dropna()
    if len(v) < 2 or v.min() <= 0:
        return float("nan")
    return float(v.max() / v.min() - 1)


def erfaringsniveau(ja: float, nej: float) -> float:
    """Share with experience among those who answered yes or no (def. 9; l.839 «målt som forholdet
    mellem andelen, der har angivet at de hhv. har og ikke har erfaring»): ja / (ja + nej)."""
    return float(ja / (ja + nej)) if (ja + nej) > 0 else float("nan")


def viden_hko_niveau(q8: pd.DataFrame, cuts=SAMMENLAEGNING_0_10) -> pd.Series:
    """A respondent's HKO knowledge (def. 10, Figur 19 «krydset med viden om HKO»; l.1062 «Jo større
    viden man har på tværs af de fire HKO»): the mean of the answered Q8a-d, collapsed like one Q8
    answer (def. 5)."""
    return sammenlaeg_0_10(q8.mean(axis=1, skipna=True), cuts)


ANCIENNITET_PROFIL = (("under_1_aar", 0, 0), ("1-5_aar", 1, 5), ("6-10_aar", 6, 10), ("over_10_aar", 11, 99))
ANCIENNITET_TRE = (("0-5_aar", 0, 5), ("6-10_aar", 6, 10), ("over_10_aar", 11, 99))


def anciennitet_band(years, bands=ANCIENNITET_PROFIL) -> pd.Series:
    """Q4 years in the current jobcentre (0 = under one year) -> the profile's bands (l.2663: «Under 1
    år ..., mellem 1-5 år, ... 6-10 år og ... over 10 år»), or with ``ANCIENNITET_TRE`` the cross-tab's
    '0-5 år' / '6-10 år' / 'over 10 år' (l.1010) (def. 11)."""
    y = pd.to_numeric(pd.Series(years), errors="coerce")
    out = pd.Series(pd.NA, index=y.index, dtype="string")
    for label, lo, hi in bands:
        out[(y >= lo) & (y <= hi)] = label
    return out


def rammevilkaar_kap4(rang) -> pd.Series:
    """Chapter 4's rammevilkår bands (def. 12, l.769): mindst favorable 1-33, mellem 34-66, mest
    favorable 67-98 (VIVE rank, 1 = least favourable)."""
    return rammevilkaar_band(rang, RAMMEVILKAAR_BAANDS_KAP4)


def besvarelsesprocent(respondenter: float, medarbejdere: float) -> float:
    """Respondents / employees with citizen contact (def. 1; 9.4 l.2635-2650)."""
    return float(respondenter / medarbejdere) if medarbejdere and medarbejdere > 0 else float("nan")
