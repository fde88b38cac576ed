"""The command line: `zjanalysis render` and `zjanalysis ledger` (also `python -m zjanalysis`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zjanalysis import render as rendering
from zjanalysis import site
from zjanalysis.execute import ENGINES

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the `zjanalysis` command."""
    parser = argparse.ArgumentParser(
        prog="zjanalysis",
        description="Render the report's notebooks and browse the claim ledger.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "render", help="execute notebooks with Papermill into an HTML site with a claim ledger",
        description="Execute notebooks (default: every notebooks/*.ipynb) in parallel, skipping "
                    "runs whose inputs have not changed, and write .ipynb, .html, the ledger "
                    "and index.html into --out.")
    run.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                     help="a notebook path or name such as 01_internet_users (default: all)")
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                     metavar=("NAME", "VALUE"),
                     help="set a parameter; VALUE is typed as Papermill types it")
    run.add_argument("--grid", type=Path, metavar="FILE",
                     help="YAML file of parameter sets per notebook (runs: / product:)")
    run.add_argument("--out", type=Path, default=Path("reports"), metavar="DIR",
                     help="output folder (default: ./reports)")
    run.add_argument("--jobs", type=int, default=None, metavar="N",
                     help="worker processes (default: number of CPUs)")
    run.add_argument("--timeout", type=float, default=600.0, metavar="S",
                     help="seconds allowed per run and per cell (default: 600)")
    run.add_argument("--force", action="store_true", help="re-run even unchanged notebooks")
    run.add_argument("--format", default="html,ipynb", metavar="LIST",
                     help="comma-separated output formats among html, ipynb (default: both)")
    run.add_argument("--edition", choices=rendering.EDITIONS, default="instructor",
                     help="student: drop solution cells before running, write into DIR/student/")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    run.add_argument("--no-prewarm", action="store_true",
                     help="start each kernel only when its run begins (slower; for measuring)")
    run.add_argument("--no-zygote", action="store_true",
                     help="start every kernel from scratch instead of forking it from one "
                          "process that imported the libraries once (slower; for measuring)")
    run.add_argument("--engine", choices=ENGINES, default="local",
                     help="local: worker processes on this machine (default); dask: a Dask "
                          "cluster (needs pip install -e '.[dask]'), a local one of --jobs "
                          "workers unless --scheduler is given")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="with --engine dask: the address of a running Dask scheduler, e.g. "
                          "tcp://10.0.0.5:8786 (--jobs is then the cluster's business)")
    run.add_argument("--no-wait", action="store_true",
                     help="if another render is writing into --out, stop at once instead of "
                          "waiting for it")

    ledger = commands.add_parser("ledger", help="print the claim ledger of a rendered site",
                                 description="Print DIR/ledger.json as a table with verdict counts.")
    ledger.add_argument("folder", nargs="?", type=Path, default=Path("reports"), metavar="DIR")
    return parser


def _render(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise rendering.RenderError(f"--jobs must be 1 or more; got {args.jobs}.")
    if args.scheduler is not None and args.engine != "dask":
        raise rendering.RenderError("--scheduler needs --engine dask; the local engine runs on "
                                    "this machine only.")
    if args.timeout <= 0:
        raise rendering.RenderError(f"--timeout must be a positive number of seconds; "
                                    f"got {args.timeout:g}.")
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    # The .ipynb is always written: the cache and the ledger are built from it.
    formats = ["ipynb"] + [f for f in formats if f != "ipynb"]
    parameters = {name: rendering.parse_value(value) for name, value in args.parameter}
    notebooks = [rendering.resolve_notebook(n) for n in args.notebooks]
    grid = rendering.load_grid(args.grid) if args.grid else None
    if not notebooks and grid is None:
        notebooks = rendering.default_notebooks()
        if not notebooks:
            raise rendering.RenderError(
                f"No notebooks to render: {rendering.project_root() / 'notebooks'} holds none.")
    runs = rendering.plan_runs(notebooks, parameters, grid, args.edition)
    result = rendering.render(runs, args.out, jobs=args.jobs, timeout=args.timeout,
                              force=args.force, formats=formats, progress=not args.no_progress,
                              prewarm=not args.no_prewarm, zygote=not args.no_zygote,
                              engine=args.engine, scheduler=args.scheduler,
                              wait=not args.no_wait)
    sys.stdout.write(rendering.summary_table(result))
    if result.interrupted:
        return EXIT_INTERRUPTED
    return 0 if result.ok else EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 a run failed, 2 bad usage, 130 Ctrl-C)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "render":
            return _render(args)
        sys.stdout.write(site.format_ledger(site.read_ledger(args.folder)))
        return 0
    except (rendering.RenderError, FileNotFoundError) as err:
        print(f"zjanalysis {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("zjanalysis: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
