"""Did the projects move the kommuner's use of HKO? Difference-in-differences on the kommune × year
panel of delanalyse 3's anvendelsesgrad (definitions.md, def. P2-P5).

The panel is built from delanalyse 3's public functions (``d3.anvendelsesgrad_kommuner`` for every
covered year), never recomputed here. Per project in ``puljedeltagere``:

* treated: the selected kommuner taking part in the project, from their start year (def. P3);
* controls: the selected kommuner taking part in no project of the list (kommuner only in *other*
  projects are left out of this project's comparison);
* outcome: anvendelsesgrad in grants per 10.000 inhabitants (def. P2), one observation per kommune
  and year, unweighted (as delanalyse 3's kommune means);
* two-way fixed effects (kommune and year): ``y ~ efter + C(kommunekode) + C(aar)`` (def. P4) and
  the event study with one coefficient per year relative to the start, the year before the start
  (−1) as reference (def. P5); standard errors clustered by kommune
  (:func:`hko_research.stats.fit_clustered`, t with G−1 df).
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from ...stats import fit_clustered, model_table
from . import measures as M

OUTCOME = "y"                     # grants (PA + HM) per 10.000 inhabitants
TERM_LABEL = "Deltager efter projektstart"
REFERENCE_EVENT = -1
MIN_KOMMUNER = 2                  # per group: fewer and no cluster-robust comparison exists
GRUPPER = ("Deltagere", "Andre projekters deltagere", "Øvrige kommuner", "I alt")


# ------------------------------------------------------------------------------------ the panel
def panel(b, years: Iterable[int] | None = None) -> pd.DataFrame:
    """Kommune × year frame from delanalyse 3: ``kommunekode, kommune, aar, antal_pa_hm,
    befolkning, anvendelsesgrad`` (a fraction, def. 15) and ``y`` (per 10.000, def. P2), for the
    selected kommuner and every covered year (``b`` is delanalyse 3's BrugData)."""
    from ..d3_brug import tables as d3

    frames = []
    for year in (years if years is not None else b.covered_years):
        k = d3.anvendelsesgrad_kommuner(b, year=int(year))
        frames.append(k.loc[k["valgt"], ["kommunekode", "kommune", "antal_pa_hm", "befolkning", "anvendelsesgrad"]]
                      .assign(aar=int(year)))
    out = pd.concat(frames, ignore_index=True)
    out["kommunekode"] = out["kommunekode"].astype(int)
    out[OUTCOME] = M.pr_10000(out["anvendelsesgrad"])
    return out[["kommunekode", "kommune", "aar", "antal_pa_hm", "befolkning", "anvendelsesgrad", OUTCOME]]


def design(panel_: pd.DataFrame, deltagere: pd.DataFrame, projekt: str) -> pd.DataFrame:
    """The estimation frame for one project: participants and controls (see the module doc) with
    ``deltager``, ``start_aar``, ``begivenhedstid`` and ``efter`` (1 from the start year on)."""
    part = deltagere.loc[deltagere["projekt"] == projekt]
    start = M.startaar(part.groupby("kommunekode")["startdato"].min())
    andre = set(deltagere["kommunekode"].astype(int)) - set(part["kommunekode"].astype(int))
    d = panel_.loc[~panel_["kommunekode"].isin(andre)].copy()
    d["deltager"] = d["kommunekode"].isin(start.index)
    d["start_aar"] = d["kommunekode"].map(start).astype("Int64")
    d["begivenhedstid"] = M.begivenhedstid(d["aar"], d["start_aar"])
    d["efter"] = (d["deltager"] & (d["begivenhedstid"].fillna(-10**6) >= 0)).astype(int)
    return d.reset_index(drop=True)


def problem(d: pd.DataFrame) -> str | None:
    """Why the comparison cannot be estimated (Danish, for the table), or None."""
    obs = d.dropna(subset=[OUTCOME])
    treated = obs.loc[obs["deltager"]]
    n_t, n_c = treated["kommunekode"].nunique(), obs.loc[~obs["deltager"], "kommunekode"].nunique()
    if n_t < MIN_KOMMUNER:
        return f"{n_t} deltagende kommune(r) med data blandt de valgte: mindst {MIN_KOMMUNER} kræves"
    if n_c < MIN_KOMMUNER:
        return f"{n_c} sammenligningskommune(r) med data: mindst {MIN_KOMMUNER} kræves"
    if not (treated["efter"] == 1).any():
        return "ingen år efter projektstart i data"
    if not (treated["efter"] == 0).any():
        return "ingen år før projektstart i data"
    return None


# ------------------------------------------------------------------------------------- the models
def fit_did(d: pd.DataFrame):
    """Def. P4: two-way fixed effects DiD, SE clustered by kommune."""
    return fit_clustered(f"{OUTCOME} ~ efter + C(kommunekode) + C(aar)", d, "kommunekode")


def _event_name(e: int) -> str:
    return f"e_{'m' if e < 0 else 'p'}{abs(int(e))}"


def event_terms(d: pd.DataFrame) -> tuple[int, list[int]]:
    """The reference year and the event years estimated (every one observed among participants
    except the reference). The reference is −1, or the last observed year before the start when
    −1 has no data (without a reference the dummies would be collinear with the kommune effects)."""
    obs = d.loc[d["deltager"]].dropna(subset=[OUTCOME])
    seen = sorted(int(e) for e in obs["begivenhedstid"].dropna().unique())
    ref = REFERENCE_EVENT if REFERENCE_EVENT in seen else max(e for e in seen if e < 0)
    return ref, [e for e in seen if e != ref]


def fit_event(d: pd.DataFrame):
    """Def. P5: event study, one dummy per year relative to the start (reference −1), with
    kommune and year fixed effects; SE clustered by kommune. Returns (fit, reference, event years)."""
    d = d.copy()
    ref, events = event_terms(d)
    for e in events:
        d[_event_name(e)] = (d["deltager"] & (d["begivenhedstid"] == e)).fillna(False).astype(int)
    rhs = " + ".join([_event_name(e) for e in events] + ["C(kommunekode)", "C(aar)"])
    return fit_clustered(f"{OUTCOME} ~ {rhs}", d, "kommunekode"), ref, events


# ------------------------------------------------------------------------------------- the tables
def _projects(deltagere: pd.DataFrame | None) -> list[str]:
    return [] if deltagere is None else list(pd.unique(deltagere["projekt"]))


def did(panel_: pd.DataFrame, deltagere: pd.DataFrame | None) -> pd.DataFrame:
    """One row per project: the DiD coefficient (grants per 10.000 inhabitants) with clustered SE,
    95 pct. confidence interval, p-value, G (``kommuner``) and N (``observationer``), the number of
    participating kommuner, the participants' mean before the start and the years used. A project
    that cannot be estimated gets its reason in ``bemaerkning``."""
    rows = []
    for projekt in _projects(deltagere):
        d = design(panel_, deltagere, projekt)
        obs = d.dropna(subset=[OUTCOME])
        base = {"projekt": projekt, "term": TERM_LABEL,
                "kommuner_deltagende": int(obs.loc[obs["deltager"], "kommunekode"].nunique()),
                "kommuner_sammenligning": int(obs.loc[~obs["deltager"], "kommunekode"].nunique()),
                "foer_niveau": float(obs.loc[obs["deltager"] & (obs["efter"] == 0), OUTCOME].mean())
                if (obs["deltager"] & (obs["efter"] == 0)).any() else np.nan,
                "periode": f"{int(obs['aar'].min())}-{int(obs['aar'].max())}" if len(obs) else ""}
        why = problem(d)
        if why is not None:
            rows.append({**base, "bemaerkning": why})
            continue
        t = model_table(fit_did(d), ["efter"], labels={"efter": TERM_LABEL}, groups_column="kommuner")
        rows.append({**base, **t.iloc[0].to_dict(), "bemaerkning": ""})
    cols = ["projekt", "term", "koefficient", "standardfejl", "konf_nedre", "konf_oevre", "p_vaerdi", "kommuner",
            "observationer", "kommuner_deltagende", "kommuner_sammenligning", "foer_niveau", "periode", "bemaerkning"]
    return pd.DataFrame(rows, columns=cols)


def eventstudie(panel_: pd.DataFrame, deltagere: pd.DataFrame | None) -> pd.DataFrame:
    """One row per project and year relative to the start: the event-study coefficient with its
    clustered SE, CI and p-value, G and N; the reference year (−1) is 0 by construction and marked."""
    rows = []
    for projekt in _projects(deltagere):
        d = design(panel_, deltagere, projekt)
        if problem(d) is not None:
            continue
        fit, ref_year, events = fit_event(d)
        t = model_table(fit, [_event_name(e) for e in events], groups_column="kommuner")
        t.insert(0, "begivenhedstid", events)
        t["reference"] = ""
        ref = {"begivenhedstid": ref_year, "term": _event_name(ref_year), "koefficient": 0.0,
               "kommuner": fit.n_clusters, "observationer": fit.n_obs, "reference": "referenceår"}
        t = pd.concat([t, pd.DataFrame([ref])], ignore_index=True).sort_values("begivenhedstid")
        rows.append(t.assign(projekt=projekt))
    cols = ["projekt", "begivenhedstid", "term", "koefficient", "standardfejl", "konf_nedre", "konf_oevre",
            "p_vaerdi", "kommuner", "observationer", "reference"]
    if not rows:
        return pd.DataFrame(columns=cols)
    return pd.concat(rows, ignore_index=True)[cols]


def udvikling_grupper(panel_: pd.DataFrame, deltagere: pd.DataFrame | None) -> pd.DataFrame:
    """Per project and year: the participants, the kommuner in other projects only, the others and
    all selected kommuner (``I alt``; the groups add up to it, so disclosure control can protect
    a small group): kommuner, grants (PA + HM), population and the unweighted mean anvendelsesgrad."""
    rows = []
    for projekt in _projects(deltagere):
        mine = set(deltagere.loc[deltagere["projekt"] == projekt, "kommunekode"].astype(int))
        andre = set(deltagere["kommunekode"].astype(int)) - mine
        gruppe = np.where(panel_["kommunekode"].isin(mine), GRUPPER[0],
                          np.where(panel_["kommunekode"].isin(andre), GRUPPER[1], GRUPPER[2]))
        p = panel_.assign(gruppe=gruppe)
        parts = [p, p.assign(gruppe=GRUPPER[3])]
        g = pd.concat(parts).groupby(["gruppe", "aar"], sort=False).agg(
            kommuner=("kommunekode", "nunique"), antal_bevillinger=("antal_pa_hm", "sum"),
            befolkning=("befolkning", "sum"), gennemsnit_anvendelsesgrad=("anvendelsesgrad", "mean")).reset_index()
        rows.append(g.assign(projekt=projekt))
    cols = ["projekt", "gruppe", "aar", "kommuner", "antal_bevillinger", "befolkning", "gennemsnit_anvendelsesgrad"]
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.concat(rows, ignore_index=True)[cols]
    out["gruppe"] = pd.Categorical(out["gruppe"], categories=list(GRUPPER), ordered=True)
    out = out.sort_values(["projekt", "gruppe", "aar"], kind="stable")
    out["gruppe"] = out["gruppe"].astype(str)
    return out.reset_index(drop=True)


SUMS = {"udvikling_grupper": [["projekt", "aar"]]}


# ------------------------------------------------------------------------------------ the figures
def figur_eventstudie(shown: pd.DataFrame, *, ylabel: str = "Bevillinger pr. 10.000 indbyggere"):
    """Event-study coefficients with 95 pct. confidence intervals, one panel per project, from the
    protected table (masked values are not drawn)."""
    import matplotlib.pyplot as plt

    from ...publishing import plots

    plots.set_theme()
    projekter = list(pd.unique(shown["projekt"])) or ["(ingen)"]
    fig, axes = plt.subplots(1, len(projekter), figsize=(max(6.5, 4.5 * len(projekter)), 4.2), squeeze=False)
    for ax, projekt in zip(axes[0], projekter):
        s = shown.loc[shown["projekt"] == projekt].sort_values("begivenhedstid")
        x = pd.to_numeric(s["begivenhedstid"], errors="coerce").to_numpy(float)
        y = pd.to_numeric(s["koefficient"], errors="coerce").to_numpy(float)
        lo = pd.to_numeric(s["konf_nedre"], errors="coerce").to_numpy(float)
        hi = pd.to_numeric(s["konf_oevre"], errors="coerce").to_numpy(float)
        ok = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(y)
        ax.axhline(0, color="#333333", lw=0.8)
        ax.axvline(REFERENCE_EVENT + 0.5, color="#c0504d", lw=1, ls="--", label="Projektstart")
        ax.errorbar(x[ok], y[ok], yerr=[y[ok] - lo[ok], hi[ok] - y[ok]], fmt="o", color=plots.PALETTE[0],
                    ecolor=plots.PALETTE[0], capsize=3, lw=1.2)
        ref = np.isfinite(y) & ~ok
        ax.plot(x[ref], y[ref], "o", mfc="white", mec=plots.PALETTE[0], label="Referenceår (sat til 0)")
        if len(x):
            ax.set_xticks(sorted(set(int(v) for v in x if np.isfinite(v))))
        ax.set_title(str(projekt), fontsize=10)
        ax.set_xlabel("År i forhold til projektstart (0 = startåret)")
        ax.set_ylabel(ylabel)
        ax.yaxis.set_major_formatter(plots.num_formatter(1))
        ax.legend(loc="best", fontsize=8)
    fig.tight_layout(rect=(0, 0, 1, 0.92))  # room for the publisher's title
    return fig


def figur_udvikling(shown: pd.DataFrame, starts: dict[str, Sequence[int]] | None = None):
    """Mean anvendelsesgrad per year: participants against the other kommuner, one panel per
    project, with the start year(s) marked. From the protected table."""
    import matplotlib.pyplot as plt

    from ...publishing import plots

    plots.set_theme()
    projekter = list(pd.unique(shown["projekt"])) or ["(ingen)"]
    fig, axes = plt.subplots(1, len(projekter), figsize=(max(6.5, 4.5 * len(projekter)), 4.2), squeeze=False)
    for ax, projekt in zip(axes[0], projekter):
        s = shown.loc[shown["projekt"] == projekt]
        for i, g in enumerate((GRUPPER[0], GRUPPER[2])):
            t = s.loc[s["gruppe"] == g].sort_values("aar")
            ax.plot(t["aar"].astype(int), pd.to_numeric(t["gennemsnit_anvendelsesgrad"], errors="coerce"),
                    marker="o", color=plots.PALETTE[i], label=g)
        for y in (starts or {}).get(projekt, ()):
            ax.axvline(int(y) - 0.5, color="#c0504d", lw=1, ls="--",
                       label="Projektstart" if y == min(starts[projekt]) else None)
        ax.set_xticks(sorted(s["aar"].astype(int).unique()))
        ax.set_title(str(projekt), fontsize=10)
        ax.set_xlabel("År")
        ax.set_ylabel("Gennemsnitlig anvendelsesgrad")
        ax.yaxis.set_major_formatter(plots.pct_formatter(share=True))
        ax.legend(loc="best", fontsize=8)
    fig.tight_layout(rect=(0, 0, 1, 0.92))  # room for the publisher's title
    return fig
