"""Showing a published table with an analysis's Danish labels (``analyses/<name>/labels.yaml``:
``columns`` -> header, ``values`` -> category label, ``kinds`` -> number kind).

The files (CSV/XLSX) keep the codes; only the page shows the labels. Used by the notebooks of
delanalyse 1 and 4 until the shared label dictionary renders every table (publication issue).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

ANALYSES_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def labels(analysis: str) -> dict:
    path = ANALYSES_DIR / analysis / "labels.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {k: dict(raw.get(k) or {}) for k in ("columns", "values", "kinds")}


def _fmt(v, kind: str | None) -> str:
    from ..publishing import plots

    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return "–"
    if isinstance(v, (bool,)):
        return "Ja" if v else "Nej"
    if not isinstance(v, (int, float)):
        return str(v)
    if kind == "share":
        return plots.fmt_pct(v, 1, share=True)
    if kind in ("count", "money", "year", "rank"):
        return plots.fmt_num(v, 0) if kind != "year" else str(int(v))
    if kind in ("mean", "weeks"):
        return plots.fmt_num(v, 1)
    if kind in ("ratio", "scale", "pvalue"):
        return plots.fmt_num(v, 2)
    return plots.fmt_num(v, 0) if float(v).is_integer() else plots.fmt_num(v, 2)


def labelled(df: pd.DataFrame, analysis: str, *, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """A display copy as text: numbers formatted by their kind, category values and headers in
    Danish, suppressed or empty cells as "–"; ``drop`` columns left out."""
    from ..publishing.publisher import SYNTHETIC_COLUMN

    lab = labels(analysis)
    out = df.drop(columns=[c for c in (*drop, SYNTHETIC_COLUMN) if c in df.columns])
    for c in out.columns:
        kind = lab["kinds"].get(c)
        out[c] = [lab["values"].get(v, v) if isinstance(v, str) else _fmt(v.item() if hasattr(v, "item") else v, kind)
                  for v in out[c]]
    out = out.rename(columns=lab["columns"])
    out.attrs = dict(df.attrs)
    return out


def show(df: pd.DataFrame, analysis: str, *, drop: tuple[str, ...] = ()) -> None:
    """Display a protected table (from ``Session.table(..., show=False)``) with Danish labels."""
    from IPython.display import HTML, display

    from ..publishing.publisher import styled

    shown = labelled(df, analysis, drop=drop)
    display(styled(shown, caption=df.attrs.get("title")))
    if df.attrs.get("note"):
        display(HTML(f'<p style="font-size: 90%; color: #444; margin-top: 2px;">Anm.: {df.attrs["note"]}</p>'))
