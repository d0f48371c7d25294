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

Binary outcomes (delanalyse 5):

* **Shares of units** (a kommune's share of recipients with an outcome): a quasi-binomial GLM,
  ``GLM(share, X, Binomial(), var_weights=n).fit(scale="X2", use_t=True)`` — R's
  ``glm(share ~ x, family = quasibinomial, weights = n)``: the same coefficients, Pearson
  dispersion and t-based p-values (residual df). Never the two-column (successes, failures)
  outcome with ``scale="X2"``: statsmodels then divides the Pearson statistic by the wrong
  weights and the dispersion comes out one to two orders of magnitude too small.
* **Persons in clusters**: a logit with standard errors clustered by the cluster unit (HC1, t
  with G-1 df, as for OLS), odds ratios and average marginal effects (``get_margeff``) beside the
  coefficients; the linear probability model's wild cluster bootstrap (``wildboottest``, WCR,
  Webb weights, fixed seed) as a small-G check.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["ClusteredFit", "fit_clustered", "model_table", "MODEL_COLUMNS", "ShareFit", "fit_share_glm",
           "fit_logit_clustered", "wild_cluster_bootstrap_p", "effect_table", "EFFECT_COLUMNS", "BOOTSTRAP_SEED"]

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


def model_table(fit: "ClusteredFit | ShareFit", terms: Sequence[str] | None = None, *,
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


# ------------------------------------------------------------------------------------------
# binary outcomes: shares of units (quasi-binomial GLM) and persons in clusters (clustered logit)

EFFECT_COLUMNS = (*MODEL_COLUMNS, "odds_ratio", "marginal_effekt")
BOOTSTRAP_SEED = 20210301  # fixed: the bootstrap p-value is the same in every run
BOOTSTRAP_B = 999


@dataclass(frozen=True)
class ShareFit:
    """A quasi-binomial GLM of a share of units (e.g. kommuner): ``result`` (statsmodels), the
    number of units N, the Pearson dispersion, the share and weight columns."""

    result: Any
    n_obs: int
    dispersion: float
    share: str
    weights: str

    @property
    def n_clusters(self) -> int:  # one unit is one "cluster": G = N
        return self.n_obs


def fit_share_glm(formula: str, data: pd.DataFrame, weights: str) -> ShareFit:
    """``formula``'s share (left-hand side, 0-1) on its right-hand side with binomial variance
    weighted by ``weights`` (the share's base n) and the dispersion estimated from the Pearson
    statistic: R's ``quasibinomial`` with ``weights = n``. Rows with a missing model variable or a
    base of 0 are dropped; ValueError when fewer units than parameters + 1 remain."""
    import patsy
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM  # not statsmodels.api: 0.4 s more to import

    lhs = formula.split("~", 1)[0].strip()
    d = data.loc[pd.to_numeric(data[weights], errors="coerce").fillna(0) > 0]
    y, X = patsy.dmatrices(formula, d, return_type="dataframe")  # drops rows with a missing variable
    if len(y) <= X.shape[1]:
        raise ValueError(f"{len(y)} units for {X.shape[1]} parameters: the share model cannot be estimated")
    model = GLM(y.iloc[:, 0], X, family=families.Binomial(), var_weights=d.loc[y.index, weights].astype(float))
    result = model.fit(scale="X2", use_t=True)
    return ShareFit(result=result, n_obs=int(len(y)), dispersion=float(result.scale), share=lhs, weights=weights)


def fit_logit_clustered(formula: str, data: pd.DataFrame, cluster: str) -> ClusteredFit:
    """Logit of a 0/1 outcome, standard errors clustered by ``cluster`` (HC1 small-sample factor,
    t with G-1 df: R's ``sandwich::vcovCL(type = "HC1")``). Rows with a missing model variable
    are dropped and the clusters counted on the rows used."""
    import statsmodels.formula.api as smf

    if cluster not in data.columns:
        raise ValueError(f"cluster column {cluster!r} is not in the data")
    model = smf.logit(formula, data, missing="drop")
    used = model.data.row_labels
    groups = data.loc[used, cluster]
    if groups.isna().any():
        raise ValueError(f"cluster column {cluster!r} has missing values in the estimation sample")
    codes, uniques = pd.factorize(groups, sort=True)
    if len(uniques) < 2:
        raise ValueError(f"cluster-robust standard errors need at least 2 clusters, got {len(uniques)}")
    result = model.fit(disp=0, cov_type="cluster", cov_kwds={"groups": np.asarray(codes)}, use_t=True)
    return ClusteredFit(result=result, n_obs=int(result.nobs), n_clusters=int(len(uniques)), cluster=cluster)


def _wild_cl():
    """wildboottest's WildboottestCL with the denominator computed in numpy: the package compiles
    that loop with numba anew on every call (about half a second each); the arithmetic is the
    same, and a test checks the p-values equal the package's own ``wildboottest()``."""
    from wildboottest.wildboottest import WildboottestCL

    class WildCL(WildboottestCL):
        def get_denom(self):
            if self.crv_type != "crv1":
                return super().get_denom()
            # H[g, h] = R (X'X)^-1 X_g'X_g (X'X)^-1 score_h; Z[g, b] = C_g v[g, b] - sum_h H[g, h] v[h, b]
            A = np.stack([self.RtXXinv @ xgxg @ self.tXXinv for xgxg in self.tXgXg_list])
            H = A @ self.scores_mat
            Z = self.Cg[:, None] * self.v - H @ self.v
            self.denom = self.ssc * np.sum(Z ** 2, axis=0)

    return WildCL


def wild_cluster_bootstrap_p(formula: str, data: pd.DataFrame, cluster: str, term: str, *, B: int = BOOTSTRAP_B,
                             seed: int = BOOTSTRAP_SEED, weights_type: str = "webb") -> float:
    """Wild cluster bootstrap p-value (null imposed, WCR, the "11" type) of ``term`` in the OLS of
    ``formula`` (a linear probability model for a 0/1 outcome), clusters ``cluster``: the
    ``wildboottest`` package's algorithm with Webb's six-point weights, which stay valid with few
    clusters, small-sample adjustments on, and a fixed seed; two-tailed."""
    import statsmodels.formula.api as smf

    model = smf.ols(formula, data, missing="drop")
    names = list(model.exog_names)
    if term not in names:
        raise KeyError(f"term {term!r} not in the model ({', '.join(names)})")
    groups = pd.factorize(data.loc[model.data.row_labels, cluster], sort=True)[0]
    if len(np.unique(groups)) < 2:
        raise ValueError("the wild cluster bootstrap needs at least 2 clusters")
    R = np.zeros(len(names))
    R[names.index(term)] = 1
    boot = _wild_cl()(X=model.exog, Y=model.endog, cluster=groups, R=R, B=int(B), seed=int(seed), parallel=False)
    boot.get_scores(bootstrap_type="11", impose_null=True, adj=True, cluster_adj=True)
    boot.get_weights(weights_type=weights_type)
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    boot.get_pvalue(pval_type="two-tailed")
    return float(boot.pvalue)


def _margeff(fit) -> pd.Series | None:
    res = fit.result
    if not hasattr(res, "get_margeff"):
        return None
    m = res.get_margeff(at="overall", dummy=True)
    names = [n for n in res.params.index if n != "Intercept"]
    return pd.Series(np.asarray(m.margeff, dtype=float), index=names[:len(np.atleast_1d(m.margeff))])


def _share_margeff(fit: ShareFit) -> pd.Series:
    """Average marginal effect of each regressor on the share: the n-weighted mean over units of
    dp/dx = p(1 - p) b (the logit link's derivative)."""
    res = fit.result
    p = np.asarray(res.fittedvalues, dtype=float)
    w = np.asarray(res.model.var_weights, dtype=float)
    scale = float(np.sum(w * p * (1 - p)) / np.sum(w))
    return res.params.drop("Intercept", errors="ignore") * scale


def effect_table(fit, terms: Sequence[str], *, labels: Mapping[str, str] | None = None, alpha: float = 0.05,
                 groups_column: str = "kommuner") -> pd.DataFrame:
    """:func:`model_table`'s columns plus ``odds_ratio`` (exp of a logit coefficient) and
    ``marginal_effekt`` (average marginal effect on the probability or share) for a clustered
    logit (:func:`fit_logit_clustered`) or a share GLM (:func:`fit_share_glm`; G = N = the units)."""
    out = model_table(fit, terms, labels=labels, alpha=alpha, groups_column=groups_column)
    me = _share_margeff(fit) if isinstance(fit, ShareFit) else _margeff(fit)
    out.insert(len(MODEL_COLUMNS), "odds_ratio", [float(np.exp(fit.result.params[t])) for t in terms])
    out.insert(len(MODEL_COLUMNS) + 1, "marginal_effekt",
               [float(me[t]) if me is not None and t in me.index else float("nan") for t in terms])
    return out
