"""Comparison label, spine-chart positions and rank on hand-made values with traps: an interval
touching the country's value, a suppressed value, ties at the quartiles, values equal to the
country's."""
from __future__ import annotations

import math

import pytest

from hko_research.analyses.profiler import sammenligning as C


@pytest.mark.parametrize("lo,hi,expected", [
    (0.31, 0.40, C.HOEJERE),      # wholly above
    (0.10, 0.29, C.LAVERE),       # wholly below
    (0.30, 0.40, C.SOM_LANDET),   # lower bound touches the country's value: contains it
    (0.20, 0.30, C.SOM_LANDET),   # upper bound touches it
    (0.25, 0.35, C.SOM_LANDET),
])
def test_label_from_the_interval_against_the_country(lo, hi, expected):
    assert C.sammenligning((lo + hi) / 2, lo, hi, 0.30) == expected


def test_polarity_turns_higher_and_lower_into_better_and_worse_only_when_declared():
    assert C.sammenligning(0.5, 0.4, 0.6, 0.3, polaritet="hoej_bedst") == C.BEDRE
    assert C.sammenligning(0.1, 0.05, 0.2, 0.3, polaritet="hoej_bedst") == C.DAARLIGERE
    assert C.sammenligning(0.5, 0.4, 0.6, 0.3, polaritet="lav_bedst") == C.DAARLIGERE
    assert C.sammenligning(0.1, 0.05, 0.2, 0.3, polaritet="lav_bedst") == C.BEDRE
    assert C.sammenligning(0.5, 0.4, 0.6, 0.3) == C.HOEJERE  # neutral by default
    assert C.sammenligning(0.3, 0.2, 0.4, 0.3, polaritet="hoej_bedst") == C.SOM_LANDET


def test_suppressed_missing_and_untested_values_get_no_direction():
    # a suppressed cell has no label even if a value were at hand (it never is on a page)
    assert C.sammenligning(0.9, 0.8, 1.0, 0.3, undertrykt=True) == C.UNDERTRYKT
    assert C.sammenligning(float("nan"), 0.1, 0.2, 0.3) == C.INGEN_VAERDI
    assert C.sammenligning(0.9, None, None, 0.3) == C.IKKE_TESTET
    assert C.sammenligning(9000.0, None, None, 5000.0, har_ci=False) == C.IKKE_TESTET
    assert C.sammenligning(0.9, 0.8, 1.0, float("nan")) == C.IKKE_TESTET  # the country suppressed


def test_spine_positions_by_hand():
    # values 0, 1, 2, 10; country 2: the farther extreme (10) sets the half-width h = 8.
    # Type-7 quartiles: Q1 at position 0.75 -> 0.75, Q3 at 2.25 -> 2 + 0.25 * 8 = 4.
    s = C.spine([0, 1, 2, 10], 2.0, vaerdi=1.0)
    assert s.landet == 0.5
    assert s.laveste == pytest.approx(0.5 + (0 - 2) / 16)
    assert s.hoejeste == pytest.approx(1.0)
    assert (s.q1_vaerdi, s.q3_vaerdi) == (pytest.approx(0.75), pytest.approx(4.0))
    assert s.q1 == pytest.approx(0.5 + (0.75 - 2) / 16)
    assert s.q3 == pytest.approx(0.5 + (4 - 2) / 16)
    assert s.vaerdi == pytest.approx(0.5 + (1 - 2) / 16)


def test_spine_ties_at_the_quartiles_and_suppressed_values_left_out():
    # 2 is both quartiles; the kommune sits exactly on them; NaN (suppressed) takes no part
    s = C.spine([1, 2, 2, 2, 3, float("nan")], 2.0, vaerdi=2.0)
    assert s.q1_vaerdi == s.q3_vaerdi == 2.0
    assert s.q1 == s.q3 == s.vaerdi == 0.5
    assert (s.laveste, s.hoejeste) == (0.0, 1.0)
    assert s.min_vaerdi == 1.0 and s.max_vaerdi == 3.0


def test_spine_without_marker_for_a_suppressed_kommune_and_flat_when_all_equal():
    s = C.spine([1.0, 2.0, 3.0], 2.0, vaerdi=float("nan"))
    assert s.vaerdi is None
    flat = C.spine([0.3, 0.3, 0.3], 0.3, vaerdi=0.3)
    assert flat.laveste == flat.hoejeste == flat.vaerdi == 0.5
    assert C.spine([float("nan")], 0.3) is None
    assert C.spine([1.0], float("nan")) is None


def test_spine_marker_stays_on_the_chart():
    s = C.spine([1.0, 2.0, 3.0], 2.0)
    assert s.med(100.0).vaerdi == 1.0 and s.med(-100.0).vaerdi == 0.0


def test_rank_highest_first_ties_share_the_best_rank_suppressed_left_out():
    values = [5.0, 3.0, 3.0, 1.0, float("nan")]
    assert C.rang(values, 5.0) == (1, 4)
    assert C.rang(values, 3.0) == (2, 4)
    assert C.rang(values, 1.0) == (4, 4)
    assert C.rang(values, float("nan")) is None
    assert C.rang(values, None) is None


def test_quartiles_match_the_documented_method():
    # type 7 on 1..5: Q1 = 2, Q3 = 4; on 1..4: 1.75, 3.25
    assert C.kvartiler([1, 2, 3, 4, 5]) == (2.0, 4.0)
    assert C.kvartiler([4, 1, 3, 2]) == (1.75, 3.25)
    assert all(math.isnan(x) for x in C.kvartiler([]))


def test_the_label_colours_are_the_same_on_the_pages_and_in_the_notebooks_map():
    from hko_research.publishing.labels import labels

    lab = labels("profiler")
    for code in (C.HOEJERE, C.LAVERE, C.SOM_LANDET, C.BEDRE, C.DAARLIGERE, C.IKKE_TESTET):
        assert lab.colour(C.TEKST[code]) == C.FARVE[code], code
