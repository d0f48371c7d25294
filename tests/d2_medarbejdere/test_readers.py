"""The survey readers: a SurveyXact workbook, its CSV export (UTF-16 and ANSI), SPSS and the project's
long form give the same respondent table and codebook; SPSS metadata made by PSPP (missing codes, a
multi-response set, Danish letters) is read; bad input is reported with file, variable, row, value."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hko_research.analyses.d2_medarbejdere.synth import write_survey
from hko_research.inputs import surveyxact
from hko_research.inputs.checks import validate_dataset
from hko_research.inputs.readers import ReadProblem
from hko_research.inputs.survey import questionnaire, read_survey


@pytest.fixture(scope="module")
def default_survey(default_data_dir):
    return read_survey(default_data_dir)


@pytest.fixture(scope="module")
def small(default_survey):
    """The first 40 respondents of the default data (a quick table to write in every format)."""
    return default_survey.respondenter.head(40).reset_index(drop=True)


@pytest.mark.parametrize("fmt", ["sav", "lang", "surveyxact_csv", "ansi_csv"])
def test_every_format_gives_the_same_respondents_and_codebook(tmp_path, small, fmt):
    base_dir = tmp_path / "xlsx"
    write_survey(small, base_dir, "xlsx")
    base = read_survey(base_dir)
    assert base.format == "surveyxact"
    if fmt == "ansi_csv":  # SurveyXact's other CSV flavour: Windows-1252 with ';'
        (tmp_path / fmt).mkdir()
        surveyxact.write_csv_export(tmp_path / fmt / "medarbejdersurvey", small, questionnaire().codebook(),
                                    encoding="cp1252", sep=";")
        raw = (tmp_path / fmt / "medarbejdersurvey_labels.csv").read_bytes()
        assert "Højt".encode("cp1252")[:2] in raw or b"\xf8" in raw  # really ANSI: ø is one byte
    else:
        write_survey(small, tmp_path / fmt, fmt)
    got = read_survey(tmp_path / fmt)
    pd.testing.assert_frame_equal(got.respondenter, base.respondenter)
    pd.testing.assert_frame_equal(got.kodebog, base.kodebog)
    pd.testing.assert_frame_equal(base.respondenter, small)  # and the workbook round-trips the table itself
    assert got.kodebog.loc[got.kodebog["variabel"] == "q10a", "multi_set"].eq("q10").all()


def test_the_default_data_is_a_surveyxact_workbook_with_three_sheets(default_data_dir, default_survey):
    import openpyxl

    wb = openpyxl.load_workbook(default_data_dir / "medarbejdersurvey.xlsx", read_only=True)
    assert wb.sheetnames == ["Dataset", "Structure", "Labels"]
    assert default_survey.format == "surveyxact" and len(default_survey.respondenter) == 1163
    # every multi-select option is its own 0/1 column
    q10 = default_survey.respondenter[[f"q10{x}" for x in "abcdefghij"]]
    assert set(np.unique(q10.to_numpy(float))) <= {0.0, 1.0}


PSPP_SYNTAX = r"""
SET LOCALE='UTF-8'.
DATA LIST LIST /respondent_id (A6) q1 q2 q7a q10a q10b q10c q10d q10e q10f q10g q10h q10i q10j (F8.0) kontakt (A20).
BEGIN DATA
r1 1 1 2 1 0 0 0 1 0 0 0 0 0 ane@eksempel.dk
r2 2 4 6 0 1 0 0 0 0 0 0 0 0 bo@eksempel.dk
r3 1 6 9 1 1 0 0 0 0 0 1 0 0 ida@eksempel.dk
END DATA.
VARIABLE LABELS q7a 'Viden om fysiske handicap (bevægelseshæmmede)' q10a 'Fra nøglepersonen i jobcentret'.
VALUE LABELS q1 1 'Jobcenter Thisted' 2 'Jobcenter Brønderslev'
 /q2 1 'Myndighedssagsbehandler' 4 'Nøgleperson i forhold til HKO' 6 'Andet'
 /q7a 1 'Meget enig' 2 'Enig' 3 'Hverken enig eller uenig' 4 'Uenig' 5 'Meget uenig' 6 'Ved ikke' 9 'Ubesvaret'.
