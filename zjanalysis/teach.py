"""Exercises with self-checks, and the student edition of a notebook.

Writing an exercise (in ``zjanalysis/exercises/<theme>.py``, one module per theme notebook;
teach finds that package through the ``zjanalysis.exercises`` entry point, see pyproject.toml)::

    from zjanalysis import figures
    from zjanalysis.teach import exercise

    @exercise(
        "01-ex1",
        prompt="How many internet users did Zhejiang have at the end of 2017?",
        unit="million persons",
        hint="The 2018 total includes the year's increase.",
    )
    def _():
        total = figures.from_claim("netizens.total_2018").interval
        increase = figures.from_claim("netizens.increase_2018").interval
        return total - increase

The decorated function computes the expected answer from the data; it is called only when the
answer is checked, never at import. It may return

* an ``Interval`` (anything with ``.lo`` and ``.hi``; a ``Stated`` is read through its
  ``.interval``): the answer is right when it lies inside, which is the rounding of the inputs;
* a plain number, accepted within ``tolerance`` (relative; default 0);
* for a choice question (``choices=("percent", "percentage points")``) one of the choices.

Numeric answers also get ``slack`` (default :data:`STUDENT_SLACK`, 0.5 %) on each side, because
students type rounded numbers: an answer rounded to three significant figures is always
accepted, a two-figure answer usually is not.

In the notebook, the exercise is a prompt (markdown), an ``answer`` cell holding the student's
placeholder, a check and a ``solution`` cell::

    answer_01_ex1 = ...  # your answer, in million persons     <- cell tagged "answer"
    teach.check("01-ex1", answer_01_ex1)                      <- prints the verdict
    answer_01_ex1 = <the working>                             <- cell tagged "solution"

:func:`check` never raises for what a student types: ``...`` or ``None`` reads "No answer yet",
text where a number is expected says what is expected, and a wrong number gets the exercise's
hint (never the answer, nor a range around it). It raises only for an unknown exercise id or a
broken exercise definition. :func:`judge` gives the same verdict without showing it (graders
call it in their own process). ``points`` (default 1) is what an exercise is worth when graded,
and ``unit_credit`` (default :data:`UNIT_CREDIT`) the share of them for the right number in the
wrong unit. :func:`student_edition` drops the ``solution`` cells and records a digest of every
locked (non-answer) cell, so that tampering can be told apart from answering.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import math
import numbers
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

UNIT_CREDIT = 0.5
"""Share of an exercise's points a grader gives for the right number in the wrong unit.

Off by exactly a power of ten (percent written as a fraction, billion yuan written in 亿 or 万)
means the working was right and only the unit slipped: half the points, by default. A wrong
sign gets nothing (the direction of a change is the point of it), nor does anything else.
"""

STUDENT_SLACK = 0.005
"""Relative widening of every numeric answer range, on each side (0.5 %).

Rounding to three significant figures moves a number by at most 0.5 % (worst case 1.005 ->
1.01), so three-figure answers always pass; anything coarser must be lucky to.
"""

EXERCISE_ID = re.compile(r"(\d\d)-ex(\d+)")
EDITION_KEY = "zjanalysis"
SOLUTION_TAG = "solution"
ANSWER_TAG = "answer"

# A correct number in the wrong unit (percent vs fraction, billion vs 亿 or 万, thousand vs
# million) is the commonest slip; naming the slip is a hint, not the answer.
_SCALE_FACTORS = (10.0, 100.0, 1000.0, 10000.0)

# Mentions of an exercise in a cell: the id itself or the answer variable's spelling.
_MENTION = re.compile(r"(?<![0-9A-Za-z])(\d\d)[-_]ex(\d+)\b")


class ExerciseError(ValueError):
    """An exercise is defined wrongly (bad id, missing hint, expected answer of the wrong kind)."""


class UnknownExerciseError(KeyError):
    """No exercise has the id asked for; the message lists the ids that exist."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Exercise:
    """One registered exercise; ``answer`` computes the expected answer from the data."""

    exercise_id: str
    prompt: str
    hint: str
    answer: Callable[[], Any]
    unit: str = ""
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0
    slack: float = STUDENT_SLACK
    module: str = ""
    points: float = 1.0
    unit_credit: float = UNIT_CREDIT

    @property
    def variable(self) -> str:
        """The name the answer is given under in the notebook, e.g. ``answer_01_ex2``."""
        return answer_variable(self.exercise_id)

    @property
    def notebook_number(self) -> str:
        """The ``NN`` of the notebook this exercise belongs to."""
        return self.exercise_id[:2]


