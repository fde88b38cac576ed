"""The four outputs of a grading run, each written atomically and deterministically.

- `gradebook.csv`: one row per student × notebook × exercise (`GRADEBOOK_COLUMNS`);
- `summary.csv`: one row per student: total, maximum, a count per status, the locked cells
  put back and the files refused (`SUMMARY_COLUMNS`);
- `feedback/<student>.html`: per notebook and exercise, the result, the points and what to look
  at (hint, reason); the locked cells that were put back; the files not graded. Never an
  expected answer, an accepted range, a choice that would be right, or a solution;
- `manifest.json`: the sha256 of every submission, the versions of the grader, the data, the
  notebooks and the packages, the limits, the refusals and what was restored.

No time, duration, temporary path or machine name goes into any of them, and everything is
sorted: grading the same submissions again gives the same bytes.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from zjanalysis import atomic
from zjanalysis.grading.score import STATUSES, Row, exercise_order, points_text

GRADEBOOK_COLUMNS = ("student", "notebook", "exercise", "points", "max_points", "status", "reason")
SUMMARY_COLUMNS = ("student", "points", "max_points", *STATUSES, "restored_cells", "refused_files")
FEEDBACK = "feedback"
_COLOURS = {
    "correct": "#1a7f37",
    "incorrect": "#cf222e",
    "missing": "#6e7781",
    "error": "#bf8700",
    "timeout": "#bf8700",
    "invalid": "#8250df",
}


def _csv(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def sort_rows(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (r.student, r.notebook, exercise_order(r.exercise)))


def gradebook_csv(rows: list[Row]) -> str:
    return _csv(
        GRADEBOOK_COLUMNS,
        (
            (
                r.student,
                r.notebook,
                r.exercise,
                points_text(r.points),
                points_text(r.max_points),
                r.status,
                r.reason,
            )
            for r in rows
        ),
    )


def summary(
    rows: list[Row], students: list[str], restored: dict[str, int], refused: dict[str, int]
) -> list[dict]:
    """One dict per student (sorted): points, max_points, a count per status, restored, refused."""
    by_student: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_student[row.student].append(row)
    out = []
    for student in sorted(students):
        mine = by_student.get(student, [])
        counts = Counter(r.status for r in mine)
        out.append(
            {
                "student": student,
                "points": round(sum(r.points for r in mine), 6),
                "max_points": round(sum(r.max_points for r in mine), 6),
                **{s: counts.get(s, 0) for s in STATUSES},
                "restored_cells": restored.get(student, 0),
                "refused_files": refused.get(student, 0),
            }
        )
    return out


def summary_csv(entries: list[dict]) -> str:
    return _csv(
        SUMMARY_COLUMNS,
        (
            [points_text(e[c]) if c in ("points", "max_points") else e[c] for c in SUMMARY_COLUMNS]
            for e in entries
        ),
    )


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1f2328; line-height: 1.45; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; table-layout: fixed; }
th:nth-child(1) { width: 6rem; } th:nth-child(2) { width: 6rem; } th:nth-child(3) { width: 5.5rem; }
th, td { border-bottom: 1px solid #d0d7de; padding: 0.4rem 0.5rem; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
.status { font-weight: 600; white-space: nowrap; }
.points { white-space: nowrap; }
.note { background: #fff8c5; border: 1px solid #d4a72c; padding: 0.5rem 0.75rem; }
"""


def _cells(numbers: list[int], first_lines: dict) -> str:
    return "; ".join(
        f"cell {n}" + (f" ({first_lines[str(n)]!r})" if str(n) in first_lines else "")
        for n in numbers
    )


