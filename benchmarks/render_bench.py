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

and prints each wall time, the ratios a/c, c/d and e/c, the grid's runs per minute, and the
peak resident memory of the largest child process. Targets on 2 cores: a/c >= 3.5, (d) <= 1 s,
e/c <= 1.5, and the Dask engine at >= 80 % of the local engine's runs per minute on (f).
With `--compare-with DIR` (a checkout of another commit, e.g. made with `git archive`), (c) is
also timed with that code, for a before/after figure measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shlex
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
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
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
        combos += [(notebook.stem, dict(zip(names, combo)))
                   for combo in itertools.product(*(values[n] for n in names))]
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


def timed(label: str, command: list[str], cwd: Path, env: dict | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    status = "" if done.returncode == 0 else f"  (exit status {done.returncode})"
    cached = done.stdout.count(" cached ")
    if cached:
        status += f"  ({cached} runs cached)"
    print(f"{label:<44} {seconds:7.2f} s   peak child RSS so far {peak:6.0f} MiB{status}",
          flush=True)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=8, help="stand-in notebooks (default 8)")
    parser.add_argument("--grid-runs", type=int, default=200,
                        help="runs in the grid of (f) (default 200; 0 skips (f))")
    parser.add_argument("--compare-with", type=Path, metavar="DIR",
                        help="also time (c) with the zjanalysis package found in DIR")
    args = parser.parse_args()
    cpus = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="zjanalysis-bench-") as scratch:
        work = Path(scratch)
        notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
        if len(notebooks) < 2:
            print(f"notebooks/ holds {len(notebooks)} notebook(s): using {args.count} generated "
                  "stand-ins instead.")
            notebooks = stand_ins(work, args.count)
        names = [str(p) for p in notebooks]
        print(f"{len(notebooks)} notebooks, {cpus} CPUs, Python {sys.version.split()[0]}\n")
        (work / "loop").mkdir()
        loop = "; ".join(
            f"{shlex.quote(str(BIN / 'papermill'))} {shlex.quote(n)} "
            f"{shlex.quote(str(work / 'loop' / Path(n).name))} --no-progress-bar" for n in names)
        render = [sys.executable, "-m", "zjanalysis", "render", *names, "--no-progress"]
        a = timed("(a) shell loop of papermill", ["bash", "-c", loop], work)
        b = timed("(b) render --force --jobs 1", render + ["--force", "--jobs", "1", "--out", "r1"],
                  work)
        c = timed(f"(c) render --force --jobs {cpus}",
                  render + ["--force", "--jobs", str(cpus), "--out", "r2"], work)
        c0 = timed(f"(c') render --force --jobs {cpus} --no-prewarm",
                   render + ["--force", "--jobs", str(cpus), "--no-prewarm", "--out", "r3"], work)
        c1 = timed(f'(c") render --force --jobs {cpus} --no-zygote',
                   render + ["--force", "--jobs", str(cpus), "--no-zygote", "--out", "r4"], work)
        d = timed("(d) no-op re-render", render + ["--out", "r2"], work)
        e = timed(f"(e) render --force --jobs {cpus} --engine dask",
                  render + ["--force", "--jobs", str(cpus), "--engine", "dask", "--out", "r5"],
                  work)
        old = None
        if args.compare_with:
            old = timed(f"(c) with the code in {args.compare_with}",
                        render + ["--force", "--jobs", str(cpus), "--out", "r6"], work,
                        env={"PYTHONPATH": str(args.compare_with.resolve())})
        per_minute = {}
        if args.grid_runs:
            count = write_grid(notebooks, work / "grid.json", args.grid_runs)
            grid = [sys.executable, "-m", "zjanalysis", "render", *names, "--grid",
                    str(work / "grid.json"), "--no-progress", "--force", "--jobs", str(cpus)]
            for engine in ("local", "dask"):
                seconds = timed(f"(f) grid of {count} runs, --engine {engine}",
                                grid + ["--engine", engine, "--out", f"grid-{engine}"], work)
                per_minute[engine] = count / seconds * 60
    print(f"\na/c = {a / c:.2f}   (target >= 3.5)")
    print(f"c/d = {c / d:.2f}   (no-op {d:.2f} s, target <= 1 s)")
    print(f"b/c = {b / c:.2f}   (parallel speed-up);  c'/c = {c0 / c:.2f}   (pre-warming);  "
          f'c"/c = {c1 / c:.2f}   (zygote)')
    print(f"e/c = {e / c:.2f}   (Dask engine against the local one, target <= 1.5)")
    if old is not None:
        print(f"c(other code)/c = {old / c:.2f}")
    if per_minute:
        print(f"(f) runs per minute: local {per_minute['local']:.1f}, dask {per_minute['dask']:.1f}"
              f"   (dask/local = {per_minute['dask'] / per_minute['local']:.2f}, target >= 0.8)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
