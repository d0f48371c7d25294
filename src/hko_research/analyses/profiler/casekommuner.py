"""The casekommuner's survey results (delanalyse 2) as the profiles show them.

Delanalyse 2's per-kommune means (``viden.figur_4`` knowledge of disability, ``figur_6`` knowledge
of HKO, ``figur_8`` advisory competence, ``figur_10`` erfaringsniveau; each kommune's respondents,
with the 'I alt' row of all casekommuner) in one long table: ``maal, kommune, n, gennemsnit``.
The selection column of delanalyse 2 (``valgt``) is left out: a page does not depend on the run's
selection.
"""
from __future__ import annotations

import pandas as pd

MAAL = (("viden_handicap", "figur_4", "gennemsnit"), ("viden_hko", "figur_6", "gennemsnit"),
        ("vejledning", "figur_8", "gennemsnit"), ("erfaringsniveau", "figur_10", "erfaringsniveau"))


def survey_tabel(S) -> pd.DataFrame:
    """``S`` is delanalyse 2's SurveyData (``d2_medarbejdere.load.load``)."""
    from ..d2_medarbejdere import viden

    parts = []
    for maal, builder, col in MAAL:
        t = getattr(viden, builder)(S)
        parts.append(pd.DataFrame({"maal": maal, "kommune": t["kommune"].astype(str), "n": t["n"].astype(int),
                                   "gennemsnit": t[col].astype(float)}))
    return pd.concat(parts, ignore_index=True)
