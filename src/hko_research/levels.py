"""Levels of comparison: the selected kommuner are always shown next to their whole.

Every published table that compares a selection with its whole has a column ``niveau``:

* register analyses: "Valgte kommuner" next to "Hele landet" (the selection row is left out when
  every kommune is selected, because it would repeat the country);
* casekommune analyses (case review, survey, coding): "Valgte casekommuner" next to "Alle
  casekommuner".

:data:`COMPLEMENT` declares these pairs to disclosure control (the unpublished rest, whole minus
selection, must not be a small cell), so analyses do not state them again.
"""
from __future__ import annotations

from typing import Any, Protocol, Sequence

VALGTE, LANDET = "Valgte kommuner", "Hele landet"
VALGTE_CASE, ALLE_CASE = "Valgte casekommuner", "Alle casekommuner"
NIVEAU = "niveau"
# The wholes: what a national figure is read from.
NATIONAL = (LANDET, ALLE_CASE)
# (level column, part, whole) pairs for disclosure.protect_table(complement=...).
COMPLEMENT = ((NIVEAU, VALGTE, LANDET), (NIVEAU, VALGTE_CASE, ALLE_CASE))


class Selection(Protocol):
    """Anything with the run's selection, e.g. :class:`hko_research.params.RunParams`."""

    kommuner: Sequence[int]
    all_kommuner: bool


def levels(df: Any, selection: Selection, col: str = "kommunekode") -> list[tuple[str, Any]]:
    """[(niveau, subset)]: the selected kommuner (unless all are selected) and the whole country."""
    out = []
    if not selection.all_kommuner:
        out.append((VALGTE, df.loc[df[col].isin(list(selection.kommuner))]))
    out.append((LANDET, df))
    return out


def case_levels(df: Any, selection: Selection, col: str = "kommunekode") -> list[tuple[str, Any]]:
    """[(niveau, subset)] for data from the casekommuner only: the selected casekommuner (when the
    selection holds some but not all of them) and all casekommuner."""
    sel = df.loc[df[col].isin(list(selection.kommuner))]
    out = []
    if not selection.all_kommuner and len(sel) and set(sel[col]) != set(df[col]):
        out.append((VALGTE_CASE, sel))
    out.append((ALLE_CASE, df))
    return out
