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


def validate_inputs(params, *, names: list[str] | None = None) -> ValidationReport:
    """Validate every input for ``params`` (a RunParams). Implemented in contracts.py."""
    from .contracts import validate_dataset

    return validate_dataset(params.data_dir, names=names)
