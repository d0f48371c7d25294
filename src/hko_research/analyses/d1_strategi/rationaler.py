"""Report section 3.3, fremherskende rationaler: Tabel 5 (the five rationales and the unclear
professional line, l.577), and the earlier PA evaluation's shares as cited reference values."""
from __future__ import annotations

import pandas as pd

from .load import D1
from .prioritering import gren_tabel, references


def tabel_5(B: D1) -> pd.DataFrame:
    """Tabel 5: kommuner pointing to each rationale (l.537-579)."""
    return gren_tabel(B, "tabel5", "rationale")


def tabel_5_reference() -> pd.DataFrame:
    """The PA evaluation's retention/new-hire shares (l.551), cited, not computed."""
    refs = references()
    rows = [{"maal": r["maal"], "vaerdi": float(r["vaerdi"]), "enhed": r["enhed"], "grundlag": r["udsagn"],
             "kilde": " ".join(r["kilde"].split()), "type": "citeret referenceværdi (ikke beregnet)"}
            for key, r in refs.items() if key.startswith("pa_")]
    return pd.DataFrame(rows)
