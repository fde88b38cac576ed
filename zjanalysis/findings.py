"""Findings: the verdict on a claim, its evidence and explanation, and the words for both scales.

Notebooks never pick a verdict by hand: ``zjanalysis.verdicts`` derives every Finding from the
theme's network of checks, and ``zjanalysis.records`` carries them out of the kernel in the run
record. This module holds the type, the verdict and evidence scales with what each value means,
and the findings as plain rows and as a table.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zjanalysis import units
from zjanalysis.figures import Interval

VERDICTS = ("confirmed", "consistent", "discrepancy", "misleading", "unverifiable")

VERDICT_MEANINGS = {
    "confirmed": "a like-for-like check against an independent source holds and pins the figure "
    "(evidence exact, or partial when the source covers only part of the claim)",
    "consistent": "every check that touches it holds, but none pins it against an independent "
    "source "
    "like for like: they run through the report's own figures, only bound it, or compare "
    "it with a measure of another scope or date (the evidence column says which)",
    "discrepancy": "the diagnosis blames it: changing this printed figure (with as few others as "
    "possible) is what makes the failing like-for-like checks hold; the likely printed "
    "value is named when a slip explains it",
    "misleading": "the number holds on one reading, but the wording invites another on which it "
    "fails",
    "unverifiable": "no like-for-like check can speak for or against it; an indirect comparison "
    "may "
    "support or weaken it (evidence indirect), and the notebook names what would settle it",
}
# How strongly the checks behind a verdict pin the figure.
EVIDENCE = ("exact", "bounds", "partial", "indirect", "none")
EVIDENCE_MEANINGS = {
    "exact": "the checks pin the figure: the range they leave for it is no wider than 2 % of its "
    "value",
    "bounds": "the checks only bound it (a floor, a partial ranking, a coarsely rounded source)",
    "partial": "the source supports only part of what the claim says (one city of several, one "
    "procedure of two)",
    "indirect": "the only comparisons are with figures of another definition, geography or date: "
    "they "
    "can support or weaken the claim, never confirm it or blame it",
    "none": "no check can bound the figure: none touches it, or those that do would hold "
    "whatever it were",
}


@dataclass(frozen=True)
class Finding:
    """What the checks say about one claim.

    ``stated`` is the figure as printed and ``unit`` the registry's unit; ``reconstructed`` is the
    range the checks leave for the figure (None when no check bounds it); ``references`` are the
    reference figures the verdict rests on (plain dicts: id, label, printed, unit,
    unit_as_printed, value, source_id); ``sources`` their source ids; ``constraints`` the ids of
    every check that touches the claim. Raises ValueError for a verdict or evidence word that is
    not on its scale, an empty claim id or an empty explanation.
    """

    claim_id: str
    verdict: str
    explanation: str
    stated: str
    unit: str = ""
    evidence: str = ""
    likely_value: str = ""
    reconstructed: Interval | None = None
    references: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)
    sources: tuple[str, ...] = field(default_factory=tuple)
    constraints: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "references", tuple(dict(r) for r in self.references))
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "constraints", tuple(self.constraints))
        if not isinstance(self.claim_id, str) or not self.claim_id.strip():
            raise ValueError(
                "a Finding's claim id must be a non-empty string such as 'netizens.total_2018'; "
                f"got {self.claim_id!r}"
            )
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {', '.join(VERDICTS)}")
        if self.evidence and self.evidence not in EVIDENCE:
            raise ValueError(f"evidence {self.evidence!r} is not one of {', '.join(EVIDENCE)}")
        if not isinstance(self.explanation, str) or not self.explanation.strip():
            raise ValueError(
                f"a Finding needs an explanation a reader understands; got {self.explanation!r}"
            )

    def to_json(self) -> dict:
        """The finding as plain data (JSON-able; an infinite bound is None): the claim entry of a
        run record, read back by ``from_json``."""
        return {
            "claim_id": self.claim_id,
            "verdict": self.verdict,
            "evidence": self.evidence,
            "stated": self.stated,
            "unit": self.unit,
            "likely_value": self.likely_value,
            "reconstructed": None if self.reconstructed is None else self.reconstructed.to_json(),
            "references": [dict(r) for r in self.references],
            "sources": list(self.sources),
            "constraints": list(self.constraints),
            "explanation": self.explanation,
        }

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> Finding:
        """The Finding ``to_json`` wrote. Raises KeyError for a missing field, ValueError for a
        bad one."""
        return cls(
            item["claim_id"],
            item["verdict"],
            item["explanation"],
            item["stated"],
            item.get("unit", ""),
            item.get("evidence", ""),
            item.get("likely_value", ""),
            _interval(item.get("reconstructed")),
            tuple(item.get("references", ())),
            tuple(item.get("sources", ())),
            tuple(item.get("constraints", ())),
        )


def reconstructed_text(item: Mapping[str, Any]) -> str:
    """A claim entry's reconstructed range as a reader reads it ("45.43 to 45.44 million
    persons"), or "" when no check bounds the figure."""
    interval = _interval(item.get("reconstructed"))
    return "" if interval is None else units.fmt_interval(interval, item.get("unit", ""))


