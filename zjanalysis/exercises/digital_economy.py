"""Exercises of notebook 03 (digital economy): share of GDP versus contribution to growth."""

from __future__ import annotations

from zjanalysis import data, figures
from zjanalysis.teach import exercise


def _year() -> int:
    return int(data.claim("digecon.core_value_added_2018")["year"])


def _gdp(year: int, indicator: str) -> figures.Stated:
    return figures.from_reference(data.lookup(indicator, "Zhejiang", year, table="gdp"))


def _core_2017() -> figures.Interval:
    growth = figures.from_reference(
        data.lookup(
            "digital economy core industries, value added, growth",
            "Zhejiang",
            _year(),
            table="digital_economy",
            period="year",
        )
    )
    return figures.implied_base(figures.from_claim("digecon.core_value_added_2018"), growth)


@exercise(
    "03-ex1",
    prompt=(
        "Divide the core industries' 2018 value added by Zhejiang's 2018 GDP as given in the "
        "government work report (5.54 trillion yuan). What share of GDP is that?"
    ),
    unit="percent",
    hint="Put both figures in the same unit (billion yuan) before dividing, then turn the "
    "fraction into a percentage.",
)
def _share_of_gdp():
    return figures.share_of(
        figures.from_claim("digecon.core_value_added_2018"),
        _gdp(_year(), "GDP (government work report)"),
    )


@exercise(
    "03-ex2",
    prompt=(
        "The core industries grew 13.1% in 2018. What value added does that imply for 2017, "
        "in billion yuan?"
    ),
    unit="billion yuan",
    hint="Divide the 2018 level by one plus the growth rate written as a fraction.",
)
def _core_value_added_2017():
    return _core_2017()


@exercise(
    "03-ex3",
    prompt=(
        "Which reading of '17.5%' do the figures support: a share of GDP, or a contribution to "
        "GDP growth (the core industries' increase divided by GDP's increase)?"
    ),
    choices=("share of GDP", "contribution to GDP growth"),
    hint="Compute both: the share is value added over GDP; the contribution compares the two "
    "increases over 2017.",
)
def _which_reading():
    stated = figures.from_claim("digecon.core_share_gdp_2018")
    gdp_2017 = _gdp(_year() - 1, "GDP (first release)")
    gdp_2018 = _gdp(_year(), "GDP (government work report)")
    share = figures.share_of(figures.from_claim("digecon.core_value_added_2018"), gdp_2018)
    contribution = figures.contribution_to_growth(
        _core_2017(), figures.from_claim("digecon.core_value_added_2018"), gdp_2017, gdp_2018
    )
    if contribution.overlaps(stated.interval) and not share.overlaps(stated.interval):
        return "contribution to GDP growth"
    return "share of GDP"
