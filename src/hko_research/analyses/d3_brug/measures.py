"""Delanalyse 3 measures, each defined once.

Every function quotes the report's own definition (Marselisborg for STAR 2021, line numbers in
``seeds/003_...txt`` / ``reference/report_targets_notes.md`` section 2) and implements the binding
operational definition in ``definitions.md`` (this folder) (row numbers given as "def. #"). Functions
work on plain pandas objects (Series / DataFrames), so they are tested on small hand-made frames;
the data preparation that feeds them lives in :mod:`hko_research.analyses.d3_brug.tables`.

Shares are fractions (0.42 = 42 pct.). A share with an empty denominator is NaN, never 0.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ...stats import share

__all__ = [
    "ANVENDELSESGRAD_GRAENSER", "HOEJERE_UDGIFTER_GRAENSE", "REKRUTTERINGSGRAD_DEFINITIONER", "OVER_4_UGER_DAGE",
    "anvendelsesgrad", "anvendelsesgrad_band",
    "fastholdelsesgrad", "rekrutteringsgrad", "er_rekruttering", "er_beskaeftiget",
    "andel_af_fuldtidspersoner",
    "enhedspris", "enhedspris_national",
    "udgiftsandel_minus_befolkningsandel",
    "sagsbehandlingstid_uger", "over_4_uger", "andel_over_4_uger",
    "alder", "varighed_uger", "intervals_overlap",
    "SIGNIFIKANSNIVEAU", "signifikant", "IKKE_SPECIFIKKE_FUNKTIONSNEDSAETTELSER", "top_funktionsnedsaettelser",
]


# ------------------------------------------------------------------------------------------
# anvendelsesgrad

# Tabel 12 note (l.1271): "Lav: under 0,2 pct. af befolkningen, Mellem: 0,2-0,5 pct. af
# befolkningen, høj: over 0,5 pct. befolkningen".
ANVENDELSESGRAD_GRAENSER = (0.002, 0.005)


def anvendelsesgrad(bevillinger, befolkning):
    """Anvendelsesgrad = grants in the kommune / inhabitants of the kommune (a fraction).

    Report l.1275: «Anvendelsesgraden i kommunerne er defineret som antallet af bevillinger (f.eks.
    personlig assistance og hjælpemidler eller personlig assistance isoleret set) i kommunen
    sammenholdt med antallet af indbyggere i kommunen.» (also l.772). Def. 15: grants starting in Y
    (PA + HM, or one ordning) / befolkning in YK4 (Tabel 12 note l.1271: «Indbyggertal, 4. kvartal
    2019»). Series are aligned on their index (kommunekode); a kommune with zero or missing
    population gets NaN.
    """
    return share(bevillinger, befolkning)


def anvendelsesgrad_band(rate) -> pd.Series | str | None:
    """'lav' (< 0,2 pct.), 'mellem' (0,2-0,5 pct., both limits included), 'hoej' (> 0,5 pct.).

    Report l.1271: «Kategorisering af anvendelsesgrader: Lav: under 0,2 pct. af befolkningen,
    Mellem: 0,2-0,5 pct. af befolkningen, høj: over 0,5 pct. befolkningen.» The limits 0,2 and 0,5
    pct. themselves belong to 'mellem' ("0,2-0,5"). NaN -> missing.
    """
    lo, hi = ANVENDELSESGRAD_GRAENSER
    scalar = np.ndim(rate) == 0
    r = pd.to_numeric(pd.Series([rate] if scalar else rate), errors="coerce").astype(float)
    out = pd.Series(np.select([r < lo, r > hi, r.notna()], ["lav", "hoej", "mellem"], default=""),
                    index=r.index, dtype=object).replace("", None)
    return out.iloc[0] if scalar else out


# Fn. 28 (l.1291): «Statistisk signifikans er målt som sammenhænge med en p-værdi <0,05.»
SIGNIFIKANSNIVEAU = 0.05


def signifikant(p_value) -> bool:
    """Statistically significant at the report's level: p < 0,05 (strictly; fn. 28, l.1291)."""
    return bool(float(p_value) < SIGNIFIKANSNIVEAU)


