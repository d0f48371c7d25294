"""Report section 6.1, datakilder og metode: the interviews per group and the participant profile
(l.1762-1769)."""
from __future__ import annotations

import pandas as pd

from ...stats import distribution_rows, share_row
from ...vocabulary import ORDNINGER
from . import measures as m
from .load import D4

SUMS = {"tabel_61b_profil": [["niveau", "egenskab"]]}


def tabel_61_deltagere(B: D4) -> pd.DataFrame:
    """Interviews per group (l.1762: 48 citizens, 24 employers)."""
    rows = []
    for niveau, w in B.levels():
        for g in ("borger", "arbejdsgiver"):
            rows.append({"niveau": niveau, "gruppe": g, "antal": int((w["gruppe"] == g).sum())})
    return pd.DataFrame(rows)


def tabel_61b_profil(B: D4) -> pd.DataFrame:
    """The citizens' profile (l.1765-1769): sector (of those with a workplace), self-employed,
    impairment, gender. Each egenskab is a partition of its base n."""
    rows = []
    for niveau, w in B.levels():
        b = m.borgere(w)
        arb = m.med_arbejdsplads(b)
        rows += distribution_rows(arb["sektor"], ["privat", "offentlig"], niveau=niveau, egenskab="sektor")
        selv = b["selvstaendig"].map(lambda v: None if v is None or pd.isna(v) else ("ja" if v else "nej"))
        rows += distribution_rows(selv, ["ja", "nej"], niveau=niveau, egenskab="selvstaendig")
        rows += distribution_rows(b["funktionsnedsaettelse"], ["fysisk", "psykisk", "intellektuel", "sensorisk", "andet"],
                                  niveau=niveau, egenskab="funktionsnedsaettelse")
        rows += distribution_rows(b["koen"], ["kvinde", "mand"], niveau=niveau, egenskab="koen")
    return pd.DataFrame(rows)


def tabel_61c_ordninger(B: D4) -> pd.DataFrame:
    """Experience with each ordning, per group (l.1764; several per interview, so the shares sum
    past 100 pct.)."""
    rows = []
    for niveau, w in B.levels():
        for g, sub in (("borger", m.borgere(w)), ("arbejdsgiver", m.arbejdsgivere(w))):
            for o in ORDNINGER:
                rows.append(share_row(sub[f"ordning_{o}"].astype(bool), niveau=niveau, gruppe=g, ordning=o))
    return pd.DataFrame(rows)


def tabel_61d_alder(B: D4) -> pd.DataFrame:
    """The citizens' mean age (l.1768)."""
    rows = []
    for niveau, w in B.levels():
        n, mean = m.gennemsnitsalder(w)
        rows.append({"niveau": niveau, "n": n, "gennemsnit_alder": mean})
    return pd.DataFrame(rows)
