"""The synthetic-data frame: the marker labels data as synthetic, population mixes real FOLK1A and
extrapolated quarters only with an explicit source column, and generation is deterministic."""
from __future__ import annotations

import pytest

from hko_research.inputs.dataset import load_dataset_info
from hko_research.kommuner import befolkning_folk1a
from hko_research.synth import SynthContext, parse_years
from hko_research.synth.population import EXTRAPOLATED, REAL_SOURCE, generate_befolkning


def test_parse_years():
    assert parse_years("2017-2021") == (2017, 2018, 2019, 2020, 2021)
    assert parse_years("2019") == (2019,)
    with pytest.raises(ValueError):
        parse_years("2021-2017")


def test_population_real_quarters_unchanged_and_others_marked():
    ctx = SynthContext(years=(2017, 2018, 2019, 2020, 2021), seed=1)
    bef = generate_befolkning(ctx)["befolkning"]
    real = befolkning_folk1a()
    merged = real.merge(bef, on=["kommunekode", "kvartal"], suffixes=("_ref", ""))
    assert len(merged) == len(real) == 1078
    assert (merged["befolkning_ref"] == merged["befolkning"]).all()
    assert (merged["kilde"] == REAL_SOURCE).all()
    extra = bef[~bef["kvartal"].isin(real["kvartal"])]
    assert set(extra["kilde"]) == {EXTRAPOLATED}
    assert {"2017K1", "2020K4", "2021K4"} <= set(extra["kvartal"])
    assert bef.groupby("kvartal")["kommunekode"].nunique().eq(98).all()


def test_default_data_marker_says_synthetic(default_data_dir):
    info = load_dataset_info(default_data_dir)
    assert info.synthetic and info.label == "Syntetiske data"
    assert info.years == (2017, 2018, 2019, 2020, 2021) and info.seed is not None


def test_rng_streams_are_reproducible_and_independent():
    a, b = SynthContext(years=(2019,), seed=7), SynthContext(years=(2019,), seed=7)
    assert (a.rng("x").integers(0, 10**9, 5) == b.rng("x").integers(0, 10**9, 5)).all()
    assert not (a.rng("x").integers(0, 10**9, 5) == a.rng("y").integers(0, 10**9, 5)).all()
    assert not (SynthContext(years=(2019,), seed=8).rng("x").integers(0, 10**9, 5)
                == b.rng("x").integers(0, 10**9, 5)).all()


@pytest.mark.slow
def test_same_seed_same_bytes_different_seed_differs(tmp_path):
    """The whole generator, years 2019-2019: same seed -> identical files; another seed differs."""
    from hko_research.hashing import file_sha256
    from hko_research.inputs.dataset import input_files
    from hko_research.synth import synthesize

    def digest(out):
        return {p.name: file_sha256(p) for p in input_files(out)}

    one = digest(synthesize((2019,), 11, tmp_path / "a"))
    two = digest(synthesize((2019,), 11, tmp_path / "b"))
    three = digest(synthesize((2019,), 12, tmp_path / "c"))
    assert one == two
    assert len(one) >= 15
    differing = [k for k in one if k != "befolkning.csv" and one[k] != three.get(k)]
    assert len(differing) >= 10


def test_existing_data_reused_only_when_generator_code_is_unchanged(tmp_path, monkeypatch):
    import hko_research.synth as synth
    from hko_research.synth.population import generate_befolkning

    monkeypatch.setattr(synth, "_generators", lambda: [("befolkning", generate_befolkning)])
    out = synth.synthesize((2019,), 3, tmp_path / "d")
    marker = out / "DATASET.yaml"
    first = marker.stat().st_mtime_ns
    synth.synthesize((2019,), 3, tmp_path / "d")
    assert marker.stat().st_mtime_ns == first  # same seed, years and code: reused
    monkeypatch.setattr(synth, "generator_code_hash", lambda: "changed")
    synth.synthesize((2019,), 3, tmp_path / "d")
    assert marker.stat().st_mtime_ns != first  # changed generator: regenerated
    assert "generator_code: changed" in marker.read_text(encoding="utf-8")


def test_generators_come_from_the_registry_and_may_write_their_own_formats(tmp_path, monkeypatch):
    """`hko-research synth` runs every registered generator; a generator may hand back a FileWriter
    for a format the framework does not know, and later generators still see its frame."""
    import pandas as pd

    import hko_research.synth as synth
    from hko_research.synth.population import generate_befolkning

    names = [n for n, _ in synth._generators()]
    assert names[0] == "befolkning" and "d3_brug" in names

    seen = {}

    def special(ctx):
        frame = pd.DataFrame({"a": [1, 2]})

        def write(out_dir):
            path = out_dir / "saerligt.txt"
            path.write_text("a\n1\n2\n", encoding="utf-8")
            return path
        return {"saerligt": synth.FileWriter(write, frame)}

    def later(ctx):
        seen["frame"] = ctx.outputs["saerligt"]
        return {}

    monkeypatch.setattr(synth, "_generators", lambda: [("befolkning", generate_befolkning), ("x", special),
                                                        ("y", later)])
    out = synth.synthesize((2019,), 1, tmp_path / "s")
    assert (out / "saerligt.txt").read_text(encoding="utf-8") == "a\n1\n2\n"
    assert list(seen["frame"]["a"]) == [1, 2]
    assert "saerligt: saerligt.txt" in (out / "DATASET.yaml").read_text(encoding="utf-8")
