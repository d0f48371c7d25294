"""Delanalyse 1's measures, each defined once. Every measure counts casekommuner in a coded frame
(``load.D1.wide``: one row per kommune, the responsible coder's coding); the report states its
results as "x ud af 20 casekommuner" (chapter 3). Counts of kommuner are not person counts and are
published as ``kommuner*`` (publishing.columns).
"""
from __future__ import annotations

import pandas as pd

from ...stats import share

# l.676: "placeret fysisk tæt på hinanden – dvs. enten på samme kontor, gang eller matrikel"
FYSISK_TAET = ("samme_kontor", "samme_gang", "samme_matrikel")


def kommuner_med(frame: pd.DataFrame, kode: str) -> int:
    """Kommuner coded with the presence code ``kode`` (report: "x ud af 20 casekommuner peger på")."""
    return int(frame[kode].astype(bool).sum()) if kode in frame.columns else 0


def kommuner_med_vaerdi(frame: pd.DataFrame, kode: str, vaerdi: str | tuple[str, ...]) -> int:
    """Kommuner whose categorical code ``kode`` has ``vaerdi`` (or one of several values)."""
    values = (vaerdi,) if isinstance(vaerdi, str) else tuple(vaerdi)
    return int(frame[kode].isin(values).sum()) if kode in frame.columns else 0


def andel_kommuner(antal: int, i_alt: int) -> float:
    """Share of the kommuner in the level (NaN for none)."""
    return share(antal, i_alt)


def en_noegleperson(frame: pd.DataFrame) -> int:
    """Kommuner with exactly one key person administering HKO (l.672: "I 5 ud af 20 casekommuner er
    der én nøgleperson"); unofficial key persons are counted (l.670)."""
    return int((pd.to_numeric(frame["antal_noeglepersoner"], errors="coerce") == 1).sum())


def noeglepersoner_interval(frame: pd.DataFrame) -> tuple[float, float]:
    """Fewest and most key persons in a kommune (l.670: "et interval fra 1-7 nøglepersoner pr.
    kommune", unofficial key persons included)."""
    n = pd.to_numeric(frame["antal_noeglepersoner"], errors="coerce").dropna()
    return (float(n.min()), float(n.max())) if len(n) else (float("nan"), float("nan"))


def andel_organisering_i_strategi(frame: pd.DataFrame, strategier: tuple[str, ...], organisering: str) -> tuple[int, int, float]:
    """(kommuner with ``organisering`` among those with one of ``strategier``, kommuner with those
    strategies, share). Report l.698: "De jobcentre, der er kendetegnet ved en proaktiv strategi
    ..., har fortrinsvis (88 pct.) valgt at organisere nøglepersonsordningen som et specialiseret
    team. Denne organiseringsform gør sig gældende for 67 pct. af de jobcentre, der hovedsageligt
    har et enten reaktivt eller diffust strategisk fokus.\""""
    in_group = frame["strategi"].isin(strategier)
    n = int(in_group.sum())
    k = int((in_group & (frame["organisering"] == organisering)).sum())
    return k, n, share(k, n)
