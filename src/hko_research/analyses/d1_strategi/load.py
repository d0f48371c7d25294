"""Delanalyse 1's inputs, read once into the analysis frames.

The coding (``casekommune_kodebog``, ``casekommune_sager``, ``casekommune_kodning``) is read
through its contract (``inputs.coding`` for the template, the ``.qdpx`` export or canonical CSV);
the analysis uses each kommune's responsible coder's coding (``inputs.coding.analysis_coding``),
one value per kommune and code. ``kommunetypologi`` (delanalyse 3's grouping) is read to check that
both say the same about every kommune; ``befolkning`` gives the population the report quotes next
to the number of key persons (l.670).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...inputs import coding
from ...inputs.contracts import read_input
from ...kommuner import kommune_navn

PROJECT = "casekommuner"


@dataclass
class D1(coding.CodedCases):
    """The analysis frames: ``wide`` has one row per casekommune (kommunekode) with its attributes
    and one column per codable code (the category, or True/False for a presence code)."""

    kommunetypologi: pd.DataFrame = None
    befolkning: pd.Series = None

    @property
    def selected(self) -> pd.DataFrame:
        return self.wide.loc[self.wide["kommunekode"].isin(list(self.P.kommuner))]


def wide_coding(kodebog: pd.DataFrame, sager: pd.DataFrame, kodning: pd.DataFrame) -> pd.DataFrame:
    """One row per case: its attributes and its responsible coder's value of every codable code."""
    book = coding.Codebook(kodebog)
    vals = coding.case_values(coding.analysis_coding(kodning, sager), kodebog)
    piv = vals.pivot(index="sag", columns="kode", values="vaerdi") if len(vals) else pd.DataFrame(index=pd.Index([], name="sag"))
    out = sager.set_index("sag").join(piv, how="left").reset_index()
    for kode in book.codable():
        if kode not in out.columns:
            out[kode] = None
        if not book.is_categorical(kode):
            out[kode] = out[kode].eq(coding.PRESENT).fillna(False).astype(bool)
        else:
            out[kode] = out[kode].astype(object).where(out[kode].notna(), None)
    out["kommunekode"] = out["kommunekode"].astype(int)
    out["kommune"] = [kommune_navn(k) for k in out["kommunekode"]]
    return out.sort_values("kommunekode").reset_index(drop=True)


def load(P) -> D1:
    kodebog = read_input(P.data_dir, "casekommune_kodebog")
    sager = read_input(P.data_dir, "casekommune_sager")
    kodning = read_input(P.data_dir, "casekommune_kodning")
    typ = read_input(P.data_dir, "kommunetypologi")
    bef = read_input(P.data_dir, "befolkning", ["kommunekode", "kvartal", "befolkning"])
    quarter = f"{P.year}K4"
    pop = bef.loc[bef["kvartal"] == quarter].set_index("kommunekode")["befolkning"]
    return D1(P=P, kodebog=kodebog, sager=sager, kodning=kodning, wide=wide_coding(kodebog, sager, kodning),
              kommunetypologi=typ, befolkning=pop)
