"""Measure the batch renderer against a shell loop of the papermill CLI.

Run with `make bench` (or `.venv/bin/python benchmarks/render_bench.py [--count N]`). On the real
collection (notebooks/*.ipynb) when it holds at least two notebooks, else on generated stand-ins
that import pandas, seaborn and matplotlib and draw one chart, it times:

  (a) a shell loop calling `papermill` once per notebook,
  (b) `zjanalysis render --force --jobs 1`,
  (c) `zjanalysis render --force --jobs <CPUs>`,
  (c') the same without pre-warmed kernels (`--no-prewarm`), to show what pre-warming buys,
  (c") the same without the zygote (`--no-zygote`), to show what forking kernels buys,
  (d) a no-op re-render (nothing changed),
  (e) (c) on the Dask engine (`--engine dask`, a LocalCluster of as many workers as (c) has),
  (f) a grid of 200 runs (every notebook's parameter choices crossed with tolerance steps) on
      the local engine and on the Dask engine, as runs per minute,

and prints each wall time (and the CPU time of all the processes it used), the ratios a/c, c/d
and e/c, the grid's runs per minute, and the peak resident memory of the largest child
process. (a) and (c) are timed `--repeat` times (default 3), alternating, each ratio printed.

It also checks what a re-render writes: (d) must rewrite no file (every file's modification
time is compared before and after), and (g), after one notebook's prose changes, lists the files
that were rewritten. It prints where a run's time goes (kernel, cells, HTML export, writing:
`zjanalysis render --timings`, means of a (c) run) and how long drawing each theme's network as
SVG takes.

Targets on 2 cores: a/c >= 5 in every repeat, (d) <= 0.2 s writing nothing, e/c <= 1.5, the
Dask engine at >= 80 % of the local engine's runs per minute on (f), a network drawn in
<= 20 ms. With `--compare-with DIR` (a checkout of another commit, e.g. made with `git
archive`), (c) is also timed with that code, for a before/after figure measured in the same run.
The bench renders copies of notebooks/ in a temporary folder, so it never touches the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

STAND_IN_CELLS = [
    "import pandas as pd\nimport seaborn as sns\nimport matplotlib.pyplot as plt",
    "frame = pd.DataFrame({'year': [2016, 2017, 2018], 'users': [40.0, 43.0, 45.5]})\nframe",
    "ax = sns.lineplot(data=frame, x='year', y='users')\nplt.show()",
]


def stand_ins(folder: Path, count: int) -> list[Path]:
    """Write `count` small notebooks shaped like the real ones; return their paths."""
    import nbformat

    paths = []
    for number in range(count):
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell("tolerance: float = 0.0  # widening of intervals")
        params.metadata["tags"] = ["parameters"]
        nb.cells = [params] + [nbformat.v4.new_code_cell(c) for c in STAND_IN_CELLS]
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        path = folder / f"{number:02d}_stand_in.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def choices(notebook: Path) -> dict[str, list]:
    """Return each string parameter's allowed values, read from the parameters cell's comment
    (the double-quoted words, as the notebooks write them), and every other default."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    found: dict[str, list] = {}
    source = "".join(cells[0]["source"]) if cells else ""
    for line in source.splitlines():
        match = re.match(r'\s*(\w+)\s*:\s*str\s*=\s*"(\w+)"\s*#(.*)', line)
        if match:
            name, default, comment = match.groups()
            values = list(dict.fromkeys([default, *re.findall(r'"(\w+)"', comment)]))
            found[name] = values
    return found


def write_grid(notebooks: list[Path], path: Path, runs: int) -> int:
    """Write a grid file of `runs` runs: for each notebook, its parameter choices crossed with
    tolerance steps 0, 0.01, 0.02, ..., taken round-robin over notebooks; return the count."""
    import itertools

    combos = []
    for notebook in notebooks:
        values = choices(notebook)
        names = sorted(values)
        combos += [
            (notebook.stem, dict(zip(names, combo, strict=True)))
            for combo in itertools.product(*(values[n] for n in names))
        ]
    grid: dict[str, list] = {}
    count = 0
    for step in itertools.count():
        for stem, params in combos:
            if count == runs:
                path.write_text(json.dumps({k: {"runs": v} for k, v in grid.items()}))
                return count
            grid.setdefault(stem, []).append({**params, "tolerance": round(step * 0.01, 2)})
            count += 1
    return count


