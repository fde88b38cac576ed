"""Grading student notebooks (zjanalysis.grading, `zjanalysis grade`).

The fast tests build folders and notebooks by hand. The slow ones grade the synthetic corpus that
tests/grading/make_corpus.py generates from today's notebooks, through the command line as a
user types it, and compare the gradebook with the rows the generator expects for each case.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import html
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from zjanalysis import teach
from zjanalysis.grading import plan as planning
from zjanalysis.grading import report, runner, score
from zjanalysis.grading.submissions import GradeError, collect, notebook_problem

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "grading"))
import make_corpus  # noqa: E402

KNOWN = ["01_internet_users", "02_broadband"]


def zj(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zjanalysis", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        timeout=timeout,
    )


def tiny_notebook(*cells) -> nbformat.NotebookNode:
    """An instructor notebook from (source, tags) pairs; a source starting '#' is markdown."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for number, (source, tags) in enumerate(cells):
        cell = (
            nbformat.v4.new_markdown_cell(source)
            if source.startswith("#")
            else nbformat.v4.new_code_cell(source)
        )
        cell.id = f"cell-{number}"
        cell.metadata["tags"] = list(tags)
        nb.cells.append(cell)
    return nb


# --- the layout and what is refused ---------------------------------------------------------


def notebook_bytes() -> bytes:
    return (nbformat.writes(tiny_notebook(("x = 1", ()))) + "\n").encode()


def test_collect_reads_students_and_refuses_everything_else_with_a_reason(tmp_path):
    (tmp_path / "li_wei").mkdir()
    (tmp_path / "li_wei" / "01_internet_users.ipynb").write_bytes(notebook_bytes())
    (tmp_path / "li_wei" / "01_internet_user.ipynb").write_bytes(notebook_bytes())
    (tmp_path / "li_wei" / "99_nothing.ipynb").write_bytes(notebook_bytes())
    (tmp_path / "li_wei" / "answers.pdf").write_bytes(b"%PDF")
    (tmp_path / "li_wei" / ".hidden.ipynb").write_bytes(notebook_bytes())
    (tmp_path / "li_wei" / "old").mkdir()
    (tmp_path / "li_wei" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "li_wei" / "02_broadband.ipynb").symlink_to("/etc/passwd")
    (tmp_path / "zhang min").mkdir()
    (tmp_path / "zhang min" / "02_broadband.ipynb").write_bytes(b'{"cells": [')
    (tmp_path / "empty").mkdir()
    (tmp_path / "=cmd").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "li_wei")
    (tmp_path / "stray.ipynb").write_bytes(notebook_bytes())
    found = collect(tmp_path, KNOWN)
    assert found.students == ["empty", "li_wei", "zhang min"]
    assert [(s.student, s.notebook, s.path) for s in found.submissions] == [
        ("li_wei", "01_internet_users", "li_wei/01_internet_users.ipynb")
    ]
    assert found.submissions[0].sha256 == hashlib.sha256(notebook_bytes()).hexdigest()
    reasons = {r.path: r.reason for r in found.refusals}
    assert "did you mean 01_internet_users.ipynb?" in reasons["li_wei/01_internet_user.ipynb"]
    assert (
        "an unknown notebook name; graded notebooks are 01_internet_users.ipynb, 02_broadband.ipynb"
        == reasons["li_wei/99_nothing.ipynb"]
    )
    assert reasons["li_wei/answers.pdf"].startswith("not a notebook")
    assert reasons["li_wei/.hidden.ipynb"] == "a hidden file; not graded"
    assert "a folder inside a student's folder" in reasons["li_wei/old/"]
    assert "checkpoint" in reasons["li_wei/.ipynb_checkpoints/"]
    assert reasons["li_wei/02_broadband.ipynb"].startswith("a symbolic link")
    assert "JSON stops early" in reasons["zhang min/02_broadband.ipynb"]
    assert "nothing handed in" in reasons["empty/"]
    assert "starts with a letter or digit" in reasons["=cmd/"]
    assert reasons["linked"].startswith("a symbolic link")
    assert "outside any student's folder" in reasons["stray.ipynb"]
    # The truncated notebook names its notebook: its exercises are recorded as invalid.
    assert [r.notebook for r in found.refusals if r.path == "zhang min/02_broadband.ipynb"] == [
        "02_broadband"
    ]


def test_a_name_with_control_characters_is_shown_quoted(tmp_path):
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "01_internet_users.ipynb\n").write_bytes(notebook_bytes())
    reason, nothing = collect(tmp_path, KNOWN).refusals
    assert reason.path == "ok/'01_internet_users.ipynb\\n'" and "path tricks" in reason.reason
    assert nothing.path == "ok/" and "nothing handed in" in nothing.reason