# ------------------------------------------------------------------------------------------
# fastholdelse / rekruttering (grant mix)


def fastholdelsesgrad(perspektiv: pd.Series) -> float:
    """Share of grants with perspektiv 'fastholdelse' at grant (missing perspektiv excluded).

    Report l.1340: «Fastholdelsesgraden er defineret som andelen af sager i kommunen, som er
    bevilliget til borger med henblik på fastholdelse (*det vil sige til selvforsørgede, delvis
    sygemeldte og fleksjobbere*).» Def. 10: perspektiv from ``params/mappings/ydelsesgrupper.csv``
    of the ydelsesgruppe at grant (selvforsørget, 899 delvis sygemeldt, fleksjob). l.1332 adds SU;
    the binding definition box (l.1340) does not, so SU counts as 'andet'.
    """
    p = pd.Series(perspektiv, dtype="string")
    return share(int((p == "fastholdelse").sum()), int(p.notna().sum()))


# The five wordings of rekrutteringsgrad (report_targets_notes.md, section 2) as sets of ydelsesgrupper
# (params/mappings/ydelsesgrupper.csv). None = "perspektiv == rekruttering".
_L2140 = frozenset({"kontanthjaelp", "sygedagpenge", "jobafklaring", "ledighedsydelse", "uddannelseshjaelp",
                    "integrationsydelse", "revalidering", "ressourceforloeb"})
_NOT_L2169 = frozenset({"selvforsoerget", "fleksjob", "delvis_sygemeldt"})
REKRUTTERINGSGRAD_DEFINITIONER: Mapping[str, str] = {
    "l1342": "andelen af sager i kommunen bevilliget til borger med henblik på rekruttering (øvrig offentlig ydelse)",
    "l392": "andel bevillinger til borgere på offentlig forsørgelse",
    "l2140": "andelen af bevillinger til borgere på kontanthjælp, sygedagpenge, jobafklaring, ledighedsydelse, "
             "uddannelseshjælp, integrationsydelse, revalidering, ressourceforløb",
    "l2169": "andel HKO bevilliget til ledige ekskl. delvis sygemeldte og fleksjobbere",
    "l2177": "andel bevilligede borgere fra ledighed eksklusiv fleksjob, delvis sygemeldte, selvforsørgede",
}


def er_rekruttering(ydelsesgruppe: pd.Series, perspektiv: pd.Series | None = None, *,
                    definition: str = "l1342") -> pd.Series:
    """Per grant: does it count as 'rekruttering' under ``definition``? (boolean, NA where unknown).

    See :func:`rekrutteringsgrad` for the definitions.
    """
    if definition not in REKRUTTERINGSGRAD_DEFINITIONER:
        raise ValueError(f"unknown rekrutteringsgrad definition {definition!r}; choose one of "
                         f"{', '.join(REKRUTTERINGSGRAD_DEFINITIONER)}")
    g = pd.Series(ydelsesgruppe, dtype="string")
    if definition == "l1342":
        if perspektiv is None:
            raise ValueError("definition 'l1342' needs perspektiv (from ydelsesgrupper.csv)")
        p = pd.Series(perspektiv, dtype="string")
        return (p == "rekruttering").astype("boolean").where(p.notna())
    if definition == "l392":
        out = g != "selvforsoerget"
    elif definition == "l2140":
        out = g.isin(_L2140)
    else:  # l2169, l2177: every public benefit except fleksjob and delvis sygemeldt (and not selvforsørget)
        out = ~g.isin(_NOT_L2169)
    return out.astype("boolean").where(g.notna())


