"""Re-execute the committed notebooks in place, with their default parameters.

The notebooks in ``notebooks/`` are committed with their outputs so that readers see results
without running anything and nbval can compare a fresh run against them. After changing a
notebook, the package or the data, refresh them::

    python -m zjanalysis.refresh                 # every notebooks/*.ipynb
    python -m zjanalysis.refresh notebooks/01_internet_users.ipynb
    python -m zjanalysis.refresh --jobs 1        # one at a time

The notebooks run through the execution engine (the local one: worker processes, kernels forked
from the zygote, on private Unix sockets, their chatter kept out of the terminal), each in its
own folder (as JupyterLab and nbval run it), with no timing metadata. A file is replaced
atomically only when every cell ran without error, so a failed refresh never leaves a
half-executed notebook behind.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from zjanalysis import atomic, execute
from zjanalysis.execute.jobs import Job, Result
from zjanalysis.execute.notebooks import merge_adjacent_streams, read_job, stopped_after

execute.register("refresh", "zjanalysis.refresh:run_job")


def run_job(job: Job, session: Any) -> Result:
    """The `refresh` job's handler, run in an engine's worker: re-execute a committed notebook
    top to bottom in `job.cwd` with nbclient (no parameters, no timing metadata); ok only when
    no cell raised."""
    kernel = session.kernel()
    try:
        nb = read_job(job)
    except ValueError as err:
        return Result(job.name, "failed", str(err).capitalize() + ".")
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    client = NotebookClient(
        nb,
        km=kernel.km,
        timeout=job.limits.cell_timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": job.cwd or str(session.work)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        text = str(error).strip()
        return Result(job.name, "failed", text.splitlines()[-1] if text else repr(error))
    except (CellTimeoutError, DeadKernelError) as err:
        if session.timed_out or isinstance(err, CellTimeoutError):
            return Result(job.name, "timed out", f"stopped after {stopped_after(job, session):g} s")
        return Result(job.name, "failed", f"the kernel died: {err}")
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    merge_adjacent_streams(nb)
    # As nbformat.write does: the JSON and one final newline.
    return Result(job.name, "ok", notebook=(nbformat.writes(nb) + "\n").encode("utf-8"))


class RefreshError(RuntimeError):
    """A notebook raised while being refreshed; the committed file was left as it was."""


def refresh_all(
    paths: list[Path], *, timeout: float = 300, jobs: int | None = None, report=None
) -> list[str]:
    """Execute each notebook in `paths` and write it back with fresh outputs when no cell raised.

    `report(path, error)` is called as each finishes (error None when it was written). Returns
    one sentence per notebook left unchanged, naming it and why.
    """
    given = {str(Path(p).resolve()): Path(p) for p in paths}
    work = [
        execute.Job(
            name=name,
            kind="refresh",
            notebook=path.read_bytes(),
            limits=execute.Limits(cell_timeout=timeout),
            cwd=str(Path(name).parent),
        )
        for name, path in given.items()
    ]
    failures = []
    with execute.open_engine("local", workers=jobs) as engine:
        for result in engine.run(work):
            path = given[result.name]
            error = None
            if result.status == "ok":
                atomic.write_atomic(path, result.notebook)
            else:
                reason = "a cell raised" if result.status == "failed" else "it timed out"
                error = f"{path.name}: {reason}, file left unchanged: {result.message}"
                failures.append(error)
            if report is not None:
                report(path, error)
    return failures


def refresh(path: Path, *, timeout: int = 300) -> None:
    """Execute ``path`` top to bottom and write it back with fresh outputs.

    Raises RefreshError (naming the notebook and the failing cell) if a cell raises.
    """
    failures = refresh_all([Path(path)], timeout=timeout, jobs=1)
    if failures:
        raise RefreshError(failures[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m zjanalysis.refresh", description=__doc__.splitlines()[0]
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell (default 300)")
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="notebooks run at once (default: number of CPUs)",
    )
    args = parser.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error(f"--jobs must be 1 or more; got {args.jobs}")
    from zjanalysis.render import default_notebooks

    paths = args.notebooks or default_notebooks()
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        print(f"python -m zjanalysis.refresh: error: {missing[0]} is not a file.", file=sys.stderr)
        return 2

    def report(path: Path, error: str | None) -> None:
        if error is None:
            print(f"refreshed {path}", flush=True)
        else:
            print(error, file=sys.stderr, flush=True)

    failures = refresh_all(paths, timeout=args.timeout, jobs=args.jobs, report=report)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