def reference_text(item: Mapping[str, Any]) -> str:
    """A claim entry's reference figures in one line, each in a reader's units and, when its
    source printed it in another unit, as printed: "the 2017 edition: 39.56 million people
    (printed 3956, in 10 thousand persons); …"."""
    return "; ".join(f"{r['label']}: {reference_amount(r)}" for r in item.get("references", ()))


def reference_amount(reference: Mapping[str, Any]) -> str:
    """One reference figure in a reader's units, with its printed form when the unit changed."""
    printed, unit = str(reference["printed"]), str(reference["unit"])
    as_printed = str(reference.get("unit_as_printed") or "")
    qualifier = str(reference.get("qualifier") or "exact")
    try:
        text = units.printed_amount(printed, as_printed, unit, qualifier)
    except ValueError:  # a figure printed in words (a Chinese rank word): as printed
        return printed
    if as_printed and as_printed != unit:
        text += f" (printed {printed}, in {as_printed})"
    return text


def table_bundle(items: list[Mapping[str, Any]], title: str | None = None) -> dict[str, str]:
    """Findings (claim entries of a run record) as a display bundle: an aligned text table with
    each explanation under its row, and an HTML ``<table class="zj-findings">``."""
    cols = ("claim_id", "verdict", "evidence", "translation", "stated", "likely_value")
    items = [{**r, "translation": (r.get("translation") or {}).get("value", "")} for r in items]
    widths = {c: max(len(c), *(len(str(r[c])) for r in items)) for c in cols}
    lines = [title] if title else []
    lines.append("  ".join(c.ljust(widths[c]) for c in cols).rstrip())
    for r in items:
        lines.append("  ".join(str(r[c]).ljust(widths[c]) for c in cols).rstrip())
        lines.append(f"    → {r['explanation']}")
    head = "".join(
        f"<th>{c}</th>"
        for c in (
            "claim",
            "verdict",
            "evidence",
            "translation",
            "stated",
            "likely value",
            "reconstructed",
            "reference",
            "explanation",
            "sources",
        )
    )
    rows = []
    for r in items:
        cells = (
            r["evidence"],
            r["translation"],
            r["stated"],
            r["likely_value"],
            reconstructed_text(r),
            reference_text(r),
            r["explanation"],
        )
        rows.append(
            "<tr>"
            f"<td><code>{html.escape(r['claim_id'])}</code></td>"
            f'<td class="zj-verdict zj-{r["verdict"]}"><b>{r["verdict"]}</b></td>'
            + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
            + f"<td>{html.escape(', '.join(r['sources']))}</td></tr>"
        )
    caption = f"<caption>{html.escape(title)}</caption>" if title else ""
    table = (
        f'<table class="zj-findings">{caption}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return {"text/plain": "\n".join(lines), "text/html": table}


def _interval(item: Mapping[str, Any] | None) -> Interval | None:
    return None if item is None else Interval.from_json(item)