def feedback_html(
    student: str, rows: list[Row], notebooks: dict[str, dict], refusals: list[dict]
) -> str:
    """One student's feedback page. `notebooks` maps stem -> {"tamper": ..., "notes": [...]}."""
    e = html.escape
    total = sum(r.points for r in rows)
    most = sum(r.max_points for r in rows)
    parts = [
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Feedback for {e(student)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>Feedback for {e(student)}</h1>\n"
        f"<p>Points: <strong>{points_text(total)}</strong> of {points_text(most)}.</p>\n"
    ]
    by_notebook: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_notebook[row.notebook].append(row)
    for stem in sorted(by_notebook):
        mine = by_notebook[stem]
        parts.append(f"<h2>{e(stem)}</h2>\n")
        info = notebooks.get(stem, {})
        tamper = info.get("tamper") or {}
        lines = tamper.get("first_lines", {})
        changed = []
        for label, key in (("edited", "edited"), ("deleted", "deleted"), ("moved", "moved")):
            if tamper.get(key):
                changed.append(f"{label}: {_cells(tamper[key], lines)}")
        if changed:
            parts.append(
                '<p class="note">Some locked cells (cells of the handed-out notebook that are not '
                "answer cells) were changed, so they were put back as handed out before grading: "
                f"{e('; '.join(changed))}. Cell numbers are those of the handed-out notebook. "
                "Work in the answer cells, or in cells you add.</p>\n"
            )
        if tamper.get("solutions"):
            parts.append(
                "<p class=\"note\">Cells tagged 'solution' (worked answers from the "
                "instructor's edition) were not run: cells "
                f"{e(', '.join(map(str, tamper['solutions'])))} of your notebook.</p>\n"
            )
        if tamper.get("updated"):
            parts.append(
                '<p class="note">This notebook was changed after it was handed out; '
                "it was graded with the current version of the cells that differ.</p>\n"
            )
        for note in info.get("notes", []):
            parts.append(f'<p class="note">{e(note)}</p>\n')
        parts.append(
            "<table>\n<thead><tr><th>exercise</th><th>result</th><th>points</th>"
            "<th>what to look at</th></tr></thead>\n<tbody>\n"
        )
        for row in mine:
            colour = _COLOURS.get(row.status, "#1f2328")
            parts.append(
                f"<tr><td>{e(row.exercise)}</td>"
                f'<td class="status" style="color:{colour}">{e(row.status)}</td>'
                f'<td class="points">{points_text(row.points)} of '
                f"{points_text(row.max_points)}</td>"
                f"<td>{e(row.reason)}</td></tr>\n"
            )
        parts.append("</tbody>\n</table>\n")
    if refusals:
        parts.append("<h2>Not graded</h2>\n<ul>\n")
        for refusal in refusals:
            parts.append(f"<li><code>{e(refusal['path'])}</code>: {e(refusal['reason'])}</li>\n")
        parts.append("</ul>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def write_outputs(
    out_dir: Path,
    rows: list[Row],
    students: list[str],
    notebooks: dict,
    refusals: list[dict],
    manifest: dict,
) -> list[dict]:
    """Write the four outputs into `out_dir`; return the summary entries.

    `notebooks` maps (student, stem) -> {"tamper": dict, "notes": [...]}. Feedback pages of
    students who are no longer in the batch are removed, so the folder matches this grading.
    """
    out_dir = Path(out_dir)
    rows = sort_rows(rows)
    restored = Counter()
    for (student, _), info in notebooks.items():
        tamper = info.get("tamper") or {}
        restored[student] += sum(len(tamper.get(k, [])) for k in ("edited", "deleted", "moved"))
    refused = Counter(r["student"] for r in refusals if r["student"])
    entries = summary(rows, students, restored, refused)
    feedback = out_dir / FEEDBACK
    feedback.mkdir(exist_ok=True)
    by_student: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_student[row.student].append(row)
    for student in students:
        mine = {stem: info for (s, stem), info in notebooks.items() if s == student}
        page = feedback_html(
            student,
            by_student.get(student, []),
            mine,
            [r for r in refusals if r["student"] == student],
        )
        atomic.write_if_changed(feedback / f"{student}.html", page)
    keep = {f"{s}.html" for s in students}
    for old in feedback.glob("*.html"):
        if old.name not in keep:
            old.unlink()
    atomic.remove_temp_files(feedback)
    atomic.write_atomic(out_dir / "gradebook.csv", gradebook_csv(rows))
    atomic.write_atomic(out_dir / "summary.csv", summary_csv(entries))
    atomic.write_atomic(
        out_dir / "manifest.json",
        json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
    )
    return entries
