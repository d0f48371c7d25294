"""The analyses, one folder each. Registering a new one is one line here (see CONTRIBUTING.md)."""
from .d0_datagrundlag import ANALYSIS as _d0
from .d1_strategi import ANALYSIS as _d1
from .d2_medarbejdere import ANALYSIS as _d2
from .d3_brug import ANALYSIS as _d3
from .d4_interviews import ANALYSIS as _d4
from .d5_tvaergaaende import ANALYSIS as _d5
from .profiler import ANALYSIS as _profiler
from .puljeevaluering import ANALYSIS as _pulje

REGISTRY = (_d0, _d1, _d2, _d3, _d4, _d5, _pulje, _profiler)
