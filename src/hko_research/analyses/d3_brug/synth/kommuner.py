"""Step 1 of the delanalyse-3 synthesis: kommune design and the grant plan.

Produces ``rammevilkaar`` (a synthetic VIVE rank 1-98) and ``kommunetypologi`` (the 20
casekommuner's strategy and organisation), and sets ``ctx.plan``:

* ``plan["kommuner"]``: one row per kommune (index kommunekode) with ``kommune``, ``befolkning``
  (2019K4), ``rang``, ``strategi``/``organisering`` (NaN outside the casekommuner), ``band``
  (lav/mellem/hoej anvendelsesgrad 2019) and the planned 2019 rates.
* ``plan["grants"]``: ``kommunekode, ordning (pa/hm/is), aar, antal`` — grants starting in each
  year of ``ctx.years``. Step 2 (d3_registre) creates exactly that many grant rows.
* ``plan["calibration"]``: the parsed calibration YAML (shared by steps 3 and 4).

Calibration approach (parameters in ``calibration_kommuner.yaml``, each with its report line):

1. Rank: a latent favourability score (reality-ish anchors + noise) ordered into ranks 1-98.
2. Typology: the chapter-5 counts (8/9/3 strategies, 13/4/3 organisations) drawn at random with
   the three kommuner the report names fixed; draws that would make the case-review counts of
   step 4 infeasible are rejected.
3. Usage bands: a latent usage score (worse rank, smaller kommune -> more use) is cut into exactly
   30/40/28 kommuner (Tabel 12: 31/41/28 pct. of 98). Within each band a prior rate is drawn.
4. Numerical solve: ``scipy.optimize.least_squares`` moves each kommune's log rate (inside its
   band, with a margin) and the PA share of its grants, so that the national totals of Tabel 11,
   the HM means in the best/worst 32 rank kommuner (l.1285), the casekommune means by strategy
   (l.1297) and organisation (l.1287), and the PA volume implied by the Figur-25 expenditure
   shares hold, while staying close to the prior (regularisation). One kommune is pinned to the
   report's minimum rate (0,014 pct.) and one to its maximum (1,4 pct.) (l.1704).
5. Integers: largest-remainder rounding with the exact national totals, then a repair pass that
   keeps every kommune inside its band.
6. Other years: each kommune's 2019 count scaled by the national trend (l.1231) with mild noise,
   rounded to the exact national totals (Tabel 11 for 2018). Isbryder: exact 2018-2019 counts per
   kommune (l.1248 concentration), split over the two years exactly (24/21).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.optimize import least_squares

from ....kommuner import casekommuner, kommune_navne
from ....synth.allocation import largest_remainder
from ....vocabulary import ORGANISERINGSTYPER as ORGANISERINGER
from ....vocabulary import STRATEGITYPER as STRATEGIER

CALIBRATION_FILE = Path(__file__).with_name("calibration_kommuner.yaml")
ORDNINGER = ("pa", "hm", "is")


@lru_cache(maxsize=1)
def _load_calibration_cached() -> str:
    return CALIBRATION_FILE.read_text(encoding="utf-8")


def load_calibration() -> dict:
    """The calibration YAML (a fresh dict every call, so callers may not corrupt the cache)."""
    return yaml.safe_load(_load_calibration_cached())


def name_to_code() -> dict[str, int]:
    return {v: int(k) for k, v in kommune_navne().items()}


def codes(names) -> list[int]:
    n2c = name_to_code()
    missing = [n for n in names if n not in n2c]
    if missing:
        raise KeyError(f"unknown kommune names in calibration: {missing}")
    return [n2c[n] for n in names]


# ------------------------------------------------------------------------------------------
# rank and typology


def _rank(ctx, cal: dict, kom: pd.DataFrame) -> pd.Series:
    rv = cal["rammevilkaar"]
    rng = ctx.rng("d3_kommuner.rang")
    n2c = name_to_code()
    anchor = pd.Series(0.0, index=kom.index)
    for name, val in rv["anchors"].items():
        anchor.loc[n2c[name]] = float(val)
    score = anchor + rng.normal(0.0, rv["noise_sd"], len(anchor))
    rang = score.rank(method="first").astype(int)  # lowest score = rank 1 = least favourable
    return rang


def _case_count_feasible(strategi: dict, organisering: dict, cal: dict) -> bool:
    """Rejects typology draws for which step 4's exact case counts could not be met."""
    s = cal["sager"]
    n_re = sum(1 for v in strategi.values() if v == "reaktiv")
    pa_re = (s["antal"]["pa"] - s["pa_pr_kommune"]["proaktiv"] * 8 - s["pa_pr_kommune"]["diffus"] * 3) / n_re
    hm_re = (s["antal"]["hm"] - s["hm_pr_kommune"]["proaktiv"] * 8 - s["hm_pr_kommune"]["diffus"] * 3) / n_re

    def pahm(k):
        st = strategi[k]
        if st == "reaktiv":
            return pa_re + hm_re
        return s["pa_pr_kommune"][st] + s["hm_pr_kommune"][st]

    for org, limit_per in (("generel_specialisering", 13), ("spredt_specialisering", 11)):
        members = [k for k, v in organisering.items() if v == org]
        rest = s["antal_organisering"][org] - sum(pahm(k) for k in members)
        if rest < 1 or rest > limit_per * len(members):
            return False
    return True