@dataclass
class Verdict:
    """The outcome of :func:`check` or :func:`judge`: ``status`` is one of :data:`STATUSES`.

    ``slip`` names a recognised slip in an incorrect number: ``"sign"`` (right size, wrong
    sign), ``"unit"`` (right once multiplied or divided by 10, 100, 1000 or 10000), else ``""``.
    """

    exercise_id: str
    status: str
    message: str
    slip: str = ""
    _shown_in: int | None = field(default=None, repr=False, compare=False)

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        return self.message

    def _ipython_display_(self) -> None:
        # check() has already shown this verdict in the cell that called it; when that call is
        # also the cell's last expression IPython would show it a second time.
        ip = _ipython()
        if ip is not None and self._shown_in == ip.execution_count:
            self._shown_in = None
            return
        _publish(self.message)


STATUSES = ("correct", "incorrect", "no_answer", "invalid")

_REGISTRY: dict[str, Exercise] = {}
#: The entry-point group that names the packages of exercises to import (pyproject.toml).
EXERCISE_PACKAGES = "zjanalysis.exercises"
_LOADED = False


def exercise(
    exercise_id: str,
    *,
    prompt: str,
    hint: str,
    unit: str = "",
    choices: tuple[str, ...] = (),
    tolerance: float = 0.0,
    slack: float = STUDENT_SLACK,
    points: float = 1.0,
    unit_credit: float = UNIT_CREDIT,
) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register the decorated function as the expected answer of ``exercise_id``.

    ``points`` is what the exercise is worth when graded (``zjanalysis grade``); ``unit_credit``
    the share of them given for the right number in the wrong unit (0 to turn that off; choice
    questions never get it).

    Returns the decorator, which returns the function unchanged. Raises :class:`ExerciseError`
    when the id is not ``NN-exN``, the prompt or hint is empty, the choices are not distinct
    non-empty strings, ``tolerance`` or ``slack`` is negative, ``points`` is not positive,
    ``unit_credit`` is outside 0..1, or another function already holds the id (re-running the
    same definition, e.g. on a module reload, replaces it).
    """
    if not isinstance(exercise_id, str) or not EXERCISE_ID.fullmatch(exercise_id):
        raise ExerciseError(
            f"Exercise id {exercise_id!r} is not allowed; use 'NN-exN' where NN is the "
            f"notebook's number, e.g. '01-ex2'."
        )
    for name, text in (("prompt", prompt), ("hint", hint)):
        if not isinstance(text, str) or not text.strip():
            raise ExerciseError(
                f"Exercise {exercise_id}: {name} must be a non-empty sentence, got {text!r}."
            )
    if not isinstance(unit, str):
        raise ExerciseError(
            f"Exercise {exercise_id}: unit must be text such as 'percent', got {unit!r}."
        )
    choices = tuple(choices)
    if any(not isinstance(c, str) or not c.strip() for c in choices) or len(
        {_normalise(c) for c in choices}
    ) != len(choices):
        raise ExerciseError(
            f"Exercise {exercise_id}: choices must be distinct non-empty strings, got {choices!r}."
        )
    if len(choices) == 1:
        raise ExerciseError(
            f"Exercise {exercise_id}: a choice question needs at least two choices, got "
            f"{choices!r}."
        )
    for name, value in (("tolerance", tolerance), ("slack", slack)):
        if not _is_number(value) or not math.isfinite(value) or value < 0:
            raise ExerciseError(
                f"Exercise {exercise_id}: {name} must be a relative amount >= 0 such as 0.01, "
                f"got {value!r}."
            )
    if not _is_number(points) or not math.isfinite(points) or points <= 0:
        raise ExerciseError(
            f"Exercise {exercise_id}: points must be a number above 0 such as 1, got {points!r}."
        )
    if not _is_number(unit_credit) or not 0 <= unit_credit <= 1:
        raise ExerciseError(
            f"Exercise {exercise_id}: unit_credit must be a share of the points from 0 to 1 such "
            "as 0.5, "
            f"got {unit_credit!r}."
        )

    def register(function: Callable[[], Any]) -> Callable[[], Any]:
        if not callable(function):
            raise ExerciseError(
                f"Exercise {exercise_id}: @exercise must decorate a function, got {function!r}."
            )
        module = getattr(function, "__module__", "") or ""
        previous = _REGISTRY.get(exercise_id)
        if previous is not None and (previous.module, _origin(previous.answer)) != (
            module,
            _origin(function),
        ):
            raise ExerciseError(
                f"Exercise id {exercise_id} is defined twice: in {previous.module} and in "
                f"{module}; "
                f"give one of them another id."
            )
        _REGISTRY[exercise_id] = Exercise(
            exercise_id=exercise_id,
            prompt=prompt.strip(),
            hint=hint.strip(),
            answer=function,
            unit=unit.strip(),
            choices=choices,
            tolerance=float(tolerance),
            slack=float(slack),
            module=module,
            points=float(points),
            unit_credit=float(unit_credit),
        )
        return function

    return register


def unregister(exercise_id: str) -> None:
    """Remove an exercise from the registry (for tests and interactive redefinition).

    Raises :class:`UnknownExerciseError` when no exercise has that id.
    """
    get(exercise_id)
    del _REGISTRY[exercise_id]


def exercises() -> dict[str, Exercise]:
    """Every registered exercise, by id in sorted order, after importing all theme modules."""
    _load_themes()
    return {key: _REGISTRY[key] for key in sorted(_REGISTRY)}


def get(exercise_id: str) -> Exercise:
    """The exercise with this id; raises :class:`UnknownExerciseError` listing the known ids."""
    if exercise_id not in _REGISTRY:
        _load_themes()
    try:
        return _REGISTRY[exercise_id]
    except (KeyError, TypeError):
        pass
    known = sorted(_REGISTRY)
    close = difflib.get_close_matches(str(exercise_id), known, n=3)
    suggestion = f" Did you mean {', '.join(close)}?" if close else ""
    listing = (
        ", ".join(known)
        if known
        else f"none are registered (no package is installed under {EXERCISE_PACKAGES!r}: "
        "install the project with `make setup`)"
    )
    raise UnknownExerciseError(
        f"No exercise has the id {exercise_id!r}.{suggestion} Known ids: {listing}."
    )


def expected(exercise_id: str) -> Any:
    """The expected answer computed from the data: an Interval, a float, or one of the choices.

    A ``Stated`` returned by the exercise is given as its interval. Raises
    :class:`UnknownExerciseError` for an unknown id and :class:`ExerciseError` when the
    exercise's function returns something that is none of these.
    """
    ex = get(exercise_id)
    value = ex.answer()
    if ex.choices:
        if not isinstance(value, str) or _normalise(value) not in {
            _normalise(c) for c in ex.choices
        }:
            raise ExerciseError(
                f"Exercise {ex.exercise_id} ({ex.module}): its answer function returned {value!r}, "
                f"which is not one of its choices {ex.choices!r}."
            )
        return next(c for c in ex.choices if _normalise(c) == _normalise(value))
    if hasattr(value, "interval") and not hasattr(value, "lo"):
        value = value.interval
    if _is_interval(value) or (_is_number(value) and math.isfinite(value)):
        return value
    raise ExerciseError(
        f"Exercise {ex.exercise_id} ({ex.module}): its answer function must return an Interval "
        "or a "
        f"finite number (or one of its choices), got {type(value).__name__} {value!r}."
    )


def accepted_range(exercise_id: str) -> tuple[float, float]:
    """The closed range of numbers :func:`check` accepts, slack and tolerance included.

    For instructors and tests; students only ever see it once they are right. Raises
    :class:`ExerciseError` for a choice question, which has no range.
    """
    ex = get(exercise_id)
    if ex.choices:
        raise ExerciseError(
            f"Exercise {ex.exercise_id} is a choice question; it has no numeric range."
        )
    value = expected(exercise_id)
    if _is_interval(value):
        lo, hi = float(value.lo), float(value.hi)
    else:
        lo, hi = float(value), float(value)
    widen = ex.tolerance + ex.slack
    return lo - widen * abs(lo), hi + widen * abs(hi)


def check(exercise_id: str, answer: Any) -> Verdict:
    """Judge a student's answer, show the verdict, and return it as a :class:`Verdict`.

    ``...`` or ``None`` (the placeholder) gives status ``no_answer``; text where a number is
    expected (or a choice that does not exist) gives ``invalid`` with what is expected; a wrong
    answer gives ``incorrect`` with the exercise's hint; a right one ``correct``. An Interval or
    Stated given as an answer is judged by its midpoint. Raises :class:`UnknownExerciseError` for
    an unknown id and :class:`ExerciseError` when the exercise itself is broken.
    """
    verdict = judge(exercise_id, answer)
    ip = _ipython()
    _publish(verdict.message)
    if ip is not None:
        verdict._shown_in = ip.execution_count
    return verdict


def judge(exercise_id: str, answer: Any) -> Verdict:
    """Judge an answer exactly as :func:`check` does, without showing anything.

    For graders: ``zjanalysis grade`` calls it in its own process on answers read out of a
    student's kernel as plain data. Raises as :func:`check` does.
    """
    return _judge(get(exercise_id), answer)


def _judge(ex: Exercise, answer: Any) -> Verdict:
    def verdict(status: str, message: str, slip: str = "") -> Verdict:
        return Verdict(ex.exercise_id, status, f"{ex.exercise_id} — {message}", slip)

    if answer is None or answer is Ellipsis:
        wanted = (
            "one of: " + ", ".join(repr(c) for c in ex.choices) if ex.choices else _a_number(ex)
        )
        return verdict("no_answer", f"No answer yet — replace ... with {wanted}.")

    if ex.choices:
        right = expected(ex.exercise_id)
        options = ", ".join(repr(c) for c in ex.choices)
        if not isinstance(answer, str):
            return verdict(
                "invalid",
                f"This question wants one of the choices {options}, as text; got {answer!r}.",
            )
        chosen = next((c for c in ex.choices if _normalise(c) == _normalise(answer)), None)
        if chosen is None:
            return verdict("invalid", f"{answer!r} is not one of the choices {options}.")
        if chosen == right:
            return verdict("correct", f"Correct: {chosen!r}.")
        return verdict("incorrect", f"Not yet. Hint: {ex.hint}")

    number = _as_number(answer)
    if number is None:
        shown = repr(answer) if not isinstance(answer, str) else f"the text {answer!r}"
        extra = (
            " Type the number without quotes."
            if isinstance(answer, str) and _parses(answer)
            else ""
        )
        return verdict("invalid", f"This exercise wants {_a_number(ex)}; got {shown}.{extra}")
    if not math.isfinite(number):
        return verdict(
            "invalid",
            f"This exercise wants {_a_number(ex)}; got {number!r}, which is not a finite number.",
        )

    lo, hi = accepted_range(ex.exercise_id)
    if lo <= number <= hi:
        unit = f" {ex.unit}" if ex.unit else ""
        if math.isinf(hi):
            accepted = f"anything from {_fmt(lo)}{unit} up"
        elif math.isinf(lo):
            accepted = f"anything up to {_fmt(hi)}{unit}"
        else:
            accepted = f"{_fmt(lo)} to {_fmt(hi)}{unit}"
        return verdict(
            "correct",
            f"Correct: {_fmt(number)}{unit} is within the accepted range, {accepted} "
            f"(the rounding of the inputs, plus {ex.slack:.1%} for your own rounding).",
        )
    slip = _slip(number, lo, hi)
    return verdict("incorrect", f"Not yet. Hint: {ex.hint}{_SLIP_HINTS[slip]}", slip)


_SLIP_HINTS = {
    "": "",
    "sign": " Check the sign: which figure is taken from which?",
    "unit": " Check the unit: your number is off by a power of ten.",
}


def _slip(number: float, lo: float, hi: float) -> str:
    """``"sign"``, ``"unit"`` or ``""``: which slip would turn ``number`` into an accepted one.

    An open-ended range ("more than 500") names no unit slip: almost any number times a power
    of ten would land in it.
    """
    if lo <= -number <= hi:
        return "sign"
    if math.isfinite(lo) and math.isfinite(hi):
        for factor in _SCALE_FACTORS:
            if lo <= number * factor <= hi or lo <= number / factor <= hi:
                return "unit"
    return ""


def _a_number(ex: Exercise) -> str:
    return f"a number in {ex.unit}" if ex.unit else "a number"


class Prompt(str):
    """Markdown text that Jupyter renders as markdown rather than as a quoted string."""

    def _repr_markdown_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return str(self)


def ask(exercise_id: str) -> Prompt:
    """The exercise's prompt as markdown (with its unit or choices), rendered by Jupyter.

    Raises :class:`UnknownExerciseError` for an unknown id.
    """
    ex = get(exercise_id)
    text = f"**Exercise {ex.exercise_id}.** {ex.prompt}"
    if ex.choices:
        text += " Answer with one of: " + ", ".join(f"`{c}`" for c in ex.choices) + "."
    elif ex.unit:
        text += f" Answer in {ex.unit}."
    return Prompt(text)


def answer_variable(exercise_id: str) -> str:
    """The variable a notebook gives the answer of ``exercise_id`` in: ``01-ex2`` ->
    ``answer_01_ex2``.

    Raises :class:`ExerciseError` for an id that is not ``NN-exN``.
    """
    match = EXERCISE_ID.fullmatch(exercise_id) if isinstance(exercise_id, str) else None
    if match is None:
        raise ExerciseError(
            f"Exercise id {exercise_id!r} is not allowed; use 'NN-exN', e.g. '01-ex2'."
        )
    return f"answer_{match.group(1)}_ex{int(match.group(2))}"


def cell_digest(cell: Mapping[str, Any]) -> str:
    """The sha256 (hex) of a cell's type and source: what says a locked cell is unchanged.

    Line endings are read as ``\\n`` and whitespace at the very end is ignored (editors add or
    drop a final newline); everything else counts, down to one character. Outputs, ids and
    metadata do not count: running a cell or collapsing it changes nothing.
    """
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(source)
    text = source.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    return hashlib.sha256(f"{cell.get('cell_type', '')}\n{text}".encode()).hexdigest()


def locked_digests(nb: Mapping[str, Any]) -> list[str]:
    """The :func:`cell_digest` of every cell not tagged ``answer``, in notebook order."""
    return [cell_digest(cell) for cell in nb.get("cells", []) if ANSWER_TAG not in _tags(cell)]


def student_edition(nb: Mapping[str, Any]) -> Any:
    """A new notebook for students: cells tagged ``solution`` removed, all else unchanged.

    ``answer`` cells stay as the students' placeholders; every other cell is *locked*: the
    notebook metadata gains ``{"zjanalysis": {"edition": "student", "locked": [...]}}``, the
    :func:`cell_digest` of each locked cell in order, so that a grader can tell which cells a
    student edited, deleted or moved. The input is not modified, and applying the function to
    its own result changes nothing. Returns an ``nbformat.NotebookNode``. Raises ``TypeError``
    when ``nb`` has no list of cells and ``ValueError`` when a cell is tagged both ``solution``
    and ``answer``.
    """
    import nbformat

    if not isinstance(nb, Mapping) or not isinstance(nb.get("cells"), list):
        raise TypeError(
            "student_edition needs a notebook (a mapping with a 'cells' list), got "
            f"{type(nb).__name__}."
        )
    kept = []
    for index, cell in enumerate(nb["cells"]):
        tags = _tags(cell)
        if SOLUTION_TAG in tags and ANSWER_TAG in tags:
            raise ValueError(
                f"Cell {index} is tagged both 'solution' and 'answer'; a cell is either the "
                f"student's placeholder or the worked solution."
            )
        if SOLUTION_TAG not in tags:
            kept.append(cell)
    out = nbformat.from_dict(
        copy.deepcopy({key: value for key, value in nb.items() if key != "cells"})
    )
    out["cells"] = nbformat.from_dict(copy.deepcopy(kept))
    out.setdefault("metadata", nbformat.from_dict({}))
    out["metadata"].setdefault(EDITION_KEY, nbformat.from_dict({}))
    out["metadata"][EDITION_KEY]["edition"] = "student"
    out["metadata"][EDITION_KEY]["locked"] = locked_digests(out)
    return out


def edition(nb: Mapping[str, Any]) -> str:
    """``"student"`` for a notebook made by :func:`student_edition`, else ``"instructor"``."""
    meta = nb.get("metadata", {}).get(EDITION_KEY, {})
    return "student" if meta.get("edition") == "student" else "instructor"


def mentioned_exercises(source: str | list[str]) -> list[str]:
    """The exercise ids a cell's source mentions (``01-ex1`` or ``answer_01_ex1``), sorted."""
    if isinstance(source, list):
        source = "".join(source)
    return sorted({f"{nn}-ex{int(k)}" for nn, k in _MENTION.findall(source)})