@pytest.mark.parametrize(
    "setup, words",
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.write_text("x"), "is a file"),
    ],
)
def test_an_unusable_submissions_folder_is_a_grade_error(tmp_path, setup, words):
    target = tmp_path / "subs"
    setup(target)
    with pytest.raises(GradeError, match=words):
        collect(target, KNOWN)


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "the file is empty"),
        (b"\xff\xfe{}", "is not UTF-8 text"),
        (b'{"cells": [], "nbformat": 4', "JSON stops early"),
        (b'{"cells": [} ]}', "its JSON is broken at line 1, column 12"),
        (b'{"nbformat": 4}', "has no list of cells"),
        (b'{"cells": [], "nbformat": 3}', "nbformat 3"),
        (b'{"cells": [{"cell_type": "plot"}], "nbformat": 4}', "cell 1 is malformed"),
    ],
)
def test_notebook_problems_are_one_phrase(content, words):
    assert words in notebook_problem(content)


def test_a_good_notebook_has_no_problem():
    assert notebook_problem(notebook_bytes()) == ""


# --- the plan: locked cells put back, tampering told apart from answering ---------------------


def instructor():
    return tiny_notebook(
        ("# Exercise 99-ex1", ()),
        ("from zjanalysis import teach\nbase = 40", ()),
        ("step = 2", ()),
        ("answer_99_ex1 = ...  # your answer", ("answer",)),
        ('teach.check("99-ex1", answer_99_ex1)', ()),
        ("answer_99_ex1 = base + step", ("solution",)),
        ("answer_99_ex2 = ...  # your answer", ("answer",)),
        ("print('end')", ()),
    )


def roles(plan):
    return [(c.role, c.source.splitlines()[0], c.exercises) for c in plan.cells]


def make(submission):
    edition = teach.student_edition(instructor())
    return planning.make_plan(edition, submission, "99_tiny", ["99-ex1", "99-ex2"])


def test_an_untouched_edition_runs_as_handed_out():
    edition = teach.student_edition(instructor())
    plan = make(copy.deepcopy(edition))
    assert roles(plan) == [
        ("locked", "from zjanalysis import teach", ()),
        ("locked", "step = 2", ()),
        ("student", "answer_99_ex1 = ...  # your answer", ("99-ex1",)),
        ("locked", 'teach.check("99-ex1", answer_99_ex1)', ()),
        ("student", "answer_99_ex2 = ...  # your answer", ("99-ex2",)),
        ("locked", "print('end')", ()),
    ]
    assert plan.tamper.restored == 0 and plan.tamper.record == "same"
    assert plan.variables == ["answer_99_ex1", "answer_99_ex2"]


def test_an_edited_locked_cell_is_put_back_and_reported():
    sub = teach.student_edition(instructor())
    sub.cells[2].source = "step = 1000  # easier"
    plan = make(sub)
    assert plan.tamper.edited == [3] and plan.tamper.restored == 1
    sources = [c.source for c in plan.cells]
    assert "step = 2" in sources and not any("1000" in s for s in sources)


def test_deleted_and_moved_locked_cells_are_put_back_in_their_place():
    edition = teach.student_edition(instructor())
    sub = copy.deepcopy(edition)
    del sub.cells[2]  # step = 2
    sub.cells.append(sub.cells.pop(1))  # the import, moved to the end
    plan = make(sub)
    assert plan.tamper.deleted == [3] and plan.tamper.moved == [2]
    assert [c.source for c in plan.cells if c.role == "locked"] == [
        "from zjanalysis import teach\nbase = 40",
        "step = 2",
        'teach.check("99-ex1", answer_99_ex1)',
        "print('end')",
    ]


def test_cells_a_student_adds_run_where_they_were_put():
    sub = teach.student_edition(instructor())
    mine = nbformat.v4.new_code_cell("helper = base * 2")
    sub.cells.insert(3, mine)  # after 'step = 2', before the answer cell
    sub.cells[4].source = "answer_99_ex1 = helper - 38"
    plan = make(sub)
    assert roles(plan)[2:4] == [
        ("student", "helper = base * 2", ()),
        ("student", "answer_99_ex1 = helper - 38", ("99-ex1",)),
    ]
    assert plan.tamper.restored == 0


def test_solution_cells_in_a_submission_never_run():
    sub = instructor()  # the instructor's notebook, handed in as it is
    del sub.cells[3]  # (its answer placeholder, to keep one answer cell)
    plan = make(sub)
    assert not any("base + step" in c.source for c in plan.cells)
    assert plan.tamper.solutions == [5]


def test_an_answer_cell_keeps_its_exercise_by_id_when_its_text_no_longer_names_it():
    sub = teach.student_edition(instructor())
    sub.cells[3].source = "import os\nos._exit(1)"
    plan = make(sub)
    assert ("student", "import os", ("99-ex1",)) in roles(plan)


