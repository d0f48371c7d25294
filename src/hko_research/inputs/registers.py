"""Person-level registers (DREAM) read by column projection, never loaded whole.

The real DREAM is ~7,2 mio. persons x ~3.000 columns (44,7 GB) in DREAM's own wide form
(``data_contracts/dream.yaml``): ``pnr, foeddt, kon, nykomyyyy``, one ``y_yyww`` column per ISO week
(the benefit code; empty = no public benefit = selvforsørget) and ``grad_/branche_/virkform_yyyy_mm``
per month. The grant population is 30-45k persons. Everything here therefore

* works out which few columns the population's dates need,
* reads only those columns, semi-joined on the population's ``pnr``, with DuckDB over Parquet
  (CSV works too, slower), and
* unpivots that small projection to long form to pick each population row's value.

``import_to_parquet`` converts DST's SAS7BDAT (or a CSV) to Parquet once, one chunk at a time.
Definitions: ``analyses/d3_brug/definitions.md`` rows 4, 5, 8 and 9.
"""
from __future__ import annotations

import os
import re
import sys
import time
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ..paths import MAPPINGS_DIR

__all__ = [
    "MissingColumnsWarning",
    "UnknownCodeError",
    "dream_at_dates",
    "import_to_parquet",
    "map_ydelsesgruppe",
    "month_column",
    "period_span",
    "person_rows",
    "week_column",
    "ydelseshistorik",
]

YDELSESGRUPPER_CSV = MAPPINGS_DIR / "ydelsesgrupper.csv"
WEEKLY_FIELD = "y"
DEFAULT_FIELDS = ("y", "grad", "branche", "virkform")
_MONTHLY_OUT = {"grad": "grad", "branche": "branche", "virkform": "virkform"}
_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                  "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "REAL")


class MissingColumnsWarning(UserWarning):
    """Dates whose DREAM column is not in the file; their values are NULL."""


class UnknownCodeError(ValueError):
    """DREAM codes that are not in params/mappings/ydelsesgrupper.csv (never guessed)."""

    def __init__(self, counts: dict):
        self.counts = dict(counts)
        listing = ", ".join(f"{code!r}: {n}" for code, n in self.counts.items())
        super().__init__(
            f"{len(self.counts)} DREAM ydelseskode(r) not in {YDELSESGRUPPER_CSV.name} "
            f"(code: rows): {listing}. Add them to the mapping; codes are never guessed."
        )


# --------------------------------------------------------------------------------------------
# column names


def week_column(date) -> str:
    """DREAM weekly column for ``date``: ``y_{yy}{ww}`` with the ISO year (mod 100) and ISO week.

    >>> week_column("2019-12-30"), week_column("2021-01-03")
    ('y_2001', 'y_2053')
    """
    ts = pd.Timestamp(date)
    if pd.isna(ts):
        raise ValueError("week_column: date is missing")
    iso = ts.isocalendar()
    return f"y_{iso[0] % 100:02d}{iso[1]:02d}"


def month_column(prefix: str, date) -> str:
    """DREAM monthly column, e.g. ``month_column("grad", "2019-03-14") == "grad_2019_03"``."""
    ts = pd.Timestamp(date)
    if pd.isna(ts):
        raise ValueError("month_column: date is missing")
    return f"{prefix.lower()}_{ts.year:04d}_{ts.month:02d}"


def _offset_name(offset: int) -> str:
    if offset == 0:
        return "ydelseskode"
    return f"ydelseskode_{'m' if offset < 0 else 'p'}{abs(offset)}"


# --------------------------------------------------------------------------------------------
# DuckDB helpers


