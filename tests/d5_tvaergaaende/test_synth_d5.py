"""The exact allocations of delanalyse 5's generator (synth/__init__.py) on small hand-made strata:
totals hold exactly, with rows fixed earlier counted first, and the casekommuner's strategy x
organisation table is rounded so that both its row and column totals hold."""
from __future__ import annotations

import numpy as np
import pytest

from hko_research.analyses.d5_tvaergaaende import synth as S


def test_controlled_rounding_keeps_both_margins_and_stays_within_a_unit():
    rng = np.random.default_rng(3)
    for _ in range(25):
        n = rng.integers(5, 400, (3, 3)).astype(float)  # the generator's cells: persons per strategy x type
        truth = n * rng.uniform(0.1, 0.9, (3, 3))        # margins that some table of rates meets
        rows = np.round(truth.sum(1)).astype(int)
        cols = np.round(truth.sum(0)).astype(int)
        cols[int(np.argmax(cols))] += rows.sum() - cols.sum()
        x = S.logit_table(n, rows.astype(float), cols.astype(float)) * n  # the generator's real-valued table
        t = S.controlled_round(x, rows, cols, n.astype(int))
        assert (t.sum(1) == rows).all() and (t.sum(0) == cols).all()
        assert (t >= 0).all() and (t <= n).all() and (np.abs(t - x) < 1 + 1e-9).all()


def test_logit_table_meets_both_margins_inside_zero_one():
    n = np.array([[40.0, 10, 5], [30, 20, 0], [8, 2, 12]])
    rows, cols = np.array([30.0, 25, 10]), np.array([50.0, 10, 5])
    p = S.logit_table(n, rows, cols)
    assert ((p > 0) & (p < 1)).all()
    assert np.allclose((n * p).sum(1), rows, atol=1e-6) and np.allclose((n * p).sum(0), cols, atol=1e-6)


def test_column_targets_solve_the_remaining_type_or_the_level():
    n_col = np.array([130, 40, 30])
    c = S.column_targets(n_col, 150, {"rates": {"spredt_specialisering": 0.9, "generel_specialisering": 0.5},
                                      "solve": "specialiseret_team"})
    assert c.tolist() == [150 - 36 - 15, 36, 15]
    d = S.column_targets(n_col, 40, {"reference": "spredt_specialisering",
                                     "diffs": {"specialiseret_team": -0.06, "generel_specialisering": -0.07}})
    assert d.sum() == 40
    share = d / n_col
    assert share[1] - share[0] == pytest.approx(0.06, abs=0.01) and share[1] - share[2] == pytest.approx(0.07, abs=0.04)


def test_allocate_hits_strategy_organisation_and_band_totals_with_fixed_rows():
    rng = np.random.default_rng(0)
    m = 3000
    s = np.where(rng.random(m) < 0.4, rng.integers(0, 3, m), -1)      # 40 pct. casekommuner
    o = np.where(s >= 0, rng.integers(0, 3, m), -1)
    band = rng.integers(0, 3, m)
    pop = rng.random(m) < 0.9
    fixed = rng.random(m) < 0.05
    fixed_val = rng.random(m) < 0.5
    strat = {"proaktiv": 0.3, "reaktiv": 0.2, "diffus": 0.1}
    org = {"reference": "spredt_specialisering", "diffs": {"specialiseret_team": -0.05, "generel_specialisering": -0.1}}
    bands = {"lille": 0.25, "mellem": 0.2, "stor": 0.15}
    flag = S.allocate(pop, pop.copy(), fixed, fixed_val, s, o, band, rng.normal(size=m), rng, strat=strat, org=org,
                      bands=bands)
    assert flag[fixed & fixed_val & pop].all() and not flag[fixed & ~fixed_val].any()  # decided rows keep their value
    assert not flag[~pop].any()
    for i, name in enumerate(("proaktiv", "reaktiv", "diffus")):
        cell = pop & (s == i)
        assert flag[cell].sum() == round(strat[name] * cell.sum()) or abs(flag[cell].mean() - strat[name]) < 0.02
    for b, name in enumerate(("lille", "mellem", "stor")):
        in_band = pop & (band == b)
        assert flag[in_band].sum() == round(bands[name] * in_band.sum())
    total = S.allocate(pop, pop & ~fixed, fixed, fixed_val, s, o, band, np.zeros(m), rng, total=500)
    assert total[pop].sum() == 500
