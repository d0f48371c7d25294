"""SurveyXact exports: a workbook with the sheets Dataset, Structure and Labels, or the same three
tables as CSV files (UTF-16 tab-separated, or ANSI/UTF-8 with ';' or ',').

    Dataset    one row per respondent, one column per variable; every option of a multi-select
               question is its own 0/1 column (q10a, q10b, ...)
    Structure  one row per variable: Variabel, Tekst, Type (enkeltvalg/flervalg/tal/tekst or the
               English single/multiple/numeric/text), Spørgsmål (the question an option belongs to)
    Labels     one row per answer code: Variabel, Værdi, Label [, Missing]

Header names are matched without regard to case, Danish letters or a few English synonyms
(``variable``, ``text``/``label``, ``question``, ``value``), because exports are configured per
survey. :func:`read_workbook` and :func:`read_csv_export` return a :class:`SurveyExport` (the
data as exported plus the codebook in the canonical shape of :data:`CODEBOOK_COLUMNS`); turning
it into a questionnaire's variables and codes is :func:`hko_research.inputs.survey.harmonise`.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..xlsx import deterministic_xlsx
from .readers import ReadProblem

SHEETS = ("Dataset", "Structure", "Labels")
# The codebook every survey reader returns (data_contracts/medarbejdersurvey_kodebog.yaml).
CODEBOOK_COLUMNS = ("variabel", "variabel_label", "vaerdi", "vaerdi_label", "missing", "multi_set")
MULTI_TYPES = {"flervalg", "multiple", "multi", "multiselect", "multi_select", "checkbox"}

_SYNONYMS = {
    "variabel": ("variabel", "variable", "var", "name", "navn"),
    "tekst": ("tekst", "text", "label", "variabellabel", "variable_label", "question_text"),
    "type": ("type", "svartype", "question_type"),
    "spoergsmaal": ("spoergsmaal", "sporgsmal", "question", "group", "gruppe"),
    "vaerdi": ("vaerdi", "vardi", "value", "kode", "code"),
    "label": ("label", "tekst", "text", "value_label", "vaerdilabel"),
    "missing": ("missing", "mangler", "is_missing"),
}


@dataclass
class SurveyExport:
    """A survey as a tool exported it: ``data`` (one row per respondent, source names and codes)
    and ``codebook`` (CODEBOOK_COLUMNS). ``source`` names the file for messages."""

    data: pd.DataFrame
    codebook: pd.DataFrame
    source: str
    multi_sets: dict[str, list[str]] = field(default_factory=dict)


def _norm(name: object) -> str:
    s = str(name).strip().lower()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ö", "oe"), ("ä", "ae")):
        s = s.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def _pick(df: pd.DataFrame, role: str, file: str, sheet: str, required: bool = True) -> str | None:
    by_norm = {_norm(c): c for c in df.columns}
    for cand in _SYNONYMS[role]:
        for key in (cand, cand.replace("oe", "o").replace("aa", "a")):
            if key in by_norm:
                return by_norm[key]
    if required:
        raise ReadProblem(file, "column_present", f"sheet {sheet!r} has no column for {role!r} "
                          f"(columns: {', '.join(map(str, df.columns))})", column=role)
    return None


def _bool_flag(v: object) -> bool:
    return str(v).strip().lower() in {"1", "true", "ja", "yes", "j", "y", "sand", "x"}


def codebook_from_tables(structure: pd.DataFrame, labels: pd.DataFrame, file: str) -> tuple[pd.DataFrame, dict]:
    """The canonical codebook from a Structure and a Labels table (SurveyXact layout)."""
    v_col = _pick(structure, "variabel", file, "Structure")
    t_col = _pick(structure, "tekst", file, "Structure", required=False)
    ty_col = _pick(structure, "type", file, "Structure", required=False)
    q_col = _pick(structure, "spoergsmaal", file, "Structure", required=False)
    lv_col = _pick(labels, "variabel", file, "Labels")
    val_col = _pick(labels, "vaerdi", file, "Labels")
    lab_col = next((c for c in labels.columns if _norm(c) in ("label", "value_label", "vaerdilabel") and c != lv_col),
                   None) or _pick(labels, "label", file, "Labels")
    miss_col = _pick(labels, "missing", file, "Labels", required=False)
    info = {}
    multi_sets: dict[str, list[str]] = {}
    for rec in structure.itertuples(index=False):
        row = dict(zip(structure.columns, rec))
        var = str(row[v_col]).strip().lower()
        if not var or var == "nan":
            continue
        kind = _norm(row[ty_col]) if ty_col else ""
        question = str(row[q_col]).strip().lower() if q_col and pd.notna(row[q_col]) else ""
        multi = question if kind in MULTI_TYPES and question else ""
        info[var] = (str(row[t_col]) if t_col and pd.notna(row[t_col]) else "", multi)
        if multi:
            multi_sets.setdefault(multi, []).append(var)
    rows = []
    labelled = set()
    for rec in labels.itertuples(index=False):
        row = dict(zip(labels.columns, rec))
        var = str(row[lv_col]).strip().lower()
        if not var or var == "nan":
            continue
        labelled.add(var)
        text, multi = info.get(var, ("", ""))
        rows.append({"variabel": var, "variabel_label": text, "vaerdi": _code_text(row[val_col]),
                     "vaerdi_label": "" if pd.isna(row[lab_col]) else str(row[lab_col]).strip(),
                     "missing": bool(miss_col and _bool_flag(row[miss_col])), "multi_set": multi})
    for var, (text, multi) in info.items():
        if var not in labelled:
            rows.append({"variabel": var, "variabel_label": text, "vaerdi": None, "vaerdi_label": "",
                         "missing": False, "multi_set": multi})
    return pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS)), multi_sets


def _code_text(v: object) -> str | None:
    """An answer code as text: 1.0 -> '1', ' 3 ' -> '3'."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


