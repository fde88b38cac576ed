"""environment.yml (conda / Binder) must list what pyproject.toml lists, with the same bounds."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

# conda-forge spells a few packages differently from PyPI.
CONDA_NAME = {}


def split(requirement: str) -> tuple[str, str]:
    """'pandas>=2.2,<4  # why' -> ('pandas', '<4,>=2.2'), name normalised, bounds sorted."""
    requirement = requirement.split("#")[0].strip()
    match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", requirement)
    assert match, f"cannot read the requirement {requirement!r}"
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    bounds = ",".join(sorted(b.strip() for b in match.group(2).split(",") if b.strip()))
    return CONDA_NAME.get(name, name), bounds


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        wanted += extra
    wanted.append("python" + project["requires-python"])
    return dict(split(r) for r in wanted)


def environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"], "environment.yml should use conda-forge only"
    plain = [d for d in env["dependencies"] if isinstance(d, str) and d != "pip"]
    # Packages conda-forge does not carry are installed by pip, from the same file.
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    plain += [d for d in pip if not d.startswith("-")]
    return dict(split(d) for d in plain)


def test_environment_matches_pyproject():
    ours, theirs = pyproject_requirements(), environment_requirements()
    assert ours.keys() - theirs.keys() == set(), "missing from environment.yml"
    assert theirs.keys() - ours.keys() == set(), "in environment.yml but not in pyproject.toml"
    differ = {n: (ours[n], theirs[n]) for n in ours if ours[n] != theirs[n]}
    assert differ == {}, "bounds differ (pyproject, environment.yml)"


def test_environment_installs_the_package_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert "-e ." in pip, "Binder users need the zjanalysis package installed from the checkout"


@pytest.mark.parametrize(
    "line, expected",
    [
        ("pandas>=2.2,<4  # note", ("pandas", "<4,>=2.2")),
        ("PyYAML>=6.0", ("pyyaml", ">=6.0")),
        ("python>=3.11", ("python", ">=3.11")),
        ("nbval", ("nbval", "")),
        ("ruff==0.17.6", ("ruff", "==0.17.6")),
    ],
)
def test_split_reads_requirements(line, expected):
    assert split(line) == expected
