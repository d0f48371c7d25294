"""Målopfyldelse (def. P1) and the publication's rounding rule, on hand-computed cases with traps:
97,5 pct. exactly half-way, a case that tells truncation from round-half-down, and fractions that
binary floating point truncates wrongly."""
from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import pandas as pd
import pytest

from hko_research.analyses.puljeevaluering import measures as M
from hko_research.analyses.puljeevaluering import tables as pj
from hko_research.analyses.puljeevaluering.load import combine_projects, reference_projects
from hko_research.publishing.disclosure import protect_table

# The evaluation's three figures (seed 004 l.23-30): (opnået, mål, printed whole percent).
PUBLISHED = [(234, 240, 97), (12, 12, 100), (425, 360, 118)]
CANDIDATES = {"trunkering": ROUND_DOWN, "halvt ned": ROUND_HALF_DOWN, "halvt op": ROUND_HALF_UP,
              "halvt til lige": ROUND_HALF_EVEN}


def _by_rule(opnaaet: int, maal: int, rule: str) -> int:
    exact = Fraction(opnaaet, maal) * 100
    return int((Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal(1), rounding=rule))


def test_only_truncation_and_half_down_reproduce_the_three_printed_figures():
    fits = {name for name, rule in CANDIDATES.items() if all(_by_rule(a, m, rule) == p for a, m, p in PUBLISHED)}
    assert fits == {"trunkering", "halvt ned"}  # 97,5 -> 97 rules out half up and half to even
    assert round(234 / 240 * 100) == 98  # Python's round() (half to even) would print 98


@pytest.mark.parametrize("opnaaet,maal,printed", PUBLISHED)
def test_the_rule_reproduces_each_printed_figure(opnaaet, maal, printed):
    assert M.maalopfyldelse_procent(opnaaet, maal) == printed
    assert M.maalopfyldelse_procent(float(opnaaet), float(maal)) == printed  # as read from a CSV


def test_the_rule_is_truncation_where_the_candidates_differ():
    # 489/500 = 97,8 pct.: truncation 97, round half down 98 -- the project uses truncation
    assert _by_rule(489, 500, ROUND_DOWN) == 97 and _by_rule(489, 500, ROUND_HALF_DOWN) == 98
    assert M.maalopfyldelse_procent(489, 500) == 97
    assert M.maalopfyldelse_procent(599, 600) == 99  # 99,83 pct. is not yet 100
    assert M.maalopfyldelse_procent(2, 3) == 66


@pytest.mark.parametrize("opnaaet,maal,expected", [(29, 100, 29), (57, 100, 57), (7, 25, 28), (12.5, 12.5, 100),
                                                   (0.29, 1, 29)])
def test_exact_arithmetic_beats_floating_point_truncation(opnaaet, maal, expected):
    assert M.maalopfyldelse_procent(opnaaet, maal) == expected
    if (opnaaet, maal) in ((29, 100), (57, 100), (0.29, 1)):
        assert int(opnaaet / maal * 100) == expected - 1  # the naive float version is one too low


def test_every_whole_fraction_agrees_with_decimal_round_down():
    for maal in (1, 3, 7, 12, 240, 360):
        for opnaaet in range(0, 2 * maal + 1):
            assert M.maalopfyldelse_procent(opnaaet, maal) == _by_rule(opnaaet, maal, ROUND_DOWN), (opnaaet, maal)


def test_undefined_goal_attainment_is_nan_not_zero():
    for a, m in ((5, 0), (5, None), (None, 10), (float("nan"), 10), (-1, 10)):
        assert math.isnan(M.maalopfyldelse_procent(a, m))
    assert math.isnan(M.maalopfyldelse(5, 0))
    assert M.maalopfyldelse(234, 240) == 0.975
    assert M.maalopfyldelse(425, 360) == pytest.approx(1.180556, abs=1e-6)


def _user(rows) -> pd.DataFrame:
    cols = ["projekt", "pulje", "indikator", "enhed", "maal", "opnaaet", "opgjort_pr", "omtrentlig", "kilde"]
    df = pd.DataFrame(rows, columns=cols)
    df["opgjort_pr"] = pd.to_datetime(df["opgjort_pr"])
    return df


