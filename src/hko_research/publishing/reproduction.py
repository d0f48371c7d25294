"""Backtest: compare the numbers a run produced with the numbers printed in the report.

Every notebook writes ``reproduction/<notebook>.csv`` (columns ``id,pipeline_value``; an empty
``pipeline_value`` means the cell was suppressed by disclosure control). The runner gathers those
files into one ``reproduction.csv`` with the columns

    id, report_value, pipeline_value, tolerance, ok, unit, status, measure, source_line

The report's numbers are read *only here*, from ``reference/report_targets.csv``, to compare; no
notebook or measure may read them. Ids listed in ``reference/reproduction_conflicts.yaml`` are rows
where the report contradicts itself (another row with the same quantity is reproduced instead);
they are reported with status ``konflikt`` and are not counted as compared.

The module uses the ``csv`` module only (no pandas), so that a cache-hit run stays light.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..paths import REFERENCE_DIR, REPORT_TARGETS

CONFLICTS_FILE = REFERENCE_DIR / "reproduction_conflicts.yaml"
COLUMNS = ("id", "report_value", "pipeline_value", "tolerance", "ok", "unit", "status", "measure", "source_line")

STATUS_OK = "ok"
STATUS_DEVIATION = "afvigelse"
STATUS_SUPPRESSED = "undertrykt"
STATUS_CONFLICT = "konflikt"

# Absolute tolerances for units measured on a fixed scale.
_ABSOLUTE = {
    "weeks": 0.3,
    "months": 0.5,
    "hours": 0.5,
    "ratio": 0.02,
    "pct_points": 0.005,
    "years": 1.0,
    "rank": 0.0,
    "days": 1.0,
    # Survey means on answer scales (not in the brief's list; the report prints them with one
    # decimal, so half a printed unit plus some sampling slack).
    "scale_1_5": 0.1,
    "scale_0_10": 0.2,
}
# Guards float noise in |pipeline - report| <= tolerance (e.g. 0.1 + 0.2).
_EPS = 1e-9


class ReproductionError(ValueError):
    """A notebook emitted reproduction rows that cannot be compared (unknown or duplicate id)."""


def tolerance_for(unit: str, value: float) -> float:
    """Allowed absolute difference between the pipeline's and the report's value.

    ``share``       (fractions, 0.42 = 42 pct.) ±0.02 absolute when the report value is >= 0.05;
                    below that ±20 % relative (at least 0.0002), so that tiny usage rates such as
                    0.002 are not trivially "ok" under an absolute ±0.02.
    ``count``       ±2 % relative, at least 0.5: counts below 25 must match exactly.
    ``dkk``         ±5 % relative.
    ``weeks`` ±0.3, ``months`` ±0.5, ``hours`` ±0.5, ``ratio`` ±0.02, ``pct_points`` ±0.005
                    (fractions: 0.005 = half a percentage point), ``years`` ±1, ``rank`` ±0 (exact),
                    ``days`` ±1, ``scale_1_5`` ±0.1, ``scale_0_10`` ±0.2 (absolute).

    Unknown units raise ValueError, so a new unit in report_targets.csv gets a deliberate tolerance.
    """
    v = abs(float(value))
    if unit == "share":
        return 0.02 if v >= 0.05 else max(0.2 * v, 0.0002)
    if unit == "count":
        return max(0.02 * v, 0.5)
    if unit == "dkk":
        return 0.05 * v
    if unit in _ABSOLUTE:
        return _ABSOLUTE[unit]
    raise ValueError(f"no tolerance defined for unit {unit!r}; known: share, count, dkk, {', '.join(_ABSOLUTE)}")


def load_targets(path: Path = REPORT_TARGETS) -> dict[str, dict[str, str]]:
    """report_targets.csv as {id: row}."""
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def load_conflicts(path: Path = CONFLICTS_FILE) -> dict[str, str]:
    """reproduction_conflicts.yaml as {id: reason}; a missing or empty file is no conflicts."""
    if not Path(path).exists():
        return {}
    import yaml

    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ReproductionError(f"{path}: expected a mapping id -> reason, got {type(raw).__name__}")
    return {str(k): str(v) for k, v in raw.items()}


def read_pipeline_values(paths: Iterable[Path]) -> list[tuple[str, str, Path]]:
    """(id, pipeline_value, source file) from every notebook's reproduction CSV."""
    out: list[tuple[str, str, Path]] = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = {"id", "pipeline_value"} - set(reader.fieldnames or ())
            if missing:
                raise ReproductionError(f"{path}: missing column(s) {sorted(missing)}; expected id,pipeline_value")
            for row in reader:
                out.append((str(row["id"]).strip(), (row["pipeline_value"] or "").strip(), Path(path)))
    return out


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def compare(
    pipeline: Iterable[tuple[str, str] | tuple[str, str, Any]],
    *,
    targets: Mapping[str, Mapping[str, str]] | None = None,
    conflicts: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Rows of reproduction.csv for ``(id, pipeline_value[, source])`` pairs.

    Raises ReproductionError listing every unknown id (not in report_targets.csv), duplicate id
    and non-numeric value at once.
    """
    targets = load_targets() if targets is None else targets
    conflicts = load_conflicts() if conflicts is None else conflicts
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: dict[str, Any] = {}
    for item in pipeline:
        rid, raw = item[0], item[1]
        src = f" ({item[2]})" if len(item) > 2 else ""
        if rid not in targets:
            problems.append(f"unknown id {rid!r}{src}: not in report_targets.csv")
            continue
        if rid in seen:
            problems.append(f"duplicate id {rid!r}{src}")
            continue
        seen[rid] = True
        target = targets[rid]
        unit = target["unit"]
        report_value = float(target["value"])
        raw = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw).strip()
        pipeline_value: float | None = None
        if raw not in ("", "nan", "NaN"):
            try:
                pipeline_value = float(raw)
            except ValueError:
                problems.append(f"id {rid!r}{src}: pipeline_value {raw!r} is not a number")
                continue
        tol = tolerance_for(unit, report_value)
        if rid in conflicts:
            status, ok = STATUS_CONFLICT, None
        elif pipeline_value is None:
            status, ok = STATUS_SUPPRESSED, None
        else:
            ok = abs(pipeline_value - report_value) <= tol + _EPS
            status = STATUS_OK if ok else STATUS_DEVIATION
        rows.append({
            "id": rid, "report_value": report_value, "pipeline_value": pipeline_value, "tolerance": tol,
            "ok": ok, "unit": unit, "status": status, "measure": target.get("measure", ""),
            "source_line": target.get("source_line", ""),
        })
    if problems:
        raise ReproductionError("reproduction rows cannot be compared:\n  - " + "\n  - ".join(problems))
    rows.sort(key=lambda r: r["id"])
    return rows


def build(paths: Iterable[Path], *, targets_path: Path = REPORT_TARGETS,
          conflicts_path: Path = CONFLICTS_FILE) -> list[dict[str, Any]]:
    """Read the notebooks' reproduction CSVs and compare them with the report."""
    return compare(read_pipeline_values(paths), targets=load_targets(targets_path),
                   conflicts=load_conflicts(conflicts_path))


def write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    """Write reproduction.csv (columns exactly COLUMNS; ok as true/false, empty when not compared)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in rows:
            ok = "" if r["ok"] is None else ("true" if r["ok"] else "false")
            w.writerow([r["id"], _fmt(r["report_value"]), _fmt(r["pipeline_value"]), _fmt(r["tolerance"]), ok,
                        r["unit"], r["status"], r["measure"], r["source_line"]])
    return path


def read_csv(path: Path) -> list[dict[str, Any]]:
    """reproduction.csv back as rows (numbers as float, ok as bool/None)."""
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            rows.append({
                **r,
                "report_value": float(r["report_value"]),
                "pipeline_value": float(r["pipeline_value"]) if r["pipeline_value"] else None,
                "tolerance": float(r["tolerance"]),
                "ok": None if r["ok"] == "" else r["ok"] == "true",
            })
    return rows


def summarise(rows: Any) -> dict[str, Any]:
    """Counts for the index page: rows compared (status ok/afvigelse), ok, share ok, suppressed, conflicts.

    Accepts the rows from compare()/read_csv() or a pandas DataFrame of reproduction.csv.
    """
    if hasattr(rows, "to_dict"):
        rows = rows.to_dict("records")
    statuses = [r["status"] for r in rows]
    compared = sum(s in (STATUS_OK, STATUS_DEVIATION) for s in statuses)
    ok = statuses.count(STATUS_OK)
    return {
        "compared": compared,
        "ok": ok,
        "share_ok": (ok / compared) if compared else None,
        "suppressed": statuses.count(STATUS_SUPPRESSED),
        "conflicts": statuses.count(STATUS_CONFLICT),
    }
