"""Publisher: naming, disclosure on every table, synthetic labelling, deterministic figures."""
from __future__ import annotations

import csv
import math
import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from hko_research.params import RunParams  # noqa: E402
from hko_research.publishing import plots  # noqa: E402
from hko_research.publishing.disclosure import DisclosureError, is_protected, protect_table  # noqa: E402
from hko_research.publishing.publisher import (  # noqa: E402
    SYNTHETIC_NOTE,
    TABLE_NAME_RE,
    Publisher,
    check_name,
    count_columns,
    read_table,
)


def wb_sheet(path, name):
    return openpyxl.load_workbook(path)[name]


@pytest.fixture
def dist() -> pd.DataFrame:
    return pd.DataFrame({
        "ordning": ["A"] * 3 + ["B"] * 3, "kategori": ["x", "y", "z"] * 2,
        "n": [3, 10, 20, 6, 8, 7], "andel": [3 / 33, 10 / 33, 20 / 33, 6 / 21, 8 / 21, 7 / 21],
    })


def read_csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("name", ["tabel_13_koen", "figur_32b_fastholdelse", "tabel_1_x2", "bilag_ydelser", "kort_anvendelsesgrad", "trend_2017_2021"])
def test_valid_names(name):
    assert check_name(name) == name and TABLE_NAME_RE.match(name)


@pytest.mark.parametrize("name", ["Tabel_13_koen", "tabel13", "tabel_x_koen", "figur_3_", "my_table", "kort-1", "tabel_13_køn", "../tabel_1_x"])
def test_invalid_names_rejected(tmp_path, dist, name):
    pub = Publisher(tmp_path, notebook="01_x")
    with pytest.raises(ValueError):
        pub.table(dist, name, title="Titel")
    assert not (tmp_path / "tables").exists() or not any((tmp_path / "tables").iterdir())


def test_table_protects_and_writes_csv_xlsx(tmp_path, dist):
    pub = Publisher(tmp_path, notebook="02_personlig_assistance", min_cell_size=5)
    shown = pub.table(dist, "tabel_13_fordeling", title="Tabel 13. Fordeling", note="Kilde: DFDG", sums=[["ordning"]])
    assert is_protected(shown)
    assert shown["n"].isna().sum() == 2 and "datagrundlag" not in shown.columns
    rows = read_csv_rows(tmp_path / "tables" / "tabel_13_fordeling.csv")
    # codes and raw numbers; a suppressed cell says so (not blank, not 0)
    assert [r["n"] for r in rows] == ["undertrykt", "undertrykt", "20", "6", "8", "7"]
    assert rows[0]["andel"] == "undertrykt" and rows[2]["andel"].startswith("0.606")
    back = read_table(tmp_path / "tables" / "tabel_13_fordeling.csv")
    assert back["n"].isna().tolist() == [True, True, False, False, False, False]
    assert back.attrs["suppressed"]["n"].tolist() == [True, True, False, False, False, False]
    ws = openpyxl.load_workbook(tmp_path / "tables" / "tabel_13_fordeling.xlsx").active
    assert ws["A1"].value == "Tabel 13. Fordeling"
    assert "Kilde: DFDG" in ws["A2"].value and "undertrykt" in ws["A2"].value
    assert [c.value for c in ws[4]] == ["ordning", "kategori", "n", "andel"]  # codes: what a program reads
    assert [c.value for c in ws[3]] == ["Ordning", "Kategori", "Antal i alt (n)", "Andel (pct.)"]
    assert ws["C5"].value == "undertrykt" and ws["C7"].value == 20
    assert ws["D7"].value == pytest.approx(20 / 33) and ws["D7"].number_format == "0.0%"
    assert ws["C7"].number_format == "#,##0"
    assert ws.freeze_panes == "A5" and ws.column_dimensions["A"].width >= len("Ordning")
    assert [c.value for c in wb_sheet(tmp_path / "tables" / "tabel_13_fordeling.xlsx", "Kolonner")["A"]][1:] == \
        ["ordning", "kategori", "n", "andel"]
    assert not [p for p in (tmp_path / "tables").iterdir() if p.name.startswith(".")], "no temp files left"


def test_small_counts_never_reach_disk(tmp_path):
    df = pd.DataFrame({"kommune": list("abcd"), "n": [1, 2, 3, 4], "gns_indkomst": [1.0, 2.0, 3.0, 4.0]})
    Publisher(tmp_path, notebook="01_x").table(df, "bilag_smaa", title="Små")
    text = (tmp_path / "tables" / "bilag_smaa.csv").read_text(encoding="utf-8")
    assert text.splitlines()[1:] == ["a,undertrykt,undertrykt", "b,undertrykt,undertrykt", "c,undertrykt,undertrykt",
                                     "d,undertrykt,undertrykt"]


