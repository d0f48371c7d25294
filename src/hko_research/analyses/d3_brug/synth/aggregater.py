"""Step 3 of the delanalyse-3 synthesis: municipal aggregates.

``generate(ctx) -> {"regnskab", "fuldtidspersoner", "noegleperson_survey"}``; reads the grant plan
of step 1 (``ctx.plan["grants"]``, ``ctx.plan["kommuner"]``) and the persons of step 2
(``ctx.plan["grant_ydelse"]``, ``ctx.plan["pa_active_ydelse"]``).

Calibration (parameters and report lines in ``calibration_kommuner.yaml``):

* regnskab: each kommune's 2019 unit price (expenditure / grants, definitions #17) follows a
  log-linear model that falls with the kommune's cases per inhabitant (l.1572), with a casekommune
  strategy effect (l.1576) and lognormal noise. The model's level, slope and strategy effects are
  solved (``scipy.optimize.least_squares``) so that, exactly, the national expenditure (l.1513),
  the mean of the kommune unit prices (Figur 26/27, l.1568) and the proaktiv/reaktiv means (l.1576)
  hold. The Figur-25 kommuner get their published expenditure share (l.1534-1546) and a further set
  of kommuner is placed just above the "higher than expected" threshold so that 18 pct. of the 98
  kommuner exceed it (fn 35); all other kommuner are kept below it. Isbryder: kommune prices averaging
  216.700 kr. over the kommuner with 2019 grants, the rest of the 8,9 mio. as running costs in
  kommuner with a grant the year before. Expenditure is split over the ordning's konti
  (``params/mappings/regnskabskonti.csv``). Other years: same prices x the year's grants, scaled to
  a national trend index.
* fuldtidspersoner: national 2019 denominators per jobindsats group chosen from step 2's persons so
  that Figur 22/23 land (HM FLEKS 3,2 / KTH 2,7 pct., active PA FLEKS 2,5 / KTH 0,3 pct.; where the
  HM and PA ratios of one group cannot both be exact, the geometric mean of the two implied
  denominators, or, when even that misses both by more than ``max_afvigelse``, the HM ratio is kept
  within it and the PA ratio misses), the other groups at realistic magnitudes but bounded so that FLEKS, SDP, LYD and
  JAF have higher ratios than ADP and KTH (l.1372). Distributed over kommuner by population and rank.
* noegleperson_survey: 55 responding kommuner (l.1240); fortrinsadgang counts allocated exactly to
  100 over 2018-2019 (Tabel 11); PA/HM/isbryder counts are partial reports of the register counts
  with item non-response.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from ....paths import MAPPINGS_DIR
from .kommuner import codes, load_calibration

JOBINDSATS = ("ADP", "KTH", "UDH", "REV", "INT", "SDP", "JAF", "RESS", "LYD", "FLEKS")


def _konti() -> pd.DataFrame:
    return pd.read_csv(MAPPINGS_DIR / "regnskabskonti.csv", comment="#", dtype=str)


def _ydelse_map() -> dict[str, str]:
    m = pd.read_csv(MAPPINGS_DIR / "ydelsesgrupper.csv", comment="#", dtype=str)
    m = m.dropna(subset=["jobindsats_gruppe"])
    return dict(zip(m["ydelsesgruppe"], m["jobindsats_gruppe"]))


def _grants_wide(plan, year: int) -> pd.DataFrame:
    g = plan["grants"]
    w = g[g["aar"] == year].pivot_table(index="kommunekode", columns="ordning", values="antal", aggfunc="sum")
    return w.reindex(plan["kommuner"].index).fillna(0).astype(int)


# ------------------------------------------------------------------------------------------
# regnskab


def _solve_prices(x, g, fixed_exp, total, mean_target, groups, base_noise, clip=(0.0, np.inf)):
    """Unit prices u = exp(a - b*log(x/median) + sum_g c_g*[g] + noise) for the free kommuner.

    ``fixed_exp``: expenditure (NaN = free). Solves a, b (>= 0) and one effect per group so that
    total expenditure, the mean of all unit prices and each group's mean price hold.
    """
    free = np.isnan(fixed_exp)
    lx = -np.log(x / np.median(x))
    gnames = list(groups)
    fixed_u = np.where(free, np.nan, fixed_exp / np.maximum(g, 1))

    def prices(p):
        a, b = p[0], p[1]
        eff = np.zeros_like(x)
        for j, gn in enumerate(gnames):
            eff = eff + p[2 + j] * groups[gn][0]
        u = np.clip(np.exp(a + b * lx + eff + base_noise), clip[0], clip[1])
        return np.where(free, u, fixed_u)

    def resid(p):
        u = prices(p)
        out = [np.sum(u * g) / total - 1, u.mean() / mean_target - 1]
        for gn in gnames:
            msk, tgt = groups[gn]
            out.append(u[msk.astype(bool)].mean() / tgt - 1)
        return np.array(out) * 100

    p0 = np.concatenate([[np.log(mean_target), 0.5], np.zeros(len(gnames))])
    lb = np.concatenate([[-np.inf, 0.0], np.full(len(gnames), -3.0)])
    ub = np.concatenate([[np.inf, 4.0], np.full(len(gnames), 3.0)])
    sol = least_squares(resid, p0, bounds=(lb, ub), xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
    return prices(sol.x), sol


def _regnskab_2019(ctx, cal) -> tuple[pd.DataFrame, dict]:
    rc = cal["regnskab"]
    plan = ctx.plan
    kom = plan["kommuner"]
    rng = ctx.rng("d3_aggregater.regnskab")
    n = len(kom)
    P = kom["befolkning"].to_numpy(float)
    w19 = _grants_wide(plan, 2019)
    strat = kom["strategi"].to_numpy(object)
    nat = rc["national_2019_kr"]
    tot_pahm = nat["pa"] + nat["hm"]

    # HM: every kommune free
    g_hm = w19["hm"].to_numpy(float)
    x_hm = g_hm / P
    noise_hm = rng.normal(0, rc["pris_stoej_sd"]["hm"], n)
    groups = {s: ((strat == s).astype(float), rc["enhedspris_strategi"]["hm"][s]) for s in ("proaktiv", "reaktiv")}
    u_hm, _ = _solve_prices(x_hm, g_hm, np.full(n, np.nan), nat["hm"], rc["enhedspris_gns"]["hm"], groups, noise_hm,
                            clip=tuple(rc["enhedspris_graenser"]["hm"]))
    e_hm = u_hm * g_hm

    # PA: Figur-25 kommuner fixed, then the extra "higher than expected" kommuner, the rest free
    g_pa = w19["pa"].to_numpy(float)
    x_pa = g_pa / P
    noise_pa = rng.normal(0, rc["pris_stoej_sd"]["pa"], n)
    popshare = P / P.sum()
    fixed = np.full(n, np.nan)
    named_idx = [kom.index.get_loc(k) for k in codes(rc["udgiftsandel_2019"])]
    for k, share in zip(named_idx, rc["udgiftsandel_2019"].values()):
        fixed[k] = share * tot_pahm - e_hm[k]
    groups = {s: ((strat == s).astype(float), rc["enhedspris_strategi"]["pa"][s]) for s in ("proaktiv", "reaktiv")}
    thr = rc["hoejere_end_forventet_graense"]
    n_high = int(round(rc["hoejere_end_forventet_andel"] * n))
    lo_pp, hi_pp = rc["ekstra_overskud_pp"]
    extra_done = False
    for _ in range(60):
        u_pa, _sol = _solve_prices(x_pa, g_pa, fixed, nat["pa"], rc["enhedspris_gns"]["pa"], groups, noise_pa,
                                   clip=tuple(rc["enhedspris_graenser"]["pa"]))
        e_pa = u_pa * g_pa
        diff = (e_pa + e_hm) / tot_pahm - popshare
        high = diff > thr
        if not extra_done:
            # choose the extra kommuner among the free non-casekommuner closest to the threshold
            need = n_high - int((high & ~np.isnan(fixed)).sum())
            cand = np.where(np.isnan(fixed) & pd.isna(strat) & (diff <= thr))[0]
            pick = cand[np.argsort(-diff[cand])][:max(need, 0)]
            for k in pick:
                fixed[k] = (popshare[k] + rng.uniform(lo_pp, hi_pp)) * tot_pahm - e_hm[k]
            extra_done = True
            continue
        over = np.where(np.isnan(fixed) & high)[0]
        if len(over) == 0:
            break
        for k in over:  # keep unnamed free kommuner below the threshold
            fixed[k] = (popshare[k] + thr * rng.uniform(0.55, 0.9)) * tot_pahm - e_hm[k]
    else:  # pragma: no cover
        raise RuntimeError("could not settle the expenditure shares")
    if np.any(e_pa <= 0) or np.any(e_hm <= 0):
        raise RuntimeError("non-positive expenditure in the calibrated regnskab")

    # isbryder
    g_is = w19["is"].to_numpy(float)
    w18 = _grants_wide(plan, 2018)
    has = g_is > 0
    price = np.exp(rng.normal(0, rc["pris_stoej_sd"]["is"], n))
    price = price / price[has].mean() * rc["enhedspris_gns"]["is"]
    e_is = np.where(has, price * g_is, 0.0)
    rest = nat["is"] - e_is.sum()
    running = (~has) & (w18["is"].to_numpy() > 0)
    if rest < 0 or not running.any():
        raise RuntimeError("isbryder expenditure cannot be reconciled")
    lo_r, hi_r = rc["is_loebende_andel"]
    wr = np.where(running, w18["is"].to_numpy() * rng.uniform(lo_r, hi_r, n), 0.0)
    e_is = e_is + wr / wr.sum() * rest

    out = pd.DataFrame({"pa": e_pa, "hm": e_hm, "is": e_is}, index=kom.index)
    prices = pd.DataFrame({"pa": e_pa / np.maximum(g_pa, 1), "hm": e_hm / np.maximum(g_hm, 1),
                           "is": np.where(has, e_is / np.maximum(g_is, 1), np.nan)}, index=kom.index)
    return out, {"prices_2019": prices}


def _regnskab(ctx, cal) -> pd.DataFrame:
    rc = cal["regnskab"]
    plan = ctx.plan
    kom = plan["kommuner"]
    rng = ctx.rng("d3_aggregater.regnskab_aar")
    e19, info = _regnskab_2019(ctx, cal)
    prices = info["prices_2019"]
    plan["unit_price"] = {"prices_2019": prices, "udgifter_2019": e19, **rc["enhedspris_gns"]}
    years = sorted(set(ctx.years) | {2019})
    per_year = {}
    for y in years:
        if y == 2019:
            per_year[y] = e19
            continue
        wy = _grants_wide(plan, y)
        idx = rc["indeks"].get(y, 1.0 + 0.05 * (y - 2019))
        cols = {}
        for o in ("pa", "hm"):
            raw = prices[o].to_numpy() * wy[o].to_numpy() * np.exp(rng.normal(0, 0.05, len(kom)))
            cols[o] = raw / raw.sum() * e19[o].sum() * idx
        # isbryder: price x grants + running cost for last year's grants
        wprev = _grants_wide(plan, y - 1) if (plan["grants"]["aar"] == y - 1).any() else wy * 0
        base_p = rc["enhedspris_gns"]["is"] * np.exp(rng.normal(0, rc["pris_stoej_sd"]["is"], len(kom)))
        raw = base_p * wy["is"].to_numpy() + 0.6 * base_p * wprev["is"].to_numpy() * (wy["is"].to_numpy() == 0)
        cols["is"] = raw / raw.sum() * e19["is"].sum() * idx if raw.sum() > 0 else raw
        per_year[y] = pd.DataFrame(cols, index=kom.index)
    konti = _konti()
    rows = []
    for y, e in per_year.items():
        for o in ("pa", "hm", "is"):
            split = rc["konto_fordeling"][o]
            kk = list(konti.loc[konti["ordning"] == o, "konto"])
            if set(kk) != set(split):
                raise ValueError(f"konto_fordeling for {o} does not match regnskabskonti.csv")
            w = np.array([split[k] for k in kk])
            shares = rng.dirichlet(w * 60, size=len(kom))
            vals = shares * e[o].to_numpy()[:, None]
            for j, k in enumerate(kk):
                rows.append(pd.DataFrame({"aar": y, "kommunekode": kom.index, "konto": k,
                                          "bruttoudgift_1000kr": np.round(vals[:, j] / 1000.0, 3)}))
    df = pd.concat(rows, ignore_index=True)
    df["aar"] = df["aar"].astype("int64")
    df["kommunekode"] = df["kommunekode"].astype("int64")
    return df.sort_values(["aar", "kommunekode", "konto"]).reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# fuldtidspersoner


def _persons_by_group(plan, year: int) -> tuple[pd.Series, pd.Series]:
    ymap = _ydelse_map()
    if "grant_ydelse" not in plan or "pa_active_ydelse" not in plan:
        raise KeyError("d3_aggregater needs ctx.plan['grant_ydelse'] and ['pa_active_ydelse'] from step 2 (d3_registre)")
    gy = plan["grant_ydelse"]
    hm = gy[(gy["ordning"] == "hm") & (pd.to_datetime(gy["startdato"]).dt.year == year)]
    hm = hm.sort_values(["startdato", "bevilling_id"]).drop_duplicates("pnr", keep="first")
    grp = hm["ydelsesgruppe"].map(lambda v: v if v in JOBINDSATS else ymap.get(v))
    n_hm = grp.value_counts().reindex(JOBINDSATS).fillna(0)
    pa = plan["pa_active_ydelse"]
    pa = pa[pa["aar"] == year]
    grp = pa["ydelsesgruppe"].map(lambda v: v if v in JOBINDSATS else ymap.get(v))
    n_pa = pa.groupby(grp)["personer"].sum().reindex(JOBINDSATS).fillna(0)
    return n_hm.astype(float), n_pa.astype(float)


def national_fuldtidspersoner(n_hm: pd.Series, n_pa: pd.Series, cal: dict) -> pd.Series:
    """National 2019 denominators per jobindsats group (see module docstring)."""
    fc = cal["fuldtidspersoner"]
    d = pd.Series({g: float(v) for g, v in fc["national_2019"].items()}).reindex(JOBINDSATS)
    for g in set(fc["andel_hm"]) | set(fc["andel_pa"]):
        cands = []
        if g in fc["andel_hm"] and n_hm[g] > 0:
            cands.append(n_hm[g] / fc["andel_hm"][g])
        if g in fc["andel_pa"] and n_pa[g] > 0:
            cands.append(n_pa[g] / fc["andel_pa"][g])
        if len(cands) == 2 and max(cands) / min(cands) > fc["max_afvigelse"] ** 2:
            # the two ratios cannot both land within tolerance: keep Figur 22 (HM, grants) within
            # max_afvigelse and move as far towards the PA-implied denominator as that allows
            step = fc["max_afvigelse"] if cands[1] > cands[0] else 1 / fc["max_afvigelse"]
            d[g] = float(cands[0] * step)
        elif len(cands) == 2:
            # weight each implied denominator by the precision its ratio is printed with (0,1 pct.
            # of 3,2 is tighter than 0,1 pct. of 0,3): both land as close to their printed value
            w = [1 / (fc["trykt_enhed"] / fc[k][g]) ** 2 for k in ("andel_hm", "andel_pa")]
            d[g] = float(np.exp(np.dot(w, np.log(cands)) / sum(w)))
        elif cands:
            d[g] = float(cands[0])
    f = fc["faktor_mindst"]
    more, less = fc["relativt_mere"], fc["relativt_mindre"]
    fixed = set(fc["andel_hm"]) | set(fc["andel_pa"])
    for _ in range(5):
        # 'less' groups not pinned by a target: ratio below min('more' ratios)/f
        for g in less:
            if g in fixed:
                continue
            min_hm = min(n_hm[m] / d[m] for m in more)
            min_pa = min(n_pa[m] / d[m] for m in more)
            d[g] = max(d[g], n_hm[g] * f / max(min_hm, 1e-12), n_pa[g] * f / max(min_pa, 1e-12))
        for g in more:
            if g in fixed:
                continue
            max_hm = max(n_hm[m] / d[m] for m in less)
            max_pa = max(n_pa[m] / d[m] for m in less)
            lim = [d[g]]
            if n_hm[g] > 0:
                lim.append(n_hm[g] / (f * max_hm))
            if n_pa[g] > 0:
                lim.append(n_pa[g] / (f * max_pa))
            d[g] = max(min(lim), 1.0)
    return d


def _fuldtidspersoner(ctx, cal) -> pd.DataFrame:
    fc = cal["fuldtidspersoner"]
    plan = ctx.plan
    kom = plan["kommuner"]
    rng = ctx.rng("d3_aggregater.fuldtidspersoner")
    n_hm, n_pa = _persons_by_group(plan, 2019)
    d19 = national_fuldtidspersoner(n_hm, n_pa, cal)
    plan["fuldtidspersoner_2019"] = d19
    P = kom["befolkning"].to_numpy(float)
    z = (kom["rang"].to_numpy(float) - 49.5) / 28.3
    base_w = P * np.exp(-fc["rang_effekt"] * z)
    rows = []
    for y in sorted(set(ctx.years) | {2019}):
        idx = fc["indeks"].get(y, 1.0)
        # group totals vary around the year's index; all groups together follow it exactly (l.1231)
        nat_y = d19 * (1.0 if y == 2019 else idx * np.exp(rng.normal(0, 0.02, len(d19))))
        nat_y = nat_y * (idx * d19.sum() / nat_y.sum())
        for g in JOBINDSATS:
            w = base_w * np.exp(rng.normal(0, 0.12, len(kom)))
            nat = float(nat_y[g])
            vals = np.round(w / w.sum() * nat, 2)
            vals[-1] += round(nat - vals.sum(), 2)
            rows.append(pd.DataFrame({"aar": y, "kommunekode": kom.index, "ydelsesgruppe": g,
                                      "fuldtidspersoner": np.maximum(vals, 0.0)}))
    df = pd.concat(rows, ignore_index=True)
    df["aar"] = df["aar"].astype("int64")
    df["kommunekode"] = df["kommunekode"].astype("int64")
    return df.sort_values(["aar", "kommunekode", "ydelsesgruppe"]).reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# noegleperson_survey


def _survey(ctx, cal) -> pd.DataFrame:
    sc = cal["noegleperson_survey"]
    plan = ctx.plan
    kom = plan["kommuner"]
    rng = ctx.rng("d3_aggregater.survey")
    resp = np.sort(rng.choice(kom.index.to_numpy(), size=sc["antal_kommuner"], replace=False))
    years = [int(y) for y in sc["aar"]]
    e = plan["unit_price"]["udgifter_2019"]
    rows = []
    for y in years:
        wy = _grants_wide(plan, y)
        for o in ("pa", "hm", "is"):
            reg = wy.loc[resp, o].to_numpy()
            lo, hi = sc["rapporteringsgrad"]
            cnt = np.round(reg * rng.uniform(lo, hi, len(resp))).astype(float)
            cnt[rng.random(len(resp)) < sc["andel_mangler"]] = np.nan
            udg = e.loc[resp, o].to_numpy() * (1.0 if y == 2019 else 0.95) * rng.uniform(0.8, 1.1, len(resp))
            udg = np.round(udg, -3)
            udg[(rng.random(len(resp)) < sc["andel_mangler"] * 1.5) | (reg == 0)] = np.nan
            rows.append(pd.DataFrame({"kommunekode": resp, "ordning": o, "aar": y, "antal_bevillinger": cnt,
                                      "udgifter_kr": udg}))
        rows.append(pd.DataFrame({"kommunekode": resp, "ordning": "fa", "aar": y, "antal_bevillinger": np.nan,
                                  "udgifter_kr": np.nan}))
    df = pd.concat(rows, ignore_index=True)
    # fortrinsadgang: exactly 100 cases over 2018-2019 among the reported cells (Tabel 11)
    fa = df["ordning"] == "fa"
    reported = fa & (rng.random(len(df)) >= sc["andel_mangler"])
    pop = kom["befolkning"].reindex(df.loc[reported, "kommunekode"]).to_numpy(float)
    draw = rng.multinomial(sc["fa_total_2018_2019"], pop / pop.sum())
    df.loc[reported, "antal_bevillinger"] = draw.astype(float)
    # hours per case: one estimate per kommune and ordning, same both years
    hours = {}
    for k in resp:
        for o, (lo, hi) in sc["timer_pr_sag"].items():
            v = np.round(rng.triangular(lo, lo + (hi - lo) * 0.3, hi) * 2) / 2
            hours[(k, o)] = np.nan if rng.random() < sc["andel_mangler"] else v
    df["timer_pr_sag"] = [hours[(k, o)] for k, o in zip(df["kommunekode"], df["ordning"])]
    df["antal_bevillinger"] = df["antal_bevillinger"].astype("Int64")
    df["kommunekode"] = df["kommunekode"].astype("int64")
    df["aar"] = df["aar"].astype("int64")
    df = df[["kommunekode", "ordning", "aar", "antal_bevillinger", "timer_pr_sag", "udgifter_kr"]]
    return df.sort_values(["kommunekode", "ordning", "aar"]).reset_index(drop=True)


def generate(ctx) -> dict[str, pd.DataFrame]:
    cal = ctx.plan.get("calibration") or load_calibration()
    regnskab = _regnskab(ctx, cal)
    fuldtid = _fuldtidspersoner(ctx, cal)
    survey = _survey(ctx, cal)
    return {"regnskab": regnskab, "fuldtidspersoner": fuldtid, "noegleperson_survey": survey}
