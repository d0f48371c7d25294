"""The REFI-QDA reader on a small hand-written project (tests/fixtures/qdpx/casekommuner): the
canonical tables it gives, each coding mistake reported with the file, the line in project.qde and
the value, and the round trip template <-> .qdpx on the default data."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from hko_research.inputs import coding, qualitative
from hko_research.inputs.checks import validate_dataset
from hko_research.inputs.qdpx import read_qdc, read_qdpx, write_qdc, write_qdpx
from hko_research.inputs.readers import ReadProblems

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "qdpx" / "casekommuner"
PROJ = "casekommuner"
AK, MJ = "00000000-0000-0000-0000-0000000000a1", "00000000-0000-0000-0000-0000000000a2"


def make_qdpx(tmp: Path, edit=None, name: str = "casekommune_kodning.qdpx") -> Path:
    """Zip the fixture (optionally with ``edit(text) -> text`` applied to project.qde)."""
    text = (FIXTURE / "project.qde").read_text(encoding="utf-8")
    if edit is not None:
        new = edit(text)
        assert new != text, "the edit did not change the fixture"
        text = new
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / name
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", text.encode("utf-8"))
        z.write(FIXTURE / "Sources" / "vejen.txt", "Sources/vejen.txt")
    return path


def read(tmp: Path, edit=None) -> coding.CodingTables:
    return read_qdpx(make_qdpx(tmp, edit), coding.project(PROJ))


def test_fixture_reads_into_the_canonical_tables(tmp_path):
    t = read(tmp_path)
    assert t.problems == {"kodebog": [], "sager": [], "kodning": []}
    # codebook: ids from the hko: lines, or from the name ("Proaktiv formidling", untagged)
    assert list(t.kodebog["kode"]) == ["prioritering", "strategi", "tabel4", "o_begraenset_viden", "o_stigmatisering",
                                       "organisering_af_noeglepersoner", "organisering", "proaktiv_formidling"]
    kb = t.kodebog.set_index("kode")
    assert kb.at["strategi", "vaerdier"] == "proaktiv|reaktiv|diffus" and kb.at["strategi", "kraevet"]
    # an untagged value code takes its id from its name
    assert kb.at["organisering", "vaerdier"] == "specialiseret_team|spredt_specialisering|generel_specialisering"
    assert kb.at["o_begraenset_viden", "beskrivelse"] == "17 af 20 (l.514)."
    # cases: variables matched by id ("kommunekode"), by case ("Koder") or by the contract label
    # ("Antal nøglepersoner (inkl. uofficielle)"); an unknown variable is ignored
    s = t.sager.set_index("sag")
    assert s.at["Holbæk", "kommunekode"] == 316 and s.at["Holbæk", "koder"] == "AK"
    assert s.at["Holbæk", "antal_noeglepersoner"] == 4 and s.at["Høje-Taastrup", "antal_noeglepersoner"] is None
    # codings: a passage gives its quote, a coding of the whole source none; the Sources/ file is read
    k = t.kodning
    assert len(k) == 11
    row = k.loc[(k["sag"] == "Vejen") & (k["kode"] == "o_stigmatisering")].iloc[0]
    assert row["citat"] == "Ordet handicap kan virke stigmatiserende." and row["koder"] == "AK"
    assert row["kilde"] == "Fokusgruppe med nøglepersonen, Vejen" and row["dato"] == pd.Timestamp("2020-05-20")
    whole = k.loc[(k["sag"] == "Holbæk") & (k["kode"] == "organisering")]
    assert dict(zip(whole["koder"], whole["vaerdi"])) == {"AK": "spredt_specialisering", "MJ": "specialiseret_team"}
    assert whole["citat"].isna().all()
    assert set(k.loc[k["kode"] == "proaktiv_formidling", "vaerdi"]) == {"ja"}


MISTAKES = {
    # a value typed in the QDA program that the standard codebook does not know
    "unknown category": (
        lambda x: x.replace(
            '<Code guid="00000000-0000-0000-0000-000000000113" name="Diffus" isCodable="true">',
            '<Code guid="00000000-0000-0000-0000-0000000001ff" name="Proaktivv" isCodable="true"/>\n'
            '          <Code guid="00000000-0000-0000-0000-000000000113" name="Diffus" isCodable="true">').replace(
            '<CodeRef targetGUID="00000000-0000-0000-0000-000000000111"/>',
            '<CodeRef targetGUID="00000000-0000-0000-0000-0000000001ff"/>'),
        "kodning", "ukendt_kategori", "strategi", "proaktivv"),
    # Holbæk coded proaktiv in a second passage by the same coder who coded it reaktiv
    "kommune coded twice with different types": (
        lambda x: x.replace(
            '<Coding guid="00000000-0000-0000-0000-000000000703"',
            f'<Coding guid="00000000-0000-0000-0000-0000000007f3" creatingUser="{AK}">'
            '<CodeRef targetGUID="00000000-0000-0000-0000-000000000111"/></Coding>\n'
            '        <Coding guid="00000000-0000-0000-0000-000000000703"'),
        "kodning", "dobbelt_kodet", "strategi", "proaktiv"),
    "case without kommune": (
        lambda x: x.replace('<VariableValue><VariableRef targetGUID="00000000-0000-0000-0000-000000000301"/>'
                            '<IntegerValue>575</IntegerValue></VariableValue>', ""),
        "sager", "sag_uden_kommune", "kommunekode", None),
    "code not in the codebook": (
        lambda x: x.replace('<CodeRef targetGUID="00000000-0000-0000-0000-000000000121"/>',
                            '<CodeRef targetGUID="00000000-0000-0000-0000-00000000dead"/>'),
        "kodning", "ukendt_kode", "kode", "00000000-0000-0000-0000-00000000dead"),
    "missing coder": (
        lambda x: x.replace(f'<Coding guid="00000000-0000-0000-0000-000000000712" creatingUser="{AK}"',
                            '<Coding guid="00000000-0000-0000-0000-000000000712"'),
        "kodning", "mangler_koder", "koder", None),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_coding_mistake_names_file_line_and_value(tmp_path, mistake):
    edit, table, check, column, value = MISTAKES[mistake]
    t = read(tmp_path, edit)
    found = [p for p in t.problems[table] if p.check == check]
    assert len(found) == 1, [str(p) for ps in t.problems.values() for p in ps]
    p = found[0]
    assert p.file == "casekommune_kodning.qdpx" and p.column == column and p.value == value
    assert "project.qde linje" in p.message
    line = int(p.message.split("linje ")[1].split(":")[0])
    assert 0 < line <= len((FIXTURE / "project.qde").read_text(encoding="utf-8").splitlines()) + 5
    # the other tables are untouched, and the reader refuses the broken table as a whole
    with pytest.raises(ReadProblems):
        t.table(table)


def test_validation_lists_every_mistake_at_once_with_file_and_line(tmp_path):
    def all_mistakes(x):
        for edit, *_ in MISTAKES.values():
            x = edit(x)
        return x

    data = tmp_path / "data"
    make_qdpx(data, all_mistakes)
    report = validate_dataset(data, names=["casekommune_kodebog", "casekommune_sager", "casekommune_kodning"])
    checks = {(f.file, f.check) for f in report.failures}
    for _, _, check, _, _ in MISTAKES.values():
        assert ("casekommune_kodning.qdpx", check) in checks, report.to_text()
    assert all("project.qde linje" in str(f.value) for f in report.failures if f.check in {m[2] for m in MISTAKES.values()})


def test_required_code_missing_and_not_a_zip(tmp_path):
    t = read(tmp_path / "a", lambda x: x.replace('<CodeRef targetGUID="00000000-0000-0000-0000-000000000113"/>',
                                                 '<CodeRef targetGUID="00000000-0000-0000-0000-000000000122"/>'))
    missing = [p for p in t.problems["kodning"] if p.check == "mangler_kode"]
    assert [(p.column, "Vejen" in p.message) for p in missing] == [("strategi", True)]
    bad = tmp_path / "b" / "casekommune_kodning.qdpx"
    bad.parent.mkdir()
    bad.write_text("not a zip", encoding="utf-8")
    from hko_research.inputs.readers import ReadProblem

    with pytest.raises(ReadProblem, match="zip"):
        read_qdpx(bad, coding.project(PROJ))


@pytest.mark.parametrize("name,other", [("casekommuner", "qdpx"), ("interviews", "xlsx")])
def test_template_and_qdpx_give_identical_canonical_tables_for_the_default_data(tmp_path, default_data_dir, name, other):
    """The default data hold the casekommuner as a template and the interviews as a .qdpx: each is
    written in the other format and read back through the other reader."""
    proj = coding.project(name)
    kind, _ = qualitative.project_source(default_data_dir, proj)
    assert kind == ("xlsx" if other == "qdpx" else "qdpx")
    first = qualitative.read_project(default_data_dir, name)
    assert not any(first.problems.values())
    if other == "qdpx":
        write_qdpx(proj, first, tmp_path / f"{proj.fil}.qdpx")
    else:
        coding.write_template(proj, tmp_path / f"{proj.fil}.xlsx", first)
    assert qualitative.project_source(tmp_path, proj)[0] == other
    second = qualitative.read_project(tmp_path, name)
    assert not any(second.problems.values())
    for table in ("kodebog", "sager", "kodning"):
        pd.testing.assert_frame_equal(getattr(first, table), getattr(second, table))
    assert len(first.kodning) > 500 and first.kodning["citat"].notna().any()


def test_codebook_exchange_file_round_trip(tmp_path):
    kb = coding.project("interviews").kodebog()
    path = write_qdc(kb, tmp_path / "kodebog.qdc", "interviews")
    assert b'xmlns="urn:QDA-XML:codebook:1.0"' in path.read_bytes()
    back = read_qdc(path)
    pd.testing.assert_frame_equal(back, kb)
    # the crosswalk branch travels as REFI-QDA sets
    assert "MemberCode" in path.read_text(encoding="utf-8")
    assert back.set_index("kode").at["anbefaling_behovsstyret", "omfatter"].startswith("jc_taet_kontakt|")
