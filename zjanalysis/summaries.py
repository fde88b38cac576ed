"""What we found, in plain words, from a run record: for people who will not read code.

``sentence(claim, record)`` says in one sentence of at most ``MAX_WORDS`` words what the checks
found about one claim: for a likely misprint, the value it most likely read. ``findings(records)``
opens the readers' page: how many figures were checked, the likely misprints and what they should
read, what is misleading, what nothing can check. ``VERDICT_WORDS``, ``ICONS`` and
``EVIDENCE_WORDS`` name the verdict and the strength of the evidence for a reader, always in
words (an icon is never alone, and no meaning rests on colour).

Every sentence is built from the record's fields; nothing here reads data/ or a notebook.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from zjanalysis import units

MAX_WORDS = 40
VERDICT_WORDS = {
    "confirmed": "Confirmed",
    "consistent": "Consistent",
    "discrepancy": "Discrepancy",
    "misleading": "Misleading",
    "unverifiable": "Unverifiable",
}
ICONS = {
    "confirmed": "✔",
    "consistent": "≈",
    "discrepancy": "✘",
    "misleading": "⚠",
    "unverifiable": "?",
}
EVIDENCE_WORDS = {
    "exact": "Strong: the checks pin the figure to within 1 %.",
    "bounds": "Weak: the checks only bound the figure.",
    "partial": "Partial: a source supports only part of the claim.",
    "indirect": "Indirect: only figures of another scope or date bear on it.",
    "none": "None: nothing available checks this figure.",
}


def figure(claim: Mapping[str, Any]) -> str:
    """The figure as printed, and for a figure only the Chinese release prints, what it is in a
        reader's units too ("4498.3万人 (44.983 million people)", "约593.7万人 (about 5.937 million
    people)")."""
    printed = str(claim["stated"])
    if claim.get("origin") == "chinese-release" and claim.get("value") is not None:
        qualifier = claim.get("qualifier", "exact")
        return f"{printed} ({units.amount(claim['value'], claim['unit'], qualifier)})"
    return printed


