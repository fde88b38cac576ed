"""Running a render: hand the runs that are not fresh to the engine, write what comes back.

Execution is the engine's (`zjanalysis.execute`: worker processes here, or a Dask cluster); this
module turns runs into jobs and writes every result atomically as it arrives: the notebook, its
page, its log and its run record, then the cache entry that points at them. The site is rebuilt
from the records at the end (`zjanalysis.site`), and only when the set of records changed. The
whole render holds the output folder's lock.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from zjanalysis import atomic, execute, paths, site
from zjanalysis.render import cache as caching
from zjanalysis.render.export import READER_FOLDER
from zjanalysis.render.lock import OutputLock
from zjanalysis.render.plan import RenderError, Run, check_parameters, output_path, read_notebook

LOG_DIR = ".render-logs"
FORMATS = ("ipynb", "html")
# Where a run's time goes: starting its kernel and Papermill's exchange with it, its cells, its
# HTML pages (measured in the worker), and writing its files here.
PHASES = ("kernel", "cells", "export", "write")
execute.register("render", "zjanalysis.render.handler:render")


def prepare_out(out_dir: Path) -> Path:
    """Create `out_dir` if needed and prove it is writable; raise RenderError saying why not.

    Also removes temporary files an interrupted render left: call it holding the folder's lock.
    """
    out_dir = Path(out_dir)
    problem = atomic.prepare_folder(out_dir)
    if problem:
        raise RenderError(problem)
    return out_dir


@dataclass
class Outcome:
    """What became of one run: status is ok, cached, failed or timed out; `phases` are the
    seconds its steps took (see `PHASES`), empty for a cached run."""

    name: str
    status: str
    seconds: float = 0.0
    message: str = ""
    phases: dict = field(default_factory=dict)


@dataclass
class BatchResult:
    """The outcomes of a batch, in plan order; `interrupted` when Ctrl-C stopped it."""

    outcomes: list[Outcome]
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        """True when no run failed or timed out and the batch was not interrupted."""
        return not self.interrupted and all(o.status in ("ok", "cached") for o in self.outcomes)


def render(
    runs: list[Run],
    out_dir: Path,
    *,
    jobs: int | None = None,
    timeout: float = 600,
    force: bool = False,
    formats: Iterable[str] = FORMATS,
    progress: bool = True,
    prewarm: bool = True,
    zygote: bool = True,
    engine: str = "local",
    scheduler: str | None = None,
    wait: bool = True,
) -> BatchResult:
    """Render `runs` into `out_dir`, skipping those whose inputs and outputs are unchanged.

    The rest go to the engine `engine` ("local" or "dask"; `scheduler` is a Dask scheduler's
    address, else a local Dask cluster of `jobs` workers). The folder is locked for the whole
    render (`wait=False`: refuse instead of waiting for another render). Returns a BatchResult;
    the cache manifest is updated after every finished run, and the site is rebuilt from the
    run records at the end when they changed (also after Ctrl-C, which sets `interrupted`). Raises
    RenderError for
    an unknown format, a bad output folder, a notebook that is not one, an undeclared
    parameter, or an engine that cannot run (its one-sentence reason).
    """
    formats = tuple(formats)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise RenderError(
            f"Format {', '.join(unknown) or '(none)'} is unknown; allowed: {', '.join(FORMATS)}."
        )
    try:
        execute.check_engine(engine, scheduler)
    except execute.EngineError as err:
        raise RenderError(str(err)) from None
    with OutputLock(out_dir, wait=wait):
        out_dir = prepare_out(out_dir)
        try:
            return _render_locked(
                runs,
                out_dir,
                jobs=jobs,
                timeout=timeout,
                force=force,
                formats=formats,
                progress=progress,
                prewarm=prewarm,
                zygote=zygote,
                engine=engine,
                scheduler=scheduler,
            )
        finally:
            atomic.remove_temp_files(out_dir)


def _render_locked(
    runs: list[Run],
    out_dir: Path,
    *,
    jobs: int | None,
    timeout: float,
    force: bool,
    formats: tuple[str, ...],
    progress: bool,
    prewarm: bool,
    zygote: bool,
    engine: str,
    scheduler: str | None,
) -> BatchResult:
    for run in runs:
        output_path(out_dir, run.name + ".ipynb")
    cache = caching.load_cache(out_dir)
    inputs, versions = caching.input_digests(), caching.library_versions()
    shared = caching.shared_inputs_digest(inputs, versions)
    raw: dict[Path, bytes] = {}
    for run in runs:
        if run.notebook not in raw:
            raw[run.notebook] = read_notebook(run.notebook)
    keys = {run.name: caching.run_key(run, shared, raw[run.notebook]) for run in runs}
    todo = [
        r
        for r in runs
        if force or not caching.is_fresh(cache["runs"].get(r.name), keys[r.name], out_dir, formats)
    ]
    outcomes = {r.name: Outcome(r.name, "cached") for r in runs if r not in todo}
    # Longest runs first (by their last duration; new runs before all): the batch then ends
    # with short runs on every worker instead of one long run on one.
    todo.sort(key=lambda r: -cache["runs"].get(r.name, {}).get("seconds", float("inf")))
    interrupted = False
    if todo:
        check_parameters(todo)
        context = {"inputs": inputs, "versions": versions, "raw": raw}
        interrupted = _execute(
            todo,
            keys,
            context,
            out_dir,
            cache,
            outcomes,
            jobs=jobs,
            timeout=timeout,
            formats=formats,
            progress=progress,
            prewarm=prewarm,
            zygote=zygote,
            engine=engine,
            scheduler=scheduler,
        )
    built = caching.site_key(out_dir, shared)
    if built != cache.get("site") or not all((out_dir / name).exists() for name in site.FILES):
        site.build(out_dir)
        cache["site"] = built
        caching.save_cache(out_dir, cache)
    ordered = [outcomes[r.name] for r in runs if r.name in outcomes]
    return BatchResult(ordered, interrupted)


def make_job(
    run: Run,
    raw: bytes,
    out_dir: Path,
    *,
    timeout: float,
    formats: tuple[str, ...],
    data: execute.DataBundle | None,
) -> execute.Job:
    """Return the engine job for `run`: the notebook's bytes, its parameters, edition, limits
    (`timeout` per cell and per run), formats, the data bundle, and the paths Papermill's
    metadata records (relative to the output, so renders do not depend on where they ran)."""
    target = output_path(out_dir, run.name + ".ipynb")
    return execute.Job(
        name=run.name,
        kind="render",
        notebook=raw,
        parameters=dict(run.parameters),
        edition=run.edition,
        limits=execute.Limits(cell_timeout=timeout, run_timeout=timeout),
        outputs=tuple(f for f in FORMATS if f in formats),
        data=data,
        options={
            "input_path": os.path.relpath(run.notebook, target.parent),
            "output_path": target.name,
        },
    )


def _execute(
    todo: list[Run],
    keys: dict[str, str],
    context: dict,
    out_dir: Path,
    cache: dict,
    outcomes: dict[str, Outcome],
    *,
    jobs: int | None,
    timeout: float,
    formats: tuple[str, ...],
    progress: bool,
    prewarm: bool,
    zygote: bool,
    engine: str,
    scheduler: str | None,
) -> bool:
    """Run `todo` on the engine, writing each result as it comes; return True after Ctrl-C."""
    from tqdm import tqdm

    data = execute.DataBundle.from_folder(caching.data_folder())
    work = [
        make_job(
            run, context["raw"][run.notebook], out_dir, timeout=timeout, formats=formats, data=data
        )
        for run in todo
    ]
    by_name = {run.name: run for run in todo}
    running: list[str] = []
    try:
        runner = execute.open_engine(
            engine, workers=jobs, scheduler=scheduler, zygote=zygote, prewarm=prewarm
        )
    except execute.EngineError as err:
        raise RenderError(str(err)) from None
    except KeyboardInterrupt:
        return True
    bar = tqdm(
        total=len(todo),
        file=sys.stderr,
        unit="run",
        disable=not progress,
        desc="render",
        dynamic_ncols=True,
    )

    def started(job: execute.Job) -> None:
        running.append(job.name)
        bar.set_postfix_str(", ".join(running[-3:]))

    try:
        with runner:
            for result in runner.run(work, started=started):
                run = by_name[result.name]
                outcomes[run.name] = record_result(
                    result, run, keys[run.name], out_dir, cache, context
                )
                if run.name in running:
                    running.remove(run.name)
                bar.set_postfix_str(", ".join(running[-3:]))
                bar.update(1)
        return False
    except execute.EngineError as err:
        raise RenderError(str(err)) from None
    except KeyboardInterrupt:
        return True
    finally:
        bar.close()


def record_result(
    result: execute.Result, run: Run, key: str, out_dir: Path, cache: dict, context: dict
) -> Outcome:
    """Write what the engine returned for `run` (notebook, page, log and run record),
    atomically, and point the run's cache entry at them; return its Outcome.

    `context` holds the batch's input digests and library versions (and the notebooks' bytes),
    which the stored record carries beside what the kernel decided."""
    import hashlib
    import time

    from zjanalysis import records

    clock = time.perf_counter()
    outputs = {}
    root = Path(out_dir).resolve()
    message = result.message
    if result.attempts > 1 and "worker" not in message:  # (a lost worker's own message)
        note = f"started {result.attempts} times: a worker was lost while running it"
        message = f"{message} ({note})" if message else note
    if result.notebook:
        target = output_path(out_dir, run.name + ".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_if_changed(target, result.notebook)
        outputs["ipynb"] = target.relative_to(root).as_posix()
        if result.html:
            page = target.with_suffix(".html")
            atomic.write_if_changed(page, result.html)
            outputs["html"] = page.relative_to(root).as_posix()
        if result.reader:
            reader = output_path(out_dir, f"{READER_FOLDER}/{run.name}.html")
            reader.parent.mkdir(parents=True, exist_ok=True)
            atomic.write_if_changed(reader, result.reader)
            outputs["reader"] = reader.relative_to(root).as_posix()
        stored = records.with_run(
            result.record,
            run={
                "name": run.name,
                "notebook": os.path.relpath(run.notebook, paths.project_root()),
                "edition": run.edition,
                "parameters": run.parameters,
                "status": result.status,
                "message": message,
                "outputs": dict(outputs),
            },
            inputs={
                "notebook": hashlib.sha256(context["raw"][run.notebook]).hexdigest(),
                **context["inputs"],
            },
            versions=context["versions"],
        )
        record_file = target.parent / (target.name[: -len(".ipynb")] + records.SUFFIX)
        atomic.write_if_changed(record_file, records.dumps(stored))
        outputs["record"] = record_file.relative_to(root).as_posix()
    if result.log:
        log = output_path(Path(out_dir) / LOG_DIR, run.name + ".log")
        log.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_atomic(log, result.log)
    if outputs:
        cache["runs"][run.name] = {
            "key": key,
            "status": result.status,
            "outputs": outputs,
            "seconds": round(result.seconds, 1),
        }
        caching.save_cache(out_dir, cache)
    phases = {**result.phases, "write": time.perf_counter() - clock}
    return Outcome(run.name, result.status, result.seconds, message, phases)


def timings_table(result: BatchResult) -> str:
    """Return where each run's time went, in seconds per phase (`PHASES`), and the mean of the
    runs that ran; cached runs are left out."""
    ran = [o for o in result.outcomes if o.phases]
    rows = [("run", *PHASES, "total")]
    for o in ran:
        rows.append((o.name, *(f"{o.phases.get(p, 0.0):.2f}" for p in PHASES), f"{o.seconds:.2f}"))
    if ran:
        rows.append(
            (
                "mean",
                *(f"{sum(o.phases.get(p, 0.0) for o in ran) / len(ran):.2f}" for p in PHASES),
                f"{sum(o.seconds for o in ran) / len(ran):.2f}",
            )
        )
    width = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, width, strict=True))
        )
        for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in width))
    return "\n".join(lines) + "\n"


def summary_table(result: BatchResult) -> str:
    """Return the closing table: run, status, seconds, and a note for runs that did not succeed."""
    rows = [("run", "status", "seconds")] + [
        (o.name, o.status, f"{o.seconds:.1f}") for o in result.outcomes
    ]
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{a.ljust(width[0])}  {b.ljust(width[1])}  {c.rjust(width[2])}" for a, b, c in rows]
    lines.insert(1, "  ".join("-" * w for w in width))
    for o in result.outcomes:
        if o.message:
            lines.append(f"{o.name}: {o.message}")
    if result.interrupted:
        lines.append("Interrupted: runs not listed did not finish; the next render resumes.")
    return "\n".join(lines) + "\n"