def mtimes(folder: Path) -> dict[str, int]:
    """Every file below `folder` with its modification time in nanoseconds."""
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def changed(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """The files that were written (or appeared, or went) between two `mtimes` readings."""
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


def touch_prose(notebook: Path) -> None:
    """Change one markdown cell of a copied notebook (an added sentence), as an author would."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    cell["source"] = "".join(cell["source"]) + "\n\nA sentence added by the bench."
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def phase_means(stdout: str) -> str:
    """The 'mean' line of `zjanalysis render --timings`, with its header."""
    lines = stdout.splitlines()
    header = next((line for line in lines if line.startswith("run ") and "kernel" in line), "")
    mean = next((line for line in lines if line.startswith("mean ")), "")
    return f"{header}\n{mean}" if mean else "(no timings)"


def drawing_ms(folder: Path) -> list[tuple[str, float]]:
    """Milliseconds to draw each stored record's network as SVG (best of 20)."""
    from zjanalysis import drawing, records

    found = []
    for record in records.load_folder(folder):
        if not record.get("network"):
            continue
        best = min(_time(lambda r=record: drawing.svg(r)) for _ in range(20))
        found.append((record["run"]["name"], best * 1000))
    return found


def _time(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def timed(
    label: str, command: list[str], cwd: Path, env: dict | None = None, keep: dict | None = None
) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {})},
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time of the command and every process it waited for (workers, zygote, kernels):
    # steadier than wall time when others load the machine.
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    peak = after.ru_maxrss / 1024
    if keep is not None:
        keep["stdout"] = done.stdout
    status = "" if done.returncode == 0 else f"  (exit status {done.returncode})"
    cached = done.stdout.count(" cached ")
    if cached:
        status += f"  ({cached} runs cached)"
    print(
        f"{label:<44} {seconds:7.2f} s  (cpu {cpu:6.2f} s)   peak child RSS so far "
        f"{peak:6.0f} MiB{status}",
        flush=True,
    )
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=8, help="stand-in notebooks (default 8)")
    parser.add_argument(
        "--grid-runs",
        type=int,
        default=200,
        help="runs in the grid of (f) (default 200; 0 skips (f))",
    )
    parser.add_argument(
        "--compare-with",
        type=Path,
        metavar="DIR",
        help="also time (c) with the zjanalysis package found in DIR",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="how many times (a) and (c) are timed, alternating (default 3)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="only (a), (c), (d), (g), the time budget and the drawing; no "
        "(b), (c'), (c\"), (e) or (f)",
    )
    args = parser.parse_args()
    cpus = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="zjanalysis-bench-") as scratch:
        work = Path(scratch)
        notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
        if len(notebooks) < 2:
            print(
                f"notebooks/ holds {len(notebooks)} notebook(s): using {args.count} generated "
                "stand-ins instead."
            )
            notebooks = stand_ins(work, args.count)
        else:
            (work / "notebooks").mkdir()
            for path in notebooks:
                shutil.copyfile(path, work / "notebooks" / path.name)
            notebooks = sorted((work / "notebooks").glob("*.ipynb"))
        names = [str(p) for p in notebooks]
        print(
            f"{len(notebooks)} notebooks, {cpus} CPUs, Python {sys.version.split()[0]}, "
            f"load {os.getloadavg()[0]:.1f}\n"
        )
        (work / "loop").mkdir()
        loop = "; ".join(
            f"{shlex.quote(str(BIN / 'papermill'))} {shlex.quote(n)} "
            f"{shlex.quote(str(work / 'loop' / Path(n).name))} --no-progress-bar"
            for n in names
        )
        render = [sys.executable, "-m", "zjanalysis", "render", *names, "--no-progress"]
        ratios, kept = [], {}
        for i in range(1, args.repeat + 1):
            a = timed(f"(a) shell loop of papermill [{i}]", ["bash", "-c", loop], work)
            c = timed(
                f"(c) render --force --jobs {cpus} [{i}]",
                render + ["--force", "--jobs", str(cpus), "--timings", "--out", "r2"],
                work,
                keep=kept,
            )
            ratios.append((a, c))
        before = mtimes(work / "r2")
        d = timed("(d) no-op re-render", render + ["--out", "r2"], work)
        rewritten = changed(before, mtimes(work / "r2"))
        touch_prose(notebooks[1])
        before = mtimes(work / "r2")
        timed(
            f"(g) re-render after {notebooks[1].stem}'s prose changed",
            render + ["--out", "r2"],
            work,
        )
        incremental = changed(before, mtimes(work / "r2"))
        b = c0 = c1 = e = old = None
        if not args.quick:
            b = timed(
                "(b) render --force --jobs 1",
                render + ["--force", "--jobs", "1", "--out", "r1"],
                work,
            )
            c0 = timed(
                f"(c') render --force --jobs {cpus} --no-prewarm",
                render + ["--force", "--jobs", str(cpus), "--no-prewarm", "--out", "r3"],
                work,
            )
            c1 = timed(
                f'(c") render --force --jobs {cpus} --no-zygote',
                render + ["--force", "--jobs", str(cpus), "--no-zygote", "--out", "r4"],
                work,
            )
            e = timed(
                f"(e) render --force --jobs {cpus} --engine dask",
                render + ["--force", "--jobs", str(cpus), "--engine", "dask", "--out", "r5"],
                work,
            )
        if args.compare_with:
            old = timed(
                f"(c) with the code in {args.compare_with}",
                render + ["--force", "--jobs", str(cpus), "--out", "r6"],
                work,
                env={"PYTHONPATH": str(args.compare_with.resolve())},
            )
        per_minute = {}
        if args.grid_runs and not args.quick:
            count = write_grid(notebooks, work / "grid.json", args.grid_runs)
            grid = [
                sys.executable,
                "-m",
                "zjanalysis",
                "render",
                *names,
                "--grid",
                str(work / "grid.json"),
                "--no-progress",
                "--force",
                "--jobs",
                str(cpus),
            ]
            for engine in ("local", "dask"):
                seconds = timed(
                    f"(f) grid of {count} runs, --engine {engine}",
                    grid + ["--engine", engine, "--out", f"grid-{engine}"],
                    work,
                )
                per_minute[engine] = count / seconds * 60
        drawings = drawing_ms(work / "r2")
        print(f"\nload at the end {os.getloadavg()[0]:.1f}")
        for i, (a, c) in enumerate(ratios, start=1):
            print(f"a/c [{i}] = {a / c:.2f}   ({a:.1f} s / {c:.1f} s; target >= 5)")
        c = sum(c for _, c in ratios) / len(ratios)
        print(
            f"(d) no-op: {d:.2f} s (target <= 0.2 s); files rewritten: {len(rewritten)}"
            + (f" {rewritten}" if rewritten else "")
        )
        print(
            "(g) after one notebook's prose changed, files rewritten: "
            f"{', '.join(incremental) or 'none'}"
        )
        print(
            f"\nwhere a run's time goes, seconds (means of the last (c) run, {cpus} runs at once):"
        )
        print(phase_means(kept.get("stdout", "")))
        if drawings:
            slowest = max(drawings, key=lambda item: item[1])
            print(
                f"\ndrawing a network as SVG: at most {slowest[1]:.1f} ms ({slowest[0]}; target "
                "<= 20 ms)"
            )
        if b is not None:
            print(
                f"b/c = {b / c:.2f}   (parallel speed-up);  c'/c = {c0 / c:.2f}   (pre-warming);  "
                f'c"/c = {c1 / c:.2f}   (zygote)'
            )
            print(f"e/c = {e / c:.2f}   (Dask engine against the local one, target <= 1.5)")
        if old is not None:
            print(f"c(other code)/c = {old / c:.2f}")
        if per_minute:
            print(
                f"(f) runs per minute: local {per_minute['local']:.1f}, dask "
                f"{per_minute['dask']:.1f}"
                f"   (dask/local = {per_minute['dask'] / per_minute['local']:.2f}, target >= 0.8)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
