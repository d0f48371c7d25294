"""Validate a run's inputs against data_contracts/ before anything is written.

``validate_inputs(params)`` is the one validation entry point of the project (runner, CLI and
notebooks): it validates every input the contracts describe (or a named subset) with
:func:`hko_research.inputs.checks.validate_dataset` and caches the report by content, so a rerun
on unchanged data, or a notebook validating after the runner, reuses it.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .report import ValidationReport, report_from_json, report_to_json

CACHE_ENV = "HKO_RESEARCH_CACHE"  # the runner points notebooks at its cache folder


def default_cache_dir() -> Path:
    """``$HKO_RESEARCH_CACHE`` (set by the runner for its notebooks), else ``outputs/.cache``."""
    from ..paths import OUTPUTS_DIR

    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else OUTPUTS_DIR / ".cache"


def validate_inputs(params, *, names: list[str] | None = None, use_cache: bool = True,
                    cache_dir: Path | None = None) -> ValidationReport:
    """See :func:`_validate_inputs`; the params' own warnings (a kommune listed twice) are added."""
    from .report import Failure

    report = _validate_inputs(params, names=names, use_cache=use_cache, cache_dir=cache_dir)
    for k in getattr(params, "duplicated_kommuner", ()) or ():
        report.warnings.append(Failure("params", "kommuner", "duplicated_kommune", None, k))
    return report


def _validate_inputs(params, *, names: list[str] | None = None, use_cache: bool = True,
                     cache_dir: Path | None = None) -> ValidationReport:
    """Validate every input for ``params`` (a RunParams), or only ``names``.

    Results are keyed by content (input file hashes, the shared code: contracts, mappings,
    readers), so the runner, a notebook validating after the runner, and a rerun on unchanged data
    share one result. A passed validation of every input covers any subset.
    ``report.from_cache`` says whether the result was reused.
    """
    from .checks import (
        validate_dataset,  # heavy (pandas, pandera): imported only when needed
    )

    if not use_cache:
        return validate_dataset(params.data_dir, names=names)
    from ..hashing import code_hash, hash_inputs

    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    base = {"inputs": hash_inputs(params.data_dir, cache_dir), "code": code_hash(),
            "data_dir": str(params.data_dir)}

    def cache_path(selection):
        key = hashlib.sha256(json.dumps({**base, "names": selection}, sort_keys=True).encode()).hexdigest()
        return cache_dir / "validation-reports" / f"{key}.json"

    path = cache_path(sorted(names) if names else None)
    for candidate in (path, cache_path(None)) if names else (path,):
        if candidate.exists():
            try:
                cached = report_from_json(json.loads(candidate.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if candidate == path or cached.ok:
                cached.from_cache = True
                return cached
    report = validate_dataset(params.data_dir, names=names)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(report_to_json(report), ensure_ascii=False, default=str), encoding="utf-8")
    tmp.replace(path)
    return report
