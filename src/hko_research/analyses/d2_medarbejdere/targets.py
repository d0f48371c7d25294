"""Delanalyse 2's code-made report targets: extremes across casekommuner, differences and relative
differences ('procentvis forskel', def. 8). The plain look-ups are in targets.yaml.

The mapping id -> computed quantity was written by reading the target list as a developer; this code
never reads the report's values (only publishing/reproduction.py does, to compare). Every value is
read from a table protected exactly as the notebook publishes it (a suppressed kommune is left out
of an extreme, never counted as 0).
"""
from __future__ import annotations

import math

import pandas as pd

from ...publishing.targets import TablePicker
from . import measures as M

# table -> the column holding each kommune's value (figures across kommuner)
KOMMUNE_FIGURER = {
    "d2_fig4_viden_handicap": ("figur_4_viden_handicap_kommuner", "gennemsnit"),
    "d2_fig6_viden_hko": ("figur_6_viden_hko_kommuner", "gennemsnit"),
    "d2_fig8_vejledning": ("figur_8_vejledning_kommuner", "gennemsnit"),
    "d2_fig12_omplacering": ("figur_12_omplacering_kommuner", "gennemsnit"),
    "d2_fig14_godt_match": ("figur_14_godt_match_kommuner", "gennemsnit"),
    "d2_fig18_tro": ("figur_18_tro_kommuner", "gennemsnit"),
}


def _known(P: TablePicker, table: str, col: str, rows=None) -> pd.Series:
    """The column's values for an extreme across kommuner. A suppressed value makes the extreme
    unknown (empty: the target is 'undertrykt'); a value missing also without protection (no
    respondents) is left out."""
    shown, raw = P.table(table), P.r[table]
    rows = slice(None) if rows is None else rows(shown)
    v = pd.to_numeric(shown.loc[rows, col], errors="coerce")
    hidden = v.isna() & pd.to_numeric(raw.loc[rows, col], errors="coerce").notna()
    return v.iloc[:0] if hidden.any() else v.dropna()


def _kommuner(P: TablePicker, table: str, col: str) -> pd.Series:
    return _known(P, table, col, rows=lambda t: t["kommune"] != "I alt")


def computed(P: TablePicker) -> dict[str, float]:
    """The code-made targets, for :meth:`hko_research.notebook.Session.reproduce`."""
    out: dict[str, float] = {}
    nan = float("nan")

    def extremes(prefix: str, values: pd.Series, *, ratio: str | None = "pct_forskel", pp: str | None = None) -> None:
        out[f"{prefix}_kommune_max"] = float(values.max()) if len(values) else nan
        out[f"{prefix}_kommune_min"] = float(values.min()) if len(values) else nan
        if ratio:
            out[f"{prefix}_{ratio}"] = M.procentvis_forskel(values)
        if pp:
            out[f"{prefix}_{pp}"] = float(values.max() - values.min()) if len(values) else nan

    for prefix, (table, col) in KOMMUNE_FIGURER.items():
        extremes(prefix, _kommuner(P, table, col))
    extremes("d2_fig10_erfaring", _kommuner(P, "figur_10_erfaring_kommuner", "erfaringsniveau"), ratio=None,
             pp="pp_forskel")
    screening = _kommuner(P, "figur_16_screening_kommuner", "andel")
    extremes("d2_fig16_screening", screening, ratio=None)
    out["d2_dk_screening_kommune_max"] = out["d2_fig16_screening_kommune_max"]
    out["d2_dk_screening_kommune_min"] = out["d2_fig16_screening_kommune_min"]

    # 9.4: each stilling's range across casekommuner
    for key, name in (("myndighed", "myndighedssagsbehandler"), ("administrativ", "administrativ"),
                      ("myndighed_virksomhed", "myndighed_virksomhed"), ("noegleperson", "noegleperson"),
                      ("virksomhedskonsulent", "virksomhedskonsulent"), ("andet", "andet")):
        v = _known(P, "bilag_94_stilling_kommuner", f"andel_{name}")
        out[f"d0_s94_profil_{key}_kommune_max"] = float(v.max()) if len(v) else nan
        out[f"d0_s94_profil_{key}_kommune_min"] = float(v.min()) if len(v) else nan

    # 4.2 "Hvilke forhold": knowledge by strategy, advisory competence proactive vs the others
    by = lambda maal, dim, g: P("bilag_42_forhold_viden", "gennemsnit", maal=maal, dimension=dim, gruppe=g)  # noqa: E731
    strat = [by("viden_hko", "strategi", s) for s in ("proaktiv", "reaktiv", "diffus")]
    strat = [v for v in strat if not math.isnan(v)]
    out["d2_s42_viden_strategi_max"] = max(strat) if strat else nan
    out["d2_s42_viden_strategi_min"] = min(strat) if strat else nan
    pro = by("vejledning", "strategi", "proaktiv")
    out["d2_s42_vejledning_proaktiv_vs_diffus"] = pro / by("vejledning", "strategi", "diffus") - 1
    out["d2_s42_vejledning_proaktiv_vs_reaktiv"] = pro / by("vejledning", "strategi", "reaktiv") - 1

    # 4.3: screening in kommuner with high vs low anvendelsesgrad (procentpoint)
    sc = lambda g: P("bilag_43_forhold_tilgang", "andel", maal="screener", dimension="anvendelsesgrad_band", gruppe=g)  # noqa: E731
    out["d2_s43_screen_pp_forskel"] = sc("hoej") - sc("lav")

    # 4.4: the range across disability types (Figur 17), belief by knowledge (Figur 19)
    bedre = [P("figur_17_tro_handicap", handicaptype=t, kategori="bedre") for t in M.HANDICAPTYPER.values()]
    daarligere = [P("figur_17_tro_handicap", handicaptype=t, kategori="daarligere") for t in M.HANDICAPTYPER.values()]
    out["d2_fig17_variation_max"], out["d2_fig17_variation_min"] = max(bedre), min(bedre)
    out["d2_fig17_daarligere_max"], out["d2_fig17_daarligere_min"] = max(daarligere), min(daarligere)
    lav = P("figur_19_viden_tro", "gennemsnit", handicaptype="fysisk", viden_hko="lav")
    hoej = P("figur_19_viden_tro", "gennemsnit", handicaptype="fysisk", viden_hko="hoej")
    out["d2_fig19_tro_stigning_pct"] = hoej / lav - 1
    out["d2_dk_tro_stigning_pct"] = out["d2_fig19_tro_stigning_pct"]
    return out
