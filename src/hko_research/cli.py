"""Command line: ``hko-research {run,profiles,batch,validate,synth,import,template}``.

Heavy libraries are imported inside the sub-commands so that a cache-hit ``run`` stays fast.
"""
from __future__ import annotations

import argparse
import sys


def _cmd_run(args: argparse.Namespace) -> int:
    from .runner import run_command

    return run_command(params_path=args.params, jobs=args.jobs, force=args.force, progress=not args.no_progress)


def _cmd_profiles(args: argparse.Namespace) -> int:
    from .registry import get
    from .runner import run_command

    return run_command(params_path=args.params, jobs=args.jobs, force=args.force, progress=not args.no_progress,
                       notebooks=(get("profiler").notebook,))


def _cmd_batch(args: argparse.Namespace) -> int:
    from .batch import batch_command

    return batch_command(args.params, jobs=args.jobs, force=args.force, progress=not args.no_progress, name=args.name)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .inputs.validation import validate_inputs
    from .params import ParamsError, check_output_dir, load_params

    try:
        params = load_params(args.params)
    except ParamsError as exc:
        print(exc, file=sys.stderr)
        return 2
    report = validate_inputs(params)
    print(report.to_text())
    problem = check_output_dir(params.output_dir)
    if problem:  # the inputs may be fine, but the run could not write its folder
        print(f"Output folder: {problem}")
        return 1
    return 0 if report.ok else 1


def _cmd_synth(args: argparse.Namespace) -> int:
    from .synth import parse_years, synthesize

    out = synthesize(years=parse_years(args.years), seed=args.seed, out_dir=args.out, force=args.force)
    print(out)
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from .inputs.registers import import_to_parquet

    out = import_to_parquet(args.source, args.out, chunk_rows=args.chunk_rows, columns=args.columns)
    print(out)
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .inputs import coding

    proj, out = coding.project(args.project), Path(args.out)
    if out.suffix.lower() == ".qdc":
        from .inputs.qdpx import write_qdc

        path = write_qdc(proj.kodebog(), out, proj.name)
    elif out.suffix.lower() == ".xlsx":
        path = coding.write_template(proj, out)
    else:
        print(f"{out}: skriv skabelonen som .xlsx (kodeskabelon) eller .qdc (REFI-QDA-kodebog)", file=sys.stderr)
        return 2
    print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hko-research", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="execute the notebooks for a params file and publish HTML")
    p.add_argument("-p", "--params", required=True, help="params YAML, e.g. params/default.yaml")
    p.add_argument("-j", "--jobs", type=int, default=2, help="parallel notebook workers (default 2)")
    p.add_argument("--force", action="store_true", help="rerun notebooks even when cached results are valid")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("profiles", help="write the kommune profiles (profiler/<kode>_<navn>.html) for a params file: "
                                        "a run of the profiles' notebook only")
    p.add_argument("-p", "--params", required=True, help="params YAML, e.g. params/default.yaml")
    p.add_argument("-j", "--jobs", type=int, default=2, help="parallel notebook workers (default 2)")
    p.add_argument("--force", action="store_true", help="rerun even when a cached result is valid")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_profiles)

    p = sub.add_parser("batch", help="run many parameter sets (a grid: in a params file, or several files) "
                                     "with one pool of workers and one overview")
    p.add_argument("-p", "--params", required=True, action="append",
                   help="params YAML (repeat -p for several); a file with grid: gives one run per combination")
    p.add_argument("-j", "--jobs", type=int, default=2, help="parallel notebook workers for the whole batch (default 2)")
    p.add_argument("--force", action="store_true", help="rerun notebooks even when cached results are valid")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--name", default=None, help="name of the batch folder (default: the params file's name)")
    p.set_defaults(func=_cmd_batch)

    p = sub.add_parser("validate", help="validate the inputs of a params file against data_contracts/")
    p.add_argument("-p", "--params", required=True)
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("synth", help="write a synthetic data set calibrated to the report")
    p.add_argument("--years", default="2017-2021", help="e.g. 2017-2021 or 2019")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--force", action="store_true", help="replace an existing data set")
    p.set_defaults(func=_cmd_synth)

    p = sub.add_parser("import", help="convert a SAS7BDAT/CSV register to Parquet in bounded-memory chunks")
    p.add_argument("source")
    p.add_argument("--out", required=True, help="output .parquet file")
    p.add_argument("--chunk-rows", type=int, default=200_000)
    p.add_argument("--columns", nargs="*", default=None, help="keep only these columns (case-insensitive)")
    p.set_defaults(func=_cmd_import)

    from .paths import CONTRACTS_DIR

    p = sub.add_parser("template", help="write a coding template (.xlsx, drop-down lists) or REFI-QDA codebook (.qdc) "
                                        "from a codebook in data_contracts/kodeboeger/")
    p.add_argument("project", choices=sorted(x.stem for x in (CONTRACTS_DIR / "kodeboeger").glob("*.yaml")))
    p.add_argument("--out", required=True, help="e.g. casekommune_kodning.xlsx or kodebog.qdc")
    p.set_defaults(func=_cmd_template)
    return parser


# Errors a user can fix (a file, a parameter, a folder): a short message, no traceback.
def _user_errors() -> tuple[type[BaseException], ...]:
    from .inputs.contracts import ContractError
    from .inputs.dataset import DatasetError
    from .inputs.readers import ReadProblem
    from .params import ParamsError

    return (ParamsError, DatasetError, ContractError, ReadProblem, OSError)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("hko-research: afbrudt.", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        if isinstance(exc, _user_errors()):
            print(f"hko-research {args.command}: {exc}", file=sys.stderr)
            return 2
        print(f"hko-research {args.command}: unexpected error ({type(exc).__name__}: {exc}); run it again with "
              "--debug for the full traceback", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