def test_a_notebook_changed_since_hand_out_is_updated_not_tampered():
    handed_out = teach.student_edition(instructor())
    newer = instructor()
    newer.cells[2].source = "step = 2  # the same step, reworded"
    edition = teach.student_edition(newer)
    plan = planning.make_plan(edition, copy.deepcopy(handed_out), "99_tiny", ["99-ex1", "99-ex2"])
    assert plan.tamper.record == "different"
    assert plan.tamper.updated == [3] and plan.tamper.restored == 0
    assert "step = 2  # the same step, reworded" in [c.source for c in plan.cells]
    assert "step = 2" not in [c.source for c in plan.cells]


def test_another_theme_under_this_name_is_refused():
    mine, other = (
        teach.student_edition(instructor()),
        teach.student_edition(
            tiny_notebook(
                ("import math", ()), ("r = math.pi", ()), ("answer_98_ex1 = ...", ("answer",))
            )
        ),
    )
    editions = {"99_tiny": teach.locked_digests(mine), "98_other": teach.locked_digests(other)}
    planning.identify(mine, "99_tiny", editions)
    with pytest.raises(planning.WrongNotebook, match="99_tiny.ipynb holds notebook 98_other"):
        planning.identify(other, "99_tiny", editions)
    with pytest.raises(planning.WrongNotebook, match="none of the cells of the student edition"):
        planning.identify(tiny_notebook(("print(1)", ())), "99_tiny", editions)


ALIASES = planning._aliases(
    ["from zjanalysis import teach, data as d\nimport zjanalysis.figures as f"]
)


@pytest.mark.parametrize(
    "source, found",
    [
        ("teach.check = lambda *a: None", [("patch", "teach.check")]),
        ("d.claim = fake", [("patch", "data.claim")]),
        ("setattr(teach, 'check', print)", [("patch", "teach.check")]),
        ("import zjanalysis\nzjanalysis.teach.check = print", [("patch", "teach.check")]),
        ("f.Interval.contains = lambda self, x: True", [("patch", "figures.Interval.contains")]),
        ("import sys\nsys.modules['zjanalysis.teach'] = None", [("patch", "sys.modules")]),
        ("answer_01_ex1 = teach.expected('01-ex1')", [("key", "teach.expected")]),
        ("from zjanalysis.teach import accepted_range", [("key", "teach.accepted_range")]),
        ("from zjanalysis.exercises import internet_users", [("key", "zjanalysis.exercises")]),
        ("print('01-ex1 — Correct: 39.66')", [("imitation", "Correct")]),
        # Ordinary work is not flagged.
        ("answer_01_ex1 = d.claim('x')['value'] - 5\nteach.check('01-ex1', answer_01_ex1)", []),
        ("config = {}\nconfig.get('x')\nitems = [1]\nitems.append(2)", []),
        ("print('incorrect reasoning')", []),
        ("this is not python", []),
    ],
)
def test_reading_a_students_cell(source, found):
    assert planning.inspect_source(source, ALIASES) == found


# --- decoding and scoring, in the grader's process ---------------------------------------------


@pytest.mark.parametrize(
    "described, decoded",
    [
        ({"kind": "number", "value": 39.66}, ("value", 39.66)),
        ({"kind": "number", "value": 3}, ("value", 3.0)),
        ({"kind": "number", "value": True}, ("unreadable", None)),
        ({"kind": "number", "value": "39.66"}, ("unreadable", None)),
        ({"kind": "text", "value": "percent"}, ("value", "percent")),
        ({"kind": "bool", "value": True}, ("value", True)),
        ({"kind": "interval", "lo": 1.0, "hi": 2.0}, ("value", score.Bounds(1.0, 2.0))),
        ({"kind": "interval", "lo": 2.0, "hi": 1.0}, ("unreadable", None)),
        (
            {
                "kind": "list",
                "items": [{"kind": "number", "value": 1.5}, {"kind": "text", "value": "a"}],
            },
            ("value", [1.5, "a"]),
        ),
        ({"kind": "list", "items": [{"kind": "list", "items": []}]}, ("unreadable", None)),
        ({"kind": "placeholder"}, ("placeholder", None)),
        ({"kind": "absent"}, ("absent", None)),
        ({"kind": "other", "type": "Always"}, ("other", "Always")),
        ({"kind": "pickle", "value": "..."}, ("unreadable", None)),
        (["number", 1], ("unreadable", None)),
    ],
)
def test_answers_are_checked_field_by_field(described, decoded):
    assert score.decode(described) == decoded


@pytest.fixture
def exercises():
    """99-ex1: expected [10, 20], 2 points, unit credit 0.5, no slack; 99-ex2: a choice."""
    teach.exercise(
        "99-ex1", prompt="How many?", hint="Count them.", unit="widgets", slack=0, points=2
    )(lambda: score.Bounds(10.0, 20.0))
    teach.exercise("99-ex2", prompt="Which?", hint="Think twice.", choices=("left", "right"))(
        lambda: "left"
    )
    yield score.Key(["99-ex1", "99-ex2"])
    teach.unregister("99-ex1")
    teach.unregister("99-ex2")


