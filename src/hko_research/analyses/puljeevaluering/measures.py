"""Puljeevaluering — each measure once, with its definition (``definitions.md``, def. P#).

Målopfyldelse (def. P1) is opnået / mål. The evaluation prints it in whole percent, and its three
figures (seed 004, l.24, l.27, l.30) fix the rounding rule:

    234 / 240 = 97,5 %    printed 97 %     (half up and half to even give 98: ruled out)
     12 /  12 = 100 %     printed 100 %
    425 / 360 = 118,06 %  printed 118 %

Truncation (rounding down to the whole percent below) and round-half-down both reproduce all
three; they differ only when the fraction lies strictly between ,5 and 1 (97,8 % -> 97 vs 98),
which the publication never shows. The project uses **truncation** (:data:`AFRUNDINGSREGEL`, the
reason in ``assumptions.md``). The arithmetic is exact (fractions): in binary floating point
29/100·100 is 28,999... and would truncate to 28.
"""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pandas as pd

AFRUNDINGSREGEL = "rundet ned til hele procent (trunkering), som evalueringen gør"


def _exact(value) -> Fraction:
    """A number as an exact fraction of its decimal form (234.0 -> 234, 12.5 -> 25/2)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(Decimal(repr(float(value))))


def maalopfyldelse(opnaaet, maal) -> float:
    """Def. P1: opnået / mål as a fraction (1.0 = målet er nået); NaN when a value is missing or
    the goal is not positive."""
    if pd.isna(opnaaet) or pd.isna(maal) or float(maal) <= 0:
        return float("nan")
    return float(_exact(opnaaet) / _exact(maal))


def maalopfyldelse_procent(opnaaet, maal) -> float:
    """Def. P1 as printed by the evaluation: whole percent, truncated (97,5 % -> 97, 118,06 % ->
    118), computed exactly. NaN when :func:`maalopfyldelse` is NaN."""
    if pd.isna(opnaaet) or pd.isna(maal) or float(maal) <= 0 or float(opnaaet) < 0:
        return float("nan")
    return float(math.floor(_exact(opnaaet) / _exact(maal) * 100))


def startaar(startdato: pd.Series) -> pd.Series:
    """Def. P3: a kommune's event year 0 is the calendar year in which it started in the project
    (anvendelsesgrad is counted per calendar year, so the start year is partly treated)."""
    return pd.to_datetime(startdato).dt.year.astype("Int64")


def begivenhedstid(aar: pd.Series, start_aar: pd.Series) -> pd.Series:
    """Def. P3: years since the start year (−1 = the year before the start; NaN for non-participants)."""
    return (pd.Series(aar).astype("Int64") - pd.Series(start_aar).astype("Int64")).astype("Int64")


def pr_10000(anvendelsesgrad: pd.Series) -> pd.Series:
    """Def. P2: anvendelsesgrad (delanalyse 3, def. 15; a fraction of the population) as grants
    per 10.000 inhabitants, the scale of the effect estimates (0,5 pct. = 50 pr. 10.000)."""
    return pd.to_numeric(anvendelsesgrad, errors="coerce") * 10_000
