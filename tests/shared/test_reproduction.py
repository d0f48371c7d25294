"""reproduction.py (the printed-precision rule, statuses, every target with a row, derived numbers,
conflicts) and publishing.targets (targets.yaml, look-ups, states, details)."""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from hko_research.paths import PACKAGE_DIR, REPORT_TARGETS
from hko_research.publishing import reproduction as rp
from hko_research.publishing import targets as tg

TARGETS = {
    "s_big": {"id": "s_big", "value": "0.42", "unit": "share", "quote": "42 pct. af borgerne", "measure": "andel",
              "source_line": "10", "delanalyse": "3"},
    "s_small": {"id": "s_small", "value": "0.002", "unit": "share", "quote": "(0,2 pct. af befolkningen)",
                "measure": "anvendelsesgrad", "source_line": "11", "delanalyse": "3"},
    "c": {"id": "c", "value": "742", "unit": "count", "quote": "742 bevillinger", "measure": "antal sager",
          "source_line": "12", "delanalyse": "3"},
    "w": {"id": "w", "value": "8.6", "unit": "weeks", "quote": "8,6 uger", "measure": "sagsbehandlingstid",
          "source_line": "14", "delanalyse": "3"},
    "k": {"id": "k", "value": "0.61", "unit": "share", "quote": "61 pct. screener", "measure": "screener",
          "source_line": "15", "delanalyse": "3", "conflict": "s_big"},
    "tab": {"id": "tab", "value": "0.825", "unit": "share", "quote": "Personlig assistance\t82,5 pct.\t2,6 pct.",
            "measure": "eneste indsats", "source_line": "20", "delanalyse": "3"},
    "txt17": {"id": "txt17", "value": "0.17", "unit": "share", "quote": "17 pct. har fået en parallelsindsats",
              "measure": "parallel", "source_line": "21", "delanalyse": "3"},
    "txt18": {"id": "txt18", "value": "0.18", "unit": "share", "quote": "for 18 pct. af borgerne", "measure": "parallel",
              "source_line": "22", "delanalyse": "3"},
    "d0x": {"id": "d0x", "value": "11", "unit": "count", "quote": "11 initiativer", "measure": "x", "source_line": "1",
            "delanalyse": "0"},
    "d2x": {"id": "d2x", "value": "0.5", "unit": "share", "quote": "50 pct.", "measure": "x", "source_line": "2",
            "delanalyse": "2"},
}


# ---- the printed-precision rule -----------------------------------------------------------------

@pytest.mark.parametrize("value, unit, quote, lo, hi", [
    (0.07, "share", "Aarhus udgør henholdsvis 7 og 3 pct.", 0.065, 0.075),          # whole percent
    (0.032, "share", "havde 3,2 pct. fået bevilliget", 0.0315, 0.0325),             # one decimal
    (0.0, "share", "Isbryder\t0,1 pct.\t0,0 pct.\t65,9 pct.", 0.0, 0.0005),          # "0,0 pct."
    (0.00014, "share", "nedre grænse er 0,014 pct.", 0.000135, 0.000145),
    (9400, "dkk", "DKK 9.400 pr. hjælpemiddel", 9350, 9450),                        # trailing zeros in kroner
    (230379, "dkk", "DKK 230.379,-.", 230378.5, 230379.5),
    (62_100_000, "dkk", "DKK 62,1 millioner på hjælpemidler", 62_050_000, 62_150_000),
    (32344, "count", "32.344 hjælpemidler", 32343.5, 32344.5),                     # counts are exact
    (100, "count", "(100 sager)", 99.5, 100.5),                                    # ... also with zeros
    (8.6, "weeks", "hjælpemidler 8,6 uger", 8.55, 8.65),
    (-0.02, "ratio", "faldet med 2 pct.", -0.025, -0.015),                         # a fall keeps its sign
    (0.5, "share", "over halvdelen af casekommunerne", 0.5, math.inf),             # bounds
    (0.45, "share", "Over 45 pct. af borgerne", 0.45, math.inf),
    (0.01, "share", "mindre end 1 pct. er afslagssager", 0.0, 0.01),              # a share is never < 0
    (3, "ratio", "forkortet op til tre gange", -math.inf, 3),
    (0.88, "share", "Knap 88 pct. af borgerne", 0.87, 0.88),                       # knap: just under
    (111000, "dkk", "knap DKK 111.000,-", 110000, 111000),
    (0.5, "share", "Ca. halvdelen vurderer", 5 / 12, 7 / 12),                      # verbal fraction ladder
    (0.25, "share", "knap hver fjerde personlige assistent", 0.225, 0.25),
    (0.333333, "share", "Knap hver tredje borger", 7 / 24, 1 / 3),
    (4, "count", "100 pct. af sagerne i fire casekommuner", 3.5, 4.5),             # numeral in words
])
def test_printed_interval(value, unit, quote, lo, hi):
    got_lo, got_hi, _ = rp.printed_interval(value, unit, quote)
    assert got_lo == pytest.approx(lo) and got_hi == pytest.approx(hi)


