"""Self-checks, the exercise registry and the student edition (zjanalysis.teach).

Most tests register temporary exercises with ids 99-exN (no notebook 99 exists) and remove them
afterwards, so they do not depend on the real exercises. The tests at the end check the real
registry against the notebooks.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import inspect
import math
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from zjanalysis import data, teach

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
THEME_NOTEBOOKS = sorted((ROOT / "notebooks").glob("0[1-8]_*.ipynb"))
THEME_MODULES = sorted(
    p.stem for p in (ROOT / "zjanalysis" / "exercises").glob("*.py") if not p.stem.startswith("_")
)


@dataclass(frozen=True)
class Box:
    """The smallest stand-in for figures.Interval that teach relies on: .lo and .hi."""

    lo: float
    hi: float


def half_unit(figure_text: str) -> float:
    """Half a unit in the last printed decimal place of e.g. '45.537 million' (-> 0.0005)."""
    number = re.search(r"[\d,]+(?:\.(\d+))?", figure_text)
    return 0.5 * 10 ** -len(number.group(1) or "")


@pytest.fixture
def registered():
    """Temporary exercises 99-ex1 (numeric, from the claim registry) and 99-ex2 (choice)."""

    @teach.exercise(
        "99-ex1",
        prompt="How many internet users did the province have at the end of 2017?",
        unit="million persons",
        hint="The 2018 total already includes the year's increase.",
    )
    def _end_2017():
        total, increase = data.claim("netizens.total_2018"), data.claim("netizens.increase_2018")
        t, i = float(total["value"]), float(increase["value"])
        ht, hi = half_unit(total["figure_text"]), half_unit(increase["figure_text"])
        return Box(t - ht - (i + hi), t + ht - (i - hi))

    @teach.exercise(
        "99-ex2",
        prompt="In what unit is a gap between two penetration rates measured?",
        hint="Subtracting one rate from another is not a relative change.",
        choices=("percent", "percentage points"),
    )
    def _gap_unit():
        return data.claim("netizens.penetration_gap_2018")["unit"]

    yield
    for exercise_id in ("99-ex1", "99-ex2"):
        teach.unregister(exercise_id)


@pytest.fixture
def temporary():
    """Register throw-away exercises inside a test; they are removed afterwards."""
    ids: list[str] = []

    def register(exercise_id, function, **options):
        options.setdefault("prompt", "A throw-away question.")
        options.setdefault("hint", "A throw-away hint.")
        teach.exercise(exercise_id, **options)(function)
        ids.append(exercise_id)

    yield register
    for exercise_id in ids:
        if exercise_id in teach._REGISTRY:
            teach.unregister(exercise_id)


# --- numeric answers --------------------------------------------------------------------------
# 99-ex1 by hand: 45.537 means [45.5365, 45.5375] and 5.877 means [5.8765, 5.8775], so the
# 2017 base is [45.5365 - 5.8775, 45.5375 - 5.8765] = [39.659, 39.661]. With 0.5 % slack the
# accepted range is [39.659 * 0.995, 39.661 * 1.005] = [39.460705, 39.859305].


def test_expected_answer_comes_from_the_claim_registry(registered):
    value = teach.expected("99-ex1")
    assert value.lo == pytest.approx(39.659) and value.hi == pytest.approx(39.661)
    lo, hi = teach.accepted_range("99-ex1")
    assert lo == pytest.approx(39.460705) and hi == pytest.approx(39.859305)


@pytest.mark.parametrize("answer", [39.66, 39.7, 39.46071, 39.8593, 40 - 0.2])
def test_right_answers_are_confirmed(registered, answer):
    verdict = teach.check("99-ex1", answer)
    assert verdict.status == "correct" and verdict.correct
    assert verdict.message.startswith("99-ex1 — Correct:")
    assert "million persons" in verdict.message


@pytest.mark.parametrize("answer", [40, 39.45, 39.87, 45.537, 5.877, 0])
def test_wrong_answers_get_the_hint_and_never_the_answer(registered, answer):
    # 40 is the answer rounded to two figures: 0.86 % above 39.661, beyond the slack.
    verdict = teach.check("99-ex1", answer)
    assert verdict.status == "incorrect" and not verdict.correct
    assert "The 2018 total already includes the year's increase." in verdict.message
    for giveaway in ("39.6", "39.7", "39.4", "39.8", "39,6", "range"):
        assert giveaway not in verdict.message


def test_a_wrong_sign_is_named(registered):
    verdict = teach.check("99-ex1", -39.66)
    assert verdict.status == "incorrect" and "Check the sign" in verdict.message
    assert "39.6" not in verdict.message


@pytest.mark.parametrize("answer", [39660, 3.966, 0.3966])
def test_a_power_of_ten_slip_is_named(registered, answer):
    # 39660 thousand persons, or the answer in units of ten or a hundred million.
    verdict = teach.check("99-ex1", answer)
    assert verdict.status == "incorrect" and "power of ten" in verdict.message


def test_an_unrelated_wrong_answer_gets_no_slip_hint(registered):
    verdict = teach.check("99-ex1", 51.414)  # 45.537 + 5.877: added instead of subtracted
    assert "sign" not in verdict.message and "power of ten" not in verdict.message


@pytest.mark.parametrize("placeholder", [None, ...])
def test_the_placeholder_is_not_an_error(registered, placeholder):
    verdict = teach.check("99-ex1", placeholder)
    assert verdict.status == "no_answer"
    assert (
        verdict.message == "99-ex1 — No answer yet — replace ... with a number in million persons."
    )


@pytest.mark.parametrize(
    ("answer", "expected_words"),
    [
        ("39.66", ["a number in million persons", "the text '39.66'", "without quotes"]),
        ("about forty", ["a number in million persons", "the text 'about forty'"]),
        ([39.66], ["a number in million persons", "[39.66]"]),
        (True, ["a number in million persons", "True"]),
        (float("nan"), ["not a finite number"]),
        (float("inf"), ["not a finite number"]),
    ],
)
def test_a_non_number_gets_a_clear_message(registered, answer, expected_words):
    verdict = teach.check("99-ex1", answer)
    assert verdict.status == "invalid"
    for words in expected_words:
        assert words in verdict.message
    if answer != "39.66":
        assert "without quotes" not in verdict.message


def test_an_interval_answer_is_judged_by_its_midpoint(registered):
    assert teach.check("99-ex1", Box(39.5, 39.8)).correct  # midpoint 39.65
    assert not teach.check("99-ex1", Box(39.0, 39.8)).correct  # midpoint 39.4


def test_expected_answers_built_with_figures_are_accepted(temporary):
    from zjanalysis import figures

    # Same working as 99-ex1, through the project's own interval arithmetic: [39.659, 39.661].
    temporary(
        "99-ex3",
        lambda: (
            figures.from_claim("netizens.total_2018").interval
            - figures.from_claim("netizens.increase_2018").interval
        ),
        unit="million persons",
    )
    assert teach.accepted_range("99-ex3") == pytest.approx((39.460705, 39.859305))
    verdict = teach.check("99-ex3", 39.66)
    assert verdict.message.startswith(
        "99-ex3 — Correct: 39.66 million persons is within the accepted range, 39.461 to 39.859 "
        "million persons"
    )
    # A Stated handed in as an answer is judged by its interval's midpoint (45.537: wrong here).
    assert teach.check("99-ex3", figures.from_claim("netizens.total_2018")).status == "incorrect"
    # A Stated returned as the expected answer counts as its interval: 'more than 500' firms.
    temporary("99-ex4", lambda: figures.from_claim("security.enterprises_2018"))
    assert teach.check("99-ex4", 501).correct and not teach.check("99-ex4", 450).correct


def test_a_plain_number_answer_uses_the_exercise_tolerance(temporary):
    # expected 100 with 1 % tolerance and no slack: accepted [99, 101].
    temporary("99-ex3", lambda: 100.0, tolerance=0.01, slack=0)
    assert teach.accepted_range("99-ex3") == pytest.approx((99.0, 101.0))
    assert teach.check("99-ex3", 100.9).correct
    assert teach.check("99-ex3", 99.0).correct
    assert not teach.check("99-ex3", 101.2).correct
    assert not teach.check("99-ex3", 98.9).correct


def test_judge_gives_the_verdict_of_check_without_showing_it(registered, capsys):
    verdict = teach.judge("99-ex1", 39.66)
    assert verdict.status == "correct" and capsys.readouterr().out == ""
    assert teach.judge("99-ex1", 39.66).message == teach.check("99-ex1", 39.66).message


@pytest.mark.parametrize(
    ("answer", "slip"), [(-39.66, "sign"), (39660, "unit"), (0.3966, "unit"), (51.414, "")]
)
def test_a_wrong_number_names_its_slip(registered, answer, slip):
    assert teach.judge("99-ex1", answer).slip == slip


def test_an_open_ended_range_names_no_unit_slip(temporary):
    # 'more than 500': 60 x 10 = 600 lands inside, but 60 is not 'the right number in the wrong
    # unit'.
    temporary("99-ex3", lambda: Box(500.0, math.inf), unit="firms")
    verdict = teach.judge("99-ex3", 60)
    assert (
        verdict.status == "incorrect"
        and verdict.slip == ""
        and "power of ten" not in verdict.message
    )


def test_points_and_unit_credit_default_to_one_and_a_half(temporary):
    temporary("99-ex3", lambda: 1.0)
    temporary("99-ex4", lambda: 1.0, points=3, unit_credit=0)
    assert (teach.get("99-ex3").points, teach.get("99-ex3").unit_credit) == (1.0, 0.5)
    assert (teach.get("99-ex4").points, teach.get("99-ex4").unit_credit) == (3.0, 0.0)
    assert teach.get("99-ex4").variable == "answer_99_ex4"


def test_an_open_ended_interval_accepts_anything_beyond_its_bound(temporary):
    # 'more than 500' is (500, inf); with the slack, 500 * 0.995 = 497.5 is the lowest accepted.
    temporary("99-ex3", lambda: Box(500.0, math.inf), unit="firms")
    verdict = teach.check("99-ex3", 10_000)
    assert verdict.correct and "the accepted range, anything from 497.5 firms up" in verdict.message
    assert teach.check("99-ex3", 498).correct
    assert not teach.check("99-ex3", 497).correct


# --- choice answers ---------------------------------------------------------------------------


def test_choice_expected_comes_from_the_data(registered):
    assert teach.expected("99-ex2") == "percentage points"


@pytest.mark.parametrize("answer", ["percentage points", "  Percentage   Points "])
def test_the_right_choice_is_confirmed(registered, answer):
    verdict = teach.check("99-ex2", answer)
    assert verdict.correct and verdict.message == "99-ex2 — Correct: 'percentage points'."


def test_a_wrong_choice_gets_the_hint(registered):
    verdict = teach.check("99-ex2", "percent")
    assert verdict.status == "incorrect"
    assert "not a relative change" in verdict.message and "points" not in verdict.message


@pytest.mark.parametrize("answer", ["pct", 19.6])
def test_an_unknown_choice_lists_the_choices(registered, answer):
    verdict = teach.check("99-ex2", answer)
    assert verdict.status == "invalid"
    assert "'percent', 'percentage points'" in verdict.message


def test_the_choice_placeholder_lists_the_choices(registered):
    verdict = teach.check("99-ex2", ...)
    assert (
        verdict.message
        == "99-ex2 — No answer yet — replace ... with one of: 'percent', 'percentage points'."
    )


# --- where the exercises come from -----------------------------------------------------------


def test_teach_finds_the_collection_by_its_entry_point_not_by_an_import():
    from importlib import metadata

    declared = {e.value for e in metadata.entry_points(group=teach.EXERCISE_PACKAGES)}
    assert declared == {"zjanalysis.exercises"}  # test_layout: teach imports no exercises
    ids = set(teach.exercises())
    assert {"01-ex1", "08-ex1"} <= ids and all(teach.get(e).exercise_id == e for e in ids)


def test_without_an_installed_package_of_exercises_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setattr(teach, "_REGISTRY", {})
    monkeypatch.setattr(teach, "_LOADED", False)
    monkeypatch.setattr(teach.metadata, "entry_points", lambda group: [])
    with pytest.raises(teach.UnknownExerciseError) as caught:
        teach.get("01-ex1")
    assert "none are registered" in str(caught.value) and "make setup" in str(caught.value)


# --- ids, prompts, display --------------------------------------------------------------------


def test_an_unknown_id_lists_the_known_ids(registered):
    with pytest.raises(teach.UnknownExerciseError) as caught:
        teach.check("99-ex9", 1.0)
    message = str(caught.value)
    assert message.startswith("No exercise has the id '99-ex9'.")
    assert "Did you mean 99-ex1" in message or "Did you mean 99-ex2" in message
    assert "Known ids:" in message and "99-ex1" in message and "99-ex2" in message
    assert isinstance(caught.value, KeyError)


def test_ask_gives_the_prompt_with_unit_or_choices(registered):
    assert teach.ask("99-ex1") == (
        "**Exercise 99-ex1.** How many internet users did the province have at the end of 2017? "
        "Answer in million persons."
    )
    assert teach.ask("99-ex2").endswith("Answer with one of: `percent`, `percentage points`.")
    assert teach.ask("99-ex1")._repr_markdown_() == str(teach.ask("99-ex1"))


def test_check_prints_the_verdict_once_outside_jupyter(registered, capsys):
    verdict = teach.check("99-ex1", ...)
    assert capsys.readouterr().out == verdict.message + "\n"


def test_exercises_lists_the_registry_in_order(registered):
    listed = teach.exercises()
    assert [key for key in listed if key.startswith("99-")] == ["99-ex1", "99-ex2"]
    assert listed["99-ex1"].unit == "million persons" and listed["99-ex1"].notebook_number == "99"
    assert listed["99-ex1"].module == __name__


# --- broken definitions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise_id", "options", "words"),
    [
        ("1-ex1", {}, "Exercise id '1-ex1' is not allowed; use 'NN-exN'"),
        ("01-ex", {}, "Exercise id '01-ex' is not allowed"),
        ("01_ex1", {}, "Exercise id '01_ex1' is not allowed"),
        ("99-ex3", {"hint": " "}, "Exercise 99-ex3: hint must be a non-empty sentence, got ' '."),
        ("99-ex3", {"prompt": ""}, "Exercise 99-ex3: prompt must be a non-empty sentence"),
        ("99-ex3", {"choices": ("yes",)}, "needs at least two choices"),
        ("99-ex3", {"choices": ("yes", "Yes")}, "choices must be distinct non-empty strings"),
        ("99-ex3", {"slack": -0.1}, "slack must be a relative amount >= 0 such as 0.01, got -0.1."),
        ("99-ex3", {"tolerance": float("nan")}, "tolerance must be a relative amount >= 0"),
        ("99-ex3", {"unit": 3}, "unit must be text"),
        (
            "99-ex3",
            {"points": 0},
            "Exercise 99-ex3: points must be a number above 0 such as 1, got 0.",
        ),
        ("99-ex3", {"points": True}, "points must be a number above 0"),
        ("99-ex3", {"unit_credit": 1.5}, "unit_credit must be a share of the points from 0 to 1"),
    ],
)
def test_bad_definitions_are_refused(exercise_id, options, words):
    options = {"prompt": "A question.", "hint": "A hint.", **options}
    with pytest.raises(teach.ExerciseError, match=re.escape(words)):
        teach.exercise(exercise_id, **options)
    assert exercise_id not in teach._REGISTRY


def test_one_id_twice_is_refused(temporary):
    temporary("99-ex3", lambda: 1.0)

    def other():
        return 2.0

    with pytest.raises(
        teach.ExerciseError, match=r"Exercise id 99-ex3 is defined twice: in .* and in "
    ):
        teach.exercise("99-ex3", prompt="Another question.", hint="Another hint.")(other)
    assert teach.expected("99-ex3") == 1.0


def test_redefining_the_same_function_replaces_it(temporary):
    def answer():
        return 1.0

    temporary("99-ex3", answer)
    teach.exercise("99-ex3", prompt="Reworded question.", hint="A hint.")(answer)
    assert teach.get("99-ex3").prompt == "Reworded question."


def test_an_answer_function_of_the_wrong_kind_is_reported(temporary):
    temporary("99-ex3", lambda: "forty")
    with pytest.raises(
        teach.ExerciseError, match=r"Exercise 99-ex3 .* must return an Interval or a finite number"
    ):
        teach.check("99-ex3", 40)


def test_a_choice_function_outside_its_choices_is_reported(temporary):
    temporary("99-ex3", lambda: "maybe", choices=("yes", "no"))
    with pytest.raises(
        teach.ExerciseError, match=r"returned 'maybe', which is not one of its choices"
    ):
        teach.check("99-ex3", "yes")


def test_unregister_an_unknown_id_lists_the_known_ones():
    with pytest.raises(teach.UnknownExerciseError, match="Known ids"):
        teach.unregister("99-ex7")


def test_importing_teach_is_light():
    import subprocess
    import sys

    code = (
        "import sys, zjanalysis.teach; "
        "print(sorted(m for m in ('pandas', 'numpy', 'nbformat', 'IPython', 'matplotlib') if m "
        "in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "[]\n" and result.stderr == ""


# --- the student edition ----------------------------------------------------------------------


def small_notebook(setup: str = "from zjanalysis import teach") -> nbformat.NotebookNode:
    """An instructor notebook with one exercise: prompt, answer, check and two solution cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }

    def code(source, *tags):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = list(tags)
        return cell

    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "# A small notebook\nExercise 99-ex1 asks for the 2017 base."
        ),
        code(setup),
        code("answer_99_ex1 = ...  # your answer, in million persons", "answer"),
        code('teach.check("99-ex1", answer_99_ex1)'),
        nbformat.v4.new_markdown_cell("The working for 99-ex1:"),
        code("answer_99_ex1 = 45.537 - 5.877", "solution"),
        code('teach.check("99-ex1", answer_99_ex1)', "solution"),
    ]
    nb.cells[4].metadata["tags"] = ["solution"]
    return nb


