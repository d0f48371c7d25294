"""stats.models: the clustered OLS fit and the model table, with R's sandwich::vcovCL as the oracle
for the cluster-robust covariance (HC1), and hand-checkable cases for N, G and the t-based p-value."""
from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from hko_research.stats import fit_clustered, model_table

R_SCRIPT = r"""
suppressMessages(library(sandwich))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
d <- d[!is.na(d$y), ]
fit <- lm(y ~ x + D + factor(k) + factor(t), data = d)
V <- vcovCL(fit, cluster = ~k, type = "HC1")
G <- length(unique(d$k))
b <- coef(fit)[c("x", "D")]
se <- sqrt(diag(V))[c("x", "D")]
p <- 2 * pt(-abs(b / se), df = G - 1)
write.csv(data.frame(term = c("x", "D"), b = b, se = se, p = p, cov_xD = V["x", "D"], n = nobs(fit), G = G),
          args[2], row.names = FALSE)
"""


def _panel(seed: int = 7) -> pd.DataFrame:
    """Unbalanced kommune x year panel with unequal cluster sizes, a covariate and a missing outcome."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(14):
        a = rng.normal(0, 2)
        for t in range(2 + k % 4):  # 2..5 years per kommune: unequal cluster sizes
            rows.append({"k": 101 + k, "t": 2017 + t, "x": rng.normal(), "D": int(k < 5 and t >= 1),
                         "y": a + 0.4 * t + 0.7 * (k < 5 and t >= 1) + rng.normal(0, 1 + (k % 3))})
    df = pd.DataFrame(rows)
    df["y"] = df["y"] + 0.5 * df["x"]
    df.loc[3, "y"] = np.nan  # dropped from the estimation sample
    return df


def _rscript() -> str:
    path = shutil.which("Rscript")
    if path is None:
        pytest.fail("Rscript is missing: `make system-deps` installs r-base-core and r-cran-sandwich")
    return path


def test_clustered_covariance_matches_r_sandwich_vcovcl_hc1(tmp_path):
    df = _panel()
    csv, out, script = tmp_path / "panel.csv", tmp_path / "r.csv", tmp_path / "vcovcl.R"
    df.to_csv(csv, index=False)
    script.write_text(R_SCRIPT, encoding="utf-8")
    run = subprocess.run([_rscript(), str(script), str(csv), str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    r = pd.read_csv(out).set_index("term")

    fit = fit_clustered("y ~ x + D + C(k) + C(t)", df, "k")
    res = fit.result
    assert fit.n_obs == int(r.loc["D", "n"]) == len(df) - 1
    assert fit.n_clusters == int(r.loc["D", "G"]) == 14
    for term in ("x", "D"):
        assert res.params[term] == pytest.approx(r.loc[term, "b"], abs=1e-8)
        assert res.bse[term] == pytest.approx(r.loc[term, "se"], abs=1e-4)
        assert res.pvalues[term] == pytest.approx(r.loc[term, "p"], abs=1e-4)
    assert res.cov_params().loc["x", "D"] == pytest.approx(r.loc["x", "cov_xD"], abs=1e-4)
    # the oracle discriminates: non-robust or unclustered-robust SEs differ from vcovCL
    import statsmodels.formula.api as smf

    plain = smf.ols("y ~ x + D + C(k) + C(t)", df, missing="drop").fit()
    hc1 = smf.ols("y ~ x + D + C(k) + C(t)", df, missing="drop").fit(cov_type="HC1")
    assert abs(plain.bse["D"] - r.loc["D", "se"]) > 1e-3
    assert abs(hc1.bse["D"] - r.loc["D", "se"]) > 1e-3


def test_model_table_columns_ci_and_t_with_g_minus_1_df():
    from scipy import stats

    df = _panel(3)
    fit = fit_clustered("y ~ x + D + C(k) + C(t)", df, "k")
    t = model_table(fit, ["D"], labels={"D": "Deltager"}, groups_column="kommuner")
    assert list(t.columns) == ["term", "koefficient", "standardfejl", "konf_nedre", "konf_oevre", "p_vaerdi",
                               "kommuner", "observationer"]
    row = t.iloc[0]
    assert row["term"] == "Deltager"
    assert row["kommuner"] == 14 and row["observationer"] == len(df) - 1
    q = stats.t.ppf(0.975, df=14 - 1)  # G - 1 degrees of freedom, not N - K
    assert row["konf_nedre"] == pytest.approx(row["koefficient"] - q * row["standardfejl"], rel=1e-9)
    assert row["konf_oevre"] == pytest.approx(row["koefficient"] + q * row["standardfejl"], rel=1e-9)
    tstat = row["koefficient"] / row["standardfejl"]
    assert row["p_vaerdi"] == pytest.approx(2 * stats.t.sf(abs(tstat), df=13), rel=1e-9)
    with pytest.raises(KeyError):
        model_table(fit, ["nope"])


def test_fit_clustered_refuses_a_single_cluster_and_a_missing_cluster_column():
    df = _panel()
    with pytest.raises(ValueError, match="at least 2 clusters"):
        fit_clustered("y ~ x", df.assign(k=101), "k")
    with pytest.raises(ValueError, match="not in the data"):
        fit_clustered("y ~ x", df, "kommune")


def test_clusters_are_counted_on_the_estimation_sample():
    df = _panel()
    df.loc[df["k"] == 101, "y"] = np.nan  # one kommune without any outcome
    fit = fit_clustered("y ~ x + D + C(t)", df, "k")
    assert fit.n_clusters == 13
    assert fit.n_obs == int(df["y"].notna().sum())
