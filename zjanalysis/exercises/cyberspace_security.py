"""Exercises of notebook 08 (cyberspace security): an implied base year and an implied share."""

from __future__ import annotations

from zjanalysis import data, figures
from zjanalysis.teach import exercise


def _national_2018() -> figures.Interval:
    """China's network security industry in the claim's year, implied by the next year's size and
    growth."""
    later = int(data.claim("security.industry_scale_2018")["year"]) + 1
    size = figures.from_reference(data.lookup("network security industry size", "China", later))
    growth = figures.from_reference(
        data.lookup("network security industry size, growth", "China", later)
    )
    return figures.implied_base(size, growth)


@exercise(
    "08-ex1",
    prompt=(
        "CAICT puts China's 2019 network security industry at 156.359 billion yuan, 17.1% larger "
        "than in 2018. How large was it in 2018?"
    ),
    unit="billion yuan",
    hint="Divide the later size by one plus the growth rate written as a fraction.",
)
def _national_size_2018():
    return _national_2018()


@exercise(
    "08-ex2",
    prompt=(
        "If Zhejiang's 'more than 100 billion yuan' were network security alone, at least what "
        "share of China's 2018 network security industry would it be?"
    ),
    unit="percent",
    hint="Take the bound the report gives as the part and the national size you rebuilt as the "
    "total.",
)
def _minimum_share_of_national():
    bound = figures.from_claim("security.industry_scale_2018").interval.lo
    return figures.share_of(bound, _national_2018())
