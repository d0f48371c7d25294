"""Run parameters: the one validator shared by the CLI, the runner and every notebook.

A params file (YAML in params/) or a notebook's ``parameters`` cell gives:

    year           the analysis year (must be covered by the data)
    kommuner       list of kommunekoder, or 'alle', 'casekommuner', 'region:<Region>'
    data_dir       folder with the input files (and DATASET.yaml)
    output_dir     where outputs go (the runner makes a run folder inside it)
    min_cell_size  smallest count that may be published (default 5)
    notebooks      which notebooks to run (runner only; default: every registered notebook)

Unknown or misspelled keys, uncovered years and unknown kommunekoder are rejected with a
message that says what is allowed.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from .inputs.dataset import DatasetError, load_dataset_info
from .kommuner import REGIONS, casekommuner, kommunekoder, region_kommuner
from .paths import resolve

KEYS = ("year", "kommuner", "data_dir", "output_dir", "min_cell_size", "notebooks")
REQUIRED = ("year", "kommuner", "data_dir")
DEFAULTS: dict[str, Any] = {"output_dir": "outputs", "min_cell_size": 5, "notebooks": None}
REPORT_YEAR = 2019  # the report's own setting: register year 2019, all 98 kommuner

# Names IPython puts in a kernel's namespace; everything else in a notebook's globals before the
# validation cell is a parameter.
_IPYTHON_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}


class ParamsError(ValueError):
    """Invalid run parameters; the message lists every problem."""

    def _render_traceback_(self) -> list[str]:  # IPython (a notebook, papermill): the message only
        return [f"ParamsError: {self}"]


@dataclass(frozen=True)
class RunParams:
    year: int
    kommuner: tuple[int, ...]
    kommuner_spec: Any
    data_dir: Path
    output_dir: Path
    min_cell_size: int
    notebooks: tuple[str, ...]
    name: str = "params"
    synthetic: bool = False
    covered_years: tuple[int, ...] = ()
    duplicated_kommuner: tuple[int, ...] = ()  # listed more than once (accepted, worth a warning)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(f"kommuner: {k} listed more than once; each kommune is used once" for k in self.duplicated_kommuner)

    @property
    def all_kommuner(self) -> bool:
        return set(self.kommuner) == set(kommunekoder())

    @property
    def is_report_setting(self) -> bool:
        """True for the report's own setting (2019, all kommuner): only then are results comparable
        with the report's published numbers."""
        return self.year == REPORT_YEAR and self.all_kommuner

    def notebook_parameters(self) -> dict[str, Any]:
        """Plain values papermill injects into a notebook's parameters cell."""
        return {
            "year": self.year,
            "kommuner": self.kommuner_spec if isinstance(self.kommuner_spec, str) else list(self.kommuner),
            "data_dir": str(self.data_dir),
            "output_dir": str(self.output_dir),
            "min_cell_size": self.min_cell_size,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "year": self.year, "kommuner": list(self.kommuner),
            "kommuner_spec": self.kommuner_spec, "data_dir": str(self.data_dir),
            "output_dir": str(self.output_dir), "min_cell_size": self.min_cell_size,
            "notebooks": list(self.notebooks), "synthetic": self.synthetic,
            "covered_years": list(self.covered_years),
        }


def available_notebooks() -> tuple[str, ...]:
    """The registered analyses' notebooks (:mod:`hko_research.registry`), in the report's order."""
    from .registry import notebooks

    return notebooks()


def resolve_kommuner(spec: Any) -> tuple[int, ...]:
    """Turn a kommuner spec into sorted kommunekoder; raises ParamsError with the allowed forms."""
    all_codes = kommunekoder()
    if isinstance(spec, str):
        s = spec.strip()
        if s.lower() == "alle":
            return tuple(sorted(all_codes))
        if s.lower() == "casekommuner":
            return tuple(sorted(casekommuner()))
        if s.lower().startswith("region:"):
            region = s.split(":", 1)[1].strip()
            if region not in REGIONS:
                hint = _suggest(region, REGIONS)
                raise ParamsError(f"kommuner: unknown region {region!r}{hint}; choose one of {', '.join(REGIONS)}")
            return tuple(sorted(region_kommuner(region)))
        if s.isdigit():
            spec = [int(s)]
        elif s.startswith("[") or "," in s:
            # papermill -p passes lists as text: "[101, 147]" or "101,147"
            try:
                parsed = yaml.safe_load(s if s.startswith("[") else f"[{s}]")
            except yaml.YAMLError:
                parsed = None
            if not isinstance(parsed, list):
                raise ParamsError(f"kommuner: {spec!r} is not a list of kommunekoder")
            spec = parsed
        else:
            raise ParamsError(
                f"kommuner: {spec!r} is not a kommune set; use a list of kommunekoder, 'alle', "
                f"'casekommuner' or 'region:<{'|'.join(REGIONS)}>'"
            )
    if isinstance(spec, int):
        spec = [spec]
    if not isinstance(spec, (list, tuple)) or not spec:
        raise ParamsError("kommuner: give a non-empty list of kommunekoder, 'alle', 'casekommuner' or 'region:<Region>'")
    codes, bad = [], []
    for item in spec:
        try:
            code = int(str(item).strip())
        except ValueError:
            bad.append(item)
            continue
        (codes if code in all_codes else bad).append(code if code in all_codes else item)
    if bad:
        raise ParamsError(
            f"kommuner: unknown kommunekode(r) {bad}; valid codes are DST's 98 three-digit codes "
            f"{min(all_codes)}-{max(all_codes)} (see src/hko_research/reference/kommuner.csv)"
        )
    return tuple(sorted(set(codes)))


