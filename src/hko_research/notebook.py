"""What every analysis notebook does first, in one call.

    # parameters cell (tagged "parameters")
    year = 2019
    ...

    from hko_research.notebook import setup
    S = setup(globals(), "d3_brug")

:func:`setup` validates the parameters (a misspelled one stops the notebook), validates the
analysis's inputs against their contracts (every failure listed; nothing is written when one
fails), shows the data-status banner and the run's parameters, and returns a :class:`Session`
whose helpers publish tables and figures through the one disclosure step with the analysis's
own rules (:class:`hko_research.registry.Analysis`).
"""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from . import registry
from .kommuner import kommune_navne
from .params import ParamsError, RunParams, validate_notebook_globals


class InputsInvalid(RuntimeError):
    """The inputs do not meet their data contracts (the report is shown above the error)."""

    def _render_traceback_(self) -> list[str]:  # IPython: the message, not a traceback
        return [f"InputsInvalid: {self}"]


class Quiet(list):
    """The paths a helper wrote; shows nothing when it ends a cell (no repr on the page)."""

    def _ipython_display_(self) -> None:
        pass


# Figures are saved at 150 dpi and shown at 100 dpi: readable at the page's width.
_FIGURE_DISPLAY_SCALE = 100 / 150


@dataclass
class Session:
    """A notebook's run: parameters ``P``, the analysis, the publisher and table helpers."""

    P: RunParams
    analysis: registry.Analysis
    pub: Any  # publishing.publisher.Publisher
    validation: Any  # inputs.report.ValidationReport
    results: dict[str, Any] = field(default_factory=dict)
    # id(frame) -> (frame, protected frame) of every frame published whole by :meth:`table`
    _published: dict[int, tuple[Any, Any]] = field(default_factory=dict, repr=False)

    def table(self, df, name: str, title: str, *, note: str | None = None, sums: Sequence | None = None,
              keys: Sequence[str] = (), basis: Mapping[str, Sequence[str]] | None = None, show: bool = True):
        """Publish ``df`` as ``tables/<name>.csv/.xlsx`` through disclosure control and show it.

        The shared column rules apply (``publishing.columns``) with the analysis's declared
        exceptions; ``keys`` and ``basis`` add table-specific ones. Returns the protected frame,
        the only frame a figure may be drawn from.
        """
        from .levels import COMPLEMENT
        from .publishing.columns import key_columns
        from .publishing.targets import basis_overrides

        all_keys = [*self.analysis.keys, *keys]
        shown = self.pub.table(
            df, name, title=title, note=note, sums=sums,
            basis={**basis_overrides(df, self.analysis.basis, all_keys), **dict(basis or {})},
            keys=key_columns(df, all_keys), complement=COMPLEMENT)
        self._published[id(df)] = (df, shown)
        if show:
            self.pub.show(shown)
        return shown

    def figure(self, fig, name: str, *, source, title: str | None = None, note: str | None = None,
               show: bool = True) -> Quiet:
        """Save ``fig`` (PNG + SVG) from its protected ``source`` frame and show it in place: the
        saved PNG inline, at reading size, with the title as alt text. Returns the saved paths."""
        import matplotlib.pyplot as plt

        paths = self.pub.figure(fig, name, source=source, title=title, note=note)
        if show:
            from IPython.display import HTML, display

            display(HTML(figure_html(next(p for p in paths if p.suffix == ".png"), name,
                                     title or _figure_title(fig) or name)))
        plt.close(fig)
        return Quiet(paths)

    def reproduce(self, results: Mapping[str, Any], computed=None, *, when: bool | None = None,
                  sums: Mapping[str, Sequence] | None = None) -> int:
        """Record the analysis's report targets: the look-ups of ``analyses/<name>/targets.yaml``
        plus ``computed(picker)`` (code for extremes, sums, differences), read from ``results``
        after the same disclosure step as publication, and the details of every target id
        (``reproduction/<notebook>.json``: suppressed or missing, aliases, reasons). Only when
        ``when`` (default: the report's own setting, :attr:`RunParams.is_report_setting`).
        Returns the number of values."""
        from .paths import PACKAGE_DIR
        from .publishing.targets import load_spec, record, write_details

        if not (self.P.is_report_setting if when is None else when):
            return 0
        A = self.analysis
        spec = load_spec(PACKAGE_DIR / "analyses" / A.name / "targets.yaml")
        # a result published whole is read as on its page (protected with the run's ledger)
        published = {name: self._published[id(df)][1] for name, df in results.items()
                     if id(df) in self._published and self._published[id(df)][0] is df}
        values, details = record(spec, results, self.P.min_cell_size, computed, sums=sums, basis=A.basis,
                                 keys=A.keys, notebook=A.notebook, analysis=A.name, prefixes=A.target_prefixes,
                                 published=published)
        for tid, value in values.items():
            self.pub.reproduce(tid, value)
        write_details(self.pub.reproduction_dir / f"{self.pub.notebook}.json", details)
        return len(values)

    def finish(self) -> Quiet:
        """Write the notebook's reproduction values (call in the last cell)."""
        return Quiet([self.pub.finish()])

    def show_validation(self) -> None:
        """The inputs' validation in Danish: how many files, rows and warnings; the failures."""
        from IPython.display import HTML, display

        display(HTML(validation_html(self.validation)))

    @property
    def kommuner_label(self) -> str:
        names = kommune_navne()
        k = self.P.kommuner
        return ", ".join(names[c] for c in k) if len(k) <= 12 else f"{len(k)} kommuner"


