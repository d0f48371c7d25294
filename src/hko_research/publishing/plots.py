"""One seaborn theme and small figure helpers (Danish labels, decimal comma).

Every helper returns a matplotlib Figure and leaves it open; save it with
``Publisher.figure(fig, name, source=protected_frame)``. Suppressed values (NaN after
:func:`hko_research.publishing.disclosure.protect_table`) are never drawn as if they were zero: bars are left
out and marked "undertrykt", kommuner are grey with the legend entry "undertrykt/ingen data".
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

__all__ = [
    "PALETTE", "MEAN_COLOUR", "SUPPRESSED_COLOUR", "SUPPRESSED_LABEL", "FONT", "set_theme", "fmt_num",
    "fmt_pct", "num_formatter", "pct_formatter", "bar_chart", "choropleth", "scatter_with_mean",
]

FONT = "DejaVu Sans"  # shipped with matplotlib: same glyphs (and SVG bytes) on every machine
PALETTE = ["#1f4e79", "#e07b39", "#4f9d69", "#c0504d", "#7f6084", "#4bacc6", "#8c8c8c", "#b8860b"]
MEAN_COLOUR = "#f2c200"  # the report draws the mean as a yellow dot
SUPPRESSED_COLOUR = "#d0d0d0"
SUPPRESSED_LABEL = "undertrykt/ingen data"
_LAT0 = 56.0  # lon is scaled by cos(56°) so Denmark keeps its shape


def set_theme() -> None:
    """The project's one look: seaborn whitegrid, PALETTE, a fixed font."""
    sns.set_theme(
        style="whitegrid", palette=PALETTE, font=FONT,
        rc={
            "font.family": "sans-serif", "font.sans-serif": [FONT], "axes.titlesize": 12,
            "axes.titleweight": "bold", "axes.labelsize": 10, "legend.frameon": False,
            "figure.dpi": 100, "savefig.dpi": 150, "svg.fonttype": "path",
            "axes.spines.right": False, "axes.spines.top": False,
        },
    )


# ------------------------------------------------------------------------------------------
# Danish number formatting