def _typologi(ctx, cal: dict) -> pd.DataFrame:
    t = cal["kommunetypologi"]
    rng = ctx.rng("d3_kommuner.typologi")
    cases = list(casekommuner())
    n2c = name_to_code()
    fixed_org = {n2c[n]: v for n, v in t["organisering_fast"].items()}
    for _ in range(10_000):
        org_pool = []
        for org, n in t["organisering_antal"].items():
            org_pool += [org] * (n - sum(1 for v in fixed_org.values() if v == org))
        free = [k for k in cases if k not in fixed_org]
        org_pool = list(rng.permutation(org_pool))
        organisering = dict(fixed_org)
        organisering.update(dict(zip(free, org_pool)))
        st_pool = []
        for st, n in t["strategi_antal"].items():
            st_pool += [st] * n
        strategi = dict(zip(cases, rng.permutation(st_pool)))
        if _case_count_feasible(strategi, organisering, cal):
            break
    else:  # pragma: no cover
        raise RuntimeError("no feasible typology draw")
    # key persons: fixed ones, then the remaining single-key-person kommuner, then 2-6.
    fixed_np = {n2c[n]: int(v) for n, v in t["noeglepersoner_fast"].items()}
    n_one = t["antal_med_en_noegleperson"] - sum(1 for v in fixed_np.values() if v == 1)
    others = [k for k in cases if k not in fixed_np]
    ones = set(rng.choice(others, size=n_one, replace=False).tolist())
    lo, hi = t["noeglepersoner_oevrige"]
    antal = {}
    for k in cases:
        if k in fixed_np:
            antal[k] = fixed_np[k]
        elif k in ones:
            antal[k] = 1
        else:
            antal[k] = int(rng.integers(lo, hi + 1))
    df = pd.DataFrame({
        "kommunekode": cases,
        "strategi": [strategi[k] for k in cases],
        "organisering": [organisering[k] for k in cases],
        "antal_noeglepersoner": [antal[k] for k in cases],
    })
    return df.sort_values("kommunekode").reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# usage rates 2019


