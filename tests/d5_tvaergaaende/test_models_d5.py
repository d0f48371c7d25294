"""The inference of delanalyse 5 (stats.models' binary-outcome helpers) against R and against
planted truths:

* the kommune-level share GLM equals R's ``glm(family = quasibinomial, weights = n)`` (coefficients,
  standard errors, dispersion, t-based p-values), and the two-column (successes, failures) fit with
  ``scale="X2"``, which statsmodels 0.15 gets wrong, is far off R's dispersion (the regression guard);
* the clustered person-level logit equals R's ``sandwich::vcovCL(type = "HC1")`` to 1e-4, with p
  from t on G-1 degrees of freedom;
* a planted effect is found with its sign, a planted null is rejected about 5 pct. of the time over
  100 seeds; the wild cluster bootstrap is reproducible and separates effect from null.
"""
from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hko_research.stats.models import (
    effect_table,
    fit_logit_clustered,
    fit_share_glm,
    wild_cluster_bootstrap_p,
)

# one worker builds the module fixtures once (xdist would otherwise build them on both)
pytestmark = pytest.mark.xdist_group("d5_r_oracle")

R_SCRIPT = r"""
suppressMessages(library(sandwich))
args <- commandArgs(trailingOnly = TRUE)
k <- read.csv(args[1])
q <- glm(share ~ x + z, family = quasibinomial, weights = n, data = k)
sq <- coef(summary(q))
p <- read.csv(args[2])
fit <- glm(y ~ x + a, family = binomial, data = p)
V <- vcovCL(fit, cluster = ~g, type = "HC1")
G <- length(unique(p$g))
b <- coef(fit); se <- sqrt(diag(V))
out <- data.frame(
  what = c(rep("quasi", 3), rep("logit", 3)),
  term = c(rownames(sq), names(b)),
  b = c(sq[, 1], b), se = c(sq[, 2], se),
  p = c(sq[, 4], 2 * pt(-abs(b / se), df = G - 1)),
  disp = c(rep(summary(q)$dispersion, 3), rep(NA, 3)),
  G = G, n = c(rep(nrow(k), 3), rep(nobs(fit), 3)))
write.csv(out, args[3], row.names = FALSE)
"""


def kommuner(seed: int = 11, G: int = 45, effect: float = 0.3) -> pd.DataFrame:
    """Kommune shares with overdispersion (a kommune effect), unequal n, a zero base (dropped)."""
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=G), rng.normal(size=G)
    n = rng.integers(15, 500, G)
    n[3] = 0
    p = 1 / (1 + np.exp(-(-1.4 + effect * x + 0.1 * z + rng.normal(0, 0.35, G))))
    k = rng.binomial(n, p)
    return pd.DataFrame({"x": x, "z": z, "n": n, "k": k, "share": np.where(n > 0, k / np.maximum(n, 1), np.nan)})


