"""Kommuneprofiler (notebook ``08_kommuneprofiler``): one page per kommune against the country.

indikatorer.yaml (the indicator metadata table: source analysis, measure, frame builder, CI method,
polarity; read by metadata.py), rammer.py (the per-kommune counts, from the owning analyses'
functions), beregning.py (the indicator frame: all 98 kommuner with their regions, rammevilkår
bands and the country, computed once), sammenligning.py (comparison label, spine chart, rank),
kort.py (the kommune map as SVG paths, simplified once), sider.py and templates/ (the pages),
definitions.md, assumptions.md, labels.yaml. The pages are rendered from the one protected overview
table, so a cell is suppressed the same way on every page.

Builds on delanalyse 3 (its frames and measures), 2 (the casekommuner's survey) and, when it is part
of the package, 5 (fastholdelse and øgede løntimer): their inputs are validated too.
"""
import importlib

from ..d2_medarbejdere import ANALYSIS as _D2
from ..d3_brug import ANALYSIS as _D3
from ..spec import Analysis

_BUILDS_ON = [_D3, _D2]
# Delanalyse 5's rows in indikatorer.yaml are computed once its package is there (it is being built
# in parallel). importlib, not `from ..d5_tvaergaaende import`: while the module is absent the
# architecture test would read that import as one of the analyses package itself.
_D5_NAME = __name__.rsplit(".", 1)[0] + ".d5_tvaergaaende"
try:
    _BUILDS_ON.append(importlib.import_module(_D5_NAME).ANALYSIS)
except ModuleNotFoundError as exc:
    if exc.name != _D5_NAME:
        raise

ANALYSIS = Analysis(
    name="profiler",
    notebook="08_kommuneprofiler",
    title="Kommuneprofiler",
    inputs=tuple(dict.fromkeys(i for a in _BUILDS_ON for i in a.inputs)),
    depends_on=tuple(a.name for a in _BUILDS_ON),
)