def test_synthetic_label_everywhere(tmp_path, dist):
    pub = Publisher(tmp_path, notebook="01_x", synthetic=True, seed=7)
    shown = pub.table(dist, "tabel_2_fordeling", title="Tabel 2", sums=[["ordning"]])
    assert is_protected(shown)
    assert (shown["datagrundlag"] == "Syntetiske data").all() and shown.columns[-1] == "datagrundlag"
    rows = read_csv_rows(tmp_path / "tables" / "tabel_2_fordeling.csv")
    assert len(rows) == 6 and all(r["datagrundlag"] == "Syntetiske data" for r in rows)
    ws = openpyxl.load_workbook(tmp_path / "tables" / "tabel_2_fordeling.xlsx").active
    assert SYNTHETIC_NOTE in ws["A2"].value
    header = [c.value for c in ws[4]]
    col = header.index("datagrundlag") + 1
    assert all(ws.cell(row=r, column=col).value == "Syntetiske data" for r in range(5, 11))
    fig = plots.bar_chart(shown, "kategori", "andel", hue="ordning")
    pub.figure(fig, "figur_2_fordeling", source=shown)
    texts = [t.get_text() for t in fig.texts]
    # the data status once, in bold, and the seed in the line that explains it
    assert sum(t.count("Syntetiske data") for t in texts) == 1, texts
    assert "Syntetiske data" in texts and any("registerdata" in t and "(seed 7)" in t for t in texts)
    plt.close(fig)


def test_identifiers_refused(tmp_path):
    pub = Publisher(tmp_path, notebook="01_x")
    with pytest.raises(DisclosureError):
        pub.table(pd.DataFrame({"pnr": ["P00000001"], "n": [10]}), "bilag_x", title="x")
    with pytest.raises(DisclosureError):
        pub.table(pd.DataFrame({"gruppe": ["P00000001"], "n": [10]}), "bilag_x", title="x")
    assert not (tmp_path / "tables" / "bilag_x.csv").exists()


def test_figure_refuses_unprotected_source(tmp_path, dist):
    pub = Publisher(tmp_path, notebook="01_x")
    fig, ax = plt.subplots()
    ax.bar(dist["kategori"], dist["n"])
    with pytest.raises(DisclosureError):
        pub.figure(fig, "figur_1_x", source=dist)
    prot = protect_table(dist, min_cell_size=5)
    tampered = prot.copy()
    tampered.loc[0, "n"] = 3
    with pytest.raises(DisclosureError):
        pub.figure(fig, "figur_1_x", source=tampered)
    assert not (tmp_path / "figures" / "figur_1_x.png").exists()
    paths = pub.figure(fig, "figur_1_x", source=prot)
    assert [p.suffix for p in paths] == [".png", ".svg"] and all(p.stat().st_size > 0 for p in paths)
    assert plt.fignum_exists(fig.number), "figure stays open for display"
    plt.close(fig)


def _make_fig(df):
    return plots.bar_chart(df, "kategori", "andel", hue="ordning", title="Figur 3. Andel", percent=True, share=True)


def test_figure_bytes_are_deterministic(tmp_path, dist):
    shown = protect_table(dist, min_cell_size=5, sums=[["ordning"]])
    a = Publisher(tmp_path / "a", notebook="01_x", synthetic=True)
    b = Publisher(tmp_path / "b", notebook="01_x", synthetic=True)
    fig = _make_fig(shown)
    pa = a.figure(fig, "figur_3_andel", source=shown, note="Kilde: DFDG")
    pa2 = [p.read_bytes() for p in pa]
    a.figure(fig, "figur_3_andel", source=shown, note="Kilde: DFDG")  # same figure saved twice
    again = [p.read_bytes() for p in pa]
    # one footer, the same picture; the layout, already settled, may move in the 10th decimal,
    # which only the SVG's clip-path ids (hashes of the clip boxes) show
    assert again[0] == pa2[0]
    clip_ids = re.compile(rb'(id="|url\(#)p[0-9a-f]{10}')
    assert clip_ids.sub(rb"\1p", again[1]) == clip_ids.sub(rb"\1p", pa2[1])
    plt.close(fig)
    fig2 = _make_fig(shown)  # a fresh, identical figure
    pb = b.figure(fig2, "figur_3_andel", source=shown, note="Kilde: DFDG")
    plt.close(fig2)
    for first, y in zip(pa2, pb):  # a fresh figure: the first save's bytes exactly
        assert first == y.read_bytes(), y.name
    svg = pa[1].read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "<dc:creator>" not in svg
    assert b"Software" not in pa[0].read_bytes()