def fmt_num(x: Any, decimals: int = 0) -> str:
    """Danish number: thousands '.', decimal ','. ``fmt_num(1234.5, 1) == '1.234,5'``; NaN -> ''."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return ""
    s = f"{float(x):,.{decimals}f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def fmt_pct(x: Any, decimals: int = 1, *, share: bool = False) -> str:
    """Percentage with decimal comma: ``fmt_pct(12.34) == '12,3 pct.'``.

    ``x`` is a percentage (0-100); with ``share=True`` a share (0-1), multiplied by 100.
    """
    if x is None or pd.isna(x):
        return ""
    return f"{fmt_num(float(x) * (100 if share else 1), decimals)} pct."


def num_formatter(decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: fmt_num(v, decimals))


def pct_formatter(decimals: int | None = None, *, share: bool = False) -> FuncFormatter:
    """Axis ticks as '12 pct.' (``share=True`` when the data are 0-1). Without ``decimals`` the
    ticks get as many decimals as they need (2,5 pct. is not shown as '2 pct.')."""

    def fmt(v, _pos):
        if decimals is not None:
            return fmt_pct(v, decimals, share=share)
        pct = float(v) * (100 if share else 1)
        for d in range(0, 4):
            if abs(round(pct, d) - pct) < 1e-9:
                return fmt_pct(pct, d)
        return fmt_pct(pct, 3)

    return FuncFormatter(fmt)


# ------------------------------------------------------------------------------------------
# bar chart


def bar_chart(
    df: pd.DataFrame,
    x: str,
    y: str,
    hue: str | None = None,
    title: str | None = None,
    ylabel: str | None = None,
    percent: bool = False,
    ci: tuple[str, str] | None = None,
    *,
    share: bool = False,
    xlabel: str | None = None,
    figsize: tuple[float, float] = (8, 4.8),
    rotate: int | None = None,
) -> Figure:
    """Grouped bar chart; NaN (suppressed) bars are left out and marked 'undertrykt'.

    ``percent``: y axis in 'pct.' (values are percentages, or shares 0-1 with ``share=True``).
    ``ci``: columns with lower/upper bounds drawn as error bars.
    """
    set_theme()
    data = df.reset_index(drop=True)
    xs = list(pd.unique(data[x]))
    hues = list(pd.unique(data[hue])) if hue else [None]
    fig, ax = plt.subplots(figsize=figsize)
    width = 0.8 / len(hues)
    yvals = pd.to_numeric(data[y], errors="coerce")
    top = float(np.nanmax(yvals.to_numpy(float))) if yvals.notna().any() else 1.0
    if ci:
        hi = pd.to_numeric(data[ci[1]], errors="coerce")
        if hi.notna().any():
            top = max(top, float(hi.max()))
    for h_i, h in enumerate(hues):
        sub = data if hue is None else data[data[hue] == h]
        colour = PALETTE[h_i % len(PALETTE)]
        for x_i, xv in enumerate(xs):
            rows = sub[sub[x] == xv]
            if rows.empty:
                continue
            val = pd.to_numeric(rows[y], errors="coerce").iloc[0]
            pos = x_i - 0.4 + width * (h_i + 0.5)
            if pd.isna(val):
                ax.text(pos, top * 0.01, "undertrykt", rotation=90, ha="center", va="bottom",
                        fontsize=8, color="#555555", gid="undertrykt")
                continue
            ax.bar(pos, val, width=width * 0.95, color=colour)
            if ci:
                lo, hi_ = (pd.to_numeric(rows[c], errors="coerce").iloc[0] for c in ci)
                if pd.notna(lo) and pd.notna(hi_):
                    ax.errorbar(pos, val, yerr=[[max(val - lo, 0)], [max(hi_ - val, 0)]], fmt="none",
                                ecolor="#333333", capsize=3, lw=1)
    ax.set_xticks(range(len(xs)))
    ax.set_xticklabels([str(v) for v in xs], rotation=rotate if rotate is not None else (30 if len(xs) > 6 else 0),
                       ha="right" if (rotate or len(xs) > 6) else "center")
    ax.set_xlim(-0.6, len(xs) - 0.4)
    ax.set_ylim(0, top * 1.1 if top > 0 else 1)
    ax.yaxis.set_major_formatter(pct_formatter(share=share) if percent else num_formatter(0 if top >= 10 else 1))
    ax.set_xlabel(xlabel if xlabel is not None else "")
    ax.set_ylabel(ylabel if ylabel is not None else y)
    if title:
        ax.set_title(title)
    if hue:  # proxy handles: a level whose bars are all suppressed still gets its entry
        ax.legend(handles=[Patch(facecolor=PALETTE[i % len(PALETTE)], label=str(h)) for i, h in enumerate(hues)],
                  title=hue if isinstance(hue, str) else None)
    ax.grid(axis="x", visible=False)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------
# choropleth


def _kommune_polygons() -> dict[int, list[np.ndarray]]:
    """Exterior rings of each kommune, projected: x = lon*cos(56°), y = lat."""
    from ..kommuner import geojson
    k = math.cos(math.radians(_LAT0))
    out: dict[int, list[np.ndarray]] = {}
    for feat in geojson()["features"]:
        code = int(feat["properties"]["kommunekode"])
        polys = []
        for poly in feat["geometry"]["coordinates"]:
            ring = np.asarray(poly[0], dtype=float)
            polys.append(np.column_stack([ring[:, 0] * k, ring[:, 1]]))
        out[code] = polys
    return out


def _ring_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def choropleth(
    values: pd.Series,
    *,
    title: str | None = None,
    cmap: str = "Blues",
    highlight: Iterable[int] | None = None,
    legend_label: str = "",
    vmin: float | None = None,
    vmax: float | None = None,
    percent: bool = False,
    share: bool = False,
    figsize: tuple[float, float] = (7.5, 6.5),
) -> Figure:
    """Map of the 98 kommuner coloured by ``values`` (indexed by kommunekode).

    Numeric values get a colour bar labelled ``legend_label``; text/categorical values get one
    legend entry per category. NaN and missing kommuner are grey ("undertrykt/ingen data").
    ``highlight`` outlines the given kommuner with a thick dark edge. Each kommune is one
    PolyCollection with ``gid == str(kommunekode)``.
    """
    set_theme()
    polys = _kommune_polygons()
    vals = pd.Series(values)
    vals.index = [int(i) for i in vals.index]
    unknown = sorted(set(vals.index) - set(polys))
    if unknown:
        raise ValueError(f"choropleth: unknown kommunekoder {unknown}")
    hl = {int(k) for k in (highlight or ())}
    bad_hl = sorted(hl - set(polys))
    if bad_hl:
        raise ValueError(f"choropleth: unknown kommunekoder to highlight {bad_hl}")

    categorical = not pd.api.types.is_numeric_dtype(vals.dtype) or pd.api.types.is_bool_dtype(vals.dtype)
    colour_of: dict[int, Any] = {}
    handles: list[Any] = []
    sm = None
    if categorical:
        cats = [c for c in pd.unique(vals.dropna())]
        cmap_cat = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(cats)}
        colour_of = {k: cmap_cat[v] for k, v in vals.dropna().items()}
        handles = [Patch(facecolor=cmap_cat[c], edgecolor="white", label=str(c)) for c in cats]
    else:
        num = pd.to_numeric(vals, errors="coerce").astype(float)
        finite = num.dropna()
        if not finite.empty:
            lo = float(finite.min()) if vmin is None else vmin
            hi = float(finite.max()) if vmax is None else vmax
            if hi == lo:
                hi = lo + 1.0
            norm = mpl.colors.Normalize(lo, hi)
            cm = mpl.colormaps[cmap]
            colour_of = {k: cm(norm(v)) for k, v in finite.items()}
            sm = mpl.cm.ScalarMappable(norm=norm, cmap=cm)

    fig, ax = plt.subplots(figsize=figsize)
    missing = False
    # big kommuner first, so enclosed ones (Frederiksberg in København) stay visible
    order = sorted(polys, key=lambda c: (c in hl, -sum(_ring_area(r) for r in polys[c])))
    for code in order:
        face = colour_of.get(code)
        if face is None:
            face, missing = SUPPRESSED_COLOUR, True
        edge, lw, z = ("#1a1a1a", 1.8, 3) if code in hl else ("white", 0.3, 2)
        coll = PolyCollection(polys[code], facecolors=[face], edgecolors=edge, linewidths=lw, zorder=z)
        coll.set_gid(str(code))
        ax.add_collection(coll)
    allxy = np.concatenate([r for rs in polys.values() for r in rs])
    pad = 0.05
    ax.set_xlim(allxy[:, 0].min() - pad, allxy[:, 0].max() + pad)
    ax.set_ylim(allxy[:, 1].min() - pad, allxy[:, 1].max() + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if missing:
        handles.append(Patch(facecolor=SUPPRESSED_COLOUR, edgecolor="white", label=SUPPRESSED_LABEL))
    if hl:
        handles.append(Patch(facecolor="none", edgecolor="#1a1a1a", linewidth=1.8, label="Markerede kommuner"))
    if sm is not None:
        cb = fig.colorbar(sm, ax=ax, shrink=0.6, pad=0.01)
        cb.set_label(legend_label)
        if percent:
            cb.ax.yaxis.set_major_formatter(pct_formatter(share=share))
        else:
            cb.ax.yaxis.set_major_formatter(num_formatter(0 if (sm.norm.vmax - sm.norm.vmin) >= 10 else 1))
    if handles:
        ax.legend(handles=handles, loc="upper right", fontsize=8,
                  title=legend_label if (categorical and legend_label) else None)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------
# scatter with mean


def scatter_with_mean(
    df: pd.DataFrame,
    x: str,
    y: str,
    label_col: str | None = None,
    *,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    mean_label: str = "Gennemsnit",
    percent_y: bool = False,
    share_y: bool = False,
    logx: bool = False,
    figsize: tuple[float, float] = (8, 5),
) -> Figure:
    """Scatter of ``y`` against ``x`` (e.g. udgifter vs. kommunestørrelse) with the mean of the
    plotted points as a yellow dot. Rows with NaN (suppressed) are left out; the number left out
    is written in the corner."""
    set_theme()
    data = df.copy()
    data[x] = pd.to_numeric(data[x], errors="coerce")
    data[y] = pd.to_numeric(data[y], errors="coerce")
    shown = data.dropna(subset=[x, y])
    dropped = len(data) - len(shown)
    fig, ax = plt.subplots(figsize=figsize)
    ax.scatter(shown[x], shown[y], s=28, color=PALETTE[0], alpha=0.85, edgecolor="white", linewidth=0.5, zorder=2)
    if not shown.empty:
        mx, my = float(shown[x].mean()), float(shown[y].mean())
        ax.scatter([mx], [my], s=140, color=MEAN_COLOUR, edgecolor="#333333", linewidth=1, zorder=4, label=mean_label)
        ax.legend(loc="best")
    if label_col:
        for _, row in shown.iterrows():
            ax.annotate(str(row[label_col]), (row[x], row[y]), xytext=(3, 3), textcoords="offset points",
                        fontsize=7, color="#333333")
    if logx:
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(mpl.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_minor_formatter(mpl.ticker.NullFormatter())
    ax.xaxis.set_major_formatter(num_formatter(0))
    ax.yaxis.set_major_formatter(pct_formatter(share=share_y) if percent_y else num_formatter(0))
    ax.set_xlabel(xlabel if xlabel is not None else x)
    ax.set_ylabel(ylabel if ylabel is not None else y)
    if dropped:
        ax.text(0.99, 0.01, f"{dropped} undertrykt/uden data", transform=ax.transAxes, ha="right", va="bottom",
                fontsize=7, color="#555555")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
