"""Delanalyse 5's two outcome measures, each defined once (definitions.md, def. 1-6).

The report measures labour-market attachment after an HKO grant twice (l.2021: «1) at fastholde
borgere på arbejdsmarkedet ved brug af HKO (fastholdelse), og 2) at øge borgers muligheder for at
deltage på arbejdsmarkedet i flere timer ved brug af HKO (øgede løntimer)»), both from the monthly
løntimer one month before and three months after the grant month. The functions work on plain
Series (one element per recipient), so they are tested on hand-made frames; the panel that feeds
them is built in :mod:`.udfald`.

Flags are nullable booleans: ``<NA>`` = the recipient is not in the measure's population (no
løntimer before, for fastholdelse) or the outcome cannot be observed (a month outside the panel,
the person not resident); never a false ``False``.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ..d3_brug.measures import SIGNIFIKANSNIVEAU
from ..d3_brug.measures import signifikant as _signifikant

__all__ = ["MAANEDER_FOER", "MAANEDER_EFTER", "POPULATIONER", "RAPPORTENS_POPULATION", "POPULATION_NAVN", "MIN_KOMMUNER_TEST",
           "maaned_foer", "maaned_efter", "maaned_nr", "har_loentimer", "fastholdelse", "oegede_loentimer",
           "population_for", "SIGNIFIKANSNIVEAU", "signifikant"]

# l.2023 «en måned før bevillingen», «tre måneder efter bevillingstidspunktet»
MAANEDER_FOER = 1
MAANEDER_EFTER = 3

# The populations of øgede løntimer (def. 5). The report's definition (l.2025, l.399) and Figur 32's
# note (l.2072 «i pct. af antal borgere med HKO») speak of all recipients; its N for personlig
# assistance (l.2025 «5.018», the same as the fastholdelse population l.2023) is the recipients
# with løntimer before. report_targets_notes.md 1b.9.
POPULATIONER: Mapping[str, str] = {
    "alle": "alle modtagere, hvis løntimer kan følges (l.2025, l.2072)",
    "med_loentimer": "modtagere med løntimer en måned før bevillingen (rapportens N for personlig assistance, l.2025)",
}
RAPPORTENS_POPULATION: Mapping[str, str] = {"pa": "med_loentimer", "hm": "alle"}
POPULATION_NAVN: Mapping[str, str] = {"alle": "alle fulgte modtagere", "med_loentimer": "modtagere med løntimer før"}

# Refuse inference on a category of fewer kommuner than this (issue 11; spredt specialisering).
MIN_KOMMUNER_TEST = 5


def maaned_nr(aar, maaned) -> pd.Series:
    """A month as one integer (year x 12 + month - 1): months can then be subtracted."""
    return pd.Series(aar).astype("Int64") * 12 + pd.Series(maaned).astype("Int64") - 1


def _month_of(start) -> pd.Series:
    s = pd.to_datetime(pd.Series(start))
    return (s.dt.year * 12 + s.dt.month - 1).astype("Int64")


def maaned_foer(start) -> pd.Series:
    """The calendar month before the grant month (def. 2), as :func:`maaned_nr`: a grant on 14
    January 2019 -> December 2018. Report l.2023: «løntimer en måned før bevillingen»."""
    return _month_of(start) - MAANEDER_FOER


def maaned_efter(start) -> pd.Series:
    """The third calendar month after the grant month (def. 3): a grant in November 2019 ->
    February 2020. Report l.2023: «tre måneder efter bevillingstidspunktet»."""
    return _month_of(start) + MAANEDER_EFTER


def har_loentimer(timer) -> pd.Series:
    """Løntimer > 0 in the month (def. 1: no row in the register for a covered month = 0 hours);
    <NA> where the hours are unknown (month not observable)."""
    t = pd.to_numeric(pd.Series(timer), errors="coerce")
    return (t > 0).astype("boolean").where(t.notna())


def fastholdelse(timer_foer, timer_efter) -> pd.Series:
    """Fastholdt: still løntimer three months after the grant, among those with løntimer one
    month before (def. 4).

    Report l.2023: «Fastholdelse: Målt som andelen af borgere, der havde løntimer en måned før
    bevillingen, og som stadig har løntimer (uanset antallet af timer) tre måneder efter
    bevillingstidspunktet.» (also fn. 8, l.399). The population is the recipients with hours > 0
    before; for everybody else the flag is <NA>. «uanset antallet af timer»: fewer hours after
    still count as fastholdt.
    """
    foer, efter = har_loentimer(timer_foer), har_loentimer(timer_efter)
    efter = pd.Series(efter.to_numpy(), index=foer.index)
    return efter.where(foer.fillna(False) & efter.notna()).astype("boolean")


def population_for(ordning: str, population: str | None = None) -> str:
    """The øgede-løntimer population used for ``ordning``: ``population`` when given, else the
    report's choice (:data:`RAPPORTENS_POPULATION`)."""
    p = RAPPORTENS_POPULATION.get(ordning, "alle") if population is None else population
    if p not in POPULATIONER:
        raise ValueError(f"unknown population {p!r}; choose one of {', '.join(POPULATIONER)}")
    return p


def oegede_loentimer(timer_foer, timer_efter, *, population: str = "alle") -> pd.Series:
    """Øgede løntimer: more løntimer three months after the grant than one month before (def. 5).

    Report l.2025: «Øgede løntimer: Målt som andelen af borgere, der opnår et øget antal løntimer
    tre måneder efter bevillingstidspunktet sammenlignet med borgers udgangspunkt en måned før
    bevillingstidspunktet.» (also fn. 8, l.399). Strictly more: the same number of hours is not
    an increase. A recipient without hours before who has hours after has increased them.

    ``population="alle"``: every recipient whose hours are known in both months (the definition
    and Figur 32's note, l.2072); ``"med_loentimer"``: only those with hours before (the report's
    N for personlig assistance, l.2025). Outside the population the flag is <NA>.
    """
    if population not in POPULATIONER:
        raise ValueError(f"unknown population {population!r}; choose one of {', '.join(POPULATIONER)}")
    f = pd.to_numeric(pd.Series(timer_foer), errors="coerce")
    e = pd.to_numeric(pd.Series(timer_efter), errors="coerce")
    e.index = f.index
    known = f.notna() & e.notna()
    if population == "med_loentimer":
        known &= f > 0
    return (e > f).astype("boolean").where(known)


def signifikant(p_value) -> bool | None:
    """p < 0,05 (delanalyse 3's rule, fn. 28 l.1291: «Statistisk signifikans er målt som
    sammenhænge med en p-værdi <0,05»); None for a missing p-value (no test was made)."""
    if p_value is None or (isinstance(p_value, float) and np.isnan(p_value)):
        return None
    return _signifikant(p_value)
