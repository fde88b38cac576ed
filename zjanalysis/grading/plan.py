"""From a handed-in notebook to the cells that are run: locked cells put back, tampering reported.

The student edition (`teach.student_edition`) is rebuilt here from `notebooks/`, so the grader
never trusts the locked cells of a submission. The submission's cells are aligned with the
edition's locked cells by their digests (`teach.cell_digest`):

- a locked cell found unchanged, in order, stays where it is;
- a locked cell whose place holds a changed cell (same cell id, or much the same text) was
  **edited**: the original is run instead, the student's version is not;
- a locked cell found later or earlier in the notebook was **moved**: the original runs in its
  own place, the moved copy does not run;
- a locked cell found nowhere was **deleted**: the original is put back in its place;
- every other code cell is the student's (answer cells, and cells they added): it runs where
  the student put it, after the locked cell that precedes it.

The student edition records the digests of the locked cells it was handed out with. When that
record differs from today's edition (the notebook changed since), a difference that the record
explains is reported as **updated**, not as the student's doing.

A quick reading of the student's own cells (Python's parser, nothing executed) finds what
deserves a word in the feedback: changes to zjanalysis (`teach.check = ...`, `data.claim = ...`),
text imitating "Correct", and reads of the answer key (`teach.expected`), which void the
answers of the exercises concerned.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zjanalysis import teach

# What only instructors and graders call: an answer computed with it was not worked out.
ANSWER_KEY = frozenset(
    {"expected", "accepted_range", "exercises", "get", "judge", "_REGISTRY", "_judge", "_slip"}
)
ZJ_MODULES = ("teach", "data", "figures", "checks", "charts", "notebook", "params", "exercises")
_SAYS_CORRECT = re.compile(r"\bcorrect\b", re.IGNORECASE)
_SIMILAR = 0.5


class WrongNotebook(ValueError):
    """The file holds another notebook than its name says, or none of the student edition."""


@dataclass(frozen=True)
class Cell:
    """A code cell to run: `role` is "locked" (the original) or "student".

    `number` is the cell's 1-based position in the student's notebook (for a student cell) or
    in the student edition (for a locked cell); `exercises` are the ids a student cell mentions.
    """

    source: str
    role: str
    number: int
    exercises: tuple[str, ...] = ()


@dataclass
class Tamper:
    """Locked cells (1-based numbers in the student edition) found changed, and how."""

    edited: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    solutions: list[int] = field(default_factory=list)  # cells tagged solution (submission numbers)
    record: str = "same"  # the submission's record of its locked cells: same, different, absent
    first_lines: dict[int, str] = field(default_factory=dict)

    @property
    def restored(self) -> int:
        """How many locked cells the student changed and grading put back."""
        return len(self.edited) + len(self.deleted) + len(self.moved)

    def as_dict(self) -> dict[str, Any]:
        return {
            "edited": self.edited,
            "deleted": self.deleted,
            "moved": self.moved,
            "updated": self.updated,
            "solutions": self.solutions,
            "record": self.record,
        }


@dataclass
class Plan:
    """What runs for one submission, and what was noticed on the way."""

    notebook: str
    cells: list[Cell]
    exercises: list[str]
    tamper: Tamper
    notes: dict[str, list[str]] = field(default_factory=dict)  # exercise -> sentences
    answer_key: dict[str, str] = field(default_factory=dict)  # exercise -> sentence

    @property
    def variables(self) -> list[str]:
        return [teach.answer_variable(e) for e in self.exercises]


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _tags(cell: Mapping[str, Any]) -> list[str]:
    tags = (cell.get("metadata") or {}).get("tags") or []
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _first_line(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."


def _in_order(locked: list[str], found: list[str]) -> dict[int, int]:
    """The most locked cells found in their own order (longest common subsequence): i -> j."""
    wanted = set(locked)
    candidates = [j for j, digest in enumerate(found) if digest in wanted]
    n, m = len(locked), len(candidates)
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for k in range(m - 1, -1, -1):
            best[i][k] = (
                best[i + 1][k + 1] + 1
                if locked[i] == found[candidates[k]]
                else max(best[i + 1][k], best[i][k + 1])
            )
    pairs: dict[int, int] = {}
    i = k = 0
    while i < n and k < m:
        if locked[i] == found[candidates[k]]:
            pairs[i] = candidates[k]
            i, k = i + 1, k + 1
        elif best[i + 1][k] >= best[i][k + 1]:
            i += 1
        else:
            k += 1
    return pairs


def recorded_digests(nb: Mapping[str, Any]) -> list[str] | None:
    """The locked-cell digests a student edition was handed out with, or None without a record."""
    meta = (nb.get("metadata") or {}).get(teach.EDITION_KEY) or {}
    record = meta.get("locked") if isinstance(meta, dict) else None
    if isinstance(record, list) and all(isinstance(d, str) for d in record):
        return record
    return None


def identify(submission: Mapping[str, Any], stem: str, editions: Mapping[str, list[str]]) -> None:
    """Raise WrongNotebook when `submission` is not the student edition of `stem`.

    `editions` maps every gradable stem to its locked digests. A submission is another theme's
    when more of that theme's locked cells are in it (at least half of them) than of its own.
    """
    found = {teach.cell_digest(c) for c in submission.get("cells", [])}

    def share(stem_: str) -> float:
        digests = set(editions[stem_])
        return len(digests & found) / len(digests) if digests else 0.0

    own = share(stem)
    others = sorted(((share(s), s) for s in editions if s != stem), reverse=True)
    if others and others[0][0] >= 0.5 and others[0][0] > own:
        raise WrongNotebook(
            f"{stem}.ipynb holds notebook {others[0][1]} (its locked cells are "
            f"that notebook's); save each notebook under its own name"
        )
    mentioned = {
        e for c in submission.get("cells", []) for e in teach.mentioned_exercises(_source(c))
    }
    if own == 0 and not any(e.startswith(stem[:2] + "-") for e in mentioned):
        raise WrongNotebook(
            f"{stem}.ipynb holds none of the cells of the student edition of {stem}; "
            f"hand in the notebook you were given, with your answers in it"
        )


def make_plan(
    edition: Mapping[str, Any], submission: Mapping[str, Any], stem: str, exercises: list[str]
) -> Plan:
    """Align `submission` with the student `edition` of `stem`; return the cells to run."""
    ed_cells = list(edition.get("cells", []))
    sub_cells = list(submission.get("cells", []))
    locked = [(n, c) for n, c in enumerate(ed_cells, 1) if teach.ANSWER_TAG not in _tags(c)]
    locked_digests = [teach.cell_digest(c) for _, c in locked]
    sub_digests = [teach.cell_digest(c) for c in sub_cells]
    record = recorded_digests(submission)
    tamper = Tamper(
        record="absent" if record is None else "same" if record == locked_digests else "different"
    )
    old = set(record or ()) - set(locked_digests)  # locked cells of the version handed out
    known = set(locked_digests)
    mine = set(exercises)

    def answerish(j: int) -> bool:
        cell = sub_cells[j]
        return teach.ANSWER_TAG in _tags(cell) or bool(
            mine & set(teach.mentioned_exercises(_source(cell)))
        )

    matched = _in_order(locked_digests, sub_digests)  # locked index -> submission index
    taken = set(matched.values())
    dropped: set[int] = set()  # submission cells that are (versions of) locked cells
    paired: dict[int, int] = {}  # locked index -> submission index of its edited version
    free = [
        j
        for j in range(len(sub_cells))
        if j not in taken and sub_digests[j] not in known and sub_digests[j] not in old
    ]
    order = sorted(matched)
    for i in range(len(locked)):
        if i in matched:
            continue
        before = max((matched[k] for k in order if k < i), default=-1)
        after = min((matched[k] for k in order if k > i), default=len(sub_cells))
        lid = locked[i][1].get("id")
        by_id = [
            j
            for j in free
            if lid and sub_cells[j].get("id") == lid and teach.ANSWER_TAG not in _tags(sub_cells[j])
        ]
        close = [
            j
            for j in free
            if before < j < after
            and not answerish(j)
            and sub_cells[j].get("cell_type") == locked[i][1].get("cell_type")
            and difflib.SequenceMatcher(None, _source(locked[i][1]), _source(sub_cells[j])).ratio()
            >= _SIMILAR
        ]
        choice = (by_id or close or [None])[0]
        if choice is not None:
            paired[i] = choice
            free.remove(choice)
    unmatched_sub = {sub_digests[j] for j in range(len(sub_cells)) if j not in taken}
    for i, (number, cell) in enumerate(locked):
        if i in matched:
            continue
        tamper.first_lines[number] = _first_line(_source(cell))
        if record is not None and locked_digests[i] not in record:
            tamper.updated.append(number)
        elif i in paired:
            if sub_digests[paired[i]] in old:
                tamper.updated.append(number)
            else:
                tamper.edited.append(number)
        elif locked_digests[i] in unmatched_sub:
            tamper.moved.append(number)
        else:
            tamper.deleted.append(number)
        if i in paired:
            dropped.add(paired[i])
    for j, digest in enumerate(sub_digests):
        if j not in taken and (digest in known or digest in old):
            dropped.add(j)
        elif j not in taken and teach.SOLUTION_TAG in _tags(sub_cells[j]):
            # The instructor's worked answers never run as a student's.
            dropped.add(j)
            tamper.solutions.append(j + 1)

    # Student cells go after the last locked cell that precedes them in the submission.
    anchor_of: dict[int, int] = {}
    last = -1
    by_sub = {j: i for i, j in matched.items()}
    for j in range(len(sub_cells)):
        if j in by_sub:
            last = by_sub[j]
        elif j not in dropped:
            anchor_of[j] = last
    # An answer cell keeps its exercise by its cell id, even when its text no longer names it.
    answer_ids = {
        c.get("id"): teach.mentioned_exercises(_source(c))
        for c in ed_cells
        if teach.ANSWER_TAG in _tags(c) and c.get("id")
    }
    student_after: dict[int, list[Cell]] = {}
    for j, anchor in anchor_of.items():
        cell = sub_cells[j]
        if cell.get("cell_type") != "code":
            continue
        named = set(teach.mentioned_exercises(_source(cell))) | set(
            answer_ids.get(cell.get("id"), ())
        )
        ids = tuple(sorted(e for e in named if e in mine))
        student_after.setdefault(anchor, []).append(Cell(_source(cell), "student", j + 1, ids))
    cells: list[Cell] = list(student_after.get(-1, []))
    for i, (number, cell) in enumerate(locked):
        if cell.get("cell_type") == "code":
            cells.append(Cell(_source(cell), "locked", number))
        cells.extend(student_after.get(i, []))
    plan = Plan(stem, cells, list(exercises), tamper)
    _read_student_cells(plan, [_source(c) for c in ed_cells + sub_cells])
    return plan


# --- what a student's cells do to zjanalysis, read with Python's parser ----------------------


def _aliases(sources: list[str]) -> dict[str, str]:
    """Names bound to zjanalysis modules anywhere in the notebook: name -> module ("" = package)."""
    names = {m: m for m in ZJ_MODULES if m != "exercises"}
    names["zjanalysis"] = ""
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "zjanalysis":
                for alias in node.names:
                    names[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "zjanalysis" or alias.name.startswith("zjanalysis."):
                        if alias.asname:
                            names[alias.asname] = alias.name.partition(".")[2]
                        else:
                            names["zjanalysis"] = ""
    return names


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """'teach.check' for an expression naming something inside zjanalysis, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in aliases:
        return None
    base = aliases[node.id]
    parts.reverse()
    if base == "":  # zjanalysis.teach.check -> teach.check
        return ".".join(parts) if parts else "zjanalysis"
    return ".".join([base, *parts])


