"""Atomic file writing: every file the package publishes appears whole or not at all.

A file is written to a temporary file in the same folder and renamed over the target, so a
reader, or a render interrupted by Ctrl-C, sees the old file or the new one, never half of one.
Temporary files carry ``TEMP_SUFFIX`` so that a later run can sweep what an interrupted one left.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMP_SUFFIX = ".zjtmp"


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write `content` to `path` through a temp file in the same folder and `os.replace`.

    A reader (or an interrupted render) sees either the old file or the new one, never half.
    Returns None; raises OSError when the folder cannot be written.
    """
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # mkstemp creates 0600; published files get the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        # Also on SIGTERM/KeyboardInterrupt: no temp file may survive.
        Path(tmp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, content: str | bytes) -> bool:
    """Atomically write `content` unless `path` already holds exactly it, so an unchanged file
    keeps its modification time. Returns True when the file was written."""
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True


def remove_temp_files(folder: Path) -> list[Path]:
    """Delete temp files left by an interrupted write under `folder`; return what was removed."""
    removed = sorted(Path(folder).rglob(f".*{TEMP_SUFFIX}")) if Path(folder).is_dir() else []
    for tmp in removed:
        tmp.unlink(missing_ok=True)
    return removed


def prepare_folder(folder: Path) -> str | None:
    """Create the output folder (`--out`) if needed, check it is writable and clear temp files
    an interrupted write left in it (call it holding the folder's lock). Return None, or one
    sentence saying why the folder cannot be used. Writes nothing into a folder that exists."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        return f"Cannot write to --out {folder}: {err.strerror or err}."
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"Cannot write to --out {folder}: permission denied."
    remove_temp_files(folder)
    return None
