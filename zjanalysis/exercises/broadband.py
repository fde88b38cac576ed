"""Notebook 02's exercises (broadband): gaps in points, implied earlier shares, shares of counts."""

from __future__ import annotations

from zjanalysis import data, figures
from zjanalysis.teach import exercise

_SHARE_100M = "share of fixed broadband subscribers at 100 Mbps or faster"


def _national(indicator: str) -> figures.Stated:
    year = int(data.claim("broadband.share_100m_2018")["year"])
    return figures.from_reference(data.lookup(indicator, "China", year, period="year-end"))


@exercise(
    "02-ex1",
    prompt=(
        "By how many percentage points did Zhejiang's share of 100 Mbps+ broadband subscribers "
        "(71.9%) exceed MIIT's national share at the end of 2018?"
    ),
    unit="percentage points",
    hint="A gap between two shares is one share minus the other, in points.",
)
def _points_above_national():
    return figures.points_gap(
        figures.from_claim("broadband.share_100m_2018"), _national(_SHARE_100M)
    )


@exercise(
    "02-ex2",
    prompt=(
        "MIIT gives the national 100 Mbps+ share at end-2018 and how many points it rose during "
        "the year. What was the national share at the end of 2017?"
    ),
    unit="percent",
    hint="The earlier share is the later share minus the rise in points (not divided by a growth "
    "factor).",
)
def _national_share_end_2017():
    change = _national(f"{_SHARE_100M}, change on previous year-end")
    return figures.points_gap(_national(_SHARE_100M), change)


@exercise(
    "02-ex3",
    prompt=(
        "From the 2020 subscriber counts for Zhejiang (100-1000 Mbps, 1000 Mbps and faster, all "
        "fixed broadband), what share of subscribers had 100 Mbps or faster at the end of 2020?"
    ),
    unit="percent",
    hint="Add the two speed tiers, then divide by all fixed broadband subscribers and multiply "
    "by 100.",
)
def _zhejiang_share_2020():
    table = data.reference("broadband")
    # The only Zhejiang subscriber counts by speed tier are for one later year; find it, not type
    # it.
    mine = table[
        (table["geography"] == "Zhejiang") & (table["indicator"] == "fixed broadband subscribers")
    ]
    year = int(mine["year"].max())

    def count(indicator: str) -> figures.Stated:
        return figures.from_reference(data.lookup(indicator, "Zhejiang", year, period="year-end"))

    fast = figures.as_interval(
        count("fixed broadband subscribers at 100 Mbps to 1000 Mbps")
    ) + count("fixed broadband subscribers at 1000 Mbps or faster")
    return figures.share_of(fast, count("fixed broadband subscribers"))