def test_a_definition_is_compared_without_its_bound_words():
    # "under 0,2 pct." as a band edge: the threshold itself must be 0,2 pct., not anything below it
    assert rp.printed_interval(0.002, "share", "Lav: under 0,2 pct. af befolkningen", definition=True)[:2] == \
        pytest.approx((0.0015, 0.0025))
    assert rp.printed_interval(0.002, "share", "Lav: under 0,2 pct. af befolkningen")[:2] == (0.0, 0.002)


def test_the_issues_rows_at_printed_precision():
    # rows the issue names: judged at half a printed unit, not ±2 pp
    def ok(v, value, unit, quote):
        lo, hi, _ = rp.printed_interval(value, unit, quote)
        return rp.is_consistent(v, lo, hi)

    assert ok(0.0143, 0.01, "share", "henholdsvis 10 og 1 pct.")          # isbryder's udgiftsandel
    assert ok(0.0153, 0.02, "share", "2 pct. af den samlede befolkning")   # Herning
    assert ok(0.00034, 0.0, "share", "Isbryder\t0,1 pct.\t0,0 pct.")      # Tabel 16 HM -> isbryder
    assert not ok(0.060, 0.07, "share", "Aarhus udgør henholdsvis 7 og 3 pct.")  # passed at ±2 pp


def test_every_delanalyse_3_target_has_its_printed_number_in_the_quote():
    """The precision of each d3 target comes from the number as printed, never from a fallback."""
    fallbacks = [tid for tid, t in rp.load_targets().items()
                 if tid.startswith("d3_") and rp.printed_interval(float(t["value"]), t["unit"], t["quote"])[2].startswith("~")]
    assert fallbacks == []


def test_rounding_as_printed_and_the_interval_ends():
    assert rp.round_as_printed(0.82495, 0.001) == pytest.approx(0.825)
    assert rp.round_as_printed(0.1749, 0.01) == pytest.approx(0.17)
    assert rp.is_consistent(0.415, 0.415, 0.425) and rp.is_consistent(0.425, 0.415, 0.425)  # both ends count
    assert not rp.is_consistent(0.4251, 0.415, 0.425)


# ---- statuses -----------------------------------------------------------------------------------

def _compare(pairs, **kw):
    kw.setdefault("conflicts", {})
    return {r["id"]: r for r in rp.compare(pairs, targets=TARGETS, **kw)}


def test_ok_and_deviation_at_half_the_printed_unit():
    rows = _compare([("s_big", "0.425"), ("w", "8.66"), ("c", "742")])
    assert rows["s_big"]["status"] == "ok" and rows["s_big"]["ok"] is True
    assert rows["w"]["status"] == "afvigelse" and rows["w"]["ok"] is False  # 8,66 would print 8,7
    assert rows["c"]["status"] == "ok"
    assert _compare([("c", "741")])["c"]["status"] == "afvigelse"


