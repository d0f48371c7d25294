"""Coder reliability: agreement and Cohen's kappa against hand computation, the judgements built
from two coders' codings (a theme coded in several passages counts once; not coded = "nej"), and
the table per code family."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from hko_research.inputs import coding
from hko_research.stats import agreement, cohens_kappa, reliability_table


def test_kappa_and_agreement_by_hand():
    # 10 judgements: both ja 4, both nej 3, A ja/B nej 2, A nej/B ja 1
    a = ["ja"] * 4 + ["nej"] * 3 + ["ja"] * 2 + ["nej"]
    b = ["ja"] * 4 + ["nej"] * 3 + ["nej"] * 2 + ["ja"]
    po = 7 / 10
    pe = (6 / 10) * (5 / 10) + (4 / 10) * (5 / 10)  # A: 6 ja, 4 nej; B: 5 ja, 5 nej
    assert agreement(a, b) == pytest.approx(po)
    assert cohens_kappa(a, b) == pytest.approx((po - pe) / (1 - pe))  # 0.4
    assert cohens_kappa(a, b) == pytest.approx(0.4)
    # three categories, order of appearance irrelevant
    x = ["p", "r", "d", "p", "r", "r"]
    y = ["p", "r", "r", "p", "d", "r"]
    po, pe = 4 / 6, (2 / 6) * (2 / 6) + (3 / 6) * (3 / 6) + (1 / 6) * (1 / 6)
    assert cohens_kappa(x, y) == pytest.approx((po - pe) / (1 - pe))
    assert cohens_kappa(list(reversed(x)), list(reversed(y))) == pytest.approx(cohens_kappa(x, y))


def test_kappa_undefined_when_both_coders_use_one_category():
    assert math.isnan(cohens_kappa(["nej"] * 5, ["nej"] * 5))
    assert agreement(["nej"] * 5, ["nej"] * 5) == 1.0
    assert cohens_kappa(["ja", "ja"], ["ja", "nej"]) == pytest.approx(0.0)
    with pytest.raises(ValueError):
        agreement(["ja"], ["ja", "nej"])


def test_pairs_from_two_coders_and_table_per_family():
    kb = coding.kodebog_frame([
        {"kode": "t", "etiket": "Temaer"},
        {"kode": "t1", "overkode": "t", "etiket": "Tema 1"},
        {"kode": "t2", "overkode": "t", "etiket": "Tema 2"},
        {"kode": "s", "etiket": "Strategi", "vaerdier": {"p": "P", "r": "R"}},
    ])
    sager = pd.DataFrame({"sag": ["A", "B", "C"], "koder": ["AK", "AK", "AK"]})
    rows = [
        ("A", "t1", "ja", "AK"), ("A", "t1", "ja", "AK"),  # two passages: one judgement
        ("A", "t1", "ja", "MJ"), ("A", "t2", "ja", "MJ"),  # MJ also codes t2: a disagreement
        ("A", "s", "p", "AK"), ("A", "s", "r", "MJ"),
        ("B", "t2", "ja", "AK"), ("B", "t2", "ja", "MJ"), ("B", "s", "r", "AK"), ("B", "s", "r", "MJ"),
        ("C", "t1", "ja", "AK"), ("C", "s", "p", "AK"),  # coded once: no judgement
    ]
    kod = pd.DataFrame(rows, columns=["sag", "kode", "vaerdi", "koder"])
    pairs = coding.double_coded_pairs(kod, kb, sager)
    assert set(pairs["sag"]) == {"A", "B"} and set(pairs["koder_a"]) == {"AK"} and set(pairs["koder_b"]) == {"MJ"}
    got = {(r.sag, r.kode): (r.vaerdi_a, r.vaerdi_b) for r in pairs.itertuples()}
    assert got == {("A", "t1"): ("ja", "ja"), ("A", "t2"): ("nej", "ja"), ("A", "s"): ("p", "r"),
                   ("B", "t1"): ("nej", "nej"), ("B", "t2"): ("ja", "ja"), ("B", "s"): ("r", "r")}
    t = reliability_table(pairs).set_index("familie")
    assert t.at["t", "vurderinger"] == 4 and t.at["t", "sager"] == 2 and t.at["t", "enighed"] == 0.75
    assert t.at["s", "enighed"] == 0.5 and t.at["I alt", "vurderinger"] == 6
    by_family = coding.reliability_by_family(kod, kb, sager).set_index("familie")
    assert by_family.at["t", "kodefamilie"] == "Temaer" and by_family.at["I alt", "kappa"] == pytest.approx(
        cohens_kappa(pairs["vaerdi_a"], pairs["vaerdi_b"]))
