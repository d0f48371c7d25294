"""The answers of the synthetic employee survey, question by question (Q7-Q21 and the vignette).

Each function designs one question's answer distribution per cell, adds the published figures as
calibration targets (calibration_survey.yaml; the tally of each follows the report's notes, see
definitions.md) and writes the calibrated answers into the respondent table ``R``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ....synth.allocation import largest_remainder
from .. import measures as M
from . import kalibrering as K
from .spoergsmaal import Question, extreme_pair, extreme_targets, group_levels, kommune_levels

ENIG = [1, 2, 3, 4, 5, 6]
JA_NEJ = [1, 2, 3]
S_VIDEN = {**M.SKALA_VIDEN}           # Q7, Q9: 5 = meget enig
S_KODE = {**M.SKALA_SOM_KODER}        # Q14, Q15, Q18: the code is the score
S_HOEJ_FOERST = {1: 5, 2: 4, 3: 3, 4: 2, 5: 1}  # 'i meget høj grad' / 'meget gode' first (Q16, Q19-Q21)
S_JA = {1: 1.0, 2: 0.0}


def _ends(kom, prior: np.ndarray, group_score: pd.Series, min_n: int = 25) -> tuple[int, int]:
    """The designated highest and lowest kommune: among those with at least ``min_n`` respondents,
    the ones whose groups aim highest/lowest (ties broken by the prior level)."""
    score = group_score.to_numpy(float) + 0.3 * np.asarray(prior, float)
    cand = np.flatnonzero(kom["respondenter"].to_numpy() >= min_n)
    return int(cand[np.argmax(score[cand])]), int(cand[np.argmin(score[cand])])


def _kommune_bounds(q: Question, means: list[int], hi: int, lo: int, lo_v: float, hi_v: float, tol: float):
    """Every kommune but the two designated ends lies strictly between them, so the pipeline's
    minimum and maximum across kommuner are the designated ones."""
    out = []
    for k, i in enumerate(means):
        if k not in (hi, lo):
            out += [K.at_least(f"k{k}>lo", i, means[lo], tol, tol / 2), K.at_least(f"k{k}<hi", means[hi], i, tol, tol / 2)]
    return out


def viden_hko(R, kom, cal, rng, lat) -> None:
    """Q8 a-d (0-10): Figur 5 shares of 'høj viden' (7-10), Figur 6 kommune means, and the means by
    strategy and organisation (l.884); more anciennitet, more knowledge (l.1123)."""
    c = cal["viden_hko"]
    prior, _, _ = kommune_levels(kom, cal["niveau"]["viden"], cal["niveau"]["stoej"], rng)
    km = c["kommune_gennemsnit"]
    lo_v, hi_v, tlo, thi = extreme_pair(km["min"], km["max"], km["pct_forskel"])
    to_level = lambda m: (m - lo_v) / (hi_v - lo_v)  # noqa: E731
    st = {"proaktiv": to_level(c["strategi"]["proaktiv"]), "diffus": to_level(c["strategi"]["diffus"]),
          "reaktiv": to_level(float(np.mean(c["strategi"]["reaktiv_mellem"])))}
    org = {o: to_level(v) for o, v in c["organisering"].items()}
    hi, lo = _ends(kom, prior, kom["strategi"].map(st).fillna(0.5) + kom["organisering"].map(org).fillna(0.5))
    lev = group_levels(kom, prior, [("strategi", st), ("organisering", org)], {hi: 1.0, lo: 0.0})
    q = Question(R, kom, [f"q8{x}" for x in "abcd"], list(range(11)), by=["anc3"])
    eff = c["anciennitet_effekt"] / 10
    level = q.cell_level(lev, {"anc3": {"0-5_aar": -eff / 2, "6-10_aar": 0.0, "over_10_aar": eff}})
    hoej = [7, 8, 9, 10]
    shares = {j: (hoej, c["hoej"][x]) for j, x in enumerate("abcd")}
    scores = {v: float(v) for v in range(11)}
    q.design(level, scores, sigma=2.4, ved_ikke=[0, 0, 0, 0], mu=(lo_v - 0.3, hi_v + 0.3), shares=shares)
    for j, x in enumerate("abcd"):
        q.targets.append(K.eq(f"hoej_{x}", q.share(j, hoej), c["hoej"][x], 0.003))
    means = q.kommune_means(range(4), scores)
    q.targets += extreme_targets(means, hi, lo, lo_v, hi_v, km["pct_forskel"])
    q.targets += _kommune_bounds(q, means, hi, lo, lo_v, hi_v, 0.01)
    for s, v in (("proaktiv", c["strategi"]["proaktiv"]), ("diffus", c["strategi"]["diffus"])):
        if q.mask(strategi=s).any():
            q.targets.append(K.eq(f"strategi_{s}", q.mean(range(4), scores, q.mask(strategi=s), "respondent"), v, 0.03))
    if q.mask(strategi="reaktiv").any():
        lo_r, hi_r = c["strategi"]["reaktiv_mellem"]
        q.targets += K.within("strategi_reaktiv", q.mean(range(4), scores, q.mask(strategi="reaktiv"), "respondent"),
                              lo_r, hi_r, 0.03)
    for o, v in c["organisering"].items():
        if q.mask(organisering=o).any():
            q.targets.append(K.eq(f"org_{o}", q.mean(range(4), scores, q.mask(organisering=o), "respondent"), v, 0.03))
    q.targets.append(K.at_least("anciennitet", q.mean(range(4), scores, q.mask(anc3="over_10_aar"), "respondent"),
                                q.mean(range(4), scores, q.mask(anc3="0-5_aar"), "respondent"),
                                c["anciennitet_effekt"], 0.05))
    q.calibrate("Q8")
    R[q.variables] = q.answers(lat, scores, rng).to_numpy()


def viden_handicap(R, kom, cal, rng, lat) -> None:
    """Q7 a-d: Figur 3 'høj viden' (meget enig + enig), Figur 4 kommune means (5 = meget enig);
    anciennitet raises knowledge (l.1119); less favourable rammevilkår and high anvendelsesgrad too (l.882)."""
    c = cal["viden_handicap"]
    lev, hi, lo = kommune_levels(kom, cal["niveau"]["viden"], cal["niveau"]["stoej"], rng)
    q = Question(R, kom, [f"q7{x}" for x in "abcd"], ENIG, fixed_code=M.VED_IKKE, by=["anc3"])
    eff = c["anciennitet_effekt"]
    level = q.cell_level(lev, {"anc3": {"0-5_aar": -eff / 2, "over_10_aar": eff}})
    km = c["kommune_gennemsnit"]
    lo_v, hi_v, tlo, thi = extreme_pair(km["min"], km["max"], km["pct_forskel"])
    wanted = {**c["hoej"], **c["hoej_antaget"]}
    shares = {j: ([1, 2], wanted[x]) for j, x in enumerate("abcd")}
    q.design(level, S_VIDEN, sigma=1.0, ved_ikke=c["ved_ikke"], mu=(lo_v - 0.2, hi_v + 0.2), shares=shares)
    for j, x in enumerate("abcd"):
        tol = 0.003 if x in c["hoej"] else 0.015
        q.targets.append(K.eq(f"hoej_{x}", q.share(j, [1, 2]), wanted[x], tol))
    means = q.kommune_means(range(4), S_VIDEN)
    q.targets += extreme_targets(means, hi, lo, lo_v, hi_v, km["pct_forskel"])
    q.targets += _kommune_bounds(q, means, hi, lo, lo_v, hi_v, 0.01)
    resp_mean = lambda **kw: q.mean(range(4), S_VIDEN, q.mask(**kw), "respondent")  # noqa: E731
    q.targets.append(K.at_least("anciennitet", resp_mean(anc3="over_10_aar"), resp_mean(anc3="0-5_aar"), 0.1, 0.03))
    if q.mask(rammevilkaar="mindst_favorable").any() and q.mask(rammevilkaar="mest_favorable").any():
        q.targets.append(K.at_least("rammevilkaar", resp_mean(rammevilkaar="mindst_favorable"),
                                    resp_mean(rammevilkaar="mest_favorable"), 0.1, 0.03))
    q.calibrate("Q7")
    R[q.variables] = q.answers(lat, S_VIDEN, rng).to_numpy()


def vejledning(R, kom, cal, rng, lat) -> None:
    """Q9 a-d: Figur 7 'kan vejlede', Figur 8 kommune means, and the relative differences between
    proactive, reactive and diffuse jobcentres (l.885); highest with a specialised team."""
    c = cal["vejledning"]
    prior, _, _ = kommune_levels(kom, cal["niveau"]["viden"], cal["niveau"]["stoej"], rng)
    km = c["kommune_gennemsnit"]
    lo_v, hi_v, tlo, thi = extreme_pair(km["min"], km["max"], km["pct_forskel"])
    p = float(c["proaktiv_gennemsnit"])
    pf = c["strategi_pct_forskel"]
    wanted = {"proaktiv": p, "diffus": p / (1 + pf["proaktiv_diffus"]), "reaktiv": p / (1 + pf["proaktiv_reaktiv"])}
    st = {s_: (v - lo_v) / (hi_v - lo_v) for s_, v in wanted.items()}
    org_bonus = kom["organisering"].map({"specialiseret_team": 0.1}).fillna(0.0)
    hi, lo = _ends(kom, prior, kom["strategi"].map(st).fillna(0.5) + org_bonus)
    lev = group_levels(kom, prior, [("strategi", st)], {hi: 1.0, lo: 0.0})
    q = Question(R, kom, [f"q9{x}" for x in "abcd"], ENIG, fixed_code=M.VED_IKKE)
    shares = {j: ([1, 2], c["hoej"][x]) for j, x in enumerate("abcd")}
    q.design(q.cell_level(lev), S_VIDEN, sigma=1.0, ved_ikke=c["ved_ikke"], mu=(lo_v - 0.2, hi_v + 0.2),
             shares=shares)
    for j, x in enumerate("abcd"):
        q.targets.append(K.eq(f"hoej_{x}", q.share(j, [1, 2]), c["hoej"][x], 0.003))
    means = q.kommune_means(range(4), S_VIDEN)
    q.targets += extreme_targets(means, hi, lo, lo_v, hi_v, km["pct_forskel"])
    q.targets += _kommune_bounds(q, means, hi, lo, lo_v, hi_v, 0.01)
    resp_mean = lambda **kw: q.mean(range(4), S_VIDEN, q.mask(**kw), "respondent")  # noqa: E731
    for s, v in wanted.items():
        if q.mask(strategi=s).any():
            q.targets.append(K.eq(f"strategi_{s}", resp_mean(strategi=s), v, v * 0.0012))
    for o in ("spredt_specialisering", "generel_specialisering"):
        if q.mask(organisering=o).any() and q.mask(organisering="specialiseret_team").any():
            q.targets.append(K.at_least(f"org_{o}", resp_mean(organisering="specialiseret_team"), resp_mean(organisering=o),
                                        0.05, 0.02))
    q.calibrate("Q9")
    R[q.variables] = q.answers(lat, S_VIDEN, rng).to_numpy()


def erfaring(R, kom, cal, rng, lat) -> None:
    """Q11 a-d (ja/nej/ved ikke): Figur 9 and Figur 10's kommune 'erfaringsniveau' (ja / (ja + nej),
    mean of the four ordninger); experience grows with anciennitet (l.1123)."""
    c = cal["erfaring"]
    lev, hi, lo = kommune_levels(kom, cal["niveau"]["viden"], cal["niveau"]["stoej"], rng)
    q = Question(R, kom, [f"q11{x}" for x in "abcd"], JA_NEJ, fixed_code=3, by=["anc3"])
    level = q.cell_level(lev, {"anc3": {"0-5_aar": -0.1, "over_10_aar": 0.2}})
    km = c["kommune_erfaringsniveau"]
    shares = {0: ([1], c["ja"]["a"]), 3: ([1], c["ja"]["d"]), 1: ([2], c["nej"]["b"]), 2: ([2], c["nej"]["c"])}
    q.design(level, S_JA, sigma=0.5, ved_ikke=c["ved_ikke"], mu=(-0.3, 0.7), shares=shares)
    for j, (codes, v) in shares.items():
        q.targets.append(K.eq(f"andel_{j}", q.share(j, codes), v, 0.003))
    means = q.kommune_means(range(4), S_JA)
    q.targets += extreme_targets(means, hi, lo, km["min"], km["max"], decimals=2, spread=km["pp_forskel"])
    q.targets += _kommune_bounds(q, means, hi, lo, km["min"], km["max"], 0.004)
    q.targets.append(K.at_least("anciennitet", q.mean(range(4), S_JA, q.mask(anc3="over_10_aar"), "respondent"),
                                q.mean(range(4), S_JA, q.mask(anc3="0-5_aar"), "respondent"), 0.04, 0.01))
    q.calibrate("Q11")
    R[q.variables] = q.answers(lat, S_JA, rng).to_numpy()


def _multi(R, kom, cal_shares: dict, letters: str, prefix: str, rng, lat, *, rows=None, tol=None) -> None:
    """A multi-select question: one 0/1 sub-item per option, weighted shares per option."""
    q = Question(R, kom, [f"{prefix}{x}" for x in letters], [0, 1], rows=rows)
    lev = q.cell_level(np.full(len(kom), 0.5) + rng.normal(0, 0.15, len(kom)))
    shares = {j: ([1], cal_shares[x]) for j, x in enumerate(letters)}
    q.design(np.clip(lev, 0, 1), {0: 0.0, 1: 1.0}, sigma=0.5, ved_ikke=[0] * len(letters), mu=(0.2, 0.8),
             shares=shares)
    for j, x in enumerate(letters):
        q.targets.append(K.eq(f"{prefix}{x}", q.share(j, [1]), cal_shares[x], (tol or {}).get(x, 0.003)))
    q.calibrate(prefix)
    ans = q.answers(lat, {0: 0.0, 1: 1.0}, rng)
    target_rows = q.rows
    for v in q.variables:
        R.loc[R.index[target_rows], v] = ans[v].to_numpy()


def videnskilder(R, kom, cal, rng, lat) -> None:
    """Q10 a-j: Tabel 11's five most frequent sources and five less frequent ones."""
    c = cal["videnskilder"]
    shares = {**c["andel"], **c["andel_antaget"]}
    tol = {x: 0.01 for x in c["andel_antaget"]}
    _multi(R, kom, shares, "abcdefghij", "q10", rng, lat, tol=tol)


