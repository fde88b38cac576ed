"""Re-execute the committed notebooks in place, with their default parameters.

The notebooks in ``notebooks/`` are committed with their outputs so that readers see results
without running anything and nbval can compare a fresh run against them. After changing a
notebook, the package or the data, refresh them::

    python -m zjanalysis.refresh                 # every notebooks/*.ipynb
    python -m zjanalysis.refresh notebooks/01_internet_users.ipynb

The kernel runs in the notebook's own folder (as JupyterLab and nbval do), no timing metadata
is recorded, and the file is replaced atomically only when every cell ran without error, so a
failed refresh never leaves a half-executed notebook behind.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zjanalysis import site
from zjanalysis.render_worker import merge_adjacent_streams

class RefreshError(RuntimeError):
    """A notebook raised while being refreshed; the committed file was left as it was."""


def refresh(path: Path, *, timeout: int = 300) -> None:
    """Execute ``path`` top to bottom and write it back with fresh outputs.

    Raises RefreshError (naming the notebook and the failing cell) if a cell raises.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        first_line = str(error).strip().splitlines()[-1] if str(error).strip() else repr(error)
        raise RefreshError(f"{path.name}: a cell raised, file left unchanged: {first_line}") from None
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    merge_adjacent_streams(nb)
    # As nbformat.write does: the JSON and one final newline.
    site.write_atomic(path, nbformat.writes(nb) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zjanalysis.refresh", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell (default 300)")
    args = parser.parse_args(argv)
    from zjanalysis.render import default_notebooks

    paths = args.notebooks or default_notebooks()
    failed = 0
    for path in paths:
        try:
            refresh(path, timeout=args.timeout)
            print(f"refreshed {path}")
        except RefreshError as error:
            failed += 1
            print(error, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
