"""A kommune against the country: comparison label, spine-chart positions and rank.

The conventions of public-health area profiles (England's Fingertips):

* **Comparison** (:func:`sammenligning`): the kommune's 95 % Wilson interval against the country's
  value. The interval lies wholly above it: *højere*; wholly below: *lavere*; otherwise (it
  contains or touches the country's value): *som landet*. Only an indicator with a declared
  polarity (``hoej_bedst`` / ``lav_bedst`` in the metadata table) is called *bedre* / *dårligere*;
  the default is neutral, because for most HKO measures more is not self-evidently better. An
  indicator without an interval is not compared (*ikke testet*); a suppressed value has no label.
* **Spine chart** (:func:`spine`): the range of the published kommune values (lowest, 25th and 75th
  percentile, highest; percentiles by linear interpolation between order statistics, numpy's
  default, Hyndman-Fan type 7) drawn on a scale that puts the country's value in the middle:
  position(x) = 0.5 + (x - landet) / (2 h), h = the larger distance from the country's value to
  the lowest or highest value, so every value lies in [0, 1].
* **Rank** (:func:`rang`): 1 = the highest value, ties share the best rank, among the kommuner
  whose value is published.

Percentiles, extremes and ranks are taken over the *published* kommune values only: a suppressed
value takes no part, so neither the quartiles nor the ranks of the others narrow it down.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

HOEJERE, LAVERE, SOM_LANDET = "hoejere", "lavere", "som_landet"
BEDRE, DAARLIGERE = "bedre", "daarligere"
IKKE_TESTET, UNDERTRYKT, INGEN_VAERDI = "ikke_testet", "undertrykt", "ingen_vaerdi"

TEKST = {
    HOEJERE: "Højere end landet", LAVERE: "Lavere end landet", SOM_LANDET: "Som landet",
    BEDRE: "Bedre end landet", DAARLIGERE: "Dårligere end landet",
    IKKE_TESTET: "Ikke testet", UNDERTRYKT: "Undertrykt", INGEN_VAERDI: "Ingen værdi",
}
# Colours of the labels (spine-chart marker and table cell): neutral indicators in blues, polar
# ones in green/red, similar in yellow (Fingertips' scheme).
FARVE = {
    HOEJERE: "#1f4e79", LAVERE: "#6baed6", SOM_LANDET: "#f2c200", BEDRE: "#2e7d32", DAARLIGERE: "#c0392b",
    IKKE_TESTET: "#ffffff", UNDERTRYKT: "#d0d0d0", INGEN_VAERDI: "#d0d0d0",
}


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(np.isnan(float(x)))


def sammenligning(vaerdi, ci_nedre, ci_oevre, landet, *, polaritet: str = "neutral", har_ci: bool = True,
                  undertrykt: bool = False) -> str:
    """The comparison code of one kommune's value (see the module docstring)."""
    if undertrykt:
        return UNDERTRYKT
    if _nan(vaerdi):
        return INGEN_VAERDI
    if not har_ci or _nan(landet) or _nan(ci_nedre) or _nan(ci_oevre):
        return IKKE_TESTET
    lo, hi, ref = float(ci_nedre), float(ci_oevre), float(landet)
    if lo > ref:
        retning = HOEJERE
    elif hi < ref:
        retning = LAVERE
    else:  # the interval contains the country's value (touching it counts as containing)
        return SOM_LANDET
    if polaritet == "hoej_bedst":
        return BEDRE if retning == HOEJERE else DAARLIGERE
    if polaritet == "lav_bedst":
        return BEDRE if retning == LAVERE else DAARLIGERE
    return retning


@dataclass(frozen=True)
class Spine:
    """Positions in [0, 1] on the spine chart (0.5 = the country's value); ``vaerdi`` None = no marker."""

    laveste: float
    q1: float
    q3: float
    hoejeste: float
    landet: float
    vaerdi: float | None
    # the values themselves, for the chart's text
    min_vaerdi: float
    q1_vaerdi: float
    q3_vaerdi: float
    max_vaerdi: float
    reference: float
    halvbredde: float

    def pos(self, x: float) -> float:
        return min(1.0, max(0.0, 0.5 + (float(x) - self.reference) / (2 * self.halvbredde)))

    def med(self, vaerdi: float | None) -> "Spine":
        """The same chart with the marker at ``vaerdi`` (None or NaN: no marker)."""
        v = None if vaerdi is None or _nan(vaerdi) else self.pos(vaerdi)
        return replace(self, vaerdi=v)


def _finite(values: Sequence[float]) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return v[np.isfinite(v)]


def kvartiler(values: Sequence[float]) -> tuple[float, float]:
    """25th and 75th percentile of the finite values (numpy's linear interpolation, type 7)."""
    v = _finite(values)
    if not len(v):
        return float("nan"), float("nan")
    q1, q3 = np.percentile(v, [25, 75])
    return float(q1), float(q3)


def spine(values: Sequence[float], landet: float, vaerdi: float | None = None) -> Spine | None:
    """The spine chart of one indicator: ``values`` are the published kommune values, ``landet``
    the country's value, ``vaerdi`` the kommune's (None or NaN: suppressed, no marker). None when
    there is nothing to draw (no published value or no country value)."""
    v = _finite(values)
    if not len(v) or _nan(landet):
        return None
    ref = float(landet)
    lo, hi = float(v.min()), float(v.max())
    q1, q3 = kvartiler(v)
    h = max(abs(lo - ref), abs(hi - ref))
    if h == 0:
        h = abs(ref) or 1.0  # every value equals the country's: a flat chart, markers in the middle
    base = Spine(laveste=0.0, q1=0.0, q3=0.0, hoejeste=0.0, landet=0.5, vaerdi=None, min_vaerdi=lo, q1_vaerdi=q1,
                 q3_vaerdi=q3, max_vaerdi=hi, reference=ref, halvbredde=h)
    base = replace(base, laveste=base.pos(lo), q1=base.pos(q1), q3=base.pos(q3), hoejeste=base.pos(hi))
    return base.med(vaerdi)


def rang(values: Sequence[float], vaerdi: float | None) -> tuple[int, int] | None:
    """(rank, number of published values): 1 = highest, ties share the best rank; None for a
    suppressed or missing value."""
    v = _finite(values)
    if vaerdi is None or _nan(vaerdi) or not len(v):
        return None
    return int((v > float(vaerdi)).sum()) + 1, int(len(v))
