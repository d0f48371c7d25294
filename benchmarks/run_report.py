"""Benchmark `hko-research run` against its floor, in one run.

    .venv/bin/python benchmarks/run_report.py -p params/default.yaml --jobs 2
    .venv/bin/python benchmarks/run_report.py --fixtures          # the runner tests' tiny notebooks

Measures
  (a) floor: for every notebook in the params, start a kernel with papermill and import the
      libraries the notebooks use (pandas, numpy, matplotlib, seaborn, statsmodels.api, duckdb,
      pandera.pandas, hko_research) in a one-cell notebook; summed over notebooks / workers.
      That is what a run of N notebooks on `jobs` workers cannot avoid.
  (b) a full `hko-research run --force` (wall time of the command, Python start-up included);
  (c) a cache-hit rerun (same command without --force);
  (d) the naive way, what a user would do without the runner: each notebook with the `papermill`
      CLI, then `jupyter nbconvert --to html --no-input`, one after the other (skip with --no-naive).
Prints the wall times, full/floor (goal <= 2), naive/full (goal >= 2), the runner's overhead beyond
the critical path of the notebooks' own times (goal <= 20 %) and the cache-hit seconds (goal <= 2 s).
Not part of the tests; it runs against whatever notebooks exist.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "runner"
IMPORTS = """import pandas, numpy, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot, seaborn, statsmodels.api, duckdb, pandera.pandas, hko_research"""

FIXTURE_RUN = """
import sys
from pathlib import Path
from hko_research.params import RunParams
from hko_research import runner

class _Ok:
    ok = True
    def to_text(self): return "ok"
    def summary(self): return {{"ok": True}}

def _validate(params):
    return _Ok()

if __name__ == "__main__":
    p = RunParams(year=2019, kommuner=(101,), kommuner_spec="alle", data_dir=Path({data!r}),
                  output_dir=Path({out!r}), min_cell_size=5, notebooks=("01_ok",), name="bench",
                  synthetic=True, covered_years=(2019,))
    r = runner.run(p, jobs={jobs}, force=__FORCE__, progress=False, notebooks_dir=Path({nbdir!r}),
                   validate=_validate)
    sys.exit(r.exit_code)