def test_reproduce_and_finish(tmp_path):
    pub = Publisher(tmp_path, notebook="03_hjaelpemidler", min_cell_size=5)
    pub.reproduce("d3_a", 0.25)
    pub.reproduce("d3_b", np.float32(2.5))
    pub.reproduce("d3_c", float("nan"))
    pub.reproduce("d3_d", 0.5, n=3)  # base below min -> suppressed
    pub.reproduce("d3_e", np.int64(742), n=742)
    pub.reproduce("d3_a", 0.3)  # rerun of a cell overwrites
    for bad in ("0.5", True, [1.0], pd.Series([1.0])):
        with pytest.raises(TypeError):
            pub.reproduce("d3_bad", bad)
    with pytest.raises(ValueError):
        pub.reproduce("", 1.0)
    path = pub.finish()
    assert path == tmp_path / "reproduction" / "03_hjaelpemidler.csv"
    rows = read_csv_rows(path)
    assert list(rows[0]) == ["id", "pipeline_value"]
    got = {r["id"]: r["pipeline_value"] for r in rows}
    assert got == {"d3_a": "0.3", "d3_b": "2.5", "d3_c": "", "d3_d": "", "d3_e": "742.0"}
    assert all(isinstance(v, float) for v in pub.values.values())
    assert math.isnan(pub.values["d3_d"])


def test_for_notebook_uses_run_params(tmp_path):
    params = RunParams(year=2019, kommuner=(101,), kommuner_spec=[101], data_dir=tmp_path / "nodata",
                       output_dir=tmp_path / "run", min_cell_size=7, notebooks=(), synthetic=True)
    pub = Publisher.for_notebook(params, "01_udbredelse")
    assert pub.out_dir == tmp_path / "run" and pub.min_cell_size == 7 and pub.synthetic
    shown = pub.table(pd.DataFrame({"gruppe": ["a", "b"], "n": [6, 9]}), "tabel_4_x", title="Tabel 4")
    assert shown["n"].isna().tolist() == [True, False]
    assert (tmp_path / "run" / "tables" / "tabel_4_x.csv").exists()
    assert pub.finish() == tmp_path / "run" / "reproduction" / "01_udbredelse.csv"


def test_count_columns_reexported():
    assert count_columns(pd.DataFrame(columns=["n", "andel", "antal_x"])) == ["n", "antal_x"]


def test_table_files_are_byte_identical_across_runs_at_different_times(tmp_path, dist, monkeypatch):
    """openpyxl stamps the save time into the workbook (core.xml and every zip entry); the
    Publisher's files must not depend on when they were written."""
    import datetime as dt

    import openpyxl.writer.excel as excel

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2031, 5, 17, 13, 37, tzinfo=tz)

    first = Publisher(tmp_path / "a", notebook="01_x", synthetic=True).table(dist, "tabel_3_x", title="Tabel 3")
    monkeypatch.setattr(excel.datetime, "datetime", Later)
    monkeypatch.setattr("time.localtime", lambda *a: dt.datetime(2031, 5, 17, 13, 37).timetuple())
    Publisher(tmp_path / "b", notebook="01_x", synthetic=True).table(dist, "tabel_3_x", title="Tabel 3")
    assert first is not None
    for ext in ("csv", "xlsx"):
        a = (tmp_path / "a" / "tables" / f"tabel_3_x.{ext}").read_bytes()
        b = (tmp_path / "b" / "tables" / f"tabel_3_x.{ext}").read_bytes()
        assert a == b, ext


def test_csv_has_no_float_noise(tmp_path):
    df = pd.DataFrame({"kommune": ["a", "b", "c"], "n": [10, 20, 30],
                       "udgift_kr": [1478139.0000000002, 0.1 + 0.2, 2 / 3]})
    Publisher(tmp_path, notebook="01_x").table(df, "tabel_3_udgift", title="Udgift")
    rows = read_csv_rows(tmp_path / "tables" / "tabel_3_udgift.csv")
    assert [r["udgift_kr"] for r in rows] == ["1478139", "0.3", "0.666666666667"]
    assert [r["n"] for r in rows] == ["10", "20", "30"]