def rekrutteringsgrad(ydelsesgruppe: pd.Series, perspektiv: pd.Series | None = None, *,
                      definition: str = "l1342") -> float:
    """Share of grants given with a recruitment perspective.

    Default ``definition="l1342"`` — report l.1342: «Mens **rekrutteringsgraden** er defineret som
    andelen af sager i kommunen bevilliget til borger med henblik på rekruttering (*det vil sige, til
    borgere som modtager øvrig offentlig ydelse (kontanthjælp, ressourceforløb, sygedagpenge mm.)*).»
    = perspektiv 'rekruttering' in ``ydelsesgrupper.csv`` (def. 11). It is the default because it is
    the report's own definition box for the measure, it is the exact complement of the
    fastholdelsesgrad box next to it (l.1340), and chapter 5's numbers (e.g. PA 19/16/16 pct. by
    strategy, l.1379) are computed with it.

    Alternatives (``definition=``):

    * ``"l392"`` — «andel bevillinger til borgere på offentlig forsørgelse»: every ydelsesgruppe
      except selvforsørget (so fleksjob, delvis sygemeldt, SU count).
    * ``"l2140"`` — «Andelen af bevillinger, der er bevilliget til borgere som modtager ydelse
      (kontanthjælp, sygedagpenge, jobafklaring, ledighedsydelse, uddannelseshjælp,
      integrationsydelse, revalidering, resourceforløb) ved bevillingstidspunkt»: exactly these
      eight groups (a-dagpenge is not listed, so it does not count).
    * ``"l2169"`` — «andel HKO bevilliget til ledige ekskl. delvis sygemeldte og fleksjobbere» and
      ``"l2177"`` — «andel bevilligede borgere fra ledighed eksklusiv fleksjob, delvis sygemeldte,
      selvforsørgerede»: every group except selvforsørget, fleksjob and delvis sygemeldt. The two
      wordings give the same set; l.2177 speaks of persons ("borgere"), so pass one row per person
      to get that variant.

    Rows with unknown ydelsesgruppe (person not in DREAM) are left out of the denominator.
    """
    flag = er_rekruttering(ydelsesgruppe, perspektiv, definition=definition)
    return share(int(flag.fillna(False).sum()), int(flag.notna().sum()))


def er_beskaeftiget(ydelsesgruppe: pd.Series, grad: pd.Series) -> pd.Series:
    """'Beskæftigelse' at grant (5.3.4, l.1479 «kommer fra beskæftigelse»): def. 9 — selvforsørget
    and DREAM ``grad_yyyy_mm`` > 0 in the grant month."""
    g = pd.Series(ydelsesgruppe, dtype="string")
    d = pd.to_numeric(pd.Series(grad, index=g.index), errors="coerce")
    return ((g == "selvforsoerget") & (d.fillna(0) > 0)).astype("boolean").where(g.notna())


# ------------------------------------------------------------------------------------------
# fuldtidspersoner, prices, expenditure shares


def andel_af_fuldtidspersoner(personer, fuldtidspersoner):
    """Recipients per ydelsesgruppe / fuldtidspersoner of that jobindsats group (Figur 22-23).

    Report l.1368: «Antal borgere der fik bevilliget hjælpemiddel i 2019 divideret med antal
    fuldtidspersoner i 2019» and «Antal borgere med en aktiv sag (personlig assistance) divideret
    med antal fuldtidspersoner 2019»; fn. 31 (l.1356): «Antal fuldtidspersoner = (antal ledige
    uger_person1 + antal ledige uger_person2 + ...) / 52 uger». Def. 16. Aligned on the group index;
    a group without fuldtidspersoner gets NaN.
    """
    return share(personer, fuldtidspersoner)


def enhedspris(udgift_kr, bevillinger):
    """Kommune unit price: gross expenditure in the kommune / grants in the kommune (kr.).

    Report l.1556: «de gennemsnitlige enhedspriser (bruttoudgifter i kommunen divideret med antal
    sager i kommunen)»; Figur 26 note l.1566: «Udgift divideret med antal bevillinger/sager i 2019».
    Def. 17: expenditure in Y on the ordning's konti (``regnskabskonti.csv``) / grants starting in Y.
    NaN where the kommune has no grants.
    """
    return share(udgift_kr, bevillinger)


