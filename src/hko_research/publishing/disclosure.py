"""Statistical disclosure control (SDC): the one place where output is made safe to publish.

Output from Statistics Denmark's research servers must not reveal individuals. Every table and
every figure's source frame passes through :func:`protect_table`, which applies, in order:

1. **Primary suppression.** A *count* (a column named ``n``, ``antal`` or starting with
   ``antal_`` / ``n_``; the column roles are declared in :mod:`.columns`) with ``0 < c < min_cell_size`` is masked. Zero counts are *not* masked by
   default: "nobody in this cell" reveals nothing about a person that the margins do not already
   show, and DST's rules treat empty cells as publishable. ``suppress_zeros=True`` masks them too.
2. **Derived masking.** Every other numeric column (share, mean, CI bound, price ...) is a statistic
   computed from some counts: ``basis[col]`` when given, else the shared rules of
   :func:`hko_research.publishing.columns.basis_for` (``andel_X`` from ``antal_X`` and ``n``,
   means from ``n``, anything unnamed from every count of its row). A derived value is masked
   when a basis count is masked, and also when ``basis_counts`` (the base n of an unpublished
   count) is ``0 < n < min_cell_size``.
3. **Secondary suppression.** ``sums`` declares additive structure. Each published total is a
   linear equation over the cells; a masked cell is *exposed* when its unit vector lies in the row
   space of the constraint matrix restricted to the masked cells (i.e. it has no component in the
   null space, so the published numbers determine it). While a cell is exposed, the smallest
   unmasked cell sharing an equation with it is masked as well (non-total, positive cells first);
   repeated to a fixed point.

``sums`` items:

* a list of key columns ``G`` (possibly empty): within each combination of ``G`` values the cells
  of every additive column sum to a known total. The *other* key columns ``V`` are summed over. A
  row whose ``V`` values are all total labels ("I alt", "Total", "Alle", "Hele landet", ...) is the
  total cell of that group; without one the total is known from elsewhere (published ``n``, 100 %
  for shares). Rows with only some ``V`` values being total labels (sub-margins) are not parts.
* a dict ``{"parts": [col, ...], "total": col | None}``: across columns, in every row, the part
  columns sum to the total column (or to a known constant, e.g. 100 % when ``total`` is None).

Additive columns are the count columns plus share-like columns (``andel*``, ``pct*``,
``procent*``) that do not follow a published count (a share that follows a count is masked
exactly when the count is). Declaring an equation that does not hold only over-suppresses; it
never weakens protection.

Person identifiers are refused at output time (:func:`assert_no_person_identifiers`).
"""
from __future__ import annotations

import hashlib
import re
import warnings
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .columns import SHARE_RE, basis_for, count_columns, is_count_column, is_key_name

__all__ = [
    "DisclosureError", "protect_table", "mask_small", "is_protected", "assert_no_person_identifiers",
    "count_columns", "is_count_column", "TOTAL_LABELS",
]

TOTAL_LABELS = frozenset({"i alt", "ialt", "total", "totalt", "alle", "hele landet", "samlet", "i alt/gns."})

_LOOKAHEAD = 24  # candidates checked with the (SVD) look-ahead per step
_ID_NAME_RE = re.compile(
    r"(^|[^a-z0-9])(pnr|cpr|cprnr|cpr_nr|cpr_nummer|cprnummer|personnummer|person_id|personid|pid)([^a-z0-9]|$)",
    re.IGNORECASE,
)
_CPR_VALUE_RE = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")
_PSEUDO_VALUE_RE = re.compile(r"(?<![A-Za-z0-9])P\d{8,}(?!\d)")


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