# --------------------------------------------------------------------------------------------- read
def read_workbook(path: str | Path) -> SurveyExport:
    """A SurveyXact workbook (sheets Dataset, Structure, Labels)."""
    path = Path(path)
    try:
        sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    except Exception as exc:  # not a workbook, or damaged
        raise ReadProblem(path.name, "readable", f"not a readable Excel workbook: {exc}") from exc
    by_norm = {_norm(k): k for k in sheets}
    missing = [s for s in SHEETS if _norm(s) not in by_norm]
    if missing:
        raise ReadProblem(path.name, "sheet_present", f"the workbook has no sheet {missing[0]!r} "
                          f"(sheets: {', '.join(sheets)}); SurveyXact exports Dataset, Structure and Labels")
    data, structure, labels = (sheets[by_norm[_norm(s)]] for s in SHEETS)
    return _export(data, structure, labels, path.name)


def _export(data: pd.DataFrame, structure: pd.DataFrame, labels: pd.DataFrame, file: str) -> SurveyExport:
    if data.empty:
        raise ReadProblem(file, "empty_file", "the Dataset has no respondents")
    data = data.copy()
    data.columns = [str(c).strip().lower() for c in data.columns]
    codebook, multi_sets = codebook_from_tables(structure, labels, file)
    return SurveyExport(data=data, codebook=codebook, source=file, multi_sets=multi_sets)


def sniff_text(path: Path) -> tuple[str, str]:
    """(encoding, delimiter) of an exported CSV: UTF-16 (BOM), UTF-8, else Windows-1252 (ANSI)."""
    raw = path.read_bytes()
    if not raw.strip(b"\x00\r\n\t ;,"):
        raise ReadProblem(path.name, "empty_file", "the file is empty")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif raw[:200].count(b"\x00") > 20:  # UTF-16 without BOM
        encoding = "utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be"
    else:
        try:
            raw.decode("utf-8")
            encoding = "utf-8-sig"
        except UnicodeDecodeError:
            encoding = "cp1252"
    first = raw.decode(encoding, errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(("\t", ";", ","), key=first.count)
    return encoding, delimiter


def read_csv_table(path: Path) -> pd.DataFrame:
    encoding, delimiter = sniff_text(path)
    text = path.read_bytes().decode(encoding).lstrip("\ufeff")
    return pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, na_values=[""])


