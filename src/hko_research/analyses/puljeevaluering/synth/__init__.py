"""Synthetic input for the puljeevaluering: the participant list ``puljedeltagere``.

The evaluation names neither the 12 kommuner nor their start dates, so the default list is a
uniform random draw of ``antal_kommuner`` kommuner (reproducible per seed) with the calibrated start
date, every row labelled ``kilde = syntetisk``. Participation is drawn independently of the
registers, and the synthetic registers of delanalyse 3 carry no effect of participation: on the
default data the difference-in-differences should find none (the tests plant effects in hand-made
panels instead). Parameters: ``calibration.yaml``, each with its line in seed 004.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

CALIBRATION_FILE = Path(__file__).with_name("calibration.yaml")


def load_calibration() -> dict:
    return yaml.safe_load(CALIBRATION_FILE.read_text(encoding="utf-8"))


def deltagere(ctx, cal: dict | None = None) -> pd.DataFrame:
    """The synthetic participant list: one row per drawn kommune."""
    cal = load_calibration() if cal is None else cal
    codes = sorted(int(k) for k in ctx.kommuner["kommunekode"])
    n = int(cal["antal_kommuner"])
    if not 0 < n <= len(codes):
        raise ValueError(f"antal_kommuner must be between 1 and {len(codes)}, not {n}")
    drawn = sorted(int(k) for k in ctx.rng("puljedeltagere").choice(codes, size=n, replace=False))
    start = pd.Timestamp(str(cal["startdato"]))
    slut = pd.Timestamp(str(cal["slutdato"])) if cal.get("slutdato") else pd.NaT
    return pd.DataFrame({
        "projekt": str(cal["projekt"]),
        "kommunekode": drawn,
        "startdato": pd.Series([start] * n, dtype="datetime64[ns]"),
        "slutdato": pd.Series([slut] * n, dtype="datetime64[ns]"),
        "kilde": str(cal["kilde"]),
    })


def generate(ctx) -> dict[str, pd.DataFrame]:
    return {"puljedeltagere": deltagere(ctx)}
