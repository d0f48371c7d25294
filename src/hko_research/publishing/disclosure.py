"""Statistical disclosure control (SDC): the one place where output is made safe to publish.

Output from Statistics Denmark's research servers must not reveal individuals. Every table and
every figure's source frame passes through :func:`protect_table` (one step), which applies, in order:

1. **Primary suppression.** A *count* (a column named ``n``, ``antal`` or starting with
   ``antal_`` / ``n_``; the column roles are declared in :mod:`.columns`) with
   ``0 < c < min_cell_size`` is masked. Zero counts are *not* masked by default ("nobody in this
   cell" is publishable under DST's rules); ``suppress_zeros=True`` masks them too. A selection's
   count is also masked when the unpublished rest (whole minus selection, ``complement``) is small.
2. **Derived masking.** Every other numeric column (share, mean, CI bound, price ...) is computed
   from some counts: ``basis[col]`` when given, else the shared rules of
   :func:`hko_research.publishing.columns.basis_for`. A derived value is masked when a basis count
   is masked, and when ``basis_counts`` (the base n of an unpublished count) is small.
3. **Secondary suppression against an interval attacker.** The attacker is assumed to use
   everything published: every shown count, zeros, the fact that a masked count is >= 1 (zeros are
   never masked, so a masked cell is never 0), a part is at most its base (``antal <= n`` in a
   row, a selection at most its whole), and every *additive relation* between cells:

   * declared ones (``sums``, below);
   * found ones: within a table, a *block* is the set of rows that differ in one category column
     only (or in it and the columns it determines, such as ``kommune`` next to ``kommunekode``). A
     block whose true sum equals a published count (in the same table: an ``n`` column, an
     "I alt" row, another block; or in an earlier table of the run, via the ledger) of the same
     population (the two agree on :data:`~.columns.POPULATION_COLUMNS` where both have them) is
     taken to be a known total. Base counts ``n`` that repeat in every row of their block are one
     value (masking one masks all).

   For every masked count the attacker's interval ``[min, max]`` is computed by linear
   programming (HiGHS, over the masked cells linked to it by these relations). Only "at least
   ``min_cell_size`` wide?" is asked, so a solve is skipped where the answer is already known:
   the max alone may show it, and every solution found is a point the attacker cannot rule out,
   which with the true values bounds the interval of every other cell from below. While an interval is
   narrower than ``min_cell_size`` (a masked share: while it is determined), a further cell that
   shares a relation with it is masked: positive cells only, non-base cells first, the one that
   leaves the fewest relations with a single masked cell, then the smallest. Masking more never narrows an
   interval, so every cell that has been checked stays protected. A cell no cell of this table can
   protect (its relations run only through earlier tables) is counted in ``unresolved`` and warned
   about.

**The run-level ledger.** A :class:`DisclosureLedger` remembers what earlier tables of the same
notebook published: every count cell and every block sum, indexed by value, with its population
coordinates and the relations between them, and which cells were masked. :class:`~.publisher.Publisher`
keeps one ledger per notebook and passes it to every ``protect_table`` call, so a table is matched
against everything published before it (a masked count that equals a total published elsewhere
minus shown cells is found), and a new table may not expose an earlier table's masked cell
either (it is then protected by masking cells of the new table). Tables are still protected one
at a time, in publication order: earlier tables are never changed. Without a ledger a table is
protected on its own. The ledger covers one notebook; analyses in different notebooks that
publish the same quantity must publish it once (the analysis that owns it) or at the same
breakdown.

``sums`` items (declared additive structure; a declaration that does not hold in the data is
kept as "the parts sum to a known total", which only over-protects):

* a list of key columns ``G`` (possibly empty): within each combination of ``G`` values the cells
  of every additive column sum to a known total. The *other* key columns ``V`` are summed over. A
  row whose ``V`` values are all total labels ("I alt", "Total", "Alle", "Hele landet", ...) is the
  total cell of that group; without one the total is known from elsewhere (published ``n``, 100 %
  for shares). Rows with only some ``V`` values being total labels (sub-margins) are not parts.
* a dict ``{"parts": [col, ...], "total": col | None}``: across columns, in every row, the part
  columns sum to the total column (or to a known constant, e.g. 100 % when ``total`` is None).

Additive columns are the count columns plus share-like columns (``andel*``, ``pct*``,
``procent*``) that do not follow a published count (a share that follows a count is masked
exactly when the count is).

**Marks.** ``attrs["disclosure"]["masked_cells"]`` lists the masked cells (column -> row
positions); :func:`masked_cells` returns them as a boolean frame. A NaN that is not listed was
empty before protection (not applicable). The publisher writes masked cells as
:data:`~.publisher.SUPPRESSED_MARK` in CSV and XLSX and shows them as "·" (not applicable: "–").

Person identifiers are refused at output time (:func:`assert_no_person_identifiers`).
"""
from __future__ import annotations

import hashlib
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..vocabulary import ORDNING_NAVN
from .columns import (
    CATEGORY_NUMERIC_KEYS,
    POPULATION_COLUMNS,
    SHARE_RE,
    basis_for,
    count_columns,
    is_base_count,
    is_count_column,
    is_key_name,
)

__all__ = [
    "DisclosureError", "DisclosureLedger", "protect_table", "mask_small", "is_protected",
    "assert_no_person_identifiers", "masked_cells", "count_columns", "is_count_column", "TOTAL_LABELS",
]

TOTAL_LABELS = frozenset({"i alt", "ialt", "total", "totalt", "alle", "hele landet", "samlet", "i alt/gns."})

_LOOKAHEAD = 6  # candidates tried per step of secondary suppression
_TRIES_BEFORE_CHECK = 2  # masks added for one cell before asking whether the table can protect it at all
_N_KOMMUNER = 98
_DENSE_MAX = 40  # masked cells up to which "determined?" is answered by an SVD before any LP
_MAX_LINKS = 8  # totals a block is matched with (several equal totals say the same)
_ID_NAME_RE = re.compile(
    r"(^|[^a-z0-9])(pnr|cpr|cprnr|cpr_nr|cpr_nummer|cprnummer|personnummer|person_id|personid|pid)([^a-z0-9]|$)",
    re.IGNORECASE,
)
_CPR_VALUE_RE = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")
_PSEUDO_VALUE_RE = re.compile(r"(?<![A-Za-z0-9])P\d{8,}(?!\d)")


class DisclosureWarning(UserWarning):
    """Masked cells that this table cannot protect (their totals are published in earlier tables)."""


class DisclosureError(RuntimeError):
    """Raised when output would reveal individuals or bypass disclosure control."""


# --------------------------------------------------------------------------------------------
# small helpers


def _is_sensitive(n, min_cell_size: int, suppress_zeros: bool):
    n = pd.to_numeric(n, errors="coerce")
    lower = (n >= 0) if suppress_zeros else (n > 0)
    return lower & (n < min_cell_size)


