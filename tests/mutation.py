"""`make mutation`: mutation testing of the modules that decide verdicts.

Runs mutmut (configuration: ``[tool.mutmut]`` in pyproject.toml) with the fast unit tests of
the interval arithmetic, the expressions and constraints, the verdict rules and the diagnosis,
then prints the surviving mutants and one last line::

    mutation score: K/N killed (P%)

N counts every mutant mutmut tested; K those a test failed on (a timeout counts as caught).
Mutants no test reaches count as survivors. Exit status 0 when the score was computed, 1 when
mutmut could not run or tested nothing (the tests fail on the unmutated code).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = Path(sys.executable).with_name("mutmut")


def main() -> int:
    run = subprocess.run([str(MUTMUT), "run"], cwd=ROOT)
    if run.returncode not in (0, 1, 2):  # mutmut returns non-zero while mutants survive
        print(f"mutmut run failed with exit status {run.returncode}", file=sys.stderr)
        return 1
    subprocess.run([str(MUTMUT), "export-cicd-stats"], cwd=ROOT, check=True, capture_output=True)
    stats = json.loads((ROOT / "mutants" / "mutmut-cicd-stats.json").read_text())
    survivors = subprocess.run(
        [str(MUTMUT), "results"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    if survivors.strip():
        print("surviving mutants (`mutmut show NAME` shows one):")
        print(survivors.rstrip())
    decided = sum(stats[k] for k in ("killed", "survived", "timeout", "suspicious", "segfault"))
    if not decided:
        print(
            "mutmut tested no mutant: the tests failed on the unmutated code (see above)",
            file=sys.stderr,
        )
        return 1
    tested = stats["total"] - stats["skipped"]
    killed = stats["killed"] + stats["timeout"]
    share = 100 * killed / tested if tested else 0.0
    print(f"mutation score: {killed}/{tested} killed ({share:.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
