"""One survey question at a time: a designed answer distribution per cell, calibrated counts, and
answers handed to the respondents of each cell.

A :class:`Question` groups the respondents into cells (their kommune crossed with the attributes
its figures break down by), starts from a discretised normal distribution of scores whose location
moves with the cell's level (``level`` in [0, 1], from the kommune facts and the respondent
attributes) and calibrates the counts (:mod:`.kalibrering`). Within a cell the answers go to the
respondents in the order of a latent trait, so a respondent who knows a lot about one ordning tends
to know a lot about the others; no figure depends on that order.
"""
from __future__ import annotations

import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ....synth.allocation import largest_remainder
from . import kalibrering as K


class Question:
    """Respondents ``resp`` (one row each, with ``kidx`` = kommune index) answering the sub-items
    ``variables`` with answer ``codes``; ``fixed_code`` ('ved ikke') is set up front, never moved."""

    def __init__(self, resp: pd.DataFrame, kom: pd.DataFrame, variables: Sequence[str], codes: Sequence[int],
                 *, fixed_code: int | None = None, by: Sequence[str] = (), rows: np.ndarray | None = None):
        self.kom = kom
        self.variables = list(variables)
        self.codes = list(codes)
        self.rows = np.arange(len(resp)) if rows is None else np.asarray(rows)
        self.resp = resp.iloc[self.rows].reset_index(drop=True)
        keys = ["kidx", *by]
        cells = self.resp.groupby(keys, sort=True).size().rename("n").reset_index()
        self.cells = cells
        self.cell_of = self.resp.merge(cells.reset_index().rename(columns={"index": "cell"}), on=keys,
                                       how="left")["cell"].to_numpy()
        self.fixed = np.array([c == fixed_code for c in self.codes])
        self.fixed_code = fixed_code
        n = cells["n"].to_numpy()
        self.block = K.Block(n=n, counts=np.zeros((len(self.variables), len(cells), len(self.codes)), np.int64),
                             fixed=self.fixed)
        k = cells["kidx"].to_numpy()
        pop = kom["befolkning"].to_numpy(float)
        n_k = kom["respondenter"].to_numpy(float)
        self.w = {"vaegtet": (pop[k] / pop.sum()) / n_k[k], "respondent": np.ones(len(cells))}
        self.targets: list[K.Target] = []

    # ------------------------------------------------------------------------------ design
    def cell_level(self, kommune_level: np.ndarray, effects: Mapping[str, Mapping] | None = None) -> np.ndarray:
        """The kommune's level plus the respondent attributes' effects (``{column: {value: shift}}``)."""
        lev = np.asarray(kommune_level, float)[self.cells["kidx"].to_numpy()].copy()
        for col, eff in (effects or {}).items():
            lev += self.cells[col].map(lambda v, e=eff: e.get(v, 0.0)).to_numpy(float)
        return lev

    def design(self, level: np.ndarray, scores: Mapping[int, float], *, sigma: float, ved_ikke: Sequence[float],
               mu: tuple[float, float], offsets: Sequence[float] | None = None,
               shares: Mapping[int, tuple[Sequence[int], float]] | None = None, rng=None) -> None:
        """Initial counts: score distribution N(mu_lo + (mu_hi - mu_lo) * level + offset_j, sigma),
        discretised on the substantive answers; ``ved_ikke`` share per sub-item. ``shares``
        {j: (codes, value)} fits each sub-item's offset to its weighted share first."""
        J, C, Kc = self.block.shape
        free = ~self.fixed
        sc = np.array([scores.get(c, np.nan) for c in self.codes], float)[free]
        n = self.block.n
        w = self.w["vaegtet"]
        off = np.zeros(J) if offsets is None else np.asarray(offsets, float).copy()

        def probs_for(j, d):
            P = np.zeros((C, Kc))
            loc = mu[0] + (mu[1] - mu[0]) * np.asarray(level, float) + d
            e = np.exp(-((sc[None, :] - loc[:, None]) ** 2) / (2 * sigma ** 2))
            P[:, free] = e / e.sum(axis=1, keepdims=True)
            return P

        for j, (cats, value) in (shares or {}).items():
            idx = [self.codes.index(c) for c in cats]

            def gap(d, j=j, idx=idx, value=value):
                P = probs_for(j, d)
                return (w * n * P[:, idx].sum(axis=1)).sum() / (w * n).sum() * (1 - ved_ikke[j]) - value

            lo, hi = -12.0, 12.0
            glo, ghi = gap(lo), gap(hi)
            if np.sign(glo) != np.sign(ghi):
                for _ in range(50):
                    mid = (lo + hi) / 2
                    if np.sign(gap(mid)) == np.sign(glo):
                        lo = mid
                    else:
                        hi = mid
                off[j] = (lo + hi) / 2
        fixed_counts = np.zeros((J, C, Kc), np.int64)
        if self.fixed.any():
            fi = int(np.flatnonzero(self.fixed)[0])
            for j in range(J):
                total = int(round(ved_ikke[j] * n.sum()))
                fixed_counts[j, :, fi] = largest_remainder(n.astype(float), total) if total else 0
        probs = np.stack([probs_for(j, off[j]) for j in range(J)])
        self.block.counts = K.initial_counts(probs, n, self.fixed, fixed_counts)

    # ------------------------------------------------------------------------------- masks
    def mask(self, **kw) -> np.ndarray:
        """Cells whose attributes (cell keys or kommune facts) equal the given values."""
        m = np.ones(len(self.cells), bool)
        kattr = self.kom.iloc[self.cells["kidx"].to_numpy()].reset_index(drop=True)
        for col, val in kw.items():
            src = self.cells[col] if col in self.cells.columns else kattr[col]
            vals = val if isinstance(val, (list, tuple, set)) else [val]
            m &= src.isin(list(vals)).to_numpy()
        return m

    def kommune(self, k: int) -> np.ndarray:
        return self.cells["kidx"].to_numpy() == k

    # ----------------------------------------------------------------------------- statistics
    def share(self, j: int, codes: Sequence[int], cells: np.ndarray | None = None, tally: str = "vaegtet") -> int:
        cells = np.ones(len(self.cells), bool) if cells is None else cells
        return self.block.share(j, [self.codes.index(c) for c in codes], cells, self.w[tally])

    def mean(self, js: Sequence[int], scores: Mapping[int, float], cells: np.ndarray | None = None,
             tally: str = "vaegtet") -> int:
        cells = np.ones(len(self.cells), bool) if cells is None else cells
        sc = np.array([scores.get(c, 0.0) for c in self.codes], float)
        return self.block.mean(list(js), sc, cells, self.w[tally])

    def kommune_means(self, js: Sequence[int], scores: Mapping[int, float]) -> list[int]:
        return [self.mean(js, scores, self.kommune(k), "respondent") for k in range(len(self.kom))]

    def kommune_shares(self, j: int, codes: Sequence[int]) -> list[int]:
        return [self.share(j, codes, self.kommune(k), "respondent") for k in range(len(self.kom))]

    def calibrate(self, what: str, attempts: int = 4, **kw) -> dict:
        """Calibrate the counts; a search stuck in a local minimum starts again from the design with
        other random kicks (deterministic seeds). Targets the kommune facts make unreachable (another
        seed's typology may not allow every group mean) are reported as a warning, and the closest
        counts found are kept: the reproduction then shows the deviation."""
        start = self.block.counts.copy()
        best = None
        for seed in range(attempts):
            self.block.counts = start.copy()
            report = K.calibrate(self.block, self.targets, seed=seed, restarts=10 + 10 * seed, **kw)
            score = sum(max(abs(e) - 1, 0) for e in report["errors"].values())
            if best is None or score < best[0]:
                best = (score, self.block.counts.copy(), report)
            if report["ok"]:
                return report
        _, self.block.counts, report = best
        bad = {k: round(v, 2) for k, v in report["errors"].items() if abs(v) > 1}
        warnings.warn(f"synthetic {what}: targets not reached (scaled errors): {bad}", stacklevel=2)
        return report

    def values(self) -> np.ndarray:
        return self.block.values()

    # --------------------------------------------------------------------------- to respondents
    def answers(self, latent: np.ndarray, scores: Mapping[int, float], rng: np.random.Generator,
                noise: float = 0.8) -> pd.DataFrame:
        """Per respondent (in ``rows`` order) the answer code of every sub-item: within a cell the
        fixed answers go to random respondents, the others in score order to the respondents
        ranked by ``latent`` plus noise."""
        J, C, Kc = self.block.shape
        lat = np.asarray(latent, float)[self.rows]
        out = np.zeros((len(self.rows), J), dtype=float)
        members = [np.flatnonzero(self.cell_of == c) for c in range(C)]
        order = sorted(range(Kc), key=lambda k: -scores.get(self.codes[k], 0.0))
        for j in range(J):
            for c in range(C):
                idx = rng.permutation(members[c])
                cnt = self.block.counts[j, c]
                fixed_n = int(cnt[self.fixed].sum())
                fixed_idx, rest = idx[:fixed_n], idx[fixed_n:]
                if fixed_n:
                    out[fixed_idx, j] = self.fixed_code
                rank = rest[np.argsort(-(lat[rest] + rng.normal(0, noise, len(rest))), kind="stable")]
                pos = 0
                for k in order:
                    if self.fixed[k]:
                        continue
                    out[rank[pos:pos + cnt[k]], j] = self.codes[k]
                    pos += int(cnt[k])
        return pd.DataFrame(out.astype(int), columns=self.variables)


