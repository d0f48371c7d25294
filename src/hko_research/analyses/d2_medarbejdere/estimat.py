"""The estimates every delanalyse-2 table is made of, on the run's levels (selected casekommuner next
to all casekommuner): weighted distributions, means of scores, per-kommune means and cross-tabs.

Every row carries its unweighted base ``n`` (respondents who answered) and, for shares, ``antal``
(respondents in the category), so disclosure control masks a share, mean or interval from fewer
than ``min_cell_size`` respondents, weighted or not (publishing/columns.py).
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ...levels import case_levels
from ...stats import SurveyDesign
from . import measures as M
from .load import HOVEDVAEGTNING, SurveyData, weight_column


def levels(S: SurveyData) -> list[tuple[str, pd.DataFrame]]:
    """[(niveau, respondents)]: the selected casekommuner (when some but not all) and all of them."""
    return case_levels(S.resp, S)


def _frame(d: pd.DataFrame, tally: str, *columns: str | None) -> pd.DataFrame:
    """Only the design columns, the weight of ``tally`` and ``columns`` (estimates copy frames: the
    respondent table is wide)."""
    cols = ["kommunekode", "medarbejdere", *dict.fromkeys(c for c in columns if c)]
    out = d[cols].copy()
    out["vaegt"] = d[weight_column(tally)].astype(float).to_numpy()
    for c in columns:
        if c and isinstance(out[c].dtype, pd.StringDtype):
            out[c] = out[c].astype(object)
    return out


def fordeling(S: SurveyData, variabel: str, kategorier: Callable[[pd.Series], pd.Series], order: Sequence[str], *,
              maal: str, by: str | Sequence[str] | None = None, tally: str = HOVEDVAEGTNING,
              rows: Callable | None = None, ved_ikke_i_naevner: bool | None = None) -> pd.DataFrame:
    """The weighted distribution of ``kategorier(answers)`` (e.g. 5 -> 3 categories) per level and
    ``by`` group (several ``by`` columns: one table per column, the group in ``gruppe``): niveau,
    maal, [by], kategori, antal, n, andel, ci_nedre, ci_oevre. 'Ved ikke' is a category in the
    denominator (def. 6, ``measures.VED_IKKE_I_NAEVNER``) unless ``ved_ikke_i_naevner`` is False:
    then it is left out like a missing answer."""
    keep = M.VED_IKKE_I_NAEVNER if ved_ikke_i_naevner is None else ved_ikke_i_naevner
    if not keep:
        order = [c for c in order if c != "ved_ikke"]
        inner = kategorier
        kategorier = lambda s: inner(s).mask(inner(s) == "ved_ikke")  # noqa: E731
    many = not (by is None or isinstance(by, str))
    bys = list(by) if many else [by]
    out = []
    for niveau, d in levels(S):
        if rows is not None:
            d = d.loc[rows(d)]
        d = _frame(d, tally, variabel, *bys)
        d["_k"] = kategorier(d[variabel]).astype(object).to_numpy()
        if d["_k"].notna().sum() == 0:
            continue
        design = SurveyDesign(d, population="medarbejdere")  # one svy sample for every breakdown
        for b in bys:
            r = design.shares("_k", by=b, categories=list(order))
            if many:
                r = r.rename(columns={b: "gruppe"}).assign(dimension=b)
            out.append(r.assign(niveau=niveau, maal=maal))
    keys = ["dimension", "gruppe"] if many else ([by] if by else [])
    cols = ["niveau", "maal", *keys, "kategori", "antal", "n", "andel", "ci_nedre", "ci_oevre"]
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)


def valgt(S: SurveyData, variabler: Mapping[str, str], *, tally: str = HOVEDVAEGTNING, rows: Callable | None = None,
          naevner: str = "alle") -> pd.DataFrame:
    """Multi-select options (0/1 columns ``variabler`` -> names): the weighted share ticking each,
    among those who answered the question (``naevner="alle"``: everybody shown it). Columns niveau,
    maal, antal, antal_ikke_valgt, n, andel, ci_nedre, ci_oevre."""
    out = []
    for niveau, d in levels(S):
        if rows is not None:
            d = d.loc[rows(d)]
        answered = d[list(variabler)].notna().any(axis=1)
        d = _frame(d.loc[answered], tally, *variabler)
        for var in variabler:
            d[var] = d[var].map(lambda v: None if pd.isna(v) else ("valgt" if bool(v) else "ikke_valgt")).astype(object)
        design = SurveyDesign(d, population="medarbejdere")
        for var, name in variabler.items():
            r = design.shares(var, categories=["valgt", "ikke_valgt"])
            yes = r.loc[r["kategori"] == "valgt"].iloc[0]
            out.append({"niveau": niveau, "maal": name, "antal": int(yes["antal"]),
                        "antal_ikke_valgt": int(yes["n"] - yes["antal"]), "n": int(yes["n"]), "andel": yes["andel"],
                        "ci_nedre": yes["ci_nedre"], "ci_oevre": yes["ci_oevre"]})
    return pd.DataFrame(out)


def scores(d: pd.DataFrame, variabler: Sequence[str], skala: Mapping[int, float]) -> pd.DataFrame:
    """Numeric scores of five-point answers (def. 7); Q8's 0-10 answers are their own score."""
    out = pd.DataFrame(index=d.index)
    for v in variabler:
        out[v] = d[v].astype(float) if skala is None else M.score(d[v], skala).to_numpy()
    return out


