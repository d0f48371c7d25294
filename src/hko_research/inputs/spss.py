"""SPSS ``.sav`` files with their metadata: value labels, user-missing codes and multi-response sets.

Read with pyreadstat and ``user_missing=True``: the user-missing codes stay in the data as codes
(pandas' own reader, and pyreadstat's default, turn them into NaN and lose which code it was), and
the codebook says which codes are missing. Multi-response sets (``MRSETS`` in SPSS/PSPP syntax) come
from the file's dictionary; a file without them (pyreadstat cannot write them) gets its sets from
the questionnaire in :func:`hko_research.inputs.survey.harmonise`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .readers import ReadProblem
from .surveyxact import CODEBOOK_COLUMNS, SurveyExport, _code_text


def _is_missing(value: float, ranges: list[dict], discrete: list) -> bool:
    if value in discrete:
        return True
    for r in ranges:
        try:
            if float(r["lo"]) <= float(value) <= float(r["hi"]):
                return True
        except (TypeError, ValueError):
            if value in (r["lo"], r["hi"]):
                return True
    return False


def read_sav(path: str | Path) -> SurveyExport:
    """A ``.sav`` file as a :class:`SurveyExport` (data with its user-missing codes, codebook)."""
    import pyreadstat

    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        raise ReadProblem(path.name, "empty_file", "the file is empty or missing")
    try:
        data, meta = pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise ReadProblem(path.name, "readable", f"not a readable SPSS file: {exc}") from exc
    data.columns = [c.lower() for c in data.columns]
    labels = {k.lower(): v for k, v in (meta.variable_value_labels or {}).items()}
    ranges = {k.lower(): v for k, v in (meta.missing_ranges or {}).items()}
    discrete = {k.lower(): list(v) for k, v in (getattr(meta, "missing_user_values", None) or {}).items()}
    texts = {k.lower(): v or "" for k, v in (meta.column_names_to_labels or {}).items()}
    multi_sets: dict[str, list[str]] = {}
    set_of: dict[str, str] = {}
    for name, mr in (getattr(meta, "mr_sets", None) or {}).items():
        key = name.lstrip("$").lower()
        members = [v.lower() for v in mr.get("variable_list", [])]
        multi_sets[key] = members
        for v in members:
            set_of[v] = key
    rows = []
    for var in data.columns:
        rng, disc = ranges.get(var, []), discrete.get(var, [])
        seen = set()
        for value, label in (labels.get(var) or {}).items():
            seen.add(value)
            rows.append({"variabel": var, "variabel_label": texts.get(var, ""), "vaerdi": _code_text(value),
                         "vaerdi_label": str(label), "missing": _is_missing(value, rng, disc),
                         "multi_set": set_of.get(var, "")})
        for r in rng:  # declared missing codes without a label
            if r["lo"] == r["hi"] and r["lo"] not in seen:
                seen.add(r["lo"])
                rows.append({"variabel": var, "variabel_label": texts.get(var, ""), "vaerdi": _code_text(r["lo"]),
                             "vaerdi_label": "", "missing": True, "multi_set": set_of.get(var, "")})
        if not seen:
            rows.append({"variabel": var, "variabel_label": texts.get(var, ""), "vaerdi": None, "vaerdi_label": "",
                         "missing": False, "multi_set": set_of.get(var, "")})
    codebook = pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS))
    return SurveyExport(data=data, codebook=codebook, source=path.name, multi_sets=multi_sets)


def write_sav(path: str | Path, data: pd.DataFrame, codebook: pd.DataFrame) -> Path:
    """Write ``data`` with the codebook's variable labels, value labels and missing codes.

    pyreadstat cannot write multi-response sets; readers take them from the questionnaire."""
    import pyreadstat

    path = Path(path)
    cb = codebook.loc[codebook["variabel"].isin(data.columns)]
    column_labels = cb.drop_duplicates("variabel").set_index("variabel")["variabel_label"].to_dict()
    value_labels: dict[str, dict[float, str]] = {}
    missing: dict[str, list[float]] = {}
    for rec in cb.loc[cb["vaerdi"].notna()].itertuples(index=False):
        code = float(rec.vaerdi)
        value_labels.setdefault(rec.variabel, {})[code] = rec.vaerdi_label
        if rec.missing:
            missing.setdefault(rec.variabel, []).append(code)
    out = data.copy()
    for c in out.columns:
        if pd.api.types.is_bool_dtype(out[c]) or str(out[c].dtype) in ("Int64", "boolean"):
            out[c] = out[c].astype("Float64").astype(float)
    pyreadstat.write_sav(out, str(path), column_labels={c: column_labels.get(c, "") or None for c in out.columns},
                         variable_value_labels=value_labels, missing_ranges=missing or None)
    return path
