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
import math
import numbers
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd

from ..inputs.dataset import SYNTHETIC_LABEL
from . import disclosure, plots
from .disclosure import DisclosureError, count_columns  # noqa: F401  (re-exported)

__all__ = ["Publisher", "TABLE_NAME_RE", "count_columns", "check_name", "SYNTHETIC_NOTE", "styled"]

# "p" numbers the puljeevaluering's own tables (tabel_p1_...), outside the report's numbering.
TABLE_NAME_RE = re.compile(r"^(?:(?:tabel|figur)_p?\d+[a-z]?_[a-z0-9_]+|(?:bilag|kort|trend)_[a-z0-9_]+)$")
SYNTHETIC_NOTE = "Syntetiske data – ikke rigtige registerdata"
SYNTHETIC_COLUMN = "datagrundlag"
SVG_HASHSALT = "hko-research"
# 12 significant digits: every published number keeps its precision, float noise from sums of
# kroner or shares (1478139.0000000002) does not reach the file.
CSV_FLOAT_FORMAT = "%.12g"
XLSX_TIMESTAMP = "2000-01-01T00:00:00Z"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_FOOTER_GID = "hko-footer"


def check_name(name: str) -> str:
    """Output names follow the report's numbering: ``tabel_13_...``, ``figur_32b_...``,
    ``bilag_...``, ``kort_...``, ``trend_...`` (lower case, digits, underscores)."""
    if not isinstance(name, str) or not TABLE_NAME_RE.match(name):
        raise ValueError(
            f"output name {name!r} does not follow the report's numbering; use e.g. 'tabel_13_koen', "
            f"'figur_32b_fastholdelse', 'bilag_...', 'kort_...' or 'trend_...' (pattern {TABLE_NAME_RE.pattern})"
        )
    return name


_SHARE_COLUMN = re.compile(r"^(andel|ci_|pct|anvendelsesgrad|fastholdelsesgrad|rekrutteringsgrad)|(_andel|_pct|grad)$")
_ID_COLUMNS = {"kommunekode", "aar", "rang", "rang_min", "rang_max"}


def styled(df: pd.DataFrame, *, caption: str | None = None):
    """A display version of a published table: Danish number format, shares as percentages,
    suppressed/empty cells as '–', no index. The written CSV/XLSX keep the raw values."""
    shown = df.drop(columns=[SYNTHETIC_COLUMN], errors="ignore")
    counts = set(count_columns(shown))
    formats: dict[str, Any] = {}
    for col in shown.columns:
        if not pd.api.types.is_numeric_dtype(shown[col]) or pd.api.types.is_bool_dtype(shown[col]):
            continue
        if col in _ID_COLUMNS:
            formats[col] = lambda v: "–" if pd.isna(v) else str(int(v))
        elif col in counts:
            formats[col] = lambda v: "–" if pd.isna(v) else plots.fmt_num(v, 0)
        elif _SHARE_COLUMN.search(str(col)):
            formats[col] = lambda v: "–" if pd.isna(v) else plots.fmt_pct(v, 2 if abs(v) < 0.01 else 1, share=True)
        else:
            vals = pd.to_numeric(shown[col], errors="coerce").dropna()
            if len(vals) and (vals == vals.round()).all():  # whole numbers stored as float (NaN present)
                formats[col] = lambda v: "–" if pd.isna(v) else plots.fmt_num(v, 0)
            else:
                formats[col] = lambda v: "–" if pd.isna(v) else plots.fmt_num(v, 0 if abs(v) >= 1000 else 2)
    styler = shown.style.format(formats, na_rep="–").hide(axis="index")
    styler = styler.set_table_styles([
        {"selector": "th", "props": "text-align: left; background: #f3f4f6; padding: 4px 8px;"},
        {"selector": "td", "props": "padding: 3px 8px; text-align: left;"},
        {"selector": "caption", "props": "caption-side: top; font-weight: bold; text-align: left; padding: 6px 0;"},
    ])
    if formats:
        styler = styler.set_properties(subset=list(formats), **{"text-align": "right"})
    if caption:
        styler = styler.set_caption(caption)
    return styler


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


def _plain_float(value: Any) -> float:
    if value is None or value is pd.NA or value is pd.NaT:
        return float("nan")
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("reproduction values must be numbers, not booleans")
    if isinstance(value, (numbers.Real, np.floating, np.integer)):
        return float(value)
    raise TypeError(f"reproduction values must be plain numbers, not {type(value).__name__}: {value!r}")


