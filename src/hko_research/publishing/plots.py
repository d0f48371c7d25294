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

from .labels import fmt_num

__all__ = [
    "PALETTE", "MEAN_COLOUR", "SUPPRESSED_COLOUR", "SUPPRESSED_LABEL", "FONT", "set_theme", "fmt_num",
    "fmt_pct", "num_formatter", "pct_formatter", "bar_chart", "choropleth", "scatter_with_mean", "series_colours",
    "text_overlaps", "finish_layout",
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
# colours, labels and layout


def series_colours(levels: Iterable[Any]) -> dict[Any, str]:
    """A colour per series: the label dictionary's fixed colour ("Hele landet" is always the same
    blue), else the palette in the order of the levels, skipping colours already taken."""
    from .labels import labels

    lab = labels()
    levels = list(levels)
    fixed = {lv: lab.colour(lv) for lv in levels}
    free = [c for c in PALETTE if c not in set(fixed.values())]
    out, i = {}, 0
    for lv in levels:
        if fixed[lv]:
            out[lv] = fixed[lv]
        else:
            out[lv] = free[i % len(free)] if free else PALETTE[i % len(PALETTE)]
            i += 1
    return out


def _label(value: Any, column: str | None = None) -> str:
    from .labels import labels

    return str(labels().value(value, column))


def _wrap(text: str, width: int = 16) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=False)) or str(text)


def text_boxes(fig: Figure) -> list[tuple[str, Any]]:
    """(description, display bbox) of every visible text of the figure and every legend, as
    rendered (the figure is laid out first: the layout places the texts; pixels are not needed)."""
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    out: list[tuple[str, Any]] = []

    def add(kind: str, t) -> None:
        if t is None or not t.get_visible() or not str(t.get_text()).strip():
            return
        bb = t.get_window_extent(renderer)
        if bb.width > 0 and bb.height > 0:
            out.append((f"{kind}: {t.get_text()!r}", bb))

    sup = getattr(fig, "_suptitle", None)
    add("suptitle", sup)
    for t in fig.texts:
        if t is not sup:
            add("figure text", t)
    legends = list(fig.legends)
    for i, ax in enumerate(fig.axes):
        add(f"axes {i} title", ax.title)
        add(f"axes {i} left title", ax._left_title)
        add(f"axes {i} right title", ax._right_title)
        add(f"axes {i} x label", ax.xaxis.label)
        add(f"axes {i} y label", ax.yaxis.label)
        # tick labels that are drawn: those of ticks inside the view limits of axes that are shown
        for axis, name, (lo, hi) in ((ax.xaxis, "x", sorted(ax.get_xlim())), (ax.yaxis, "y", sorted(ax.get_ylim()))):
            if not ax.axison or not axis.get_visible():
                continue
            for tick in axis.get_major_ticks():
                if lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                    add(f"axes {i} {name} tick", tick.label1)
        for t in ax.texts:
            add(f"axes {i} text", t)
        if ax.get_legend() is not None:
            legends.append(ax.get_legend())
    for j, leg in enumerate(legends):
        if leg.get_visible():
            out.append((f"legend {j}", leg.get_window_extent(renderer)))
    return out


def text_overlaps(fig: Figure, *, tolerance: float = 1.0) -> list[str]:
    """Pairs of texts (titles, tick labels, axis labels, notes, legends) whose rendered boxes
    overlap by more than ``tolerance`` pixels; [] for a clean layout."""
    boxes = text_boxes(fig)
    legends = [bb for name, bb in boxes if name.startswith("legend")]
    found = []
    for i, (na, a) in enumerate(boxes):
        for nb, b in boxes[i + 1:]:
            # texts inside a legend belong to it
            if na.startswith("legend") and any(_inside(b, lg) for lg in legends):
                continue
            if nb.startswith("legend") and any(_inside(a, lg) for lg in legends):
                continue
            w = min(a.x1, b.x1) - max(a.x0, b.x0)
            h = min(a.y1, b.y1) - max(a.y0, b.y0)
            if w > tolerance and h > tolerance:
                found.append(f"{na} overlaps {nb}")
    return found


def _inside(inner, outer, slack: float = 2.0) -> bool:
    return (inner.x0 >= outer.x0 - slack and inner.x1 <= outer.x1 + slack and
            inner.y0 >= outer.y0 - slack and inner.y1 <= outer.y1 + slack)