@pytest.mark.parametrize(
    "value, expected",
    [
        (15.0, ("correct", 2.0, "Correct.")),
        (1500.0, ("incorrect", 1.0, "off by a power of ten): 1 of 2 points")),  # 15 x 100
        (-15.0, ("incorrect", 0.0, "Check the sign")),
        (55.0, ("incorrect", 0.0, "Not yet. Hint: Count them.")),
        ("15", ("invalid", 0.0, "not text. Type the number without quotes.")),
        (math.inf, ("invalid", 0.0, "not a finite number")),
        ([15.0], ("invalid", 0.0, "the answer is a list")),
        (score.Bounds(12.0, 16.0), ("correct", 2.0, "Correct.")),
    ],
)
def test_numbers_are_judged_with_points_and_unit_credit(exercises, value, expected):
    status, points, reason = score.judge(exercises, "99-ex1", "value", value)
    assert (status, points) == expected[:2] and expected[2] in reason


def test_a_choice_question_never_names_the_choices(exercises):
    for answer in ("right", "middle", 3.0):
        status, points, reason = score.judge(exercises, "99-ex2", "value", answer)
        assert points == 0 and "left" not in reason and "right" not in reason
    assert score.judge(exercises, "99-ex2", "value", "LEFT")[:2] == ("correct", 1.0)


def test_an_object_is_not_an_answer(exercises):
    status, points, reason = score.judge(exercises, "99-ex1", "other", "Always")
    assert (status, points) == ("invalid", 0.0) and "an Always object" in reason


def test_scrub_blanks_numbers_an_answer_would_accept_and_right_choices(exercises):
    text = "ValueError: got 15.5 and 21 and -12, chose Left"
    assert exercises.scrub(text) == "ValueError: got … and 21 and …, chose …"


def cell(number, status, error="", exercises=("99-ex1",)):
    return {
        "number": number,
        "role": "student",
        "exercises": list(exercises),
        "status": status,
        "error": error,
    }


LIMITS = {"timeout": 5.0, "notebook_timeout": 50.0, "memory_mb": 1024}


@pytest.mark.parametrize(
    "answer, cells, expected",
    [
        (
            {"kind": "number", "value": 15.0},
            [cell(3, "error", "NameError: x")],
            ("correct", "Correct."),
        ),
        (
            None,
            [cell(3, "error", "ZeroDivisionError: division by zero")],
            ("error", "Cell 3 raised ZeroDivisionError: division by zero."),
        ),
        (None, [cell(3, "error", "SystemExit: ")], ("error", "Cell 3 called sys.exit()")),
        (None, [cell(3, "error", "MemoryError: ")], ("error", "each notebook may use 1024 MB")),
        (None, [cell(3, "timeout")], ("timeout", "still running after 5 s")),
        (None, [cell(3, "timeout", "notebook")], ("timeout", "ran out of time (50 s in all)")),
        (None, [cell(3, "died")], ("error", "stopped the kernel")),
        (None, [cell(3, "skipped", "restart")], ("error", "could not be started again")),
        (None, [], ("missing", "the answer cell was deleted")),
        ({"kind": "placeholder"}, [cell(3, "ok")], ("missing", "No answer yet")),
        ({"kind": "absent"}, [cell(3, "ok")], ("missing", "answer_99_ex1 was never set")),
        ({"kind": "number", "value": "x"}, [cell(3, "ok")], ("invalid", "could not be read")),
    ],
)
def test_an_exercise_status_from_the_runner_outcome(exercises, answer, cells, expected):
    status, _, reason = score.score_exercise(exercises, "99-ex1", answer, cells, LIMITS)
    assert status == expected[0] and expected[1] in reason


def test_an_exception_text_never_carries_an_answer(exercises):
    cells = [cell(3, "error", "ValueError: the key says 15.5")]
    assert (
        score.score_exercise(exercises, "99-ex1", None, cells, LIMITS)[2]
        == "Cell 3 raised ValueError: the key says …. Hint: Count them."
    )


@pytest.mark.parametrize(
    "evalue, shown",
    [
        ("incomplete input (1036949112.py, line 1)", "incomplete input (line 1)"),
        ("invalid syntax (/tmp/ipykernel_77/2231.py, line 4)", "invalid syntax (line 4)"),
        ("[Errno 2] No such file: '/tmp/w/x.csv'", "[Errno 2] No such file: 'x.csv'"),
        ("<object at 0x7f00deadbeef>", "<object at 0x…>"),
    ],
)
def test_error_texts_lose_run_specific_details(evalue, shown):
    assert runner._error_text({"ename": "E", "evalue": evalue}, "/tmp/w") == f"E: {shown}"


@pytest.mark.parametrize(
    "x, text", [(2.0, "2"), (0.5, "0.5"), (12345.25, "12345.25"), (0.1 + 0.2, "0.3"), (0.0, "0")]
)
def test_points_are_written_plainly(x, text):
    assert score.points_text(x) == text


# --- the probe that reads answers in the kernel (run here, on ordinary values) ------------------


