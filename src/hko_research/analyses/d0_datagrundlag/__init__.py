"""Datagrundlag (notebook ``00_datagrundlag``): every input's source, coverage and validation status,
the data contracts as a data dictionary, and the selected kommuner on the map."""
from ..spec import Analysis

ANALYSIS = Analysis(
    name="d0_datagrundlag",
    notebook="00_datagrundlag",
    title="0. Datagrundlag",
    inputs=(),
    reads_all_inputs=True,
)
