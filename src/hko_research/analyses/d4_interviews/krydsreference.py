"""The crosswalk from chapter 6's coded themes to the three recommendations of the 2024 user study
(Videnscenter om handicap, DHF and SUMH: behovsstyret indsats; styrket samarbejde med
arbejdsgivere; nye jobmuligheder og jobmobilitet). The recommendations are a codebook branch
(``anbefalinger_2024``) whose codes ``omfatter`` the themes that bear on them; the table counts the
interviews coded with each theme."""
from __future__ import annotations

import pandas as pd

from ...inputs.coding import split
from . import measures as m
from .load import D4

GREN = "anbefalinger_2024"
SUMS = {"tabel_65_anbefalinger_2024": [{"parts": ["antal_borgere", "antal_arbejdsgivere"], "total": "antal"}]}


def tabel_65(B: D4) -> pd.DataFrame:
    rows = []
    for niveau, w in B.levels():
        b, a = m.borgere(w), m.arbejdsgivere(w)
        for anb in B.book.children(GREN):
            temaer = [t for t in split(B.book.row(anb)["omfatter"]) if t in w.columns]
            for t in temaer:
                rows.append({"niveau": niveau, "anbefaling": anb, "anbefaling_tekst": B.book.label(anb), "kode": t,
                             "tema": B.book.label(t), "antal_borgere": int(b[t].sum()),
                             "antal_arbejdsgivere": int(a[t].sum()), "antal": int(w[t].sum()), "n": len(w)})
            if temaer:
                anyof = w[temaer].any(axis=1)
                rows.append({"niveau": niveau, "anbefaling": anb, "anbefaling_tekst": B.book.label(anb), "kode": "i_alt",
                             "tema": "Interview med mindst ét af temaerne",
                             "antal_borgere": int(anyof[b.index].sum()), "antal_arbejdsgivere": int(anyof[a.index].sum()),
                             "antal": int(anyof.sum()), "n": len(w)})
    return pd.DataFrame(rows)