def sentence(claim: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    """One plain sentence (at most MAX_WORDS words) on what the checks found about ``claim``, an
    entry of ``record["claims"]``. Raises ValueError for a verdict it does not know."""
    verdict, evidence = claim["verdict"], claim.get("evidence", "")
    shown = f"the printed “{figure(claim)}”"
    candidates: list[str] = []
    if verdict == "discrepancy":
        change = _change(claim, record)
        if change and change.get("reading"):
            repaired = len(_hypothesis(claim, record).get("repairs", []))
            if _hypothesis(claim, record).get("strength") == "likely":
                candidates = [
                    f"{_cap(shown)} is most likely a misprint for {change['reading']}: that one "
                    "change "
                    f"makes {_count(repaired, 'check')} agree.",
                    f"{_cap(shown)} is most likely a misprint for {change['reading']}.",
                ]
            else:
                candidates = [
                    f"{_cap(shown)} fails a check; it may be a misprint for {change['reading']}, "
                    "but one "
                    "check alone cannot tell."
                ]
        else:
            candidates = [
                f"{_cap(shown)} fails the checks that test it, and no misprint explains it: a "
                "revision or "
                "another definition is more likely."
            ]
    elif verdict == "misleading":
        why = _wording(claim, record)
        candidates = [
            f"The number holds, but the wording misleads: {why}." if why else "",
            f"The number {figure(claim)} holds, but its wording invites a reading on which it "
            "fails.",
        ]
    elif verdict == "confirmed":
        candidates = (
            [
                f"An independent source supports only part of {shown}: {_partial(claim, record)}.",
                f"An independent source supports only part of {shown}.",
            ]
            if evidence == "partial"
            else [f"An independent source agrees with {shown} to within rounding."]
        )
    elif verdict == "consistent":
        candidates = {
            "exact": [
                f"The report's own figures agree with {shown}, but no independent source "
                "confirms it."
            ],
            "bounds": [f"{_cap(shown)} fits what the sources show, but they only bound it."],
            "indirect": [
                f"{_cap(shown)} fits figures of another scope or date, which support it without "
                "confirming it."
            ],
        }.get(evidence, [f"{_cap(shown)} agrees with every check that touches it."])
    elif verdict == "unverifiable":
        settle = (record.get("network") or {}).get("settle", {}).get(claim["claim_id"], "")
        if evidence == "indirect":
            candidates = [
                f"Only figures of another scope or date bear on {shown}, and they do not settle it."
            ]
        else:
            candidates = [
                f"Nothing available can check {shown}: {settle} would settle it." if settle else "",
                f"Nothing available can check {shown}.",
            ]
    else:
        raise ValueError(
            f"verdict {verdict!r} has no plain sentence; known: {', '.join(VERDICT_WORDS)}"
        )
    return next(c for c in candidates if c and len(c.split()) <= MAX_WORDS)


def findings(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """The readers' page's opening: a few plain sentences on what the whole collection found."""
    claims = [(c, r) for r in records for c in r.get("claims", [])]
    if not claims:
        return ["No figure has been checked yet."]
    english = sum(c.get("origin") != "chinese-release" for c, _ in claims)
    chinese = len(claims) - english
    verdicts = Counter(c["verdict"] for c, _ in claims)
    lines = [
        f"We checked {len(claims)} figures: the {english} the English summary of the report prints"
        + (f", and {chinese} that only the report's Chinese release prints." if chinese else ".")
    ]
    for c, r in claims:
        change = _change(c, r) if c["verdict"] == "discrepancy" else None
        if change and change.get("reading") and _hypothesis(c, r).get("strength") == "likely":
            said = f"{c['statement']} " if c.get("statement") else ""
            lines.append(
                f"One figure is most likely a misprint: {said}The printed “{c['stated']}” "
                f"should most likely read {change['reading']}."
            )
    misleading = [c for c, _ in claims if c["verdict"] == "misleading"]
    if misleading:
        lines.append(
            f"{_cap(_count(len(misleading), 'figure'))} {_be(len(misleading))} right but worded "
            "in a way that "
            "misleads: " + "; ".join(f"“{c['stated']}”" for c in misleading) + "."
        )
    supported = verdicts["confirmed"] + verdicts["consistent"]
    fits = supported - verdicts["confirmed"]
    lines.append(
        f"{_cap(_count(verdicts['confirmed'], 'figure'))} {_be(verdicts['confirmed'])} confirmed "
        "by an independent "
        "source"
        + (
            f", and {_number(fits)} more {_fit(fits)} what is known without being confirmed."
            if fits
            else "."
        )
    )
    if verdicts["unverifiable"]:
        lines.append(
            f"{_cap(_count(verdicts['unverifiable'], 'figure'))} cannot be checked with what is "
            "available: "
            "each card says what would settle it."
        )
    changed = Counter((c.get("translation") or {}).get("value", "") for c, _ in claims)
    moved = {
        k: v
        for k, v in changed.items()
        if k in ("slip", "unit-changed", "scope-changed", "qualifier-dropped")
    }
    if moved:
        lines.append(
            "Compared with the Chinese release, the English translation changed "
            + ", ".join(
                f"{_count(v, 'figure')} ({TRANSLATION_WORDS[k]})" for k, v in sorted(moved.items())
            )
            + "."
        )
    return lines


TRANSLATION_WORDS = {
    "slip": "a digit slipped",
    "unit-changed": "the unit changed",
    "scope-changed": "the quantity named changed",
    "qualifier-dropped": "'about' or 'more than' lost",
    "faithful": "the same figure",
    "not-in-original": "not in the part of the Chinese text that could be read",
    "not-translated": "only in the Chinese release",
}


def _hypothesis(claim: Mapping[str, Any], record: Mapping[str, Any]) -> Mapping[str, Any]:
    hypotheses = (record.get("diagnosis") or {}).get("hypotheses", [])
    return next(
        (h for h in hypotheses if any(c["quantity"] == claim["claim_id"] for c in h["changes"])), {}
    )


def _change(claim: Mapping[str, Any], record: Mapping[str, Any]) -> Mapping[str, Any] | None:
    return next(
        (
            c
            for c in _hypothesis(claim, record).get("changes", [])
            if c["quantity"] == claim["claim_id"]
        ),
        None,
    )


def _wording(claim: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    wordings = (record.get("network") or {}).get("wordings", [])
    return next((w["why"] for w in wordings if w["claim_id"] == claim["claim_id"]), "")


def _partial(claim: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    constraints = (record.get("network") or {}).get("constraints", [])
    return next(
        (
            c["partial"]
            for c in constraints
            if c["id"] in claim.get("constraints", []) and c.get("partial")
        ),
        "",
    )


def _number(n: int) -> str:
    words = {
        0: "no",
        1: "one",
        2: "two",
        3: "three",
        4: "four",
        5: "five",
        6: "six",
        7: "seven",
        8: "eight",
        9: "nine",
        10: "ten",
    }
    return str(words.get(n, n))


def _count(n: int, noun: str) -> str:
    return f"{_number(n)} {noun}{'' if n == 1 else 's'}"


def _fit(n: int) -> str:
    return "fits" if n == 1 else "fit"


def _be(n: int) -> str:
    return "is" if n == 1 else "are"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
