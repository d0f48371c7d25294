"""Register code lists: DREAM benefit codes, HFAUDD, DB07, VIRKFORM, ICD-10 and impairment codes.

The lists are parameters a user may edit (``params/mappings/``) or real public code lists
(``reference/``); every analysis that reads register codes maps them here, so a code means the
same thing everywhere. Unknown DREAM codes raise (never guessed); other unknown codes become
missing or 'uoplyst' as each function says.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .inputs.readers import read_mapping
from .paths import MAPPINGS_DIR

__all__ = ["ydelsesgruppe_ved_bevilling", "uddannelsesgruppe", "branchegruppe", "sektor",
           "funktionsnedsaettelse_kategori", "icd10_funktionsnedsaettelse"]


def ydelsesgruppe_ved_bevilling(ydelseskode: pd.Series) -> pd.DataFrame:
    """Ydelsesgruppe, perspektiv and jobindsats_gruppe of the DREAM code in the grant week.

    Def. 9: DREAM ``y_yyww`` in the ISO week of the grant's start -> ``params/mappings/
    ydelsesgrupper.csv``; an empty week = selvforsørget (report 5.3.2, l.1332 «selvforsørgede»).
    The codes are read with :func:`hko_research.inputs.registers.dream_at_dates`; unknown codes raise
    (never guessed).
    """
    from .inputs.registers import map_ydelsesgruppe

    return map_ydelsesgruppe(pd.Series(ydelseskode))


@lru_cache(maxsize=None)
def _mapping(name: str) -> pd.DataFrame:
    return read_mapping(MAPPINGS_DIR / name)


def uddannelsesgruppe(hfaudd) -> pd.Series:
    """HFAUDD -> DISCED level (``reference/hfaudd_niveau.csv``) -> group (``uddannelsesniveau.csv``):
    grundskole, gymnasial_erhvervsfaglig, kort/mellemlang/lang_videregaaende, uoplyst. Missing or
    unknown codes -> 'uoplyst' (kept in the denominator, def. 6)."""
    from .kommuner import hfaudd_niveau

    niv = hfaudd_niveau().set_index("hfaudd_kode")["niveau_kode"].astype(str)
    grp = _mapping("uddannelsesniveau.csv").set_index("niveau_kode")["uddannelsesgruppe"]
    codes = pd.to_numeric(pd.Series(hfaudd), errors="coerce").astype("Int64")
    out = codes.map(niv).map(grp)
    return out.fillna("uoplyst").astype("string")


def branchegruppe(branche) -> pd.Series:
    """DB07 6-digit code -> branchegruppe via its first two digits (``branche_db07.csv``); NA when
    missing or outside the table (def. 8)."""
    m = _mapping("branche_db07.csv")
    two = pd.to_numeric(pd.Series(branche, dtype="string").str.strip().str.zfill(6).str[:2], errors="coerce")
    out = pd.Series(pd.NA, index=two.index, dtype="string")
    for row in m.itertuples(index=False):
        out[(two >= int(row.fra)) & (two <= int(row.til))] = row.branchegruppe
    return out


def sektor(virkform) -> pd.Series:
    """DREAM VIRKFORM code -> 'offentlig' / 'privat' (``sektor_virkform.csv``); NA when missing."""
    m = _mapping("sektor_virkform.csv").set_index("kode")["sektor"]
    return pd.Series(virkform, dtype="string").str.strip().map(m).astype("string")


def funktionsnedsaettelse_kategori(kode) -> pd.Series:
    """Impairment code (case review) -> kategori fysisk/psykisk/sensorisk/intellektuel/andet
    (``funktionsnedsaettelser.csv``, report fn. 33 l.1418)."""
    m = _mapping("funktionsnedsaettelser.csv").set_index("kode")["kategori"]
    return pd.Series(kode, dtype="string").map(m).astype("string")


def icd10_funktionsnedsaettelse(c_diag) -> pd.Series:
    """LPR diagnosis (``DM545`` or ``M545``) -> impairment code, longest matching prefix of
    ``icd10_funktionsnedsaettelse.csv`` wins (F603 borderline before F60 personlighedsforstyrrelse);
    no match -> NA (def. 26)."""
    m = _mapping("icd10_funktionsnedsaettelse.csv")
    prefixes = sorted(zip(m["icd10_praefiks"], m["funktionsnedsaettelse"]), key=lambda t: -len(t[0]))
    s = pd.Series(c_diag, dtype="string").str.strip().str.upper()
    s = s.where(~s.str.match(r"^D[A-Z]", na=False), s.str[1:])
    out = pd.Series(pd.NA, index=s.index, dtype="string")
    for pre, fn in prefixes:
        hit = out.isna() & s.str.startswith(pre, na=False)
        out[hit] = fn
    return out
