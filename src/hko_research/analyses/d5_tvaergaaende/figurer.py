"""Delanalyse 5's figures, each drawn from a protected (published) frame.

* Figur 31: the theory of change, from the declarative ``forandringsteori.yaml`` (no image file).
* Figur 32-35, 39-42: bars of the group shares (:func:`gruppe_figur`).
* Figur 36-38: one point per kommune with the fitted line and its 95 pct. band of the kommune
  GLM, the selected kommuner highlighted (:func:`spredning`). A kommune whose counts are suppressed
  has no point (its share is NaN in the protected frame), and the number left out is written.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from ...publishing import plots

FORANDRINGSTEORI = Path(__file__).with_name("forandringsteori.yaml")


@lru_cache(maxsize=1)
def _teori() -> dict:
    return yaml.safe_load(FORANDRINGSTEORI.read_text(encoding="utf-8"))


def forandringsteori() -> pd.DataFrame:
    """Figur 31's elements as a table: trin (the step in the chain; empty for the structural
    conditions), element, indhold, afsnit and the elements each points to (direct and indirect)."""
    t = _teori()
    name = {x["id"]: x["titel"] for x in t["elementer"]}
    rows = []
    for e in sorted(t["elementer"], key=lambda e: (e["trin"] is None, e["trin"] or 0)):
        direkte = [name[p["til"]] for p in t["pile"] if p["fra"] == e["id"] and p["type"] == "direkte"]
        indirekte = [name[p["til"]] for p in t["pile"] if p["fra"] == e["id"] and p["type"] == "indirekte"]
        rows.append({"trin": e["trin"], "element": e["titel"], "indhold": e["tekst"], "afsnit": e["afsnit"],
                     "direkte_betydning_for": ", ".join(direkte), "indirekte_betydning_for": ", ".join(indirekte)})
    out = pd.DataFrame(rows)
    out["trin"] = out["trin"].astype("Int64")
    return out


def figur_31():
    """The theory of change: the chain left to right (prioritering -> viden -> brug -> udfald), the
    structural conditions below it; solid arrows for direct relations with the outcome, dashed for
    relations between the themes. Arrows between boxes that are not neighbours arc above the chain,
    so no arrow crosses a box."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    plots.set_theme()
    t = _teori()
    cols = max(e["kolonne"] for e in t["elementer"]) + 1
    fig, ax = plt.subplots(figsize=(11, 5.2))
    ax.set_xlim(0, cols)
    ax.set_ylim(-0.55, 2.35)
    ax.axis("off")
    w, h = 0.78, 0.74
    box = {}
    for e in t["elementer"]:
        x, y = e["kolonne"] + 0.5, 1.2 - 1.2 * e["raekke"]
        box[e["id"]] = (x, y)
        colour = plots.PALETTE[2] if e["id"] == "udfald" else plots.PALETTE[0]
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02", fc="white", ec=colour, lw=1.6))
        ax.text(x, y + 0.2, plots._wrap(e["titel"], 20), ha="center", va="center", fontsize=9, fontweight="bold",
                color=colour)
        ax.text(x, y - 0.13, plots._wrap(e["tekst"], 26), ha="center", va="center", fontsize=7.5, color="#333333")
    for p in t["pile"]:
        (x0, y0), (x1, y1) = box[p["fra"]], box[p["til"]]
        style = dict(arrowstyle="-|>", mutation_scale=12, lw=1.3,
                     color="#333333" if p["type"] == "direkte" else "#7f7f7f",
                     linestyle="-" if p["type"] == "direkte" else (0, (4, 3)))
        if y0 == y1 and abs(x1 - x0) <= 1.01:       # neighbours in the chain: straight
            a, b, conn = (x0 + w / 2, y0), (x1 - w / 2, y1), "arc3,rad=0"
        elif y0 == y1:                               # over the boxes between them
            a, b = (x0 + 0.12, y0 + h / 2), (x1 - 0.12, y1 + h / 2)
            conn = f"arc3,rad={-0.18 - 0.06 * (abs(x1 - x0) - 2)}"
        else:                                        # from the structural conditions up into the chain
            a, b, conn = (x0 + (0.2 if x1 > x0 else -0.2), y0 + h / 2), (x1, y1 - h / 2), "arc3,rad=0"
        ax.add_patch(FancyArrowPatch(a, b, connectionstyle=conn, **style))
    ax.plot([], [], color="#333333", lw=1.3, label="Direkte sammenhæng med arbejdsmarkedstilknytning")
    ax.plot([], [], color="#7f7f7f", lw=1.3, ls=(0, (4, 3)), label="Sammenhæng mellem temaerne")
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 0.0), ncol=1, fontsize=8)
    plots.finish_layout(fig)
    return fig