def mask_small(values, n, min_cell_size: int, *, suppress_zeros: bool = False):
    """Mask a statistic (scalar or Series) whose base count ``n`` is ``0 < n < min_cell_size``.

    Returns NaN for a masked scalar; for a Series/array a float copy with NaN where masked.
    """
    if np.isscalar(values) or values is None:
        if n is None or pd.isna(n):
            return values
        return float("nan") if bool(_is_sensitive(n, min_cell_size, suppress_zeros)) else values
    vals = pd.Series(values) if not isinstance(values, pd.Series) else values
    if np.isscalar(n):
        ns = pd.Series(n, index=vals.index)
    else:
        ns = pd.Series(n, index=vals.index) if not isinstance(n, pd.Series) else n.reindex(vals.index)
    out = pd.to_numeric(vals, errors="coerce").astype("float64")
    out[_is_sensitive(ns, min_cell_size, suppress_zeros).fillna(False).to_numpy(bool)] = np.nan
    return out if isinstance(values, pd.Series) else out.to_numpy()


def _fingerprint(df: pd.DataFrame) -> str:
    h = hashlib.sha256()
    h.update(repr([str(c) for c in df.columns]).encode())
    h.update(repr([str(t) for t in df.dtypes]).encode())
    try:
        h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    except TypeError:
        h.update(df.to_csv().encode())
    return h.hexdigest()


def _mark(df: pd.DataFrame, info: Mapping[str, Any]) -> pd.DataFrame:
    """Attach the protection record (in place) and return df. Internal: only this package's
    output code uses it, after adding a non-statistical column (e.g. ``datagrundlag``)."""
    info = {k: v for k, v in info.items() if k != "fingerprint"}
    df.attrs["disclosure"] = {**info, "fingerprint": _fingerprint(df)}
    df.attrs["disclosure_checked"] = True
    return df


def is_protected(df: Any) -> bool:
    """True when ``df`` is exactly a frame returned by :func:`protect_table`.

    Any change afterwards (filtering, reshaping, new values) voids the mark: run the changed frame
    through ``protect_table`` again.
    """
    if not isinstance(df, pd.DataFrame) or df.attrs.get("disclosure_checked") is not True:
        return False
    info = df.attrs.get("disclosure") or {}
    return info.get("fingerprint") == _fingerprint(df)


# --------------------------------------------------------------------------------------------
# person identifiers


def _values_with_identifier(values: Iterable[Any]) -> Any:
    for v in values:
        if isinstance(v, str) and (_CPR_VALUE_RE.search(v) or _PSEUDO_VALUE_RE.search(v)):
            return v
    return None


def _is_textual(s: pd.Series) -> bool:
    return (
        s.dtype == object
        or pd.api.types.is_string_dtype(s.dtype)
        or isinstance(s.dtype, pd.CategoricalDtype)
    )


def assert_no_person_identifiers(df: pd.DataFrame) -> None:
    """Raise DisclosureError if a column/index name looks like a person identifier (pnr, cpr,
    cprnr, personnummer, person_id, pid; also as prefix/suffix) or a text value in a column, a
    column label or the index looks like a CPR number (``\\d{6}-?\\d{4}``) or a synthetic
    pseudonym (``P`` + 8 or more digits)."""
    names = [*map(str, df.columns), *(str(n) for n in df.index.names if n is not None)]
    for name in names:
        if _ID_NAME_RE.search(name):
            raise DisclosureError(f"column {name!r} looks like a person identifier; it must not be published")
    hit = _values_with_identifier(str(c) for c in df.columns)
    if hit is not None:
        raise DisclosureError("a column label looks like a person identifier (CPR/pseudonym); refusing to publish")
    for col in df.columns:
        s = df[col]
        if isinstance(s, pd.DataFrame):  # duplicated column labels
            raise DisclosureError(f"duplicated column label {col!r}")
        if _is_textual(s) and _values_with_identifier(s.dropna().astype(str).unique()) is not None:
            raise DisclosureError(
                f"column {col!r} holds values that look like person identifiers (CPR/pseudonym); refusing to publish"
            )
    for level in range(df.index.nlevels):
        idx = df.index.get_level_values(level)
        if (idx.dtype == object or pd.api.types.is_string_dtype(idx.dtype)) and \
                _values_with_identifier(idx.dropna().astype(str).unique()) is not None:
            raise DisclosureError("the index holds values that look like person identifiers; refusing to publish")


# --------------------------------------------------------------------------------------------
# protect_table


def _is_total_label(v: Any) -> bool:
    return isinstance(v, str) and v.strip().lower() in TOTAL_LABELS


def _classify(df: pd.DataFrame, keys: Sequence[str] | None, sums) -> tuple[list[str], list[str], list[str]]:
    # An explicit key wins over a count-like name (e.g. ``antal_kommuner`` counts kommuner, not persons).
    counts = [c for c in count_columns(df) if keys is None or c not in keys]
    group_cols = {c for item in (sums or []) if not isinstance(item, Mapping) for c in item}
    key_cols, derived = [], []
    for c in df.columns:
        if c in counts:
            continue
        s = df[c]
        numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
        if (keys is not None and c in keys) or c in group_cols or not numeric or \
                is_key_name(c):
            key_cols.append(c)
        else:
            derived.append(c)
    return counts, key_cols, derived


def _resolve_basis(derived: list[str], counts: list[str], basis: Mapping[str, Any] | None) -> dict[str, list[str]]:
    basis = dict(basis or {})
    unknown = [k for k in basis if k not in derived]
    if unknown:
        raise ValueError(f"basis given for {unknown}, which are not derived (numeric, non-count) columns")
    out: dict[str, list[str]] = {}
    for d in derived:
        if d in basis:
            b = basis[d]
            b = [b] if isinstance(b, str) else list(b) if b is not None else []
            bad = [x for x in b if x not in counts]
            if bad:
                raise ValueError(f"basis for {d!r}: {bad} are not count columns of the table ({counts})")
            out[d] = b
            continue
        out[d] = basis_for(d, counts)
    return out


def _constraints(df: pd.DataFrame, sums, key_cols: list[str], additive: list[str]):
    """Equations as lists of (row_pos, col, coef) plus the set of total cells per equation."""
    eqs: list[tuple[list[tuple[int, str, float]], set[tuple[int, str]]]] = []
    for item in sums or []:
        if isinstance(item, Mapping):
            parts = list(item.get("parts") or [])
            total = item.get("total")
            missing = [c for c in [*parts, *([total] if total else [])] if c not in df.columns]
            if missing or not parts:
                raise ValueError(f"sums item {dict(item)}: unknown columns {missing} or no parts")
            for r in range(len(df)):
                terms = [(r, c, 1.0) for c in parts]
                tot = set()
                if total:
                    terms.append((r, total, -1.0))
                    tot.add((r, total))
                eqs.append((terms, tot))
            continue
        group = [item] if isinstance(item, str) else list(item)
        bad = [c for c in group if c not in key_cols]
        if bad:
            raise ValueError(f"sums group {group}: {bad} are not key (category) columns of the table")
        varying = [c for c in key_cols if c not in group]
        if not varying:
            raise ValueError(f"sums group {group} leaves no category column to sum over")
        frame = df.reset_index(drop=True)
        parts_of = frame.groupby(group, dropna=False, sort=False).indices if group else {None: np.arange(len(frame))}
        vals = frame[varying].to_numpy(object)
        for rows in parts_of.values():
            flags = np.array([[_is_total_label(v) for v in vals[r]] for r in rows], dtype=bool).reshape(len(rows), -1)
            detail = [int(r) for r, f in zip(rows, flags) if not f.any()]
            totals = [int(r) for r, f in zip(rows, flags) if f.all()]
            if len(totals) > 1:
                raise ValueError(f"sums group {group}: several total rows in one group ({totals})")
            if not detail:
                continue
            for c in additive:
                terms = [(r, c, 1.0) for r in detail]
                tot = set()
                if totals:
                    terms.append((totals[0], c, -1.0))
                    tot.add((totals[0], c))
                eqs.append((terms, tot))
    return eqs


