"""Integer allocation for the generators: one largest-remainder rule, used everywhere.

Exact totals are what make record-level synthetic data land on the report's published counts
(a grant total, a share of a known N); every generator integerises through here, so ties are
broken the same way everywhere (stable order: the earlier category wins).
"""
from __future__ import annotations

import numpy as np


def largest_remainder(weights, total: int | None = None, minimum: int = 0) -> np.ndarray:
    """Non-negative integers proportional to ``weights`` that sum exactly to ``total``
    (default: the rounded sum of the weights), each at least ``minimum``.

    Negative weights count as 0; all-zero weights are spread evenly. The remaining units after
    flooring go to the largest fractional parts.
    """
    w = np.clip(np.asarray(weights, dtype=float), 0, None)
    n = len(w)
    if total is None:
        total = int(round(w.sum()))
    if n == 0 or total <= 0 and minimum == 0:
        return np.zeros(n, dtype=np.int64)
    if total < minimum * n:
        raise ValueError(f"total {total} is below the minimum allocation {minimum} x {n}")
    if w.sum() <= 0:
        w = np.ones(n)
    free = total - minimum * n
    raw = w / w.sum() * free
    out = np.floor(raw).astype(np.int64)
    rest = free - int(out.sum())
    if rest > 0:
        order = np.argsort(-(raw - out), kind="stable")
        out[order[:rest]] += 1
    return out + minimum


def exact_allocation(shares: dict, n: int) -> dict:
    """``n`` records over the categories of ``shares`` by largest remainder of share x n."""
    keys = list(shares)
    counts = largest_remainder([shares[k] for k in keys], n)
    return dict(zip(keys, (int(c) for c in counts)))
