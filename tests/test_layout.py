"""Package layout rules: a cheap, silent import, and imports that flow one way."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "zjanalysis"
HEAVY = (
    "pandas",
    "numpy",
    "matplotlib",
    "seaborn",
    "papermill",
    "frictionless",
    "nbconvert",
    "distributed",
    "jupyter_client",
)

# Upstream first. A module may import modules of an earlier level, or its peers on the same level.
LEVELS = [
    {"params", "versions", "paths", "atomic", "display"},  # leaves: import nothing of the package
    {"data"},  # the only module that reads data/
    {"figures", "slips"},  # printed figures as intervals; misprints
    {"units"},  # numbers as a reader reads them
    {
        "findings",
        "expressions",
        "translation",
        "rules",
    },  # findings; arithmetic; the declared-once rules
    {"network"},  # constraints between figures
    {"diagnosis"},
    {"verdicts"},
    {"records", "drawing", "charts", "summaries"},  # the run record; pictures; plain sentences
    {"notebook"},  # the generated tables of a notebook
    {"teach", "site"},  # self-checks; the site, from the records alone
    {"exercises"},  # the collection's exercises, built on teach (found by its entry point)
    {"execute"},  # the engine: never imports the planner or the cli
    {"render", "grading"},  # the planners: hand jobs to the engine
    {"cli", "__main__", "refresh", "faults"},
]
LEVEL = {name: i for i, names in enumerate(LEVELS) for name in names}


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)


def test_core_import_is_silent_and_light():
    out = run_python(
        "import sys, zjanalysis, zjanalysis.figures, zjanalysis.findings, zjanalysis.params; "
        f"sys.stderr.write(repr(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    # nothing printed by the imports; the only output is the list of heavy modules, on stderr
    assert out.stdout == "" and out.stderr == "[]"


def package_modules() -> list[str]:
    names = [p.stem for p in sorted(PACKAGE.glob("*.py")) if p.stem not in ("__init__", "__main__")]
    for package in ("exercises", "execute", "grading", "render", "site"):
        names += [
            f"{package}.{p.stem}"
            for p in sorted((PACKAGE / package).glob("*.py"))
            if p.stem != "__init__"
        ]
    return names


@pytest.mark.parametrize("module", package_modules())
def test_every_module_imports_light_and_silent(module):
    out = run_python(
        f"import sys, zjanalysis.{module}; "
        f"sys.stderr.write(repr(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    assert out.stdout == "" and out.stderr == "[]", f"zjanalysis.{module}"


def imported_modules(source: str, package_path: tuple[str, ...] = ()) -> set[str]:
    """Top-level names of zjanalysis modules a source imports (anywhere, also inside functions).

    ``package_path`` is the importing module's package below zjanalysis (("exercises",) for
    zjanalysis/exercises/x.py), to resolve relative imports.
    """
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(
                a.name.split(".")[1] for a in node.names if a.name.startswith("zjanalysis.")
            )
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = (
                    list(package_path)[: len(package_path) - (node.level - 1)]
                    if node.level > 1
                    else list(package_path)
                )
                parts = base + (node.module.split(".") if node.module else [])
            elif node.module and (
                node.module == "zjanalysis" or node.module.startswith("zjanalysis.")
            ):
                parts = node.module.split(".")[1:]
            else:
                continue
            if parts:
                names.add(parts[0])
            else:
                names.update(a.name for a in node.names)
    return names


@pytest.mark.parametrize(
    "source, package_path, expected",
    [
        ("import zjanalysis.data", (), {"data"}),
        ("from zjanalysis import data, figures as f", (), {"data", "figures"}),
        ("from zjanalysis.findings import Finding", (), {"findings"}),
        ("def f():\n    from zjanalysis import charts", (), {"charts"}),  # lazy imports count too
        ("from . import charts", (), {"charts"}),
        ("from .render import Run", (), {"render"}),
        ("from ..teach import exercise", ("exercises",), {"teach"}),
        ("from . import broadband", ("exercises",), {"exercises"}),
        ("import pandas\nfrom os import path", (), set()),
    ],
)
def test_the_import_reader(source, package_path, expected):
    assert imported_modules(source, package_path) == expected


def owner(path: Path) -> tuple[str, tuple[str, ...]]:
    relative = path.relative_to(PACKAGE)
    if len(relative.parts) > 1:  # zjanalysis/exercises/x.py belongs to "exercises"
        return relative.parts[0], relative.parts[:-1]
    return path.stem, ()


def test_imports_flow_one_way():
    checked = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        me, package_path = owner(path)
        if me == "__init__":
            assert imported_modules(path.read_text(), package_path) == set(), (
                "zjanalysis/__init__.py imports nothing"
            )
            continue
        assert me in LEVEL, (
            f"{path.relative_to(PACKAGE.parent)} has no place in LEVELS; add it where it belongs"
        )
        for other in imported_modules(path.read_text(), package_path) - {me}:
            assert other in LEVEL, f"{me} imports zjanalysis.{other}, which has no place in LEVELS"
            assert LEVEL[other] <= LEVEL[me], f"{me} imports {other}, which is downstream of it"
            checked += 1
    assert checked > 0
