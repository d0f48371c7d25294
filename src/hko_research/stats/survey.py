"""Survey estimates: the tallies of report section 9.4.1 as respondent weights, and design-based
uncertainty (kommune as stratum, finite-population correction from the staff counts) with svy.

The report (9.4.1, l.2679-2681) tallies its survey three ways: «på respondentniveau (aggregeret
niveau), hvor hver enkelt respondent vægter 1:1 og dels på kommuneniveau ... i ren form, hvor de
deltagende kommuner vægter 1:1 (aggregeret niveau) samt i vægtet form, hvor kommunerne er vægtet
ift. andelen af indbyggertallet». Each tally is a respondent weight, so one estimator gives them all:

    respondent        w = 1                  every respondent 1:1 (N = respondents)
    kommune           w = 1 / n_k            mean of the kommune distributions (N = kommuner)
    kommune_vaegtet   w = (P_k / ΣP) / n_k   kommune distributions weighted by population share
    frafald           w = N_k / n_k          the textbook non-response weight (staff counts N_k)

With a weight per respondent the estimate of a share is Σ w y / Σ w over the respondents who
answered; when every respondent in every kommune answered, the two kommune tallies are exactly the
report's mean and population-weighted mean of the kommune distributions (9.4.1's worked example).
The first three are the report's; the fourth is what a survey statistician would use: the survey
went to every employee with citizen contact, so kommune k is a stratum with N_k employees of whom
n_k answered.

Uncertainty: stratified design (stratum = kommune, every respondent its own unit), finite-population
correction from N_k (1 - n_k/N_k: a kommune where everybody answered contributes no sampling
variance), Taylor linearisation, t quantiles with df = respondents - strata; shares get logit
intervals (svy's default, the same as R's ``svyciprop(method = "logit")``), means symmetric t
intervals. A stratum with a single respondent is centred on the grand mean (svy "center", R's
``options(survey.lonely.psu = "adjust")``). All of it is computed by the maintained ``svy`` package
and checked against R's ``survey`` in tests/d2_medarbejdere/test_survey_stats.py.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["TALLIES", "TALLY_LABELS", "tally_weights", "survey_sample", "SurveyDesign", "survey_shares",
           "survey_means"]

TALLIES = ("respondent", "kommune", "kommune_vaegtet", "frafald")
TALLY_LABELS = {
    "respondent": "Respondentniveau (hver respondent vægter 1:1)",
    "kommune": "Kommuneniveau, uvægtet (hver kommune vægter 1:1)",
    "kommune_vaegtet": "Kommuneniveau, vægtet med indbyggertal (rapportens vægtning)",
    "frafald": "Frafaldsvægtet (medarbejdere N/besvarelser n)",
}


def tally_weights(kommune: pd.Series, tally: str, *, befolkning: Mapping | pd.Series | None = None,
                  medarbejdere: Mapping | pd.Series | None = None) -> pd.Series:
    """The respondent weight of one tally (module docstring), aligned with ``kommune``.

    ``kommune`` is each respondent's kommune; ``befolkning`` (P_k) and ``medarbejdere`` (N_k) are
    per kommune. n_k counts the respondents given, so weights made on a selection are the selection's.
    """
    k = pd.Series(kommune)
    n_k = k.map(k.value_counts()).astype(float)
    if tally == "respondent":
        return pd.Series(1.0, index=k.index)
    if tally == "kommune":
        return 1.0 / n_k
    if tally == "kommune_vaegtet":
        if befolkning is None:
            raise ValueError("the population-weighted tally needs befolkning per kommune")
        pop = pd.Series(befolkning, dtype=float)
        present = pop.reindex(pd.unique(k))
        if present.isna().any():
            raise ValueError(f"no population for kommune(r) {sorted(present.index[present.isna()])}")
        return k.map(present / present.sum()).astype(float) / n_k
    if tally == "frafald":
        if medarbejdere is None:
            raise ValueError("the non-response weight needs medarbejdere (N_k) per kommune")
        staff = pd.Series(medarbejdere, dtype=float)
        N = k.map(staff)
        if N.isna().any():
            raise ValueError(f"no staff count for kommune(r) {sorted(set(k[N.isna()]))}")
        return np.maximum(N, n_k) / n_k
    raise ValueError(f"unknown tally {tally!r}; choose one of {', '.join(TALLIES)}")


def survey_sample(df: pd.DataFrame, *, weight: str = "vaegt", stratum: str = "kommunekode",
                  population: str | None = "medarbejdere"):
    """An ``svy.Sample`` of ``df``: stratum = kommune, the given weight, FPC from ``population``
    (N_k; raised to n_k where a staff count is below the number of respondents)."""
    import polars as pl
    import svy

    work = df.reset_index(drop=True)
    n_k = work[stratum].map(work[stratum].value_counts())
    if population:
        N = pd.to_numeric(work[population], errors="coerce").astype(float)
        work = work.assign(**{population: np.maximum(N.to_numpy(), n_k.to_numpy(float))})
    for c in work.columns:  # polars wants plain dtypes
        if isinstance(work[c].dtype, (pd.CategoricalDtype, pd.StringDtype)):
            work[c] = work[c].astype(object)
    design = svy.Design(stratum=stratum, wgt=weight, pop_size=population if population else None,
                        singleton="center" if (n_k < 2).any() else None)
    return svy.Sample(pl.from_pandas(work), design)


class SurveyDesign:
    """One survey design (the frame, its weight, strata and FPC) for several estimates: the svy
    sample is built once. ``survey_shares``/``survey_means`` are the one-estimate shortcuts."""

    def __init__(self, df: pd.DataFrame, *, weight: str = "vaegt", stratum: str = "kommunekode",
                 population: str | None = "medarbejdere"):
        self.df = df.reset_index(drop=True)
        self.weight, self.stratum, self.population = weight, stratum, population
        self._sample = None

    @property
    def sample(self):
        if self._sample is None:
            self._sample = survey_sample(self.df, weight=self.weight, stratum=self.stratum, population=self.population)
        return self._sample

    def shares(self, y: str, *, by: str | Sequence[str] | None = None, categories: Sequence | None = None,
               alpha: float = 0.05) -> pd.DataFrame:
        """See :func:`survey_shares`."""
        by = _by_list(by)
        d = self.df.loc[self.df[y].notna(), [*by, y]]
        keys = [*by, y]
        counts = d.value_counts(keys, dropna=False).rename("antal").reset_index()
        n = (d.value_counts(by, dropna=False).rename("n").reset_index() if by
             else pd.DataFrame({"n": [len(d)]}))
        cats = list(categories) if categories is not None else sorted(d[y].dropna().unique())
        grid = n[by].merge(pd.DataFrame({y: cats}), how="cross") if by else pd.DataFrame({y: cats})
        out = grid.merge(counts, on=keys, how="left")
        out = out.merge(n, on=by, how="left") if by else out.assign(n=int(len(d)))
        if len(d):
            res = self.sample.estimation.prop(y, by=by[0] if len(by) == 1 else (tuple(by) or None), drop_nulls=True,
                                              alpha=alpha)
            r = res.to_polars().to_pandas().rename(columns={"est": "andel", "lci": "ci_nedre", "uci": "ci_oevre"})
            if pd.api.types.is_numeric_dtype(self.df[y]):
                r[y] = pd.to_numeric(r[y])
            out = out.merge(r[[*by, y, "andel", "se", "ci_nedre", "ci_oevre", "df"]], on=keys, how="left")
        for c in ("andel", "se", "ci_nedre", "ci_oevre", "df"):
            if c not in out.columns:
                out[c] = np.nan
        out["antal"] = out["antal"].fillna(0).astype(int)
        out["n"] = out["n"].fillna(0).astype(int)
        out.loc[(out["antal"] == 0) & (out["n"] > 0), "andel"] = 0.0
        return out.rename(columns={y: "kategori"})[[*by, "kategori", "antal", "n", "andel", "se", "ci_nedre",
                                                      "ci_oevre", "df"]]

    def means(self, y: str | Sequence[str], *, by: str | Sequence[str] | None = None,
              alpha: float = 0.05) -> pd.DataFrame:
        """See :func:`survey_means`."""
        by = _by_list(by)
        rows = []
        for col in [y] if isinstance(y, str) else list(y):
            d = self.df.loc[self.df[col].notna()]
            n = (d.value_counts(by, dropna=False).rename("n").reset_index() if by
                 else pd.DataFrame({"n": [len(d)]}))
            if len(d) == 0:
                rows.append(n.assign(maal=col))
                continue
            r = self.sample.estimation.mean(col, by=by[0] if len(by) == 1 else (tuple(by) or None), drop_nulls=True,
                                            alpha=alpha).to_polars().to_pandas()
            r = r.rename(columns={"est": "gennemsnit", "lci": "ci_nedre", "uci": "ci_oevre"}).drop(
                columns=["n", "cv"], errors="ignore")
            m = n.merge(r, on=by, how="left") if by else pd.concat([n, r], axis=1)
            rows.append(m.assign(maal=col))
        out = pd.concat(rows, ignore_index=True)
        for c in ("gennemsnit", "se", "ci_nedre", "ci_oevre", "df"):
            if c not in out.columns:
                out[c] = np.nan
        return out[[*by, "maal", "n", "gennemsnit", "se", "ci_nedre", "ci_oevre", "df"]]


def _t(df_: float, alpha: float) -> float:
    from scipy import stats

    return float(stats.t.ppf(1 - alpha / 2, df_)) if df_ and df_ > 0 else float("nan")


def _by_list(by: str | Sequence[str] | None) -> list[str]:
    return [] if by is None else [by] if isinstance(by, str) else list(by)


def survey_shares(df: pd.DataFrame, y: str, *, by: str | Sequence[str] | None = None,
                  categories: Sequence | None = None, weight: str = "vaegt", stratum: str = "kommunekode",
                  population: str | None = "medarbejdere", alpha: float = 0.05) -> pd.DataFrame:
    """Weighted shares of the categories of ``y`` (missing answers left out), per ``by`` group.

    One row per group and category: ``kategori``, ``antal`` (unweighted respondents in the
    category), ``n`` (unweighted respondents who answered), ``andel`` (weighted share), ``se``,
    ``ci_nedre``/``ci_oevre`` (logit, design-based) and ``df``. ``categories`` fixes the order and
    adds empty categories (share 0, no interval).
    """
    cols = [c for c in dict.fromkeys([*_by_list(by), y, weight, stratum, *([population] if population else [])])]
    return SurveyDesign(df[cols], weight=weight, stratum=stratum, population=population).shares(
        y, by=by, categories=categories, alpha=alpha)


def survey_means(df: pd.DataFrame, y: str | Sequence[str], *, by: str | Sequence[str] | None = None,
                 weight: str = "vaegt", stratum: str = "kommunekode", population: str | None = "medarbejdere",
                 alpha: float = 0.05) -> pd.DataFrame:
    """Weighted means of the numeric column(s) ``y`` (missing values left out), per ``by`` group:
    ``maal`` (the column), ``n`` (unweighted respondents with a value), ``gennemsnit``, ``se``,
    ``ci_nedre``/``ci_oevre`` (t intervals, design-based) and ``df``."""
    ys = [y] if isinstance(y, str) else list(y)
    cols = [c for c in dict.fromkeys([*_by_list(by), *ys, weight, stratum, *([population] if population else [])])]
    return SurveyDesign(df[cols], weight=weight, stratum=stratum, population=population).means(ys, by=by, alpha=alpha)
