"""Fastholdelse and øgede løntimer on hand-built panels with traps, through the same path as the
notebook: delanalyse 3's index grant (a person with two grants), the løntimer panel read from a
data folder (``udfald.panel``), the month before a January grant in the previous year, the third
month after a November grant in the next year, a grant whose outcome month lies after the panel,
a person who left the country, the same number of hours after as before. Each expected flag was
worked out by hand; plausible wrong definitions, swapped in, must fail the comparison."""
from __future__ import annotations

import pandas as pd
import pytest

from hko_research.analyses.d3_brug.load import index_grants
from hko_research.analyses.d5_tvaergaaende import measures as M
from hko_research.analyses.d5_tvaergaaende import udfald as U

NA = pd.NA


def test_months_before_and_after_cross_the_year():
    start = pd.Series(pd.to_datetime(["2019-01-15", "2019-11-30", "2019-06-01"]))
    assert M.maaned_foer(start).tolist() == [2018 * 12 + 11, 2019 * 12 + 9, 2019 * 12 + 4]  # Dec 2018, Oct, May
    assert M.maaned_efter(start).tolist() == [2019 * 12 + 3, 2020 * 12 + 1, 2019 * 12 + 8]  # Apr, Feb 2020, Sep
    assert M.maaned_nr([2018], [12]).tolist() == [2018 * 12 + 11]


def test_measure_definitions_on_single_values():
    foer = pd.Series([0.0, 100.0, 100.0, 100.0, 40.0, None, 80.0])
    efter = pd.Series([50.0, 100.0, 0.0, 60.0, 160.0, 50.0, None])
    # fastholdelse: only those with hours before; fewer hours still fastholdt; unknown stays unknown
    assert M.fastholdelse(foer, efter).tolist() == [NA, True, False, True, True, NA, NA]
    # øgede løntimer: strictly more; from no hours to hours is an increase in the "alle" population
    assert M.oegede_loentimer(foer, efter, population="alle").tolist() == [True, False, False, False, True, NA, NA]
    assert M.oegede_loentimer(foer, efter, population="med_loentimer").tolist() == [NA, False, False, False, True, NA, NA]
    with pytest.raises(ValueError, match="unknown population"):
        M.oegede_loentimer(foer, efter, population="alle_modtagere")
    assert M.population_for("pa") == "med_loentimer" and M.population_for("hm") == "alle"
    assert M.population_for("pa", "alle") == "alle"


# ---------------------------------------------------------------------------- the trap panel
# (pnr, ordning, kommune, grants) -> what the index grant's months hold and the flags by hand
GRANTS = [
    ("A", "hm", 101, ["2019-03-10"]),                # no hours before, hours after
    ("B", "hm", 101, ["2019-01-15"]),                # before = December 2018; same hours in April
    ("C", "pa", 147, ["2019-11-20"]),                # after = February 2020 (next year)
    ("D", "pa", 147, ["2019-02-05", "2019-08-01"]),  # two grants: the first one is the index grant
    ("E", "hm", 101, ["2019-05-02"]),                # hours before, none after (not fastholdt)
    ("F", "hm", 101, ["2019-06-17"]),                # left the country: not in BEF 2019 -> not followed
    ("G", "pa", 147, ["2021-10-04"]),                # after = January 2022: outside the panel
    ("H", "hm", 101, ["2019-07-01"]),                # 160 -> 40 hours: fastholdt, not increased
]
HOURS = [  # (pnr, year, month, hours); absent = 0 in a covered month
    ("A", 2019, 6, 37.0), ("A", 2019, 3, 20.0),      # grant month itself does not count
    ("B", 2018, 12, 120.0), ("B", 2019, 1, 0.5), ("B", 2019, 4, 120.0),
    ("C", 2019, 10, 80.0), ("C", 2020, 2, 120.0), ("C", 2019, 2, 10.0),  # Feb 2019: the wrong year
    ("D", 2019, 1, 50.0), ("D", 2019, 5, 60.0), ("D", 2019, 7, 160.0), ("D", 2019, 11, 0.1),
    ("E", 2019, 4, 100.0),
    ("F", 2019, 5, 90.0), ("F", 2019, 9, 90.0),
    ("G", 2021, 9, 100.0), ("G", 2021, 12, 150.0),
    ("H", 2019, 6, 160.0), ("H", 2019, 10, 40.0),
    ("Z", 2017, 1, 1.0), ("Z", 2021, 12, 1.0),        # another person: the panel spans 2017-01 .. 2021-12
]
# BEF: everybody resident 2017-2021, except F (gone from 2019)
BEF = [(p, y) for p in "ABCDEGHZ" for y in range(2017, 2022)] + [("F", 2017), ("F", 2018)]
EXPECTED = {  # pnr: (observerbar, timer_foer, timer_efter, fastholdt, oeget_alle, oeget_med_loentimer)
    "A": (True, 0.0, 37.0, NA, True, NA),
    "B": (True, 120.0, 120.0, True, False, False),
    "C": (True, 80.0, 120.0, True, True, True),
    "D": (True, 50.0, 60.0, True, True, True),
    "E": (True, 100.0, 0.0, False, False, False),
    "F": (False, NA, NA, NA, NA, NA),
    "G": (False, NA, NA, NA, NA, NA),
    "H": (True, 160.0, 40.0, True, False, False),
}
GRUND = {"F": "ikke_bosat", "G": "uden_for_panel"}


