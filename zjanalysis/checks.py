"""Findings: the verdict on a claim, with its evidence and a one-line explanation.

Notebooks never pick a verdict by hand: ``zjanalysis.verdicts`` derives every Finding from the
theme's network of checks. ``record(findings)`` shows them as a table and embeds them in the cell
output as ``application/vnd.zjanalysis.findings+json`` so the renderer can build the claim ledger
from executed notebooks. The verdict and evidence scales, and what each value means, live here.
"""

from __future__ import annotations

import difflib
import html
import json
import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from zjanalysis.figures import Interval, Stated, as_interval

VERDICTS = ("confirmed", "consistent", "discrepancy", "misleading", "unverifiable")
MIME = "application/vnd.zjanalysis.findings+json"

VERDICT_MEANINGS = {
    "confirmed": "a like-for-like check against an independent source holds and pins the figure "
                 "(evidence exact, or partial when the source covers only part of the claim)",
    "consistent": "every check that touches it holds, but none pins it against an independent source "
                  "like for like: they run through the report's own figures, only bound it, or compare "
                  "it with a measure of another scope or date (the evidence column says which)",
    "discrepancy": "the diagnosis blames it: changing this printed figure (with as few others as "
                   "possible) is what makes the failing like-for-like checks hold; the likely printed "
                   "value is named when a slip explains it",
    "misleading": "the number holds on one reading, but the wording invites another on which it fails",
    "unverifiable": "no like-for-like check can speak for or against it; an indirect comparison may "
                    "support or weaken it (evidence indirect), and the notebook names what would settle it",
}
# How strongly the checks behind a verdict pin the figure.
EVIDENCE = ("exact", "bounds", "partial", "indirect", "none")
EVIDENCE_MEANINGS = {
    "exact": "the checks pin the figure: the range they leave for it is no wider than 2 % of its value",
    "bounds": "the checks only bound it (a floor, a partial ranking, a coarsely rounded source)",
    "partial": "the source supports only part of what the claim says (one city of several, one "
               "procedure of two)",
    "indirect": "the only comparisons are with figures of another definition, geography or date: they "
                "can support or weaken the claim, never confirm it or blame it",
    "none": "no check can bound the figure: none touches it, or those that do would hold whatever it were",
}


@dataclass(frozen=True)
class Finding:
    """The outcome of one check. ``claim_ids`` are registry ids; ``sources`` are source ids."""

    claim_ids: tuple[str, ...]
    verdict: str
    explanation: str
    stated: str
    reconstructed: str = ""
    reference: str = ""
    sources: tuple[str, ...] = field(default_factory=tuple)
    evidence: str = ""
    likely_value: str = ""
    constraints: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if isinstance(self.claim_ids, str):
            object.__setattr__(self, "claim_ids", (self.claim_ids,))
        object.__setattr__(self, "claim_ids", tuple(self.claim_ids))
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "constraints", tuple(self.constraints))
        if self.evidence and self.evidence not in EVIDENCE:
            raise ValueError(f"evidence {self.evidence!r} is not one of {', '.join(EVIDENCE)}")
        if not self.claim_ids:
            raise ValueError("a Finding needs at least one claim id; got none")
        for claim_id in self.claim_ids:
            if not isinstance(claim_id, str) or not claim_id.strip():
                raise ValueError(f"a Finding's claim ids must be non-empty strings such as 'netizens.total_2018'; "
                                 f"got {claim_id!r}")
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {', '.join(VERDICTS)}")
        if not isinstance(self.explanation, str) or not self.explanation.strip():
            raise ValueError(f"a Finding needs an explanation a reader understands; got {self.explanation!r}")

    def records(self) -> list[dict]:
        """One ledger row per claim id. Raises KeyError for an id not in the registry."""
        from zjanalysis import data

        claims = data.claims()
        rows = []
        for claim_id in self.claim_ids:
            if claim_id not in claims.index:
                close = difflib.get_close_matches(str(claim_id), [str(i) for i in claims.index], n=3)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                raise KeyError(f"claim id {claim_id!r} of a {self.verdict} finding is not in data/claims.csv{hint}")
            rows.append({
                "claim_id": claim_id,
                "claim_ids": list(self.claim_ids),
                "theme": str(claims.loc[claim_id, "theme"]),
                "verdict": self.verdict,
                "stated": self.stated,
                "reconstructed": self.reconstructed,
                "reference": self.reference,
                "explanation": self.explanation,
                "sources": list(self.sources),
                "evidence": self.evidence,
                "likely_value": self.likely_value,
                "constraints": list(self.constraints),
            })
        return rows


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


