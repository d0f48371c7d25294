"""Delanalyse 2's measures on hand-computed answers with traps, and the report's worked weighting
example of 9.4.1 computed by hand."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hko_research.analyses.d2_medarbejdere import measures as M
from hko_research.analyses.d2_medarbejdere.respondenter import regneeksempel


def test_five_to_three_keeps_ved_ikke_apart_and_missing_missing():
    got = M.sammenlaeg_5_3(pd.Series([1, 2, 3, 4, 5, 6, np.nan]))
    assert got.tolist()[:6] == ["hoej", "hoej", "mellem", "lav", "lav", "ved_ikke"]
    assert pd.isna(got.iloc[6])
    # the wording follows the scale, the codes merge the same way
    assert M.sammenlaeg_5_3(pd.Series([2, 4]), M.TRO_3).tolist() == ["daarligere", "bedre"]


def test_zero_to_ten_cut_offs_and_means_between_answers():
    got = M.sammenlaeg_0_10(pd.Series([0, 3, 4, 6, 7, 10, 3.49, 3.5, 6.5, np.nan]))
    assert got.tolist()[:9] == ["lav", "lav", "mellem", "mellem", "hoej", "hoej", "lav", "mellem", "hoej"]
    assert pd.isna(got.iloc[9])
    # a respondent's HKO knowledge is the mean of the answered items: (8 + 9 + NaN + 4) / 3 = 7 -> høj
    q8 = pd.DataFrame({"a": [8, 2], "b": [9, 3], "c": [np.nan, 3], "d": [4, 4]})
    assert M.viden_hko_niveau(q8).tolist() == ["hoej", "lav"]


def test_scores_leave_ved_ikke_out_and_knowledge_runs_the_right_way():
    assert M.score(pd.Series([1, 5, 6]), M.SKALA_VIDEN).tolist()[:2] == [5.0, 1.0]  # meget enig = most knowledge
    assert math.isnan(M.score(pd.Series([6]), M.SKALA_VIDEN).iloc[0])
    assert M.score(pd.Series([1, 5]), M.SKALA_SOM_KODER).tolist() == [1.0, 5.0]     # omplacering: 1 = meget enig


def test_procentvis_forskel_is_max_over_min_minus_one():
    # the report's own example (l.793): 2,9-4,2 -> 45 pct.
    assert M.procentvis_forskel([3.1, 2.9, np.nan, 4.2]) == pytest.approx(4.2 / 2.9 - 1)
    assert math.isnan(M.procentvis_forskel([3.0]))
    assert math.isnan(M.procentvis_forskel([0.0, 2.0]))  # no relative difference to zero


def test_erfaringsniveau_ignores_ved_ikke():
    assert M.erfaringsniveau(3, 1) == 0.75
    assert math.isnan(M.erfaringsniveau(0, 0))


def test_anciennitet_bands_at_their_edges():
    years = pd.Series([0, 1, 5, 6, 10, 11, np.nan])
    assert M.anciennitet_band(years).tolist()[:6] == ["under_1_aar", "1-5_aar", "1-5_aar", "6-10_aar", "6-10_aar",
                                                      "over_10_aar"]
    assert M.anciennitet_band(years, M.ANCIENNITET_TRE).tolist()[:3] == ["0-5_aar", "0-5_aar", "0-5_aar"]


def test_chapter_four_rammevilkaar_bands_differ_from_chapter_five_at_33():
    from hko_research.kommuner import rammevilkaar_band

    assert M.rammevilkaar_kap4(pd.Series([1, 33, 34, 66, 67, 98])).tolist() == [
        "mindst_favorable", "mindst_favorable", "mellem", "mellem", "mest_favorable", "mest_favorable"]
    assert rammevilkaar_band(33) == "mellem"  # chapter 5's split (1-32) is unchanged


def test_worked_example_of_941_by_hand():
    """9.4.1: Kommune X has six answers (1 'i meget høj grad', 2 'i høj grad', 1 'hverken',
    2 'i lav grad'); reduced to one distribution: 1/6, 2/6, 1/6, 2/6, 0, 0."""
    x = ["meget_hoej", "hoej", "hoej", "hverken", "lav", "lav"]
    t = regneeksempel({"X": x}).set_index(["opgoerelse", "kategori"])["andel"]
    by_hand = {"meget_hoej": 1 / 6, "hoej": 2 / 6, "hverken": 1 / 6, "lav": 2 / 6, "meget_lav": 0.0, "ved_ikke": 0.0}
    for cat, share in by_hand.items():
        assert t[("Kommune X", cat)] == pytest.approx(share)
    # printed to whole per cent as the report does: 17, 33, 17, 33, 0, 0
    assert [round(100 * by_hand[c]) for c in by_hand] == [17, 33, 17, 33, 0, 0]


def test_kommune_tallies_of_the_worked_example_divide_by_the_kommuner_that_answered():
    """The report sums the seven printed values 17+33+10+0+0+0+7 and divides by eight (l.2715,
    assumptions A9). With seven kommuner whose 'meget høj' shares are those values, the package's
    unweighted kommune tally is their mean over seven; the weighted one uses population shares."""
    counts = [(1, 6), (2, 6), (1, 10), (0, 5), (0, 8), (0, 9), (1, 14)]  # ~17, 33, 10, 0, 0, 0, 7 pct.
    answers = {f"K{i}": ["meget_hoej"] * k + ["lav"] * (n - k) for i, (k, n) in enumerate(counts)}
    t = regneeksempel(answers, befolkning={f"K{i}": p for i, p in enumerate([11, 4.6, 15.9, 10, 20, 30, 11.4])})
    shares = [k / n for k, n in counts]
    got = t.set_index(["opgoerelse", "kategori"])["andel"]
    assert got[("Kommuner (1:1)", "meget_hoej")] == pytest.approx(sum(shares) / 7)
    assert got[("Kommuner (1:1)", "meget_hoej")] != pytest.approx(sum(shares) / 8)
    w = np.array([11, 4.6, 15.9, 10, 20, 30, 11.4])
    assert got[("Vægtet kommuner", "meget_hoej")] == pytest.approx(float((w / w.sum()) @ np.array(shares)))
    # the respondent level would be 3 of 58 answers: a different number, not one of the report's tallies
    assert got[("Kommuner (1:1)", "meget_hoej")] != pytest.approx(3 / 58)
