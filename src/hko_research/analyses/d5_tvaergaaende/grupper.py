"""Delanalyse 5, report 7.1.1 and 7.1.4: the outcome shares by strategy and key-person organisation
(casekommuner, Figur 32-35) and by rammevilkår and kommunestørrelse (every kommune, Figur 39-42),
the national populations of both measures (7 intro), and the group comparisons with their tests.

Shares are of persons, pooled over the group's kommuner (l.2072: «Andel borgere ... i pct. af
antal borgere med HKO»). Every row carries its base ``n`` and numerator ``antal`` and the number
of kommuner behind it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...levels import case_levels, levels
from ...stats import share_row
from ...vocabulary import ORDNING_NAVN, ORGANISERINGSTYPER, STRATEGITYPER
from . import measures as M
from .udfald import ORDNINGER, oeget

I_ALT = "I alt"
MAAL = {"fastholdelse": "fastholdt", "oegede": "_oeget"}
DIMENSIONER = {"strategi": STRATEGITYPER, "organisering": ORGANISERINGSTYPER,
               "rammevilkaar": ("vanskelige", "mellem", "gode"), "kommunestoerrelse": ("lille", "mellem", "stor")}
SUMS = [["niveau", "ordning", "maal", "dimension"]]


def personer(T, population: str | None = None) -> pd.DataFrame:
    """The followed recipients with their kommune's groups (delanalyse 1's typologies, delanalyse
    3's bands) and the øgede flag in its population (the report's per ordning unless given)."""
    u = T.udfald.loc[T.udfald["observerbar"]].copy()
    u["_oeget"] = oeget(u, population)
    info = T.brug.kommuneinfo[["kommunekode", "rammevilkaar", "kommunestoerrelse"]]
    u = u.merge(info, on="kommunekode", how="left").merge(T.typologi, on="kommunekode", how="left")
    return u


def udfald_national(T, population: str | None = None) -> pd.DataFrame:
    """7 intro (l.2023-2025): per ordning the recipients, those followed, those with løntimer one
    month before (the fastholdelse population, ``maal`` = loentimer_foer: n = followed), the
    fastholdt, and the øgede-løntimer population with those who increased."""
    u = T.udfald.copy()
    u["_oeget"] = oeget(u, population)
    rows = []
    for niveau, s in levels(u, T):
        for o in ORDNINGER:
            so = s.loc[s["ordning"] == o]
            obs = so.loc[so["observerbar"]]
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o]}
            rows.append(share_row(so["observerbar"].astype("boolean"), **k, maal="fulgt"))
            rows.append(share_row(obs["loentimer_foer"], **k, maal="loentimer_foer"))
            rows.append(share_row(obs["fastholdt"], **k, maal="fastholdelse"))
            rows.append(share_row(obs["_oeget"], **k, maal="oegede"))
    out = pd.DataFrame(rows)
    out["population_oeget"] = [M.POPULATION_NAVN[M.population_for(o, population)] if m == "oegede" else ""
                               for o, m in zip(out["ordning"].map(_CODE), out["maal"])]
    return out[["niveau", "ordning", "maal", "population_oeget", "antal", "n", "andel", "ci_nedre", "ci_oevre"]]


_CODE = {v: k for k, v in ORDNING_NAVN.items()}


def _group_rows(u: pd.DataFrame, niveau: str, dimension: str) -> list[dict]:
    rows = []
    for o in ORDNINGER:
        so = u.loc[u["ordning"] == o]
        for maal, col in MAAL.items():
            k = {"niveau": niveau, "ordning": ORDNING_NAVN[o], "maal": maal, "dimension": dimension}
            for g in DIMENSIONER[dimension]:
                sg = so.loc[so[dimension] == g]
                rows.append({**share_row(sg[col], **k, gruppe=g), "kommuner": int(sg["kommunekode"].nunique())})
            sa = so.loc[so[dimension].notna()]
            rows.append({**share_row(sa[col], **k, gruppe=I_ALT), "kommuner": int(sa["kommunekode"].nunique())})
    return rows


COLUMNS = ["niveau", "ordning", "maal", "dimension", "gruppe", "kommuner", "antal", "n", "andel", "ci_nedre", "ci_oevre"]


def figur_32_35(T, population: str | None = None) -> pd.DataFrame:
    """Figur 32-35: øgede løntimer and fastholdelse by strategy (32-33) and organisation (34-35),
    for all casekommuner and, when the selection holds at least :data:`.measures.MIN_KOMMUNER_TEST`
    of them, the selected ones. With fewer, the two typologies split the same few kommuner into
    groups that often coincide (a region's four casekommuner: three reaktive with a specialised team,
    one diffus with general specialisation), so one dimension's shown cell would give away the
    other's suppressed one."""
    u = personer(T, population)
    case = u.loc[u["strategi"].notna()]
    levels_ = case_levels(case, T)
    if len(levels_) > 1 and levels_[0][1]["kommunekode"].nunique() < M.MIN_KOMMUNER_TEST:
        levels_ = levels_[1:]
    rows = []
    for niveau, s in levels_:
        for dim in ("strategi", "organisering"):
            rows += _group_rows(s, niveau, dim)
    return pd.DataFrame(rows, columns=COLUMNS)