def test_user_rows_add_projects_and_replace_only_their_own_indicator():
    ref = reference_projects()
    assert len(ref) == 3 and set(ref["enhed"]) == {"borgere", "jobcentre", "medarbejdere"}
    new = _user([("Job i fokus", "Pulje X", "Borgere i job", "borgere", 50, 40, "2023-12-31", False, "egen")])
    out, intact = combine_projects(ref, new)
    assert intact and len(out) == 4 and set(out["datakilde"]) == {"referencedata (pakken)", "brugerens fil"}
    # the same project and indicator with other figures replaces the reference row: not intact
    same_key = ref.iloc[[0]].assign(opnaaet=230.0, kilde="opdateret")
    out, intact = combine_projects(ref, same_key)
    assert not intact and len(out) == 3
    assert out.loc[out["enhed"] == "borgere", "opnaaet"].tolist() == [230.0]
    # identical figures (another kilde text only) keep the evaluation's setting
    out, intact = combine_projects(ref, ref.iloc[[1]].assign(kilde="egen kopi"))
    assert intact and len(out) == 3


def test_table_marks_ca_values_and_masks_small_achievements_with_their_share():
    ref = reference_projects()
    new = _user([("Lille projekt", "Pulje X", "Borgere i job", "borgere", 10, 3, "2023-12-31", True, "egen"),
                 ("Lille projekt", "Pulje X", "Virksomheder", "virksomheder", 4, 8, "2023-12-31", False, "egen")])
    projekter, intact = combine_projects(ref, new)
    L = pj.PuljeData(projekter=projekter, deltagere=None, user_projects_file=None, reference_intact=intact)
    t = pj.maalopfyldelse(L)
    ca = t.set_index("enhed")["omtrentlig"]
    assert ca["medarbejdere"] == "ca." and ca["jobcentre"] == ""
    assert t.loc[t["enhed"] == "borgere", "maalopfyldelse_procent"].tolist() == [97.0, 30.0]
    assert t.loc[t["enhed"] == "virksomheder", "maalopfyldelse_procent"].item() == 200.0
    shown = protect_table(t, min_cell_size=5, keys=["maal"])
    small = shown.loc[(shown["projekt"] == "Lille projekt") & (shown["enhed"] == "borgere")].iloc[0]
    assert pd.isna(small["antal_opnaaet"]) and pd.isna(small["maalopfyldelse_andel"])
    assert pd.isna(small["maalopfyldelse_procent"])
    assert small["maal"] == 10  # the planned target is a key, never masked
    big = shown.loc[shown["enhed"] == "medarbejdere"].iloc[0]
    assert big["antal_opnaaet"] == 425 and big["maalopfyldelse_procent"] == 118


def test_targets_are_the_printed_rule_read_from_the_protected_table(tmp_path):
    from hko_research.analyses.puljeevaluering import ANALYSIS, targets
    from hko_research.analyses.puljeevaluering.load import load_dir
    from hko_research.publishing.targets import TablePicker

    L = load_dir(tmp_path)  # no files: the reference figures only
    assert targets.report_setting(L)
    picker = TablePicker({"maalopfyldelse": pj.maalopfyldelse(L)}, 5, keys=ANALYSIS.keys)
    assert targets.computed(picker) == {"pulje_kognitiv_maalopfyldelse_borgere": 0.97,
                                        "pulje_kognitiv_maalopfyldelse_jobcentre": 1.0,
                                        "pulje_kognitiv_maalopfyldelse_medarbejdere": 1.18}
    # a user's file that changes the evaluated project's figures leaves the study's setting
    (tmp_path / "puljeprojekter.csv").write_text(
        "projekt;pulje;indikator;enhed;maal;opnaaet;opgjort_pr;omtrentlig;kilde\n"
        "Flere med kognitive handicap i job;Handicappuljer 2019;"
        "Borgere kommet/blevet fastholdt i job ved hjælp af kompenserende ordninger;borgere;240;239;2022-12-31;nej;ny\n",
        encoding="utf-8")
    L2 = load_dir(tmp_path)
    assert not targets.report_setting(L2) and len(L2.projekter) == 3
    picker = TablePicker({"maalopfyldelse": pj.maalopfyldelse(L2)}, 5, keys=ANALYSIS.keys)
    assert targets.computed(picker)["pulje_kognitiv_maalopfyldelse_borgere"] == 0.99
