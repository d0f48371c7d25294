"""What an analysis declares (one :class:`Analysis` in ``analyses/<name>/__init__.py``).

Declarations import nothing heavy (no pandas), so reading the registry stays light.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class Analysis:
    name: str                          # folder under analyses/, e.g. "d3_brug"
    notebook: str                      # notebooks/<notebook>.ipynb
    title: str                         # Danish title, as on the index page
    inputs: tuple[str, ...]            # data contracts the notebook reads (data_contracts/<name>.yaml)
    reads_all_inputs: bool = False     # an overview of every input (the data foundation)
    generator: str | None = None       # "module:function" writing this analysis's synthetic inputs
    csv_inputs: tuple[str, ...] = ()   # generated inputs written as CSV (the rest Parquet, or FileWriter)
    target_prefixes: tuple[str, ...] = ()  # report_targets.csv ids this analysis reproduces ("d3_")
    depends_on: tuple[str, ...] = ()   # analyses whose code (and frames) this one reuses
    synth_after: tuple[str, ...] = ()  # analyses whose generators must run before this one's (ctx.outputs)
    # Disclosure exceptions to the shared column rules (publishing.columns): derived column ->
    # the counts it is computed from, and extra key columns that are never masked.
    basis: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    keys: tuple[str, ...] = ()

    @property
    def input_names(self) -> list[str] | None:
        """The inputs to validate: None = every contract."""
        return None if self.reads_all_inputs else list(self.inputs)

    def load_generator(self) -> Callable[[Any], dict] | None:
        if not self.generator:
            return None
        module, _, func = self.generator.partition(":")
        return getattr(importlib.import_module(module), func)