def screening(R, kom, cal, rng) -> None:
    """Q12: Figur 15, Figur 16's kommune range, and the screening shares by anciennitet, stilling and
    anvendelsesgrad (l.1010), at respondent level."""
    c = cal["screening"]
    lev, hi, lo = kommune_levels(kom, cal["niveau"]["screening"], cal["niveau"]["stoej"], rng, min_n=8)
    # the kommune where everybody screens is a small one (l.966: 34-100 pct.), the lowest a larger one
    n_k = kom["respondenter"].to_numpy()
    not_low = kom["anvendelsesgrad_band"].to_numpy() != "lav"
    small = [k for k in np.argsort(n_k) if n_k[k] >= 8 and not_low[k]]
    hi = int(small[0]) if small else hi
    lo_share = float(c["kommune_ja"]["min"])
    fits = lambda k: abs(round(lo_share * n_k[k]) / n_k[k] - lo_share) <= 0.0025  # noqa: E731
    big = [k for k in np.argsort(-n_k) if k != hi and n_k[k] >= 30 and fits(k)] or [k for k in np.argsort(-n_k) if k != hi]
    lo = int(min(big[:8], key=lambda k: lev[k]))
    lev[hi], lev[lo] = 1.0, 0.0
    q = Question(R, kom, ["q12"], JA_NEJ, fixed_code=3, by=["anc3", "q2"])
    st = {1: 0.15, 2: -0.15, 4: 0.25}
    level = q.cell_level(lev, {"anc3": {"0-5_aar": 0.05, "over_10_aar": -0.1}, "q2": st})
    q.design(np.clip(level, 0, 1), S_JA, sigma=0.45, ved_ikke=[0.0], mu=(0.2, 1.3), shares={0: ([1], c["ja"])})
    q.targets.append(K.eq("ja", q.share(0, [1]), c["ja"], 0.003))
    per = q.kommune_shares(0, [1])
    q.targets += [K.eq("max", per[hi], c["kommune_ja"]["max"], 0.002), K.eq("min", per[lo], lo_share, 0.0035)]
    q.targets += _kommune_bounds(q, per, hi, lo, 0, 0, 0.01)
    share_of = lambda **kw: q.share(0, [1], q.mask(**kw), "respondent")  # noqa: E731
    a = c["anciennitet_ja"]
    q.targets += [K.eq("anc_0_5", share_of(anc3="0-5_aar"), a["0_5"], 0.003),
                  K.eq("anc_over_10", share_of(anc3="over_10_aar"), a["over_10"], 0.003)]
    for code, v in c["stilling_ja"].items():
        q.targets.append(K.eq(f"stilling_{code}", share_of(q2=int(code)), v, 0.003))
    anv = {}
    for band, v in c["anvendelsesgrad_ja"].items():
        if q.mask(anvendelsesgrad_band=band).any():
            anv[band] = share_of(anvendelsesgrad_band=band)
            q.targets.append(K.eq(f"anv_{band}", anv[band], v, 0.0042))
    if len(anv) == 2:
        a_ = c["anvendelsesgrad_ja"]
        q.targets.append(K.difference("anv_forskel", anv["hoej"], anv["lav"], a_["hoej"] - a_["lav"], 0.004))
    q.calibrate("Q12", steps=(1, 2, 4))
    R["q12"] = q.answers(rng.normal(size=len(R)), S_JA, rng)["q12"].to_numpy()


