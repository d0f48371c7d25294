"""The architecture holds: no import cycles, every contract has an analysis that reads it, every
registered analysis has its folder, notebook and generator, and ruff passes on all code."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hko_research import registry
from hko_research.inputs.contracts import load_contracts
from hko_research.paths import CONTRACTS_DIR, NOTEBOOKS_DIR, PACKAGE_DIR, PROJECT_ROOT

# Contracts with no analysis yet, and the analysis that will read them. The test fails when one of
# them is read after all (then it must leave this list) or when a new unread contract appears.
AWAITING_ANALYSIS = {
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """module -> package modules it imports, at module level and inside functions."""
    modules = {_module_name(p): p for p in PACKAGE_DIR.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        is_pkg = path.name == "__init__.py"
        package = mod if is_pkg else mod.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                # `from pkg import sub` imports the submodule pkg.sub when it is one
                targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in modules else stem for a in node.names]
            for t in targets:
                while t and t not in modules and "." in t:
                    t = t.rsplit(".", 1)[0]
                if t in modules and t != mod:
                    graph[mod].add(t)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a list of modules, or None (depth-first search with colours)."""
    colour = dict.fromkeys(graph, 0)
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        colour[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if colour[n] == 1:
                return stack[stack.index(n):] + [n]
            if colour[n] == 0 and (c := visit(n)):
                return c
        stack.pop()
        colour[m] = 2
        return None

    for m in sorted(graph):
        if colour[m] == 0 and (c := visit(m)):
            return c
    return None


def test_cycle_finder_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_graph_sees_function_level_and_relative_imports():
    g = import_graph()
    # a function-level import (validation -> checks) and a `from . import x` import
    assert "hko_research.inputs.checks" in g["hko_research.inputs.validation"]
    assert "hko_research.analyses.d3_brug.measures" in g["hko_research.analyses.d3_brug.omfang"]


def test_package_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def _relation_targets() -> set[str]:
    raw = yaml.safe_load((CONTRACTS_DIR / "relationer.yaml").read_text(encoding="utf-8")) or {}
    return {r["to"].split(".", 1)[0] for r in raw.get("relations") or []}


def test_every_contract_is_read_by_an_analysis_and_every_input_has_a_contract():
    contracts = set(load_contracts())
    read: set[str] = set()
    for a in registry.analyses():
        missing = set(a.inputs) - contracts
        assert not missing, f"{a.name} reads inputs without a contract: {sorted(missing)}"
        read |= set(a.inputs)
    # reference tables are read through the relations every validation checks
    used = read | (_relation_targets() & {n for n, c in load_contracts().items() if c.reference})
    unread = contracts - used
    assert unread == set(AWAITING_ANALYSIS), (
        f"contracts no analysis reads: {sorted(unread - set(AWAITING_ANALYSIS))}; "
        f"read now, remove from AWAITING_ANALYSIS: {sorted(set(AWAITING_ANALYSIS) - unread)}")


def test_every_analysis_has_folder_notebook_and_loadable_generator():
    names = [a.name for a in registry.analyses()]
    assert len(names) == len(set(names))
    for a in registry.analyses():
        assert (PACKAGE_DIR / "analyses" / a.name).is_dir(), a.name
        assert (NOTEBOOKS_DIR / f"{a.notebook}.ipynb").exists(), a.notebook
        if a.generator:
            assert callable(a.load_generator()), a.generator


def test_every_notebook_is_registered():
    """A notebook nobody registered would silently never run."""
    on_disk = {p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb")}
    assert on_disk == set(registry.notebooks())


def test_every_analysis_folder_is_registered():
    folders = {p.name for p in (PACKAGE_DIR / "analyses").iterdir()
               if p.is_dir() and not p.name.startswith(("_", "."))}
    assert folders == {a.name for a in registry.analyses()}


def test_ruff_passes_on_package_tests_notebooks_and_benchmarks():
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.fail("ruff is part of the test environment (requirements.lock); run `make venv`")
    out = subprocess.run([str(ruff), "check", "--quiet", "src", "tests", "notebooks", "benchmarks"],
                         cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
