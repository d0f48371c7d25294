"""The per-kommune counts behind the indicators, one builder per source, each called once per run.

A builder takes the run's :class:`Grundlag` and a year and returns one row per kommune (all 98,
index ``kommunekode``) with the columns the metadata table names: counts ``antal_*`` / ``n_*``
(persons or grants, published through disclosure control) and public figures (``befolkning``,
``fuldtidspersoner_*``, ``udgift_*``). The builders reuse the owning analysis's per-kommune
functions and measure flags and recompute nothing in another way:

* :func:`anvendelse`, :func:`udgifter`: delanalyse 3's ``anvendelsesgrad_kommuner`` and
  ``udgifter_kommuner`` as they are;
* :func:`rekruttering`: delanalyse 3's per-grant flag ``rekruttering`` (``measures.er_rekruttering``,
  set by ``d3_brug.load``) counted per kommune over the period's grants, as ``ydelsesforhold``
  counts it for a level;
* :func:`fuldtid`: Figur 22-23's recipients (``figur_22_23``: HM persons granted in Y at their first
  HM grant in Y, PA persons with a grant active in Y at their first active week) on a jobindsats
  group, counted per kommune, next to those groups' fuldtidspersoner;
* :func:`udfald`: delanalyse 5's own per-kommune outcome counts (``kommuneramme.udfald_kommuner``),
  when delanalyse 5 is part of the package (else :class:`IkkeTilgaengelig`).

``tests/profiler`` checks each builder against the owning analysis's own table for single kommuner.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...kommuner import kommunekoder

ORDNINGER = ("pa", "hm")


class IkkeTilgaengelig(RuntimeError):
    """The analysis that owns an indicator is not part of this version of the package."""


@dataclass
class Grundlag:
    """What the builders read: delanalyse 3's frames (``d3_brug.load``) and the run's parameters
    (a validated RunParams; delanalyse 5 builds its frames from them)."""

    brug: object  # d3_brug.load.BrugData
    params: object  # params.RunParams

    @property
    def year(self) -> int:
        return int(self.brug.year)

    @property
    def data_dir(self) -> Path:
        return Path(self.params.data_dir)


def _all(df: pd.DataFrame) -> pd.DataFrame:
    """Every kommune once (a kommune without rows has zero counts)."""
    return df.reindex(pd.Index(sorted(kommunekoder()), name="kommunekode"))


def anvendelse(G: Grundlag, year: int) -> pd.DataFrame:
    """Grants of PA and HM starting in ``year`` and the population in ``year``K4 (d3's
    ``anvendelsesgrad_kommuner``)."""
    from ..d3_brug import tables as d3

    k = d3.anvendelsesgrad_kommuner(G.brug, year=year).set_index("kommunekode")
    return _all(k[["antal_pa", "antal_hm", "befolkning"]])


def udgifter(G: Grundlag, year: int) -> pd.DataFrame:
    """Gross expenditure per ordning in the run's year and its grants (d3's ``udgifter_kommuner``)."""
    from ..d3_brug import tables as d3

    u = d3.udgifter_kommuner(G.brug).set_index("kommunekode")
    return _all(u[["antal_pa", "antal_hm", "udgift_pa", "udgift_hm", "udgift_pa_hm", "befolkning"]])


def rekruttering(G: Grundlag, year: int) -> pd.DataFrame:
    """Per kommune and ordning: the period's grants with a known perspektiv (``n_rekruttering_*``)
    and those with perspektiv rekruttering (``antal_rekruttering_*``): the flag
    ``measures.er_rekruttering`` that ``d3_brug.load`` stores on every grant."""
    g = G.brug.pgrants
    out = {}
    for o in ORDNINGER:
        flag = g.loc[g["ordning"] == o, ["kommunekode", "rekruttering"]]
        known = flag["rekruttering"].notna()
        out[f"antal_rekruttering_{o}"] = flag.loc[known].groupby("kommunekode")["rekruttering"].sum()
        out[f"n_rekruttering_{o}"] = known.groupby(flag["kommunekode"]).sum()
    return _all(pd.DataFrame(out)).fillna(0).astype(int)


def fuldtid(G: Grundlag, year: int) -> pd.DataFrame:
    """Per kommune: Figur 22's HM recipients and Figur 23's PA recipients who were on one of
    jobindsats.dk's ydelsesgrupper (``antal_fuldtid_<o>``), and the fuldtidspersoner of those
    groups in Y (``fuldtidspersoner``). Per group these are ``figur_22_23``'s rows; summed over the
    groups here, because per group most kommuner's counts are below ``min_cell_size``."""
    b, Y = G.brug, int(year)
    hm = (b.pgrants.loc[(b.pgrants["ordning"] == "hm") & (b.pgrants["aar"] == Y)]
          .sort_values(["pnr", "start", "grant_id"]).drop_duplicates("pnr"))
    pa = b.pa_active.sort_values(["pnr", "dato", "grant_id"]).drop_duplicates("pnr")
    ft = b.fuldtid.loc[b.fuldtid["aar"] == Y]
    groups = set(ft["ydelsesgruppe"])
    out = {}
    for o, frame in (("hm", hm), ("pa", pa)):
        out[f"antal_fuldtid_{o}"] = frame.loc[frame["jobindsats_gruppe"].isin(groups)].groupby("kommunekode").size()
    counts = _all(pd.DataFrame(out)).fillna(0).astype(int)
    counts["fuldtidspersoner"] = ft.groupby("kommunekode")["fuldtidspersoner"].sum().reindex(counts.index)
    return counts


def udfald(G: Grundlag, year: int) -> pd.DataFrame:
    """Per kommune and ordning: delanalyse 5's own per-kommune outcome counts
    (``d5_tvaergaaende.kommuneramme.udfald_kommuner``: the fastholdelse population
    ``n_fastholdelse_*`` and the fastholdt ``antal_fastholdelse_*``; the øgede-løntimer population
    for the ordning ``n_oeget_*`` and those with more hours ``antal_oeget_*``), on delanalyse 5's
    frames built from this run's delanalyse 3 frames (``load.from_parts``; delanalyse 1's coding and
    2's survey are not needed for the outcomes)."""
    try:
        from ..d5_tvaergaaende import kommuneramme as d5_kommuner
        from ..d5_tvaergaaende import load as d5_load
    except ImportError as exc:
        raise IkkeTilgaengelig(f"delanalyse 5 (d5_tvaergaaende) kan ikke indlæses: {exc}") from exc
    T = d5_load.from_parts(G.params, G.brug, None, None)
    u = d5_kommuner.udfald_kommuner(T)
    out = {}
    for o in ORDNINGER:
        s = u.loc[u["ordning"] == o].set_index("kommunekode")
        for c in ("antal_fastholdelse", "n_fastholdelse", "antal_oeget", "n_oeget"):
            out[f"{c}_{o}"] = s[c]
    return _all(pd.DataFrame(out)).fillna(0).astype(int)