def read_csv_export(dataset: str | Path, structure: str | Path, labels: str | Path) -> SurveyExport:
    """The three SurveyXact tables as CSV files (any of the encodings SurveyXact writes)."""
    dataset, structure, labels = Path(dataset), Path(structure), Path(labels)
    for p in (dataset, structure, labels):
        if not p.exists():
            raise ReadProblem(p.name, "file_present", f"the SurveyXact export needs {p.name} next to {dataset.name}")
    data = read_csv_table(dataset)
    for c in data.columns:  # numbers as numbers (codes), text stays text
        num = pd.to_numeric(data[c].str.replace(",", ".", regex=False), errors="coerce")
        if num.notna().sum() == data[c].notna().sum():
            data[c] = num
    return _export(data, read_csv_table(structure), read_csv_table(labels), dataset.name)


# -------------------------------------------------------------------------------------------- write
def structure_and_labels(codebook: pd.DataFrame, variables: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Structure and Labels tables of a codebook (CODEBOOK_COLUMNS), in ``variables`` order."""
    cb = codebook.copy()
    first = cb.drop_duplicates("variabel").set_index("variabel")
    structure = pd.DataFrame({
        "Variabel": variables,
        "Tekst": [first.at[v, "variabel_label"] if v in first.index else "" for v in variables],
        "Type": ["flervalg" if v in first.index and first.at[v, "multi_set"] else
                 ("enkeltvalg" if v in set(cb.loc[cb["vaerdi"].notna(), "variabel"]) else "tal") for v in variables],
        "Spørgsmål": [first.at[v, "multi_set"] if v in first.index else "" for v in variables],
    })
    lab = cb.loc[cb["vaerdi"].notna() & cb["variabel"].isin(variables)]
    labels = pd.DataFrame({"Variabel": lab["variabel"], "Værdi": lab["vaerdi"], "Label": lab["vaerdi_label"],
                           "Missing": lab["missing"].map({True: 1, False: 0})})
    return structure, labels.reset_index(drop=True)


def write_workbook(path: str | Path, data: pd.DataFrame, codebook: pd.DataFrame) -> Path:
    """Write a SurveyXact-style workbook (Dataset, Structure, Labels) with the same bytes every time."""
    from openpyxl import Workbook

    path = Path(path)
    structure, labels = structure_and_labels(codebook, list(data.columns))
    labels = labels.assign(Værdi=pd.to_numeric(labels["Værdi"], errors="coerce"))
    wb = Workbook(write_only=True)
    for title, frame in (("Dataset", data), ("Structure", structure), ("Labels", labels)):
        ws = wb.create_sheet(title)
        ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            ws.append([None if (v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)))
                       else (v.item() if hasattr(v, "item") else v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(deterministic_xlsx(buf.getvalue()))
    return path


def write_csv_export(stem: str | Path, data: pd.DataFrame, codebook: pd.DataFrame, *,
                     encoding: str = "utf-16", sep: str = "\t") -> list[Path]:
    """Write ``<stem>_dataset.csv``, ``<stem>_structure.csv`` and ``<stem>_labels.csv``."""
    stem = Path(stem)
    structure, labels = structure_and_labels(codebook, list(data.columns))
    out = []
    for suffix, frame in (("dataset", data), ("structure", structure), ("labels", labels)):
        p = stem.with_name(f"{stem.name}_{suffix}.csv")
        text = frame.to_csv(sep=sep, index=False, lineterminator="\r\n")
        p.write_bytes(text.encode(encoding))
        out.append(p)
    return out
