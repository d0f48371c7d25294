"""Figure helpers: suppressed values are never drawn as data; the map is all of Denmark."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from hko_research import kommuner as reference
from hko_research.publishing import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def kommune_collections(fig) -> dict[int, PolyCollection]:
    ax = fig.axes[0]
    return {int(c.get_gid()): c for c in ax.collections if isinstance(c, PolyCollection) and c.get_gid()}


def bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_height() > 0]


def test_fmt_pct_and_num():
    assert plots.fmt_pct(12.345) == "12,3 pct."
    assert plots.fmt_pct(0.123, share=True) == "12,3 pct."
    assert plots.fmt_pct(5, 0) == "5 pct."
    assert plots.fmt_pct(float("nan")) == ""
    assert plots.fmt_num(1234567.891, 2) == "1.234.567,89"
    assert plots.fmt_num(-0.5, 1) == "-0,5"


def test_choropleth_draws_98_kommuner_with_nan_grey_and_highlight():
    codes = list(reference.kommunekoder())
    vals = pd.Series(np.linspace(0, 50, len(codes)), index=codes)
    vals[101] = np.nan
    vals = vals.drop(147)  # missing kommune = ingen data
    hl = {751, 400}
    fig = plots.choropleth(vals, title="Anvendelsesgrad", cmap="Blues", highlight=hl, legend_label="Pct.")
    colls = kommune_collections(fig)
    assert set(colls) == set(codes) and len(colls) == 98
    grey = to_rgba(plots.SUPPRESSED_COLOUR)
    assert tuple(colls[101].get_facecolor()[0]) == pytest.approx(grey)
    assert tuple(colls[147].get_facecolor()[0]) == pytest.approx(grey)
    assert tuple(colls[851].get_facecolor()[0]) != pytest.approx(grey)
    # Bornholm has one polygon per island; København several
    assert len(colls[400].get_paths()) >= 1
    for code, c in colls.items():
        lw = c.get_linewidths()[0]
        assert (lw > 1.0) == (code in hl), code
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "undertrykt/ingen data" in legend
    # not squashed: without Bornholm Denmark is ~300 km wide, ~355 km tall (unscaled lon would give ~1.5)
    ax = fig.axes[0]
    assert ax.get_aspect() == 1.0
    xs = np.concatenate([p.vertices[:, 0] for code, c in colls.items() if code != 400 for p in c.get_paths()])
    ys = np.concatenate([p.vertices[:, 1] for code, c in colls.items() if code != 400 for p in c.get_paths()])
    assert 0.7 < (xs.max() - xs.min()) / (ys.max() - ys.min()) < 0.95


def test_choropleth_without_missing_has_no_grey_legend_and_rejects_unknown():
    codes = list(reference.kommunekoder())
    fig = plots.choropleth(pd.Series(1.0, index=codes) * np.arange(98), title="x", legend_label="y")
    leg = fig.axes[0].get_legend()
    assert leg is None or "undertrykt/ingen data" not in [t.get_text() for t in leg.get_texts()]
    with pytest.raises(ValueError):
        plots.choropleth(pd.Series([1.0], index=[999]))
    with pytest.raises(ValueError):
        plots.choropleth(pd.Series([1.0], index=[101]), highlight={1})


def test_choropleth_categorical():
    vals = pd.Series({101: "Høj", 147: "Lav", 151: "Høj"})
    fig = plots.choropleth(vals, legend_label="Anvendelsesgrad")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[:2] == ["Høj", "Lav"] and "undertrykt/ingen data" in legend
    colls = kommune_collections(fig)
    assert tuple(colls[101].get_facecolor()[0]) == tuple(colls[151].get_facecolor()[0])
    assert tuple(colls[101].get_facecolor()[0]) != tuple(colls[147].get_facecolor()[0])


def test_bar_chart_leaves_out_suppressed_bars():
    df = pd.DataFrame({
        "ordning": ["A", "A", "B", "B", "C", "C"], "koen": ["Mand", "Kvinde"] * 3,
        "andel": [12.5, np.nan, 30.0, 25.0, 40.0, np.nan],
        "lo": [10, np.nan, 25, 20, 35, np.nan], "hi": [15, np.nan, 35, 30, 45, np.nan],
    })
    fig = plots.bar_chart(df, "ordning", "andel", hue="koen", title="Andel", ylabel="Pct.", percent=True, ci=("lo", "hi"))
    ax = fig.axes[0]
    heights = sorted(round(b.get_height(), 6) for b in bars(ax))
    assert heights == [12.5, 25.0, 30.0, 40.0]
    marks = [t for t in ax.texts if t.get_text() == "undertrykt"]
    assert len(marks) == 2
    assert ax.get_title() == "Andel"
    assert ax.yaxis.get_major_formatter()(20, 0) == "20 pct."
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Mand", "Kvinde"]


def test_bar_chart_legend_keeps_fully_suppressed_level():
    df = pd.DataFrame({"x": ["a", "b"] * 2, "g": ["G1", "G1", "G2", "G2"], "n": [np.nan, np.nan, 8.0, 9.0]})
    ax = plots.bar_chart(df, "x", "n", hue="g").axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["G1", "G2"]
    assert len(bars(ax)) == 2


def test_bar_chart_without_hue_and_all_present():
    df = pd.DataFrame({"x": list("abc"), "n": [5.0, 7.0, 9.0]})
    fig = plots.bar_chart(df, "x", "n")
    ax = fig.axes[0]
    assert len(bars(ax)) == 3 and not [t for t in ax.texts if t.get_text() == "undertrykt"]


def test_scatter_with_mean_uses_only_published_points():
    df = pd.DataFrame({"bef": [1000, 2000, 3000, 4000], "udg": [1.0, 2.0, 3.0, np.nan], "kommune": list("abcd")})
    fig = plots.scatter_with_mean(df, "bef", "udg", "kommune", title="Udgifter")
    ax = fig.axes[0]
    pts, mean = ax.collections[0], ax.collections[1]
    assert len(pts.get_offsets()) == 3
    assert tuple(mean.get_offsets()[0]) == pytest.approx((2000.0, 2.0))
    assert tuple(mean.get_facecolor()[0]) == pytest.approx(to_rgba(plots.MEAN_COLOUR))
    assert sorted(t.get_text() for t in ax.texts if len(t.get_text()) == 1) == ["a", "b", "c"]
    assert any("undertrykt" in t.get_text() for t in ax.texts)


# ---- layout, signs, zeros, colours ----------------------------------------------------------------

def test_overlap_check_finds_a_title_over_tick_labels_and_passes_the_helpers():
    """The check looks at the rendered boxes: a title pushed onto the tick labels is found; the
    project's helpers lay out a long-labelled chart with a legend without any overlap."""
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar(["a", "b"], [1, 2])
    ax.set_title("En lang titel der ligger oven i aksen", y=-0.05)
    assert plots.text_overlaps(fig)
    df = pd.DataFrame({"ydelsesgruppe": ["ADP", "KTH", "UDH", "REV", "INT", "SDP", "JAF", "RESS", "LYD", "FLEKS"] * 2,
                       "niveau": ["Hele landet"] * 10 + ["Valgte kommuner"] * 10, "andel": np.linspace(0, 0.2, 20)})
    good = plots.bar_chart(df, "ydelsesgruppe", "andel", hue="niveau", percent=True, share=True, title="Titel")
    good.suptitle("En overordnet titel over figuren")
    assert plots.text_overlaps(good) == []


