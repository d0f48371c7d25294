"""Hashes that decide what is reused: input files, the code of each analysis, cache keys.

* :func:`hash_inputs` — SHA-256 of every input file, remembered by file stamp so multi-gigabyte
  register extracts are read once.
* :func:`code_hash` — the shared code (everything in the package outside ``analyses/<name>/``,
  plus ``data_contracts/`` and ``params/mappings/``) and, for an analysis, its own folder and the
  folders of the analyses it builds on. A change in one analysis does not rerun the others.
* :func:`notebook_cache_key` — notebook file + parameters (without ``output_dir``) + input hashes
  + code hash.

Only the standard library: a cache-hit run must stay light.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Iterable

from .paths import CONTRACTS_DIR, MAPPINGS_DIR, PACKAGE_DIR, PROJECT_ROOT

ANALYSES_DIR = PACKAGE_DIR / "analyses"
# Read by the runner itself at every run (not baked into cached notebook results).
_CODE_HASH_EXCLUDE = {"report_targets.csv", "report_targets_notes.md", "reproduction_conflicts.yaml",
                      "reproduction_derived.yaml"}
CACHE_FORMAT = 2
KERNEL_NAME = "python3"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def hash_inputs(data_dir: Path, cache_dir: Path | None = None) -> dict[str, str]:
    """SHA-256 of every input file (``inputs.dataset.input_files``), keyed by file name.

    Hashes are remembered in ``<cache>/file_hashes.json`` by (path, size, mtime_ns, ctime_ns,
    inode), so a file is hashed again only when it changed.
    """
    from .inputs.dataset import input_files

    memo_path = Path(cache_dir) / "file_hashes.json" if cache_dir is not None else None
    memo: dict[str, Any] = {}
    if memo_path is not None and memo_path.exists():
        try:
            memo = json.loads(memo_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            memo = {}
    changed = False
    hashes: dict[str, str] = {}
    for path in input_files(Path(data_dir)):
        st = path.stat()
        stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        key = str(path.resolve())
        hit = memo.get(key)
        if hit and hit.get("stamp") == stamp:
            hashes[path.name] = hit["sha256"]
            continue
        digest = file_sha256(path)
        memo[key] = {"stamp": stamp, "sha256": digest}
        hashes[path.name] = digest
        changed = True
    if changed and memo_path is not None:
        memo_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo_path.with_name(f".{memo_path.name}.tmp-{os.getpid()}")
        tmp.write_text(json.dumps(memo, indent=0, sort_keys=True), encoding="utf-8")
        os.replace(tmp, memo_path)
    return hashes


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            and p.name not in _CODE_HASH_EXCLUDE]


def shared_code_files() -> list[Path]:
    """The package outside the analysis folders, data_contracts/ and params/mappings/."""
    files = [p for p in _files(PACKAGE_DIR)
             if not (p.is_relative_to(ANALYSES_DIR) and len(p.relative_to(ANALYSES_DIR).parts) > 1)]
    for d in (CONTRACTS_DIR, MAPPINGS_DIR):
        if d.is_dir():
            files += _files(d)
    return sorted(files)


def analysis_code_files(names: Iterable[str]) -> list[Path]:
    """Every file of the given analysis folders (``analyses/<name>/``)."""
    out: list[Path] = []
    for name in sorted(set(names)):
        folder = ANALYSES_DIR / name
        if not folder.is_dir():
            raise ValueError(f"no analysis folder {folder}")
        out += _files(folder)
    return sorted(out)


def _hash_files(files: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for path in files:
        rel = path.relative_to(PROJECT_ROOT).as_posix() if path.is_relative_to(PROJECT_ROOT) else str(path)
        h.update(rel.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def code_hash(analyses: Iterable[str] = ()) -> str:
    """Hash of the shared code plus the named analysis folders."""
    return _hash_files([*shared_code_files(), *analysis_code_files(analyses)])


def project_code_hash() -> str:
    """Hash of all code and configuration (the shared code and every analysis)."""
    names = [p.name for p in ANALYSES_DIR.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))]
    return code_hash(names)


def notebook_cache_key(notebook_path: Path, parameters: dict[str, Any], input_hashes: dict[str, str],
                       code: str) -> str:
    """sha256 over the notebook file, its parameters without output_dir, input hashes and code hash."""
    params = {k: v for k, v in parameters.items() if k != "output_dir"}
    h = hashlib.sha256()
    h.update(f"format={CACHE_FORMAT};kernel={KERNEL_NAME}\0".encode())
    h.update(Path(notebook_path).read_bytes() + b"\0")
    h.update(json.dumps(params, sort_keys=True, default=str).encode() + b"\0")
    h.update(json.dumps(sorted(input_hashes.items())).encode() + b"\0")
    h.update(code.encode())
    return h.hexdigest()
