"""Generate the synthetic submissions that `tests/test_grade.py` grades, with their expected rows.

    python tests/grading/make_corpus.py [OUT]      # default OUT: tests/grading/corpus (not
    committed)

Everything is derived from the current notebooks, never typed in: the student edition comes from
`teach.student_edition`, correct answers are the instructor notebook's own solution cells (the
worked solution, pasted into the answer cell as a student would), and cells are found by their
tags (`parameters`, `answer`, `solution`) and exercise ids, never by index or text. The first
two notebooks with exercises (P and Q below) are used; P needs two exercises or more.

Writes OUT/submissions/<case>/... (one student folder per case), OUT/expected.csv (the gradebook
rows each case must produce: points, max_points and status exactly, `reason` as a phrase the
reason must contain) and OUT/expected_refusals.csv (path and a phrase of the reason).
"""

from __future__ import annotations

import copy
import csv
import json
import math
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from zjanalysis import teach  # noqa: E402
from zjanalysis.grading import batch  # noqa: E402

CELL_TIMEOUT = 8.0  # the test grades with --timeout 8: the infinite loop costs that much
WRONG_CANDIDATES = (123.456, -987.65, 7.321, 4321.5, -0.777)
ESCAPED = "escaped-by-a-student.txt"  # the file the writes_outside case tries to write


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []) or [])


class Notebook:
    """One gradable notebook: its instructor version, student edition, exercises, solutions."""

    def __init__(self, stem: str, edition) -> None:
        self.stem = stem
        self.edition = edition
        self.instructor = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
        self.exercises = batch.exercises_of(stem)

    def solution(self, exercise_id: str) -> str:
        """The instructor's worked solution of an exercise: its solution code cells, joined."""
        cells = teach.notebook_exercises(self.instructor)[exercise_id]["solution"]
        sources = [
            self.instructor.cells[i].source
            for i in cells
            if self.instructor.cells[i].cell_type == "code"
        ]
        if not sources:
            raise SystemExit(
                f"{self.stem}: {exercise_id} has no solution code cell to build a correct answer "
                "from."
            )
        return "\n".join(sources)

    def fresh(self):
        return copy.deepcopy(self.edition)

    def numeric(self) -> list[str]:
        return [
            e
            for e in self.exercises
            if not teach.get(e).choices and all(math.isfinite(b) for b in teach.accepted_range(e))
        ]


def answer_cell(nb, exercise_id: str):
    for cell in nb.cells:
        if teach.ANSWER_TAG in _tags(cell) and exercise_id in teach.mentioned_exercises(
            cell.source
        ):
            return cell
    raise SystemExit(f"No answer cell mentions {exercise_id}.")


def set_answer(nb, exercise_id: str, source: str) -> None:
    answer_cell(nb, exercise_id).source = source


def wrong_literal(exercise_id: str) -> str:
    """Source that sets a wrong answer (no sign or unit slip), checked with teach itself."""
    ex = teach.get(exercise_id)
    variable = teach.answer_variable(exercise_id)
    if ex.choices:
        right = teach.expected(exercise_id)
        return f"{variable} = {next(c for c in ex.choices if c != right)!r}"
    for value in WRONG_CANDIDATES:
        verdict = teach.judge(exercise_id, value)
        if verdict.status == "incorrect" and verdict.slip == "":
            return f"{variable} = {value!r}"
    raise SystemExit(f"No wrong candidate fits {exercise_id}.")


def locked_code(nb) -> list[int]:
    """Indices of the locked code cells after the parameters cell (the notebook's working)."""
    start = next((i for i, c in enumerate(nb.cells) if "parameters" in _tags(c)), -1)
    return [
        i
        for i, c in enumerate(nb.cells)
        if i > start and c.cell_type == "code" and teach.ANSWER_TAG not in _tags(c)
    ]


