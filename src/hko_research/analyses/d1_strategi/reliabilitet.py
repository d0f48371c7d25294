"""Coder reliability of the casekommune coding: where a second coder coded the same kommune,
agreement and Cohen's kappa per code family (``inputs.coding.reliability_by_family``)."""
from __future__ import annotations

import pandas as pd

from ...inputs import coding
from ...typologi import uoverensstemmelser
from .load import D1


def reliabilitet(B: D1) -> pd.DataFrame:
    """Per level: the double-coded cases' agreement and kappa per code family."""
    return coding.reliability_per_level(B, "kommuner")


def typologi_kontrol(B: D1) -> pd.DataFrame:
    """Kommuner where the coding and delanalyse 3's ``kommunetypologi`` disagree (empty: they agree)."""
    kodet = B.wide[["kommunekode", "strategi", "organisering", "antal_noeglepersoner"]]
    typ = B.kommunetypologi.loc[B.kommunetypologi["kommunekode"].isin(B.wide["kommunekode"])]
    return uoverensstemmelser(kodet, typ)