def ikke_screening(R, kom, cal, rng, lat) -> None:
    """Q13 a-j, asked to those who do not screen (Q12 = nej)."""
    c = cal["ikke_screening_grunde"]
    rows = np.flatnonzero(R["q12"].to_numpy() == 2)
    shares = {**c["andel"], **c["andel_antaget"]}
    _multi(R, kom, shares, "abcdefghij", "q13", rng, lat, rows=rows, tol={x: 0.015 for x in c["andel_antaget"]})


def tilgang(R, kom, cal, rng, lat, var: str, key: str) -> None:
    """Q14 / Q15 (1 = meget enig): Figur 11/13 agreement, Figur 12/14 kommune means; respondents in
    kommuner with the least favourable rammevilkår agree more (lower mean) (l.1009)."""
    c = cal[key]
    lev, hi, lo = kommune_levels(kom, cal["niveau"]["tilgang"], cal["niveau"]["stoej"], rng, min_n=40)
    q = Question(R, kom, [var], ENIG, fixed_code=M.VED_IKKE)
    km = c["kommune_gennemsnit"]
    lo_v, hi_v, tlo, thi = extreme_pair(km["min"], km["max"], km["pct_forskel"])
    q.design(q.cell_level(lev), S_KODE, sigma=1.1, ved_ikke=[c["ved_ikke"]], mu=(lo_v, hi_v),
             shares={0: ([1, 2], c["enig"])})
    q.targets.append(K.eq("enig", q.share(0, [1, 2]), c["enig"], 0.003))
    means = q.kommune_means([0], S_KODE)
    q.targets += extreme_targets(means, hi, lo, lo_v, hi_v, km["pct_forskel"])
    q.targets += _kommune_bounds(q, means, hi, lo, lo_v, hi_v, 0.01)
    diff = float(cal["rammevilkaar_forskel"])
    for other in ("mellem", "mest_favorable"):
        if q.mask(rammevilkaar=other).any() and q.mask(rammevilkaar="mindst_favorable").any():
            q.targets.append(K.at_least(f"ramme_{other}", q.mean([0], S_KODE, q.mask(rammevilkaar=other), "respondent"),
                                        q.mean([0], S_KODE, q.mask(rammevilkaar="mindst_favorable"), "respondent"),
                                        diff, 0.02))
    q.calibrate(var)
    R[var] = q.answers(-np.asarray(lat), S_KODE, rng)[var].to_numpy()