def write(folder: Path, name: str, nb) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def generate(out: Path) -> None:
    editions = batch.gradable()
    stems = sorted(editions)
    if len(stems) < 2:
        raise SystemExit("The corpus needs two notebooks with exercises.")
    P, Q = Notebook(stems[0], editions[stems[0]]), Notebook(stems[1], editions[stems[1]])
    if len(P.exercises) < 2 or len(P.numeric()) < 1:
        raise SystemExit(f"{P.stem} needs two exercises or more, one of them numeric.")
    if out.exists():
        shutil.rmtree(out)
    subs = out / "submissions"
    subs.mkdir(parents=True)
    rows: list[tuple] = []
    refusals: list[tuple] = []
    graded = [P, Q]  # Q is in the batch because one student hands it in

    def expect(student, nb, exercise_id, status, phrase, points=None):
        ex = teach.get(exercise_id)
        if points is None:
            points = ex.points if status == "correct" else 0.0
        rows.append(
            (student, nb.stem, exercise_id, f"{points:g}", f"{ex.points:g}", status, phrase)
        )

    def all_correct(nb):
        sub = nb.fresh()
        for e in nb.exercises:
            set_answer(sub, e, nb.solution(e))
        return sub

    def not_handed_in(student, *notebooks):
        for nb in notebooks:
            for e in nb.exercises:
                expect(student, nb, e, "missing", "was not handed in")

    def case(student, sub, first, status, phrase, others="correct", points=None):
        """P with exercise `first` (the first exercise unless given) answered badly."""
        write(subs / student, f"{P.stem}.ipynb", sub)
        for e in P.exercises:
            if e == first:
                expect(student, P, e, status, phrase, points)
            elif others == "correct":
                expect(student, P, e, "correct", "Correct.")
            else:
                expect(student, P, e, "missing", "No answer yet")
        not_handed_in(student, Q)

    first = P.exercises[0]
    var = teach.answer_variable(first)

    # --- answers ---------------------------------------------------------------------------
    student = "all_correct"
    write(subs / student, f"{P.stem}.ipynb", all_correct(P))
    write(subs / student, f"{Q.stem}.ipynb", all_correct(Q))
    for nb in graded:
        for e in nb.exercises:
            expect(student, nb, e, "correct", "Correct.")

    student = "all_blank"
    write(subs / student, f"{P.stem}.ipynb", P.fresh())
    for e in P.exercises:
        expect(student, P, e, "missing", "No answer yet")
    not_handed_in(student, Q)

    sub = P.fresh()
    set_answer(sub, P.exercises[0], P.solution(P.exercises[0]))
    set_answer(sub, P.exercises[1], wrong_literal(P.exercises[1]))
    write(subs / "partly_right", f"{P.stem}.ipynb", sub)
    expect("partly_right", P, P.exercises[0], "correct", "Correct.")
    expect("partly_right", P, P.exercises[1], "incorrect", "Not yet. Hint:")
    for e in P.exercises[2:]:
        expect("partly_right", P, e, "missing", "No answer yet")
    not_handed_in("partly_right", Q)

    # The right number in the wrong unit earns the exercise's unit credit; a wrong sign nothing;
    # text where a number is wanted is invalid.
    sub = P.fresh()
    numeric = P.numeric()
    unit_id = numeric[0]
    lo, hi = teach.accepted_range(unit_id)
    set_answer(sub, unit_id, f"{teach.answer_variable(unit_id)} = {(lo + hi) / 2 * 100!r}")
    slips = {
        unit_id: (
            "incorrect",
            "off by a power of ten",
            teach.get(unit_id).points * teach.get(unit_id).unit_credit,
        )
    }
    if len(numeric) > 1:
        sign_id = numeric[1]
        lo, hi = teach.accepted_range(sign_id)
        set_answer(sub, sign_id, f"{teach.answer_variable(sign_id)} = {-(lo + hi) / 2!r}")
        slips[sign_id] = ("incorrect", "Check the sign", 0.0)
    if len(numeric) > 2:
        text_id = numeric[2]
        lo, hi = teach.accepted_range(text_id)
        set_answer(sub, text_id, f"{teach.answer_variable(text_id)} = {str((lo + hi) / 2)!r}")
        slips[text_id] = ("invalid", "without quotes", 0.0)
    write(subs / "slips", f"{P.stem}.ipynb", sub)
    for e in P.exercises:
        status, phrase, points = slips.get(e, ("missing", "No answer yet", 0.0))
        expect("slips", P, e, status, phrase, points)
    not_handed_in("slips", Q)

    # --- bad cells: each costs only its own exercise --------------------------------------
    bad = {
        "syntax_error": (f"{var} = (1 +", "error", "is not valid Python"),
        "exception": (f"{var} = 1 / 0", "error", "raised ZeroDivisionError"),
        "infinite_loop": (
            f"while True:\n    pass\n{var} = 1",
            "timeout",
            "was still running after",
        ),
        "memory_bomb": (
            f"hog = []\nwhile True:\n    hog.append(bytearray(100 * 2**20))\n{var} = 1",
            "error",
            "ran out of memory",
        ),
        "sys_exit": (f"import sys\nsys.exit()\n{var} = 1", "error", "called sys.exit()"),
        "os_exit": (f"import os\nos._exit(1)\n{var} = 1", "error", "stopped the kernel"),
    }
    # Where Linux has Landlock, a kernel may write only inside its working folder.
    escaped = (out / ESCAPED).resolve()
    bad["writes_outside"] = (
        f"from pathlib import Path\nPath({str(escaped)!r}).write_text('out')\n{P.solution(first)}",
        "error",
        "raised PermissionError",
    )
    for student, (source, status, phrase) in bad.items():
        sub = all_correct(P)
        set_answer(sub, first, source)
        case(student, sub, first, status, phrase)

    # --- tricks: each scores nothing, with a reason ----------------------------------------
    sub = all_correct(P)
    set_answer(
        sub,
        first,
        f"class Always:\n    def __eq__(self, other):\n        return True\n\n{var} = Always()",
    )
    case("eq_always_true", sub, first, "invalid", "object, not a plain number")

    sub = P.fresh()
    set_answer(
        sub,
        first,
        "from zjanalysis import teach\n"
        "teach.check = lambda exercise_id, answer: print(exercise_id, '— Correct')\n"
        f"{wrong_literal(first)}\nteach.check({first!r}, {var})",
    )
    case("redefined_check", sub, first, "incorrect", "changes teach.check", others="blank")

    sub = P.fresh()
    set_answer(
        sub,
        first,
        "from zjanalysis import data\n_real_claim = data.claim\n\n"
        "def fake_claim(claim_id):\n    row = _real_claim(claim_id).copy()\n"
        "    row['value'] = row['value'] * 2\n    return row\n\n"
        f"data.claim = fake_claim\n{wrong_literal(first)}",
    )
    case("patched_data", sub, first, "incorrect", "changes data.claim", others="blank")

    sub = P.fresh()
    set_answer(
        sub,
        first,
        f"{wrong_literal(first)}\nprint({first!r} + ' — Correct: within the accepted range')",
    )
    case(
        "printed_correct",
        sub,
        first,
        "incorrect",
        "never reads what a notebook prints",
        others="blank",
    )

    sub = P.fresh()
    set_answer(sub, first, f"from zjanalysis import teach\n{var} = teach.expected({first!r})")
    case("answer_key", sub, first, "invalid", "reads the answer key", others="blank")

    # --- tampering: locked cells put back, answers still graded ---------------------------
    sub = all_correct(P)
    working = locked_code(sub)
    sub.cells[working[0]].source = "raise RuntimeError('edited by the student')"
    write(subs / "edited_locked", f"{P.stem}.ipynb", sub)
    sub = all_correct(P)
    working = locked_code(sub)
    for index in reversed(working[:2]):
        del sub.cells[index]
    write(subs / "deleted_cells", f"{P.stem}.ipynb", sub)
    sub = all_correct(P)
    working = locked_code(sub)
    sub.cells.append(sub.cells.pop(working[0]))
    write(subs / "reordered_cells", f"{P.stem}.ipynb", sub)
    for student in ("edited_locked", "deleted_cells", "reordered_cells"):
        for e in P.exercises:
            expect(student, P, e, "correct", "Correct.")
        not_handed_in(student, Q)

    # --- files that are refused ------------------------------------------------------------
    student = "truncated"
    text = nbformat.writes(all_correct(P))
    (subs / student).mkdir()
    (subs / student / f"{P.stem}.ipynb").write_text(text[: len(text) // 2], encoding="utf-8")
    for e in P.exercises:
        expect(student, P, e, "invalid", "JSON stops early")
    not_handed_in(student, Q)
    refusals.append((f"{student}/{P.stem}.ipynb", "JSON stops early"))

    student = "wrong_theme"
    write(subs / student, f"{P.stem}.ipynb", all_correct(Q))
    for e in P.exercises:
        expect(student, P, e, "invalid", f"holds notebook {Q.stem}")
    not_handed_in(student, Q)
    refusals.append((f"{student}/{P.stem}.ipynb", f"holds notebook {Q.stem}"))

    student = "stray_files"
    write(subs / student, f"{P.stem}.ipynb", all_correct(P))
    (subs / student / "notes.txt").write_text("my working\n", encoding="utf-8")
    write(subs / student, f"{P.stem[:-1]}.ipynb", P.fresh())  # a name one letter short
    write(subs / student / "drafts", f"{Q.stem}.ipynb", all_correct(Q))
    os.symlink(f"../all_correct/{Q.stem}.ipynb", subs / student / f"{Q.stem}.ipynb")
    write(subs / student, f"..{P.stem}.ipynb", P.fresh())
    for e in P.exercises:
        expect(student, P, e, "correct", "Correct.")
    not_handed_in(student, Q)
    refusals += [
        (f"{student}/notes.txt", "not a notebook"),
        (f"{student}/{P.stem[:-1]}.ipynb", f"did you mean {P.stem}.ipynb"),
        (f"{student}/drafts/", "a folder inside a student's folder"),
        (f"{student}/{Q.stem}.ipynb", "a symbolic link"),
        (f"{student}/'..{P.stem}.ipynb'", "path tricks"),
    ]

    student = "empty_folder"
    (subs / student).mkdir()
    not_handed_in(student, P, Q)
    refusals.append((f"{student}/", "nothing handed in"))

    (subs / "loose_file.ipynb").write_text(text, encoding="utf-8")
    refusals.append(("loose_file.ipynb", "outside any student's folder"))

    with open(out / "expected.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ("student", "notebook", "exercise", "points", "max_points", "status", "reason")
        )
        writer.writerows(sorted(rows))
    with open(out / "expected_refusals.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("path", "reason"))
        writer.writerows(sorted(refusals))
    (out / "corpus.json").write_text(
        json.dumps(
            {
                "notebooks": [P.stem, Q.stem],
                "cell_timeout": CELL_TIMEOUT,
                "restored": {"edited_locked": 1, "deleted_cells": 2, "reordered_cells": 1},
            },
            indent=1,
        )
        + "\n"
    )


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "grading" / "corpus")