def test_suppressed_missing_and_not_computed_come_from_the_notebooks_details():
    details = [{"notebook": "03_x", "prefixes": ["s", "c", "w"], "targets": {
        "s_big": {"kind": "table", "state": "undertrykt"},
        "c": {"kind": "kode", "state": "mangler", "reason": "pipelinens nr. 3 er andet"},
        "w": {"kind": "ikke_beregnet", "state": "ikke_beregnet", "reason": "data ikke offentliggjort"},
        "txt17": {"kind": "alias_of", "state": "beregnet", "alias_of": "s_big"},
    }}]
    rows = _compare([("s_big", ""), ("c", ""), ("txt17", "0.17")], details=details)
    assert rows["s_big"]["status"] == "undertrykt" and rows["s_big"]["ok"] is None
    assert rows["c"]["status"] == "afvigelse" and rows["c"]["ok"] is False  # no zero-fill: missing fails
    assert "andet" in rows["c"]["reason"]
    assert rows["w"]["status"] == "ikke_beregnet" and rows["w"]["reason"] == "data ikke offentliggjort"
    assert rows["txt17"]["alias_of"] == "s_big"


def test_conflict_quotes_both_report_lines():
    rows = _compare([("k", "0.61"), ("s_big", "0.42")],
                    conflicts={"k": {"begrundelse": "61 mod 42", "mod": []}})  # mod from the conflict column
    assert rows["k"]["status"] == "konflikt" and rows["k"]["ok"] is None
    assert "«61 pct. screener» (l.15)" in rows["k"]["reason"] and "«42 pct. af borgerne» (l.10, s_big)" in rows["k"]["reason"]
    assert rows["s_big"]["status"] == "ok"


def test_complete_gives_every_target_a_row_with_the_reason():
    details = [{"notebook": "03_x", "prefixes": ["s"], "targets": {}}]
    rows = _compare([("s_big", "0.42")], details=details, complete=True,
                    prefixes={"s": "03_x", "c": "03_x", "d2": "02_viden"})
    assert set(rows) == set(TARGETS)
    assert rows["s_small"]["status"] == "ikke_beregnet" and "skrev ingen værdi" in rows["s_small"]["reason"]
    assert "indgik ikke i kørslen" in rows["d2x"]["reason"]  # a registered analysis that did not run
    assert "kapitel 1-2 og 9" in rows["d0x"]["reason"]
    assert all(r["reason"] for r in rows.values() if r["status"] == "ikke_beregnet")


def test_a_derived_number_is_judged_as_the_report_made_it():
    # Tabel 16: 82,5 pct. only PA (l.1441); the text prints 100 - 82,5 as 17 (l.1428) and as 18 (l.1734)
    derived = {"txt17": {"fra": ["tab"], "som": "1 - x"}, "txt18": {"fra": ["tab"], "som": "1 - x"}}
    for none in (6051 / 7335, 6052 / 7335):  # the two counts next to 82,5 pct. of 7.335
        rows = _compare([("tab", repr(none)), ("txt17", repr(1 - none)), ("txt18", repr(1 - none))], derived=derived)
        assert rows["tab"]["status"] == "ok"
        assert rows["txt17"]["status"] == rows["txt18"]["status"] == "ok", (none, rows["txt17"], rows["txt18"])
    # without the rule one of the two fails, whichever count the data have
    plain = _compare([("txt17", repr(1 - 6051 / 7335)), ("txt18", repr(1 - 6051 / 7335))])
    assert {plain["txt17"]["status"], plain["txt18"]["status"]} == {"ok", "afvigelse"}
    # and a source far off still fails the derived number
    assert _compare([("tab", "0.80"), ("txt17", "0.20")], derived=derived)["txt17"]["status"] == "afvigelse"


def test_unknown_duplicate_and_non_numeric_ids_are_errors_listed_together():
    with pytest.raises(rp.ReproductionError) as err:
        rp.compare([("nope_id", "1"), ("c", "742"), ("c", "741"), ("w", "otte")], targets=TARGETS, conflicts={})
    msg = str(err.value)
    assert "nope_id" in msg and "duplicate id 'c'" in msg and "otte" in msg
    with pytest.raises(rp.ReproductionError, match="d9_findes_ikke"):
        rp.compare([("d9_findes_ikke", "1")])


# ---- files: build, write, read, counts ----------------------------------------------------------

