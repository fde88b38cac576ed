"""Scoring in the grader's own process: answers read out as data, judged by `teach.judge`.

Nothing computed in a student's kernel is trusted. The kernel only ever hands over JSON that
describes each answer variable (`grading.runner`'s probe); here it is checked field by field and
turned back into a plain Python value (a float, a str, a bool, a list of them, or a pair of
bounds), and that value is judged against the expected answer computed from `data/` by
`zjanalysis.teach`. An object whose `==` always says True, a replaced `teach.check`, a patched
`zjanalysis` or printed text saying "Correct" therefore change nothing: the first is not plain
data, the others never reach this process.

Reasons are written for the student: what happened and what to look at, never the expected
answer, an accepted range, the choices that would be right, or what a solution cell says.
Numbers and choice texts that would give an answer away are blanked even in the text of an
exception the student's code raised.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from zjanalysis import teach

STATUSES = ("correct", "incorrect", "missing", "error", "timeout", "invalid")
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+")


@dataclass(frozen=True)
class Row:
    """One gradebook row: a student's result on one exercise of one notebook."""

    student: str
    notebook: str
    exercise: str
    points: float
    max_points: float
    status: str
    reason: str


@dataclass(frozen=True)
class Bounds:
    """An interval answer read out of a kernel: judged by its midpoint, as `teach.check` does."""

    lo: float
    hi: float


class Key:
    """The expected answers of every exercise, computed once, before any student code runs."""

    def __init__(self, exercise_ids: Iterable[str]) -> None:
        self.exercises = {e: teach.get(e) for e in exercise_ids}
        self.ranges: dict[str, tuple[float, float]] = {}
        self.choices: dict[str, str] = {}
        for exercise_id, ex in self.exercises.items():
            if ex.choices:
                self.choices[exercise_id] = teach.expected(exercise_id)
            else:
                self.ranges[exercise_id] = teach.accepted_range(exercise_id)

    def scrub(self, text: str) -> str:
        """`text` with every number an answer would accept and every right choice blanked."""

        def blank(match: re.Match) -> str:
            try:
                value = float(match.group(0).replace(",", ""))
            except ValueError:
                return match.group(0)
            for lo, hi in self.ranges.values():
                if lo <= value <= hi or lo <= -value <= hi:
                    return "…"
            return match.group(0)

        text = _NUMBER.sub(blank, text)
        for choice in self.choices.values():
            text = re.sub(rf"(?i)(?<!\w){re.escape(choice)}(?!\w)", "…", text)
        return text


def decode(value: Any) -> tuple[str, Any]:
    """Check one answer's JSON description; return (kind, python value).

    kinds: "value" (a plain value to judge), "placeholder" (`...` or None), "absent" (never
    set), "other" (python value: the type's name), "unreadable" (the description is malformed).
    """
    if not isinstance(value, dict):
        return "unreadable", None
    kind = value.get("kind")

    def real(x: Any) -> bool:
        return isinstance(x, float) or (isinstance(x, int) and not isinstance(x, bool))

    if kind == "placeholder":
        return "placeholder", None
    if kind == "absent":
        return "absent", None
    if kind == "number" and real(value.get("value")):
        return "value", float(value["value"])
    if kind == "text" and isinstance(value.get("value"), str):
        return "value", value["value"]
    if kind == "bool" and isinstance(value.get("value"), bool):
        return "value", value["value"]
    if kind == "interval" and real(value.get("lo")) and real(value.get("hi")):
        lo, hi = float(value["lo"]), float(value["hi"])
        return ("value", Bounds(lo, hi)) if lo <= hi else ("unreadable", None)
    if kind == "list" and isinstance(value.get("items"), list):
        items = [decode(item) for item in value["items"]]
        if all(k == "value" and not isinstance(v, (list, Bounds)) for k, v in items):
            return "value", [v for _, v in items]
        return "unreadable", None
    if kind == "other" and isinstance(value.get("type"), str):
        return "other", value["type"][:80]
    return "unreadable", None


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def points_text(x: float) -> str:
    """2, 0.5, 1234.25: no exponent, no trailing zeros."""
    return f"{round(x, 6):.6f}".rstrip("0").rstrip(".")


def judge(key: Key, exercise_id: str, kind: str, value: Any) -> tuple[str, float, str]:
    """Status, points and reason for an answer that was set (kind "value" or "other")."""
    ex = key.exercises[exercise_id]
    if kind == "other":
        return (
            "invalid",
            0.0,
            (
                f"The answer is {_article(value)} {value} object, not a plain number or text. "
                "The grader "
                "reads only plain numbers, text, lists of them and intervals; give the value "
                "itself."
            ),
        )
    verdict = teach.judge(exercise_id, value)
    if verdict.status == "correct":
        return "correct", ex.points, "Correct."
    if verdict.status == "incorrect":
        reason = f"Not yet. Hint: {ex.hint}"
        points = 0.0
        if verdict.slip == "unit" and ex.unit_credit > 0:
            points = round(ex.points * ex.unit_credit, 6)
            reason += (
                f" Your number is right except for its unit (it is off by a power of ten): "
                f"{points_text(points)} of {points_text(ex.points)} points. The answer is wanted "
                f"in {ex.unit}."
            )
        elif verdict.slip == "sign":
            reason += " Check the sign: which figure is taken from which?"
        return "incorrect", points, reason
    # invalid: say what kind of answer is wanted, without listing the choices or any value.
    if ex.choices:
        return (
            "invalid",
            0.0,
            (
                "This question wants one of the choices offered in the notebook, "
                "typed as text exactly as offered."
            ),
        )
    if isinstance(value, str):
        try:
            float(value.replace(",", "").strip().rstrip("%"))
            extra = " Type the number without quotes."
        except ValueError:
            extra = ""
        return "invalid", 0.0, f"This exercise wants {_a_number(ex)}, not text.{extra}"
    if isinstance(value, float) and not math.isfinite(value):
        return (
            "invalid",
            0.0,
            f"This exercise wants {_a_number(ex)}; the answer is not a finite number.",
        )
    shown = (
        "a list"
        if isinstance(value, list)
        else "True or False"
        if isinstance(value, bool)
        else "something else"
    )
    return "invalid", 0.0, f"This exercise wants {_a_number(ex)}; the answer is {shown}."


