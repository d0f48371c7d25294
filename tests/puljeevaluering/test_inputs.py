"""Contracts and loading of the two inputs: the shipped reference figures validate and are used when
the data folder has none; a user's file adds projects; broken files are reported with every
failure at once (file, column, check, row); the participant list is optional."""
from __future__ import annotations

import pandas as pd
import pytest

from hko_research.analyses.puljeevaluering import load as pl
from hko_research.inputs.checks import validate_dataset
from hko_research.inputs.contracts import input_path, load_contracts
from hko_research.paths import REFERENCE_DIR

NAMES = ["puljeprojekter", "puljedeltagere", "kommuner"]
HEADER = "projekt;pulje;indikator;enhed;maal;opnaaet;opgjort_pr;omtrentlig;kilde\n"


def _failures(report) -> set[tuple[str, str | None, str, int | None]]:
    return {(f.file, f.column, f.check, f.row) for f in report.failures}


def test_reference_figures_validate_and_are_used_without_a_user_file(tmp_path):
    c = load_contracts()["puljeprojekter"]
    assert c.reference and c.required and c.key == ("projekt", "indikator")
    assert input_path(tmp_path, c) == REFERENCE_DIR / "puljeprojekter.csv"
    report = validate_dataset(tmp_path, names=NAMES)
    assert report.ok, report.to_text()
    L = pl.load_dir(tmp_path)
    assert L.user_projects_file is None and L.reference_intact and L.deltagere is None
    p = L.projekter.set_index("enhed")
    assert p.loc["borgere", ["maal", "opnaaet"]].tolist() == [240, 234]
    assert p.loc["jobcentre", ["maal", "opnaaet"]].tolist() == [12, 12]
    assert p.loc["medarbejdere", ["maal", "opnaaet"]].tolist() == [360, 425]
    assert p["omtrentlig"].tolist() == [False, False, True]
    assert (p["opgjort_pr"] == pd.Timestamp("2022-06-30")).all()
    assert not (p["kilde"].str.strip() == "").any()


def test_user_file_adds_projects_and_keeps_the_reference(tmp_path):
    (tmp_path / "puljeprojekter.csv").write_text(
        HEADER + "Job i fokus;Pulje X;Borgere i job;borgere;50;40;2023-12-31;nej;egen opgørelse\n"
                 "Job i fokus;Pulje X;Virksomheder;virksomheder;20;25,5;2023-12-31;ja;egen opgørelse\n",
        encoding="utf-8")
    assert validate_dataset(tmp_path, names=NAMES).ok
    L = pl.load_dir(tmp_path)
    assert L.user_projects_file == tmp_path / "puljeprojekter.csv" and L.reference_intact
    assert len(L.projekter) == 5
    mine = L.projekter.loc[L.projekter["projekt"] == "Job i fokus"].set_index("enhed")
    assert mine.loc["virksomheder", "opnaaet"] == 25.5 and bool(mine.loc["virksomheder", "omtrentlig"])
    assert (mine["datakilde"] == "brugerens fil").all()


def test_broken_projects_file_lists_every_failure_at_once(tmp_path):
    (tmp_path / "puljeprojekter.csv").write_text(
        HEADER + "A;P;Borgere;borgere;0;5;2023-12-31;nej;k\n"          # row 1: goal 0
                 "A;P;Jobcentre;jobcentre;10;mange;2023-12-31;nej;k\n"  # row 2: opnået not a number
                 "A;P;Kurser;kurser;10;-2;31-12-2023;måske;k\n"         # row 3: negative, date format, bool
                 "A;P;Borgere;borgere;12;5;2023-12-31;nej;\n",          # row 4: duplicate key, no kilde
        encoding="utf-8")
    report = validate_dataset(tmp_path, names=NAMES)
    assert not report.ok
    got = _failures(report)
    f = "puljeprojekter.csv"
    for expected in [(f, "maal", "in_range", 1), (f, "opnaaet", "type:float", 2), (f, "opnaaet", "in_range", 3),
                     (f, "opgjort_pr", "type:date", 3), (f, "omtrentlig", "type:bool", 3),
                     (f, "kilde", "not_nullable", 4)]:
        assert expected in got, (expected, report.to_text())
    assert any(c == "unique_key" and r in (1, 4) for (_, _, c, r) in got)


def test_participants_contract_relation_and_dates(tmp_path):
    (tmp_path / "puljedeltagere.csv").write_text(
        "projekt;kommunekode;startdato;slutdato;kilde\n"
        "A;101;2020-01-01;;liste\n"
        "A;999;2020-01-01;;liste\n"          # row 2: not a kommune
        "A;147;2021-06-01;2020-12-31;liste\n"  # row 3: ends before it starts
        "A;101;2020-02-01;;liste\n",         # row 4: duplicate projekt + kommune
        encoding="utf-8")
    report = validate_dataset(tmp_path, names=NAMES)
    got = _failures(report)
    f = "puljedeltagere.csv"
    assert (f, "kommunekode", "relation:kommuner.kommunekode", 2) in got, report.to_text()
    assert (f, "startdato/slutdato", "date_order", 3) in got
    assert any(c == "unique_key" for (file, _, c, _) in got if file == f)
    (tmp_path / "puljedeltagere.csv").write_text(
        "projekt;kommunekode;startdato;slutdato;kilde\nA;101;2020-01-01;;liste\nB;147;2021-03-01;2022-06-30;liste\n",
        encoding="utf-8")
    assert validate_dataset(tmp_path, names=NAMES).ok
    L = pl.load_dir(tmp_path)
    assert not L.deltagere_syntetiske and L.deltagere["kommunekode"].tolist() == [101, 147]
    assert L.deltagerprojekter_uden_maal == ["A", "B"]  # participants without goal figures: listed


def test_participants_are_optional():
    c = load_contracts()["puljedeltagere"]
    assert not c.required and not c.reference


@pytest.mark.parametrize("kilde,synthetic", [("syntetisk", True), ("Syntetisk ", True), ("Cabi", False)])
def test_synthetic_participant_list_is_recognised_by_its_label(kilde, synthetic):
    d = pd.DataFrame({"projekt": ["A", "A"], "kommunekode": [101, 147], "kilde": [kilde, kilde]})
    L = pl.PuljeData(projekter=pl.reference_projects(), deltagere=d, user_projects_file=None, reference_intact=True)
    assert L.deltagere_syntetiske is synthetic
    mixed = d.assign(kilde=["syntetisk", "Cabi"])
    assert not pl.PuljeData(projekter=L.projekter, deltagere=mixed, user_projects_file=None,
                            reference_intact=True).deltagere_syntetiske
