"""Overview of a run's data foundation (notebook 00): per input its source, rows, years and
kommuner covered, and validation status."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ...inputs.contracts import Contract, input_path, load_contracts
from ...inputs.report import ValidationReport

_WEEK_COL = re.compile(r"^y_(\d{2})\d{2}$")


def _sql_source(path: Path) -> str:
    p = path.as_posix()
    if path.suffix == ".parquet":
        return f"read_parquet('{p}')"
    return f"read_csv('{p}', all_varchar=true, header=true, auto_detect=true)"


def _describe(path: Path, contract: Contract) -> dict:
    """Rows, years and kommuner of one input, computed with DuckDB without loading it into pandas."""
    import duckdb

    con = duckdb.connect()
    if contract.reader:  # another shape (survey export, SPSS ...): describe the table its reader makes
        from ...inputs.contracts import call_reader

        con.register("t", call_reader(contract, path.parent))
        src = "t"
    elif path.suffix == ".sas7bdat":
        from ...inputs.readers import read_table

        con.register("t", read_table(path))
        src = "t"
    else:
        src = _sql_source(path)
    cols = [r[0].lower() for r in con.execute(f"describe select * from {src}").fetchall()]
    rows = con.execute(f"select count(*) from {src}").fetchone()[0]
    years: list[int] = []
    if "aar" in cols:
        years = [int(r[0]) for r in con.execute(f"select distinct try_cast(aar as integer) from {src} where aar is not null").fetchall() if r[0] is not None]
    elif "kvartal" in cols:
        years = sorted({int(str(r[0])[:4]) for r in con.execute(f"select distinct kvartal from {src}").fetchall() if r[0]})
    else:
        date_cols = [c.name for c in contract.columns if c.type == "date" and c.name in cols and not c.nullable]
        if date_cols:
            years = [int(r[0]) for r in con.execute(
                f"select distinct year(try_cast({date_cols[0]} as date)) from {src}").fetchall() if r[0] is not None]
        elif any(_WEEK_COL.match(c) for c in cols):
            years = sorted({2000 + int(_WEEK_COL.match(c).group(1)) for c in cols if _WEEK_COL.match(c)})
    status = None
    if "kilde" in cols:
        status = ", ".join(f"{r[0]}: {r[1]}" for r in con.execute(
            f"select kilde, count(*) from {src} group by kilde order by kilde").fetchall())
    kom_col = next((c for c in ("kommunekode", "kom") if c in cols), None)
    n_kommuner = None
    if kom_col:
        n_kommuner = con.execute(f"select count(distinct {kom_col}) from {src}").fetchone()[0]
    return {"rows": int(rows), "years": sorted(set(years)), "n_kommuner": n_kommuner, "n_columns": len(cols),
            "kilde": status}


def input_overview(data_dir: str | Path, report: ValidationReport | None = None,
                   names: list[str] | None = None, synthetic: bool = False) -> pd.DataFrame:
    """One row per input: title, source, file, rows, years, number of kommuner, data status
    (synthetic / real / reference) and validation status."""
    data_dir = Path(data_dir)
    failures = {}
    if report is not None:
        for (file, _, _), n in report.counts.items():
            failures[file] = failures.get(file, 0) + n
    records = []
    for name, contract in sorted(load_contracts().items()):
        if names is not None and name not in names:
            continue
        path = input_path(data_dir, contract)
        rec = {"input": name, "titel": contract.title, "kilde": contract.source.split(" (")[0].split(", via")[0],
               "fil": path.name if path else "mangler", "format": path.suffix.lstrip(".") if path else ""}
        if path is not None:
            d = _describe(path, contract)
            rec.update({"antal_raekker": d["rows"], "kolonner": d["n_columns"],
                        "aar": f"{min(d['years'])}-{max(d['years'])}" if d["years"] else "",
                        "kommuner_daekket": d["n_kommuner"]})
            if contract.reference and path.parent != data_dir:
                rec["datastatus"] = "ægte referencedata (pakken)"
            elif d["kilde"]:
                rec["datastatus"] = d["kilde"]
            else:
                rec["datastatus"] = "syntetisk" if synthetic else "leveret af brugeren"
        if report is not None:
            bad = failures.get(path.name, 0) if path else 1
            rec["validering"] = "ok" if bad == 0 else f"{bad} fejl"
        records.append(rec)
    return pd.DataFrame.from_records(records)
