"""Reading a folder of submissions: `SUBMISSIONS/<student>/<NN_theme>.ipynb`, and nothing else.

Everything that does not fit the layout is *refused*, with a reason a person can act on: an
unknown notebook name, a file that is not a notebook, a folder inside a student's folder, a
symbolic link or a name with path tricks, a notebook that is not readable JSON, an empty student
folder. Refusals never stop the batch; only a SUBMISSIONS folder that cannot be read does
(`GradeError`).

Files are opened without following symbolic links and read once, here: what is graded is
exactly the bytes whose sha256 goes into the manifest.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
# A student's folder name becomes `feedback/<student>.html` and a CSV cell: letters (any
# script), digits, spaces, dots, underscores and hyphens; it starts with a letter or digit.
_STUDENT = re.compile(r"[^\W_][\w .-]{0,99}")
_CHECKPOINTS = ".ipynb_checkpoints"


class GradeError(ValueError):
    """Grading cannot start: a usage error or an unreadable SUBMISSIONS folder (exit status 2)."""


@dataclass(frozen=True)
class Submission:
    """One notebook handed in: its bytes, read once, and their sha256."""

    student: str
    notebook: str  # the stem, e.g. "01_internet_users"
    path: str  # relative to SUBMISSIONS, POSIX
    content: bytes = field(repr=False)
    sha256: str = ""


@dataclass(frozen=True)
class Refusal:
    """Something in SUBMISSIONS that is not graded, and why.

    `notebook` is set when the entry names a notebook that is graded (a truncated notebook, one
    of another theme under this name): its exercises are then recorded as invalid.
    """

    student: str
    path: str
    reason: str
    notebook: str = ""


@dataclass
class Collection:
    """A SUBMISSIONS folder: students (sorted), submissions and refusals (in path order)."""

    students: list[str]
    submissions: list[Submission]
    refusals: list[Refusal]


def _is_trick(name: str) -> bool:
    """A name that could mean something else to a shell, a path or a terminal."""
    return (
        name in (".", "..")
        or "\\" in name
        or ".." in name
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in name)
        or name != name.strip()
    )


def _shown(name: str) -> str:
    return repr(name) if _is_trick(name) else name


def _suggest(name: str, known: list[str]) -> str:
    stem = name[:-6] if name.endswith(".ipynb") else name
    close = difflib.get_close_matches(stem.lower(), [k.lower() for k in known], n=1, cutoff=0.6)
    if close:
        match = next(k for k in known if k.lower() == close[0])
        return f"; did you mean {match}.ipynb?"
    return ""


def _read_regular(path: Path) -> tuple[bytes | None, str]:
    """The bytes of a regular file opened without following links, or None and why not."""
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError as err:
        return None, f"could not be read: {err.strerror or err}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, "is not a regular file"
        if info.st_size > MAX_NOTEBOOK_BYTES:
            return None, (
                f"is {info.st_size / 2**20:.0f} MB; a notebook handed in may be at most "
                f"{MAX_NOTEBOOK_BYTES // 2**20} MB (clear large outputs and save again)"
            )
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            if sum(map(len, chunks)) > MAX_NOTEBOOK_BYTES:
                return None, f"grew beyond {MAX_NOTEBOOK_BYTES // 2**20} MB while being read"
        return b"".join(chunks), ""
    except OSError as err:
        return None, f"could not be read: {err.strerror or err}"
    finally:
        os.close(fd)


def notebook_problem(content: bytes) -> str:
    """Why `content` is not a notebook that can be graded, in one phrase; "" when it is one."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as err:
        return f"is not a readable notebook: byte {err.start} is not UTF-8 text"
    if not text.strip():
        return "is not a readable notebook: the file is empty"
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as err:
        where = f"line {err.lineno}, column {err.colno}"
        # A notebook always ends with the brace that closes it; without one it was cut off.
        if err.pos >= len(text.rstrip()) or not text.rstrip().endswith("}"):
            return (
                "is not a readable notebook: its JSON stops early (cut off while saving or "
                "copying?)"
            )
        return f"is not a readable notebook: its JSON is broken at {where} ({err.msg})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return "is not a readable notebook: it is JSON, but has no list of cells"
    if nb.get("nbformat") != 4:
        return (
            f"is not a readable notebook: nbformat {nb.get('nbformat')!r} (4 is needed; save "
            "it from JupyterLab)"
        )
    for number, cell in enumerate(nb["cells"], 1):
        if (
            not isinstance(cell, dict)
            or cell.get("cell_type") not in ("code", "markdown", "raw")
            or not isinstance(cell.get("source", ""), (str, list))
        ):
            return f"is not a readable notebook: cell {number} is malformed"
    return ""


