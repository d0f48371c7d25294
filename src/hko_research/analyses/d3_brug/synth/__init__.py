"""Synthetic inputs for delanalyse 3 (report chapter 5), generated in dependency order.

1. kommuner:      kommune design — VIVE rank, casekommune typology, and the grant plan (grants per
                  kommune, ordning and year) that carries the report's kommune-level relationships.
2. registre:      person-level registers drawn to fill the plan (DFDG grants, mentor, DREAM, BEF,
                  IND, UDDA, løntimer, HANDIC, LPR).
3. aggregater:    municipal aggregates derived from the plan and the registers (REGK accounts,
                  jobindsats fuldtidspersoner, the national key-person survey).
4. sager:         the case review in the 20 casekommuner and the key persons' resource estimates.

Each step sees the frames of the earlier steps in ``ctx.outputs`` and the plan in ``ctx.plan``.
"""
from __future__ import annotations

import pandas as pd


def generate(ctx) -> dict[str, pd.DataFrame]:
    from . import aggregater, kommuner, registre, sager

    if not hasattr(ctx, "plan"):
        ctx.plan = {}
    produced: dict[str, pd.DataFrame] = {}
    for step in (kommuner, registre, aggregater, sager):
        frames = step.generate(ctx)
        ctx.outputs.update(frames)
        produced.update(frames)
    return produced