def oekonomi(R, kom, cal, rng) -> None:
    """Q16: 9 pct. limited, 61 pct. not (l.1009); more limited with the least favourable rammevilkår
    and with high anvendelsesgrad (l.1009)."""
    c = cal["oekonomi"]
    lev, _, _ = kommune_levels(kom, cal["niveau"]["oekonomi"], cal["niveau"]["stoej"], rng)
    q = Question(R, kom, ["q16"], ENIG, fixed_code=M.VED_IKKE)
    q.design(q.cell_level(lev), S_HOEJ_FOERST, sigma=1.0, ved_ikke=[c["ved_ikke"]], mu=(1.4, 2.6),
             shares={0: ([1, 2], c["begraenser"])})
    q.targets += [K.eq("begraenser", q.share(0, [1, 2]), c["begraenser"], 0.003),
                  K.eq("begraenser_ikke", q.share(0, [4, 5]), c["begraenser_ikke"], 0.003)]
    share_of = lambda **kw: q.share(0, [1, 2], q.mask(**kw), "respondent")  # noqa: E731
    d = float(c["forskel"])
    for col, hi_g, lo_g in (("rammevilkaar", "mindst_favorable", "mest_favorable"), ("anvendelsesgrad_band", "hoej", "lav")):
        if q.mask(**{col: hi_g}).any() and q.mask(**{col: lo_g}).any():
            q.targets.append(K.at_least(f"{col}", share_of(**{col: hi_g}), share_of(**{col: lo_g}), d, 0.01))
    q.calibrate("Q16")
    R["q16"] = q.answers(rng.normal(size=len(R)), S_HOEJ_FOERST, rng)["q16"].to_numpy()


