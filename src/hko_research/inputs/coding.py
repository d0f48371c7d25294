"""Qualitative coding as it arrives: a codebook, cases with attributes, and codings.

A *coding project* (``data_contracts/kodeboeger/<name>.yaml``: the casekommuner of delanalyse 1,
the interviews of delanalyse 4) declares its file in the data folder, its three inputs and its
standard codebook. The research team delivers the project in one of three shapes, all read into
the same canonical tables (each described by a data contract):

* the **coding template** ``<fil>.xlsx``, written from the codebook by ``hko-research template``
  (sheets Sager, Kodning, Citater, Kodebog; drop-down lists of the allowed values);
* a **REFI-QDA export** ``<fil>.qdpx`` from NVivo, ATLAS.ti, MAXQDA or QualCoder (:mod:`.qdpx`);
* the canonical tables themselves as CSV (``<input>.csv``).

Canonical tables:

* ``kodebog``: kode, etiket, overkode, vaerdier, vaerdietiketter, kraevet, omfatter, beskrivelse.
  A code with ``vaerdier`` is *categorical* (one value per case and coder); a code without is a
  *presence* code (value ``ja``). A code with child codes, or with ``omfatter`` (a group of
  other codes, e.g. a crosswalk), is a branch and is not coded itself.
* ``sager``: one row per case (``sag``) with ``kommunekode``, the responsible coder ``koder`` (whose
  coding the analysis uses; other coders' codings of the case measure reliability) and the
  attributes of the project's sager contract.
* ``kodning``: one row per coding: sag, kode, vaerdi, koder, kilde, citat, dato.

Every value is checked on read, whatever the shape (pasted cells bypass Excel's drop-downs): an
unknown category, a code not in the codebook, a case without kommune, a coding without coder, a
kommune or case coded twice with different values for a single-valued code, a required code
missing. Each problem names the file, the sheet (or the line in ``project.qde``), the row and the
value; a reader raises them all at once (:class:`~hko_research.inputs.readers.ReadProblems`).
Which shape was delivered, and the readers the contracts name: :mod:`.qualitative`.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
import yaml

from ..paths import CONTRACTS_DIR
from .readers import ReadProblem, ReadProblems

PROJECTS_DIR = CONTRACTS_DIR / "kodeboeger"
PRESENT = "ja"                      # the value of a presence code
ABSENT = "nej"                      # accepted in the template; not a coding
SEP = "|"                           # list separator inside a canonical cell
KODEBOG_COLUMNS = ("kode", "etiket", "overkode", "vaerdier", "vaerdietiketter", "kraevet", "omfatter", "beskrivelse")
KODNING_COLUMNS = ("sag", "kode", "vaerdi", "koder", "kilde", "citat", "dato")
# Columns of the template's sheets besides the codes (Kodning) and the quotes sheet.
ROW_COLUMNS = ("sag", "koder", "kilde", "dato")
CITAT_COLUMNS = ("sag", "koder", "kode", "citat", "kilde", "dato")
SHEETS = {"sager": "Sager", "kodning": "Kodning", "citater": "Citater", "kodebog": "Kodebog"}
_ID_RE = re.compile(r"^[a-z0-9_]+$")


# ------------------------------------------------------------------------------------ projects
@dataclass(frozen=True)
class Project:
    """A coding project: its file stem in the data folder, its inputs and standard codebook."""

    name: str
    title: str
    fil: str                              # <fil>.xlsx or <fil>.qdpx in the data folder
    inputs: dict[str, str]                # kodebog / sager / kodning -> contract name
    sag_er_kommune: bool                  # one case per kommune (the casekommuner)
    codes: tuple[dict, ...] = field(repr=False, default=())

    def kodebog(self) -> pd.DataFrame:
        """The standard codebook as the canonical ``kodebog`` table."""
        return kodebog_frame(self.codes)

    def sager_contract(self):
        from .contracts import load_contracts

        return load_contracts()[self.inputs["sager"]]

    def attributes(self) -> list[str]:
        """The sager columns besides ``sag`` (kommunekode, koder and the project's attributes)."""
        return [c for c in self.sager_contract().column_names() if c != "sag"]


@lru_cache(maxsize=None)
def projects() -> dict[str, Project]:
    """Every coding project declared in data_contracts/kodeboeger/, by name."""
    out = {}
    for path in sorted(PROJECTS_DIR.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out[raw["name"]] = Project(name=raw["name"], title=str(raw.get("title", "")), fil=raw["fil"],
                                   inputs=dict(raw["inputs"]), sag_er_kommune=bool(raw.get("sag_er_kommune")),
                                   codes=tuple(raw.get("koder") or ()))
    return out


def project(name: str) -> Project:
    known = projects()
    if name not in known:
        raise KeyError(f"ukendt kodeprojekt {name!r}; kendte: {', '.join(sorted(known))}")
    return known[name]


def kodebog_frame(codes: Iterable[dict]) -> pd.DataFrame:
    """Canonical ``kodebog`` rows from codebook entries (YAML form: ``vaerdier`` a mapping id ->
    label or a list, ``omfatter`` a list)."""
    rows = []
    for c in codes:
        vals = c.get("vaerdier")
        if isinstance(vals, dict):
            ids, labels = list(vals), [str(v) for v in vals.values()]
        elif vals:
            ids, labels = [str(v) for v in vals], [str(v) for v in vals]
        else:
            ids, labels = [], []
        rows.append({
            "kode": str(c["kode"]), "etiket": str(c.get("etiket") or c["kode"]),
            "overkode": _text(c.get("overkode")),
            "vaerdier": SEP.join(ids) or None, "vaerdietiketter": SEP.join(labels) or None,
            "kraevet": bool(c.get("kraevet", False)),
            "omfatter": SEP.join(str(x) for x in c.get("omfatter") or ()) or None,
            "beskrivelse": _text(c.get("beskrivelse")),
        })
    return canonical_kodebog(pd.DataFrame(rows, columns=list(KODEBOG_COLUMNS)))


# ------------------------------------------------------------------------- the codebook as data
class Codebook:
    """Look-ups over a ``kodebog`` table (canonical, or typed by its contract)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = canonical_kodebog(frame)
        self._rows = {r["kode"]: r for r in self.frame.to_dict("records")}
        self._children: dict[str, list[str]] = {}
        for r in self.frame.itertuples(index=False):
            if r.overkode:
                self._children.setdefault(r.overkode, []).append(r.kode)

    @property
    def ids(self) -> list[str]:
        return list(self._rows)

    def row(self, kode: str) -> dict:
        return self._rows[kode]

    def values(self, kode: str) -> list[str]:
        return split(self._rows[kode]["vaerdier"])

    def value_labels(self, kode: str) -> dict[str, str]:
        r = self._rows[kode]
        ids, labels = split(r["vaerdier"]), split(r["vaerdietiketter"])
        return dict(zip(ids, labels if len(labels) == len(ids) else ids))

    def label(self, kode: str) -> str:
        return str(self._rows[kode]["etiket"])

    def children(self, kode: str) -> list[str]:
        return list(self._children.get(kode, []))

    def is_categorical(self, kode: str) -> bool:
        return bool(self.values(kode))

    def codable(self) -> list[str]:
        """Codes that are coded: leaves (no child codes, no ``omfatter``) and categorical codes."""
        return [k for k, r in self._rows.items() if r["vaerdier"] or (k not in self._children and not r["omfatter"])]

    def required(self) -> list[str]:
        return [k for k, r in self._rows.items() if r["kraevet"]]

    def family(self, kode: str) -> str:
        """A code's family for reliability: a categorical code is its own family, a presence code
        belongs to its parent branch."""
        if self.is_categorical(kode):
            return kode
        return self._rows[kode]["overkode"] or kode


def split(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return []
    return [x.strip() for x in str(value).split(SEP) if x.strip()]


def slug(text: str) -> str:
    """A code id from a name typed in a QDA program: ASCII, lower case, underscores."""
    t = str(text).strip().lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", t).strip("_") or "kode"


def _text(v: Any) -> str | None:
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return None
    s = str(v).strip()
    return s or None


def _texts(s: pd.Series) -> pd.Series:
    """Stripped text cells as an object column with None for missing (never NaN)."""
    return pd.Series([_text(v) for v in s], index=s.index, dtype=object)


# ------------------------------------------------------------------------- canonical normalising
def canonical_kodebog(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells stripped (empty -> missing), ``kraevet`` boolean, rows in depth-first order of the
    code tree (a parent before its children, siblings in the order given)."""
    out = df.reindex(columns=list(KODEBOG_COLUMNS)).copy()
    for c in KODEBOG_COLUMNS:
        if c != "kraevet":
            out[c] = _texts(out[c])
    out["kraevet"] = out["kraevet"].map(lambda v: bool(v) if v is not None and not pd.isna(v) else False).astype(bool)
    out = out.reset_index(drop=True)
    ids = set(out["kode"].dropna())
    children: dict[Any, list[int]] = {}
    for i, parent in enumerate(out["overkode"]):
        children.setdefault(parent if parent in ids else None, []).append(i)
    order: list[int] = []

    def visit(i: int) -> None:
        if i in seen:
            return
        seen.add(i)
        order.append(i)
        for j in children.get(out.at[i, "kode"], []):
            visit(j)

    seen: set[int] = set()
    for i in children.get(None, []):
        visit(i)
    order += [i for i in range(len(out)) if i not in seen]  # cycles: kept, reported by check_codebook
    return out.iloc[order].reset_index(drop=True)


def canonical_kodning(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(KODNING_COLUMNS))
    for c in KODNING_COLUMNS:
        if c != "dato":
            df[c] = _texts(df[c])
    df["dato"] = pd.to_datetime(df["dato"], errors="coerce").astype("datetime64[ns]")
    key = ["sag", "koder", "kode", "vaerdi", "kilde", "citat", "dato"]
    return df.sort_values(key, na_position="first", kind="stable").reset_index(drop=True)[list(KODNING_COLUMNS)]


def canonical_sager(records: list[dict], columns: list[str]) -> pd.DataFrame:
    """Cases sorted by ``sag``; every column an object column of Python values (None for missing),
    so that the same cases read from any shape give identical frames."""
    df = pd.DataFrame({c: pd.Series([r.get(c) for r in records], dtype=object) for c in columns}, columns=columns)
    return df.sort_values("sag", kind="stable", key=lambda s: s.astype(str)).reset_index(drop=True)


# --------------------------------------------------------------------------------- the read
@dataclass
class Located:
    """Where a value was read, for the error message: file, sheet (workbook) or XML line."""

    file: str
    sheet: str | None = None
    row: int | None = None
    line: int | None = None

    def where(self) -> str:
        if self.sheet:
            return f"ark {self.sheet}, række {self.row}" if self.row else f"ark {self.sheet}"
        if self.line:
            return f"project.qde linje {self.line}"
        return f"række {self.row}" if self.row else ""

    def problem(self, check: str, message: str, column: str | None = None, value: Any = None) -> ReadProblem:
        where = self.where()
        return ReadProblem(self.file, check, f"{where}: {message}" if where else message,
                           row=self.row if self.sheet or not self.line else None, column=column, value=value,
                           sheet=self.sheet)


@dataclass
class CodingTables:
    """A project as read: the canonical tables and, per table, the problems found."""

    kodebog: pd.DataFrame
    sager: pd.DataFrame
    kodning: pd.DataFrame
    source: Path | None = None
    problems: dict[str, list[ReadProblem]] = field(default_factory=lambda: {"kodebog": [], "sager": [], "kodning": []})

    def table(self, name: str) -> pd.DataFrame:
        found = self.problems.get(name) or []
        if found:
            raise ReadProblems.of(found)
        return getattr(self, name)


# ------------------------------------------------------------------------------- shared checks
def check_codebook(kb: pd.DataFrame, where: dict[str, Located] | None = None, file: str = "") -> list[ReadProblem]:
    """Problems in a codebook: ids, parents, value lists, groups."""
    where = where or {}
    problems: list[ReadProblem] = []
    ids = list(kb["kode"])
    seen: set[str] = set()
    for r in kb.itertuples(index=False):
        loc = where.get(r.kode, Located(file))
        if not isinstance(r.kode, str) or not _ID_RE.match(r.kode):
            problems.append(loc.problem("kode_id", f"kode-id {r.kode!r} må kun indeholde a-z, 0-9 og _", "kode", r.kode))
        if r.kode in seen:
            problems.append(loc.problem("kode_unik", f"koden {r.kode!r} står to gange i kodebogen", "kode", r.kode))
        seen.add(r.kode)
        if r.overkode and r.overkode not in ids:
            problems.append(loc.problem("overkode", f"overkoden {r.overkode!r} til {r.kode!r} findes ikke i kodebogen",
                                        "overkode", r.overkode))
        vals, labels = split(r.vaerdier), split(r.vaerdietiketter)
        if labels and len(labels) != len(vals):
            problems.append(loc.problem("vaerdietiketter", f"{r.kode}: {len(vals)} værdier men {len(labels)} etiketter",
                                        "vaerdietiketter", r.vaerdietiketter))
        for v in vals:
            if not _ID_RE.match(v):
                problems.append(loc.problem("vaerdi_id", f"{r.kode}: værdien {v!r} må kun indeholde a-z, 0-9 og _",
                                            "vaerdier", v))
        for m in split(r.omfatter):
            if m not in ids:
                problems.append(loc.problem("omfatter", f"{r.kode} omfatter {m!r}, som ikke findes i kodebogen",
                                            "omfatter", m))
    return problems


def check_sager(proj: Project, records: list[dict], locs: list[Located]) -> tuple[list[dict], list[ReadProblem]]:
    """Cases typed by the sager contract, each value checked (type, allowed values, range, empty);
    a case without kommune or responsible coder; the same case or kommune twice."""
    from .contracts import coerce_series

    contract = proj.sager_contract()
    problems: list[ReadProblem] = []
    out: list[dict] = []
    seen_sag: dict[str, Located] = {}
    seen_kommune: dict[int, tuple[str, Located]] = {}
    for rec, loc in zip(records, locs):
        typed: dict[str, Any] = {}
        for spec in contract.columns:
            raw = rec.get(spec.name)
            raw = None if raw is None or (isinstance(raw, str) and not raw.strip()) or raw is pd.NA \
                or (isinstance(raw, float) and pd.isna(raw)) else raw
            if spec.type == "bool" and isinstance(raw, str):
                raw = {"ja": True, "nej": False}.get(raw.strip().lower(), raw)
            if raw is None:
                if not spec.nullable:
                    what = {"kommunekode": "sagen har ingen kommune (kommunekode er tom)",
                            "koder": "sagen har ingen ansvarlig koder",
                            "sag": "rækken har ingen sag"}.get(spec.name, f"{spec.name} er tom")
                    check = {"kommunekode": "sag_uden_kommune", "koder": "mangler_koder"}.get(spec.name, "not_nullable")
                    problems.append(loc.problem(check, what, spec.name, None))
                typed[spec.name] = None
                continue
            v, bad = _coerce_value(raw, spec.type, coerce_series)
            if bad:
                problems.append(loc.problem(f"type:{spec.type}", f"{spec.name}: {raw!r} er ikke {_TYPE_DA[spec.type]}",
                                            spec.name, raw))
                typed[spec.name] = None
                continue
            if spec.allowed is not None and str(v) not in {str(a) for a in spec.allowed}:
                problems.append(loc.problem("ukendt_kategori", f"{spec.name}: {raw!r} er ikke en tilladt værdi "
                                            f"(tilladt: {', '.join(map(str, spec.allowed))})", spec.name, raw))
            if spec.range is not None and not (spec.range[0] <= v <= spec.range[1]):
                problems.append(loc.problem("in_range", f"{spec.name}: {raw!r} ligger uden for "
                                            f"{spec.range[0]}-{spec.range[1]}", spec.name, raw))
            if spec.pattern and not re.match(spec.pattern, str(v)):
                problems.append(loc.problem("str_matches", f"{spec.name}: {raw!r} har ikke formen {spec.pattern}",
                                            spec.name, raw))
            typed[spec.name] = v.item() if hasattr(v, "item") else v
        sag = typed.get("sag")
        if sag is not None:
            if sag in seen_sag:
                problems.append(loc.problem("sag_unik", f"sagen {sag!r} står to gange (også {seen_sag[sag].where()})",
                                            "sag", sag))
            seen_sag[sag] = loc
        k = typed.get("kommunekode")
        if proj.sag_er_kommune and k is not None and sag is not None:
            if k in seen_kommune:
                other, oloc = seen_kommune[k]
                problems.append(loc.problem("kommune_dobbelt", f"kommune {k} er kodet i to sager: {other!r} "
                                            f"({oloc.where()}) og {sag!r}", "kommunekode", k))
            else:
                seen_kommune[k] = (sag, loc)
        out.append(typed)
    return out, problems


def _coerce_value(raw: Any, ctype: str, coerce_series) -> tuple[Any, bool]:
    """One cell in its contract type: (value, could not be converted). Plain Python for the usual
    cases (a workbook's cells are already typed), the contract's own conversion otherwise."""
    if ctype == "string" and isinstance(raw, str):
        return raw.strip(), False
    if ctype == "int":
        if isinstance(raw, bool):
            return None, True
        if isinstance(raw, int):
            return raw, False
        if isinstance(raw, float):
            return (int(raw), False) if raw.is_integer() else (None, True)
        if isinstance(raw, str) and re.fullmatch(r"\s*-?\d+\s*", raw):
            return int(raw), False
    if ctype == "bool" and isinstance(raw, bool):
        return raw, False
    value, bad = coerce_series(pd.Series([raw], dtype=object), ctype)
    v = value.iloc[0]
    if bool(bad.iloc[0]) or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return None, True
    return (v.item() if hasattr(v, "item") else v), False


_TYPE_DA = {"int": "et heltal", "float": "et tal", "bool": "ja/nej", "date": "en dato (ÅÅÅÅ-MM-DD)", "string": "tekst"}


def check_codings(proj: Project, kb: pd.DataFrame, sager: pd.DataFrame, rows: list[dict], locs: list[Located],
                  case_locs: dict[str, Located] | None = None) -> list[ReadProblem]:
    """Problems in the codings, against the codebook and the cases."""
    book = Codebook(kb)
    # the analysis knows a categorical code's values from the project's standard codebook: a value
    # added to the delivered codebook (a typo made in the QDA program) is an unknown category
    standard = Codebook(proj.kodebog()) if proj.codes else None
    known = set(book.ids)
    codable = set(book.codable())
    cases = {str(r["sag"]): r for r in sager.to_dict("records") if r.get("sag") is not None}
    problems: list[ReadProblem] = []
    # (unit, coder, code) -> (value, location) for single-valued codes; unit = kommune or case
    single: dict[tuple, tuple[str, Located]] = {}
    coded: set[tuple] = set()
    per_row: set[tuple] = set()  # a template row without coder or case is one problem, not one per code
    for rec, loc in zip(rows, locs):
        sag, kode, vaerdi, koder = (_text(rec.get(c)) for c in ("sag", "kode", "vaerdi", "koder"))
        row_key = (loc.file, loc.sheet, loc.row, loc.line)
        if koder is None and ("koder", row_key) not in per_row:
            per_row.add(("koder", row_key))
            what = f"rækken for sagen {sag or '?'}" if loc.sheet else f"kodningen af {kode or '?'} i sagen {sag or '?'}"
            problems.append(loc.problem("mangler_koder", f"{what} har ingen koder", "koder", None))
        if sag is None or sag not in cases:
            if ("sag", row_key) not in per_row:
                per_row.add(("sag", row_key))
                problems.append(loc.problem("ukendt_sag", f"sagen {sag!r} findes ikke blandt sagerne", "sag", sag))
            continue
        if kode is None or kode not in known:
            problems.append(loc.problem("ukendt_kode", f"koden {kode!r} findes ikke i kodebogen", "kode", kode))
            continue
        if kode not in codable:
            problems.append(loc.problem("ikke_kodbar", f"{kode!r} er en gren i kodebogen og kan ikke kodes; kod en af "
                                        f"dens underkoder", "kode", kode))
            continue
        allowed = book.values(kode) or [PRESENT]
        if standard is not None and kode in standard.ids and standard.is_categorical(kode):
            allowed = [v for v in allowed if v in standard.values(kode)] or standard.values(kode)
        if vaerdi not in allowed:
            problems.append(loc.problem("ukendt_kategori", f"{kode}: {vaerdi!r} er ikke en tilladt værdi "
                                        f"(tilladt: {', '.join(allowed)})", kode, vaerdi))
            continue
        if rec.get("dato") is not None and not isinstance(rec.get("dato"), (dt.date, pd.Timestamp)):
            d = pd.to_datetime(pd.Series([rec.get("dato")]), errors="coerce", format="%Y-%m-%d").iloc[0]
            if pd.isna(d):
                problems.append(loc.problem("type:date", f"datoen {rec.get('dato')!r} er ikke ÅÅÅÅ-MM-DD", "dato",
                                            rec.get("dato")))
        if koder is None:
            continue
        coded.add((sag, koder, kode))
        if book.is_categorical(kode):
            k = cases[sag].get("kommunekode")
            unit = ("kommune", k) if proj.sag_er_kommune and k is not None else ("sag", sag)
            key = (unit, koder, kode)
            if key in single and single[key][0] != vaerdi:
                first, floc = single[key]
                who = f"kommune {k}" if unit[0] == "kommune" else f"sagen {sag!r}"
                problems.append(loc.problem("dobbelt_kodet", f"{who} er kodet to gange med forskellige værdier for "
                                            f"{kode} af {koder}: {first!r} ({floc.where()}) og {vaerdi!r}", kode, vaerdi))
            else:
                single.setdefault(key, (vaerdi, loc))
    for sag, case in cases.items():
        koder = case.get("koder")
        if koder is None:
            continue
        for kode in book.required():
            if (sag, koder, kode) not in coded:
                loc = (case_locs or {}).get(sag, Located(locs[0].file if locs else proj.fil))
                problems.append(loc.problem("mangler_kode", f"sagen {sag!r} mangler en værdi for {kode} fra den "
                                            f"ansvarlige koder {koder}", kode, None))
    return problems


# ---------------------------------------------------------------------------- the XLSX template
def _sheet_rows(ws) -> tuple[list[str], list[tuple[int, dict]]]:
    """(header ids of row 1, [(excel row, {id: value})] from row 3 on, empty rows skipped)."""
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        return [], []
    header = [_text(h) or "" for h in rows[0]]
    out = []
    for i, values in enumerate(rows[2:], start=3):
        rec = {h: v for h, v in zip(header, values) if h}
        if all(_text(v) is None for v in rec.values()):
            continue
        out.append((i, rec))
    return header, out


def read_template(path: Path, proj: Project) -> CodingTables:
    """Read a filled coding template (``hko-research template``) into the canonical tables."""
    from openpyxl import load_workbook

    path = Path(path)
    name = path.name
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not a workbook
        raise ReadProblem(name, "readable", f"filen kan ikke læses som en Excel-projektmappe: {exc}") from exc
    missing = [s for k, s in SHEETS.items() if k != "citater" and s not in wb.sheetnames]
    if missing:
        raise ReadProblem(name, "sheet_present", f"arket/arkene {', '.join(missing)} mangler; brug en skabelon fra "
                          f"`hko-research template {proj.name}`")
    tables = CodingTables(kodebog=pd.DataFrame(), sager=pd.DataFrame(), kodning=pd.DataFrame(), source=path)

    # Kodebog
    header, rows = _sheet_rows(wb[SHEETS["kodebog"]])
    kb_where: dict[str, Located] = {}
    recs = []
    for i, rec in rows:
        rec = {c: rec.get(c) for c in KODEBOG_COLUMNS}
        rec["kraevet"] = str(rec.get("kraevet") or "").strip().lower() in ("ja", "true", "1")
        recs.append(rec)
        kb_where[str(_text(rec["kode"]))] = Located(name, SHEETS["kodebog"], i)
    kb = canonical_kodebog(pd.DataFrame(recs, columns=list(KODEBOG_COLUMNS)))
    tables.kodebog = kb
    tables.problems["kodebog"] = check_codebook(kb, kb_where, name)
    book = Codebook(kb)

    # Sager
    header, rows = _sheet_rows(wb[SHEETS["sager"]])
    columns = proj.sager_contract().column_names()
    unknown = [h for h in header if h and h not in columns]
    for h in unknown:
        tables.problems["sager"].append(Located(name, SHEETS["sager"], 1).problem(
            "ukendt_kolonne", f"kolonnen {h!r} er ikke en attribut i {proj.inputs['sager']}", h, h))
    locs = [Located(name, SHEETS["sager"], i) for i, _ in rows]
    typed, problems = check_sager(proj, [r for _, r in rows], locs)
    tables.problems["sager"] += problems
    tables.sager = canonical_sager(typed, columns)
    case_locs = {str(r.get("sag")): loc for r, loc in zip(typed, locs)}

    # Kodning (wide) and Citater (long)
    header, rows = _sheet_rows(wb[SHEETS["kodning"]])
    codes = [h for h in header if h and h not in ROW_COLUMNS]
    for h in codes:
        if h not in book.ids:
            tables.problems["kodning"].append(Located(name, SHEETS["kodning"], 1).problem(
                "ukendt_kode", f"kolonnen {h!r} er ikke en kode i kodebogen (arket {SHEETS['kodebog']})", h, h))
    codes = [h for h in codes if h in book.ids]
    quotes: dict[tuple, list[tuple[int, dict]]] = {}
    if SHEETS["citater"] in wb.sheetnames:
        _, qrows = _sheet_rows(wb[SHEETS["citater"]])
        for i, q in qrows:
            key = (_text(q.get("sag")), _text(q.get("koder")), _text(q.get("kode")))
            quotes.setdefault(key, []).append((i, q))
    out_rows: list[dict] = []
    out_locs: list[Located] = []
    used: set[tuple] = set()
    for i, rec in rows:
        sag, koder = _text(rec.get("sag")), _text(rec.get("koder"))
        for kode in codes:
            raw = rec.get(kode)
            value = _cell_value(raw)
            if value is None or (value == ABSENT and not book.is_categorical(kode)):
                continue
            loc = Located(name, SHEETS["kodning"], i)
            key = (sag, koder, kode)
            qs = quotes.get(key)
            if qs:
                used.add(key)
                for _, q in qs:
                    out_rows.append({"sag": sag, "kode": kode, "vaerdi": value, "koder": koder,
                                     "kilde": q.get("kilde"), "citat": q.get("citat"), "dato": _date(q.get("dato"))})
                    out_locs.append(loc)
            else:
                out_rows.append({"sag": sag, "kode": kode, "vaerdi": value, "koder": koder,
                                 "kilde": rec.get("kilde"), "citat": None, "dato": _date(rec.get("dato"))})
                out_locs.append(loc)
    for key, qs in quotes.items():
        if key not in used:
            for qi, _ in qs:
                tables.problems["kodning"].append(Located(name, SHEETS["citater"], qi).problem(
                    "citat_uden_kodning", f"citatet hører til {key[2]!r} i sagen {key[0]!r} ({key[1]}), men den kode er "
                    f"ikke sat i arket {SHEETS['kodning']}", "kode", key[2]))
    tables.problems["kodning"] += check_codings(proj, kb, tables.sager, out_rows, out_locs, case_locs)
    tables.kodning = canonical_kodning(out_rows)
    return tables


def _cell_value(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, bool):
        return PRESENT if raw else ABSENT
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return _text(raw)


def _date(v: Any):
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, (dt.datetime, dt.date)):
        return pd.Timestamp(v).normalize()
    return v  # text: checked (and converted) later


def write_template(proj: Project, path: Path, tables: CodingTables | None = None, *,
                   kodebog: pd.DataFrame | None = None) -> Path:
    """Write the coding template for ``proj`` (empty, or filled with ``tables``).

    Sheets: Vejledning, Sager (the cases and their attributes), Kodning (one row per case and
    coder, one column per code), Citater (quotes and sources per coding, optional), Kodebog, and
    a hidden Lister sheet with the allowed values every drop-down list refers to. Bytes are the
    same on every run.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from ..xlsx import deterministic_xlsx

    kb = tables.kodebog if tables is not None else (kodebog if kodebog is not None else proj.kodebog())
    book = Codebook(kb)
    contract = proj.sager_contract()
    bold, label_font = Font(bold=True), Font(italic=True, color="555555")
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    last = 2000  # rows with drop-down lists

    wb = Workbook()
    guide = wb.active
    guide.title = "Vejledning"
    lister = wb.create_sheet("Lister")
    lister.sheet_state = "hidden"
    list_col = [0]

    def list_ref(values: list[str]) -> str:
        list_col[0] += 1
        col = get_column_letter(list_col[0])
        for r, v in enumerate(values, start=1):
            lister.cell(row=r, column=list_col[0], value=v)
        return f"=Lister!${col}$1:${col}${len(values)}"

    def drop_down(ws, col: int, values: list[str], prompt: str):
        dv = DataValidation(type="list", formula1=list_ref(values), allow_blank=True, showErrorMessage=True,
                            errorTitle="Ugyldig værdi", error="Vælg en værdi fra listen (se arket Kodebog).",
                            promptTitle=prompt[:32], prompt=", ".join(values)[:255], showInputMessage=True)
        letter = get_column_letter(col)
        dv.add(f"{letter}3:{letter}{last}")
        ws.add_data_validation(dv)

    def header(ws, ids: list[str], labels: list[str]):
        for j, (c, lab) in enumerate(zip(ids, labels), start=1):
            h = ws.cell(row=1, column=j, value=c)
            h.font, h.fill = bold, head_fill
            lab_cell = ws.cell(row=2, column=j, value=lab)
            lab_cell.font = label_font
            lab_cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions[get_column_letter(j)].width = max(12, min(40, len(c) + 4))
        ws.freeze_panes = "B3"

    # Sager
    sager_ws = wb.create_sheet(SHEETS["sager"])
    cols = contract.column_names()
    header(sager_ws, cols, [contract.column(c).label for c in cols])
    for j, c in enumerate(cols, start=1):
        spec = contract.column(c)
        if spec.allowed is not None:
            drop_down(sager_ws, j, [str(a) for a in spec.allowed], spec.label)
        elif spec.type == "bool":
            drop_down(sager_ws, j, ["ja", "nej"], spec.label)
        elif spec.type == "int":
            dv = DataValidation(type="whole", allow_blank=True, showErrorMessage=True, error="Skriv et heltal.")
            lo, hi = spec.range if spec.range is not None else (-(10 ** 9), 10 ** 9)
            dv.formula1, dv.formula2, dv.operator = str(lo), str(hi), "between"
            dv.add(f"{get_column_letter(j)}3:{get_column_letter(j)}{last}")
            sager_ws.add_data_validation(dv)
    sager_rows: list[dict] = []
    if tables is not None:
        sager_rows = tables.sager.to_dict("records")
    elif proj.sag_er_kommune:
        from ..kommuner import casekommuner, kommune_navn

        sager_rows = [{"sag": kommune_navn(k), "kommunekode": k} for k in casekommuner()]
    for i, rec in enumerate(sager_rows, start=3):
        for j, c in enumerate(cols, start=1):
            v = rec.get(c)
            if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
                continue
            if contract.column(c).type == "bool":
                v = "ja" if bool(v) else "nej"
            sager_ws.cell(row=i, column=j, value=v.item() if hasattr(v, "item") else v)

    # Kodning (wide)
    kod_ws = wb.create_sheet(SHEETS["kodning"])
    codes = book.codable()
    labels = ["Sag (fra arket Sager)", "Koder (initialer)", "Kilde (dokument, interview, fokusgruppe)", "Dato (ÅÅÅÅ-MM-DD)"]
    header(kod_ws, [*ROW_COLUMNS, *codes], [*labels, *(book.label(c) for c in codes)])
    drop_down(kod_ws, 1, [str(r["sag"]) for r in sager_rows] or ["(udfyld arket Sager)"], "Sag")
    dv = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True, showErrorMessage=True,
                        error="Skriv en dato (ÅÅÅÅ-MM-DD).")
    dv.add(f"D3:D{last}")
    kod_ws.add_data_validation(dv)
    for j, c in enumerate(codes, start=len(ROW_COLUMNS) + 1):
        values = book.values(c) or [PRESENT, ABSENT]
        drop_down(kod_ws, j, values, book.label(c))
        r = book.row(c)
        note = book.label(c) + (f"\n{r['beskrivelse']}" if isinstance(r["beskrivelse"], str) else "")
        kod_ws.cell(row=1, column=j).comment = Comment(note[:500], "hko-research")
        kod_ws.cell(row=2, column=j).alignment = Alignment(wrap_text=True, vertical="top", text_rotation=0)
    quotes: list[dict] = []
    if tables is not None:
        wide, quotes = _wide_rows(tables.kodning, codes)
        for i, rec in enumerate(wide, start=3):
            for j, c in enumerate([*ROW_COLUMNS, *codes], start=1):
                v = rec.get(c)
                if v is None:
                    continue
                cell = kod_ws.cell(row=i, column=j, value=v)
                if c == "dato":
                    cell.number_format = "yyyy-mm-dd"

    # Citater
    cit_ws = wb.create_sheet(SHEETS["citater"])
    header(cit_ws, list(CITAT_COLUMNS), ["Sag", "Koder", "Kode (kolonne i Kodning)", "Citat (den kodede passage)",
                                         "Kilde", "Dato (ÅÅÅÅ-MM-DD)"])
    drop_down(cit_ws, 3, codes, "Kode")
    for i, q in enumerate(quotes, start=3):
        for j, c in enumerate(CITAT_COLUMNS, start=1):
            if q.get(c) is not None:
                cell = cit_ws.cell(row=i, column=j, value=q[c])
                if c == "dato":
                    cell.number_format = "yyyy-mm-dd"
    cit_ws.column_dimensions["D"].width = 80

    # Kodebog
    kb_ws = wb.create_sheet(SHEETS["kodebog"])
    header(kb_ws, list(KODEBOG_COLUMNS), ["Kode (id)", "Etiket", "Overkode", "Tilladte værdier (|)", "Værdiernes etiketter (|)",
                                          "Kræves for hver sag (ja/nej)", "Omfatter koderne (|)", "Beskrivelse"])
    for i, rec in enumerate(kb.to_dict("records"), start=3):
        for j, c in enumerate(KODEBOG_COLUMNS, start=1):
            v = rec[c]
            if c == "kraevet":
                v = "ja" if v else "nej"
            if v is not None:
                kb_ws.cell(row=i, column=j, value=v)
    kb_ws.column_dimensions["B"].width = 60

    guide["A1"] = f"Kodeskabelon: {proj.title}"
    guide["A1"].font = Font(bold=True, size=13)
    for r, line in enumerate(_GUIDE.format(fil=proj.fil, projekt=proj.name).strip().splitlines(), start=3):
        guide.cell(row=r, column=1, value=line)
    guide.column_dimensions["A"].width = 110

    from datetime import datetime

    wb.properties.creator = "hko-research"
    wb.properties.created = datetime(2000, 1, 1)
    import io

    buf = io.BytesIO()
    wb.save(buf)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(deterministic_xlsx(buf.getvalue()))
    return path


_GUIDE = """
Arket Sager: én række pr. sag (kommune eller interview) med kommunekode, ansvarlig koder og attributter.
Arket Kodning: én række pr. sag og koder; én kolonne pr. kode. Kategoriske koder: vælg én værdi fra listen.
  Øvrige koder: »ja« når koden er til stede (tom eller »nej« = ikke kodet).
  Den ansvarlige koders kodning bruges i analysen; en anden koders række for samme sag måler reliabiliteten.
Arket Citater (valgfrit): citater og kilder til en kodning (sag, koder, kode som i arket Kodning).
Arket Kodebog: koderne, deres etiketter og tilladte værdier. Nye koder: tilføj en række her og en kolonne i Kodning.
Rullelisterne gælder kun indtastning; indsatte værdier kontrolleres igen, når filen læses.
Gem filen som {fil}.xlsx i datamappen og kør `hko-research validate`; fejl nævnes med ark, række og værdi.
Ny tom skabelon: `hko-research template {projekt} --out {fil}.xlsx`.
"""


def _wide_rows(kodning: pd.DataFrame, codes: list[str]) -> tuple[list[dict], list[dict]]:
    """Canonical codings -> template rows (one per case and coder) and Citater rows.

    A row carries kilde and dato when all its codings share them and none has a quote or a
    second coding of the same code; every other coding is written to Citater, so reading the
    template back gives the same canonical table.
    """
    wide: list[dict] = []
    quotes: list[dict] = []
    k = kodning.copy()
    for (sag, koder), g in k.groupby(["sag", "koder"], sort=True, dropna=False):
        row: dict[str, Any] = {"sag": sag, "koder": koder}
        kilder = {(_text(x)) for x in g["kilde"]}
        datoer = {None if pd.isna(x) else pd.Timestamp(x) for x in g["dato"]}
        simple = len(kilder) == 1 and len(datoer) == 1 and g["citat"].isna().all() and not g["kode"].duplicated().any()
        if simple:
            row["kilde"] = next(iter(kilder))
            d = next(iter(datoer))
            row["dato"] = d.to_pydatetime() if d is not None else None
        for r in g.itertuples(index=False):
            row[r.kode] = r.vaerdi
            if not simple:
                quotes.append({"sag": sag, "koder": koder, "kode": r.kode, "citat": _text(r.citat), "kilde": _text(r.kilde),
                               "dato": None if pd.isna(r.dato) else pd.Timestamp(r.dato).to_pydatetime()})
        wide.append(row)
    return wide, quotes


# ------------------------------------------------------------------- the analysis coding, reliability
def analysis_coding(kodning: pd.DataFrame, sager: pd.DataFrame) -> pd.DataFrame:
    """The codings the analysis uses: each case's responsible coder's (``sager.koder``)."""
    resp = sager[["sag", "koder"]].rename(columns={"koder": "_ansvarlig"})
    k = kodning.merge(resp, on="sag", how="inner")
    return k.loc[k["koder"] == k["_ansvarlig"]].drop(columns="_ansvarlig").reset_index(drop=True)


def case_values(kodning: pd.DataFrame, kodebog: pd.DataFrame) -> pd.DataFrame:
    """One row per (sag, koder, kode) with the case-level value: a categorical code's value, or
    ``ja`` when a presence code was coded anywhere in the case (several passages count once)."""
    book = Codebook(kodebog)
    codable = set(book.codable())
    k = kodning.loc[kodning["kode"].isin(codable)]
    return k.drop_duplicates(["sag", "koder", "kode"])[["sag", "koder", "kode", "vaerdi"]].reset_index(drop=True)


def double_coded_pairs(kodning: pd.DataFrame, kodebog: pd.DataFrame, sager: pd.DataFrame) -> pd.DataFrame:
    """The judgements of every case coded by its responsible coder and by another coder: one row
    per (case, second coder, codable code) with both values; a presence code not coded is ``nej``,
    a categorical code not coded is ``(ikke kodet)``. Columns: sag, kode, familie, koder_a
    (responsible), koder_b, vaerdi_a, vaerdi_b."""
    book = Codebook(kodebog)
    vals = case_values(kodning, kodebog)
    resp = dict(zip(sager["sag"], sager["koder"]))
    rows = []
    for sag, g in vals.groupby("sag", sort=True):
        a = resp.get(sag)
        coders = sorted(set(g["koder"]) - {a})
        if a is None or a not in set(g["koder"]) or not coders:
            continue
        va = dict(zip(g.loc[g["koder"] == a, "kode"], g.loc[g["koder"] == a, "vaerdi"]))
        for b in coders:
            vb = dict(zip(g.loc[g["koder"] == b, "kode"], g.loc[g["koder"] == b, "vaerdi"]))
            for kode in book.codable():
                missing = "(ikke kodet)" if book.is_categorical(kode) else ABSENT
                rows.append({"sag": sag, "kode": kode, "familie": book.family(kode), "koder_a": a, "koder_b": b,
                             "vaerdi_a": va.get(kode, missing), "vaerdi_b": vb.get(kode, missing)})
    return pd.DataFrame(rows, columns=["sag", "kode", "familie", "koder_a", "koder_b", "vaerdi_a", "vaerdi_b"])


def reliability_by_family(kodning: pd.DataFrame, kodebog: pd.DataFrame, sager: pd.DataFrame) -> pd.DataFrame:
    """Agreement and Cohen's kappa per code family over the double-coded cases (plus "I alt"):
    familie, kodefamilie (label), sager, vurderinger, enighed, kappa. Empty when no case was coded
    twice."""
    from ..stats.reliability import reliability_table

    pairs = double_coded_pairs(kodning, kodebog, sager)
    cols = ["familie", "kodefamilie", "sager", "vurderinger", "enighed", "kappa"]
    if pairs.empty:
        return pd.DataFrame(columns=cols)
    book = Codebook(kodebog)
    out = reliability_table(pairs, by="familie")
    out["kodefamilie"] = [("I alt" if f == "I alt" else book.label(f)) for f in out["familie"]]
    return out[cols]


@dataclass
class CodedCases:
    """The analysis frames of one coding project: codebook, cases, codings and ``wide`` (one row
    per case with its attributes and its responsible coder's value of every codable code).
    Delanalyse 1 (a case = a casekommune) and 4 (a case = an interview) extend it."""

    P: Any
    kodebog: pd.DataFrame
    sager: pd.DataFrame
    kodning: pd.DataFrame
    wide: pd.DataFrame

    def __post_init__(self):
        self.book = Codebook(self.kodebog)

    def levels(self) -> list[tuple[str, pd.DataFrame]]:
        """[(niveau, cases)]: the selected casekommuner's cases (when some but not all casekommuner
        are selected) and all cases."""
        from ..levels import case_levels

        return case_levels(self.wide, self.P)


def reliability_per_level(data: CodedCases, cases_column: str) -> pd.DataFrame:
    """Per level of ``data``: agreement and Cohen's kappa per code family of the cases a second
    coder coded too; ``cases_column`` names the count of double-coded cases (``kommuner`` when a
    case is a kommune, ``n`` when it is a person)."""
    rows = []
    for niveau, cases in data.levels():
        sager = data.sager.loc[data.sager["sag"].isin(cases["sag"])]
        kod = data.kodning.loc[data.kodning["sag"].isin(sager["sag"])]
        t = reliability_by_family(kod, data.kodebog, sager)
        if t.empty:
            continue
        t = t.rename(columns={"sager": cases_column})
        t.insert(0, "niveau", niveau)
        rows.append(t)
    cols = ["niveau", "familie", "kodefamilie", cases_column, "vurderinger", "enighed", "kappa"]
    return pd.concat(rows, ignore_index=True)[cols] if rows else pd.DataFrame(columns=cols)


def checked_tables(proj: Project, sager: pd.DataFrame, kodning: pd.DataFrame) -> CodingTables:
    """A generator's cases and codings as the canonical tables, with the cases checked by the same
    rules as a delivered file (a generator bug fails here, not in a user's validation report)."""
    typed, problems = check_sager(proj, sager.to_dict("records"), [Located("synth")] * len(sager))
    if problems:  # pragma: no cover - guards the generators
        raise ValueError(problems)
    return CodingTables(kodebog=proj.kodebog(), sager=canonical_sager(typed, list(sager.columns)), kodning=kodning)
