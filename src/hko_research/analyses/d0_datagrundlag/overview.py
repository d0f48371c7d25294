"""Overview of a run's data foundation (notebook 00): per input its source, rows, years and
kommuner covered, and validation status.

The description of each input is the one the validation gathered while it read the input
(:class:`hko_research.inputs.checks.Coverage`, kept in the validation report and its cache), so the
overview reads nothing again. Without a report, every input is read through the one reader the
validator uses (:func:`~hko_research.inputs.contracts.load_raw`: a latin-1 ``;`` CSV, a SAS file or
a survey export is read exactly as it was validated), projected on the few columns it needs.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...inputs.checks import Coverage
from ...inputs.contracts import Contract, coerce_frame, input_path, load_contracts, load_raw
from ...inputs.report import ValidationReport


def _column_names(path: Path, contract: Contract, data_dir: Path) -> list[str]:
    """The input's columns (lower case) as the reader sees them."""
    if not contract.reader and path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        return [c.lower() for c in pq.read_schema(path).names]
    return list(load_raw(data_dir, contract).columns)


def _describe(path: Path, contract: Contract, data_dir: Path) -> dict:
    """Without a validation report: the input read as the validator reads it (only the columns the
    description needs) and described by the same :class:`~hko_research.inputs.checks.Coverage`."""
    cols = _column_names(path, contract, data_dir)
    dates = [c.name for c in contract.columns if c.type == "date" and c.name in cols and not c.nullable]
    wanted = [c for c in ("aar", "kvartal", "kilde", "kommunekode", "kom") if c in cols]
    if "aar" not in cols and "kvartal" not in cols and dates:
        wanted.append(dates[0])
    typed, _ = coerce_frame(load_raw(data_dir, contract, wanted or cols[:1]), contract)
    coverage = Coverage(contract)
    coverage.add(typed, columns=cols)
    return coverage.result()


def input_overview(data_dir: str | Path, report: ValidationReport | None = None,
                   names: list[str] | None = None, synthetic: bool = False) -> pd.DataFrame:
    """One row per input: title, source, file, rows, years, number of kommuner, data status
    (synthetic / real / reference) and validation status."""
    data_dir = Path(data_dir)
    failures = {}
    covered = {}
    if report is not None:
        for (file, _, _), n in report.counts.items():
            failures[file] = failures.get(file, 0) + n
        covered = {i.name: i.coverage for i in report.inputs if i.coverage is not None}
    records = []
    for name, contract in sorted(load_contracts().items()):
        if names is not None and name not in names:
            continue
        path = input_path(data_dir, contract)
        rec = {"input": name, "titel": contract.title, "kilde": contract.source.split(" (")[0].split(", via")[0],
               "fil": path.name if path else "mangler", "format": path.suffix.lstrip(".") if path else ""}
        if path is not None and not (report is not None and failures.get(path.name)):
            # what the validation saw while reading the input; read again only without it
            d = covered.get(name) or _describe(path, contract, data_dir)
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
