"""The synthetic survey's frame: the casekommuner with their facts, staff counts and respondents,
and the respondent profile (stilling, anciennitet, køn, alder, målgrupper)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ....kommuner import casekommuner, kommune_navne, kommunestoerrelse
from ....synth.allocation import largest_remainder
from .. import measures as M
from . import kalibrering as K


def kommune_facts(ctx, cal: dict) -> pd.DataFrame:
    """The casekommuner (the coded ones of delanalyse 1 when that generator ran) with population,
    VIVE rank, chapter-4 rammevilkår band, anvendelsesgrad band (delanalyse 3's measure on the
    generated grants), strategy and organisation."""
    from ...d3_brug import measures as d3m

    out = ctx.outputs
    typ = out.get("kommunetypologi")
    codes = sorted(typ["kommunekode"].astype(int)) if typ is not None else sorted(casekommuner())
    df = pd.DataFrame({"kommunekode": codes})
    df["kommune"] = df["kommunekode"].map(kommune_navne())
    pop = ctx.population(cal["befolkning_kvartal"])
    df["befolkning"] = df["kommunekode"].map(pop).astype(float)
    ramme = out.get("rammevilkaar")
    if ramme is not None:
        df["rang"] = df["kommunekode"].map(ramme.set_index("kommunekode")["rang"])
    else:
        df["rang"] = ctx.rng("d2.rang").permutation(98)[: len(df)] + 1
    df["rammevilkaar"] = M.rammevilkaar_kap4(df["rang"]).to_numpy()
    Y = int(cal["anvendelsesgrad_aar"])
    grants = []
    for name in ("dfdg_personlig_assistance", "dfdg_hjaelpemidler"):
        g = out.get(name)
        if g is not None:
            start = pd.to_datetime(g["startdato"])
            grants.append(g.loc[start.dt.year == Y, "kommunekode"].astype(int))
    n_grants = pd.concat(grants).value_counts() if grants else pd.Series(dtype=float)
    pop_y = ctx.population(f"{Y}K4")
    df["anvendelsesgrad"] = d3m.anvendelsesgrad(df["kommunekode"].map(n_grants).fillna(0).to_numpy(),
                                                df["kommunekode"].map(pop_y).to_numpy()).to_numpy()
    df["anvendelsesgrad_band"] = d3m.anvendelsesgrad_band(df["anvendelsesgrad"]).to_numpy() if grants else "mellem"
    if typ is not None:
        t = typ.set_index("kommunekode")
        df["strategi"] = df["kommunekode"].map(t["strategi"])
        df["organisering"] = df["kommunekode"].map(t["organisering"])
    else:
        df["strategi"], df["organisering"] = "reaktiv", "specialiseret_team"
    df["stoerrelse"] = kommunestoerrelse(df["befolkning"]).to_numpy()
    return df


def staff_and_respondents(kom: pd.DataFrame, cal: dict, rng: np.random.Generator) -> pd.DataFrame:
    """Staff N_k (proportional to population, with spread) and respondents n_k with the report's
    response rates, n_k / N_k rounding to each printed rate and the n_k summing to the total."""
    rates = {k: float(v) for k, v in cal["svarprocent"].items()}
    r = kom["kommune"].map(rates).fillna(float(np.median(list(rates.values())))).to_numpy()
    spread = np.exp(rng.normal(0, float(cal["medarbejdere_spredning"]), len(kom)))
    base = kom["befolkning"].to_numpy() / 1000 * spread
    total = int(cal["respondenter"])

    def fits(n, N, i):
        return n >= 1 and N >= n and abs(n / N - r[i]) <= 0.004

    def plan(c):
        N = np.maximum(np.round(c * base), 8).astype(int)
        n = np.maximum(np.round(r * N), 1).astype(int)
        for i in range(len(N)):  # the nearest staff count whose rate prints as published
            for dN in sorted(range(-6, 7), key=abs):
                N2 = N[i] + dN
                n2 = max(1, int(round(r[i] * N2)))
                if N2 >= 8 and fits(n2, N2, i):
                    N[i], n[i] = N2, n2
                    break
        return N, n

    lo, hi = 0.1, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if plan(mid)[1].sum() < total else (lo, mid)
    N, n = plan(hi)
    order = np.argsort(-N)
    guard = 0
    while n.sum() != total and guard < 500:  # move one respondent at a time where the rate allows it
        guard += 1
        step = 1 if n.sum() < total else -1
        for i in order:
            n2 = n[i] + step
            N2 = int(round(n2 / r[i]))
            if fits(n2, N2, i):
                n[i], N[i] = n2, N2
                break
        else:
            break
    if n.sum() != total or not all(fits(n[i], N[i], i) for i in range(len(N))):
        raise RuntimeError("could not place the respondents on the response rates")
    return kom.assign(medarbejdere=N, respondenter=n)


def _within_kommune(kom_idx: np.ndarray, n_k: np.ndarray, probs: np.ndarray, rng) -> np.ndarray:
    """Counts per kommune and category drawn around ``probs`` (largest remainder)."""
    return np.stack([largest_remainder(probs[k], int(n_k[k])) for k in range(len(n_k))])


def _feasible_totals(spec: dict, screening: dict, n: int) -> dict[int, int]:
    """For each stilling with a published screening share, the number of respondents nearest to its
    profile share for which some count of screeners rounds to that share (22 key persons can be
    82 pct. screeners, 25 cannot)."""
    out = {}
    for code, share in screening.items():
        code = int(code)
        want = float(spec[code]["andel"]) * n
        for total in sorted(range(max(2, int(want * 0.7)), int(want * 1.3) + 2), key=lambda t: abs(t - want)):
            if abs(total / n - float(spec[code]["andel"])) >= 0.0048:
                continue
            k = round(float(share) * total)
            if abs(k / total - float(share)) <= 0.0035:
                out[code] = total
                break
    return out


def stilling_counts(kom: pd.DataFrame, cal: dict, rng: np.random.Generator) -> np.ndarray:
    """Respondents per kommune and stilling (Q2 codes 1-6): the profile's shares at respondent level
    and each stilling's range across kommuner (l.2664-2669), one designated kommune at each end."""
    spec = cal["stilling"]
    codes = sorted(int(c) for c in spec)
    shares = np.array([spec[c]["andel"] for c in codes])
    exact = _feasible_totals(spec, cal["screening"]["stilling_ja"], int(kom["respondenter"].sum()))
    n_k = kom["respondenter"].to_numpy()
    Kn = len(n_k)
    probs = np.clip(shares[None, :] * np.exp(rng.normal(0, 0.35, (Kn, len(codes)))), 1e-4, None)
    probs /= probs.sum(axis=1, keepdims=True)
    # designated extremes: for each stilling the kommune whose size admits the printed share best
    used: set[int] = set()
    ends = {}
    load = np.zeros(Kn)  # designated shares per kommune (must leave room for the others)
    wanted = [(ci, c, end) for ci, c in enumerate(codes) for end in ("max", "min") if float(spec[c][end]) > 0]
    # the coarsest (smallest share, fewest fitting kommuner) first
    wanted.sort(key=lambda t: float(spec[t[1]][t[2]]))
    for ci, c, end in wanted:
        value = float(spec[c][end])

        def miss(k, value=value):
            return abs(round(value * n_k[k]) / n_k[k] - value)

        room = 0.5 * float(spec[c]["andel"]) * n_k.sum() if end == "max" else n_k.sum()  # leave some for the rest
        cands = [k for k in np.argsort(-n_k) if n_k[k] >= 8 and load[k] + value <= 0.9 and miss(k) < 0.002
                 and round(value * n_k[k]) <= room]
        cands = [k for k in cands if k not in used] or cands
        k = min(cands, key=lambda k: (miss(k) > 0.001, k in used, -n_k[k]))
        used.add(k)
        load[k] += value
        ends[(ci, end)] = k
    zero_kommuner = {}
    for ci, c in enumerate(codes):
        if float(spec[c]["min"]) == 0:
            cands = [k for k in np.argsort(n_k) if k not in used]
            zero_kommuner[ci] = cands[0]
            used.add(cands[0])
    pinned: dict[int, dict[int, float]] = {}
    for (ci, end), k in ends.items():
        pinned.setdefault(k, {})[ci] = float(spec[codes[ci]][end])
    for ci, k in zero_kommuner.items():
        pinned.setdefault(k, {})[ci] = 0.0
    for k, fixed in pinned.items():  # the designated shares, the rest in proportion
        rest = [i for i in range(len(codes)) if i not in fixed]
        probs[k, rest] *= (1 - sum(fixed.values())) / probs[k, rest].sum()
        for i, v in fixed.items():
            probs[k, i] = v
    counts = _within_kommune(np.arange(Kn), n_k, probs, rng)
    block = K.Block(n=n_k, counts=counts[None], fixed=np.zeros(len(codes), bool))
    ones = np.ones(Kn)
    every = np.ones(Kn, bool)
    targets = []
    for ci, c in enumerate(codes):
        if c in exact:  # a total whose screening share can be printed as published
            targets.append(K.eq(f"andel_{c}", block.share(0, [ci], every, ones), exact[c] / n_k.sum(), 0.3 / n_k.sum()))
        else:
            targets.append(K.eq(f"andel_{c}", block.share(0, [ci], every, ones), float(spec[c]["andel"]), 0.003))
        per = [block.share(0, [ci], np.arange(Kn) == k, ones) for k in range(Kn)]
        for end in ("max", "min"):
            if (ci, end) in ends:
                targets.append(K.eq(f"{end}_{c}", per[ends[(ci, end)]], float(spec[c][end]), 0.003))
        if ci in zero_kommuner:
            targets.append(K.eq(f"nul_{c}", per[zero_kommuner[ci]], 0.0, 0.0005))
        designated = {ends.get((ci, "max")), ends.get((ci, "min")), zero_kommuner.get(ci)}
        for k in range(Kn):
            if k not in designated:
                targets += K.within(f"k{k}_{c}", per[k], float(spec[c]["min"]), float(spec[c]["max"]), 0.002)
    report = K.calibrate(block, targets)
    if not report["ok"]:
        bad = {k: round(v, 2) for k, v in report["errors"].items() if abs(v) > 1}
        raise RuntimeError(f"stilling profile not calibrated after {report['iterations']} steps: {bad}")
    return block.counts[0]


