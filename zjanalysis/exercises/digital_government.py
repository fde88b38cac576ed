"""Exercises of notebook 06 (digital government): reading a multiple, comparing two roundings."""

from __future__ import annotations

from zjanalysis import data, figures
from zjanalysis.teach import exercise

_ONE_CERTIFICATE = "livelihood matters handled with one certificate, share"


@exercise(
    "06-ex1",
    prompt=(
        "The report says the public data platform's 2018 data accesses were 14 times the 2017 "
        "total. Reading that as 2018 = 14 × 2017, how many data accesses does it imply for 2017?"
    ),
    unit="million calls",
    hint="If the later figure is a multiple of the earlier one, divide the later figure by the "
    "multiple.",
)
def _accesses_2017_as_times():
    return figures.as_interval(figures.from_claim("gov.data_accesses_2018")) / figures.from_claim(
        "gov.data_accesses_multiple_2018"
    )


@exercise(
    "06-ex2",
    prompt=(
        "Now read the same phrase as a 14-fold increase: 2018 = 2017 + 14 × 2017. What 2017 "
        "total does that reading imply?"
    ),
    unit="million calls",
    hint="An increase of k times the base leaves a total of (1 + k) times the base.",
)
def _accesses_2017_as_increase():
    multiple = figures.as_interval(figures.from_claim("gov.data_accesses_multiple_2018"))
    return figures.as_interval(figures.from_claim("gov.data_accesses_2018")) / (multiple + 1)


@exercise(
    "06-ex3",
    prompt=(
        "The provincial government work report prints the one-certificate share as 63.6%, the "
        "article as 63.64%. Once each figure is read as the range its rounding allows, do the two "
        "ranges overlap? Answer 'yes' or 'no'."
    ),
    choices=("yes", "no"),
    hint="A figure printed to one decimal stands for anything within half of that last decimal "
    "either side.",
)
def _one_certificate_roundings_overlap():
    claim = figures.from_claim("gov.one_certificate_share_2018")
    report = figures.from_reference(
        data.lookup(
            _ONE_CERTIFICATE,
            "Zhejiang",
            int(data.claim("gov.one_certificate_share_2018")["year"]),
            period="year",
        )
    )
    return "yes" if claim.interval.overlaps(report.interval) else "no"
