"""Verdicts from the network: every claim's verdict and evidence, decided from all the checks.

A notebook declares its network (``network``) and calls ``record(net)``; nothing else picks a
verdict. For each claim of the theme, after ``diagnosis`` has run:

- **discrepancy** when the diagnosis implicates it (it is in a first-ranked hypothesis); the
  likely printed value is named when a slip explains it;
- **misleading** when its wording is declared (``net.wording``) and the number holds on the
  intended reading but fails on the literal one;
- otherwise the checks that touch it are evaluated with the leading hypothesis applied (a slip
  read as its likely value, a figure that differs for another cause set free):
  a like-for-like check with an independent source that holds and pins the figure →
  **confirmed** (evidence *exact*, or *partial* when the source covers part of the claim);
  holding checks that only bound it, or run through the report's own figures, or compare with
  figures of another definition, geography or date → **consistent** (*bounds*, *exact*,
  *indirect*); only indirect comparisons of which one fails → **unverifiable** (*indirect*); no
  check that can bound it → **unverifiable** (*none*), naming the document that would settle it.

A check "pins" a figure when the range it leaves for it, the others as printed, is no wider than
``TIGHT`` (2 %) of the figure's value, i.e. within ±1 %.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal

from zjanalysis import data, units
from zjanalysis import diagnosis as diagnosis_
from zjanalysis.expressions import EVERYTHING, NetworkError, intersect
from zjanalysis.figures import Interval
from zjanalysis.findings import Finding
from zjanalysis.network import Constraint, Network, describe

TIGHT = 0.02


def derive(net: Network, found: diagnosis_.Diagnosis | None = None) -> list[Finding]:
    """One Finding per claim of the theme (registry order); runs the diagnosis when not given.

    Raises NetworkError (from ``network``) when a claim has no check and no document that would
    settle it, since an unverifiable verdict must say what would.
    """
    found = diagnosis_.diagnose(net) if found is None else found
    values, freed, repair_note = _repaired(net, found)
    return [_finding(net, claim_id, found, values, freed, repair_note) for claim_id in net.claims()]


# ---------------------------------------------------------------------------------------------


def _repaired(net: Network, found: diagnosis_.Diagnosis) -> tuple[dict, set, dict]:
    """The figures with the leading hypothesis applied, the figures it sets free, and for each
    changed figure the note a supported claim's explanation carries."""
    lead = found.leading
    overrides: dict[str, Interval] = {}
    freed: set[str] = set()
    notes: dict[str, str] = {}
    for change in lead.changes if lead else ():
        if change.is_slip:
            overrides[change.quantity] = change.interval
            notes[change.quantity] = (
                f"once {_name(net, change.quantity)} is read as {change.reading}"
            )
        else:
            freed.add(change.quantity)
    values = net.values(overrides)
    for qid in freed:
        values[qid] = EVERYTHING
    return values, freed, notes


