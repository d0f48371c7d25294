"""The synthetic participant list: calibrated (12 kommuner, the start date), clearly labelled,
reproducible per seed, drawn without the registers (an empty context suffices), and valid
against its contract."""
from __future__ import annotations

import pandas as pd

from hko_research.analyses.puljeevaluering import synth
from hko_research.inputs.checks import validate_dataset
from hko_research.kommuner import kommunekoder
from hko_research.synth import SynthContext, write_frame


def test_participants_follow_the_calibration_and_are_labelled_synthetic():
    cal = synth.load_calibration()
    d = synth.generate(SynthContext(years=(2017, 2018, 2019, 2020, 2021), seed=2021))["puljedeltagere"]
    assert len(d) == cal["antal_kommuner"] == 12
    assert d["kommunekode"].is_unique and set(d["kommunekode"]) <= set(kommunekoder())
    assert cal["projekt"] == "Flere med kognitive handicap i job" and (d["projekt"] == cal["projekt"]).all()
    assert (d["startdato"] == pd.Timestamp(str(cal["startdato"]))).all() and d["slutdato"].isna().all()
    assert (d["kilde"] == "syntetisk").all()


def test_reproducible_per_seed_and_different_across_seeds():
    a = synth.deltagere(SynthContext(years=(2019,), seed=1))
    b = synth.deltagere(SynthContext(years=(2019,), seed=1))
    c = synth.deltagere(SynthContext(years=(2019,), seed=2))
    pd.testing.assert_frame_equal(a, b)
    assert set(a["kommunekode"]) != set(c["kommunekode"])


def test_written_file_validates_against_its_contract(tmp_path):
    d = synth.deltagere(SynthContext(years=(2019,), seed=5))
    write_frame(d, tmp_path / "puljedeltagere", csv=True)
    report = validate_dataset(tmp_path, names=["puljedeltagere", "kommuner", "puljeprojekter"])
    assert report.ok, report.to_text()
