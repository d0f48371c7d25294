"""Shares, confidence intervals and the tidy rows every analysis publishes.

Shares are fractions (0.42 = 42 pct.). A share with an empty denominator is NaN, never 0. A
published share row carries its numerator ``antal`` and base ``n`` next to ``andel`` and the
Wilson interval, so that disclosure control can see what each statistic is computed from.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

__all__ = ["share", "proportion_ci", "share_with_ci", "share_row", "distribution_rows"]


def share(numerator, denominator) -> float | pd.Series:
    """``numerator / denominator``; NaN where the denominator is 0 or missing (never a false 0).

    Scalars give a float; Series are aligned on their index (e.g. kommunekode)."""
    if np.ndim(numerator) == 0 and np.ndim(denominator) == 0:
        try:
            num, den = float(numerator), float(denominator)
        except (TypeError, ValueError):
            return float("nan")
        return num / den if np.isfinite(den) and den > 0 else float("nan")
    num = pd.to_numeric(pd.Series(numerator), errors="coerce").astype(float)
    den = pd.to_numeric(pd.Series(denominator), errors="coerce").astype(float)
    if np.ndim(numerator) == 0:
        num = pd.Series(float(num.iloc[0]), index=den.index)
    if np.ndim(denominator) == 0:
        den = pd.Series(float(den.iloc[0]), index=num.index)
    num, den = num.align(den)
    return num / den.where(den > 0)


def proportion_ci(count, nobs, *, alpha: float = 0.05, method: str = "wilson"):
    """Confidence interval (lower, upper) for ``count / nobs`` (statsmodels ``proportion_confint``,
    Wilson score interval by default). Arrays in, arrays out; NaN where ``nobs`` is 0 or missing."""
    from statsmodels.stats.proportion import proportion_confint

    c = np.asarray(pd.to_numeric(pd.Series(np.atleast_1d(count)), errors="coerce"), dtype=float)
    n = np.asarray(pd.to_numeric(pd.Series(np.atleast_1d(nobs)), errors="coerce"), dtype=float)
    ok = np.isfinite(c) & np.isfinite(n) & (n > 0)
    lo = np.full(c.shape, np.nan)
    hi = np.full(c.shape, np.nan)
    if ok.any():
        lo[ok], hi[ok] = proportion_confint(c[ok], n[ok], alpha=alpha, method=method)
    if np.ndim(count) == 0 and np.ndim(nobs) == 0:
        return float(lo[0]), float(hi[0])
    return lo, hi


def share_with_ci(flag: pd.Series, *, alpha: float = 0.05) -> dict[str, float]:
    """Share of True in a boolean Series (missing values excluded from the denominator) with its
    Wilson interval: ``{"antal", "n", "andel", "ci_nedre", "ci_oevre"}``."""
    f = pd.Series(flag).astype("boolean")
    n = int(f.notna().sum())
    k = int(f.fillna(False).sum())
    lo, hi = proportion_ci(k, n, alpha=alpha)
    return {"antal": k, "n": n, "andel": share(k, n), "ci_nedre": lo, "ci_oevre": hi}




def share_row(flag: pd.Series, **keys) -> dict:
    """One published row for a yes/no flag: the keys, ``antal``, ``n``, ``andel`` and its CI."""
    r = share_with_ci(flag)
    return {**keys, "antal": r["antal"], "n": r["n"], "andel": r["andel"], "ci_nedre": r["ci_nedre"],
            "ci_oevre": r["ci_oevre"]}


def distribution_rows(values: pd.Series, categories: Iterable[str] | None = None, **keys) -> list[dict]:
    """One row per category: the keys, ``kategori``, ``antal``, ``n`` (non-missing), ``andel`` and
    its Wilson CI. ``categories`` fixes the order and includes empty categories."""
    v = pd.Series(values, dtype="string")
    n = int(v.notna().sum())
    cats = list(categories) if categories is not None else sorted(v.dropna().unique())
    rows = []
    for c in cats:
        k = int((v == c).sum())
        lo, hi = proportion_ci(k, n)
        rows.append({**keys, "kategori": c, "antal": k, "n": n, "andel": share(k, n), "ci_nedre": lo, "ci_oevre": hi})
    return rows