def _finding(
    net: Network,
    claim_id: str,
    found: diagnosis_.Diagnosis,
    values: Mapping[str, Interval],
    freed: set,
    repair_note: Mapping[str, str],
) -> Finding:
    quantity = net.claim(claim_id)  # the network's quantity; added from the registry if new
    touching = [c for c in net.constraints.values() if claim_id in c.inputs]
    # A domain that holds says nothing about the claim; one that fails as printed is named like
    # any check.
    printed = net.values()
    ids = tuple(c.id for c in touching if c.role != "domain" or c.evaluate(printed).violated)
    stated = quantity.printed
    if claim_id in found.implicated:
        return _discrepancy(net, claim_id, found, ids)
    wording = net.wordings.get(claim_id)
    if wording is not None:
        intended, literal = net.constraints[wording.intended], net.constraints[wording.literal]
        if intended.evaluate(values).holds and literal.evaluate(values).violated:
            evidence = (
                _evidence(net, claim_id, [intended], values) if intended.comparable else "indirect"
            )
            text = (
                f"{wording.why}. {describe(net, intended.id)}; read literally, "
                f"{describe(net, literal.id)}"
            )
            return _make(
                net,
                claim_id,
                "misleading",
                _with_warnings(text, [intended, literal], net),
                evidence,
                _range(net, claim_id, [intended], values),
                [intended, literal],
                ids,
            )
    checks_ = [c for c in touching if c.role == "check"]
    buckets: dict[str, list[Constraint]] = {
        "support": [],
        "vacuous": [],
        "failing": [],
        "indirect_ok": [],
        "indirect_bad": [],
    }
    for c in checks_:
        buckets[_bucket(c, claim_id, values)].append(c)
    supports, vacuous, failing_elsewhere = (
        buckets["support"],
        buckets["vacuous"],
        buckets["failing"],
    )
    indirect_ok, indirect_bad = buckets["indirect_ok"], buckets["indirect_bad"]
    independent = [c for c in supports if _independent(net, c)]
    full = [c for c in independent if not c.partial]
    part = [c for c in independent if c.partial]
    internal = [c for c in supports if not _independent(net, c)]
    for group, verdict_if_tight, evidence_if_tight in (
        (full, "confirmed", "exact"),
        (part, "confirmed", "partial"),
        (internal, "consistent", "exact"),
    ):
        if not group:
            continue
        tight = _tight(net, claim_id, group, values)
        verdict = verdict_if_tight if tight else "consistent"
        evidence = evidence_if_tight if tight else ("partial" if group is part else "bounds")
        text = _support_text(net, claim_id, group, values, repair_note, tight)
        text += _also(net, indirect_ok, indirect_bad, failing_elsewhere, found)
        return _make(
            net,
            claim_id,
            verdict,
            _with_warnings(text, group, net),
            evidence,
            _range(net, claim_id, group, values),
            group,
            ids,
        )
    if indirect_ok or indirect_bad:
        used = indirect_ok + indirect_bad
        verdict = "consistent" if not indirect_bad else "unverifiable"
        lines = [_indirect_line(net, c, values) for c in used]
        text = (
            "Not checkable like for like. "
            + " ".join(lines)
            + (
                " A difference between figures of different scope or date is not evidence that "
                "the report is wrong."
                if indirect_bad
                else " A match with a figure of another scope or date supports the claim without "
                "confirming it."
            )
        )
        text += _settle(net, claim_id, verdict)
        text += _also(net, [], [], failing_elsewhere, found)
        return _make(
            net, claim_id, verdict, _with_warnings(text, used, net), "indirect", None, used, ids
        )
    if failing_elsewhere:
        text = (
            " ".join(describe(net, c.id) for c in failing_elsewhere)
            + ". The diagnosis cannot tell which of "
            "its figures is wrong, and does not single out this one."
        )
        return _make(
            net,
            claim_id,
            "unverifiable",
            _with_warnings(text, failing_elsewhere, net),
            "none",
            None,
            failing_elsewhere,
            ids,
        )
    why = (
        "no check here can bound it"
        if not vacuous
        else "its only check"
        + ("s" if len(vacuous) > 1 else "")
        + f" ({', '.join(c.id for c in vacuous)}) "
        "would hold whatever the figure were, or cannot be evaluated with these figures"
    )
    if claim_id not in net.settle and not [c for c in touching if c.role in ("check", "reading")]:
        raise NetworkError(
            f"{claim_id} has no check; name the document that would settle it "
            f"with net.would_settle({claim_id!r}, ...)"
        )
    # A claim whose checks were declared but bound nothing here (a very wide tolerance can do
    # that) still says what would settle it.
    settle = net.settle.get(
        claim_id, "a source that measures the same figure, on the same definition and date,"
    )
    text = f"Nothing here can check it: {why}. {_capital(settle)} would settle it."
    return Finding(
        claim_id,
        "unverifiable",
        text,
        stated,
        unit=quantity.unit,
        evidence="none",
        sources=_sources(net, vacuous),
        constraints=ids,
    )


