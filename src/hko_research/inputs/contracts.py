"""Data contracts: declarative YAML in data_contracts/ -> pandera schemas -> one readable report.

Each contract file describes one input for a data steward (see data_contracts/README.md). This
module is the only translation from those files to pandera; every declared constraint becomes one
pandera check, and ``declared_checks``/``schema_checks`` let the tests prove none is lost (unlike
pandera's own YAML format, which silently drops custom checks that are not registered).

Validation is lazy and collects *all* failures: file problems (missing, empty, unreadable,
encoding), type conversion per cell, column checks, cross-column rules, unique keys, and the
relations in relationer.yaml. Person identifiers never appear in the report.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..paths import CONTRACTS_DIR, MAPPINGS_DIR, REFERENCE_DIR
from .dataset import find_input
from .readers import read_mapping, read_table

TYPES = ("string", "int", "float", "date", "bool")
RULES = ("date_order", "value_order")
_TRUE = {"true", "1", "ja", "yes", "t", "j", "sand"}
_FALSE = {"false", "0", "nej", "no", "f", "n", "falsk"}


# --------------------------------------------------------------------------------------- loading
@dataclass(frozen=True)
class ColumnSpec:
    name: str                      # column name, or a regular expression for column_patterns
    type: str
    nullable: bool = True
    label: str = ""
    dst_name: str | None = None
    allowed: tuple | None = None
    allowed_source: str | None = None
    range: tuple | None = None
    pattern: str | None = None     # regex the values must match
    unique: bool = False
    is_pattern: bool = False
    min_count: int = 0


@dataclass(frozen=True)
class Rule:
    rule: str
    columns: tuple[str, str]
    description: str = ""


@dataclass(frozen=True)
class Contract:
    name: str
    title: str
    columns: tuple[ColumnSpec, ...]
    patterns: tuple[ColumnSpec, ...] = ()
    rules: tuple[Rule, ...] = ()
    key: tuple[str, ...] = ()
    required: bool = True
    reference: bool = False
    large: bool = False
    person_identifier: str | None = None
    source: str = ""
    # Inputs that arrive in another shape (a survey-tool export, an SPSS file, a coding workbook,
    # a REFI-QDA project): ``reader`` ("module:function", called with the data folder) returns the
    # canonical table this contract describes; ``files`` are the glob patterns of its source files.
    reader: str | None = None
    files: tuple[str, ...] = ()
    path: Path | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        for p in self.patterns:
            if re.fullmatch(p.name, name):
                return p
        raise KeyError(f"{self.name}: no column {name!r}")

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


class ContractError(ValueError):
    """A contract file itself is malformed."""


def _allowed_values(spec: Any, where: str) -> tuple[tuple | None, str | None]:
    if spec is None:
        return None, None
    if isinstance(spec, dict):
        src, column = spec.get("from"), spec.get("column")
        if not src or not column:
            raise ContractError(f"{where}: allowed needs 'from' and 'column'")
        if str(src).startswith("reference:"):
            table = pd.read_csv(REFERENCE_DIR / str(src).split(":", 1)[1], dtype=str, keep_default_na=False, na_values=[""])
        else:
            table = read_mapping(MAPPINGS_DIR / src)
        values = tuple(sorted({v for v in table[column].dropna().astype(str)}))
        return values, f"{src}:{column}"
    if isinstance(spec, list):
        return tuple(spec), None
    raise ContractError(f"{where}: allowed must be a list or {{from, column}}")


def _column_spec(raw: dict, where: str, *, is_pattern: bool = False) -> ColumnSpec:
    name = raw.get("pattern" if is_pattern else "column")
    if not name:
        raise ContractError(f"{where}: entry without {'pattern' if is_pattern else 'column'}: {raw}")
    ctype = raw.get("type")
    if ctype not in TYPES:
        raise ContractError(f"{where}.{name}: type must be one of {TYPES}, not {ctype!r}")
    known = {"column", "pattern", "type", "nullable", "label", "dst_name", "allowed", "range", "unique",
             "min_count", "pattern_values"}
    unknown = set(raw) - known
    if unknown:
        raise ContractError(f"{where}.{name}: unknown keys {sorted(unknown)}")
    allowed, source = _allowed_values(raw.get("allowed"), f"{where}.{name}")
    rng = raw.get("range")
    if rng is not None:
        if len(rng) != 2:
            raise ContractError(f"{where}.{name}: range needs [min, max]")
        rng = tuple(pd.Timestamp(v) if ctype == "date" else v for v in rng)
    value_pattern = raw.get("pattern_values") if is_pattern else raw.get("pattern")
    return ColumnSpec(
        name=str(name).lower() if not is_pattern else str(name), type=ctype,
        nullable=bool(raw.get("nullable", True)), label=str(raw.get("label", "")), dst_name=raw.get("dst_name"),
        allowed=allowed, allowed_source=source, range=rng, pattern=value_pattern, unique=bool(raw.get("unique", False)),
        is_pattern=is_pattern, min_count=int(raw.get("min_count", 0)),
    )


def load_contract_file(path: Path) -> Contract:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    where = path.name
    known = {"name", "title", "source", "level", "required", "reference", "large", "key", "person_identifier",
             "columns", "column_patterns", "rules", "reader", "files"}
    unknown = set(raw) - known
    if unknown:
        raise ContractError(f"{where}: unknown keys {sorted(unknown)}")
    columns = tuple(_column_spec(c, where) for c in raw.get("columns") or [])
    patterns = tuple(_column_spec(c, where, is_pattern=True) for c in raw.get("column_patterns") or [])
    rules = []
    for r in raw.get("rules") or []:
        kind = r.get("rule")
        if kind == "date_order":
            cols = (r["start"], r["end"])
        elif kind == "value_order":
            cols = (r["low"], r["high"])
        else:
            raise ContractError(f"{where}: unknown rule {kind!r}; known: {RULES}")
        rules.append(Rule(kind, (str(cols[0]).lower(), str(cols[1]).lower()), str(r.get("description", ""))))
    names = {c.name for c in columns}
    for key_col in raw.get("key") or []:
        if key_col not in names:
            raise ContractError(f"{where}: key column {key_col!r} is not a declared column")
    for rule in rules:
        for c in rule.columns:
            if c not in names:
                raise ContractError(f"{where}: rule {rule.rule} uses undeclared column {c!r}")
    return Contract(
        name=raw.get("name") or path.stem, title=str(raw.get("title", "")), columns=columns, patterns=patterns,
        rules=tuple(rules), key=tuple(raw.get("key") or ()), required=bool(raw.get("required", True)),
        reference=bool(raw.get("reference", False)), large=bool(raw.get("large", False)),
        person_identifier=raw.get("person_identifier"), source=str(raw.get("source", "")), path=path, raw=raw,
        reader=raw.get("reader"), files=tuple(raw.get("files") or ()),
    )


@lru_cache(maxsize=None)
def load_contracts(contracts_dir: Path = CONTRACTS_DIR) -> dict[str, Contract]:
    out = {}
    for path in sorted(Path(contracts_dir).glob("*.yaml")):
        if path.stem == "relationer":
            continue
        c = load_contract_file(path)
        out[c.name] = c
    return out


@lru_cache(maxsize=None)
def load_relations(contracts_dir: Path = CONTRACTS_DIR) -> tuple[dict, ...]:
    path = Path(contracts_dir) / "relationer.yaml"
    if not path.exists():
        return ()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(raw.get("relations") or ())


# ---------------------------------------------------------------------------- pandera translation
def _register_checks() -> None:
    """Register the cross-column rules as pandera check methods (idempotent)."""
    import pandera.pandas as pa
    from pandera import extensions

    if hasattr(pa.Check, "date_order"):
        return

    @extensions.register_check_method(statistics=["start", "end"], supported_types=pd.DataFrame)
    def date_order(df, *, start, end):
        return ~(df[start].notna() & df[end].notna() & (df[end] < df[start]))

    @extensions.register_check_method(statistics=["low", "high"], supported_types=pd.DataFrame)
    def value_order(df, *, low, high):
        return ~(df[low].notna() & df[high].notna() & (df[high] < df[low]))


def declared_checks(contract: Contract) -> list[tuple[str, str]]:
    """Every constraint the contract file declares, as (column or '*', check name)."""
    out = []
    for spec in contract.columns + contract.patterns:
        if not spec.nullable:
            out.append((spec.name, "not_nullable"))
        if spec.allowed is not None:
            out.append((spec.name, "isin"))
        if spec.range is not None:
            out.append((spec.name, "in_range"))
        if spec.pattern:
            out.append((spec.name, "str_matches"))
        if spec.unique:
            out.append((spec.name, "unique"))
    for rule in contract.rules:
        out.append(("*", rule.rule))
    if contract.key:
        out.append(("*", "unique_key"))
    return out


def build_schema(contract: Contract, skip: set[str] = frozenset()):
    """The pandera DataFrameSchema for a contract (types are converted beforehand by coerce_frame).

    ``skip``: columns missing from the file (already reported); checks that need them are left out.
    """
    import pandera.pandas as pa

    _register_checks()
    columns = {}
    for spec in contract.columns + contract.patterns:
        if spec.name in skip:
            continue
        checks = []
        if spec.allowed is not None:
            allowed = list(spec.allowed)
            if spec.type == "int":
                allowed = [int(v) for v in allowed if str(v).lstrip("-").isdigit()]
            checks.append(pa.Check.isin(allowed))
        if spec.range is not None:
            checks.append(pa.Check.in_range(spec.range[0], spec.range[1]))
        if spec.pattern:
            checks.append(pa.Check.str_matches(spec.pattern))
        columns[spec.name] = pa.Column(
            checks=checks, nullable=spec.nullable, unique=spec.unique, required=not spec.is_pattern,
            regex=spec.is_pattern, coerce=False,
        )
    frame_checks = []
    for rule in contract.rules:
        a, b = rule.columns
        if {a, b} & skip:
            continue
        if rule.rule == "date_order":
            frame_checks.append(pa.Check.date_order(start=a, end=b))
        elif rule.rule == "value_order":
            frame_checks.append(pa.Check.value_order(low=a, high=b))
    key = list(contract.key) if contract.key and not set(contract.key) & skip else None
    return pa.DataFrameSchema(columns=columns, checks=frame_checks, unique=key,
                              name=contract.name, strict=False)


def schema_checks(schema) -> list[tuple[str, str]]:
    """The checks pandera will run, in the same (column, name) form as ``declared_checks``."""
    out = []
    for name, col in schema.columns.items():
        if not col.nullable:
            out.append((name, "not_nullable"))
        for check in col.checks:
            out.append((name, check.name))
        if col.unique:
            out.append((name, "unique"))
    for check in schema.checks:
        out.append(("*", check.name))
    if schema.unique:
        out.append(("*", "unique_key"))
    return out


# ------------------------------------------------------------------------------- type conversion
def _to_bool(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_bool_dtype(s):
        return s.astype("boolean"), pd.Series(False, index=s.index)
    text = s.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[text.isin(_TRUE).fillna(False)] = True
    out[text.isin(_FALSE).fillna(False)] = False
    bad = s.notna() & out.isna()
    return out, bad


def coerce_series(s: pd.Series, ctype: str) -> tuple[pd.Series, pd.Series]:
    """Convert to the contract type; returns (converted, mask of cells that could not be converted)."""
    present = s.notna()
    if ctype == "string":
        out = s.astype("string")
        if pd.api.types.is_float_dtype(s):  # SAS/parquet numbers declared as text: 101.0 -> "101"
            out = s.map(lambda v: None if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v))).astype("string")
        out = out.str.strip()
        return out, pd.Series(False, index=s.index)
    if ctype in ("int", "float"):
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            num = pd.to_numeric(s, errors="coerce")
        else:
            text = s.astype("string").str.strip().str.replace(",", ".", regex=False)
            num = pd.to_numeric(text, errors="coerce")
        bad = present & num.isna()
        if ctype == "int":
            frac = num.notna() & (num != np.floor(num.fillna(0)))
            bad = bad | frac
            num = num.where(~frac)
            return num.astype("Int64"), bad
        return num.astype("float64"), bad
    if ctype == "date":
        if pd.api.types.is_datetime64_any_dtype(s):
            out = pd.to_datetime(s).astype("datetime64[ns]")
            return out, pd.Series(False, index=s.index)
        if s.dtype == object and s.dropna().map(lambda v: isinstance(v, (dt.date, dt.datetime))).all():
            out = pd.to_datetime(s, errors="coerce")
            return out.astype("datetime64[ns]"), present & out.isna()
        text = s.astype("string").str.strip()
        out = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        return out.astype("datetime64[ns]"), present & out.isna()
    if ctype == "bool":
        return _to_bool(s)
    raise ContractError(f"unknown type {ctype!r}")


def coerce_frame(df: pd.DataFrame, contract: Contract) -> tuple[pd.DataFrame, list[tuple[str, int, object]]]:
    """Types per contract. Returns the typed frame and (column, row position, raw value) per bad cell."""
    bad_cells: list[tuple[str, int, object]] = []
    out = {}
    for col in df.columns:
        try:
            spec = contract.column(col)
        except KeyError:
            out[col] = df[col]
            continue
        converted, bad = coerce_series(df[col], spec.type)
        if bad.any():
            for pos in np.flatnonzero(bad.to_numpy()):
                bad_cells.append((col, int(pos), df[col].iloc[pos]))
        out[col] = converted
    return pd.DataFrame(out, index=df.index), bad_cells


# ----------------------------------------------------------------------------------- typed load
def input_path(data_dir: Path, contract: Contract) -> Path | None:
    """The file an input is read from (for a reader-based input: the first of its source files)."""
    if contract.reader:
        found = source_files(data_dir, contract)
        return found[0] if found else None
    path = find_input(data_dir, contract.name)
    if path is None and contract.reference:
        ref = REFERENCE_DIR / f"{contract.name}.csv"
        return ref if ref.exists() else None
    return path


def source_files(data_dir: Path, contract: Contract) -> list[Path]:
    """Every file of a reader-based input in ``data_dir`` (its ``files`` patterns), sorted."""
    found: set[Path] = set()
    for pattern in contract.files or (f"{contract.name}.*",):
        found |= {p for p in Path(data_dir).glob(pattern) if p.is_file()}
    return sorted(found)


def call_reader(contract: Contract, data_dir: Path) -> pd.DataFrame:
    """The canonical table of a reader-based input (raises ReadProblem for unreadable sources)."""
    import importlib

    module, _, func = str(contract.reader).partition(":")
    return getattr(importlib.import_module(module), func)(Path(data_dir))


def load_raw(data_dir: Path, contract: Contract, columns: list[str] | None = None) -> pd.DataFrame:
    """The input as read, before type conversion: by its reader, or by file type. The one way
    inputs are read, by validation and by the analyses alike."""
    if contract.reader:
        df = call_reader(contract, data_dir)
        return df if columns is None else df[[c for c in columns if c in df.columns]]
    path = input_path(Path(data_dir), contract)
    if path is None:
        raise FileNotFoundError(f"input {contract.name!r} not found in {data_dir}")
    return read_table(path, columns)


def read_input(data_dir: str | Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """Read one input converted to its contract's types (after validation; does not validate)."""
    contract = load_contracts()[name]
    if input_path(Path(data_dir), contract) is None:
        raise FileNotFoundError(f"input {name!r} not found in {data_dir}")
    df = load_raw(Path(data_dir), contract, [c.lower() for c in columns] if columns else None)
    path = input_path(Path(data_dir), contract)
    typed, bad = coerce_frame(df, contract)
    if bad:
        col, pos, value = bad[0]
        raise ValueError(f"{path.name}: {len(bad)} cells do not have their contract type, e.g. row {pos + 1} "
                         f"column {col}: {value!r}; run `hko-research validate`")
    return typed