def sygeliggoerelse(R, kom, cal, rng) -> None:
    """Q17: not reported; drawn from the assumed distribution."""
    p = np.asarray(cal["sygeliggoerelse"]["fordeling"], float)
    R["q17"] = rng.choice(ENIG, size=len(R), p=p / p.sum())


def tro_handicap(R, kom, cal, rng, lat) -> None:
    """Q18 a-d (1 = meget dårligere): Figur 17 'gode' and 'dårligere' shares, Figur 18 kommune
    means, Figur 19 belief (fysisk) by HKO knowledge; more favourable rammevilkår, lower belief (l.1099)."""
    c = cal["tro_handicap"]
    lev, hi, lo = kommune_levels(kom, cal["niveau"]["tro"], cal["niveau"]["stoej"], rng)
    q = Question(R, kom, [f"q18{x}" for x in "abcd"], ENIG, fixed_code=M.VED_IKKE, by=["viden"])
    level = q.cell_level(lev, {"viden": {"lav": -0.25, "hoej": 0.25}})
    km = c["kommune_gennemsnit"]
    lo_v, hi_v, tlo, thi = extreme_pair(km["min"], km["max"], km["pct_forskel"])
    q.design(np.clip(level, -0.3, 1.3), S_KODE, sigma=0.8, ved_ikke=c["ved_ikke"], mu=(lo_v, hi_v),
             shares={j: ([4, 5], c["gode"][x]) for j, x in enumerate("abcd")})
    for j, x in enumerate("abcd"):
        q.targets.append(K.eq(f"gode_{x}", q.share(j, [4, 5]), c["gode"][x], 0.003))
        tol = 0.003 if c["daarligere_fordeling"][x] in (c["daarligere"]["min"], c["daarligere"]["max"]) else 0.012
        q.targets.append(K.eq(f"daarligere_{x}", q.share(j, [1, 2]), c["daarligere_fordeling"][x], tol))
    means = q.kommune_means(range(4), S_KODE)
    q.targets += extreme_targets(means, hi, lo, lo_v, hi_v, km["pct_forskel"])
    q.targets += _kommune_bounds(q, means, hi, lo, lo_v, hi_v, 0.01)
    f = c["viden_fysisk"]
    v_lo, v_hi, t_lo, t_hi = extreme_pair(f["lav"], f["hoej"], f["pct_forskel"], decimals=2)
    q.targets += [K.eq("viden_lav", q.mean([0], S_KODE, q.mask(viden="lav")), v_lo, t_lo),
                  K.eq("viden_hoej", q.mean([0], S_KODE, q.mask(viden="hoej")), v_hi, t_hi)]
    for j in (1, 2, 3):  # l.1062: more HKO knowledge, more belief «på de fire handicapgrupper»
        q.targets.append(K.at_least(f"viden_{j}", q.mean([j], S_KODE, q.mask(viden="hoej")),
                                    q.mean([j], S_KODE, q.mask(viden="lav")), 0.1, 0.02))
    rm = lambda b: q.mean(range(4), S_KODE, q.mask(rammevilkaar=b), "respondent")  # noqa: E731
    if all(q.mask(rammevilkaar=b).any() for b in ("mindst_favorable", "mellem", "mest_favorable")):
        q.targets += [K.at_least("ramme_1", rm("mindst_favorable"), rm("mellem"), 0.04, 0.01),
                      K.at_least("ramme_2", rm("mellem"), rm("mest_favorable"), 0.04, 0.01)]
    q.calibrate("Q18")
    R[q.variables] = q.answers(lat, S_KODE, rng).to_numpy()


