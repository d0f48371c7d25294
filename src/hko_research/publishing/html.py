"""HTML for a run: notebook pages (nbconvert, 'lab' look), error pages and index.html.

Every page carries the data-status banner ("Syntetiske data" / "Rigtige data") at the top and
loads nothing from the network: the nbconvert template used here (templates/hko_notebook.html.j2)
drops require.js, MathJax and mermaid from their CDNs, and figures are embedded as data URIs.

nbconvert and nbformat are imported inside the export functions; rendering index.html needs only
jinja2, so a cache-hit run stays light.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..paths import PACKAGE_DIR

TEMPLATES_DIR = PACKAGE_DIR / "templates"
NOTEBOOK_TEMPLATE = "hko_notebook.html.j2"

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes (IPython tracebacks are coloured)."""
    return _ANSI.sub("", text or "")


@lru_cache(maxsize=1)
def _env():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=False, lstrip_blocks=False, undefined=jinja2.StrictUndefined,
    )


def render(template: str, **context: Any) -> str:
    return _env().get_template(template).render(**context)


def banner_html(synthetic: bool, data_dir: str | None = None) -> str:
    """The data-status banner (inline styles, so it looks the same inside nbconvert pages)."""
    return render("_banner.html.j2", synthetic=synthetic, data_dir=data_dir)


def export_notebook(
    notebook: Any,
    out_path: Path,
    *,
    publication: bool,
    synthetic: bool,
    title: str | None = None,
    other_link: str | None = None,
    other_label: str | None = None,
) -> Path:
    """Export an executed notebook (path or NotebookNode) to HTML with nbconvert.

    ``publication=True`` hides code cells and prompts (the version for readers);
    ``publication=False`` is the full version with code.
    """
    html = notebook_html(notebook, publication=publication, synthetic=synthetic, title=title,
                         other_link=other_link, other_label=other_label)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(html, encoding="utf-8")
    return out_path


def notebook_html(notebook: Any, *, publication: bool, synthetic: bool, title: str | None = None,
                  other_link: str | None = None, other_label: str | None = None, nav: bool = True) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    if not hasattr(notebook, "cells"):
        notebook = nbformat.read(str(notebook), as_version=4)
    exporter = HTMLExporter(
        template_name="lab",
        extra_template_paths=[str(TEMPLATES_DIR)],
        exclude_input=publication,
        exclude_input_prompt=publication,
        exclude_output_prompt=publication,
        language_code="da",  # <html lang="da">: the browser hyphenates Danish headers
    )
    exporter.template_file = NOTEBOOK_TEMPLATE
    resources = {
        "metadata": {"name": title or "notebook"},
        "hko": {"banner": banner_html(synthetic), "other_link": other_link, "other_label": other_label,
                "nav": nav},
    }
    if title:
        notebook.metadata["title"] = title
    body, _ = exporter.from_notebook_node(_without_inner_banner(notebook), resources=resources)
    return body


def _without_inner_banner(notebook: Any) -> Any:
    """The page carries the data-status banner at its top; the copy ``setup`` shows inside the
    notebook (for JupyterLab) is left out of the exported page."""
    import copy

    nb = copy.deepcopy(notebook)
    for cell in nb.cells:
        outs = cell.get("outputs")
        if outs:
            cell["outputs"] = [o for o in outs if "hko-data-banner" not in str(o.get("data", {}).get("text/html", ""))]
    return nb


def error_traceback(exc: BaseException) -> tuple[str, str, str]:
    """(name, message, traceback text) for an exception from papermill or anything else."""
    import traceback as tb

    ename = getattr(exc, "ename", None)
    if ename is not None:  # papermill.PapermillExecutionError: the kernel's own error
        lines = getattr(exc, "traceback", None) or []
        return str(ename), strip_ansi(str(getattr(exc, "evalue", ""))), strip_ansi("\n".join(lines))
    return type(exc).__name__, strip_ansi(str(exc)), strip_ansi("".join(tb.format_exception(exc)))


def failed_cell_source(notebook_path: Path) -> tuple[int | None, str | None]:
    """(1-based index, source) of the first code cell with an error output in a partial notebook."""
    import nbformat

    try:
        nb = nbformat.read(str(notebook_path), as_version=4)
    except Exception:
        return None, None
    for i, cell in enumerate(nb.cells, 1):
        if cell.get("cell_type") != "code":
            continue
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return i, cell.get("source", "")
    return None, None


def write_error_page(
    out_path: Path,
    *,
    notebook: str,
    run_name: str,
    ename: str,
    evalue: str,
    traceback: str,
    synthetic: bool,
    partial_notebook: Path | None = None,
    duration: float | None = None,
    stderr: str = "",
) -> Path:
    """html/<nb>_fejl.html: the error and, when it can be exported, the partially executed notebook."""
    partial_html = partial_error = None
    cell_index = cell_source = None
    if partial_notebook is not None and Path(partial_notebook).exists():
        cell_index, cell_source = failed_cell_source(Path(partial_notebook))
        try:
            partial_html = notebook_html(partial_notebook, publication=False, synthetic=synthetic,
                                         title=f"{notebook} (delvist kørt)", nav=False)
        except Exception as exc:  # the error page itself must never fail
            partial_error = f"{type(exc).__name__}: {exc}"
    elif partial_notebook is not None:
        partial_error = "notebooken blev ikke gemt"
    html = render(
        "fejl.html.j2", notebook=notebook, run_name=run_name, ename=ename, evalue=evalue,
        traceback=traceback, synthetic=synthetic, data_dir=None, partial_html=partial_html,
        partial_error=partial_error, failed_cell=cell_source, failed_cell_index=cell_index,
        duration=duration, stderr=stderr,
    )
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(html, encoding="utf-8")
    return out_path


def write_index(out_path: Path, context: dict[str, Any]) -> Path:
    """Render templates/index.html.j2 (context built by runner._index_context)."""
    Path(out_path).write_text(render("index.html.j2", **context), encoding="utf-8")
    return Path(out_path)
