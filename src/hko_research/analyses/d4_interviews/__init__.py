"""Delanalyse 4 — borger- og virksomhedsperspektivet (report chapter 6), notebook
``04_borger_virksomhed``.

Reads the coded interviews with citizens and employers (a REFI-QDA export or a filled coding
template: ``inputs.coding``): load.py, measures.py (each share once, with its base), one table
module per report section (deltagere.py 6.1, gevinster.py 6.2, jobcenter.py 6.3,
ansaettelse.py 6.4), krydsreference.py (the 2024 user study's recommendations, a codebook
branch), reliability.py, targets.yaml and targets.py, synth/ (calibration.yaml),
definitions.md, assumptions.md, labels.yaml.
"""
from ..spec import Analysis

ANALYSIS = Analysis(
    name="d4_interviews",
    notebook="04_borger_virksomhed",
    title="4. Borger- og virksomhedsperspektivet",
    inputs=("interview_kodebog", "interview_deltagere", "interview_kodning"),
    generator="hko_research.analyses.d4_interviews.synth:generate",
    target_prefixes=("d4_",),
    # Tabel 20: each group's share is computed from its own count and base
    basis={"andel_borgere": ("antal_borgere", "n_borgere"), "andel_arbejdsgivere": ("antal_arbejdsgivere", "n_arbejdsgivere")},
)