def _mask_small_complements(work: pd.DataFrame, level_col: str, part: str, total: str, other_keys: list[str],
                            counts: list[str], num: dict, primary: dict, min_cell_size: int,
                            suppress_zeros: bool) -> None:
    """Differencing guard: mark a part's count as sensitive when total - part is a small cell."""
    if level_col not in work.columns:
        return
    levels = work[level_col].astype("string")
    keyed = work[other_keys].astype("string").fillna("\0").agg("\x1f".join, axis=1) if other_keys \
        else pd.Series("", index=work.index)
    totals = {k: i for i, k in enumerate(keyed) if levels.iloc[i] == total}
    for i, k in enumerate(keyed):
        if levels.iloc[i] != part or k not in totals:
            continue
        t = totals[k]
        for c in counts:
            rest = num[c][t] - num[c][i]
            if np.isnan(rest):
                continue
            if (0 < rest < min_cell_size) or (suppress_zeros and rest == 0 and num[c][t] > 0):
                primary[c][i] = True




# --------------------------------------------------------------------------------------------
# the attacker's knowledge: a linear system over published and masked cells


@dataclass
class _Total:
    """A published count cell or a block sum: what a block may be matched with."""

    terms: tuple[int, ...]
    coords: dict[str, str]
    table: str
    is_block: bool


_HIGHS_BANNER_SHOWN = False


def _new_highs():
    """A HiGHS instance that prints nothing (its copyright banner goes to file descriptor 1 the
    first time a process makes one, which would land on the notebook page)."""
    import os

    import highspy

    global _HIGHS_BANNER_SHOWN
    if not _HIGHS_BANNER_SHOWN:
        import sys

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _HIGHS_BANNER_SHOWN = True
    else:
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


class _AttackerLP:
    """One component's relations as a HiGHS model, solved for the min and max of each masked cell
    in turn (only the objective changes between solves, so HiGHS starts from the last basis)."""

    def __init__(self, lower: Sequence[float], A_eq, b_eq, A_ub, b_ub, upper: Sequence[float] | None = None,
                 truth: Sequence[float] | None = None):
        import highspy
        from scipy.sparse import vstack

        inf = highspy.kHighsInf
        parts, lo, hi = [], [], []
        if A_eq is not None:
            parts.append(A_eq)
            lo.append(b_eq)
            hi.append(b_eq)
        if A_ub is not None:
            parts.append(A_ub)
            lo.append(np.full(len(b_ub), -inf))
            hi.append(b_ub)
        A = vstack(parts).tocsr()
        n = len(lower)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, A.shape[0]
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.asarray(lower, float)
        lp.col_upper_ = np.full(n, inf) if upper is None else np.where(np.isinf(upper), inf, np.asarray(upper, float))
        lp.row_lower_ = np.concatenate(lo)
        lp.row_upper_ = np.concatenate(hi)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, A.shape[0]
        lp.a_matrix_.start_ = A.indptr.astype(np.int32)
        lp.a_matrix_.index_ = A.indices.astype(np.int32)
        lp.a_matrix_.value_ = A.data.astype(float)
        self.h = _new_highs()
        self.h.passModel(lp)
        self.solves = 0
        self._inf = inf
        self._status = highspy.HighsModelStatus
        self._sense = highspy.ObjSense
        # Every optimal solution is a point the attacker cannot rule out; with the true values
        # (also such a point) it shows each cell's interval to be at least as wide as the spread
        # between them. Kept per column: how far above and below its true value some solution went.
        self._truth = None if truth is None else np.asarray(truth, float)
        if self._truth is not None:
            self._above = np.zeros(n)
            self._below = np.zeros(n)

    def free(self, cols: Sequence[int], lower: Sequence[float]) -> None:
        """Let fixed columns vary from their lower bound (a trial mask)."""
        for j, lo in zip(cols, lower):
            self.h.changeColBounds(int(j), float(lo), self._inf)

    def fix(self, cols: Sequence[int], values: Sequence[float]) -> None:
        for j, v in zip(cols, values):
            self.h.changeColBounds(int(j), float(v), float(v))

    def bounds(self, j: int, value: float, need: float) -> tuple[float, float] | None:
        """(min, max) of column ``j``, whose true value is ``value``; None when HiGHS finds the
        system infeasible (numerically: the caller assumes the worst, a determined cell).

        The max is solved first: when it is already ``need`` above the true value (which is
        feasible, so min <= value) the interval is wide enough and ``(value, max)`` is returned
        without the second solve; the verdict "at least ``need`` wide" is the same."""
        if self._truth is not None and self._above[j] + self._below[j] >= need:  # shown by earlier solutions
            return value - self._below[j], value + self._above[j]
        h, st = self.h, self._status
        h.changeColCost(j, 1.0)
        out = {}
        try:
            for sense, sign in ((self._sense.kMaximize, -1.0), (self._sense.kMinimize, 1.0)):
                h.changeObjectiveSense(sense)
                h.run()
                self.solves += 1
                status = h.getModelStatus()
                if status in (st.kUnbounded, st.kUnboundedOrInfeasible):
                    out[sign] = -sign * float("inf")
                elif status == st.kOptimal:
                    out[sign] = float(h.getInfo().objective_function_value)
                    if self._truth is not None:
                        x = np.asarray(h.getSolution().col_value, float) - self._truth
                        np.maximum(self._above, x, out=self._above)
                        np.maximum(self._below, -x, out=self._below)
                else:
                    return None
                if sign < 0 and out[sign] - value >= need:
                    return value, out[sign]
        finally:
            h.changeColCost(j, 0.0)
        return out[1.0], out[-1.0]