def _solve_rates(ctx, cal: dict, kom: pd.DataFrame) -> pd.DataFrame:
    """Continuous 2019 PA and HM rates per kommune (see module docstring, items 3-4)."""
    a = cal["anvendelsesgrad"]
    g = cal["grants"]["national"]
    rng = ctx.rng("d3_kommuner.anvendelse")
    n = len(kom)
    P = kom["befolkning"].to_numpy(float)
    rang = kom["rang"].to_numpy(int)
    z = (rang - 49.5) / 28.3
    med = np.median(P)
    typ_eff = kom["organisering"].map({"specialiseret_team": 0.8, "spredt_specialisering": -0.6,
                                       "generel_specialisering": 0.0}).fillna(0.0).to_numpy()
    u = -1.0 * z - 0.35 * np.log(P / med) + typ_eff + rng.normal(0, 0.45, n)
    n2c = name_to_code()
    udg = cal["regnskab"]["udgiftsandel_2019"]
    named = np.array([k in {n2c[x] for x in udg} for k in kom.index])
    # band by latent score within each rammevilkår group, exact quotas (Tabel 12 x l.1285)
    band = np.empty(n, dtype=object)
    grp = np.where(rang <= 32, "bund32", np.where(rang >= 67, "top32", "mellem34"))
    for gname, quota in a["band_rammevilkaar"].items():
        idx = np.where(grp == gname)[0]
        idx = idx[np.argsort(u[idx], kind="stable")]
        start = 0
        for b in ("lav", "mellem", "hoej"):
            band[idx[start:start + quota[b]]] = b
            start += quota[b]
        if start != len(idx):
            raise ValueError(f"band quotas for {gname} do not add up to its {len(idx)} kommuner")
    lo_t, hi_t = a["graenser"]["lav_mellem"], a["graenser"]["mellem_hoej"]
    m = a["band_margin"]
    lo = np.where(band == "lav", a["min"], np.where(band == "mellem", lo_t * (1 + m), hi_t * (1 + m)))
    hi = np.where(band == "lav", lo_t * (1 - m), np.where(band == "mellem", hi_t * (1 - m), a["max"] * 0.94))
    # prior rate: interpolate log-rate by the within-band position of u
    x0 = np.empty(n)
    for b, (plo, phi) in {"lav": (0.0004, 0.0018), "mellem": (0.0023, 0.0047), "hoej": (0.0065, 0.0125)}.items():
        idx = np.where(band == b)[0]
        pos = pd.Series(u[idx]).rank(pct=True).to_numpy()
        x0[idx] = np.log(plo) + (np.log(phi) - np.log(plo)) * pos + rng.normal(0, 0.08, len(idx))
    # pinned extremes (l.1704): min among large lav kommuner without an expenditure target,
    # max among small high-use kommuner.
    cand_min = np.where((band == "lav") & (P >= 45_000) & ~named & kom["strategi"].isna().to_numpy())[0]
    # the pinned minimum is a whole number of grants: the kommune whose population lets it print
    # as the report's 0,014 pct. most exactly (ties: the lowest latent rank)
    err_min = np.abs(np.maximum(2, np.round(a["min"] * P[cand_min])) / P[cand_min] - a["min"])
    i_min = cand_min[np.lexsort((u[cand_min], np.round(err_min / a["min"], 3)))[0]]
    cand_max = np.where((band == "hoej") & (P >= 8_000) & (P <= 45_000) & ~named & kom["strategi"].isna().to_numpy())[0]
    i_max = cand_max[np.argmax(u[cand_max])]
    x0 = np.clip(x0, np.log(lo) + 1e-6, np.log(hi) - 1e-6)
    lo_x, hi_x = np.log(lo), np.log(hi)
    for i, val in ((i_min, a["min"]), (i_max, a["max"])):
        x0[i] = np.log(val)
        lo_x[i], hi_x[i] = np.log(val) - 1e-9, np.log(val) + 1e-9
    # PA share prior (logit); named kommuner: PA volume from the Figur-25 expenditure share
    s_lo, s_hi = a["pa_andel_graenser"]
    y0 = np.log(a["pa_andel_prior"] / (1 - a["pa_andel_prior"])) + rng.normal(0, 0.35, n) + 0.25 * z
    y0 = np.clip(y0, np.log(s_lo / (1 - s_lo)) + 0.01, np.log(s_hi / (1 - s_hi)) - 0.01)
    tot_kr = sum(cal["regnskab"]["national_2019_kr"][o] for o in ("pa", "hm"))
    pa_target = np.full(n, np.nan)
    for name, share in udg.items():
        i = kom.index.get_loc(n2c[name])
        pa_target[i] = share * tot_kr * 0.9 / 100_000.0
    has_t = ~np.isnan(pa_target)

    top = rang >= 67
    bund = rang <= 32
    strat = kom["strategi"].to_numpy(object)
    org = kom["organisering"].to_numpy(object)
    groups_s = {s: strat == s for s in STRATEGIER}
    groups_o = {o: org == o for o in ORGANISERINGER}

    def unpack(v):
        x, y = v[:n], v[n:]
        r = np.exp(x)
        s = 1 / (1 + np.exp(-y))
        return r, s

    # residual rows: (weight, kind, mask, target); kinds: sum_hm, sum_pa, mean_hm, mean_pa, mean_r
    rows = [
        (30.0, "sum_hm", np.ones(n, bool), g["hm"][2019]),
        (30.0, "sum_pa", np.ones(n, bool), g["pa"][2019]),
        (25.0, "mean_hm", top, a["hm_gns_rammevilkaar"]["top32"]),
        (25.0, "mean_hm", bund, a["hm_gns_rammevilkaar"]["bund32"]),
    ]
    for st in STRATEGIER:
        rows.append((20.0, "mean_pa", groups_s[st], a["pa_gns_strategi"][st]))
        rows.append((20.0, "mean_hm", groups_s[st], a["hm_gns_strategi"][st]))
    for o in ORGANISERINGER:
        rows.append((20.0, "mean_r", groups_o[o], a["gns_organisering"][o]))
    ti = np.where(has_t)[0]
    sd_x, sd_y, w_t = 1.0, 0.9, 2.0

    def resid(v):
        r, s = unpack(v)
        vals = {"pa": r * s, "hm": r * (1 - s), "r": r}
        out = np.empty(len(rows) + len(ti) + 2 * n)
        for j, (w, kind, msk, tgt) in enumerate(rows):
            q = vals[kind.split("_")[1]]
            out[j] = w * ((np.sum(q * P) if kind.startswith("sum") else q[msk].mean()) / tgt - 1)
        m = len(rows)
        out[m:m + len(ti)] = w_t * np.log(vals["pa"][ti] * P[ti] / pa_target[ti])
        out[m + len(ti):m + len(ti) + n] = (v[:n] - x0) / sd_x
        out[m + len(ti) + n:] = (v[n:] - y0) / sd_y
        return out

    def jac(v):
        r, s = unpack(v)
        ds = r * s * (1 - s)  # d(pa)/dy = ds, d(hm)/dy = -ds
        J = np.zeros((len(rows) + len(ti) + 2 * n, 2 * n))
        for j, (w, kind, msk, tgt) in enumerate(rows):
            q = kind.split("_")[1]
            dx = {"pa": r * s, "hm": r * (1 - s), "r": r}[q]
            dy = {"pa": ds, "hm": -ds, "r": np.zeros(n)}[q]
            if kind.startswith("sum"):
                J[j, :n], J[j, n:] = w * dx * P / tgt, w * dy * P / tgt
            else:
                c = msk.astype(float) / (msk.sum() * tgt)
                J[j, :n], J[j, n:] = w * dx * c, w * dy * c
        m = len(rows)
        J[m + np.arange(len(ti)), ti] = w_t
        J[m + np.arange(len(ti)), n + ti] = w_t * (1 - s[ti])
        J[m + len(ti) + np.arange(n), np.arange(n)] = 1 / sd_x
        J[m + len(ti) + n + np.arange(n), n + np.arange(n)] = 1 / sd_y
        return J

    lb = np.concatenate([lo_x, np.full(n, np.log(s_lo / (1 - s_lo)))])
    ub = np.concatenate([hi_x, np.full(n, np.log(s_hi / (1 - s_hi)))])
    v0 = np.clip(np.concatenate([x0, y0]), lb + 1e-9, ub - 1e-9)
    sol = least_squares(resid, v0, jac=jac, bounds=(lb, ub), method="trf", tr_solver="lsmr", x_scale=1.0, max_nfev=400)
    r, s = unpack(sol.x)
    out = pd.DataFrame({"band": band, "rate": r, "pa_andel": s, "u": u}, index=kom.index)
    out["pinned"] = ""
    out.iloc[i_min, out.columns.get_loc("pinned")] = "min"
    out.iloc[i_max, out.columns.get_loc("pinned")] = "max"
    return out