def test_build_write_read_roundtrip_with_every_target(tmp_path: Path):
    a = tmp_path / "01.csv"
    a.write_text("id,pipeline_value\nd0_s11_satspulje_initiativer,11\nd0_tabel1_sagsgennemgang_n,650\n"
                 "d0_tabel1_ekspertinterview,11\n")
    b = tmp_path / "02.csv"
    b.write_text("id,pipeline_value\nd0_s11_andel_handicap_i_job,\n")
    conflicts = tmp_path / "conflicts.yaml"
    conflicts.write_text("d0_tabel1_ekspertinterview: reported twice\nd0_hk_interview_medarbejdere: 40 mod 48\n")
    rows = rp.build([a, b], conflicts_path=conflicts)
    assert len(rows) == len(rp.load_targets())  # every target, computed or not
    out = rp.write_csv(rows, tmp_path / "reproduction.csv")
    with open(out, newline="") as fh:
        assert tuple(next(csv.reader(fh))) == rp.COLUMNS
    back = {r["id"]: r for r in rp.read_csv(out)}
    assert back["d0_s11_satspulje_initiativer"]["ok"] is True
    assert back["d0_tabel1_sagsgennemgang_n"]["status"] == "afvigelse"
    assert back["d0_s11_andel_handicap_i_job"]["status"] == "undertrykt"
    assert back["d0_tabel1_ekspertinterview"]["status"] == "konflikt"
    # a conflict no notebook of the run handled is not computed, and the reason says both
    assert back["d0_hk_interview_medarbejdere"]["status"] == "ikke_beregnet"
    assert "40 mod 48" in back["d0_hk_interview_medarbejdere"]["reason"]
    assert rp.summarise(rp.read_csv(out)) == {"compared": 2, "ok": 1, "share_ok": 0.5, "suppressed": 1, "conflicts": 1}
    c = rp.counts(out)
    assert c["targets"] == len(rows) and sum(c["per_status"].values()) == len(rows)
    assert c["per_delanalyse"]["0"]["ok"] == 1 and c["distinct_values"] == 4  # three values and one suppressed
    assert sum(d["i_alt"] for d in c["per_delanalyse"].values()) == len(rows)


def test_missing_columns_in_a_notebook_file(tmp_path: Path):
    bad = tmp_path / "x.csv"
    bad.write_text("id,value\nc,1\n")
    with pytest.raises(rp.ReproductionError, match="pipeline_value"):
        rp.build([bad])


def test_counts_do_not_count_aliases_twice():
    rows = [{"status": "ok", "delanalyse": "3", "pipeline_value": 0.4, "alias_of": ""},
            {"status": "ok", "delanalyse": "3", "pipeline_value": 0.4, "alias_of": "a"},
            {"status": "undertrykt", "delanalyse": "3", "pipeline_value": None, "alias_of": ""},
            {"status": "ikke_beregnet", "delanalyse": "3", "pipeline_value": None, "alias_of": ""}]
    c = rp.counts(pd.DataFrame(rows))
    assert c["distinct_values"] == 2 and c["per_status"]["ok"] == 2 and c["per_delanalyse"]["3"]["i_alt"] == 4


# ---- the shipped reference files ----------------------------------------------------------------

def test_shipped_conflicts_name_known_ids_and_a_reason():
    conflicts, targets = rp.load_conflicts(), rp.load_targets()
    assert set(conflicts) <= set(targets)
    for tid, c in conflicts.items():
        assert c["begrundelse"].strip(), tid
        others = c["mod"] or [x for x in targets[tid].get("conflict", "").split(";") if x]
        assert others and set(others) <= set(targets), tid  # both lines can be quoted


def test_every_impossible_share_claim_is_really_impossible():
    """A conflict that says a printed share is impossible as k/n: no whole k lies within half a
    printed unit (and one more count would make it possible: the claim is not vacuous)."""
    targets = rp.load_targets()
    claims = {tid: c["n"] for tid, c in rp.load_conflicts().items() if "n" in c}
    assert len(claims) >= 5
    for tid, n in claims.items():
        t = targets[tid]
        lo, hi, _ = rp.printed_interval(float(t["value"]), t["unit"], t["quote"])
        assert not any(lo - 1e-12 <= k / n <= hi + 1e-12 for k in range(n + 1)), tid


def test_shipped_derivations_point_at_known_ids():
    targets = rp.load_targets()
    for tid, d in rp.load_derived().items():
        assert tid in targets and set(d["fra"]) <= set(targets), tid


# ---- publishing.targets: targets.yaml and record() ----------------------------------------------

