"""Running a notebook's cells in a job's kernel: what the `render` and `refresh` handlers share.

Reading the job's notebook, Papermill's engine for a run, the banner a failed run gets, and
making an executed notebook deterministic (no times, printed text in one output). Two things
keep a run's own CPU time low: Papermill runs with `request_save_on_cell_execute=False`
(by default it serialises the whole notebook at the start and end of every cell) through a small
engine, `LiveEngine`, that keeps a handle on the notebook being executed, so a run that times out
or loses its kernel still shows the cells it ran; and `skip_unused_iri_checker()` stops
`import nbformat` from importing `rfc3987_syntax`. One nbconvert exporter serves every page a
process writes (`render.export`).
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from zjanalysis.execute.jobs import Job

BANNER_TAG = "papermill-error-cell-tag"
ENGINE_NAME = "zjanalysis"


def merge_adjacent_streams(nb: Any) -> None:
    """Join each run of consecutive stream outputs with the same name into one output, in place.

    The kernel sends what a cell prints in chunks, cut wherever its flush timer happens to
    fire: the same print can arrive as one output or as two. Joining neighbours (never streams
    separated by another output, so the order of text and displays is kept) makes the written
    notebook independent of that timing.
    """
    for cell in nb.cells:
        merged: list = []
        for output in cell.get("outputs", []):
            last = merged[-1] if merged else {}
            if output.get("output_type") == last.get("output_type") == "stream" and output.get(
                "name"
            ) == last.get("name"):
                last["text"] = "".join(last["text"]) + "".join(output["text"])
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged


def strip_times(nb: Any, input_path: str, output_path: str) -> None:
    """Make a rendered notebook deterministic: no times, durations or absolute paths, and
    printed text in one output however the kernel happened to chunk it."""
    merge_adjacent_streams(nb)
    meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration"):
        meta.pop(key, None)
    meta["input_path"] = input_path
    meta["output_path"] = output_path
    for index, cell in enumerate(nb.cells):
        # Cells Papermill adds (injected parameters, error banners) get random ids.
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags or BANNER_TAG in tags:
            cell.id = f"zjanalysis-added-{index}"
        cell.metadata.pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell.metadata.get("papermill", {}).pop(key, None)


@functools.cache
def live_engine() -> Any:
    """Register, once per process, and return the Papermill engine the renderer runs with."""
    from papermill.engines import NBClientEngine, papermill_engines

    class LiveEngine(NBClientEngine):
        """Papermill's nbclient engine, keeping a handle on the notebook it is executing.

        The renderer turns off Papermill's save-after-every-cell (it re-serialises the whole
        notebook twice per cell: about a quarter of a run's time); this handle still gives a
        timed-out or crashed run the cells that ran before it stopped.
        """

        live = None
        running = None  # the cell being executed, for a kernel that dies in it

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            cls.live = nb_man.nb
            cls.running = None
            start = nb_man.cell_start

            def cell_start(cell: Any, cell_index: int | None = None, **more: Any) -> Any:
                cls.running = cell
                return start(cell, cell_index, **more)

            nb_man.cell_start = cell_start
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register(ENGINE_NAME, LiveEngine)
    return LiveEngine


def skip_unused_iri_checker() -> None:
    """Keep jsonschema from importing `rfc3987_syntax` in this process (called in each worker).

    `import nbformat` imports jsonschema's format checkers; the non-GPL IRI checker,
    `rfc3987_syntax` 1.1, builds dozens of Lark parsers at import: about 1.1 s of CPU here, in
    every worker. No notebook schema uses the `iri` formats, so the renderer marks the module
    as absent (jsonschema then simply has no IRI checker). Upstream: python-jsonschema/jsonschema
    issue 1428. Does nothing when the module is already imported.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def banner(nb: Any, text: str) -> None:
    import nbformat

    cell = nbformat.v4.new_markdown_cell(
        f'<span style="color:red; font-family:Helvetica Neue, Helvetica, Arial, sans-serif; '
        f'font-size:2em;">{text}</span>'
    )
    cell.metadata["tags"] = [BANNER_TAG]
    nb.cells.insert(0, cell)


def read_job(job: Job) -> Any:
    """Return the job's notebook as a NotebookNode, or raise ValueError saying what is wrong."""
    skip_unused_iri_checker()
    import nbformat

    try:
        return nbformat.reads(job.notebook.decode("utf-8"), as_version=4)
    except UnicodeDecodeError:
        raise ValueError("the notebook is not UTF-8 text") from None
    except Exception as err:  # noqa: BLE001 -- nbformat raises several kinds for one cause
        raise ValueError(f"the notebook could not be read: {err}") from None


def stopped_after(job: Job, session: Any) -> float:
    limits = job.limits
    return (limits.run_timeout if session.timed_out else limits.cell_timeout) or 0