def test_student_edition_removes_solution_cells_and_keeps_the_rest():
    nb = small_notebook()
    student = teach.student_edition(nb)
    assert [c.source for c in student.cells] == [c.source for c in nb.cells[:4]]
    assert not any("solution" in c.metadata.get("tags", []) for c in student.cells)
    assert student.cells[2].metadata["tags"] == ["answer"]
    assert student.metadata["zjanalysis"]["edition"] == "student"
    assert set(student.metadata["zjanalysis"]) == {"edition", "locked"}
    assert student.metadata["kernelspec"] == nb.metadata["kernelspec"]
    assert teach.edition(student) == "student" and teach.edition(nb) == "instructor"
    nbformat.validate(student)


def test_student_edition_records_a_digest_of_every_locked_cell():
    nb = small_notebook()
    student = teach.student_edition(nb)
    # Locked: every cell but the answer cell (index 2), in order; the digest worked by hand is
    # sha256 over the cell type, a newline and the source.
    expected = [
        hashlib.sha256(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()
        for index, cell in enumerate(student.cells)
        if index != 2
    ]
    assert student.metadata["zjanalysis"]["locked"] == expected


def test_cell_digest_ignores_outputs_and_line_endings_but_not_one_character():
    cell = nbformat.v4.new_code_cell("x = 1\nprint(x)")
    same = copy.deepcopy(cell)
    same.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    same.metadata["collapsed"] = True
    same.source = ["x = 1\r\n", "print(x)\n"]
    assert teach.cell_digest(same) == teach.cell_digest(cell)
    edited = copy.deepcopy(cell)
    edited.source = "x = 2\nprint(x)"
    assert teach.cell_digest(edited) != teach.cell_digest(cell)
    as_markdown = nbformat.v4.new_markdown_cell(cell.source)
    assert teach.cell_digest(as_markdown) != teach.cell_digest(cell)


@pytest.mark.parametrize(
    ("exercise_id", "variable"), [("01-ex2", "answer_01_ex2"), ("08-ex10", "answer_08_ex10")]
)
def test_answer_variable_spells_the_notebook_name(exercise_id, variable):
    assert teach.answer_variable(exercise_id) == variable


def test_answer_variable_refuses_a_bad_id():
    with pytest.raises(teach.ExerciseError, match="'1-ex2' is not allowed"):
        teach.answer_variable("1-ex2")


def test_student_edition_does_not_touch_its_input():
    nb = small_notebook()
    before = copy.deepcopy(nb)
    student = teach.student_edition(nb)
    student.cells[0].source = "changed"
    student.metadata["extra"] = 1
    assert nb == before


def test_student_edition_is_idempotent():
    once = teach.student_edition(small_notebook())
    assert teach.student_edition(once) == once


def test_student_edition_accepts_a_plain_dict():
    plain = copy.deepcopy(dict(small_notebook()))
    student = teach.student_edition(plain)
    assert isinstance(student, nbformat.NotebookNode) and len(student.cells) == 4


def test_a_cell_tagged_solution_and_answer_is_refused():
    nb = small_notebook()
    nb.cells[2].metadata["tags"] = ["answer", "solution"]
    with pytest.raises(ValueError, match=r"Cell 2 is tagged both 'solution' and 'answer'"):
        teach.student_edition(nb)


@pytest.mark.parametrize("bad", [None, [], {"nbformat": 4}, "notebook.ipynb"])
def test_student_edition_needs_a_notebook(bad):
    with pytest.raises(
        TypeError, match=r"student_edition needs a notebook \(a mapping with a 'cells' list\)"
    ):
        teach.student_edition(bad)


def test_notebook_exercises_maps_cells_to_exercises():
    found = teach.notebook_exercises(small_notebook())
    # cell 0 and 4 mention 99-ex1 in prose, 2 is the answer, 3 the check, 5 and 6 solutions.
    assert found == {"99-ex1": {"answer": [2], "solution": [4, 5, 6], "other": [0, 3]}}


# A setup cell that registers 99-ex1 inside the kernel, since the kernel has its own registry.
KERNEL_SETUP = textwrap.dedent(
    """
    from zjanalysis import teach

    @teach.exercise("99-ex1", prompt="The 2017 base?", unit="million persons", hint="Subtract.")
    def _():
        return 39.66
    """
).strip()


def execute(nb):
    nbclient = pytest.importorskip("nbclient")
    nbclient.NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    return nb


def text_outputs(cell):
    return [o.get("text") or o.get("data", {}).get("text/plain") for o in cell.outputs]


@pytest.mark.slow
def test_student_edition_executes_top_to_bottom():
    student = execute(teach.student_edition(small_notebook(KERNEL_SETUP)))
    assert not any(
        o.output_type == "error" for c in student.cells if c.cell_type == "code" for o in c.outputs
    )
    # Shown once, although check() both displays its verdict and returns it as the last value.
    assert text_outputs(student.cells[3]) == [
        "99-ex1 — No answer yet — replace ... with a number in million persons."
    ]


@pytest.mark.slow
def test_instructor_edition_confirms_the_solution():
    nb = execute(small_notebook(KERNEL_SETUP))
    (shown,) = text_outputs(nb.cells[6])
    assert shown.startswith("99-ex1 — Correct: 39.66 million persons")


# --- the real registry and notebooks -----------------------------------------------------------


def test_every_theme_has_its_exercises_and_its_notebook():
    assert THEME_MODULES == sorted(data.THEMES)
    assert [p.stem.split("_", 1)[1] for p in THEME_NOTEBOOKS] == list(data.THEMES)


def real_exercises():
    return [key for key in teach.exercises() if not key.startswith("99-")]


def typed_in_numbers(function) -> list[float]:
    """Non-trivial numeric literals in a function's source: figures typed in, not looked up."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return []
    trivial = {0, 1, 2, 10, 100, 1000, 10000}
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
        and node.value not in trivial
    ]


@pytest.mark.parametrize("exercise_id", real_exercises())
def test_every_real_exercise_computes_its_answer_from_the_data(exercise_id):
    ex = teach.get(exercise_id)
    value = teach.expected(exercise_id)
    if ex.choices:
        assert value in ex.choices
    else:
        lo, hi = teach.accepted_range(exercise_id)
        assert lo <= hi
        assert teach.check(
            exercise_id, hi if math.isfinite(hi) else lo * 2 if lo > 0 else 0
        ).correct
        for digits in (2, 3, 4):
            for bound in (value.lo, value.hi) if hasattr(value, "lo") else (value,):
                if math.isfinite(bound) and abs(bound) >= 1:
                    assert f"{bound:.{digits}g}" not in ex.hint, (
                        f"{exercise_id}: the hint gives the answer away"
                    )
    assert typed_in_numbers(ex.answer) == [], (
        f"{exercise_id}: figures must come from data, not literals"
    )
    assert teach.check(exercise_id, ...).status == "no_answer"


@pytest.mark.parametrize("exercise_id", real_exercises())
def test_every_real_exercise_belongs_to_a_theme_notebook(exercise_id):
    ex = teach.get(exercise_id)
    # Notebook NN (01..) is the NN-th theme in reading order, as in docs/architecture.md.
    number = int(ex.notebook_number)
    assert 1 <= number <= len(data.THEMES), (
        f"{exercise_id}: there is no theme notebook {ex.notebook_number}"
    )
    theme = data.THEMES[number - 1]
    assert ex.module == f"zjanalysis.exercises.{theme}", (
        f"{exercise_id} is defined in {ex.module}; notebook {ex.notebook_number} is {theme}, "
        f"so it belongs in zjanalysis/exercises/{theme}.py"
    )
    path = ROOT / "notebooks" / f"{ex.notebook_number}_{theme}.ipynb"
    assert path.exists(), f"{exercise_id} belongs to notebooks/{path.name}, which does not exist"
    ids = teach.notebook_exercises(nbformat.read(path, as_version=4))
    assert exercise_id in ids, (
        f"{exercise_id} is registered but notebooks/{path.name} never mentions it"
    )


@pytest.mark.parametrize("path", THEME_NOTEBOOKS, ids=lambda p: p.stem)
def test_every_theme_notebook_has_exercises_with_answers_and_solutions(path):
    nb = nbformat.read(path, as_version=4)
    registered = [key for key in teach.exercises() if key.startswith(path.name[:2] + "-")]
    assert len(registered) >= 2, (
        f"{path.name}: needs at least two exercises, registered: {registered}"
    )
    cells = teach.notebook_exercises(nb)
    for exercise_id in registered:
        assert cells.get(exercise_id, {}).get("answer"), (
            f"{path.name}: {exercise_id} has no cell tagged 'answer'"
        )
        assert cells.get(exercise_id, {}).get("solution"), (
            f"{path.name}: {exercise_id} has no cell tagged 'solution'"
        )
    checked = set(
        re.findall(r"""check\(\s*["'](\d\d-ex\d+)["']""", "".join(c.source for c in nb.cells))
    )
    assert checked <= set(registered), (
        f"{path.name}: checks unregistered exercises {sorted(checked - set(registered))}"
    )


@pytest.mark.parametrize("path", THEME_NOTEBOOKS, ids=lambda p: p.stem)
def test_the_student_edition_of_every_theme_notebook_has_no_solution(path):
    nb = nbformat.read(path, as_version=4)
    student = teach.student_edition(nb)
    assert not any("solution" in c.metadata.get("tags", []) for c in student.cells)
    assert len(student.cells) < len(nb.cells)
    assert [c for c in student.cells if "answer" in c.metadata.get("tags", [])] == [
        c for c in nb.cells if "answer" in c.metadata.get("tags", [])
    ]
