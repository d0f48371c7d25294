"""Step 4 of the delanalyse-3 synthesis: the case review and the resource estimates.

``generate(ctx) -> {"sagsgennemgang", "ressourceestimat"}`` for the 20 casekommuner of
``ctx.outputs["kommunetypologi"]`` (step 1).

Exact allocation
----------------
The case review is small (315 PA, 315 HM, 22 isbryder, 65 fortrinsadgang cases), so drawing each
attribute independently would miss the report's shares by several points. Every categorical
attribute is therefore calibrated by *exact allocation*: the number of cases in each category is
fixed first (largest-remainder rounding of share x N, ``synth.allocation.largest_remainder``), and only
*which* cases receive each category is random (a permutation from ``ctx.rng``). This applies to the
impairment categories and specific impairments of Tabel 14 (including enkelt-/dobbeltdiagnose and
the top-5 order), Tabel 19 (time-limited PA and its duration bands, HM udlån/tilskud, the named
kommune extremes), LAB/KOL, first-time grants, refusals, follow-up and the ydelse at application.

Processing times (Figur 29/30, Tabel 17; definitions #21 and #24)
------------------------------------------------------------------
1. Case counts per kommune x ordning follow the strategy (proaktive kommuner reach the 20-case cap,
   reaktive have fewer recent cases) and the organisation totals of l.1641 (120 / 129 cases) exactly;
   counts per decision year are exact national totals per ordning (HM 2020 = 32 cases in all 20
   kommuner, l.1600), with older cases tilted to the reaktive kommuner.
2. Per ordning and year a multiset of integer day counts is built with the exact year mean (Figur 29)
   and the exact number of cases over 28 days (Figur 30). Where the report gives no year mean
   (PA 2019, FA 2019) it is solved so that the ordning total lies midway between the totals
   implied by the organisation and the strategy rows of Tabel 17 (their least-squares compromise;
   the report's rounded rows are not jointly exact).
3. The durations are assigned to cases by a kommune propensity (the kommune's Tabel-17 rows x noise)
   and then corrected exactly: a swap search exchanges durations between cases of the same ordning
   and year (so Figur 29/30 stay exact) until the Tabel-17 group means reach their least-squares
   optimum.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ....paths import MAPPINGS_DIR
from ....synth.allocation import exact_allocation, largest_remainder
from ....vocabulary import FUNKTIONSNEDSAETTELSE_KATEGORIER as CATEGORIES
from ....vocabulary import ORDNINGER
from .kommuner import load_calibration

YEARS = (2018, 2019, 2020)


def _alloc_capped(weights, total: int, caps) -> np.ndarray:
    """Largest-remainder allocation with per-unit caps (water-filling)."""
    w = np.asarray(weights, float).copy()
    caps = np.asarray(caps, int)
    out = np.zeros(len(w), int)
    left = total
    for _ in range(len(w) + 1):
        free = out < caps
        if left == 0 or not free.any():
            break
        add = np.zeros(len(w), int)
        add[free] = largest_remainder(w[free], left)
        add = np.minimum(add, caps - out)
        out += add
        left = total - out.sum()
    if left != 0:
        raise ValueError("capped allocation infeasible")
    return out


# ------------------------------------------------------------------------------------------
# case counts


def _case_counts(typ: pd.DataFrame, sc: dict, rng) -> pd.DataFrame:
    """n[kommune, ordning] (see module docstring, item 1)."""
    cap = sc["max_pr_kommune"]
    typ = typ.set_index("kommunekode")
    n = pd.DataFrame(0, index=typ.index, columns=list(ORDNINGER))
    for o, per in (("pa", sc["pa_pr_kommune"]), ("hm", sc["hm_pr_kommune"])):
        fixed = typ["strategi"].map(per)
        n.loc[fixed.notna(), o] = fixed.dropna().astype(int)
        re = typ.index[typ["strategi"] == "reaktiv"]
        rest = sc["antal"][o] - int(n[o].sum())
        n.loc[re, o] = _alloc_capped(np.exp(rng.normal(0, 0.15, len(re))), rest, [cap] * len(re))
    rest_org = {}
    for org, tot in sc["antal_organisering"].items():
        members = typ.index[typ["organisering"] == org]
        rest_org[org] = tot - int(n.loc[members, ["pa", "hm"]].sum().sum())
    n_isfa = sc["antal"]["is"] + sc["antal"]["fa"]
    rest_org["specialiseret_team"] = n_isfa - sum(rest_org.values())
    if min(rest_org.values()) < 0:
        raise ValueError(f"case counts infeasible for the typology: {rest_org}")
    orgs = list(rest_org)
    is_org = dict(zip(orgs, largest_remainder([rest_org[o] for o in orgs], sc["antal"]["is"])))
    for org in orgs:
        members = typ.index[typ["organisering"] == org]
        ni = min(is_org[org], rest_org[org])
        nf = rest_org[org] - ni
        w = np.exp(rng.normal(0, 0.5, len(members)))
        n.loc[members, "is"] = _alloc_capped(w, ni, [cap] * len(members))
        n.loc[members, "fa"] = _alloc_capped(np.exp(rng.normal(0, 0.5, len(members))), nf, [cap] * len(members))
    if sc["antal"]["is"] != int(n["is"].sum()) or sc["antal"]["fa"] != int(n["fa"].sum()):
        raise ValueError("isbryder/fortrinsadgang allocation lost cases")
    _ensure_fa_per_group(n, typ, sc, rng)
    return n


def _ensure_fa_per_group(n: pd.DataFrame, typ: pd.DataFrame, sc: dict, rng) -> None:
    """Every Tabel-17 group gets at least ``min_fa_pr_gruppe`` fortrinsadgang cases (else its mean
    would be suppressed by disclosure control). Organisation groups: IS -> FA inside the group,
    compensated FA -> IS in specialiseret_team (group and national totals unchanged). Strategy
    groups: FA moved between kommuner of the same organisation."""
    need = int(sc["min_fa_pr_gruppe"])
    cap = sc["max_pr_kommune"]
    org, strat = typ["organisering"], typ["strategi"]
    spec = org.index[org == "specialiseret_team"]
    for g in ("spredt_specialisering", "generel_specialisering"):
        members = org.index[org == g]
        while n.loc[members, "fa"].sum() < need:
            src = [k for k in rng.permutation(members) if n.loc[k, "is"] > 0 and n.loc[k, "fa"] < cap]
            dst = [k for k in rng.permutation(spec) if n.loc[k, "fa"] > 0 and n.loc[k, "is"] < cap]
            if not src or not dst:
                raise ValueError(f"cannot give {g} {need} fortrinsadgang cases")
            n.loc[src[0], ["is", "fa"]] += [-1, 1]
            n.loc[dst[0], ["is", "fa"]] += [1, -1]
    for st in ("proaktiv", "reaktiv", "diffus"):
        for _ in range(200):
            if n.loc[strat.index[strat == st], "fa"].sum() >= need:
                break
            moved = False
            for k_to in rng.permutation(strat.index[strat == st]):
                if n.loc[k_to, "fa"] >= cap:
                    continue
                donors = [k for k in rng.permutation(org.index[org == org[k_to]])
                          if strat[k] != st and n.loc[k, "fa"] > 0
                          and n.loc[strat.index[strat == strat[k]], "fa"].sum() > need]
                if donors:
                    n.loc[donors[0], "fa"] -= 1
                    n.loc[k_to, "fa"] += 1
                    moved = True
                    break
            if not moved:
                raise ValueError(f"cannot give strategy {st} {need} fortrinsadgang cases")


def _year_counts(n: pd.DataFrame, typ: pd.DataFrame, sc: dict, rng) -> dict[str, pd.DataFrame]:
    """n[kommune, year] per ordning with exact national year totals."""
    strat = typ.set_index("kommunekode")["strategi"].reindex(n.index)
    tilt18 = strat.map({"reaktiv": 2.2, "diffus": 1.0, "proaktiv": 0.55}).to_numpy()
    tilt20 = strat.map({"reaktiv": 0.8, "diffus": 1.0, "proaktiv": 1.3}).to_numpy()
    out = {}
    for o in ORDNINGER:
        tot = n[o].to_numpy()
        yt = {int(k): int(v) for k, v in sc["aar_antal"][o].items()}
        if sum(yt.values()) != tot.sum():
            raise ValueError(f"aar_antal for {o} does not add up to {tot.sum()}")
        m = np.zeros((len(tot), 3), int)
        if o == "hm":  # l.1600: the 32 HM cases from 2020 are spread over all 20 kommuner
            m[:, 2] = np.minimum(tot, 1)
            m[:, 2] += _alloc_capped(tilt20 * tot * np.exp(rng.normal(0, 0.3, len(tot))), yt[2020] - m[:, 2].sum(),
                                     np.maximum(tot - m[:, 2] - 1, 0))
        else:
            m[:, 2] = _alloc_capped(tilt20 * tot * np.exp(rng.normal(0, 0.3, len(tot))), yt[2020], tot)
        m[:, 0] = _alloc_capped(tilt18 * tot * np.exp(rng.normal(0, 0.3, len(tot))), yt[2018], tot - m[:, 2])
        m[:, 1] = tot - m[:, 0] - m[:, 2]
        out[o] = pd.DataFrame(m, index=n.index, columns=list(YEARS))
    return out


# ------------------------------------------------------------------------------------------
# processing times


def _fix_sum(v: np.ndarray, lo: np.ndarray, hi: np.ndarray, target: int, rng) -> np.ndarray:
    v = np.clip(v, lo, hi).astype(int)
    for _ in range(100_000):
        d = target - int(v.sum())
        if d == 0:
            return v
        elig = np.where(v < hi)[0] if d > 0 else np.where(v > lo)[0]
        if len(elig) == 0:
            raise ValueError("duration total infeasible")
        step = np.sign(d) * max(1, abs(d) // len(elig))
        pick = rng.permutation(elig)[: min(len(elig), abs(d))]
        v[pick] = np.clip(v[pick] + step, lo[pick], hi[pick])
    raise RuntimeError("could not fix duration total")  # pragma: no cover


def durations_exact(n: int, n_long: int, total_days: int, short_mean: float, rng) -> np.ndarray:
    """Integer day counts: exactly ``n_long`` over 28 days, summing exactly to ``total_days``."""
    if n == 0:
        return np.zeros(0, int)
    n_short = n - n_long
    shape = 1.3
    short = np.round(rng.gamma(shape, max(short_mean, 0.05) / shape, n_short))
    short = np.clip(short, 0, 28)
    if n_long:
        room = total_days - short.sum()
        lm = max(room / n_long, 29.5)
        long = 29 + np.round(rng.gamma(1.6, (lm - 29) / 1.6, n_long))
    else:
        long = np.zeros(0)
    v = np.concatenate([short, long])
    lo = np.concatenate([np.zeros(n_short), np.full(n_long, 29)])
    hi = np.concatenate([np.full(n_short, 28), np.full(n_long, 400)])
    if not (lo.sum() <= total_days <= hi.sum()):
        raise ValueError(f"infeasible duration target n={n} long={n_long} total={total_days}")
    return _fix_sum(v, lo, hi, int(total_days), rng)


def _swap_search(dur, year, org, strat, targets_org, targets_strat, rng, iters=60_000):
    """Swap durations between cases of the same year to bring group means (weeks) to target."""
    dur = dur.astype(float).copy()
    n_o = np.bincount(org, minlength=3).astype(float)
    n_s = np.bincount(strat, minlength=3).astype(float)
    s_o = np.bincount(org, weights=dur, minlength=3)
    s_s = np.bincount(strat, weights=dur, minlength=3)
    t_o = np.asarray(targets_org) * 7
    t_s = np.asarray(targets_strat) * 7

    def obj(so, ss):
        with np.errstate(invalid="ignore", divide="ignore"):
            a = np.where(n_o > 0, (so / np.maximum(n_o, 1) - t_o) ** 2 * n_o, 0)
            b = np.where(n_s > 0, (ss / np.maximum(n_s, 1) - t_s) ** 2 * n_s, 0)
        return a.sum() + b.sum()

    cur = obj(s_o, s_s)
    by_year = {y: np.where(year == y)[0] for y in np.unique(year)}
    years = [y for y, ix in by_year.items() if len(ix) > 1]
    weights = np.array([len(by_year[y]) for y in years], float)
    weights /= weights.sum()
    ys = rng.choice(len(years), size=iters, p=weights)
    u1 = rng.random(iters)
    u2 = rng.random(iters)
    stall = 0
    for it in range(iters):
        ix = by_year[years[ys[it]]]
        i = ix[int(u1[it] * len(ix))]
        j = ix[int(u2[it] * len(ix))]
        d = dur[j] - dur[i]
        if d == 0 or (org[i] == org[j] and strat[i] == strat[j]):
            continue
        so = s_o.copy()
        ss = s_s.copy()
        so[org[i]] += d
        so[org[j]] -= d
        ss[strat[i]] += d
        ss[strat[j]] -= d
        new = obj(so, ss)
        if new < cur - 1e-9:
            dur[i], dur[j] = dur[j], dur[i]
            s_o, s_s, cur = so, ss, new
            stall = 0
        else:
            stall += 1
            if stall > 6000:
                break
    return dur.astype(int)


def _processing_times(cases: pd.DataFrame, typ: pd.DataFrame, sc: dict, rng) -> pd.Series:
    """Days from application to decision for every case (module docstring, items 2-3)."""
    t = typ.set_index("kommunekode")
    org_codes = {o: i for i, o in enumerate(("specialiseret_team", "spredt_specialisering", "generel_specialisering"))}
    strat_codes = {s: i for i, s in enumerate(("proaktiv", "diffus", "reaktiv"))}
    days = pd.Series(0, index=cases.index, dtype="int64")
    for o in ORDNINGER:
        c = cases[cases["ordning"] == o]
        org = c["kommunekode"].map(t["organisering"]).map(org_codes).to_numpy()
        strat = c["kommunekode"].map(t["strategi"]).map(strat_codes).to_numpy()
        yrs = c["aar"].to_numpy()
        means = dict(sc["uger_gns"][o])
        t17 = sc["tabel17"].get(o)
        ny = {y: int((yrs == y).sum()) for y in YEARS}
        free = [y for y in YEARS if means.get(y) is None]
        if free:
            # ordning total midway between the org- and strategy-implied totals of Tabel 17
            n_o = np.bincount(org, minlength=3)
            n_s = np.bincount(strat, minlength=3)
            A = sum(n_o[i] * t17[k] for k, i in org_codes.items())
            B = sum(n_s[i] * t17[k] for k, i in strat_codes.items())
            S = (A + B) / 2
            known = sum(ny[y] * means[y] for y in YEARS if y not in free)
            for y in free:
                means[y] = max((S - known) / sum(ny[z] for z in free), 0.01)
        dur = np.zeros(len(c), int)
        for y in YEARS:
            ix = np.where(yrs == y)[0]
            if len(ix) == 0:
                continue
            n_long = int(round(sc["andel_over_4_uger"][o][y] * len(ix)))
            total = int(round(means[y] * 7 * len(ix)))
            d = durations_exact(len(ix), n_long, total, sc["kort_gns_dage"][o], rng)
            # comonotone assignment by kommune propensity (Tabel-17 rows) + case noise
            if t17:
                prop = np.log(np.array([t17[k] for k in c["kommunekode"].iloc[ix].map(t["organisering"])], float)) \
                    + np.log(np.array([t17[k] for k in c["kommunekode"].iloc[ix].map(t["strategi"])], float))
            else:
                prop = np.zeros(len(ix))
            prop = prop + rng.normal(0, 0.8, len(ix))
            dur[ix[np.argsort(prop)]] = np.sort(d)
        if t17:
            dur = _swap_search(dur, yrs, org, strat,
                               [t17[k] for k in org_codes], [t17[k] for k in strat_codes], rng)
        days.loc[c.index] = dur
    return days


# ------------------------------------------------------------------------------------------
# impairments (Tabel 14)


def _impairments(n: int, fc: dict, codes_by_cat: dict, nonspecific: set, rng) -> pd.DataFrame:
    """Exact allocation of funktionsnedsaettelse_1/_2 and dobbeltdiagnose for ``n`` cases."""
    n_rec = int(round(fc["registreret"] * n))
    cat_n = {c: int(round(fc["kategorier"][c] * n)) for c in CATEGORIES}
    top = {k: int(round(v * n)) for k, v in fc["top5"].items()}
    # the dobbeltdiagnose share is of all the ordning's cases (those without an impairment are enkelt)
    n_dbl = min(int(largest_remainder([1 - fc["dobbelt"], fc["dobbelt"]], n)[1]), n_rec)
    x = sum(cat_n.values()) - n_rec  # cases with two different categories
    if not (0 <= x <= n_dbl):
        raise ValueError(f"Tabel 14 shares inconsistent: {x} cross-category doubles, {n_dbl} doubles")
    forbidden = {frozenset(p) for p in fc.get("forbudte_par", [])}
    # 1) category sets per case
    remaining = dict(cat_n)
    pairs = []
    for _ in range(x):
        order = sorted(remaining, key=lambda c: -remaining[c])
        done = False
        for a_i in range(len(order)):
            for b_i in range(a_i + 1, len(order)):
                a, b = order[a_i], order[b_i]
                if remaining[a] > 0 and remaining[b] > 0 and frozenset((a, b)) not in forbidden:
                    pairs.append((a, b))
                    remaining[a] -= 1
                    remaining[b] -= 1
                    done = True
                    break
            if done:
                break
        if not done:
            raise ValueError("cannot pair impairment categories")
    singles = [c for c in CATEGORIES for _ in range(remaining[c])]
    # 2) same-category doubles: per category bounds from the code targets
    thr = min(top.values())
    same_total = n_dbl - x
    lo_d, hi_d = {}, {}
    for c in CATEGORIES:
        codes = codes_by_cat[c]
        tsum = sum(top.get(k, 0) for k in codes)
        others = [k for k in codes if k not in top]
        cap_other = sum(cat_n[c] if k in nonspecific else thr - 1 for k in others)
        n_single_c = singles.count(c)
        lo_d[c] = max(0, tsum - cat_n[c])
        hi_d[c] = max(0, min(n_single_c, tsum + cap_other - cat_n[c], cat_n[c]))
        if len(codes) < 2:
            hi_d[c] = 0
    if sum(lo_d.values()) > same_total or sum(hi_d.values()) < same_total:
        raise ValueError("same-category doubles infeasible")
    d = dict(lo_d)
    extra = same_total - sum(d.values())
    if extra:
        room = np.array([hi_d[c] - d[c] for c in CATEGORIES])
        add = _alloc_capped(np.array([cat_n[c] for c in CATEGORIES], float) + 0.1, extra, room)
        for c, a in zip(CATEGORIES, add):
            d[c] += int(a)
    # case skeletons: (cat1, cat2, same_cat_double)
    skel = [(a, b, False) for a, b in pairs]
    for c in CATEGORIES:
        m = singles.count(c)
        skel += [(c, None, True)] * d[c] + [(c, None, False)] * (m - d[c])
    # 3) codes per category: slots = cases with the category + same-category doubles
    f1 = [None] * len(skel)
    f2 = [None] * len(skel)
    for c in CATEGORIES:
        first = [i for i, s in enumerate(skel) if s[0] == c]
        second = [i for i, s in enumerate(skel) if s[1] == c]
        owners = first + second  # one slot per case with the category
        dbl = [i for i in owners if skel[i][2]]
        n_slots = len(owners) + len(dbl)
        codes = codes_by_cat[c]
        counts = {k: top.get(k, 0) for k in codes}
        others = [k for k in codes if k not in top]
        rest = n_slots - sum(counts.values())
        if others and rest > 0:
            # a non-specific code is kept below the top-5 too where the category allows it
            strict = sum(min(thr - 1, len(owners)) for k in others) >= rest
            caps = [len(owners) if (k in nonspecific and not strict) else min(thr - 1, len(owners)) for k in others]
            add = _alloc_capped(np.exp(rng.normal(0, 0.6, len(others))), rest, caps)
            for k, a in zip(others, add):
                counts[k] += int(a)
        elif rest != 0:
            raise ValueError(f"code slots for {c} do not match")
        seq = [k for k in sorted(counts, key=lambda k: -counts[k]) for _ in range(counts[k])]
        # slot order: one slot per owner, then the second slot of each same-category double;
        # a code's run never spans both slots of one case (its count <= number of owners).
        # double cases first: case q has its slots at q and len(owners) + q, further apart than
        # any code's run (a code's count never exceeds the number of owners)
        perm_dbl = list(rng.permutation(dbl))
        perm = perm_dbl + list(rng.permutation([i for i in owners if not skel[i][2]]))
        slots = [(i, 0) for i in perm] + [(i, 1) for i in perm_dbl]
        for (i, which), code in zip(slots, seq):
            if skel[i][1] == c:  # category is the case's second category
                f2[i] = code
            elif which == 0:
                f1[i] = code
            else:
                f2[i] = code
    df = pd.DataFrame({"funktionsnedsaettelse_1": f1, "funktionsnedsaettelse_2": f2})
    df["dobbeltdiagnose"] = df["funktionsnedsaettelse_2"].notna()
    # a case without a recorded impairment is not double-diagnosed (Tabel 14's enkelt/dobbelt
    # shares are of all the ordning's cases: FA 14 pct. = 9 of 65)
    unrec = pd.DataFrame({"funktionsnedsaettelse_1": [None] * (n - n_rec), "funktionsnedsaettelse_2": [None] * (n - n_rec),
                          "dobbeltdiagnose": [False] * (n - n_rec)})
    out = pd.concat([df, unrec], ignore_index=True)
    return out.iloc[rng.permutation(len(out))].reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# Tabel 19 and other attributes


def _pick_kommune_share(counts: pd.Series, share: float, exclude: set) -> tuple[int, int]:
    """The kommune (and its case count) whose count allows a share closest to ``share``."""
    best = None
    for k, nk in counts.items():
        if k in exclude or nk < 5:
            continue
        m = int(round(share * nk))
        err = abs(m / nk - share)
        if best is None or err < best[0] - 1e-12:
            best = (err, k, m)
    return best[1], best[2]


def _printable(m: int, n: int, share: float, half: float = 0.005) -> bool:
    """m/n prints as ``share`` at whole percents (half a percent either side)."""
    return abs(m / n - share) <= half + 1e-12


def _kommune_for_share(counts: pd.Series, share: float, exclude: set) -> tuple[int, int]:
    """A kommune whose count minus ``drop`` cases (0 or 1) allows a count that prints as ``share``
    (l.1689: "hhv. 88. og 85 pct."): (kommune, cases to drop). Without one, the closest."""
    for half in (0.004, 0.005):  # away from the rounding edge if possible
        for drop in (0, 1):
            for k, nk in counts.sort_values(ascending=False).items():
                n = int(nk) - drop
                if k not in exclude and n >= 5 and _printable(int(round(share * n)), n, share, half):
                    return int(k), drop
    return _pick_kommune_share(counts, share, exclude)[0], 0


def _feasible_split(n: int, shares: dict) -> dict:
    """Counts over the categories of ``shares`` (summing to ``n``) that each print as their share
    at whole percents, closest to ``n x share``; the largest-remainder counts when none exists."""
    keys = list(shares)
    tot = sum(shares.values())
    base = {k: int(v) for k, v in exact_allocation({k: shares[k] / tot for k in keys}, n).items()}
    ranges = [range(max(0, int(np.floor((shares[k] - 0.005) * n))), int(np.ceil((shares[k] + 0.005) * n)) + 1)
              for k in keys[:-1]]
    best, best_err = base, None
    for combo in np.array(np.meshgrid(*ranges)).T.reshape(-1, len(keys) - 1):
        last = n - int(combo.sum())
        counts = dict(zip(keys, [*map(int, combo), last]))
        if last < 0 or not all(_printable(counts[k], n, shares[k]) for k in keys):
            continue
        err = sum((counts[k] - shares[k] / tot * n) ** 2 for k in keys)
        if best_err is None or err < best_err:
            best, best_err = counts, err
    return best


def _assign_exact(n: int, shares: dict, rng) -> np.ndarray:
    alloc = exact_allocation(shares, n)
    vals = np.concatenate([[k] * v for k, v in alloc.items()])
    return rng.permutation(vals)


def _attributes(cases: pd.DataFrame, sc: dict, rng) -> pd.DataFrame:
    c = cases
    for col in ("tidsbegraenset", "varighed_mdr", "udlaan_tilskud", "lov", "foerstegangsbevilling",
                "opfoelgning_med_aendring", "soegt_uden_om_jobcenter", "ydelse"):
        c[col] = None
    c["afgoerelse"] = "bevilling"
    # refusals; PA's are placed first where they let a named kommune share print exactly (l.1689)
    pa_counts = c.loc[c["ordning"] == "pa", "kommunekode"].value_counts()
    named, drops = [], []
    for share_not in sc["pa_ikke_tidsbegraenset_kommuner"]:
        k, drop = _kommune_for_share(pa_counts, share_not, set(named))
        named.append(k)
        drops += [k] * drop
    for o, n_afs in (("pa", sc["pa_afslag_antal"]),
                     ("hm", int(round(sc["hm_afslag_andel"] * (c["ordning"] == "hm").sum()))),
                     ("fa", int(round(sc["fa_afslag_andel"] * (c["ordning"] == "fa").sum())))):
        ix = c.index[c["ordning"] == o]
        first = [rng.choice(ix[c.loc[ix, "kommunekode"].to_numpy() == k]) for k in (drops if o == "pa" else [])]
        keep = set(named) if o == "pa" else set()  # the named kommuner lose no other case
        rest = [i for i in rng.permutation(ix) if i not in first and c.loc[i, "kommunekode"] not in keep]
        c.loc[(first + rest)[:n_afs], "afgoerelse"] = "afslag"
    # PA: time-limited (Tabel 19) with the named kommune extremes (l.1689)
    pa = c[(c["ordning"] == "pa") & (c["afgoerelse"] == "bevilling")]
    n_true = int(round(sc["pa_tidsbegraenset"] * len(pa)))
    counts = pa["kommunekode"].value_counts()
    fixed = {}
    used = set()
    for k, share_not in zip(named, sc["pa_ikke_tidsbegraenset_kommuner"]):
        fixed[k] = int(counts[k]) - int(round(share_not * counts[k]))
        used.add(k)
    small = [k for k in counts.sort_values().index if k not in used][: sc["pa_alle_tidsbegraensede_kommuner"]]
    for k in small:
        fixed[k] = int(counts[k])
    tb = _flags_by_kommune_true(pa["kommunekode"], n_true, fixed, rng)
    c.loc[pa.index, "tidsbegraenset"] = tb
    # durations of the time-limited grants: exact band counts and exact mean
    tl = pa.index[tb]
    # the three bands print as 18/76/7 pct. although they sum to 101 (l.1675)
    alloc = _feasible_split(len(tl), sc["pa_varighed_andele"])
    band = rng.permutation(np.concatenate([[k] * v for k, v in alloc.items()]))
    vals = sc["pa_varighed_vaerdier"]
    months = np.where(band == "lig_12", 12.0, 0.0)
    u_ix = np.where(band == "under_12")[0]
    o_ix = np.where(band == "over_12")[0]
    months[u_ix] = rng.choice(vals["under_12"], len(u_ix), p=_tail_p(len(vals["under_12"])))
    months[o_ix] = rng.choice(vals["over_12"], len(o_ix), p=_tail_p(len(vals["over_12"])))
    target = int(round(sc["pa_varighed_gns_mdr"] * len(tl)))
    adj = np.concatenate([u_ix, o_ix])
    lo = np.concatenate([np.full(len(u_ix), min(vals["under_12"])), np.full(len(o_ix), 13)])
    hi = np.concatenate([np.full(len(u_ix), 11), np.full(len(o_ix), max(vals["over_12"]))])
    months[adj] = _fix_sum(months[adj], lo, hi, target - int(months[band == "lig_12"].sum()), rng)
    c.loc[tl, "varighed_mdr"] = months.astype(float)
    # follow-up (l.1687): among followed-up PA grants 75 pct. without change
    fu = rng.permutation(pa.index)[: int(round(sc["pa_opfoelgning_andel"] * len(pa)))]
    n_change = len(fu) - int(round(sc["pa_opfoelgning_uden_aendring"] * len(fu)))
    ch = np.zeros(len(fu), bool)
    ch[:n_change] = True
    c.loc[fu, "opfoelgning_med_aendring"] = rng.permutation(ch)
    # first-time grants
    for o, sh in (("pa", sc["pa_foerstegang"]), ("hm", sc["hm_foerstegang"])):
        ix = c.index[c["ordning"] == o]
        f = np.zeros(len(ix), bool)
        f[: int(round(sh * len(ix)))] = True
        c.loc[ix, "foerstegangsbevilling"] = rng.permutation(f)
    c.loc[c["ordning"] == "is", "foerstegangsbevilling"] = True
    # HM: udlån/tilskud with the named extremes (l.1691), LAB/KOL (l.1217)
    hm = c[(c["ordning"] == "hm") & (c["afgoerelse"] == "bevilling")]
    n_udl = int(round(sc["hm_udlaan"] * len(hm)))
    counts = hm["kommunekode"].value_counts()
    fixed, used = {}, set()
    for sh in sorted(sc["hm_udlaan_kommuner"], reverse=True):
        if sh >= 1.0:
            k = [k for k in counts.sort_values().index if k not in used and counts[k] >= 5][0]
            fixed[k] = int(counts[k])
        else:
            k, m = _pick_kommune_share(counts, sh, used)
            fixed[k] = m
        used.add(k)
    udl = _flags_by_kommune_true(hm["kommunekode"], n_udl, fixed, rng, cap_share=0.6)
    c.loc[hm.index, "udlaan_tilskud"] = np.where(udl, "udlaan", "tilskud")
    hm_all = c[c["ordning"] == "hm"]
    n_kol = int(round(sc["hm_kol"] * len(hm_all)))
    elig = hm_all.index[hm_all["aar"] >= 2019]
    c.loc[hm_all.index, "lov"] = "LAB"
    c.loc[rng.permutation(elig)[:n_kol], "lov"] = "KOL"
    # fortrinsadgang: applied without the jobcentre (l.1616)
    fa = c.index[c["ordning"] == "fa"]
    f = np.zeros(len(fa), bool)
    f[: int(round(sc["fa_uden_om_jobcenter"] * len(fa)))] = True
    c.loc[fa, "soegt_uden_om_jobcenter"] = rng.permutation(f)
    # ydelse at application
    for o in ORDNINGER:
        ix = c.index[c["ordning"] == o]
        c.loc[ix, "ydelse"] = _assign_exact(len(ix), sc["ydelse"][o], rng)
    return c


def _tail_p(k: int) -> np.ndarray:
    p = np.arange(1, k + 1, dtype=float)
    return p / p.sum()


def _flags_by_kommune_true(kom: pd.Series, total_true: int, fixed: dict, rng, cap_share: float = 0.97) -> np.ndarray:
    """Exactly ``total_true`` True flags; ``fixed[k]`` = True count in kommune k; the others get a
    share of their cases, capped so no other kommune reaches the named extremes."""
    kv = kom.to_numpy()
    counts = kom.value_counts()
    rest_k = [k for k in counts.index if k not in fixed]
    rest_total = total_true - sum(fixed.values())
    caps = np.array([max(0, int(np.floor(counts[k] * cap_share))) for k in rest_k])
    lo_caps = np.array([1 if counts[k] >= 3 and cap_share < 0.9 else 0 for k in rest_k])
    w = counts[rest_k].to_numpy(float) * np.exp(rng.normal(0, 0.25, len(rest_k)))
    if cap_share >= 0.9:
        # time-limited PA: the other kommuners must keep at least one non-time-limited case
        caps = np.array([int(counts[k]) - 1 for k in rest_k])
    alloc = _alloc_capped(w, rest_total - lo_caps.sum(), caps - lo_caps) + lo_caps
    flags = np.zeros(len(kom), bool)
    for k, m in list(zip(rest_k, alloc)) + list(fixed.items()):
        ix = np.where(kv == k)[0]
        flags[rng.permutation(ix)[: int(m)]] = True
    return flags


# ------------------------------------------------------------------------------------------
# resource estimates (Tabel 18)


def _ressourceestimat(typ: pd.DataFrame, cal: dict, rng) -> pd.DataFrame:
    rc = cal["ressourceestimat"]
    kk = typ["kommunekode"].to_numpy()
    n = len(kk)
    rows = []
    for o in ORDNINGER:
        L, H = rc["skala"][o]
        mean = rc["gns"][o]
        if o == "pa":
            n_maj = int(round(rc["pa_majoritet_2_4"] * n))
            ranges = [(2, 4)] * n_maj + [(L, 3)] + [(3, 6), (4, 8), (5, H), (3, 7), (4, 8), (3, 6)][: n - n_maj - 1]
        elif o == "hm":
            n_half = int(round(rc["hm_halvdel_1_3"] * n))
            n_up = 3
            ranges = [(L, 3)] * (n_half - 1) + [(L, 2)] + [(2, 4)] * (n - n_half - n_up) + [(3, 6), (4, H), (3, 7)]
        elif o == "is":
            m = n - rc["is_uden_erfaring"]
            ranges = [(1, 3)] * (m // 2) + [(2, 3)] * (m - m // 2 - 2) + [(L, 2), (2, H)] + [None] * rc["is_uden_erfaring"]
        else:
            ranges = [(1, 2)] * (n - 4) + [(L, H), (1, 2), (1, 2), (1, 3)]
        ranges = ranges[:n]
        rng_ix = rng.permutation(n)
        ranges = [ranges[i] for i in rng_ix]
        have = np.array([r is not None for r in ranges])
        lo = np.array([r[0] if r else np.nan for r in ranges], float)
        hi = np.array([r[1] if r else np.nan for r in ranges], float)
        g = np.where(have, lo + (hi - lo) * rng.uniform(0.3, 0.7, n), np.nan)
        # exact mean of the kommune means: shift inside [lo, hi] (water-filling), then round to 0.1
        target = mean * have.sum()
        for _ in range(200):
            d = target - np.nansum(g)
            if abs(d) < 1e-9:
                break
            room = np.where(have, (hi - g) if d > 0 else (g - lo), 0)
            if room.sum() <= 1e-12:
                raise ValueError(f"Tabel 18 mean for {o} infeasible")
            g = g + np.sign(d) * np.minimum(room, abs(d) * room / room.sum())
        g = np.round(g, 1)
        resid = round(target - np.nansum(g), 1)
        if abs(resid) > 0:
            j = np.where(have & (g + resid >= lo) & (g + resid <= hi))[0][0]
            g[j] = round(g[j] + resid, 1)
        rows.append(pd.DataFrame({"kommunekode": kk, "ordning": o, "timer_min": lo, "timer_max": hi, "timer_gns": g}))
    df = pd.concat(rows, ignore_index=True)
    df["kommunekode"] = df["kommunekode"].astype("int64")
    return df.sort_values(["kommunekode", "ordning"]).reset_index(drop=True)


# ------------------------------------------------------------------------------------------


def generate(ctx) -> dict[str, pd.DataFrame]:
    cal = (getattr(ctx, "plan", None) or {}).get("calibration") or load_calibration()
    sc = cal["sager"]
    typ = ctx.outputs["kommunetypologi"]
    rng = ctx.rng("d3_sager")
    n = _case_counts(typ, sc, ctx.rng("d3_sager.antal"))
    yc = _year_counts(n, typ, sc, ctx.rng("d3_sager.aar"))
    rows = []
    for o in ORDNINGER:
        for k in n.index:
            for y in YEARS:
                rows += [(int(k), o, y)] * int(yc[o].loc[k, y])
    cases = pd.DataFrame(rows, columns=["kommunekode", "ordning", "aar"])
    # impairments per ordning (exact), assigned to a random permutation of the ordning's cases
    fm = pd.read_csv(MAPPINGS_DIR / "funktionsnedsaettelser.csv", comment="#")
    codes_by_cat = {c: list(fm.loc[fm["kategori"] == c, "kode"]) for c in CATEGORIES}
    nonspecific = set(sc["ikke_specifikke_koder"])
    imp_rng = ctx.rng("d3_sager.funktionsnedsaettelse")
    parts = []
    for o in ORDNINGER:
        ix = cases.index[cases["ordning"] == o]
        imp = _impairments(len(ix), sc["funktionsnedsaettelse"][o], codes_by_cat, nonspecific, imp_rng)
        imp.index = imp_rng.permutation(ix)
        parts.append(imp)
    cases = cases.join(pd.concat(parts))
    days = _processing_times(cases, typ, sc, ctx.rng("d3_sager.tid"))
    # dates: decision within the year (2020: first half, the review took place in 2020)
    dec = []
    for y in cases["aar"]:
        span = 181 if y == 2020 else 365
        dec.append(pd.Timestamp(f"{y}-01-01") + pd.Timedelta(days=int(rng.integers(0, span))))
    cases["bevillingsdato"] = pd.to_datetime(dec)
    cases["ansoegningsdato"] = cases["bevillingsdato"] - pd.to_timedelta(days.to_numpy(), unit="D")
    cases = _attributes(cases, sc, ctx.rng("d3_sager.attributter"))
    cases = cases.sort_values(["kommunekode", "ordning", "bevillingsdato"]).reset_index(drop=True)
    cases["sag_id"] = [f"S{k}-{o}-{i:03d}" for i, (k, o) in enumerate(zip(cases["kommunekode"], cases["ordning"]))]
    for col in ("tidsbegraenset", "foerstegangsbevilling", "opfoelgning_med_aendring", "soegt_uden_om_jobcenter",
                "dobbeltdiagnose"):
        cases[col] = cases[col].astype("boolean")
    cases["varighed_mdr"] = pd.to_numeric(cases["varighed_mdr"]).astype(float)
    for col in ("udlaan_tilskud", "lov", "ydelse", "funktionsnedsaettelse_1", "funktionsnedsaettelse_2"):
        cases[col] = cases[col].astype("string")
    cases["kommunekode"] = cases["kommunekode"].astype("int64")
    cases["aar"] = cases["aar"].astype("int64")
    cols = ["sag_id", "kommunekode", "ordning", "aar", "ansoegningsdato", "bevillingsdato", "afgoerelse",
            "funktionsnedsaettelse_1", "funktionsnedsaettelse_2", "dobbeltdiagnose", "ydelse", "tidsbegraenset",
            "varighed_mdr", "udlaan_tilskud", "lov", "foerstegangsbevilling", "opfoelgning_med_aendring",
            "soegt_uden_om_jobcenter"]
    return {"sagsgennemgang": cases[cols], "ressourceestimat": _ressourceestimat(typ, cal, ctx.rng("d3_sager.ressource"))}