def test_load_spec_rejects_malformed_entries(tmp_path: Path):
    p = tmp_path / "targets.yaml"
    p.write_text("a: {table: t, alias_of: b}\nb: {ikke_beregnet: ''}\nc: {kode: x, colum: andel}\n"
                 "d: {ikke_beregnet: why, definition: true}\ne: {table: t, where: [1]}\n")
    with pytest.raises(tg.TargetSpecError) as err:
        tg.load_spec(p)
    msg = str(err.value)
    for needle in ("a: needs exactly one", "b: ikke_beregnet needs the reason", "c: unknown key", "d: definition",
                   "e: where must be"):
        assert needle in msg


def _results():
    # d protects b (b = n - a - c - d otherwise): the smallest cell that can, so a stays shown
    return {"t": pd.DataFrame({"niveau": ["Hele landet"] * 4, "kategori": ["a", "b", "c", "d"], "antal": [40, 3, 0, 9],
                               "n": [52] * 4, "andel": [40 / 52, 3 / 52, 0.0, 9 / 52]})}


def test_record_states_aliases_and_details(tmp_path: Path):
    spec = {"x_a": {"table": "t", "where": {"kategori": "a"}},
            "x_b": {"table": "t", "where": {"kategori": "b"}},            # 3 < 5: suppressed
            "x_z": {"table": "t", "where": {"kategori": "z"}},            # no such row: missing, never 0
            "x_c": {"table": "t", "where": {"kategori": "c"}, "definition": True},
            "x_alias": {"alias_of": "x_a"},
            "x_kode": {"kode": "a - b"},
            "x_no": {"ikke_beregnet": "not published"}}

    def code(P):
        P.note("x_kode", "computed in code")
        return {"x_kode": P("t", kategori="a") - P("t", kategori="b")}

    values, details = tg.record(spec, _results(), 5, code, notebook="99_x", analysis="x", prefixes=("x_",))
    st = {k: v["state"] for k, v in details["targets"].items()}
    assert st == {"x_a": "beregnet", "x_b": "undertrykt", "x_z": "mangler", "x_c": "beregnet",
                  "x_alias": "beregnet", "x_kode": "undertrykt", "x_no": "ikke_beregnet"}
    assert values["x_c"] == 0.0 and math.isnan(values["x_z"]) and values["x_alias"] == values["x_a"]
    assert details["targets"]["x_alias"]["alias_of"] == "x_a" and details["targets"]["x_c"]["definition"] is True
    assert details["targets"]["x_kode"]["reason"] == "computed in code"
    assert details["targets"]["x_no"]["reason"] == "not published" and "x_no" not in values
    a = tg.write_details(tmp_path / "a.json", details)
    b = tg.write_details(tmp_path / "b.json", json.loads(a.read_text()))
    assert a.read_bytes() == b.read_bytes()  # byte-identical outputs
    _, d1 = tg.record(spec, _results(), 1, code)
    assert d1["targets"]["x_b"]["state"] == "beregnet"  # min_cell_size 1 compares the suppressed


def test_code_ids_must_match_their_declaration():
    spec = {"x_kode": {"kode": "declared"}, "x_tab": {"table": "t", "where": {"kategori": "a"}}}
    with pytest.raises(tg.TargetSpecError, match="not computed in code"):
        tg.record(spec, _results(), 5, lambda P: {})
    with pytest.raises(tg.TargetSpecError, match="both looked up"):
        tg.record(spec, _results(), 5, lambda P: {"x_kode": 1.0, "x_tab": 1.0})


def test_every_registered_analysis_accounts_for_each_of_its_targets():
    """targets.yaml names every id of the analysis's prefixes (delanalyse 3 today), nothing else."""
    from hko_research import registry

    ids = list(rp.load_targets())
    for a in registry.analyses():
        spec_path = PACKAGE_DIR / "analyses" / a.name / "targets.yaml"
        if not a.target_prefixes or not spec_path.exists():
            continue
        spec = tg.load_spec(spec_path)
        mine = {i for i in ids if i.startswith(tuple(a.target_prefixes))}
        assert set(spec) == mine, (a.name, sorted(mine - set(spec))[:10], sorted(set(spec) - mine)[:10])
        assert all(str(e["ikke_beregnet"]).strip() for e in spec.values() if "ikke_beregnet" in e)
    assert REPORT_TARGETS.exists()
