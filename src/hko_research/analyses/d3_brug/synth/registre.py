"""Step 2 of the delanalyse-3 synth: person-level registers that fill the grant plan of step 1.

Produces ``dfdg_personlig_assistance, dfdg_hjaelpemidler, dfdg_isbryder, dfdg_mentor, dream, bef,
ind, udda, loentimer, handic, lpr_diagnoser`` and sets ``ctx.plan["grant_ydelse"]`` and
``ctx.plan["pa_active_ydelse"]`` for step 3. Parameters (each with its report line) are in
``calibration_registre.yaml``; nothing here reads the report's targets file.

Calibration approach
--------------------
* **Grants and persons.** Exactly ``antal`` grants per (kommune, ordning, year) of the plan, start
  dates uniform over the year. Years are grouped in two-year blocks aligned on 2018-2019 (the
  report's period); within a (block, kommune, ordning) the number of distinct persons is
  ``grants x persons_per_grant`` (largest remainder, at least one person per kommune with grants),
  and grant i goes to person ``i mod P`` after a random permutation (re-grants).
* **Exact allocation.** Every categorical attribute is handed out by *exact allocation*: the target
  counts of a stratum are the largest-remainder integerisation of ``n x shares``; the categories are
  then given to a random permutation of the stratum's members (or, for the physical impairment,
  to a Gumbel-top-k draw weighted by a kommune offset, which keeps the count exact). Members whose
  value is already fixed (persons shared with another ordning) are subtracted first
  (*residual allocation*), so the shares still hold.
* **Perspective by strategy.** For PA and HM the state is drawn in two stages: first the
  perspective (fastholdelse/rekruttering), where each casekommune's grants reach its strategy's
  rekrutteringsgrad (l.1379-1385) and the other kommuner take the rest of each type's national
  count; then the state within (type, perspective) from the raked table's conditional rows.
* **Raking.** Where several report numbers constrain one table (PA type x ydelsesgruppe, HM type x
  ydelsesgruppe, type x køn, type x aldersgruppe, rammevilkår band x uddannelse, kommune x HM type,
  kommune x branche) the table is built by iterative proportional fitting from a plausibility seed:
  every report number is a constraint on a set of cells (row margins, column margins, conditional
  shares inside a row or a column), and IPF scales each set in turn until all hold. The raked table
  gives each stratum's shares for the exact allocation.
* **Money.** Income (PERINDKP) is a lognormal solved for the report's mean and share above
  300.000 kr., drawn at stratified quantiles (so both hold exactly) and handed to persons in the
  order of a score (education + ydelse + noise).
* **Impairments.** Per subgroup the YAML gives the share *having* each category; with the
  dobbeltdiagnose share d and the secondary-category matrix S the primary shares solve
  ``has = (I + d S^T) p``. Diagnoses are written to LPR in the 5 years before the index grant
  (plus unmapped noise and older diagnoses that must not count).
* **Parallel efforts.** Persons with several HKO are the same pnr in two grant tables, matched within
  kommune and year and with the partner grant moved (inside its year) to start 0-30 days after the
  primary grant, so the overlap always holds. Mentor and SEL efforts are given by exact token
  assignment to reach both the per-effort shares and the share with no parallel effort, with
  intervals that contain the index grant's start; other recipients may get efforts that ended before
  their first grant (decoys).
* **DREAM.** Weekly codes are painted from spells (prior spell, main spell around all of the person's
  grants, after-spell); the main spell's code is the person's ydelsesgruppe, so the code in each
  grant week is the allocated one. Monthly grad/branche/virkform follow the weekly employment state.
* **Durations** are rescaled per start year to the report's mean.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import yaml

from ....kommuner import hfaudd_niveau, kommune_navne
from ....paths import MAPPINGS_DIR
from ....synth.allocation import largest_remainder

CALIBRATION = Path(__file__).with_name("calibration_registre.yaml")
ORDNINGER = ("is", "pa", "hm")          # allocation order: isbryder persons first (smallest, exact)
STATES = ("selvforsoerget", "delvis_sygemeldt", "fleksjob", "ledighedsydelse", "sygedagpenge", "jobafklaring",
          "kontanthjaelp", "a_dagpenge", "ressourceforloeb", "revalidering", "uddannelseshjaelp",
          "integrationsydelse", "su")
S_IDX = {s: i for i, s in enumerate(STATES)}
AGE_BANDS = ("u30", "a30_40", "a41_50", "o50")
EDU = ("grundskole", "gymnasial_erhvervsfaglig", "kort_videregaaende", "mellemlang_videregaaende",
       "lang_videregaaende", "uoplyst")
CATS = ("fysisk", "psykisk", "sensorisk", "intellektuel", "andet")
BANDS = ("bund", "mellem", "top")
EPOCH = np.datetime64("2000-01-03")      # a Monday: absolute week = (date - EPOCH) // 7


@lru_cache(maxsize=1)
def load_calibration() -> dict:
    return yaml.safe_load(CALIBRATION.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------------------------
# generic calibration helpers
# ----------------------------------------------------------------------------------------------
def ipf(seed: np.ndarray, constraints: list[tuple[np.ndarray, float]], iters: int = 300) -> np.ndarray:
    """Iterative proportional fitting: scale each cell set (boolean mask) in turn to its target total."""
    t = np.asarray(seed, dtype=float).ravel().copy()
    cons = [(np.flatnonzero(np.asarray(m).ravel()), float(v)) for m, v in constraints]
    for _ in range(iters):
        worst = 0.0
        for ix, target in cons:
            cur = t[ix].sum()
            if cur > 0:
                f = target / cur
                t[ix] *= f
                worst = max(worst, abs(f - 1))
        if worst < 1e-9:
            break
    return t.reshape(np.shape(seed))


def allocate(strata: np.ndarray, props: np.ndarray, rng: np.random.Generator, preset: np.ndarray | None = None,
             weighted: tuple[int, np.ndarray] | None = None) -> np.ndarray:
    """Exact allocation of category indices to members, stratum by stratum.

    ``props[s]`` are the shares in stratum s; counts are largest-remainder rounded; members with
    ``preset >= 0`` keep their value and are subtracted from the targets (residual allocation).
    ``weighted=(c, logw)`` gives category c to a Gumbel-top-k draw with log-weights ``logw``.
    """
    n = len(strata)
    out = np.full(n, -1, dtype=np.int64) if preset is None else np.asarray(preset, dtype=np.int64).copy()
    props = np.atleast_2d(props)
    order = np.argsort(strata, kind="stable")
    bounds = np.searchsorted(strata[order], np.arange(props.shape[0] + 1))
    for s in range(props.shape[0]):
        idx = order[bounds[s]:bounds[s + 1]]
        if len(idx) == 0:
            continue
        target = largest_remainder(props[s], len(idx))
        fixed = out[idx] >= 0
        free = idx[~fixed]
        if fixed.any():
            resid = np.clip(target - np.bincount(out[idx][fixed], minlength=props.shape[1]), 0, None)
            target = largest_remainder(resid if resid.sum() > 0 else props[s], len(free))
        if len(free) == 0:
            continue
        if weighted is not None and target[weighted[0]] > 0:
            c, logw = weighted
            key = logw[free] + rng.gumbel(size=len(free))
            k = int(target[c])
            pick = np.argsort(-key, kind="stable")[:k]
            out[free[pick]] = c
            free = np.delete(free, pick)
            target = target.copy()
            target[c] = 0
        perm = rng.permutation(free)
        out[perm] = np.repeat(np.arange(props.shape[1]), target)
    return out


def by_grant_count(strata: np.ndarray, props: np.ndarray, ng: np.ndarray, classes: int = 3
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Strata split by the member's number of grants (1, 2, 3+): an exact allocation per split
    stratum holds for grants as well as for persons (Tabel 15 counts grants, Tabel 13 persons)."""
    gc = np.clip(np.asarray(ng, dtype=np.int64), 1, classes) - 1
    return np.asarray(strata) * classes + gc, np.repeat(np.atleast_2d(props), classes, axis=0)


def assign_tokens(n: int, counts: list[int]) -> np.ndarray:
    """Boolean n x k matrix: every one of n persons gets >= 1 token, token j exactly counts[j] times
    (when sum(counts) >= n); extra tokens go to persons from the end backwards."""
    m = np.zeros((n, len(counts)), dtype=bool)
    tokens = np.concatenate([np.full(c, j) for j, c in enumerate(counts)]) if counts else np.array([], int)
    first = tokens[:n]
    m[np.arange(len(first)), first] = True
    p = n - 1
    for t in tokens[n:]:  # at most a few hundred tokens
        for _ in range(n):
            if not m[p, t]:
                m[p, t] = True
                p = (p - 1) % n
                break
            p = (p - 1) % n
    return m


