"""Report sections 6.3 (jobcenterets viden og rådgivning) and 6.4 (ansættelsesvillighed): every
coded theme of the section's codebook branch, per group, and the section's statements."""
from __future__ import annotations

import pandas as pd

from ...stats import share_row
from . import measures as m
from .gevinster import udsagn
from .load import D4


def tema_tabel(B: D4, gren: str) -> pd.DataFrame:
    """Interviews coded with each theme of ``gren``, citizens and employers (of all in the group).
    A theme nobody in a group was coded with (in any kommune) is left out for that group: a
    citizens' theme is not an employers' zero."""
    rows = []
    groups = {"borger": m.borgere(B.wide), "arbejdsgiver": m.arbejdsgivere(B.wide)}
    for niveau, w in B.levels():
        for g, sub in (("borger", m.borgere(w)), ("arbejdsgiver", m.arbejdsgivere(w))):
            for kode in B.book.children(gren):
                if not groups[g][kode].any():
                    continue
                rows.append(share_row(sub[kode].astype(bool), niveau=niveau, gruppe=g, kode=kode,
                                      tema=B.book.label(kode)))
    return pd.DataFrame(rows)


def tabel_63(B: D4) -> pd.DataFrame:
    return tema_tabel(B, "jobcenter")


def tabel_64(B: D4) -> pd.DataFrame:
    return tema_tabel(B, "ansaettelsesvillighed")


def tabel_63_udsagn(B: D4) -> pd.DataFrame:
    return udsagn(B, "6.3")


def tabel_64_udsagn(B: D4) -> pd.DataFrame:
    return udsagn(B, "6.4")
