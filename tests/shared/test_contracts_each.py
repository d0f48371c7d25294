"""Every contract, good and bad: a sample of the default data passes its contract, and breaking
each kind of declared check in that sample is reported with file, column, check and row."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from hko_research.inputs.checks import validate_dataset
from hko_research.inputs.contracts import declared_checks, input_path, load_contracts, read_input
from hko_research.paths import DEFAULT_DATA_DIR

CONTRACTS = sorted(n for n, c in load_contracts().items() if not c.reference)
SAMPLE_ROWS = 40


def sample(name: str) -> pd.DataFrame:
    contract = load_contracts()[name]
    path = input_path(DEFAULT_DATA_DIR, contract)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        batch = next(pq.ParquetFile(path).iter_batches(batch_size=SAMPLE_ROWS))
        df = batch.to_pandas()
        df.columns = [c.lower() for c in df.columns]
        from hko_research.inputs.contracts import coerce_frame

        return coerce_frame(df, contract)[0]
    return read_input(DEFAULT_DATA_DIR, name).head(SAMPLE_ROWS).reset_index(drop=True)


def write_csv(df: pd.DataFrame, path) -> None:
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d")
        elif out[c].dtype == object:
            out[c] = out[c].map(lambda v: v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else v)
    out.to_csv(path, sep=";", index=False)


def validate_sample(tmp_path, name, df):
    d = tmp_path / name
    d.mkdir(exist_ok=True)
    write_csv(df, d / f"{name}.csv")
    return validate_dataset(d, names=[name, "kommuner"])


def column_for(contract, spec_name: str, df: pd.DataFrame) -> str:
    """A real column for a declared column or column pattern."""
    if spec_name in df.columns:
        return spec_name
    return next(c for c in df.columns if re.fullmatch(spec_name, c))


def break_check(contract, df: pd.DataFrame, column: str, check: str):
    """Return (broken frame, expected failure column, check name, row) for one declared check."""
    df = df.copy()
    if check == "unique_key":
        df.loc[1, list(contract.key)] = df.loc[0, list(contract.key)].to_numpy()
        return df, "+".join(contract.key), "unique_key", 2
    if check in ("date_order", "value_order"):
        rule = next(r for r in contract.rules if r.rule == check)
        a, b = rule.columns
        if check == "date_order":
            df.loc[0, a] = pd.Timestamp("2019-06-01")
            df.loc[0, b] = pd.Timestamp("2019-01-01")
        else:
            df.loc[0, a], df.loc[0, b] = 9.0, 1.0
        return df, f"{a}/{b}", check, 1
    col = column_for(contract, column, df)
    spec = contract.column(col)
    df[col] = df[col].astype(object)
    if check == "not_nullable":
        df.loc[0, col] = None
    elif check == "isin":
        df.loc[0, col] = 99991 if spec.type == "int" else "ugyldig_kode"
    elif check == "in_range":
        hi = spec.range[1]
        df.loc[0, col] = (hi + pd.Timedelta(days=400)) if spec.type == "date" else hi * 10 + 1000
    elif check == "str_matches":
        df.loc[0, col] = "x!x"
    elif check == "unique":
        df.loc[1, col] = df.loc[0, col]
        return df, col, "unique", 2
    return df, col, check, 1


@pytest.mark.parametrize("name", CONTRACTS)
def test_sample_of_default_data_passes(tmp_path, name, default_data_dir):
    report = validate_sample(tmp_path, name, sample(name))
    assert report.ok, report.to_text()


@pytest.mark.parametrize("name", CONTRACTS)
def test_each_declared_check_rejects_bad_input(tmp_path, name, default_data_dir):
    contract = load_contracts()[name]
    good = sample(name)
    kinds_seen = set()
    for column, check in declared_checks(contract):
        if check in kinds_seen and check not in ("date_order",):
            continue  # one column per kind of check keeps the test fast
        kinds_seen.add(check)
        broken, fail_col, fail_check, row = break_check(contract, good, column, check)
        report = validate_sample(tmp_path, name, broken)
        found = {(f.file, f.column, f.check, f.row) for f in report.failures}
        assert (f"{name}.csv", fail_col, fail_check, row) in found, (column, check, report.to_text())
    assert kinds_seen  # every contract declares checks