def personer(seed: int = 5, G: int = 24, effect: float = 0.4, per: tuple[int, int] = (20, 120)) -> pd.DataFrame:
    """Persons in kommuner of unequal size; x is a kommune trait, a a person trait, with a kommune
    random effect so clustering matters."""
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(G):
        m = int(rng.integers(*per))
        xg, u = rng.normal(), rng.normal(0, 0.5)
        a = rng.normal(size=m)
        p = 1 / (1 + np.exp(-(-1.0 + effect * xg + 0.3 * a + u)))
        rows.append(pd.DataFrame({"g": 100 + g, "x": xg, "a": a, "y": (rng.random(m) < p).astype(int)}))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def r_results(tmp_path_factory):
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript is not installed (`make system-deps` installs r-base-core and r-cran-sandwich)")
    d = tmp_path_factory.mktemp("r")
    kommuner().to_csv(d / "k.csv", index=False)
    personer().to_csv(d / "p.csv", index=False)
    (d / "m.R").write_text(R_SCRIPT, encoding="utf-8")
    run = subprocess.run([rscript, str(d / "m.R"), str(d / "k.csv"), str(d / "p.csv"), str(d / "out.csv")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return pd.read_csv(d / "out.csv")


def test_share_glm_is_r_quasibinomial_and_the_two_column_fit_is_not(r_results):
    import statsmodels.api as sm

    r = r_results.loc[r_results["what"] == "quasi"].set_index("term")
    k = kommuner()
    fit = fit_share_glm("share ~ x + z", k, "n")
    res = fit.result
    assert fit.n_obs == int(r["n"].iloc[0]) - 1  # the kommune with n = 0 is left out (R gives it weight 0)
    assert fit.dispersion == pytest.approx(r["disp"].iloc[0], rel=1e-6)
    for t_py, t_r in (("Intercept", "(Intercept)"), ("x", "x"), ("z", "z")):
        assert res.params[t_py] == pytest.approx(r.loc[t_r, "b"], abs=1e-7)
        assert res.bse[t_py] == pytest.approx(r.loc[t_r, "se"], rel=1e-5)
        assert res.pvalues[t_py] == pytest.approx(r.loc[t_r, "p"], rel=1e-4, abs=1e-12)
    # R's residual df: the zero-base kommune has no information (45 - 1 - 3)
    assert res.df_resid == 41
    # the regression guard: the two-column outcome with scale="X2" has (about) the right
    # coefficients but a dispersion one to two orders of magnitude too small on statsmodels 0.15
    kk = k.loc[k["n"] > 0]
    two = sm.GLM(np.column_stack([kk["k"], kk["n"] - kk["k"]]), sm.add_constant(kk[["x", "z"]]),
                 family=sm.families.Binomial()).fit(scale="X2")
    assert two.params["x"] == pytest.approx(r.loc["x", "b"], abs=1e-6)
    assert r["disp"].iloc[0] / two.scale > 10


def test_clustered_logit_is_r_vcovcl_hc1_with_t_on_g_minus_1(r_results):
    r = r_results.loc[r_results["what"] == "logit"].set_index("term")
    p = personer()
    fit = fit_logit_clustered("y ~ x + a", p, "g")
    res = fit.result
    assert fit.n_clusters == int(r["G"].iloc[0]) == 24 and fit.n_obs == int(r["n"].iloc[0]) == len(p)
    for t_py, t_r in (("Intercept", "(Intercept)"), ("x", "x"), ("a", "a")):
        assert res.params[t_py] == pytest.approx(r.loc[t_r, "b"], abs=1e-6)
        assert res.bse[t_py] == pytest.approx(r.loc[t_r, "se"], abs=1e-4)
        assert res.pvalues[t_py] == pytest.approx(r.loc[t_r, "p"], abs=1e-4)
    # the oracle discriminates: an unclustered (model-based) SE differs
    import statsmodels.formula.api as smf

    plain = smf.logit("y ~ x + a", p).fit(disp=0)
    assert abs(plain.bse["x"] - r.loc["x", "se"]) > 1e-3
    # the table: odds ratio, average marginal effect (mean of p(1-p) b over persons), CI on t(G-1)
    t = effect_table(fit, ["x"]).iloc[0]
    assert t["odds_ratio"] == pytest.approx(np.exp(t["koefficient"]))
    pr = res.predict(p)
    assert t["marginal_effekt"] == pytest.approx(float(np.mean(pr * (1 - pr))) * t["koefficient"], rel=1e-6)
    q = stats.t.ppf(0.975, 23)
    assert t["konf_oevre"] == pytest.approx(t["koefficient"] + q * t["standardfejl"], rel=1e-9)
    assert t["kommuner"] == 24 and t["observationer"] == len(p)


def test_share_glm_marginal_effect_and_refusal():
    k = kommuner()
    fit = fit_share_glm("share ~ x + z", k, "n")
    row = effect_table(fit, ["x"]).iloc[0]
    used = k.loc[k["n"] > 0]
    pr = fit.result.fittedvalues.to_numpy()
    w = used["n"].to_numpy()
    assert row["marginal_effekt"] == pytest.approx(np.sum(w * pr * (1 - pr)) / w.sum() * row["koefficient"])
    assert row["kommuner"] == row["observationer"] == 44
    with pytest.raises(ValueError, match="cannot be estimated"):
        fit_share_glm("share ~ x + z", k.head(4), "n")


def test_planted_effect_is_found_and_planted_null_keeps_its_size():
    # effect: both levels find it with the right sign
    assert fit_share_glm("share ~ x", kommuner(effect=0.5), "n").result.pvalues["x"] < 0.01
    assert fit_share_glm("share ~ x", kommuner(effect=0.5), "n").result.params["x"] > 0
    fit = fit_logit_clustered("y ~ x + a", personer(effect=0.8, G=30), "g")
    assert fit.coef("x") > 0 and fit.pvalue("x") < 0.01
    neg = fit_logit_clustered("y ~ x", personer(effect=-0.8, G=30, seed=2), "g")
    assert neg.coef("x") < 0 and neg.pvalue("x") < 0.05
    # null: over 100 seeds the 5 pct. test rejects about 5 pct. of the time (within about two
    # binomial standard deviations: 1-10 pct.); a naive unclustered SE rejects far more
    glm_rej = np.mean([fit_share_glm("share ~ x", kommuner(seed=s, effect=0.0, G=30), "n").result.pvalues["x"] < 0.05
                       for s in range(100)])
    logit_rej = np.mean([fit_logit_clustered("y ~ x", personer(seed=s, effect=0.0, G=30, per=(15, 60)), "g")
                         .pvalue("x") < 0.05 for s in range(100)])
    assert 0.01 <= glm_rej <= 0.10, glm_rej
    assert 0.01 <= logit_rej <= 0.10, logit_rej
    import statsmodels.formula.api as smf

    naive = np.mean([smf.logit("y ~ x", personer(seed=s, effect=0.0, G=30, per=(15, 60))).fit(disp=0).pvalues["x"]
                     < 0.05 for s in range(40)])
    assert naive > logit_rej + 0.05  # the kommune effect makes unclustered inference overconfident


def test_wild_cluster_bootstrap_is_the_package_s_and_separates_effect_from_null():
    """Our call is wildboottest's WCR algorithm (its denominator loop in numpy instead of a numba
    function compiled on every call): the p-values equal the package's own ``wildboottest()``."""
    import statsmodels.formula.api as smf
    from wildboottest.wildboottest import wildboottest

    from hko_research.stats.models import BOOTSTRAP_SEED

    for seed, effect in ((4, 0.9), (2, 0.2)):
        d = personer(effect=effect, G=20, seed=seed)
        ours = wild_cluster_bootstrap_p("y ~ x + a", d, "g", "x")
        pkg = wildboottest(smf.ols("y ~ x + a", d), B=999, cluster=d["g"].to_numpy(), param="x", weights_type="webb",
                           seed=BOOTSTRAP_SEED, parallel=False, show=False)["p-value"].iloc[0]
        assert ours == pytest.approx(pkg, abs=1e-12)
        assert ours == wild_cluster_bootstrap_p("y ~ x + a", d, "g", "x")  # fixed seed
    assert wild_cluster_bootstrap_p("y ~ x + a", personer(effect=0.9, G=20, seed=4), "g", "x") < 0.05
    assert wild_cluster_bootstrap_p("y ~ x + a", personer(effect=0.0, G=20, seed=9), "g", "x") > 0.1
    with pytest.raises(KeyError):
        wild_cluster_bootstrap_p("y ~ x", personer(), "g", "a")
