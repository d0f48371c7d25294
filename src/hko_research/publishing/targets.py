"""Read report-target values from result tables after the same disclosure step as publication.

An analysis's ``targets`` module maps report ids to computed quantities; it reads them through a
:class:`TablePicker`, which protects each result table exactly as the notebook publishes it (the
analysis's ``sums`` and the shared column rules), so a value suppressed on the page is NaN here.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd

from ..levels import COMPLEMENT, NATIONAL
from .columns import count_columns, key_columns
from .disclosure import protect_table


class TablePicker:
    """One value from a named result table, at the national level unless told otherwise."""

    def __init__(self, results: Mapping[str, pd.DataFrame], min_cell_size: int, *,
                 sums: Mapping[str, Sequence] | None = None, basis: Mapping[str, Sequence[str]] | None = None,
                 keys: Sequence[str] = ()):
        self.r = results
        self.min = int(min_cell_size)
        self.sums = dict(sums or {})
        self.basis = dict(basis or {})
        self.keys = tuple(keys)
        self._protected: dict[str, pd.DataFrame] = {}

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._protected:
            df = self.r[name]
            self._protected[name] = protect_table(
                df, min_cell_size=self.min, basis=basis_overrides(df, self.basis, self.keys), sums=self.sums.get(name),
                keys=key_columns(df, self.keys), complement=COMPLEMENT)
        return self._protected[name]

    def row(self, table: str, **kw) -> pd.Series | None:
        df = self.table(table)
        m = pd.Series(True, index=df.index)
        for k, v in kw.items():
            m &= df[k] == v
        if "niveau" in df.columns and "niveau" not in kw:
            m &= df["niveau"].isin(NATIONAL)
        hit = df.loc[m]
        return None if len(hit) != 1 else hit.iloc[0]

    def __call__(self, table: str, col: str = "andel", **kw) -> float:
        r = self.row(table, **kw)
        if r is None or col not in r.index:
            return float("nan")
        v = r[col]
        return float(v) if pd.notna(v) else float("nan")


def basis_overrides(df: pd.DataFrame, overrides: Mapping[str, Sequence[str]], keys: Sequence[str] = ()
                    ) -> dict[str, list[str]]:
    """An analysis's basis overrides as they apply to ``df``: only derived columns the table has,
    each with the override's counts that the table publishes (all its counts when none)."""
    key_set = set(key_columns(df, keys))
    counts = [c for c in count_columns(df) if c not in key_set]
    out = {}
    for col, wanted in overrides.items():
        if col not in df.columns or col in key_set or not counts:
            continue
        if not pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col]):
            continue
        out[col] = [x for x in wanted if x in counts] or counts
    return out
