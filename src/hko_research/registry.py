"""The analyses of the project, each registered once.

An analysis is a folder ``analyses/<name>/`` whose ``__init__.py`` declares one :class:`Analysis`
(its notebook, the inputs it reads, its synthetic generator, the report targets it reproduces and
the analyses it builds on) and one line in ``analyses/__init__.py`` that adds it to
:data:`hko_research.analyses.REGISTRY`. Everything else finds it here: params files run every
registered notebook unless they name a subset, ``hko-research synth`` runs every generator, the
runner's cache key covers the analysis's own code, and the contract-usage test checks its inputs.

The declaration itself is :class:`hko_research.analyses.spec.Analysis`; declarations import
nothing heavy (no pandas), so a cache-hit run stays light.
"""
from __future__ import annotations

from .analyses.spec import Analysis

__all__ = ["Analysis", "analyses", "get", "notebooks", "for_notebook"]


def analyses() -> tuple[Analysis, ...]:
    """Every registered analysis, in the report's chapter order."""
    from .analyses import REGISTRY

    return REGISTRY


def get(name: str) -> Analysis:
    """The analysis called ``name`` (folder name) or whose notebook is ``name``."""
    for a in analyses():
        if name in (a.name, a.notebook):
            return a
    known = ", ".join(f"{a.name} ({a.notebook})" for a in analyses())
    raise KeyError(f"no registered analysis {name!r}; registered: {known}")


def notebooks() -> tuple[str, ...]:
    return tuple(a.notebook for a in analyses())


def for_notebook(notebook: str) -> Analysis | None:
    return next((a for a in analyses() if a.notebook == notebook), None)