def _band_range(P: int, band: str, cal: dict) -> tuple[int, int]:
    """Integer grant totals that keep a kommune strictly inside its band."""
    g = cal["anvendelsesgrad"]["graenser"]
    lo_t, hi_t = g["lav_mellem"], g["mellem_hoej"]
    if band == "lav":
        return 1, int(np.ceil(lo_t * P)) - 1
    if band == "mellem":
        return int(np.floor(lo_t * P)) + 1, int(np.floor(hi_t * P))
    return int(np.floor(hi_t * P)) + 1, int(np.floor(cal["anvendelsesgrad"]["max"] * P * 0.995))


def _integerize_2019(kom: pd.DataFrame, rates: pd.DataFrame, cal: dict) -> pd.DataFrame:
    a = cal["anvendelsesgrad"]
    g = cal["grants"]["national"]
    P = kom["befolkning"].to_numpy(int)
    pa_c = rates["rate"].to_numpy() * rates["pa_andel"].to_numpy() * P
    hm_c = rates["rate"].to_numpy() * (1 - rates["pa_andel"].to_numpy()) * P
    pinned = rates["pinned"].to_numpy()
    tot_pin = {"min": a["min"], "max": a["max"]}
    # pinned kommuner: exact totals, split by PA share
    fixed_tot = {}
    for i in np.where(pinned != "")[0]:
        t = max(2, int(round(tot_pin[pinned[i]] * P[i])))
        fixed_tot[i] = t
    pa = np.zeros(len(P), int)
    hm = np.zeros(len(P), int)
    free = np.array([i not in fixed_tot for i in range(len(P))])
    for i, t in fixed_tot.items():
        pa[i] = max(1, int(round(t * rates["pa_andel"].iloc[i])))
        hm[i] = t - pa[i]
    pa[free] = largest_remainder(pa_c[free], g["pa"][2019] - pa[~free].sum(), minimum=1)
    hm[free] = largest_remainder(hm_c[free], g["hm"][2019] - hm[~free].sum(), minimum=1)
    # repair: keep every kommune inside its band (move HM units between free kommuner)
    bands = rates["band"].to_numpy()
    rng_lo, rng_hi = zip(*[_band_range(int(P[i]), bands[i], cal) for i in range(len(P))])
    rng_lo, rng_hi = np.array(rng_lo), np.array(rng_hi)
    for _ in range(10_000):
        tot = pa + hm
        low = np.where(free & (tot < rng_lo))[0]
        high = np.where(free & (tot > rng_hi))[0]
        if len(low) == 0 and len(high) == 0:
            break
        if len(low):
            i = low[0]
            donors = np.where(free & (tot - 1 >= rng_lo) & (hm > 1))[0]
            donors = donors[donors != i]
            j = donors[np.argmax((hm[donors] - hm_c[donors]))]
            hm[i] += 1
            hm[j] -= 1
        else:
            i = high[0]
            takers = np.where(free & (tot + 1 <= rng_hi))[0]
            takers = takers[takers != i]
            j = takers[np.argmin((hm[takers] - hm_c[takers]))]
            if hm[i] > 1:
                hm[i] -= 1
            else:
                pa[i] -= 1
                pa[j] += 1
                continue
            hm[j] += 1
    else:  # pragma: no cover
        raise RuntimeError("could not keep kommuner inside their bands")
    return pd.DataFrame({"pa": pa, "hm": hm}, index=kom.index)


