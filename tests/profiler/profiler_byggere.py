"""Hand-made per-kommune frames for tests/profiler (the ``ramme`` of hand-made indicators)."""
from __future__ import annotations

import pandas as pd

from hko_research.kommuner import kommune_tabel

LAESOE, KBH, FRB = 825, 101, 147
ZERO_GRANTS = 751  # Aarhus: expenditure without grants (the enhedspris trap)


def tal(G, year) -> pd.DataFrame:
    k = kommune_tabel().set_index("kommunekode")
    df = pd.DataFrame(index=k.index)
    df["antal_x"] = 40
    df.loc[LAESOE, "antal_x"] = 3                 # below min_cell_size
    df.loc[ZERO_GRANTS, "antal_x"] = 0
    df["befolkning"] = 10_000.0
    df.loc[KBH, "befolkning"] = 600_000.0         # a big kommune: a region's rate is no mean of rates
    df["udgift_x"] = df["antal_x"] * 1000.0
    df.loc[ZERO_GRANTS, "udgift_x"] = 50_000.0
    df["antal_y"] = 20
    df["n_y"] = 50
    df.loc[FRB, ["antal_y", "n_y"]] = [60, 50]      # more than the base: no Wilson interval
    return df
