"""Package layout rules: a cheap, silent import, and imports that flow one way."""
import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "zjanalysis"
ORDER = ["data", "figures", "checks", "charts", "notebook", "teach", "render", "site", "cli"]
HEAVY = ("pandas", "matplotlib", "seaborn", "papermill", "frictionless", "nbconvert", "numpy")


def test_import_is_silent_and_light():
    code = ("import sys, zjanalysis, zjanalysis.figures, zjanalysis.checks, zjanalysis.params, "
            "zjanalysis.charts, zjanalysis.teach; "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]" and out.stderr == ""


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("zjanalysis"):
            names.add(node.module.split(".")[1] if "." in node.module else node.names[0].name)
            if node.module == "zjanalysis":
                names.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name.split(".")[1] for a in node.names if a.name.startswith("zjanalysis."))
    return names


def test_imports_flow_one_way():
    rank = {name: i for i, name in enumerate(ORDER)}
    for path in PACKAGE.glob("*.py"):
        me = path.stem
        if me not in rank:
            continue
        for other in imported_modules(path):
            if other in rank and other != me:
                # teach, render and site are peers; everything else must come earlier in ORDER
                peers = {"teach", "render", "site"}
                assert rank[other] < rank[me] or {me, other} <= peers, f"{me} imports {other}"
