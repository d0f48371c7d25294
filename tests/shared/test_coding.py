"""The coding template (XLSX): written from the codebook with drop-down lists, filled in by hand,
read back into the canonical tables; every coding mistake reported with file, sheet, row and value
(pasted cells bypass Excel's drop-downs, so every value is checked again on read)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from hko_research.inputs import coding, qualitative
from hko_research.inputs.checks import validate_dataset
from hko_research.inputs.readers import ReadProblems

PROJ = coding.project("casekommuner")
FILE = "casekommune_kodning.xlsx"


def column_of(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def filled_template(folder: Path, edit=None) -> Path:
    """An empty template filled in the way a coder would: three kommuner coded by AK, Holbæk also
    by MJ, one quote. ``edit(wb)`` makes a mistake before saving."""
    path = coding.write_template(PROJ, folder / FILE)
    wb = load_workbook(path)
    sager, kod, cit = wb["Sager"], wb["Kodning"], wb["Citater"]
    sager.delete_rows(3, sager.max_row)
    for r, (sag, k, n) in enumerate([("Holbæk", 316, 4), ("Vejen", 575, 1), ("Høje-Taastrup", 169, None)], start=3):
        sager.cell(r, column_of(sager, "sag"), sag)
        sager.cell(r, column_of(sager, "kommunekode"), k)
        sager.cell(r, column_of(sager, "koder"), "AK")
        if n is not None:
            sager.cell(r, column_of(sager, "antal_noeglepersoner"), n)
    rows = [
        ("Holbæk", "AK", "Interview med ledelsen", dt.datetime(2020, 3, 12),
         {"strategi": "reaktiv", "organisering": "spredt_specialisering", "o_begraenset_viden": "ja", "o_stigmatisering": "nej"}),
        ("Vejen", "AK", "Fokusgruppe", "2020-05-20", {"strategi": "diffus", "organisering": "generel_specialisering",
                                                      "o_stigmatisering": "ja"}),
        ("Høje-Taastrup", "AK", None, None, {"strategi": "proaktiv", "organisering": "specialiseret_team",
                                             "proaktiv_formidling": "ja"}),
        ("Holbæk", "MJ", "Interview med ledelsen", dt.datetime(2020, 4, 1),
         {"strategi": "reaktiv", "organisering": "specialiseret_team", "o_begraenset_viden": "ja"}),
    ]
    for r, (sag, koder, kilde, dato, codes) in enumerate(rows, start=3):
        for col, v in (("sag", sag), ("koder", koder), ("kilde", kilde), ("dato", dato), *codes.items()):
            if v is not None:
                kod.cell(r, column_of(kod, col), v)
    for col, v in (("sag", "Holbæk"), ("koder", "AK"), ("kode", "o_begraenset_viden"),
                   ("citat", "Der er begrænset viden om HKO."), ("kilde", "Interview med jobcenterchef"),
                   ("dato", dt.datetime(2020, 3, 12))):
        cit.cell(3, column_of(cit, col), v)
    if edit is not None:
        edit(wb)
    wb.save(path)
    return path


def test_template_has_drop_down_lists_from_the_codebook(tmp_path):
    path = coding.write_template(PROJ, tmp_path / FILE)
    wb = load_workbook(path)
    kod, lister = wb["Kodning"], wb["Lister"]
    assert lister.sheet_state == "hidden"

    def listed(ws, header):
        letter = ws.cell(1, column_of(ws, header)).column_letter
        dv = next(d for d in ws.data_validations.dataValidation if any(str(r).startswith(f"{letter}3") for r in d.sqref.ranges))
        assert dv.type == "list" and dv.showErrorMessage
        col = dv.formula1.split("!$")[1].split("$")[0]
        return [c.value for c in lister[col] if c.value is not None]

    assert listed(kod, "strategi") == ["proaktiv", "reaktiv", "diffus"]
    assert listed(kod, "organisering") == ["specialiseret_team", "spredt_specialisering", "generel_specialisering"]
    assert listed(kod, "o_stigmatisering") == ["ja", "nej"]
    # every codable code has a column, branches have none; the cases are pre-filled
    codes = [c.value for c in kod[1]][len(coding.ROW_COLUMNS):]
    assert codes == coding.Codebook(PROJ.kodebog()).codable() and "tabel4" not in codes
    assert [c.value for c in wb["Sager"]["A"]][2:] == ["Thisted", "Silkeborg", "Vesthimmerlands", "Vejen",
                                                       "Ringkøbing-Skjern", "Esbjerg", "Favrskov", "Vejle",
                                                       "Brønderslev", "Jammerbugt", "Hedensted", "Holbæk",
                                                       "Høje-Taastrup", "Frederiksberg", "Svendborg", "Bornholm",
                                                       "Hillerød", "Faxe", "Lejre", "Stevns"]
    # same bytes on every run
    assert coding.write_template(PROJ, tmp_path / "b.xlsx").read_bytes() == path.read_bytes()


def test_filled_template_reads_into_the_canonical_tables(tmp_path):
    t = qualitative.read_project(filled_template(tmp_path).parent, "casekommuner")
    assert t.problems == {"kodebog": [], "sager": [], "kodning": []}
    assert list(t.sager["sag"]) == ["Holbæk", "Høje-Taastrup", "Vejen"]
    assert t.sager.set_index("sag").at["Høje-Taastrup", "antal_noeglepersoner"] is None
    k = t.kodning
    got = sorted(zip(k["sag"], k["koder"], k["kode"], k["vaerdi"]))
    assert got == sorted([
        ("Holbæk", "AK", "strategi", "reaktiv"), ("Holbæk", "AK", "organisering", "spredt_specialisering"),
        ("Holbæk", "AK", "o_begraenset_viden", "ja"),  # "nej" is not a coding
        ("Vejen", "AK", "strategi", "diffus"), ("Vejen", "AK", "organisering", "generel_specialisering"),
        ("Vejen", "AK", "o_stigmatisering", "ja"),
        ("Høje-Taastrup", "AK", "strategi", "proaktiv"), ("Høje-Taastrup", "AK", "organisering", "specialiseret_team"),
        ("Høje-Taastrup", "AK", "proaktiv_formidling", "ja"),
        ("Holbæk", "MJ", "strategi", "reaktiv"), ("Holbæk", "MJ", "organisering", "specialiseret_team"),
        ("Holbæk", "MJ", "o_begraenset_viden", "ja"),
    ])
    quoted = k.loc[k["citat"].notna()].iloc[0]
    assert (quoted["sag"], quoted["kode"], quoted["kilde"]) == ("Holbæk", "o_begraenset_viden", "Interview med jobcenterchef")
    row = k.loc[(k["sag"] == "Vejen") & (k["kode"] == "strategi")].iloc[0]
    assert row["kilde"] == "Fokusgruppe" and row["dato"] == pd.Timestamp("2020-05-20")  # a date typed as text
    # the analysis coding: the responsible coder's only
    assert set(coding.analysis_coding(k, t.sager)["koder"]) == {"AK"}


def _set(sheet, row, header, value):
    def edit(wb):
        ws = wb[sheet]
        ws.cell(row, column_of(ws, header)).value = value  # cell(r, c, None) would not clear it
    return edit


MISTAKES = {
    "unknown category": (_set("Kodning", 4, "strategi", "diffust"), "kodning", "ukendt_kategori", "Kodning", 4,
                         "strategi", "diffust"),
    "kommune coded twice with different types": (
        lambda wb: [wb["Kodning"].cell(7, column_of(wb["Kodning"], c), v) for c, v in
                    (("sag", "Holbæk"), ("koder", "AK"), ("strategi", "proaktiv"), ("organisering", "spredt_specialisering"))],
        "kodning", "dobbelt_kodet", "Kodning", 7, "strategi", "proaktiv"),
    "case without kommune": (_set("Sager", 4, "kommunekode", None), "sager", "sag_uden_kommune", "Sager", 4,
                             "kommunekode", None),
    "code not in the codebook": (lambda wb: wb["Kodning"].cell(1, wb["Kodning"].max_column + 1, "ny_kode"),
                                 "kodning", "ukendt_kode", "Kodning", 1, "ny_kode", "ny_kode"),
    "missing coder": (_set("Kodning", 5, "koder", None), "kodning", "mangler_koder", "Kodning", 5, "koder", None),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_coding_mistake_names_file_sheet_row_and_value(tmp_path, mistake):
    edit, table, check, sheet, row, column, value = MISTAKES[mistake]
    t = qualitative.read_project(filled_template(tmp_path, edit).parent, "casekommuner")
    found = [p for p in t.problems[table] if p.check == check]
    assert len(found) == 1, [str(p) for ps in t.problems.values() for p in ps]
    p = found[0]
    assert (p.file, p.sheet, p.row, p.column, p.value) == (FILE, sheet, row, column, value)
    assert f"ark {sheet}, række {row}" in p.message or (row == 1 and f"ark {sheet}" in p.message)
    with pytest.raises(ReadProblems) as exc:
        t.table(table)
    assert f"sheet {sheet}" in str(exc.value)


def test_kommune_twice_message_names_both_rows(tmp_path):
    edit = MISTAKES["kommune coded twice with different types"][0]
    t = qualitative.read_project(filled_template(tmp_path, edit).parent, "casekommuner")
    (p,) = [p for p in t.problems["kodning"] if p.check == "dobbelt_kodet"]
    assert "kommune 316" in p.message and "'reaktiv' (ark Kodning, række 3)" in p.message and "'proaktiv'" in p.message


def test_validation_lists_every_mistake_with_sheet_and_row(tmp_path):
    def all_mistakes(wb):
        for edit, *_ in MISTAKES.values():
            edit(wb)

    folder = filled_template(tmp_path, all_mistakes).parent
    report = validate_dataset(folder, names=["casekommune_kodebog", "casekommune_sager", "casekommune_kodning"])
    assert not report.ok
    by_check = {f.check: f for f in report.failures}
    for _, _, check, sheet, row, column, _ in MISTAKES.values():
        f = by_check[check]
        assert (f.file, f.column) == (FILE, column) and f"ark {sheet}" in str(f.value), report.to_text()
        assert f.row == row
    # a reader that refused its input does not produce "could not check" relation noise
    assert not [f for f in report.failures if "could not check" in str(f.value)], report.to_text()


def test_a_valid_template_passes_validation_and_relations(tmp_path):
    folder = filled_template(tmp_path).parent
    report = validate_dataset(folder, names=["casekommune_kodebog", "casekommune_sager", "casekommune_kodning", "kommuner"])
    assert report.ok, report.to_text()
    assert {i.name: i.rows for i in report.inputs}["casekommune_kodning"] == 12


def test_template_and_canonical_csv_together_are_refused(tmp_path):
    folder = filled_template(tmp_path).parent
    (folder / "casekommune_sager.csv").write_text("sag;kommunekode;koder\nHolbæk;316;AK\n", encoding="utf-8")
    from hko_research.inputs.readers import ReadProblem

    with pytest.raises(ReadProblem, match="kun den ene form"):
        qualitative.read_project(folder, "casekommuner")


def test_cli_writes_the_template_and_the_qdc_codebook(tmp_path, capsys):
    from hko_research.cli import main
    from hko_research.inputs.qdpx import read_qdc

    assert main(["template", "casekommuner", "--out", str(tmp_path / FILE)]) == 0
    assert capsys.readouterr().out.strip().endswith(FILE)
    wb = load_workbook(tmp_path / FILE, read_only=True)
    assert wb.sheetnames == ["Vejledning", "Lister", "Sager", "Kodning", "Citater", "Kodebog"]
    # an empty template is a template, not data: every kommune lacks its coder
    t = qualitative.read_project(tmp_path, "casekommuner")
    assert {p.check for p in t.problems["sager"]} == {"mangler_koder"} and len(t.problems["sager"]) == 20
    assert main(["template", "interviews", "--out", str(tmp_path / "kodebog.qdc")]) == 0
    pd.testing.assert_frame_equal(read_qdc(tmp_path / "kodebog.qdc"), coding.project("interviews").kodebog())
    assert main(["template", "interviews", "--out", str(tmp_path / "kodebog.txt")]) == 2
