"""Column roles, declared once: which columns of a published table are counts, keys and shares,
and which counts each statistic is computed from.

Disclosure control (:mod:`.disclosure`), the displayed tables (:mod:`.publisher`) and every
analysis read these rules; an analysis passes only its exceptions (``basis`` overrides, extra
``keys``).

* **Counts** of persons (or cases, respondents): ``n``, ``antal`` and ``n_*`` / ``antal_*``.
  ``n`` is the base, ``antal`` / ``antal_*`` numerators. Counts of kommuner are *not* person
  counts: name them ``kommuner*`` (or declare them as keys).
* **Keys** describe a cell and are never masked: text columns, codes, years, ranks and the public
  figures in :data:`KEY_COLUMNS` (population, fuldtidspersoner, kommune counts).
* **Derived** columns are every other number: a share, mean, CI bound, price. Each is masked when
  the counts it is computed from are masked; :func:`basis_for` says which those are.
* **Weighted survey estimates** follow the same rules with ``n`` = the *unweighted* number of
  respondents behind the estimate: a weighted share ``andel`` is derived from ``n`` (and from
  ``antal``, the unweighted respondents in the category, when published). Weighted sums of
  weights are not counts: name them ``vaegtet_*`` so they are treated as derived, never as cells
  that could be small. A cell, share or mean from fewer than ``min_cell_size`` respondents is
  suppressed, weighted or not.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Sequence

COUNT_RE = re.compile(r"^(n|antal)$|^(n|antal)_", re.IGNORECASE)
# Share-like columns that are cells of an additive structure (secondary suppression).
SHARE_RE = re.compile(r"^(andel|pct|procent|share)(_|$)", re.IGNORECASE)
KEY_NAME_RE = re.compile(
    r"^(kommunekode|komkode|kommune_kode|kode|.+_kode|kode_.+|region_?kode|aar|år|year|periode|"
    r"kvartal|maaned|måned|nr|lbnr|rang|rank|sortering|orden)$",
    re.IGNORECASE,
)
# Public figures and kommune counts that sit next to person counts (never masked).
KEY_COLUMNS = frozenset({"aar", "kommunekode", "rang", "befolkning", "befolkningsandel", "fuldtidspersoner",
                         "kommuner", "kommuner_i_alt", "kommuner_med_sager"})
MEAN_PREFIXES = ("gennemsnit", "gns", "median")
ORDNING_SUFFIXES = ("pa", "hm", "is", "fa")
# Displayed as percentages (the files keep fractions).
DISPLAY_SHARE_RE = re.compile(r"^(andel|ci_|pct|anvendelsesgrad|fastholdelsesgrad|rekrutteringsgrad)|(_andel|_pct|grad)$")
DISPLAY_ID_COLUMNS = frozenset({"kommunekode", "aar", "rang", "rang_min", "rang_max"})
# Numeric keys that are categories (a table may sum over them); other numeric keys (befolkning,
# fuldtidspersoner, rang ...) are attributes of a row.
CATEGORY_NUMERIC_KEYS = frozenset({"aar", "kommunekode", "kvartal", "maaned", "periode"})
# Columns that say *whose* count a cell is: two totals are of the same quantity only when they agree
# on these (where both tables have them). Used by disclosure to match totals across blocks and tables.
POPULATION_COLUMNS = ("niveau", "ordning", "population", "aar")


def is_base_count(name: Any) -> bool:
    """The base of a row's shares: ``n`` or ``n_*`` (numerators are ``antal`` / ``antal_*``)."""
    return isinstance(name, str) and (name == "n" or name.startswith("n_"))


def is_count_column(name: Any) -> bool:
    return isinstance(name, str) and bool(COUNT_RE.match(name))


def count_columns(df) -> list[str]:
    """Columns recognised as counts by name: ``n``, ``antal``, ``antal_*``, ``n_*``."""
    return [c for c in df.columns if is_count_column(c)]


def is_key_name(name: Any) -> bool:
    return isinstance(name, str) and (name in KEY_COLUMNS or bool(KEY_NAME_RE.match(name)))


def key_columns(df, extra: Iterable[str] = ()) -> list[str]:
    """Numeric columns of ``df`` that describe a cell by name (plus ``extra``): never masked."""
    extra = set(extra)
    return [c for c in df.columns if c in KEY_COLUMNS or c in extra]


def is_share_column(name: Any) -> bool:
    return isinstance(name, str) and bool(SHARE_RE.match(name))


def basis_for(column: str, counts: Sequence[str], overrides: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """The count columns a derived ``column`` is computed from (the default rules).

    ``andel_X`` from ``antal_X`` and ``n``; a per-ordning statistic ``*_pa`` from ``antal_pa``;
    ``andel`` / ``ci_*`` from ``antal`` and ``n``; means (``gennemsnit*``, ``gns*``, ``median*``)
    from ``n``; anything else from every count of its row (the cautious default). ``overrides``
    (column -> counts) wins.
    """
    counts = list(counts)
    if not counts:
        return []
    name = str(column)
    if overrides and name in overrides:
        return [x for x in overrides[name] if x in counts] or counts
    own = f"antal_{name[len('andel_'):]}" if name.startswith("andel_") else None
    suffix = name.rsplit("_", 1)[-1]
    if suffix in ORDNING_SUFFIXES and f"antal_{suffix}" in counts:
        return [f"antal_{suffix}"]
    if own in counts:
        return [own] + (["n"] if "n" in counts else [])
    if name in ("andel", "ci_nedre", "ci_oevre") and {"antal", "n"} & set(counts):
        return [x for x in ("antal", "n") if x in counts]
    if name.startswith(MEAN_PREFIXES) and "n" in counts:
        return ["n"]
    return counts
