"""Synthetic løntimer panel and BEF for delanalyse 5, calibrated to chapter 7 (``calibration.yaml``).

Runs after delanalyse 3's generator (``depends_on``) and replaces its provisional ``loentimer`` and
``bef`` (no analysis before this one reads them): the hours of every person start from delanalyse
3's panel (DREAM's monthly employment grade x a full month's hours) and are then set, around each
recipient's index grant, so that chapter 7's numbers hold. Nothing here reads the report's targets
file; every number is in the calibration with its report line.

For every two-year block of grants (the report's 2018-2019 first, so its counts are exact) and each
of personlig assistance and hjælpemidler, the recipients' index grants (delanalyse 3's def. 3, the
same function) are taken through four exact allocations, each a Gumbel top-k draw of exactly the
target number of persons within a stratum (weights in the calibration), persons already fixed by an
earlier grant counted first (residual allocation):

1. *not resident*: left the country before the third month after (removed from BEF from that year;
   no hours after), so not followed (l.2025's 23.062 of 23.341);
2. *hours before* (one month before the grant month): exactly l.2023's 9.429 / 5.018;
3. *fastholdt* (hours three months after), among those with hours before;
4. *øgede løntimer* (more hours after than before): for personlig assistance among those with hours
   before, for hjælpemidler among all followed (l.2025's populations), partly persons who get a job.

Strata for 3-4: the casekommuner by strategy x organisation, whose integer counts are rounded so that
both the strategy and the organisation totals hold exactly (controlled rounding), and the other
kommuner by kommunestørrelse, which take the rest of each size band's total. The hours are then
written: before and after at the drawn levels (the same hours for some who keep them), the months
between filled in.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ....kommuner import kommunestoerrelse
from ....paths import MAPPINGS_DIR
from ....vocabulary import ORGANISERINGSTYPER, STRATEGITYPER

CALIBRATION = Path(__file__).with_name("calibration.yaml")
BANDS = ("lille", "mellem", "stor")
REPORT_BLOCK_START = 2018  # blocks of two grant years aligned on the report's 2018-2019


@lru_cache(maxsize=1)
def calibration() -> dict:
    return yaml.safe_load(CALIBRATION.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------ allocation
def gumbel_top_k(idx: np.ndarray, k: int, logw: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Exactly ``k`` of ``idx`` (clipped to 0..len), drawn with probabilities following exp(logw)."""
    k = int(np.clip(k, 0, len(idx)))
    if k == 0:
        return idx[:0]
    key = logw + rng.gumbel(size=len(idx))
    return idx[np.argsort(-key, kind="stable")[:k]]


def logit_table(n: np.ndarray, rows: np.ndarray, cols: np.ndarray, iters: int = 100) -> np.ndarray:
    """Rates p[s, o] = expit(a_s + b_o) with sum_o n p = rows and sum_s n p = cols (counts): the
    logistic scale keeps every rate inside (0, 1). Each row's (column's) offset is solved exactly in
    turn (a monotone one-dimensional root), which converges for any feasible margins."""
    from scipy.optimize import brentq
    from scipy.special import expit

    a, b = np.zeros(n.shape[0]), np.zeros(n.shape[1])

    def solve(weights, other, target):
        total = weights.sum()
        if total <= 0 or target <= 0 or target >= total:  # empty or all/none: as far as it goes
            return -30.0 if target <= 0 else 30.0
        return brentq(lambda t: (weights * expit(t + other)).sum() - target, -40, 40, xtol=1e-12)

    for _ in range(iters):
        a_old, b_old = a.copy(), b.copy()
        for i in range(n.shape[0]):
            a[i] = solve(n[i], b, rows[i])
        for j in range(n.shape[1]):
            b[j] = solve(n[:, j], a, cols[j])
        if max(np.abs(a - a_old).max(), np.abs(b - b_old).max()) < 1e-10:
            break
    return expit(a[:, None] + b[None, :])


