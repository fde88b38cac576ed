"""Which versions produced an output: installed packages, and a digest of a source tree.

Render's cache keys, the engines' worker check and the grader's manifest all record these, each
for its own list of packages.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import sys
from collections.abc import Iterable
from pathlib import Path


def package_versions(names: Iterable[str]) -> dict[str, str]:
    """Return the Python version and the installed version of each package ("absent" if none).

    A package's version is read from the name of its ``*.dist-info`` folder, the first found on
    ``sys.path`` (as ``importlib.metadata`` finds it); only a package installed some other way
    is asked of ``importlib.metadata``, whose import alone took a third of a no-op render.
    """
    versions = {"python": platform.python_version()}
    found = _dist_info_versions()
    for name in names:
        version = found.get(_normal(name))
        if version is None:
            from importlib import metadata

            try:
                version = metadata.version(name)
            except metadata.PackageNotFoundError:
                version = "absent"
        versions[name] = version
    return versions


def _normal(name: str) -> str:
    """A distribution name as wheel's folder names write it (PEP 503, separators as "_")."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _dist_info_versions() -> dict[str, str]:
    """Normalised name -> version of every ``<name>-<version>.dist-info`` folder on sys.path,
    the first of each name winning."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if folder.endswith(".dist-info") and "-" in folder:
                name, _, version = folder[: -len(".dist-info")].partition("-")
                found.setdefault(_normal(name), version)
    return found


def tree_files(root: Path, pattern: str = "*") -> tuple[tuple[str, bytes], ...]:
    """Every file below `root` matching `pattern` as (path relative to `root`, POSIX; bytes),
    sorted by that path, leaving out __pycache__. An absent folder has none."""
    root = Path(root)
    if not root.is_dir():
        return ()
    found = [
        (p.relative_to(root).as_posix(), p)
        for p in root.rglob(pattern)
        if p.is_file() and "__pycache__" not in p.relative_to(root).parts
    ]
    return tuple((relative, path.read_bytes()) for relative, path in sorted(found))


def files_sha256(files: Iterable[tuple[str, bytes]]) -> str:
    """The one tree hash: sha256 over each (relative path, bytes) pair in the order given, as
    the path, a NUL and the sha256 of the bytes."""
    digest = hashlib.sha256()
    for relative, content in files:
        digest.update(relative.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


def tree_sha256(root: Path, pattern: str = "*.py") -> str:
    """Return the tree hash (``files_sha256``) of the files below `root` matching `pattern`."""
    return files_sha256(tree_files(root, pattern))
