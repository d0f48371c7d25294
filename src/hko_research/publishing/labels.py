"""The label dictionary: what a reader sees instead of codes, and how each number is written.

Tables and files keep machine-readable codes (``ci_oevre``, ``hoej``, ``pa+hm``); every table
header, category value, axis and legend title shown on a page goes through :func:`labels`, which
merges the shared file ``publishing/labels.yaml`` with each registered analysis's optional
``analyses/<name>/labels.yaml`` (analysis entries win over shared ones; the running notebook's
analysis, set by ``notebook.setup`` through :func:`use`, wins over the others). The format::

    columns:   # column name -> Danish header as printed
      ci_nedre: "95 %-KI, nedre"
    values:    # category code -> Danish label (in any column)
      hoej: "Høj"
    kinds:     # column name -> how its numbers are written (KINDS)
      enhedspris_pa: money
    colours:   # series label -> colour, the same in every run and figure (extension)
      Hele landet: "#1f4e79"
    verbatim:  # columns whose values are shown as they are (file names, codes) (extension)
      - fil

A column without a ``kinds`` entry gets its kind from its name (:func:`Labels.kind`); a code
without a ``values`` entry is shown with spaces for underscores and a capital first letter, a
header without a ``columns`` entry likewise. Adding an analysis's labels needs no shared file.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
import yaml

from ..paths import PACKAGE_DIR

SHARED_FILE = PACKAGE_DIR / "publishing" / "labels.yaml"
SECTIONS = ("columns", "values", "kinds", "colours", "verbatim")
KINDS = ("count", "share", "points", "money", "weeks", "year", "pvalue", "rank", "mean", "ratio", "scale", "text")
# Header units added for a kind when the label does not name one.
UNITS = {"share": "pct.", "points": "procentpoint", "money": "kr.", "weeks": "uger"}
# Marks for empty cells on a page (files: publisher.SUPPRESSED_MARK and an empty cell).
SUPPRESSED = "·"
NOT_APPLICABLE = "–"

_CODE = re.compile(r"^[a-zæøå][a-zæøå0-9_+]*$")
_KIND_RULES: tuple[tuple[str, str], ...] = (
    (r"^(aar|år|year)$|_aar$", "year"),
    (r"^(p|p_vaerdi)$|_p$|^p_", "pvalue"),
    (r"^rang", "rank"),
    (r"^(n|antal)$|^(n|antal)_|^kommuner|^befolkning$|^fuldtidspersoner|^antal", "count"),
    (r"^(andel|ci_|pct|procent)|andel$|grad(_|$)|^relativ_", "share"),
    (r"_uger$|^uger", "weeks"),
    (r"^(udgift|enhedspris|timepris|pris)|indkomst|_kr$|^kr_", "money"),
    (r"^(gennemsnit|gns|median|timer)", "mean"),
    (r"_rho$|^korrelation|haeldning", "ratio"),
)


@dataclass(frozen=True)
class Labels:
    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, str] = field(default_factory=dict)
    kinds: Mapping[str, str] = field(default_factory=dict)
    colours: Mapping[str, str] = field(default_factory=dict)
    verbatim: frozenset[str] = frozenset()

    # -- words -------------------------------------------------------------------------

    def header(self, column: Any, *, unit: bool = True) -> str:
        """The Danish header of ``column``, with the unit of its kind ("Andel (pct.)"); ``unit=False``
        for a column of categories that happens to share a measure's name."""
        name = str(column)
        text = self.columns.get(name) or _humanize(name)
        u = UNITS.get(self.kind(name)) if unit else None
        if u and u.rstrip(".") not in text:
            text = f"{text} ({u})"
        return text

    def value(self, value: Any, column: str | None = None) -> Any:
        """The Danish label of a category value (other values unchanged)."""
        if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
            return "Ja" if value else "Nej"
        if not isinstance(value, str) or (column is not None and column in self.verbatim):
            return value
        if value in self.values:
            return self.values[value]
        return _humanize(value) if _CODE.match(value) else value

    def colour(self, label: Any) -> str | None:
        """The fixed colour of a series (by code or label), if the dictionary gives one."""
        for key in (str(label), str(self.value(label))):
            if key in self.colours:
                return self.colours[key]
        return None

    # -- numbers -----------------------------------------------------------------------

    def kind(self, column: Any) -> str:
        name = str(column)
        if name in self.kinds:
            return self.kinds[name]
        for pattern, kind in _KIND_RULES:
            if re.search(pattern, name):
                return kind
        return "mean"

    def format(self, value: Any, kind: str) -> str:
        """One number written the Danish way for its kind (NaN -> '')."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        try:
            x = float(value)
        except (TypeError, ValueError):
            return str(value)
        if math.isnan(x):
            return ""
        if kind in ("count", "rank"):
            return fmt_num(x, 0)
        if kind == "year":
            return str(int(round(x)))
        if kind == "share":
            pct = 100 * x
            return fmt_num(pct, 2 if 0 < abs(pct) < 0.1 else 1)
        if kind == "points":
            return fmt_num(100 * x, 1)
        if kind == "money":
            return fmt_num(x, 0)
        if kind == "weeks":
            return fmt_num(x, 1)
        if kind == "pvalue":
            return "< 0,001" if x < 0.001 else fmt_num(x, 3)
        if kind == "ratio":
            return fmt_num(x, 2)
        if kind == "scale":
            return fmt_num(x, 3)
        return fmt_num(x, 0 if abs(x) >= 1000 else 1)  # mean and anything else

    def excel_format(self, kind: str) -> str:
        """The XLSX number format of a kind (the cells keep raw numbers: shares as fractions)."""
        return {"count": "#,##0", "rank": "0", "year": "0", "share": "0.0%", "points": "0.0%",
                "money": "#,##0", "weeks": "0.0", "pvalue": "0.000", "ratio": "0.00", "scale": "0.000",
                "mean": "#,##0.0"}.get(kind, "General")


def fmt_num(x: Any, decimals: int = 0) -> str:
    """Danish number: thousands '.', decimal ','. ``fmt_num(1234.5, 1) == '1.234,5'``; NaN -> ''."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return ""
    s = f"{float(x):,.{decimals}f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")



