"""The built-in handlers: `render` (one Papermill run with parameters) and `refresh` (a
committed notebook re-executed with nbclient, as JupyterLab and nbval run it, no Papermill
metadata). Both return the executed notebook as bytes; the caller writes it.

Two things keep a run's own CPU time low: Papermill runs with `request_save_on_cell_execute=False`
(by default it serialises the whole notebook at the start and end of every cell) through a small
engine, `LiveEngine`, that keeps a handle on the notebook being executed, so a run that times out
or loses its kernel still shows the cells it ran; and `skip_unused_iri_checker()` stops
`import nbformat` from importing `rfc3987_syntax`. One nbconvert exporter serves every page a
process writes (`site.export_html`).
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from zjanalysis.execute.jobs import Job, Result

BANNER_TAG = "papermill-error-cell-tag"
_ENGINE = "zjanalysis"


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
            if (output.get("output_type") == last.get("output_type") == "stream"
                    and output.get("name") == last.get("name")):
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
def _engine() -> Any:
    """Register, once per process, and return the Papermill engine the renderer runs with."""
    from papermill.engines import NBClientEngine, papermill_engines

    class LiveEngine(NBClientEngine):
        """Papermill's nbclient engine, keeping a handle on the notebook it is executing.

        The renderer turns off Papermill's save-after-every-cell (it re-serialises the whole
        notebook twice per cell: about a quarter of a run's time); this handle still gives a
        timed-out or crashed run the cells that ran before it stopped.
        """

        live = None
        running = None   # the cell being executed, for a kernel that dies in it

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

    papermill_engines.register(_ENGINE, LiveEngine)
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


def _banner(nb: Any, text: str) -> None:
    import nbformat

    cell = nbformat.v4.new_markdown_cell(
        f'<span style="color:red; font-family:Helvetica Neue, Helvetica, Arial, sans-serif; '
        f'font-size:2em;">{text}</span>')
    cell.metadata["tags"] = [BANNER_TAG]
    nb.cells.insert(0, cell)


def _read(job: Job) -> Any:
    """Return the job's notebook as a NotebookNode, or raise ValueError saying what is wrong."""
    skip_unused_iri_checker()
    import nbformat

    try:
        return nbformat.reads(job.notebook.decode("utf-8"), as_version=4)
    except UnicodeDecodeError:
        raise ValueError("the notebook is not UTF-8 text") from None
    except Exception as err:  # noqa: BLE001 -- nbformat raises several kinds for one cause
        raise ValueError(f"the notebook could not be read: {err}") from None


def _stopped_after(job: Job, session: Any) -> float:
    limits = job.limits
    return (limits.run_timeout if session.timed_out else limits.cell_timeout) or 0


def render(job: Job, session: Any) -> Result:
    """Execute the notebook with Papermill and the job's parameters; return it, its page and
    its findings. A failing, timed-out or crashed run is still returned, with a banner on top
    saying what happened and the cells that ran."""
    # The kernel first: it starts while this process imports Papermill (once per process).
    kernel = session.kernel()
    try:
        nb = _read(job)
    except ValueError as err:
        return Result(job.name, "failed", str(err).capitalize() + ".")
    import nbformat
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if job.edition == "student":
        from zjanalysis import teach

        nb = teach.student_edition(nb)
    engine = _engine()
    engine.live = None
    status, message = "ok", ""
    banner_written = False
    try:
        nb = papermill.execute_notebook(
            nb, None, parameters=dict(job.parameters), km=kernel.km, progress_bar=False,
            execution_timeout=job.limits.cell_timeout, kernel_name="python3",
            engine_name=_ENGINE, request_save_on_cell_execute=False)
    except papermill.PapermillExecutionError as err:
        status, message = "failed", f"{err.ename}: {err.evalue} (cell {err.exec_count})"
        # Papermill put its error banner into the executing notebook; read it back as the
        # file Papermill would have written.
        nb = nbformat.reads(nbformat.writes(engine.live), as_version=4)
        banner_written = True
    except (CellTimeoutError, DeadKernelError) as err:
        if session.timed_out or isinstance(err, CellTimeoutError):
            status, message = "timed out", f"stopped after {_stopped_after(job, session):g} s"
        else:
            status, message = "failed", f"the kernel died: {err}"
            # Whether the kernel announced the cell's number before dying is a race: the
            # written notebook must not depend on it.
            if engine.running is not None:
                engine.running.execution_count = None
    except Exception as err:  # noqa: BLE001 -- anything else stops this run only
        status, message = "failed", f"{type(err).__name__}: {err}"
    if status != "ok":
        # A timeout or a dead kernel: keep what ran, from the engine's live notebook.
        if not banner_written and engine.live is not None:
            nb = engine.live
        if status == "timed out":
            _banner(nb, f"This run timed out: it was stopped after "
                        f"{_stopped_after(job, session):g} seconds. "
                        "The cells below show how far it got.")
        elif not any(BANNER_TAG in c.metadata.get("tags", []) for c in nb.cells):
            _banner(nb, f"This run failed: {message}")
    strip_times(nb, str(job.options.get("input_path", f"{job.name}.ipynb")),
                str(job.options.get("output_path", f"{job.name}.ipynb")))
    notebook = (nbformat.writes(nb) + "\n").encode("utf-8")
    html = b""
    if "html" in job.outputs:
        from zjanalysis import site

        html = site.export_html(nb).encode("utf-8")
    from zjanalysis.checks import findings_from_notebook

    try:
        findings = findings_from_notebook(nb)
    except ValueError as err:
        findings = []
        status, message = "failed", str(err)
    return Result(job.name, status, message, notebook=notebook, html=html, findings=findings)


def refresh(job: Job, session: Any) -> Result:
    """Re-execute a committed notebook top to bottom in `job.cwd` with nbclient (no parameters,
    no timing metadata); ok only when no cell raised."""
    kernel = session.kernel()
    try:
        nb = _read(job)
    except ValueError as err:
        return Result(job.name, "failed", str(err).capitalize() + ".")
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    client = NotebookClient(nb, km=kernel.km, timeout=job.limits.cell_timeout,
                            kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": job.cwd or str(session.work)}})
    try:
        client.execute()
    except CellExecutionError as error:
        text = str(error).strip()
        return Result(job.name, "failed", text.splitlines()[-1] if text else repr(error))
    except (CellTimeoutError, DeadKernelError) as err:
        if session.timed_out or isinstance(err, CellTimeoutError):
            return Result(job.name, "timed out",
                          f"stopped after {_stopped_after(job, session):g} s")
        return Result(job.name, "failed", f"the kernel died: {err}")
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    merge_adjacent_streams(nb)
    # As nbformat.write does: the JSON and one final newline.
    return Result(job.name, "ok", notebook=(nbformat.writes(nb) + "\n").encode("utf-8"))
