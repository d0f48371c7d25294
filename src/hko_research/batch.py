"""``hko-research batch``: many parameter sets in one command, one worker pool, one overview.

    batch_command(paths, jobs, force, progress, name) -> exit code       (called by cli.py)
    load_batch(paths, name) -> BatchSpec                                  (grid expansion + validation)
    run_batch(spec, *, jobs, force, progress, notebooks_dir, validate, cache_dir, headline) -> BatchResult

**Input.** Several params files (each one combination), and/or a params file with a ``grid:``
whose keys (``year``, ``kommuner``, ``min_cell_size``) hold lists; every combination of their
values is one run with the file's other keys::

    data_dir: data/synthetic
    notebooks: [03_brug_af_hko]
    grid:
      year: [2019, 2020]
      kommuner:                          # a list, or names -> kommune sets (the names label the runs)
        Hovedstaden: region:Hovedstaden
        Nordjylland: region:Nordjylland

Every combination is validated (:func:`hko_research.params.validate_params`) and every
combination's inputs are validated before any notebook runs; a problem is named with its
combination ("2021-hovedstaden (år 2021, kommuner region:Hovedstaden): year 2021 is not covered").

**Execution.** The notebooks of all combinations are tasks for one pool of workers with one
progress bar (the runner's :func:`~hko_research.runner._execute_parallel`); each combination's
notebooks use the runner's per-notebook cache (``<output_dir>/.cache``, shared with
``hko-research run``), so an unchanged combination is copied, not executed. A failing notebook
gets its error page in its combination's run folder; the other notebooks and combinations finish.

**Output.** ``<output_dir>/<name>-<YYYYmmdd-HHMMSS>/``, built hidden and moved into place with one
rename when complete::

    index.html          the combinations (status, duration, links) and the comparison table
    sammenligning.csv   the comparison table (``undertrykt`` in suppressed cells)
    manifest.json       files, combinations and their params, timings, cache use, disclosure counts
    <combination>/      one run folder per combination, exactly as ``hko-research run`` makes it

The overview is deterministic: combinations in the order of the files and the grid, the
comparison table and CSV byte-identical for the same inputs (only times and cache status vary).

**Headline measures** (:data:`HKO_HEADLINE`: anvendelsesgrad, fastholdelses- and rekrutteringsgrad
for personlig assistance and hjælpemidler from delanalyse 3, fastholdelse and øgede løntimer from
delanalyse 5, with Wilson CIs) are computed in this process from the unprotected frames
(``d3_brug.load``, ``d5_tvaergaaende.load.from_parts``), as counts per (kommune, year), so that a
combination's number is the sum over its kommuner and years; they are cached by input and code hash.

**Disclosure across combinations.** Each run protects its own tables. Published side by side,
runs over overlapping selections of the same data add what no single run shows: the total for
Hovedstaden minus the total for Hovedstaden without Dragør is Dragør's count. Two guards:

1. *The runs' own tables* (``<combination>/tables/*.csv``, as an attacker reads them): a cell is
   identified by table, key values (without ``niveau``), column and the years it names (a row
   without a year in its keys belongs to its run's year), and its population is the kommune set its
   ``niveau`` names ("Valgte kommuner" = the run's selection, "Hele landet" = all kommuner, the
   casekommune levels likewise; a row of one kommune is that kommune; other rows the selection).
   For every cell identity across the runs, every set of kommuner whose count follows from the shown
   cells by addition and subtraction (the 0/1 vectors in the span of their populations, see
   :class:`Span`) is computed from the *published* numbers; a set whose count is 1 to
   ``min_cell_size - 1``, or a suppressed cell that follows from the shown ones, is a finding. The
   runs' tables cannot be changed after the fact (their HTML pages show the same numbers), so the
   batch **withholds** combinations (fewest first, greedily) until nothing is found: a withheld
   combination has no run folder in the batch folder and says so on the overview; its results stay
   in the cache (``hko-research run`` publishes it on its own). The details (tables, kommuner) go to
   ``<output_dir>/diskretion-<name>-<timestamp>.txt`` for the researcher, never into the batch folder.
2. *The comparison table* (:func:`protect_comparison`): the table passes
   :func:`~hko_research.publishing.disclosure.protect_table` and then the same span analysis on the
   true per-(kommune, year) counts, together with the national totals the runs publish ("Hele
   landet"): a combination's measure (its counts, share and CI, masked together) is suppressed until
   no set of kommuner-years with a count of 1 to ``min_cell_size - 1`` follows from the shown counts
   exactly, and no such atom (the finest sets the batch distinguishes) is bounded to fewer than
   ``min_cell_size`` values by linear programming (counts are non-negative).

Observed on the synthetic data (2019-2020 x Hovedstaden, Nordjylland; notebooks 00, 03, 07): almost
every finding is a "Hele landet" cell that the Nordjylland runs suppress (their secondary
suppression reaches the national row) and the Hovedstaden runs show, so Nordjylland is withheld.
National rows protected the same way in every run (independently of the selection) would remove
these findings; that is the publishing layer's to change, not the batch's.

Limits (see also README): guard 1 matches cells by identity within one table; relations inside a
table (a row sum) are the notebook's own protection and are not combined with the cross-run
differences, and cells whose population the niveau does not reveal are assumed to be the
selection's. A row with no year in its keys is compared only with runs of the same year. Guard 2's
inequality check covers atoms, not every union of atoms. The span analysis is exact but
exponential in the rank of a connected group of overlapping populations; above
:data:`MAX_SPAN_RANK` the batch stops with a message asking to split it.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import yaml

from . import runner
from .params import KEYS as PARAM_KEYS
from .params import ParamsError, RunParams, check_output_dir, validate_params
from .paths import NOTEBOOKS_DIR, resolve

GRID_KEYS = ("year", "kommuner", "min_cell_size")
BATCH_KEYS = ("grid",)
MAX_SPAN_RANK = 20  # 2**20 subsets of a span are enumerated at most
STATUS_WITHHELD = "tilbageholdt"
DISCLOSURE_PREFIX = "diskretion-"
# publishing.publisher's file conventions, repeated because importing the publisher costs seconds
# (matplotlib, seaborn) on a cache-hit batch; tests/shared/test_batch.py checks that they agree.
SUPPRESSED_MARK = "undertrykt"
CSV_FLOAT_FORMAT = "%.12g"
SYNTHETIC_COLUMN = "datagrundlag"


class BatchError(ParamsError):
    """An invalid batch; the message names every invalid combination."""


# --------------------------------------------------------------------------------------------
# The batch: files, grid, combinations


@dataclass(frozen=True)
class Combination:
    name: str            # folder name in the batch folder
    label: str           # Danish, for the overview
    choice: dict         # the grid values of this combination ({} for a plain params file)
    params: RunParams
    source: str          # the params file it comes from


@dataclass
class BatchSpec:
    name: str
    combinations: list[Combination]
    output_dir: Path
    files: list[str]
    warnings: list[str] = field(default_factory=list)


def _slug(text: str) -> str:
    t = str(text).lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-") or "x"


def _kommuner_slug(spec: Any) -> str:
    if isinstance(spec, str):
        s = spec.strip()
        return _slug(s.split(":", 1)[1] if s.lower().startswith("region:") else s)
    codes = [str(c) for c in (spec if isinstance(spec, (list, tuple)) else [spec])]
    if len(codes) <= 3:
        return "kommuner-" + "-".join(codes)
    return f"{len(codes)}-kommuner-{hashlib.sha256(','.join(codes).encode()).hexdigest()[:6]}"


def _grid_values(key: str, value: Any, where: str) -> list[tuple[str | None, Any]]:
    """[(name or None, value)] of one grid key: a list, or a mapping name -> value."""
    if isinstance(value, Mapping):
        if not value:
            raise BatchError(f"{where}: grid.{key} is empty")
        return [(str(k), v) for k, v in value.items()]
    if not isinstance(value, list) or not value:
        raise BatchError(f"{where}: grid.{key} must be a non-empty list (or names -> values), e.g. "
                         f"{'year: [2019, 2020]' if key == 'year' else 'kommuner: [region:Hovedstaden, alle]'}")
    if key == "kommuner" and all(isinstance(v, int) for v in value):
        raise BatchError(f"{where}: grid.kommuner lists kommune sets, one per run; write a list of codes as "
                         f"one set in brackets: kommuner: [{value}]")
    return [(None, v) for v in value]


def _read_yaml(path: Path) -> dict:
    if not path.exists():
        raise BatchError(f"params file {path} does not exist; give a YAML file such as params/batch_eksempel.yaml")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BatchError(f"{path}: not a valid UTF-8 YAML file ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise BatchError(f"{path}: expected 'key: value' lines (year, kommuner, grid, ...), got a {type(raw).__name__}")
    return raw


def _expand(path: Path, raw: dict, prefix: bool) -> tuple[list[tuple[str, str, dict, dict]], list[str]]:
    """[(name, label, choice, raw params)] of one file, and problems with the file itself."""
    where = path.name
    problems: list[str] = []
    grid = raw.get("grid")
    base = {k: v for k, v in raw.items() if k not in BATCH_KEYS}
    if grid is None:
        if isinstance(base.get("year"), list):
            problems.append(f"{where}: year is a list; a batch varies parameters under 'grid:' "
                            "(grid: {year: [2019, 2020]}), see params/batch_eksempel.yaml")
            return [], problems
        return [(_slug(path.stem), path.stem, {}, base)], problems
    if not isinstance(grid, Mapping) or not grid:
        return [], [f"{where}: grid must map parameters to lists, e.g. grid: {{year: [2019, 2020]}}"]
    bad = [k for k in grid if k not in GRID_KEYS]
    if bad:
        problems.append(f"{where}: grid.{bad[0]} cannot vary in a batch; a grid varies {', '.join(GRID_KEYS)}")
    both = [k for k in grid if k in base]
    if both:
        problems.append(f"{where}: {both[0]} is given both in grid and outside it; keep one")
    if problems:
        return [], problems
    axes = []
    for key in [k for k in GRID_KEYS if k in grid]:
        try:
            axes.append([(key, n, v) for n, v in _grid_values(key, grid[key], where)])
        except BatchError as exc:
            problems.append(str(exc))
    if problems:
        return [], problems
    out = []
    for combo in itertools.product(*axes):
        choice = {key: v for key, _, v in combo}
        parts, labels = [], []
        for key, n, v in combo:
            if key == "year":
                parts.append(str(v))
                labels.append(str(v))
            elif key == "kommuner":
                parts.append(_slug(n) if n else _kommuner_slug(v))
                labels.append(n or (v if isinstance(v, str) else ", ".join(str(c) for c in v)))
            else:
                parts.append(f"m{v}")
                labels.append(f"min. cellestørrelse {v}")
        name = "-".join(([_slug(path.stem)] if prefix else []) + parts)
        out.append((name, " · ".join(labels), choice, {**base, **choice}))
    return out, problems


def load_batch(paths: Sequence[str | os.PathLike], *, name: str | None = None, check_data: bool = True) -> BatchSpec:
    """Expand the files into combinations and validate every one; raises BatchError listing every
    problem (with the combination it belongs to) before anything runs."""
    paths = [resolve(p) for p in paths]
    if not paths:
        raise BatchError("give at least one params file (-p)")
    problems: list[str] = []
    expanded: list[tuple[Path, str, str, dict, dict]] = []
    several = len(paths) > 1
    for path in paths:
        try:
            raw = _read_yaml(path)
        except BatchError as exc:
            problems.append(str(exc))
            continue
        items, file_problems = _expand(path, raw, prefix=several and raw.get("grid") is not None)
        problems += file_problems
        expanded += [(path, *item) for item in items]

    combos: list[Combination] = []
    seen_names: dict[str, str] = {}
    seen_params: dict[tuple, str] = {}
    for path, cname, label, choice, raw in expanded:
        what = f"{cname} ({', '.join(f'{k} {v}' for k, v in choice.items()) or path.name})"
        if cname in seen_names:
            problems.append(f"combination {what}: the name {cname!r} is used twice ({seen_names[cname]}); "
                            "give the kommune sets names (grid.kommuner: {Navn: ...})")
            continue
        seen_names[cname] = what
        try:
            params = validate_params(raw, name=cname, check_data=check_data)
        except ParamsError as exc:
            detail = str(exc).split(":\n", 1)[-1]
            problems.append(f"combination {what}:\n  {detail}")
            continue
        key = (params.year, params.kommuner, str(params.data_dir), params.min_cell_size, params.notebooks)
        if key in seen_params:
            problems.append(f"combination {what}: the same parameters as {seen_params[key]}; each combination once")
            continue
        seen_params[key] = what
        combos.append(Combination(name=cname, label=label, choice=choice, params=params, source=path.name))

    out_dirs = sorted({str(c.params.output_dir) for c in combos})
    if len(out_dirs) > 1:
        problems.append(f"the combinations write to different output_dir ({', '.join(out_dirs)}); a batch has one "
                        "batch folder: give every file the same output_dir")
    if problems:
        n_bad = sum(1 for p in problems if p.startswith("combination "))
        head = (f"Invalid batch ({', '.join(p.name for p in paths)}): "
                + (f"{n_bad} of {len(expanded)} combinations are invalid" if n_bad else "problems with the files"))
        raise BatchError(head + "\n  - " + "\n  - ".join(problems))
    if not combos:
        raise BatchError("the batch has no combinations")
    warnings = [f"{c.name}: {w}" for c in combos for w in c.params.warnings]
    batch_name = _slug(name) if name else (_slug(paths[0].stem) if not several else "batch")
    return BatchSpec(name=batch_name, combinations=combos, output_dir=combos[0].params.output_dir,
                     files=[str(p) for p in paths], warnings=warnings)


# --------------------------------------------------------------------------------------------
# Which sets of kommuner follow from published totals: the 0/1 vectors of a span


def _rref(rows: list[list[Fraction]], ncols: int) -> tuple[list[list[Fraction]], list[int], bool]:
    """Reduced row echelon form over the first ``ncols`` columns (exact); a further column is
    carried along (the rows' values). Returns (basis rows, pivot columns, consistent)."""
    m = [list(r) for r in rows]
    pivots: list[int] = []
    r = 0
    for c in range(ncols):
        p = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
        if p is None:
            continue
        m[r], m[p] = m[p], m[r]
        inv = m[r][c]
        m[r] = [x / inv for x in m[r]]
        for i in range(len(m)):
            if i != r and m[i][c] != 0:
                f = m[i][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[r])]
        pivots.append(c)
        r += 1
    consistent = all(all(x == 0 for x in row) for row in m[r:])
    return m[:r], pivots, consistent


