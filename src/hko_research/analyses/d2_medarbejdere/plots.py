"""Delanalyse 2's figures: the report's dot plots across kommuner (sorted, the selected kommuner
highlighted, the all-kommuner value as a line) and stacked distributions of the collapsed answers.

Both draw from protected frames only; a suppressed value is never drawn as if it were a number
(a kommune whose mean is suppressed is listed as 'undertrykt', a suppressed share leaves a hatched
gap). Danish labels come from the label dictionary (labels.yaml).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ...publishing import plots as P

# Shared codes the dictionary of publishing/labels.yaml names (used until that dictionary is there).
_SHARED = {"hoej": "Høj", "mellem": "Mellem", "lav": "Lav", "fysisk": "Fysisk", "psykisk": "Psykisk",
           "sensorisk": "Sensorisk", "intellektuel": "Intellektuel", "pa": "Personlig assistance", "hm": "Hjælpemidler",
           "is": "Isbryderordning", "fa": "Fortrinsadgang", "kontanthjaelp": "Kontanthjælp", "sygedagpenge": "Sygedagpenge",
           "ledighedsydelse": "Ledighedsydelse", "kvinde": "Kvinde", "mand": "Mand", "andet": "Andet", "stor": "Stor",
           "lille": "Lille", "proaktiv": "Proaktiv", "reaktiv": "Reaktiv", "diffus": "Diffus",
           "specialiseret_team": "Specialiseret team", "spredt_specialisering": "Spredt specialisering",
           "generel_specialisering": "Generel specialisering", "rammevilkaar": "Rammevilkår", "strategi": "Strategi",
           "organisering": "Organisering"}
SELECTED = P.PALETTE[1]
OTHERS = P.PALETTE[0]
CATEGORY_COLOURS = ["#1f4e79", "#9dc3e6", "#e07b39", "#bfbfbf"]


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    own = yaml.safe_load((Path(__file__).with_name("labels.yaml")).read_text(encoding="utf-8")) or {}
    return {**_SHARED, **(own.get("values") or {})}


def label(code) -> str:
    """The Danish label of a category code (the code itself, readable, when it has none)."""
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return ""
    s = str(code)
    return _labels().get(s, s.replace("_", " ").capitalize() if s.islower() else s)


def relabel(df: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A display copy with the category codes of text columns replaced by their Danish labels."""
    out = df.copy()
    for c in columns or [c for c in out.columns if out[c].dtype == object or pd.api.types.is_string_dtype(out[c])]:
        out[c] = out[c].map(lambda v: label(v) if isinstance(v, str) else v)
    out.attrs = df.attrs
    return out


def kommune_prikker(df: pd.DataFrame, value: str, *, title: str | None = None, xlabel: str = "",
                    limits: tuple[float, float] | None = None, percent: bool = False,
                    mean_label: str = "Alle casekommuner") -> Figure:
    """The report's figure across kommuner as a sorted dot plot: one row per casekommune (its own
    mean), the selected kommuner in orange, the value over all casekommuner as a dashed line."""
    P.set_theme()
    d = df.loc[df["kommune"] != "I alt"].copy()
    d[value] = pd.to_numeric(d[value], errors="coerce")
    total = df.loc[df["kommune"] == "I alt", value]
    shown = d.dropna(subset=[value]).sort_values(value)
    hidden = d.loc[d[value].isna(), "kommune"].tolist()
    fig, ax = plt.subplots(figsize=(7.5, 0.28 * (len(shown) + len(hidden)) + 1.4))
    y = np.arange(len(shown))
    sel = shown["valgt"].eq("ja").to_numpy()
    ax.scatter(shown[value].to_numpy()[~sel], y[~sel], s=46, color=OTHERS, zorder=3, label="Øvrige casekommuner")
    if sel.any():
        ax.scatter(shown[value].to_numpy()[sel], y[sel], s=90, color=SELECTED, edgecolor="#333333", zorder=4,
                   label="Valgte kommuner")
    ax.set_yticks(list(y) + list(range(len(shown), len(shown) + len(hidden))))
    ax.set_yticklabels(list(shown["kommune"]) + [f"{k} (undertrykt)" for k in hidden], fontsize=8)
    if len(total) and pd.notna(total.iloc[0]):
        ax.axvline(float(total.iloc[0]), color=P.MEAN_COLOUR, lw=2, ls="--", zorder=2, label=mean_label)
    if limits:
        ax.set_xlim(*limits)
    if percent:
        ax.xaxis.set_major_formatter(P.pct_formatter(share=True))
    else:
        ax.xaxis.set_major_formatter(P.num_formatter(1))
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout(rect=(0, 0, 1, 0.94))  # room for the title Publisher.figure adds
    return fig


def fordeling(df: pd.DataFrame, group: str, order: Sequence[str], *, title: str | None = None,
              niveau: str | None = None) -> Figure:
    """Stacked horizontal bars: per ``group`` value the shares of the collapsed answers in ``order``
    (a suppressed share is a hatched gap labelled 'undertrykt')."""
    P.set_theme()
    d = df if niveau is None or "niveau" not in df.columns else df.loc[df["niveau"] == niveau]
    if niveau is None and "niveau" in d.columns and d["niveau"].nunique() > 1:  # the selection next to its whole
        d = d.assign(**{group: d[group].map(label) + " · " + d["niveau"]})
    groups = list(pd.unique(d[group]))
    fig, ax = plt.subplots(figsize=(8.5, 0.55 * len(groups) + 1.8))
    left = np.zeros(len(groups))
    marked = set()  # one 'undertrykt' per bar
    for i, cat in enumerate(order):
        vals = [d.loc[(d[group] == g) & (d["kategori"] == cat), "andel"] for g in groups]
        v = np.array([float(x.iloc[0]) if len(x) and pd.notna(x.iloc[0]) else np.nan for x in vals])
        colour = CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)]
        ok = ~np.isnan(v)
        ax.barh(np.arange(len(groups))[ok], v[ok], left=left[ok], color=colour, label=label(cat))
        for j in np.flatnonzero(ok):
            if v[j] >= 0.06:
                ax.text(left[j] + v[j] / 2, j, P.fmt_pct(v[j], 0, share=True).replace(" pct.", ""), ha="center",
                        va="center", fontsize=8, color="white" if i in (0, 2) else "#222222")
        left[ok] += v[ok]
        for j in np.flatnonzero(~ok):
            if j not in marked:
                marked.add(j)
                ax.text(min(left[j], 0.9) + 0.005, j, "undertrykt", fontsize=7, va="center", color="#555555",
                        gid="undertrykt")
    ax.set_yticks(range(len(groups)))
    ax.set_yticklabels([label(g) for g in groups])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.5, 1])  # long group labels leave a narrow axis: few ticks keep them apart
    ax.xaxis.set_major_formatter(P.pct_formatter(share=True))
    ax.legend(handles=[Patch(color=CATEGORY_COLOURS[i % 4], label=label(c)) for i, c in enumerate(order)],
              loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    if title:
        ax.set_title(title)
    fig.tight_layout(rect=(0, 0, 1, 0.94))  # room for the title Publisher.figure adds
    return fig
