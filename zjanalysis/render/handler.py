"""The `render` job's handler, run inside an engine's worker: one Papermill run of a notebook
with its parameters, returned as the executed notebook, its two pages (with and without the code)
and its run record.

A failing, timed-out or crashed run is still returned, with a banner on top saying what happened
and the cells that ran. The handler writes nothing: the renderer writes what it returns.
"""

from __future__ import annotations

import time
from typing import Any

from zjanalysis.execute.jobs import Job, Result
from zjanalysis.execute.notebooks import (
    BANNER_TAG,
    ENGINE_NAME,
    banner,
    live_engine,
    read_job,
    stopped_after,
    strip_times,
)
from zjanalysis.render.export import READER_FOLDER


def warm() -> None:
    """What a worker would do on its first render: import Papermill, register its engine, build
    the HTML exporter and compile its templates (on an empty notebook). Run once by the local
    engine before it forks its workers (`execute.handlers.warm`)."""
    from zjanalysis.execute.notebooks import skip_unused_iri_checker

    skip_unused_iri_checker()
    import nbformat
    import papermill  # noqa: F401

    from zjanalysis.render.export import export_html

    live_engine()
    export_html(
        nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_markdown_cell("-"), nbformat.v4.new_code_cell("1")]
        )
    )


def render(job: Job, session: Any) -> Result:
    """Execute the notebook with Papermill and the job's parameters; return it, its page and
    its run record. A failing, timed-out or crashed run is still returned, with a banner on top
    saying what happened and the cells that ran."""
    # The kernel first: it starts while this process imports Papermill (once per process).
    clock = time.perf_counter()
    kernel = session.kernel()
    try:
        nb = read_job(job)
    except ValueError as err:
        return Result(job.name, "failed", str(err).capitalize() + ".")
    import nbformat
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if job.edition == "student":
        from zjanalysis import teach

        nb = teach.student_edition(nb)
    engine = live_engine()
    engine.live = None
    status, message = "ok", ""
    banner_written = False
    try:
        nb = papermill.execute_notebook(
            nb,
            None,
            parameters=dict(job.parameters),
            km=kernel.km,
            progress_bar=False,
            execution_timeout=job.limits.cell_timeout,
            kernel_name="python3",
            engine_name=ENGINE_NAME,
            request_save_on_cell_execute=False,
        )
    except papermill.PapermillExecutionError as err:
        status, message = "failed", f"{err.ename}: {err.evalue} (cell {err.exec_count})"
        # Papermill put its error banner into the executing notebook; read it back as the
        # file Papermill would have written.
        nb = nbformat.reads(nbformat.writes(engine.live), as_version=4)
        banner_written = True
    except (CellTimeoutError, DeadKernelError) as err:
        if session.timed_out or isinstance(err, CellTimeoutError):
            status, message = "timed out", f"stopped after {stopped_after(job, session):g} s"
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
            banner(
                nb,
                f"This run timed out: it was stopped after "
                f"{stopped_after(job, session):g} seconds. "
                "The cells below show how far it got.",
            )
        elif not any(BANNER_TAG in c.metadata.get("tags", []) for c in nb.cells):
            banner(nb, f"This run failed: {message}")
    phases = _cell_phases(nb, time.perf_counter() - clock)
    strip_times(
        nb,
        str(job.options.get("input_path", f"{job.name}.ipynb")),
        str(job.options.get("output_path", f"{job.name}.ipynb")),
    )
    notebook = (nbformat.writes(nb) + "\n").encode("utf-8")
    html = reader = b""
    if "html" in job.outputs:
        from zjanalysis.render.export import export_html, export_reader

        mark = time.perf_counter()
        here, there = _links(job.name)
        html = export_html(nb, reader_link=here).encode("utf-8")
        reader = export_reader(nb, analysis_link=there).encode("utf-8")
        phases["export"] = time.perf_counter() - mark
    from zjanalysis import records

    try:
        record = records.from_notebook(nb, f"{job.name}.ipynb")
    except records.RecordError as err:
        record = None
        status, message = "failed", str(err)
    return Result(
        job.name,
        status,
        message,
        notebook=notebook,
        html=html,
        reader=reader,
        record=record,
        phases=phases,
    )


def _links(name: str) -> tuple[str, str]:
    """The relative links between a run's two pages: from `<name>.html` to
    `reader/<name>.html`, and back."""
    import posixpath

    folder = posixpath.dirname(name)
    page, reader = f"{name}.html", f"{READER_FOLDER}/{name}.html"
    return (
        posixpath.relpath(reader, folder or "."),
        posixpath.relpath(page, posixpath.dirname(reader)),
    )


def _cell_phases(nb: Any, elapsed: float) -> dict[str, float]:
    """Where the run's time went up to now, from the cells' own start and end times (Papermill
    records them; ``strip_times`` removes them afterwards): "cells", the time the cells ran;
    "kernel", everything before and between them (starting the kernel and waiting for it,
    Papermill's set-up and its exchange with the kernel)."""
    from datetime import datetime

    cells = 0.0
    for cell in nb.cells:
        times = cell.metadata.get("papermill", {})
        try:
            cells += (
                datetime.fromisoformat(times["end_time"])
                - datetime.fromisoformat(times["start_time"])
            ).total_seconds()
        except (KeyError, TypeError, ValueError):
            continue
    return {"kernel": max(elapsed - cells, 0.0), "cells": cells}
