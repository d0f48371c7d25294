"""Målopfyldelse per project and indicator (def. P1), and the goal-versus-achieved chart.

The table keeps the published figures' own counts next to the derived shares, so disclosure control
can see them: ``antal_opnaaet`` is a count (masked when 0 < opnået < min_cell_size, and the
målopfyldelse with it); ``maal`` is a planned target, not an observation, and is declared a key
(never masked) by the notebook (:data:`KEYS`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import measures as M
from .load import PuljeData

KEYS = ("maal",)
COLUMNS = ["projekt", "pulje", "indikator", "enhed", "maal", "omtrentlig", "antal_opnaaet", "maalopfyldelse_andel",
           "maalopfyldelse_procent", "opgjort_pr", "kilde", "datakilde"]


def maalopfyldelse(L: PuljeData) -> pd.DataFrame:
    """One row per project and indicator: mål, opnået (``omtrentlig`` = "ca." where the source
    says so), målopfyldelse as an exact share and in whole percent by the publication's rule
    (:func:`.measures.maalopfyldelse_procent`), with the date, the source and where the row comes
    from (reference data or the user's file)."""
    p = L.projekter
    out = pd.DataFrame({
        "projekt": p["projekt"].astype(str),
        "pulje": p["pulje"].astype(str),
        "indikator": p["indikator"].astype(str),
        "enhed": p["enhed"].astype(str),
        "maal": p["maal"].astype(float),
        "omtrentlig": np.where(p["omtrentlig"].astype(bool), "ca.", ""),
        "antal_opnaaet": p["opnaaet"].astype(float),
        "maalopfyldelse_andel": [M.maalopfyldelse(a, m) for a, m in zip(p["opnaaet"], p["maal"])],
        "maalopfyldelse_procent": [M.maalopfyldelse_procent(a, m) for a, m in zip(p["opnaaet"], p["maal"])],
        "opgjort_pr": pd.to_datetime(p["opgjort_pr"]).dt.strftime("%Y-%m-%d"),
        "kilde": p["kilde"].astype(str),
        "datakilde": p["datakilde"].astype(str),
    })
    return out[COLUMNS].reset_index(drop=True)


def figur_maal_opnaaet(shown: pd.DataFrame, *, title: str | None = None):
    """Horizontal bars per project and indicator: the goal (100 pct., outline) and what was
    achieved (filled, in pct. of the goal; hatched where the source says "ca."), labelled with
    the counts. Drawn from the *protected* table: a masked value is marked "undertrykt"."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.ticker import MultipleLocator

    from ...publishing import plots

    plots.set_theme()
    d = shown.reset_index(drop=True)
    n = len(d)
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.75 * max(n, 1)))
    labels = []
    top = 1.0
    for i, r in d.iterrows():
        y = n - 1 - i
        labels.append(f"{r['projekt']}:\n{r['indikator']}" if d["projekt"].nunique() > 1 else str(r["indikator"]))
        ax.barh(y + 0.18, 1.0, height=0.34, facecolor="white", edgecolor="#555555", lw=1)
        ax.text(1.0, y + 0.18, f"  mål: {plots.fmt_num(r['maal'])} {r['enhed']}", va="center", fontsize=8, color="#333333")
        share = r["maalopfyldelse_andel"]
        if pd.isna(share) or pd.isna(r["antal_opnaaet"]):
            ax.text(0.01, y - 0.18, "undertrykt", va="center", fontsize=8, color="#555555", gid="undertrykt")
            continue
        top = max(top, float(share))
        approx = r["omtrentlig"] == "ca."
        ax.barh(y - 0.18, float(share), height=0.34, color=plots.PALETTE[0], hatch="//" if approx else None,
                edgecolor="white" if approx else plots.PALETTE[0], lw=0)
        pct = "" if pd.isna(r["maalopfyldelse_procent"]) else f" ({int(r['maalopfyldelse_procent'])} pct.)"
        ax.text(float(share), y - 0.18, f"  opnået: {'ca. ' if approx else ''}{plots.fmt_num(r['antal_opnaaet'])}{pct}",
                va="center", fontsize=8, color="#111111")
    ax.axvline(1.0, color="#c0504d", lw=1, ls="--")
    ax.set_yticks(range(n)[::-1])
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xlim(0, top * 1.45)
    ax.xaxis.set_major_locator(MultipleLocator(0.5 if top * 1.45 <= 3 else 1.0))
    ax.xaxis.set_major_formatter(plots.pct_formatter(share=True))
    ax.set_xlabel("Pct. af målet")
    ax.grid(axis="y", visible=False)
    ax.legend(handles=[Patch(facecolor="white", edgecolor="#555555", label="Mål (100 pct.)"),
                       Patch(facecolor=plots.PALETTE[0], label="Opnået"),
                       Patch(facecolor=plots.PALETTE[0], hatch="//", edgecolor="white", label="Opnået, ca.-tal")],
              loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    return fig