def kommune_levels(kom: pd.DataFrame, coef: Mapping[str, float], noise: float, rng: np.random.Generator,
                   *, min_n: int = 25) -> tuple[np.ndarray, int, int]:
    """Kommune levels in [0, 1] ranked from the standardised facts (VIVE rank, anvendelsesgrad,
    log population) times ``coef`` plus noise; the highest and lowest kommune with at least
    ``min_n`` respondents are the designated ends (1 and 0). Returns (levels, hi, lo)."""
    def z(x):
        x = pd.to_numeric(pd.Series(x), errors="coerce").astype(float)
        x = x.fillna(x.mean())
        return ((x - x.mean()) / (x.std() or 1.0)).to_numpy()

    score = (coef.get("rang", 0) * z(kom["rang"]) + coef.get("anvendelsesgrad", 0) * z(kom["anvendelsesgrad"])
             + coef.get("stoerrelse", 0) * z(np.log(kom["befolkning"])) + rng.normal(0, noise, len(kom)))
    ranks = pd.Series(score).rank(method="first").to_numpy() - 1
    lev = 0.12 + 0.76 * ranks / max(1, len(kom) - 1)
    big = kom["respondenter"].to_numpy() >= min_n
    cand = np.flatnonzero(big) if big.sum() >= 2 else np.arange(len(kom))
    hi = int(cand[np.argmax(score[cand])])
    lo = int(cand[np.argmin(score[cand])])
    lev[hi], lev[lo] = 1.0, 0.0
    return lev, hi, lo