def show_table(columns: Sequence[str], rows: Sequence[Sequence[str]], css: str, *, title: str | None = None) -> None:
    """Display a table as aligned text and as HTML (``<table class=css>``); returns None.

    Cells are strings; HTML is escaped. Outside IPython the text is printed.
    """
    _show(table_bundle(columns, rows, css, title=title))


def table_bundle(columns: Sequence[str], rows: Sequence[Sequence[str]], css: str, *,
                 title: str | None = None) -> dict[str, str]:
    """The display bundle of ``show_table``: {"text/plain": aligned text, "text/html": the table}."""
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(columns)]
    lines = [title] if title else []
    lines.append("  ".join(h.ljust(w) for h, w in zip(columns, widths)).rstrip())
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    caption = f"<caption>{html.escape(title)}</caption>" if title else ""
    return {"text/plain": "\n".join(lines),
            "text/html": f'<table class="{css}">{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'}


def _show(bundle: dict) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python without IPython installed
        print(bundle["text/plain"])
        return
    if get_ipython() is None:
        print(bundle["text/plain"])
        return
    display(bundle, raw=True)


def _text_table(rows: list[dict], title: str | None = None) -> str:
    cols = ("claim_id", "verdict", "evidence", "stated", "likely_value")
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    lines = [title] if title else []
    lines.append("  ".join(c.ljust(widths[c]) for c in cols).rstrip())
    for r in rows:
        lines.append("  ".join(str(r[c]).ljust(widths[c]) for c in cols).rstrip())
        lines.append(f"    → {r['explanation']}")
    return "\n".join(lines)


def _html_table(rows: list[dict], title: str | None) -> str:
    head = "".join(f"<th>{c}</th>" for c in ("claim", "verdict", "evidence", "stated", "likely value", "reconstructed",
                                             "reference", "explanation", "sources"))
    body = "".join(
        "<tr>"
        f"<td><code>{html.escape(r['claim_id'])}</code></td>"
        f"<td class=\"zj-verdict zj-{r['verdict']}\"><b>{r['verdict']}</b></td>"
        + "".join(f"<td>{html.escape(str(r.get(c, '')))}</td>" for c in ("evidence", "stated", "likely_value", "reconstructed",
                                                                         "reference", "explanation"))
        + f"<td>{html.escape(', '.join(r['sources']))}</td></tr>"
        for r in rows
    )
    caption = f"<caption>{html.escape(title)}</caption>" if title else ""
    return f'<table class="zj-findings">{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def record(findings: "Finding | Iterable[Finding]", *, title: str | None = None,
           extra: dict | None = None) -> None:
    """Show findings as a table and embed them machine-readably in the cell's output; returns None.

    In IPython the output is one display bundle: an aligned text table, an HTML
    ``<table class="zj-findings">`` and ``application/vnd.zjanalysis.findings+json``
    (``{"version": 1, "findings": [...]}``, one entry per claim id). Elsewhere the text table is
    printed. Raises ValueError for no findings, TypeError for something that is not a Finding,
    KeyError for a claim id not in the registry.
    """
    if isinstance(findings, Finding):
        findings = [findings]
    findings = list(findings)
    for item in findings:
        if not isinstance(item, Finding):
            raise TypeError(f"record() takes Finding objects (from checks.against_reference() and friends); "
                            f"got {item!r}")
    rows = [row for f in findings for row in f.records()]
    if not rows:
        raise ValueError("record() needs at least one Finding")
    bundle = {
        "text/plain": _text_table(rows, title),
        "text/html": _html_table(rows, title),
        MIME: {"version": 1, "findings": rows},
        **(extra or {}),
    }
    _show(bundle)


def findings_from_notebook(nb) -> list[dict]:
    """Every finding embedded by record() in an executed notebook (NotebookNode or dict).

    Returns the ledger rows in cell order. Raises ValueError for a payload of an unknown version.
    """
    found = []
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            payload = out.get("data", {}).get(MIME) if out.get("output_type") in ("display_data", "execute_result") else None
            if payload is None:
                continue
            if isinstance(payload, str):
                payload = json.loads(payload)
            if payload.get("version") != 1:
                raise ValueError(f"a findings payload of version {payload.get('version')!r} is not understood; "
                                 "only version 1 is")
            found.extend(payload.get("findings", []))
    return found
