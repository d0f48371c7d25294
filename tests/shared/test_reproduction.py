"""reproduction.py: tolerances per unit, statuses, merge of the notebooks' rows, summary."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hko_research.paths import REPORT_TARGETS
from hko_research.publishing import reproduction as rp

TARGETS = {
    "s_big": {"id": "s_big", "value": "0.42", "unit": "share", "measure": "andel", "source_line": "10"},
    "s_small": {"id": "s_small", "value": "0.002", "unit": "share", "measure": "anvendelsesgrad", "source_line": "11"},
    "c": {"id": "c", "value": "742", "unit": "count", "measure": "antal sager", "source_line": "12"},
    "c_small": {"id": "c_small", "value": "11", "unit": "count", "measure": "initiativer", "source_line": "13"},
    "w": {"id": "w", "value": "8.5", "unit": "weeks", "measure": "sagsbehandlingstid", "source_line": "14"},
    "k": {"id": "k", "value": "0.69", "unit": "share", "measure": "screener (konflikt)", "source_line": "15"},
}


# ---- tolerance_for: one assertion set per unit -------------------------------------------------

@pytest.mark.parametrize("value, expected", [(0.42, 0.02), (0.05, 0.02), (0.002, 0.0004), (0.0005, 0.0002), (0.0, 0.0002)])
def test_share_tolerance_absolute_above_5pct_relative_below(value, expected):
    assert rp.tolerance_for("share", value) == pytest.approx(expected)


def test_share_tiny_usage_rate_is_not_trivially_ok():
    # 0.2 pct. usage vs pipeline 1 pct.: within an absolute ±0.02, but must be a deviation.
    rows = rp.compare([("s_small", "0.01")], targets=TARGETS, conflicts={})
    assert rows[0]["status"] == "afvigelse" and rows[0]["ok"] is False


@pytest.mark.parametrize("value, expected", [(742, 14.84), (11, 0.5), (25, 0.5), (1000, 20.0)])
def test_count_tolerance_two_percent_min_half(value, expected):
    assert rp.tolerance_for("count", value) == pytest.approx(expected)


def test_small_counts_must_match_exactly():
    rows = rp.compare([("c_small", "12")], targets=TARGETS, conflicts={})
    assert rows[0]["status"] == "afvigelse"
    assert rp.compare([("c_small", "11")], targets=TARGETS, conflicts={})[0]["status"] == "ok"


def test_dkk_tolerance_five_percent():
    assert rp.tolerance_for("dkk", 549_300_000) == pytest.approx(27_465_000)
    assert rp.tolerance_for("dkk", -200) == pytest.approx(10)


@pytest.mark.parametrize("unit, expected", [
    ("weeks", 0.3), ("months", 0.5), ("hours", 0.5), ("ratio", 0.02), ("pct_points", 0.005),
    ("years", 1.0), ("rank", 0.0), ("days", 1.0), ("scale_1_5", 0.1), ("scale_0_10", 0.2),
])
def test_absolute_tolerances(unit, expected):
    assert rp.tolerance_for(unit, 3.0) == expected
    assert rp.tolerance_for(unit, 300.0) == expected  # independent of the value


def test_unknown_unit_raises():
    with pytest.raises(ValueError, match="furlongs"):
        rp.tolerance_for("furlongs", 1.0)


def test_every_unit_in_report_targets_has_a_tolerance():
    with open(REPORT_TARGETS, newline="", encoding="utf-8") as fh:
        units = {row["unit"] for row in csv.DictReader(fh)}
    for unit in units:
        assert rp.tolerance_for(unit, 1.0) >= 0


# ---- compare: statuses and errors ----------------------------------------------------------------

def test_boundary_is_inclusive_and_beyond_is_deviation():
    rows = {r["id"]: r for r in rp.compare([("s_big", "0.44"), ("w", "8.81")], targets=TARGETS, conflicts={})}
    assert rows["s_big"]["ok"] is True and rows["s_big"]["status"] == "ok"  # |0.44-0.42| == 0.02
    assert rows["w"]["ok"] is False and rows["w"]["status"] == "afvigelse"  # 0.31 > 0.3


def test_suppressed_and_conflict_statuses():
    rows = {r["id"]: r for r in rp.compare(
        [("c", ""), ("k", "0.61"), ("s_big", "0.43")], targets=TARGETS,
        conflicts={"k": "61 pct. vs 69 pct. in the report"})}
    assert rows["c"]["status"] == "undertrykt" and rows["c"]["ok"] is None and rows["c"]["pipeline_value"] is None
    assert rows["k"]["status"] == "konflikt" and rows["k"]["ok"] is None
    assert rows["s_big"]["status"] == "ok"


def test_unknown_duplicate_and_non_numeric_ids_are_errors_listed_together():
    with pytest.raises(rp.ReproductionError) as err:
        rp.compare([("nope_id", "1"), ("c", "742"), ("c", "741"), ("w", "otte")], targets=TARGETS, conflicts={})
    msg = str(err.value)
    assert "nope_id" in msg and "duplicate id 'c'" in msg and "otte" in msg


def test_unknown_id_against_the_real_report_targets():
    with pytest.raises(rp.ReproductionError, match="d9_findes_ikke"):
        rp.compare([("d9_findes_ikke", "1")])


# ---- files: build, write, read, summarise --------------------------------------------------------

def test_build_write_read_roundtrip(tmp_path: Path):
    a = tmp_path / "01.csv"
    a.write_text("id,pipeline_value\nd0_s11_satspulje_initiativer,11\nd0_tabel1_sagsgennemgang_n,650\n")
    b = tmp_path / "02.csv"
    b.write_text("id,pipeline_value\nd0_s11_andel_handicap_i_job,\n")
    conflicts = tmp_path / "conflicts.yaml"
    conflicts.write_text("# test\nd0_tabel1_ekspertinterview: reported twice\n")
    rows = rp.build([a, b], conflicts_path=conflicts)
    out = rp.write_csv(rows, tmp_path / "reproduction.csv")
    with open(out, newline="") as fh:
        header = next(csv.reader(fh))
    assert header == ["id", "report_value", "pipeline_value", "tolerance", "ok", "unit", "status", "measure", "source_line"]
    back = {r["id"]: r for r in rp.read_csv(out)}
    assert back["d0_s11_satspulje_initiativer"]["ok"] is True
    assert back["d0_s11_satspulje_initiativer"]["report_value"] == 11.0
    assert back["d0_s11_satspulje_initiativer"]["source_line"] == "125"
    assert back["d0_tabel1_sagsgennemgang_n"]["status"] == "afvigelse"
    assert back["d0_s11_andel_handicap_i_job"]["status"] == "undertrykt"
    assert rp.summarise(rp.read_csv(out)) == {"compared": 2, "ok": 1, "share_ok": 0.5, "suppressed": 1, "conflicts": 0}


def test_missing_columns_in_a_notebook_file(tmp_path: Path):
    bad = tmp_path / "x.csv"
    bad.write_text("id,value\nc,1\n")
    with pytest.raises(rp.ReproductionError, match="pipeline_value"):
        rp.build([bad])


def test_summarise_accepts_a_dataframe():
    import pandas as pd

    rows = rp.compare([("s_big", "0.42"), ("c", "700"), ("c_small", ""), ("k", "0.5")], targets=TARGETS,
                      conflicts={"k": "x"})
    s = rp.summarise(pd.DataFrame(rows))
    assert s == {"compared": 2, "ok": 1, "share_ok": 0.5, "suppressed": 1, "conflicts": 1}
    assert rp.summarise([])["share_ok"] is None


def test_shipped_conflicts_file_is_a_mapping_of_known_ids():
    conflicts = rp.load_conflicts()
    assert isinstance(conflicts, dict)
    targets = rp.load_targets()
    assert set(conflicts) <= set(targets)
