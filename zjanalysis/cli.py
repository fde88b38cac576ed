"""The command line: `zjanalysis render`, `site`, `ledger` and `grade` (also `python -m
zjanalysis`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zjanalysis import execute
from zjanalysis import render as rendering
from zjanalysis.execute import ENGINES

GRADE_DESCRIPTION = """\
Run every notebook students handed in, each in a fresh kernel of its own, and score their
answers in this process against the expected answers computed from data/.

Layout of SUBMISSIONS (one folder per student, student-edition notebooks directly in it):

  SUBMISSIONS/
    li_wei/
      01_internet_users.ipynb
      03_digital_economy.ipynb
    zhang_min/
      01_internet_users.ipynb

Anything else is refused and listed with the reason: an unknown notebook name, a file that is
not a notebook, a folder inside a student's folder, a link or a name with path tricks, a
notebook that is not readable JSON or holds another theme, an empty student folder."""

GRADE_EPILOG = """\
Written into --out: gradebook.csv (student, notebook, exercise, points, max_points, status,
reason), summary.csv (one row per student), feedback/<student>.html (results and hints, never
the answers) and manifest.json (sha256 of every submission; grader, data and package versions).
Grading the same submissions again gives the same bytes.

Exit status: 0 when grading worked, however the students did; 1 when the grader could not run a
notebook; 2 for a usage error or an unreadable folder; 130 after Ctrl-C.
See docs/teaching.md for the whole loop."""

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the `zjanalysis` command."""
    parser = argparse.ArgumentParser(
        prog="zjanalysis", description="Render the report's notebooks and browse the claim ledger."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "render",
        help="execute notebooks with Papermill into an HTML site with a claim ledger",
        description="Execute notebooks (default: every notebooks/*.ipynb) in parallel, skipping "
        "runs whose inputs have not changed, and write .ipynb, .html, the ledger "
        "and index.html into --out.",
    )
    run.add_argument(
        "notebooks",
        nargs="*",
        metavar="NOTEBOOK",
        help="a notebook path or name such as 01_internet_users (default: all)",
    )
    run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter; VALUE is typed as Papermill types it",
    )
    run.add_argument(
        "--grid",
        type=Path,
        metavar="FILE",
        help="YAML file of parameter sets per notebook (runs: / product:)",
    )
    run.add_argument(
        "--out",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="output folder (default: ./reports)",
    )
    run.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="worker processes (default: number of CPUs)",
    )
    run.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        metavar="S",
        help="seconds allowed per run and per cell (default: 600)",
    )
    run.add_argument("--force", action="store_true", help="re-run even unchanged notebooks")
    run.add_argument(
        "--format",
        default="html,ipynb",
        metavar="LIST",
        help="comma-separated output formats among html, ipynb (default: both)",
    )
    run.add_argument(
        "--edition",
        choices=rendering.EDITIONS,
        default="instructor",
        help="student: drop solution cells before running, write into DIR/student/",
    )
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    run.add_argument(
        "--no-prewarm",
        action="store_true",
        help="start each kernel only when its run begins (slower; for measuring)",
    )
    run.add_argument(
        "--no-zygote",
        action="store_true",
        help="start every kernel from scratch instead of forking it from one "
        "process that imported the libraries once (slower; for measuring)",
    )
    run.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="local: worker processes on this machine (default); dask: a Dask "
        "cluster (needs pip install -e '.[dask]'), a local one of --jobs "
        "workers unless --scheduler is given",
    )
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: the address of a running Dask scheduler, e.g. "
        "tcp://10.0.0.5:8786 (--jobs is then the cluster's business)",
    )
    run.add_argument(
        "--timings",
        action="store_true",
        help="after the closing table, show where each run's time went: kernel, "
        "cells, HTML export, writing",
    )
    run.add_argument(
        "--no-wait",
        action="store_true",
        help="if another render is writing into --out, stop at once instead of waiting for it",
    )

    grading = commands.add_parser(
        "grade",
        help="grade students' notebooks: gradebook, summary, feedback pages",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=GRADE_DESCRIPTION,
        epilog=GRADE_EPILOG,
    )
    grading.add_argument(
        "submissions",
        type=Path,
        metavar="SUBMISSIONS",
        help="the folder holding one folder per student",
    )
    grading.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="where gradebook.csv, summary.csv, feedback/ and manifest.json go",
    )
    grading.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="notebooks graded at once (default: number of CPUs)",
    )
    grading.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local: worker processes on this machine (default); dask: a Dask "
        "cluster (pip install -e '.[dask]')",
    )
    grading.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="with --engine dask: an existing scheduler, e.g. tcp://host:8786",
    )
    grading.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds one cell may run before it is stopped (default: 30)",
    )
    grading.add_argument(
        "--notebook-timeout",
        type=float,
        default=None,
        metavar="S",
        help="seconds one notebook may run in all (default: 10 x --timeout)",
    )
    grading.add_argument(
        "--memory",
        type=int,
        default=2048,
        metavar="MB",
        help="address-space limit of each kernel, RLIMIT_AS (default: 2048)",
    )
    grading.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    pages = commands.add_parser(
        "site",
        help="rebuild the site of a rendered folder from its run records",
        description="Rebuild ledger.csv, ledger.json, index.html and network.html in DIR from the "
        "run records there (*.record.json) and nothing else: no notebook runs, no cache "
        "or data is read. The same records always give the same bytes.",
    )
    pages.add_argument(
        "--out",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="the rendered folder (default: ./reports)",
    )

    ledger = commands.add_parser(
        "ledger",
        help="print the claim ledger of a rendered site",
        description="Print DIR/ledger.json as a table with verdict counts.",
    )
    ledger.add_argument("folder", nargs="?", type=Path, default=Path("reports"), metavar="DIR")
    return parser