def table_props(rows: list[str], cols: list[str], row_share: dict, col_share: dict, *, row_cond: dict | None = None,
                col_cond: dict | None = None, affinity: dict | None = None, seed_cols: dict | None = None) -> np.ndarray:
    """Rake a rows x cols table and return row-normalised shares.

    row_cond: {row: [{cols: [...], share: x}]} (share of the row); col_cond: {col: {row: share}} (share of
    the column); col_share may name a '+'-joined column set (e.g. 'kort+mellem+lang')."""
    r = np.array([row_share[k] for k in rows], float)
    r = r / r.sum()
    base = np.array([(seed_cols or {}).get(c, 1.0) for c in cols], float)
    seed = np.outer(r, base / base.sum())
    for row, aff in (affinity or {}).items():
        if row in rows:
            for c, f in aff.items():
                if c in cols:
                    seed[rows.index(row), cols.index(c)] *= f
    cons: list[tuple[np.ndarray, float]] = []
    for i in range(len(rows)):
        mask = np.zeros(seed.shape, bool)
        mask[i, :] = True
        cons.append((mask, r[i]))
    colsum = {}
    for key, v in col_share.items():
        mask = np.zeros(seed.shape, bool)
        for c in key.split("+"):
            mask[:, cols.index(c)] = True
        cons.append((mask, float(v)))
        colsum[key] = float(v)
    for row, lst in (row_cond or {}).items():
        if row not in rows:
            continue
        for item in lst:
            mask = np.zeros(seed.shape, bool)
            for c in item["cols"]:
                mask[rows.index(row), cols.index(c)] = True
            cons.append((mask, r[rows.index(row)] * float(item["share"])))
    for col, d in (col_cond or {}).items():
        for row, v in d.items():
            mask = np.zeros(seed.shape, bool)
            mask[rows.index(row), cols.index(col)] = True
            cons.append((mask, colsum[col] * float(v)))
    t = ipf(seed, cons)
    return t / t.sum(axis=1, keepdims=True)


def lognormal_for(mean: float, share_over: float, threshold: float = 300_000.0) -> tuple[float, float]:
    """(mu, sigma) of a lognormal with the given mean and P(X > threshold) (the larger sigma root)."""
    from scipy.stats import norm

    z = norm.ppf(1 - share_over)
    c = np.log(threshold / mean)
    disc = z * z - 2 * c
    sigma = z + np.sqrt(max(disc, 0.0))
    return float(np.log(threshold) - z * sigma), float(sigma)


# ----------------------------------------------------------------------------------------------
# mappings
# ----------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _icd_by_impairment() -> dict[str, list[str]]:
    m = pd.read_csv(MAPPINGS_DIR / "icd10_funktionsnedsaettelse.csv", comment="#", dtype=str)
    out: dict[str, list[str]] = {}
    prefixes = set(m["icd10_praefiks"])
    for p, f in zip(m["icd10_praefiks"], m["funktionsnedsaettelse"]):
        # extend 3-character prefixes with a digit that no longer prefix maps elsewhere (F60 -> F601, not F603)
        if len(p) == 3:
            for d in "0128947":
                if not any(q.startswith(p + d) for q in prefixes if q != p):
                    code = p + d
                    break
        else:
            code = p
        out.setdefault(f, []).append("D" + code)
    return out


@lru_cache(maxsize=1)
def _hfaudd_codes() -> dict[str, np.ndarray]:
    h = hfaudd_niveau()
    cal = load_calibration()
    return {g: np.sort(h.loc[h["niveau_kode"].isin(lv), "hfaudd_kode"].to_numpy())
            for g, lv in cal["hfaudd_niveau_by_group"].items()}


# ----------------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------------
def generate(ctx) -> dict[str, pd.DataFrame]:
    cal = load_calibration()
    if not hasattr(ctx, "plan") or "grants" not in ctx.plan:
        raise RuntimeError("d3_registre needs ctx.plan['grants'] and ctx.plan['kommuner'] from d3_kommuner")
    gen = _Generator(ctx, cal)
    return gen.run()


