"""Notebook 04's exercises (e-commerce): implied base years, what sells versus what is bought."""

from __future__ import annotations

from zjanalysis import figures
from zjanalysis.teach import exercise


@exercise(
    "04-ex1",
    prompt=(
        "Online retail sales reached 1,671.88 billion yuan in 2018, 25.4% more than in 2017. "
        "What 2017 level does that imply, in billion yuan?"
    ),
    unit="billion yuan",
    hint="Divide the 2018 level by one plus the growth rate written as a fraction; do not "
    "subtract the percentage.",
)
def _retail_2017():
    return figures.implied_base(
        figures.from_claim("ecommerce.online_retail_2018"),
        figures.from_claim("ecommerce.online_retail_growth_2018"),
    )


@exercise(
    "04-ex2",
    prompt=(
        "Residents' online consumption (what Zhejiang's residents bought online) is how many "
        "percent "
        "of the province's online retail sales (what sellers in Zhejiang sold online)?"
    ),
    unit="percent",
    hint="Divide consumption by retail sales and multiply by 100.",
)
def _consumption_share_of_retail():
    return figures.share_of(
        figures.from_claim("ecommerce.consumption_2018"),
        figures.from_claim("ecommerce.online_retail_2018"),
    )


@exercise(
    "04-ex3",
    prompt=(
        "By how many billion yuan did residents' online consumption grow in 2018, given its level "
        "and its 25.0% growth?"
    ),
    unit="billion yuan",
    hint="First rebuild the 2017 level from the growth rate, then subtract it from the 2018 level.",
)
def _consumption_increase():
    level = figures.from_claim("ecommerce.consumption_2018")
    base = figures.implied_base(level, figures.from_claim("ecommerce.consumption_growth_2018"))
    return figures.as_interval(level) - base