"""


def floor_seconds(n_notebooks: int, jobs: int) -> tuple[float, list[float]]:
    """Kernel start + library imports through papermill, once per notebook, divided by workers."""
    import nbformat
    import papermill as pm
    from nbformat.v4 import new_code_cell, new_notebook

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "floor.ipynb"
        nb = new_notebook(cells=[new_code_cell(IMPORTS)],
                          metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
        nbformat.write(nb, src)
        for i in range(n_notebooks):
            t0 = time.perf_counter()
            pm.execute_notebook(str(src), str(Path(tmp) / f"out{i}.ipynb"), kernel_name="python3",
                                progress_bar=False, log_output=False)
            times.append(time.perf_counter() - t0)
    return sum(times) / max(1, min(jobs, n_notebooks)), times


def naive_seconds(params) -> tuple[float, list[tuple[str, float]]]:
    """Every notebook through the papermill CLI and nbconvert, sequentially, into a temp folder."""
    import json

    bindir = Path(sys.executable).parent
    per_nb = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in params.notebooks:
            nb_out = Path(tmp) / f"{name}.ipynb"
            nb_params = {**params.notebook_parameters(), "output_dir": str(Path(tmp) / name)}
            t0 = time.perf_counter()
            subprocess.run([str(bindir / "papermill"), str(ROOT / "notebooks" / f"{name}.ipynb"), str(nb_out),
                            "-y", json.dumps(nb_params), "--no-progress-bar", "--cwd", tmp],
                           check=True, capture_output=True, cwd=ROOT)
            subprocess.run([str(bindir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb_out)],
                           check=True, capture_output=True, cwd=ROOT)
            per_nb.append((name, time.perf_counter() - t0))
    return sum(t for _, t in per_nb), per_nb


def critical_path(run_dir: Path, jobs: int) -> tuple[float, float]:
    """(the notebooks' own seconds summed, the least wall time any schedule of them on ``jobs``
    workers needs: the longest notebook, or the sum over the workers)."""
    import json

    secs = [nb["seconds"] for nb in json.loads((run_dir / "manifest.json").read_text())["notebooks"]
            if nb.get("seconds")]
    return sum(secs), max(max(secs, default=0.0), sum(secs) / max(1, jobs))


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - t0, proc


def _explain_miss(out_full: str, out_hit: str) -> None:
    """Say which part of the cache key changed between the two runs (code edited meanwhile?)."""
    import json

    try:
        a, b = (json.loads((Path(o.strip().splitlines()[-1]) / "manifest.json").read_text()) for o in (out_full, out_hit))
    except (OSError, ValueError, IndexError):
        return
    for key in ("code_hash", "inputs", "notebook_parameters"):
        if a.get(key) != b.get(key):
            print(f"    cache miss: {key} changed between the runs")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-p", "--params", default="params/default.yaml")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--fixtures", action="store_true", help="benchmark on tests/fixtures/runner (01_ok) instead")
    ap.add_argument("--no-naive", action="store_true", help="skip (d), the sequential papermill + nbconvert baseline")
    args = ap.parse_args(argv)

    if args.fixtures:
        out = tempfile.mkdtemp(prefix="hko-bench-")
        script = FIXTURE_RUN.format(data=str(FIXTURES / "data"), out=out, nbdir=str(FIXTURES / "notebooks"),
                                    jobs=args.jobs)
        full_cmd = [sys.executable, "-c", script.replace("__FORCE__", "True")]
        hit_cmd = [sys.executable, "-c", script.replace("__FORCE__", "False")]
        n_notebooks = 1
        label = "fixtures (01_ok)"
    else:
        from hko_research.params import load_params

        params = load_params(args.params)
        n_notebooks = len(params.notebooks)
        exe = str(Path(sys.executable).with_name("hko-research"))
        base = [exe, "run", "-p", args.params, "--jobs", str(args.jobs), "--no-progress"]
        full_cmd, hit_cmd = base + ["--force"], base
        label = f"{args.params}: {', '.join(params.notebooks)}"

    print(f"benchmark: {label}; {n_notebooks} notebook(s), {args.jobs} worker(s)")
    floor, per_nb = floor_seconds(n_notebooks, args.jobs)
    print(f"(a) floor (kernel start + imports, {' + '.join(f'{t:.2f}' for t in per_nb)} s / "
          f"{min(args.jobs, n_notebooks)} worker(s)): {floor:.2f} s")

    full, proc = timed(full_cmd)
    print(f"(b) full run --force: {full:.2f} s (exit {proc.returncode}); run folder {proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else '?'}")
    if proc.returncode not in (0, 1):
        print(proc.stderr[-2000:], file=sys.stderr)
    hit, proc2 = timed(hit_cmd)
    print(f"(c) cache-hit rerun: {hit:.2f} s (exit {proc2.returncode})")
    cached = "genbrugt fra cache" in proc2.stdout
    if not cached:
        _explain_miss(proc.stdout, proc2.stdout)
    if not args.fixtures and proc.returncode in (0, 1) and proc.stdout.strip():
        total, bound = critical_path(Path(proc.stdout.strip().splitlines()[-1]), args.jobs)
        overhead = (full - bound) / full
        print(f"notebooks' own time {total:.1f} s; critical path on {args.jobs} worker(s) >= {bound:.1f} s; "
              f"runner overhead {full - bound:.1f} s = {100 * overhead:.0f} % of the run (goal <= 20 %)"
              f"{'' if overhead <= 0.2 else '  ** above goal'}")
        if not args.no_naive:
            naive, per = naive_seconds(params)
            print(f"(d) naive papermill CLI + nbconvert, one after the other: {naive:.1f} s "
                  f"({', '.join(f'{n} {t:.1f}' for n, t in per)})")
            print(f"ratio naive/full: {naive / full:.2f} (goal >= 2){'' if naive / full >= 2 else '  ** below goal'}")
    print(f"ratio full/floor: {full / floor:.2f} (goal <= 2){'' if full / floor <= 2 else '  ** above goal'}")
    print(f"cache hit: {hit:.2f} s (goal <= 2 s){'' if hit <= 2 else '  ** above goal'}"
          f"{'' if cached else '  ** notebooks were NOT reused from the cache'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
