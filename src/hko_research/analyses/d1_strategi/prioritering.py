"""Report section 3.2, den ledelsesmæssige prioritering: Tabel 3 (the strategy typology with its
criteria), the 2019 national survey as a cited reference value, and Tabel 4 (opmærksomhedspunkter).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from ...vocabulary import STRATEGITYPER
from . import measures as m
from .load import D1

REFERENCES = Path(__file__).with_name("referencer.yaml")
TABEL3_GRENE = {"proaktiv": "tabel3_proaktiv", "reaktiv": "tabel3_reaktiv", "diffus": "tabel3_diffus"}


def references() -> dict:
    return yaml.safe_load(REFERENCES.read_text(encoding="utf-8"))


def tabel_3_fordeling(B: D1) -> pd.DataFrame:
    """Kommuner per strategy type (3.2.1-3.2.3: "x ud af 20 casekommuner placerer sig i denne
    typologi"), per level."""
    rows = []
    for niveau, f in B.levels():
        n = len(f)
        for st in STRATEGITYPER:
            k = m.kommuner_med_vaerdi(f, "strategi", st)
            rows.append({"niveau": niveau, "strategi": st, "kommuner": k, "kommuner_i_alt": n,
                         "andel": m.andel_kommuner(k, n)})
    return pd.DataFrame(rows)


def kriterie_matrix(B: D1, type_col: str, types: tuple[str, ...], grene: dict[str, str]) -> pd.DataFrame:
    """Type x criterion: for every criterion of the typology (the codebook's branches ``grene``),
    how many kommuner of each coded type show it. Columns ``kommuner_<type>`` and the kommuner of
    each type in the level (``kommuner_i_alt_<type>``)."""
    rows = []
    for niveau, f in B.levels():
        totals = {t: int((f[type_col] == t).sum()) for t in types}
        for typologi, gren in grene.items():
            for kode in B.book.children(gren):
                row = {"niveau": niveau, "typologi": typologi, "kode": kode, "kriterium": B.book.label(kode)}
                for t in types:
                    row[f"kommuner_{t}"] = m.kommuner_med(f.loc[f[type_col] == t], kode)
                row["kommuner_alle"] = m.kommuner_med(f, kode)
                rows.append(row)
        # the base of each column, as the last row of the level
        rows.append({"niveau": niveau, "typologi": "i_alt", "kode": "", "kriterium": "Kommuner med typologien",
                     **{f"kommuner_{t}": totals[t] for t in types}, "kommuner_alle": len(f)})
    return pd.DataFrame(rows)


def tabel_3_kriterier(B: D1) -> pd.DataFrame:
    """Tabel 3 as a matrix: the criteria of the three strategy types (rows) by the kommuner's coded
    strategy type (columns), with counts of kommuner."""
    return kriterie_matrix(B, "strategi", STRATEGITYPER, TABEL3_GRENE)


def tabel_3_survey(B: D1) -> pd.DataFrame:
    """The selected casekommuner's share with a proactive strategy (computed) next to the 2019
    national jobcentre survey's "about a third have formulated a strategy" (cited, not computed)."""
    ref = references()["survey_2019"]
    rows = []
    for niveau, f in B.levels():
        k = m.kommuner_med_vaerdi(f, "strategi", "proaktiv")
        rows.append({"maal": f"Casekommuner med en proaktiv strategi ({niveau.lower()})", "vaerdi": m.andel_kommuner(k, len(f)),
                     "enhed": "andel af casekommunerne", "grundlag": f"{k} af {len(f)} casekommuner",
                     "kilde": "Kodningen af casekommunerne (Tabel 3)", "type": "beregnet"})
    rows.append({"maal": ref["maal"], "vaerdi": float(ref["vaerdi"]), "enhed": ref["enhed"], "grundlag": ref["udsagn"],
                 "kilde": " ".join(ref["kilde"].split()), "type": "citeret referenceværdi (ikke beregnet)"})
    return pd.DataFrame(rows)


def gren_tabel(B: D1, gren: str, label: str) -> pd.DataFrame:
    """Kommuner pointing to each code of a codebook branch (Tabel 4, Tabel 5), per level."""
    rows = []
    for niveau, f in B.levels():
        n = len(f)
        for kode in B.book.children(gren):
            k = m.kommuner_med(f, kode)
            rows.append({"niveau": niveau, "kode": kode, label: B.book.label(kode), "kommuner": k,
                         "kommuner_i_alt": n, "andel": m.andel_kommuner(k, n)})
    return pd.DataFrame(rows)


def tabel_4(B: D1) -> pd.DataFrame:
    """Tabel 4: the six opmærksomhedspunkter, "Omfang i casekommunerne" (l.511-519)."""
    return gren_tabel(B, "tabel4", "opmaerksomhedspunkt")