def _say_first(message: str) -> None:
    """Write ``message`` to the kernel process's own stderr: run by hand with papermill, it reaches
    the terminal at once, before papermill's long report of the failed cell (the runner sends it
    to the notebook's log)."""
    import os

    try:
        os.write(2, f"\n{message}\n\n".encode("utf-8", "replace"))
    except OSError:
        pass


def _figure_title(fig) -> str | None:
    st = getattr(fig, "_suptitle", None)
    if st is not None and st.get_text():
        return st.get_text()
    for ax in fig.axes:
        if ax.get_title():
            return ax.get_title()
    return None


def figure_html(png: Path, name: str, title: str) -> str:
    """``<figure>`` with the PNG embedded (data URI), sized for reading, alt text = the title."""
    import struct

    data = Path(png).read_bytes()
    width, height = struct.unpack(">II", data[16:24])  # PNG IHDR
    w, h = round(width * _FIGURE_DISPLAY_SCALE), round(height * _FIGURE_DISPLAY_SCALE)
    alt = html.escape(title, quote=True)
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<figure class="hko-figur" data-figur="{html.escape(name)}" style="margin:1rem 0;max-width:100%">'
            f'<img src="data:image/png;base64,{b64}" alt="{alt}" title="{alt}" width="{w}" height="{h}" '
            f'style="max-width:100%;height:auto"></figure>')


def validation_html(report) -> str:
    """A validation report for a page: one Danish sentence, the files, warnings and failures."""
    n_files = sum(1 for i in report.inputs if i.path is not None)
    rows = sum(i.rows for i in report.inputs if i.path is not None)
    fmt = lambda n: f"{n:,}".replace(",", ".")  # noqa: E731
    if report.ok:
        head = f"Valideringen er godkendt: {n_files} inddatafiler med i alt {fmt(rows)} rækker overholder deres datakontrakter."
    else:
        head = f"Valideringen fandt {fmt(report.n_failures)} fejl i inddata; se listen nedenfor."
    items = []
    for (file, column, check), count in sorted(report.counts.items(), key=str):
        items.append(f"<li><code>{html.escape(str(file))}</code>, kolonne <code>{html.escape(str(column or '–'))}</code>: "
                     f"{html.escape(str(check))} ({fmt(count)} rækker)</li>")
    from .inputs.report import warning_text

    for w in getattr(report, "warnings", []) or []:
        items.append(f"<li>Advarsel: {html.escape(warning_text(w, danish=True))}</li>")
    lst = f'<ul class="hko-validering">{"".join(items)}</ul>' if items else ""
    return f'<p class="hko-validering">{html.escape(head)}</p>{lst}'


def setup(namespace: Mapping[str, Any], analysis: str) -> Session:
    """Validate parameters and inputs, show banner and parameters, return the notebook's Session."""
    from IPython.display import HTML, Markdown, display

    from .inputs.validation import validate_inputs
    from .publishing import plots
    from .publishing.html import banner_html
    from .publishing.publisher import Publisher

    try:
        P = validate_notebook_globals(namespace)
    except ParamsError as exc:
        _say_first(str(exc))
        raise
    A = registry.get(analysis)
    report = validate_inputs(P, names=A.input_names)
    if not report.ok:
        print(report.to_text())
        _say_first("Inddata overholder ikke deres datakontrakter; kør `hko-research validate -p <params>` for listen.")
        raise InputsInvalid("Inddata overholder ikke deres datakontrakter – se valideringsrapporten ovenfor.")
    plots.set_theme()
    from .publishing import labels

    labels.use(A.name)
    display(HTML(banner_html(P.synthetic)))
    session = Session(P=P, analysis=A, pub=Publisher.for_notebook(P, A.notebook), validation=report)
    display(Markdown(f"**År:** {P.year} (perioden {P.year - 1}-{P.year}) · **Kommuner:** {session.kommuner_label} · "
                     f"**Mindste cellestørrelse:** {P.min_cell_size}"))
    return session