@dataclass
class DisclosureLedger:
    """Everything the tables of one run (notebook) published, as the attacker sees it.

    Variables are cells (raw value, masked or shown), relations are linear equations and
    inequalities between them (see the module docstring). :func:`protect_table` adds a table's
    cells and relations, protects its masked cells against everything in the ledger, and commits
    the table (its cells become fixed: later tables cannot change them)."""

    value: list[float] = field(default_factory=list)
    masked: list[bool] = field(default_factory=list)
    fixed: list[bool] = field(default_factory=list)
    share: list[bool] = field(default_factory=list)  # an additive share (no >= 1 bound, must not be determined)
    base: list[bool] = field(default_factory=list)   # a base count / total cell (masked last)
    cons: list[tuple[dict[int, float], float, bool]] = field(default_factory=list)  # terms, rhs, equality
    var_cons: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    ties: dict[int, tuple[int, ...]] = field(default_factory=dict)
    index: dict[float, list[_Total]] = field(default_factory=lambda: defaultdict(list))
    tables: list[str] = field(default_factory=list)
    where: list[tuple] = field(default_factory=list)  # (table, row, column) of each cell
    cells: dict[tuple[str, float], list] = field(default_factory=lambda: defaultdict(list))  # (column, value) -> cells
    pinned: set[int] = field(default_factory=set)  # cells shown in an earlier table: never masked here
    # masked cells an earlier table could not protect. Tables only add relations, so such a cell
    # can never again be protected: a later table asks at once how far it can widen it, instead
    # of first trying candidates that cannot succeed
    weak: set[int] = field(default_factory=set)
    pending: list = field(default_factory=list)
    lp_calls: int = 0
    _seen: set = field(default_factory=set, repr=False)
    # The attacker's systems, SVDs and intervals depend only on the masked component and the
    # relations (shown cells are substituted with their fixed values): memoised until a relation
    # is added. Components depend on the mask: memoised per mask version.
    _memo: dict = field(default_factory=dict, repr=False)
    _mask_version: int = 0
    _components: dict = field(default_factory=dict, repr=False)
    _matrix_cache: tuple | None = field(default=None, repr=False)
    _labels_cache: tuple | None = field(default=None, repr=False)

    # -- building ------------------------------------------------------------------------

    def add_var(self, value: float, *, share: bool = False, base: bool = False, where: tuple = ()) -> int:
        self.where.append(where)
        self.value.append(float(value))
        self.masked.append(False)
        self.fixed.append(False)
        self.share.append(share)
        self.base.append(base)
        self._matrix_cache = None
        return len(self.value) - 1

    def add_con(self, terms: Mapping[int, float], rhs: float = 0.0, *, eq: bool = True) -> None:
        terms = {v: a for v, a in terms.items() if a}
        if not terms:
            return
        sig = (tuple(sorted(terms.items())), round(float(rhs), 9), eq)
        if sig in self._seen:
            return
        self._seen.add(sig)
        self._memo.clear()
        self._components.clear()
        self._matrix_cache = None
        ci = len(self.cons)
        self.cons.append((dict(terms), float(rhs), eq))
        for v in terms:
            self.var_cons[v].append(ci)

    def tie(self, group: Sequence[int]) -> None:
        """Cells that are one value (a base ``n`` repeated in every row of its block)."""
        members = set(group)
        for v in group:
            members |= set(self.ties.get(v, (v,)))
        tied = tuple(sorted(members))
        for v in tied:
            self.ties[v] = tied
        for a, b in zip(tied, tied[1:]):
            self.add_con({a: 1.0, b: -1.0})

    def mask(self, v: int) -> list[int]:
        """Mask ``v`` and the cells tied to it; returns the newly masked ones."""
        new = [u for u in self.ties.get(v, (v,)) if not self.masked[u]]
        for u in new:
            self.masked[u] = True
        if new:
            self._mask_changed()
        return new

    def unmask(self, cells: Iterable[int]) -> None:
        """Undo a trial :meth:`mask` (secondary suppression tries candidates)."""
        changed = False
        for u in cells:
            changed |= self.masked[u]
            self.masked[u] = False
        if changed:
            self._mask_changed()

    def _mask_changed(self) -> None:
        self._mask_version += 1
        self._components.clear()

    def _matrix(self):
        """All relations as one sparse matrix (relations x cells), with their right-hand sides,
        kinds and the cells' values; rebuilt after cells or relations are added."""
        if self._matrix_cache is None:
            from scipy.sparse import csr_matrix

            ri, cj, data = [], [], []
            for ci, (terms, _, _) in enumerate(self.cons):
                ri.extend([ci] * len(terms))
                cj.extend(terms.keys())
                data.extend(terms.values())
            A = csr_matrix((data, (ri, cj)), shape=(len(self.cons), len(self.value)), dtype=float)
            rhs = np.array([c[1] for c in self.cons], float)
            eq = np.array([c[2] for c in self.cons], bool)
            self._matrix_cache = (A, A.tocsc(), rhs, eq, np.array(self.value, float))
        return self._matrix_cache

    def commit(self, table: str, vars_: Sequence[int], totals: Sequence[_Total]) -> None:
        for v in vars_:
            self.fixed[v] = True
        for t in totals:
            self.index[_key(sum(self.value[v] for v in t.terms))].append(t)
        for key, rec in self.pending:
            self.cells[key].append(rec)
        self.pending = []
        self.pinned.clear()
        self.tables.append(table)

    # -- the attacker --------------------------------------------------------------------

    def component(self, seeds: Iterable[int]) -> list[int]:
        """The masked cells linked to ``seeds`` through relations over masked cells."""
        todo = [v for v in seeds if self.masked[v]]
        if not todo:
            return []
        if len(todo) == 1 and todo[0] in self._components:
            return self._components[todo[0]]
        masked_idx, labels = self._component_labels()
        pos = np.searchsorted(masked_idx, todo)
        comp = masked_idx[np.isin(labels, labels[pos])].tolist()
        if len(todo) == 1:  # one connected component: every member has it until the mask changes
            for u in comp:
                self._components[u] = comp
        return comp

    def _component_labels(self):
        """Connected components of the masked cells (linked by relations), for this mask."""
        if self._labels_cache is None or self._labels_cache[0] != self._mask_version:
            from scipy.sparse import bmat
            from scipy.sparse.csgraph import connected_components

            _, A_csc, _, _, _ = self._matrix()
            masked_idx = np.flatnonzero(np.fromiter(self.masked, bool, len(self.masked)))
            sub = A_csc[:, masked_idx]
            sub.data = np.ones_like(sub.data)
            # the bipartite graph cells - relations; a relation links all its masked cells
            graph = bmat([[None, sub.T], [sub, None]], format="csr")
            _, lab = connected_components(graph, directed=False)
            self._labels_cache = (self._mask_version, masked_idx, lab[: len(masked_idx)])
        return self._labels_cache[1], self._labels_cache[2]

    def _system(self, comp: Sequence[int]):
        """The relations over the masked cells ``comp`` with every shown cell substituted, as
        sparse matrices (A_eq, b_eq, A_ub, b_ub); relations that repeat after substitution once."""
        memo_key = ("system", tuple(comp))
        if memo_key in self._memo:
            return self._memo[memo_key]
        A, A_csc, rhs, eq, value = self._matrix()
        cols = np.asarray(comp, dtype=np.int64)
        sub = A_csc[:, cols].tocsr()
        touched = np.flatnonzero(np.diff(sub.indptr))
        sub = sub[touched]
        known = value.copy()
        known[cols] = 0.0
        r = np.round(rhs[touched] - A[touched] @ known, 9)
        kinds = eq[touched]
        out = []
        for want in (True, False):
            rows = np.flatnonzero(kinds == want)
            if not len(rows):
                out += [None, np.array([], float)]
                continue
            part, b = sub[rows], r[rows]
            # one copy of relations that repeat after substitution
            dense = np.hstack([part.toarray(), b[:, None]]) if len(comp) <= 4 * _DENSE_MAX else None
            if dense is not None:
                _, first = np.unique(dense, axis=0, return_index=True)
                first.sort()
                part, b = part[first], b[first]
            out += [part, b]
        self._memo[memo_key] = out
        return out

    def determined(self, comp: Sequence[int], v: int) -> bool:
        """Do the equations alone fix masked cell ``v`` (its unit vector lies in their row space)?"""
        memo_key = ("row space", tuple(comp))
        if memo_key not in self._memo:
            A_eq = self._system(comp)[0]
            if A_eq is None:
                self._memo[memo_key] = None
            else:
                A = A_eq.toarray()
                _, s, vt = np.linalg.svd(A, full_matrices=False)
                tol = max(A.shape) * np.finfo(float).eps * (s[0] if s.size else 1.0) * 10
                self._memo[memo_key] = vt[: int((s > tol).sum())]
        rows = self._memo[memo_key]
        if rows is None:
            return False
        j = comp.index(v)
        return bool(1.0 - float((rows[:, j] ** 2).sum()) < 1e-9)

    def interval(self, v: int, comp: Sequence[int] | None = None, need: float = float("inf")) -> tuple[float, float]:
        """The attacker's [min, max] for masked cell ``v`` (linear programming over the masked
        cells linked to it). With ``need``, an interval at least ``need`` wide may be returned
        narrower than the attacker's (its lower end is then the true value): enough to decide
        whether ``v`` is protected, at half the solves."""
        comp = self.component([v]) if comp is None else comp
        memo_key = ("interval", tuple(comp), v, need)
        if memo_key not in self._memo:
            self._memo[memo_key] = self._interval(v, comp, need)
        return self._memo[memo_key]

    def _interval(self, v: int, comp: Sequence[int], need: float) -> tuple[float, float]:
        A_eq, b_eq, A_ub, b_ub = self._system(comp)
        if A_eq is None and A_ub is None:
            return self._low(v), float("inf")
        model_key = ("model", tuple(comp))
        if model_key not in self._memo:
            self._memo[model_key] = _AttackerLP([self._low(u) for u in comp], A_eq, b_eq, A_ub, b_ub,
                                                truth=[self.value[u] for u in comp])
        lp = self._memo[model_key]
        before = lp.solves
        out = lp.bounds(comp.index(v), self.value[v], need)
        self.lp_calls += lp.solves - before
        return (self.value[v], self.value[v]) if out is None else out

    def related(self, comp: Sequence[int]) -> list[int]:
        """Every cell that shares a relation with one of the cells ``comp``."""
        A, A_csc, *_ = self._matrix()
        rows = np.unique(A_csc[:, np.asarray(comp, dtype=np.int64)].indices)
        return np.unique(A[rows].indices).tolist() if len(rows) else []

    def _low(self, u: int) -> float:
        """The attacker's lower bound of a masked cell: a count is >= 1 (zeros are shown), a share >= 0."""
        return 1.0 if (not self.share[u] and self.value[u] >= 1) else 0.0

    def trial_widths(self, f: int, cands: Sequence[int], need: float):
        """``width(u)``: how wide the masked cell ``f``'s interval would be with ``u`` (and the cells
        tied to it) masked too, for each of the candidates ``cands`` of one step of secondary
        suppression. One HiGHS model covers ``f``'s component with every candidate masked; a
        candidate's trial frees its cells (the others stay fixed at their values, as if
        substituted), so each solve starts from the last basis instead of a new model."""
        groups = {u: [x for x in self.ties.get(u, (u,)) if not self.masked[x]] for u in cands}
        trial = sorted({x for g in groups.values() for x in g})
        for x in trial:
            self.masked[x] = True
        self._mask_changed()
        try:
            comp = self.component([f])
        finally:
            for x in trial:
                self.masked[x] = False
            self._mask_changed()
        pos = {x: j for j, x in enumerate(comp)}
        A_eq, b_eq, A_ub, b_ub = self._system(comp)
        if A_eq is None and A_ub is None:
            return lambda u: float("inf")
        in_trial = set(trial)
        lower = [self.value[x] if x in in_trial else self._low(x) for x in comp]
        upper = [self.value[x] if x in in_trial else float("inf") for x in comp]
        lp = _AttackerLP(lower, A_eq, b_eq, A_ub, b_ub, upper=upper)
        jf = pos[f]

        def width(u: int) -> float:
            cols = [pos[x] for x in groups[u] if x in pos]
            lp.free(cols, [self._low(x) for x in groups[u] if x in pos])
            try:
                before = lp.solves
                out = lp.bounds(jf, self.value[f], need)
                self.lp_calls += lp.solves - before
            finally:
                lp.fix(cols, [self.value[x] for x in groups[u] if x in pos])
            return 0.0 if out is None else out[1] - out[0]
        return width

    def protected(self, v: int, k: int, comp: Sequence[int] | None = None) -> bool:
        """A masked count spans at least ``k`` values; a masked share is not determined."""
        need = k - 1e-6 if not self.share[v] else 1e-9
        lo, hi = self.interval(v, comp, need)
        return hi - lo >= need


