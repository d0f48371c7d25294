"""Data contracts: every declared check reaches pandera, good data passes, and each kind of bad
input is reported with file, column, row and value — all failures at once."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hko_research.inputs.checks import validate_dataset
from hko_research.inputs.contracts import (
    build_schema,
    declared_checks,
    load_contract_file,
    load_contracts,
    read_input,
    schema_checks,
)
from hko_research.inputs.readers import ReadProblem, sniff_csv

TYPOLOGI_CSV = (
    "kommunekode;strategi;organisering;antal_noeglepersoner\n"
    "101;proaktiv;specialiseret_team;4\n"
    "147;reaktiv;spredt_specialisering;1\n"
    "169;diffus;generel_specialisering;\n"
)


def write(data_dir: Path, name: str, text: str, encoding="utf-8") -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / name
    path.write_bytes(text.encode(encoding))
    return path


def failures(report, check=None, column=None):
    return [f for f in report.failures if (check is None or f.check == check) and (column is None or f.column == column)]


# ------------------------------------------------------------------ no check lost in translation
def test_every_declared_check_is_in_the_pandera_schema():
    contracts = load_contracts()
    assert len(contracts) >= 19
    for name, contract in contracts.items():
        declared = sorted(declared_checks(contract))
        assert declared, name
        assert declared == sorted(schema_checks(build_schema(contract))), name


def test_pandera_yaml_drops_unregistered_checks_but_our_engine_keeps_every_rule(tmp_path):
    """pandera's YAML round trip silently drops checks that are not registered (only a
    UserWarning); our contracts are translated by code that registers every rule before building
    the schema, so each declared rule is present — even in a fresh process — and enforced."""
    import subprocess
    import sys
    import warnings

    import pandera.pandas as pa

    lossy = pa.DataFrameSchema(
        {"a": pa.Column(int, checks=[pa.Check(lambda x: x > 0, name="positive"), pa.Check.ge(0)])},
        checks=[pa.Check(lambda df: df["a"] > 0, name="row_rule")],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        round_trip = pa.DataFrameSchema.from_yaml(lossy.to_yaml())
    assert [c.name for c in round_trip.columns["a"].checks] == ["greater_than_or_equal_to"]  # "positive" lost
    assert not round_trip.checks  # "row_rule" lost

    probe = ("from hko_research.inputs.contracts import build_schema, declared_checks, load_contracts, schema_checks\n"
             "c = load_contracts()['dfdg_mentor']\n"
             "print(sorted(declared_checks(c)) == sorted(schema_checks(build_schema(c))), "
             "[x.name for x in build_schema(c).checks])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True ['date_order']"

    d = tmp_path / "d"
    write(d, "dfdg_mentor.csv", "forloeb_id;pnr;kommunekode;startdato;slutdato;mentor_type;timer_pr_uge\n"
                                "M1;P00000001;101;2019-05-01;2019-01-01;;5\n")
    report = validate_dataset(d, names=["dfdg_mentor", "kommuner"])
    rule = failures(report, "date_order")
    assert len(rule) == 1 and rule[0].row == 1 and rule[0].column == "startdato/slutdato"


def test_contract_loader_rejects_unknown_keys(tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text(yaml.safe_dump({"name": "x", "columns": [{"column": "a", "type": "int", "colour": "red"}]}))
    with pytest.raises(ValueError, match="unknown keys"):
        load_contract_file(bad)


# ------------------------------------------------------------------------------- good data passes
@pytest.fixture(scope="module")
def default_report(default_data_dir):
    return validate_dataset(default_data_dir)


def test_default_synthetic_data_pass_every_contract(default_report):
    report = default_report
    assert report.ok, report.to_text()
    names = {i.name for i in report.inputs if i.path is not None}
    assert {"dfdg_personlig_assistance", "dream", "sagsgennemgang", "befolkning", "kommuner"} <= names
    assert all(i.rows > 0 for i in report.inputs if i.path is not None)


def test_the_data_overview_is_what_the_validation_read(default_data_dir, default_report, monkeypatch):
    """Notebook 00's overview from the (cached) validation report equals the one that reads every
    input again, and with the report it reads nothing."""
    from hko_research.analyses.d0_datagrundlag import overview
    from hko_research.inputs.report import report_from_json, report_to_json

    cached = report_from_json(report_to_json(default_report))  # as the validation cache gives it back
    bare = report_from_json(report_to_json(default_report))
    for status in bare.inputs:
        status.coverage = None
    reread = overview.input_overview(default_data_dir, bare, synthetic=True)
    monkeypatch.setattr(overview, "load_raw", lambda *a, **k: pytest.fail("read an input again"))
    shown = overview.input_overview(default_data_dir, cached, synthetic=True)
    pd.testing.assert_frame_equal(shown, reread, check_exact=True)
    by_input = shown.set_index("input")
    assert by_input.at["befolkning", "aar"] == "2017-2021" and by_input.at["befolkning", "kommuner_daekket"] == 98
    import pyarrow.parquet as pq  # DREAM's years are its week columns y_YYWW

    weeks = sorted({2000 + int(c[2:4]) for c in pq.read_schema(default_data_dir / "dream.parquet").names
                    if c.lower().startswith("y_") and c[2:].isdigit()})
    assert by_input.at["dream", "aar"] == f"{weeks[0]}-{weeks[-1]}"


def test_coverage_is_gathered_over_every_chunk_of_a_large_register(default_data_dir, default_report, monkeypatch):
    from hko_research.inputs import checks

    monkeypatch.setattr(checks, "CHUNK_ROWS", 10_000)  # DREAM in 9 batches instead of one
    chunked = checks.validate_dataset(default_data_dir, names=["dream"])
    whole = next(i for i in default_report.inputs if i.name == "dream")
    assert chunked.inputs[0].coverage == whole.coverage and whole.coverage["rows"] == whole.rows


def test_small_good_file_passes(tmp_path):
    d = tmp_path / "d"
    write(d, "kommunetypologi.csv", TYPOLOGI_CSV)
    report = validate_dataset(d, names=["kommunetypologi", "kommuner"])
    assert report.ok, report.to_text()
    df = read_input(d, "kommunetypologi")
    assert str(df["kommunekode"].dtype) == "Int64" and df["antal_noeglepersoner"].isna().sum() == 1


# --------------------------------------------------------------------------- each kind of failure
def test_missing_column_named(tmp_path):
    d = tmp_path / "d"
    write(d, "kommunetypologi.csv", "kommunekode;strategi\n101;proaktiv\n")
    report = validate_dataset(d, names=["kommunetypologi", "kommuner"])
    f = failures(report, "column_present")
    assert {x.column for x in f} == {"organisering", "antal_noeglepersoner"}
    assert all(x.file == "kommunetypologi.csv" for x in f)


def test_wrong_type_named_with_row_and_value(tmp_path):
    d = tmp_path / "d"
    write(d, "kommunetypologi.csv", TYPOLOGI_CSV.replace("147;reaktiv;spredt_specialisering;1", "147;reaktiv;spredt_specialisering;en"))
    report = validate_dataset(d, names=["kommunetypologi", "kommuner"])
    (f,) = failures(report, "type:int")
    assert (f.file, f.column, f.row, f.value) == ("kommunetypologi.csv", "antal_noeglepersoner", 2, "en")


def test_unknown_code_and_orphan_kommunekode(tmp_path):
    d = tmp_path / "d"
    text = TYPOLOGI_CSV.replace("169;diffus", "999;passiv")
    write(d, "kommunetypologi.csv", text)
    report = validate_dataset(d, names=["kommunetypologi", "kommuner"])
    (code,) = failures(report, "isin", "strategi")
    assert (code.row, code.value) == (3, "passiv")
    (orphan,) = failures(report, "relation:kommuner.kommunekode", "kommunekode")
    assert (orphan.row, orphan.value) == (3, 999)
    text = report.to_text()
    assert "kommunetypologi.csv" in text and "row 3" in text and "'passiv'" in text


def test_duplicate_key(tmp_path):
    d = tmp_path / "d"
    write(d, "kommunetypologi.csv", TYPOLOGI_CSV + "101;reaktiv;specialiseret_team;2\n")
    report = validate_dataset(d, names=["kommunetypologi", "kommuner"])
    dup = failures(report, "unique_key") + failures(report, "unique")
    assert {f.row for f in dup} >= {1, 4}


def test_empty_file_and_header_only(tmp_path):
    d = tmp_path / "d"
    write(d, "kommunetypologi.csv", "")
    write(d, "rammevilkaar.csv", "kommunekode;rang;aar\n")
    report = validate_dataset(d, names=["kommunetypologi", "rammevilkaar", "kommuner"])
    assert failures(report, "empty_file")
    files = {f.file for f in failures(report, "empty_file")}
    assert files == {"kommunetypologi.csv", "rammevilkaar.csv"}


def test_missing_required_file(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    report = validate_dataset(d, names=["rammevilkaar", "kommuner"])
    (f,) = failures(report, "file_present")
    assert f.file.startswith("rammevilkaar")


def test_latin1_and_comma_csv_accepted(tmp_path):
    d = tmp_path / "d"
    text = "kommunekode,kommune,region\n101,København,Hovedstaden\n"
    write(d, "kommuner.csv", text, encoding="latin-1")
    fmt = sniff_csv(d / "kommuner.csv")
    assert fmt.delimiter == "," and fmt.encoding in ("cp1252", "latin-1")
    df = read_input(d, "kommuner")
    assert df.loc[0, "kommune"] == "København"


def test_utf16_file_rejected_clearly_and_nothing_else_blamed(tmp_path):
    """Excel's 'Unicode text' is UTF-16: one failure, on that file, saying what it is and what to
    do; no garbled column name; the files it relates to (kommuner.csv) are not blamed."""
    d = tmp_path / "d"
    write(d, "kommunetypologi.csv", TYPOLOGI_CSV)
    write(d, "kommuner.csv", "kommunekode;kommune;region\n101;København;Hovedstaden\n147;Frederiksberg;Hovedstaden\n",
          encoding="utf-16")
    report = validate_dataset(d, names=["kommunetypologi", "kommuner"])
    (f,) = failures(report, "encoding")
    assert f.file == "kommuner.csv" and f.column is None and f.row is None
    assert "UTF-16" in str(f.value) and "UTF-8" in str(f.value)
    assert {file for file, _, _ in report.counts} == {"kommuner.csv"}, report.to_text()


def test_mixed_encoding_names_row_and_column(tmp_path):
    d = tmp_path / "d"
    good = "kommunekode;kommune;region\n101;København;Hovedstaden\n".encode("utf-8")
    bad = "147;Frederiksberg;Sjælland\n".encode("latin-1")
    (d).mkdir()
    (d / "kommuner.csv").write_bytes(good + bad)
    with pytest.raises(ReadProblem) as exc:
        sniff_csv(d / "kommuner.csv")
    assert exc.value.row == 2 and exc.value.column == "region"
    report = validate_dataset(d, names=["kommuner"])
    (f,) = failures(report, "encoding")
    assert (f.file, f.row, f.column) == ("kommuner.csv", 2, "region")


def test_many_failures_are_counted_not_listed(tmp_path):
    d = tmp_path / "d"
    rows = "".join(f"{101};{2000 + i % 5}K9;{i + 1};FOLK1A\n" for i in range(5000))
    write(d, "befolkning.csv", "kommunekode;kvartal;befolkning;kilde\n" + rows)
    report = validate_dataset(d, names=["befolkning", "kommuner"])
    assert report.counts[("befolkning.csv", "kvartal", "str_matches")] == 5000
    text = report.to_text()
    assert "5.000 row(s)" in text and "... and 4.995 more" in text
    assert len(text) < 5000


def test_person_identifiers_never_printed(tmp_path):
    d = tmp_path / "d"
    write(d, "dfdg_mentor.csv", "forloeb_id;pnr;kommunekode;startdato;slutdato;mentor_type;timer_pr_uge\n"
                                "M1;;101;2019-01-01;;;5\nM1;P12345678;999;2019-01-01;;;5\n")
    report = validate_dataset(d, names=["dfdg_mentor", "kommuner"])
    text = report.to_text()
    assert "P12345678" not in text
    assert failures(report, "unique_key") and failures(report, "not_nullable", "pnr")


def test_sas7bdat_input_is_read(tmp_path):
    """A real SAS7BDAT (made with pyreadstat -> .dta -> Debian readstat) is validated like CSV."""
    import subprocess

    import pyreadstat

    d = tmp_path / "d"
    d.mkdir()
    df = pd.DataFrame({"KOMMUNEKODE": [101.0, 147.0], "RANG": [1.0, 98.0], "AAR": [2018.0, 2018.0]})
    pyreadstat.write_dta(df, str(tmp_path / "r.dta"))
    subprocess.run(["readstat", str(tmp_path / "r.dta"), str(d / "rammevilkaar.sas7bdat")], check=True, capture_output=True)
    report = validate_dataset(d, names=["rammevilkaar", "kommuner"])
    assert report.ok, report.to_text()
    typed = read_input(d, "rammevilkaar")
    assert typed["rang"].tolist() == [1, 98]


# ------------------------------------------------------------------ hypothesis: corrupted frames
GOOD = pd.DataFrame({
    "kommunekode": [101, 147, 169, 316, 575],
    "strategi": ["proaktiv", "reaktiv", "diffus", "reaktiv", "proaktiv"],
    "organisering": ["specialiseret_team", "spredt_specialisering", "generel_specialisering",
                     "specialiseret_team", "specialiseret_team"],
    "antal_noeglepersoner": [4, 1, 2, 4, 1],
})
CORRUPTIONS = {
    "type": ("antal_noeglepersoner", "fire", "type:int"),
    "code": ("strategi", "passiv", "isin"),
    "null": ("organisering", "", "not_nullable"),
    "range": ("antal_noeglepersoner", "99", "in_range"),
    "orphan": ("kommunekode", "998", "relation:kommuner.kommunekode"),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(sorted(CORRUPTIONS)), st.integers(0, 4)), min_size=1, max_size=4,
                unique_by=lambda t: t[1]))
def test_hypothesis_every_corruption_is_reported(tmp_path, corruptions):
    frame = GOOD.astype(str).copy()
    for kind, row in corruptions:
        column, value, _ = CORRUPTIONS[kind]
        frame.loc[row, column] = value
    d = tmp_path / f"h{abs(hash(tuple(corruptions)))}"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir()
    frame.to_csv(d / "kommunetypologi.csv", sep=";", index=False)
    report = validate_dataset(d, names=["kommunetypologi", "kommuner"])
    found = {(f.column, f.check, f.row) for f in report.failures}
    for kind, row in corruptions:
        column, _, check = CORRUPTIONS[kind]
        assert (column, check, row + 1) in found, (kind, row, report.to_text())
    assert not report.ok


def read_semicolon_pairs(data_dir):
    """A reader for an input in a shape of its own: `pairs.txt` with `key=value` lines."""
    path = data_dir / "pairs.txt"
    if not path.read_text(encoding="utf-8").strip():
        raise ReadProblem(path.name, "empty_file", "the file is empty")
    rows = [line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return pd.DataFrame(rows, columns=["kode", "antal"])


def test_reader_based_input_is_validated_and_read_through_its_reader(tmp_path):
    """An input that arrives in another format declares `reader:`; validation and read_input both
    read through it, so what validates is what the analysis gets, and failures name the file."""
    from hko_research.inputs.checks import _Collector, validate_file
    from hko_research.inputs.contracts import call_reader, input_path, load_raw
    from hko_research.inputs.report import InputStatus, ValidationReport

    contract_file = tmp_path / "par.yaml"
    contract_file.write_text(
        "name: par\ntitle: Par\nreader: " + __name__ + ":read_semicolon_pairs\nfiles: [pairs.txt]\n"
        "key: [kode]\ncolumns:\n  - {column: kode, type: string, nullable: false}\n"
        "  - {column: antal, type: int, nullable: false, range: [0, 10]}\n", encoding="utf-8")
    contract = load_contract_file(contract_file)
    data = tmp_path / "data"
    data.mkdir()
    (data / "pairs.txt").write_text("a=1\nb=12\nc=x\n", encoding="utf-8")
    assert input_path(data, contract) == data / "pairs.txt"
    assert list(load_raw(data, contract)["kode"]) == ["a", "b", "c"]
    assert call_reader(contract, data).shape == (3, 2)
    report = ValidationReport()
    validate_file(data / "pairs.txt", contract, _Collector(report), InputStatus("par", data / "pairs.txt"), data_dir=data)
    assert ("pairs.txt", "antal", "in_range") in report.counts
    assert ("pairs.txt", "antal", "type:int") in report.counts
    assert {f.row for f in report.failures} == {2, 3}
    (data / "pairs.txt").write_text("", encoding="utf-8")
    report = ValidationReport()
    validate_file(data / "pairs.txt", contract, _Collector(report), InputStatus("par", data / "pairs.txt"), data_dir=data)
    assert ("pairs.txt", None, "empty_file") in report.counts
