"""Publisher: the only way notebooks save tables, figures and reproduction values.

    pub = Publisher.for_notebook(params, "03_hjaelpemidler")
    shown = pub.table(df, "tabel_13_bevillinger_koen", title="Tabel 13 ...", sums=[["ordning"]])
    fig = plots.bar_chart(shown, ...)
    pub.figure(fig, "figur_32_fastholdelse", source=shown)
    pub.reproduce("d3_tabel13_andel_mand", 0.43)
    pub.finish()

Every table goes through :func:`hko_research.publishing.disclosure.protect_table`; a figure is only saved when
its source frame is a protected frame. Outputs from synthetic data say so visibly (a
``datagrundlag`` column, an XLSX note, a figure footer). Files are written atomically and
byte-for-byte reproducibly (SVG/PNG without dates, fixed SVG hash salt, fixed font).
"""
from __future__ import annotations

import csv
import io
import json
import math
import numbers
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any, Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd

from ..inputs.dataset import SYNTHETIC_LABEL
from ..paths import WEAK_CELLS_FILE
from ..xlsx import deterministic_xlsx
from . import disclosure, plots
from .disclosure import DisclosureError, count_columns  # noqa: F401  (re-exported)
from .labels import NOT_APPLICABLE as L_NOT_APPLICABLE
from .labels import SUPPRESSED as L_SUPPRESSED

__all__ = ["Publisher", "TABLE_NAME_RE", "count_columns", "check_name", "SYNTHETIC_NOTE", "SUPPRESSED_MARK", "styled",
           "display_frame", "table_html", "read_table"]

# "p" numbers the puljeevaluering's own tables (tabel_p1_...), outside the report's numbering.
TABLE_NAME_RE = re.compile(r"^(?:(?:tabel|figur)_p?\d+[a-z]?_[a-z0-9_]+|(?:bilag|kort|trend)_[a-z0-9_]+)$")
SYNTHETIC_NOTE = "Syntetiske data – ikke rigtige registerdata"
# under a figure the bold label already says "Syntetiske data"; the small line only explains it
SYNTHETIC_FIGURE_DETAIL = "Ikke rigtige registerdata; kalibreret til rapportens offentliggjorte tal"
SYNTHETIC_COLUMN = "datagrundlag"
SVG_HASHSALT = "hko-research"
# 12 significant digits: every published number keeps its precision, float noise from sums of
# kroner or shares (1478139.0000000002) does not reach the file.
CSV_FLOAT_FORMAT = "%.12g"
_FOOTER_GID = "hko-footer"
AUDIT_ENV = "HKO_DISCLOSURE_AUDIT"
# PNG text chunk recording the layout check of a saved figure ("ok" or the overlapping texts).
LAYOUT_KEY = "hko-layout"


def check_name(name: str) -> str:
    """Output names follow the report's numbering: ``tabel_13_...``, ``figur_32b_...``,
    ``bilag_...``, ``kort_...``, ``trend_...`` (lower case, digits, underscores)."""
    if not isinstance(name, str) or not TABLE_NAME_RE.match(name):
        raise ValueError(
            f"output name {name!r} does not follow the report's numbering; use e.g. 'tabel_13_koen', "
            f"'figur_32b_fastholdelse', 'bilag_...', 'kort_...' or 'trend_...' (pattern {TABLE_NAME_RE.pattern})"
        )
    return name


# A masked cell in the files (CSV, XLSX): text, so no reader takes it for zero or for "no value";
# an empty cell means not applicable. Read back with ``read_table(path)`` (or na_values=[SUPPRESSED_MARK]).
SUPPRESSED_MARK = "undertrykt"
# Display: wider tables are shown in parts (key columns repeated); longer ones folded.
DISPLAY_WIDTH_PX = 1250
FOLD_ROWS = 40
_CHAR_PX = 7.2
_CELL_PAD_PX = 18
_TH_MAX_PX = 176  # th max-width 11rem
_TD_MAX_PX = 288  # td max-width 18rem


