"""The survey methods (hko_research.stats.survey): the tallies of report 9.4.1 as weights, computed
by hand on a small survey, and the design-based estimates checked against R's ``survey`` package."""
from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from hko_research.stats import survey_means, survey_shares, tally_weights

# A hand-built survey: three kommuner (population P, staff N), answers y (1-3) and a score s (1-5).
# Traps: kommune 151 is small but populous, kommune 147 answered nearly fully (FPC matters), and
# category 3 occurs in one kommune only.
ROWS = {
    101: {"P": 1000, "N": 10, "y": [1, 1, 2, 2, 1, 2], "s": [4, 5, 3, 2, 4, 4]},
    147: {"P": 3000, "N": 10, "y": [2, 2, 1, 2, 2, 2, 1, 2, 2], "s": [2, 1, 2, 3, 2, 2, 1, 2, 3]},
    151: {"P": 6000, "N": 40, "y": [3, 1, 3, 3, 1], "s": [5, 4, 5, 5, 3]},
}
POP = {k: v["P"] for k, v in ROWS.items()}
STAFF = {k: v["N"] for k, v in ROWS.items()}


def survey() -> pd.DataFrame:
    rows = [{"kommunekode": k, "medarbejdere": v["N"], "y": y, "s": float(s)}
            for k, v in ROWS.items() for y, s in zip(v["y"], v["s"])]
    return pd.DataFrame(rows)


def with_weights(df, tally):
    return df.assign(vaegt=tally_weights(df["kommunekode"], tally, befolkning=POP, medarbejdere=STAFF))


def kommune_shares(cat):
    return {k: np.mean(np.array(v["y"]) == cat) for k, v in ROWS.items()}


def test_the_four_tallies_by_hand():
    df = survey()
    p1 = kommune_shares(1)
    n = {k: len(v["y"]) for k, v in ROWS.items()}
    by_hand = {
        # respondent level: 7 of 20 answered 1
        "respondent": 7 / 20,
        # kommune level 1:1: the mean of the three kommune shares (9.4.1: «middelværdien af de kommunale fordelinger»)
        "kommune": (p1[101] + p1[147] + p1[151]) / 3,
        # kommune level weighted by population share
        "kommune_vaegtet": (p1[101] * 1000 + p1[147] * 3000 + p1[151] * 6000) / 10000,
        # non-response weight N_k/n_k: the estimated staff total answering 1 over all staff
        "frafald": (10 / n[101] * 3 + 10 / n[147] * 2 + 40 / n[151] * 2) / 60,
    }
    for tally, expected in by_hand.items():
        got = survey_shares(with_weights(df, tally), "y", categories=[1, 2, 3])
        assert got.loc[got["kategori"] == 1, "andel"].item() == pytest.approx(expected, abs=1e-12), tally
        assert got["andel"].sum() == pytest.approx(1.0)
        # n and antal stay unweighted respondents, whatever the tally
        assert got.loc[got["kategori"] == 1, ["antal", "n"]].values.tolist() == [[7, 20]]
    assert len({round(v, 6) for v in by_hand.values()}) == 4  # the tallies really differ here


def _hand_se(df, tally, y):
    """Linearised SE of a weighted mean Σwy/Σw, stratified by kommune with FPC 1 - n_h/N_h."""
    w = tally_weights(df["kommunekode"], tally, befolkning=POP, medarbejdere=STAFF).to_numpy()
    yv = df[y].to_numpy(float)
    est = (w * yv).sum() / w.sum()
    z = w * (yv - est) / w.sum()
    var = 0.0
    for k, g in df.groupby("kommunekode").groups.items():
        zk = z[np.asarray(list(g))]
        nh, Nh = len(zk), STAFF[k]
        var += (1 - nh / Nh) * nh / (nh - 1) * ((zk - zk.mean()) ** 2).sum()
    return est, np.sqrt(var), len(df) - df["kommunekode"].nunique()


@pytest.mark.parametrize("tally", ["respondent", "kommune", "kommune_vaegtet", "frafald"])
def test_cis_by_hand(tally):
    df = with_weights(survey(), tally)
    est, se, dof = _hand_se(df, tally, "s")
    t = sps.t.ppf(0.975, dof)
    m = survey_means(df, "s").iloc[0]
    assert (m["gennemsnit"], m["se"], m["df"]) == (pytest.approx(est), pytest.approx(se), dof)
    assert (m["ci_nedre"], m["ci_oevre"]) == (pytest.approx(est - t * se), pytest.approx(est + t * se))
    # a share: the mean of a 0/1 indicator, with a logit interval
    df["y1"] = (df["y"] == 1).astype(float)
    p, se_p, _ = _hand_se(df, tally, "y1")
    half = t * se_p / (p * (1 - p))
    lo, hi = (1 / (1 + np.exp(-(np.log(p / (1 - p)) + s * half))) for s in (-1, 1))
    got = survey_shares(df, "y", categories=[1, 2, 3]).set_index("kategori").loc[1]
    assert (got["andel"], got["se"]) == (pytest.approx(p), pytest.approx(se_p))
    assert (got["ci_nedre"], got["ci_oevre"]) == (pytest.approx(lo), pytest.approx(hi))
    assert got["ci_nedre"] < p < got["ci_oevre"]