class _Generator:
    def __init__(self, ctx, cal):
        self.ctx, self.cal = ctx, cal
        self.years = tuple(sorted(ctx.years))
        kom = ctx.plan["kommuner"]
        self.rang = kom["rang"].astype(int)
        names = kommune_navne()
        self.by_name = {v: k for k, v in names.items()}
        self.kom_codes = np.array(sorted(names), dtype=np.int64)

    def rng(self, name: str) -> np.random.Generator:
        return self.ctx.rng(f"d3_registre.{name}")

    # ---------------------------------------------------------------- grants and slots
    def _expand_grants(self) -> pd.DataFrame:
        plan = self.ctx.plan["grants"]
        plan = plan[(plan["antal"] > 0) & plan["aar"].isin(self.years)]
        plan = plan.sort_values(["ordning", "aar", "kommunekode"]).reset_index(drop=True)
        g = plan.loc[plan.index.repeat(plan["antal"].to_numpy())].reset_index(drop=True)[["ordning", "kommunekode", "aar"]]
        rng = self.rng("grants")
        ndays = np.where(pd.Series(g["aar"]).map(lambda y: y % 4 == 0), 366, 365)
        off = np.floor(rng.random(len(g)) * ndays).astype("int64")
        g["start"] = (g["aar"].astype(str) + "-01-01").astype("datetime64[s]").to_numpy().astype("datetime64[D]") + off
        g["block"] = (g["aar"] - 2018) // 2
        return g

    def _slots(self, g: pd.DataFrame) -> pd.DataFrame:
        """Assign grants to per-ordning persons ('slots'); returns g with column slot."""
        rng = self.rng("slots")
        nyears = {b: sum(1 for y in self.years if (y - 2018) // 2 == b) for b in g["block"].unique()}
        g["slot"] = -1
        next_id = 0
        for (o, b), grp in g.groupby(["ordning", "block"], sort=True):
            ratio = self.cal["persons_per_grant_2y" if nyears[b] == 2 else "persons_per_grant_1y"][o]
            per_k = grp.groupby("kommunekode").size()
            total = int(round(len(grp) * ratio))
            base = (per_k.to_numpy() > 0).astype(np.int64)
            rest = max(total - int(base.sum()), 0)
            pk = base + np.minimum(largest_remainder((per_k.to_numpy() - base).astype(float), rest), per_k.to_numpy() - base)
            pk_map = dict(zip(per_k.index, pk))
            offs = {}
            for k in per_k.index:
                offs[k] = next_id
                next_id += int(pk_map[k])
            idx = grp.index.to_numpy()
            perm = idx[rng.permutation(len(idx))]
            kk = g.loc[perm, "kommunekode"].to_numpy()
            sub = pd.DataFrame({"i": perm, "k": kk})
            rank = sub.groupby("k").cumcount().to_numpy()
            pks = np.array([pk_map[k] for k in kk])
            g.loc[perm, "slot"] = np.array([offs[k] for k in kk]) + rank % pks
        return g

    # ---------------------------------------------------------------- run
    def run(self) -> dict[str, pd.DataFrame]:
        g = self._slots(self._expand_grants())
        # slot table: index grant = earliest
        g = g.sort_values(["slot", "start"], kind="stable")
        slots = g.groupby("slot", sort=True).agg(ordning=("ordning", "first"), kommunekode=("kommunekode", "first"),
                                                  block=("block", "first"), first_start=("start", "min"))
        slots["year"] = slots["first_start"].astype("datetime64[s]").dt.year
        self.g, self.slots = g, slots
        self._merge_persons()
        self._attributes()
        self._dates()
        frames = self._registers()
        return frames

    # ---------------------------------------------------------------- persons shared between ordninger
    def _merge_persons(self):
        cal, slots = self.cal, self.slots
        rng = self.rng("merge")
        gid = np.arange(len(slots), dtype=np.int64)          # provisional: one person per slot
        slots["gid"] = gid
        slots["shift_to"] = pd.NaT
        par = cal["parallel"]
        flags = {}  # gid -> set of flags (mentor/sel) for parallel efforts
        self.is_flags = []
        used = set()

        def pick_partner(prim: pd.DataFrame, cand: pd.DataFrame) -> pd.Series:
            """Partner slot per primary, same block and year, same kommune when possible."""
            cand = cand[~cand.index.isin(used)]
            out = pd.Series(-1, index=prim.index, dtype=np.int64)
            c = cand.sample(frac=1, random_state=rng.integers(2**31)).copy()
            p = prim.sample(frac=1, random_state=rng.integers(2**31)).copy()
            for keys in (["block", "year", "kommunekode"], ["block", "year"]):
                pp = p[out.loc[p.index] < 0].copy()
                cc = c[~c.index.isin(used)].copy()
                if pp.empty or cc.empty:
                    continue
                pp["r"] = pp.groupby(keys).cumcount()
                cc["r"] = cc.groupby(keys).cumcount()
                m = pp.reset_index().merge(cc.reset_index(), on=keys + ["r"], suffixes=("", "_c"))
                out.loc[m["slot"].to_numpy()] = m["slot_c"].to_numpy()
                used.update(m["slot_c"].tolist())
            return out

        # isbryder persons: PA / HM partners, mentor and SEL by exact tokens (Tabel 16, N=41)
        isb = slots[slots["ordning"] == "is"]
        self.is_tokens = {}
        for b, grp in isb.groupby("block"):
            n = len(grp)
            cnt = [int(round(par["is"][k] * n)) for k in ("pa", "hm", "mentor", "sel")]
            u = n - int(round(par["is"]["none"] * n))
            tok = assign_tokens(u, cnt)
            order = grp.index.to_numpy()[rng.permutation(n)]
            for j, key in enumerate(("pa", "hm")):
                prim = slots.loc[order[:u][tok[:, j]]]
                cand = slots[(slots["ordning"] == key) & (slots["block"] == b)]
                partner = pick_partner(prim, cand)
                for ps, cs in partner.items():
                    if cs >= 0:
                        slots.loc[cs, "gid"] = slots.loc[ps, "gid"]
                        slots.loc[cs, "shift_to"] = slots.loc[ps, "first_start"]
            for j, key in ((2, "mentor"), (3, "sel")):
                for s in order[:u][tok[:, j]]:
                    flags.setdefault(("is", int(slots.loc[s, "gid"])), set()).add(key)
        # PA x HM shared persons
        for b in sorted(slots["block"].unique()):
            pa_s = slots[(slots["ordning"] == "pa") & (slots["block"] == b) & ~slots.index.isin(used)]
            hm_s = slots[(slots["ordning"] == "hm") & (slots["block"] == b) & ~slots.index.isin(used)]
            npa_total = int(((slots["ordning"] == "pa") & (slots["block"] == b)).sum())
            k = int(round(par["pa_hm_shared_per_pa_person"] * npa_total))
            ca = pa_s.groupby(["year", "kommunekode"]).size()
            ch = hm_s.groupby(["year", "kommunekode"]).size()
            cells = pd.concat([ca, ch], axis=1).fillna(0).astype(int)
            cap = cells.min(axis=1).to_numpy()
            kc = np.minimum(largest_remainder(cap.astype(float), k), cap)
            want = pd.Series(kc, index=cells.index)
            pa_r = pa_s.sample(frac=1, random_state=rng.integers(2**31)).copy()
            hm_r = hm_s.sample(frac=1, random_state=rng.integers(2**31)).copy()
            pa_r["r"] = pa_r.groupby(["year", "kommunekode"]).cumcount()
            hm_r["r"] = hm_r.groupby(["year", "kommunekode"]).cumcount()
            wa = want.reindex(pd.MultiIndex.from_arrays([pa_r["year"], pa_r["kommunekode"]])).to_numpy()
            wh = want.reindex(pd.MultiIndex.from_arrays([hm_r["year"], hm_r["kommunekode"]])).to_numpy()
            pa_r = pa_r[pa_r["r"].to_numpy() < wa]
            hm_r = hm_r[hm_r["r"].to_numpy() < wh]
            m = pa_r.reset_index().merge(hm_r.reset_index(), on=["year", "kommunekode", "r"], suffixes=("", "_h"))
            slots.loc[m["slot_h"].to_numpy(), "gid"] = slots.loc[m["slot"].to_numpy(), "gid"].to_numpy()
            slots.loc[m["slot_h"].to_numpy(), "shift_to"] = slots.loc[m["slot"].to_numpy(), "first_start"].to_numpy()
            used.update(m["slot"].tolist())
            used.update(m["slot_h"].tolist())
        # PA persons of the period whose HM grant is older and still running: Tabel 16 has 8,9 pct. of
        # PA recipients with an HM but 2,6 pct. of HM recipients with a PA (l.1441-1442), so some PA
        # recipients' HM was granted before the period (the year before it, kept open in _dates)
        self.open_slots = []
        k_old = int(round(par.get("pa_aeldre_hm_per_pa_person", 0.0) * int(((slots["ordning"] == "pa")
                                                                               & (slots["block"] == 0)).sum())))
        pa_s = slots[(slots["ordning"] == "pa") & (slots["block"] == 0) & ~slots.index.isin(used)]
        hm_s = slots[(slots["ordning"] == "hm") & (slots["block"] == -1) & ~slots.index.isin(used)]
        k_old = min(k_old, len(pa_s), len(hm_s))
        if k_old:
            pa_pick = pa_s.index.to_numpy()[rng.permutation(len(pa_s))[:k_old]]
            same = [hm_s.index[hm_s["kommunekode"] == slots.loc[p, "kommunekode"]] for p in pa_pick]
            hm_pick, taken = [], set()
            for cand in same:
                c = [x for x in cand if x not in taken] or [x for x in hm_s.index if x not in taken]
                hm_pick.append(c[0])
                taken.add(c[0])
            slots.loc[hm_pick, "gid"] = slots.loc[pa_pick, "gid"].to_numpy()
            used.update(pa_pick.tolist())
            used.update(hm_pick)
            self.open_slots = list(hm_pick)
        # mentor / SEL for PA and HM persons without another HKO (exact: per-effort shares and share with none)
        n_ord = slots.groupby("gid")["ordning"].nunique()
        for o in ("pa", "hm"):
            for b in sorted(slots["block"].unique()):
                pop = slots[(slots["ordning"] == o) & (slots["block"] == b)]
                n = len(pop)
                multi = (n_ord.reindex(pop["gid"]).to_numpy() > 1)
                m_cnt = int(round(par[o]["mentor"] * n))
                s_cnt = int(round(par[o]["sel"] * n))
                u = int(round((1 - par[o]["none"]) * n)) - int(multi.sum())
                u = int(np.clip(u, max(m_cnt, s_cnt), m_cnt + s_cnt))
                elig = pop.index.to_numpy()[~multi]
                chosen = elig[rng.permutation(len(elig))[:u]]
                tok = assign_tokens(len(chosen), [m_cnt, s_cnt])
                for j, key in enumerate(("mentor", "sel")):
                    for s in chosen[tok[:, j]]:
                        flags.setdefault((o, int(slots.loc[s, "gid"])), set()).add(key)
        # compact person ids
        uniq, inv = np.unique(slots["gid"].to_numpy(), return_inverse=True)
        slots["gid"] = inv
        remap = dict(zip(uniq.tolist(), range(len(uniq))))
        self.flags = {(o, remap[gd]): v for (o, gd), v in flags.items()}
        self.n_pers = len(uniq)
        # shift partner grants so the overlap holds (inside the grant's year)
        g = self.g
        sh = slots.loc[slots["shift_to"].notna(), "shift_to"]
        rng2 = self.rng("shift")
        sub = g[g["slot"].isin(sh.index)]
        first = sub.groupby("slot")["start"].idxmin().reindex(sh.index).to_numpy()
        yr = pd.DatetimeIndex(g.loc[first, "start"]).year.to_numpy()
        new = sh.to_numpy().astype("datetime64[D]") + rng2.integers(0, 31, len(sh))
        hi = (yr - 1970).astype("datetime64[Y]").astype("datetime64[D]") + np.array(
            [365 + (y % 4 == 0) - 1 for y in yr]).astype("timedelta64[D]")
        lo = (yr - 1970).astype("datetime64[Y]").astype("datetime64[D]")
        g.loc[first, "start"] = np.maximum(np.minimum(new, hi), lo)
        g["gid"] = slots["gid"].reindex(g["slot"]).to_numpy()
        slots["first_start"] = g.groupby("slot")["start"].min()
        slots["year"] = slots["first_start"].astype("datetime64[s]").dt.year

    # ---------------------------------------------------------------- person attributes
    def _attributes(self):
        slots = self.slots
        n = self.n_pers
        A = {k: np.full(n, -1, dtype=np.int64) for k in ("state", "emp", "sex", "band", "age", "edu", "cat1", "cat2", "dob")}
        A["income"] = np.full(n, np.nan)
        A["kommune"] = np.zeros(n, dtype=np.int64)
        A["block"] = np.zeros(n, dtype=np.int64)
        A["ordning"] = np.full(n, "", dtype=object)
        A["index_start"] = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        slots["type"] = ""
        for o in ORDNINGER:
            so = slots[slots["ordning"] == o]
            for b in sorted(so["block"].unique()):
                self._allocate(so[so["block"] == b], o, b, A)
        self.A = A

    def _allocate(self, pop: pd.DataFrame, o: str, b: int, A: dict):
        cal, slots = self.cal, self.slots
        rng = self.rng(f"attr.{o}.{b}")
        gid = pop["gid"].to_numpy()
        new = A["state"][gid] < 0                      # not yet fixed by an earlier ordning
        m = len(pop)
        kom = pop["kommunekode"].to_numpy()
        ng = self.g.groupby("slot").size().reindex(pop.index).fillna(1).to_numpy().astype(np.int64)
        # type (grant attribute of the slot)
        if o == "pa":
            types = list(cal["pa_type"])
            tcode = allocate(*by_grant_count(np.zeros(m, int), np.array([list(cal["pa_type"].values())]), ng), rng)
        elif o == "hm":
            types = list(cal["hm_type"])
            tcode = self._hm_types(kom, ng, rng)
        else:
            types = ["isbryder"]
            tcode = np.zeros(m, int)
        slots.loc[pop.index, "type"] = np.array(types, dtype=object)[tcode]
        tshare = np.bincount(tcode, minlength=len(types)) / m
        rs = dict(zip(types, tshare))

        def preset(key):
            p = A[key][gid].copy()
            p[new] = -1
            return p

        # ydelsesgruppe at grant (state)
        if o == "is":
            cols = list(cal["is_states"])
            props = np.array([[cal["is_states"][c] for c in cols]])
            colidx = np.array([S_IDX[c] for c in cols])
        else:
            margin = dict(cal[f"states_{o}"])
            if b != 0:
                margin["selvforsoerget"] *= 1 + cal["state_drift_per_block"] * b
            tot = sum(margin.values())
            margin = {k: v / tot for k, v in margin.items()}
            cols = list(margin)
            colidx = np.array([S_IDX[c] for c in cols])
            props = table_props(types, cols, rs, margin, row_cond=cal[f"{o}_state_given_type"],
                                col_cond=cal.get(f"{o}_type_given_state"), affinity=cal["state_affinity"])
        pre = preset("state")
        pre_local = np.full(m, -1)
        inv = {c: i for i, c in enumerate(colidx)}
        ok = pre >= 0
        pre_local[ok] = [inv.get(v, -1) for v in pre[ok]]
        pre_local = np.where(ok & (pre_local < 0), 0, pre_local)
        if o != "is" and o in cal.get("rekrutteringsgrad_strategi", {}):
            # two stages: perspective (fastholdelse/rekruttering) with the casekommuner's strategy
            # rates, then the state within (type, perspective) from the raked table's conditional rows
            rek_col = np.array([c not in cal["fastholdelse_states"] for c in cols])
            flag = self._perspective(pop, o, tcode, props[:, rek_col].sum(axis=1), rek_col, pre_local)
            cond = np.zeros((2 * len(types), len(cols)))
            for t in range(len(types)):
                for f, mask in ((0, ~rek_col), (1, rek_col)):
                    row = np.where(mask, props[t], 0.0)
                    cond[2 * t + f] = row / row.sum() if row.sum() > 0 else mask / mask.sum()
            st_local = allocate(*by_grant_count(2 * tcode + flag, cond, ng), rng, preset=pre_local)
        else:
            st_local = allocate(tcode if o != "is" else np.zeros(m, int), props, rng, preset=pre_local)
        st = colidx[st_local]
        st[ok] = pre[ok]
        A["state"][gid[new]] = st[new]
        # employed given selvforsørget (beskæftigelse = grad > 0 in the grant month)
        be = cal["beskaeftiget_given_selvforsoerget"]
        e0 = be.get(o, be["default"])
        emp_p = np.array([[1 - e0, e0], [1 - be["fysisk_aflastning"], be["fysisk_aflastning"]]])
        strat = (np.array(types, dtype=object)[tcode] == "fysisk_aflastning").astype(int)
        if o == "is":
            emp = np.ones(m, int)
        else:
            emp = allocate(strat, emp_p, rng, preset=preset("emp"))
            job_after = rng.random(m) < cal["rekruttering_job_after_share"]
            emp = np.where(st == S_IDX["selvforsoerget"], emp, job_after.astype(int))
        A["emp"][gid[new]] = emp[new]
        # sex
        men = cal["men"][o]
        if o == "is":
            sex = allocate(np.zeros(m, int), np.array([[men, 1 - men]]), rng, preset=preset("sex"))
        else:
            rc = {t: [{"cols": ["M"], "share": v}] for t, v in cal["men_given_type"].items()}
            props = table_props(types, ["M", "K"], rs, {"M": men, "K": 1 - men}, row_cond=rc)
            sex = allocate(tcode, props, rng, preset=preset("sex"))
        A["sex"][gid[new]] = sex[new]
        # age band and exact age
        age_m = cal["age"][o]
        if o == "is":
            band = allocate(np.zeros(m, int), np.array([[age_m[a] for a in AGE_BANDS]]), rng, preset=preset("band"))
        else:
            rc = {t: [{"cols": [a], "share": v} for a, v in d.items()] for t, d in cal["age_given_type"].items()}
            props = table_props(types, list(AGE_BANDS), rs, {a: age_m[a] for a in AGE_BANDS}, row_cond=rc)
            band = allocate(tcode, props, rng, preset=preset("band"))
        lo = np.array([cal["age_bands"][a][0] for a in AGE_BANDS])[band]
        hi = np.array([cal["age_bands"][a][1] for a in AGE_BANDS])[band]
        age = lo + np.floor(rng.random(m) * (hi - lo + 1)).astype(int)
        A["band"][gid[new]] = band[new]
        A["age"][gid[new]] = age[new]
        # education by rammevilkår band
        rb = np.where(self.rang.reindex(kom).to_numpy() <= 32, 0, np.where(self.rang.reindex(kom).to_numpy() <= 66, 1, 2))
        e = cal["edu"][o]
        if o == "is":
            props = np.array([[e.get(x, 0.0) for x in EDU]])
            edu = allocate(np.zeros(m, int), props, rng, preset=preset("edu"))
        else:
            vid = e["videregaaende"]
            seed_cols = {"grundskole": e["grundskole"], "gymnasial_erhvervsfaglig": e["gymnasial_erhvervsfaglig"],
                         "kort_videregaaende": vid * 0.2, "mellemlang_videregaaende": vid * 0.5,
                         "lang_videregaaende": vid * 0.3, "uoplyst": max(e["uoplyst"], 1e-9)}
            nb = np.bincount(rb, minlength=3) / m
            grad_ = cal["edu_rank_gradient"]
            aff = {BANDS[i]: {c: float(np.exp(grad_ * (i - 1))) for c in EDU[2:5]} for i in range(3)}
            rc = None
            if o == "pa":
                rc = {BANDS[i]: [{"cols": ["lang_videregaaende"], "share": cal["pa_lang_by_band"][BANDS[i]]}] for i in range(3)}
            cs = {"grundskole": e["grundskole"], "gymnasial_erhvervsfaglig": e["gymnasial_erhvervsfaglig"],
                  "kort_videregaaende+mellemlang_videregaaende+lang_videregaaende": vid, "uoplyst": max(e["uoplyst"], 1e-9)}
            props = table_props(list(BANDS), list(EDU), dict(zip(BANDS, np.maximum(nb, 1e-9))), cs,
                                row_cond=rc, affinity=aff, seed_cols=seed_cols)
            edu = allocate(rb, props, rng, preset=preset("edu"))
        A["edu"][gid[new]] = edu[new]
        # income: lognormal at stratified quantiles, handed out by score
        inc = cal["income"][o]
        mu, sig = lognormal_for(inc["mean"], inc["share_over_300k"])
        from scipy.stats import norm
        sc = cal["income_score"]
        score = (np.array([sc["edu"][x] for x in EDU])[edu] + np.array([sc["state"][s] for s in STATES])[st]
                 + rng.normal(0, sc["sd"], m))
        k = int(new.sum())
        if k:
            q = (np.arange(k) + rng.random(k)) / k
            vals = np.sort(np.exp(mu + sig * norm.ppf(q)))
            # the mean holds over the whole population, persons fixed by an earlier ordning included
            # (Tabel 13 prints it to the krone): the new persons carry the rest of the exact total
            total = round(inc["mean"] * m) - float(np.nansum(A["income"][gid[~new]]))
            vals = np.round(vals * total / vals.sum())
            vals[-1] += total - vals.sum()
            who = gid[new][np.argsort(score[new], kind="stable")]
            A["income"][who] = vals
        # impairment categories
        d = cal["dobbeltdiagnose"][o]
        S = np.array([[cal["secondary_given_primary"][c1].get(c2, 0.0) for c2 in CATS] for c1 in CATS])
        hc = cal["has_category"]
        prim_props, has_vecs = [], []
        tnames = types if o != "is" else ["is"]
        for t in tnames:
            h = hc.get(t, hc.get(f"{o}_default", hc.get("is")))
            hv = np.array([h[c] for c in CATS])
            hv = hv * (1 + d) / hv.sum()
            has_vecs.append(hv)
            p = np.clip(np.linalg.solve(np.eye(5) + d * S.T, hv), 0.02 * hv, None)
            prim_props.append(p / p.sum())
        off = self._fys_offset()
        logw = pd.Series(off).reindex(kom).fillna(0).to_numpy()
        cat1 = allocate(tcode if o != "is" else np.zeros(m, int), np.array(prim_props), rng, preset=preset("cat1"),
                        weighted=(0, logw))
        dob = allocate(np.zeros(m, int), np.array([[1 - d, d]]), rng, preset=preset("dob"))
        # secondary category: exact residual (has-count minus primary count) per type, never = primary
        cat2 = np.full(m, -1)
        strata = tcode if o != "is" else np.zeros(m, int)
        for si, hv in enumerate(has_vecs):
            free = np.flatnonzero((strata == si) & new)
            if not len(free):
                continue
            rem = free[dob[free] == 1]
            resid = np.clip(hv / (1 + d) * len(free) * (1 + d) - np.bincount(cat1[free], minlength=5), 0, None)
            target = largest_remainder(resid, len(rem))
            todo = [int(c) for c in np.argsort(-target, kind="stable") if target[c] > 0]
            while todo:
                # scarcest category first (target / persons whose primary is another category): the
                # dominant primary category can only be given as secondary to the few others
                elig = {c: int((cat1[rem] != c).sum()) for c in todo}
                c = max(todo, key=lambda c: target[c] / max(elig[c], 1))
                todo.remove(c)
                el = rem[cat1[rem] != c]
                k = min(int(target[c]), len(el))
                if k <= 0:
                    continue
                key = (logw[el] if c == 0 else 0.0) + rng.gumbel(size=len(el))
                pick = el[np.argsort(-key, kind="stable")[:k]]
                cat2[pick] = c
                rem = np.setdiff1d(rem, pick)
            if len(rem):  # leftovers: any category other than the primary
                cat2[rem] = (cat1[rem] + 1 + rng.integers(0, 4, len(rem))) % 5
        cat2 = np.where(dob == 1, cat2, -1)
        A["cat1"][gid[new]] = cat1[new]
        A["dob"][gid[new]] = dob[new]
        A["cat2"][gid[new]] = cat2[new]
        A["kommune"][gid[new]] = kom[new]
        A["block"][gid[new]] = b
        A["ordning"][gid[new]] = o
        A["index_start"][gid[new]] = pop["first_start"].to_numpy().astype("datetime64[D]")[new]

    def _perspective(self, pop: pd.DataFrame, o: str, tcode: np.ndarray, r_type: np.ndarray, rek_col: np.ndarray,
                     pre_local: np.ndarray) -> np.ndarray:
        """0/1 rekruttering flag per slot of ``pop`` (rekrutteringsgrad, def. 11).

        Casekommuner: the flag goes to a Gumbel-top-k draw (log-odds of the slot's type) until the
        kommune's grants with the flag reach its strategy's rate (``rekrutteringsgrad_strategi``,
        l.1379-1385) as closely as whole persons allow, so each kommune's grant-level rate (and the
        unweighted strategy mean) holds. Other kommuner: per type, exactly the rest of the type's
        national rekruttering count (persons), so the national type x perspective table is unchanged.
        Slots with a preset state (shared persons) keep its perspective."""
        rates = self.cal["rekrutteringsgrad_strategi"][o]
        rng = self.rng(f"perspective.{o}.{int(pop['block'].iloc[0])}")
        m = len(pop)
        flag = np.full(m, -1, dtype=np.int64)
        fixed = pre_local >= 0
        flag[fixed] = rek_col[pre_local[fixed]].astype(np.int64)
        kom = pop["kommunekode"].to_numpy()
        strat = self.ctx.plan["kommuner"]["strategi"].reindex(kom).to_numpy(object)
        ng = self.g.groupby("slot").size().reindex(pop.index).fillna(1).to_numpy().astype(np.int64)
        rt = np.clip(r_type, 1e-3, 1 - 1e-3)
        logit = np.log(rt / (1 - rt))[tcode]
        case = np.array([isinstance(s, str) and s in rates for s in strat])
        for k in np.unique(kom[case]):
            idx = np.flatnonzero(kom == k)
            target = rates[strat[idx[0]]] * ng[idx].sum() - ng[idx][flag[idx] == 1].sum()
            free = idx[flag[idx] < 0]
            order = free[np.argsort(-(logit[free] + rng.gumbel(size=len(free))), kind="stable")]
            sums = np.concatenate([[0], np.cumsum(ng[order])])
            take = order[:int(np.argmin(np.abs(sums - target)))]
            flag[free] = 0
            flag[take] = 1
        for t in np.unique(tcode):
            it = np.flatnonzero(tcode == t)
            want = int(round(r_type[t] * len(it))) - int((flag[it] == 1).sum())
            free = it[flag[it] < 0]
            want = int(np.clip(want, 0, len(free)))
            flag[free] = 0
            flag[free[rng.permutation(len(free))[:want]]] = 1
        return flag

    def _hm_types(self, kom: np.ndarray, ng: np.ndarray, rng) -> np.ndarray:
        cal = self.cal
        types = list(cal["hm_type"])
        ks = np.unique(kom)
        cnt = pd.Series(kom).value_counts().reindex(ks).to_numpy().astype(float)
        vk = cal["hm_vaerktoej_kommuner"]
        rc = {}
        for grp in ("hoej", "lav"):
            for name in vk[grp]["kommuner"]:
                code = self.by_name.get(name)
                if code in ks:
                    rc[str(code)] = [{"cols": ["vaerktoej_udstyr"], "share": vk[grp]["share"]}]
        props = table_props([str(k) for k in ks], types, dict(zip([str(k) for k in ks], cnt / cnt.sum())),
                            dict(cal["hm_type"]), row_cond=rc)
        strata = np.searchsorted(ks, kom)
        return allocate(*by_grant_count(strata, props, ng), rng)

    def _fys_offset(self) -> dict[int, float]:
        cal = self.cal["fysisk_kommune_offset"]
        r = self.rng("fys_offset")
        off = dict(zip(self.kom_codes.tolist(), r.normal(0, cal["sd_other"], len(self.kom_codes))))
        for grp in ("lav", "hoej"):
            for name in cal[grp]["kommuner"]:
                off[self.by_name[name]] = cal[grp]["offset"]
        return off

    # ---------------------------------------------------------------- dates, durations, grant columns
    def _dates(self):
        cal, g = self.cal, self.g
        rng = self.rng("durations")
        g["end"] = np.datetime64("NaT")
        for o in ("pa", "hm", "is"):
            idx = g.index[g["ordning"] == o]
            n = len(idx)
            c = cal["duration_weeks"][o]
            if o == "pa":
                comp = np.array(c["components"], float)
                k = rng.choice(len(comp), size=n, p=comp[:, 0] / comp[:, 0].sum())
                w = np.maximum(rng.normal(comp[k, 1], comp[k, 2]), 8)
            else:
                w = np.exp(rng.normal(0, c["sdlog"], n))
                if o == "is":
                    w = np.minimum(w, 1.5)
            has_end = rng.random(n) < c["share_with_end"]
            days = w * 7.0
            yrs = g.loc[idx, "aar"].to_numpy()
            for y in np.unique(yrs):
                sel = (yrs == y) & has_end
                if sel.any():
                    days[yrs == y] *= c["mean"] * 7.0 / days[sel].mean()
            days = np.maximum(np.round(days), 35 if o != "is" else 56).astype("int64")
            end = g.loc[idx, "start"].to_numpy().astype("datetime64[D]") + days
            g.loc[idx, "end"] = np.where(has_end, end, np.datetime64("NaT"))
        g.loc[g["slot"].isin(getattr(self, "open_slots", [])), "end"] = np.datetime64("NaT")  # still running
        g["end"] = pd.to_datetime(g["end"])
        g["start"] = pd.to_datetime(g["start"])

    # ---------------------------------------------------------------- registers
    def _registers(self) -> dict[str, pd.DataFrame]:
        cal, g, A = self.cal, self.g, self.A
        rng = self.rng("registers")
        n = self.n_pers
        # unrelated persons
        n_un = int(round(cal["unrelated_persons_share"] * n))
        N = n + n_un
        kom_all = np.concatenate([A["kommune"], rng.choice(self.kom_codes, n_un)])
        sex = np.concatenate([A["sex"], rng.integers(0, 2, n_un)])
        age = np.concatenate([A["age"], rng.integers(18, 66, n_un)])
        y0 = self.years[0]
        un_start = np.datetime64(f"{y0}-01-01") + rng.integers(0, 365 * len(self.years), n_un)
        index_start = np.concatenate([A["index_start"], un_start.astype("datetime64[D]")])
        state = np.concatenate([A["state"], rng.choice([0, 2, 4, 6, 7, 12], n_un, p=[.7, .06, .06, .06, .08, .04])])
        emp = np.concatenate([A["emp"], (rng.random(n_un) < 0.8).astype(int)])
        edu = np.concatenate([A["edu"], rng.choice(6, n_un, p=[.25, .42, .06, .15, .1, .02])])
        income = np.concatenate([A["income"], np.round(np.exp(rng.normal(12.3, 0.5, n_un)))])
        # pnr: P + 8 digits, unique, random
        draws = np.unique(rng.integers(0, 10**8, int(N * 1.3) + 100))
        draws = rng.permutation(draws)[:N]
        pnr = np.char.add("P", np.char.zfill(draws.astype(str), 8)).astype(object)
        # birth date: first of a month, exact age at the index start
        ist = index_start.astype("datetime64[M]")
        kmo = rng.integers(0, 12, N)
        dob = (ist - (12 * age + kmo).astype("timedelta64[M]")).astype("datetime64[D]")
        self.pnr, self.dob, self.kom_all, self.sex_all = pnr, dob, kom_all, sex
        g["pnr"] = pnr[g["gid"].to_numpy()]
        # grant weeks per person
        gw = ((g["start"].to_numpy().astype("datetime64[D]") - EPOCH).astype(np.int64) // 7)
        gd = pd.DataFrame({"gid": g["gid"].to_numpy(), "w": gw})
        fw = np.full(N, 0, np.int64)
        lw = np.full(N, 0, np.int64)
        agg = gd.groupby("gid")["w"].agg(["min", "max"])
        fw[agg.index.to_numpy()] = agg["min"].to_numpy()
        lw[agg.index.to_numpy()] = agg["max"].to_numpy()
        uw = ((index_start[n:] - EPOCH).astype(np.int64) // 7)
        fw[n:] = uw
        lw[n:] = uw
        is_person = np.zeros(N, bool)
        is_person[g.loc[g["ordning"] == "is", "gid"].to_numpy()] = True
        dream, monthly, week_cols, month_cols = self._dream(N, state, emp, fw, lw, is_person, rng)
        frames = {}
        frames.update(self._grant_tables(rng))
        frames["dream"] = self._dream_frame(dream, monthly, week_cols, month_cols, N)
        frames["loentimer"] = self._loentimer(monthly, month_cols)
        frames.update(self._person_year(N, sex, dob, kom_all, edu, income, rng))
        frames.update(self._efforts(N, n, index_start, fw, rng))
        frames["lpr_diagnoser"] = self._lpr(rng)
        self._plan_outputs(dream, week_cols)
        return frames

    def _week_axis(self):
        """Every ISO week with a day in ctx.years (incl. the ISO week of 1 January of the first year)."""
        y0, y1 = self.years[0], self.years[-1]
        d0, d1 = dt.date(y0, 1, 1), dt.date(y1, 12, 31)
        first = np.datetime64(d0 - dt.timedelta(days=d0.weekday()))
        last = np.datetime64(d1 + dt.timedelta(days=7 - d1.weekday()))
        w0 = (first - EPOCH).astype(np.int64) // 7
        w1 = (last - EPOCH).astype(np.int64) // 7
        weeks = np.arange(w0, w1)
        mondays = EPOCH + (weeks * 7).astype("timedelta64[D]")
        iso = [pd.Timestamp(d).isocalendar() for d in mondays]
        keep = np.ones(len(weeks), dtype=bool)
        cols = [f"y_{i[0] % 100:02d}{i[1]:02d}" for i in iso]
        thursdays = mondays + np.timedelta64(3, "D")
        tm = thursdays.astype("datetime64[M]")
        return weeks, keep, cols, tm

    def _dream(self, N, state, emp, fw, lw, is_person, rng):
        cal = self.cal
        weeks, keep, cols, tm = self._week_axis()
        w0, W = weeks[0], len(weeks)
        codes = np.zeros((N, W), dtype=np.int16)
        sp = cal["spells"]
        pre_min = np.array([sp[s][0] for s in STATES])
        pre_max = np.array([sp[s][1] for s in STATES])
        post_min = np.array([sp[s][2] for s in STATES])
        post_max = np.array([sp[s][3] for s in STATES])
        prior_state = np.array([S_IDX[sp[s][4]] for s in STATES])
        pr_min = np.array([sp[s][5] for s in STATES])
        pr_max = np.array([sp[s][6] for s in STATES])
        gap_max = np.array([sp[s][7] for s in STATES])
        code_of = np.array([cal["state_codes"][s] for s in STATES], dtype=np.int16)
        pre = rng.integers(pre_min[state], pre_max[state] + 1)
        post = rng.integers(post_min[state], post_max[state] + 1)
        post = np.where(is_person, 0, post)
        main_s, main_e = fw - pre, lw + post
        has_prior = pr_max[state] > 0
        sf = state == S_IDX["selvforsoerget"]
        has_prior &= ~sf | (rng.random(N) < cal["selvforsoerget_prior_share"])
        plen = rng.integers(np.maximum(pr_min[state], 1), np.maximum(pr_max[state], 1) + 1)
        gap = rng.integers(0, gap_max[state] + 1)
        prior_e = main_s - 1 - gap
        prior_s = prior_e - plen + 1
        rows = np.arange(N)

        def paint(r, s, e, c):
            s = np.clip(s - w0, 0, None)
            e = np.clip(e - w0, None, W - 1)
            ok = (s <= e) & (c != 0)
            r, s, e, c = r[ok], s[ok], e[ok], c[ok]
            ln = e - s + 1
            rr = np.repeat(r, ln)
            cc = np.repeat(s, ln) + (np.arange(ln.sum()) - np.repeat(np.cumsum(ln) - ln, ln))
            codes[rr, cc] = np.repeat(c, ln)

        paint(rows[has_prior], prior_s[has_prior], prior_e[has_prior], code_of[prior_state[state[has_prior]]])
        paint(rows, main_s, main_e, code_of[state])
        led = state == S_IDX["ledighedsydelse"]
        paint(rows[led], main_e[led] + 1, main_e[led] + rng.integers(20, 200, led.sum()), np.full(led.sum(), 771, np.int16))
        # weekly employment grade (-1 = not employed)
        gr = cal["grad"]
        g_full = rng.integers(gr["selvforsoerget"][0], gr["selvforsoerget"][1] + 1, N)
        g_fleks = rng.integers(gr["fleksjob"][0], gr["fleksjob"][1] + 1, N)
        g_delv = rng.integers(gr["delvis_sygemeldt"][0], gr["delvis_sygemeldt"][1] + 1, N)
        sdp_job = rng.random(N) < cal["sygedagpenge_with_job"]
        gw = np.full((N, W), -1, dtype=np.int8)
        gw[(codes == 0) & (emp[:, None] == 1)] = np.broadcast_to(g_full[:, None], (N, W))[(codes == 0) & (emp[:, None] == 1)]
        m = codes == 771
        gw[m] = np.broadcast_to(g_fleks[:, None], (N, W))[m]
        m = codes == 899
        gw[m] = np.broadcast_to(g_delv[:, None], (N, W))[m]
        gw[(codes == 890) & sdp_job[:, None]] = 0
        # isbryder løntilskud: employed from the løntilskud start to its end
        gi = self.g[self.g["ordning"] == "is"]
        ws = ((gi["start"].to_numpy().astype("datetime64[D]") - EPOCH).astype(np.int64) // 7) - w0
        we_ = gi["end"].fillna(gi["start"] + pd.Timedelta(days=280)).to_numpy().astype("datetime64[D]")
        we = ((we_ - EPOCH).astype(np.int64) // 7) - w0
        g_is = rng.integers(gr["isbryder"][0], gr["isbryder"][1] + 1, len(gi)).astype(np.int8)
        for r, s, e, v in zip(gi["gid"].to_numpy(), ws, we, g_is):  # <= ~150 løntilskud spells
            gw[r, max(s, 0):min(e, W - 1) + 1] = np.maximum(gw[r, max(s, 0):min(e, W - 1) + 1], v)
        # monthly grad = max over the weeks whose Thursday is in the month
        months = np.array([f"{y}-{mo:02d}" for y in self.years for mo in range(1, 13)], dtype="datetime64[M]")
        month_of_week = np.clip(np.searchsorted(months, tm), 0, len(months) - 1)
        starts = np.searchsorted(month_of_week, np.arange(len(months)))
        gm = np.maximum.reduceat(gw, starts, axis=1).astype(np.int16)
        # isbryder: employed in every month of the løntilskud (incl. a start month whose weeks count elsewhere)
        ms = np.searchsorted(months, gi["start"].to_numpy().astype("datetime64[M]"))
        me = np.searchsorted(months, we_.astype("datetime64[M]"))
        for r, s, e, v in zip(gi["gid"].to_numpy(), ms, me, g_is):
            gm[r, s:e + 1] = np.maximum(gm[r, s:e + 1], v)
        # hours gain after the grant for some employed persons (delanalyse 5: øgede løntimer)
        gain = rng.random(N) < cal["gain_hours_share"]
        fac = rng.uniform(*cal["gain_hours_factor"], N)
        im = np.searchsorted(months, (EPOCH + (fw * 7).astype("timedelta64[D]")).astype("datetime64[M]"))
        after = np.arange(len(months))[None, :] > im[:, None]
        boost = gain[:, None] & after & (gm > 0)
        gm = np.where(boost, np.minimum(np.round(gm * fac[:, None]), 100), gm).astype(np.int16)
        self.month_axis = months
        self.week_axis = (w0, keep, cols)
        self.codes = codes
        week_cols = [c for c, k in zip(cols, keep) if k]
        month_cols = [f"{str(mo)[:4]}_{str(mo)[5:7]}" for mo in months]
        return codes[:, keep], gm, week_cols, month_cols

    def _dream_frame(self, codes, gm, week_cols, month_cols, N) -> pd.DataFrame:
        cal = self.cal
        rng = self.rng("jobs")
        A, n = self.A, self.n_pers
        # job attributes (branche group, sektor), allocated exactly among persons with a code in the index month
        months = self.month_axis
        im = np.searchsorted(months, self.A["index_start"].astype("datetime64[M]"))
        im = np.clip(im, 0, len(months) - 1)
        has_code = gm[np.arange(n), im] >= 0
        bgroups = list(pd.read_csv(MAPPINGS_DIR / "branche_db07.csv", comment="#")["branchegruppe"])
        bgrp = np.full(N, -1, np.int64)
        sek = np.full(N, -1, np.int64)
        pa_sl = self.slots[self.slots["ordning"] == "pa"]
        pa_sl = pa_sl[A["ordning"][pa_sl["gid"].to_numpy()] == "is"]
        pa_is_gid = pa_sl["gid"].to_numpy().astype(np.int64)
        pa_is_kom = pa_sl["kommunekode"].to_numpy().astype(np.int64)
        pa_is_blk = pa_sl["block"].to_numpy().astype(np.int64)
        for o, blk in sorted({(o, int(b)) for o, b in zip(A["ordning"], A["block"])}):
            sel = (A["ordning"] == o) & (A["block"] == blk)
            bs = cal["branche"][o]
            for part in (has_code, ~has_code):
                idx = np.flatnonzero(sel & part)
                if not len(idx):
                    continue
                kom = A["kommune"][idx]
                if o == "pa":
                    # isbryder persons who are also PA recipients of the block keep their branche but
                    # count in their PA kommune's target (residual allocation, e.g. Esbjerg l.1481)
                    sh = np.flatnonzero(part[pa_is_gid] & (pa_is_blk == blk))
                    n_own = len(idx)
                    idx_pa = np.concatenate([idx, pa_is_gid[sh]])
                    kom = np.concatenate([kom, pa_is_kom[sh]])
                    ks = np.unique(kom)
                    cnt = pd.Series(kom).value_counts().reindex(ks).to_numpy().astype(float)
                    rc = {}
                    for name, d in cal["branche_kommune_pa"].items():
                        c = self.by_name[name]
                        if c in ks:
                            rc[str(c)] = [{"cols": [k], "share": v} for k, v in d.items()]
                    props = table_props([str(k) for k in ks], bgroups, dict(zip([str(k) for k in ks], cnt / cnt.sum())),
                                        {k: bs.get(k, 0.0) + 1e-9 for k in bgroups}, row_cond=rc)
                    pre = np.concatenate([np.full(n_own, -1), bgrp[idx_pa[n_own:]]])
                    bg = allocate(np.searchsorted(ks, kom), props, rng, preset=pre)[:n_own]
                else:
                    bg = allocate(np.zeros(len(idx), int), np.array([[bs.get(k, 0.0) for k in bgroups]]), rng)
                bgrp[idx] = bg
                # sektor: offentlig branche -> offentlig; the rest split to reach the total share
                off_b = bg == bgroups.index("offentlig_adm_undervisning_sundhed")
                tot = cal["sektor_offentlig"][o]
                share_rest = np.clip((tot * len(idx) - off_b.sum()) / max((~off_b).sum(), 1), 0, 1)
                if o == "is":
                    s = allocate(np.zeros(len(idx), int), np.array([[tot, 1 - tot]]), rng)
                else:
                    s = allocate(off_b.astype(int), np.array([[share_rest, 1 - share_rest], [1.0, 0.0]]), rng)
                sek[idx] = s
        un = np.arange(n, N)
        self.has_code, self.bgrp = has_code, bgrp
        bgrp[un] = rng.choice(len(bgroups), len(un))
        sek[un] = (rng.random(len(un)) < 0.35).astype(int) ^ 1
        codes_by_grp = cal["branche_codes"]
        flat = np.concatenate([np.array(codes_by_grp[b], dtype=str) for b in bgroups])
        lens = np.array([len(codes_by_grp[b]) for b in bgroups])
        offs = np.concatenate([[0], np.cumsum(lens)[:-1]])
        person_code = flat[offs[bgrp] + np.floor(rng.random(N) * lens[bgrp]).astype(np.int64)]
        uniq_codes, pc_idx = np.unique(person_code, return_inverse=True)
        cols = {"pnr": pd.array(self.pnr, dtype="string"),
                "foeddt": pd.to_datetime(self.dob),
                "kon": pd.array(np.where(self.sex_all == 0, "M", "K"), dtype="string")}
        for y in self.years:
            cols[f"nykom{y}"] = pd.array(self.kom_all, dtype="Int16")
        for j, c in enumerate(week_cols):
            v = codes[:, j]
            cols[c] = pd.arrays.IntegerArray(v.astype(np.int16), v == 0)
        emp_m = gm >= 0
        for j, c in enumerate(month_cols):
            e = emp_m[:, j]
            cols[f"grad_{c}"] = np.where(e, gm[:, j].astype(float), np.nan)
        for j, c in enumerate(month_cols):
            e = emp_m[:, j]
            idx = pa.array(np.where(e, pc_idx, 0).astype(np.int32), mask=~e)
            cols[f"branche_{c}"] = pd.Series(pa.DictionaryArray.from_arrays(idx, pa.array(uniq_codes)).cast(pa.string()),
                                             dtype=pd.ArrowDtype(pa.string()))
        for j, c in enumerate(month_cols):
            e = emp_m[:, j]
            idx = pa.array(np.where(e, sek, 0).astype(np.int32), mask=~e)
            cols[f"virkform_{c}"] = pd.Series(pa.DictionaryArray.from_arrays(idx, pa.array(["1", "2"])).cast(pa.string()),
                                              dtype=pd.ArrowDtype(pa.string()))
        df = pd.DataFrame(cols)
        order = np.argsort(self.pnr.astype(str), kind="stable")
        return df.iloc[order].reset_index(drop=True)

    def _loentimer(self, gm, month_cols) -> pd.DataFrame:
        rng = self.rng("loentimer")
        r, c = np.nonzero(gm > 0)
        hours = gm[r, c] / 100.0 * self.cal["hours_per_full_month"] * rng.uniform(0.93, 1.03, len(r))
        months = self.month_axis[c]
        df = pd.DataFrame({"pnr": pd.array(self.pnr[r], dtype="string"),
                           "aar": months.astype("datetime64[Y]").astype(int) + 1970,
                           "maaned": months.astype(int) % 12 + 1,
                           "loentimer": np.round(np.minimum(hours, 400), 1)})
        return df.sort_values(["pnr", "aar", "maaned"]).reset_index(drop=True)

    def _person_year(self, N, sex, dob, kom, edu, income, rng) -> dict[str, pd.DataFrame]:
        yrs = np.array(self.years)
        Y = len(yrs)
        pid = np.repeat(np.arange(N), Y)
        aar = np.tile(yrs, N)
        dd = dob[pid]
        by = dd.astype("datetime64[Y]").astype(int) + 1970
        alder = aar - by                      # age at 31.12 of the year
        pnr = pd.array(self.pnr[pid], dtype="string")
        bef = pd.DataFrame({"pnr": pnr, "aar": aar, "koen": sex[pid] + 1, "alder": alder, "kom": kom[pid]})
        # income in the index year is the calibrated one; other years drift
        iy = np.concatenate([self.A["index_start"], np.full(N - self.n_pers, np.datetime64(f"{self.years[0]}-06-01"))])
        iy = iy.astype("datetime64[Y]").astype(int) + 1970
        drift = np.exp(0.02 * (aar - iy[pid]) + np.where(aar == iy[pid], 0.0, rng.normal(0, 0.08, len(pid))))
        ind = pd.DataFrame({"pnr": pnr, "aar": aar, "perindkp": np.round(income[pid] * drift)})
        codes = _hfaudd_codes()
        choice = np.empty(N, dtype=np.int64)
        for i, grp in enumerate(EDU):
            sel = edu == i
            arr = codes[grp]
            choice[sel] = arr[rng.integers(0, len(arr), sel.sum())]
        udda = pd.DataFrame({"pnr": pnr, "aar": aar, "hfaudd": choice[pid]})
        return {"bef": bef, "ind": ind, "udda": udda}

    # ---------------------------------------------------------------- grant tables
    def _grant_tables(self, rng) -> dict[str, pd.DataFrame]:
        cal, g, slots = self.cal, self.g, self.slots
        g["type"] = slots["type"].reindex(g["slot"]).to_numpy()
        g = g.sort_values(["ordning", "start", "slot"], kind="stable").reset_index(drop=True)
        pref = g["ordning"].map({"pa": "PA", "hm": "HM", "is": "IS"}).to_numpy().astype(str)
        seq = (g.groupby("ordning").cumcount() + 1).to_numpy()
        g["bevilling_id"] = np.char.add(pref, np.char.zfill(seq.astype(str), 7))
        self.g = g
        st = self.A["state"]
        out = {}
        # PA
        p = g[g["ordning"] == "pa"].reset_index(drop=True)
        n = len(p)
        ids = p["bevilling_id"].to_numpy()
        t = p["type"].to_numpy()
        tr = cal["pa_timer_pr_uge"]
        ts = pd.Series(t)
        lo = ts.map({k: tr.get(k, tr["default"])[0] for k in cal["pa_type"]}).to_numpy(float)
        hi = ts.map({k: tr.get(k, tr["default"])[1] for k in cal["pa_type"]}).to_numpy(float)
        s = st[p["gid"].to_numpy()]
        ar = np.where(np.isin(s, [0, 1, 2, 4]), "loenmodtager", np.where(s == S_IDX["su"], "uddannelse", "ledig"))
        ar = np.where((s == 0) & (self.A["emp"][p["gid"].to_numpy()] == 0), "selvstaendig", ar)
        oev = np.where(rng.random(n) < 0.15, np.round(rng.uniform(500, 30000, n)), np.nan)
        out["dfdg_personlig_assistance"] = pd.DataFrame({
            "bevilling_id": pd.array(ids, dtype="string"), "pnr": pd.array(p["pnr"], dtype="string"),
            "kommunekode": p["kommunekode"].astype("int64"), "startdato": p["start"], "slutdato": p["end"],
            "timer_pr_uge": np.round(rng.uniform(lo, hi), 1), "pa_type": pd.array(t, dtype="string"),
            "ar_type": pd.array(ar, dtype="string"),
            "timepris": np.round(rng.uniform(*cal["pa_timepris"], n), 0),
            "timepris_type": pd.array(np.where(rng.random(n) < 0.8, "timeloen", "fast_pris"), dtype="string"),
            "oevrige_udgifter": oev,
            "oevrige_udgifter_type": pd.array(np.where(np.isnan(oev), None, "administration"), dtype="string")})
        # HM
        h = g[g["ordning"] == "hm"].reset_index(drop=True)
        n = len(h)
        t = h["type"].to_numpy()
        pl = cal["hm_pris_lognormal"]
        ts = pd.Series(t)
        mu = ts.map({k: v[0] for k, v in pl.items()}).to_numpy(float)
        sd = ts.map({k: v[1] for k, v in pl.items()}).to_numpy(float)
        yr = h["aar"].to_numpy()
        lov = np.where((yr >= cal["hm_lov"]["kol_first_year"]) & (rng.random(n) < cal["hm_lov"]["kol_share_from_2018"]), "KOL", "LAB")
        out["dfdg_hjaelpemidler"] = pd.DataFrame({
            "bevilling_id": pd.array(h["bevilling_id"], dtype="string"),
            "pnr": pd.array(h["pnr"], dtype="string"), "kommunekode": h["kommunekode"].astype("int64"),
            "hjaelpemiddel_type": pd.array(t, dtype="string"),
            "ejerskab": pd.array(np.where(rng.random(n) < cal["hm_ejerskab_laan"], "laan", "eje"), dtype="string"),
            "art": pd.array(ts.map(cal["hm_art_by_type"]).to_numpy(), dtype="string"),
            "startdato": h["start"], "slutdato": h["end"],
            "pris": np.round(np.minimum(np.exp(rng.normal(mu, sd)), 5_000_000), 0),
            "lov": pd.array(lov, dtype="string")})
        # isbryder
        i = g[g["ordning"] == "is"].reset_index(drop=True)
        n = len(i)
        kd = cal["is_kontaktgruppe_days"]
        ks = i["start"] - pd.to_timedelta(rng.integers(kd[0], kd[1], n), unit="D")
        ke = i["start"] - pd.to_timedelta(rng.integers(1, 15, n), unit="D")
        out["dfdg_isbryder"] = pd.DataFrame({
            "forloeb_id": pd.array(i["bevilling_id"], dtype="string"),
            "pnr": pd.array(i["pnr"], dtype="string"), "kommunekode": i["kommunekode"].astype("int64"),
            "kontaktgruppe_start": ks, "kontaktgruppe_slut": ke,
            "loentilskud_start": i["start"], "loentilskud_slut": i["end"],
            "timer_pr_uge": np.round(rng.uniform(15, 37, n), 1),
            "cvr": pd.array([f"{v:08d}" for v in rng.integers(10_000_000, 99_999_999, n)], dtype="string"),
            "p_nummer": pd.array([f"{v:010d}" for v in rng.integers(1_000_000_000, 9_999_999_999, n)], dtype="string")})
        return out

    # ---------------------------------------------------------------- mentor and SEL
    def _efforts(self, N, n, index_start, fw, rng) -> dict[str, pd.DataFrame]:
        cal, g = self.cal, self.g
        # index start per (ordning, person)
        first = g.groupby(["ordning", "gid"])["start"].min()
        first_any = g.groupby("gid")["start"].min()
        kom_of = g.groupby("gid")["kommunekode"].first()
        rec = {"mentor": [], "sel": []}
        flagged = set()
        for (o, gd), fl in self.flags.items():
            st = first.get((o, gd))
            if st is None:
                continue
            for key in fl:
                rec[key].append((gd, st))
                flagged.add(gd)
        rows = {}
        for key in ("mentor", "sel"):
            gids = np.array([r[0] for r in rec[key]], dtype=np.int64)
            st = pd.to_datetime(pd.Series([r[1] for r in rec[key]], dtype="datetime64[ns]"))
            m = len(gids)
            s = st - pd.to_timedelta(rng.integers(0, 200, m), unit="D")
            e = st + pd.to_timedelta(rng.integers(60, 400, m), unit="D")
            # decoys: efforts that ended >= 30 days before the person's first grant
            cand = np.setdiff1d(np.arange(n), np.array(sorted(flagged), dtype=np.int64))
            dec = cand[rng.random(len(cand)) < cal["decoy_share"][key]]
            fa = pd.to_datetime(first_any.reindex(dec).to_numpy())
            de = fa - pd.to_timedelta(rng.integers(30, 400, len(dec)), unit="D")
            ds = de - pd.to_timedelta(rng.integers(30, 300, len(dec)), unit="D")
            allg = np.concatenate([gids, dec])
            rows[key] = (allg, pd.DatetimeIndex(np.concatenate([s.to_numpy(), ds.to_numpy()])),
                         pd.DatetimeIndex(np.concatenate([e.to_numpy(), de.to_numpy()])))
        # mentor-only persons among the unrelated
        un = np.arange(n, N)
        mo = un[rng.random(len(un)) < cal["mentor_only_share_of_unrelated"]]
        ms = pd.DatetimeIndex(index_start[mo].astype("datetime64[ns]"))
        me = ms + pd.to_timedelta(rng.integers(60, 400, len(mo)), unit="D")
        mg, mst, men = rows["mentor"]
        mg = np.concatenate([mg, mo])
        mst = mst.append(ms)
        men = men.append(me)
        k = len(mg)
        kom = np.where(mg < n, kom_of.reindex(np.minimum(mg, n - 1)).fillna(0).to_numpy(), self.kom_all[mg]).astype("int64")
        kom = np.where(kom == 0, self.kom_all[mg], kom)
        mentor = pd.DataFrame({
            "forloeb_id": pd.array(np.char.add("ME", np.char.zfill(np.arange(1, k + 1).astype(str), 7)), dtype="string"),
            "pnr": pd.array(self.pnr[mg], dtype="string"), "kommunekode": kom,
            "startdato": mst.normalize(), "slutdato": men.normalize(),
            "mentor_type": pd.array(rng.choice(cal["mentor_types"], k), dtype="string"),
            "timer_pr_uge": np.round(rng.uniform(1, 10, k), 1)})
        sg, sst, sen = rows["sel"]
        k = len(sg)
        codes = list(cal["sel_codes"])
        pr = np.array(list(cal["sel_codes"].values()), float)
        sen = pd.Series(sen).where(rng.random(k) > 0.3).to_numpy()   # 30 % løbende
        sen = pd.to_datetime(pd.Series(sen))
        # open SEL efforts of decoys would overlap later grants: keep decoys closed
        nflag = len(rec["sel"])
        sen.iloc[nflag:] = pd.to_datetime(rows["sel"][2][nflag:])
        handic = pd.DataFrame({
            "pnr": pd.array(self.pnr[sg], dtype="string"),
            "modt_ydelse_kode": pd.array(rng.choice(codes, k, p=pr / pr.sum()), dtype="string"),
            "funk_vurd": pd.array(rng.choice(cal["funk_vurd"], k), dtype="string"),
            "ydelse_start": sst.normalize(), "ydelse_slut": pd.DatetimeIndex(sen).normalize()})
        mentor = mentor.sort_values(["startdato", "forloeb_id"]).reset_index(drop=True)
        handic = handic.sort_values(["pnr", "ydelse_start"]).reset_index(drop=True)
        return {"dfdg_mentor": mentor, "handic": handic}

    # ---------------------------------------------------------------- LPR
    def _lpr(self, rng) -> pd.DataFrame:
        cal, A, n = self.cal, self.A, self.n_pers
        icd = _icd_by_impairment()
        iw = cal["impairment_weights"]
        parts = []
        for which in ("cat1", "cat2"):
            c = A[which]
            has = np.flatnonzero(c >= 0)
            nd = rng.integers(1, 3, len(has))
            pid = np.repeat(has, nd)
            cat = c[pid]
            code = np.empty(len(pid), dtype=object)
            for ci, cname in enumerate(CATS):
                sel = np.flatnonzero(cat == ci)
                imps = list(iw[cname])
                w = np.array(list(iw[cname].values()), float)
                # the person's specific impairment: one per person and category
                per = rng.choice(len(imps), n, p=w / w.sum())
                for j, imp in enumerate(imps):
                    s2 = sel[per[pid[sel]] == j]
                    opts = icd[imp]
                    code[s2] = np.array(opts, dtype=object)[rng.integers(0, len(opts), len(s2))]
            parts.append((pid, code, rng.integers(30, 3 * 365, len(pid))))
        # unmapped noise diagnoses and old (> 5 years) diagnoses that must not count
        noi = np.flatnonzero(rng.random(n) < cal["lpr_noise_share"])
        parts.append((noi, np.array(cal["lpr_noise_codes"], dtype=object)[rng.integers(0, len(cal["lpr_noise_codes"]), len(noi))],
                      rng.integers(10, 3 * 365, len(noi))))
        old = np.flatnonzero(rng.random(n) < cal["lpr_old_share"])
        oc = np.array(icd["depression"] + icd["ryg_nakke"] + icd["adhd"], dtype=object)
        parts.append((old, oc[rng.integers(0, len(oc), len(old))], rng.integers(5 * 365 + 40, 9 * 365, len(old))))
        pid = np.concatenate([p[0] for p in parts])
        code = np.concatenate([p[1] for p in parts])
        back = np.concatenate([p[2] for p in parts])
        first_any = self.g.groupby("gid")["start"].min().reindex(np.arange(n)).to_numpy().astype("datetime64[D]")
        d = first_any[pid] - back.astype("timedelta64[D]")
        k = len(pid)
        df = pd.DataFrame({"pnr": pd.array(self.pnr[pid], dtype="string"),
                           "recnum": pd.array(np.char.add("R", np.char.zfill(np.arange(1, k + 1).astype(str), 9)), dtype="string"),
                           "d_inddto": pd.to_datetime(d), "c_diag": pd.array(code.astype(str), dtype="string"),
                           "c_diagtype": pd.array(np.where(rng.random(k) < 0.7, "A", "B"), dtype="string")})
        return df.sort_values(["pnr", "d_inddto", "recnum"]).reset_index(drop=True)

    # ---------------------------------------------------------------- plan outputs for step 3
    def _plan_outputs(self, codes_kept, week_cols):
        g = self.g
        ymap = pd.read_csv(MAPPINGS_DIR / "ydelsesgrupper.csv", comment="#", dtype={"kode": "Int64"})
        code2grp = dict(zip(ymap["kode"].dropna().astype(int), ymap.loc[ymap["kode"].notna(), "ydelsesgruppe"]))
        col_of = {c: j for j, c in enumerate(week_cols)}

        def group_at(gid, dates):
            iso = pd.DatetimeIndex(dates).isocalendar()
            cols = "y_" + (iso["year"] % 100).astype(str).str.zfill(2) + iso["week"].astype(str).str.zfill(2)
            j = cols.map(col_of).fillna(-1).astype(np.int64).to_numpy()
            v = np.where(j >= 0, codes_kept[gid, np.maximum(j, 0)], 0)
            return pd.Series(v).map(code2grp).fillna("selvforsoerget").to_numpy(dtype=object)

        grp = group_at(g["gid"].to_numpy(), g["start"])
        gy = pd.DataFrame({"bevilling_id": g["bevilling_id"].to_numpy(), "ordning": g["ordning"].to_numpy(), "pnr": g["pnr"].to_numpy(),
                           "kommunekode": g["kommunekode"].to_numpy(), "startdato": g["start"].to_numpy(),
                           "ydelsesgruppe": grp})
        self.ctx.plan["grant_ydelse"] = gy
        # PA persons with a grant active in the year, ydelsesgruppe in the first active week of the year
        p = g[g["ordning"] == "pa"]
        rows = []
        for y in self.years:
            ys, ye = pd.Timestamp(f"{y}-01-01"), pd.Timestamp(f"{y}-12-31")
            act = p[(p["start"] <= ye) & (p["end"].isna() | (p["end"] >= ys))].copy()
            act["first"] = act["start"].where(act["start"] > ys, ys)
            act = act.sort_values("first").drop_duplicates("gid")
            act["ydelsesgruppe"] = group_at(act["gid"].to_numpy(), act["first"])
            act["aar"] = y
            rows.append(act.groupby(["aar", "kommunekode", "ydelsesgruppe"]).size().rename("personer").reset_index())
        self.ctx.plan["pa_active_ydelse"] = pd.concat(rows, ignore_index=True)
