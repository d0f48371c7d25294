"""Delanalyse 5 — tværgående analyse og best practice (report chapter 7), notebook ``05_tvaergaaende``.

Joins delanalyse 1, 2 and 3 per kommune, in this process and from their unprotected frames (never
their published tables), and asks what goes with labour-market attachment after an HKO grant.
load.py (the other analyses' frames and the løntimer panel), udfald.py (løntimer before and after
each recipient's grant), measures.py (fastholdelse and øgede løntimer, each once with the report's
definition), kommuneramme.py (the per-kommune join), grupper.py (Figur 32-35, 39-42 and the group
tests), modeller.py (the report's claims as models: quasi-binomial kommune GLMs, clustered person
logits, wild cluster bootstrap), figurer.py (Figur 31 from forandringsteori.yaml, the bars and
scatter plots), praksis.py (7.2 against this run), tables.py (the index), targets.yaml/targets.py,
synth/ (the løntimer panel and BEF, calibrated in synth/calibration.yaml), definitions.md,
assumptions.md, labels.yaml.
"""
from ..d1_strategi import ANALYSIS as _D1
from ..d2_medarbejdere import ANALYSIS as _D2
from ..d3_brug import ANALYSIS as _D3
from ..spec import Analysis

_OWN = ("loentimer", "bef")

ANALYSIS = Analysis(
    name="d5_tvaergaaende",
    notebook="05_tvaergaaende",
    title="5. Tværgående analyse og best practice",
    # delanalyse 1-3's frames are built in this notebook, so their inputs are validated here too
    inputs=tuple(dict.fromkeys(_OWN + _D3.inputs + _D1.inputs + _D2.inputs)),
    generator="hko_research.analyses.d5_tvaergaaende.synth:generate",
    target_prefixes=("d5_",),
    depends_on=("d1_strategi", "d2_medarbejdere", "d3_brug"),
    basis={
        "andel_fastholdelse": ("antal_fastholdelse", "n_fastholdelse"),
        "andel_oeget": ("antal_oeget", "n_oeget"),
        "rekrutteringsgrad": ("antal_rekruttering", "n_bevillinger"),
        "anvendelsesgrad": ("antal_bevillinger",),
        "gennemsnit_viden": ("n_respondenter",),
        "gennemsnit_vejledning": ("n_respondenter",),
        "gennemsnit_tro": ("n_respondenter",),
    },
)
