"""Which shape a coding project arrived in, and the readers the data contracts name.

A coding project (``inputs.coding.Project``) is read from ``<fil>.xlsx`` (the coding template,
:mod:`.coding`), ``<fil>.qdpx`` (a REFI-QDA export, :mod:`.qdpx`) or the canonical tables as CSV
(``<input>.csv``); exactly one shape may be present. The result is cached per file stamp, so the
three inputs of a project (codebook, cases, codings) read the file once.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Iterable

import pandas as pd

from .coding import (
    KODEBOG_COLUMNS,
    KODNING_COLUMNS,
    CodingTables,
    Located,
    Project,
    canonical_kodebog,
    check_codings,
    project,
    read_template,
)
from .qdpx import read_qdpx
from .readers import ReadProblem, read_table


def project_source(data_dir: Path, proj: Project) -> tuple[str, Path | None]:
    """('xlsx' | 'qdpx' | 'csv', path): the shape the project was delivered in."""
    data_dir = Path(data_dir)
    found = [(kind, data_dir / f"{proj.fil}.{kind}") for kind in ("xlsx", "qdpx") if (data_dir / f"{proj.fil}.{kind}").is_file()]
    csvs = [data_dir / f"{proj.inputs[t]}.csv" for t in ("kodebog", "sager", "kodning")]
    if len(found) > 1:
        raise ReadProblem(found[0][1].name, "ambiguous_source",
                          f"både {found[0][1].name} og {found[1][1].name} findes; læg kun én af dem i datamappen")
    if found:
        if any(p.is_file() for p in csvs):
            raise ReadProblem(found[0][1].name, "ambiguous_source",
                              f"både {found[0][1].name} og kanoniske CSV-filer ({', '.join(p.name for p in csvs if p.is_file())}) "
                              "findes; læg kun den ene form i datamappen")
        return found[0]
    return ("csv", None)


def _stamp(paths: Iterable[Path]) -> tuple:
    out = []
    for p in paths:
        try:
            st = p.stat()
            out.append((str(p), st.st_size, st.st_mtime_ns))
        except FileNotFoundError:
            out.append((str(p), None, None))
    return tuple(out)


def read_project(data_dir: str | Path, name: str) -> CodingTables:
    """The project ``name`` from ``data_dir`` in whichever shape it was delivered, checked."""
    proj = project(name)
    data_dir = Path(data_dir).resolve()
    candidates = [data_dir / f"{proj.fil}.{k}" for k in ("xlsx", "qdpx")] + \
                 [data_dir / f"{proj.inputs[t]}.csv" for t in ("kodebog", "sager", "kodning")]
    return _read_project_cached(str(data_dir), name, _stamp(candidates))


@lru_cache(maxsize=16)
def _read_project_cached(data_dir: str, name: str, stamp: tuple) -> CodingTables:
    proj = project(name)
    kind, path = project_source(Path(data_dir), proj)
    if kind == "xlsx":
        return read_template(path, proj)
    if kind == "qdpx":
        return read_qdpx(path, proj)
    return _read_canonical_csv(Path(data_dir), proj)


def _read_canonical_csv(data_dir: Path, proj: Project) -> CodingTables:
    """The canonical tables delivered as CSV; checked against each other where all are present."""
    frames: dict[str, pd.DataFrame | None] = {}
    for t in ("kodebog", "sager", "kodning"):
        p = data_dir / f"{proj.inputs[t]}.csv"
        frames[t] = read_table(p) if p.is_file() else None
    tables = CodingTables(
        kodebog=frames["kodebog"] if frames["kodebog"] is not None else pd.DataFrame(columns=list(KODEBOG_COLUMNS)),
        sager=frames["sager"] if frames["sager"] is not None else pd.DataFrame(columns=["sag", *proj.attributes()]),
        kodning=frames["kodning"] if frames["kodning"] is not None else pd.DataFrame(columns=list(KODNING_COLUMNS)),
    )
    if all(f is not None for f in frames.values()):
        try:
            kb = canonical_kodebog(_kodebog_typed(frames["kodebog"]))
            sager = frames["sager"]
            locs = [Located(f"{proj.inputs['kodning']}.csv", row=i + 1) for i in range(len(frames["kodning"]))]
            case_locs = {str(s): Located(f"{proj.inputs['sager']}.csv", row=i + 1) for i, s in enumerate(sager["sag"])}
            tables.problems["kodning"] += check_codings(proj, kb, sager, frames["kodning"].to_dict("records"), locs,
                                                         case_locs)
        except (KeyError, ValueError):
            pass  # malformed tables: their own contracts report it
    return tables


def _kodebog_typed(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    if "kraevet" in out.columns:
        out["kraevet"] = out["kraevet"].map(lambda v: str(v).strip().lower() in ("true", "1", "ja", "yes"))
    return out


# ------------------------------------------------------------------ readers named by the contracts
def _reader(project_name: str, table: str):
    def read(data_dir: Path) -> pd.DataFrame:
        return read_project(data_dir, project_name).table(table)

    read.__doc__ = f"The canonical ``{table}`` table of the coding project {project_name!r} (raises ReadProblems)."
    return read


read_casekommune_kodebog = _reader("casekommuner", "kodebog")
read_casekommune_sager = _reader("casekommuner", "sager")
read_casekommune_kodning = _reader("casekommuner", "kodning")
read_interview_kodebog = _reader("interviews", "kodebog")
read_interview_deltagere = _reader("interviews", "sager")
read_interview_kodning = _reader("interviews", "kodning")
