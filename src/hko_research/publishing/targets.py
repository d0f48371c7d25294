"""Report targets: computed values keyed by ``report_targets.csv`` id, read from result tables
after the same disclosure step as publication.

Every analysis accounts for **every** report target of its id prefixes (``Analysis.target_prefixes``)
in ``analyses/<name>/targets.yaml``: a plain look-up is declared there, a value computed in code
(extremes, sums, differences, a definition the pipeline uses) is named there with ``kode`` and
made in ``analyses/<name>/targets.py``, and an id the pipeline does not compute carries the
reason. The entries::

    d2_fig5_hoej_viden_pa:            # a look-up: one cell of a result table
      table: figur_5_viden            #   the result table (key in the notebook's results dict)
      column: andel                   #   default "andel"
      where: {ordning: pa, kategori: hoej}   # the row; `niveau` defaults to the national level
    d2_dk_hoej_viden_pa:
      alias_of: d2_fig5_hoej_viden_pa # the same computed value reported under another id
    d2_s41_noget:
      ikke_beregnet: "why the pipeline cannot compute it (data the study did not publish, ...)"
    d3_dk_anvendelsesgrad_max:
      kode: "highest kommune anvendelsesgrad"   # computed in code; the text says what
    d3_s52_signifikansniveau:
      kode: "the significance level the tests use"
      definition: true                # a definition or threshold the report states: compared
                                      # without its bound words (reproduction.py)

Exactly one of ``table``, ``alias_of``, ``ikke_beregnet``, ``kode`` per entry; ``definition`` may
be added to any entry that has a value, and ``note`` (a known explanation, e.g. why the value
cannot match) to any entry; it is shown in reproduction.csv's ``reason``. Code-made ids need not be declared (older files), but a
declared ``kode`` id that the code does not return, or a returned id that is also looked up, is an
error.

Values are read through a :class:`TablePicker`, which protects each result table exactly as the
notebook publishes it (the analysis's ``sums`` and the shared column rules), so a value
suppressed on the page is NaN here. :func:`record` evaluates the targets twice, protected and
unprotected, so that a value hidden by disclosure control (``undertrykt``) is told apart from one
that does not exist (``mangler``; no zero-fills: missing stays missing), and returns the details
that ``reproduction/<notebook>.json`` carries to :mod:`.reproduction`. Only :mod:`.reproduction`
reads the report's own numbers.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..levels import COMPLEMENT, NATIONAL
from .columns import count_columns, key_columns
from .disclosure import protect_table


class TablePicker:
    """One value from a named result table, at the national level unless told otherwise.

    ``protect=False`` reads the unprotected tables (used to tell suppressed from missing values).
    ``published`` holds the frames the notebook published whole, as protected on the page (with
    the run's ledger): their values are read as published, never re-protected differently.
    ``note(id, text)`` attaches an explanation to a target (e.g. why a ranking id has no value).
    """

    def __init__(self, results: Mapping[str, pd.DataFrame], min_cell_size: int, *,
                 sums: Mapping[str, Sequence] | None = None, basis: Mapping[str, Sequence[str]] | None = None,
                 keys: Sequence[str] = (), protect: bool = True,
                 published: Mapping[str, pd.DataFrame] | None = None):
        self.r = results
        self.min = int(min_cell_size)
        self.sums = dict(sums or {})
        self.basis = dict(basis or {})
        self.keys = tuple(keys)
        self.protect = bool(protect)
        self.notes: dict[str, str] = {}
        self._protected: dict[str, pd.DataFrame] = dict(published or {}) if self.protect else {}
        self._arrays: dict[tuple, np.ndarray] = {}

    def table(self, name: str) -> pd.DataFrame:
        if not self.protect or self.min <= 1:  # below a cell size of 2 nothing is suppressed
            return self.r[name]
        if name not in self._protected:
            df = self.r[name]
            self._protected[name] = protect_table(
                df, min_cell_size=self.min, basis=basis_overrides(df, self.basis, self.keys), sums=self.sums.get(name),
                keys=key_columns(df, self.keys), complement=COMPLEMENT)
        return self._protected[name]

    def _column(self, table: str, col: str) -> np.ndarray:
        key = (table, col, self.protect)
        if key not in self._arrays:
            self._arrays[key] = self.table(table)[col].to_numpy()
        return self._arrays[key]

    def row(self, table: str, **kw) -> pd.Series | None:
        df = self.table(table)
        m = np.ones(len(df), dtype=bool)
        for k, v in kw.items():
            m &= self._column(table, k) == v
        if "niveau" in df.columns and "niveau" not in kw:
            m &= np.isin(self._column(table, "niveau"), NATIONAL)
        hit = np.flatnonzero(m)
        return None if len(hit) != 1 else df.iloc[int(hit[0])]

    def __call__(self, table: str, col: str = "andel", **kw) -> float:
        r = self.row(table, **kw)
        if r is None or col not in r.index:
            return float("nan")
        v = r[col]
        return float(v) if pd.notna(v) else float("nan")

    def note(self, target_id: str, text: str) -> None:
        self.notes[target_id] = str(text)


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


TARGET_KINDS = ("table", "alias_of", "ikke_beregnet", "kode")
_ENTRY_KEYS = {"table", "column", "where", "alias_of", "ikke_beregnet", "kode", "definition", "note"}


class TargetSpecError(ValueError):
    """A targets.yaml entry is malformed."""


def load_spec(path: Path) -> dict[str, dict[str, Any]]:
    """An analysis's ``targets.yaml`` as {id: entry} ({} when the file does not exist)."""
    import yaml

    path = Path(path)
    if not path.exists():
        return {}
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    problems = []
    for tid, entry in raw.items():
        kinds = [k for k in TARGET_KINDS if isinstance(entry, Mapping) and k in entry]
        if len(kinds) != 1:
            problems.append(f"{tid}: needs exactly one of {', '.join(TARGET_KINDS)}")
            continue
        unknown = set(entry) - _ENTRY_KEYS
        if unknown:
            problems.append(f"{tid}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_ENTRY_KEYS)}")
        if kinds == ["table"] and not isinstance(entry.get("where", {}), Mapping):
            problems.append(f"{tid}: where must be a mapping column -> value")
        if kinds == ["ikke_beregnet"] and not str(entry["ikke_beregnet"] or "").strip():
            problems.append(f"{tid}: ikke_beregnet needs the reason")
        if kinds == ["ikke_beregnet"] and entry.get("definition"):
            problems.append(f"{tid}: definition needs a value (not with ikke_beregnet)")
    if problems:
        raise TargetSpecError(f"{path}:\n  - " + "\n  - ".join(problems))
    return {str(k): dict(v) for k, v in raw.items()}


def kind_of(entry: Mapping[str, Any]) -> str:
    return next(k for k in TARGET_KINDS if k in entry)


def evaluate(spec: Mapping[str, Mapping[str, Any]], picker: TablePicker,
             computed: Mapping[str, float] | None = None) -> dict[str, float]:
    """Values for every look-up and alias in ``spec``; ``computed`` (code-made values) are merged
    in before aliases are resolved, so an alias may point at either."""
    out: dict[str, float] = {}
    for tid, entry in spec.items():
        if "table" in entry:
            out[tid] = picker(entry["table"], entry.get("column", "andel"), **dict(entry.get("where") or {}))
    computed = dict(computed or {})
    overlap = set(out) & set(computed)
    if overlap:
        raise TargetSpecError(f"ids both looked up in targets.yaml and computed in code: {sorted(overlap)}")
    declared = {tid for tid, e in spec.items() if "kode" in e}
    missing = declared - set(computed)
    if missing:
        raise TargetSpecError(f"ids declared 'kode' in targets.yaml but not computed in code: {sorted(missing)}")
    clash = {tid for tid in computed if tid in spec and kind_of(spec[tid]) != "kode"}
    if clash:
        raise TargetSpecError(f"ids computed in code but declared otherwise in targets.yaml: {sorted(clash)}")
    out.update({k: float(v) if v is not None else float("nan") for k, v in computed.items()})
    for tid, entry in spec.items():
        if "alias_of" in entry:
            src = entry["alias_of"]
            while src in spec and "alias_of" in spec[src]:
                src = spec[src]["alias_of"]
            if src not in out:
                raise TargetSpecError(f"{tid}: alias_of {entry['alias_of']!r}, which has no value")
            out[tid] = out[src]
    return out


def not_computed(spec: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """{id: reason} of the targets the pipeline does not compute."""
    return {tid: str(e["ikke_beregnet"]) for tid, e in spec.items() if "ikke_beregnet" in e}


def record(spec: Mapping[str, Mapping[str, Any]], results: Mapping[str, pd.DataFrame], min_cell_size: int,
           computed: Callable[[TablePicker], Mapping[str, float]] | None = None, *,
           sums: Mapping[str, Sequence] | None = None, basis: Mapping[str, Sequence[str]] | None = None,
           keys: Sequence[str] = (), notebook: str = "", analysis: str = "", prefixes: Sequence[str] = (),
           published: Mapping[str, pd.DataFrame] | None = None) -> tuple[dict[str, float], dict[str, Any]]:
    """``(values, details)`` for one analysis's targets.

    ``values`` are the protected values of every look-up, code-made id and alias (NaN where
    suppressed or missing). ``details`` (written to ``reproduction/<notebook>.json``) has for every
    id of ``spec`` and of ``values`` its kind, state (``beregnet``, ``undertrykt``, ``mangler``,
    ``ikke_beregnet``), ``alias_of``, ``definition`` and reason or note.
    """
    kw = {"sums": sums, "basis": basis, "keys": keys}
    protected = TablePicker(results, min_cell_size, published=published, **kw)
    raw = TablePicker(results, min_cell_size, protect=False, **kw)
    values = evaluate(spec, protected, computed(protected) if computed is not None else None)
    # below a cell size of 2 nothing is suppressed: the unprotected values are the same
    raw_values = values if min_cell_size <= 1 else evaluate(spec, raw, computed(raw) if computed is not None else None)
    notes = {**raw.notes, **protected.notes}
    targets: dict[str, dict[str, Any]] = {}
    for tid in sorted(set(spec) | set(values)):
        entry = spec.get(tid, {"kode": ""})
        kind = kind_of(entry)
        d: dict[str, Any] = {"kind": kind}
        if kind == "ikke_beregnet":
            d.update(state="ikke_beregnet", reason=str(entry["ikke_beregnet"]).strip())
        else:
            v, rv = values.get(tid, math.nan), raw_values.get(tid, math.nan)
            d["state"] = ("beregnet" if not math.isnan(v) else "undertrykt" if not math.isnan(rv) else "mangler")
            text = "; ".join(x for x in (str(entry.get("note") or "").strip(), notes.get(tid, "")) if x)
            if text:
                d["reason"] = text
        if kind == "alias_of":
            d["alias_of"] = str(entry["alias_of"])
        if entry.get("definition"):
            d["definition"] = True
        targets[tid] = d
    details = {"notebook": notebook, "analysis": analysis, "prefixes": list(prefixes), "targets": targets}
    return values, details


def write_details(path: Path, details: Mapping[str, Any]) -> Path:
    """``reproduction/<notebook>.json``: byte-identical for identical details."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(details, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path