def validate_params(raw: Mapping[str, Any], *, name: str = "params", check_data: bool = True) -> RunParams:
    """The single validator. Collects every problem and raises one ParamsError listing them."""
    problems: list[str] = []
    unknown = [k for k in raw if k not in KEYS]
    for key in unknown:
        problems.append(f"unknown parameter {key!r}{_suggest(key, KEYS)}; allowed: {', '.join(KEYS)}")
    for key in REQUIRED:
        if key not in raw or raw[key] is None:
            problems.append(f"missing parameter {key!r}")
    values = {**DEFAULTS, **{k: v for k, v in raw.items() if k in KEYS}}

    year = values.get("year")
    if year is not None and not (isinstance(year, int) and not isinstance(year, bool)):
        try:
            year = int(str(year))
        except ValueError:
            problems.append(f"year must be a whole year such as 2019, not {year!r}")
            year = None

    kommuner: tuple[int, ...] = ()
    dup: list[int] = []
    if values.get("kommuner") is not None:
        try:
            kommuner = resolve_kommuner(values["kommuner"])
        except ParamsError as exc:
            problems.append(str(exc))
        else:
            dup = _duplicated_kommuner(values["kommuner"])

    min_cell = values.get("min_cell_size")
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        try:
            min_cell = int(str(min_cell))
            if min_cell < 1:
                raise ValueError
        except ValueError:
            problems.append(f"min_cell_size must be a whole number >= 1, not {values.get('min_cell_size')!r}")
            min_cell = 5

    available = available_notebooks()
    notebooks = values.get("notebooks")
    if notebooks is None:
        notebooks = list(available)
    if isinstance(notebooks, str):
        notebooks = [notebooks]
    nb_names: list[str] = []
    for nb in notebooks or []:
        stem = Path(str(nb)).stem
        if stem not in available:
            problems.append(f"notebooks: no notebook {nb!r}{_suggest(stem, available)}; available: {', '.join(available)}")
        else:
            nb_names.append(stem)

    data_dir = resolve(values["data_dir"]) if values.get("data_dir") else None
    output_dir = resolve(values.get("output_dir") or "outputs")
    synthetic, covered = False, ()
    if check_data and data_dir is not None:
        try:
            info = load_dataset_info(data_dir)
            synthetic, covered = info.synthetic, info.years
            if year is not None and covered and year not in covered:
                problems.append(
                    f"year {year} is not covered by the data in {data_dir}; covered years: "
                    f"{', '.join(str(y) for y in covered)}"
                )
            elif year is not None and not covered:
                problems.append(f"no years could be read from the data in {data_dir}")
        except DatasetError as exc:
            problems.append(str(exc))

    if problems:
        raise ParamsError(f"Invalid parameters ({name}):\n  - " + "\n  - ".join(problems))
    return RunParams(
        year=int(year), kommuner=kommuner, kommuner_spec=values["kommuner"], data_dir=data_dir,
        output_dir=output_dir, min_cell_size=int(min_cell), notebooks=tuple(nb_names), name=name,
        synthetic=synthetic, covered_years=tuple(covered), duplicated_kommuner=tuple(dup),
    )


def _duplicated_kommuner(spec: Any) -> list[int]:
    if isinstance(spec, str):
        s = spec.strip()
        if not (s.startswith("[") or "," in s):
            return []
        try:
            spec = yaml.safe_load(s if s.startswith("[") else f"[{s}]")
        except yaml.YAMLError:
            return []
    if not isinstance(spec, (list, tuple)):
        return []
    seen, dup = set(), []
    for item in spec:
        try:
            code = int(str(item).strip())
        except ValueError:
            continue
        if code in seen and code not in dup:
            dup.append(code)
        seen.add(code)
    return dup


def check_output_dir(path: Path) -> str | None:
    """Why a run cannot write its run folder under ``path`` (None when it can): the folder must be
    a writable folder, or be creatable in a writable folder."""
    path = Path(path)
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        return (f"output_dir {path}: {probe} is a file, not a folder; point output_dir at a folder "
                "(it is created if missing)")
    try:  # the only sure test (root passes os.access; /proc refuses anyway): make and remove a folder
        import tempfile

        Path(tempfile.mkdtemp(prefix=".hko-probe-", dir=probe)).rmdir()
    except OSError as exc:
        where = "" if probe == path else f" (in {probe})"
        return (f"output_dir {path} cannot be written{where}: {exc.strerror or exc}; choose a folder you can "
                "write to, e.g. output_dir: outputs")
    return None


def load_params(path: str | Path, *, check_data: bool = True) -> RunParams:
    path = resolve(path)
    if not path.exists():
        raise ParamsError(f"params file {path} does not exist; give a YAML file such as params/default.yaml")
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text) or {}
    except UnicodeDecodeError:
        raise ParamsError(f"{path}: not UTF-8 text; save the params file as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParamsError(f"{path}{where}: not valid YAML ({problem}). Write one 'key: value' per line, "
                          "e.g. 'year: 2019' (see params/default.yaml)") from None
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected 'key: value' lines (year, kommuner, data_dir, ...), "
                          f"got a {type(raw).__name__}")
    return validate_params(raw, name=path.stem, check_data=check_data)


def validate_notebook_globals(namespace: Mapping[str, Any]) -> RunParams:
    """Validate a notebook's parameters: call in the cell right after the ``parameters`` cell.

    Every public name defined so far is a parameter (papermill injects even misspelled ones), so a
    typo such as ``-p yeer 2019`` is caught here even though papermill only warns about it.
    """
    raw = {
        k: v for k, v in namespace.items()
        if not k.startswith("_") and k not in _IPYTHON_NAMES and not callable(v) and not _is_module(v)
    }
    return validate_params(raw, name="notebook parameters")


def _is_module(value: Any) -> bool:
    return type(value).__name__ == "module"


def _suggest(word: str, choices) -> str:
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""
