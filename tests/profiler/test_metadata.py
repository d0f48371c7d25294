"""The indicator metadata table: the shipped file is complete and consistent with the owning
analyses, and a malformed file is refused with every problem listed."""
from __future__ import annotations

import importlib
import inspect

import pytest

from hko_research.analyses.profiler import metadata as MD
from hko_research.publishing.labels import labels


def _row(**kw):
    base = {"id": "x", "navn": "X", "afsnit": "omfang", "kilde": "d3_brug", "maal": "m:f", "ramme": "m:g",
            "beregning": "forhold", "taeller": "antal_x", "naevner": "befolkning", "ci": "wilson",
            "definition": "En definition."}
    return {**base, **kw}


def test_the_shipped_table_declares_every_indicator_of_the_issue():
    ids = {i.id for i in MD.indikatorer()}
    assert {"anvendelsesgrad", "anvendelsesgrad_pa", "anvendelsesgrad_hm", "rekrutteringsgrad_pa",
            "andel_fuldtid_hm", "andel_fuldtid_pa", "enhedspris_pa", "enhedspris_hm", "difference",
            "fastholdelse_pa", "fastholdelse_hm", "oegede_loentimer_pa", "oegede_loentimer_hm"} <= ids
    # delanalyse 5's rows are declared with their owner, measure, polarity and CI method
    d5 = MD.kilder()["d5_tvaergaaende"]
    assert {i.maal.rsplit(":", 1)[1] for i in d5} == {"fastholdelse", "oegede_loentimer"}
    assert all(i.polaritet == "hoej_bedst" and i.ci == "wilson" and i.beregning == "andel" for i in d5)
    # everything else is neutral: more is not self-evidently better
    assert {i.polaritet for i in MD.indikatorer() if i.kilde != "d5_tvaergaaende"} == {"neutral"}
    assert [i.gruppe for i in d5] == ["pa", "hm", "pa", "hm"]
    assert MD.indikatorer()[[i.id for i in MD.indikatorer()].index("fastholdelse_pa")].navn == \
        "Fastholdelse: Personlig assistance"


def test_every_measure_and_frame_builder_of_an_available_analysis_resolves():
    checked = 0
    for ind in MD.indikatorer():
        module = ind.maal.split(":")[0]
        try:
            importlib.import_module(module)
        except ModuleNotFoundError:
            assert ind.kilde == "d5_tvaergaaende", ind.id  # only delanalyse 5 may be absent
            continue
        assert callable(ind.measure()) and callable(ind.frame_builder())
        assert module.startswith(f"hko_research.analyses.{ind.kilde}."), ind.id  # the owner's measure
        if ind.beregning == "forhold":  # called as measure(numerator, denominator)
            assert len(inspect.signature(ind.measure()).parameters) >= 2
        checked += 1
    assert checked >= 9


def test_counts_and_public_figures_are_told_apart_by_name():
    by_id = {i.id: i for i in MD.indikatorer()}
    assert by_id["anvendelsesgrad"].tal == ("antal_pa", "antal_hm")
    assert by_id["anvendelsesgrad"].offentlige == ("befolkning",)
    assert by_id["rekrutteringsgrad_pa"].tal == ("antal_rekruttering_pa", "n_rekruttering_pa")
    assert by_id["enhedspris_pa"].tal == ("antal_pa",) and by_id["enhedspris_pa"].offentlige == ("udgift_pa",)
    # the difference is computed from public figures but masked with d3's counts (d3's basis)
    assert by_id["difference"].basis == ("antal_pa", "antal_hm")
    assert not by_id["enhedspris_pa"].har_ci and by_id["enhedspris_pa"].kolonner == ("enhedspris_pa",)
    assert set(MD.andetsteds()) == {"antal_pa", "antal_hm"}


def test_every_published_column_has_a_danish_header():
    lab = labels("profiler")
    cols = {c for i in MD.indikatorer() for c in (*i.tal, *i.kolonner)}
    missing = sorted(c for c in cols if c not in lab.columns)
    assert not missing, missing


def test_a_malformed_table_is_refused_with_every_problem():
    raw = {"indikatorer": [
        _row(id="a", ci="bootstrap"),                                       # unknown CI method
        _row(id="b", beregning="enhedspris", ci="wilson"),                  # a price is no proportion
        _row(id="c", polaritet="hoejere"),                                  # unknown polarity
        _row(id="d", taeller="udgift_x", naevner="befolkning"),             # nothing to protect
        _row(id="e", maal="no_colon"),
        _row(id="e"),                                                       # duplicated id
        {k: v for k, v in _row(id="f").items() if k != "definition"} | {"farve": "rød"},
    ]}
    with pytest.raises(MD.MetadataError) as exc:
        MD.parse(raw, source="t.yaml")
    msg = str(exc.value)
    for needle in ("ci 'bootstrap'", "use ci: ingen", "polaritet 'hoejere'", "computed from no count",
                   "module:function", "id 'e' appears twice", "unknown field 'farve'", "missing field 'definition'"):
        assert needle in msg, needle


def test_groups_expand_into_one_indicator_each():
    out = MD.parse({"indikatorer": [_row(id="x_{g}", navn="X: {g}", taeller="antal_x_{g}", naevner="n_x_{g}",
                                         grupper=["pa", "hm"])]}, label=lambda g: g.upper())
    assert [(i.id, i.navn, i.taeller, i.naevner) for i in out] == [
        ("x_pa", "X: PA", ("antal_x_pa",), "n_x_pa"), ("x_hm", "X: HM", ("antal_x_hm",), "n_x_hm")]
