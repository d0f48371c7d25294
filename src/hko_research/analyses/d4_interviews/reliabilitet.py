"""Coder reliability of the interview coding: where a second coder coded the same interview,
agreement and Cohen's kappa per code family (``inputs.coding.reliability_by_family``). The number
of double-coded interviews is a count of persons (``n``): below ``min_cell_size`` the row is
suppressed."""
from __future__ import annotations

import pandas as pd

from ...inputs import coding
from .load import D4


def reliabilitet(B: D4) -> pd.DataFrame:
    """Per level: the double-coded cases' agreement and kappa per code family."""
    return coding.reliability_per_level(B, "n")
