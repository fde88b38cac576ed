"""`zjanalysis grade`: read the submissions, plan each one, run them through the engine, score,
and write the gradebook, the summary, the feedback pages and the manifest.

The expected answers are computed here, in the grader's process, before any student code runs;
kernels get their own copy of the data and nothing they do reaches this process except each
answer described as JSON (`grading.runner`), which `grading.score` judges.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zjanalysis import atomic, execute, paths, teach
from zjanalysis.grading import plan as planning
from zjanalysis.grading import report, runner
from zjanalysis.grading.score import (
    Key,
    Row,
    exercise_order,
    flat_rows,
    points_text,
    score_submission,
)
from zjanalysis.grading.submissions import Collection, GradeError, Refusal, Submission, collect
from zjanalysis.versions import package_versions, tree_sha256

execute.register(runner.KIND, "zjanalysis.grading.runner:execute_submission")

PACKAGES = (
    "ipykernel",
    "jupyter_client",
    "pandas",
    "numpy",
    "matplotlib",
    "seaborn",
    "nbformat",
    "frictionless",
)
DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY_MB = 2048
NOTEBOOK_TIMEOUT_FACTOR = 10
# Kernels of a grading run: one thread per numerical library (2 cores, several kernels at once,
# and less address space under RLIMIT_AS), no inline figures, a fixed hash seed, and IPython's
# folder (its input history above all) in the kernel's own working folder: "." is where a
# kernel starts. In the grader's ~/.ipython, one student's code could read another's (and the
# instructor's) with %history -g.
KERNEL_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "agg",
    "PYTHONHASHSEED": "0",
    "IPYTHONDIR": ".",
}


@dataclass
class Outcome:
    """What a grading run did, for the closing table and the exit status."""

    students: int
    submissions: int
    refused: list[Refusal]
    points: float
    max_points: float
    failures: list[str] = field(default_factory=list)
    interrupted: bool = False
    summary: list[dict] = field(default_factory=list)


def project_notebooks() -> Path:
    return paths.notebooks_dir()


def gradable(folder: Path | None = None) -> dict[str, Any]:
    """stem -> student edition, for every notebook of the project that has exercises."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  -- see render_worker
    import nbformat

    folder = folder or project_notebooks()
    all_ids = list(teach.exercises())
    editions = {}
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        if any(e.startswith(path.name[:2] + "-") for e in all_ids):
            editions[path.stem] = teach.student_edition(nbformat.read(path, as_version=4))
    return editions


def exercises_of(stem: str) -> list[str]:
    return sorted(
        (e for e in teach.exercises() if e.startswith(stem[:2] + "-")), key=exercise_order
    )


def planned_notebook(plan: planning.Plan) -> bytes:
    """The notebook a grade job runs: the plan's cells, each with its role in its metadata."""
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "outputs": [],
            "source": cell.source,
            "metadata": {
                "zjanalysis": {
                    "role": cell.role,
                    "number": cell.number,
                    "exercises": list(cell.exercises),
                }
            },
        }
        for cell in plan.cells
    ]
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    return json.dumps(nb, sort_keys=True).encode()


def _check_folders(submissions: Path, out_dir: Path) -> None:
    sub = submissions.resolve()
    out = out_dir.resolve()
    if out == sub or sub in out.parents:
        raise GradeError(
            f"--out {out_dir} is inside the submissions folder {submissions}; it would "
            f"be read as a student's folder next time. Choose a folder outside it."
        )
    problem = atomic.prepare_folder(out_dir)
    if problem:
        raise GradeError(problem)