def test_fpc_matters_and_a_census_kommune_has_no_variance():
    df = with_weights(survey(), "respondent")
    with_fpc = survey_means(df, "s").iloc[0]["se"]
    without = survey_means(df, "s", population=None).iloc[0]["se"]
    assert with_fpc < without  # the survey went to every employee: FPC shrinks the SE
    census = df.loc[df["kommunekode"] == 147].assign(medarbejdere=9)  # all 9 answered
    assert survey_means(census, "s").iloc[0]["se"] == pytest.approx(0.0, abs=1e-12)


def test_weighted_share_of_a_domain_is_a_ratio_estimator():
    """With a domain (by=), each kommune counts with its weight times its respondents in the domain."""
    df = with_weights(survey(), "kommune_vaegtet")
    df["ung"] = np.where(df.index % 2 == 0, "ja", "nej")
    got = survey_shares(df, "y", by="ung", categories=[1, 2, 3])
    d = df.loc[df["ung"] == "ja"]
    expected = (d["vaegt"] * (d["y"] == 1)).sum() / d["vaegt"].sum()
    assert got.loc[(got["ung"] == "ja") & (got["kategori"] == 1), "andel"].item() == pytest.approx(expected)
    assert got.loc[got["ung"] == "ja", "n"].iloc[0] == len(d)


R_SCRIPT = r"""
suppressMessages(library(survey))
d <- read.csv(commandArgs(TRUE)[1])
out <- c()
for (w in c("respondent", "kommune", "kommune_vaegtet", "frafald")) {
  des <- svydesign(ids = ~1, strata = ~kommunekode, weights = as.formula(paste0("~w_", w)), fpc = ~medarbejdere, data = d)
  m <- svymean(~s, des)
  ci <- confint(m, df = degf(des))
  p <- svyciprop(~I(y == 1), des, method = "logit")
  out <- rbind(out, data.frame(tally = w, mean = as.numeric(coef(m)), mean_se = as.numeric(SE(m)), mean_lo = ci[1], mean_hi = ci[2],
                               p = as.numeric(p), p_se = as.numeric(SE(p)), p_lo = attr(p, "ci")[1], p_hi = attr(p, "ci")[2]))
}
write.csv(out, commandArgs(TRUE)[2], row.names = FALSE)
"""


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is installed by `make system-deps`")
def test_agrees_with_r_survey_to_four_decimals(tmp_path):
    """svy (through hko_research.stats.survey) and R's survey: the same estimates, SEs and
    intervals (t on the design's df; logit for shares) for all four tallies."""
    rng = np.random.default_rng(9)
    sizes = {101: (23, 40), 147: (9, 10), 151: (31, 120), 153: (14, 30)}
    rows = [{"kommunekode": k, "medarbejdere": N, "y": int(rng.integers(1, 4)), "s": float(rng.integers(1, 6))}
            for k, (n, N) in sizes.items() for _ in range(n)]
    df = pd.DataFrame(rows)
    pop = {101: 50000, 147: 100000, 151: 20000, 153: 60000}
    staff = {k: N for k, (_, N) in sizes.items()}
    for t in ("respondent", "kommune", "kommune_vaegtet", "frafald"):
        df[f"w_{t}"] = tally_weights(df["kommunekode"], t, befolkning=pop, medarbejdere=staff)
    src, res = tmp_path / "d.csv", tmp_path / "r.csv"
    df.to_csv(src, index=False)
    script = tmp_path / "check.R"
    script.write_text(R_SCRIPT, encoding="utf-8")
    subprocess.run(["Rscript", str(script), str(src), str(res)], check=True, capture_output=True, timeout=60)
    r = pd.read_csv(res).set_index("tally")
    for t in r.index:
        d = df.assign(vaegt=df[f"w_{t}"])
        m = survey_means(d, "s").iloc[0]
        p = survey_shares(d, "y", categories=[1, 2, 3]).set_index("kategori").loc[1]
        got = [m["gennemsnit"], m["se"], m["ci_nedre"], m["ci_oevre"], p["andel"], p["se"], p["ci_nedre"], p["ci_oevre"]]
        want = r.loc[t, ["mean", "mean_se", "mean_lo", "mean_hi", "p", "p_se", "p_lo", "p_hi"]].to_numpy(float)
        assert np.allclose(got, want, atol=1e-4, rtol=0), (t, got, want)
