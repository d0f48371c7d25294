"""A validation's outcome: every failure (file, column, check, row, value), counts per check,
the inputs checked, and its text and JSON forms. Standard library only (the cache-hit path)."""
from __future__ import annotations

from collections import Counter, defaultdict
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
    # what the input covers, gathered while it was validated (checks.Coverage): years, number of
    # kommuner and columns, data status per `kilde`; the data overview shows it without reading again
    coverage: dict | None = None


@dataclass
class ValidationReport:
    """All failures of a validation: ``counts`` per (file, column, check), ``failures`` keeps up to
    MAX_EXAMPLES_PER_CHECK examples of each (so a file with 800.000 bad rows gives a short report)."""

    failures: list[Failure] = field(default_factory=list)
    inputs: list[InputStatus] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    from_cache: bool = False
    # accepted but worth saying: columns a file has beyond its contract (check "unexpected_column",
    # value = the column names), kommuner listed twice in the params ("duplicated_kommune")
    warnings: list[Failure] = field(default_factory=list)

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
            "warnings": [warning_text(w) for w in self.warnings],
        }

    def to_text(self) -> str:
        return render_text(self)


def report_to_json(report: ValidationReport) -> dict:
    return {
        "failures": [[f.file, f.column, f.check, f.row, f.value] for f in report.failures],
        "counts": [[f, c, k, n] for (f, c, k), n in report.counts.items()],
        "inputs": [[i.name, str(i.path) if i.path else None, i.rows, i.sha256, i.failures, i.required, i.coverage]
                   for i in report.inputs],
        "warnings": [[w.file, w.column, w.check, w.row, w.value] for w in report.warnings],
    }


def report_from_json(d: dict) -> ValidationReport:
    return ValidationReport(
        failures=[Failure(*f) for f in d["failures"]],
        counts=Counter({(f, c, k): n for f, c, k, n in d["counts"]}),
        inputs=[InputStatus(name=n, path=Path(p) if p else None, rows=r, sha256=h, failures=x, required=q,
                            coverage=cov[0] if cov else None)
                for n, p, r, h, x, q, *cov in d["inputs"]],
        warnings=[Failure(*w) for w in d.get("warnings", [])],
    )


def warning_text(w: Failure, *, danish: bool = False) -> str:
    """One warning as a sentence (English for the command line, Danish for a page)."""
    if w.check == "unexpected_column":
        if danish:
            return f"{w.file} har kolonner, der ikke står i datakontrakten (de bruges ikke): {w.value}"
        return f"{w.file}: column(s) not in the contract (ignored): {w.value}"
    if w.check == "duplicated_kommune":
        if danish:
            return f"parametrene nævner kommune {w.value} mere end én gang; hver kommune tælles én gang"
        return f"params: kommune {w.value} listed more than once; each kommune is used once"
    return f"{w.file}: {w.check}: {w.value}"


# ------------------------------------------------------------------------------------ validation


def _fmt(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def render_text(report) -> str:
    lines: list[str] = []
    checked = ", ".join(f"{i.name} ({i.rows:,} rows)".replace(",", ".") for i in report.inputs if i.path is not None)
    warnings = [f"Warning: {warning_text(w)}" for w in getattr(report, "warnings", [])]
    if report.ok:
        lines.append(f"Validation OK: {len(report.inputs)} inputs, no failures.")
        if checked:
            lines.append(f"Checked: {checked}")
        return "\n".join(lines + warnings)
    files = sorted({f for f, _, _ in report.counts})
    lines.append(f"Validation FAILED: {report.n_failures:,} failures in {len(files)} file(s). Nothing was run.".replace(",", "."))
    lines.append("Each line: file, column, check, row (1 = first data row after the header), offending value.")
    examples = defaultdict(list)
    for f in report.failures:
        examples[(f.file, f.column, f.check)].append(f)
    for file in files:
        lines.append("")
        lines.append(f"== {file}")
        for (f, column, check), count in sorted(((k, v) for k, v in report.counts.items() if k[0] == file), key=str):
            col = column if column is not None else "(file)"
            lines.append(f"  column {col} | check {check} | {count:,} row(s)".replace(",", "."))
            for ex in examples[(f, column, check)]:
                row = f"row {ex.row}" if ex.row is not None else "whole column/file"
                lines.append(f"      {row}: {_fmt(ex.value)}")
            shown = len(examples[(f, column, check)])
            if count > shown:
                lines.append(f"      ... and {count - shown:,} more".replace(",", "."))
    if warnings:
        lines += ["", *warnings]
    return "\n".join(lines)