def notebook_exercises(nb: Mapping[str, Any]) -> dict[str, dict[str, list[int]]]:
    """Which cells of ``nb`` belong to which exercise, by tag.

    Returns ``{exercise_id: {"answer": [...], "solution": [...], "other": [...]}}`` with cell
    indices, for every id a cell mentions (as ``NN-exN`` or in ``answer_NN_exN``).
    """
    found: dict[str, dict[str, list[int]]] = {}
    for index, cell in enumerate(nb.get("cells", [])):
        tags = _tags(cell)
        kind = (
            SOLUTION_TAG if SOLUTION_TAG in tags else ANSWER_TAG if ANSWER_TAG in tags else "other"
        )
        for exercise_id in mentioned_exercises(cell.get("source", "")):
            entry = found.setdefault(exercise_id, {ANSWER_TAG: [], SOLUTION_TAG: [], "other": []})
            entry[kind].append(index)
    return {key: found[key] for key in sorted(found)}


def _tags(cell: Mapping[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []) or [])


def _load_themes() -> None:
    """Import every package of exercises installed under :data:`EXERCISE_PACKAGES`, whose
    decorators fill the registry. The collection's own, ``zjanalysis.exercises``, is declared in
    pyproject.toml; a course can add its own package the same way. This module never names
    them: the exercises are built on it, not it on them."""
    global _LOADED
    if _LOADED:
        return
    for entry in sorted(metadata.entry_points(group=EXERCISE_PACKAGES), key=lambda e: e.name):
        entry.load()
    _LOADED = True