def _key(value: float) -> float:
    return round(float(value), 6)


def _compatible(a: Mapping[str, str], b: Mapping[str, str], *, shared: bool = False) -> bool:
    """Same population: equal on every population column both have; with ``shared`` (totals of
    another table) they must have at least one such column. Coordinates are normalised by
    :func:`_pop_value` ("I alt" for a sum over the column)."""
    common = a.keys() & b.keys()
    if shared and not common:
        return False
    return all(a[c] == b[c] for c in common)


def _pop_value(col: str, values: Sequence[Any]) -> str:
    """A block's (or cell's) coordinate on a population column: its value, or "I alt" when the
    block sums over the column (or the value is a total label; a level keeps its name)."""
    vals = {str(v) for v in values}
    if len(vals) > 1:
        return "I alt"
    v = next(iter(vals))
    return "I alt" if col != "niveau" and _is_total_label(v) else v


def _codes(s: pd.Series) -> np.ndarray:
    return pd.factorize(s.astype("string").fillna("\0"), sort=False)[0]


def _determines(v_codes: np.ndarray, g_codes: np.ndarray) -> bool:
    """Each value of v goes with one value of g (g is an attribute of v, e.g. kommune of kommunekode)."""
    first: dict[int, int] = {}
    for a, b in zip(v_codes.tolist(), g_codes.tolist()):
        if first.setdefault(a, b) != b:
            return False
    return True


def _groups(codes: Mapping[str, np.ndarray], cols: Sequence[str], rows: Sequence[int]) -> list[list[int]]:
    out: dict[tuple, list[int]] = defaultdict(list)
    for r in rows:
        out[tuple(int(codes[c][r]) for c in cols)].append(r)
    return list(out.values())


def _tie_repeated(L: DisclosureLedger, work: pd.DataFrame, var, counts: list[str], category: list[str]) -> None:
    """A count that repeats over a category (the base ``n`` of every row of a block, a group total
    next to each of its parts) is one value: tie the repeated cells, so masking one masks all.
    Category columns are dropped from the grouping (innermost first) while the count stays constant."""
    if not category:
        return
    codes = {c: _codes(work[c]) for c in category}
    for c in counts:
        rows = [r for r in range(len(work)) if (r, c) in var]
        cols = list(category)
        for v in reversed(category):
            trial = [g for g in cols if g != v]
            if all(len({L.value[var[(r, c)]] for r in g}) == 1 for g in _groups(codes, trial, rows)):
                cols = trial
        if cols == list(category):
            continue
        multi = [g for g in _groups(codes, cols, rows) if len(g) >= 2]
        if not multi or (not is_base_count(c) and len(multi) < 2):
            continue
        for g in multi:
            L.tie([var[(r, c)] for r in g])
            for r in g:
                L.base[var[(r, c)]] = True