def group_levels(kom: pd.DataFrame, prior: np.ndarray, groups: Sequence[tuple[str, Mapping[str, float]]],
                 ends: Mapping[int, float], *, weighted: tuple[float, float] | None = None,
                 strength: float = 0.15) -> np.ndarray:
    """Kommune levels close to ``prior`` whose respondent-weighted means over the groups of
    ``groups`` ([(kommune column, {value: level})]) match those levels, with the designated
    ``ends`` fixed; ``weighted`` = (level, weight) adds the population-weighted mean of all kommuner.
    A bounded least-squares problem (scipy), so a designed group difference is in the starting
    distribution and the count search only polishes."""
    from scipy.optimize import lsq_linear

    n = kom["respondenter"].to_numpy(float)
    pop = kom["befolkning"].to_numpy(float)
    rows, rhs = [], []
    for col, levels in groups:
        for value, target in levels.items():
            m = (kom[col] == value).to_numpy()
            if m.any():
                rows.append(np.where(m, n, 0.0) / n[m].sum())
                rhs.append(float(target))
    if weighted is not None:
        rows.append(pop / pop.sum() * weighted[1])
        rhs.append(weighted[0] * weighted[1])
    Kn = len(kom)
    eye = np.eye(Kn) * strength
    A = np.vstack([*rows, eye]) if rows else eye
    b = np.concatenate([np.asarray(rhs, float), strength * np.asarray(prior, float)])
    free = [k for k in range(Kn) if k not in ends]
    fixed = np.zeros(Kn)
    for k, v in ends.items():
        fixed[k] = v
    res = lsq_linear(A[:, free], b - A @ fixed, bounds=(0.02, 0.98))
    out = fixed.copy()
    out[free] = res.x
    return out


def extreme_targets(means: Sequence[int], hi: int, lo: int, lo_v: float, hi_v: float, pct: float | None = None, *,
                    decimals: int = 1, pct_decimals: int = 2, spread: float | None = None) -> list[K.Target]:
    """Targets for a printed range lo_v-hi_v across kommuner (the designated kommuner ``hi``/``lo``)
    and its printed relative difference ``pct`` (max/min - 1) or difference ``spread``: each end
    within 70 pct. of its rounding window and the difference within 80 pct. of its own, so all
    three print as published (7,7/3,4 - 1 = 1,265 sits at the edge of 126 pct.: the ends must
    move together, which the joint targets allow)."""
    h = 0.5 * 10 ** -decimals
    ph = 0.5 * 10 ** -pct_decimals
    out = [K.eq("max", means[hi], hi_v, 0.7 * h), K.eq("min", means[lo], lo_v, 0.7 * h)]
    if pct is not None:
        out.append(K.ratio("pct_forskel", means[hi], means[lo], pct, 0.8 * ph))
    if spread is not None:
        out.append(K.difference("forskel", means[hi], means[lo], spread, 0.8 * ph))
    return out


def extreme_pair(lo: float, hi: float, pct: float | None = None, *, decimals: int = 1,
                 pct_decimals: int = 2) -> tuple[float, float, float, float]:
    """Target values and tolerances (lo, hi, tol_lo, tol_hi) for a printed range lo-hi and its printed
    'procentvis forskel' ``pct`` (max/min - 1): both ends round to what is printed and so does their
    relative difference, with a margin (the two must be aimed at together: 7,7/3,4 - 1 = 1,265 is
    at the edge of the printed 126 pct.)."""
    h = 0.5 * 10 ** -decimals
    if pct is None:
        return float(lo), float(hi), 0.6 * h, 0.6 * h
    ph = 0.5 * 10 ** -pct_decimals
    r = 1 + pct
    lo_t, hi_t = float(lo), float(lo) * r
    if abs(hi_t - hi) > 0.7 * h:
        hi_t = hi + np.sign(hi_t - hi) * 0.7 * h
        lo_t = hi_t / r
    margin = ph - abs(hi_t / lo_t - r)
    rel = 0.4 * margin / r
    tol_lo = min(0.8 * (h - abs(lo_t - lo)), lo_t * rel)
    tol_hi = min(0.8 * (h - abs(hi_t - hi)), hi_t * rel)
    return float(lo_t), float(hi_t), float(tol_lo), float(tol_hi)