def figur_39_42(T, population: str | None = None) -> pd.DataFrame:
    """Figur 39-42: øgede løntimer and fastholdelse by rammevilkår (39-40, VIVE rank 1-32 / 33-66 /
    67-98) and kommunestørrelse (41-42, < 40.000 / 40.000-79.999 / >= 80.000), every kommune."""
    u = personer(T, population)
    rows = []
    for niveau, s in levels(u, T):
        for dim in ("rammevilkaar", "kommunestoerrelse"):
            rows += _group_rows(s, niveau, dim)
    return pd.DataFrame(rows, columns=COLUMNS)


def udfald_populationer(T) -> pd.DataFrame:
    """Øgede løntimer in both populations (def. 5) side by side, per ordning: the choice the
    report made per ordning against the other one."""
    u = T.udfald.loc[T.udfald["observerbar"]]
    rows = []
    for niveau, s in levels(u, T):
        for o in ORDNINGER:
            so = s.loc[s["ordning"] == o]
            for p in M.POPULATIONER:
                r = share_row(so[f"oeget_{p}"], niveau=niveau, ordning=ORDNING_NAVN[o], population_oeget=M.POPULATION_NAVN[p])
                r["rapportens_valg"] = "ja" if M.RAPPORTENS_POPULATION[o] == p else "nej"
                rows.append(r)
    return pd.DataFrame(rows)[["niveau", "ordning", "population_oeget", "rapportens_valg", "antal", "n", "andel",
                               "ci_nedre", "ci_oevre"]]


# ----------------------------------------------------------------------------- group comparisons
def gruppetest(T, dimension: str, population: str | None = None) -> pd.DataFrame:
    """Each group against the reference (the group with most kommuner) in a person-level logit,
    standard errors clustered by kommune (t with G-1 df), odds ratio and average marginal effect,
    and the wild cluster bootstrap p-value of the linear probability model. A group of fewer than
    :data:`.measures.MIN_KOMMUNER_TEST` kommuner gets no test (the reason in ``bemaerkning``):
    with so few clusters its clustered standard error is not defined well enough.
    Casekommuner (strategi, organisering) or the selected kommuner (rammevilkaar, kommunestoerrelse)."""
    from ...stats.models import effect_table, fit_logit_clustered, wild_cluster_bootstrap_p

    u = personer(T, population)
    u = u.loc[u["strategi"].notna()] if dimension in ("strategi", "organisering") else \
        u.loc[u["kommunekode"].isin(T.kommuner)]
    rows = []
    for o in ORDNINGER:
        for maal, col in MAAL.items():
            d = u.loc[(u["ordning"] == o) & u[col].notna() & u[dimension].notna()].copy()
            d["y"] = d[col].astype(float)
            kommuner = d.groupby(dimension)["kommunekode"].nunique()
            present = [g for g in DIMENSIONER[dimension] if kommuner.get(g, 0) > 0]
            base = {"ordning": ORDNING_NAVN[o], "maal": maal, "dimension": dimension}
            if len(present) < 2 or d["kommunekode"].nunique() < 2:
                continue
            ref = max(present, key=lambda g: (kommuner[g], -present.index(g)))
            d["gruppe"] = pd.Categorical(d[dimension], categories=[ref] + [g for g in present if g != ref])
            try:
                fit = fit_logit_clustered("y ~ C(gruppe)", d, "kommunekode")
            except Exception as exc:  # perfect prediction in a tiny selection: say so, do not guess
                for g in present:
                    if g != ref:
                        rows.append({**base, "gruppe": g, "reference": ref, "kommuner_gruppe": int(kommuner[g]),
                                     "bemaerkning": f"modellen kan ikke estimeres: {type(exc).__name__}"})
                continue
            for g in present:
                if g == ref:
                    continue
                term = f"C(gruppe)[T.{g}]"
                t = effect_table(fit, [term], groups_column="kommuner").iloc[0].to_dict()
                r = {**base, "gruppe": g, "reference": ref, "kommuner_gruppe": int(kommuner[g]), **t}
                r.pop("term")
                if kommuner[g] < M.MIN_KOMMUNER_TEST or kommuner[ref] < M.MIN_KOMMUNER_TEST:
                    for c in ("standardfejl", "konf_nedre", "konf_oevre", "p_vaerdi"):
                        r[c] = np.nan
                    r["p_wild"] = np.nan
                    r["bemaerkning"] = (f"ingen test: {int(min(kommuner[g], kommuner[ref]))} kommuner i gruppen, "
                                        f"mindst {M.MIN_KOMMUNER_TEST} kræves")
                else:
                    d["_g"] = (d[dimension] == g).astype(float)
                    others = [x for x in present if x not in (ref, g)]
                    for i, x in enumerate(others):
                        d[f"_o{i}"] = (d[dimension] == x).astype(float)
                    rhs = " + ".join(["_g"] + [f"_o{i}" for i in range(len(others))])
                    r["p_wild"] = wild_cluster_bootstrap_p(f"y ~ {rhs}", d, "kommunekode", "_g")
                    r["bemaerkning"] = ""
                r["signifikant"] = {True: "ja", False: "nej", None: ""}[M.signifikant(r["p_vaerdi"])]
                rows.append(r)
    cols = ["ordning", "maal", "dimension", "gruppe", "reference", "kommuner_gruppe", "koefficient", "standardfejl",
            "konf_nedre", "konf_oevre", "p_vaerdi", "odds_ratio", "marginal_effekt", "p_wild", "signifikant",
            "kommuner", "observationer", "bemaerkning"]
    return pd.DataFrame(rows, columns=cols)
