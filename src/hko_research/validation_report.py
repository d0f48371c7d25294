"""Human-readable rendering of a ValidationReport (printed and written to the run folder)."""
from __future__ import annotations

from collections import defaultdict


def _fmt(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def render_text(report) -> str:
    lines: list[str] = []
    checked = ", ".join(f"{i.name} ({i.rows:,} rows)".replace(",", ".") for i in report.inputs if i.path is not None)
    if report.ok:
        lines.append(f"Validation OK: {len(report.inputs)} inputs, no failures.")
        if checked:
            lines.append(f"Checked: {checked}")
        return "\n".join(lines)
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
    return "\n".join(lines)
