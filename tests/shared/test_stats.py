"""stats: the shared definitions on small hand-computed frames, including the edge cases."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from hko_research import stats as m


def test_share_zero_and_missing_denominator_is_nan():
    assert m.share(1, 4) == 0.25
    assert math.isnan(m.share(3, 0))
    assert math.isnan(m.share(3, None))
    s = m.share(pd.Series({101: 2, 147: 1}), pd.Series({101: 4, 147: 0, 825: 10}))
    assert s[101] == 0.5 and math.isnan(s[147]) and math.isnan(s[825])


def test_proportion_ci_wilson_known_value_and_empty():
    lo, hi = m.proportion_ci(5, 10)
    # Wilson 95 % for 5/10: 0.2366 - 0.7634
    assert lo == pytest.approx(0.23659, abs=1e-4) and hi == pytest.approx(0.76341, abs=1e-4)
    lo, hi = m.proportion_ci([0, 0], [0, 4])
    assert math.isnan(lo[0]) and math.isnan(hi[0])
    assert lo[1] == 0.0 and 0 < hi[1] < 1


def test_share_with_ci_excludes_missing():
    out = m.share_with_ci(pd.Series([True, False, None, True], dtype="boolean"))
    assert out["antal"] == 2 and out["n"] == 3 and out["andel"] == pytest.approx(2 / 3)
    assert out["ci_nedre"] < out["andel"] < out["ci_oevre"]