def data_dictionary(names: list[str] | None = None) -> pd.DataFrame:
    """The contracts as one readable table (a data steward's checklist): one row per column."""
    rows = []
    for name, c in sorted(load_contracts().items()):
        if names is not None and name not in names:
            continue
        for spec in c.columns + c.patterns:
            rule = ""
            if spec.allowed is not None:
                values = list(spec.allowed)
                rule = (f"koder fra {spec.allowed_source}" if spec.allowed_source
                        else ", ".join(map(str, values[:12])) + (" …" if len(values) > 12 else ""))
            elif spec.range is not None:
                lo, hi = (v.date().isoformat() if isinstance(v, pd.Timestamp)
                          else str(v) if spec.name in ("aar", "year") or spec.name.endswith("_aar")
                          else f"{v:,}".replace(",", ".") for v in spec.range)  # 1.000.000.000, not a CPR-like run; years plain
                rule = f"{lo} til {hi}"
            elif spec.pattern:
                rule = f"mønster {spec.pattern}"
            rows.append({
                "input": name, "kolonne": spec.name + (" (kolonnefamilie)" if spec.is_pattern else ""),
                "dst_variabel": spec.dst_name or "", "beskrivelse": spec.label, "type": spec.type,
                "maa_vaere_tom": "ja" if spec.nullable else "nej", "tilladte_vaerdier": rule,
                "noegle": "ja" if spec.name in c.key else "",
            })
    return pd.DataFrame(rows)
