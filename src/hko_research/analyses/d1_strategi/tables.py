"""Delanalyse 1's tables, by report section: prioritering.py (3.2: Tabel 3, the 2019 survey, Tabel 4),
rationaler.py (3.3: Tabel 5), organisering.py (3.4: Tabel 6-10, the cross-tab), reliabilitet.py.
:func:`resultater` builds every result table (unprotected; the notebook publishes them through
disclosure control and ``targets`` reads them the same way)."""
from __future__ import annotations

from .load import D1, load
from .organisering import (
    EKSEMPEL_TABELLER,
    krydstabel,
    tabel_6_fordeling,
    tabel_6_kriterier,
    tabel_6b_nuancer,
    tabel_6c_kommuner,
    tabel_6d_interval,
    tabel_10,
    tabel_eksempel,
)
from .prioritering import tabel_3_fordeling, tabel_3_kriterier, tabel_3_survey, tabel_4
from .rationaler import tabel_5, tabel_5_reference
from .reliabilitet import reliabilitet, typologi_kontrol

__all__ = ["load", "D1", "resultater", "typologi_kontrol", "EKSEMPEL_TABELLER"]


def resultater(B: D1) -> dict:
    """Every result table of the notebook, keyed by its published name."""
    out = {
        "tabel_3_strategityper": tabel_3_fordeling(B),
        "tabel_3_kriterier": tabel_3_kriterier(B),
        "tabel_3b_survey_2019": tabel_3_survey(B),
        "tabel_4_opmaerksomhedspunkter": tabel_4(B),
        "tabel_5_rationaler": tabel_5(B),
        "tabel_5b_pa_evaluering": tabel_5_reference(),
        "tabel_6_organiseringstyper": tabel_6_fordeling(B),
        "tabel_6_kriterier": tabel_6_kriterier(B),
        "tabel_6b_nuancer": tabel_6b_nuancer(B),
        "tabel_6c_noeglepersoner_kommuner": tabel_6c_kommuner(B),
        "tabel_6d_noeglepersoner_interval": tabel_6d_interval(B),
        "tabel_10_fordele_ulemper": tabel_10(B),
        "tabel_10b_strategi_organisering": krydstabel(B),
        "bilag_reliabilitet_casekommuner": reliabilitet(B),
    }
    for org, nr in EKSEMPEL_TABELLER.items():
        out[f"tabel_{nr}_{org}"] = tabel_eksempel(B, org)
    return out