def _exposed(A: np.ndarray, masked_idx: np.ndarray) -> np.ndarray:
    """Indices (into masked_idx) of masked cells determined by the equations A x = known."""
    if masked_idx.size == 0 or A.shape[0] == 0:
        return np.array([], dtype=int)
    sub = A[:, masked_idx]
    sub = sub[np.abs(sub).sum(axis=1) > 0]
    if sub.shape[0] == 0:
        return np.array([], dtype=int)
    _, s, vt = np.linalg.svd(sub, full_matrices=True)
    tol = max(sub.shape) * np.finfo(float).eps * (s[0] if s.size else 1.0) * 10
    rank = int((s > tol).sum())
    null = vt[rank:]  # rows span the null space
    if null.shape[0] == 0:
        return np.arange(masked_idx.size)
    return np.flatnonzero(np.linalg.norm(null, axis=0) < 1e-8)


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
) -> pd.DataFrame:
    """Return a protected copy of ``df`` (masked cells NaN) marked with ``attrs["disclosure"]``.

    ``complement``: ``[(level_col, part, total)]`` for tables that publish a subset next to its
    whole (e.g. "Valgte kommuner" next to "Hele landet"): total minus part is the unpublished
    rest, so a part count is masked when the rest is small (0 < rest < min_cell_size).

    ``keys`` names extra columns that describe cells and are never masked (text columns,
    ``kommunekode``, ``aar`` ... and columns in ``sums`` groups are keys automatically).
    ``basis_counts`` is a Series/array aligned with the rows (base n of every derived column), or a
    mapping ``{derived_col: series}``. See the module docstring for the rules.
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

    eqs = _constraints(work, sums, key_cols, additive)
    col_pos = {c: i for i, c in enumerate(additive)}
    ncell = nrows * len(additive)
    A = np.zeros((len(eqs), ncell))
    for i, (terms, _) in enumerate(eqs):
        for r, c, coef in terms:
            A[i, col_pos[c] * nrows + r] += coef
    cell_eqs: dict[int, list[int]] = {}
    for i in range(len(eqs)):
        for j in np.flatnonzero(A[i]):
            cell_eqs.setdefault(int(j), []).append(i)

    secondary = {c: np.zeros(nrows, bool) for c in value_cols}
    unresolved = 0
    while True:
        propagate()
        if not eqs:
            break
        flat = np.concatenate([mask[c] for c in additive]) if additive else np.zeros(0, bool)
        masked_idx = np.flatnonzero(flat)
        exposed = masked_idx[_exposed(A, masked_idx)]
        if exposed.size == 0:
            break
        # candidates: unmasked cells sharing an equation with an exposed cell; prefer cells that
        # are not the total of that equation, then the one leaving fewest exposed cells (one-step
        # look-ahead) and fewest equations with a single unknown, positive before zero, smallest
        cands: dict[int, bool] = {}
        for i in sorted({i for j in exposed for i in cell_eqs.get(int(j), [])}):
            terms, totals = eqs[i]
            for r, c, _ in terms:
                k = col_pos[c] * nrows + r
                if not flat[k]:
                    cands[k] = cands.get(k, True) and (r, c) in totals
        pre = []
        for k, is_total in cands.items():
            c, r = additive[k // nrows], k % nrows
            trial = np.append(masked_idx, k)
            n_single = int(((A[:, trial] != 0).sum(axis=1) == 1).sum())
            pre.append(((is_total, n_single, num[c][r] == 0, abs(num[c][r]), k), trial))
        pre.sort(key=lambda t: t[0])
        choice, best = None, None
        for (is_total, n_single, zero, val, k), trial in pre[:_LOOKAHEAD]:
            key = (is_total, _exposed(A, trial).size, n_single, zero, val, k)
            if best is None or key < best:
                best, choice = key, k
        if choice is None:
            unresolved = int(exposed.size)
            warnings.warn(
                f"{unresolved} masked cell(s) are determined by totals published outside this table; "
                "they cannot be protected here", stacklevel=2,
            )
            break
        c = additive[choice // nrows]
        r = choice % nrows
        mask[c][r] = True
        secondary[c][r] = True

    out = work.copy()
    for c in value_cols:
        m = mask[c] & ~pre_nan[c]
        if m.any() or not pd.api.types.is_integer_dtype(out[c].dtype):
            out[c] = pd.Series(num[c], index=out.index).where(~mask[c])
    if has_index:
        out = out.set_index(index_cols)
        out.index.names = index_names
    info = {
        "min_cell_size": min_cell_size,
        "masked_primary": int(sum((primary[c] & ~pre_nan[c]).sum() for c in counts)),
        "masked_secondary": int(
            sum((mask[c] & ~primary[c] & ~pre_nan[c]).sum() for c in counts)
            + sum((secondary[d] & ~pre_nan[d]).sum() for d in derived)
        ),
        "masked_derived": int(sum((mask[d] & ~pre_nan[d] & ~secondary[d]).sum() for d in derived)),
        "unresolved": unresolved,
        "suppress_zeros": bool(suppress_zeros),
    }
    return _mark(out, info)
