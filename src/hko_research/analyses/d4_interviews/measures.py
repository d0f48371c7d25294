"""Delanalyse 4's measures, each defined once: the interview shares of chapter 6, each with its
base (the interviews it is a share of, as the report states it). A share is ``antal / n`` with
both published (``stats.share_row``), so disclosure control masks it with its counts.

Bases (report lines):

* the citizens (48, l.1762) for the participant profile of 6.1 (l.1764-1769), except the sector;
* the citizens with a workplace for the sector (l.1765: "ansat i offentlig regi"): the job seekers
  who used fortrinsadgang only have none (definitions.md, def. 4);
* the citizens with PA and/or HM for the self-employed (l.1825: "af de interviewede borgere ...,
  der har modtaget personlig assistance og/eller hjælpemidler");
* the self-employed for the farmers among them (l.1827: "En tredjedel af de selvstændige");
* the employers (24, l.1762) for 6.2.3 and 6.4 (l.1849, 1851, 1955, 1957, 1970);
* the interviewees with isbryder experience (citizens and employers) for 6.2.4 (l.1875);
* the citizens who used fortrinsadgang for 6.2.5 (l.1883, l.1889);
* all citizens for 6.3.1 (l.1917).
"""
from __future__ import annotations

import pandas as pd

from ...stats import share


def borgere(w: pd.DataFrame) -> pd.DataFrame:
    return w.loc[w["gruppe"] == "borger"]


def arbejdsgivere(w: pd.DataFrame) -> pd.DataFrame:
    return w.loc[w["gruppe"] == "arbejdsgiver"]


def med_ordning(w: pd.DataFrame, *ordninger: str) -> pd.DataFrame:
    """Interviews with experience of any of ``ordninger`` (several per interview, l.1764)."""
    m = pd.Series(False, index=w.index)
    for o in ordninger:
        m |= w[f"ordning_{o}"].astype(bool)
    return w.loc[m]


def med_arbejdsplads(w: pd.DataFrame) -> pd.DataFrame:
    """Citizens with a workplace (a coded sector); the sector base (l.1765)."""
    return w.loc[w["sektor"].notna()]


def selvstaendige(w: pd.DataFrame) -> pd.DataFrame:
    return w.loc[w["selvstaendig"].fillna(False).astype(bool)]


# Named bases: id -> (Danish description, function of the level's interviews)
GRUNDLAG = {
    "borgere": ("Interviewede borgere", borgere),
    "arbejdsgivere": ("Interviewede arbejdsgivere", arbejdsgivere),
    "borgere_arbejdsplads": ("Borgere med en arbejdsplads", lambda w: med_arbejdsplads(borgere(w))),
    "borgere_pa_hm": ("Borgere med personlig assistance og/eller hjælpemidler", lambda w: med_ordning(borgere(w), "pa", "hm")),
    "selvstaendige": ("Selvstændige blandt borgerne med personlig assistance og/eller hjælpemidler",
                      lambda w: selvstaendige(med_ordning(borgere(w), "pa", "hm"))),
    "borgere_fa": ("Borgere, der har brugt fortrinsadgang", lambda w: med_ordning(borgere(w), "fa")),
    "isbryder": ("Borgere og arbejdsgivere med erfaring med isbryderordningen", lambda w: med_ordning(w, "is")),
}


def andel(w: pd.DataFrame, grundlag: str, mask_fn) -> tuple[int, int, float]:
    """(antal, n, andel) of the base ``grundlag`` in ``w`` meeting ``mask_fn``."""
    base = GRUNDLAG[grundlag][1](w)
    k = int(mask_fn(base).sum())
    return k, len(base), share(k, len(base))


def tema(kode: str):
    """The interviews coded with theme ``kode`` (a theme counts once per interview)."""
    return lambda b: b[kode].astype(bool)


def attribut(col: str, value):
    return lambda b: b[col].astype(object).eq(value)


def gennemsnitsalder(w: pd.DataFrame) -> tuple[int, float]:
    """(n, mean age) of the citizens with an age (l.1768: "Gennemsnitsalderen i borgergruppen er 46 år")."""
    a = pd.to_numeric(borgere(w)["alder"], errors="coerce").dropna()
    return len(a), float(a.mean()) if len(a) else float("nan")
