"""``hko-research run``: validate inputs, execute the notebooks in parallel, publish one run folder.

    run_command(params_path, jobs, force, progress) -> exit code      (called by cli.py)
    run(params, *, jobs, force, progress, notebooks_dir, validate, cache_dir) -> RunResult

A run folder ``<output_dir>/<name>-<YYYYmmdd-HHMMSS>[-N]`` looks like this::

    index.html            overview: parameters, data status, notebooks, tables, figures, reproduction
    manifest.json         params, git commit, versions, input/output hashes, timings, validation
    reproduction.csv      the run's numbers against the report's (only when a notebook emitted rows)
    notebooks/<nb>.ipynb  executed notebooks (successful ones only)
    html/<nb>.html        publication version (code hidden)
    html/<nb>_fuld.html   full version with code
    html/<nb>_fejl.html   error page of a failed notebook
    tables/  figures/     merged from the successful notebooks' output folders

When input validation fails there is no run folder: the report is written to
``<output_dir>/validering-<name>-<YYYYmmdd-HHMMSS>.txt`` (and printed). Ctrl-C or SIGTERM stops the
workers and their kernels at once (terminate, then kill after 0.5 s), removes the hidden staging
folder, prints one line and returns exit code 130.

Atomicity: everything is built in a hidden sibling ``.<name>.tmp-<pid>`` and moved into place with
one ``os.replace`` when complete; a failed notebook contributes only its error page. Each notebook
writes into a private staging folder (its ``output_dir`` parameter), so a failing notebook's half
tables are simply never merged.

Cache (``<output_dir>/.cache``): ``notebooks/<nb>/<key>/`` for a finished notebook (outputs,
executed notebook, HTML, timing). Input validation is cached by ``validation.validate_inputs``
itself (one cache, shared with the notebooks). The notebook key covers the notebook file, its parameters (except output_dir), every input file's
SHA-256 and the hash of the project's code and configuration, so any change re-executes.

Import discipline: papermill, nbconvert, pandas and tqdm are imported only where a notebook is
executed or exported, so a full cache-hit rerun does not pay for them.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Sequence

from . import registry
from .hashing import (
    KERNEL_NAME,
    code_hash,
    hash_inputs,
    notebook_cache_key,
    project_code_hash,
)
from .inputs.validation import CACHE_ENV, validate_inputs
from .params import check_output_dir
from .paths import NOTEBOOKS_DIR, PROJECT_ROOT, WEAK_CELLS_FILE

DEFAULT_JOBS = 2

STATUS_OK = "ok"
STATUS_FAILED = "fejlet"
STATUS_CACHED = "genbrugt fra cache"

VALIDATION_PREFIX = "validering-"  # <output_dir>/validering-<name>-<ts>.txt when validation fails
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
MERGED_DIRS = ("tables", "figures", "profiler")  # profiler/: the kommune profiles (notebook 08)
REPRODUCTION_DIR = "reproduction"

# Versions recorded in manifest.json.
PACKAGES = ("pandas", "numpy", "pandera", "papermill", "nbconvert", "matplotlib", "seaborn",
            "statsmodels", "duckdb", "pyarrow", "hko-research")

CACHE_KEEP_PER_NOTEBOOK = 5  # newest cache entries kept per notebook (e.g. several params files)


# --------------------------------------------------------------------------------------------
# Results


@dataclass
class NotebookResult:
    name: str
    status: str  # STATUS_OK / STATUS_FAILED / STATUS_CACHED
    seconds: float  # wall time spent on this notebook in this run (execution + export, or copy)
    execute_seconds: float | None = None  # papermill execution time (for a cache hit: of the cached run)
    export_seconds: float | None = None
    cache_key: str = ""
    error: dict | None = None

    @property
    def ok(self) -> bool:
        return self.status != STATUS_FAILED


@dataclass
class RunResult:
    exit_code: int
    run_dir: Path
    validation_ok: bool
    notebooks: list[NotebookResult] = field(default_factory=list)
    reproduction: dict | None = None


@dataclass
class _Validation:
    """A validation outcome, fresh or from the cache."""
    ok: bool
    text: str
    summary: dict
    cached: bool = False


# --------------------------------------------------------------------------------------------
# Entry points


def run_command(params_path: str | os.PathLike, jobs: int = DEFAULT_JOBS, force: bool = False,
                progress: bool = True, notebooks: tuple[str, ...] | None = None, **run_kwargs: Any) -> int:
    """CLI entry: load params, run, return the exit code (2 = invalid params, 1 = a failure).

    ``notebooks`` replaces the params file's notebooks (``hko-research profiles``: the profiles'
    only); ``run_kwargs`` (notebooks_dir, validate, cache_dir) are passed to run().
    """
    import dataclasses

    from .params import ParamsError, load_params

    try:
        params = load_params(params_path)
        if notebooks is not None:
            params = dataclasses.replace(params, notebooks=tuple(notebooks))
    except ParamsError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hko-research run afbrudt før start.", file=sys.stderr)
        return EXIT_INTERRUPTED
    return run(params, jobs=jobs, force=force, progress=progress, **run_kwargs).exit_code


def run(
    params,
    *,
    jobs: int = DEFAULT_JOBS,
    force: bool = False,
    progress: bool = True,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    validate: Callable[[Any], Any] | None = None,
    cache_dir: Path | None = None,
) -> RunResult:
    """Run the notebooks of ``params`` (a RunParams) and publish one run folder.

    ``validate(params)`` returns a ValidationReport-like object (``ok``, ``to_text()``,
    ``summary()``; default: :func:`validate_inputs` with the run's cache folder); ``cache_dir``
    defaults to ``<params.output_dir>/.cache`` and holds notebook results, file hashes and
    validation reports. The last line printed is the absolute run folder path.
    """
    t_start = time.perf_counter()
    created = datetime.now().astimezone()
    output_dir = Path(params.output_dir).resolve()
    cache_dir = Path(cache_dir) if cache_dir is not None else output_dir / ".cache"
    notebooks_dir = Path(notebooks_dir)
    jobs = max(1, int(jobs or 1))
    tmp = output_dir / f".{params.name}.tmp-{os.getpid()}"
    results: list[NotebookResult] = []

    with _interrupts() as interrupted:
        try:
            problem = check_output_dir(output_dir)
            if problem:
                print(problem, file=sys.stderr)
                return RunResult(exit_code=2, run_dir=output_dir, validation_ok=False)
            output_dir.mkdir(parents=True, exist_ok=True)

            print(f"hko-research run {params.name}: år {params.year}, kommuner {_kommuner_label(params)}, "
                  f"data {params.data_dir}, min_cell_size {params.min_cell_size}, "
                  f"notebooks {', '.join(params.notebooks) or '(ingen)'}")

            input_hashes = hash_inputs(Path(params.data_dir), cache_dir)
            project_hash = project_code_hash()
            if validate is None:
                def validate(p):
                    return validate_inputs(p, cache_dir=cache_dir)
            validation = _validate(params, validate)

            if not validation.ok:
                # no run folder: the report is one file next to the run folders (README: "Kørslens mappe")
                print(validation.text)
                report = _free_name(output_dir, f"{VALIDATION_PREFIX}{params.name}-{created.strftime('%Y%m%d-%H%M%S')}",
                                    ".txt")
                _write_text_atomic(report, validation.text + "\n")
                print(report)
                return RunResult(exit_code=1, run_dir=report, validation_ok=False)

            if tmp.exists():
                shutil.rmtree(tmp)
            tmp.mkdir(parents=True)
            results = _run_notebooks(params, tmp, notebooks_dir, input_hashes, project_hash, cache_dir,
                                     jobs=jobs, force=force, progress=progress)
            repro, repro_error = _assemble_run_folder(params, tmp, results, validation, input_hashes, project_hash,
                                                      created, jobs=jobs, force=force, t_start=t_start)
            run_dir = _move_into_place(tmp, output_dir, params.name, created)
        except KeyboardInterrupt:
            _stop_children()
            shutil.rmtree(tmp, ignore_errors=True)
            why = "signal SIGTERM" if interrupted.get("signal") == signal.SIGTERM else "Ctrl-C"
            print(f"hko-research run afbrudt ({why}): notebooks og kerner er stoppet, ingen kørselsmappe "
                  "er oprettet.", file=sys.stderr)
            return RunResult(exit_code=EXIT_INTERRUPTED, run_dir=output_dir, validation_ok=False)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    failed = [r for r in results if not r.ok]
    for r in results:
        extra = f" – {r.error['ename']}: {r.error['evalue']}" if r.error else ""
        print(f"  {r.name}: {r.status} ({r.seconds:.1f} s){extra}")
    if repro is not None:
        share = f"{100 * repro['share_ok']:.0f} pct." if repro["share_ok"] is not None else "–"
        print(f"  reproduktion: {repro['ok']} af {repro['compared']} inden for tolerancen ({share})")
        rc = _reproduction_counts(run_dir)
        if rc:
            print("  mål i rapporten: " + ", ".join(f"{v} {k}" for k, v in rc["per_status"].items())
                  + f" (i alt {rc['targets']}; {rc['distinct_values']} forskellige beregnede værdier)")
    if repro_error:
        print(f"  reproduktion fejlede: {repro_error}", file=sys.stderr)
    print(f"  i alt {time.perf_counter() - t_start:.1f} s")
    print(run_dir)
    exit_code = 1 if (failed or repro_error) else 0
    return RunResult(exit_code=exit_code, run_dir=run_dir, validation_ok=True, notebooks=results,
                     reproduction=repro)


# --------------------------------------------------------------------------------------------
# Interrupts: Ctrl-C and SIGTERM stop everything at once


@contextlib.contextmanager
def _interrupts():
    """SIGTERM raises KeyboardInterrupt like Ctrl-C (main thread only), so one handler stops the
    run; yields a dict telling which signal came."""
    seen: dict[str, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        yield seen
        return

    def handler(signum, _frame):
        seen["signal"] = signum
        raise KeyboardInterrupt

    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield seen
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)


def _stop_children(grace: float = 0.5) -> None:
    """Terminate every process this run started (workers and their kernels), then kill what is
    left after ``grace`` seconds."""
    import psutil

    try:
        children = [p for p in psutil.Process().children(recursive=True) if not _is_resource_tracker(p)]
    except psutil.Error:
        return
    for p in children:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(children, timeout=grace)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(alive, timeout=grace)


def _is_resource_tracker(p) -> bool:
    """multiprocessing's resource tracker: left alone, it frees the killed workers' semaphores."""
    try:
        return any("resource_tracker" in part for part in p.cmdline())
    except Exception:
        return False


def _quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with stderr to the null device: after an interrupt
    it would report the killed workers' semaphores (which it frees) to the user's terminal."""
    from multiprocessing import resource_tracker

    with _stderr_to(Path(os.devnull)):
        resource_tracker.ensure_running()


def _ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C reaches the whole process group; the parent stops the workers,
    so they do not print tracebacks of their own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# --------------------------------------------------------------------------------------------
# Validation


def _validate(params, validate) -> _Validation:
    """Run the validator (the default, ``validate_inputs``, caches by content itself)."""
    try:
        report = validate(params)
    except Exception as exc:  # a validator that cannot run must stop the run, visibly
        import traceback

        text = ("Inputvalideringen kunne ikke gennemføres / input validation could not run:\n"
                f"{type(exc).__name__}: {exc}\n\n{''.join(traceback.format_exception(exc))}")
        return _Validation(ok=False, text=text, summary={"ok": False, "error": f"{type(exc).__name__}: {exc}"})
    text = _report_text(report)
    try:
        summary = report.summary()
    except Exception as exc:
        summary = {"ok": bool(report.ok), "summary_error": f"{type(exc).__name__}: {exc}"}
    return _Validation(ok=bool(report.ok), text=text, summary=summary,
                       cached=bool(getattr(report, "from_cache", False)))


def _report_text(report) -> str:
    try:
        return report.to_text()
    except Exception:  # renderer missing or broken: fall back to a plain list
        lines = [f"Validering: {'OK' if report.ok else 'FEJL'}"]
        for f in getattr(report, "failures", []):
            lines.append(f"  {f.file} | {f.column} | {f.check} | række {f.row} | værdi {f.value!r}")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Notebook execution (parallel workers) and the cache


def _notebook_code_hash(name: str, project_hash: str) -> str:
    """The code a notebook's cache key covers: for a registered analysis the shared code, its own
    folder and the folders of the analyses it builds on (a change elsewhere does not rerun it);
    for any other notebook all code."""
    analysis = registry.for_notebook(name)
    return project_hash if analysis is None else code_hash([analysis.name, *analysis.depends_on])


def _run_notebooks(params, tmp: Path, notebooks_dir: Path, input_hashes, project_hash, cache_dir: Path, *,
                   jobs: int, force: bool, progress: bool) -> list[NotebookResult]:
    results, tasks = _plan_notebooks(params, tmp, notebooks_dir, input_hashes, project_hash, cache_dir, force=force)
    if tasks:
        _execute_parallel(tasks, jobs=jobs, progress=progress,
                          on_done=lambda task, res: _collect_results([(task, res)], tmp / ".stage", results))
    return [results[n] for n in dict.fromkeys(params.notebooks)]


def _plan_notebooks(params, tmp: Path, notebooks_dir: Path, input_hashes, project_hash, cache_dir: Path, *,
                    force: bool) -> tuple[dict[str, NotebookResult], list[dict[str, Any]]]:
    """Cache hits are copied into ``tmp/.stage`` now; the rest become tasks for the worker pool
    (``hko-research batch`` pools the tasks of every combination)."""
    stage_root = tmp / ".stage"
    base_params = params.notebook_parameters()
    results: dict[str, NotebookResult] = {}
    tasks: list[dict[str, Any]] = []
    for name in dict.fromkeys(params.notebooks):  # each notebook once, in the params' order
        nb_path = notebooks_dir / f"{name}.ipynb"
        if not nb_path.exists():
            results[name] = _missing_notebook(name, nb_path, tmp, params)
            continue
        key = notebook_cache_key(nb_path, base_params, input_hashes, _notebook_code_hash(name, project_hash))
        entry = cache_dir / "notebooks" / name / key
        if not force and (entry / "meta.json").exists():
            t0 = time.perf_counter()
            try:
                meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
                _copy_entry(entry, stage_root, name)
                os.utime(entry)  # recently used entries survive _prune
            except (OSError, ValueError):
                shutil.rmtree(stage_root / name, ignore_errors=True)
                shutil.rmtree(stage_root / f".{name}.pub", ignore_errors=True)
            else:
                results[name] = NotebookResult(
                    name=name, status=STATUS_CACHED, seconds=time.perf_counter() - t0,
                    execute_seconds=meta.get("execute_seconds"), export_seconds=meta.get("export_seconds"),
                    cache_key=key)
                continue
        out_dir = stage_root / name
        pub_dir = stage_root / f".{name}.pub"
        out_dir.mkdir(parents=True)
        pub_dir.mkdir(parents=True)
        tasks.append({
            "name": name, "notebook": str(nb_path), "parameters": {**base_params, "output_dir": str(out_dir)},
            "out_dir": str(out_dir), "pub_dir": str(pub_dir), "synthetic": bool(params.synthetic),
            "run_name": params.name, "key": key, "entry": str(entry), "cache_dir": str(cache_dir),
            "expected_seconds": _last_seconds(cache_dir / "notebooks" / name),
        })
    return results, tasks


def _last_seconds(notebook_cache: Path) -> float | None:
    """How long the notebook took the last time it ran (its newest cache entry), if ever."""
    try:
        entries = [p / "meta.json" for p in notebook_cache.iterdir() if (p / "meta.json").is_file()]
        meta = json.loads(max(entries, key=lambda p: p.stat().st_mtime).read_text(encoding="utf-8"))
        return float(meta["execute_seconds"]) + float(meta.get("export_seconds") or 0.0)
    except (OSError, ValueError, KeyError, TypeError):  # no entry yet, or an unreadable one
        return None


def longest_first(tasks: Sequence[dict]) -> list[dict]:
    """The order in which the pool starts tasks: the longest first, so that no long notebook starts
    last and runs alone on the critical path (LPT scheduling). A notebook never run before goes
    first (it may be long), then the others by their last duration; ties keep the params' order."""
    return sorted(tasks, key=lambda t: (t.get("expected_seconds") is not None, -(t.get("expected_seconds") or 0.0)))


def _collect_results(outcomes, stage_root: Path, results: dict[str, NotebookResult]) -> None:
    """Executed tasks -> NotebookResults; a successful one is stored in the cache at once (what
    finished before an interrupt is kept)."""
    for task, res in outcomes:
        nbres = NotebookResult(name=res["name"], status=res["status"], seconds=res["seconds"],
                               execute_seconds=res.get("execute_seconds"),
                               export_seconds=res.get("export_seconds"), cache_key=task["key"],
                               error=res.get("error"))
        if nbres.status == STATUS_OK:
            _store_entry(Path(task["entry"]), stage_root, nbres)
        results[nbres.name] = nbres


def _execute_parallel(tasks: list[dict], *, jobs: int, progress: bool,
                      on_done: Callable[[dict, dict], None] | None = None) -> list[tuple[dict, dict]]:
    """Run tasks in worker processes (spawned: no inherited threads or kernel sockets); returns
    (task, result) pairs in the order they finished, each also passed to ``on_done`` as it
    finishes. A task's ``label`` names it on the bar."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm import tqdm

    disable = not progress or not sys.stderr.isatty()
    ctx = multiprocessing.get_context("spawn")
    bar = tqdm(total=len(tasks), desc="notebooks", unit="nb", disable=disable, file=sys.stderr)
    out = []
    _quiet_resource_tracker()
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx, initializer=_ignore_interrupts)
    try:
        futures = {pool.submit(execute_notebook_task, t): t for t in longest_first(tasks)}
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # the worker process itself died
                res = _worker_crash(task, exc)
            bar.set_postfix_str(f"{task.get('label', res['name'])}: {res['status']}")
            bar.update(1)
            out.append((task, res))
            if on_done is not None:
                on_done(task, res)
    except KeyboardInterrupt:
        _stop_children()  # workers and kernels, now: do not wait for the running cells
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        bar.close()
    return out


def execute_notebook_task(task: dict[str, Any]) -> dict[str, Any]:
    """Worker: execute one notebook with papermill and export its HTML pages.

    Writes only into the task's private folders: ``out_dir`` (the notebook's output_dir) and
    ``pub_dir`` (executed notebook, HTML, or the error page). Never raises.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    if task.get("cache_dir"):  # the kernel inherits it: notebooks validate against the run's cache
        os.environ[CACHE_ENV] = task["cache_dir"]
    name, pub = task["name"], Path(task["pub_dir"])
    executed = pub / f"{name}.ipynb"
    # The kernel inherits this process's stderr: send it (and papermill's warnings) to a log next to
    # the staging folders instead of the user's terminal; a failure shows its tail on the error page.
    log_path = pub.parent / f".{name}.stderr.log"
    with _stderr_to(log_path):
        result = _execute(task, name, pub, executed, log_path)
    return result


