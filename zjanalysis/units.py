"""Numbers and ranges as a reader sees them: one place that formats every figure the package shows.

``fmt`` writes a number with thousands separators and at most three decimals; ``fmt_interval``
writes a range ("45.5365 to 45.5375 million persons", "more than 500 enterprises").
"""

from __future__ import annotations

import math

from zjanalysis.figures import Interval, Stated, as_interval


def fmt(x: float) -> str:
    """A number for a reader: thousands separators, at most 3 decimals, no trailing zeros."""
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = f"{x:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_interval(x: "Interval | Stated | float", unit: str = "") -> str:
    """"45.537 [45.537 ± 0.001]"-style text: the interval, or the number when it is a point."""
    iv = as_interval(x)
    suffix = f" {unit}" if unit else ""
    if iv.lo == iv.hi:
        return f"{fmt(iv.lo)}{suffix}"
    if math.isinf(iv.lo) and math.isinf(iv.hi):
        return "any value"
    if math.isinf(iv.hi):
        return f"{'more than' if iv.lo_open else 'at least'} {fmt(iv.lo)}{suffix}"
    if math.isinf(iv.lo):
        return f"{'less than' if iv.hi_open else 'at most'} {fmt(iv.hi)}{suffix}"
    return f"{fmt(iv.lo)} to {fmt(iv.hi)}{suffix}"