def _marks_note(df: pd.DataFrame, *, page: bool) -> str:
    """The sentence explaining the table's empty cells (only the marks it uses)."""
    info = df.attrs.get("disclosure") or {}
    shown = df.drop(columns=[SYNTHETIC_COLUMN], errors="ignore")
    masked = disclosure.masked_cells(shown).to_numpy().any()
    numeric = [c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c])]
    empty = (shown[numeric].isna() & ~disclosure.masked_cells(shown)[numeric]).to_numpy().any() if numeric else False
    parts = []
    if masked:
        mark = L_SUPPRESSED if page else f"»{SUPPRESSED_MARK}«"
        parts.append(f"{mark}: undertrykt af hensyn til diskretionen (færre end {info.get('min_cell_size', 5)} "
                     "personer, eller tallet ville kunne regnes tilbage fra andre publicerede tal).")
    if empty:
        mark = L_NOT_APPLICABLE if page else "Tom celle"
        parts.append(f"{mark}: ikke relevant eller ingen oplysning.")
    return " ".join(parts)


def display_frame(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The reader's version of a published table: Danish headers and category labels (the label
    dictionary), numbers written by kind, "·" for suppressed and "–" for not applicable cells.
    Returns the frame of strings and the kinds of its columns ("text" for category columns)."""
    from .labels import labels

    lab = labels()
    shown = df.drop(columns=[SYNTHETIC_COLUMN], errors="ignore").reset_index(drop=not _has_index(df))
    masked = disclosure.masked_cells(df.drop(columns=[SYNTHETIC_COLUMN], errors="ignore"))
    if _has_index(df):
        masked = masked.reset_index(drop=True)
        masked.insert(0, "_idx", False)
        masked = masked.iloc[:, 1:].reindex(columns=shown.columns, fill_value=False)
    masked = masked.reset_index(drop=True).reindex(columns=shown.columns, fill_value=False)
    out, kinds = {}, []
    for col in shown.columns:
        s = shown[col]
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        kind = lab.kind(col) if numeric else "text"
        if numeric and kind == "text":
            vals = [L_NOT_APPLICABLE if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v)) for v in s]
        elif numeric:
            vals = [(L_SUPPRESSED if m else L_NOT_APPLICABLE) if pd.isna(v) else lab.format(v, kind)
                    for v, m in zip(s.tolist(), masked[col].tolist())]
        else:
            vals = [L_NOT_APPLICABLE if (v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA)
                    else str(lab.value(v, str(col))) for v in s.tolist()]
        header = lab.header(col, unit=numeric)
        while header in out:  # two codes with one label: keep both columns
            header += " "
        out[header] = vals
        kinds.append(kind)
    return pd.DataFrame(out), kinds


def _has_index(df: pd.DataFrame) -> bool:
    return not (isinstance(df.index, pd.RangeIndex) and df.index.names == [None])


def styled(df: pd.DataFrame, *, caption: str | None = None):
    """A pandas Styler of :func:`display_frame` (Danish labels, numbers by kind, marks), no index."""
    frame, kinds = display_frame(df)
    styler = frame.style.hide(axis="index")
    styler = styler.set_table_attributes('class="hko-tabel"')
    nums = [c for c, k in zip(frame.columns, kinds) if k != "text"]
    if nums:
        styler = styler.set_properties(subset=nums, **{"text-align": "right"})
    if caption:
        styler = styler.set_caption(caption)
    return styler


def _column_widths(frame: pd.DataFrame, kinds: list[str]) -> list[float]:
    """Estimated rendered width of each column: headers wrap at spaces (at most TH_MAX_PX), text
    cells wrap at TD_MAX_PX, numbers do not wrap (the page's CSS: templates/hko_notebook.html.j2)."""
    out = []
    for col, kind in zip(frame.columns, kinds):
        head = min(max((len(w) for w in str(col).split()), default=1) * _CHAR_PX, _TH_MAX_PX)
        vals = max((len(v) for v in frame[col].astype(str)), default=1) * _CHAR_PX
        if kind == "text":
            vals = min(vals, _TD_MAX_PX)
        out.append(max(head, vals) + _CELL_PAD_PX)
    return out


def split_columns(frame: pd.DataFrame, kinds: list[str], budget: float = DISPLAY_WIDTH_PX) -> list[list[int]]:
    """Column positions of each part a wide table is shown in; the category (text) columns that
    identify a row are repeated in every part."""
    widths = _column_widths(frame, kinds)
    if sum(widths) <= budget:
        return [list(range(len(widths)))]
    keys = [i for i, k in enumerate(kinds) if k == "text"]
    ident = []
    for i in keys:  # the fewest leading category columns that tell the rows apart
        ident.append(i)
        if not frame.iloc[:, ident].duplicated().any():
            break
    rest = [i for i in range(len(widths)) if i not in ident]
    base = sum(widths[i] for i in ident)
    parts, cur, used = [], [], base
    for i in rest:
        if cur and used + widths[i] > budget:
            parts.append(ident + cur)
            cur, used = [], base
        cur.append(i)
        used += widths[i]
    if cur:
        parts.append(ident + cur)
    return parts


def table_html(df: pd.DataFrame, *, title: str | None = None, note: str | None = None) -> str:
    """The HTML a page shows for a published table: caption, the table (in parts when it is wider
    than the page, folded when long), and the note with the marks it uses."""
    import html as _html

    frame, kinds = display_frame(df)
    parts = split_columns(frame, kinds)
    blocks = []
    for p, cols in enumerate(parts, 1):
        head = "".join(f"<th>{_html.escape(str(frame.columns[i]))}</th>" for i in cols)
        body = []
        for r in range(len(frame)):
            cells = []
            for i in cols:
                v = frame.iat[r, i]
                cls = ' class="num"' if kinds[i] != "text" else ""
                if v in (L_SUPPRESSED, L_NOT_APPLICABLE):
                    cls = f' class="{"num " if kinds[i] != "text" else ""}mark"'
                    tip = "undertrykt" if v == L_SUPPRESSED else "ikke relevant"
                    cells.append(f'<td{cls} title="{tip}">{v}</td>')
                else:
                    cells.append(f"<td{cls}>{_html.escape(str(v))}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        cap = title or ""
        if len(parts) > 1:
            cap = f"{cap} ({p}. del af {len(parts)})"
        caption = f"<caption>{_html.escape(cap)}</caption>" if cap else ""
        blocks.append(f'<table class="hko-tabel">{caption}<thead><tr>{head}</tr></thead>'
                      f'<tbody>{"".join(body)}</tbody></table>')
    tables = "".join(blocks)
    if len(frame) > FOLD_ROWS:
        summary = _html.escape(f"{title or 'Tabel'} – {plots.fmt_num(len(frame))} rækker (klik for at vise)")
        tables = f'<details class="hko-fold"><summary>{summary}</summary>{tables}</details>'
    notes = " ".join(x for x in (note or "", _marks_note(df, page=True)) if x)
    note_html = f'<p class="hko-note">Anm.: {_html.escape(notes)}</p>' if notes else ""
    return f'<div class="hko-tabel-blok">{tables}{note_html}</div>'


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _integral_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Counts made float by masking are written as whole numbers (empty where masked)."""
    out = df
    for c in count_columns(df):
        s = df[c]
        if pd.api.types.is_float_dtype(s.dtype):
            vals = s.dropna()
            if (vals == np.round(vals)).all():
                if out is df:
                    out = df.copy()
                out[c] = s.astype("Int64")
    return out


def _csv_bytes(df: pd.DataFrame, *, index: bool) -> bytes:
    """CSV of a published table: codes and raw numbers, SUPPRESSED_MARK in masked cells, an empty
    cell where there is no value."""
    out = _integral_counts(df)
    masked = disclosure.masked_cells(df)
    cols = [c for c in df.columns if masked[c].any()]
    if cols:
        out = out.copy()
        for c in cols:
            s = out[c]
            text = [SUPPRESSED_MARK if m else ("" if pd.isna(v) else (CSV_FLOAT_FORMAT % v if isinstance(v, float) else str(v)))
                    for v, m in zip(s.tolist(), masked[c].tolist())]
            out[c] = pd.Series(text, index=out.index, dtype=object)
    return out.to_csv(index=index, sep=",", decimal=".", lineterminator="\n",
                      float_format=CSV_FLOAT_FORMAT).encode("utf-8")


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a published CSV back: SUPPRESSED_MARK and empty cells are NaN, numbers are numbers;
    ``attrs["suppressed"]`` is a boolean frame of the suppressed cells."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    suppressed = raw == SUPPRESSED_MARK
    df = pd.read_csv(path, na_values=[SUPPRESSED_MARK], keep_default_na=True)
    df.attrs["suppressed"] = suppressed
    return df


def _plain_float(value: Any) -> float:
    if value is None or value is pd.NA or value is pd.NaT:
        return float("nan")
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("reproduction values must be numbers, not booleans")
    if isinstance(value, (numbers.Real, np.floating, np.integer)):
        return float(value)
    raise TypeError(f"reproduction values must be plain numbers, not {type(value).__name__}: {value!r}")


class Publisher:
    """Writes a notebook's tables (CSV+XLSX), figures (PNG+SVG) and reproduction values."""

    def __init__(self, out_dir, *, notebook: str, min_cell_size: int = 5, synthetic: bool = False,
                 seed: int | None = None):
        if not notebook or not isinstance(notebook, str):
            raise ValueError("Publisher needs the notebook name, e.g. '03_hjaelpemidler'")
        self.out_dir = Path(out_dir)
        self.notebook = Path(notebook).stem
        self.min_cell_size = int(min_cell_size)
        self.synthetic = bool(synthetic)
        self.seed = seed
        self.tables_dir = self.out_dir / "tables"
        self.figures_dir = self.out_dir / "figures"
        self.reproduction_dir = self.out_dir / "reproduction"
        self.written: list[Path] = []
        self._values: dict[str, float] = {}
        # what this notebook's tables published so far: every table is protected against it
        self.ledger = disclosure.DisclosureLedger()
        self.weak_cells: dict[str, list] = {}
        plots.set_theme()

    @classmethod
    def for_notebook(cls, params, notebook: str) -> "Publisher":
        """Publisher for a run: ``params`` is a validated :class:`hko_research.params.RunParams`."""
        seed = None
        if params.synthetic:
            try:
                from ..inputs.dataset import load_dataset_info
                seed = load_dataset_info(params.data_dir).seed
            except Exception:  # the seed only decorates notes
                seed = None
        return cls(params.output_dir, notebook=notebook, min_cell_size=params.min_cell_size,
                   synthetic=params.synthetic, seed=seed)

    # -- tables ----------------------------------------------------------------------------

    @property
    def _seed_suffix(self) -> str:
        return f" (seed {self.seed})" if self.seed is not None else ""

    @property
    def synthetic_note(self) -> str:
        return SYNTHETIC_NOTE + self._seed_suffix

    def _note_text(self, note: str | None, info: Mapping[str, Any]) -> str:
        """The table's note (synthetic-data label and the analysis's note); the sentence on marks is
        added where the table is shown or written, each with its own marks."""
        parts = []
        if self.synthetic:
            parts.append(self.synthetic_note + ".")
        if note:
            n = note.strip()
            parts.append(n if n.endswith((".", "!", "?", ":")) else n + ".")
        return " ".join(parts)

    def table(self, df: pd.DataFrame, name: str, *, title: str, note: str | None = None, basis=None,
              sums=None, basis_counts=None, index: bool = False, keys: Sequence[str] | None = None,
              complement: Sequence[tuple[str, str, str]] | None = None) -> pd.DataFrame:
        """Protect ``df``, write ``tables/<name>.csv`` and ``.xlsx``; return the protected frame.

        The files keep codes and raw numbers (shares as fractions); a suppressed cell holds
        :data:`SUPPRESSED_MARK`, a not-applicable cell is empty."""
        check_name(name)
        if not title:
            raise ValueError("table(): a Danish title is required")
        with warnings.catch_warnings():
            # recorded for the run's index (and the output check), not printed on the reader's page
            warnings.simplefilter("ignore", disclosure.DisclosureWarning)
            protected = disclosure.protect_table(
                df, min_cell_size=self.min_cell_size, basis=basis, sums=sums, basis_counts=basis_counts, keys=keys,
                complement=complement, ledger=self.ledger, name=name,
            )
        self._record_weak_cells(name, protected.attrs["disclosure"].get("unresolved_cells") or [])
        self._audit(name, df, protected, dict(basis=basis, sums=sums, basis_counts=basis_counts, keys=keys,
                                              complement=complement))
        info = dict(protected.attrs["disclosure"])
        if self.synthetic:
            protected = protected.copy()
            protected[SYNTHETIC_COLUMN] = SYNTHETIC_LABEL
            protected.attrs = {}
            disclosure._mark(protected, info)
        note_text = self._note_text(note, info)
        protected.attrs["title"] = title
        protected.attrs["note"] = note_text
        disclosure._mark(protected, info)

        file_note = " ".join(x for x in (note_text, _marks_note(protected, page=False)) if x)
        csv_path = self.tables_dir / f"{name}.csv"
        _atomic_write_bytes(csv_path, _csv_bytes(protected, index=index))
        xlsx_path = self.tables_dir / f"{name}.xlsx"
        _atomic_write_bytes(xlsx_path, self._xlsx_bytes(protected, title=title, note=file_note, index=index))
        self.written += [csv_path, xlsx_path]
        return protected

    def _record_weak_cells(self, name: str, cells: list) -> None:
        """Keep ``<out>/beskyttelse.json``: per table, the masked cells it could not protect because
        totals published in earlier tables fix them. The runner lists them on the index as a warning
        for whoever checks the output before it leaves the research server."""
        if not cells:
            return
        self.weak_cells[name] = cells
        body = json.dumps(self.weak_cells, indent=2, ensure_ascii=False) + "\n"
        _atomic_write_bytes(self.out_dir / WEAK_CELLS_FILE, body.encode("utf-8"))

    def _audit(self, name: str, truth: pd.DataFrame, protected: pd.DataFrame, kwargs: dict) -> None:
        """Test hook: with ``$HKO_DISCLOSURE_AUDIT`` set, a run on *synthetic* data also keeps each
        table's unprotected and protected frame there (outside the run folder), so a test can attack
        the published tables knowing the truth. Never on real data."""
        audit = os.environ.get(AUDIT_ENV)
        if not audit or not self.synthetic:
            return
        import pickle

        path = Path(audit) / self.notebook / f"{name}.pkl"
        _atomic_write_bytes(path, pickle.dumps({"truth": truth, "protected": protected, "kwargs": kwargs,
                                                "order": len(self.ledger.tables)}))

    @staticmethod
    def show(df: pd.DataFrame) -> None:
        """Display a published table in the notebook: title, the table in Danish, note and marks."""
        from IPython.display import HTML, display

        display(HTML(table_html(df, title=df.attrs.get("title"), note=df.attrs.get("note"))))

    @staticmethod
    def _xlsx_bytes(df: pd.DataFrame, *, title: str, note: str, index: bool) -> bytes:
        """Sheet "Tabel": title, note, Danish headers (row 3) over the codes (row 4, the header a
        program reads: ``pd.read_excel(path, header=3)``), frozen above the data, raw numbers with
        a number format by kind, suppressed cells as SUPPRESSED_MARK. Sheet "Kolonner": code,
        Danish header and kind of every column."""
        from datetime import datetime

        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        from .labels import labels

        lab = labels()
        masked = disclosure.masked_cells(df)
        frame = _integral_counts(df.reset_index() if index else df)
        if index:
            masked = masked.reset_index(drop=True)
            for _ in range(frame.shape[1] - masked.shape[1]):
                masked.insert(0, f"_i{_}", False)
        masked = masked.to_numpy()
        wb = Workbook()
        ws = wb.active
        ws.title = "Tabel"
        ws["A1"] = title
        ws["A1"].font = Font(bold=True, size=12)
        ws["A2"] = note or ""
        ws["A2"].font = Font(italic=True)
        header_row = 4
        counts = set(count_columns(frame))
        kinds = []
        for j, col in enumerate(frame.columns, start=1):
            s = frame[col]
            numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
            kinds.append(lab.kind(col) if numeric else "text")
            ws.cell(row=header_row - 1, column=j, value=lab.header(col, unit=kinds[-1] != "text")).font = Font(bold=True)
            ws.cell(row=header_row - 1, column=j).alignment = Alignment(wrap_text=True, vertical="bottom")
            ws.cell(row=header_row, column=j, value=str(col)).font = Font(bold=True, color="555555")
        widths = [max(len(str(c)), min(len(lab.header(c)), 24)) for c in frame.columns]
        for i, row in enumerate(frame.itertuples(index=False), start=header_row + 1):
            for j, v in enumerate(row, start=1):
                if masked[i - header_row - 1, j - 1]:
                    cell = ws.cell(row=i, column=j, value=SUPPRESSED_MARK)
                    cell.font = Font(italic=True, color="777777")
                    cell.alignment = Alignment(horizontal="right")
                    widths[j - 1] = max(widths[j - 1], len(SUPPRESSED_MARK))
                    continue
                if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                    continue
                if isinstance(v, np.generic):
                    v = v.item()
                if isinstance(v, float) and v.is_integer() and frame.columns[j - 1] in counts:
                    v = int(v)
                cell = ws.cell(row=i, column=j, value=v if isinstance(v, (int, float, str)) else str(v))
                if kinds[j - 1] != "text" and isinstance(v, (int, float)):
                    cell.number_format = lab.excel_format(kinds[j - 1])
                    widths[j - 1] = max(widths[j - 1], len(lab.format(v, kinds[j - 1])) + 1)
                else:
                    widths[j - 1] = max(widths[j - 1], min(len(str(v)), 60))
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w + 2
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        cols = wb.create_sheet("Kolonner")
        cols.append(["kolonne", "overskrift", "talformat"])
        for c in cols[1]:
            c.font = Font(bold=True)
        for col, kind in zip(frame.columns, kinds):
            cols.append([str(col), lab.header(col), kind])
        for letter, w in (("A", 28), ("B", 48), ("C", 12)):
            cols.column_dimensions[letter].width = w
        wb.properties.creator = "hko-research"
        wb.properties.created = datetime(2000, 1, 1)
        buf = io.BytesIO()
        wb.save(buf)
        return deterministic_xlsx(buf.getvalue())

    # -- figures ---------------------------------------------------------------------------

    def figure(self, fig, name: str, *, source: pd.DataFrame, title: str | None = None,
               note: str | None = None) -> list[Path]:
        """Save ``fig`` as ``figures/<name>.png`` (dpi 150) and ``.svg`` with deterministic bytes.

        ``source`` must be the protected frame the figure was drawn from (``Publisher.table`` or
        ``disclosure.protect_table`` output); anything else is refused. The figure stays open.
        """
        check_name(name)
        if not disclosure.is_protected(source):
            raise DisclosureError(
                f"figure {name!r}: its source frame has not been through disclosure control (or was changed "
                "afterwards); pass the frame returned by Publisher.table() or disclosure.protect_table()"
            )
        disclosure.assert_no_person_identifiers(source)
        if title:
            fig.suptitle(title, fontweight="bold")
        for t in [t for t in fig.texts if t.get_gid() == _FOOTER_GID]:
            t.remove()
        if fig.get_layout_engine() is None:  # a figure made without the helpers
            plots.finish_layout(fig)
        lines = []
        if note:
            lines.append(note)
        info = source.attrs.get("disclosure", {})
        if any(int(info.get(k, 0)) for k in ("masked_primary", "masked_secondary", "masked_derived")):
            lines.append(f"Undertrykte værdier (færre end {info.get('min_cell_size', self.min_cell_size)} personer, "
                         "eller tal der ville kunne regnes tilbage) er ikke vist.")
        # the footer under the figure, one block after the other: notes, then the data status.
        # Laid out, not rasterised: only the text sizes are needed.
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        fig_h = fig.bbox.height
        y = -0.01
        if lines:
            t = fig.text(0.01, y, "\n".join(lines), ha="left", va="top", fontsize=8, color="#333333",
                         gid=_FOOTER_GID, wrap=True)
            y -= t.get_window_extent(renderer).height / fig_h + 0.01
        if self.synthetic:
            t = fig.text(0.99, y, SYNTHETIC_LABEL, ha="right", va="top", fontsize=10, fontweight="bold",
                         color="#b22222", gid=_FOOTER_GID)
            y -= t.get_window_extent(renderer).height / fig_h + 0.005
            fig.text(0.99, y, SYNTHETIC_FIGURE_DETAIL + self._seed_suffix, ha="right", va="top", fontsize=7, color="#b22222", gid=_FOOTER_GID)
        # The layout with its footer is final: both files are drawn from the layout the overlap
        # check measured, cropped to one bounding box (savefig would lay the figure out and
        # measure it again for each file, a third of the saving time).
        # Constrained layout settles in its second pass (the footer, figure text, takes no part).
        engine = fig.get_layout_engine()
        fig.draw_without_rendering()
        fig.set_layout_engine(None)  # (a placeholder engine would make savefig lay it out again)
        try:
            overlaps = plots.text_overlaps(fig)
            if overlaps:
                warnings.warn(f"figure {name}: text overlaps in the layout: {'; '.join(overlaps[:3])}", stacklevel=2)
            crop = fig.get_tightbbox(fig.canvas.get_renderer()).padded(mpl.rcParams["savefig.pad_inches"])
            self.figures_dir.mkdir(parents=True, exist_ok=True)
            paths = []
            rc = {"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path", "font.family": "sans-serif",
                  "font.sans-serif": [plots.FONT], "path.simplify": True}
            with mpl.rc_context(rc):
                layout = "; ".join(overlaps) if overlaps else "ok"
                for ext, meta, kw in (("png", {"Software": None, LAYOUT_KEY: layout}, {"dpi": 150}),
                                      ("svg", {"Date": None, "Creator": None}, {})):
                    buf = io.BytesIO()
                    fig.savefig(buf, format=ext, metadata=meta, bbox_inches=crop, facecolor="white", **kw)
                    path = self.figures_dir / f"{name}.{ext}"
                    _atomic_write_bytes(path, buf.getvalue())
                    paths.append(path)
        finally:
            fig.set_layout_engine(engine)
        self.written += paths
        return paths

    # -- reproduction values ----------------------------------------------------------------

    def reproduce(self, target_id: str, value, *, n: float | None = None) -> None:
        """Record the pipeline's value for a report target (``report_targets.csv`` id).

        ``value`` must be a plain number; NaN/None means suppressed. With ``n`` (its base count)
        the value is masked like any table cell when ``0 < n < min_cell_size``.
        """
        if not isinstance(target_id, str) or not target_id.strip():
            raise ValueError("reproduce(): target_id must be a non-empty string")
        v = _plain_float(value)
        if n is not None:
            v = float(disclosure.mask_small(v, n, self.min_cell_size))
        self._values[target_id.strip()] = v  # re-running a cell overwrites

    @property
    def values(self) -> dict[str, float]:
        return dict(self._values)

    def finish(self) -> Path:
        """Write ``reproduction/<notebook>.csv`` (id,pipeline_value; NaN -> empty) and return it."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["id", "pipeline_value"])
        for k, v in self._values.items():
            w.writerow([k, "" if math.isnan(v) else repr(v)])
        path = self.reproduction_dir / f"{self.notebook}.csv"
        _atomic_write_bytes(path, buf.getvalue().encode("utf-8"))
        self.written.append(path)
        return path
