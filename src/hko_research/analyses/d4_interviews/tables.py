"""Delanalyse 4's tables, by report section: deltagere.py (6.1), gevinster.py (6.2, Tabel 20),
jobcenter.py (6.3-6.4), krydsreference.py (the 2024 recommendations), reliabilitet.py.
:func:`resultater` builds every result table (unprotected); ``SUMS`` declares their additive
structure for disclosure control."""
from __future__ import annotations

from . import deltagere, krydsreference
from .gevinster import tabel_20, udsagn
from .jobcenter import tabel_63, tabel_63_udsagn, tabel_64, tabel_64_udsagn
from .load import D4, load
from .reliabilitet import reliabilitet

SUMS = {**deltagere.SUMS, **krydsreference.SUMS}

__all__ = ["load", "D4", "resultater", "SUMS"]


def resultater(B: D4) -> dict:
    return {
        "tabel_61_deltagere": deltagere.tabel_61_deltagere(B),
        "tabel_61b_profil": deltagere.tabel_61b_profil(B),
        "tabel_61c_ordninger": deltagere.tabel_61c_ordninger(B),
        "tabel_61d_alder": deltagere.tabel_61d_alder(B),
        "tabel_20_gevinster": tabel_20(B),
        "tabel_62_udsagn": udsagn(B, "6.2"),
        "tabel_63_jobcenter": tabel_63(B),
        "tabel_63b_udsagn": tabel_63_udsagn(B),
        "tabel_64_ansaettelsesvillighed": tabel_64(B),
        "tabel_64b_udsagn": tabel_64_udsagn(B),
        "tabel_65_anbefalinger_2024": krydsreference.tabel_65(B),
        "bilag_reliabilitet_interview": reliabilitet(B),
    }
