"""Validate a run's inputs against data_contracts/ before anything is written.

``validate_inputs(params)`` reads every input the contracts describe, validates each lazily with
pandera, checks the relations between inputs, and returns one ValidationReport listing *all*
failures (file, column, check, row, value), with counts per check when there are many.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

MAX_EXAMPLES_PER_CHECK = 5


@dataclass(frozen=True)
class Failure:
    file: str
    column: str | None
    check: str
    row: int | None  # 1-based data row (header excluded); None for file- or column-level failures
    value: object = None


@dataclass
class InputStatus:
    name: str
    path: Path | None
    rows: int = 0
    sha256: str | None = None
    failures: int = 0
    required: bool = True


@dataclass
class ValidationReport:
    """All failures of a validation: ``counts`` per (file, column, check), ``failures`` keeps up to
    MAX_EXAMPLES_PER_CHECK examples of each (so a file with 800.000 bad rows gives a short report)."""

    failures: list[Failure] = field(default_factory=list)
    inputs: list[InputStatus] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        return not self.counts

    @property
    def n_failures(self) -> int:
        return sum(self.counts.values())

    def input_hashes(self) -> dict[str, str]:
        return {i.name: i.sha256 for i in self.inputs if i.sha256}

    def summary(self) -> dict:
        """Compact summary for manifest.json."""
        per_check = self.counts
        return {
            "ok": self.ok,
            "n_failures": self.n_failures,
            "inputs": [{"name": i.name, "file": str(i.path) if i.path else None, "rows": i.rows,
                        "failures": i.failures} for i in self.inputs],
            "checks_failed": [{"file": f, "column": c, "check": k, "count": n}
                              for (f, c, k), n in sorted(per_check.items(), key=str)],
        }

    def to_text(self) -> str:
        from .validation_report import render_text

        return render_text(self)


def validate_inputs(params, *, names: list[str] | None = None, use_cache: bool = True,
                    cache_dir: Path | None = None) -> ValidationReport:
    """Validate every input for ``params`` (a RunParams), or only ``names``.

    This is the one validation cache of the project: results are keyed by content (input file
    hashes, contracts, mappings and package code), so the runner, a notebook validating after the
    runner, and a rerun on unchanged data share one result. A passed validation of every input
    covers any subset. ``report.from_cache`` says whether the result was reused.
    """
    if not use_cache:
        from .contracts import validate_dataset

        return validate_dataset(params.data_dir, names=names)
    import hashlib
    import json

    from .paths import OUTPUTS_DIR
    from .runner import hash_inputs, project_code_hash

    cache_dir = Path(cache_dir) if cache_dir is not None else OUTPUTS_DIR / ".cache"
    base = {"inputs": hash_inputs(params.data_dir, cache_dir), "code": project_code_hash(),
            "data_dir": str(params.data_dir)}

    def cache_path(selection):
        key = hashlib.sha256(json.dumps({**base, "names": selection}, sort_keys=True).encode()).hexdigest()
        return cache_dir / "validation-reports" / f"{key}.json"

    path = cache_path(sorted(names) if names else None)
    for candidate in (path, cache_path(None)) if names else (path,):
        if candidate.exists():
            try:
                cached = report_from_json(json.loads(candidate.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if candidate == path or cached.ok:
                cached.from_cache = True
                return cached
    from .contracts import validate_dataset  # heavy imports only when the work is done

    report = validate_dataset(params.data_dir, names=names)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{id(report)}")
    tmp.write_text(json.dumps(report_to_json(report), ensure_ascii=False, default=str), encoding="utf-8")
    tmp.replace(path)
    return report


def report_to_json(report: ValidationReport) -> dict:
    return {
        "failures": [[f.file, f.column, f.check, f.row, f.value] for f in report.failures],
        "counts": [[f, c, k, n] for (f, c, k), n in report.counts.items()],
        "inputs": [[i.name, str(i.path) if i.path else None, i.rows, i.sha256, i.failures, i.required]
                   for i in report.inputs],
    }


def report_from_json(d: dict) -> ValidationReport:
    return ValidationReport(
        failures=[Failure(*f) for f in d["failures"]],
        counts=Counter({(f, c, k): n for f, c, k, n in d["counts"]}),
        inputs=[InputStatus(name=n, path=Path(p) if p else None, rows=r, sha256=h, failures=x, required=q)
                for n, p, r, h, x, q in d["inputs"]],
    )
