"""A notebook's cache key covers the shared code and its own analysis, not the other analyses."""
from __future__ import annotations

import shutil

import pytest

from hko_research import hashing
from hko_research.paths import PACKAGE_DIR, PROJECT_ROOT


@pytest.fixture()
def tree(tmp_path, monkeypatch):
    """A copy of the package (plus contracts and mappings) that the hash functions read."""
    root = tmp_path / "proj"
    pkg = root / "src" / "hko_research"
    shutil.copytree(PACKAGE_DIR, pkg, ignore=shutil.ignore_patterns("__pycache__", "reference"))
    shutil.copytree(PROJECT_ROOT / "data_contracts", root / "data_contracts")
    shutil.copytree(PROJECT_ROOT / "params" / "mappings", root / "params" / "mappings")
    monkeypatch.setattr(hashing, "PACKAGE_DIR", pkg)
    monkeypatch.setattr(hashing, "ANALYSES_DIR", pkg / "analyses")
    monkeypatch.setattr(hashing, "PROJECT_ROOT", root)
    monkeypatch.setattr(hashing, "CONTRACTS_DIR", root / "data_contracts")
    monkeypatch.setattr(hashing, "MAPPINGS_DIR", root / "params" / "mappings")
    return root


def _touch(path):
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")


def test_a_change_in_one_analysis_reruns_only_that_analysis(tree):
    pkg = tree / "src" / "hko_research"
    d0, d3 = hashing.code_hash(["d0_datagrundlag"]), hashing.code_hash(["d3_brug"])
    _touch(pkg / "analyses" / "d3_brug" / "measures.py")
    assert hashing.code_hash(["d0_datagrundlag"]) == d0
    assert hashing.code_hash(["d3_brug"]) != d3


def test_shared_code_contracts_and_mappings_rerun_every_analysis(tree):
    pkg = tree / "src" / "hko_research"
    for changed in (pkg / "publishing" / "disclosure.py", tree / "data_contracts" / "dream.yaml",
                    tree / "params" / "mappings" / "ydelsesgrupper.csv", pkg / "analyses" / "__init__.py"):
        before = {a: hashing.code_hash([a]) for a in ("d0_datagrundlag", "d3_brug")}
        _touch(changed)
        after = {a: hashing.code_hash([a]) for a in ("d0_datagrundlag", "d3_brug")}
        assert all(before[a] != after[a] for a in before), changed


def test_depends_on_folds_the_other_analysis_in(tree):
    pkg = tree / "src" / "hko_research"
    both = hashing.code_hash(["d0_datagrundlag", "d3_brug"])
    _touch(pkg / "analyses" / "d3_brug" / "load.py")
    assert hashing.code_hash(["d0_datagrundlag", "d3_brug"]) != both


def test_unknown_analysis_folder_is_an_error(tree):
    with pytest.raises(ValueError, match="no analysis folder"):
        hashing.code_hash(["d9_findes_ikke"])
