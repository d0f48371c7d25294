"""Coder reliability of the interview coding: where a second coder coded the same interview,
agreement and Cohen's kappa per code family (``inputs.coding.reliability_by_family``). The number
of double-coded interviews is a count of persons (``n``): below ``min_cell_size`` the row is
suppressed."""
from __future__ import annotations

import pandas as pd

from ...inputs import coding
from .load import D4


def reliabilitet(B: D4) -> pd.DataFrame:
    rows = []
    for niveau, w in B.levels():
        sager = B.sager.loc[B.sager["sag"].isin(w["sag"])]
        kod = B.kodning.loc[B.kodning["sag"].isin(sager["sag"])]
        t = coding.reliability_by_family(kod, B.kodebog, sager)
        if t.empty:
            continue
        t = t.rename(columns={"sager": "n"})
        t.insert(0, "niveau", niveau)
        rows.append(t)
    cols = ["niveau", "familie", "kodefamilie", "n", "vurderinger", "enighed", "kappa"]
    return pd.concat(rows, ignore_index=True)[cols] if rows else pd.DataFrame(columns=cols)
