"""Coder reliability of the casekommune coding: where a second coder coded the same kommune,
agreement and Cohen's kappa per code family (``inputs.coding.reliability_by_family``)."""
from __future__ import annotations

import pandas as pd

from ...inputs import coding
from ...typologi import uoverensstemmelser
from .load import D1


def reliabilitet(B: D1) -> pd.DataFrame:
    """Per level: the double-coded kommuner's agreement and kappa per code family."""
    rows = []
    for niveau, f in B.levels():
        sager = B.sager.loc[B.sager["kommunekode"].astype(int).isin(f["kommunekode"])]
        kod = B.kodning.loc[B.kodning["sag"].isin(sager["sag"])]
        t = coding.reliability_by_family(kod, B.kodebog, sager)
        if t.empty:
            continue
        t = t.rename(columns={"sager": "kommuner"})
        t.insert(0, "niveau", niveau)
        rows.append(t)
    cols = ["niveau", "familie", "kodefamilie", "kommuner", "vurderinger", "enighed", "kappa"]
    return pd.concat(rows, ignore_index=True)[cols] if rows else pd.DataFrame(columns=cols)


def typologi_kontrol(B: D1) -> pd.DataFrame:
    """Kommuner where the coding and delanalyse 3's ``kommunetypologi`` disagree (empty: they agree)."""
    kodet = B.wide[["kommunekode", "strategi", "organisering", "antal_noeglepersoner"]]
    typ = B.kommunetypologi.loc[B.kommunetypologi["kommunekode"].isin(B.wide["kommunekode"])]
    return uoverensstemmelser(kodet, typ)
