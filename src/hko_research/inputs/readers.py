"""Readers for the input files: CSV (UTF-8 or latin-1, ';' or ','), Parquet and SAS7BDAT.

The reader is chosen by the file's extension. Column names are lower-cased (DST delivers upper
case). CSV cells are read as text and converted to the contract's types by ``contracts``, so that a
wrong type is reported per row instead of failing the whole file.
"""
from __future__ import annotations

import csv
import io as _io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

CSV_DELIMITERS = (";", ",", "\t")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass(frozen=True)
class ReadProblem(Exception):
    """A file that cannot be read as a table; located as precisely as possible."""

    file: str
    check: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None
    sheet: str | None = None  # the worksheet of a workbook

    def __str__(self) -> str:
        where = "".join([f", sheet {self.sheet}" if self.sheet else "", f", row {self.row}" if self.row else "",
                         f", column {self.column}" if self.column else ""])
        return f"{self.file}{where}: {self.message}"


@dataclass(frozen=True)
class ReadProblems(ReadProblem):
    """Several problems found in one source (e.g. every coding mistake in a workbook), reported
    together; ``problems`` holds each located :class:`ReadProblem`, the fields the first one."""

    problems: tuple = ()

    @classmethod
    def of(cls, problems: list[ReadProblem]) -> "ReadProblems":
        first = problems[0]
        return cls(first.file, first.check, first.message, row=first.row, column=first.column, value=first.value,
                   sheet=first.sheet, problems=tuple(problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems) or super().__str__()


@dataclass(frozen=True)
class CsvFormat:
    encoding: str
    delimiter: str


def _locate(raw: bytes, offset: int, delimiter: str, header: list[str]) -> tuple[int, str | None]:
    """Data row (1-based, header excluded) and column name of a byte offset in a CSV file."""
    line_no = raw.count(b"\n", 0, offset) + 1
    line_start = raw.rfind(b"\n", 0, offset) + 1
    col_index = raw[line_start:offset].count(delimiter.encode())
    column = header[col_index] if col_index < len(header) else None
    return line_no - 1, column


def sniff_csv(path: Path, raw: bytes | None = None) -> CsvFormat:
    """Detect encoding (UTF-8, else latin-1/cp1252) and delimiter; raise ReadProblem when the
    bytes are neither (NUL bytes as in UTF-16, or UTF-8 mixed with latin-1)."""
    raw = path.read_bytes() if raw is None else raw
    name = path.name
    if not raw.strip():
        raise ReadProblem(name, "empty_file", "the file is empty")
    first_line = raw.split(b"\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=lambda d: first_line.count(d.encode()))
    header_text = first_line.decode("utf-8", errors="replace").lstrip("\ufeff").strip("\r")
    header = [h.strip().lower() for h in header_text.split(delimiter)]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (raw[:2000].count(b"\x00") > len(raw[:2000]) // 4):
        # every other byte is NUL: UTF-16 (Excel's "Unicode text"); the header cannot be read as text
        raise ReadProblem(name, "encoding", "the file is UTF-16 encoded (e.g. Excel's 'Unicode text'); save it again "
                          "as 'CSV UTF-8' (or latin-1), separated by ';' or ','")
    nul = raw.find(b"\x00")
    if nul >= 0:
        row, column = _locate(raw, nul, delimiter, header)
        raise ReadProblem(name, "encoding", "NUL bytes: the file is not UTF-8 or latin-1 text (binary?); export it "
                          "again as CSV", row=row or None, column=column)
    try:
        raw.decode("utf-8")
        return CsvFormat("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8", delimiter)
    except UnicodeDecodeError as exc:
        bad = exc.start
    if _UTF8_MULTIBYTE.search(raw):
        row, column = _locate(raw, bad, delimiter, header)
        snippet = raw[bad:bad + 4]
        raise ReadProblem(name, "encoding",
                          f"mixed encodings: the file is mostly UTF-8 but has bytes {snippet!r} that are not; "
                          f"save it again as UTF-8", row=row or None, column=column, value=repr(snippet))
    try:
        raw.decode("cp1252")
        return CsvFormat("cp1252", delimiter)
    except UnicodeDecodeError:
        return CsvFormat("latin-1", delimiter)


def read_csv_text(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """All cells as text (empty cell -> missing), lower-cased column names."""
    raw = path.read_bytes()
    fmt = sniff_csv(path, raw)
    text = raw.decode(fmt.encoding)
    # Skip leading comment lines (mapping files document themselves with '#').
    df = pd.read_csv(_io.StringIO(text), sep=fmt.delimiter, dtype=str, keep_default_na=False, na_values=[""],
                     comment=None, quoting=csv.QUOTE_MINIMAL, skipinitialspace=False)
    df.columns = [str(c).strip().lower() for c in df.columns]
    if df.empty and len(df.columns) <= 1 and not df.columns[0]:
        raise ReadProblem(path.name, "empty_file", "the file is empty")
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    df.attrs["csv_format"] = fmt
    return df


def read_table(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Read one input file by extension; ``columns`` (lower case) projects where the format allows."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv_text(path, columns)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        schema_names = pq.read_schema(path).names
        by_lower = {n.lower(): n for n in schema_names}
        wanted = None if columns is None else [by_lower[c] for c in columns if c in by_lower]
        df = pq.read_table(path, columns=wanted).to_pandas()
        df.columns = [c.lower() for c in df.columns]
        return df
    if suffix == ".sas7bdat":
        import pyreadstat

        if path.stat().st_size == 0:
            raise ReadProblem(path.name, "empty_file", "the file is empty")
        _, meta = pyreadstat.read_sas7bdat(str(path), metadataonly=True)
        by_lower = {n.lower(): n for n in meta.column_names}
        usecols = None if columns is None else [by_lower[c] for c in columns if c in by_lower]
        df, _ = pyreadstat.read_sas7bdat(str(path), usecols=usecols)
        df.columns = [c.lower() for c in df.columns]
        return df
    raise ReadProblem(path.name, "format", f"unsupported file type {suffix!r}; use .csv, .parquet or .sas7bdat")


def read_mapping(path: str | Path) -> pd.DataFrame:
    """A mapping/parameter CSV from params/mappings (',' separated, '#' comment lines on top), as text."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    body = "\n".join(line for line in lines if not line.startswith("#"))
    df = pd.read_csv(_io.StringIO(body), dtype=str, keep_default_na=False, na_values=[""])
    df.columns = [c.strip() for c in df.columns]
    return df
