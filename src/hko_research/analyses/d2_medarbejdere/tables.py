"""Delanalyse 2 — jobcentermedarbejdernes viden og holdninger (report chapter 4): every table, by the
name it is published under. The builders live in one module per report section:

    respondenter  bilag 9.4 / 9.4.1  response rates, respondent profile, the tallies
    viden         4.2   Figur 3-10, Tabel 11, Q21, "Hvilke forhold ... viden"
    tilgang       4.3   Figur 11-16, Q13, Q16, Q17, "Hvilke forhold ... tilgang"
    tro           4.4   Figur 17-21, "Hvilke forhold ... tro på borger"

Each builder takes the run's :class:`~.load.SurveyData` and returns one tidy frame with count
columns (``n`` = unweighted respondents, ``antal``) next to the weighted shares and means.
Definitions: ``definitions.md`` (def. #) and :mod:`.measures`.
"""
from __future__ import annotations

import pandas as pd

from . import respondenter, tilgang, tro, viden
from .load import SurveyData, load, load_dir

# Published name -> builder. The names follow the report's numbering; chapter 4's Tabel 11 is
# tabel_11_videnskilder (delanalyse 3 publishes its own Tabel 11 as tabel_11_bevillinger).
BUILDERS = {
    "bilag_41_rammevilkaar": lambda S: respondenter.rammevilkaar_grupper(S.rang),
    "bilag_94_besvarelsesprocent": respondenter.besvarelsesprocent,
    "bilag_94_respondentprofil": respondenter.profil,
    "bilag_94_alder": respondenter.profil_alder,
    "bilag_94_stilling_kommuner": respondenter.stilling_kommuner,
    "bilag_941_fire_opgoerelser": respondenter.tre_opgoerelser,
    "bilag_kodebog": respondenter.kodebog_oversigt,
    "figur_3_viden_handicap": viden.figur_3,
    "figur_4_viden_handicap_kommuner": viden.figur_4,
    "figur_5_viden_hko": viden.figur_5,
    "figur_6_viden_hko_kommuner": viden.figur_6,
    "figur_7_vejledning": viden.figur_7,
    "figur_8_vejledning_kommuner": viden.figur_8,
    "figur_9_erfaring": viden.figur_9,
    "figur_10_erfaring_kommuner": viden.figur_10,
    "tabel_11_videnskilder": viden.tabel_11,
    "bilag_42_noegleperson_stoette": viden.noegleperson_stoette,
    "bilag_42_forhold_viden": viden.forhold_viden,
    "figur_11_omplacering": tilgang.figur_11,
    "figur_12_omplacering_kommuner": tilgang.figur_12,
    "figur_13_godt_match": tilgang.figur_13,
    "figur_14_godt_match_kommuner": tilgang.figur_14,
    "figur_15_screening": tilgang.figur_15,
    "figur_16_screening_kommuner": tilgang.figur_16,
    "bilag_43_ikke_screening_grunde": tilgang.ikke_screening,
    "bilag_43_oekonomi": tilgang.oekonomi,
    "bilag_43_sygeliggoerelse": tilgang.sygeliggoerelse,
    "bilag_43_forhold_tilgang": tilgang.forhold_tilgang,
    "bilag_43_forhold_holdninger": tilgang.forhold_holdninger,
    "figur_17_tro_handicap": tro.figur_17,
    "figur_18_tro_kommuner": tro.figur_18,
    "figur_19_viden_tro": tro.figur_19,
    "figur_20_hanne_uden_hko": tro.figur_20,
    "figur_21_hanne_med_hko": tro.figur_21,
    "bilag_44_forhold_tro": tro.forhold_tro,
}

_DIST = [["niveau", "maal"]]
_KOMMUNER = [[]]  # per-kommune tables: the kommuner add up to their 'I alt' row
# Additive structure of every table (secondary suppression), used when publishing and when the
# report targets are read, so both apply the same disclosure step.
SUMS = {
    "bilag_94_besvarelsesprocent": _KOMMUNER,
    "bilag_94_respondentprofil": [["niveau", "tema"]],
    "figur_3_viden_handicap": [["niveau", "handicaptype"]],
    "figur_5_viden_hko": [["niveau", "ordning"]],
    "figur_7_vejledning": [["niveau", "ordning"]],
    "figur_9_erfaring": [["niveau", "ordning"]],
    "tabel_11_videnskilder": [{"parts": ["antal", "antal_ikke_valgt"], "total": "n"}],
    "bilag_43_ikke_screening_grunde": [{"parts": ["antal", "antal_ikke_valgt"], "total": "n"}],
    "bilag_42_noegleperson_stoette": _DIST,
    "figur_11_omplacering": _DIST,
    "figur_13_godt_match": _DIST,
    "figur_15_screening": _DIST,
    "bilag_43_oekonomi": _DIST,
    "bilag_43_sygeliggoerelse": _DIST,
    "figur_17_tro_handicap": [["niveau", "handicaptype"]],
    "figur_20_hanne_uden_hko": [["niveau", "maal", "ydelse"]],
    "figur_21_hanne_med_hko": [["niveau", "maal", "ydelse"]],
    "bilag_42_forhold_viden": [["niveau", "maal", "dimension"]],
    "bilag_43_forhold_tilgang": [["niveau", "maal", "dimension"]],
    "bilag_43_forhold_holdninger": [["niveau", "maal", "dimension"]],
    "bilag_44_forhold_tro": [["niveau", "maal", "dimension"]],
    "figur_4_viden_handicap_kommuner": _KOMMUNER,
    "figur_6_viden_hko_kommuner": _KOMMUNER,
    "figur_8_vejledning_kommuner": _KOMMUNER,
    "figur_10_erfaring_kommuner": _KOMMUNER,
    "figur_12_omplacering_kommuner": _KOMMUNER,
    "figur_14_godt_match_kommuner": _KOMMUNER,
    "figur_16_screening_kommuner": _KOMMUNER,
    "figur_18_tro_kommuner": _KOMMUNER,
    "bilag_94_stilling_kommuner": [],
}
# Columns that describe a cell (never masked): 'I alt' kommune rows carry kommunekode 0.
KEYS = ("rang",)

__all__ = ["BUILDERS", "SUMS", "KEYS", "SurveyData", "load", "load_dir", "resultater"]


def resultater(S: SurveyData, done: dict[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame]:
    """Every builder's table keyed by its published name; tables already in ``done`` are reused."""
    done = dict(done or {})
    return {name: done[name] if name in done else build(S) for name, build in BUILDERS.items()}
