"""Puljeevaluering's report targets: the three goal-attainment figures the 2023 evaluation of the
2019 handicappuljer prints for "Flere med kognitive handicap i job" (seed 004, l.24, l.27, l.30),
rows ``pulje_*`` of ``reference/report_targets.csv``.

They are computed from the project's figures (mål, opnået) by the publication's rounding rule and
read from the protected ``maalopfyldelse`` table as a share (97 pct. -> 0.97). The mapping id ->
quantity was written by reading the evaluation as a developer; this code never reads the published
percentages (only :mod:`hko_research.publishing.reproduction` does, to compare).
"""
from __future__ import annotations

from ...publishing.targets import TablePicker
from .load import PuljeData

PROJEKT = "Flere med kognitive handicap i job"
# target id -> the indicator's unit in the reference rows (unique within the project)
TARGETS = {
    "pulje_kognitiv_maalopfyldelse_borgere": "borgere",
    "pulje_kognitiv_maalopfyldelse_jobcentre": "jobcentre",
    "pulje_kognitiv_maalopfyldelse_medarbejdere": "medarbejdere",
}


def report_setting(L: PuljeData) -> bool:
    """The study's own setting: the shipped figures of the evaluated project are used unchanged
    (a user's file may add projects, but must not have replaced them). Year and kommuner play no
    part in goal attainment."""
    return bool(L.reference_intact)


def computed(picker: TablePicker) -> dict[str, float]:
    """Målopfyldelse in whole percent by the publication's rule, as a share."""
    return {tid: picker("maalopfyldelse", "maalopfyldelse_procent", projekt=PROJEKT, enhed=enhed) / 100
            for tid, enhed in TARGETS.items()}
