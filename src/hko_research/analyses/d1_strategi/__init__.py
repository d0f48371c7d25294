"""Delanalyse 1 — jobcentrenes prioritering og organisering på handicapområdet (report chapter 3),
notebook ``01_prioritering_organisering``.

Reads the research team's coding of the 20 casekommuner (a filled coding template or a REFI-QDA
export: ``inputs.coding``) and renders Tabel 3-10 for the selected casekommuner: load.py (the
analysis frames), measures.py (each count once), one table module per report section
(prioritering.py 3.2, rationaler.py 3.3, organisering.py 3.4), reliability.py, targets.yaml and
targets.py, synth/ (the synthetic coding, calibrated in synth/calibration.yaml), definitions.md,
assumptions.md, labels.yaml. The organisation counts it reproduces are declared in
:mod:`hko_research.typologi`.
"""
from ..spec import Analysis

ANALYSIS = Analysis(
    name="d1_strategi",
    notebook="01_prioritering_organisering",
    title="1. Jobcentrenes prioritering og organisering",
    inputs=("casekommune_kodebog", "casekommune_sager", "casekommune_kodning", "kommunetypologi", "befolkning"),
    generator="hko_research.analyses.d1_strategi.synth:generate",
    target_prefixes=("d1_",),
    # the coding must agree with delanalyse 3's kommunetypologi kommune by kommune: copy it
    synth_after=("d3_brug",),
)