def is_person_in(pnr: pd.Series, persons) -> pd.Series:
    """Whether each ``pnr`` is one of ``persons`` (a boolean Series on ``pnr``'s index).

    Same as ``pnr.isin(persons)``, but pandas' ``isin`` on Arrow-backed strings builds a Python
    scalar per wanted value (about 1 s per run of delanalyse 3 for its ~40 000 recipients); the set
    lookup is done by Arrow in one call here."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = pa.array(pd.Series(pnr, copy=False).astype("string[pyarrow]").array)
    wanted = pa.array(pd.Series(persons, copy=False).astype("string[pyarrow]").dropna().array)
    hit = pc.is_in(keys, value_set=wanted.cast(keys.type)).fill_null(False)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=pnr.index, dtype=bool)


def _connect():
    import duckdb

    con = duckdb.connect(":memory:")
    threads = os.environ.get("HKO_DUCKDB_THREADS")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _sql_str(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _source_sql(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return f"read_parquet({_sql_str(path)})"
    if suffix in {".csv", ".gz"} or path.name.lower().endswith(".csv.gz"):
        return f"read_csv({_sql_str(path)}, header = true, all_varchar = true)"
    raise ValueError(
        f"{path}: DREAM must be .parquet (fast) or .csv; convert SAS7BDAT first with `hko-research import`"
    )


def _schema(con, path: Path) -> dict[str, tuple[str, str]]:
    """lower-case name -> (the file's real name, DuckDB type)."""
    rows = con.execute(f"DESCRIBE SELECT * FROM {_source_sql(path)}").fetchall()
    out: dict[str, tuple[str, str]] = {}
    for name, typ, *_ in rows:
        low = name.lower()
        if low in out:
            raise ValueError(f"{path}: columns {out[low][0]!r} and {name!r} differ only in case")
        out[low] = (name, str(typ))
    if "pnr" not in out:
        raise ValueError(f"{path}: no pnr column")
    return out


def _is_numeric(typ: str) -> bool:
    return typ.upper().startswith(_NUMERIC_TYPES) or typ.upper().startswith("DECIMAL")


def _prepare_population(population: pd.DataFrame, file_pnr_type: str) -> tuple[pd.DataFrame, pd.Series]:
    missing = {"pnr", "dato"} - set(population.columns)
    if missing:
        raise ValueError(f"population lacks column(s) {sorted(missing)}")
    dato = pd.to_datetime(population["dato"])
    pnr = population["pnr"]
    pop_numeric = pd.api.types.is_numeric_dtype(pnr)
    if pop_numeric != _is_numeric(file_pnr_type):
        raise TypeError(
            f"population pnr is {'numeric' if pop_numeric else 'text'} but DREAM's pnr is {file_pnr_type}; "
            "convert one of them explicitly (leading zeros are not guessed)"
        )
    key = pd.DataFrame({
        "_row": range(len(population)),
        "pnr": (pnr.astype("Int64") if pop_numeric else pnr.astype("string")).to_numpy(),
    })
    return key, dato.reset_index(drop=True)


def _names_for_dates(dato: pd.Series, fn) -> pd.Series:
    """``fn(date)`` for each date, computed once per distinct date; NaT -> None."""
    distinct = dato.dropna().unique()
    mapping = {d: fn(d) for d in distinct}
    return dato.map(mapping).astype(object).where(dato.notna(), None)


def _warn_missing(missing: set[str], needed_rows: dict[str, int], path: Path, stacklevel: int = 3) -> None:
    if not missing:
        return
    cols = sorted(missing)
    rows = sum(needed_rows.get(c, 0) for c in cols)
    shown = cols if len(cols) <= 12 else cols[:6] + ["..."] + cols[-6:]
    warnings.warn(
        f"{Path(path).name}: {len(cols)} needed column(s) not in the file ({', '.join(shown)}); "
        f"{rows} population value(s) are NULL. Dates outside DREAM's period?",
        MissingColumnsWarning,
        stacklevel=stacklevel,
    )


def _load_projection(con, path: Path, schema: dict, columns: Iterable[str]) -> None:
    """CREATE TEMP TABLE w = pnr + ``columns`` (lower-case aliases) for the persons in ``pop``."""
    pnr_real, pnr_type = schema["pnr"]
    select = [f"d.{_ident(pnr_real)} AS pnr"]
    select += [f"d.{_ident(schema[c][0])} AS {_ident(c)}" for c in columns]
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE w AS
        SELECT {', '.join(select)}
        FROM {_source_sql(path)} AS d
        SEMI JOIN (SELECT DISTINCT CAST(pnr AS {pnr_type}) AS pnr FROM pop WHERE pnr IS NOT NULL) AS p
          ON d.{_ident(pnr_real)} = p.pnr
        """
    )


def _long_sql(columns: Sequence[str]) -> str:
    """Long form (pnr, name, value) of the projected ``columns``; NULL values are dropped."""
    cols = ", ".join(_ident(c) for c in columns)
    return f"(UNPIVOT (SELECT pnr, {cols} FROM w) ON {cols} INTO NAME name VALUE value)"


# --------------------------------------------------------------------------------------------
# public extraction API


def dream_at_dates(
    dream_path,
    population: pd.DataFrame,
    *,
    fields: Sequence[str] = DEFAULT_FIELDS,
    week_offsets: Sequence[int] = (0,),
) -> pd.DataFrame:
    """DREAM values for each population row at its date ``dato``.

    ``population`` has ``pnr`` and ``dato`` (one row per grant or event; a person may have several
    rows) plus any id columns, which are carried through. Returns one row per population row, same
    index and order, with the population's columns plus

    * ``ydelseskode`` — the ``y_yyww`` code in the ISO week of ``dato`` (definitions row 9); with
      ``week_offsets`` other than ``(0,)`` one column per offset: ``ydelseskode`` for 0,
      ``ydelseskode_m1`` for -1, ``ydelseskode_p4`` for +4. NULL = empty week (selvforsørget), or the
      person is not in DREAM (``i_dream`` False), or the week is not in the file (warned).
    * ``grad``, ``branche``, ``virkform`` — ``<field>_yyyy_mm`` in ``dato``'s month (row 8); other
      monthly prefixes given in ``fields`` are returned under their own name.
    * ``kon``, ``foeddt`` and ``i_dream`` (the person has a row in DREAM).

    Only ``pnr`` and the needed columns are read, for the population's persons only.
    """
    path = Path(dream_path)
    fields = [f.lower() for f in fields]
    offsets = [int(o) for o in week_offsets]
    if len(set(offsets)) != len(offsets):
        raise ValueError(f"week_offsets has duplicates: {offsets}")
    con = _connect()
    try:
        schema = _schema(con, path)
        key, dato = _prepare_population(population, schema["pnr"][1])

        # targets: output column -> (field, per-row column name)
        targets: dict[str, tuple[str, pd.Series]] = {}
        for f in fields:
            if f == WEEKLY_FIELD:
                for o in offsets:
                    shifted = dato + pd.Timedelta(weeks=o)
                    targets[_offset_name(o)] = (f, _names_for_dates(shifted, week_column))
            else:
                targets[_MONTHLY_OUT.get(f, f)] = (f, _names_for_dates(dato, lambda d, f=f: month_column(f, d)))
        static = [c for c in ("kon", "foeddt") if c in schema]
        if "foeddt" in static and _is_numeric(schema["foeddt"][1]):
            warnings.warn(
                f"{path.name}: foeddt is numeric ({schema['foeddt'][1]}), a SAS date without a date format? "
                "foeddt is returned as NULL",
                MissingColumnsWarning,
                stacklevel=2,
            )
            static.remove("foeddt")
        clash = (set(targets) | {"kon", "foeddt", "i_dream"}) & set(population.columns)
        if clash:
            raise ValueError(f"population already has column(s) {sorted(clash)}")

        needed_rows: dict[str, int] = {}
        for _, names in targets.values():
            for name, n in names.value_counts().items():
                needed_rows[name] = needed_rows.get(name, 0) + int(n)
        missing = {c for c in needed_rows if c not in schema}
        missing |= {c for c in ("kon", "foeddt") if c not in schema}
        _warn_missing(missing, needed_rows, path)
        present = sorted(c for c in needed_rows if c in schema)

        for i, (_, names) in enumerate(targets.values()):
            key[f"_c{i}"] = names.where(names.isin(present), None)
        con.register("pop", key)
        _load_projection(con, path, schema, static + present)

        # one long table per field, joined once per target
        ctes, joins, selects = [], [], []
        field_cols = {f: [c for c in present if _field_of(c) == f] for f, _ in targets.values()}
        for f, cols in field_cols.items():
            if cols:
                ctes.append(f"l_{f} AS {_long_sql(cols)}")
        for i, (out, (f, _)) in enumerate(targets.items()):
            cols = field_cols[f]
            if cols:
                joins.append(f"LEFT JOIN l_{f} AS t{i} ON t{i}.pnr = pop.pnr AND t{i}.name = pop._c{i}")
                selects.append(f"{_cast_sql(f, f't{i}.value', [schema[c][1] for c in cols])} AS {_ident(out)}")
            else:
                selects.append(f"{_cast_sql(f, 'NULL', [])} AS {_ident(out)}")
        pnr_type = schema["pnr"][1]
        kon_sql = "CAST(w.kon AS VARCHAR)" if "kon" in static else "CAST(NULL AS VARCHAR)"
        foeddt_sql = _date_sql("w.foeddt", schema["foeddt"][1]) if "foeddt" in static else "CAST(NULL AS DATE)"
        sql = f"""
            {('WITH ' + ', '.join(ctes)) if ctes else ''}
            SELECT pop._row, {', '.join(selects + [kon_sql + ' AS kon', foeddt_sql + ' AS foeddt'])},
                   w.pnr IS NOT NULL AS i_dream
            FROM (SELECT _row, CAST(pnr AS {pnr_type}) AS pnr, * EXCLUDE (_row, pnr) FROM pop) AS pop
            LEFT JOIN w ON w.pnr = pop.pnr
            {' '.join(joins)}
            ORDER BY pop._row
        """
        result = con.sql(sql).to_arrow_table()
    finally:
        con.close()

    res = result.to_pandas()
    out = population.copy()
    res.index = out.index
    for name, (f, _) in targets.items():
        out[name] = _pandas_dtype(f, res[name])
    out["kon"] = res["kon"].astype("string")
    out["foeddt"] = pd.to_datetime(res["foeddt"])
    out["i_dream"] = res["i_dream"].astype(bool)
    return out


def _field_of(column: str) -> str:
    if re.fullmatch(r"y_\d{4}", column):
        return WEEKLY_FIELD
    m = re.fullmatch(r"(.+)_\d{4}_\d{2}", column)
    return m.group(1) if m else column


def _cast_sql(field: str, expr: str, types: Sequence[str]) -> str:
    if field == WEEKLY_FIELD:
        # codes are integers; from CSV (VARCHAR) or SAS (DOUBLE) via DOUBLE, errors are raised
        return f"CAST(CAST({expr} AS DOUBLE) AS INTEGER)"
    if field == "grad":
        return f"CAST({expr} AS DOUBLE)"
    if field in ("branche", "virkform"):
        if types and all(_is_numeric(t) for t in types):
            return f"CAST(CAST({expr} AS BIGINT) AS VARCHAR)"
        return f"CAST({expr} AS VARCHAR)"
    return expr


def _date_sql(expr: str, typ: str) -> str:
    return f"CAST({expr} AS DATE)"


def _pandas_dtype(field: str, s: pd.Series):
    if field == WEEKLY_FIELD:
        return s.astype("Int64")
    if field == "grad":
        return s.astype("Float64")
    if field in ("branche", "virkform"):
        return s.astype("string")
    return s


def ydelseshistorik(dream_path, population: pd.DataFrame, weeks: int = 52) -> pd.Series:
    """Number of weeks with a DREAM benefit code (any non-empty ``y_yyww``) in the ``weeks`` ISO weeks
    before the week of ``dato`` (the grant week itself is not counted).

    Report l.1380: "ydelseshistorik på over 50 uger" = ``ydelseshistorik(...) > 50``. Note that any
    code counts, including 121-123 (feriedagpenge fra beskæftigelse, mapped to selvforsørget).
    Returns ``Int64`` on the population's index, named ``ydelseshistorik``; <NA> when the person is
    not in DREAM, ``dato`` is missing, or part of the window is not in the file (warned once).
    """
    if weeks < 1:
        raise ValueError("weeks must be >= 1")
    path = Path(dream_path)
    con = _connect()
    try:
        schema = _schema(con, path)
        key, dato = _prepare_population(population, schema["pnr"][1])
        key["_dato"] = dato.dt.normalize()
        distinct = dato.dropna().dt.normalize().unique()
        window = pd.DataFrame(
            [(d, week_column(d - pd.Timedelta(weeks=k))) for d in distinct for k in range(1, weeks + 1)],
            columns=["_dato", "name"],
        )
        if window.empty:
            window = pd.DataFrame({"_dato": pd.Series([], dtype="datetime64[ns]"), "name": pd.Series([], dtype=str)})
        needed = window["name"].value_counts()
        missing = {c for c in needed.index if c not in schema}
        dates_missing = set(window.loc[window["name"].isin(missing), "_dato"])
        rows_affected = int(key["_dato"].isin(dates_missing).sum())
        if missing:
            _warn_missing(missing, {c: 0 for c in missing}, path)
            warnings.warn(f"ydelseshistorik: {rows_affected} population row(s) get <NA> (window not covered)",
                          MissingColumnsWarning, stacklevel=2)
        present = sorted(c for c in needed.index if c in schema)
        window["covered"] = ~window["_dato"].isin(dates_missing)
        con.register("pop", key)
        con.register("win", window)
        _load_projection(con, path, schema, present)
        pnr_type = schema["pnr"][1]
        long_sql = _long_sql(present) if present else "(SELECT NULL AS pnr, NULL AS name, NULL AS value WHERE false)"
        res = con.execute(
            f"""
            WITH l AS {long_sql},
            p AS (SELECT _row, CAST(pnr AS {pnr_type}) AS pnr, _dato FROM pop),
            cnt AS (
                SELECT p._row, count(l.value) AS n, bool_and(win.covered) AS covered
                FROM p JOIN win ON win._dato = p._dato
                LEFT JOIN l ON l.pnr = p.pnr AND l.name = win.name
                GROUP BY p._row
            )
            SELECT p._row,
                   CASE WHEN w.pnr IS NULL OR cnt.covered IS NOT TRUE THEN NULL ELSE cnt.n END AS n
            FROM p LEFT JOIN cnt USING (_row)
            LEFT JOIN (SELECT DISTINCT pnr FROM w) AS w ON w.pnr = p.pnr
            ORDER BY p._row
            """
        ).df()
    finally:
        con.close()
    return pd.Series(pd.array(res["n"], dtype="Int64"), index=population.index, name="ydelseshistorik")


# --------------------------------------------------------------------------------------------
# long person registers (one row per person and period: BEF, løntimer)


def person_rows(data_dir, name: str, pnr: Iterable, columns: Sequence[str], *,
                years: tuple[int, int] | None = None, year_column: str = "aar") -> pd.DataFrame:
    """The rows of a long person register (``name``: one row per person and year or month, e.g.
    ``bef``, ``loentimer``) for the persons ``pnr`` only, projected on ``columns`` and typed by the
    input's contract; ``years=(first, last)`` keeps ``year_column`` within those years.

    Parquet is semi-joined on the population in DuckDB, so memory holds the population's rows only
    (the real BFL has hundreds of millions); other formats go through the one reader
    (``read_input``) and are filtered after reading (convert big files with ``hko-research import``).
    """
    from .contracts import coerce_frame, input_path, load_contracts, read_input

    contract = load_contracts()[name]
    cols = list(dict.fromkeys(["pnr", *[c.lower() for c in columns]]))
    path = input_path(Path(data_dir), contract)
    if path is None:
        raise FileNotFoundError(f"input {name!r} not found in {data_dir}")
    wanted = pd.Series(list(pnr), dtype="string").dropna().drop_duplicates()
    if path.suffix.lower() != ".parquet":
        df = read_input(data_dir, name, cols)
        keep = is_person_in(df["pnr"], wanted)
        if years is not None:
            keep &= df[year_column].between(int(years[0]), int(years[1]))
        return df.loc[keep].reset_index(drop=True)
    con = _connect()
    try:
        schema = _schema(con, path)
        unknown = [c for c in cols if c not in schema]
        if unknown:
            raise KeyError(f"{path.name}: column(s) {unknown} not in the file")
        pnr_real, pnr_type = schema["pnr"]
        con.register("pop", pd.DataFrame({"pnr": wanted.to_numpy(dtype=object)}))
        where = ""
        if years is not None:
            where = (f"WHERE d.{_ident(schema[year_column][0])} BETWEEN {int(years[0])} AND {int(years[1])}")
        select = ", ".join(f"d.{_ident(schema[c][0])} AS {_ident(c)}" for c in cols)
        df = con.execute(
            f"""
            SELECT {select} FROM {_source_sql(path)} AS d
            SEMI JOIN (SELECT DISTINCT CAST(pnr AS {pnr_type}) AS pnr FROM pop) AS p
              ON d.{_ident(pnr_real)} = p.pnr
            {where}
            """
        ).df()
    finally:
        con.close()
    typed, bad = coerce_frame(df, contract)
    if bad:
        col, pos, value = bad[0]
        raise ValueError(f"{path.name}: {len(bad)} cells do not have their contract type, e.g. column {col}: "
                         f"{value!r}; run `hko-research validate`")
    return typed.reset_index(drop=True)


def period_span(data_dir, name: str, year_column: str = "aar", month_column: str | None = "maaned"
                ) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """``((first year, first month), (last year, last month))`` a long register covers (a yearly
    register: month 1 and 12), over the whole file; None for an empty file. The rows of a person
    who has no row in a covered period mean "nothing that period" (e.g. no løntimer), which a
    period outside the span does not."""
    from .contracts import input_path, load_contracts, read_input

    contract = load_contracts()[name]
    path = input_path(Path(data_dir), contract)
    if path is None:
        raise FileNotFoundError(f"input {name!r} not found in {data_dir}")
    cols = [year_column] + ([month_column] if month_column else [])
    if path.suffix.lower() == ".parquet":
        con = _connect()
        try:
            schema = _schema(con, path)
            y = f"CAST({_ident(schema[year_column][0])} AS BIGINT)"
            key = f"{y} * 12 + CAST({_ident(schema[month_column][0])} AS BIGINT) - 1" if month_column else f"{y} * 12"
            lo, hi = con.execute(f"SELECT min({key}), max({key}) FROM {_source_sql(path)}").fetchone()
        finally:
            con.close()
        if lo is None:
            return None
        if not month_column:
            hi += 11
    else:
        df = read_input(data_dir, name, cols)
        if df.empty:
            return None
        key = df[year_column].astype(int) * 12 + (df[month_column].astype(int) - 1 if month_column else 0)
        lo, hi = int(key.min()), int(key.max()) + (0 if month_column else 11)
    return (int(lo) // 12, int(lo) % 12 + 1), (int(hi) // 12, int(hi) % 12 + 1)


# --------------------------------------------------------------------------------------------
# ydelsesgrupper


def _read_mapping(path: Path = YDELSESGRUPPER_CSV) -> pd.DataFrame:
    m = pd.read_csv(path, comment="#", dtype={"kode": "Int64"}, keep_default_na=False, na_values={"kode": [""]})
    if m["kode"].isna().sum() != 1:
        raise ValueError(f"{path}: expected exactly one row with an empty kode (the empty week)")
    if m["kode"].dropna().duplicated().any():
        raise ValueError(f"{path}: duplicate kode")
    return m


def map_ydelsesgruppe(codes: pd.Series, *, mapping_path=YDELSESGRUPPER_CSV) -> pd.DataFrame:
    """``ydelsesgruppe``, ``perspektiv``, ``jobindsats_gruppe`` for DREAM codes (definitions row 9).

    A missing code (empty week) is selvforsørget / fastholdelse. A code not in
    ``params/mappings/ydelsesgrupper.csv`` raises ``UnknownCodeError`` naming each code and its count.
    """
    m = _read_mapping(Path(mapping_path))
    codes = pd.Series(codes)
    num = pd.to_numeric(codes, errors="coerce")
    bad_text = codes.notna() & num.isna()
    non_integral = num.notna() & (num != num.round())
    kode = num.where(~non_integral).astype("Float64").astype("Int64")
    unknown = bad_text | non_integral | (kode.notna() & ~kode.isin(m["kode"].dropna()))
    if unknown.any():
        raise UnknownCodeError(codes[unknown].value_counts(dropna=False).to_dict())
    cols = ["ydelsesgruppe", "perspektiv", "jobindsats_gruppe"]
    table = m.set_index("kode")[cols]
    empty = table.loc[table.index.isna()].iloc[0]
    known = table.loc[table.index.notna()]
    out = pd.DataFrame(index=codes.index)
    for c in cols:
        values = kode.map(known[c]).astype(object)
        values[kode.isna()] = empty[c]
        out[c] = values.replace("", pd.NA).astype("string")
    return out


# --------------------------------------------------------------------------------------------
# import


_SAS_FMT = re.compile(r"^([A-Z][A-Z0-9]+[A-Z])(\d+)?(?:\.\d*)?$")
# as pyreadstat converts them (pyreadstat/_readstat_parser.pyx)
_SAS_DATE = {"WEEKDATE", "MMDDYY", "DDMMYY", "YYMMDD", "DATE", "DDMMYYB", "DDMMYYC", "DDMMYYD", "DDMMYYN",
             "DDMMYYP", "DDMMYYS", "MMDDYYB", "MMDDYYC", "MMDDYYD", "MMDDYYN", "MMDDYYP", "MMDDYYS",
             "WEEKDATX", "DTDATE", "IS8601DA", "E8601DA", "B8601DA", "YYMMDDB", "YYMMDDD", "YYMMDDN",
             "YYMMDDP", "YYMMDDS"}
_SAS_DATETIME = {"DATETIME", "E8601DT", "DATEAMPM", "MDYAMPM", "IS8601DT", "B8601DT", "B8601DN"}
_SAS_TIME = {"TIME", "HHMM", "TOD", "TIMEAMPM", "IS8601TM", "E8601TM", "B8601TM"}
_MAX_CHUNK_CELLS = 40_000_000  # ~320 MB of float64 per chunk; chunk_rows is lowered for wide files


def _sas_arrow_type(readstat_type: str, fmt: str | None):
    import pyarrow as pa

    if readstat_type == "string":
        return pa.string()
    m = _SAS_FMT.match((fmt or "").upper())
    name = m.group(1) if m else ""
    if name in _SAS_DATE:
        return pa.date32()
    if name in _SAS_DATETIME:
        return pa.timestamp("us")
    if name in _SAS_TIME:
        return pa.time64("us")
    return pa.float64()


def _to_table(df: pd.DataFrame, schema, *, blank_is_null: bool):
    """One chunk as an Arrow table with exactly ``schema``; all-null columns become typed nulls."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = []
    for field, col in zip(schema, df.columns):
        s = df[col]
        if s.isna().all():
            arrays.append(pa.nulls(len(s), field.type))
            continue
        try:
            arr = pa.array(s, type=field.type, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
            raise TypeError(f"column {field.name}: chunk values do not fit {field.type}: {exc}") from exc
        if blank_is_null and pa.types.is_string(field.type):
            arr = pc.if_else(pc.equal(pc.utf8_rtrim_whitespace(arr), ""), pa.scalar(None, pa.string()), arr)
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=schema)


def _resolve_columns(available: Sequence[str], columns) -> list[str] | None:
    if not columns:
        return None
    by_lower = {c.lower(): c for c in available}
    unknown = [c for c in columns if c.lower() not in by_lower]
    if unknown:
        raise KeyError(f"column(s) not in the source: {unknown}")
    return [by_lower[c.lower()] for c in columns]


def _lower_unique(names: Sequence[str]) -> list[str]:
    low = [n.lower() for n in names]
    dup = sorted({n for n in low if low.count(n) > 1})
    if dup:
        raise ValueError(f"columns differ only in case: {dup}")
    return low


def _sas_batches(source: Path, chunk_rows: int, columns):
    import pyarrow as pa
    import pyreadstat

    _, meta = pyreadstat.read_sas7bdat(str(source), metadataonly=True)
    usecols = _resolve_columns(meta.column_names, columns)
    names = usecols or list(meta.column_names)
    schema = pa.schema([
        pa.field(n.lower(), _sas_arrow_type(meta.readstat_variable_types[n], meta.original_variable_types.get(n)))
        for n in names
    ])
    _lower_unique(names)
    total = meta.number_rows if (meta.number_rows or -1) >= 0 else None

    def gen():
        reader = pyreadstat.read_file_in_chunks(
            pyreadstat.read_sas7bdat, str(source), chunksize=chunk_rows, usecols=usecols
        )
        for df, _ in reader:
            df = df[names]
            yield _to_table(df, schema, blank_is_null=True)

    return schema, total, gen()


def _csv_batches(source: Path, chunk_rows: int, columns):
    """CSV through DuckDB: types sniffed over the whole file (one consistent schema); a column sniffed
    as a number whose text has leading zeros (codes such as branche '011100') stays text."""
    import pyarrow as pa

    con = _connect()
    src = _sql_str(source)
    sniffed = con.execute(f"DESCRIBE SELECT * FROM read_csv({src}, header = true, sample_size = -1)").fetchall()
    real = [r[0] for r in sniffed]
    usecols = _resolve_columns(real, columns) or real
    types = {r[0]: str(r[1]) for r in sniffed}
    numeric = [c for c in usecols if _is_numeric(types[c])]
    if numeric:
        checks = ", ".join(
            f"bool_or(regexp_matches({_ident(c)}, '^\\s*[+-]?0[0-9]')) AS {_ident(c)}" for c in numeric
        )
        row = con.execute(f"SELECT {checks} FROM read_csv({src}, header = true, all_varchar = true)").fetchall()[0]
        for c, lead in zip(numeric, row):
            if lead:
                types[c] = "VARCHAR"
    types_sql = "{" + ", ".join(f"{_sql_str(c)}: {_sql_str(t)}" for c, t in types.items()) + "}"
    low = _lower_unique(usecols)
    select = ", ".join(f"{_ident(c)} AS {_ident(lc)}" for c, lc in zip(usecols, low))
    total = con.execute(f"SELECT count(*) FROM read_csv({src}, header = true, all_varchar = true)").fetchall()[0][0]
    rel = con.sql(f"SELECT {select} FROM read_csv({src}, header = true, types = {types_sql})")
    reader = rel.to_arrow_reader(chunk_rows)
    schema = reader.schema

    def gen():
        try:
            for batch in reader:
                yield pa.Table.from_batches([batch], schema=schema)
        finally:
            con.close()

    return schema, total, gen()


def import_to_parquet(source, out, chunk_rows: int = 200_000, columns=None, *, progress: bool = True) -> Path:
    """Convert a SAS7BDAT (DST's delivery) or CSV register to one Parquet file, one chunk at a time.

    Column names become lower case; ``columns`` (case-insensitive) keeps only those. The schema is
    fixed before the first chunk (SAS: from the file's metadata, so a column that is empty in the
    first chunk keeps its real type; CSV: DuckDB's sniffer over the whole file) and every chunk is
    coerced to it. Memory holds one chunk: for very wide files ``chunk_rows`` is lowered so a chunk
    has at most ~40 mio. cells. Written to a temporary file in the target folder and renamed when
    complete. Prints rows and seconds to stderr.
    """
    import pyarrow.parquet as pq
    from tqdm import tqdm

    source, out = Path(source), Path(out)
    if not source.exists():
        raise FileNotFoundError(source)
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be >= 1")
    start = time.perf_counter()
    suffix = source.suffix.lower()
    if suffix == ".sas7bdat":
        import pyreadstat

        _, meta = pyreadstat.read_sas7bdat(str(source), metadataonly=True)
        ncols = len(columns) if columns else len(meta.column_names)
        if chunk_rows * ncols > _MAX_CHUNK_CELLS:
            lowered = max(1_000, _MAX_CHUNK_CELLS // ncols)
            print(f"import: {ncols} columns, chunk_rows lowered {chunk_rows} -> {lowered}", file=sys.stderr)
            chunk_rows = lowered
        schema, total, batches = _sas_batches(source, chunk_rows, columns)
    elif suffix == ".csv":
        schema, total, batches = _csv_batches(source, chunk_rows, columns)
    else:
        raise ValueError(f"{source}: import reads .sas7bdat or .csv")

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    rows = 0
    try:
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer, tqdm(
            total=total, unit="rows", unit_scale=True, desc=source.name, file=sys.stderr, disable=not progress
        ) as bar:
            for table in batches:
                writer.write_table(table, row_group_size=max(chunk_rows, 1))
                rows += table.num_rows
                bar.update(table.num_rows)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    seconds = time.perf_counter() - start
    print(f"import: {source.name} -> {out}: {rows:,} rows, {len(schema)} columns, {seconds:.1f} s", file=sys.stderr)
    return out