def _discrepancy(
    net: Network, claim_id: str, found: diagnosis_.Diagnosis, ids: tuple[str, ...]
) -> Finding:
    best = found.best_for(claim_id)
    change = next(c for c in best.changes if c.quantity == claim_id)
    failing = [net.constraints[c] for c in found.violated if claim_id in net.constraints[c].inputs]
    values = net.values()
    evidence = "exact" if _tight(net, claim_id, failing, values) else "bounds"
    many = len(failing) > 1
    text = (
        f"{'These like-for-like checks fail' if many else 'A like-for-like check fails'} and "
        "this figure enters "
        f"{'them all' if many else 'it'}: " + "; ".join(describe(net, c.id) for c in failing) + ". "
    )
    text += f"Diagnosis: {diagnosis_.sentence(net, best)}."
    rivals = [h for h in found.hypotheses if h.tier() == best.tier() and h is not best][:2]
    if rivals:
        text += " Equally possible: " + "; ".join(diagnosis_.sentence(net, h) for h in rivals) + "."
    likely = likely_value(net, change) if change.is_slip else ""
    required = _range(net, claim_id, failing, values)
    return _make(
        net,
        claim_id,
        "discrepancy",
        _with_warnings(text, failing, net),
        evidence,
        required,
        failing,
        ids,
        likely,
    )


def likely_value(net: Network, change: diagnosis_.Change) -> str:
    """The value a slip says the figure read, as a number in the claim's unit ("45.437")."""
    if change.slip == "percent_points":
        return units.fmt(change.interval.mid)
    value = net.quantities[change.quantity].reprinted(change.reading).value
    return format(Decimal(repr(value)).normalize(), "f")


def _bucket(c: Constraint, claim_id: str, values: Mapping[str, Interval]) -> str:
    """What a check says about a claim: support / failing (like for like), indirect_ok /
    indirect_bad (not like for like), or vacuous (it cannot be evaluated, or bounds nothing)."""
    ev = c.evaluate(values)
    if ev.status == "unknown":
        return "vacuous"
    bounded = _bounds(c.feasible(claim_id, values)) or c.relation == "whole"
    if c.comparable:
        return "failing" if ev.violated else ("support" if bounded else "vacuous")
    return "indirect_bad" if ev.violated else ("indirect_ok" if bounded else "vacuous")


def _bounds(x: Interval | None) -> bool:
    return x is not None and not (math.isinf(x.lo) and math.isinf(x.hi))


def _range(
    net: Network, claim_id: str, constraints: list[Constraint], values: Mapping[str, Interval]
) -> Interval | None:
    allowed: Interval | None = EVERYTHING
    for c in constraints:
        allowed = intersect(allowed, c.feasible(claim_id, values))
    return allowed


def _tight(
    net: Network, claim_id: str, constraints: list[Constraint], values: Mapping[str, Interval]
) -> bool:
    allowed = _range(net, claim_id, constraints, values)
    if allowed is None or math.isinf(allowed.lo) or math.isinf(allowed.hi):
        return False
    size = abs(net.quantities[claim_id].stated.value) or 1.0
    return allowed.width <= TIGHT * size


def _independent(net: Network, c: Constraint) -> bool:
    return any(net.quantities[q].independent for q in c.inputs)


def _name(net: Network, qid: str) -> str:
    q = net.quantities[qid]
    return q.id if q.kind == "claim" else f"the source's {q.label}"


def _support_text(
    net: Network,
    claim_id: str,
    group: list[Constraint],
    values: Mapping[str, Interval],
    notes: Mapping[str, str],
    tight: bool,
) -> str:
    lines = []
    for c in group:
        line = _line(net, c, values)
        repaired = [notes[q] for q in c.inputs if q in notes and q != claim_id]
        if repaired:
            line += f" ({'; '.join(repaired)})"
        if c.partial:
            line += f"; supported only in part: {c.partial}"
        lines.append(line)
    allowed = _range(net, claim_id, group, values)
    unit = net.quantities[claim_id].unit
    others = {q for c in group for q in c.inputs if net.quantities[q].same_publisher}
    if tight:
        lead = "Agrees within rounding: "
    else:
        lead = f"Fits, but the checks only bound it ({units.fmt_interval(allowed, unit)}): "
    text = lead + "; ".join(lines) + "."
    for qid in sorted(others):
        text += (
            f" Not an independent check: {net.quantities[qid].label} "
            f"{net.quantities[qid].same_publisher}."
        )
    return text