class Span:
    """The linear span of published totals' populations (0/1 vectors over atoms), with their
    values when given. Every quantity an attacker can compute from the totals by adding and
    subtracting is a vector of the span; the *sets* among them are its 0/1 vectors.

    In reduced row echelon form a vector of the span is the sum of the basis rows weighted by its
    own entries at the pivot columns, so the 0/1 vectors are found among the 2**rank subsets of
    basis rows (:meth:`sets`)."""

    def __init__(self, vectors: Sequence[Sequence[int]], ncols: int, values: Sequence[float] | None = None):
        self.ncols = ncols
        self.has_values = values is not None
        rows = [[Fraction(int(x)) for x in v] + ([Fraction(values[i]).limit_denominator(10**6)] if values is not None
                                                 else []) for i, v in enumerate(vectors)]
        self.basis, self.pivots, self.consistent = _rref(rows, ncols) if rows else ([], [], True)

    @property
    def rank(self) -> int:
        return len(self.pivots)

    def reduce(self, vector: Sequence[int]) -> tuple[bool, Fraction | None]:
        """(is ``vector`` in the span, its value when the span has values)."""
        v = [Fraction(int(x)) for x in vector]
        value = Fraction(0)
        for row, p in zip(self.basis, self.pivots):
            f = v[p]
            if f:
                v = [a - f * b for a, b in zip(v, row[:self.ncols])]
                if self.has_values:
                    value += f * row[self.ncols]
        return all(x == 0 for x in v), (value if self.has_values else None)

    def contains(self, vector: Sequence[int]) -> bool:
        return self.reduce(vector)[0]

    def sets(self) -> Iterator[tuple[tuple[int, ...], float | None]]:
        """Every non-empty 0/1 vector of the span (with its value)."""
        import numpy as np

        r = self.rank
        if r == 0:
            return
        if r > MAX_SPAN_RANK:
            raise BatchError(f"the batch's overlapping selections are too many to check for differencing (a group of "
                             f"{r} independent totals, at most {MAX_SPAN_RANK}); split the batch into smaller ones")
        B = np.array([[float(x) for x in row[:self.ncols]] for row in self.basis])
        vals = np.array([float(row[self.ncols]) for row in self.basis]) if self.has_values else None
        bits = np.arange(r)
        chunk = 1 << 14
        for lo in range(1, 1 << r, chunk):
            ids = np.arange(lo, min(lo + chunk, 1 << r))
            S = ((ids[:, None] >> bits) & 1).astype(float)
            X = S @ B
            R = np.rint(X)
            ok = (np.abs(X - R) < 1e-9).all(axis=1) & ((R == 0) | (R == 1)).all(axis=1)
            for i in np.flatnonzero(ok):
                yield tuple(int(x) for x in R[i]), (float(S[i] @ vals) if vals is not None else None)