def probe(**space):
    namespace = dict(space)
    exec(
        runner._call(runner.PROBE, "_zjanalysis_answers", sorted(space) + ["answer_99_ex9"]),
        namespace,
    )
    return json.loads(namespace["_zjanalysis_answers"])


def test_the_probe_reads_only_plain_values():
    import numpy

    from zjanalysis import figures

    class Always:
        def __eq__(self, other):
            return True

    class Sneaky(float):
        def __eq__(self, other):
            return True

    got = probe(
        a=39.66,
        b=7,
        c="percent",
        d=True,
        e=...,
        f=None,
        g=Always(),
        h=Sneaky(1.0),
        i=numpy.float64(2.5),
        j=figures.Interval(1.0, 2.0),
        k=[1, "x"],
        m=[Always()],
        n="x" * (runner.MAX_TEXT + 1),
        o=figures.from_claim("netizens.total_2018"),
    )
    assert got["a"] == {"kind": "number", "value": 39.66}
    assert got["b"] == {"kind": "number", "value": 7.0}
    assert got["c"] == {"kind": "text", "value": "percent"}
    assert got["d"] == {"kind": "bool", "value": True}
    assert got["e"] == got["f"] == {"kind": "placeholder"}
    assert got["g"] == {"kind": "other", "type": "Always"}
    assert got["h"] == {"kind": "other", "type": "Sneaky"}
    assert got["i"] == {"kind": "number", "value": 2.5}
    assert got["j"] == {"kind": "interval", "lo": 1.0, "hi": 2.0}
    assert got["k"] == {
        "kind": "list",
        "items": [{"kind": "number", "value": 1.0}, {"kind": "text", "value": "x"}],
    }
    assert got["m"]["kind"] == got["n"]["kind"] == "other"
    assert got["o"]["kind"] == "interval" and got["o"]["lo"] < got["o"]["hi"]
    assert got["answer_99_ex9"] == {"kind": "absent"}


# --- the outputs --------------------------------------------------------------------------------