def deterministic_xlsx(data: bytes) -> bytes:
    """The same workbook bytes on every run: openpyxl stamps the save time into docProps/core.xml
    and every zip entry; both are replaced by fixed values."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + XLSX_TIMESTAMP.encode() + rb"\g<2>", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, body)
    return out.getvalue()


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
    def synthetic_note(self) -> str:
        return SYNTHETIC_NOTE + (f" (seed {self.seed})" if self.seed is not None else "")

    def _note_text(self, note: str | None, info: Mapping[str, Any]) -> str:
        parts = []
        if self.synthetic:
            parts.append(self.synthetic_note + ".")
        if note:
            n = note.strip()
            parts.append(n if n.endswith((".", "!", "?", ":")) else n + ".")
        masked = int(info.get("masked_primary", 0)) + int(info.get("masked_secondary", 0)) + int(info.get("masked_derived", 0))
        if masked:
            parts.append(
                f"Tomme celler er undertrykt af hensyn til diskretionen (færre end {info['min_cell_size']} personer "
                "eller mulighed for tilbageregning)."
            )
        return " ".join(parts)

    def table(self, df: pd.DataFrame, name: str, *, title: str, note: str | None = None, basis=None,
              sums=None, basis_counts=None, index: bool = False, keys: Sequence[str] | None = None,
              complement: Sequence[tuple[str, str, str]] | None = None) -> pd.DataFrame:
        """Protect ``df``, write ``tables/<name>.csv`` and ``.xlsx``; return the protected frame."""
        check_name(name)
        if not title:
            raise ValueError("table(): a Danish title is required")
        protected = disclosure.protect_table(
            df, min_cell_size=self.min_cell_size, basis=basis, sums=sums, basis_counts=basis_counts, keys=keys,
            complement=complement,
        )
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

        csv_bytes = _integral_counts(protected).to_csv(index=index, sep=",", decimal=".", lineterminator="\n",
                                                       float_format=CSV_FLOAT_FORMAT).encode("utf-8")
        csv_path = self.tables_dir / f"{name}.csv"
        _atomic_write_bytes(csv_path, csv_bytes)
        xlsx_path = self.tables_dir / f"{name}.xlsx"
        _atomic_write_bytes(xlsx_path, self._xlsx_bytes(protected, title=title, note=note_text, index=index))
        self.written += [csv_path, xlsx_path]
        return protected

    @staticmethod
    def show(df: pd.DataFrame) -> None:
        """Display a published table in the notebook: title, formatted table, note."""
        from IPython.display import HTML, display

        title, note = df.attrs.get("title"), df.attrs.get("note")
        display(styled(df, caption=title))
        if note:
            display(HTML(f'<p style="font-size: 90%; color: #444; margin-top: 2px;">Anm.: {note}</p>'))

    @staticmethod
    def _xlsx_bytes(df: pd.DataFrame, *, title: str, note: str, index: bool) -> bytes:
        from datetime import datetime

        from openpyxl import Workbook
        from openpyxl.styles import Font

        frame = _integral_counts(df.reset_index() if index else df)
        wb = Workbook()
        ws = wb.active
        ws.title = "Tabel"
        ws["A1"] = title
        ws["A1"].font = Font(bold=True, size=12)
        ws["A2"] = note or ""
        ws["A2"].font = Font(italic=True)
        header_row = 4
        counts = set(count_columns(frame))
        for j, col in enumerate(frame.columns, start=1):
            cell = ws.cell(row=header_row, column=j, value=str(col))
            cell.font = Font(bold=True)
        for i, row in enumerate(frame.itertuples(index=False), start=header_row + 1):
            for j, v in enumerate(row, start=1):
                if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                    continue
                if isinstance(v, np.generic):
                    v = v.item()
                if isinstance(v, float) and v.is_integer() and frame.columns[j - 1] in counts:
                    v = int(v)
                ws.cell(row=i, column=j, value=v if isinstance(v, (int, float, str)) else str(v))
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
        lines = []
        if note:
            lines.append(note)
        info = source.attrs.get("disclosure", {})
        if any(int(info.get(k, 0)) for k in ("masked_primary", "masked_secondary", "masked_derived")):
            lines.append(f"Undertrykte værdier (færre end {info.get('min_cell_size', self.min_cell_size)} personer) er ikke vist.")
        if lines:
            fig.text(0.01, -0.01, "\n".join(lines), ha="left", va="top", fontsize=8, color="#333333",
                     gid=_FOOTER_GID, wrap=True)
        if self.synthetic:
            fig.text(0.99, -0.01, SYNTHETIC_LABEL, ha="right", va="top", fontsize=10, fontweight="bold",
                     color="#b22222", gid=_FOOTER_GID)
            fig.text(0.99, -0.05, self.synthetic_note, ha="right", va="top", fontsize=7, color="#b22222",
                     gid=_FOOTER_GID)
        self.figures_dir.mkdir(parents=True, exist_ok=True)
        paths = []
        rc = {"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path", "font.family": "sans-serif",
              "font.sans-serif": [plots.FONT], "path.simplify": True}
        with mpl.rc_context(rc):
            for ext, meta, kw in (("png", {"Software": None}, {"dpi": 150}),
                                  ("svg", {"Date": None, "Creator": None}, {})):
                buf = io.BytesIO()
                fig.savefig(buf, format=ext, metadata=meta, bbox_inches="tight", facecolor="white", **kw)
                path = self.figures_dir / f"{name}.{ext}"
                _atomic_write_bytes(path, buf.getvalue())
                paths.append(path)
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
