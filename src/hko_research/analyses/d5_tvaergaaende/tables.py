"""Delanalyse 5 — tværgående analyse og best practice (report chapter 7): every result table by the
name it is published under, and :func:`resultater` (what the report targets read).

    grupper        7 intro, 7.1.1, 7.1.4   the populations, Figur 32-35 and 39-42, group tests
    kommuneramme   7.1.3                   the per-kommune join (Figur 36-38's points)
    modeller       7.1.2-7.1.4, 7.2        the report's claims as models, with and without controls
    figurer        Figur 31                the theory of change (forandringsteori.yaml)
    praksis        7.2                     the best-practice findings against this run

Definitions: ``definitions.md`` (def. #) and :mod:`.measures`.
"""
from __future__ import annotations

import pandas as pd

from . import figurer, grupper, kommuneramme, modeller
from .load import TvaerData, from_parts, load

# Additive groups (secondary suppression), by published name.
SUMS = {
    "tabel_7_udfald": [["niveau", "ordning"]],
    "figur_32_35_strategi_organisering": grupper.SUMS,
    "figur_39_42_rammevilkaar_stoerrelse": grupper.SUMS,
}


def brug_kommuner(T: TvaerData) -> pd.DataFrame:
    """Figur 36 and 38's x: delanalyse 3's anvendelsesgrad per kommune at delanalyse 3's own
    breakdown (grants of PA and of HM in the year), so disclosure control treats it as d3 does."""
    from ..d3_brug import tables as d3

    a = d3.anvendelsesgrad_kommuner(T.brug)
    out = a[["kommunekode", "kommune", "valgt", "befolkning", "antal_pa", "antal_hm", "anvendelsesgrad"]].copy()
    out["valgt"] = out["valgt"].map({True: "ja", False: "nej"})
    return out


def udfald_kommuner(ramme: pd.DataFrame) -> pd.DataFrame:
    """Figur 36-38's y (and Figur 37's x): per kommune and ordning, rekrutteringsgrad and øgede
    løntimer with their counts (fastholdelse by kommune is not drawn; its groups are in Figur 33-42)."""
    from ...vocabulary import ORDNING_NAVN

    cols = ["kommunekode", "kommune", "ordning", "valgt", "n_bevillinger", "antal_rekruttering", "rekrutteringsgrad",
            "n_oeget", "antal_oeget", "andel_oeget"]
    out = ramme[cols].copy()
    out["ordning"] = out["ordning"].map(ORDNING_NAVN)
    out["valgt"] = out["valgt"].map({True: "ja", False: "nej"})
    return out


def udfald_kommuner_tabeller(ramme: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """:func:`udfald_kommuner` as one table per ordning (``figur_36_38_kommuner_pa`` / ``_hm``): the two
    ordninger's rows of a kommune are then no block whose sum an attacker could match with another
    published count."""
    t = udfald_kommuner(ramme)
    return {f"figur_36_38_kommuner_{o}": t.loc[t["ordning"] == name].reset_index(drop=True)
            for o, name in (("pa", "Personlig assistance"), ("hm", "Hjælpemidler"))}


def tilpasninger(ramme: pd.DataFrame) -> pd.DataFrame:
    """The fitted lines of Figur 36-38 (kommune GLMs over the selected kommuner), long: figur,
    ordning, x (the plotted share), tilpasset with its 95 pct. band."""
    from ...vocabulary import ORDNING_NAVN

    specs = (("figur_36", "andel_oeget", "n_oeget", "anvendelse_01", 1000),
             ("figur_37", "andel_oeget", "n_oeget", "rekruttering_10", 10),
             ("figur_38", "rekrutteringsgrad", "n_bevillinger", "anvendelse_01", 1000))
    parts = []
    for fig, y, n, x, scale in specs:
        for o in ("pa", "hm"):
            try:
                line = modeller.linje(ramme, y, n, x, scale, ordning=o)
            except ValueError:
                continue
            parts.append(line.assign(figur=fig, ordning=ORDNING_NAVN[o]))
    if not parts:
        return pd.DataFrame(columns=["figur", "ordning", "x", "tilpasset", "konf_nedre", "konf_oevre"])
    return pd.concat(parts, ignore_index=True)[["figur", "ordning", "x", "tilpasset", "konf_nedre", "konf_oevre"]]


def gruppetests(T: TvaerData, population: str | None = None) -> pd.DataFrame:
    """The casekommuner's group comparisons (strategy, organisation) in one table."""
    return pd.concat([grupper.gruppetest(T, d, population) for d in ("strategi", "organisering")], ignore_index=True)


def resultater(T: TvaerData, done: dict[str, pd.DataFrame] | None = None, *, population: str | None = None,
               bootstrap: bool = True) -> dict[str, pd.DataFrame]:
    """Every result table (unprotected), keyed by its published name; tables in ``done`` (built
    by the notebook) are reused."""
    out = dict(done or {})

    def need(name, build):
        if name not in out:
            out[name] = build()

    need("kommuneramme", lambda: kommuneramme.kommuneramme(T, population=population))
    ramme = out["kommuneramme"]
    need("tabel_7_udfald", lambda: grupper.udfald_national(T, population))
    need("tabel_7b_populationer", lambda: grupper.udfald_populationer(T))
    need("figur_31_forandringsteori", figurer.forandringsteori)
    need("figur_32_35_strategi_organisering", lambda: grupper.figur_32_35(T, population))
    need("figur_39_42_rammevilkaar_stoerrelse", lambda: grupper.figur_39_42(T, population))
    for claim in modeller.PAASTANDE:
        need(f"model_{claim.navn}", lambda c=claim: modeller.estimate(T, ramme, c, population=population,
                                                                     bootstrap=bootstrap))
    return out


__all__ = ["SUMS", "TvaerData", "load", "from_parts", "resultater", "brug_kommuner", "udfald_kommuner", "tilpasninger",
           "gruppetests"]
