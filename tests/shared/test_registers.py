"""registers: DREAM column names, extraction at dates, ydelsesgrupper, SAS/CSV -> Parquet import."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hko_research.inputs.registers import (
    MissingColumnsWarning,
    UnknownCodeError,
    dream_at_dates,
    import_to_parquet,
    is_person_in,
    map_ydelsesgruppe,
    month_column,
    week_column,
    ydelseshistorik,
)

N_PERSONS = 300
CODES = [111, 130, 730, 771, 785, 890, 899, 652, 783]


def _weeks_2019_2020() -> list[str]:
    # ISO 2019 has 52 weeks, ISO 2020 has 53 (written out independently of week_column)
    return [f"y_19{w:02d}" for w in range(1, 53)] + [f"y_20{w:02d}" for w in range(1, 54)]


def _months_2019_2020() -> list[tuple[int, int]]:
    return [(y, m) for y in (2019, 2020) for m in range(1, 13)]


@pytest.fixture(scope="module")
def dream_wide() -> pd.DataFrame:
    """DREAM-shaped wide frame, DST-style upper-case names; weekly Int16 codes in 13-week spells."""
    rng = np.random.default_rng(7)
    cols: dict[str, object] = {
        "PNR": [f"{i:010d}" for i in range(1, N_PERSONS + 1)],
        "FOEDDT": pd.to_datetime(rng.integers(0, 20_000, N_PERSONS), unit="D", origin="1950-01-01").normalize(),
        "KON": rng.choice(["M", "K"], N_PERSONS),
        "NYKOM2019": rng.choice([101, 147, 751], N_PERSONS),
    }
    weeks = _weeks_2019_2020()
    for j, w in enumerate(weeks):
        if j % 13 == 0:
            spell = rng.choice(CODES + [None] * 6, N_PERSONS)
        cols[w.upper()] = pd.array(spell, dtype="Int16")
    for y, m in _months_2019_2020():
        grad = rng.integers(0, 101, N_PERSONS).astype(float)
        grad[rng.random(N_PERSONS) < 0.3] = np.nan
        cols[f"GRAD_{y}_{m:02d}"] = grad
        cols[f"BRANCHE_{y}_{m:02d}"] = pd.array(
            rng.choice(["011100", "862100", "475400", None], N_PERSONS), dtype="string"
        )
        cols[f"VIRKFORM_{y}_{m:02d}"] = pd.array(rng.choice(["10", "20", None], N_PERSONS), dtype="string")
    return pd.DataFrame(cols)


@pytest.fixture(scope="module")
def dream_parquet(tmp_path_factory, dream_wide) -> object:
    path = tmp_path_factory.mktemp("dream") / "dream.parquet"
    table = pa.Table.from_pandas(dream_wide, preserve_index=False)
    pq.write_table(table, path, row_group_size=100)
    assert pq.read_schema(path).field("Y_1911").type == pa.int16()
    return path


@pytest.fixture(scope="module")
def dream_csv(tmp_path_factory, dream_wide) -> object:
    path = tmp_path_factory.mktemp("dream_csv") / "dream.csv"
    df = dream_wide.copy()
    df["FOEDDT"] = df["FOEDDT"].dt.strftime("%Y-%m-%d")
    df.to_csv(path, index=False)
    return path


def _value(wide: pd.DataFrame, pnr: str, column: str):
    row = wide.loc[wide["PNR"] == pnr]
    assert len(row) == 1
    v = row[column.upper()].iloc[0]
    return None if pd.isna(v) else v


# ---------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "date, expected",
    [
        ("2019-12-30", "y_2001"),  # Monday of ISO 2020-W01
        ("2021-01-03", "y_2053"),  # Sunday of ISO 2020-W53
        ("2020-12-31", "y_2053"),
        ("2018-12-31", "y_1901"),
        ("2019-12-29", "y_1952"),
        ("2016-01-03", "y_1553"),
        ("2019-03-14", "y_1911"),
        (dt.date(2009, 1, 5), "y_0902"),
        (pd.Timestamp("2000-01-03"), "y_0001"),
    ],
)
def test_week_column_iso_edges(date, expected):
    assert week_column(date) == expected


def test_month_column():
    assert month_column("grad", "2019-03-31") == "grad_2019_03"
    assert month_column("BRANCHE", dt.date(2020, 12, 1)) == "branche_2020_12"
    with pytest.raises(ValueError):
        week_column(pd.NaT)


# ---------------------------------------------------------------------------------- extraction


@pytest.fixture()
def population() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "bevilling_id": [10, 11, 12, 13, 14, 15],
            "ordning": ["PA", "HM", "HM", "PA", "isbryder", "HM"],
            "pnr": ["0000000005", "0000000005", "0000000005", "0000000042", "0000000300", "9999999999"],
            "dato": pd.to_datetime(["2019-03-14", "2019-03-14", "2020-12-31", "2019-12-30", "2020-06-01", "2019-05-01"]),
        },
        index=pd.Index([100, 101, 102, 103, 104, 105], name="rk"),
    )


def test_dream_at_dates_known_values(dream_parquet, dream_wide, population):
    res = dream_at_dates(dream_parquet, population)
    # one row per population row, same index/order, ids carried, duplicates kept
    assert list(res.index) == [100, 101, 102, 103, 104, 105]
    assert res["bevilling_id"].tolist() == [10, 11, 12, 13, 14, 15]
    assert res["ordning"].tolist() == population["ordning"].tolist()
    expected_cols = {
        100: ("0000000005", "y_1911", "2019_03"),
        101: ("0000000005", "y_1911", "2019_03"),
        102: ("0000000005", "y_2053", "2020_12"),
        103: ("0000000042", "y_2001", "2019_12"),
        104: ("0000000300", "y_2023", "2020_06"),
    }
    for rk, (pnr, wk, ym) in expected_cols.items():
        row = res.loc[rk]
        assert row["pnr"] == pnr
        assert (None if pd.isna(row["ydelseskode"]) else int(row["ydelseskode"])) == _value(dream_wide, pnr, wk)
        g = _value(dream_wide, pnr, f"grad_{ym}")
        assert (pd.isna(row["grad"]) and g is None) or row["grad"] == g
        assert (None if pd.isna(row["branche"]) else row["branche"]) == _value(dream_wide, pnr, f"branche_{ym}")
        assert (None if pd.isna(row["virkform"]) else row["virkform"]) == _value(dream_wide, pnr, f"virkform_{ym}")
        assert row["kon"] == _value(dream_wide, pnr, "kon")
        assert row["foeddt"] == _value(dream_wide, pnr, "foeddt")
        assert row["i_dream"]
    # person not in DREAM: all NULL and flagged (not silently "selvforsørget")
    assert not res.loc[105, "i_dream"]
    assert res.loc[[105], ["ydelseskode", "grad", "branche", "kon", "foeddt"]].isna().all(axis=None)
    assert str(res["ydelseskode"].dtype) == "Int64"
    assert res["branche"].dropna().str.fullmatch(r"\d{6}").all()  # leading zeros kept


def test_dream_at_dates_all_rows_against_wide(dream_parquet, dream_wide):
    """Every person x random dates in 2019-2020, checked against the wide frame directly."""
    rng = np.random.default_rng(1)
    n = 900
    pnrs = rng.choice(dream_wide["PNR"], n)  # many persons appear several times
    dates = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    pop = pd.DataFrame({"pnr": pnrs, "dato": dates, "id": np.arange(n)})
    with pytest.warns(MissingColumnsWarning, match="y_1852"):  # the week before 2019-01-01..06
        res = dream_at_dates(dream_parquet, pop, week_offsets=(0, -1))
    wide = dream_wide.set_index("PNR")
    for i in range(n):
        d = dates[i]
        iso = d.isocalendar()
        prev = (d - pd.Timedelta(days=7)).isocalendar()
        for col, (yy, ww) in (("ydelseskode", iso[:2]), ("ydelseskode_m1", prev[:2])):
            name = f"Y_{yy % 100:02d}{ww:02d}"
            exp = wide.at[pnrs[i], name] if name in wide.columns else pd.NA
            got = res[col].iloc[i]
            assert (pd.isna(exp) and pd.isna(got)) or int(exp) == int(got), (i, col, name)
        g = wide.at[pnrs[i], f"GRAD_{d.year}_{d.month:02d}"]
        assert (pd.isna(g) and pd.isna(res["grad"].iloc[i])) or g == res["grad"].iloc[i]
    assert res["id"].tolist() == list(range(n))
    assert res["ydelseskode"].notna().sum() > n // 3  # the fixture has codes to find


def test_dream_at_dates_only_reads_population(dream_parquet, dream_wide):
    pop = pd.DataFrame({"pnr": ["0000000007"], "dato": [pd.Timestamp("2019-06-03")]})
    res = dream_at_dates(dream_parquet, pop)
    assert len(res) == 1 and res["pnr"].tolist() == ["0000000007"]
    assert res["kon"].iloc[0] == _value(dream_wide, "0000000007", "kon")


def test_dates_outside_file_are_null_and_warned_once(dream_parquet):
    pop = pd.DataFrame(
        {
            "pnr": ["0000000001", "0000000002", "0000000003", "0000000004"],
            "dato": pd.to_datetime(["2018-06-01", "2018-07-01", "2021-03-01", "2019-06-03"]),
        }
    )
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = dream_at_dates(dream_parquet, pop)
    missing = [w for w in rec if issubclass(w.category, MissingColumnsWarning)]
    assert len(missing) == 1
    assert "y_1822" in str(missing[0].message) and "grad_2021_03" in str(missing[0].message)
    assert res.loc[[0, 1, 2], ["ydelseskode", "grad", "branche", "virkform"]].isna().all(axis=None)
    assert res["i_dream"].all() and res["kon"].notna().all()


def test_missing_dato_gives_null(dream_parquet):
    pop = pd.DataFrame({"pnr": ["0000000001", "0000000001"], "dato": [pd.NaT, pd.Timestamp("2019-06-03")]})
    res = dream_at_dates(dream_parquet, pop)
    assert pd.isna(res["ydelseskode"].iloc[0]) and pd.isna(res["grad"].iloc[0])
    assert res["i_dream"].all()


def test_csv_gives_same_result(dream_parquet, dream_csv, population):
    a = dream_at_dates(dream_parquet, population, week_offsets=(0, -2))
    b = dream_at_dates(dream_csv, population, week_offsets=(0, -2))
    pd.testing.assert_frame_equal(a, b)
    assert a["ydelseskode"].notna().any()


def test_pnr_type_mismatch_raises(dream_parquet):
    pop = pd.DataFrame({"pnr": [5], "dato": [pd.Timestamp("2019-03-14")]})
    with pytest.raises(TypeError, match="pnr"):
        dream_at_dates(dream_parquet, pop)


def test_fields_subset_and_clash(dream_parquet, population):
    res = dream_at_dates(dream_parquet, population, fields=("y",))
    assert "grad" not in res.columns and "ydelseskode" in res.columns
    with pytest.raises(ValueError, match="already has"):
        dream_at_dates(dream_parquet, population.assign(grad=1))


# ---------------------------------------------------------------------------------- ydelseshistorik


def test_ydelseshistorik_counts_weeks_before(dream_parquet, dream_wide):
    pop = pd.DataFrame(
        {
            "pnr": ["0000000011", "0000000012", "0000000013", "0000000013"],
            "dato": pd.to_datetime(["2020-06-03", "2020-12-31", "2020-01-08", "2019-06-05"]),
        },
        index=[5, 6, 7, 8],
    )
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = ydelseshistorik(dream_parquet, pop, weeks=52)
    assert any(issubclass(w.category, MissingColumnsWarning) for w in rec)
    assert res.name == "ydelseshistorik" and list(res.index) == [5, 6, 7, 8]
    wide = dream_wide.set_index("PNR")
    weeks = [c.upper() for c in _weeks_2019_2020()]
    # 2020-06-03 is ISO 2020-W23: the 52 weeks before are 2019-W23 .. 2020-W22 (2019 has 52 weeks)
    start = weeks.index("Y_1923")
    assert weeks[start + 51] == "Y_2022"
    exp = int(wide.loc["0000000011", weeks[start : start + 52]].notna().sum())
    assert res.loc[5] == exp
    # 2020-12-31 is 2020-W53: 2019-W53 does not exist, window 2020-W01..W52
    exp = int(wide.loc["0000000012", [f"Y_20{w:02d}" for w in range(1, 53)]].notna().sum())
    assert res.loc[6] == exp
    # 2020-01-08 is 2020-W02: window 2019-W02..2020-W01, inside the file
    exp = int(wide.loc["0000000013", weeks[weeks.index("Y_1902") : weeks.index("Y_2001") + 1]].notna().sum())
    assert res.loc[7] == exp
    # 2019-06-05: the window starts in 2018, not in the file -> <NA>, not an undercount
    assert pd.isna(res.loc[8])


# ---------------------------------------------------------------------------------- ydelsesgrupper


def test_map_ydelsesgruppe_known_and_empty():
    codes = pd.Series([111, 899, pd.NA, 771.0, "730"], index=list("abcde"), dtype=object)
    res = map_ydelsesgruppe(codes)
    assert list(res.index) == list("abcde")
    assert res.loc["a"].tolist() == ["a_dagpenge", "rekruttering", "ADP"]
    assert res.loc["b", "ydelsesgruppe"] == "delvis_sygemeldt" and res.loc["b", "perspektiv"] == "fastholdelse"
    assert res.loc["c", "ydelsesgruppe"] == "selvforsoerget" and res.loc["c", "perspektiv"] == "fastholdelse"
    assert pd.isna(res.loc["c", "jobindsats_gruppe"])
    assert res.loc["d", "jobindsats_gruppe"] == "FLEKS"
    assert res.loc["e", "jobindsats_gruppe"] == "KTH"


def test_map_ydelsesgruppe_unknown_code_raises():
    codes = pd.Series([111, 555, 555, 123456, pd.NA], dtype="Int64")
    with pytest.raises(UnknownCodeError) as exc:
        map_ydelsesgruppe(codes)
    assert "555" in str(exc.value) and "123456" in str(exc.value)
    assert exc.value.counts == {555: 2, 123456: 1}


def test_map_ydelsesgruppe_on_extracted_codes(dream_parquet, population):
    res = dream_at_dates(dream_parquet, population)
    groups = map_ydelsesgruppe(res["ydelseskode"])
    assert groups["perspektiv"].notna().all()
    assert (groups.loc[res["ydelseskode"].isna(), "ydelsesgruppe"] == "selvforsoerget").all()


# ---------------------------------------------------------------------------------- import


def _make_sas(tmp_path, df: pd.DataFrame):
    if shutil.which("readstat") is None:
        pytest.skip("readstat CLI not installed")
    import pyreadstat

    dta, sas = tmp_path / "x.dta", tmp_path / "x.sas7bdat"
    pyreadstat.write_dta(df, str(dta))
    subprocess.run(["readstat", str(dta), str(sas)], check=True, capture_output=True)
    return sas


@pytest.fixture()
def sas_frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 1_000
    late_num = np.where(np.arange(n) < 400, np.nan, rng.integers(100, 900, n)).astype(float)
    late_str = np.where(np.arange(n) < 400, "", rng.choice(["011100", "862100"], n))
    return pd.DataFrame(
        {
            "PNR": [f"{i:010d}" for i in range(1, n + 1)],
            "KON": rng.choice(["M", "K"], n),
            "Y_1911": np.where(rng.random(n) < 0.4, np.nan, rng.choice(CODES, n)).astype(float),
            "Y_1912": late_num,  # all missing in the first chunks
            "GRAD_2019_03": rng.random(n) * 100,
            "BRANCHE_2019_03": late_str,  # all blank in the first chunks
        }
    )


def test_import_sas_chunked_equals_whole(tmp_path, sas_frame):
    import pyreadstat

    sas = _make_sas(tmp_path, sas_frame)
    out = import_to_parquet(sas, tmp_path / "out" / "dream.parquet", chunk_rows=128, progress=False)
    assert out.exists() and not list(out.parent.glob(".*tmp*"))
    pf = pq.ParquetFile(out)
    assert pf.metadata.num_rows == len(sas_frame)
    assert pf.metadata.num_row_groups == 8  # 1000 / 128, written chunk by chunk
    got = pd.read_parquet(out)
    whole, _ = pyreadstat.read_sas7bdat(str(sas))
    whole.columns = [c.lower() for c in whole.columns]
    assert list(got.columns) == ["pnr", "kon", "y_1911", "y_1912", "grad_2019_03", "branche_2019_03"]
    assert pf.schema_arrow.field("y_1912").type == pa.float64()
    assert pf.schema_arrow.field("branche_2019_03").type == pa.string()
    for c in got.columns:
        a, b = got[c], whole[c]
        if pa.types.is_string(pf.schema_arrow.field(c).type):
            b = b.replace("", None)  # SAS blank = missing
            assert (a.isna() == b.isna()).all(), c
            assert (a.dropna() == b.dropna()).all(), c
        else:
            np.testing.assert_array_equal(a.to_numpy(float), b.to_numpy(float), err_msg=c)
    assert got["branche_2019_03"].iloc[400:].str.fullmatch(r"\d{6}").all()
    assert got["y_1912"].iloc[:400].isna().all() and got["y_1912"].iloc[400:].notna().all()


def test_import_sas_columns_subset_then_extract(tmp_path, sas_frame):
    sas = _make_sas(tmp_path, sas_frame)
    out = import_to_parquet(sas, tmp_path / "d.parquet", chunk_rows=300, columns=["pnr", "Y_1911", "kon"],
                            progress=False)
    assert pq.read_schema(out).names == ["pnr", "y_1911", "kon"]
    pop = pd.DataFrame({"pnr": sas_frame["PNR"].iloc[[3, 500, 3]].tolist(),
                        "dato": pd.to_datetime(["2019-03-11", "2019-03-17", "2019-03-18"])})
    with pytest.warns(MissingColumnsWarning):
        res = dream_at_dates(out, pop, fields=("y",))
    exp = sas_frame["Y_1911"].iloc[[3, 500]].tolist()
    for got, e in zip(res["ydelseskode"].iloc[:2], exp):
        assert (pd.isna(got) and np.isnan(e)) or int(got) == int(e)
    assert pd.isna(res["ydelseskode"].iloc[2])  # 2019-03-18 is W12, not imported
    with pytest.raises(KeyError, match="nope"):
        import_to_parquet(sas, tmp_path / "e.parquet", columns=["pnr", "nope"], progress=False)
    assert not (tmp_path / "e.parquet").exists()


def test_import_csv_consistent_schema(tmp_path):
    n = 500
    df = pd.DataFrame(
        {
            "PNR": [f"{i:010d}" for i in range(n)],
            "Y_1911": [None] * 300 + [111] * 200,  # empty in the first chunks
            "BRANCHE_2019_03": ["011100" if i % 2 else "862100" for i in range(n)],
            "GRAD_2019_03": [float(i % 100) for i in range(n)],
        }
    )
    src = tmp_path / "r.csv"
    df.to_csv(src, index=False)
    out = import_to_parquet(src, tmp_path / "r.parquet", chunk_rows=100, progress=False)
    schema = pq.read_schema(out)
    assert schema.names == ["pnr", "y_1911", "branche_2019_03", "grad_2019_03"]
    assert schema.field("branche_2019_03").type == pa.string()
    assert schema.field("pnr").type == pa.string()
    got = pd.read_parquet(out)
    assert got["pnr"].tolist() == df["PNR"].tolist()
    assert got["branche_2019_03"].tolist() == df["BRANCHE_2019_03"].tolist()
    assert got["y_1911"].isna().sum() == 300 and (got["y_1911"].dropna() == 111).all()
    assert pq.ParquetFile(out).metadata.num_row_groups >= 2


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string[python]", object])
def test_is_person_in_is_isin_for_person_keys(dtype):
    """The Arrow set lookup answers as ``isin`` would: missing keys are not persons, a key is not
    a prefix match, the wanted side may hold duplicates, missing values and another string dtype;
    the index is kept (frames are filtered after a merge)."""
    pnr = pd.Series(["0101", "0102", None, "01", "0103", "0101"], dtype=dtype, index=[5, 3, 9, 1, 0, 7])
    wanted = pd.array(["0101", "0103", "0103", None, "9999"], dtype="string[pyarrow]")
    got = is_person_in(pnr, wanted)
    assert got.dtype == bool and list(got.index) == [5, 3, 9, 1, 0, 7]
    assert got.tolist() == [True, False, False, False, True, True]
    assert got.tolist() == pnr.astype("string").isin(["0101", "0103", "9999"]).fillna(False).tolist()
    assert not is_person_in(pnr, []).any()
