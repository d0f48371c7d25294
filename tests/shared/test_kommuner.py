"""kommuner: the shared definitions on small hand-computed frames, including the edge cases."""
from __future__ import annotations

import pandas as pd
import pytest

from hko_research import kommuner as m


@pytest.mark.parametrize("bef,band", [
    (1_800, "lille"), (39_999, "lille"), (40_000, "mellem"), (79_999, "mellem"), (80_000, "stor"), (632_000, "stor"),
])
def test_kommunestoerrelse_edges(bef, band):
    assert m.kommunestoerrelse(bef) == band


@pytest.mark.parametrize("rang,band", [
    (1, "vanskelige"), (32, "vanskelige"), (33, "mellem"), (66, "mellem"), (67, "gode"), (98, "gode"),
])
def test_rammevilkaar_band_edges(rang, band):
    assert m.rammevilkaar_band(rang) == band


def test_rammevilkaar_band_counts_32_34_32_and_invalid():
    bands = m.rammevilkaar_band(pd.Series(range(1, 99)))
    assert bands.value_counts().to_dict() == {"vanskelige": 32, "mellem": 34, "gode": 32}
    assert m.rammevilkaar_band(0) is None and m.rammevilkaar_band(99) is None
