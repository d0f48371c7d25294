"""Coder reliability: how often two coders who coded the same case agree, and Cohen's kappa.

Used where a subset of the cases is coded twice (delanalyse 1's casekommuner, delanalyse 4's
interviews). A *judgement* is one code on one case as coded by each of the two coders (presence
codes: ``ja``/``nej``; categorical codes: the value). Per code family (a branch of presence codes,
or one categorical code) the judgements are pooled:

* ``enighed``: the share of judgements on which the two coders agree;
* ``kappa``: Cohen's kappa, (p_o - p_e) / (1 - p_e), with p_e from the two coders' marginal
  distributions (statsmodels ``cohens_kappa`` on the contingency table). Kappa is undefined (NaN)
  when both coders used a single category throughout (p_e = 1), whatever their agreement.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

__all__ = ["agreement", "cohens_kappa", "reliability_table"]


def agreement(a, b) -> float:
    """Share of positions where ``a`` and ``b`` agree (NaN for none)."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    if len(a) != len(b):
        raise ValueError("agreement(): the two codings must have the same length")
    return float(np.mean(a == b)) if len(a) else float("nan")


def cohens_kappa(a, b) -> float:
    """Cohen's kappa of two equally long codings of the same items (NaN when undefined)."""
    from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

    a, b = [str(x) for x in a], [str(x) for x in b]
    if len(a) != len(b):
        raise ValueError("cohens_kappa(): the two codings must have the same length")
    if not a:
        return float("nan")
    cats = {c: i for i, c in enumerate(sorted(set(a) | set(b)))}
    counts = np.zeros((len(cats), len(cats)))
    np.add.at(counts, ([cats[x] for x in a], [cats[y] for y in b]), 1)
    p_row, p_col = counts.sum(1) / counts.sum(), counts.sum(0) / counts.sum()
    if np.isclose(float(p_row @ p_col), 1.0):
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(sm_kappa(counts).kappa)


def reliability_table(pairs: pd.DataFrame, by: str = "familie", *, case: str = "sag",
                      a: str = "vaerdi_a", b: str = "vaerdi_b") -> pd.DataFrame:
    """One row per ``by`` group and a total row ("I alt"): cases, judgements, agreement, kappa.

    ``pairs``: one row per judgement with the two coders' values in ``a`` and ``b``.
    """
    rows = []
    groups = [(k, g) for k, g in pairs.groupby(by, sort=False)] + [("I alt", pairs)]
    for key, g in groups:
        rows.append({by: key, "sager": int(g[case].nunique()), "vurderinger": int(len(g)),
                     "enighed": agreement(g[a], g[b]), "kappa": cohens_kappa(g[a], g[b])})
    return pd.DataFrame(rows, columns=[by, "sager", "vurderinger", "enighed", "kappa"])
