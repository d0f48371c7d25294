"""Surveys in the formats Danish survey tools hand a researcher, read into one respondent table and
one codebook table.

A survey called ``stem`` (e.g. ``medarbejdersurvey``) may lie in the data folder as exactly one of

* a SurveyXact workbook ``<stem>.xlsx`` (sheets Dataset, Structure, Labels), or the SurveyXact CSV
  export ``<stem>_dataset.csv``, ``<stem>_structure.csv``, ``<stem>_labels.csv``
  (:mod:`.surveyxact`);
* an SPSS file ``<stem>.sav`` with value labels, user-missing codes and multi-response sets
  (:mod:`.spss`);
* the project's own long form ``<stem>.csv`` / ``<stem>.parquet`` with the columns
  ``respondent_id, variabel, vaerdi`` (one row per answer), optionally with its codebook
  ``<stem>_kodebog.csv`` / ``.parquet``; or the respondent table itself (one row per respondent,
  the questionnaire's variables as columns) under the same names.

Every format ends in :func:`harmonise`: the questionnaire's variable names (``params/mappings/
<stem>_spoergeskema.csv``) and codes, matched by the text of each answer, so a file whose
'Ved ikke' is 9 and whose jobcentres are numbered 1-20 gives the same table as one that uses the
questionnaire's codes. Values the file does not label are kept as they are, so the data contract
reports them (file, variable, row, value) together with every other failure; codes the file
declares missing without a counterpart in the questionnaire ('Ubesvaret') become missing answers.
Columns that are not in the questionnaire (contact details, free text) are dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..paths import MAPPINGS_DIR
from .frame_cache import cached_frames
from .readers import ReadProblem, read_mapping, read_table
from .surveyxact import CODEBOOK_COLUMNS, SurveyExport, read_csv_export, read_workbook

LONG_COLUMNS = ("respondent_id", "variabel", "vaerdi")
FORMATS = ("surveyxact", "surveyxact_csv", "spss", "langformat", "tabel")


@dataclass(frozen=True)
class Questionnaire:
    """A questionnaire's variables and codes (one row per variable and code)."""

    table: pd.DataFrame  # variabel, spoergsmaal, type, variabel_label, vaerdi, vaerdi_label, missing

    @property
    def variables(self) -> list[str]:
        return list(dict.fromkeys(self.table["variabel"]))

    def kind(self, var: str) -> str:
        return str(self.table.loc[self.table["variabel"] == var, "type"].iloc[0])

    def of_kind(self, kind: str) -> list[str]:
        return [v for v in self.variables if self.kind(v) == kind]

    def codes(self, var: str) -> dict[int, str]:
        t = self.table.loc[(self.table["variabel"] == var) & self.table["vaerdi"].notna()]
        return {int(v): str(lab) for v, lab in zip(t["vaerdi"], t["vaerdi_label"])}

    def label(self, var: str) -> str:
        return str(self.table.loc[self.table["variabel"] == var, "variabel_label"].iloc[0])

    @property
    def multi_sets(self) -> dict[str, list[str]]:
        t = self.table.loc[self.table["type"] == "flervalg"].drop_duplicates("variabel")
        return {q: list(g["variabel"]) for q, g in t.groupby("spoergsmaal", sort=False)}

    def codebook(self) -> pd.DataFrame:
        """The questionnaire as a codebook table (CODEBOOK_COLUMNS)."""
        t = self.table
        return pd.DataFrame({
            "variabel": t["variabel"], "variabel_label": t["variabel_label"],
            "vaerdi": t["vaerdi"].map(lambda v: None if pd.isna(v) else str(int(v))),
            "vaerdi_label": t["vaerdi_label"].fillna(""), "missing": t["missing"].eq("ja"),
            "multi_set": t["spoergsmaal"].where(t["type"] == "flervalg", "").fillna(""),
        }).reset_index(drop=True)[list(CODEBOOK_COLUMNS)]


@lru_cache(maxsize=4)
def questionnaire(stem: str = "medarbejdersurvey") -> Questionnaire:
    t = read_mapping(MAPPINGS_DIR / f"{stem}_spoergeskema.csv")
    t["vaerdi"] = pd.to_numeric(t["vaerdi"], errors="coerce")
    return Questionnaire(t)


