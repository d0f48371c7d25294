"""Statistical disclosure control: unit tests and hypothesis property tests.

The secondary-suppression property is checked by an attacker written here, independently of the
module: it writes the published totals as equations, solves for the masked cells and asserts that
none of them is determined (each has a nonzero component in the null space).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from sdc_attacker import RunAttacker, attack_frames

from hko_research.publishing.disclosure import (
    DisclosureError,
    assert_no_person_identifiers,
    count_columns,
    is_protected,
    mask_small,
    masked_cells,
    protect_table,
)

TOT = "I alt"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------------------
# independent attacker


def undetermined(n_unknowns: int, equations: list[dict[int, float]]) -> np.ndarray:
    """For a system of equations over unknowns 0..n-1 (coefficients; right-hand sides known),
    return a boolean array: True where the unknown is NOT determined by the system."""
    if n_unknowns == 0:
        return np.zeros(0, bool)
    rows = [eq for eq in equations if eq]
    if not rows:
        return np.ones(n_unknowns, bool)
    A = np.zeros((len(rows), n_unknowns))
    for i, eq in enumerate(rows):
        for j, coef in eq.items():
            A[i, j] += coef
    _, s, vt = np.linalg.svd(A)
    rank = int((s > 1e-9 * max(1.0, s.max())).sum())
    null = vt[rank:]
    if null.shape[0] == 0:
        return np.zeros(n_unknowns, bool)
    return np.linalg.norm(null, axis=0) > 1e-7


def attack_2d(pub: pd.DataFrame, rows: list[str], cols: list[str], value: str = "n") -> np.ndarray:
    """Long 2-D table with margins (row TOT, column TOT): equations rows/columns -> undetermined."""
    cell = {(r, c): v for r, c, v in pub[["r", "c", value]].itertuples(index=False)}
    unknown = [k for k, v in cell.items() if pd.isna(v)]
    pos = {k: i for i, k in enumerate(unknown)}
    eqs = []
    for r in [*rows, TOT]:  # sum over columns within a row
        eqs.append({pos[(r, c)]: 1.0 for c in cols if (r, c) in pos} | ({pos[(r, TOT)]: -1.0} if (r, TOT) in pos else {}))
    for c in [*cols, TOT]:  # sum over rows within a column
        eqs.append({pos[(r, c)]: 1.0 for r in rows if (r, c) in pos} | ({pos[(TOT, c)]: -1.0} if (TOT, c) in pos else {}))
    return undetermined(len(unknown), eqs)


def intervals_2d(pub: pd.DataFrame, rows: list[str], cols: list[str], value: str = "n") -> dict:
    """Long 2-D table with margins: the tightest [lo, hi] of each masked cell by linear programming
    over the row and column sums, every masked cell >= 1 (zeros are shown)."""
    cell = {(r, c): v for r, c, v in pub[["r", "c", value]].itertuples(index=False)}
    unknown = [k for k, v in cell.items() if pd.isna(v)]
    pos = {k: i for i, k in enumerate(unknown)}
    A, b = [], []
    for parts, total in [([(r, c) for c in cols], (r, TOT)) for r in [*rows, TOT]] + \
                        [([(r, c) for r in rows], (TOT, c)) for c in [*cols, TOT]]:
        row, rhs = np.zeros(len(unknown)), 0.0
        for k, sign in [(p, 1.0) for p in parts] + [(total, -1.0)]:
            if k in pos:
                row[pos[k]] += sign
            else:
                rhs -= sign * cell[k]
        if row.any():
            A.append(row)
            b.append(rhs)
    out = {}
    for k, i in pos.items():
        ends = []
        for sign in (1.0, -1.0):
            cost = np.zeros(len(unknown))
            cost[i] = sign
            res = linprog(cost, A_eq=np.array(A) if A else None, b_eq=b or None,
                          bounds=[(1, None)] * len(unknown), method="highs")
            assert res.status in (0, 3), res.message  # solved, or unbounded
            ends.append(sign * res.fun if res.status == 0 else np.inf)  # only the maximum can be unbounded
        out[k] = (ends[0], ends[1])
    return out


def long_2d(m: np.ndarray, value: str = "n") -> tuple[pd.DataFrame, list[str], list[str]]:
    rows = [f"r{i}" for i in range(m.shape[0])]
    cols = [f"c{j}" for j in range(m.shape[1])]
    full = np.zeros((m.shape[0] + 1, m.shape[1] + 1), dtype=int)
    full[:-1, :-1] = m
    full[-1, :-1] = m.sum(0)
    full[:-1, -1] = m.sum(1)
    full[-1, -1] = m.sum()
    recs = [(r, c, int(full[i, j])) for i, r in enumerate([*rows, TOT]) for j, c in enumerate([*cols, TOT])]
    return pd.DataFrame(recs, columns=["r", "c", value]), rows, cols


small_counts = st.one_of(st.integers(0, 4), st.integers(0, 40))
matrices = st.tuples(st.integers(2, 5), st.integers(2, 5)).flatmap(
    lambda shape: st.lists(small_counts, min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]).map(
        lambda xs: np.array(xs).reshape(shape)
    )
)


# ------------------------------------------------------------------------------------------
# primary suppression and derived masking


def test_primary_masks_small_counts_not_zero_and_marks_frame():
    df = pd.DataFrame({"kategori": list("abcd"), "n": [0, 1, 4, 9], "antal_mand": [0, 2, 9, 3]})
    out = protect_table(df, min_cell_size=5)
    assert out["n"].tolist()[0] == 0 and out["n"].isna().tolist() == [False, True, True, False]
    assert out["antal_mand"].isna().tolist() == [False, True, False, True]
    assert out.attrs["disclosure"]["masked_primary"] == 4
    assert out.attrs["disclosure"]["min_cell_size"] == 5
    assert out.attrs["disclosure"]["masked_cells"] == {"n": [1, 2], "antal_mand": [1, 3]}
    assert masked_cells(out)["antal_mand"].tolist() == [False, True, False, True]
    assert out.attrs["disclosure_checked"] is True and is_protected(out)
    assert df["n"].tolist() == [0, 1, 4, 9], "input must not be modified"


def test_a_masked_count_is_not_bounded_by_the_n_of_its_row():
    """antal = 3 masked next to n = 5 shown: the attacker knows 1 <= antal <= 5, an interval
    narrower than min_cell_size, so n goes too (n = 9 leaves [1, 9]: fine)."""
    df = pd.DataFrame({"kategori": ["a", "b"], "n": [5, 9], "antal": [3, 3]})
    out = protect_table(df, min_cell_size=5)
    assert out["antal"].isna().all()
    assert out["n"].isna().tolist() == [True, False]
    assert not attack_frames({"t": (df, out)}, 5)


def test_suppress_zeros_option():
    df = pd.DataFrame({"kategori": list("ab"), "n": [0, 7]})
    assert protect_table(df, min_cell_size=5, suppress_zeros=True)["n"].isna().tolist() == [True, False]
    assert protect_table(df, min_cell_size=5)["n"].isna().tolist() == [False, False]


def test_derived_follow_their_counts_by_default_and_basis_mapping():
    df = pd.DataFrame({
        "gruppe": list("abc"), "n": [3, 20, 30], "antal_mand": [10, 2, 15],
        "andel_mand": [0.5, 0.1, 0.5], "gns_alder": [40.0, 41.0, 42.0], "ci_lav": [1.0, 2.0, 3.0],
    })
    out = protect_table(df, min_cell_size=5)
    # andel_mand follows antal_mand and its base n by name; a mean follows n; a statistic the
    # rules do not name (ci_lav) follows every count of its row
    assert out["andel_mand"].isna().tolist() == [True, True, False]
    assert out["gns_alder"].isna().tolist() == [True, False, False]
    assert out["ci_lav"].isna().tolist() == [True, True, False]
    out2 = protect_table(df, min_cell_size=5, basis={"gns_alder": "antal_mand"})
    assert out2["gns_alder"].isna().tolist() == [False, True, False]
    with pytest.raises(ValueError):
        protect_table(df, min_cell_size=5, basis={"gns_alder": "nope"})


def test_basis_counts_mask_unpublished_bases_and_keys_untouched():
    df = pd.DataFrame({"kommunekode": [101, 147, 151], "aar": [2019] * 3, "gns_indkomst": [300.0, 310.0, 320.0]})
    out = protect_table(df, min_cell_size=5, basis_counts=pd.Series([3, 0, 12]))
    assert out["gns_indkomst"].isna().tolist() == [True, False, False]
    assert out["kommunekode"].tolist() == [101, 147, 151] and out["aar"].tolist() == [2019] * 3
    per_col = protect_table(df, min_cell_size=5, basis_counts={"gns_indkomst": [10, 4, 12]})
    assert per_col["gns_indkomst"].isna().tolist() == [False, True, False]


def test_index_is_kept_and_used_as_key():
    df = pd.DataFrame({"n": [2, 50, 60]}, index=pd.Index(["a", "b", TOT], name="gruppe"))
    out = protect_table(df, min_cell_size=5, sums=[[]])
    assert out.index.tolist() == ["a", "b", TOT] and out.index.name == "gruppe"
    assert out["n"].isna().tolist() == [True, True, False]


def test_mask_small_scalar_and_series():
    assert np.isnan(mask_small(0.4, 3, 5))
    assert mask_small(0.4, 5, 5) == 0.4
    assert mask_small(0.4, 0, 5) == 0.4
    s = mask_small(pd.Series([1.0, 2.0, 3.0]), pd.Series([1, 10, 0]), 5)
    assert s.isna().tolist() == [True, False, False]


def test_is_protected_void_after_change():
    out = protect_table(pd.DataFrame({"k": list("ab"), "n": [10, 20]}), min_cell_size=5)
    assert is_protected(out)
    changed = out.copy()
    changed.loc[0, "n"] = 3
    assert not is_protected(changed)
    assert not is_protected(out[out["k"] == "a"])
    assert not is_protected(pd.DataFrame({"n": [1]}))


def test_count_columns():
    df = pd.DataFrame(columns=["n", "antal", "antal_x", "n_y", "andel", "nn", "antaller", "kommune"])
    assert count_columns(df) == ["n", "antal", "antal_x", "n_y"]


# ------------------------------------------------------------------------------------------
# secondary suppression


def test_secondary_in_distribution_table():
    df = pd.DataFrame({
        "ordning": ["A"] * 3 + ["B"] * 3, "kategori": ["x", "y", "z"] * 2,
        "n": [3, 10, 20, 6, 8, 7], "andel": [3 / 33, 10 / 33, 20 / 33, 6 / 21, 8 / 21, 7 / 21],
    })
    out = protect_table(df, min_cell_size=5, sums=[["ordning"]])
    a = out[out["ordning"] == "A"]
    assert a["n"].isna().sum() == 2, "the primary cell plus one complement"
    assert a["andel"].isna().tolist() == a["n"].isna().tolist()
    assert out[out["ordning"] == "B"]["n"].notna().all()
    assert out.attrs["disclosure"]["masked_secondary"] == 1
    # complement is the smallest other cell
    assert a.loc[a["n"].isna(), "kategori"].tolist() == ["x", "y"]


def test_secondary_two_dimensional_minimal_rectangle():
    m = np.array([[3, 10], [7, 8], [9, 20]])
    df, rows, cols = long_2d(m)
    out = protect_table(df, min_cell_size=5, sums=[["r"], ["c"]])
    masked = set(map(tuple, out.loc[out["n"].isna(), ["r", "c"]].to_numpy()))
    assert masked == {("r0", "c0"), ("r0", "c1"), ("r1", "c0"), ("r1", "c1")}
    assert attack_2d(out, rows, cols).all()


def test_wide_table_with_margin_row_and_column():
    w = pd.DataFrame({
        "kommune": ["A", "B", "C", TOT], "antal_mand": [3, 10, 12, 25], "antal_kvinde": [9, 8, 14, 31],
        "antal_i_alt": [12, 18, 26, 56],
    })
    out = protect_table(w, min_cell_size=5, sums=[[], {"parts": ["antal_mand", "antal_kvinde"], "total": "antal_i_alt"}])
    grid = out[["antal_mand", "antal_kvinde", "antal_i_alt"]].to_numpy(float)
    unknown = list(zip(*np.where(np.isnan(grid))))
    pos = {k: i for i, k in enumerate(unknown)}
    eqs = []
    for i in range(4):  # per row: mand + kvinde - i_alt = 0
        eqs.append({pos[(i, j)]: (1.0 if j < 2 else -1.0) for j in range(3) if (i, j) in pos})
    for j in range(3):  # per column: rows A..C - I alt = 0
        eqs.append({pos[(i, j)]: (1.0 if i < 3 else -1.0) for i in range(4) if (i, j) in pos})
    assert len(unknown) >= 4
    assert undetermined(len(unknown), eqs).all()


def test_kommune_sized_table_is_protected():
    rng = np.random.default_rng(1)
    m = rng.integers(5, 200, (98, 8))
    idx = rng.choice(m.size, 40, replace=False)
    m.flat[idx] = rng.integers(1, 5, 40)
    df, rows, cols = long_2d(m)
    out = protect_table(df, min_cell_size=5, sums=[["r"], ["c"]])
    assert out.attrs["disclosure"]["masked_primary"] == 40
    assert 0 < out.attrs["disclosure"]["masked_secondary"] <= 80
    assert attack_2d(out, rows, cols).all()


def test_unprotectable_cell_warns():
    df = pd.DataFrame({"ordning": ["A", "B", "B"], "kategori": ["x", "x", "y"], "n": [3, 10, 12]})
    with pytest.warns(UserWarning):
        out = protect_table(df, min_cell_size=5, sums=[["ordning"]])
    assert out.attrs["disclosure"]["unresolved"] == 1


def test_bad_sums_rejected():
    df = pd.DataFrame({"ordning": ["A"], "n": [3]})
    with pytest.raises(ValueError):
        protect_table(df, min_cell_size=5, sums=[["ordning"]])  # nothing to sum over
    with pytest.raises(ValueError):
        protect_table(df, min_cell_size=5, sums=[["nope"]])


# ------------------------------------------------------------------------------------------
# property tests


@SETTINGS
@given(
    counts=st.lists(st.integers(0, 30), min_size=1, max_size=40),
    min_cell=st.integers(1, 10),
)
def test_property_no_small_count_survives(counts, min_cell):
    df = pd.DataFrame({"gruppe": [f"g{i}" for i in range(len(counts))], "n": counts, "antal_x": counts[::-1]})
    out = protect_table(df, min_cell_size=min_cell)
    for col in ("n", "antal_x"):
        pub = out[col].dropna()
        assert not ((pub > 0) & (pub < min_cell)).any()
        # published counts are unchanged
        assert (pub == df.loc[pub.index, col]).all()
    assert is_protected(out)


@SETTINGS
@given(
    rows=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.floats(0, 1), st.integers(0, 30)), min_size=1, max_size=30),
    min_cell=st.integers(2, 10),
)
def test_property_no_derived_value_with_masked_basis_survives(rows, min_cell):
    df = pd.DataFrame(rows, columns=["n", "antal_mand", "andel_mand", "base"])
    df.insert(0, "gruppe", [f"g{i}" for i in range(len(df))])
    df["gns"] = df["andel_mand"] * 100
    df["middel"] = df["andel_mand"] * 7
    base = df.pop("base")
    out = protect_table(df, min_cell_size=min_cell, basis_counts={"middel": base})
    assert not (out["n"].isna() & out["gns"].notna()).any()
    assert not (out["antal_mand"].isna() & out["andel_mand"].notna()).any()
    small_base = (base > 0) & (base < min_cell)
    assert not (small_base & out["middel"].notna()).any()
    assert not (out["n"].isna() & out["middel"].notna()).any()


@SETTINGS
@given(m=matrices, min_cell=st.integers(3, 8))
def test_property_2d_masked_cells_not_recoverable(m, min_cell):
    # counts named "antal": equal values of a base count "n" in one row would be read as one
    # number repeated (tied), which no longer describes a random cross-table
    df, rows, cols = long_2d(m, "antal")
    out = protect_table(df, min_cell_size=min_cell, sums=[["r"], ["c"]])
    pub = out["antal"]
    assert not ((pub > 0) & (pub < min_cell)).any()
    free = attack_2d(out, rows, cols, "antal")
    assert free.all(), f"{(~free).sum()} masked cells are recoverable:\n{out.pivot(index='r', columns='c', values='antal')}"
    # and none is bounded narrower than min_cell_size values by the table's own sums (its rows and
    # columns, masked counts >= 1). "unresolved" may still be > 0: the module's attacker also links
    # totals that merely share a value (a row and a column total of 8 may be one population to it)
    for cell, (lo, hi) in intervals_2d(out, rows, cols, "antal").items():
        assert hi - lo >= min_cell - 1, (cell, lo, hi, out.pivot(index="r", columns="c", values="antal"))


@SETTINGS
@given(
    groups=st.lists(st.lists(small_counts, min_size=2, max_size=6), min_size=1, max_size=5),
    min_cell=st.integers(3, 8),
)
def test_property_distribution_table_with_known_group_totals(groups, min_cell):
    # the counts are "antal": an "n" repeated in a block would be read as one base number (tied)
    recs = []
    for g, cells in enumerate(groups):
        tot = sum(cells) or 1
        recs += [(f"o{g}", f"k{k}", v, v / tot) for k, v in enumerate(cells)]
    df = pd.DataFrame(recs, columns=["ordning", "kategori", "antal", "andel"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = protect_table(df, min_cell_size=min_cell, sums=[["ordning"]])
    assert out["andel"].isna().tolist() == out["antal"].isna().tolist()
    # attacker: within each ordning the cells sum to a known total (published n elsewhere / 100 %),
    # a masked count is >= 1; no masked count may be bounded narrower than min_cell_size ...
    att = RunAttacker(min_cell)
    att.add_table("t", out, masked_cells(out), df)
    for o in df["ordning"].unique():
        att.know_sum("t", list(np.flatnonzero((df["ordning"] == o).to_numpy())), "antal")
    leaks = att.attack()
    # ... unless nothing in the table can protect it (e.g. two masked cells with a known total of 2
    # are both 1): then its interval is as wide as with every positive cell of its group masked,
    # [1, S - m + 1] for m >= 2 positive cells summing to S, and the table says so (unresolved)
    for leak in leaks:
        g = df.loc[df["ordning"] == df.loc[leak.row, "ordning"], "antal"]
        m = int((g > 0).sum())
        best = g.sum() - m if m >= 2 else 0
        assert leak.hi - leak.lo >= best - 1e-6 and best < min_cell, (leak, out)
    assert out.attrs["disclosure"]["unresolved"] > 0 or not leaks


# ------------------------------------------------------------------------------------------
# person identifiers


@pytest.mark.parametrize("name", ["pnr", "PNR", "cpr", "CPRNR", "personnummer", "person_id", "pid", "PNR_x", "mor_pnr", "cpr-nr"])
def test_identifier_column_names_refused(name):
    df = pd.DataFrame({name: [1, 2], "n": [10, 20]})
    with pytest.raises(DisclosureError):
        assert_no_person_identifiers(df)
    with pytest.raises(DisclosureError):
        protect_table(df, min_cell_size=5)


@pytest.mark.parametrize("value", ["0101901234", "010190-1234", "P00012345", "P123456789", "borger P00012345"])
def test_identifier_values_refused_in_columns_and_index(value):
    df = pd.DataFrame({"label": ["a", value], "n": [10, 20]})
    with pytest.raises(DisclosureError):
        assert_no_person_identifiers(df)
    idx = pd.DataFrame({"n": [10, 20]}, index=pd.Index(["a", value], name="gruppe"))
    with pytest.raises(DisclosureError):
        assert_no_person_identifiers(idx)
    with pytest.raises(DisclosureError):
        protect_table(idx, min_cell_size=5)


@pytest.mark.parametrize("name", ["rapid", "kommune", "periode", "kommunenavn", "pidestal_x"])
def test_harmless_names_and_values_pass(name):
    df = pd.DataFrame({name: ["101", "P1234", "2019-01-01", "12345678"], "n": [10, 20, 30, 40]})
    assert_no_person_identifiers(df)  # does not raise
    assert is_protected(protect_table(df, min_cell_size=5))


def test_small_complement_of_a_selection_is_protected():
    """'Valgte kommuner' next to 'Hele landet': total - part is the unpublished rest; when it is a
    small cell the part is masked so the rest cannot be found by subtraction."""
    df = pd.DataFrame({
        "niveau": ["Valgte kommuner", "Valgte kommuner", "Hele landet", "Hele landet"],
        "kategori": ["mand", "kvinde", "mand", "kvinde"],
        "antal": [98, 50, 100, 90],
        "andel": [98 / 148, 50 / 148, 100 / 190, 90 / 190],
    })
    out = protect_table(df, min_cell_size=5, complement=[("niveau", "Valgte kommuner", "Hele landet")])
    assert np.isnan(out.loc[0, "antal"]) and np.isnan(out.loc[0, "andel"])  # rest = 2 men
    assert out.loc[1, "antal"] == 50 and out.loc[2, "antal"] == 100  # rest = 40 women: fine
    plain = protect_table(df, min_cell_size=5)
    assert plain.loc[0, "antal"] == 98  # without the guard the rest (2) would be derivable


def test_attacker_reads_a_column_named_after_an_ordning_as_that_ordnings_count():
    """The test attacker links a block to a cell of the same population only. A trend table's
    ``antal_is`` counts isbryder grants: its sum over the years (19+24+21+23+25 = 112) equal to a
    masked PA count is a coincidence, not a relation (the default run had exactly this), while the
    same sum of ``antal_pa`` is the PA total and does fix the masked cell."""
    trend = pd.DataFrame({"niveau": ["Hele landet"] * 5, "aar": [2017, 2018, 2019, 2020, 2021],
                          "antal_pa": [19, 24, 21, 23, 25], "antal_is": [19, 24, 21, 23, 25]})
    sub = pd.DataFrame({"niveau": ["Hele landet"] * 2, "ordning": ["Personlig assistance"] * 2,
                        "gruppe": ["a", "b"], "antal": [112, 40]})
    masked = pd.DataFrame(False, index=sub.index, columns=sub.columns)
    masked.loc[0, "antal"] = True
    shown = sub.astype({"antal": float})
    shown.loc[0, "antal"] = np.nan

    def leaks(trend_cols):
        t = trend[["niveau", "aar", *trend_cols]]
        att = RunAttacker(5)
        att.add_table("trend", t, pd.DataFrame(False, index=t.index, columns=t.columns), t)
        att.add_table("sub", shown, masked, sub)
        return [(lk.table, lk.row, lk.col) for lk in att.attack()]

    assert leaks(["antal_is"]) == []
    assert leaks(["antal_pa"]) == [("sub", 0, "antal")]


def _ledger_with_weak_cell(b_masked: bool):
    """An earlier table published a + b = t with a = 3 masked and could not protect it (it is in
    ``weak``): with b = 10 shown, a is determined; with b = 2 masked too, a is in [1, 4]."""
    from hko_research.publishing.disclosure import DisclosureLedger

    L = DisclosureLedger()
    b_value = 2.0 if b_masked else 10.0
    a, b, t = L.add_var(3.0), L.add_var(b_value), L.add_var(3.0 + b_value)
    L.add_con({a: 1.0, b: 1.0, t: -1.0})
    L.mask(a)
    if b_masked:
        L.mask(b)
    L.commit("tabel_1_foer", [a, b, t], [])
    L.weak.add(a)
    return L, a


def test_a_later_table_masks_nothing_for_a_weak_cell_it_cannot_widen():
    from hko_research.publishing.disclosure import _suppress

    L, a = _ledger_with_weak_cell(b_masked=False)
    g, h = L.add_var(7.0), L.add_var(10.0)  # the later table: a + g = h, nothing small in it
    L.add_con({a: 1.0, g: 1.0, h: -1.0})
    unresolved: set[int] = set()
    _suppress(L, [g, h], 5, unresolved)
    # a is determined by the earlier table alone: masking g or h would hide data for nothing
    # (before, two such cells were masked before the table asked whether it could help at all)
    assert not L.masked[g] and not L.masked[h]
    assert unresolved == {a}


def test_a_later_table_still_widens_a_weak_cell_as_far_as_it_can():
    from hko_research.publishing.disclosure import _suppress

    L, a = _ledger_with_weak_cell(b_masked=True)
    assert L.interval(a) == (1.0, 4.0)
    g, h = L.add_var(7.0), L.add_var(10.0)  # shown, a + g = h would fix a = 3
    L.add_con({a: 1.0, g: 1.0, h: -1.0})
    unresolved: set[int] = set()
    _suppress(L, [g, h], 5, unresolved)
    assert L.masked[g] or L.masked[h]
    lo, hi = L.interval(a)
    assert hi - lo >= 3.0 - 1e-6  # back to the earlier table's [1, 4], the most this table can give
    assert a in unresolved