@pytest.fixture(scope="module")
def trap_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("d5_traps")
    pd.DataFrame(HOURS, columns=["pnr", "aar", "maaned", "loentimer"]).to_csv(d / "loentimer.csv", sep=";", index=False)
    bef = pd.DataFrame(BEF, columns=["pnr", "aar"]).assign(koen=1, alder=40, kom=101)
    bef.loc[bef["pnr"] == "C", "koen"] = 2
    bef.to_csv(d / "bef.csv", sep=";", index=False)
    return d


def recipients() -> pd.DataFrame:
    """Delanalyse 3's recipients of the period 2018-2019 (2020-2021 for G), by its own index rule."""
    rows = [{"ordning": o, "pnr": p, "kommunekode": k, "start": pd.Timestamp(s), "grant_id": f"{p}{i}"}
            for p, o, k, starts in GRANTS for i, s in enumerate(starts)]
    return index_grants(pd.DataFrame(rows)).drop(columns="grant_id")


def check(frame: pd.DataFrame) -> dict[str, tuple]:
    """{pnr: (expected, got)} for every person whose row differs from the hand-computed one."""
    cols = ["observerbar", "timer_foer", "timer_efter", "fastholdt", "oeget_alle", "oeget_med_loentimer"]
    got = frame.set_index("pnr")
    bad = {}
    for p, want in EXPECTED.items():
        have = tuple(got.at[p, c] for c in cols)
        same = all((w is NA and (h is NA or pd.isna(h))) or (w is not NA and not pd.isna(h) and h == w)
                   for w, h in zip(want, have))
        if not same:
            bad[p] = (want, have)
    return bad


def test_panel_matches_the_hand_computed_flags(trap_dir):
    rec = recipients()
    assert rec.set_index("pnr").at["D", "start"] == pd.Timestamp("2019-02-05")  # the first of two grants
    frame, facts = U.panel(trap_dir, rec)
    assert check(frame) == {}
    assert dict(frame.loc[~frame["observerbar"], ["pnr", "grund"]].values) == GRUND
    assert facts["loentimer"] == (2017 * 12, 2021 * 12 + 11)
    assert frame.set_index("pnr").at["C", "koen"] == "kvinde" and frame.set_index("pnr").at["B", "alder"] == 40
    # the øgede flag in the report's population per ordning: PA with hours before, HM all followed
    flags = U.oeget(frame).set_axis(frame["pnr"])
    assert bool(flags["A"])  # hjælpemidler: from no hours to hours counts
    assert bool(flags["C"]) and pd.isna(flags["G"])
    assert not pd.isna(flags["E"]) and not bool(flags["E"])  # hours before, none after
    assert U.oeget(frame, "med_loentimer").set_axis(frame["pnr"]).isna()["A"]  # the other population


_FOER, _EFTER = M.maaned_foer, M.maaned_efter


def _wrong_before(start):  # the grant month instead of the month before
    return _FOER(start) + 1


def _wrong_after(start):  # two months after instead of three
    return _EFTER(start) - 1


def _same_year(start):  # the month after computed inside the grant's year (December wraps to January)
    s = pd.to_datetime(pd.Series(start))
    return (s.dt.year * 12 + (s.dt.month - 1 + M.MAANEDER_EFTER) % 12).astype("Int64")


def _at_least(foer, efter, *, population="alle"):  # ">=" instead of ">"
    f, e = pd.to_numeric(pd.Series(foer)), pd.to_numeric(pd.Series(efter))
    return (e >= f).astype("boolean").where(f.notna() & e.notna())


def _kept_if_any(foer, efter):  # fastholdelse over everybody, not only those with hours before
    e = pd.to_numeric(pd.Series(efter))
    return (e > 0).astype("boolean").where(e.notna())


@pytest.mark.parametrize("target,mutant", [
    ("maaned_foer", _wrong_before), ("maaned_efter", _wrong_after), ("maaned_efter", _same_year),
    ("oegede_loentimer", _at_least), ("fastholdelse", _kept_if_any),
])
def test_plausible_wrong_definitions_are_caught(trap_dir, monkeypatch, target, mutant):
    monkeypatch.setattr(M, target, mutant)
    frame, _ = U.panel(trap_dir, recipients())
    assert check(frame), f"the traps do not catch the mutant {mutant.__name__}"


def test_zero_hours_are_not_unknown_and_unknown_is_not_zero(trap_dir):
    """A covered month without a row is 0 hours (A before, E after); a month outside the panel or a
    person not resident gives no hours at all (G, F), so they leave both denominators."""
    frame, _ = U.panel(trap_dir, recipients())
    f = frame.set_index("pnr")
    assert f.at["A", "timer_foer"] == 0 and f.at["E", "timer_efter"] == 0
    assert f.loc[["F", "G"], ["timer_foer", "timer_efter"]].isna().all().all()
    assert int(frame["fastholdt"].notna().sum()) == 5  # B, C, D, E, H
    assert int(frame["oeget_alle"].notna().sum()) == 6