def gennemsnit(S: SurveyData, variabler: Mapping[str, str], skala: Mapping[int, float] | None, *,
               by: str | None = None, tally: str = HOVEDVAEGTNING, maal: str = "") -> pd.DataFrame:
    """Weighted mean score of each sub-item (niveau, maal, [by], delspoergsmaal, n, gennemsnit, CI)
    and, as delspoergsmaal 'samlet', the mean of the sub-items' means (def. 13)."""
    out = []
    for niveau, d in levels(S):
        sc = scores(d, list(variabler), skala)
        x = pd.concat([_frame(d, tally, by), sc], axis=1)
        r = SurveyDesign(x, population="medarbejdere").means(list(variabler), by=by)
        r["delspoergsmaal"] = r["maal"].map(variabler)
        r = r.drop(columns="maal")
        keys = [by] if by else []
        samlet = r.groupby(keys, dropna=False)["gennemsnit"].mean().reset_index() if keys else \
            pd.DataFrame({"gennemsnit": [r["gennemsnit"].mean()]})
        n_any = x.loc[sc.notna().any(axis=1)]
        n_all = n_any.groupby(keys).size().rename("n").reset_index() if keys else pd.DataFrame({"n": [len(n_any)]})
        samlet = samlet.merge(n_all, on=keys) if keys else pd.concat([samlet, n_all], axis=1)
        r = pd.concat([r, samlet.assign(delspoergsmaal="samlet")], ignore_index=True)
        out.append(r.assign(niveau=niveau, maal=maal))
    cols = ["niveau", "maal", *([by] if by else []), "delspoergsmaal", "n", "gennemsnit", "ci_nedre", "ci_oevre"]
    # a mean's interval is in the mean's unit, not a share: named after it
    return pd.concat(out, ignore_index=True)[cols].rename(columns={"ci_nedre": "gennemsnit_ci_nedre",
                                                                   "ci_oevre": "gennemsnit_ci_oevre"})


def kommune_gennemsnit(S: SurveyData, variabler: Mapping[str, str], skala: Mapping[int, float] | None) -> pd.DataFrame:
    """Per casekommune (its respondents 1:1, the report's dot plots): the mean score of every
    sub-item (``gennemsnit_<name>``) and their mean (``gennemsnit``), with an 'I alt' row for all
    casekommuner (disclosure: a kommune's mean cannot be recovered from the total)."""
    d = S.resp
    sc = scores(d, list(variabler), skala)
    sc["kommunekode"] = d["kommunekode"].to_numpy()
    rows = []
    for code, g in sc.groupby("kommunekode"):
        row = {"kommunekode": int(code), "n": int(g[list(variabler)].notna().any(axis=1).sum())}
        for v, name in variabler.items():
            row[f"gennemsnit_{name}"] = float(g[v].mean())
        row["gennemsnit"] = float(np.mean([row[f"gennemsnit_{n}"] for n in variabler.values()]))
        rows.append(row)
    out = pd.DataFrame(rows)
    out = S.kom[["kommunekode", "kommune", "valgt"]].merge(out, on="kommunekode").drop(columns="kommunekode")
    tot = {"kommune": "I alt", "valgt": False, "n": int(out["n"].sum())}
    for v, name in variabler.items():
        tot[f"gennemsnit_{name}"] = float(sc[v].mean())
    tot["gennemsnit"] = float(np.mean([tot[f"gennemsnit_{n}"] for n in variabler.values()]))
    out = pd.concat([out, pd.DataFrame([tot])], ignore_index=True)
    out["valgt"] = (out["valgt"].astype(bool) & (not S.all_kommuner)).map({True: "ja", False: "nej"})
    return out


