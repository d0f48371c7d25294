"""The report's categories, defined once: ordninger, impairment categories, strategy and
organisation types. Codes are ASCII (stable in files and params); the Danish labels readers see
live in :mod:`hko_research.publishing.labels`.
"""
from __future__ import annotations

# The four handicapkompenserende ordninger (report 1.1).
ORDNINGER = ("pa", "hm", "is", "fa")
ORDNING_NAVN = {"pa": "Personlig assistance", "hm": "Hjælpemidler", "is": "Isbryderordning", "fa": "Fortrinsadgang"}

# Impairment categories of the case review (report fn. 33, l.1418; params/mappings/funktionsnedsaettelser.csv).
FUNKTIONSNEDSAETTELSE_KATEGORIER = ("fysisk", "psykisk", "sensorisk", "intellektuel", "andet")

# Delanalyse 1's typologies (report 3.2-3.4), used by every analysis that groups casekommuner.
STRATEGITYPER = ("proaktiv", "reaktiv", "diffus")
ORGANISERINGSTYPER = ("specialiseret_team", "spredt_specialisering", "generel_specialisering")