def gruppe_figur(shown: pd.DataFrame, *, maal: str, dimension: str, niveau: str, ylabel: str):
    """Bars of ``andel`` per group (x) and ordning (colour) with the 95 pct. interval, for one
    outcome, dimension and level of the protected group table (the 'I alt' bar last)."""
    d = shown.loc[(shown["maal"] == maal) & (shown["dimension"] == dimension) & (shown["niveau"] == niveau)]
    return plots.bar_chart(d, x="gruppe", y="andel", hue="ordning", percent=True, share=True,
                           ci=("ci_nedre", "ci_oevre"), ylabel=ylabel, xlabel="", legend_title="")


def spredning(shown: pd.DataFrame, *, x: str, y: str, lines: dict[str, pd.DataFrame] | None, xlabel: str,
              ylabel: str, x_share: bool = True, highlight: bool = False):
    """Figur 36-38: one panel per ordning, a point per kommune of the protected per-kommune table
    (``x``, ``y`` as shares), the fitted line with its band (``lines[ordning]``, from the kommune
    GLM), the selected kommuner in the second colour when ``highlight``."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    plots.set_theme()
    ordninger = list(pd.unique(shown["ordning"]))
    fig, axes = plt.subplots(1, len(ordninger), figsize=(12, 4.4), squeeze=False, sharey=False)
    for ax, o in zip(axes[0], ordninger):
        d = shown.loc[shown["ordning"] == o]
        xs = pd.to_numeric(d[x], errors="coerce")
        ys = pd.to_numeric(d[y], errors="coerce")
        ok = xs.notna() & ys.notna()
        valgt = (d["valgt"] == "ja") & ok if highlight else pd.Series(False, index=d.index)
        scale = 100 if x_share else 1
        ax.scatter(xs[ok & ~valgt] * scale, ys[ok & ~valgt] * 100, s=22, color=plots.PALETTE[0], alpha=0.75,
                   edgecolor="white", linewidth=0.4, label="Kommune", zorder=3)
        if valgt.any():
            ax.scatter(xs[valgt] * scale, ys[valgt] * 100, s=34, color=plots.PALETTE[1], edgecolor="#333333",
                       linewidth=0.6, label="Valgt kommune", zorder=4)
        line = (lines or {}).get(o)
        if line is not None and len(line):
            ax.fill_between(line["x"] * scale, line["konf_nedre"] * 100, line["konf_oevre"] * 100, color=plots.PALETTE[2],
                            alpha=0.2, lw=0, label="95 pct. konfidensbånd", zorder=1)
            ax.plot(line["x"] * scale, line["tilpasset"] * 100, color=plots.PALETTE[2], lw=1.8,
                    label="Tilpasset (kommune-GLM)", zorder=2)
        dropped = int((~ok).sum())
        if dropped:
            ax.text(0.99, 0.01, f"{dropped} kommuner undertrykt/uden data", transform=ax.transAxes, ha="right",
                    va="bottom", fontsize=7, color="#555555")
        ax.set_title(str(o), fontsize=10)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.xaxis.set_major_formatter(plots.num_formatter(1 if (xs[ok] * scale).max() < 5 else 0))
        ax.yaxis.set_major_formatter(plots.num_formatter(0))
    handles, labels_ = [], []
    for ax in axes[0]:
        for hdl, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels_:
                handles.append(hdl)
                labels_.append(lab)
    fig.legend(handles, labels_, loc="outside lower center", ncol=len(labels_), fontsize=8, frameon=False)
    plots.finish_layout(fig)
    return fig