def enhedspris_national(udgift_kr: pd.Series, bevillinger: pd.Series) -> dict[str, float]:
    """National unit price in two forms.

    * ``gennemsnit_kommuner`` — the unweighted mean of the kommune unit prices over kommuner with
      at least one grant: the report's national figure, «Den gule prik er gennemsnittet af
      kommunerne» (Figur 26/27 note, l.1566), e.g. «DKK 9.400 pr. hjælpemiddel» (l.1568).
    * ``samlet`` — the aggregate ratio total expenditure / total grants (def. 17 "national = total /
      total"), which weights kommuner by their number of grants.

    The two differ because small kommuner with few grants have high unit prices.
    """
    u = pd.to_numeric(pd.Series(udgift_kr), errors="coerce").astype(float)
    b = pd.to_numeric(pd.Series(bevillinger), errors="coerce").astype(float)
    b = b.reindex(u.index) if isinstance(udgift_kr, pd.Series) and isinstance(bevillinger, pd.Series) else b
    prices = enhedspris(u, b)
    return {
        "gennemsnit_kommuner": float(prices.mean()) if prices.notna().any() else float("nan"),
        "samlet": share(float(u[b > 0].sum()), float(b[b > 0].sum())),
    }


HOEJERE_UDGIFTER_GRAENSE = 0.005  # fn. 35 (l.1549): 0,5 procentpoint


def udgiftsandel_minus_befolkningsandel(udgift, befolkning) -> pd.DataFrame:
    """Kommune share of national expenditure minus its share of the national population (Figur 25).

    Report l.1532: «Difference i procentpoint ml. kommunens andel udgifter (kommunens udgifter/hele
    landets udgifter) og kommunens andel indbyggere (antal indbyggere i kommunen divideret med antal
    indbygger i landet)»; fn. 35 (l.1549): «højere udgifter end forventet ... = Difference mellem
    andel befolkning og andel udgifter er større end 0,5 procentpoint.» Def. 18. The footnote names
    the difference the other way round; only expenditure share minus population share fits "higher
    than expected", so ``hoejere_end_forventet`` = difference > 0.005 (strictly).

    Returns columns ``udgiftsandel``, ``befolkningsandel``, ``difference``, ``hoejere_end_forventet``
    indexed like the inputs (kommunekode). The national totals are the sums of the given Series.
    """
    u = pd.to_numeric(pd.Series(udgift), errors="coerce").astype(float)
    b = pd.to_numeric(pd.Series(befolkning), errors="coerce").astype(float)
    idx = u.index.union(b.index)
    u, b = u.reindex(idx), b.reindex(idx)
    ua = u / u.sum() if u.sum() > 0 else u * np.nan
    ba = b / b.sum() if b.sum() > 0 else b * np.nan
    diff = ua - ba
    return pd.DataFrame({
        "udgiftsandel": ua, "befolkningsandel": ba, "difference": diff,
        "hoejere_end_forventet": (diff > HOEJERE_UDGIFTER_GRAENSE).astype("boolean").where(diff.notna()),
    })


# ------------------------------------------------------------------------------------------
# impairments in the case review (Tabel 14)

# Def. 22: the residual code "Anden funktionsnedsættelse" is not a specific impairment and is not ranked.
IKKE_SPECIFIKKE_FUNKTIONSNEDSAETTELSER = ("andet",)


def top_funktionsnedsaettelser(kode_1: pd.Series, kode_2: pd.Series, n: int | None = None) -> pd.DataFrame:
    """Every specific impairment of the reviewed cases ranked by the share of cases that have it.

    Tabel 14 (l.1403-1407): «1. Hyppigste ... 5. Hyppigste». Def. 22: a case counts once per
    impairment (``funktionsnedsaettelse_1`` and ``_2``; the same code twice counts once); the base
    is all reviewed cases of the ordning (``n``, default the number of rows); the residual code
    ``andet`` (:data:`IKKE_SPECIFIKKE_FUNKTIONSNEDSAETTELSER`) is not ranked; ties are broken by
    code. Columns ``kode, antal, n, andel, rang`` (rang 1 = most frequent).
    """
    f1 = pd.Series(kode_1, dtype="string").reset_index(drop=True)
    f2 = pd.Series(kode_2, dtype="string").reset_index(drop=True)
    n = len(f1) if n is None else int(n)
    codes = pd.concat([f1, f2.where(f2 != f1)]).dropna()
    codes = codes.loc[~codes.isin(IKKE_SPECIFIKKE_FUNKTIONSNEDSAETTELSER)]
    freq = codes.value_counts()
    freq = freq.sort_index().sort_values(ascending=False, kind="stable")
    out = pd.DataFrame({"kode": freq.index.astype(str), "antal": freq.to_numpy(dtype=int)})
    out["n"] = n
    out["andel"] = [share(int(a), n) for a in out["antal"]]
    out["rang"] = np.arange(1, len(out) + 1)
    return out


