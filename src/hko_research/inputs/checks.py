"""Check input files against their contracts: lazy pandera validation collecting *all* failures.

File problems (missing, empty, unreadable, encoding), type conversion per cell, column checks,
cross-column rules, unique keys (across chunks for large Parquet registers), and the relations in
relationer.yaml. Person identifiers never appear in the report.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from ..hashing import file_sha256
from .contracts import (
    Contract,
    build_schema,
    call_reader,
    coerce_frame,
    coerce_series,
    input_path,
    load_contracts,
    load_relations,
)
from .readers import ReadProblem, read_table
from .report import MAX_EXAMPLES_PER_CHECK, Failure, InputStatus, ValidationReport

REDACTED = "<skjult personnummer>"
CHUNK_ROWS = 250_000  # rows per batch when a large Parquet register is validated


class _Collector:
    def __init__(self, report: ValidationReport):
        self.report = report
        self.examples: Counter = Counter()

    def add(self, failure: Failure) -> None:
        key = (failure.file, failure.column, failure.check)
        self.report.counts[key] += 1
        if self.examples[key] < MAX_EXAMPLES_PER_CHECK:
            self.examples[key] += 1
            self.report.failures.append(failure)


def _redact(contract: Contract, column: str | None, value: object) -> object:
    if column and contract.person_identifier and column == contract.person_identifier:
        return REDACTED
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def _iter_chunks(path: Path, contract: Contract, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """Large Parquet inputs are validated in row batches (bounded memory); others in one piece."""
    if path.suffix.lower() == ".parquet" and contract.large:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        start = 0
        for batch in pf.iter_batches(batch_size=CHUNK_ROWS, columns=columns):
            df = batch.to_pandas()
            df.columns = [c.lower() for c in df.columns]
            df.index = pd.RangeIndex(start, start + len(df))
            start += len(df)
            yield df
        return
    yield read_table(path, columns)


def validate_frame(df: pd.DataFrame, contract: Contract, file_label: str, collect: _Collector, row_offset: int = 0) -> pd.DataFrame:
    """Validate one frame (or chunk); rows are reported 1-based from ``row_offset``."""
    import pandera.pandas as pa

    df = df.reset_index(drop=True)
    missing = [c.name for c in contract.columns if c.name not in df.columns]
    for col in missing:
        collect.add(Failure(file_label, col, "column_present", None, "column missing"))
    for spec in contract.patterns:
        n = sum(1 for c in df.columns if re.fullmatch(spec.name, c))
        if n < spec.min_count and row_offset == 0:
            collect.add(Failure(file_label, spec.name, "column_present", None, f"{n} columns match, expected >= {spec.min_count}"))
    declared = set(contract.column_names())
    extra = [c for c in df.columns if c not in declared and not any(re.fullmatch(p.name, c) for p in contract.patterns)]
    if extra and row_offset == 0:
        collect.report.warnings.append(Failure(file_label, None, "unexpected_column", None, ", ".join(map(str, extra))))
    typed, bad_cells = coerce_frame(df, contract)
    for col, pos, value in bad_cells:
        collect.add(Failure(file_label, col, f"type:{contract.column(col).type}", row_offset + pos + 1, _redact(contract, col, value)))
    schema = build_schema(contract, skip=set(missing))
    try:
        schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        rule_columns = {r.rule: set(r.columns) for r in contract.rules}
        bad_rows = {(c, row_offset + p + 1) for c, p, _ in bad_cells}
        seen_frame_rows: set[tuple[str, int]] = set()
        for rec in fc.itertuples(index=False):
            check = str(rec.check)
            column = None if pd.isna(rec.column) else str(rec.column)
            row = None if pd.isna(rec.index) else row_offset + int(rec.index) + 1
            name = check.split("(")[0]
            if name in rule_columns:
                # frame-level rule: pandera lists every column of a failing row; keep one line per row
                key = (check, row)
                if key in seen_frame_rows:
                    continue
                seen_frame_rows.add(key)
                a, b = next(r.columns for r in contract.rules if r.rule == name and check.startswith(name))
                value = f"{_redact(contract, a, typed.at[int(rec.index), a])} > {_redact(contract, b, typed.at[int(rec.index), b])}"
                collect.add(Failure(file_label, f"{a}/{b}", name, row, value))
                continue
            if check == "column_in_dataframe" or name == "column_in_dataframe":
                continue
            if name in ("multiple_fields_uniqueness",) or (column is None and "unique" in check) or \
                    (rec.schema_context == "DataFrameSchema" and "unique" in check):
                key = ("unique_key", row)
                if key in seen_frame_rows:
                    continue
                seen_frame_rows.add(key)
                value = " | ".join(str(_redact(contract, k, typed.at[int(rec.index), k])) for k in contract.key)
                collect.add(Failure(file_label, "+".join(contract.key), "unique_key", row, value))
                continue
            if name == "not_nullable":
                if (column, row) in bad_rows:
                    continue  # the cell was present but not convertible: reported as a type failure
                collect.add(Failure(file_label, column, "not_nullable", row, None))
                continue
            if name.startswith("dtype"):
                continue  # types were converted (and reported) before pandera
            if (column, row) in bad_rows:
                continue
            collect.add(Failure(file_label, column, name if name != "field_uniqueness" else "unique", row,
                                _redact(contract, column, rec.failure_case)))
    return typed


def _key_duplicates_across_chunks(path: Path, contract: Contract, file_label: str, collect: _Collector) -> None:
    """For chunked inputs the key must be unique across chunks too (checked with DuckDB)."""
    import duckdb

    keys = ", ".join(contract.key)
    rows = duckdb.execute(
        f"select {keys}, count(*) as n from read_parquet('{path.as_posix()}') group by {keys} having count(*) > 1 limit 20"
    ).fetchall()
    for rec in rows:
        collect.add(Failure(file_label, "+".join(contract.key), "unique_key", None,
                            _redact(contract, contract.key[0], rec[0])))


_WEEK_COL = re.compile(r"^y_(\d{2})\d{2}$")


class Coverage:
    """What an input covers, gathered chunk by chunk from the typed frames while it is validated:
    its rows and years (from ``aar``, ``kvartal``, its first required date column, or week columns
    ``y_YYWW``), the number of kommuner (``kommunekode`` or ``kom``), its columns as the reader
    sees them, and its data status (rows per ``kilde``). Notebook 00's overview shows it."""

    def __init__(self, contract: Contract):
        self.contract = contract
        self.columns: list[str] | None = None
        self.years: set[int] = set()
        self.kommuner: set = set()
        self.kilde: Counter = Counter()
        self.rows = 0

    def add(self, typed: pd.DataFrame, columns: list[str] | None = None) -> None:
        """One typed frame or chunk; ``columns``: the input's columns when ``typed`` is a projection."""
        self.rows += len(typed)
        cols = [str(c) for c in (typed.columns if columns is None else columns)]
        if self.columns is None:
            self.columns = cols
        dates = [c.name for c in self.contract.columns if c.type == "date" and c.name in typed.columns
                 and not c.nullable]
        if "aar" in typed.columns:
            self.years |= {int(v) for v in pd.to_numeric(typed["aar"], errors="coerce").dropna().unique()}
        elif "kvartal" in typed.columns:
            self.years |= {int(str(v)[:4]) for v in typed["kvartal"].dropna().unique() if str(v)[:4].isdigit()}
        elif dates:
            self.years |= {int(y) for y in pd.to_datetime(typed[dates[0]], errors="coerce").dt.year.dropna().unique()}
        else:
            self.years |= {2000 + int(m.group(1)) for c in cols if (m := _WEEK_COL.match(c))}
        if "kilde" in typed.columns:
            self.kilde.update(typed["kilde"].astype("string").dropna().tolist())
        kom = next((c for c in ("kommunekode", "kom") if c in typed.columns), None)
        if kom:
            self.kommuner |= set(typed[kom].dropna().unique().tolist())

    def result(self) -> dict:
        has_kom = any(c in (self.columns or ()) for c in ("kommunekode", "kom"))
        return {"rows": self.rows, "years": sorted(self.years), "n_kommuner": len(self.kommuner) if has_kom else None,
                "n_columns": len(self.columns or ()),
                "kilde": ", ".join(f"{k}: {v}" for k, v in sorted(self.kilde.items())) or None}