def _a_number(ex: teach.Exercise) -> str:
    return f"a number in {ex.unit}" if ex.unit else "a number"


def _out_of_time(limits: dict, when: str) -> str:
    return f"The notebook ran out of time ({limits.get('notebook_timeout'):g} s in all) {when}."


def _cell_problem(cell: dict, limits: dict) -> tuple[str, str] | None:
    """(status, reason) for a student cell that did not run cleanly, else None."""
    number = cell.get("number")
    status, error = cell.get("status"), str(cell.get("error") or "")
    where = f"Cell {number}"
    if status == "error":
        name = error.partition(":")[0]
        if name == "SystemExit":
            return "error", (
                f"{where} called sys.exit(); that stops the cell (not the grading) "
                f"before the answer was set."
            )
        if name == "MemoryError":
            return "error", (
                f"{where} ran out of memory (each notebook may use "
                f"{limits.get('memory_mb')} MB) before the answer was set."
            )
        if name in ("SyntaxError", "IndentationError", "TabError"):
            return "error", f"{where} is not valid Python ({error}); it did not run."
        return "error", f"{where} raised {error}" + ("" if error.endswith(".") else ".")
    if status == "timeout":
        if error == "notebook":
            return "timeout", _out_of_time(
                limits, f"at {where.lower()}; nothing after it was graded"
            )
        return "timeout", (
            f"{where} was still running after {limits.get('timeout'):g} s and was "
            f"stopped (a loop that never ends?)."
        )
    if status == "died":
        return "error", (
            f"{where} stopped the kernel (os._exit, exit(), or too much memory). The "
            f"grader started a new kernel and went on with the next cells."
        )
    if status == "skipped":
        if error == "notebook":
            return "timeout", _out_of_time(limits, f"before {where.lower()} ran")
        return "error", (
            f"{where} did not run: the kernel kept stopping and could not be started again."
        )
    return None


def score_exercise(
    key: Key, exercise_id: str, answer: Any, cells: list[dict], limits: dict
) -> tuple[str, float, str]:
    """Status, points and reason of one exercise from the runner's answer and cell outcomes.

    Every reason but "Correct." ends with the exercise's hint (a wrong answer's has it already).
    """
    status, points, reason = _score_exercise(key, exercise_id, answer, cells, limits)
    hint = f"Hint: {key.exercises[exercise_id].hint}"
    if status != "correct" and hint not in reason:
        reason = f"{reason} {hint}"
    return status, points, reason


def _score_exercise(
    key: Key, exercise_id: str, answer: Any, cells: list[dict], limits: dict
) -> tuple[str, float, str]:
    kind, value = decode(answer) if answer is not None else ("absent", None)
    if kind in ("value", "other"):
        return judge(key, exercise_id, kind, value)
    if kind == "unreadable":
        return "invalid", 0.0, "The answer could not be read as a plain number or text."
    mine = [
        c for c in cells if exercise_id in (c.get("exercises") or []) and c.get("role") == "student"
    ]
    for cell in mine:
        problem = _cell_problem(cell, limits)
        if problem is not None:
            return problem[0], 0.0, key.scrub(problem[1])
    variable = teach.answer_variable(exercise_id)
    if not mine:
        return "missing", 0.0, (f"No cell sets {variable}: the answer cell was deleted or emptied.")
    if kind == "placeholder":
        return "missing", 0.0, f"No answer yet: {variable} is still the placeholder, three dots."
    return "missing", 0.0, f"The answer cell ran, but {variable} was never set."


def score_submission(
    key: Key,
    student: str,
    notebook: str,
    exercises: list[str],
    extra: dict,
    limits: dict,
    notes: dict[str, list[str]],
    answer_key: dict[str, str],
) -> list[Row]:
    """Gradebook rows of one graded submission (the runner's `extra`, the plan's notes)."""
    rows = []
    cells = [c for c in extra.get("cells", []) if isinstance(c, dict)]
    answers = extra.get("answers", {}) if isinstance(extra.get("answers"), dict) else {}
    for exercise_id in exercises:
        ex = key.exercises[exercise_id]
        if exercise_id in answer_key:
            status, points, reason = "invalid", 0.0, answer_key[exercise_id]
        else:
            status, points, reason = score_exercise(
                key, exercise_id, answers.get(teach.answer_variable(exercise_id)), cells, limits
            )
        for note in notes.get(exercise_id, []):
            reason += " " + note
        rows.append(Row(student, notebook, exercise_id, points, ex.points, status, reason))
    return rows


def flat_rows(
    key: Key, student: str, notebook: str, exercises: list[str], status: str, reason: str
) -> list[Row]:
    """The same status and reason for every exercise of a notebook (not handed in, refused)."""
    return [
        Row(student, notebook, e, 0.0, key.exercises[e].points, status, reason) for e in exercises
    ]


def exercise_order(exercise_id: str) -> tuple[int, int]:
    """Sort key: 01-ex2 before 01-ex10."""
    nn, _, k = exercise_id.partition("-ex")
    return int(nn), int(k)
