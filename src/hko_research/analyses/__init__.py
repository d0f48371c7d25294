"""The analyses, one folder each. Registering a new one is one line here (see CONTRIBUTING.md)."""
from .d0_datagrundlag import ANALYSIS as _d0
from .d2_medarbejdere import ANALYSIS as _d2
from .d3_brug import ANALYSIS as _d3
from .puljeevaluering import ANALYSIS as _pulje

REGISTRY = (_d0, _d2, _d3, _pulje)
