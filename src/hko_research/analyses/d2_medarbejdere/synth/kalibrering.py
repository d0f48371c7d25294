"""Whole-respondent calibration of survey answers: counts per cell and answer category that hit
the report's published figures at their printed precision.

A *block* is one question with ``J`` sub-items (Q7a-d ...) answered by the respondents of ``C``
cells (a kommune, or a kommune crossed with the respondent attributes a figure breaks down by),
with ``K`` answer categories. Its state is the integer array ``x[j, c, k]``: how many respondents
of cell ``c`` gave answer ``k`` to sub-item ``j``. Every figure the pipeline computes from it is a
linear statistic ``A · x`` (a weighted share, a mean of scores, a kommune's mean across sub-items),
because each cell's number of respondents and its 'ved ikke' answers are fixed before the search.

:func:`calibrate` starts from counts drawn from the block's designed distribution (largest
remainder per cell) and moves one, two or four respondents at a time from one answer to another
within a cell, always the move that most reduces the sum of squared scaled errors of the targets,
until every target is within its tolerance. The targets are functions of the statistics: a value,
the maximum or minimum over kommuner, a relative difference (max/min - 1), an ordering. Nothing
here reads the report: the values come from the calibration files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from ....synth.allocation import largest_remainder


@dataclass
class Target:
    """``fn(stats)`` -> one value per candidate (stats is S x M); wanted ``value`` within ``tol``.
    ``kind`` "eq" (|f - value| <= tol) or "ge" (f >= value)."""

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    value: float
    tol: float
    kind: str = "eq"

    def error(self, stats: np.ndarray) -> np.ndarray:
        f = self.fn(stats)
        if self.kind == "ge":
            return np.maximum(self.value - f, 0.0) / self.tol
        return (f - self.value) / self.tol


@dataclass
class Block:
    """Counts x[j, c, k] of one question; ``fixed`` categories (ved ikke) are never moved."""

    n: np.ndarray                      # (C,) respondents per cell
    counts: np.ndarray                 # (J, C, K) int
    fixed: np.ndarray                  # (K,) bool
    rows: list[np.ndarray] = field(default_factory=list)  # linear statistics, each (J, C, K)
    names: list[str] = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.counts.shape

    def stat(self, coef: np.ndarray, name: str = "") -> int:
        """Register the linear statistic sum(coef * x); returns its index."""
        self.rows.append(np.asarray(coef, dtype=float).reshape(self.shape))
        self.names.append(name)
        return len(self.rows) - 1

    def share(self, j: int, cats: Sequence[int], cells: np.ndarray, w: np.ndarray, name: str = "") -> int:
        """Weighted share of answers ``cats`` to sub-item ``j`` among all answers in ``cells``
        (bool mask; 'ved ikke' stays in the denominator, as in the report); ``w`` per respondent."""
        coef = np.zeros(self.shape)
        denom = float((w * self.n * cells).sum())
        if denom > 0:
            for k in cats:
                coef[j, cells, k] = w[cells] / denom
        return self.stat(coef, name)

    def mean(self, js: Sequence[int], scores: np.ndarray, cells: np.ndarray, w: np.ndarray, name: str = "") -> int:
        """Mean over sub-items ``js`` of each sub-item's weighted mean score in ``cells``, without
        the fixed answers (means leave 'ved ikke' out)."""
        coef = np.zeros(self.shape)
        free = ~self.fixed
        for j in js:
            valid = self.n - self.counts[j][:, self.fixed].sum(axis=1)
            denom = float((w * valid * cells).sum())
            if denom <= 0:
                continue
            coef[j][np.ix_(cells, free)] = (w[cells, None] * np.asarray(scores, float)[None, free]) / denom / len(js)
        return self.stat(coef, name)

    def values(self) -> np.ndarray:
        A = np.stack([r.ravel() for r in self.rows])
        return A @ self.counts.ravel().astype(float)


def initial_counts(probs: np.ndarray, n: np.ndarray, fixed: np.ndarray, fixed_counts: np.ndarray) -> np.ndarray:
    """Largest-remainder counts per (sub-item, cell) from ``probs[j, c, k]``: the ``fixed``
    categories (ved ikke) get ``fixed_counts``; the others share the rest of the cell."""
    J, C, K = probs.shape
    out = np.zeros((J, C, K), dtype=np.int64)
    free = ~np.asarray(fixed, bool)
    for j in range(J):
        for c in range(C):
            fc = np.where(free, 0, fixed_counts[j, c]).astype(np.int64)
            rest = int(n[c]) - int(fc.sum())
            if rest < 0:
                raise ValueError("fixed answers exceed the cell")
            out[j, c] = fc
            out[j, c, free] += largest_remainder(np.asarray(probs[j, c])[free], rest)
    return out


def _moves(block: Block, jumps: Sequence[int]) -> tuple[np.ndarray, ...]:
    """Every (sub-item, cell, from, to) move between non-fixed answers at most ``max(jumps)`` apart
    (all pairs when there are at most six answers)."""
    J, C, K = block.shape
    free = [k for k in range(K) if not block.fixed[k]]
    pairs = np.asarray([(a, b) for a in free for b in free if a != b and (abs(a - b) in jumps or K <= 6)])
    jj, cc, pp = (g.ravel() for g in np.meshgrid(np.arange(J), np.arange(C), np.arange(len(pairs)), indexing="ij"))
    return jj, cc, pairs[pp, 0], pairs[pp, 1]


def calibrate(block: Block, targets: Sequence[Target], *, max_iter: int = 3000, steps: Sequence[int] = (1, 2, 4, 8),
              jumps: Sequence[int] = (1, 2, 3), swaps: int = 3000, seed: int = 0, restarts: int = 8,
              kick: int = 6) -> dict:
    """Move respondents between answers (within cells) until every target holds; returns a report
    {"iterations", "ok", "errors": {name: scaled error}} and updates ``block.counts`` in place.

    Each step takes the best of all single moves (one, two, four or eight respondents from one
    answer to another in one cell) and of ``swaps`` random pairs of opposite moves in two cells of
    the same sub-item (which keep the sub-item's totals and so can shift a distribution between
    kommuner without disturbing the national figures)."""
    J, C, K = block.shape
    rng = np.random.default_rng(seed)
    A = np.stack([r.ravel() for r in block.rows])  # S x (J*C*K)
    j, c, a, b = _moves(block, jumps)
    flat = lambda jj, cc, kk: (jj * C + cc) * K + kk  # noqa: E731
    src, dst = flat(j, c, a), flat(j, c, b)
    D = A[:, dst] - A[:, src]  # S x M: change of every statistic when one respondent moves a -> b
    # the reverse move type (same sub-item, b -> a) of every move, for swaps
    kind = (j * K + a) * K + b
    rev_kind = (j * K + b) * K + a
    order = np.argsort(kind, kind="stable")
    sorted_kind = kind[order]
    starts = np.searchsorted(sorted_kind, rev_kind, side="left")
    counts_k = np.searchsorted(sorted_kind, rev_kind, side="right") - starts
    x = block.counts.ravel().astype(np.int64)
    s = A @ x.astype(float)

    def objective(stats: np.ndarray) -> np.ndarray:
        return sum(t.error(stats) ** 2 for t in targets)

    def all_ok(stats: np.ndarray) -> bool:
        return all(float(np.abs(t.error(stats[:, None]))[0]) <= 1.0 for t in targets)

    current = float(objective(s[:, None])[0])
    it = 0
    kicks = 0
    for it in range(max_iter):  # noqa: B007
        if all_ok(s):
            break
        best_val, best = current, None
        for q in steps:
            feasible = x[src] >= q
            if not feasible.any():
                continue
            idx = np.flatnonzero(feasible)
            vals = objective(s[:, None] + q * D[:, idx])
            m = int(np.argmin(vals))
            if vals[m] < best_val - 1e-12:
                best_val, best = float(vals[m]), ((q, idx[m]),)
            if swaps and q <= 2:
                m1 = idx[rng.integers(len(idx), size=min(swaps, 4 * len(idx)))]
                ok = counts_k[m1] > 0
                m1 = m1[ok]
                if len(m1):
                    m2 = order[starts[m1] + (rng.random(len(m1)) * counts_k[m1]).astype(np.int64)]
                    ok = (x[src[m2]] >= q) & (c[m2] != c[m1])
                    m1, m2 = m1[ok], m2[ok]
                if len(m1):
                    vals = objective(s[:, None] + q * (D[:, m1] + D[:, m2]))
                    m = int(np.argmin(vals))
                    if vals[m] < best_val - 1e-12:
                        best_val, best = float(vals[m]), ((q, m1[m]), (q, m2[m]))
        if best is None:  # a local minimum: a few random opposite moves, then search on
            if kicks >= restarts:
                break
            kicks += 1
            for m1 in rng.permutation(np.flatnonzero(x[src] > 0))[:kick]:
                m2 = order[starts[m1] + int(rng.random() * counts_k[m1])] if counts_k[m1] else None
                if m2 is None or x[src[m2]] <= 0 or c[m2] == c[m1] or x[src[m1]] <= 0:
                    continue
                for m in (m1, m2):
                    x[src[m]] -= 1
                    x[dst[m]] += 1
                    s = s + D[:, m]
            current = float(objective(s[:, None])[0])
            continue
        for q, m in best:
            x[src[m]] -= q
            x[dst[m]] += q
            s = s + q * D[:, m]
        current = best_val
    block.counts = x.reshape(J, C, K)
    errors = {t.name: float(t.error(s[:, None])[0]) for t in targets}
    return {"iterations": it, "ok": all(abs(e) <= 1.0 for e in errors.values()), "errors": errors}


# ------------------------------------------------------------------------------- target helpers
def eq(name: str, i: int, value: float, tol: float) -> Target:
    return Target(name, lambda S: S[i], value, tol)


def maximum(name: str, idx: Sequence[int], value: float, tol: float) -> Target:
    ix = list(idx)
    return Target(name, lambda S: S[ix].max(axis=0), value, tol)


def minimum(name: str, idx: Sequence[int], value: float, tol: float) -> Target:
    ix = list(idx)
    return Target(name, lambda S: S[ix].min(axis=0), value, tol)


def pct_forskel(name: str, idx: Sequence[int], value: float, tol: float) -> Target:
    """max/min - 1 over the statistics ``idx`` (the report's 'procentvis forskel')."""
    ix = list(idx)
    return Target(name, lambda S: S[ix].max(axis=0) / S[ix].min(axis=0) - 1, value, tol)


def spread(name: str, idx: Sequence[int], value: float, tol: float) -> Target:
    ix = list(idx)
    return Target(name, lambda S: S[ix].max(axis=0) - S[ix].min(axis=0), value, tol)


def ratio(name: str, i: int, k: int, value: float, tol: float) -> Target:
    return Target(name, lambda S: S[i] / S[k] - 1, value, tol)


def difference(name: str, i: int, k: int, value: float, tol: float) -> Target:
    return Target(name, lambda S: S[i] - S[k], value, tol)


def at_least(name: str, i: int, k: int, margin: float, tol: float) -> Target:
    """Statistic i exceeds statistic k by at least ``margin`` (a relationship the report states)."""
    return Target(name, lambda S: S[i] - S[k], margin, tol, kind="ge")


def within(name: str, i: int, lo: float, hi: float, tol: float) -> list[Target]:
    return [Target(f"{name}>=", lambda S: S[i], lo, tol, kind="ge"),
            Target(f"{name}<=", lambda S: -S[i], -hi, tol, kind="ge")]