def test_outputs_are_sorted_counted_and_escaped(tmp_path):
    rows = [
        score.Row(
            "b", "01_x", "01-ex10", 0.0, 1.0, "error", "Cell 3 raised <script>alert(1)</script>"
        ),
        score.Row("b", "01_x", "01-ex2", 0.5, 1.0, "incorrect", "Not yet."),
        score.Row("a", "01_x", "01-ex1", 2.0, 2.0, "correct", "Correct."),
    ]
    notebooks = {
        ("b", "01_x"): {
            "tamper": {
                "edited": [4],
                "deleted": [],
                "moved": [7],
                "first_lines": {"4": "import x"},
            },
            "notes": [],
        }
    }
    refusals = [{"student": "b", "path": "b/notes.txt", "reason": "not a notebook"}]
    entries = report.write_outputs(
        tmp_path, rows, ["a", "b", "c"], notebooks, refusals, {"version": 1}
    )
    gradebook = (tmp_path / "gradebook.csv").read_text().splitlines()
    assert gradebook[0] == "student,notebook,exercise,points,max_points,status,reason"
    assert [line.split(",")[2] for line in gradebook[1:]] == ["01-ex1", "01-ex2", "01-ex10"]
    assert gradebook[2] == "b,01_x,01-ex2,0.5,1,incorrect,Not yet."
    summary = list(csv.DictReader((tmp_path / "summary.csv").open()))
    assert [
        (
            s["student"],
            s["points"],
            s["max_points"],
            s["error"],
            s["incorrect"],
            s["restored_cells"],
            s["refused_files"],
        )
        for s in summary
    ] == [
        ("a", "2", "2", "0", "0", "0", "0"),
        ("b", "0.5", "2", "1", "1", "2", "1"),
        ("c", "0", "0", "0", "0", "0", "0"),
    ]
    assert entries[1]["points"] == 0.5
    page = (tmp_path / "feedback" / "b.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "edited: cell 4 (&#x27;import x&#x27;); moved: cell 7" in page
    assert "b/notes.txt" in page and "Points: <strong>0.5</strong> of 2." in page
    (tmp_path / "feedback" / "gone.html").write_text("an old student")
    report.write_outputs(tmp_path, rows, ["a", "b", "c"], notebooks, refusals, {"version": 1})
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == [
        "a.html",
        "b.html",
        "c.html",
    ]


# --- the command line: usage errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["grade", "nowhere", "--out", "out"], "The submissions folder nowhere does not exist."),
        (
            ["grade", "subs", "--out", "out", "--timeout", "0"],
            "--timeout must be a positive number",
        ),
        (["grade", "subs", "--out", "out", "--jobs", "0"], "--jobs must be 1 or more; got 0."),
        (["grade", "subs", "--out", "out", "--memory", "10"], "--memory must be at least 256"),
        (["grade", "subs", "--out", "subs/graded"], "is inside the submissions folder"),
        (["grade", "subs", "--out", "a-file/graded"], "Cannot write to --out a-file/graded: "),
        (
            ["grade", "subs", "--out", "out", "--scheduler", "tcp://x:1"],
            "--scheduler needs --engine dask",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_sentence(tmp_path, args, message):
    (tmp_path / "subs").mkdir()
    (tmp_path / "a-file").write_text("not a folder")
    done = zj(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr


def test_help_shows_the_layout():
    done = zj("grade", "--help", cwd=ROOT)
    assert done.returncode == 0
    assert "SUBMISSIONS/\n    li_wei/\n      01_internet_users.ipynb" in done.stdout
    for words in (
        "--engine {local,dask}",
        "--timeout S",
        "--memory MB",
        "gradebook.csv",
        "summary.csv",
        "feedback/<student>.html",
        "manifest.json",
    ):
        assert words in done.stdout


def test_nothing_to_grade_is_not_a_failure(tmp_path):
    (tmp_path / "subs").mkdir()
    done = zj("grade", "subs", "--out", "out", "--no-progress", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (
        tmp_path / "out" / "gradebook.csv"
    ).read_text() == "student,notebook,exercise,points,max_points,status,reason\n"


# --- one submission, one kernel: a dead kernel costs only its own cell ---------------------------


def planned(*cells) -> bytes:
    """A planned notebook (what a grade job runs) from (source, role, exercises) triples."""
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 4,
            "metadata": {},
            "cells": [
                {
                    "cell_type": "code",
                    "source": source,
                    "outputs": [],
                    "execution_count": None,
                    "metadata": {
                        "zjanalysis": {"role": role, "number": number, "exercises": list(ids)}
                    },
                }
                for number, (source, role, ids) in enumerate(cells, 1)
            ],
        }
    ).encode()


def run_jobs(*jobs):
    from zjanalysis import execute

    with execute.open_engine("local", workers=1) as engine:
        return {result.name: result for result in engine.run(list(jobs))}


@pytest.mark.slow
def test_after_the_kernel_dies_the_locked_cells_run_again_and_grading_goes_on():
    from zjanalysis import execute
    from zjanalysis.grading import batch

    variables = ["answer_99_ex1", "answer_99_ex2", "answer_99_ex3", "answer_99_ex4"]
    job = execute.Job(
        "x",
        kind="grade",
        notebook=planned(
            ("base = 41", "locked", ()),
            ("answer_99_ex1 = 1\nimport os\nos._exit(1)", "student", ["99-ex1"]),
            ("answer_99_ex2 = base + 1", "student", ["99-ex2"]),
            ("while True:\n    pass", "student", ["99-ex3"]),
            ("answer_99_ex3 = base", "student", ["99-ex3"]),
            (
                "import os\nanswer_99_ex4 = "
                "[os.path.abspath(get_ipython().history_manager.hist_file)"
                " == os.path.join(os.getcwd(), 'profile_default', 'history.sqlite'),"
                " os.environ['ZJANALYSIS_DATA'] == os.path.join(os.getcwd(), 'data')]",
                "student",
                ["99-ex4"],
            ),
        ),
        limits=execute.Limits(cell_timeout=3, run_timeout=60, memory_mb=2048),
        env=dict(batch.KERNEL_ENV),
        data=execute.DataBundle.from_folder(ROOT / "data"),
        options={"variables": variables},
    )
    result = run_jobs(job)["x"]
    assert result.status == "ok", result.message
    extra = result.extra
    assert [c["status"] for c in extra["cells"]] == ["ok", "died", "ok", "timeout", "ok", "ok"]
    assert extra["restarts"] == 1
    # The cell that killed the kernel never finished: nothing was read from it.
    assert extra["answers"]["answer_99_ex1"] == {"kind": "absent"}
    # The locked cell ran again in the new kernel, so `base` exists for the next answer.
    assert extra["answers"]["answer_99_ex2"] == {"kind": "number", "value": 42.0}
    assert extra["answers"]["answer_99_ex3"] == {"kind": "number", "value": 41.0}
    # IPython's history and the data copy live in the kernel's own working folder.
    assert extra["answers"]["answer_99_ex4"] == {
        "kind": "list",
        "items": [{"kind": "bool", "value": True}, {"kind": "bool", "value": True}],
    }
    assert extra["memory_limit"] == 2048 * 2**20


@pytest.mark.slow
def test_the_notebook_timeout_stops_the_rest():
    from zjanalysis import execute

    job = execute.Job(
        "t",
        kind="grade",
        notebook=planned(
            ("import time", "locked", ()),
            ("time.sleep(0.2)\nanswer_99_ex1 = 1", "student", ["99-ex1"]),
            ("time.sleep(30)\nanswer_99_ex2 = 2", "student", ["99-ex2"]),
            ("answer_99_ex3 = 3", "student", ["99-ex3"]),
        ),
        limits=execute.Limits(cell_timeout=25, run_timeout=8),
        options={"variables": ["answer_99_ex1", "answer_99_ex2", "answer_99_ex3"]},
    )
    extra = run_jobs(job)["t"].extra
    assert [(c["status"], c["error"]) for c in extra["cells"]] == [
        ("ok", ""),
        ("ok", ""),
        ("timeout", "notebook"),
        ("skipped", "notebook"),
    ]
    assert extra["answers"]["answer_99_ex1"] == {"kind": "number", "value": 1.0}


# --- the corpus, graded through the command line ----------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    make_corpus.generate(folder / "corpus")
    return folder / "corpus"


def grade_corpus(corpus: Path, out: Path) -> subprocess.CompletedProcess:
    timeout = json.loads((corpus / "corpus.json").read_text())["cell_timeout"]
    return zj(
        "grade",
        str(corpus / "submissions"),
        "--out",
        str(out),
        "--timeout",
        str(timeout),
        "--jobs",
        "2",
        "--no-progress",
        cwd=corpus,
    )


@pytest.fixture(scope="module")
def graded(corpus):
    done = grade_corpus(corpus, corpus / "graded")
    assert done.returncode == 0, done.stderr[-3000:]
    return corpus / "graded", done


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.slow
def test_the_corpus_gets_the_rows_each_case_expects(corpus, graded):
    out, _ = graded
    manifest = json.loads((out / "manifest.json").read_text())
    got = {(r["student"], r["notebook"], r["exercise"]): r for r in read_csv(out / "gradebook.csv")}
    expected = read_csv(corpus / "expected.csv")
    confined = "writes" in manifest["kernel_confinement"]
    if not confined:  # without Landlock the write succeeds: only the rows of other cases count
        expected = [e for e in expected if e["student"] != "writes_outside"]
        got = {k: v for k, v in got.items() if k[0] != "writes_outside"}
    problems = []
    for row in expected:
        key = (row["student"], row["notebook"], row["exercise"])
        mine = got.pop(key, None)
        if mine is None:
            problems.append(f"no row for {key}")
        elif (mine["points"], mine["max_points"], mine["status"]) != (
            row["points"],
            row["max_points"],
            row["status"],
        ) or row["reason"] not in mine["reason"]:
            problems.append(
                f"{key}: expected {row['status']} {row['points']} '{row['reason']}', "
                f"got {mine['status']} {mine['points']} '{mine['reason']}'"
            )
    problems += [f"unexpected row {key}" for key in got]
    assert not problems, "\n".join(problems)
    if confined:
        assert not (corpus / make_corpus.ESCAPED).exists()


@pytest.mark.slow
def test_the_corpus_refusals_and_restored_cells_are_reported(corpus, graded):
    out, done = graded
    manifest = json.loads((out / "manifest.json").read_text())
    refused = {r["path"]: r["reason"] for r in manifest["refused"]}
    for row in read_csv(corpus / "expected_refusals.csv"):
        assert row["reason"] in refused.pop(row["path"], ""), row
        assert f"refused {row['path']}: " in done.stdout
    assert refused == {}
    restored = json.loads((corpus / "corpus.json").read_text())["restored"]
    summary = {r["student"]: r for r in read_csv(out / "summary.csv")}
    for student, count in restored.items():
        assert summary[student]["restored_cells"] == str(count)
    assert {s: r["restored_cells"] for s, r in summary.items() if s not in restored} == {
        s: "0" for s in summary if s not in restored
    }
    # Each submission's sha256 is that of the file handed in.
    for entry in manifest["submissions"]:
        content = (corpus / "submissions" / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
    assert "students  submissions  points" in done.stdout


def answer_texts(exercise_id: str) -> list[str]:
    """Ways an expected answer could be written on a page: bounds, midpoint, accepted range."""
    if teach.get(exercise_id).choices:
        return [teach.expected(exercise_id)]
    value = teach.expected(exercise_id)
    numbers = [value.lo, value.hi, (value.lo + value.hi) / 2] if hasattr(value, "lo") else [value]
    numbers += list(teach.accepted_range(exercise_id))
    texts = set()
    for x in numbers:
        if math.isfinite(x) and x != 0:
            for form in (
                f"{x:.3g}",
                f"{x:.4g}",
                f"{x:.5g}",
                f"{x:.2f}",
                f"{x:,.2f}",
                teach._fmt(x),
            ):
                texts.add(form)
    return sorted(texts)


def leaks(page: str, stems: list[str]) -> list[str]:
    """Expected answers (and solution lines) that a feedback page shows, as readable strings."""
    raw = re.sub(r"(?s)<style>.*?</style>", "", page)
    sections = {
        name: html.unescape(re.sub(r"<[^>]+>", " ", body))
        for name, body in re.findall(r"<h2>([^<]+)</h2>(.*?)(?=<h2>|</body>)", raw, re.S)
    }
    text = html.unescape(re.sub(r"<[^>]+>", " ", raw))  # what a reader sees
    found = []
    for stem in stems:
        instructor = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
        handed_out = teach.student_edition(instructor)
        for exercise_id in [e for e in teach.exercises() if e.startswith(stem[:2] + "-")]:
            for answer in answer_texts(exercise_id):
                if teach.get(exercise_id).choices:
                    # A choice is a phrase; another notebook's unit may spell it ('percentage
                    # points').
                    if re.search(rf"(?i)(?<!\w){re.escape(answer)}(?!\w)", sections.get(stem, "")):
                        found.append(f"{exercise_id}: {answer!r}")
                elif re.search(rf"(?<![\d.,]){re.escape(answer)}(?![\d])", text):
                    found.append(f"{exercise_id}: {answer}")
        for cell in instructor.cells:
            if "solution" in cell.metadata.get("tags", []) and cell.cell_type == "code":
                for line in cell.source.splitlines():
                    line = line.strip()
                    if (
                        len(line) > 20
                        and line in text
                        and not any(line in c.source for c in handed_out.cells)
                    ):
                        found.append(f"solution line {line!r}")
    return found


def test_the_leak_check_finds_what_teach_check_would_show(tmp_path):
    # Pages built with teach's own verdicts (which show the accepted range, or the choice, once
    # right) must be caught.
    from zjanalysis.grading import batch

    stems = {stem[:2]: stem for stem in batch.gradable()}
    for wants_choice in (False, True):
        exercise_id = next(
            e
            for e in teach.exercises()
            if e[:2] in stems and bool(teach.get(e).choices) == wants_choice
        )
        if wants_choice:
            right = teach.expected(exercise_id)
        else:
            lo, hi = teach.accepted_range(exercise_id)
            right = (lo + hi) / 2 if math.isfinite(hi) else lo * 2
        rows = [
            score.Row(
                "s",
                stems[exercise_id[:2]],
                exercise_id,
                1.0,
                1.0,
                "correct",
                teach.judge(exercise_id, right).message,
            )
        ]
        report.write_outputs(tmp_path, rows, ["s"], {}, [], {"version": 1})
        assert leaks((tmp_path / "feedback" / "s.html").read_text(), [stems[exercise_id[:2]]])


@pytest.mark.slow
def test_feedback_pages_never_hold_an_expected_answer(corpus, graded):
    out, _ = graded
    pages = sorted((out / "feedback").glob("*.html"))
    assert len(pages) == len(read_csv(out / "summary.csv"))
    stems = json.loads((corpus / "corpus.json").read_text())["notebooks"]
    for page in pages:
        assert leaks(page.read_text(encoding="utf-8"), stems) == [], page.name


@pytest.mark.slow
def test_grading_the_same_submissions_again_gives_the_same_bytes(corpus, graded):
    out, _ = graded
    again = corpus / "graded-again"
    done = grade_corpus(corpus, again)
    assert done.returncode == 0, done.stderr[-3000:]
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert sorted(first) == sorted(second)
    for name in first:
        assert first[name] == second[name], name
    assert sorted(str(p) for p in first) == sorted(
        ["gradebook.csv", "summary.csv", "manifest.json"]
        + [f"feedback/{s['student']}.html" for s in read_csv(out / "summary.csv")]
    )


@pytest.mark.slow
def test_ctrl_c_writes_nothing_and_keeps_earlier_outputs(tmp_path, ctrl_c_works):
    import signal
    import time

    from zjanalysis.grading import batch

    stem, edition = next(iter(batch.gradable().items()))
    sub = copy.deepcopy(edition)
    make_corpus.set_answer(sub, batch.exercises_of(stem)[0], "import time\ntime.sleep(120)")
    make_corpus.write(tmp_path / "subs" / "slow_student", f"{stem}.ipynb", sub)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "gradebook.csv").write_text("an earlier grading\n")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zjanalysis",
            "grade",
            "subs",
            "--out",
            "out",
            "--timeout",
            "100",
            "--no-progress",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ctrl_c_works,
    )
    time.sleep(8)  # the kernel is now in the sleeping answer cell
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert (tmp_path / "out" / "gradebook.csv").read_text() == "an earlier grading\n"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["gradebook.csv"]


@pytest.mark.slow
def test_the_dask_engine_grades_to_the_same_bytes(corpus, tmp_path):
    import shutil

    subs = tmp_path / "subs"
    for student in ("all_correct", "os_exit", "eq_always_true", "edited_locked"):
        shutil.copytree(corpus / "submissions" / student, subs / student)
    outputs = {}
    for engine in ("local", "dask"):
        done = zj(
            "grade",
            "subs",
            "--out",
            engine,
            "--engine",
            engine,
            "--jobs",
            "2",
            "--no-progress",
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        outputs[engine] = {
            p.relative_to(tmp_path / engine).as_posix(): p.read_bytes()
            for p in (tmp_path / engine).rglob("*")
            if p.is_file()
        }
    assert outputs["local"] == outputs["dask"]
    assert "feedback/os_exit.html" in outputs["dask"]
