"""Report targets: computed values keyed by ``report_targets.csv`` id, read from result tables
after the same disclosure step as publication.

An analysis declares its targets in ``analyses/<name>/targets.yaml`` where a target is a plain
look-up, and computes the rest (extremes, sums, differences) in code. The YAML entries are::

    d2_fig5_hoej_viden_pa:            # a look-up: one cell of a result table
      table: figur_5_viden            #   the result table (key in the notebook's results dict)
      column: andel                   #   default "andel"
      where: {ordning: pa, kategori: hoej}   # the row; `niveau` defaults to the national level
    d2_dk_hoej_viden_pa:
      alias_of: d2_fig5_hoej_viden_pa # the same computed value reported under another id
    d2_s41_noget:
      ikke_beregnet: "why the pipeline cannot compute it (data the study did not publish, ...)"

Values are read through a :class:`TablePicker`, which protects each result table exactly as the
notebook publishes it (the analysis's ``sums`` and the shared column rules), so a value
suppressed on the page is NaN here. Only :mod:`.reproduction` reads the report's own numbers.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

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


TARGET_KINDS = ("table", "alias_of", "ikke_beregnet")


class TargetSpecError(ValueError):
    """A targets.yaml entry is malformed."""


def load_spec(path: Path) -> dict[str, dict[str, Any]]:
    """An analysis's ``targets.yaml`` as {id: entry} ({} when the file does not exist)."""
    import yaml

    path = Path(path)
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    problems = []
    for tid, entry in raw.items():
        kinds = [k for k in TARGET_KINDS if isinstance(entry, Mapping) and k in entry]
        if len(kinds) != 1:
            problems.append(f"{tid}: needs exactly one of {', '.join(TARGET_KINDS)}")
        elif kinds == ["table"] and not isinstance(entry.get("where", {}), Mapping):
            problems.append(f"{tid}: where must be a mapping column -> value")
    if problems:
        raise TargetSpecError(f"{path}:\n  - " + "\n  - ".join(problems))
    return {str(k): dict(v) for k, v in raw.items()}


def evaluate(spec: Mapping[str, Mapping[str, Any]], picker: TablePicker,
             computed: Mapping[str, float] | None = None) -> dict[str, float]:
    """Values for every look-up and alias in ``spec``; ``computed`` (code-made values) are merged
    in before aliases are resolved, so an alias may point at either."""
    out: dict[str, float] = {}
    for tid, entry in spec.items():
        if "table" in entry:
            out[tid] = picker(entry["table"], entry.get("column", "andel"), **dict(entry.get("where") or {}))
    overlap = set(out) & set(computed or {})
    if overlap:
        raise TargetSpecError(f"ids both looked up in targets.yaml and computed in code: {sorted(overlap)}")
    out.update(computed or {})
    for tid, entry in spec.items():
        if "alias_of" in entry:
            src = entry["alias_of"]
            if src not in out:
                raise TargetSpecError(f"{tid}: alias_of {src!r}, which has no value")
            out[tid] = out[src]
    return out


def not_computed(spec: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """{id: reason} of the targets the pipeline does not compute."""
    return {tid: str(e["ikke_beregnet"]) for tid, e in spec.items() if "ikke_beregnet" in e}
