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

from zjanalysis import execute, site


class RefreshError(RuntimeError):
    """A notebook raised while being refreshed; the committed file was left as it was."""


def refresh_all(paths: list[Path], *, timeout: float = 300, jobs: int | None = None,
                report=None) -> list[str]:
    """Execute each notebook in `paths` and write it back with fresh outputs when no cell raised.

    `report(path, error)` is called as each finishes (error None when it was written). Returns
    one sentence per notebook left unchanged, naming it and why.
    """
    given = {str(Path(p).resolve()): Path(p) for p in paths}
    work = [execute.Job(name=name, kind="refresh", notebook=path.read_bytes(),
                        limits=execute.Limits(cell_timeout=timeout),
                        cwd=str(Path(name).parent)) for name, path in given.items()]
    failures = []
    with execute.open_engine("local", workers=jobs) as engine:
        for result in engine.run(work):
            path = given[result.name]
            error = None
            if result.status == "ok":
                site.write_atomic(path, result.notebook)
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
    parser = argparse.ArgumentParser(prog="python -m zjanalysis.refresh", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell (default 300)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="notebooks run at once (default: number of CPUs)")
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