def _humanize(code: str) -> str:
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else text


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise ValueError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(raw, dict) or set(raw) - set(SECTIONS):
        raise ValueError(f"{path}: a labels file has the sections {', '.join(SECTIONS)}, not {sorted(set(raw) - set(SECTIONS))}")
    bad = [f"{k}: {v!r}" for k, v in (raw.get("kinds") or {}).items() if v not in KINDS]
    if bad:
        raise ValueError(f"{path}: unknown kinds ({'; '.join(bad)}); use one of {', '.join(KINDS)}")
    return raw


_CONTEXT: dict[str, str | None] = {"analysis": None}


def use(analysis: str | None) -> None:
    """The analysis whose entries win in this process (a notebook's ``setup`` sets its own)."""
    _CONTEXT["analysis"] = analysis


def label_files(analysis: str | None = None) -> list[Path]:
    """The shared file and every registered analysis's labels.yaml, in merge order; ``analysis``
    (its folder name) comes last, so its entries win where two analyses label a code differently."""
    from .. import registry

    names = [a.name for a in registry.analyses()]
    if analysis in names:
        names = [n for n in names if n != analysis] + [analysis]
    return [SHARED_FILE, *(PACKAGE_DIR / "analyses" / n / "labels.yaml" for n in names)]


def labels(analysis: str | None = None) -> Labels:
    """The merged dictionary (shared entries, then each analysis's own; ``analysis``, default the
    one set by :func:`use`, last)."""
    return _merged(analysis if analysis is not None else _CONTEXT["analysis"])


@lru_cache(maxsize=None)
def _merged(analysis: str | None) -> Labels:
    merged: dict[str, Any] = {s: {} for s in SECTIONS if s != "verbatim"}
    verbatim: set[str] = set()
    files = label_files(analysis)
    own = files[-1] if analysis else None
    shared_codes = {str(k) for section in merged for k in (_read(SHARED_FILE).get(section) or {})}
    for path in files:
        raw = _read(path)
        for section in merged:
            entries = {str(k): str(v) for k, v in (raw.get(section) or {}).items()}
            if path == SHARED_FILE or path == own:
                merged[section].update(entries)
            else:  # another analysis adds its codes; it neither relabels nor reformats shared ones
                for k, v in entries.items():
                    if k not in shared_codes:
                        merged[section].setdefault(k, v)
        verbatim |= {str(c) for c in raw.get("verbatim") or ()}
    return Labels(columns=merged["columns"], values=merged["values"], kinds=merged["kinds"],
                  colours=merged["colours"], verbatim=frozenset(verbatim))
