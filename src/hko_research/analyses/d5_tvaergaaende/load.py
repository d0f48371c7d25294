"""Delanalyse 5 — loading: the other delanalysers' frames, built in this process, and the løntimer
panel (:class:`TvaerData`).

Delanalyse 5 builds on 1-3 and recomputes nothing they compute: delanalyse 3's recipients, grants,
anvendelsesgrad and rekrutteringsgrad (``d3_brug``), delanalyse 1's coded typologies
(``d1_strategi``), delanalyse 2's per-kommune knowledge, advisory competence and belief
(``d2_medarbejdere``). They are the unprotected analysis frames of this run, never the suppressed
tables another notebook published. Person identifiers stay inside ``TvaerData``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ...typologi import uoverensstemmelser
from . import udfald as U

RECIPIENT_COLUMNS = ("ordning", "pnr", "kommunekode", "start", "ydelsesgruppe", "perspektiv", "rekruttering")


@dataclass
class TvaerData:
    """One run's frames: delanalyse 3's ``brug`` (BrugData), delanalyse 1's ``kodning`` (D1),
    delanalyse 2's ``survey`` (SurveyData) and the outcome frame ``udfald`` (one row per PA/HM
    recipient of the period, :func:`.udfald.panel`)."""

    year: int
    kommuner: tuple[int, ...]
    all_kommuner: bool
    brug: Any
    kodning: Any
    survey: Any
    udfald: pd.DataFrame
    panel: dict
    notes: list[str] = field(default_factory=list)

    @property
    def period(self) -> tuple[int, int]:
        return (self.year - 1, self.year)

    @property
    def typologi(self) -> pd.DataFrame:
        """Delanalyse 1's coding per casekommune: ``kommunekode, strategi, organisering``."""
        w = self.kodning.wide
        return w[["kommunekode", "strategi", "organisering"]].astype({"kommunekode": int}).reset_index(drop=True)


def load(P) -> TvaerData:
    """Build every frame for ``P`` (a validated RunParams): delanalyse 3, 1 and 2's loaders, then the panel."""
    from ..d1_strategi import load as d1
    from ..d2_medarbejdere import load as d2
    from ..d3_brug import tables as d3

    brug = d3.load(P)
    survey = d2.load(P, anvendelse=d3.anvendelsesgrad_kommuner(brug))
    return from_parts(P, brug, d1.load(P), survey)


def from_parts(P, brug, kodning, survey) -> TvaerData:
    """:class:`TvaerData` from the other analyses' frames (tests pass hand-built ones)."""
    rec = brug.persons.loc[brug.persons["ordning"].isin(U.ORDNINGER), list(RECIPIENT_COLUMNS)]
    frame, facts = U.panel(P.data_dir, rec)
    notes = []
    lost = frame.loc[~frame["observerbar"], "grund"].value_counts()
    for g, k in lost.items():
        notes.append(f"{k} modtagere indgår ikke i udfaldsmålene: {U.GRUNDE[g]}.")
    if kodning is not None:
        diff = uoverensstemmelser(kodning.wide, brug.kommuneinfo.dropna(subset=["strategi"]), ("strategi", "organisering"))
        if len(diff):
            notes.append(f"Delanalyse 1's kodning og kommunetypologien er uenige om {diff['kommunekode'].nunique()} "
                         "kommune(r); delanalyse 1's kodning bruges.")
    return TvaerData(year=int(P.year), kommuner=tuple(P.kommuner), all_kommuner=bool(P.all_kommuner), brug=brug,
                     kodning=kodning, survey=survey, udfald=frame, panel=facts, notes=notes)
