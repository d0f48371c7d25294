"""The shared input cache (inputs/frame_cache.py): a hit returns exactly what parsing returns, and a
changed file, changed code or a frame Parquet cannot hold is parsed again."""
from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

from hko_research.inputs import frame_cache, survey


def _reader(path, calls):
    def build():
        calls.append(path)
        df = pd.read_csv(path, dtype={"kommunekode": "Int64", "svar": "string"})
        return {"data": df}, {"rows": len(df)}
    return build


@pytest.fixture
def source(tmp_path):
    p = tmp_path / "data" / "svar.csv"
    p.parent.mkdir()
    p.write_text("kommunekode,svar\n101,ja\n147,nej\n", encoding="utf-8")
    return p


def test_a_second_reader_gets_the_stored_frames_without_parsing(tmp_path, source):
    calls = []
    first, meta = frame_cache.cached_frames("t", [source], _reader(source, calls), cache_dir=tmp_path / "c")
    again, meta2 = frame_cache.cached_frames("t", [source], _reader(source, calls), cache_dir=tmp_path / "c")
    assert len(calls) == 1 and meta2 == meta == {"rows": 2}
    pd.testing.assert_frame_equal(again["data"], first["data"], check_exact=True)
    assert str(again["data"]["kommunekode"].dtype) == "Int64"


def test_a_changed_input_file_is_parsed_again(tmp_path, source):
    calls = []
    frame_cache.cached_frames("t", [source], _reader(source, calls), cache_dir=tmp_path / "c")
    stat = source.stat()
    # same size, same modification time: the content is what changed
    source.write_text("kommunekode,svar\n101,ja\n147,ja!\n", encoding="utf-8")
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert source.stat().st_size == stat.st_size
    frames, _ = frame_cache.cached_frames("t", [source], _reader(source, calls), cache_dir=tmp_path / "c")
    assert len(calls) == 2
    assert frames["data"]["svar"].tolist() == ["ja", "ja!"]
    # a file replaced by another with the old content is the old entry again
    source.write_text("kommunekode,svar\n101,ja\n147,nej\n", encoding="utf-8")
    frames, _ = frame_cache.cached_frames("t", [source], _reader(source, calls), cache_dir=tmp_path / "c")
    assert len(calls) == 2 and frames["data"]["svar"].tolist() == ["ja", "nej"]


def test_changed_code_is_a_miss(tmp_path, source, monkeypatch):
    calls = []
    frame_cache.cached_frames("t", [source], _reader(source, calls), cache_dir=tmp_path / "c")
    monkeypatch.setattr(frame_cache, "_code", lambda: "another reader")
    frame_cache.cached_frames("t", [source], _reader(source, calls), cache_dir=tmp_path / "c")
    assert len(calls) == 2


def test_a_frame_parquet_cannot_hold_exactly_is_parsed_every_time(tmp_path, source):
    calls = []

    def build():
        calls.append(1)  # an object column of ints and None comes back from Parquet as floats
        return {"data": pd.DataFrame({"antal": pd.Series([1, None, 3], dtype=object)})}, {}

    for _ in range(2):
        frames, _ = frame_cache.cached_frames("t", [source], build, cache_dir=tmp_path / "c")
        assert frames["data"]["antal"].tolist() == [1, None, 3]
    assert len(calls) == 2
    assert not list((tmp_path / "c" / "inputs").iterdir())  # and no temporary folder is left


def test_a_damaged_entry_is_parsed_again_and_replaced(tmp_path, source):
    calls = []
    frame_cache.cached_frames("t", [source], _reader(source, calls), cache_dir=tmp_path / "c")
    (entry,) = (tmp_path / "c" / "inputs").iterdir()
    (entry / "data.parquet").write_bytes(b"not parquet")
    frames, _ = frame_cache.cached_frames("t", [source], _reader(source, calls), cache_dir=tmp_path / "c")
    assert len(calls) == 2 and frames["data"]["svar"].tolist() == ["ja", "nej"]
    frame_cache.cached_frames("t", [source], _reader(source, calls), cache_dir=tmp_path / "c")
    assert len(calls) == 2  # repaired


def test_the_survey_is_parsed_once_per_run_and_again_after_the_workbook_changes(tmp_path, default_data_dir,
                                                                                 monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(default_data_dir / "medarbejdersurvey.xlsx", data)
    monkeypatch.setenv("HKO_RESEARCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(survey, "_MEMO", {})  # every read below as in a new process
    parsed = survey.read_survey(data)
    workbook = survey.read_workbook
    monkeypatch.setattr(survey, "read_workbook", lambda *a: pytest.fail("parsed again"))
    survey._MEMO.clear()
    cached = survey.read_survey(data)
    pd.testing.assert_frame_equal(cached.respondenter, parsed.respondenter, check_exact=True)
    pd.testing.assert_frame_equal(cached.kodebog, parsed.kodebog, check_exact=True)
    assert cached.dropped == parsed.dropped and cached.format == parsed.format == "surveyxact"
    # another workbook (the same survey with one respondent fewer) is parsed, not served stale
    from openpyxl import load_workbook

    wb = load_workbook(data / "medarbejdersurvey.xlsx")
    ws = wb.worksheets[0]
    ws.delete_rows(ws.max_row)
    wb.save(data / "medarbejdersurvey.xlsx")
    seen = []
    monkeypatch.setattr(survey, "read_workbook", lambda *a: seen.append(1) or workbook(*a))
    survey._MEMO.clear()
    changed = survey.read_survey(data)
    assert seen == [1] and len(changed.respondenter) == len(parsed.respondenter) - 1
