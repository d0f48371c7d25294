"""Delanalyse 4's inputs, read once: the coded interviews (``interview_kodebog``,
``interview_deltagere``, ``interview_kodning``; a REFI-QDA export or a filled coding template,
``inputs.coding``). The analysis uses each interview's responsible coder's coding; a theme counts
once per interview however many passages were coded."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...inputs import coding
from ...inputs.contracts import read_input
from ...vocabulary import ORDNINGER


@dataclass
class D4(coding.CodedCases):
    """``wide``: one row per interview (sag) with its attributes and one True/False column per
    codable theme."""


def wide_coding(kodebog: pd.DataFrame, sager: pd.DataFrame, kodning: pd.DataFrame) -> pd.DataFrame:
    book = coding.Codebook(kodebog)
    vals = coding.case_values(coding.analysis_coding(kodning, sager), kodebog)
    out = sager.copy()
    coded = set(zip(vals["sag"], vals["kode"]))
    for kode in book.codable():
        out[kode] = [(s, kode) in coded for s in out["sag"]]
    out["kommunekode"] = out["kommunekode"].astype(int)
    for o in ORDNINGER:
        out[f"ordning_{o}"] = out[f"ordning_{o}"].astype(bool)
    return out.sort_values("sag").reset_index(drop=True)


def load(P) -> D4:
    kodebog = read_input(P.data_dir, "interview_kodebog")
    sager = read_input(P.data_dir, "interview_deltagere")
    kodning = read_input(P.data_dir, "interview_kodning")
    return D4(P=P, kodebog=kodebog, sager=sager, kodning=kodning, wide=wide_coding(kodebog, sager, kodning))