def collect(root: Path, known: list[str]) -> Collection:
    """Read `root` laid out as `<student>/<NN_theme>.ipynb`; `known` are the gradable stems.

    Raises GradeError when `root` is not a folder that can be listed.
    """
    root = Path(root)
    try:
        top = sorted(os.scandir(root), key=lambda e: e.name)
    except FileNotFoundError:
        raise GradeError(f"The submissions folder {root} does not exist.") from None
    except NotADirectoryError:
        raise GradeError(
            f"{root} is a file; give the folder that holds one folder per student."
        ) from None
    except OSError as err:
        raise GradeError(
            f"The submissions folder {root} cannot be read: {err.strerror or err}."
        ) from None
    layout = "expected SUBMISSIONS/<student>/NN_theme.ipynb"
    students: list[str] = []
    submissions: list[Submission] = []
    refusals: list[Refusal] = []
    for entry in top:
        name = entry.name
        shown = _shown(name)
        if _is_trick(name):
            refusals.append(
                Refusal(
                    "",
                    shown,
                    "a name with path tricks (dots, backslashes or "
                    "control characters); rename the folder",
                )
            )
            continue
        if entry.is_symlink():
            refusals.append(Refusal("", name, "a symbolic link; hand in real folders, not links"))
            continue
        if not entry.is_dir(follow_symlinks=False):
            refusals.append(Refusal("", name, f"a file outside any student's folder ({layout})"))
            continue
        if name.startswith("."):
            refusals.append(Refusal("", name + "/", "a hidden folder; not graded"))
            continue
        if not _STUDENT.fullmatch(name) or name.endswith((" ", ".")):
            refusals.append(
                Refusal(
                    "",
                    name + "/",
                    "a student folder name may hold letters, digits, "
                    "spaces, '.', '_' and '-', and starts with a letter or digit",
                )
            )
            continue
        students.append(name)
        _collect_student(Path(entry.path), name, known, submissions, refusals)
        if not any(s.student == name for s in submissions) and not any(
            r.student == name and r.notebook for r in refusals
        ):
            refusals.append(
                Refusal(
                    name, name + "/", "the folder holds no notebook to grade (nothing handed in)"
                )
            )
    return Collection(students, submissions, refusals)


def _collect_student(
    folder: Path,
    student: str,
    known: list[str],
    submissions: list[Submission],
    refusals: list[Refusal],
) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as err:
        refusals.append(
            Refusal(student, student + "/", f"the folder could not be read: {err.strerror or err}")
        )
        return
    for entry in entries:
        name = entry.name
        relative = f"{student}/{_shown(name)}"
        if _is_trick(name):
            refusals.append(
                Refusal(
                    student,
                    relative,
                    "a name with path tricks (dots, backslashes or "
                    "control characters); save the notebook under its own name",
                )
            )
        elif entry.is_symlink():
            refusals.append(
                Refusal(student, relative, "a symbolic link; hand in the notebook itself")
            )
        elif entry.is_dir(follow_symlinks=False):
            if name == _CHECKPOINTS:
                refusals.append(
                    Refusal(student, relative + "/", "Jupyter's checkpoint folder; not graded")
                )
            else:
                refusals.append(
                    Refusal(
                        student,
                        relative + "/",
                        "a folder inside a student's folder; "
                        "notebooks must sit directly in it, nothing below is graded",
                    )
                )
        elif name.startswith("."):
            refusals.append(Refusal(student, relative, "a hidden file; not graded"))
        elif not name.endswith(".ipynb"):
            refusals.append(
                Refusal(
                    student,
                    relative,
                    "not a notebook; only NN_theme.ipynb files are graded" + _suggest(name, known),
                )
            )
        elif name[:-6] not in known:
            listing = ", ".join(f"{k}.ipynb" for k in known)
            refusals.append(
                Refusal(
                    student,
                    relative,
                    f"an unknown notebook name{_suggest(name, known)}"
                    f"{'' if _suggest(name, known) else '; graded notebooks are ' + listing}",
                )
            )
        else:
            stem = name[:-6]
            content, problem = _read_regular(Path(entry.path))
            if content is not None:
                problem = notebook_problem(content)
            if problem:
                refusals.append(Refusal(student, relative, f"{name} {problem}", stem))
                continue
            submissions.append(
                Submission(student, stem, relative, content, hashlib.sha256(content).hexdigest())
            )
