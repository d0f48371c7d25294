"""Real public reference data shipped with the package (see reference/PROVENANCE.md).

kommuner (DST codes, names, regions), FOLK1A population 2018K1-2020K3, DAGI boundaries, and the
20 casekommuner of report section 1.4.
"""
from __future__ import annotations

import csv
import json
from functools import lru_cache
from typing import TYPE_CHECKING

from .paths import REFERENCE_DIR

if TYPE_CHECKING:  # pandas is imported lazily: params validation (and a cache-hit run) stays light
    import pandas as pd

REGIONS = ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")

# Report section 1.4 (l.189-200), in the report's order. DST short names.
CASEKOMMUNER_NAVNE = (
    "Thisted", "Silkeborg", "Vesthimmerlands", "Vejen", "Ringkøbing-Skjern", "Esbjerg", "Favrskov",
    "Vejle", "Brønderslev", "Jammerbugt", "Hedensted", "Holbæk", "Høje-Taastrup", "Frederiksberg",
    "Svendborg", "Bornholm", "Hillerød", "Faxe", "Lejre", "Stevns",
)


@lru_cache(maxsize=1)
def _kommune_rows() -> tuple[tuple[int, str, str], ...]:
    with open(REFERENCE_DIR / "kommuner.csv", encoding="utf-8", newline="") as fh:
        return tuple((int(r["kommunekode"]), r["kommune"], r["region"]) for r in csv.DictReader(fh))


def kommuner() -> "pd.DataFrame":
    """The 98 kommuner: kommunekode (int), kommune (DST name), region."""
    import pandas as pd

    return pd.DataFrame(list(_kommune_rows()), columns=["kommunekode", "kommune", "region"]).astype({"kommunekode": "int64"})


def kommunekoder() -> tuple[int, ...]:
    return tuple(k for k, _, _ in _kommune_rows())


def kommune_navne() -> dict[int, str]:
    return {k: n for k, n, _ in _kommune_rows()}


@lru_cache(maxsize=1)
def casekommuner() -> tuple[int, ...]:
    """Kommunekoder of the report's 20 casekommuner (section 1.4)."""
    by_name = {v: k for k, v in kommune_navne().items()}
    missing = [n for n in CASEKOMMUNER_NAVNE if n not in by_name]
    if missing:  # pragma: no cover - guards the reference file
        raise RuntimeError(f"casekommuner not in kommuner.csv: {missing}")
    return tuple(by_name[n] for n in CASEKOMMUNER_NAVNE)


def region_kommuner(region: str) -> tuple[int, ...]:
    return tuple(k for k, _, r in _kommune_rows() if r == region)


@lru_cache(maxsize=1)
def befolkning_folk1a() -> "pd.DataFrame":
    """Real FOLK1A population, 98 kommuner x 2018K1-2020K3 (first day of the quarter)."""
    import pandas as pd

    return pd.read_csv(REFERENCE_DIR / "befolkning.csv", dtype={"kommunekode": "int64", "befolkning": "int64"})


@lru_cache(maxsize=1)
def geojson() -> dict:
    """DAGI kommune boundaries (WGS84), one MultiPolygon per kommune."""
    with open(REFERENCE_DIR / "kommuner.geojson", encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def dream_ydelseskoder() -> "pd.DataFrame":
    import pandas as pd

    return pd.read_csv(REFERENCE_DIR / "dream_ydelseskoder.csv", dtype={"kode": "int64"})


@lru_cache(maxsize=1)
def hfaudd_niveau() -> "pd.DataFrame":
    import pandas as pd

    return pd.read_csv(REFERENCE_DIR / "hfaudd_niveau.csv", dtype={"hfaudd_kode": "int64", "niveau_kode": "string"})