def _execute(task: dict[str, Any], name: str, pub: Path, executed: Path, log_path: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    execute_seconds = None
    try:
        import papermill as pm

        pm.execute_notebook(
            task["notebook"], str(executed), parameters=task["parameters"], kernel_name=KERNEL_NAME,
            progress_bar=False, log_output=False, cwd=task["out_dir"],
            # papermill otherwise rewrites (and validates) the whole notebook, images included,
            # before and after every cell; a failing cell is still written with its error
            request_save_on_cell_execute=False,
        )
        execute_seconds = time.perf_counter() - t0
        t1 = time.perf_counter()
        from .publishing import html as publish

        publish.export_notebook(executed, pub / f"{name}.html", publication=True, synthetic=task["synthetic"],
                                title=name, other_link=f"{name}_fuld.html", other_label="Fuld version med kode")
        publish.export_notebook(executed, pub / f"{name}_fuld.html", publication=False,
                                synthetic=task["synthetic"], title=f"{name} (fuld version)",
                                other_link=f"{name}.html", other_label="Publikationsversion")
        return {"name": name, "status": STATUS_OK, "seconds": time.perf_counter() - t0,
                "execute_seconds": execute_seconds, "export_seconds": time.perf_counter() - t1}
    except BaseException as exc:  # noqa: BLE001 - every failure becomes an error page
        seconds = time.perf_counter() - t0
        sys.stderr.flush()
        error = _write_failure(task, exc, executed, execute_seconds or seconds, stderr=_log_tail(log_path))
        return {"name": name, "status": STATUS_FAILED, "seconds": time.perf_counter() - t0,
                "execute_seconds": execute_seconds, "error": error}


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Redirect file descriptor 2 (inherited by the kernel process) to ``path``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


_STDERR_NOISE = ("Kernel is running over TCP without encryption", "Use IPC transport or launch with")


def _log_tail(path: Path, max_chars: int = 4000) -> str:
    """The kernel's and papermill's stderr without known noise, last ``max_chars`` characters."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    text = "\n".join(ln for ln in lines if ln.strip() and not any(n in ln for n in _STDERR_NOISE))
    return text[-max_chars:]


def _write_failure(task: dict, exc: BaseException, executed: Path, duration: float, *, stderr: str = "") -> dict:
    """Clear the notebook's private folders and write its error page; returns the error summary."""
    from .publishing import html as publish

    name, pub = task["name"], Path(task["pub_dir"])
    ename, evalue, tb = publish.error_traceback(exc)
    partial = pub / f".{name}.partial.ipynb"
    if executed.exists():
        os.replace(executed, partial)
    for p in pub.iterdir():  # a half-exported HTML page must not survive
        if p != partial:
            p.unlink() if p.is_file() else shutil.rmtree(p, ignore_errors=True)
    shutil.rmtree(task["out_dir"], ignore_errors=True)
    try:
        publish.write_error_page(pub / f"{name}_fejl.html", notebook=name, run_name=task["run_name"],
                                 ename=ename, evalue=evalue, traceback=tb, synthetic=task["synthetic"],
                                 partial_notebook=partial, duration=duration, stderr=stderr)
    except Exception as page_exc:  # last resort: a plain page, still with the banner text
        label = "Syntetiske data" if task["synthetic"] else "Rigtige data"
        import html

        (pub / f"{name}_fejl.html").write_text(
            f"<!DOCTYPE html><html lang='da'><meta charset='utf-8'><title>Fejl i {html.escape(name)}</title>"
            f"<body><div class='hko-data-banner'><strong>{label}</strong></div>"
            f"<p><a href='../index.html'>Tilbage til oversigten</a></p><h1>Fejl i {html.escape(name)}</h1>"
            f"<p><strong>{html.escape(ename)}</strong>: {html.escape(evalue)}</p><pre>{html.escape(tb)}</pre>"
            f"<p>Fejlsiden kunne ikke laves fuldt ud: {html.escape(repr(page_exc))}</p></body></html>",
            encoding="utf-8")
    if partial.exists():
        partial.unlink()
    return {"ename": ename, "evalue": evalue, "traceback": tb}


def _worker_crash(task: dict, exc: BaseException) -> dict:
    """The worker process died (e.g. killed); write the error page from the parent."""
    error = _write_failure(task, exc, Path(task["pub_dir"]) / f"{task['name']}.ipynb", 0.0)
    return {"name": task["name"], "status": STATUS_FAILED, "seconds": 0.0, "error": error}


def _missing_notebook(name: str, nb_path: Path, tmp: Path, params) -> NotebookResult:
    stage = tmp / ".stage"
    task = {"name": name, "pub_dir": str(stage / f".{name}.pub"), "out_dir": str(stage / name),
            "run_name": params.name, "synthetic": bool(params.synthetic)}
    Path(task["pub_dir"]).mkdir(parents=True, exist_ok=True)
    error = _write_failure(task, FileNotFoundError(f"notebook {nb_path} does not exist"),
                           Path(task["pub_dir"]) / f"{name}.ipynb", 0.0)
    return NotebookResult(name=name, status=STATUS_FAILED, seconds=0.0, error=error)


def _copy_entry(entry: Path, stage_root: Path, name: str) -> None:
    """Cache hit: copy the cached outputs and publication files into the run's staging area."""
    shutil.copytree(entry / "output", stage_root / name)
    shutil.copytree(entry / "pub", stage_root / f".{name}.pub")


def _store_entry(entry: Path, stage_root: Path, res: NotebookResult) -> None:
    """Save a successful notebook in the cache (atomically; a concurrent writer's entry wins)."""
    if entry.exists():
        return
    tmp = entry.parent / f".{entry.name}.tmp-{os.getpid()}"
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        shutil.copytree(stage_root / res.name, tmp / "output")
        shutil.copytree(stage_root / f".{res.name}.pub", tmp / "pub")
        meta = {"notebook": res.name, "key": res.cache_key, "execute_seconds": res.execute_seconds,
                "export_seconds": res.export_seconds, "created": datetime.now().astimezone().isoformat()}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        os.replace(tmp, entry)
        _prune(entry.parent)
    except OSError:
        pass  # caching is an optimisation; a failed store must not fail the run
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _prune(notebook_cache: Path, keep: int = CACHE_KEEP_PER_NOTEBOOK) -> None:
    """Keep the ``keep`` newest cache entries of one notebook (a run reading an entry that is
    pruned meanwhile falls back to executing the notebook)."""
    entries = sorted((p for p in notebook_cache.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Assembling the run folder


def _assemble_run_folder(params, tmp: Path, results: list[NotebookResult], validation: _Validation, input_hashes,
                         project_hash: str, created: datetime, *, jobs: int, force: bool, t_start: float,
                         batch: str | None = None):
    """Turn ``tmp`` (notebooks executed into ``tmp/.stage``) into a complete run folder: merged
    outputs, reproduction.csv, index.html, manifest.json. Returns (reproduction summary, error).
    ``batch``: the name of the batch the run belongs to (its index links back to the overview)."""
    repro, repro_error = _gather_reproduction(params, tmp, results)
    made_by = _table_origins(tmp / ".stage", results)
    warnings, weak_cells = _merge_outputs(tmp, results)
    shutil.rmtree(tmp / ".stage", ignore_errors=True)

    dataset = _dataset_status(params)
    git = git_status()
    context = _index_context(params, results, validation, repro, repro_error, dataset, git, created,
                             warnings, tmp, made_by=made_by)
    context["batch"] = batch
    from .publishing import html as publish

    publish.write_index(tmp / "index.html", context)
    manifest = _manifest(params, results, validation, repro, repro_error, dataset, git, created,
                         input_hashes, project_hash, warnings, tmp, jobs=jobs, force=force,
                         total_seconds=time.perf_counter() - t_start, weak_cells=weak_cells)
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    return repro, repro_error


def _table_origins(stage: Path, results: list[NotebookResult]) -> dict[str, str]:
    """Which notebook wrote each table file (``tables/…`` path -> notebook), before they are merged."""
    out = {}
    for r in results:
        src = stage / r.name / "tables"
        if r.status != STATUS_FAILED and src.is_dir():
            out.update({f"tables/{p.relative_to(src).as_posix()}": r.name for p in src.rglob("*") if p.is_file()})
    return out


def _table_groups(tables: list[str], made_by: dict[str, str], order: list[str]) -> list[dict[str, Any]]:
    """The index's table list: per notebook (in the run's order), one entry per table with its
    formats (CSV, XLSX) side by side."""
    groups: dict[str, dict[str, list[dict[str, str]]]] = {name: {} for name in order}
    for path in tables:
        stem, _, ext = path[len("tables/"):].rpartition(".")
        groups.setdefault(made_by.get(path, "øvrige"), {}).setdefault(stem, []).append(
            {"format": ext.upper(), "path": path})
    return [{"notebook": nb, "tables": [{"name": stem, "files": files} for stem, files in entries.items()]}
            for nb, entries in groups.items() if entries]


def _weak_cell_warnings(notebook: str, weak: dict[str, list]) -> list[str]:
    """The publisher's record of masked cells no later table could protect, as index warnings (the
    full list is in manifest.json)."""
    out = []
    for table, cells in weak.items():
        where = ", ".join(f"{t} række {r} kolonne {c}" for t, r, c in cells[:6]) + (f" og {len(cells) - 6} flere" if len(cells) > 6 else "")
        what = "undertrykt celle" if len(cells) == 1 else "undertrykte celler"
        out.append(f"{notebook}: {len(cells)} {what} kan afgrænses snævrere end mindste cellestørrelse "
                   f"ud fra {table} sammen med tidligere tabeller ({where}). Kontrollér dem før udlevering.")
    return out


def _merge_outputs(tmp: Path, results: list[NotebookResult]) -> tuple[list[str], dict[str, dict]]:
    """Move each notebook's publication files and tables/figures into the run folder. Returns the
    index warnings and, per notebook, the masked cells its publisher could not protect."""
    stage = tmp / ".stage"
    warnings: list[str] = []
    weak_cells: dict[str, dict] = {}
    for d in ("notebooks", "html", *MERGED_DIRS):
        (tmp / d).mkdir(exist_ok=True)
    for r in results:
        pub = stage / f".{r.name}.pub"
        if r.status == STATUS_FAILED:
            page = pub / f"{r.name}_fejl.html"
            if page.exists():
                os.replace(page, tmp / "html" / page.name)
            continue
        os.replace(pub / f"{r.name}.ipynb", tmp / "notebooks" / f"{r.name}.ipynb")
        for page in (f"{r.name}.html", f"{r.name}_fuld.html"):
            os.replace(pub / page, tmp / "html" / page)
        weak_file = stage / r.name / WEAK_CELLS_FILE
        if weak_file.is_file():
            weak_cells[r.name] = json.loads(weak_file.read_text(encoding="utf-8"))
            warnings += _weak_cell_warnings(r.name, weak_cells[r.name])
        for d in MERGED_DIRS:
            src = stage / r.name / d
            if not src.is_dir():
                continue
            for f in sorted(p for p in src.rglob("*") if p.is_file()):
                dest = tmp / d / f.relative_to(src)
                if dest.exists():
                    warnings.append(f"{r.name}: {d}/{f.relative_to(src).as_posix()} findes allerede fra en "
                                    f"anden delanalyse og er ikke overskrevet")
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(f, dest)
    return warnings, weak_cells


def _gather_reproduction(params, tmp: Path, results: list[NotebookResult]):
    """reproduction.csv from the successful notebooks' reproduction/*.csv (None when there are none)."""
    files = []
    for r in results:
        if r.status != STATUS_FAILED:
            d = tmp / ".stage" / r.name / REPRODUCTION_DIR
            if d.is_dir():
                files += sorted(d.glob("*.csv"))
    if not files:
        return None, None
    from .publishing import reproduction

    try:
        rows = reproduction.build(files)
    except (reproduction.ReproductionError, ValueError, KeyError) as exc:
        return None, str(exc)
    if not rows:
        return None, None
    reproduction.write_csv(rows, tmp / "reproduction.csv")
    return reproduction.summarise(rows), None


def _reproduction_counts(run_dir: Path) -> dict | None:
    """Counts of every report target per status and per delanalyse (None without reproduction.csv)."""
    path = run_dir / "reproduction.csv"
    if not path.exists():
        return None
    from .publishing import reproduction

    return reproduction.counts(path)


def _move_into_place(tmp: Path, output_dir: Path, name: str, created: datetime) -> Path:
    """os.replace the finished temp folder to <name>-<timestamp>, adding -2, -3, ... if taken."""
    base = f"{name}-{created.strftime('%Y%m%d-%H%M%S')}"
    for i in range(1, 1000):
        target = output_dir / (base if i == 1 else f"{base}-{i}")
        if target.exists():
            continue
        try:
            os.rename(tmp, target)  # atomic; fails if a concurrent run took the name meanwhile
            return target.resolve()
        except OSError:
            if target.exists():
                continue
            raise
    raise RuntimeError(f"no free run folder name for {base} in {output_dir}")


def _free_name(folder: Path, base: str, suffix: str) -> Path:
    for i in range(1, 1000):
        p = folder / (f"{base}{suffix}" if i == 1 else f"{base}-{i}{suffix}")
        if not p.exists():
            return p
    raise RuntimeError(f"no free file name for {base} in {folder}")


def _write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------
# index.html and manifest.json


def _kommuner_label(params) -> str:
    n = len(params.kommuner)
    spec = params.kommuner_spec
    if isinstance(spec, str) and not spec.strip().isdigit():
        return f"{spec.strip()} ({n} kommune{'r' if n != 1 else ''})"
    try:
        from .kommuner import kommune_navne

        names = kommune_navne()
    except Exception:
        names = {}
    shown = ", ".join(f"{names.get(k, '?')} ({k})" for k in params.kommuner[:10])
    more = f" og {n - 10} flere" if n > 10 else ""
    return f"{n} kommune{'r' if n != 1 else ''}: {shown}{more}"


def _dataset_status(params) -> dict[str, Any]:
    from .inputs.dataset import DatasetError, load_dataset_info

    try:
        info = load_dataset_info(params.data_dir)
    except DatasetError as exc:
        return {"synthetic": bool(params.synthetic), "seed": None, "years": list(params.covered_years),
                "error": str(exc)}
    return {"synthetic": info.synthetic, "label": info.label, "seed": info.seed, "years": list(info.years),
            "generator": info.generator, "description": info.description}


def git_status(root: Path = PROJECT_ROOT) -> dict[str, Any]:
    """{"commit": HEAD or None, "dirty": bool or None} of the project checkout."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=20)

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return {"commit": None, "dirty": None}
        status = git("status", "--porcelain")
        return {"commit": head.stdout.strip(), "dirty": bool(status.stdout.strip()) if status.returncode == 0 else None}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def package_versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def _status_class(status: str) -> str:
    return {STATUS_OK: "status-ok", STATUS_FAILED: "status-fejlet", STATUS_CACHED: "status-cache"}[status]


def _notebook_links(r: NotebookResult) -> dict[str, str | None]:
    if r.status == STATUS_FAILED:
        return {"html": None, "full": None, "notebook": None, "error": f"html/{r.name}_fejl.html"}
    return {"html": f"html/{r.name}.html", "full": f"html/{r.name}_fuld.html",
            "notebook": f"notebooks/{r.name}.ipynb", "error": None}


def _figures(tmp: Path) -> list[dict[str, Any]]:
    """Figures grouped by name: a PNG (or SVG/JPG) preview plus links to the other formats."""
    groups: dict[str, list[str]] = {}
    root = tmp / "figures"
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = f.relative_to(tmp).as_posix()
        groups.setdefault(rel.rsplit(".", 1)[0], []).append(rel)
    out = []
    order = ("png", "svg", "jpg", "jpeg", "gif", "webp")
    for stem, files in groups.items():
        by_ext = {p.rsplit(".", 1)[-1].lower(): p for p in files}
        preview = next((by_ext[e] for e in order if e in by_ext), None)
        main = preview or files[0]
        out.append({"name": stem.split("/", 1)[1], "path": main, "preview": preview,
                    "alternatives": [p for p in files if p != main]})
    return out


def _index_context(params, results, validation: _Validation, repro, repro_error, dataset, git, created,
                   warnings, tmp: Path, made_by: dict[str, str] | None = None) -> dict[str, Any]:
    tables = [p.relative_to(tmp).as_posix() for p in sorted((tmp / "tables").rglob("*")) if p.is_file()]
    notebooks = [{
        "name": r.name, "status": r.status, "status_class": _status_class(r.status),
        "duration": r.seconds, "links": _notebook_links(r),
    } for r in results]
    inputs = validation.summary.get("inputs") if isinstance(validation.summary, dict) else None
    return {
        "title": f"HKO-kortlægning – kørsel {params.name}",
        "run_name": params.name,
        "created": created.strftime("%Y-%m-%d %H:%M:%S"),
        "params": {"year": params.year, "data_dir": str(params.data_dir), "min_cell_size": params.min_cell_size},
        "kommuner_label": _kommuner_label(params),
        "synthetic": bool(dataset.get("synthetic", params.synthetic)),
        "data_dir": str(params.data_dir),
        "dataset": dataset,
        "validation": {"ok": validation.ok, "cached": validation.cached,
                       "n_inputs": len(inputs) if isinstance(inputs, list) else None},
        "notebooks": notebooks,
        "failed": [n for n in notebooks if n["status"] == STATUS_FAILED],
        "tables": tables,
        "table_groups": _table_groups(tables, made_by or {}, [r.name for r in results]),
        "figures": _figures(tmp),
        "reproduction": repro,
        "reproduction_counts": _reproduction_counts(tmp),
        "reproduction_error": repro_error,
        "is_report_setting": bool(getattr(params, "is_report_setting", False)),
        "git_commit": git.get("commit"),
        "git_dirty": git.get("dirty"),
        "warnings": warnings,
    }


def _manifest(params, results, validation: _Validation, repro, repro_error, dataset, git, created,
              input_hashes, project_hash, warnings, tmp: Path, *, jobs: int, force: bool,
              total_seconds: float, weak_cells: dict | None = None) -> dict[str, Any]:
    from .hashing import file_sha256

    outputs = {p.relative_to(tmp).as_posix(): file_sha256(p)
               for p in sorted(tmp.rglob("*")) if p.is_file() and p.name != "manifest.json"}
    return {
        "created": created.isoformat(),
        "params": params.as_dict(),
        "notebook_parameters": {k: v for k, v in params.notebook_parameters().items() if k != "output_dir"},
        "git": git,
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "packages": package_versions(),
        "data": dataset,
        "inputs": input_hashes,
        "code_hash": project_hash,
        "validation": {**(validation.summary if isinstance(validation.summary, dict) else {}),
                       "ok": validation.ok, "cached": validation.cached},
        "notebooks": [{
            "name": r.name, "status": r.status, "seconds": round(r.seconds, 3),
            "execute_seconds": None if r.execute_seconds is None else round(r.execute_seconds, 3),
            "export_seconds": None if r.export_seconds is None else round(r.export_seconds, 3),
            "cache_key": r.cache_key,
            "error": None if r.error is None else {"ename": r.error["ename"], "evalue": r.error["evalue"]},
        } for r in results],
        "reproduction": repro,
        "reproduction_counts": _reproduction_counts(tmp),
        "reproduction_error": repro_error,
        "runner": {"jobs": jobs, "force": force, "kernel": KERNEL_NAME,
                   "seconds_before_manifest": round(total_seconds, 3)},
        "warnings": warnings,
        # masked cells that totals in earlier tables of the same notebook fix: {notebook: {table: [[table, row, col]]}}
        "weakly_protected_cells": weak_cells or {},
        "outputs": outputs,
    }