def test_negative_values_are_bars_below_a_drawn_zero_line():
    """Figur 25: half the kommuner have a negative difference; their bars must be visible."""
    df = pd.DataFrame({"kommune": list("abcd"), "difference_pp": [-2.0, -0.5, 0.4, 3.0]})
    ax = plots.bar_chart(df, "kommune", "difference_pp").axes[0]
    lo, hi = ax.get_ylim()
    assert lo < -2.0 and hi > 3.0
    heights = sorted(round(p.get_height(), 6) for p in ax.patches if isinstance(p, Rectangle))
    assert heights == [-2.0, -0.5, 0.4, 3.0]
    assert any(abs(line.get_ydata()[0]) < 1e-12 and line.get_ydata()[0] == line.get_ydata()[-1]
               for line in ax.get_lines())  # the zero line


def test_zero_is_drawn_and_labelled_unlike_a_suppressed_value():
    df = pd.DataFrame({"x": ["a", "b", "c"], "n": [0.0, np.nan, 4.0]})
    ax = plots.bar_chart(df, "x", "n").axes[0]
    assert [t.get_text() for t in ax.texts if t.get_gid() == "nul"] == ["0"]
    assert [t.get_text() for t in ax.texts if t.get_gid() == "undertrykt"] == ["undertrykt"]
    assert [ln for ln in ax.get_lines() if ln.get_gid() == "nul"]


def test_a_series_keeps_its_colour_whatever_else_is_in_the_figure():
    a = plots.series_colours(["Valgte kommuner", "Hele landet"])
    b = plots.series_colours(["Hele landet"])
    c = plots.series_colours(["2019", "Hele landet", "2018"])
    assert a["Hele landet"] == b["Hele landet"] == c["Hele landet"]
    assert a["Valgte kommuner"] != a["Hele landet"] and len(set(c.values())) == 3


def test_legend_title_and_categories_are_danish():
    df = pd.DataFrame({"ordning": ["pa", "hm"], "niveau": ["Hele landet"] * 2, "aar": [2019, 2019], "n": [5.0, 7.0]})
    ax = plots.bar_chart(df, "ordning", "n", hue="aar").axes[0]
    assert ax.get_legend().get_title().get_text() == "År"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Personlig assistance", "Hjælpemidler"]


def test_choropleth_draws_no_thick_borders_when_every_kommune_is_selected():
    codes = list(reference.kommunekoder())
    fig = plots.choropleth(pd.Series(1.0, index=codes), highlight=codes, legend_label="x")
    assert all(c.get_linewidths()[0] < 1.0 for c in kommune_collections(fig).values())
    leg = fig.axes[0].get_legend()
    assert leg is None or "Markerede kommuner" not in [t.get_text() for t in leg.get_texts()]
