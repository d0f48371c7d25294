"""Generators run in registry order, except after the analyses they declare in ``synth_after``."""
from __future__ import annotations

import pytest

from hko_research.analyses.spec import Analysis
from hko_research.synth import _generators, generator_order


def a(name, after=()):
    return Analysis(name=name, notebook=name, title=name, inputs=(), synth_after=tuple(after))


def test_order_is_registry_order_except_declared_predecessors():
    reg = (a("d0"), a("d1", ["d3"]), a("d2"), a("d3"), a("d4"))
    assert [x.name for x in generator_order(reg)] == ["d0", "d3", "d1", "d2", "d4"]
    assert [x.name for x in generator_order((a("x"), a("y")))] == ["x", "y"]
    with pytest.raises(ValueError, match="unregistered"):
        generator_order((a("d1", ["nope"]),))
    with pytest.raises(ValueError, match="cycle"):
        generator_order((a("p", ["q"]), a("q", ["p"])))


def test_delanalyse_1_generator_runs_after_delanalyse_3():
    names = [n for n, _ in _generators()]
    assert names[0] == "befolkning"
    assert names.index("d3_brug") < names.index("d1_strategi")
