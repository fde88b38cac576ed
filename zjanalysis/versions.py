"""Which versions produced an output: installed packages, and a digest of a source tree.

Render's cache keys, the engines' worker check and the grader's manifest all record these, each
for its own list of packages.
"""

from __future__ import annotations

import hashlib
import platform
from pathlib import Path
from typing import Iterable


def package_versions(names: Iterable[str]) -> dict[str, str]:
    """Return the Python version and the installed version of each package ("absent" if none)."""
    from importlib import metadata

    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def tree_sha256(root: Path, pattern: str = "*.py") -> str:
    """Return one sha256 over every file below `root` matching `pattern`: its path relative to
    `root` and its bytes, in sorted order, leaving out __pycache__."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(root).rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
