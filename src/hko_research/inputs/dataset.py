"""The data set a run reads: where its files are, whether it is synthetic, which years it covers.

A data folder may carry a descriptor, ``DATASET.yaml``, written by ``hko-research synth`` (kind:
synthetic) or by ``hko-research import`` / the data steward (kind: real). Outputs made from a
synthetic data set are labelled "Syntetiske data" everywhere; a folder without descriptor is
treated as real data and its years are read from the files themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

DESCRIPTOR = "DATASET.yaml"
READABLE_SUFFIXES = (".parquet", ".csv", ".sas7bdat")
SYNTHETIC_LABEL = "Syntetiske data"


@dataclass(frozen=True)
class DatasetInfo:
    data_dir: Path
    synthetic: bool
    years: tuple[int, ...]
    seed: int | None = None
    generator: str | None = None
    description: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def label(self) -> str:
        return SYNTHETIC_LABEL if self.synthetic else "Registerdata"


class DatasetError(RuntimeError):
    pass


def find_input(data_dir: Path, name: str) -> Path | None:
    """The file for input ``name`` in ``data_dir``: ``name.parquet``, ``name.csv`` or ``name.sas7bdat``."""
    hits = [data_dir / f"{name}{suffix}" for suffix in READABLE_SUFFIXES if (data_dir / f"{name}{suffix}").exists()]
    if len(hits) > 1:
        raise DatasetError(f"{data_dir}: input '{name}' exists in several formats: {[h.name for h in hits]}")
    return hits[0] if hits else None


def load_dataset_info(data_dir: str | Path) -> DatasetInfo:
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DatasetError(
            f"data_dir {data_dir} does not exist. Create the default synthetic data with "
            f"`make data` or point data_dir at your extract."
        )
    desc = data_dir / DESCRIPTOR
    if desc.exists():
        raw = yaml.safe_load(desc.read_text(encoding="utf-8")) or {}
        kind = str(raw.get("kind", "real")).lower()
        if kind not in {"synthetic", "real"}:
            raise DatasetError(f"{desc}: kind must be 'synthetic' or 'real', not {kind!r}")
        years = tuple(sorted(int(y) for y in raw.get("years") or ())) or _years_from_files(data_dir)
        return DatasetInfo(
            data_dir=data_dir, synthetic=kind == "synthetic", years=years, seed=raw.get("seed"),
            generator=raw.get("generator"), description=str(raw.get("description", "")),
            extra={k: v for k, v in raw.items() if k not in {"kind", "years", "seed", "generator", "description"}},
        )
    return DatasetInfo(data_dir=data_dir, synthetic=False, years=_years_from_files(data_dir))


def _years_from_files(data_dir: Path) -> tuple[int, ...]:
    """Years with grants in the DFDG files (real extracts without a descriptor)."""
    import duckdb  # lazy: keeps the cache-hit path light

    years: set[int] = set()
    for name in ("dfdg_personlig_assistance", "dfdg_hjaelpemidler"):
        path = find_input(data_dir, name)
        if path is None or path.suffix == ".sas7bdat":
            continue
        reader = "read_parquet" if path.suffix == ".parquet" else "read_csv_auto"
        rows = duckdb.execute(
            f"select distinct year(cast(startdato as date)) as y from {reader}('{path.as_posix()}') where startdato is not null"
        ).fetchall()
        years |= {int(r[0]) for r in rows if r[0] is not None}
    return tuple(sorted(years))


def input_files(data_dir: Path) -> list[Path]:
    """Every file of the data folder (not hidden ones), sorted: what a run's input hash covers.
    Inputs arrive in several formats (Parquet, CSV, SAS, SPSS, workbooks, REFI-QDA projects), so
    every file counts, not only the ones a table reader knows."""
    return [p for p in sorted(Path(data_dir).iterdir()) if p.is_file() and not p.name.startswith(".")]
