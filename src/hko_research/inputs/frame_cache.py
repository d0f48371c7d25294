"""Parsed inputs shared between the processes of a run: a typed Parquet cache keyed by content.

Parsing a SurveyXact workbook takes seconds, and the validation and every notebook that reads the
survey do it again, each in its own process (the runner keeps notebooks isolated in their own
kernels). The first reader stores the parsed frames as Parquet under
``<cache>/inputs/<kind>-<key>/`` (the run's cache folder, :func:`~hko_research.inputs.validation.
default_cache_dir`); the others read them back in milliseconds.

Correctness before speed:

* The key is the SHA-256 of the source files' bytes and of the shared code (readers, contracts,
  mappings: :func:`hko_research.hashing.code_hash`), so a changed file, a changed reader or a
  changed contract is a miss; nothing is keyed by time stamps alone.
* A frame is stored only if it reads back identical, dtypes included (Parquet cannot hold every
  pandas column, e.g. an object column mixing numbers and None); otherwise the input is parsed
  each time, as before.
* An entry appears atomically (written into a temporary folder, then renamed), so a kernel never
  reads half an entry; a cache folder that cannot be written only costs the speed.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Callable, Mapping, Sequence

import pandas as pd

FORMAT = 1
_META = "meta.json"


def _file_digest(path: Path, memo: dict = {}) -> str:  # noqa: B006 (a per-process memo by file stamp)
    from ..hashing import file_sha256

    st = path.stat()
    stamp = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    if stamp not in memo:
        memo[stamp] = file_sha256(path)
    return memo[stamp]


def _code(memo: list = []) -> str:  # noqa: B006 (computed once per process)
    from ..hashing import code_hash

    if not memo:
        memo.append(code_hash())
    return memo[0]


def entry_key(kind: str, files: Sequence[Path], extra: Mapping | None = None) -> str:
    """The content key of ``kind`` read from ``files``: their bytes and the shared code."""
    h = hashlib.sha256(f"format={FORMAT};kind={kind}\0".encode())
    for p in files:
        h.update(p.name.encode() + b"\0" + _file_digest(Path(p)).encode() + b"\0")
    h.update(json.dumps(dict(extra or {}), sort_keys=True, default=str).encode() + b"\0")
    h.update(_code().encode())
    return h.hexdigest()[:32]


def _cache_root(cache_dir: Path | None) -> Path:
    from .validation import default_cache_dir

    return (Path(cache_dir) if cache_dir is not None else default_cache_dir()) / "inputs"


def _load(entry: Path) -> tuple[dict[str, pd.DataFrame], dict] | None:
    try:
        meta = json.loads((entry / _META).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            return None
        frames = {name: pd.read_parquet(entry / f"{name}.parquet") for name in meta["frames"]}
    except (OSError, ValueError, KeyError):
        return None
    return frames, meta["meta"]


def _round_trips(df: pd.DataFrame, path: Path) -> bool:
    if df.attrs:
        return False
    try:
        df.to_parquet(path, index=True)
        pd.testing.assert_frame_equal(df, pd.read_parquet(path), check_exact=True)
    except Exception:  # AssertionError, or pyarrow's own (ArrowTypeError on a mixed object column)
        return False
    return True


def _store(entry: Path, frames: Mapping[str, pd.DataFrame], meta: dict) -> None:
    tmp = entry.with_name(f".{entry.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        tmp.mkdir(parents=True)
        if not all(_round_trips(df, tmp / f"{name}.parquet") for name, df in frames.items()):
            return
        (tmp / _META).write_text(json.dumps({"format": FORMAT, "frames": list(frames), "meta": meta},
                                            ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, entry)  # another process may have won the race: its entry is as good
    except OSError:
        pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cached_frames(kind: str, files: Sequence[Path], build: Callable[[], tuple[dict[str, pd.DataFrame], dict]],
                  *, extra: Mapping | None = None, cache_dir: Path | None = None
                  ) -> tuple[dict[str, pd.DataFrame], dict]:
    """``build()`` -> (named frames, JSON-able meta), reused across processes while ``files`` and
    the code are unchanged. ``extra``: anything else the result depends on (a stem, a format)."""
    try:
        entry = _cache_root(cache_dir) / f"{kind}-{entry_key(kind, files, extra)}"
    except OSError:  # a source file vanished meanwhile: let the reader report it
        return build()
    if entry.is_dir():
        hit = _load(entry)
        if hit is not None:
            return hit
        shutil.rmtree(entry, ignore_errors=True)  # damaged (entries appear whole): parse and replace it
    frames, meta = build()
    _store(entry, frames, meta)
    return frames, meta