def _atoms(populations: Sequence[frozenset]) -> tuple[list[frozenset], list[tuple[int, ...]]]:
    """The finest sets the populations distinguish (elements with the same membership), and each
    population as a 0/1 vector over them."""
    sig: dict[Any, list] = {}
    for e in sorted(set().union(*populations), key=repr):
        key = tuple(e in p for p in populations)
        sig.setdefault(key, []).append(e)
    atoms = [frozenset(v) for k, v in sig.items() if any(k)]
    vectors = [tuple(int(bool(a & p)) for a in atoms) for p in populations]
    return atoms, vectors


def _components(populations: Sequence[frozenset]) -> list[list[int]]:
    """Groups of populations connected by shared elements (a disclosure needs one group)."""
    parent = list(range(len(populations)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[Any, int] = {}
    for i, pop in enumerate(populations):
        for e in pop:
            if e in owner:
                parent[find(i)] = find(owner[e])
            else:
                owner[e] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(populations)):
        groups.setdefault(find(i), []).append(i)
    return [g for g in groups.values()]


def _breakers(vectors: Sequence[tuple[int, ...]], target: tuple[int, ...], candidates: Iterable[int], ncols: int) -> list[int]:
    """The candidate rows without which ``target`` leaves the span."""
    out = []
    for i in candidates:
        rest = [v for j, v in enumerate(vectors) if j != i]
        if not Span(rest, ncols).contains(target):
            out.append(i)
    return out


# --------------------------------------------------------------------------------------------
# Headline measures: counts per (kommune, year) from the unprotected frames


@dataclass(frozen=True)
class Measure:
    """One headline measure: ``antal / n`` (or ``antal / base`` for a public base such as the
    population), summed over the combination's kommuner and its ``years`` years ending in its year.
    Measures with the same ``group`` are suppressed together in a combination (they share counts)."""

    key: str
    label: str
    group: str
    antal: str
    n: str | None = None
    base: str | None = None
    years: int = 1
    definition: str = ""
    enhed: str = ""  # what the denominator counts ("bevillinger", "indbyggere"), shown under the share


@dataclass(frozen=True)
class Headline:
    """What the comparison table shows: ``counts(data_dir, year)`` returns counts per
    (``kommunekode``, ``aar``) for the columns the measures name (unprotected; never published)."""

    name: str
    counts: Callable[[Path, int], Any]
    measures: tuple[Measure, ...]
    analyses: tuple[str, ...] = ()
    note: str = ""


def d3_counts(data_dir: Path, year: int):
    """Per (kommune, year in {year-1, year}): PA+HM grants (def. 1, the numerator of anvendelsesgrad),
    the population in Q4 (FOLK1A; public), and per ordning the grants with perspektiv fastholdelse,
    rekruttering (def. 10-11) and with a known perspektiv, from delanalyse 3's frames."""
    from .analyses.d3_brug.load import load_dir
    from .kommuner import kommunekoder

    return d3_counts_from(load_dir(data_dir, year, kommunekoder(), all_kommuner=True))


def d3_counts_from(b):
    """:func:`d3_counts` from delanalyse 3's frames (a ``BrugData`` of every kommune)."""
    import numpy as np
    import pandas as pd

    from .analyses.d3_brug.load import kvartal_befolkning
    from .kommuner import kommunekoder

    year = int(b.year)
    years = (year - 1, year)
    idx = pd.MultiIndex.from_product([sorted(kommunekoder()), years], names=["kommunekode", "aar"])
    out = pd.DataFrame(index=idx)
    g = b.grants.loc[b.grants["ordning"].isin(["pa", "hm"]) & b.grants["aar"].isin(years)]
    out["bevillinger_pa_hm"] = g.groupby(["kommunekode", "aar"]).size().reindex(idx, fill_value=0).astype(int)
    pops = {y: kvartal_befolkning(b.befolkning, f"{y}K4") for y in years}
    out["befolkning"] = [float(pops[y].get(k, np.nan)) for k, y in idx]
    pg = b.pgrants
    for o in ("pa", "hm"):
        p = pg.loc[pg["ordning"] == o]
        flags = pd.DataFrame({
            "kommunekode": p["kommunekode"].astype(int), "aar": p["aar"].astype(int),
            f"fastholdelse_{o}": (p["perspektiv"] == "fastholdelse").fillna(False).astype(int),  # def. 10
            f"rekruttering_{o}": p["rekruttering"].fillna(False).astype(bool).astype(int),       # def. 11 (l1342)
            f"kendt_{o}": p["perspektiv"].notna().astype(int),
        })
        sums = flags.groupby(["kommunekode", "aar"]).sum().reindex(idx, fill_value=0).astype(int)
        out = out.join(sums)
    return out.reset_index()


def hko_counts(data_dir: Path, year: int):
    """:func:`d3_counts` plus delanalyse 5's outcome counts per kommune and ordning
    (``d5_tvaergaaende.kommuneramme.udfald_kommuner``: ``n_/antal_fastholdelse_*``,
    ``n_/antal_oeget_*``), on the rows of ``year``: delanalyse 5 pools the grants of the year and the
    year before into one outcome per recipient (the report pools 2018-2019), so the year before has
    none of its own. Built from the same delanalyse 3 frames, in this process."""
    from types import SimpleNamespace

    from .analyses.d3_brug.load import load_dir
    from .analyses.d5_tvaergaaende import kommuneramme
    from .analyses.d5_tvaergaaende import load as d5_load
    from .kommuner import kommunekoder

    koder = tuple(sorted(kommunekoder()))
    b = load_dir(data_dir, year, list(koder), all_kommuner=True)
    out = d3_counts_from(b)
    run = SimpleNamespace(data_dir=Path(data_dir), year=int(year), kommuner=koder, all_kommuner=True)
    u = kommuneramme.udfald_kommuner(d5_load.from_parts(run, b, None, None))
    this_year = out["aar"] == int(year)
    for o in ("pa", "hm"):
        per_kommune = u.loc[u["ordning"] == o].set_index("kommunekode")
        for c in ("antal_fastholdelse", "n_fastholdelse", "antal_oeget", "n_oeget"):
            col = f"{c}_{o}"
            out[col] = 0
            out.loc[this_year, col] = out.loc[this_year, "kommunekode"].map(per_kommune[c]).fillna(0).astype(int)
    return out


D3_HEADLINE = Headline(
    name="d3_brug",
    counts=d3_counts,
    analyses=("d3_brug",),
    measures=(
        Measure("anvendelsesgrad", "Anvendelsesgrad, PA og hjælpemidler", "anvendelsesgrad",
                antal="bevillinger_pa_hm", base="befolkning", years=1,
                enhed="indbyggere",
                definition="Anvendelsesgrad: bevillinger til personlig assistance og hjælpemidler med start i året "
                           "pr. indbygger i 4. kvartal"),
        Measure("fastholdelsesgrad_pa", "Fastholdelsesgrad, personlig assistance", "perspektiv_pa",
                antal="fastholdelse_pa", n="kendt_pa", years=2, enhed="bevillinger",
                definition="Fastholdelsesgrad: andelen af årets og forrige års bevillinger givet med henblik på "
                           "fastholdelse (selvforsørgede, delvis sygemeldte og fleksjobbere)"),
        Measure("rekrutteringsgrad_pa", "Rekrutteringsgrad, personlig assistance", "perspektiv_pa",
                antal="rekruttering_pa", n="kendt_pa", years=2, enhed="bevillinger",
                definition="Rekrutteringsgrad: andelen givet med henblik på rekruttering (borgere på øvrig "
                           "offentlig ydelse); bevillinger uden kendt ydelse indgår ikke"),
        Measure("fastholdelsesgrad_hm", "Fastholdelsesgrad, hjælpemidler", "perspektiv_hm",
                antal="fastholdelse_hm", n="kendt_hm", years=2, enhed="bevillinger"),
        Measure("rekrutteringsgrad_hm", "Rekrutteringsgrad, hjælpemidler", "perspektiv_hm",
                antal="rekruttering_hm", n="kendt_hm", years=2, enhed="bevillinger"),
    ),
)

_D5_POPULATION = ("modtagere af bevillinger med start i året og året før med løntimer måneden før "
                  "bevillingen (delanalyse 5)")

HKO_HEADLINE = Headline(
    name="hko",
    counts=hko_counts,
    analyses=("d3_brug", "d5_tvaergaaende"),
    measures=(*D3_HEADLINE.measures, *(
        m for o, navn in (("pa", "personlig assistance"), ("hm", "hjælpemidler")) for m in (
            Measure(f"fastholdelse_loentimer_{o}", f"Fastholdelse, {navn}", f"udfald_{o}",
                    antal=f"antal_fastholdelse_{o}", n=f"n_fastholdelse_{o}", enhed="modtagere",
                    definition="Fastholdelse: andelen af " + _D5_POPULATION + ", der stadig har løntimer "
                               "tre måneder efter bevillingsmåneden"),
            Measure(f"oegede_loentimer_{o}", f"Øgede løntimer, {navn}", f"udfald_{o}",
                    antal=f"antal_oeget_{o}", n=f"n_oeget_{o}", enhed="modtagere",
                    definition="Øgede løntimer: andelen med flere løntimer tre måneder efter bevillingsmåneden "
                               "end måneden før (delanalyse 5's population for ordningen)"),
        ))),
)


def _headline_counts(headline: Headline, data_dir: Path, year: int, input_hashes: Mapping[str, str],
                     cache_dir: Path) -> tuple[Any, bool]:
    """Counts for (data_dir, year), from the cache when inputs and code are unchanged."""
    import pandas as pd

    from .hashing import code_hash

    key = hashlib.sha256(json.dumps({"headline": headline.name, "year": int(year), "inputs": dict(input_hashes),
                                     "code": code_hash(headline.analyses)}, sort_keys=True).encode()).hexdigest()[:32]
    path = cache_dir / "batch" / f"{headline.name}-{year}-{key}.csv"
    if path.exists():
        try:
            return pd.read_csv(path), True
        except (OSError, ValueError):
            pass
    df = headline.counts(Path(data_dir), int(year))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    df.to_csv(tmp, index=False)
    os.replace(tmp, path)
    return df, False


# --------------------------------------------------------------------------------------------
# The comparison table and its protection across combinations


@dataclass(frozen=True)
class _Cell:
    """A count the attacker knows the population of: a comparison cell (``owner`` = (combination
    index, measure group)) or a total the runs publish anyway (``owner`` None: the whole country)."""

    owner: tuple[int, str] | None
    population: frozenset
    value: int


def _set_value(truth: Mapping[Any, int], elements: Iterable) -> int:
    return int(sum(truth.get(e, 0) for e in elements))


def _choose(rows: Sequence[_Cell], targets: Sequence[int]) -> tuple[int, str]:
    """The cell to suppress: the smallest count, the later combination on ties."""
    best = min(targets, key=lambda i: (rows[i].value, -rows[i].owner[0]))
    return rows[best].owner


def _first_disclosure(cells: list[_Cell], truth: Mapping[Any, int], masked: Mapping, k: int):
    """The first suppression needed among one quantity's cells: (owner to mask, why) or None."""
    from scipy.optimize import linprog

    shown = [c for c in cells if c.owner is None or c.owner not in masked]
    pinned_pops = {c.population for c in shown if c.owner is None}
    for comp in _components([c.population for c in shown]):
        rows = [shown[i] for i in comp]
        atoms, vectors = _atoms([c.population for c in rows])
        n = len(atoms)
        candidates = [i for i, c in enumerate(rows) if c.owner is not None and c.population not in pinned_pops]
        if not candidates:
            continue

        span = Span(vectors, n)
        for vec, _ in span.sets():
            v = _set_value(truth, itertools.chain.from_iterable(a for a, x in zip(atoms, vec) if x))
            if 0 < v < k:
                brk = _breakers(vectors, vec, candidates, n)
                if brk:
                    return _choose(rows, brk), "forskel"
        # atoms bounded by the totals (counts are >= 0) to fewer than k values
        A = [[float(x) for x in v] for v in vectors]
        b = [float(c.value) for c in rows]
        for j, atom in enumerate(atoms):
            v = _set_value(truth, atom)
            if not 0 < v < k:
                continue
            c = [0.0] * n
            c[j] = 1.0
            lo = linprog(c, A_eq=A, b_eq=b, bounds=[(0, None)] * n, method="highs")
            hi = linprog([-x for x in c], A_eq=A, b_eq=b, bounds=[(0, None)] * n, method="highs")
            if lo.status == 0 and hi.status == 0 and (-hi.fun) - lo.fun < k - 1e-6:
                brk = [i for i in candidates if vectors[i][j]]
                if brk:
                    return _choose(rows, brk), "interval"
    return None


def cross_combination_guard(quantities: Mapping[str, tuple[list[_Cell], Mapping[Any, int]]], min_cell_size: int,
                            masked: Mapping[tuple[int, str], str] | None = None) -> dict[tuple[int, str], str]:
    """Suppress comparison cells (by owner) until no small set follows from the shown ones.

    ``quantities``: per counted quantity, its cells and the true count of every element
    (kommune, year). Starts from ``masked`` (e.g. the in-table protection's), adds primary
    suppression (a count of 1 to ``min_cell_size - 1``), then differencing suppression. Returns
    owner -> reason ("primær", "tabel", "forskel", "interval")."""
    k = int(min_cell_size)
    out: dict[tuple[int, str], str] = dict(masked or {})
    for q in sorted(quantities):
        cells, _ = quantities[q]
        pinned = {c.population for c in cells if c.owner is None}
        for c in cells:
            if c.owner is not None and 0 < c.value < k and c.population not in pinned:
                out.setdefault(c.owner, "primær")
    while True:
        hit = None
        for q in sorted(quantities):
            cells, truth = quantities[q]
            hit = _first_disclosure(cells, truth, out, k)
            if hit:
                break
        if hit is None:
            return out
        out[hit[0]] = hit[1]


def _comparison_rows(combos: list[Combination], headline: Headline, counts: Mapping[tuple[str, int], Any]):
    """Per combination and measure: antal, n, base, andel, CI (true values), and the guard's cells."""
    from .kommuner import kommunekoder
    from .stats import proportion_ci, share

    everyone = frozenset(kommunekoder())
    rows: list[dict] = []
    quantities: dict[str, tuple[list[_Cell], dict]] = {}
    truth: dict[str, dict] = {}
    for (data_dir, _), df in counts.items():
        for col in df.columns:
            if col in ("kommunekode", "aar"):
                continue
            t = truth.setdefault(f"{data_dir}|{col}", {})
            for kk, yy, v in zip(df["kommunekode"], df["aar"], df[col]):
                t.setdefault((int(kk), int(yy)), v)
    pinned: set[tuple[str, frozenset]] = set()
    for i, c in enumerate(combos):
        p = c.params
        df = counts.get((str(p.data_dir), p.year))
        for m in headline.measures:
            row = {"combo": i, "measure": m, "antal": None, "n": None, "base": None, "andel": None,
                   "ci_nedre": None, "ci_oevre": None}
            rows.append(row)
            if df is None:
                continue
            years = list(range(p.year - m.years + 1, p.year + 1))
            sel = df.loc[df["kommunekode"].isin(p.kommuner) & df["aar"].isin(years)]
            row["antal"] = int(sel[m.antal].sum())
            if m.n:
                row["n"] = int(sel[m.n].sum())
            if m.base:
                row["base"] = float(df.loc[df["kommunekode"].isin(p.kommuner) & (df["aar"] == p.year), m.base].sum())
            den = row["n"] if m.n else row["base"]
            row["andel"] = share(row["antal"], den)
            row["ci_nedre"], row["ci_oevre"] = proportion_ci(row["antal"], den)
            for col in (m.antal, m.n):
                if not col:
                    continue
                q = f"{p.data_dir}|{col}"
                pop = frozenset((kk, y) for kk in p.kommuner for y in years)
                cells = quantities.setdefault(q, ([], truth.get(q, {})))[0]
                owner = (i, m.group)
                if not any(x.owner == owner and x.population == pop for x in cells):
                    cells.append(_Cell(owner, pop, _set_value(truth.get(q, {}), pop)))
                whole = frozenset((kk, y) for kk in everyone for y in years)
                if (q, whole) not in pinned:
                    pinned.add((q, whole))
                    cells.append(_Cell(None, whole, _set_value(truth.get(q, {}), whole)))
    return rows, quantities


def protect_comparison(combos: list[Combination], headline: Headline, counts: Mapping[tuple[str, int], Any]):
    """The comparison rows with ``masked`` set per row, and how many measure groups were
    suppressed for which kind of reason (counts only: the reasons name no kommune)."""
    import pandas as pd

    from .publishing.disclosure import DisclosureLedger, masked_cells, protect_table

    rows, quantities = _comparison_rows(combos, headline, counts)
    k = max((c.params.min_cell_size for c in combos), default=5)
    # 1. the table itself through the disclosure step (primary, derived, secondary within the table)
    table_masked: dict[tuple[int, str], str] = {}
    ledger = DisclosureLedger()
    for group in dict.fromkeys(m.group for m in headline.measures):
        part = [r for r in rows if r["measure"].group == group and r["antal"] is not None]
        if not part:
            continue
        frame = pd.DataFrame({
            "kombination": [combos[r["combo"]].name for r in part],
            "maal": [r["measure"].key for r in part],
            "antal": [r["antal"] for r in part],
            **({"n": [r["n"] for r in part]} if any(r["measure"].n for r in part) else {}),
            "andel": [r["andel"] for r in part],
            "ci_nedre": [r["ci_nedre"] for r in part],
            "ci_oevre": [r["ci_oevre"] for r in part],
        })
        basis = None if "n" in frame.columns else {c: ["antal"] for c in ("andel", "ci_nedre", "ci_oevre")}
        prot = protect_table(frame, min_cell_size=k, basis=basis, keys=["kombination", "maal"], ledger=ledger,
                             name=f"sammenligning_{group}")
        hit = masked_cells(prot).any(axis=1).to_numpy()
        for r, h in zip(part, hit):
            if h:
                table_masked.setdefault((r["combo"], group), "tabel")
    # 2. across combinations
    masked = cross_combination_guard(quantities, k, masked=table_masked)
    for r in rows:
        r["masked"] = (r["combo"], r["measure"].group) in masked
    reasons: dict[str, int] = {}
    for why in masked.values():
        reasons[why] = reasons.get(why, 0) + 1
    return rows, reasons, k


# --------------------------------------------------------------------------------------------
# The runs' own tables, read as the attacker reads them


_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_IGNORED_COLUMNS = {"datagrundlag"}


@dataclass
class Finding:
    kind: str                 # "forskel" (a small set follows) or "genskabt" (a suppressed cell follows)
    table: str
    column: str
    row: str                  # the cell's key values
    kommuner: tuple[int, ...]
    combos: tuple[int, ...]   # combinations whose withholding removes it

    def text(self, combos: Sequence[Combination]) -> str:
        from .kommuner import kommune_navne

        names = kommune_navne()
        who = ", ".join(f"{names.get(k, '?')} ({k})" for k in self.kommuner[:8]) + (
            f" og {len(self.kommuner) - 8} flere" if len(self.kommuner) > 8 else "")
        what = ("en undertrykt celle kan regnes tilbage" if self.kind == "genskabt"
                else "forskellen mellem kombinationerne er et lille tal")
        return (f"{self.table}, kolonne {self.column}, række [{self.row}]: {what} for {who}; "
                f"kombinationer: {', '.join(combos[i].name for i in self.combos)}")


def _populations(niveau: Any, combo: Combination, kommunekode: Any) -> frozenset:
    from .kommuner import casekommuner, kommunekoder
    from .levels import ALLE_CASE, LANDET, VALGTE_CASE

    sel = frozenset(combo.params.kommuner)
    if niveau == LANDET:
        return frozenset(kommunekoder())
    if niveau == ALLE_CASE:
        return frozenset(casekommuner())
    if niveau == VALGTE_CASE:
        return sel & frozenset(casekommuner())
    if niveau is None and kommunekode is not None:
        return frozenset({int(kommunekode)})
    return sel


def _published_cells(run_dir: Path, ci: int, combo: Combination):
    """(group key, population, shown value or None when suppressed) of every count cell."""
    import pandas as pd

    from .publishing.columns import CATEGORY_NUMERIC_KEYS, KEY_COLUMNS, is_count_column

    out = []
    for path in sorted((run_dir / "tables").rglob("*.csv")):
        table = path.relative_to(run_dir / "tables").as_posix()
        try:  # as publisher.read_table: the mark and empty cells are NaN, the mark is remembered
            sup = pd.read_csv(path, dtype=str, keep_default_na=False) == SUPPRESSED_MARK
            df = pd.read_csv(path, na_values=[SUPPRESSED_MARK], keep_default_na=True)
        except (OSError, ValueError, pd.errors.ParserError):
            continue
        counts = [c for c in df.columns if is_count_column(c) and c not in KEY_COLUMNS]
        if not counts:
            continue
        ident = [c for c in df.columns if c not in counts and c not in _IGNORED_COLUMNS and c != "niveau"
                 and (c in CATEGORY_NUMERIC_KEYS or not pd.api.types.is_numeric_dtype(df[c])
                      or pd.api.types.is_bool_dtype(df[c]))]
        seen: dict[tuple, int] = {}
        for r in range(len(df)):
            key_vals = tuple((c, str(df[c].iat[r])) for c in ident)
            niveau = df["niveau"].iat[r] if "niveau" in df.columns else None
            kode = df["kommunekode"].iat[r] if "kommunekode" in df.columns and "niveau" not in df.columns else None
            pop = _populations(niveau if isinstance(niveau, str) else None, combo, kode)
            occurrence = seen.get((key_vals, pop), 0)
            seen[(key_vals, pop)] = occurrence + 1
            for c in counts:
                raw = df[c].iat[r]
                if bool(sup[c].iat[r]):
                    value = None
                elif pd.isna(raw):
                    continue
                else:
                    value = float(raw)
                years = tuple(sorted(set(_YEAR_RE.findall(" ".join(v for _, v in key_vals) + " " + str(c)))))
                scope = years or ("kørselsår", combo.params.year)
                key = (str(combo.params.data_dir), table, key_vals, occurrence, c, scope)
                out.append((key, pop, value, ci))
    return out


def audit_runs(runs: Sequence[tuple[int, Path]], combos: Sequence[Combination], min_cell_size: int) -> list[Finding]:
    """Findings across the runs' published tables (see the module docstring, guard 1)."""
    k = int(min_cell_size)
    groups: dict[tuple, list] = {}
    for ci, run_dir in runs:
        for key, pop, value, c in _published_cells(run_dir, ci, combos[ci]):
            groups.setdefault(key, []).append((pop, value, c))
    findings: list[Finding] = []
    for key, cells in groups.items():
        if len({(p, c) for p, _, c in cells}) < 2 or len({p for p, _, _ in cells}) < 1:
            continue
        if all(v is None for _, v, _ in cells):
            continue
        _, table, key_vals, _, column, _ = key
        row = ", ".join(f"{c}={v}" for c, v in key_vals)
        pops = [p for p, _, _ in cells]
        for comp in _components(pops):
            comp_shown = [i for i in comp if cells[i][1] is not None]
            if not comp_shown:
                continue
            atoms, vectors = _atoms([cells[i][0] for i in comp])
            n = len(atoms)
            local = {i: j for j, i in enumerate(comp)}
            sv = [vectors[local[i]] for i in comp_shown]
            span = Span(sv, n, values=[cells[i][1] for i in comp_shown])
            if not span.consistent:
                continue  # the runs' cells do not measure the same thing per kommune (not comparable)
            cand = list(range(len(comp_shown)))
            for i in comp:
                p, value, c = cells[i]
                if value is not None:
                    continue
                vec = vectors[local[i]]
                if span.contains(vec):
                    brk = {cells[comp_shown[j]][2] for j in _breakers(sv, vec, cand, n)}
                    findings.append(Finding("genskabt", table, column, row, tuple(sorted(p)),
                                            tuple(sorted(brk | {c}))))
            exact = {cells[i][0] for i in comp_shown}
            for vec, value in span.sets():
                if value is None or not 0 < round(value) < k:
                    continue
                members = frozenset().union(*(a for a, x in zip(atoms, vec) if x))
                if members in exact:
                    continue
                brk = {cells[comp_shown[j]][2] for j in _breakers(sv, vec, cand, n)}
                if not brk:
                    brk = {cells[i][2] for i in comp_shown}
                findings.append(Finding("forskel", table, column, row, tuple(sorted(members)), tuple(sorted(brk))))
    return findings


def _withhold(runs: list[tuple[int, Path]], combos: Sequence[Combination], k: int,
              audit: Callable = audit_runs) -> tuple[set[int], list[Finding]]:
    """Combinations to withhold (greedily: the one in most findings, later ones first on ties) until
    the published runs show nothing across combinations; and every finding seen."""
    withheld: set[int] = set()
    seen: list[Finding] = []
    while True:
        active = [(i, d) for i, d in runs if i not in withheld]
        findings = audit(active, combos, k)
        if not findings:
            return withheld, seen
        seen += findings
        tally: dict[int, int] = {}
        for f in findings:
            for c in f.combos:
                if c not in withheld:
                    tally[c] = tally.get(c, 0) + 1
        if not tally:
            return withheld, seen
        worst = max(tally, key=lambda c: (tally[c], c))
        withheld.add(worst)


# --------------------------------------------------------------------------------------------
# Running a batch


@dataclass
class CombinationResult:
    combination: Combination
    status: str                       # ok / fejlet / genbrugt fra cache / tilbageholdt
    seconds: float
    notebooks: list[runner.NotebookResult] = field(default_factory=list)
    folder: str | None = None         # relative to the batch folder
    reproduction: dict | None = None
    repro_error: str | None = None


@dataclass
class BatchResult:
    exit_code: int
    batch_dir: Path
    combinations: list[CombinationResult] = field(default_factory=list)
    seconds: float = 0.0
    headline_cached: bool | None = None


def batch_command(paths: Sequence[str], jobs: int = runner.DEFAULT_JOBS, force: bool = False,
                  progress: bool = True, name: str | None = None, **kwargs: Any) -> int:
    """CLI entry: expand and validate the batch, run it; exit code 2 = invalid, 1 = a failure or a
    withheld combination, 130 = interrupted."""
    try:
        spec = load_batch(paths, name=name)
    except ParamsError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hko-research batch afbrudt før start.", file=sys.stderr)
        return runner.EXIT_INTERRUPTED
    return run_batch(spec, jobs=jobs, force=force, progress=progress, **kwargs).exit_code


def run_batch(spec: BatchSpec, *, jobs: int = runner.DEFAULT_JOBS, force: bool = False, progress: bool = True,
              notebooks_dir: Path = NOTEBOOKS_DIR, validate: Callable[[Any], Any] | None = None,
              cache_dir: Path | None = None, headline: Headline | None = HKO_HEADLINE) -> BatchResult:
    """Run every combination of ``spec`` and publish one batch folder (see the module docstring)."""
    from .hashing import hash_inputs, project_code_hash
    from .inputs.validation import validate_inputs

    t_start = time.perf_counter()
    created = datetime.now().astimezone()
    stamp = created.strftime("%Y%m%d-%H%M%S")
    output_dir = Path(spec.output_dir).resolve()
    cache_dir = Path(cache_dir) if cache_dir is not None else output_dir / ".cache"
    jobs = max(1, int(jobs or 1))
    tmp = output_dir / f".{spec.name}.tmp-{os.getpid()}"
    combos = spec.combinations

    with runner._interrupts() as interrupted:
        try:
            problem = check_output_dir(output_dir)
            if problem:
                print(problem, file=sys.stderr)
                return BatchResult(exit_code=2, batch_dir=output_dir)
            output_dir.mkdir(parents=True, exist_ok=True)
            print(f"hko-research batch {spec.name}: {len(combos)} kombinationer "
                  f"({', '.join(c.name for c in combos)})")
            for w in spec.warnings:
                print(f"  advarsel: {w}", file=sys.stderr)

            hashes = {d: hash_inputs(Path(d), cache_dir) for d in dict.fromkeys(str(c.params.data_dir) for c in combos)}
            project_hash = project_code_hash()
            if validate is None:
                def validate(p):
                    return validate_inputs(p, cache_dir=cache_dir)
            validations = [runner._validate(c.params, validate) for c in combos]
            bad = [(c, v) for c, v in zip(combos, validations) if not v.ok]
            if bad:  # nothing runs; one report next to the batch folders, as for a run
                text = "\n\n".join(f"== Kombination {c.name} ({c.label}) ==\n{v.text}" for c, v in bad)
                text = (f"Inputvalideringen fejlede for {len(bad)} af {len(combos)} kombinationer; intet er kørt.\n\n"
                        + text)
                print(text)
                report = runner._free_name(output_dir, f"{runner.VALIDATION_PREFIX}{spec.name}-{stamp}", ".txt")
                runner._write_text_atomic(report, text + "\n")
                print(report)
                return BatchResult(exit_code=1, batch_dir=report)

            if tmp.exists():
                shutil.rmtree(tmp)
            tmp.mkdir(parents=True)
            planned = []
            all_tasks: list[dict] = []
            for i, c in enumerate(combos):
                ctmp = tmp / c.name
                ctmp.mkdir()
                results, tasks = runner._plan_notebooks(c.params, ctmp, Path(notebooks_dir),
                                                        hashes[str(c.params.data_dir)], project_hash, cache_dir,
                                                        force=force)
                for t in tasks:
                    t["label"] = f"{c.name}/{t['name']}"
                    t["combination"] = i
                planned.append(results)
                all_tasks += tasks
            n_cached = sum(1 for r in planned for x in r.values() if x.status == runner.STATUS_CACHED)
            print(f"  {len(all_tasks)} notebooks køres, {n_cached} genbruges fra cache")
            if all_tasks:
                def done(task, res):  # stored in the cache as it finishes
                    c = task["combination"]
                    runner._collect_results([(task, res)], tmp / combos[c].name / ".stage", planned[c])

                runner._execute_parallel(all_tasks, jobs=jobs, progress=progress, on_done=done)

            out: list[CombinationResult] = []
            for i, c in enumerate(combos):
                ctmp = tmp / c.name
                res = [planned[i][n] for n in dict.fromkeys(c.params.notebooks)]
                repro, repro_error = runner._assemble_run_folder(
                    c.params, ctmp, res, validations[i], hashes[str(c.params.data_dir)], project_hash, created,
                    jobs=jobs, force=force, t_start=t_start, batch=spec.name)
                failed = any(not r.ok for r in res) or bool(repro_error)
                status = (runner.STATUS_FAILED if failed else
                          runner.STATUS_CACHED if res and all(r.status == runner.STATUS_CACHED for r in res)
                          else runner.STATUS_OK)
                out.append(CombinationResult(c, status, sum(r.seconds for r in res), res, c.name, repro, repro_error))

            # the runs side by side: withhold what would reveal a small count across them
            k = max(c.params.min_cell_size for c in combos)
            withheld, findings = _withhold([(i, tmp / c.name) for i, c in enumerate(combos)], combos, k)
            for i in sorted(withheld):
                shutil.rmtree(tmp / combos[i].name)
                out[i].status, out[i].folder = STATUS_WITHHELD, None
            disclosure_report = None
            if findings:
                lines = [f"Diskretion på tværs af kombinationerne i batch {spec.name} ({stamp}).",
                         "Kun til forskeren: filen ligger uden for batchmappen og må ikke offentliggøres.", "",
                         f"Tilbageholdt: {', '.join(combos[i].name for i in sorted(withheld))}.", "",
                         "Fund (før tilbageholdelsen):"]
                lines += [f"  - {f.text(combos)}" for f in findings]
                disclosure_report = runner._free_name(output_dir, f"{DISCLOSURE_PREFIX}{spec.name}-{stamp}", ".txt")
                runner._write_text_atomic(disclosure_report, "\n".join(lines) + "\n")

            # headline measures for the published combinations, protected across them
            published = [i for i in range(len(combos)) if i not in withheld]
            comparison = _comparison(spec, [combos[i] for i in published], headline, hashes, cache_dir)
            comparison["row_index"] = published

            context = _overview_context(spec, out, comparison, created, findings=bool(findings),
                                        withheld=[combos[i] for i in sorted(withheld)])
            from .publishing import html as publish

            (tmp / "index.html").write_text(publish.render("batch.html.j2", **context), encoding="utf-8")
            if comparison.get("csv") is not None:
                (tmp / "sammenligning.csv").write_bytes(comparison["csv"])
            manifest = _batch_manifest(spec, out, comparison, created, hashes, project_hash, jobs=jobs, force=force,
                                       total=time.perf_counter() - t_start, withheld=sorted(withheld),
                                       n_findings=len(findings), tmp=tmp)
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
            batch_dir = runner._move_into_place(tmp, output_dir, spec.name, created)
        except KeyboardInterrupt:
            runner._stop_children()
            shutil.rmtree(tmp, ignore_errors=True)
            why = "signal SIGTERM" if interrupted.get("signal") == signal.SIGTERM else "Ctrl-C"
            print(f"hko-research batch afbrudt ({why}): notebooks og kerner er stoppet, ingen batchmappe er oprettet.",
                  file=sys.stderr)
            return BatchResult(exit_code=runner.EXIT_INTERRUPTED, batch_dir=output_dir)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    for r in out:
        nb = r.notebooks
        extra = "" if r.status != STATUS_WITHHELD else " – ikke offentliggjort (diskretion på tværs af kombinationer)"
        fails = [f"{x.name}: {x.error['ename']}" for x in nb if x.error]
        print(f"  {r.combination.name}: {r.status} ({r.seconds:.1f} s; {len(nb)} notebooks, "
              f"{sum(x.status == runner.STATUS_CACHED for x in nb)} fra cache){extra}"
              + (f" – {'; '.join(fails)}" if fails else ""))
    if comparison.get("error"):
        print(f"  nøgletal kunne ikke beregnes: {comparison['error']}", file=sys.stderr)
    elif comparison.get("masked_groups"):
        print(f"  sammenligning: {comparison['masked_groups']} mål undertrykt ({comparison['reasons_text']})")
    if disclosure_report is not None:
        print(f"  diskretion: {len(withheld)} kombination(er) tilbageholdt; detaljer i {disclosure_report}",
              file=sys.stderr)
    total = time.perf_counter() - t_start
    print(f"  nøgletal: {'genbrugt fra cache' if comparison.get('cached') else 'beregnet'}"
          f" ({comparison.get('seconds', 0.0):.1f} s)")
    print(f"  i alt {total:.1f} s")
    print(batch_dir)
    bad_run = any(r.status in (runner.STATUS_FAILED, STATUS_WITHHELD) for r in out) or bool(comparison.get("error"))
    return BatchResult(exit_code=1 if bad_run else 0, batch_dir=batch_dir, combinations=out, seconds=total,
                       headline_cached=comparison.get("cached"))


def _comparison(spec: BatchSpec, combos: list[Combination], headline: Headline | None, hashes, cache_dir: Path) -> dict:
    """The comparison table (rows for the overview, CSV bytes) or the reason it is missing."""
    t0 = time.perf_counter()
    if headline is None or not combos:
        return {"rows": [], "measures": [], "error": None, "csv": None, "seconds": 0.0}
    try:
        counts, cached = {}, True
        for d, y in dict.fromkeys((str(c.params.data_dir), c.params.year) for c in combos):
            counts[(d, y)], hit = _headline_counts(headline, Path(d), y, hashes[d], cache_dir)
            cached = cached and hit
        rows, reasons, k = protect_comparison(combos, headline, counts)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # the runs are still published; the overview says why the table is missing
        return {"rows": [], "measures": list(headline.measures), "error": f"{type(exc).__name__}: {exc}",
                "csv": None, "seconds": time.perf_counter() - t0}
    names = {"primær": "små tal", "tabel": "tabellens egen beskyttelse", "forskel": "forskelle mellem udvalg",
             "interval": "afgrænsning af små tal"}
    masked_groups = len({(r["combo"], r["measure"].group) for r in rows if r["masked"]})
    return {"rows": rows, "measures": list(headline.measures), "error": None, "csv": _comparison_csv(combos, rows),
            "cached": cached, "seconds": time.perf_counter() - t0, "min_cell_size": k, "reasons": reasons,
            "masked_groups": masked_groups, "note": headline.note,
            "reasons_text": ", ".join(f"{v} pga. {names.get(w, w)}" for w, v in sorted(reasons.items()))}


def _comparison_csv(combos: list[Combination], rows: list[dict]) -> bytes:
    import csv
    import io

    from .inputs.dataset import SYNTHETIC_LABEL

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    synthetic = any(c.params.synthetic for c in combos)
    w.writerow(["kombination", "aar", "kommuner", "min_cell_size", "maal", "antal", "n", "befolkning", "andel",
                "ci_nedre", "ci_oevre"] + ([SYNTHETIC_COLUMN] if synthetic else []))

    def num(v, masked, fmt=None):
        if masked:
            return SUPPRESSED_MARK
        if v is None or (isinstance(v, float) and v != v):
            return ""
        return (CSV_FLOAT_FORMAT % v) if isinstance(v, float) else str(v)

    for r in rows:
        c = combos[r["combo"]]
        m = r["measure"]
        w.writerow([c.name, c.params.year, runner._kommuner_label(c.params), c.params.min_cell_size, m.key,
                    num(r["antal"], r["masked"]), num(r["n"], r["masked"] and r["n"] is not None),
                    num(r["base"], False), num(r["andel"], r["masked"]), num(r["ci_nedre"], r["masked"]),
                    num(r["ci_oevre"], r["masked"])]
                   + ([SYNTHETIC_LABEL if c.params.synthetic else ""] if synthetic else []))
    return buf.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------------
# The overview and the manifest


def _pct(x) -> str:
    from .publishing.labels import fmt_num

    return "" if x is None or x != x else fmt_num(100 * float(x), 2 if 0 < abs(100 * x) < 1 else 1)


def _overview_context(spec: BatchSpec, out: list[CombinationResult], comparison: dict, created: datetime, *,
                      findings: bool, withheld: list[Combination]) -> dict:
    from .publishing.labels import fmt_num

    combos = []
    for r in out:
        c = r.combination
        errors = [{"name": nb.name, "href": f"{r.folder}/html/{nb.name}_fejl.html"}
                  for nb in r.notebooks if not nb.ok] if r.folder else []
        combos.append({
            "name": c.name, "label": c.label, "year": c.params.year, "kommuner": runner._kommuner_label(c.params),
            "min_cell_size": c.params.min_cell_size, "status": r.status,
            "status_class": {runner.STATUS_OK: "status-ok", runner.STATUS_FAILED: "status-fejlet",
                             runner.STATUS_CACHED: "status-cache"}.get(r.status, "status-tilbageholdt"),
            "seconds": r.seconds, "n_notebooks": len(r.notebooks),
            "n_failed": sum(not nb.ok for nb in r.notebooks),
            "n_cached": sum(nb.status == runner.STATUS_CACHED for nb in r.notebooks),
            "href": f"{r.folder}/index.html" if r.folder else None, "errors": errors,
            "reproduction": r.reproduction,
        })
    measures = comparison.get("measures") or []
    table = []
    idx = comparison.get("row_index") or []
    by_combo: dict[int, dict[str, dict]] = {}
    for row in comparison.get("rows") or []:
        by_combo.setdefault(row["combo"], {})[row["measure"].key] = row
    for local, ci in enumerate(idx):
        cells = []
        for m in measures:
            row = by_combo.get(local, {}).get(m.key)
            if row is None or row["antal"] is None:
                cells.append({"state": "mangler"})
            elif row["masked"]:
                cells.append({"state": "undertrykt"})
            else:
                den = row["n"] if m.n else row["base"]
                cells.append({"state": "ok", "value": _pct(row["andel"]), "lo": _pct(row["ci_nedre"]),
                              "hi": _pct(row["ci_oevre"]), "antal": fmt_num(row["antal"], 0),
                              "den": fmt_num(den, 0) if den is not None else "", "den_label": m.enhed})
        table.append({"name": out[ci].combination.name, "label": out[ci].combination.label, "cells": cells})
    synthetic = any(r.combination.params.synthetic for r in out)
    git = runner.git_status()
    return {
        "title": f"HKO-kortlægning – batch {spec.name}",
        "name": spec.name,
        "created": created.strftime("%Y-%m-%d %H:%M:%S"),
        "synthetic": synthetic, "data_dir": None,
        "files": [Path(f).name for f in spec.files],
        "combinations": combos,
        "failed": [c for c in combos if c["status"] == runner.STATUS_FAILED],
        "withheld": [c.name for c in withheld],
        "measures": [{"key": m.key, "label": m.label, "definition": m.definition} for m in measures],
        "table": table,
        "comparison": {k: comparison.get(k) for k in ("error", "masked_groups", "min_cell_size", "note")},
        "has_csv": comparison.get("csv") is not None,
        "git_commit": git.get("commit"), "git_dirty": git.get("dirty"),
        "findings": findings,
    }


def _batch_manifest(spec: BatchSpec, out: list[CombinationResult], comparison: dict, created: datetime, hashes,
                    project_hash: str, *, jobs: int, force: bool, total: float, withheld: list[int], n_findings: int,
                    tmp: Path) -> dict:
    from .hashing import file_sha256

    return {
        "created": created.isoformat(),
        "batch": spec.name,
        "files": spec.files,
        "git": runner.git_status(),
        "python": sys.version.split()[0],
        "packages": runner.package_versions(),
        "inputs": hashes,
        "code_hash": project_hash,
        "combinations": [{
            "name": r.combination.name, "label": r.combination.label, "choice": r.combination.choice,
            "source": r.combination.source, "params": r.combination.params.as_dict(), "status": r.status,
            "seconds": round(r.seconds, 3), "folder": r.folder,
            "notebooks": [{"name": nb.name, "status": nb.status, "seconds": round(nb.seconds, 3),
                           "cache_key": nb.cache_key} for nb in r.notebooks],
        } for r in out],
        "comparison": {"measures": [m.key for m in comparison.get("measures") or []],
                       "error": comparison.get("error"), "masked_groups": comparison.get("masked_groups"),
                       "reasons": comparison.get("reasons"), "headline_cached": comparison.get("cached"),
                       "headline_seconds": round(comparison.get("seconds") or 0.0, 3)},
        "disclosure": {"withheld": [out[i].combination.name for i in withheld], "findings": n_findings},
        "runner": {"jobs": jobs, "force": force, "seconds_before_manifest": round(total, 3)},
        "outputs": {p.relative_to(tmp).as_posix(): file_sha256(p) for p in sorted(tmp.glob("*"))
                    if p.is_file() and p.name != "manifest.json"},
    }


# keep PARAM_KEYS referenced: a batch file's other keys are the params keys
assert set(GRID_KEYS) <= set(PARAM_KEYS)
