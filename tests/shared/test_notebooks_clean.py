"""Committed notebooks carry no outputs or execution counts, have a plain `parameters` cell
followed by the shared validator, and notebook 00 rejects a misspelled parameter."""
from __future__ import annotations

import subprocess

import nbformat
import pytest

from hko_research.paths import NOTEBOOKS_DIR, PROJECT_ROOT


def tracked_notebooks():
    out = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    return [PROJECT_ROOT / p for p in out.stdout.split()]


def test_there_are_notebooks():
    names = {p.stem for p in tracked_notebooks()}
    assert {"00_datagrundlag", "03_brug_af_hko"} <= names


@pytest.mark.parametrize("path", tracked_notebooks(), ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs"), f"{path.name}: a code cell has outputs"
            assert cell.get("execution_count") is None, f"{path.name}: a code cell has an execution count"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name)
def test_parameters_cell_then_validator(path):
    nb = nbformat.read(path, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code_cells[0].metadata.get("tags", []), "first code cell must be tagged parameters"
    for line in code_cells[0].source.splitlines():
        assert "=" in line and "(" not in line, f"parameters cell must be plain assignments: {line!r}"
    assert "S = setup(globals(), " in code_cells[1].source
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.slow
def test_papermill_misspelled_parameter_fails_clearly(tmp_path, default_data_dir):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError) as exc:
        pm.execute_notebook(str(NOTEBOOKS_DIR / "00_datagrundlag.ipynb"), str(tmp_path / "out.ipynb"),
                            parameters={"yeer": 2019, "output_dir": str(tmp_path / "o")},
                            kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    message = str(exc.value)
    assert "ParamsError" in message and "unknown parameter 'yeer'" in message and "did you mean 'year'" in message
    assert not (tmp_path / "o").exists(), "nothing may be written when parameters are invalid"
