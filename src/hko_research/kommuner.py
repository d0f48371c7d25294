"""Kommune facts: the 98 kommuner, their regions, the casekommuner and the size and rammevilkår bands.

Real public reference data shipped with the package (see reference/PROVENANCE.md): kommuner (DST
codes, names, regions), FOLK1A population 2018K1-2020K3, DAGI boundaries, DREAM and HFAUDD code
lists, and the 20 casekommuner of report section 1.4. The bands are the report's definitions,
used by every analysis that groups kommuner.
"""
from __future__ import annotations

import csv
import json
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

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


def kommune_tabel() -> "pd.DataFrame":
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


# ------------------------------------------------------------------------------------------
# kommune bands

KOMMUNESTOERRELSE_GRAENSER = (40_000, 80_000)


def kommunestoerrelse(befolkning):
    """'lille' (< 40.000), 'mellem' (40.000-79.999), 'stor' (>= 80.000 inhabitants).

    Report l.767: «Kommunestørrelse er defineret med afsæt i indbyggertallet i sidste kvartal i
    2018» (i.e. (Y-1)K4, def. 19); bands from the Figur 41/42 notes, l.2235: «Lille: <40.000
    indbyggere, Mellem: >39.999<80.000 indbyggere & Stor: >79.999 indbyggere». Section 9.2 (l.2521,
    «Stor = Over 80.000 ... Lille = Under 39.999») leaves 39.999 and 80.000 in no band; we follow
    the figure notes, which cover every size.
    """
    import pandas as pd

    lo, hi = KOMMUNESTOERRELSE_GRAENSER
    scalar = np.ndim(befolkning) == 0
    b = pd.to_numeric(pd.Series([befolkning] if scalar else befolkning), errors="coerce").astype(float)
    out = pd.Series(np.select([b < lo, b >= hi, b.notna()], ["lille", "stor", "mellem"], default=""),
                    index=b.index, dtype=object).replace("", None)
    return out.iloc[0] if scalar else out


# Footnote 30 (l.1353) and the Figur 39/40 notes (l.2211): 1-32 / 33-66 / 67-98.
RAMMEVILKAAR_BAANDS = (("vanskelige", 1, 32), ("mellem", 33, 66), ("gode", 67, 98))
# Chapter 4's own split (l.769, repeated in 9.2 l.2514): «1) Mindst favorable rammevilkår = nr. 1-33,
# 2) Mellem favorable rammevilkår = nr. 34-66, og 3) Mest favorable rammevilkår = nr. 67-98».
RAMMEVILKAAR_BAANDS_KAP4 = (("mindst_favorable", 1, 33), ("mellem", 34, 66), ("mest_favorable", 67, 98))


def rammevilkaar_band(rang, baands=RAMMEVILKAAR_BAANDS):
    """VIVE rammevilkår rank (1 = least favourable) -> 'vanskelige' (1-32, "bund-32"), 'mellem'
    (33-66), 'gode' (67-98, "top-32").

    Report fn. 30 (l.1353): «Top-32 dækker over de 32 kommuner med de bedste rammevilkår. Bund-32
    dækker over de 32 kommuner med de dårligste rammevilkår. De resterende 34 kommuner placeres i
    "mellem kategori"»; Figur 39/40 notes (l.2211): «Kommuner med vanskelige rammevilkår: 1-32,
    Mellem: 33-66 og Gode rammevilkår 67-98». Chosen because it is the split chapter 5 uses (l.1285
    «de 32 kommuner med bedst rammevilkår»). Sections 4.1/9.2 (l.769, l.2514) say 1-33/34-66/67-98;
    that is a documented conflict (report_targets_notes.md 1a.20). Ranks outside 1-98 -> missing.
    ``baands`` = :data:`RAMMEVILKAAR_BAANDS_KAP4` gives chapter 4's split (delanalyse 2).
    """
    import pandas as pd

    scalar = np.ndim(rang) == 0
    r = pd.to_numeric(pd.Series([rang] if scalar else rang), errors="coerce").astype(float)
    conds = [(r >= lo) & (r <= hi) for _, lo, hi in baands]
    out = pd.Series(np.select(conds, [b for b, _, _ in baands], default=""),
                    index=r.index, dtype=object).replace("", None)
    return out.iloc[0] if scalar else out


def kommune_navn(kode: int) -> str:
    """DST name of a kommunekode (the code itself as text when unknown)."""
    return kommune_navne().get(int(kode), str(kode))