def validate_file(path: Path, contract: Contract, collect: _Collector, status: InputStatus,
                  data_dir: Path | None = None) -> None:
    label = path.name
    coverage = Coverage(contract)
    if contract.reader:  # another shape (survey export, SPSS, coding workbook ...): its reader makes the table
        try:
            df = call_reader(contract, data_dir if data_dir is not None else path.parent)
            coverage.add(validate_frame(df, contract, label, collect))
            status.coverage = coverage.result()
            status.rows = len(df)
            if len(df) == 0:
                collect.add(Failure(label, None, "empty_file", None, "the file has no rows"))
        except ReadProblem as problem:
            for p in getattr(problem, "problems", ()) or (problem,):  # a reader may report several at once
                collect.add(Failure(p.file or label, p.column, p.check, p.row, p.message))
        except Exception as exc:
            collect.add(Failure(label, None, "readable", None, f"{type(exc).__name__}: {exc}"))
        return
    try:
        if path.stat().st_size == 0:
            raise ReadProblem(label, "empty_file", "the file is empty")
        offset = 0
        chunked = path.suffix.lower() == ".parquet" and contract.large
        for chunk in _iter_chunks(path, contract):
            coverage.add(validate_frame(chunk, contract, label, collect, row_offset=offset))
            offset += len(chunk)
        status.rows = offset
        status.coverage = coverage.result()
        if offset == 0:
            collect.add(Failure(label, None, "empty_file", None, "the file has a header but no rows"))
        if chunked and contract.key and offset > CHUNK_ROWS:
            _key_duplicates_across_chunks(path, contract, label, collect)
    except ReadProblem as problem:
        collect.add(Failure(label, problem.column, problem.check, problem.row, problem.message))
    except Exception as exc:  # unreadable file: say so, keep validating the others
        collect.add(Failure(label, None, "readable", None, f"{type(exc).__name__}: {exc}"))


