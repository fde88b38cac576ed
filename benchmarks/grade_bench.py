"""Measure `zjanalysis grade` against a naive grader: a shell loop of the papermill CLI.

Run with `make bench` (or `.venv/bin/python benchmarks/grade_bench.py [--submissions N]`).
It generates N student notebooks (default 100) from today's student editions with the corpus
generator of the tests (tests/grading/make_corpus.py): one of every case the tests grade
(exception, syntax error, an infinite loop, a memory bomb, sys.exit, os._exit, the tricks, the
tampered ones ...) and, for the rest, ordinary submissions (all right, partly right, blank, a
unit slip) of the first two notebooks with exercises. Then, in the same run, it times

  (n) a shell loop that runs `papermill` on each submission, one after the other, with the same
      per-cell timeout and the same memory limit (`ulimit -v`): what grading by hand-written
      script costs before any scoring;
  (g) `zjanalysis grade` on the same submissions with --jobs = CPUs;

and prints both as submissions per minute, their ratio g/n, and the machine's load before and
after. Targets on 2 cores: (g) at least 60 per minute and at least 4 x (n).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests" / "grading"))
sys.path.insert(0, str(ROOT))

ORDINARY = ("all_correct", "partly_right", "all_blank", "slips")
TIMEOUT = 10.0
MEMORY_MB = 2048


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def build(folder: Path, count: int) -> list[Path]:
    """Write `count` gradable submissions under folder/submissions; return their notebook paths."""
    import make_corpus

    corpus = folder / "corpus"
    make_corpus.generate(corpus)
    source = corpus / "submissions"
    target = folder / "submissions"
    target.mkdir()
    refused_only = ("truncated", "wrong_theme", "stray_files", "empty_folder")
    special = [
        (student.name, notebook)
        for student in sorted(p for p in source.iterdir() if p.is_dir())
        if student.name not in ORDINARY + refused_only
        for notebook in sorted(student.glob("[0-9][0-9]_*.ipynb"))
    ]
    ordinary = [
        (student, notebook)
        for student in ORDINARY
        for notebook in sorted((source / student).glob("[0-9][0-9]_*.ipynb"))
    ]
    chosen = special[:count]
    number = 0
    while len(chosen) < count:
        chosen.append(ordinary[number % len(ordinary)])
        number += 1
    paths = []
    for index, (case, notebook) in enumerate(chosen):
        student = target / f"s{index:03d}_{case}"
        student.mkdir(exist_ok=True)
        shutil.copy(notebook, student / notebook.name)
        paths.append(student / notebook.name)
    return paths


def naive(paths: list[Path], folder: Path) -> float:
    """Seconds for a bash loop of papermill over `paths` (same cell timeout and memory limit)."""
    out = folder / "naive"
    out.mkdir()
    lines = [f"ulimit -v {MEMORY_MB * 1024}"]
    for index, path in enumerate(paths):
        lines.append(
            f"{shlex.quote(str(BIN / 'papermill'))} --no-progress-bar "
            f"--execution-timeout {TIMEOUT:g} --cwd {shlex.quote(str(path.parent))} "
            f"{shlex.quote(str(path))} {shlex.quote(str(out / f'{index:03d}.ipynb'))} "
            f">/dev/null 2>&1"
        )
    script = "for _ in 1; do\n" + "\n".join(lines) + "\ndone\n"
    started = time.perf_counter()
    subprocess.run(["bash", "-c", script], check=False)
    return time.perf_counter() - started


def grade(folder: Path, jobs: int) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [
            str(BIN / "zjanalysis"),
            "grade",
            str(folder / "submissions"),
            "--out",
            str(folder / "graded"),
            "--jobs",
            str(jobs),
            "--timeout",
            f"{TIMEOUT:g}",
            "--memory",
            str(MEMORY_MB),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
    return seconds, done.stdout.splitlines()[2] if len(done.stdout.splitlines()) > 2 else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--submissions",
        type=int,
        default=100,
        metavar="N",
        help="how many notebooks to grade (default 100)",
    )
    parser.add_argument(
        "--skip-naive", action="store_true", help="time only zjanalysis grade (no ratio)"
    )
    args = parser.parse_args()
    cpus = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="zjanalysis-grade-bench-") as scratch:
        folder = Path(scratch)
        paths = build(folder, args.submissions)
        n = len(paths)
        print(
            f"{n} submissions ({len({p.parent.name.split('_', 1)[1] for p in paths})} kinds), "
            f"{cpus} CPUs, per-cell timeout {TIMEOUT:g} s, memory {MEMORY_MB} MB",
            flush=True,
        )
        print(f"load before: {load()}", flush=True)
        g, table = grade(folder, cpus)
        print(
            f"(g) zjanalysis grade --jobs {cpus:<3}          {g:7.1f} s   "
            f"{n / g * 60:6.1f} submissions/min   [{table.strip()}]",
            flush=True,
        )
        if not args.skip_naive:
            s = naive(paths, folder)
            print(
                f"(n) shell loop of papermill            {s:7.1f} s   {n / s * 60:6.1f} "
                "submissions/min",
                flush=True,
            )
            print(f"ratio g/n: {s / g:.2f}  (target >= 4)", flush=True)
        print(f"target: >= 60 submissions/min -> {'met' if n / g * 60 >= 60 else 'NOT met'}")
        print(f"load after: {load()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