def controlled_round(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Integers near ``x`` (each between 0 and ``cap``) whose row and column sums are exactly the
    integer ``rows`` and ``cols`` (a two-way table can always be rounded so; scipy's MILP)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n_rows, n_cols = x.shape
    lo = np.clip(np.floor(x), 0, cap)
    frac = x - lo
    nvar = n_rows * n_cols
    A_r = np.zeros((n_rows, nvar))
    A_c = np.zeros((n_cols, nvar))
    for i in range(n_rows):
        for j in range(n_cols):
            A_r[i, i * n_cols + j] = 1
            A_c[j, i * n_cols + j] = 1
    ub = np.clip(cap - lo, 0, 2).ravel()  # at most one unit above the floor, at most the capacity
    ub = np.minimum(ub, 1)
    res = milp(c=-frac.ravel(), integrality=np.ones(nvar),
               bounds=Bounds(np.zeros(nvar), ub),
               constraints=[LinearConstraint(A_r, rows - lo.sum(1), rows - lo.sum(1)),
                            LinearConstraint(A_c, cols - lo.sum(0), cols - lo.sum(0))])
    if not res.success:  # infeasible within one unit of the floor: round rows only
        out = np.zeros_like(lo)
        from ....synth.allocation import largest_remainder

        for i in range(n_rows):
            out[i] = np.minimum(largest_remainder(x[i], int(rows[i])), cap[i])
        return out.astype(np.int64)
    return (lo + np.round(res.x).reshape(n_rows, n_cols)).astype(np.int64)


def column_targets(n_col: np.ndarray, total: int, spec: dict, names=ORGANISERINGSTYPER) -> np.ndarray:
    """Integer organisation totals summing to ``total``: given rates with one type solved
    (``{"rates": {...}, "solve": type}``) or differences from a reference type
    (``{"reference": type, "diffs": {type: d}}``), whose level follows from the total."""
    names = list(names)
    if "rates" in spec:
        c = np.array([round(spec["rates"].get(t, 0.0) * n_col[i]) for i, t in enumerate(names)], dtype=np.int64)
        s = names.index(spec["solve"])
        c[s] = total - (c.sum() - c[s])
        return np.clip(c, 0, n_col)
    d = np.array([0.0 if t == spec["reference"] else spec["diffs"][t] for t in names])
    level = (total - (n_col * d).sum()) / max(n_col.sum(), 1)
    c = np.round((level + d) * n_col).astype(np.int64)
    c[int(np.argmax(n_col))] += total - c.sum()
    return np.clip(c, 0, n_col)


def allocate(pop: np.ndarray, cand: np.ndarray, fixed: np.ndarray, fixed_val: np.ndarray, s: np.ndarray,
             o: np.ndarray, band: np.ndarray, logw: np.ndarray, rng: np.random.Generator, *,
             strat: dict | None = None, org: dict | None = None, bands: dict | None = None,
             total: int | None = None) -> np.ndarray:
    """One exact flag over rows (boolean). ``pop`` = the rows in the share's denominator, ``cand``
    = those that may get the flag, ``fixed``/``fixed_val`` = rows decided earlier. Targets: rates
    by strategy (``strat``) with organisation totals (``org``) for the casekommuner (``s``, ``o`` >=
    0), rates by size band (``bands``) for the rest of each band, or a national ``total``."""
    flag = fixed & fixed_val & pop
    free = cand & ~fixed & pop
    if total is not None:
        k = int(total) - int((pop & flag).sum())
        flag[gumbel_top_k(np.flatnonzero(free), k, logw[free], rng)] = True
        return flag
    case = pop & (s >= 0)
    if strat is not None and case.any():
        n_s, n_o = len(STRATEGITYPER), len(ORGANISERINGSTYPER)
        n = np.zeros((n_s, n_o))
        np.add.at(n, (s[case], o[case]), 1)
        rates = np.array([strat[t] for t in STRATEGITYPER])
        rows = np.round(rates * n.sum(1)).astype(np.int64)
        cols = column_targets(n.sum(0), int(rows.sum()), org) if org else np.round(n.sum(0) * rows.sum() /
                                                                                max(n.sum(), 1)).astype(np.int64)
        x = logit_table(n, rows.astype(float), cols.astype(float)) * n
        table = controlled_round(x, rows, cols, n.astype(np.int64))
        for i in range(n_s):
            for j in range(n_o):
                cell = case & (s == i) & (o == j)
                k = int(table[i, j]) - int((cell & flag).sum())
                idx = np.flatnonzero(cell & free)
                flag[gumbel_top_k(idx, k, logw[idx], rng)] = True
    rest = pop & ~((s >= 0) & (strat is not None))
    for b, name in enumerate(BANDS):
        in_band = pop & (band == b)
        if not in_band.any() or bands is None:
            continue
        k = int(round(bands[name] * in_band.sum())) - int((in_band & flag).sum())
        idx = np.flatnonzero(in_band & rest & free)
        flag[gumbel_top_k(idx, k, logw[idx], rng)] = True
    return flag


# ------------------------------------------------------------------------------------ the generator
def _perspektiv() -> dict[str, str]:
    m = pd.read_csv(MAPPINGS_DIR / "ydelsesgrupper.csv", comment="#", keep_default_na=False)
    return dict(zip(m["ydelsesgruppe"], m["perspektiv"]))


def _zscore(s: pd.Series) -> pd.Series:
    s = pd.to_numeric(s, errors="coerce").astype(float)
    sd = s.std()
    return ((s - s.mean()) / sd).fillna(0.0) if sd and np.isfinite(sd) and sd > 0 else s * 0.0


def generate(ctx) -> dict[str, pd.DataFrame]:
    return _Panel(ctx, calibration()).run()


class _Panel:
    def __init__(self, ctx, cal):
        self.ctx, self.cal = ctx, cal
        out = ctx.outputs
        for name in ("loentimer", "bef", "dfdg_personlig_assistance", "dfdg_hjaelpemidler", "kommunetypologi"):
            if name not in out:
                raise RuntimeError(f"delanalyse 5's synth needs delanalyse 3's {name!r} (ctx.outputs)")
        self.years = tuple(ctx.years)
        self.y0 = self.years[0]
        self.M = 12 * len(self.years)
        bef = out["bef"]
        self.pnr = np.array(sorted(bef["pnr"].astype(str).unique()), dtype=object)
        self.row = pd.Series(np.arange(len(self.pnr)), index=self.pnr)
        lt = out["loentimer"]
        H = np.zeros((len(self.pnr), self.M), dtype=np.float64)
        j = (lt["aar"].to_numpy() - self.y0) * 12 + lt["maaned"].to_numpy() - 1
        r = self.row.reindex(lt["pnr"].astype(str)).to_numpy()
        ok = (j >= 0) & (j < self.M) & ~np.isnan(r.astype(float))
        H[r[ok].astype(np.int64), j[ok]] = lt["loentimer"].to_numpy(float)[ok]
        self.H = H
        self.fixed = np.zeros_like(H, dtype=bool)
        self.removed_from = np.full(len(self.pnr), 10**6, dtype=np.int64)  # BEF year from which a person is gone
        self.grants = self._grants()
        self.last_start = self.grants.groupby("pnr")["start"].max()
        self.bef = bef

    def rng(self, name: str) -> np.random.Generator:
        return self.ctx.rng(f"d5.{name}")

    def _grants(self) -> pd.DataFrame:
        out = self.ctx.outputs
        gy = getattr(self.ctx, "plan", {}).get("grant_ydelse")
        parts = []
        for o, name in (("pa", "dfdg_personlig_assistance"), ("hm", "dfdg_hjaelpemidler")):
            g = out[name]
            parts.append(pd.DataFrame({"ordning": o, "grant_id": g["bevilling_id"].astype(str), "pnr": g["pnr"].astype(str),
                                       "kommunekode": g["kommunekode"].astype(int),
                                       "start": pd.to_datetime(g["startdato"])}))
        g = pd.concat(parts, ignore_index=True)
        if gy is not None:
            yg = gy.set_index(gy["bevilling_id"].astype(str))["ydelsesgruppe"]
            g["ydelsesgruppe"] = g["grant_id"].map(yg).fillna("selvforsoerget")
        else:
            g["ydelsesgruppe"] = "selvforsoerget"
        g["perspektiv"] = g["ydelsesgruppe"].map(_perspektiv()).fillna("andet")
        g["aar"] = g["start"].dt.year
        return g

    def _kommuner(self, y1: int) -> pd.DataFrame:
        """Per kommune: strategy/organisation index (-1 outside the case review), size band by
        (y1-1)K4 (def. 19 of delanalyse 3) and the z-scores the weights use."""
        out = self.ctx.outputs
        k = self.ctx.kommuner[["kommunekode"]].copy()
        typ = out["kommunetypologi"].set_index("kommunekode")
        k["s"] = k["kommunekode"].map(typ["strategi"]).map({t: i for i, t in enumerate(STRATEGITYPER)}).fillna(-1)
        k["o"] = k["kommunekode"].map(typ["organisering"]).map({t: i for i, t in enumerate(ORGANISERINGSTYPER)}).fillna(-1)
        have = set(self.ctx.befolkning()["kvartal"])
        pop_prev = self.ctx.population(f"{y1 - 1}K4" if f"{y1 - 1}K4" in have else f"{y1}K4")
        pop = self.ctx.population(f"{y1}K4")
        k["band"] = pd.Series(kommunestoerrelse(k["kommunekode"].map(pop_prev).to_numpy())).map(
            {b: i for i, b in enumerate(BANDS)}).to_numpy()
        g = self.grants
        cnt = g.loc[g["aar"] == y1].groupby("kommunekode").size()
        k["anv"] = _zscore(k["kommunekode"].map(cnt).fillna(0) / k["kommunekode"].map(pop))
        k["logpop"] = _zscore(np.log(k["kommunekode"].map(pop).astype(float)))
        pa = g.loc[(g["ordning"] == "pa") & g["aar"].isin([y1 - 1, y1])]
        rek = pa.groupby("kommunekode")["perspektiv"].apply(lambda p: (p == "rekruttering").mean())
        k["rek"] = _zscore(k["kommunekode"].map(rek))
        return k.set_index("kommunekode")

    def run(self) -> dict[str, pd.DataFrame]:
        years = sorted({REPORT_BLOCK_START + 2 * ((y - REPORT_BLOCK_START) // 2) for y in self.years})
        years.sort(key=lambda b: (b != REPORT_BLOCK_START, b))  # the report's block first
        for b in years:
            for o in ("hm", "pa"):
                self._block(b, o, exact=b == REPORT_BLOCK_START)
        return {"loentimer": self._loentimer(), "bef": self._bef()}

    # ------------------------------------------------------------------ one block of one ordning
    def _block(self, b: int, o: str, exact: bool) -> None:
        from ...d3_brug.load import index_grants

        cal = self.cal
        rng = self.rng(f"{o}.{b}")
        g = self.grants.loc[(self.grants["ordning"] == o) & self.grants["aar"].isin([b, b + 1])]
        if g.empty:
            return
        idx = index_grants(g)
        month = (idx["start"].dt.year - self.y0) * 12 + idx["start"].dt.month - 1
        idx = idx.assign(m=month.to_numpy())
        idx = idx.loc[(idx["m"] - 1 >= 0) & (idx["m"] + 3 < self.M)].reset_index(drop=True)
        if idx.empty:
            return
        k = self._kommuner(min(b + 1, self.years[-1]))
        kk = k.reindex(idx["kommunekode"])
        s, org = kk["s"].to_numpy(np.int64), kk["o"].to_numpy(np.int64)
        band = kk["band"].to_numpy(np.int64)
        r = self.row.reindex(idx["pnr"]).to_numpy(np.int64)
        m = idx["m"].to_numpy(np.int64)
        mf, me = m - 1, m + 3
        n = len(idx)
        H, F = self.H, self.fixed
        age = self._age(idx)
        rek = (idx["perspektiv"] == "rekruttering").to_numpy()

        # 1. not resident at the end of the year of the third month after
        year_after = self.y0 + me // 12
        gone = self.removed_from[r] <= year_after
        # only persons with no later grant and no month fixed after the grant month by another grant
        later = np.array([F[r[i], m[i] + 1:].any() for i in range(n)], dtype=bool)
        can_go = ~gone & ~later & (self.last_start.reindex(idx["pnr"]).to_numpy() <=
                                   (idx["start"] + pd.Timedelta(days=92)).to_numpy())
        allrows = np.ones(n, bool)
        out_flag = allrows & False
        k_out = int(round(cal["ikke_bosat_andel"] * n))
        out_flag = allocate(allrows, can_go, ~can_go, gone, s, org, band, np.zeros(n), rng, total=k_out)
        for i in np.flatnonzero(out_flag & ~gone):
            self.removed_from[r[i]] = min(self.removed_from[r[i]], year_after[i])
            H[r[i], m[i] + 1:] = 0.0
            F[r[i], m[i] + 1:] = True
        obs = ~out_flag

        # 2. hours one month before
        w = cal["loentimer_foer_vaegt"]
        logw = w["beskaeftiget"] * (H[r, mf] > 0) + w["fastholdelse"] * (idx["perspektiv"] == "fastholdelse").to_numpy()
        share_before = cal["loentimer_foer_antal"][o]
        total = share_before if exact else None
        if total is None:  # other blocks: the report block's share
            total = int(round(share_before / self._report_n(o) * obs.sum()))
        before = allocate(obs, obs, F[r, mf], H[r, mf] > 0, s, org, band, logw, rng, total=total)
        lo, hi = cal["smaajob_timer"]
        for i in np.flatnonzero(obs & ~F[r, mf]):
            if before[i] and H[r[i], mf[i]] <= 0:
                H[r[i], mf[i]] = np.round(rng.uniform(lo, hi), 1)
            elif not before[i]:
                H[r[i], mf[i]] = 0.0
        F[r[obs], mf[obs]] = True

        # 3. fastholdt; 4. øgede (weights: kommune effects and the person's perspective and age)
        kw, pw = cal["oegede"]["kommune_vaegt"], cal["oegede"]["person_vaegt"]
        logw_k = kw["log_befolkning"] * kk["logpop"].to_numpy() + kw["anvendelsesgrad"] * kk["anv"].to_numpy()
        if o == "pa":
            logw_k = logw_k + kw["rekrutteringsgrad_pa"] * kk["rek"].to_numpy()
        logw_u = logw_k + pw["rekruttering"] * rek + pw["alder_pr_aar"] * (age - 45)
        fx = F[r, me]
        fa = cal["fastholdelse"]
        pop_b = obs & before
        logw_f = fa["kommune_vaegt"]["log_befolkning"] * kk["logpop"].to_numpy()
        kept = allocate(pop_b, pop_b, fx, H[r, me] > 0, s, org, band, logw_f, rng,
                        strat=fa["strategi"][o], org=fa["organisering"][o], bands=fa["kommunestoerrelse"][o])
        og = cal["oegede"]
        up_fixed = fx & (H[r, me] > H[r, mf])
        if o == "pa":
            up = allocate(pop_b, pop_b & kept, fx, up_fixed, s, org, band, logw_u, rng,
                          strat=og["strategi"][o], org=og["organisering"][o], bands=og["kommunestoerrelse"][o])
            new = allocate(obs & ~before, obs & ~before, fx, up_fixed, s, org, band, logw_u, rng,
                           bands={b_: og["pa_nye_timer"] for b_ in BANDS})
        else:
            rate = og["hm_stigning_blandt_fastholdte"]
            up_b = allocate(pop_b & kept, pop_b & kept, fx, up_fixed, s, org, band, logw_u, rng,
                            bands={b_: rate for b_ in BANDS})
            # the rest of each cell's increases: persons without hours before who get a job
            fixed_all = fx | (pop_b)  # every person with hours before is decided now
            val_all = np.where(pop_b, up_b, up_fixed)
            total_up = allocate(obs, obs & ~before, fixed_all, val_all, s, org, band, logw_u, rng,
                                strat=og["strategi"][o], org=og["organisering"][o], bands=og["kommunestoerrelse"][o])
            up, new = up_b, total_up & ~before
        self._write(r, m, obs, before, kept, up, new, rng)

    def _report_n(self, o: str) -> float:
        """The report block's number of followed recipients (the base of l.2023's counts)."""
        if not hasattr(self, "_rn"):
            self._rn = {}
        if o not in self._rn:
            from ...d3_brug.load import index_grants

            g = self.grants.loc[(self.grants["ordning"] == o) & self.grants["aar"].isin(
                [REPORT_BLOCK_START, REPORT_BLOCK_START + 1])]
            self._rn[o] = max(len(index_grants(g)) * (1 - self.cal["ikke_bosat_andel"]), 1.0) if len(g) else 1.0
        return self._rn[o]

    def _age(self, idx: pd.DataFrame) -> np.ndarray:
        bef = self.bef
        a = bef.assign(pnr=bef["pnr"].astype(str)).set_index(["pnr", "aar"])["alder"]
        key = pd.MultiIndex.from_arrays([idx["pnr"].to_numpy(), idx["start"].dt.year.to_numpy()])
        return a.reindex(key).fillna(45).to_numpy(float)

    def _write(self, r, m, obs, before, kept, up, new, rng) -> None:
        """Hours three months after (and the months between) for the rows still free."""
        cal, H, F = self.cal, self.H, self.fixed
        me = m + 3
        for i in np.flatnonzero(obs & ~F[r, me]):
            h0 = H[r[i], m[i] - 1]
            if before[i] and kept[i] and up[i]:
                h1 = min(max(np.round(h0 * rng.uniform(*cal["flere_timer_faktor"]), 1), h0 + 0.1), 400.0)
            elif before[i] and kept[i]:
                h1 = h0 if rng.random() < cal["samme_timer_andel"] else np.round(h0 * rng.uniform(*cal["faerre_timer_faktor"]), 1)
                h1 = max(min(h1, h0), 0.1)
            elif before[i]:
                h1 = 0.0
            elif new[i]:
                h1 = np.round(rng.uniform(*cal["nye_timer"]), 1)
            else:
                h1 = 0.0
            H[r[i], me[i]] = h1
            F[r[i], me[i]] = True
            for j, v in ((m[i], h0), (m[i] + 1, h0 if h1 > 0 else 0.0), (m[i] + 2, h1)):
                if not F[r[i], j]:
                    H[r[i], j] = v

    # ------------------------------------------------------------------ the registers
    def _loentimer(self) -> pd.DataFrame:
        rr, jj = np.nonzero(self.H > 0)
        return pd.DataFrame({
            "pnr": pd.array(self.pnr[rr], dtype="string"),
            "aar": (self.y0 + jj // 12).astype(np.int64),
            "maaned": (jj % 12 + 1).astype(np.int64),
            "loentimer": np.round(np.minimum(self.H[rr, jj], 400.0), 1),
        }).sort_values(["pnr", "aar", "maaned"], kind="stable").reset_index(drop=True)

    def _bef(self) -> pd.DataFrame:
        bef = self.bef
        gone = self.row.reindex(bef["pnr"].astype(str)).to_numpy()
        keep = bef["aar"].to_numpy() < self.removed_from[gone]
        return bef.loc[keep].reset_index(drop=True)