def _column_values(path: Path, column_glob: str, contract: Contract | None = None,
                   data_dir: Path | None = None) -> dict[str, pd.Series]:
    """Values of one column (or every column matching a 'prefix*' glob) of an input, as a dict."""
    import pyarrow.parquet as pq

    if contract is not None and contract.reader:
        frame = call_reader(contract, data_dir if data_dir is not None else path.parent)
        names = list(frame.columns)
    elif path.suffix.lower() == ".parquet":
        frame, names = None, pq.read_schema(path).names
    else:
        frame = None
        names = list(read_table(path).columns)
    lower = {n.lower(): n for n in names}
    if column_glob.endswith("*"):
        wanted = [n for n in lower if n.startswith(column_glob[:-1].lower())]
    else:
        wanted = [column_glob.lower()] if column_glob.lower() in lower else []
    if not wanted:
        return {}
    df = frame if frame is not None else read_table(path, wanted)
    return {c: df[c] for c in wanted}


# A file with one of these failures could not be read as a table: its relations are not checked
# (the file itself is reported; the files it relates to are not to blame).
UNREADABLE = frozenset({"encoding", "readable", "empty_file", "format", "file_present"})


def _check_relations(data_dir: Path, contracts: dict[str, Contract], paths: dict[str, Path], collect: _Collector,
                     unreadable: frozenset[str] = frozenset()) -> None:
    for rel in load_relations():
        src_name, src_col = rel["from"].split(".", 1)
        dst_name, dst_col = rel["to"].split(".", 1)
        if src_name not in paths or dst_name not in paths or {src_name, dst_name} & unreadable:
            continue
        try:
            dst = _column_values(paths[dst_name], dst_col, contracts[dst_name], data_dir).get(dst_col.lower())
            if dst is None:
                continue
            dst_spec = contracts[dst_name].column(dst_col.lower())
            dst_values, _ = coerce_series(dst, dst_spec.type)
            allowed = set(dst_values.dropna().tolist())
            for col, values in _column_values(paths[src_name], src_col, contracts[src_name], data_dir).items():
                spec = contracts[src_name].column(col)
                typed, _ = coerce_series(values, spec.type)
                orphan = typed.notna() & ~typed.isin(allowed)
                for pos in np.flatnonzero(orphan.to_numpy()):
                    collect.add(Failure(paths[src_name].name, col, f"relation:{rel['to']}", int(pos) + 1,
                                        _redact(contracts[src_name], col, typed.iloc[pos])))
        except ReadProblem:
            continue  # an input its reader refused: its own problems are already reported
        except Exception as exc:
            collect.add(Failure(paths[src_name].name, src_col, f"relation:{rel['to']}", None, f"could not check: {exc}"))


def validate_dataset(data_dir: Path, names: list[str] | None = None) -> ValidationReport:
    """Validate every input in ``data_dir`` (or only ``names``) plus their relations."""
    data_dir = Path(data_dir)
    contracts = load_contracts()
    report = ValidationReport()
    collect = _Collector(report)
    selected = [c for n, c in contracts.items() if names is None or n in names]
    paths: dict[str, Path] = {}
    for contract in selected:
        path = input_path(data_dir, contract)
        status = InputStatus(name=contract.name, path=path, required=contract.required)
        report.inputs.append(status)
        if path is None:
            if contract.required:
                collect.add(Failure(f"{contract.name}.(csv|parquet|sas7bdat)", None, "file_present", None,
                                    f"required input missing in {data_dir}"))
            continue
        status.sha256 = file_sha256(path)
        before = sum(report.counts.values())
        validate_file(path, contract, collect, status, data_dir=data_dir)
        status.failures = sum(report.counts.values()) - before
        paths[contract.name] = path
    if names is not None:  # relations may point at inputs outside the selection
        for n, c in contracts.items():
            if n not in paths:
                p = input_path(data_dir, c)
                if p is not None:
                    paths[n] = p
    bad_files = {f for (f, _, k) in report.counts if k in UNREADABLE}
    unreadable = frozenset(n for n, p in paths.items() if p.name in bad_files)
    _check_relations(data_dir, contracts, paths, collect, unreadable)
    for status in report.inputs:
        if status.path is not None:
            status.failures = sum(n for (f, _, _), n in report.counts.items() if f == status.path.name)
    return report
