"""Puljeevaluering — målopfyldelse i puljeprojekter og deres effekt på kommunernes brug af HKO,
notebook ``07_puljeevaluering``.

load.py (projects: the shipped reference figures plus a user's own file; participants), measures.py
(målopfyldelse and the publication's rounding rule, event time), maalopfyldelse.py (goal
attainment tables), effekt.py (the kommune × year panel of delanalyse 3's anvendelsesgrad, the
difference-in-differences and the event study), tables.py (the index), targets.py (report ids),
synth/ (the synthetic participant list), definitions.md, assumptions.md, labels.yaml.
"""
from ..d3_brug import ANALYSIS as _D3
from ..spec import Analysis

ANALYSIS = Analysis(
    name="puljeevaluering",
    notebook="07_puljeevaluering",
    title="Puljeevaluering: målopfyldelse og effekt på brugen af HKO",
    # anvendelsesgrad comes from delanalyse 3's frames (d3.load), so its inputs are validated too
    inputs=("puljeprojekter", "puljedeltagere", *_D3.inputs),
    generator="hko_research.analyses.puljeevaluering.synth:generate",
    csv_inputs=("puljedeltagere",),
    target_prefixes=("pulje_",),
    depends_on=("d3_brug",),
    keys=("maal",),  # a planned target, not an observation: never masked
)