def _render(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise rendering.RenderError(f"--jobs must be 1 or more; got {args.jobs}.")
    execute.check_engine(args.engine, args.scheduler)
    if args.timeout <= 0:
        raise rendering.RenderError(
            f"--timeout must be a positive number of seconds; got {args.timeout:g}."
        )
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
                f"No notebooks to render: {rendering.project_root() / 'notebooks'} holds none."
            )
    runs = rendering.plan_runs(notebooks, parameters, grid, args.edition)
    result = rendering.render(
        runs,
        args.out,
        jobs=args.jobs,
        timeout=args.timeout,
        force=args.force,
        formats=formats,
        progress=not args.no_progress,
        prewarm=not args.no_prewarm,
        zygote=not args.no_zygote,
        engine=args.engine,
        scheduler=args.scheduler,
        wait=not args.no_wait,
    )
    sys.stdout.write(rendering.summary_table(result))
    if args.timings:
        sys.stdout.write("\n" + rendering.timings_table(result))
    if result.interrupted:
        return EXIT_INTERRUPTED
    return 0 if result.ok else EXIT_FAILED


def _grade(args: argparse.Namespace) -> int:
    from zjanalysis.grading import batch

    execute.check_engine(args.engine, args.scheduler)
    outcome = batch.grade(
        args.submissions,
        args.out,
        jobs=args.jobs,
        engine=args.engine,
        scheduler=args.scheduler,
        timeout=args.timeout,
        notebook_timeout=args.notebook_timeout,
        memory_mb=args.memory,
        progress=not args.no_progress,
    )
    sys.stdout.write(batch.closing_table(outcome))
    return EXIT_FAILED if outcome.failures else 0


def _site(args: argparse.Namespace) -> int:
    from zjanalysis import site

    if not args.out.is_dir():
        raise FileNotFoundError(
            f"--out {args.out} is not a folder; render into it first "
            f"(zjanalysis render --out {args.out})."
        )
    with rendering.OutputLock(args.out):
        rows = site.build(args.out)
    print(f"{args.out}: {len(rows)} claims from the run records; wrote {', '.join(site.FILES)}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return its exit status (0 ok, 1 a run failed, 2 usage, 130 Ctrl-C)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from zjanalysis.execute import EngineError
    from zjanalysis.grading.submissions import GradeError
    from zjanalysis.records import RecordError

    try:
        if args.command == "render":
            return _render(args)
        if args.command == "grade":
            return _grade(args)
        if args.command == "site":
            return _site(args)
        from zjanalysis.site import ledger

        sys.stdout.write(ledger.format_ledger(ledger.read_ledger(args.folder)))
        return 0
    except (rendering.RenderError, GradeError, EngineError, RecordError, FileNotFoundError) as err:
        print(f"zjanalysis {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("zjanalysis: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
