"""Exercises of notebook 01 (internet users): base years, population bases, percent vs points."""

from __future__ import annotations

from zjanalysis import data, figures
from zjanalysis.teach import exercise

# 01-ex1 is about a 0.1 million gap with the 2017 edition; the default 0.5 % slack (0.2 million
# there) would accept that edition's own count as right.
_TIGHT_SLACK = 0.001


def _zhejiang_population(year: int) -> figures.Stated:
    return figures.from_reference(data.lookup("resident population", "Zhejiang", year))


@exercise(
    "01-ex1",
    prompt=(
        "The report gives Zhejiang's end-2018 netizen count and the year's increase. How many "
        "netizens does that imply for the end of 2017?"
    ),
    unit="million persons",
    hint="A year-end count minus the increase over the year gives the count a year earlier.",
    slack=_TIGHT_SLACK,
)
def _end_2017_netizens():
    total = figures.from_claim("netizens.total_2018")
    increase = figures.from_claim("netizens.increase_2018")
    return figures.as_interval(total) - figures.as_interval(increase)


@exercise(
    "01-ex2",
    prompt=(
        "Rebuild the 2018 penetration rate on another population basis: divide the report's "
        "end-2018 netizen count by Zhejiang's resident population at the end of 2017."
    ),
    unit="percent",
    hint="Rate = netizens / population x 100; take the population a year before the netizen count.",
)
def _penetration_on_previous_year_end():
    total = figures.from_claim("netizens.total_2018")
    year = int(data.claim("netizens.total_2018")["year"]) - 1
    return figures.share_of(total, _zhejiang_population(year))


@exercise(
    "01-ex3",
    prompt=(
        "Zhejiang's rate was 79.2% and CNNIC's national rate 59.6%. By how many percent (not "
        "points) was Zhejiang's rate higher than the national one?"
    ),
    unit="percent",
    hint="A relative gap divides the difference by the national rate before multiplying by 100.",
)
def _relative_gap():
    year = int(data.claim("netizens.penetration_2018")["year"])
    national = figures.from_reference(
        data.lookup("internet penetration rate", "China", year, period="year-end")
    )
    return figures.relative_gap(figures.from_claim("netizens.penetration_2018"), national)


@exercise(
    "01-ex4",
    prompt=(
        "The report says Zhejiang's rate was '19.6% higher' than the national average. In which "
        "unit is 19.6 really measured?"
    ),
    choices=("percent", "percentage points"),
    hint="Subtract the national rate from Zhejiang's rate and ask what unit a difference of two "
    "rates has.",
)
def _gap_unit():
    return str(data.claim("netizens.penetration_gap_2018")["unit"])