def _other_years(ctx, cal: dict, kom: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    gcal = cal["grants"]
    rng = ctx.rng("d3_kommuner.aar")
    rows = []
    for o in ("pa", "hm"):
        nat = {int(k): int(v) for k, v in gcal["national"][o].items()}
        growth = gcal["vaekst_pr_aar"][o]
        for y in sorted(set(ctx.years) | {2018, 2019}):
            if y == 2019:
                cnt = base[o].to_numpy()
            else:
                total = nat.get(y, int(round(nat[2019] * growth ** (y - 2019))))
                w = base[o].to_numpy() * np.exp(rng.normal(0, gcal["kommune_stoej_sd"], len(base)))
                cnt = largest_remainder(w, total, minimum=1)
            rows.append(pd.DataFrame({"kommunekode": base.index, "ordning": o, "aar": y, "antal": cnt}))
    return pd.concat(rows, ignore_index=True)


def _isbryder(ctx, cal: dict, kom: pd.DataFrame) -> pd.DataFrame:
    ic = cal["isbryder"]
    nat = cal["grants"]["national"]["is"]
    rng = ctx.rng("d3_kommuner.isbryder")
    n2c = name_to_code()
    per = {n2c[k]: int(v) for k, v in ic["antal_2018_2019"].items()}
    # split each kommune's 2018-2019 count over the two years, exact 24/21: draw a random order
    # of the 45 grant "tickets" and give the first 24 to 2018.
    tickets = np.concatenate([[k] * v for k, v in per.items()])
    tickets = rng.permutation(tickets)
    n18 = int(nat[2018])
    y18 = pd.Series(tickets[:n18]).value_counts()
    y19 = pd.Series(tickets[n18:]).value_counts()
    weights = pd.Series(per, dtype=float)
    rows = []
    for y in sorted(set(ctx.years) | {2018, 2019}):
        if y == 2018:
            cnt = y18
        elif y == 2019:
            cnt = y19
        else:
            total = int(cal["grants"]["isbryder_oevrige_aar"].get(y, 22))
            draw = rng.multinomial(total, (weights / weights.sum()).to_numpy())
            cnt = pd.Series(draw, index=weights.index)
        full = pd.Series(0, index=kom.index, dtype=int)
        full.loc[cnt.index] = cnt.to_numpy()
        rows.append(pd.DataFrame({"kommunekode": kom.index, "ordning": "is", "aar": y, "antal": full.to_numpy()}))
    return pd.concat(rows, ignore_index=True)


def generate(ctx) -> dict[str, pd.DataFrame]:
    if not hasattr(ctx, "plan"):
        ctx.plan = {}
    cal = load_calibration()
    kom = ctx.kommuner[["kommunekode", "kommune"]].copy()
    kom["kommunekode"] = kom["kommunekode"].astype(int)
    kom = kom.set_index("kommunekode").sort_index()
    kom["befolkning"] = ctx.population("2019K4").reindex(kom.index).astype(int)
    kom["rang"] = _rank(ctx, cal, kom)
    typ = _typologi(ctx, cal)
    t = typ.set_index("kommunekode")
    kom["strategi"] = t["strategi"].reindex(kom.index)
    kom["organisering"] = t["organisering"].reindex(kom.index)

    rates = _solve_rates(ctx, cal, kom)
    base = _integerize_2019(kom, rates, cal)
    grants = pd.concat([_other_years(ctx, cal, kom, base), _isbryder(ctx, cal, kom)], ignore_index=True)
    grants = grants[grants["aar"].isin(ctx.years)] if set(ctx.years) >= {2018, 2019} else grants
    grants = grants.sort_values(["ordning", "aar", "kommunekode"]).reset_index(drop=True)
    grants["antal"] = grants["antal"].astype("int64")
    grants["aar"] = grants["aar"].astype("int64")

    kom["band"] = rates["band"]
    kom["pinned"] = rates["pinned"]
    kom["pa_2019"] = base["pa"]
    kom["hm_2019"] = base["hm"]
    kom["anvendelsesgrad_2019"] = (base["pa"] + base["hm"]) / kom["befolkning"]
    ctx.plan["kommuner"] = kom
    ctx.plan["grants"] = grants
    ctx.plan["calibration"] = cal
    ctx.plan["unit_price"] = dict(cal["regnskab"]["enhedspris_gns"])

    rammevilkaar = pd.DataFrame({"kommunekode": kom.index.astype("int64"), "rang": kom["rang"].astype("int64").to_numpy(),
                                 "aar": int(cal["rammevilkaar"]["aar"])})
    typ["kommunekode"] = typ["kommunekode"].astype("int64")
    typ["antal_noeglepersoner"] = typ["antal_noeglepersoner"].astype("int64")
    return {"rammevilkaar": rammevilkaar, "kommunetypologi": typ}
