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

and prints each wall time, the ratios a/c and c/d, and the peak resident memory of the largest
child process. Target on 2 cores: a/c >= 3.5 and (d) <= 1 s.
"""

from __future__ import annotations

import argparse
import os
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


def timed(label: str, command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True)
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
    print(f"\na/c = {a / c:.2f}   (target >= 3.5)")
    print(f"c/d = {c / d:.2f}   (no-op {d:.2f} s, target <= 1 s)")
    print(f"b/c = {b / c:.2f}   (parallel speed-up);  c'/c = {c0 / c:.2f}   (pre-warming);  "
          f'c"/c = {c1 / c:.2f}   (zygote)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
