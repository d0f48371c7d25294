"""Showing a published table with an analysis's Danish labels (``analyses/<name>/labels.yaml``:
``columns`` -> header, ``values`` -> category label, ``kinds`` -> number kind), through the shared
renderer every other table uses; the notebooks of delanalyse 1 and 4 use it for tables shown
without some of their columns (their figures take labels from :mod:`hko_research.publishing.labels`).

The files (CSV/XLSX) keep the codes; only the page shows the labels.
"""
from __future__ import annotations

import pandas as pd


def table_html(df: pd.DataFrame, analysis: str, *, drop: tuple[str, ...] = ()) -> str:
    """A protected table (from ``Session.table(..., show=False)``) as the page shows it: the shared
    renderer (:func:`hko_research.publishing.publisher.table_html`) with the analysis's labels, so
    suppressed cells are "·" and not-applicable ones "–", each explained in the note; ``drop``
    columns left out."""
    from ..publishing import labels as shared
    from ..publishing.publisher import table_html as render

    shared.use(analysis)
    shown = df.drop(columns=[c for c in drop if c in df.columns])
    shown.attrs = dict(df.attrs)  # the marks of the cells that stay
    return render(shown, title=df.attrs.get("title"), note=df.attrs.get("note"))


def show(df: pd.DataFrame, analysis: str, *, drop: tuple[str, ...] = ()) -> None:
    """Display :func:`table_html` in the notebook."""
    from IPython.display import HTML, display

    display(HTML(table_html(df, analysis, drop=drop)))
