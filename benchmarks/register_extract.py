"""Benchmark: DREAM values at grant dates by projection + semi-join vs reading the register in pandas.

Not a test; prints numbers. Builds, in a temporary folder that is removed afterwards (never
committed), a DREAM-shaped Parquet file: ``--rows`` persons (default 5.000.000) with ``pnr``, ``kon``,
``foeddt``, 261 weekly ``y_yyww`` Int16 columns (codes in 13-week spells, ~65 pct. empty weeks),
60 monthly ``grad_``, ``branche_`` and ``virkform_`` columns each (444 columns), written chunk by
chunk with ``ParquetWriter`` (row groups of 500k rows), then measures, each in a fresh child
process (wall time inside the child; peak RSS of that child from ``os.wait4``'s ``ru_maxrss``):

(a)  ``registers.dream_at_dates`` for 30.000 random persons whose grant dates need 20 columns
     (5 dates in 5 months: 5 weekly + 5 x grad/branche/virkform);
(a2) the same with dates spread over two years (~180 columns: the realistic grant population);
(b)  the pandas baseline: ``pd.read_parquet`` of the whole file, then filter and pick. When the
     whole file would not fit (estimate: 9,5 bytes per cell, measured 19,3 GiB peak for 5M x 444
     columns, vs 80 pct. of MemAvailable) the baseline reads the same 20 columns + pnr, kon, foeddt
     for all rows instead, and says so (``--baseline whole|columns`` forces one).

Usage: ``.venv/bin/python benchmarks/register_extract.py [--rows N] [--persons N] [--repeat N]``
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

GOAL_SECONDS = 1.0
GOAL_GIB = 0.6
CODES = [111, 130, 730, 771, 785, 890, 899, 652, 783, 621, 998, 740, 810]
BRANCHER = ["011100", "862100", "475400", "841100", "855900", "691000", "432100", "561010"]
VIRKFORM = ["10", "20", "30", "40"]
FIRST_MONDAY = "2014-12-29"  # Monday of ISO 2015-W01
N_WEEKS, N_MONTHS = 261, 60  # 2015-W01 .. 2019-W52 (2015 has 53 weeks); 2015-01 .. 2019-12
DATES_20 = ["2019-01-16", "2019-03-13", "2019-05-15", "2019-08-14", "2019-10-16"]


def _gib(kib: int) -> float:
    return kib / 1024 / 1024


# ------------------------------------------------------------------------------- build


def build(path: Path, rows: int, chunk: int = 500_000, seed: int = 0) -> dict:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    from hko_research.registers import week_column

    rng = np.random.default_rng(seed)
    codes = np.array(CODES, dtype=np.int16)
    weeks = [week_column(pd.Timestamp(FIRST_MONDAY) + pd.Timedelta(weeks=k)) for k in range(N_WEEKS)]
    assert len(set(weeks)) == N_WEEKS and weeks[0] == "y_1501" and weeks[-1] == "y_1952", weeks[-1]
    months = [f"{2015 + k // 12}_{k % 12 + 1:02d}" for k in range(N_MONTHS)]
    fields = [pa.field("pnr", pa.string()), pa.field("kon", pa.string()), pa.field("foeddt", pa.date32())]
    fields += [pa.field(w, pa.int16()) for w in weeks]
    fields += [pa.field(f"grad_{m}", pa.float64()) for m in months]
    fields += [pa.field(f"branche_{m}", pa.dictionary(pa.int8(), pa.string())) for m in months]
    fields += [pa.field(f"virkform_{m}", pa.dictionary(pa.int8(), pa.string())) for m in months]
    schema = pa.schema(fields)
    branche_dict, virk_dict = pa.array(BRANCHER), pa.array(VIRKFORM)
    t0 = time.perf_counter()
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            ids = np.arange(start + 1, start + n + 1)
            cols = [
                pa.array(np.char.zfill(ids.astype(str), 10)),  # sorted pnr, as DST delivers
                pa.array(np.where(rng.random(n) < 0.5, "M", "K")),
                pa.array((np.datetime64("1940-01-01") + rng.integers(0, 25_000, n).astype("timedelta64[D]"))
                         .astype("datetime64[D]")),
            ]
            # weekly codes: one state per 13-week spell, 65 pct. empty (selvforsørget)
            blocks = (N_WEEKS + 12) // 13
            state = codes[rng.integers(0, len(codes), (n, blocks))]
            empty = rng.random((n, blocks)) < 0.65
            for k in range(N_WEEKS):
                cols.append(pa.array(state[:, k // 13], mask=empty[:, k // 13], type=pa.int16()))
            # monthly: employed persons have a grad, branche and virkform; employment changes yearly
            employed = rng.random((n, 5)) < 0.55
            grad = np.round(rng.random((n, 5)) * 100)
            bran = rng.integers(0, len(BRANCHER), (n, 5)).astype(np.int8)
            virk = rng.integers(0, len(VIRKFORM), (n, 5)).astype(np.int8)
            for k in range(N_MONTHS):
                cols.append(pa.array(grad[:, k // 12], mask=~employed[:, k // 12]))
            for k in range(N_MONTHS):
                idx = pa.array(bran[:, k // 12], mask=~employed[:, k // 12])
                cols.append(pa.DictionaryArray.from_arrays(idx, branche_dict))
            for k in range(N_MONTHS):
                idx = pa.array(virk[:, k // 12], mask=~employed[:, k // 12])
                cols.append(pa.DictionaryArray.from_arrays(idx, virk_dict))
            writer.write_table(pa.Table.from_arrays(cols, schema=schema), row_group_size=chunk)
            print(f"  built {start + n:,} / {rows:,} rows", file=sys.stderr, flush=True)
    md = pq.ParquetFile(path).metadata
    uncompressed = sum(md.row_group(i).total_byte_size for i in range(md.num_row_groups))
    return {
        "seconds": time.perf_counter() - t0,
        "bytes": path.stat().st_size,
        "uncompressed_bytes": uncompressed,
        "columns": md.num_columns,
        "row_groups": md.num_row_groups,
    }


def make_population(rows: int, persons: int, out: Path, spread: bool, seed: int = 1) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    ids = rng.choice(np.arange(1, rows + 1), persons, replace=False)
    if spread:  # grants over two years, as the real 2018-2019 population
        dato = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 728, persons), unit="D")
    else:
        dato = pd.to_datetime(np.array(DATES_20)[rng.integers(0, len(DATES_20), persons)])
    pop = pd.DataFrame({"bevilling_id": np.arange(persons), "pnr": np.char.zfill(ids.astype(str), 10), "dato": dato})
    pop.to_parquet(out, index=False)


# ------------------------------------------------------------------------------- children


def child(mode: str, dream: str, pop_path: str, max_cols_fallback: bool) -> None:
    """Runs in a fresh process; prints one JSON line."""

    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq
    from hko_research.registers import dream_at_dates, month_column, week_column

    pop = pd.read_parquet(pop_path)
    rss_import = _vmhwm_self()
    t0, c0 = time.perf_counter(), time.process_time()
    info: dict = {}
    if mode == "a":
        res = dream_at_dates(dream, pop)
    else:  # pandas baseline
        weeks = pop["dato"].map(week_column)
        months = pop["dato"].dt.strftime("%Y_%m")
        needed = sorted(set(weeks) | {f"{f}_{m}" for f in ("grad", "branche", "virkform") for m in set(months)})
        if max_cols_fallback:
            df = pd.read_parquet(dream, columns=["pnr", "kon", "foeddt", *needed])
            info["baseline"] = f"pd.read_parquet of pnr, kon, foeddt + the {len(needed)} needed columns, all rows"
        else:
            df = pd.read_parquet(dream)
            info["baseline"] = "pd.read_parquet of the whole file"
        df = df[df["pnr"].isin(pop["pnr"])]
        m = pop.merge(df, on="pnr", how="left")
        rows = np.arange(len(m))

        def pick(names):
            cols = sorted(set(names))
            arr = m[cols].to_numpy(dtype=object)
            return arr[rows, pd.Index(cols).get_indexer(names)]

        res = pop.copy()
        res["ydelseskode"] = pd.array(pd.to_numeric(pick(list(weeks))), dtype="Int64")
        res["grad"] = pd.array(pd.to_numeric(pick([month_column("grad", d) for d in pop["dato"]])), dtype="Float64")
        res["branche"] = pick([month_column("branche", d) for d in pop["dato"]])
    seconds = time.perf_counter() - t0
    info.update(
        cpu_seconds=time.process_time() - c0,  # all threads of this process
        vmhwm_kib=_vmhwm_self(),
        seconds=seconds,
        rss_after_import_kib=rss_import,
        rows=len(res),
        codes_found=int(res["ydelseskode"].notna().sum()),
        code_sum=int(res["ydelseskode"].fillna(0).astype("int64").sum()),
        grad_sum=float(res["grad"].fillna(0).sum()),
        branche_found=int(pd.Series(res["branche"]).notna().sum()),
        needed_columns=int(pop["dato"].map(week_column).nunique() + 3 * pop["dato"].dt.to_period("M").nunique()),
        file_columns=len(pq.read_schema(dream)),
    )
    print(json.dumps(info))


def _vmhwm_self() -> int:
    """Peak RSS of this process image (VmHWM; reset by exec, unlike ru_maxrss)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def run_child(args: list[str]) -> dict:
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"child {args[:2]} failed ({proc.returncode})")
    info = json.loads(out.strip().splitlines()[-1])
    # ru_maxrss survives fork+exec (it would include this parent's RSS), so the parent stays small
    # (the build runs in its own child) and the child's own VmHWM is reported next to it
    info["ru_maxrss_kib"] = usage.ru_maxrss
    info["peak_rss_kib"] = max(usage.ru_maxrss, info.get("vmhwm_kib", 0))
    return info