def hanne(R, kom, cal, rng, lat) -> None:
    """The vignette: a random arm (Hanne's ydelse), Q19 without and Q20 with an HKO (Figur 20-21)."""
    c = cal["hanne"]
    n = len(R)
    R["hanne_ydelse"] = rng.permutation(np.repeat([1, 2, 3, 4], largest_remainder([1, 1, 1, 1], n)))
    lev = np.clip(0.5 + rng.normal(0, 0.12, len(kom)), 0, 1)
    for var, key, shift in (("q19", "uden_hko_hoej", 0.0), ("q20", "med_hko_hoej", 0.0)):
        wanted = {int(a): v for a, v in c[key].items()}
        wanted.update({int(a): v for a, v in c.get(f"{key.replace('_hoej', '_hoej_antaget')}", {}).items()})
        q = Question(R, kom, [var], ENIG, fixed_code=M.VED_IKKE, by=["hanne_ydelse"])
        arm_shift = {a: (v - 0.6) * 2 for a, v in wanted.items()}
        level = q.cell_level(lev + shift, {"hanne_ydelse": arm_shift})
        q.design(np.clip(level, -0.5, 1.5), S_HOEJ_FOERST, sigma=0.9, ved_ikke=[c["ved_ikke"]], mu=(3.2, 4.4))
        for a, v in wanted.items():
            tol = 0.003 if a in {int(x) for x in c[key]} else 0.015
            q.targets.append(K.eq(f"{var}_{a}", q.share(0, [1, 2], q.mask(hanne_ydelse=a)), v, tol))
        q.calibrate(var)
        R[var] = q.answers(lat, S_HOEJ_FOERST, rng)[var].to_numpy()