def finish_layout(fig: Figure) -> None:
    """Lay a figure out so that nothing overlaps: constrained layout (it makes room for the title,
    axis labels, tick labels and legends outside the axes)."""
    fig.set_layout_engine("constrained")
    fig.get_layout_engine().set(h_pad=0.08, w_pad=0.08)


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
    legend_title: str | None = None,
    highlight: Iterable[Any] | None = None,
) -> Figure:
    """Grouped bar chart in the project's look.

    Bars start at zero in both directions (a negative value is a bar below the zero line, which
    is drawn); a zero is drawn as a mark on the line labelled "0"; a NaN (suppressed) bar is left
    out and marked "undertrykt". Category values and the legend title go through the label
    dictionary; every series keeps its colour across runs (:func:`series_colours`); the legend
    sits outside the bars. ``percent``: y axis in 'pct.' (values are percentages, or shares 0-1
    with ``share=True``). ``ci``: columns with lower/upper bounds drawn as error bars.
    ``highlight``: x values whose bars are drawn in the second colour.
    """
    from .labels import labels

    set_theme()
    data = df.reset_index(drop=True)
    xs = list(pd.unique(data[x]))
    hues = list(pd.unique(data[hue])) if hue else [None]
    colours = series_colours(hues) if hue else {None: PALETTE[0]}
    marked = set(highlight) if highlight is not None else set()
    fig, ax = plt.subplots(figsize=figsize)
    width = 0.8 / len(hues)
    yvals = pd.to_numeric(data[y], errors="coerce").to_numpy(float)
    lows = [np.nanmin(yvals)] if np.isfinite(yvals).any() else [0.0]
    highs = [np.nanmax(yvals)] if np.isfinite(yvals).any() else [1.0]
    if ci:
        for c, agg in ((ci[0], lows), (ci[1], highs)):
            v = pd.to_numeric(data[c], errors="coerce")
            if v.notna().any():
                agg.append(float(v.min() if agg is lows else v.max()))
    bottom, top = min(0.0, *lows), max(0.0, *highs)
    span = (top - bottom) or 1.0
    for h_i, h in enumerate(hues):
        sub = data if hue is None else data[data[hue] == h]
        for x_i, xv in enumerate(xs):
            rows = sub[sub[x] == xv]
            if rows.empty:
                continue
            val = pd.to_numeric(rows[y], errors="coerce").iloc[0]
            pos = x_i - 0.4 + width * (h_i + 0.5)
            if pd.isna(val):
                ax.text(pos, span * 0.01, "undertrykt", rotation=90, ha="center", va="bottom",
                        fontsize=7, color="#555555", gid="undertrykt")
                continue
            colour = PALETTE[1] if (xv in marked and hue is None) else colours[h]
            if val == 0:
                ax.plot([pos - width * 0.4, pos + width * 0.4], [0, 0], color=colour, lw=2.5, solid_capstyle="butt",
                        gid="nul")
                ax.text(pos, span * 0.01, "0", ha="center", va="bottom", fontsize=7, color="#333333", gid="nul")
                continue
            ax.bar(pos, val, width=width * 0.95, color=colour)
            if ci:
                lo, hi_ = (pd.to_numeric(rows[c], errors="coerce").iloc[0] for c in ci)
                if pd.notna(lo) and pd.notna(hi_):
                    ax.errorbar(pos, val, yerr=[[max(val - lo, 0)], [max(hi_ - val, 0)]], fmt="none",
                                ecolor="#333333", capsize=3, lw=1)
    if bottom < 0:
        ax.axhline(0, color="#333333", lw=0.8, zorder=3)
    ax.set_xticks(range(len(xs)))
    tick_labels = [_label(v, x) for v in xs]
    # horizontal (wrapped) labels for a few categories, vertical for many: never slanted, so no
    # label runs into its neighbour
    short = max((len(t) for t in tick_labels), default=0) <= 6
    rot = rotate if rotate is not None else (0 if (len(xs) <= 6 or (short and len(xs) <= 12)) else 90)
    if rot == 0:
        tick_labels = [_wrap(t, 12 if len(xs) > 3 else 24) for t in tick_labels]
    ax.set_xticklabels(tick_labels, rotation=rot, ha="center", fontsize=9 if len(xs) <= 12 else 7)
    ax.set_xlim(-0.6, len(xs) - 0.4)
    pad = span * 0.08
    ax.set_ylim(bottom - (pad if bottom < 0 else 0), top + pad if top > 0 else pad)
    ax.yaxis.set_major_formatter(pct_formatter(share=share) if percent else num_formatter(0 if span >= 10 else 1))
    ax.set_xlabel(xlabel if xlabel is not None else "")
    ax.set_ylabel(ylabel if ylabel is not None else labels().header(y))
    if title:
        ax.set_title(title)
    if hue:  # proxy handles: a level whose bars are all suppressed still gets its entry
        name = legend_title if legend_title is not None else labels().header(hue, unit=False)
        ax.legend(handles=[Patch(facecolor=colours[h], label=_label(h, hue)) for h in hues],
                  title=name or None, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                  fontsize=9, title_fontsize=9)
    ax.grid(axis="x", visible=False)
    finish_layout(fig)
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
    figsize: tuple[float, float] = (8.0, 5.6),
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
    if hl == set(polys):  # every kommune selected: nothing stands out, no thick borders
        hl = set()

    categorical = not pd.api.types.is_numeric_dtype(vals.dtype) or pd.api.types.is_bool_dtype(vals.dtype)
    colour_of: dict[int, Any] = {}
    handles: list[Any] = []
    sm = None
    if categorical:
        cats = [c for c in pd.unique(vals.dropna())]
        cmap_cat = series_colours(cats)
        colour_of = {k: cmap_cat[v] for k, v in vals.dropna().items()}
        handles = [Patch(facecolor=cmap_cat[c], edgecolor="white", label=_label(c)) for c in cats]
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
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), fontsize=8, ncols=min(len(handles), 3),
                  title=legend_label if (categorical and legend_label) else None, title_fontsize=8)
    if title:
        ax.set_title(title)
    finish_layout(fig)
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
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=9)
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
    finish_layout(fig)
    return fig
