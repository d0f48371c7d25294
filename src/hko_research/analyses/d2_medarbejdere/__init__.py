"""Delanalyse 2 — jobcentermedarbejdernes viden og holdninger (report chapter 4), notebook
``02_viden_holdninger``.

load.py (the survey with the kommune facts and the tallies' weights), measures.py (each measure
once, with the report's definition), one table module per report section (tables.py lists them),
targets.yaml/targets.py (report ids), synth/ (the synthetic survey, calibrated in
synth/calibration_survey.yaml), plots.py (the dot plots across kommuner), definitions.md,
assumptions.md, labels.yaml. Builds on delanalyse 3's per-kommune anvendelsesgrad (reused, not
recomputed), so it declares d3's inputs too: the notebook validates everything it reads.
"""
from ..d3_brug import ANALYSIS as _D3
from ..spec import Analysis

_OWN = ("medarbejdersurvey", "medarbejdersurvey_kodebog", "medarbejdertal", "befolkning", "kommunetypologi",
        "rammevilkaar")

ANALYSIS = Analysis(
    name="d2_medarbejdere",
    notebook="02_viden_holdninger",
    title="2. Jobcentermedarbejdernes viden og holdninger",
    inputs=tuple(dict.fromkeys(_OWN + _D3.inputs)),
    generator="hko_research.analyses.d2_medarbejdere.synth:generate",
    csv_inputs=("medarbejdertal",),
    target_prefixes=("d2_", "d0_s94"),
    depends_on=("d3_brug",),
)
