"""Synthetic data calibrated to the report: the embedded default data set.

``hko-research synth --years 2017-2021 --seed N --out DIR`` writes one file per input contract plus
``DATASET.yaml`` (kind: synthetic), the marker the loader reads to label every output "Syntetiske
data". Same seed and years give the same bytes. Generators make record-level inputs (persons,
grants, cases, respondents) by drawing from distributions whose parameters are documented next to
each generator; nothing here reads the report's published numbers.

Real public reference data are used as they are: the 98 kommuner and FOLK1A population
2018K1-2020K3. Quarters outside that range are extrapolated and marked
``kilde = syntetisk_ekstrapolation`` in ``befolkning``, never mixed silently with real quarters.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import yaml

from ..inputs.dataset import DESCRIPTOR
from ..kommuner import kommune_tabel
from ..paths import resolve

GENERATOR_VERSION = "hko-research synth 1"

# Inputs written as CSV (small municipal tables, as researchers usually receive them); the rest
# Parquet. An analysis adds its own in ``Analysis.csv_inputs``.
CSV_INPUTS = {"befolkning"}


class FileWriter:
    """A generator's output in a format of its own (a survey-tool export, an SPSS file, a coding
    workbook, a REFI-QDA project): ``write(out_dir)`` writes the file(s) and returns the main one.
    ``frame`` (optional) is the canonical table, handed to later generators in ``ctx.outputs``."""

    def __init__(self, write: Callable[[Path], Path], frame: pd.DataFrame | None = None):
        self.write = write
        self.frame = frame


@dataclass
class SynthContext:
    years: tuple[int, ...]
    seed: int
    kommuner: pd.DataFrame = field(default_factory=kommune_tabel)
    outputs: dict[str, pd.DataFrame] = field(default_factory=dict)

    def rng(self, name: str) -> np.random.Generator:
        """An independent, reproducible random stream per generator (seed x name)."""
        digest = hashlib.sha256(f"{self.seed}:{name}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "little"))

    def befolkning(self) -> pd.DataFrame:
        return self.outputs["befolkning"]

    def population(self, kvartal: str) -> pd.Series:
        """Population per kommunekode on the first day of ``kvartal`` (e.g. '2019K4')."""
        b = self.befolkning()
        return b.loc[b["kvartal"] == kvartal].set_index("kommunekode")["befolkning"]


Generator = Callable[[SynthContext], dict[str, pd.DataFrame]]


def _must_follow(a, by_name) -> list[str]:
    """The analyses whose generators must run before ``a``'s: its ``synth_after`` and the
    registered analyses it ``depends_on`` (it reuses their frames)."""
    return [*a.synth_after, *(n for n in a.depends_on if n in by_name and n not in a.synth_after)]


def generator_order(analyses) -> list:
    """``analyses`` in registry order, except that each comes after the analyses named in its
    ``synth_after`` or ``depends_on`` (stable: otherwise the registry order is kept). Raises
    ValueError for an unknown ``synth_after`` name or a cycle."""
    by_name = {a.name: a for a in analyses}
    for a in analyses:
        unknown = [n for n in a.synth_after if n not in by_name]
        if unknown:
            raise ValueError(f"{a.name}: synth_after names unregistered analyses {unknown}")
    done: list = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def place(a) -> None:
        if a.name in placed:
            return
        if a.name in visiting:
            raise ValueError(f"synth_after cycle through {a.name}")
        visiting.add(a.name)
        for n in _must_follow(a, by_name):
            place(by_name[n])
        visiting.discard(a.name)
        placed.add(a.name)
        done.append(a)

    for a in analyses:
        place(a)
    return done


def _generators() -> list[tuple[str, Generator]]:
    """The shared population first, then every registered analysis's generator, in registry order
    except that an analysis runs after the analyses it ``depends_on`` or names in ``synth_after``
    (a later generator sees the earlier ones' frames in ``ctx.outputs``)."""
    from ..registry import analyses
    from .population import generate_befolkning

    gens: list[tuple[str, Generator]] = [("befolkning", generate_befolkning)]
    for analysis in generator_order(analyses()):
        gen = analysis.load_generator()
        if gen is not None:
            gens.append((analysis.name, gen))
    return gens


def _csv_inputs() -> set[str]:
    from ..registry import analyses

    return set(CSV_INPUTS).union(*(a.csv_inputs for a in analyses()))


def generator_files() -> list[Path]:
    """The framework's files and every analysis's synth/ folder (code and calibration)."""
    from ..registry import analyses

    here = Path(__file__).resolve().parent
    files = [*here.glob("*.py"), *here.glob("*.yaml")]
    for analysis in analyses():
        folder = here.parent / "analyses" / analysis.name / "synth"
        if folder.is_dir():
            files += [p for p in folder.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml")]
    return sorted(files)


def generator_code_hash() -> str:
    """SHA-256 over the generators' code and calibration files (a changed generator regenerates)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in generator_files():
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def parse_years(spec: str | int) -> tuple[int, ...]:
    s = str(spec).strip()
    if "-" in s:
        a, b = (int(x) for x in s.split("-", 1))
        if b < a:
            raise ValueError(f"years {spec!r}: end before start")
        return tuple(range(a, b + 1))
    return tuple(int(x) for x in s.split(","))


def write_frame(df: pd.DataFrame, path_stem: Path, csv: bool) -> Path:
    if csv:
        path = path_stem.with_suffix(".csv")
        df.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n", date_format="%Y-%m-%d")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = path_stem.with_suffix(".parquet")
        table = pa.Table.from_pandas(df, preserve_index=False)
        pq.write_table(table, path, compression="zstd", row_group_size=256_000)
    return path


def synthesize(years, seed: int, out_dir, *, force: bool = False) -> Path:
    """Generate every synthetic input into ``out_dir`` (atomically: built aside, then moved)."""
    out = resolve(out_dir)
    code = generator_code_hash()
    if out.exists() and not force and (out / DESCRIPTOR).exists():
        existing = yaml.safe_load((out / DESCRIPTOR).read_text(encoding="utf-8")) or {}
        if existing.get("seed") == seed and list(existing.get("years", [])) == list(years) \
                and existing.get("generator") == GENERATOR_VERSION and existing.get("generator_code") == code:
            return out  # same seed, years and generator code: the bytes would be identical
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    ctx = SynthContext(years=tuple(years), seed=int(seed))
    written: dict[str, str] = {}
    csv_inputs = _csv_inputs()
    for _, gen in _generators():
        frames = gen(ctx)
        for name, result in frames.items():
            if isinstance(result, FileWriter):
                if result.frame is not None:
                    ctx.outputs[name] = result.frame
                written[name] = Path(result.write(tmp)).name
                continue
            ctx.outputs[name] = result
            written[name] = write_frame(result, tmp / name, csv=name in csv_inputs).name
    descriptor = {
        "kind": "synthetic",
        "description": "Syntetiske data kalibreret til rapportens offentliggjorte tal (hko-research synth). "
                       "Ikke rigtige personer; befolkning 2018K1-2020K3 er ægte FOLK1A.",
        "generator": GENERATOR_VERSION,
        "generator_code": code,
        "seed": int(seed),
        "years": [int(y) for y in years],
        "files": dict(sorted(written.items())),
    }
    (tmp / DESCRIPTOR).write_text(yaml.safe_dump(descriptor, sort_keys=True, allow_unicode=True), encoding="utf-8")
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, out)
    return out