def _identifying_keys(work: pd.DataFrame, category: list[str]) -> frozenset[str] | None:
    """A small set of category columns that still tells every row apart (None: the rows repeat)."""
    if not category or work[category].astype(str).duplicated().any():
        return None
    cols = list(category)
    for c in reversed(category):
        trial = [x for x in cols if x != c]
        if trial and not work[trial].astype(str).duplicated().any():
            cols = trial
    return frozenset(cols)


def _blocks(work: pd.DataFrame, category_keys: list[str]):
    """(rows, varying column, grouping columns) for every block: rows that differ only in the varying column
    (and the columns it determines). Total-label rows are left out (they are cells of their own)."""
    if not category_keys or len(work) < 2:
        return []
    codes = {c: _codes(work[c]) for c in category_keys}
    is_total = {c: np.array([_is_total_label(x) for x in work[c].tolist()], bool) for c in category_keys}
    out, seen = [], set()
    for v in category_keys:
        others = [c for c in category_keys if c != v]
        # columns v determines (kommune next to kommunekode) are summed over with it; a population
        # column (ordning, niveau) is never: a sum over PA and HM types is not a total of either
        attrs = [g for g in others if g not in POPULATION_COLUMNS and _determines(codes[v], codes[g])]
        variants = [others]
        coarse = [g for g in others if g not in attrs]
        if coarse != others:
            variants.append(coarse)
        for group in variants:
            keyed = list(zip(*(codes[g].tolist() for g in group))) if group else [()] * len(work)
            groups: dict[tuple, list[int]] = defaultdict(list)
            for r, key in enumerate(keyed):
                if not is_total[v][r]:
                    groups[key].append(r)
            for rows in groups.values():
                key = (v, tuple(rows))
                if len(rows) >= 2 and key not in seen:
                    seen.add(key)
                    out.append((rows, v, group))
    return out


def masked_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Boolean frame (same shape as ``df``): True where protection masked the cell. NaN cells that
    are not masked were empty before protection (not applicable)."""
    info = df.attrs.get("disclosure") or {}
    out = pd.DataFrame(False, index=df.index, columns=df.columns)
    for col, rows in (info.get("masked_cells") or {}).items():
        if col in out.columns:
            out.iloc[list(rows), out.columns.get_loc(col)] = True
    return out


def _add_relations(L: DisclosureLedger, work: pd.DataFrame, var: dict[tuple[int, str], int], counts: list[str],
                   additive: list[str], key_cols: list[str], eqs, complement, name: str) -> list[_Total]:
    """The table's relations (declared, found, inequalities, matches with the ledger); returns the
    table's totals for the ledger index."""
    nrows = len(work)
    val = {k: L.value[v] for k, v in var.items()}
    # the cells' row values as plain Python objects: a lookup per cell (thousands per table) would
    # cost a pandas indexing call each
    column_cache: dict[str, np.ndarray] = {}

    def column(name: str) -> np.ndarray:
        if name not in column_cache:
            column_cache[name] = work[name].to_numpy(dtype=object)
        return column_cache[name]

    # declared sums: equation with the total row when it holds, else "the parts sum to a known total"
    for terms, totals in eqs:
        if any((r, c) not in var for r, c, _ in terms):
            continue
        total_terms = {var[(r, c)]: a for r, c, a in terms}
        if totals and abs(sum(a * val[(r, c)] for r, c, a in terms)) <= 1e-6 * max(1.0, *(abs(val[(r, c)]) for r, c, _ in terms)):
            L.add_con(total_terms, 0.0)
        else:
            parts = [(r, c, a) for r, c, a in terms if (r, c) not in totals]
            L.add_con({var[(r, c)]: 1.0 for r, c, _ in parts}, sum(val[(r, c)] for r, c, _ in parts))

    # population coordinates: niveau, ordning (also "population", or the _pa/_hm suffix of a
    # count column), aar; a per-kommune table's row is that kommune, the sum over all 98 the country
    pop_cols = [c for c in POPULATION_COLUMNS if c in work.columns]
    per_kommune = "kommunekode" in key_cols and "niveau" not in work.columns

    def coords(rows: Sequence[int], col: str, group: Sequence[str] | None = None) -> dict[str, str]:
        out = {}
        rows = list(rows)
        for c in pop_cols:
            vals = column(c)[rows]
            if not pd.isna(vals).any():
                key = "ordning" if c == "population" else c
                out[key] = _pop_value(c, [ORDNING_NAVN.get(str(v), v) for v in vals])
        suffix = str(col).rsplit("_", 1)[-1]
        if "ordning" not in out and suffix in ORDNING_NAVN and str(col) != suffix:
            out["ordning"] = ORDNING_NAVN[suffix]
        if per_kommune:
            kom = column("kommunekode")[rows]
            distinct = {k for k in kom if not pd.isna(k)}
            if len(distinct) == 1:
                out["niveau"] = f"kommune {kom[0]}"
            elif len(distinct) == _N_KOMMUNER:
                out["niveau"] = "Hele landet"
            else:  # a sum over some kommuner is the total of exactly those
                out["niveau"] = "kommuner " + ",".join(map(str, sorted(pd.unique(kom))))
        return out

    # cells of this table as possible totals
    totals: list[_Total] = []
    for (r, c), v in var.items():
        if c in counts and L.value[v] > 0:
            totals.append(_Total((v,), coords([r], c), name, False))

    # blocks, ties of base counts, block sums matched with totals
    category = [c for c in key_cols if c in CATEGORY_NUMERIC_KEYS or not pd.api.types.is_numeric_dtype(work[c])
                or pd.api.types.is_bool_dtype(work[c])]
    _tie_repeated(L, work, var, counts, category)
    block_totals: list[_Total] = []
    for rows, _v, group in _blocks(work, category):
        for c in counts:
            if any((r, c) not in var for r in rows):
                continue
            cells = [var[(r, c)] for r in rows]
            total = sum(L.value[x] for x in cells)
            # categories that overlap (a case with two impairments) sum to more than their base:
            # such a sum counts nothing and is the total of no other cell
            if c != "n" and all((r, "n") in var for r in rows) and total > max(L.value[var[(r, "n")]] for r in rows):
                continue
            if total > 0:
                block_totals.append(_Total(tuple(cells), coords(rows, c, group), name, True))

    local: dict[float, list[_Total]] = defaultdict(list)
    for t in totals:
        local[_key(L.value[t.terms[0]])].append(t)
    earlier_blocks: dict[float, list[_Total]] = defaultdict(list)  # by sum, in table order
    for b in block_totals:
        members = set(b.terms)
        s = _key(sum(L.value[x] for x in b.terms))
        links = 0
        candidates = [t for t in local.get(s, ()) if not t.is_block] + list(L.index.get(s, ())) + list(earlier_blocks[s])
        earlier_blocks[s].append(b)
        linked: set[tuple[int, ...]] = set()
        for t in candidates:
            if links >= _MAX_LINKS:
                break
            rep = tuple(sorted({L.ties.get(x, (x,))[0] for x in t.terms}))
            if rep in linked or members & set(t.terms) or not _compatible(b.coords, t.coords, shared=t.table != name):
                continue
            linked.add(rep)
            terms = {x: 1.0 for x in b.terms}
            for x in t.terms:
                terms[x] = terms.get(x, 0.0) - 1.0
            L.add_con(terms)
            links += 1
            if not t.is_block:
                for x in t.terms:
                    L.base[x] = True
    # this table's cells against the ledger's blocks (a block of an earlier table whose total this
    # table publishes)
    for t in totals:
        links = 0
        for lb in L.index.get(_key(L.value[t.terms[0]]), ()):
            if links >= _MAX_LINKS:
                break
            if lb.is_block and _compatible(t.coords, lb.coords, shared=True):
                terms = {x: 1.0 for x in lb.terms}
                terms[t.terms[0]] = terms.get(t.terms[0], 0.0) - 1.0
                L.add_con(terms)
                links += 1

    # the same cell published in an earlier table (same column and value, same categories on
    # columns that identify a row in both tables) is one value: masked there -> masked here, shown
    # there -> it cannot be hidden here
    ident = _identifying_keys(work, category)
    records = []
    for (r, c), v in var.items():
        if c not in counts or L.value[v] <= 0 or ident is None:
            continue
        keyvals = {k: str(column(k)[r]) for k in category}
        records.append(((c, _key(L.value[v])), (v, keyvals, ident)))
        for prev, pkeys, pident in L.cells.get((c, _key(L.value[v])), ()):
            both = ident | pident
            if both <= keyvals.keys() and both <= pkeys.keys() and all(keyvals[k] == pkeys[k] for k in both):
                L.tie([v, prev])
                if not L.masked[prev]:
                    L.pinned.add(v)
                break
    L.pending = records

    # a part is at most its base (antal <= n in a row) ...
    if "n" in counts:
        for c in counts:
            if c == "n" or is_base_count(c):
                continue
            for r in range(nrows):
                if (r, c) in var and (r, "n") in var and val[(r, c)] <= val[(r, "n")]:
                    L.add_con({var[(r, c)]: 1.0, var[(r, "n")]: -1.0}, 0.0, eq=False)
    # ... and a selection at most its whole
    for level_col, part, whole in complement or []:
        if level_col not in work.columns:
            continue
        others = [k for k in key_cols if k != level_col]
        keyed = [tuple(str(column(k)[r]) for k in others) for r in range(nrows)]
        level = column(level_col)
        wholes = {keyed[r]: r for r in range(nrows) if level[r] == whole}
        for r in range(nrows):
            w = wholes.get(keyed[r]) if level[r] == part else None
            if w is None:
                continue
            for c in counts:
                if (r, c) in var and (w, c) in var and val[(r, c)] <= val[(w, c)]:
                    L.add_con({var[(r, c)]: 1.0, var[(w, c)]: -1.0}, 0.0, eq=False)
    return totals + block_totals