def _origin(function: Callable[..., Any]) -> tuple[str, int]:
    code = getattr(function, "__code__", None)
    return (getattr(function, "__qualname__", ""), code.co_firstlineno if code else 0)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_interval(value: Any) -> bool:
    lo, hi = getattr(value, "lo", None), getattr(value, "hi", None)
    return _is_number(lo) and _is_number(hi) and lo <= hi


def _as_number(answer: Any) -> float | None:
    if hasattr(answer, "interval") and not hasattr(answer, "lo"):
        answer = answer.interval
    if _is_interval(answer):
        return (float(answer.lo) + float(answer.hi)) / 2
    if _is_number(answer):
        return float(answer)
    return None


def _parses(text: str) -> bool:
    try:
        float(text.replace(",", "").strip().rstrip("%"))
    except ValueError:
        return False
    return True


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def _fmt(x: float) -> str:
    """Five significant figures, thousands separated, no exponent, no trailing zeros."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    decimals = max(0, 4 - math.floor(math.log10(abs(x))))
    text = f"{x:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _ipython() -> Any:
    # Only a running IPython has imported IPython; importing it here would cost a second.
    module = sys.modules.get("IPython")
    return module.get_ipython() if module is not None else None


def _publish(message: str) -> None:
    if _ipython() is None:
        print(message)
        return
    from IPython.display import display

    display({"text/plain": message}, raw=True)