def _line(net: Network, c: Constraint, values: Mapping[str, Interval]) -> str:
    ev = c.evaluate(values)
    if c.relation == "whole":
        return f"{c.says} ({units.fmt_interval(ev.left, c.unit)})"
    symbol = {"=": "vs", "<=": "≤", ">=": "≥"}[c.relation]
    return (
        f"{c.says} ({units.fmt_interval(ev.left, c.unit)} {symbol} "
        f"{units.fmt_interval(ev.right, c.unit)})"
    )


def _indirect_line(net: Network, c: Constraint, values: Mapping[str, Interval]) -> str:
    ev = c.evaluate(values)
    verdict = "which fits" if ev.holds else "which does not fit"
    partial = f"; and it covers only part of the claim: {c.partial}" if c.partial else ""
    return (
        f"{_capital(_line(net, c, values))}, {verdict}; the two are not like for like "
        f"({c.difference_text()}{partial})."
    )


def _also(net: Network, ok: list, bad: list, failing: list, found: diagnosis_.Diagnosis) -> str:
    parts = []
    if ok:
        parts.append(
            "Checks that are not like for like also hold: "
            + "; ".join(f"{c.says} [{c.difference_text()}]" for c in ok)
        )
    if bad:
        parts.append(
            "Checks that are not like for like fail, which is no evidence either way: "
            + "; ".join(f"{c.says} [{c.difference_text()}]" for c in bad)
        )
    return (" " + ". ".join(parts) + ".") if parts else ""


def _settle(net: Network, claim_id: str, verdict: str) -> str:
    if verdict == "unverifiable" and claim_id in net.settle:
        return f" {_capital(net.settle[claim_id])} would settle it."
    return ""


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _evidence(
    net: Network, claim_id: str, group: list[Constraint], values: Mapping[str, Interval]
) -> str:
    return "exact" if _tight(net, claim_id, group, values) else "bounds"


def _make(
    net: Network,
    claim_id: str,
    verdict: str,
    text: str,
    evidence: str,
    reconstructed: Interval | None,
    used: list[Constraint],
    ids: tuple[str, ...],
    likely: str = "",
) -> Finding:
    quantity = net.quantities[claim_id]
    return Finding(
        claim_id,
        verdict,
        text,
        quantity.printed,
        unit=quantity.unit,
        evidence=evidence,
        likely_value=likely,
        reconstructed=reconstructed,
        references=_references(net, used),
        sources=_sources(net, used),
        constraints=ids,
    )


def _references(net: Network, constraints: list[Constraint]) -> tuple[dict, ...]:
    """The reference figures the constraints use, once each in order of use."""
    seen: dict[str, dict] = {}
    for c in constraints:
        for qid in c.inputs:
            q = net.quantities[qid]
            if q.kind == "reference" and qid not in seen:
                seen[qid] = {
                    "id": qid,
                    "label": q.label,
                    "printed": q.printed,
                    "unit": q.unit,
                    "unit_as_printed": str(q.key.get("unit_as_printed", "")),
                    "value": q.stated.value,
                    "qualifier": q.stated.qualifier,
                    "shown": q.shown(),
                    "source_id": q.sources[0] if q.sources else "",
                }
    return tuple(seen.values())


def _sources(net: Network, constraints: list[Constraint]) -> tuple[str, ...]:
    found = []
    for c in constraints:
        for qid in c.inputs:
            for s in net.quantities[qid].sources:
                if s not in found and net.quantities[qid].kind == "reference":
                    found.append(s)
    return tuple(found)


def _with_warnings(text: str, constraints: list[Constraint], net: Network) -> str:
    known = set(data.sources().index)
    notes = data.source_warnings([s for s in _sources(net, constraints) if s in known])
    return text + ("" if not notes else " Warning: " + " ".join(notes))