def noegleperson_stoette(R, kom, cal, rng) -> None:
    """Q21: 65 pct. 'i (meget) høj grad' (l.878)."""
    c = cal["noegleperson_stoette"]
    q = Question(R, kom, ["q21"], ENIG, fixed_code=M.VED_IKKE)
    lev = np.clip(0.5 + rng.normal(0, 0.15, len(kom)), 0, 1)
    q.design(q.cell_level(lev), S_HOEJ_FOERST, sigma=1.0, ved_ikke=[c["ved_ikke"]], mu=(3.2, 4.2),
             shares={0: ([1, 2], c["hoej"])})
    q.targets.append(K.eq("hoej", q.share(0, [1, 2]), c["hoej"], 0.003))
    q.calibrate("Q21")
    R["q21"] = q.answers(rng.normal(size=len(R)), S_HOEJ_FOERST, rng)["q21"].to_numpy()


def all_answers(R: pd.DataFrame, kom: pd.DataFrame, cal: dict, rng: np.random.Generator) -> pd.DataFrame:
    """Every question, in an order where each sees the answers it is crossed with."""
    R = R.copy()
    kidx = {int(k): i for i, k in enumerate(kom["kommunekode"])}
    R["kidx"] = R["kommunekode"].map(kidx).astype(int)
    R["anc3"] = M.anciennitet_band(R["q4"], M.ANCIENNITET_TRE).astype(str).to_numpy()
    for col in ("rammevilkaar", "anvendelsesgrad_band", "strategi", "organisering"):
        R[col] = kom[col].to_numpy()[R["kidx"].to_numpy()]
    viden = rng.normal(size=len(R))
    tro = 0.5 * viden + rng.normal(size=len(R))
    viden_hko(R, kom, cal, rng, viden)
    R["viden"] = M.viden_hko_niveau(R[[f"q8{x}" for x in "abcd"]]).astype(str).to_numpy()
    viden_handicap(R, kom, cal, rng, viden)
    vejledning(R, kom, cal, rng, viden)
    erfaring(R, kom, cal, rng, viden)
    videnskilder(R, kom, cal, rng, viden)
    screening(R, kom, cal, rng)
    for x in "abcdefghij":
        R[f"q13{x}"] = np.nan
    ikke_screening(R, kom, cal, rng, rng.normal(size=len(R)))
    tilgang(R, kom, cal, rng, rng.normal(size=len(R)), "q14", "omplacering")
    tilgang(R, kom, cal, rng, rng.normal(size=len(R)), "q15", "godt_match")
    oekonomi(R, kom, cal, rng)
    sygeliggoerelse(R, kom, cal, rng)
    tro_handicap(R, kom, cal, rng, tro)
    hanne(R, kom, cal, rng, tro)
    noegleperson_stoette(R, kom, cal, rng)
    return R
