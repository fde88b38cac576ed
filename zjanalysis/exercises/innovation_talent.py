"""Exercises of notebook 05 (innovation and talent): shares that must be whole counts, partial
rankings."""

from __future__ import annotations

from zjanalysis import data, figures
from zjanalysis.teach import exercise


def _patents(geography: str) -> figures.Interval:
    year = int(data.claim("innovation.blockchain_patents_rank_2018")["year"])
    row = data.lookup(
        "blockchain patent applications and grants", geography, year, table="rankings"
    )
    # A count of patents is exact: no rounding interval around it.
    return figures.Interval.point(row["value"])


@exercise(
    "05-ex1",
    prompt=(
        "If the national total behind '9.2% of listed internet companies' were CNNIC's end-2017 "
        "count "
        "(102 companies), how many Hangzhou companies would 9.2% stand for? Give the number the "
        "percentage implies, decimals included."
    ),
    unit="companies",
    hint="Multiply the national count by the share written as a fraction; then ask whether a "
    "company count can be that.",
)
def _hangzhou_companies():
    year = int(data.claim("talent.listed_internet_share_2018")["year"]) - 1
    national = data.lookup(
        "internet companies listed in China and abroad", "China", year, table="talent"
    )
    # A count of companies is exact: no rounding interval around it.
    return (
        figures.from_claim("talent.listed_internet_share_2018").interval
        * float(national["value"])
        / 100
    )


@exercise(
    "05-ex2",
    prompt=(
        "Beijing News counted blockchain patent applications and grants for 2017-2018 by city. "
        "What "
        "share of the national total did Beijing, Shenzhen and Shanghai hold together?"
    ),
    unit="percent",
    hint="Add the three cities' counts, divide by the national count and multiply by 100.",
)
def _top_three_cities_share():
    cities = _patents("Beijing") + _patents("Shenzhen") + _patents("Shanghai")
    return figures.share_of(cities, _patents("China"))
