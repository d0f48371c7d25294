"""Delanalyse 3 — jobcentrenes brug af HKO (report chapter 5): every table builder, by name.

Each builder takes the run's :class:`~.load.BrugData` and returns one tidy DataFrame per report
table or figure, with count columns (``n`` = base, ``antal`` / ``antal_*`` = numerator) next to the
shares and means, so that disclosure control can work. Selected kommuner are always shown next to
their whole (:mod:`hko_research.levels`). The builders live in one module per report section:

    omfang               5.2   Tabel 11-12, anvendelsesgrad
    maalgruppe           5.3.1-5.3.2  Tabel 13, ydelsesforhold, Figur 22-23
    kompensationsbehov   5.3.3-5.4    Tabel 14-16, varighed, subgrupper
    udgifter             5.5   Figur 24-27
    bevillingsprocessen  5.6   Figur 29-30, Tabel 17-19, the case review

Definitions: ``definitions.md`` (def. #) and :mod:`.measures`.
"""
from __future__ import annotations

import pandas as pd

from .bevillingsprocessen import (
    figur_29_30,
    opfoelgning_kommuner,
    ressource_intervaller,
    sagsgennemgang_oversigt,
    tabel_17,
    tabel_18,
    tabel_19,
)
from .kompensationsbehov import (
    bevillingstyper,
    diagnose_andele,
    fysisk_kommuner,
    hm_type_kommuner,
    subgrupper,
    tabel_14,
    tabel_14_lpr,
    tabel_16,
    type_efter_ydelse,
    varighed,
)
from .load import BrugData, load, load_dir
from .maalgruppe import (
    antal_modtagere,
    figur_22_23,
    profil_ekstra,
    rekrutteringsgrad_strategi,
    tabel_13,
    tabel_13_indkomst,
    uddannelse_rammevilkaar,
    ydelsesforhold,
)
from .omfang import (
    anvendelsesgrad_grupper,
    anvendelsesgrad_kommuner,
    anvendelsesgrad_sammenhaenge,
    fuldtid_udvikling,
    isbryder_omraade,
    kommune_andele,
    kommune_fakta,
    survey_kommuner,
    tabel_11,
    tabel_12,
    trend,
    udvikling,
)
from .udgifter import (
    enhedspris_sammenhaenge,
    enhedspriser,
    udgifter_grupper,
    udgifter_kommuner,
    udgifter_national,
)

# Additive groups of the published tables (secondary suppression), by builder: used when
# publishing and when reading report targets, so both apply the same disclosure step.
SUMS = {
    "tabel_11": [["niveau", "ordning"]],
    "tabel_12": [["niveau"]],
    "tabel_13": [["niveau", "ordning", "tema"]],
    "ydelsesforhold": [["niveau", "ordning", "tema"]],
    "bevillingstyper": [["niveau", "ordning", "tema"]],
    "tabel_19": [["niveau", "ordning", "tema"]],
}

# Every builder that makes a published or target table, in the notebook's order.
BUILDERS = {f.__name__: f for f in (
    tabel_11, udvikling, tabel_12, anvendelsesgrad_kommuner, anvendelsesgrad_grupper, anvendelsesgrad_sammenhaenge,
    trend, tabel_13, tabel_13_indkomst, profil_ekstra, antal_modtagere, ydelsesforhold, figur_22_23,
    rekrutteringsgrad_strategi, tabel_14, diagnose_andele, tabel_14_lpr, bevillingstyper, tabel_16, varighed,
    subgrupper, type_efter_ydelse, udgifter_kommuner, udgifter_national, enhedspriser, enhedspris_sammenhaenge,
    udgifter_grupper, uddannelse_rammevilkaar, figur_29_30, tabel_17, tabel_18, tabel_19, sagsgennemgang_oversigt,
    kommune_fakta, fuldtid_udvikling, isbryder_omraade, fysisk_kommuner, hm_type_kommuner, opfoelgning_kommuner,
    ressource_intervaller,
)}


__all__ = ["BUILDERS", "SUMS", "BrugData", "load", "load_dir", "resultater", "survey_kommuner", "kommune_andele",
           *BUILDERS]


def resultater(b: BrugData, done: dict[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame]:
    """Every builder's table, keyed by builder name (what the report targets read: ``targets.yaml``
    and :func:`.targets.computed`); tables already in ``done`` (e.g. built by the notebook) are
    reused, not rebuilt."""
    done = dict(done or {})
    out = {name: done[name] if name in done else build(b) for name, build in BUILDERS.items()}
    out["survey_kommuner"] = pd.DataFrame({"kommuner": [survey_kommuner(b)]})
    return out
