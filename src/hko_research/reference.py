"""Real public reference data shipped with the package (see reference/PROVENANCE.md).

kommuner (DST codes, names, regions), FOLK1A population 2018K1-2020K3, DAGI boundaries, and the
20 casekommuner of report section 1.4.
"""
from __future__ import annotations

import json
from functools import lru_cache

import pandas as pd

from .paths import REFERENCE_DIR

REGIONS = ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")

# Report section 1.4 (l.189-200), in the report's order. DST short names.
CASEKOMMUNER_NAVNE = (
    "Thisted", "Silkeborg", "Vesthimmerlands", "Vejen", "Ringkøbing-Skjern", "Esbjerg", "Favrskov",
    "Vejle", "Brønderslev", "Jammerbugt", "Hedensted", "Holbæk", "Høje-Taastrup", "Frederiksberg",
    "Svendborg", "Bornholm", "Hillerød", "Faxe", "Lejre", "Stevns",
)


@lru_cache(maxsize=1)
def kommuner() -> pd.DataFrame:
    """The 98 kommuner: kommunekode (int), kommune (DST name), region."""
    df = pd.read_csv(REFERENCE_DIR / "kommuner.csv", dtype={"kommunekode": "int64"})
    return df


def kommunekoder() -> tuple[int, ...]:
    return tuple(int(k) for k in kommuner()["kommunekode"])


def kommune_navne() -> dict[int, str]:
    df = kommuner()
    return dict(zip(df["kommunekode"].astype(int), df["kommune"]))


@lru_cache(maxsize=1)
def casekommuner() -> tuple[int, ...]:
    """Kommunekoder of the report's 20 casekommuner (section 1.4)."""
    by_name = {v: k for k, v in kommune_navne().items()}
    missing = [n for n in CASEKOMMUNER_NAVNE if n not in by_name]
    if missing:  # pragma: no cover - guards the reference file
        raise RuntimeError(f"casekommuner not in kommuner.csv: {missing}")
    return tuple(by_name[n] for n in CASEKOMMUNER_NAVNE)


def region_kommuner(region: str) -> tuple[int, ...]:
    df = kommuner()
    return tuple(int(k) for k in df.loc[df["region"] == region, "kommunekode"])


@lru_cache(maxsize=1)
def befolkning_folk1a() -> pd.DataFrame:
    """Real FOLK1A population, 98 kommuner x 2018K1-2020K3 (first day of the quarter)."""
    return pd.read_csv(REFERENCE_DIR / "befolkning.csv", dtype={"kommunekode": "int64", "befolkning": "int64"})


@lru_cache(maxsize=1)
def geojson() -> dict:
    """DAGI kommune boundaries (WGS84), one MultiPolygon per kommune."""
    with open(REFERENCE_DIR / "kommuner.geojson", encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def dream_ydelseskoder() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "dream_ydelseskoder.csv", dtype={"kode": "int64"})


@lru_cache(maxsize=1)
def hfaudd_niveau() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "hfaudd_niveau.csv", dtype={"hfaudd_kode": "int64", "niveau_kode": "string"})