def kommune_andel(S: SurveyData, variabel: str, ja: Callable[[pd.Series], pd.Series], *, maal: str) -> pd.DataFrame:
    """Per casekommune the share of its respondents answering ``ja`` (Figur 16), 'I alt' last."""
    d = S.resp.loc[S.resp[variabel].notna()]
    flag = ja(d[variabel]).astype(bool)
    rows = [{"kommunekode": int(k), "antal": int(f.sum()), "n": int(len(f)), "andel": float(f.mean())}
            for k, f in flag.groupby(d["kommunekode"])]
    out = S.kom[["kommunekode", "kommune", "valgt"]].merge(pd.DataFrame(rows), on="kommunekode").drop(columns="kommunekode")
    out = pd.concat([out, pd.DataFrame([{"kommune": "I alt", "valgt": False, "antal": int(flag.sum()),
                                         "n": int(len(flag)), "andel": float(flag.mean())}])], ignore_index=True)
    out["valgt"] = (out["valgt"].astype(bool) & (not S.all_kommuner)).map({True: "ja", False: "nej"})
    return out.assign(maal=maal)


def krydstabel(S: SurveyData, variabel: str, kategorier: Callable[[pd.Series], pd.Series], kategori: str,
               dimensioner: Sequence[str], *, maal: str, tally: str = "respondent") -> pd.DataFrame:
    """The share answering ``kategori`` by each of ``dimensioner`` (respondent characteristics and
    kommune facts), at respondent level: niveau, maal, dimension, gruppe, antal, n, andel, CI."""
    r = fordeling(S, variabel, kategorier, [kategori, "_andet"], maal=maal, by=list(dimensioner), tally=tally)
    cols = ["niveau", "maal", "dimension", "gruppe", "antal", "n", "andel", "ci_nedre", "ci_oevre"]
    return _informative(r.loc[r["kategori"] == kategori, cols])


def _informative(t: pd.DataFrame) -> pd.DataFrame:
    """Breakdowns with one group only (a single kommune's rammevilkår, say) repeat the total: left out."""
    groups = t.groupby(["niveau", "maal", "dimension"])["gruppe"].transform("nunique")
    return t.loc[groups > 1].reset_index(drop=True)


def krydstabel_gennemsnit(S: SurveyData, variabler: Mapping[str, str], skala, dimensioner: Sequence[str], *,
                          maal: str, tally: str = "respondent") -> pd.DataFrame:
    """The mean of the sub-items' mean scores by each of ``dimensioner`` (respondent level)."""
    out = []
    items = list(variabler)
    for niveau, d in levels(S):
        sc = scores(d, items, skala)
        w = d[weight_column(tally)].astype(float)
        answered = sc.notna().any(axis=1)
        x = sc.to_numpy(float)
        valid = ~np.isnan(x)
        wx = np.where(valid, x, 0.0) * w.to_numpy()[:, None]
        wv = valid * w.to_numpy()[:, None]
        for dim in dimensioner:
            codes, groups = pd.factorize(d[dim], sort=True)
            k = len(groups)
            # the mean of the sub-items' weighted means (def. 13), per group; no interval (shown per item elsewhere)
            with np.errstate(invalid="ignore", divide="ignore"):
                per_item = np.column_stack([np.bincount(codes, wx[:, j], k) / np.bincount(codes, wv[:, j], k)
                                            for j in range(len(items))])
            n = np.bincount(codes, answered.to_numpy().astype(float), k)
            for i, grp in enumerate(groups):
                out.append({"niveau": niveau, "maal": maal, "dimension": dim, "gruppe": grp, "n": int(n[i]),
                            "gennemsnit": float(np.nanmean(per_item[i])) if np.isfinite(per_item[i]).any() else np.nan})
    return _informative(pd.DataFrame(out, columns=["niveau", "maal", "dimension", "gruppe", "n", "gennemsnit"]))


def binaer(kategori: str, codes: Sequence[int]) -> Callable[[pd.Series], pd.Series]:
    """Answers in ``codes`` -> ``kategori``, other answers -> '_andet', missing stays missing."""
    cs = set(codes)
    return lambda s: s.map(lambda v: None if pd.isna(v) else (kategori if int(v) in cs else "_andet")).astype("string")
