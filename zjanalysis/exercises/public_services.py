"""Notebook 07's exercises (public services): a fall in percent, a rise in points and percent."""

from __future__ import annotations

from zjanalysis import figures
from zjanalysis.teach import exercise


@exercise(
    "07-ex1",
    prompt=(
        "The average on-site hospital queue went from 8.21 to 3.81 minutes. What is that change "
        "in percent of the earlier time (negative for a fall)?"
    ),
    unit="percent",
    hint="Change in percent = (after / before − 1) × 100.",
)
def _queue_change_percent():
    return figures.growth(
        figures.from_claim("services.queue_before_2018"),
        figures.from_claim("services.queue_after_2018"),
    )


@exercise(
    "07-ex2",
    prompt=(
        "The outpatient smart settlement rate rose from 56.07% to 79.08%. By how many percentage "
        "points did it rise?"
    ),
    unit="percentage points",
    hint="A change between two rates, in points, is the later rate minus the earlier rate.",
)
def _settlement_rise_points():
    return figures.points_gap(
        figures.from_claim("services.settlement_after_2018"),
        figures.from_claim("services.settlement_before_2018"),
    )


@exercise(
    "07-ex3",
    prompt=(
        "Describe the same rise in percent instead: by how many percent of its earlier level did "
        "the settlement rate grow?"
    ),
    unit="percent",
    hint="Relative growth divides the rise by the earlier rate; it is not the gap in points.",
)
def _settlement_rise_percent():
    return figures.growth(
        figures.from_claim("services.settlement_before_2018"),
        figures.from_claim("services.settlement_after_2018"),
    )
