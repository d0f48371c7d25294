"""Delanalyse 5 — the per-kommune join: one row per kommune and ordning, with delanalyse 3's
anvendelsesgrad and rekrutteringsgrad, delanalyse 1's typologies, delanalyse 2's knowledge,
advisory competence and belief, and the two outcome measures (definitions.md, def. 7-10).

Every column of another delanalyse is that analysis's own function applied to its own frame
(``d3.anvendelsesgrad_kommuner``, ``d3.measures.er_rekruttering``, ``d2.viden.figur_6`` ...), never
recomputed another way and never read from a published table.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...kommuner import kommune_tabel
from ...stats import share
from . import measures as M
from .udfald import ORDNINGER, oeget

# The report's definition box of rekrutteringsgrad (delanalyse 3, def. 11); other wordings of
# chapter 7's figure notes (l.2169, l.2177) are a parameter.
REKRUTTERING_DEFINITION = "l1342"

# Model scales (def. 10): what one unit of each regressor is.
SKALAER = {
    "rang10": "10 rangpladser (rammevilkår, 1 = mindst favorable)",
    "log2_befolkning": "en fordobling af indbyggertallet",
    "anvendelse_01": "0,1 procentpoint (bevillinger i pct. af indbyggerne)",
    "rekruttering_10": "10 procentpoint (rekrutteringsgrad)",
    "viden": "1 point (viden om HKO, 0-10)",
    "vejledning": "1 point (vejledningskompetence, 1-5)",
    "tro": "1 point (tro på borger, 1-5)",
}


def _d2_kommune_means(survey) -> pd.DataFrame:
    """Delanalyse 2's per-casekommune means (its Figur 6, 8 and 18 builders): viden om HKO (0-10),
    vejledningskompetence and tro på borger (1-5), each the mean of its sub-items, and the number
    of respondents."""
    from ..d2_medarbejdere import tro, viden

    if survey is None:
        return pd.DataFrame(columns=["kommunekode", "n_respondenter", "viden", "vejledning", "tro"])
    code = {v: k for k, v in kommune_tabel().set_index("kommunekode")["kommune"].items()}
    parts = []
    for name, build in (("viden", viden.figur_6), ("vejledning", viden.figur_8), ("tro", tro.figur_18)):
        t = build(survey)
        t = t.loc[t["kommune"] != "I alt"]
        parts.append(pd.DataFrame({"kommunekode": t["kommune"].map(code).astype(int).to_numpy(),
                                   "n_respondenter": t["n"].to_numpy(), name: t["gennemsnit"].to_numpy()}))
    out = parts[0]
    for p in parts[1:]:
        out = out.merge(p.drop(columns="n_respondenter"), on="kommunekode", how="outer")
    return out


def rekrutteringsgrad_kommuner(brug, definition: str = REKRUTTERING_DEFINITION) -> pd.DataFrame:
    """Per kommune and ordning: the period's grants with a known ydelsesgruppe (``n_bevillinger``),
    those with a recruitment perspective (``antal_rekruttering``) and their share — delanalyse 3's
    measure (``d3_brug.measures.er_rekruttering``, def. 11 there) on delanalyse 3's grants."""
    from ..d3_brug import measures as M3

    g = brug.pgrants.loc[brug.pgrants["ordning"].isin(ORDNINGER)].copy()
    flag = M3.er_rekruttering(g["ydelsesgruppe"], g["perspektiv"], definition=definition)
    g["_n"] = flag.notna().to_numpy()
    g["_k"] = flag.fillna(False).astype(bool).to_numpy()
    out = g.groupby(["kommunekode", "ordning"]).agg(n_bevillinger=("_n", "sum"), antal_rekruttering=("_k", "sum"))
    out = out.reset_index()
    out["rekrutteringsgrad"] = share(out["antal_rekruttering"], out["n_bevillinger"]).to_numpy()
    return out


