"""Population per kommune and quarter: real FOLK1A where it exists, extrapolated elsewhere."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..kommuner import befolkning_folk1a

REAL_SOURCE = "FOLK1A"
EXTRAPOLATED = "syntetisk_ekstrapolation"


def _quarter_index(kvartal: str) -> int:
    year, q = kvartal.split("K")
    return int(year) * 4 + int(q) - 1


def _quarter_label(index: int) -> str:
    return f"{index // 4}K{index % 4 + 1}"


def generate_befolkning(ctx) -> dict[str, pd.DataFrame]:
    """FOLK1A 2018K1-2020K3 as published; other quarters of ``ctx.years`` by a per-kommune linear
    trend fitted to the real quarters (marked ``kilde = syntetisk_ekstrapolation``)."""
    real = befolkning_folk1a().copy()
    real["q"] = real["kvartal"].map(_quarter_index)
    wanted = [y * 4 + q for y in ctx.years for q in range(4)]
    have = set(real["q"])
    rows = []
    for kode, grp in real.groupby("kommunekode", sort=True):
        slope, intercept = np.polyfit(grp["q"].to_numpy(float), grp["befolkning"].to_numpy(float), 1)
        for q in wanted:
            if q in have:
                continue
            rows.append((int(kode), _quarter_label(q), int(round(intercept + slope * q)), EXTRAPOLATED))
    extra = pd.DataFrame(rows, columns=["kommunekode", "kvartal", "befolkning", "kilde"])
    real = real.assign(kilde=REAL_SOURCE)[["kommunekode", "kvartal", "befolkning", "kilde", "q"]]
    out = pd.concat([real.drop(columns="q"), extra], ignore_index=True)
    out["q"] = out["kvartal"].map(_quarter_index)
    keep_years = set(ctx.years) | {2018, 2019, 2020}
    out = out[out["q"] // 4 >= min(keep_years)]
    out = out.sort_values(["kommunekode", "q"]).drop(columns="q").reset_index(drop=True)
    out["befolkning"] = out["befolkning"].astype("int64")
    return {"befolkning": out}