def test_target_spec_lookups_aliases_and_not_computed(tmp_path):
    from hko_research.publishing.targets import TablePicker, TargetSpecError, evaluate, load_spec, not_computed

    spec_file = tmp_path / "targets.yaml"
    spec_file.write_text(
        "d9_a:\n  table: t\n  where: {kategori: x}\n"
        "d9_b:\n  table: t\n  column: antal\n  where: {kategori: y}\n"
        "d9_c: {alias_of: d9_a}\n"
        "d9_d: {alias_of: d9_sum}\n"
        "d9_e: {ikke_beregnet: 'rapporten oplyser ikke grundlaget'}\n", encoding="utf-8")
    results = {"t": pd.DataFrame({"niveau": ["Hele landet"] * 3 + ["Valgte kommuner"] * 3,
                                  "kategori": ["x", "y", "z"] * 2, "antal": [10, 3, 20, 8, 2, 5],
                                  "n": [33] * 3 + [15] * 3,
                                  "andel": [10 / 33, 3 / 33, 20 / 33, 8 / 15, 2 / 15, 5 / 15]})}
    # the categories sum to n: the suppressed 3 needs a second masked cell in its block; give it
    # one (w = 6) so the looked-up x stays shown
    t = results["t"]
    results["t"] = pd.concat([t.iloc[:3], pd.DataFrame({"niveau": ["Hele landet"], "kategori": ["w"], "antal": [6],
                                                        "n": [39], "andel": [6 / 39]}), t.iloc[3:]],
                             ignore_index=True).assign(n=lambda d: d["n"].where(d["niveau"] != "Hele landet", 39))
    spec = load_spec(spec_file)
    picker = TablePicker(results, 5)
    values = evaluate(spec, picker, {"d9_sum": 42.0})
    assert values["d9_a"] == pytest.approx(10 / 33)  # the national row, not the selection's 8/15
    assert math.isnan(values["d9_b"])  # 3 < min_cell_size: suppressed as on the page
    assert values["d9_c"] == values["d9_a"] and values["d9_d"] == 42.0
    assert not_computed(spec) == {"d9_e": "rapporten oplyser ikke grundlaget"}
    with pytest.raises(TargetSpecError, match="both looked up"):
        evaluate(spec, picker, {"d9_a": 1.0})
    spec_file.write_text("d9_x: {table: t, alias_of: d9_a}\n", encoding="utf-8")
    with pytest.raises(TargetSpecError, match="exactly one"):
        load_spec(spec_file)


def test_cells_an_earlier_table_fixes_are_recorded_for_the_run_not_printed(tmp_path):
    """Delanalyse 4's pattern: the employers with isbryder experience (3, masked) reappear in a later
    table's base (borgere + arbejdsgivere med erfaring = 5 + 3), and the later table cannot mask its
    way out of what the earlier one published. The publisher says so in beskyttelse.json (the
    runner's index warning) instead of a Python warning on the reader's page."""
    import json

    ordninger = pd.DataFrame({
        "niveau": ["Alle casekommuner"] * 8, "gruppe": ["borger"] * 4 + ["arbejdsgiver"] * 4,
        "ordning": ["pa", "hm", "is", "fa"] * 2, "antal": [24, 19, 5, 10, 14, 11, 3, 0],
        "n": [48] * 4 + [24] * 4})
    ordninger["andel"] = ordninger["antal"] / ordninger["n"]
    udsagn = pd.DataFrame({
        "niveau": ["Alle casekommuner"] * 8,
        "maal": ["selvstaendige", "landmaend", "hm_forudsaetning", "pa_fastholde", "pa_gevinst", "is_vise_vaerd",
                 "fa_ikke_igen", "fa_fokus"],
        "antal": [11, 4, 11, 19, 22, 5, 8, 8], "n": [37, 11, 11, 24, 24, 8, 10, 10]})
    udsagn["andel"] = udsagn["antal"] / udsagn["n"]
    pub = Publisher(tmp_path, notebook="04_x")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing reaches the notebook's output
        first = pub.table(ordninger, "tabel_61c_ordninger", title="Ordninger")
        pub.table(udsagn, "tabel_62_udsagn", title="Udsagn")
    assert np.isnan(first["antal"].iloc[6])  # the 3 is masked where it is published
    weak = json.loads((tmp_path / "beskyttelse.json").read_text(encoding="utf-8"))
    assert list(weak) == ["tabel_62_udsagn"]
    assert ["tabel_61c_ordninger", 6, "antal"] in weak["tabel_62_udsagn"]
    # the first table alone is protected: no record for it
    assert not (tmp_path / "fresh").exists()
    alone = Publisher(tmp_path / "fresh", notebook="04_x")
    alone.table(ordninger, "tabel_61c_ordninger", title="Ordninger")
    assert not (tmp_path / "fresh" / "beskyttelse.json").exists()