def udfald_kommuner(T, population: str | None = None) -> pd.DataFrame:
    """Per kommune and ordning: the fastholdelse population (``n_fastholdelse``) and the fastholdt
    (``antal_fastholdelse``), the øgede-løntimer population (``n_oeget``, the report's per ordning
    unless ``population``) and those with more hours (``antal_oeget``), with the shares."""
    u = T.udfald.loc[T.udfald["observerbar"]].copy()
    u["_oeget"] = oeget(u, population)
    rows = []
    for (k, o), s in u.groupby(["kommunekode", "ordning"]):
        f, e = s["fastholdt"], s["_oeget"]
        rows.append({"kommunekode": int(k), "ordning": o, "n_modtagere": len(s),
                     "n_fastholdelse": int(f.notna().sum()), "antal_fastholdelse": int(f.fillna(False).sum()),
                     "n_oeget": int(e.notna().sum()), "antal_oeget": int(e.fillna(False).sum())})
    out = pd.DataFrame(rows, columns=["kommunekode", "ordning", "n_modtagere", "n_fastholdelse", "antal_fastholdelse",
                                      "n_oeget", "antal_oeget"])
    out["andel_fastholdelse"] = share(out["antal_fastholdelse"], out["n_fastholdelse"]).to_numpy()
    out["andel_oeget"] = share(out["antal_oeget"], out["n_oeget"]).to_numpy()
    return out


def kommuneramme(T, *, population: str | None = None, rekruttering: str = REKRUTTERING_DEFINITION) -> pd.DataFrame:
    """The join (def. 7-10): every kommune x ordning (PA, HM), selected or not (``valgt``).

    Delanalyse 3: ``antal_bevillinger`` (PA + HM grants in the year) and ``anvendelsesgrad`` (def.
    15 there), ``rang``/``rammevilkaar``, ``kommunestoerrelse``, ``befolkning``; the ordning's
    rekrutteringsgrad over the period's grants. Delanalyse 1: ``strategi``, ``organisering``.
    Delanalyse 2: ``viden``, ``vejledning``, ``tro`` and ``n_respondenter`` (casekommuner). The
    outcomes: :func:`udfald_kommuner`. Model scales (:data:`SKALAER`): ``rang10``,
    ``log2_befolkning``, ``anvendelse_01``, ``rekruttering_10``.
    """
    from ..d3_brug import tables as d3

    a = d3.anvendelsesgrad_kommuner(T.brug)
    base = a[["kommunekode", "kommune", "region", "valgt", "befolkning", "antal_pa_hm", "anvendelsesgrad", "rang",
              "rammevilkaar", "kommunestoerrelse"]].rename(columns={"antal_pa_hm": "antal_bevillinger"})
    typ = T.typologi
    base = base.merge(typ, on="kommunekode", how="left")
    base = base.merge(_d2_kommune_means(T.survey), on="kommunekode", how="left")
    frame = base.merge(pd.DataFrame({"ordning": list(ORDNINGER)}), how="cross")
    frame = frame.merge(rekrutteringsgrad_kommuner(T.brug, rekruttering), on=["kommunekode", "ordning"], how="left")
    frame = frame.merge(udfald_kommuner(T, population), on=["kommunekode", "ordning"], how="left")
    for c in ("n_bevillinger", "antal_rekruttering", "n_modtagere", "n_fastholdelse", "antal_fastholdelse", "n_oeget",
              "antal_oeget"):
        frame[c] = frame[c].fillna(0).astype(int)
    frame["rang10"] = frame["rang"] / 10
    frame["log2_befolkning"] = np.log2(frame["befolkning"].astype(float))
    frame["anvendelse_01"] = frame["anvendelsesgrad"] * 1000
    frame["rekruttering_10"] = frame["rekrutteringsgrad"] * 10
    frame["casekommune"] = frame["strategi"].notna()
    frame["population_oeget"] = [M.population_for(o, population) for o in frame["ordning"]]
    return frame.sort_values(["ordning", "kommunekode"], kind="stable").reset_index(drop=True)
