"""Delanalyse 3 — jobcentrenes brug af HKO (report chapter 5), notebook ``03_brug_af_hko``.

load.py (the analysis frames), measures.py (each measure once, with the report's definition),
one table module per report section (tables.py lists them), targets.yaml (every d3_ report id: a
look-up, an alias, code, or not computed with the reason) with targets.py (the code), synth/
(the synthetic registers and municipal data, calibrated in synth/calibration_*.yaml),
definitions.md (the operational definitions, def. #).
"""
from ..spec import Analysis

# Derived kommune-level columns computed from PA and HM grants only (Figur 24-25).
_PA_HM = ("antal_pa", "antal_hm")

ANALYSIS = Analysis(
    name="d3_brug",
    notebook="03_brug_af_hko",
    title="3. Jobcentrenes brug af HKO",
    inputs=(
        "dfdg_personlig_assistance", "dfdg_hjaelpemidler", "dfdg_isbryder", "dfdg_mentor", "handic", "dream",
        "udda", "ind", "lpr_diagnoser", "befolkning", "regnskab", "fuldtidspersoner", "rammevilkaar",
        "kommunetypologi", "sagsgennemgang", "noegleperson_survey", "ressourceestimat",
    ),
    generator="hko_research.analyses.d3_brug.synth:generate",
    csv_inputs=("regnskab", "fuldtidspersoner", "rammevilkaar", "kommunetypologi", "noegleperson_survey",
                "ressourceestimat", "sagsgennemgang"),
    target_prefixes=("d3_",),
    # the longest duration in the case review is computed from its n cases (sagsgennemgang_oversigt)
    basis={**{name: _PA_HM for name in ("udgift_pa_hm", "udgiftsandel", "difference", "hoejere_end_forventet")},
           "maksimum": ("n",)},
)
