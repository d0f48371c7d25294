"""Puljeevaluering — every table builder, by name (the notebook's results dict uses these keys).

    maalopfyldelse      goal attainment per project and indicator (def. P1)
    udvikling_grupper   mean anvendelsesgrad per year: participants, other projects, the rest, all
    did                 difference-in-differences per project (def. P4)
    eventstudie         event-study coefficients per project and year relative to the start (def. P5)

:func:`load` reads the projects and participants; the kommune × year panel comes from delanalyse
3 (:func:`.effekt.panel` over ``d3.load``'s frames).
"""
from __future__ import annotations

from .effekt import SUMS as _EFFEKT_SUMS
from .effekt import did, eventstudie, figur_eventstudie, figur_udvikling, panel, udvikling_grupper
from .load import PuljeData, load, load_dir
from .maalopfyldelse import figur_maal_opnaaet, maalopfyldelse
from .measures import AFRUNDINGSREGEL

SUMS = dict(_EFFEKT_SUMS)

__all__ = ["AFRUNDINGSREGEL", "PuljeData", "SUMS", "did", "eventstudie", "figur_eventstudie", "figur_maal_opnaaet",
           "figur_udvikling", "load", "load_dir", "maalopfyldelse", "panel", "udvikling_grupper"]