def _mem_available() -> int:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


# ------------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--persons", type=int, default=30_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of (a); the median is reported")
    ap.add_argument("--child", choices=["a", "b", "build"])
    ap.add_argument("--dream")
    ap.add_argument("--pop")
    ap.add_argument("--fallback", action="store_true")
    ap.add_argument("--baseline", choices=["auto", "whole", "columns"], default="auto",
                    help="auto: whole file unless the estimate exceeds 80 pct. of MemAvailable")
    args = ap.parse_args()
    if args.child == "build":
        tmp = Path(args.dream).parent
        info = build(Path(args.dream), args.rows)
        make_population(args.rows, args.persons, tmp / "pop20.parquet", spread=False)
        make_population(args.rows, args.persons, tmp / "pop2y.parquet", spread=True)
        info["vmhwm_kib"] = _vmhwm_self()
        print(json.dumps(info))
        return
    if args.child:
        child(args.child, args.dream, args.pop, args.fallback)
        return

    t_all = time.perf_counter()
    print(f"cores: {os.cpu_count()}, MemAvailable {_mem_available() / 2**30:.1f} GiB, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    with tempfile.TemporaryDirectory(prefix="hko_bench_") as tmp:
        tmp = Path(tmp)
        dream = tmp / "dream.parquet"
        b = run_child(["--child", "build", "--dream", str(dream), "--rows", str(args.rows),
                       "--persons", str(args.persons)])
        print(
            f"built {args.rows:,} rows x {b['columns']} columns, {b['row_groups']} row groups in {b['seconds']:.0f} s "
            f"(builder peak RSS {_gib(b['vmhwm_kib']):.2f} GiB): {b['bytes'] / 2**30:.2f} GiB on disk, "
            f"{b['uncompressed_bytes'] / 2**30:.2f} GiB uncompressed",
            flush=True,
        )
        pop20, pop2y = tmp / "pop20.parquet", tmp / "pop2y.parquet"

        runs = [run_child(["--child", "a", "--dream", str(dream), "--pop", str(pop20)]) for _ in range(args.repeat)]
        runs.sort(key=lambda r: r["seconds"])
        a = runs[len(runs) // 2]
        a_peak = max(r["peak_rss_kib"] for r in runs)
        a2 = run_child(["--child", "a", "--dream", str(dream), "--pop", str(pop2y)])

        # whole-file pandas read, measured: ~9.3 bytes per cell at peak (Int16 with nulls -> float64,
        # Arrow table and pandas frame alive together): 5M x 444 columns -> 19.3 GiB
        whole_estimate = args.rows * b["columns"] * 9.5
        fallback = args.baseline == "columns" or (
            args.baseline == "auto" and whole_estimate > 0.8 * _mem_available())
        bl = run_child(["--child", "b", "--dream", str(dream), "--pop", str(pop20)] + (["--fallback"] if fallback else []))

    same = all(a[k] == bl[k] for k in ("rows", "codes_found", "code_sum", "branche_found")) and abs(
        a["grad_sum"] - bl["grad_sum"]) < 1e-6 * max(1.0, abs(a["grad_sum"]))
    print()
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores "
          "(wall times on a shared box; cpu = all threads)")
    print(f"(a)  dream_at_dates, {args.persons:,} persons, {a['needed_columns']} needed columns of {a['file_columns']}:")
    each = ", ".join(f"{r['seconds']:.3f}" for r in runs)
    print(f"     {a['seconds']:.3f} s (median of {len(runs)}: {each}), "
          f"cpu {a['cpu_seconds']:.2f} s, peak RSS {_gib(a_peak):.3f} GiB (VmHWM {_gib(a['vmhwm_kib']):.3f}; {_gib(a['rss_after_import_kib']):.3f} GiB after imports)")
    print(f"(a2) dream_at_dates, dates over 2 years, {a2['needed_columns']} needed columns: "
          f"{a2['seconds']:.3f} s, cpu {a2['cpu_seconds']:.2f} s, peak RSS {_gib(a2['peak_rss_kib']):.3f} GiB")
    if fallback:
        print(f"(b)  baseline: whole file would need ~{whole_estimate / 2**30:.0f} GiB "
              f"(> 80 pct. of {_mem_available() / 2**30:.0f} GiB available) -> {bl['baseline']}:")
    else:
        print(f"(b)  baseline: {bl['baseline']}:")
    print(f"     {bl['seconds']:.3f} s, cpu {bl['cpu_seconds']:.2f} s, peak RSS {_gib(bl['peak_rss_kib']):.3f} GiB")
    print(f"ratios baseline / (a): time x{bl['seconds'] / a['seconds']:.1f}, "
          f"cpu x{bl['cpu_seconds'] / a['cpu_seconds']:.1f}, peak memory x{bl['peak_rss_kib'] / a_peak:.1f}")
    print(f"same values in (a) and (b): {same}  (codes found {a['codes_found']:,}, branche found {a['branche_found']:,})")
    ok_t, ok_m = a["seconds"] <= GOAL_SECONDS, _gib(a_peak) <= GOAL_GIB
    print(f"goals (a) <= {GOAL_SECONDS} s: {'met' if ok_t else 'NOT met'}; <= {GOAL_GIB} GiB: {'met' if ok_m else 'NOT met'}")
    print(f"total benchmark time {time.perf_counter() - t_all:.0f} s")


if __name__ == "__main__":
    main()