# ------------------------------------------------------------------------------------------
# case processing time, durations, age

OVER_4_UGER_DAGE = 28


def _days(start, end) -> pd.Series:
    s = pd.to_datetime(pd.Series(start), errors="coerce")
    e = pd.to_datetime(pd.Series(end, index=s.index), errors="coerce")
    return (e - s).dt.days.astype("Float64")


def sagsbehandlingstid_uger(ansoegningsdato, bevillingsdato) -> pd.Series:
    """Case processing time in weeks: (bevillingsdato - ansøgningsdato) in days / 7.

    Report l.1597: «Sagsbehandlingstiden er opgjort som dage mellem ansøgningsdato og
    bevillingsdato.» Def. 21: only cases with both dates (else NA).
    """
    return _days(ansoegningsdato, bevillingsdato) / 7


def over_4_uger(ansoegningsdato, bevillingsdato) -> pd.Series:
    """Per case: processing time more than four weeks (> 28 days; exactly 28 days is not over).

    Figur 30 (l.1610): «Andel sager med en sagsbehandlingstid over 4 uger»; l.1600 «mere end fire
    uger». Def. 21. NA where a date is missing.
    """
    d = _days(ansoegningsdato, bevillingsdato)
    return (d > OVER_4_UGER_DAGE).astype("boolean").where(d.notna())


def andel_over_4_uger(ansoegningsdato, bevillingsdato) -> float:
    """Share of cases (with both dates) whose processing time is over four weeks (Figur 30)."""
    f = over_4_uger(ansoegningsdato, bevillingsdato)
    return share(int(f.fillna(False).sum()), int(f.notna().sum()))


def varighed_uger(startdato, slutdato) -> pd.Series:
    """Grant duration in weeks, (slutdato - startdato) / 7; NA without slutdato.

    Report l.1487: «Personlig assistance bliver i gennemsnit bevilliget med en **varighed** på 70
    uger, mens hjælpemidler har en gennemsnitlig varighed på 217 uger». Def. 14.
    """
    return _days(startdato, slutdato) / 7


def alder(foeddt, dato) -> pd.Series:
    """Age in whole years at ``dato`` (birthday not yet reached that year -> one less). Def. 5."""
    f = pd.to_datetime(pd.Series(foeddt), errors="coerce")
    d = pd.to_datetime(pd.Series(dato, index=f.index), errors="coerce")
    years = d.dt.year - f.dt.year
    before = (d.dt.month < f.dt.month) | ((d.dt.month == f.dt.month) & (d.dt.day < f.dt.day))
    return (years - before.astype(int)).astype("Int64").where(f.notna() & d.notna())


def intervals_overlap(a_start, a_end, b_start, b_end) -> pd.Series:
    """[a_start, a_end] and [b_start, b_end] share at least one day (ends inclusive; a missing end
    is open, i.e. still running). Used for parallelindsatser (def. 13)."""
    far = pd.Timestamp("2262-01-01")
    a0 = pd.to_datetime(pd.Series(a_start), errors="coerce")
    idx = a0.index
    a1 = pd.to_datetime(pd.Series(a_end, index=idx), errors="coerce").fillna(far)
    b0 = pd.to_datetime(pd.Series(b_start, index=idx), errors="coerce")
    b1 = pd.to_datetime(pd.Series(b_end, index=idx), errors="coerce").fillna(far)
    return (a0 <= b1) & (b0 <= a1)
