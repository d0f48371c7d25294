"""Shared pieces of the notebook builders: metadata, the plain `parameters` cell and the
validation cell that follows it (the same in every notebook)."""
import nbformat as nbf

md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell


def new_notebook():
    nb = nbf.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python"}}
    return nb


def parameter_cells():
    """The `parameters` cell (defaults = params/default.yaml) and the shared validator after it."""
    params = code(
        'year = 2019\n'
        'kommuner = "alle"\n'
        'data_dir = "data/synthetic"\n'
        'output_dir = "outputs/manual"\n'
        'min_cell_size = 5'
    )
    params.metadata["tags"] = ["parameters"]
    validate = code("from hko_research.params import validate_notebook_globals\n"
                    "P = validate_notebook_globals(globals())")
    return [params, validate]


def write(nb, path) -> None:
    """Write with stable cell ids (so rebuilding an unchanged notebook changes no bytes)."""
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:03d}"
    nbf.write(nb, path)
    print("wrote", path)