def _suppress(L: DisclosureLedger, table_vars: list[int], k: int, unresolved: set[int]) -> None:
    """Mask cells of this table until every masked cell linked to it is protected."""
    mine = set(table_vars)
    touched = {u for v in table_vars for ci in L.var_cons.get(v, ()) for u in L.cons[ci][0]}
    queue = sorted(u for u in mine | touched if L.masked[u])
    done: set[int] = set()
    need = {True: 1e-9}

    def width(f: int) -> float:
        comp = L.component([f])
        if len(comp) <= _DENSE_MAX and L.determined(comp, f):  # fast path: no LP for a determined cell
            return 0.0
        lo, hi = L.interval(f, comp, need.get(L.share[f], k - 1e-6))
        return hi - lo

    def enough(w: float, f: int) -> bool:
        return w >= need.get(L.share[f], k - 1e-6)

    def unknowns(ci: int) -> int:
        return sum(1 for u in L.cons[ci][0] if L.masked[u])

    def new_singles(u: int) -> int:
        """Equations that masking u leaves with one masked cell, minus those it gives a second."""
        d = 0
        for ci in L.var_cons.get(u, ()):
            if L.cons[ci][2]:
                m = unknowns(ci)
                d += 1 if m == 0 else (-1 if m == 1 else 0)
        return d

    while queue:
        f = queue.pop(0)
        if f in done or f in unresolved:
            continue
        w = width(f)
        goal = None
        tries = 0
        while not (w >= goal if goal is not None else enough(w, f)):
            tries += 1
            if goal is None and (tries == _TRIES_BEFORE_CHECK + 1 or (tries == 1 and f in L.weak)):
                # can this table protect f at all? (every cell it could mask, masked) If not, it is
                # unresolved, and protected as far as this table can (the widest interval it allows)
                trial = [x for u in sorted(mine) if not L.masked[u] and L.value[u] > 0 and u not in L.pinned
                         for x in L.mask(u)]
                best_w = width(f)
                L.unmask(trial)
                if not enough(best_w, f):
                    unresolved.add(f)
                    if best_w <= w + 1e-9:
                        break
                    goal = best_w - 1e-9
            comp = L.component([f])
            cands = sorted(u for u in L.related(comp) if u in mine and not L.masked[u] and L.value[u] > 0
                           and u not in L.pinned)
            if not cands:
                unresolved.add(f)
                break
            direct = {u for ci in L.var_cons.get(f, ()) for u in L.cons[ci][0]}
            if w < 1e-9:
                # determined: first open an equation in which f is the only masked cell, then close
                # the equations that pin it (fewest new single-unknown equations), smallest first
                pinning = {u for ci in L.var_cons.get(f, ()) if L.cons[ci][2] and unknowns(ci) == 1
                           for u in L.cons[ci][0]}
                choice = min(cands, key=lambda u: (u not in pinning, new_singles(u), L.base[u], u not in direct,
                                                   L.value[u], u))
            else:
                # bounded too narrowly: try the likeliest cells, keep the first that protects f
                cands.sort(key=lambda u: (L.base[u], u not in direct, L.value[u], u))
                best = None
                trial_width = None
                for i, u in enumerate(cands[:_LOOKAHEAD]):
                    if i == 0:  # the likeliest candidate, on its own (small) component
                        new = L.mask(u)
                        w2 = width(f)
                        L.unmask(new)
                    else:  # the rest on one model, warm-started
                        if trial_width is None:
                            trial_width = L.trial_widths(f, cands[1:_LOOKAHEAD], need.get(L.share[f], k - 1e-6))
                        w2 = trial_width(u)
                    score = (not (w2 >= goal if goal is not None else enough(w2, f)), -min(w2, k))
                    if best is None or score < best[0]:
                        best = (score, u)
                    if not score[0]:
                        break
                choice = best[1]
            queue.extend(L.mask(choice))
            w = width(f)
        done.add(f)