MISSING VALUES q7a (6, 9).
MRSETS /MDGROUP NAME=$q10 LABEL='Hvor får du din viden omkring HKO fra?' VARIABLES=q10a q10b q10c q10d q10e q10f q10g q10h q10i q10j VALUE=1.
SAVE OUTFILE='medarbejdersurvey.sav'.
"""


@pytest.mark.skipif(shutil.which("pspp") is None, reason="pspp is installed by `make system-deps`")
def test_spss_metadata_written_by_pspp(tmp_path):
    """User-missing codes stay codes and are flagged missing; 'Ved ikke' keeps its questionnaire code
    (the report keeps it in the denominator); a missing code without a counterpart ('Ubesvaret')
    becomes a missing answer; jobcentres numbered 1, 2 become kommunekoder by their names; the
    multi-response set and the Danish letters come through; contact details are dropped."""
    (tmp_path / "fixture.sps").write_text(PSPP_SYNTAX, encoding="utf-8")
    subprocess.run(["pspp", "fixture.sps"], cwd=tmp_path, check=True, capture_output=True, timeout=60)
    got = read_survey(tmp_path)
    r = got.respondenter
    assert got.format == "spss"
    assert r["q1"].tolist() == [787, 810, 787]                 # Thisted, Brønderslev
    assert r["q7a"].tolist()[:2] == [2, 6] and pd.isna(r["q7a"].iloc[2])
    assert r["q10a"].tolist() == [1, 0, 1]
    assert "kontakt" not in r.columns and got.dropped == ("kontakt",)
    cb = got.kodebog.set_index(["variabel", "vaerdi"])
    assert bool(cb.loc[("q7a", "6"), "missing"]) and bool(cb.loc[("q7a", "9"), "missing"])
    assert not bool(cb.loc[("q7a", "1"), "missing"])
    assert cb.loc[("q2", "4"), "vaerdi_label"] == "Nøgleperson i forhold til HKO"
    assert (got.kodebog.loc[got.kodebog["variabel"] == "q10j", "multi_set"] == "q10").all()
    assert got.kodebog.loc[got.kodebog["variabel"] == "q7a", "variabel_label"].iloc[0].endswith("bevægelseshæmmede)")


def _data_dir(tmp_path: Path, default_data_dir: Path, table: pd.DataFrame) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    write_survey(table, d, "xlsx")
    for name in ("kommunetypologi.csv", "medarbejdertal.csv"):
        shutil.copy(default_data_dir / name, d / name)
    return d


def test_bad_answers_are_all_reported_with_file_variable_row_and_value(tmp_path, default_data_dir, small):
    bad = small.copy()
    bad.loc[2, "q7a"] = 7          # row 3: an answer code the questionnaire does not have
    bad.loc[4, "q1"] = 101         # row 5: a respondent in København, not a casekommune
    bad.loc[1, "q10c"] = 2         # row 2: a multi-select option that is not 0/1
    d = _data_dir(tmp_path, default_data_dir, bad)
    report = validate_dataset(d, names=["medarbejdersurvey", "medarbejdertal", "kommunetypologi"])
    found = {(f.file, f.column, f.check, f.row, f.value) for f in report.failures}
    assert ("medarbejdersurvey.xlsx", "q7a", "isin", 3, 7) in found
    assert ("medarbejdersurvey.xlsx", "q10c", "type:bool", 2, 2) in found
    assert ("medarbejdersurvey.xlsx", "q1", "relation:kommunetypologi.kommunekode", 5, 101) in found
    assert not report.ok and len(found) == 4  # q1 = 101 also has no staff count (relation to medarbejdertal)
    text = report.to_text()
    assert "medarbejdersurvey.xlsx" in text and "q7a" in text


def test_a_multi_select_exported_as_one_column_is_a_clear_error(tmp_path, default_data_dir, small):
    wrong = small.drop(columns=[f"q10{x}" for x in "abcdefghij"]).assign(q10=["1,5"] + [None] * (len(small) - 1))
    d = _data_dir(tmp_path, default_data_dir, wrong)
    with pytest.raises(ReadProblem) as exc:
        read_survey(d)
    assert (exc.value.check, exc.value.column, exc.value.row, exc.value.value) == ("multiselect_encoding", "q10", 1, "1,5")
    report = validate_dataset(d, names=["medarbejdersurvey"])
    assert ("medarbejdersurvey.xlsx", "q10", "multiselect_encoding") in report.counts


def test_two_formats_at_once_are_refused(tmp_path, small):
    write_survey(small, tmp_path, "xlsx")
    write_survey(small, tmp_path, "sav")
    with pytest.raises(ReadProblem, match="several formats"):
        read_survey(tmp_path)