def respondents(kom: pd.DataFrame, cal: dict, rng: np.random.Generator) -> pd.DataFrame:
    """One row per respondent: kommune, stilling (Q2), anciennitet (Q4), køn (Q5), alder (Q6),
    målgrupper (Q3a-l), in a random order within the survey."""
    st = stilling_counts(kom, cal, rng)
    codes = sorted(int(c) for c in cal["stilling"])
    rows_k, rows_s = [], []
    for k, code in enumerate(kom["kommunekode"]):
        for ci, c in enumerate(codes):
            rows_k += [int(code)] * int(st[k, ci])
            rows_s += [c] * int(st[k, ci])
    df = pd.DataFrame({"kommunekode": rows_k, "q2": rows_s})
    n = len(df)
    # anciennitet: exact band counts (l.2663), years within the band
    anc = cal["anciennitet"]
    bands = ["under_1", "1_5", "6_10", "over_10"]
    counts = largest_remainder([anc[b] for b in bands], n)
    band = rng.permutation(np.repeat(np.arange(4), counts))
    top = int(cal["anciennitet_over_10_max"])
    years = np.select([band == 0, band == 1, band == 2],
                      [0, rng.integers(1, 6, n), rng.integers(6, 11, n)],
                      np.minimum(11 + rng.geometric(0.12, n) - 1, top))
    df["q4"] = years
    # køn: exact shares (l.2661)
    sex = cal["koen"]
    kc = largest_remainder([sex["kvinde"], sex["mand"], sex["andet"]], n)
    df["q5"] = rng.permutation(np.repeat([1, 2, 3], kc))
    # alder: older with longer anciennitet, mean as published (l.2662)
    a = cal["alder"]
    age = 30 + 0.8 * years + rng.normal(0, a["sd"], n)
    age = np.clip(np.round(age + (a["gennemsnit"] - age.mean())), a["min"], a["max"]).astype(int)
    for _ in range(200):  # clipping moves the mean: nudge single ages back
        gap = a["gennemsnit"] - age.mean()
        if abs(gap) < 0.15:
            break
        i = rng.integers(n)
        age[i] = int(np.clip(age[i] + np.sign(gap), a["min"], a["max"]))
    df["q6"] = age
    for letter, p in zip("abcdefghijkl", cal["maalgrupper"]):
        df[f"q3{letter}"] = (rng.random(n) < float(p)).astype(int)
    none = df[[f"q3{x}" for x in "abcdefghijkl"]].sum(axis=1) == 0
    df.loc[none, "q3k"] = 1  # everyone works with some target group ('tværgående' when none drawn)
    return df