def inspect_source(source: str, aliases: dict[str, str]) -> list[tuple[str, str]]:
    """What a student cell does that grading should mention: (kind, what) pairs.

    kind is "patch" (it changes something in zjanalysis, or sys.modules), "key" (it reads the
    answer key) or "imitation" (a text in it says "correct"). Nothing is executed.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    found: list[tuple[str, str]] = []

    def patched(target: ast.AST) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                patched(element)
        elif isinstance(target, ast.Attribute):
            name = _dotted(target, aliases)
            if name is not None:
                found.append(("patch", name))
        elif isinstance(target, ast.Subscript):
            if (
                isinstance(target.value, ast.Attribute)
                and target.value.attr == "modules"
                and isinstance(target.value.value, ast.Name)
                and target.value.value.id == "sys"
            ):
                found.append(("patch", "sys.modules"))
            else:
                name = _dotted(target.value, aliases)
                if name is not None:
                    found.append(("patch", name))

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                patched(target)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            patched(node.target)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                patched(target)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "delattr")
            and node.args
        ):
            name = _dotted(node.args[0], aliases)
            if name is not None:
                attr = (
                    node.args[1].value
                    if len(node.args) > 1 and isinstance(node.args[1], ast.Constant)
                    else "?"
                )
                found.append(("patch", f"{name}.{attr}"))
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            name = _dotted(node, aliases)
            if name is not None and name.startswith("teach.") and name.split(".")[1] in ANSWER_KEY:
                found.append(("key", ".".join(name.split(".")[:2])))
            elif name is not None and name.split(".")[0] == "exercises":
                found.append(("key", "zjanalysis.exercises"))
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in ("zjanalysis.teach",):
                for alias in node.names:
                    if alias.name in ANSWER_KEY:
                        found.append(("key", f"teach.{alias.name}"))
            if node.module.startswith("zjanalysis.exercises") or (
                node.module == "zjanalysis" and any(a.name == "exercises" for a in node.names)
            ):
                found.append(("key", "zjanalysis.exercises"))
        elif isinstance(node, ast.Import):
            if any(a.name.startswith("zjanalysis.exercises") for a in node.names):
                found.append(("key", "zjanalysis.exercises"))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _SAYS_CORRECT.search(node.value)
        ):
            found.append(("imitation", "Correct"))
    unique: list[tuple[str, str]] = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return unique


def _read_student_cells(plan: Plan, all_sources: list[str]) -> None:
    aliases = _aliases(all_sources)
    for cell in plan.cells:
        if cell.role != "student":
            continue
        concerned = list(cell.exercises) or plan.exercises
        for kind, what in inspect_source(cell.source, aliases):
            if kind == "key":
                sentence = (
                    f"Cell {cell.number} reads the answer key ({what}); an answer taken "
                    f"from the key is not worked out, so it scores nothing."
                )
                for exercise_id in concerned:
                    plan.answer_key.setdefault(exercise_id, sentence)
                continue
            if kind == "patch":
                sentence = (
                    f"Cell {cell.number} changes {what}; grading does not use the notebook's "
                    f"zjanalysis (answers are scored by the grader), so that changes nothing."
                )
            else:
                sentence = (
                    f"Cell {cell.number} contains text saying 'correct'; grading never reads "
                    f"what a notebook prints."
                )
            for exercise_id in concerned:
                notes = plan.notes.setdefault(exercise_id, [])
                if sentence not in notes:
                    notes.append(sentence)