@dataclass
class SurveyData:
    """The respondent table (questionnaire variables and codes) and the codebook the file declared."""

    respondenter: pd.DataFrame
    kodebog: pd.DataFrame
    format: str
    files: tuple[Path, ...]
    dropped: tuple[str, ...] = ()


# ------------------------------------------------------------------------------------ harmonise
def _text(s: object) -> str:
    return re.sub(r"\s+", " ", str(s)).strip().casefold().rstrip(".")


def _kommune_by_name() -> dict[str, int]:
    from ..kommuner import kommune_navne

    out = {}
    for code, name in kommune_navne().items():
        out[_text(name)] = code
        out[_text(name).removesuffix("s")] = code  # "Vesthimmerland" for DST's "Vesthimmerlands"
    return out


def _integral(s: pd.Series) -> pd.Series:
    """Whole numbers (integer, or float without fractions) become Int64, whatever the file stored;
    anything else stays as it is."""
    if pd.api.types.is_integer_dtype(s):
        return s.astype("Int64")
    if pd.api.types.is_float_dtype(s):
        vals = s.dropna()
        if (vals == vals.round()).all():
            return s.astype("Int64")
    return s


def harmonise(export: SurveyExport, q: Questionnaire) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The export's data in the questionnaire's variables and codes (see the module docstring).
    Returns the table and the names of the dropped columns (not in the questionnaire)."""
    data = export.data.copy()
    data.columns = [str(c).strip().lower() for c in data.columns]
    wanted = q.variables
    present = [v for v in wanted if v in data.columns]
    for qname, members in q.multi_sets.items():  # a multi-select exported as one column
        if qname in data.columns and not any(m in data.columns for m in members):
            col = data[qname]
            pos = int(col.notna().to_numpy().argmax())
            raise ReadProblem(export.source, "multiselect_encoding",
                              f"multi-select question {qname} is exported as one column (value {col.iloc[pos]!r}); "
                              f"export every option as its own 0/1 column ({members[0]} ... {members[-1]})",
                              row=pos + 1, column=qname, value=col.iloc[pos])
    dropped = tuple(c for c in data.columns if c not in wanted)
    cb = export.codebook
    names = _kommune_by_name()
    out = {}
    for var in present:
        col = data[var]
        kind = q.kind(var)
        if kind == "id":
            out[var] = col.map(lambda v: None if pd.isna(v) else (str(int(v)) if isinstance(v, float) and v.is_integer()
                                                                  else str(v).strip())).astype("string")
            continue
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            num = pd.to_numeric(col.map(lambda v: v if not isinstance(v, bool) else int(v)), errors="coerce")
            if (num.isna() & col.notna()).any():  # text that is not a number: the contract reports it
                out[var] = col
                continue
            col = num
        src = cb.loc[(cb["variabel"] == var) & cb["vaerdi"].notna()]
        if kind == "enkeltvalg" and len(src):
            canon = {_text(lab): code for code, lab in q.codes(var).items()}
            mapping, to_missing = {}, set()
            for code, lab, miss in zip(src["vaerdi"], src["vaerdi_label"], src["missing"]):
                try:
                    value = float(code)
                except (TypeError, ValueError):
                    continue
                target = canon.get(_text(lab))
                if target is None and var == "q1":
                    target = names.get(_text(re.sub(r"^jobcent(er|ret)\s+", "", str(lab), flags=re.I)))
                if target is not None:
                    mapping[value] = float(target)
                elif bool(miss):
                    to_missing.add(value)
            col = col.astype(float)
            recoded = col.map(lambda v, m=mapping: m.get(v, v) if pd.notna(v) else v)
            col = recoded.mask(col.isin(to_missing))
        elif len(src):  # numbers and 0/1 options: only the declared missing codes go
            miss = {float(c) for c, m in zip(src["vaerdi"], src["missing"]) if bool(m) and _isnum(c)}
            col = col.astype(float).mask(col.astype(float).isin(miss))
        out[var] = _integral(pd.Series(col, index=data.index))
    frame = pd.DataFrame(out, index=data.index)[present].reset_index(drop=True)
    return frame, dropped


def _isnum(v: object) -> bool:
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


# -------------------------------------------------------------------------------------- sources
def survey_files(data_dir: Path, stem: str) -> dict[str, tuple[Path, ...]]:
    """The formats present in ``data_dir`` for survey ``stem``: {format: files}."""
    d = Path(data_dir)
    found: dict[str, tuple[Path, ...]] = {}
    if (d / f"{stem}.xlsx").exists():
        found["surveyxact"] = (d / f"{stem}.xlsx",)
    trio = tuple(d / f"{stem}_{part}.csv" for part in ("dataset", "structure", "labels"))
    if any(p.exists() for p in trio):
        found["surveyxact_csv"] = trio
    if (d / f"{stem}.sav").exists():
        found["spss"] = (d / f"{stem}.sav",)
    own = [d / f"{stem}{suffix}" for suffix in (".csv", ".parquet") if (d / f"{stem}{suffix}").exists()]
    if len(own) > 1:
        raise ReadProblem(own[0].name, "several_formats", f"{stem} exists both as {own[0].name} and {own[1].name}")
    if own:
        cols = set(read_table(own[0]).columns) if own[0].suffix == ".csv" else set(_parquet_columns(own[0]))
        found["langformat" if set(LONG_COLUMNS) <= cols and len(cols) <= 4 else "tabel"] = (own[0],)
    return found


def _parquet_columns(path: Path) -> list[str]:
    import pyarrow.parquet as pq

    return [c.lower() for c in pq.read_schema(path).names]


def _codebook_file(data_dir: Path, stem: str) -> Path | None:
    hits = [Path(data_dir) / f"{stem}_kodebog{s}" for s in (".csv", ".parquet")
            if (Path(data_dir) / f"{stem}_kodebog{s}").exists()]
    return hits[0] if hits else None


def read_codebook_file(path: Path) -> pd.DataFrame:
    cb = read_table(path)
    for c in CODEBOOK_COLUMNS:
        if c not in cb.columns:
            cb[c] = None
    cb["vaerdi"] = cb["vaerdi"].map(lambda v: None if pd.isna(v) else
                                    (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()))
    cb["missing"] = cb["missing"].map(lambda v: str(v).strip().lower() in {"1", "true", "ja", "yes"})
    cb["multi_set"] = cb["multi_set"].fillna("").astype(str)
    cb["vaerdi_label"] = cb["vaerdi_label"].fillna("").astype(str)
    cb["variabel_label"] = cb["variabel_label"].fillna("").astype(str)
    return cb[list(CODEBOOK_COLUMNS)]


def read_long(path: Path, codebook: pd.DataFrame) -> SurveyExport:
    """The long form (respondent_id, variabel, vaerdi) as an export: respondents in order of appearance."""
    long = read_table(path)
    missing = [c for c in LONG_COLUMNS if c not in long.columns]
    if missing:
        raise ReadProblem(path.name, "column_present", f"the long form needs the columns {', '.join(LONG_COLUMNS)}",
                          column=missing[0])
    long["variabel"] = long["variabel"].astype(str).str.strip().str.lower()
    dup = long.duplicated(["respondent_id", "variabel"], keep="first")
    if dup.any():
        pos = int(dup.to_numpy().argmax())
        raise ReadProblem(path.name, "unique_key", "a respondent has two answers to the same variable",
                          row=pos + 1, column="variabel", value=long["variabel"].iloc[pos])
    order = pd.unique(long["respondent_id"])
    wide = long.pivot(index="respondent_id", columns="variabel", values="vaerdi").reindex(order)
    for c in wide.columns:
        num = pd.to_numeric(wide[c], errors="coerce")
        if num.notna().sum() == wide[c].notna().sum():
            wide[c] = num
    wide = wide.rename_axis(columns=None).reset_index()
    return SurveyExport(data=wide, codebook=codebook, source=path.name)


_MEMO: dict[tuple, SurveyData] = {}


def read_survey(data_dir: str | Path, stem: str = "medarbejdersurvey") -> SurveyData:
    """The survey ``stem`` from whichever single format ``data_dir`` holds (see the module docstring).

    Reads are remembered per file state within a process, so validation, relation checks and the
    notebook parse a workbook once."""
    data_dir = Path(data_dir)
    found = survey_files(data_dir, stem)
    if len(found) > 1:
        names = ", ".join(p.name for files in found.values() for p in files if p.exists())
        raise ReadProblem(next(iter(found.values()))[0].name, "several_formats",
                          f"{stem} is in the data folder in several formats ({names}); keep exactly one")
    if not found:
        raise ReadProblem(f"{stem}.xlsx", "file_present",
                          f"no {stem} in {data_dir}: expected {stem}.xlsx (SurveyXact), {stem}_dataset.csv with "
                          f"{stem}_structure.csv and {stem}_labels.csv, {stem}.sav, or {stem}.csv/.parquet")
    fmt, files = next(iter(found.items()))
    cb_file = _codebook_file(data_dir, stem)
    key_files = [*files, *([cb_file] if cb_file else [])]
    key = (str(data_dir.resolve()), stem, fmt,
           tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in key_files if p.exists()))
    if key in _MEMO:
        return _MEMO[key]
    q = questionnaire(stem)
    if fmt not in ("surveyxact", "surveyxact_csv", "spss", "langformat"):  # one table, read as it is
        codebook = read_codebook_file(cb_file) if cb_file else q.codebook()
        result = SurveyData(respondenter=read_table(files[0]), kodebog=codebook, format=fmt, files=tuple(key_files))
        _MEMO[key] = result
        return result

    def parse() -> tuple[dict[str, pd.DataFrame], dict]:
        if fmt == "surveyxact":
            export = read_workbook(files[0])
        elif fmt == "surveyxact_csv":
            export = read_csv_export(*files)
        elif fmt == "spss":
            from .spss import read_sav

            export = read_sav(files[0])
        else:
            export = read_long(files[0], read_codebook_file(cb_file) if cb_file else q.codebook())
        order = list(dict.fromkeys([*q.variables, *(str(c).strip().lower() for c in export.data.columns)]))
        export.codebook = _with_multi_sets(export.codebook, q, order)
        respondenter, dropped = harmonise(export, q)
        return ({"respondenter": respondenter, "kodebog": export.codebook.reset_index(drop=True)},
                {"dropped": list(dropped)})

    # parsed once per run, not once per notebook: the frames are shared through the run's cache
    frames, meta = cached_frames(f"survey-{stem}", [p for p in key_files if p.exists()], parse,
                                 extra={"format": fmt})
    result = SurveyData(respondenter=frames["respondenter"], kodebog=frames["kodebog"], format=fmt,
                        files=tuple(key_files), dropped=tuple(meta["dropped"]))
    if len(_MEMO) > 8:
        _MEMO.clear()
    _MEMO[key] = result
    return result


def _with_multi_sets(codebook: pd.DataFrame, q: Questionnaire, order: list[str] | None = None) -> pd.DataFrame:
    """Multi-response sets the file does not declare are taken from the questionnaire; rows in the
    questionnaire's order (the file's other variables after it), then by code: every format lists
    its codebook its own way."""
    cb = codebook.copy()
    cb["multi_set"] = cb["multi_set"].fillna("").astype(str)
    set_of = {v: qname for qname, members in q.multi_sets.items() for v in members}
    empty = cb["multi_set"].eq("")
    cb.loc[empty, "multi_set"] = cb.loc[empty, "variabel"].map(set_of).fillna("")
    pos = {v: i for i, v in enumerate(order or [])}
    code = pd.to_numeric(cb["vaerdi"], errors="coerce").fillna(-np.inf)
    key = pd.DataFrame({"p": cb["variabel"].map(pos).fillna(len(pos)), "c": code, "v": cb["variabel"]})
    return cb.loc[key.sort_values(["p", "v", "c"], kind="stable").index].reset_index(drop=True)


# ---------------------------------------------------------------- the readers of the contracts
def medarbejdersurvey(data_dir: Path) -> pd.DataFrame:
    """Reader of data_contracts/medarbejdersurvey.yaml: one row per respondent."""
    return read_survey(data_dir, "medarbejdersurvey").respondenter


def medarbejdersurvey_kodebog(data_dir: Path) -> pd.DataFrame:
    """Reader of data_contracts/medarbejdersurvey_kodebog.yaml: the codebook the survey file declares."""
    d = Path(data_dir)
    if not survey_files(d, "medarbejdersurvey"):
        cb = _codebook_file(d, "medarbejdersurvey")
        if cb is not None:  # a codebook on its own (the long form's companion)
            return read_codebook_file(cb)
    return read_survey(d, "medarbejdersurvey").kodebog