def protect_table(
    df: pd.DataFrame,
    *,
    min_cell_size: int,
    basis: Mapping[str, str | Sequence[str]] | None = None,
    sums: Sequence[Sequence[str] | Mapping[str, Any]] | None = None,
    suppress_zeros: bool = False,
    basis_counts: pd.Series | Mapping[str, Any] | Sequence[float] | None = None,
    keys: Sequence[str] | None = None,
    complement: Sequence[tuple[str, str, str]] | None = None,
    ledger: DisclosureLedger | None = None,
    name: str = "",
) -> pd.DataFrame:
    """Return a protected copy of ``df`` (masked cells NaN) marked with ``attrs["disclosure"]``.

    ``complement``: ``[(level_col, part, total)]`` for tables that publish a subset next to its
    whole (e.g. "Valgte kommuner" next to "Hele landet"): total minus part is the unpublished
    rest, so a part count is masked when the rest is small (0 < rest < min_cell_size).

    ``keys`` names extra columns that describe cells and are never masked (text columns,
    ``kommunekode``, ``aar`` ... and columns in ``sums`` groups are keys automatically).
    ``basis_counts`` is a Series/array aligned with the rows (base n of every derived column), or a
    mapping ``{derived_col: series}``. ``ledger`` (with the table's ``name``) is the run's record of
    what earlier tables published; the table is protected against it and added to it. See the
    module docstring for the rules.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"protect_table expects a DataFrame, not {type(df).__name__}")
    if isinstance(min_cell_size, bool) or int(min_cell_size) != min_cell_size or min_cell_size < 1:
        raise ValueError(f"min_cell_size must be a whole number >= 1, not {min_cell_size!r}")
    min_cell_size = int(min_cell_size)
    if df.columns.duplicated().any():
        raise ValueError(f"duplicated column labels: {list(df.columns[df.columns.duplicated()])}")
    assert_no_person_identifiers(df)

    has_index = not (isinstance(df.index, pd.RangeIndex) and df.index.names == [None])
    index_names = list(df.index.names)
    work = df.reset_index() if has_index else df.copy()
    work.attrs = {}
    if has_index:
        index_cols = list(work.columns[: len(index_names)])
        keys = [*(keys or []), *index_cols]
    counts, key_cols, derived = _classify(work, keys, sums)
    bad_counts = [c for c in counts if not pd.api.types.is_numeric_dtype(work[c].dtype)]
    if bad_counts:
        raise ValueError(f"count columns {bad_counts} are not numeric")
    bmap = _resolve_basis(derived, counts, basis)
    shares = [d for d in derived if isinstance(d, str) and SHARE_RE.match(d)]
    # shares with a published count basis follow it; the others are cells of their own
    additive = counts + [d for d in shares if not bmap[d]]
    for item in sums or []:
        if isinstance(item, Mapping):
            for c in [*(item.get("parts") or []), *([item["total"]] if item.get("total") else [])]:
                if c not in additive and c in work.columns:
                    additive.append(c)

    nrows = len(work)
    value_cols = counts + derived
    num = {c: pd.to_numeric(work[c], errors="coerce").to_numpy(dtype="float64", na_value=np.nan) for c in value_cols}
    mask = {c: np.isnan(num[c]) for c in value_cols}  # unpublished cells count as unknown
    pre_nan = {c: mask[c].copy() for c in value_cols}
    primary = {c: np.array(_is_sensitive(pd.Series(num[c]), min_cell_size, suppress_zeros), dtype=bool) for c in counts}
    for level_col, part, total in complement or []:
        _mask_small_complements(work, level_col, part, total, [k for k in key_cols if k != level_col],
                                counts, num, primary, min_cell_size, suppress_zeros)
    for c in counts:
        mask[c] |= primary[c]

    # basis_counts -> extra masks on derived columns
    bc_mask = {d: np.zeros(nrows, bool) for d in derived}
    if basis_counts is not None:
        items = basis_counts.items() if isinstance(basis_counts, Mapping) else [(d, basis_counts) for d in derived]
        for d, ser in items:
            if d not in bc_mask:
                raise ValueError(f"basis_counts given for {d!r}, which is not a derived column")
            if isinstance(ser, pd.Series) and not has_index and ser.index.equals(df.index):
                arr = ser.to_numpy()
            elif isinstance(ser, pd.Series) and has_index:
                arr = ser.reindex(df.index).to_numpy() if not ser.index.equals(df.index) else ser.to_numpy()
            else:
                arr = np.asarray(ser)
            if np.ndim(arr) == 0:
                arr = np.repeat(arr, nrows)
            if len(arr) != nrows:
                raise ValueError(f"basis_counts has {len(arr)} values, the table has {nrows} rows")
            bc_mask[d] |= np.asarray(_is_sensitive(pd.Series(arr), min_cell_size, suppress_zeros).fillna(False), bool)

    def propagate() -> None:
        for _ in range(3):
            for d in derived:
                m = bc_mask[d].copy()
                for b in bmap[d]:
                    m |= mask[b]
                mask[d] |= m
            for d in shares:  # a share + known total reveals its count: sync back
                if len(bmap[d]) == 1 and d not in additive:
                    mask[bmap[d][0]] |= mask[d] & ~pre_nan[d]

    # the attacker's system: one variable per published additive cell
    L = ledger if ledger is not None else DisclosureLedger()
    var: dict[tuple[int, str], int] = {}
    for c in additive:
        for r in range(nrows):
            if not pre_nan[c][r]:
                var[(r, c)] = L.add_var(num[c][r], share=c not in counts, where=(name, r, c))
    table_vars = list(var.values())
    eqs = _constraints(work, sums, key_cols, additive)
    totals = _add_relations(L, work, var, counts, additive, key_cols, eqs, complement, name)

    unresolved: set[int] = set()
    secondary = {c: np.zeros(nrows, bool) for c in value_cols}
    for v in table_vars:  # a cell masked where it was published before stays masked
        if any(L.masked[u] for u in L.ties.get(v, ())):
            L.mask(v)
    while True:
        propagate()
        before = {k: L.masked[v] for k, v in var.items()}
        for (r, c), v in var.items():
            if mask[c][r] and not L.masked[v]:
                L.mask(v)
        _suppress(L, table_vars, min_cell_size, unresolved)
        changed = False
        for (r, c), v in var.items():
            if L.masked[v] and not mask[c][r]:
                mask[c][r] = True
                secondary[c][r] = True
                changed = True
        if not changed and all(L.masked[v] == before[k] for k, v in var.items()):
            break
    propagate()
    L.commit(name, table_vars, totals)
    L.weak |= unresolved
    if unresolved:
        cells = ", ".join(f"{t or 'table'} row {r} {c}" for t, r, c in (L.where[v] for v in sorted(unresolved)[:5]))
        warnings.warn(
            f"{len(unresolved)} masked cell(s) cannot be protected by masking cells of "
            f"{name or 'this table'} (the totals that fix them are published elsewhere): {cells}", DisclosureWarning,
            stacklevel=2,
        )

    out = work.copy()
    for c in value_cols:
        m = mask[c] & ~pre_nan[c]
        if m.any() or not pd.api.types.is_integer_dtype(out[c].dtype):
            out[c] = pd.Series(num[c], index=out.index).where(~mask[c])
    if has_index:
        out = out.set_index(index_cols)
        out.index.names = index_names
    masked_pos = {str(c): [int(r) for r in np.flatnonzero(mask[c] & ~pre_nan[c])] for c in value_cols}
    info = {
        "min_cell_size": min_cell_size,
        "masked_primary": int(sum((primary[c] & ~pre_nan[c]).sum() for c in counts)),
        "masked_secondary": int(
            sum((mask[c] & ~primary[c] & ~pre_nan[c]).sum() for c in counts)
            + sum((secondary[d] & ~pre_nan[d]).sum() for d in derived)
        ),
        "masked_derived": int(sum((mask[d] & ~pre_nan[d] & ~secondary[d]).sum() for d in derived)),
        "unresolved": len([v for v in unresolved if v in set(table_vars)]) or len(unresolved),
        "unresolved_cells": [[str(t), int(r), str(c)] for t, r, c in (L.where[v] for v in sorted(unresolved))],
        "suppress_zeros": bool(suppress_zeros),
        "masked_cells": {c: rows for c, rows in masked_pos.items() if rows},
    }
    return _mark(out, info)
