"""Regression models with cluster-robust inference, and the one model table every analysis publishes.

Conventions (delanalyse 5 and the puljeevaluering share them):

* OLS by statsmodels' formula API, standard errors clustered by a grouping column
  (``cov_type="cluster"``, ``use_t=True``): the small-sample factor G/(G-1) · (N-1)/(N-K), as
  R's ``sandwich::vcovCL(type = "HC1")`` and Stata's ``vce(cluster)``; t and p-values and
  confidence intervals from the t distribution with G-1 degrees of freedom.
* Rows with a missing value in a model variable are dropped before the fit, and the clusters are
  taken from the rows actually used, so N and G always describe the estimation sample.
* A model table has one row per reported term: ``term, koefficient, standardfejl, konf_nedre,
  konf_oevre, p_vaerdi`` plus G (the number of clusters, column named after the cluster unit,
  e.g. ``kommuner``) and N (``observationer``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["ClusteredFit", "fit_clustered", "model_table", "MODEL_COLUMNS"]

MODEL_COLUMNS = ("term", "koefficient", "standardfejl", "konf_nedre", "konf_oevre", "p_vaerdi")


@dataclass(frozen=True)
class ClusteredFit:
    """A fitted OLS model with cluster-robust covariance: ``result`` (statsmodels), N, G."""

    result: Any
    n_obs: int
    n_clusters: int
    cluster: str

    def coef(self, term: str) -> float:
        return float(self.result.params[term])

    def se(self, term: str) -> float:
        return float(self.result.bse[term])

    def pvalue(self, term: str) -> float:
        return float(self.result.pvalues[term])


def fit_clustered(formula: str, data: pd.DataFrame, cluster: str, *,
                  weights: str | None = None) -> ClusteredFit:
    """OLS (WLS with ``weights``) of ``formula`` on ``data``, standard errors clustered by ``cluster``.

    Raises ValueError when fewer than two clusters remain (no cluster-robust variance exists).
    """
    import statsmodels.formula.api as smf

    if cluster not in data.columns:
        raise ValueError(f"cluster column {cluster!r} is not in the data")
    kw = {"missing": "drop"}
    if weights is not None:
        model = smf.wls(formula, data, weights=data[weights], **kw)
    else:
        model = smf.ols(formula, data, **kw)
    used = model.data.row_labels
    groups = data.loc[used, cluster]
    if groups.isna().any():
        raise ValueError(f"cluster column {cluster!r} has missing values in the estimation sample")
    codes, uniques = pd.factorize(groups, sort=True)
    if len(uniques) < 2:
        raise ValueError(f"cluster-robust standard errors need at least 2 clusters, got {len(uniques)}")
    result = model.fit(cov_type="cluster", cov_kwds={"groups": np.asarray(codes)}, use_t=True)
    return ClusteredFit(result=result, n_obs=int(result.nobs), n_clusters=int(len(uniques)), cluster=cluster)


def model_table(fit: ClusteredFit, terms: Sequence[str] | None = None, *,
                labels: Mapping[str, str] | None = None, alpha: float = 0.05,
                groups_column: str = "klynger") -> pd.DataFrame:
    """One row per term (``terms``; default every parameter) with coefficient, clustered SE,
    the (1 - alpha) confidence interval and p-value (t with G-1 df), G and N.

    ``labels`` renames terms for readers; ``groups_column`` names the G column after the cluster
    unit (``kommuner`` for kommune clusters: a kommune count, never a person count)."""
    res = fit.result
    names = list(res.params.index) if terms is None else list(terms)
    missing = [t for t in names if t not in res.params.index]
    if missing:
        raise KeyError(f"terms not in the model: {missing}")
    ci = res.conf_int(alpha=alpha)
    labels = dict(labels or {})
    rows = []
    for t in names:
        rows.append({
            "term": labels.get(t, t),
            "koefficient": float(res.params[t]),
            "standardfejl": float(res.bse[t]),
            "konf_nedre": float(ci.loc[t, 0]),
            "konf_oevre": float(ci.loc[t, 1]),
            "p_vaerdi": float(res.pvalues[t]),
            groups_column: fit.n_clusters,
            "observationer": fit.n_obs,
        })
    return pd.DataFrame(rows, columns=[*MODEL_COLUMNS, groups_column, "observationer"])
