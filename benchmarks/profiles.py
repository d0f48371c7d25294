"""Benchmark the kommune profiles: all pages from one notebook against one papermill kernel per kommune.

    .venv/bin/python benchmarks/profiles.py -p params/default.yaml            # naive on 6 kommuner
    .venv/bin/python benchmarks/profiles.py -p params/default.yaml --naive 98 # the whole naive way

Measures, in the same run and on the same validation cache:
  (a) fast: ``hko-research profiles`` (the runner with notebook 08 only, --force) for the params'
      kommuner: wall time, the notebook's execution time and the seconds of its page-writing cell
      (all pages and the overview);
  (b) naive: notebook 08 executed by papermill once per kommune (``kommuner: [k]``), 2 workers, on
      the first ``--naive`` kommuner of the selection; the time for all of them is extrapolated
      linearly (every naive kernel does the same work: load, frame, disclosure, one page).
Prints both, the ratio (goal >= 4) and whether each naive page equals the fast run's page byte for
byte (the pages do not depend on the selection). Not part of the tests.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NB = "08_kommuneprofiler"


def cpu() -> float:
    """CPU seconds of this process's finished children (workers and their kernels): the cost of a
    way independent of what else the machine runs."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cells(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for c in nb["cells"]:
        if c["cell_type"] == "code" and c["metadata"].get("papermill", {}).get("duration"):
            first = "".join(c["source"]).strip().splitlines()[-1][:40]
            out.append(f"{c['metadata']['papermill']['duration']:.1f} s {first!r}")
    return "; ".join(out)


def fast(params, cache: Path) -> tuple[float, Path, float | None, float | None]:
    from hko_research import runner

    p = dataclasses.replace(params, notebooks=(NB,))
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        res = runner.run(p, jobs=2, force=True, progress=False, cache_dir=cache)
    wall = time.perf_counter() - t0
    if res.exit_code != 0:
        sys.exit(f"the profiles' run failed (exit {res.exit_code}): {res.run_dir}")
    nb = json.loads((res.run_dir / "notebooks" / f"{NB}.ipynb").read_text(encoding="utf-8"))
    pages = next((c["metadata"].get("papermill", {}).get("duration") for c in nb["cells"]
                  if c["cell_type"] == "code" and "skriv(" in "".join(c["source"])), None)
    return wall, res.run_dir, res.notebooks[0].execute_seconds, pages


def naive(params, kommuner: list[int], out: Path, cache: Path, workers: int = 2) -> float:
    import papermill as pm

    os.environ["HKO_RESEARCH_CACHE"] = str(cache)  # the kernels validate against the same cache

    def one(k: int) -> None:
        d = out / str(k)
        d.mkdir(parents=True, exist_ok=True)
        pm.execute_notebook(str(ROOT / "notebooks" / f"{NB}.ipynb"), str(d / f"{NB}.ipynb"), kernel_name="python3",
                            progress_bar=False, cwd=str(ROOT),
                            parameters={**params.notebook_parameters(), "kommuner": [k], "output_dir": str(d)})

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, kommuner))
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-p", "--params", default=str(ROOT / "params" / "default.yaml"))
    ap.add_argument("--naive", type=int, default=6, help="kommuner rendered the naive way (extrapolated to all)")
    args = ap.parse_args()

    from hko_research.analyses.profiler.sider import filnavn
    from hko_research.kommuner import kommune_navne
    from hko_research.params import load_params

    base = load_params(args.params)
    names = kommune_navne()
    with tempfile.TemporaryDirectory(prefix="hko-profiles-bench-") as tmp:
        tmp = Path(tmp)
        params = dataclasses.replace(base, output_dir=tmp / "fast")
        cache = tmp / "cache"
        # validation once, outside both timings (both ways share its cache)
        from hko_research.inputs.validation import validate_inputs

        t0 = time.perf_counter()
        assert validate_inputs(params, cache_dir=cache).ok
        print(f"validation (once, shared): {time.perf_counter() - t0:.1f} s")

        c0 = cpu()
        wall, run_dir, execute, pages = fast(params, cache)
        c_fast = cpu() - c0
        n = len(params.kommuner)
        print(f"fast: {n} profiles + overview in one notebook: {wall:.1f} s wall, {c_fast:.1f} s CPU "
              f"(notebook {execute:.1f} s, page-writing cell {pages:.2f} s)")
        print(f"  cells: {cells(run_dir / 'notebooks' / f'{NB}.ipynb')}")

        subset = list(params.kommuner)[: max(1, min(args.naive, n))]
        c0 = cpu()
        t_naive = naive(params, subset, tmp / "naive", cache)
        c_naive = cpu() - c0
        per, per_cpu = t_naive / len(subset), c_naive / len(subset)
        est, est_cpu = per * n, per_cpu * n
        how = "measured" if len(subset) == n else "extrapolated"
        print(f"naive: {len(subset)} kernels on 2 workers: {t_naive:.1f} s wall, {c_naive:.1f} s CPU "
              f"({per:.1f} s wall, {per_cpu:.1f} s CPU per kommune); {how} for {n}: {est:.0f} s wall, "
              f"{est_cpu:.0f} s CPU")
        same = sum((tmp / "naive" / str(k) / "profiler" / filnavn(k, names[k])).read_bytes()
                   == (run_dir / "profiler" / filnavn(k, names[k])).read_bytes() for k in subset)
        print(f"identical pages: {same} of {len(subset)}")
        print(f"ratio naive/fast: {est / wall:.1f}x wall, {est_cpu / c_fast:.1f}x CPU (goal >= 4)")
        print(f"machine load (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0 if same == len(subset) else 1


if __name__ == "__main__":
    raise SystemExit(main())
