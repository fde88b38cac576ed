"""Where the project's files are: the repository, its notebooks and its data folder, and the
cache folder it keeps on this machine.

Found from this file, never from the working directory, so a notebook, the renderer and the
tests find the same folders from JupyterLab, Papermill, a kernel's private folder or a Dask worker.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV_VAR = "ZJANALYSIS_CACHE"


def project_root() -> Path:
    """The repository folder (the parent of the zjanalysis package)."""
    return Path(__file__).resolve().parents[1]


def package_dir() -> Path:
    """The zjanalysis package's folder, whose source is part of every run's inputs."""
    return Path(__file__).resolve().parent


def notebooks_dir() -> Path:
    """The collection's notebooks: ``<repository>/notebooks``."""
    return project_root() / "notebooks"


def default_data_dir() -> Path:
    """The repository's data package, ``<repository>/data`` (``data.data_dir`` lets
    ``$ZJANALYSIS_DATA`` point elsewhere)."""
    return project_root() / "data"


def cache_dir() -> Path:
    """The project's cache folder on this machine, never inside the repository:
    ``$ZJANALYSIS_CACHE`` when set, else ``$XDG_CACHE_HOME/zjanalysis``, else
    ``~/.cache/zjanalysis``. What it holds can be deleted at any time: markers of validated
    data sets, and the IPython folder of the engine's kernels."""
    env = os.environ.get(CACHE_ENV_VAR)
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "zjanalysis"
    return Path.home() / ".cache" / "zjanalysis"