def grade(
    submissions: Path,
    out_dir: Path,
    *,
    jobs: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    notebook_timeout: float | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
    progress: bool = True,
) -> Outcome:
    """Grade `submissions` (laid out as `<student>/<NN_theme>.ipynb`) into `out_dir`.

    Returns an Outcome. Raises GradeError for a usage error (bad limits, an unreadable
    submissions folder, an unwritable --out) and execute.EngineError when the engine cannot run.
    """
    if jobs is not None and jobs < 1:
        raise GradeError(f"--jobs must be 1 or more; got {jobs}.")
    if not timeout > 0:
        raise GradeError(f"--timeout must be a positive number of seconds; got {timeout:g}.")
    notebook_timeout = notebook_timeout or timeout * NOTEBOOK_TIMEOUT_FACTOR
    if not notebook_timeout > 0:
        raise GradeError(
            f"--notebook-timeout must be a positive number of seconds; got {notebook_timeout:g}."
        )
    if not isinstance(memory_mb, int) or memory_mb < 256:
        raise GradeError(
            f"--memory must be at least 256 (MB); got {memory_mb}. A kernel of these "
            f"notebooks needs about 1200 MB of address space."
        )
    submissions, out_dir = Path(submissions), Path(out_dir)
    editions = gradable()
    known = sorted(editions)
    collection = collect(submissions, known)
    _check_folders(submissions, out_dir)
    from zjanalysis import data

    try:
        data_folder = data.data_dir()
        bundle = execute.DataBundle.from_folder(data_folder)
        stems_graded = sorted(
            {s.notebook for s in collection.submissions}
            | {r.notebook for r in collection.refusals if r.notebook}
        )
        key = Key([e for stem in stems_graded for e in exercises_of(stem)])
    except (data.DataError, teach.ExerciseError) as err:
        raise GradeError(f"The expected answers cannot be computed: {err}") from None
    limits = {"timeout": timeout, "notebook_timeout": notebook_timeout, "memory_mb": memory_mb}
    locked = {stem: teach.locked_digests(nb) for stem, nb in editions.items()}

    rows: list[Row] = []
    notebooks: dict[tuple[str, str], dict] = {}
    refusals = list(collection.refusals)
    plans: dict[str, tuple[Submission, planning.Plan]] = {}
    for sub in collection.submissions:
        nb = json.loads(sub.content)
        exercises = exercises_of(sub.notebook)
        try:
            planning.identify(nb, sub.notebook, locked)
        except planning.WrongNotebook as err:
            refusals.append(Refusal(sub.student, sub.path, str(err), sub.notebook))
            continue
        plans[f"{sub.student}/{sub.notebook}"] = (
            sub,
            planning.make_plan(editions[sub.notebook], nb, sub.notebook, exercises),
        )
    for refusal in refusals:
        if refusal.notebook:
            rows += flat_rows(
                key,
                refusal.student,
                refusal.notebook,
                exercises_of(refusal.notebook),
                "invalid",
                f"Not graded: {refusal.reason}.",
            )
    handed = {(s.student, s.notebook) for s in collection.submissions} | {
        (r.student, r.notebook) for r in refusals if r.notebook
    }
    for student in collection.students:
        for stem in stems_graded:
            if (student, stem) not in handed:
                rows += flat_rows(
                    key,
                    student,
                    stem,
                    exercises_of(stem),
                    "missing",
                    f"{stem}.ipynb was not handed in.",
                )

    job_list = [
        execute.Job(
            name,
            kind=runner.KIND,
            notebook=planned_notebook(plan),
            limits=execute.Limits(
                cell_timeout=timeout, run_timeout=notebook_timeout, memory_mb=memory_mb
            ),
            data=bundle,
            env=dict(KERNEL_ENV),
            options={
                "variables": plan.variables,
                "validation_cache": str(paths.cache_dir()),
            },
        )
        for name, (_, plan) in plans.items()
    ]
    failures: list[str] = []
    interrupted = False
    results: dict[str, execute.Result] = {}
    from tqdm import tqdm

    bar = tqdm(
        total=len(job_list),
        file=sys.stderr,
        unit="notebook",
        desc="grade",
        disable=not progress or not job_list,
        dynamic_ncols=True,
    )
    try:
        if job_list:
            with execute.open_engine(engine, workers=jobs, scheduler=scheduler) as running:
                for result in running.run(job_list):
                    results[result.name] = result
                    bar.update(1)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    confined: set[str] = set()
    restarts = {}
    for name, (sub, plan) in plans.items():
        result = results.get(name)
        info = {
            "tamper": {
                **plan.tamper.as_dict(),
                "first_lines": {str(k): v for k, v in plan.tamper.first_lines.items()},
            },
            "notes": [],
        }
        notebooks[(sub.student, sub.notebook)] = info
        if result is None or result.status != "ok":
            why = "grading was interrupted" if result is None else result.message
            failures.append(f"{name}: {why}")
            rows += flat_rows(
                key,
                sub.student,
                sub.notebook,
                plan.exercises,
                "error",
                "The grader could not run this notebook (not the student's doing); grade it again.",
            )
            continue
        extra = result.extra
        confined.update(c for c in extra.get("confined", []) if isinstance(c, str))
        restarts[name] = int(extra.get("restarts", 0) or 0)
        for cell in extra.get("cells", []):
            if cell.get("role") == "locked" and cell.get("status") == "error":
                info["notes"].append(
                    f"Cell {cell.get('number')} of the handed-out notebook failed while grading "
                    f"({key.scrub(str(cell.get('error')))}); a cell you added or an answer may "
                    "have "
                    f"changed something it needs."
                )
        rows += score_submission(
            key,
            sub.student,
            sub.notebook,
            plan.exercises,
            extra,
            limits,
            plan.notes,
            plan.answer_key,
        )

    refusal_dicts = sorted(
        ({"student": r.student, "path": r.path, "reason": r.reason} for r in refusals),
        key=lambda r: (r["student"], r["path"]),
    )
    manifest = {
        "version": 1,
        "grader": {
            "versions": package_versions(("zjanalysis", *PACKAGES)),
            "source_sha256": tree_sha256(paths.package_dir()),
        },
        "data": {"sha256": bundle.digest},
        "answer_key_sha256": hashlib.sha256(
            json.dumps(
                {
                    "ranges": key.ranges,
                    "choices": key.choices,
                    "points": {e: [x.points, x.unit_credit] for e, x in key.exercises.items()},
                },
                sort_keys=True,
            ).encode()
        ).hexdigest(),
        "notebooks": {
            stem: hashlib.sha256("\n".join(locked[stem]).encode()).hexdigest()
            for stem in stems_graded
        },
        "limits": {
            "timeout_s": timeout,
            "notebook_timeout_s": notebook_timeout,
            "memory_mb": memory_mb,
        },
        "kernel_confinement": sorted(confined),
        "submissions": [
            {
                "student": sub.student,
                "notebook": sub.notebook,
                "path": sub.path,
                "sha256": sub.sha256,
                "restored": notebooks[(sub.student, sub.notebook)]["tamper"],
                "kernel_restarts": restarts.get(name, 0),
            }
            for name, (sub, _) in sorted(plans.items())
        ],
        "refused": refusal_dicts,
    }
    for entry in manifest["submissions"]:
        entry["restored"] = {k: v for k, v in entry["restored"].items() if k != "first_lines"}
    if interrupted:
        raise KeyboardInterrupt
    entries = report.write_outputs(
        out_dir, rows, collection.students, notebooks, refusal_dicts, manifest
    )
    return Outcome(
        students=len(collection.students),
        submissions=len(plans),
        refused=refusals,
        points=sum(r.points for r in rows),
        max_points=sum(r.max_points for r in rows),
        failures=failures,
        interrupted=interrupted,
        summary=entries,
    )


def closing_table(outcome: Outcome) -> str:
    """The table printed after a grading run, then every refusal with its reason."""
    header = ("students", "submissions", "points", "refused", "failures")
    points = f"{points_text(outcome.points)} of {points_text(outcome.max_points)}"
    values = (
        str(outcome.students),
        str(outcome.submissions),
        points,
        str(len(outcome.refused)),
        str(len(outcome.failures)),
    )
    width = [max(len(a), len(b)) for a, b in zip(header, values, strict=True)]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(header, width, strict=True)),
        "  ".join("-" * w for w in width),
        "  ".join(v.ljust(w) for v, w in zip(values, width, strict=True)),
    ]
    for refusal in sorted(outcome.refused, key=lambda r: r.path):
        lines.append(f"refused {refusal.path}: {refusal.reason}")
    for failure in outcome.failures:
        lines.append(f"failed {failure}")
    return "\n".join(line.rstrip() for line in lines) + "\n"


__all__ = ["Collection", "GradeError", "Outcome", "closing_table", "grade", "gradable"]
