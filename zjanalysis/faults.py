"""Fault injection: corrupt one printed figure by one slip and see whether the network catches it.

For every claim that enters a like-for-like check, every misprint each slip class makes of it
(``slips.misprints``, plus percent printed for points where a check measures the claim against a
base rate) is put in place of the printed figure, and the network the claim's notebook recorded
is evaluated again: does the diagnosis mark the claim `discrepancy`, and does it name the
original figure?

The experiment starts from the report *as the diagnosis reads it*: where the recorded network
already blames a figure and a slip explains it, that figure is first put back to its likely
reading, so each injected slip is the only fault (two faults at once is another experiment).

A misprint no check can see is counted apart, with the reason: inside rounding (its range meets
the original's) or inside what the checks resolve (they only bound the figure).

``python -m zjanalysis.faults`` prints the detection table the README carries. The networks are
read from the committed notebooks' outputs (their default parameters); the end-to-end tests
render notebooks against corrupted copies of data/ to prove a render reaches the same verdicts.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from zjanalysis import diagnosis, figures, paths, records, slips, verdicts
from zjanalysis.expressions import NOT_COUNTED
from zjanalysis.network import Network, from_payload

TOP = 3  # "among the top hypotheses": the first three readings of the corrupted figure


@dataclass(frozen=True)
class Injection:
    """One corrupted figure: ``claim_id`` printed as ``misprint`` instead of ``original``."""

    claim_id: str
    kind: str
    original: str
    misprint: str
    detail: str


@dataclass(frozen=True)
class Outcome:
    """What the network made of an injection.

    ``seen``: some like-for-like check fails; ``flagged``: the claim's verdict is discrepancy;
    ``first``: the first-ranked hypothesis reads the original; ``top``: the original is among the
    first ``TOP`` readings the ranking gives for this figure; ``reason`` says why an unseen or
    unflagged misprint was missed.
    """

    injection: Injection
    seen: bool
    flagged: bool
    first: bool
    top: bool
    reason: str = ""
    readings: tuple = ()  # the corrupted figure's readings, in the order the hypotheses rank them


def recorded_networks(notebooks: Iterable[Path] | None = None) -> list[dict]:
    """The networks recorded in the committed notebooks' outputs (default parameters)."""
    found = []
    for path in sorted(notebooks or paths.notebooks_dir().glob("0[1-9]_*.ipynb")):
        record = records.from_notebook(json.loads(path.read_text(encoding="utf-8")), path.name)
        if record is not None and record.get("network"):
            found.append(record["network"])
    return found


def corrections(net: Network) -> dict[str, str]:
    """The figures the network's leading hypothesis reads differently, as quantity id → text."""
    lead = diagnosis.diagnose(net).leading
    return {c.quantity: c.reading for c in (lead.changes if lead else ()) if c.is_slip}


def corrected(net: Network) -> Network:
    """``net`` with its leading hypothesis's slips undone: the report as the diagnosis reads it."""
    for qid, text in corrections(net).items():
        quantity = net.quantities[qid]
        if text in {s.text for s in quantity.readings()}:
            quantity.stated = quantity.reprinted(text)
    return net


def injections(net: Network, claim_id: str) -> list[Injection]:
    """Every misprint of ``claim_id`` one slip makes (all positions, all classes)."""
    quantity = net.quantities[claim_id]
    found = [
        Injection(claim_id, s.kind, quantity.printed, s.text, s.detail)
        for s in slips.misprints(quantity.printed, counting_unit=quantity.unit not in NOT_COUNTED)
    ]
    for base, kind in diagnosis.percent_bases(net, claim_id):
        value = quantity.stated.interval.mid
        other = value / base.mid * 100 if kind == "points" else value * base.mid / 100
        text = _like(quantity.printed, other)
        found.append(
            Injection(
                claim_id,
                "percent_points",
                quantity.printed,
                text,
                "the gap printed as percent of the base rate"
                if kind == "points"
                else "the gap printed in points",
            )
        )
    return found


def printed_corrections(bodies: list[dict] | None = None) -> dict[str, str]:
    """claim id → the text the diagnosis reads a claim as, for every recorded network whose
    leading hypothesis puts a slip right (what ``corrected`` applies, as registry text)."""
    found = {}
    for body in bodies if bodies is not None else recorded_networks():
        net = from_payload(body)
        for qid, text in corrections(net).items():
            if net.quantities[qid].kind == "claim":
                found[qid] = text
    return found


def notebook_of(claim_id: str) -> Path:
    """The notebook that records ``claim_id`` (by the registry's theme)."""
    from zjanalysis import data

    theme = str(data.claim(claim_id)["theme"])
    root = paths.notebooks_dir()
    return next(root.glob(f"[0-9][0-9]_{theme}.ipynb"))


def checked_claims(net: Network) -> list[str]:
    """The claims that enter a like-for-like check or a translation check (the ones a slip could
    be caught in by evidence). A domain alone (a share within 0-100 %) catches only the slips that
    leave it, so it does not make a claim "checked" here; its catches are still counted when a
    checked claim's misprint breaks it."""
    evidence = [c for c in diagnosis.blamable(net) if c.role != "domain"]
    return [q for q in net.claims() if any(q in c.inputs for c in evidence)]


def evaluate(body: dict | Network, injection: Injection) -> Outcome:
    """Put the misprint in place in the corrected network (rebuilt from ``body``, or the corrected
    network itself, which is left as it was) and judge what the diagnosis and verdicts make of
    it."""
    net = corrected(from_payload(body)) if isinstance(body, dict) else body
    quantity = net.quantities[injection.claim_id]
    original = quantity.stated
    quantity.stated = quantity.reprinted(injection.misprint)
    try:
        return _judge(net, injection, quantity, original)
    finally:
        quantity.stated = original


def _judge(net: Network, injection: Injection, quantity, original: figures.Stated) -> Outcome:
    found = diagnosis.diagnose(net)
    seen = bool(found.violated)
    if not seen:
        reason = (
            "inside rounding"
            if quantity.stated.interval.overlaps(original.interval)
            else "inside what the checks resolve"
        )
        return Outcome(injection, False, False, False, False, reason)
    finding = next(f for f in verdicts.derive(net, found) if f.claim_id == injection.claim_id)
    ranked = tuple(
        c
        for h in found.hypotheses
        for c in h.changes
        if c.quantity == injection.claim_id and c.is_slip
    )
    readings = ranked[:TOP]
    lead = found.hypotheses[0] if found.hypotheses else None
    first = bool(lead) and any(
        c.quantity == injection.claim_id and _same(c, original) for c in lead.changes
    )
    top = any(_same(c, original) for c in readings)
    reason = ""
    if finding.verdict != "discrepancy":
        others = sorted(found.implicated - {injection.claim_id})
        reason = f"blamed on {', '.join(others)}" if others else f"verdict {finding.verdict}"
    elif not top:
        reason = "the original is not among the first hypotheses"
    return Outcome(injection, True, finding.verdict == "discrepancy", first, top, reason, ranked)


def run(bodies: list[dict] | None = None) -> list[Outcome]:
    """Every injection into every checked claim of every recorded network, judged."""
    outcomes = []
    for body in bodies if bodies is not None else recorded_networks():
        net = corrected(from_payload(body))
        for claim_id in checked_claims(net):
            for injection in injections(net, claim_id):
                outcomes.append(evaluate(net, injection))
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    """The detection table by slip class, as Markdown."""
    lines = [
        "| slip class | misprints | seen by a check | flagged (of seen) | original ranked first | "
        "original among its first three readings |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in slips.CLASSES + ("all",):
        mine = [o for o in outcomes if kind == "all" or o.injection.kind == kind]
        if not mine:
            continue
        seen = [o for o in mine if o.seen]
        name = "**all**" if kind == "all" else slips.NAMES[kind]
        lines.append(
            f"| {name} | {len(mine)} | {_pct(len(seen), len(mine))} | "
            f"{_pct(sum(o.flagged for o in seen), len(seen))} | "
            f"{_pct(sum(o.first for o in seen), len(seen))} | "
            f"{_pct(sum(o.top for o in seen), len(seen))} |"
        )
    return "\n".join(lines) + "\n"


def misses(outcomes: list[Outcome]) -> dict[str, int]:
    """How many misprints were missed, by reason."""
    counted: dict[str, int] = {}
    for o in outcomes:
        if o.reason:
            key = o.reason if not o.reason.startswith("blamed on") else "blamed on another figure"
            counted[key] = counted.get(key, 0) + 1
    return dict(sorted(counted.items()))


# ---------------------------------------------------------------------------------------------
# Corrupted copies of data/ (for end-to-end renders)


def write_copy(source: Path, target: Path, changes: dict[str, str]) -> Path:
    """Copy the data package ``source`` to ``target`` with claims printed as ``changes`` says
    (claim id → new figure text); the ``value`` column follows the text, converted as the
    original was. Returns ``target``. Raises KeyError for a claim id not in claims.csv."""
    shutil.copytree(source, target)
    path = target / "claims.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    known = {r["claim_id"] for r in rows}
    missing = sorted(set(changes) - known)
    if missing:
        raise KeyError(f"no claim {', '.join(missing)} in {path}")
    for row in rows:
        if row["claim_id"] in changes:
            text = changes[row["claim_id"]]
            original = figures.stated(
                row["figure_text"],
                qualifier=row["qualifier"],
                unit=row["unit"],
                scale=figures._scale_between(*_number_and_value(row)),
            )
            row["value"] = _plain_number(figures.reprinted(original, text).value)
            row["figure_text"] = text
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return target


# ---------------------------------------------------------------------------------------------


def _number_and_value(row: dict) -> tuple[Decimal, float]:
    match = figures._printed_number(row["figure_text"])
    number = (
        figures._decimal(match)
        if match and row["qualifier"] != "rank"
        else Decimal(str(row["value"]))
    )
    return number, float(row["value"])


def _plain_number(value: float) -> str:
    return format(Decimal(repr(value)).normalize(), "f")


def _same(change: diagnosis.Change, original: figures.Stated) -> bool:
    if not change.is_slip:
        return False
    return change.interval.overlaps(original.interval) and abs(
        change.interval.mid - original.interval.mid
    ) <= (original.interval.width / 2 + 1e-9)


def _like(printed: str, value: float) -> str:
    """``value`` printed with as many decimals as ``printed`` has, in its words ("32.9%")."""
    match = figures._printed_number(printed)
    decimals = max(0, -figures._decimal(match).as_tuple().exponent) if match else 1
    return printed[: match.start()] + f"{value:.{decimals}f}" + printed[match.end() :]


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f} %)" if whole else "—"


def main(argv: list[str] | None = None) -> int:
    """Print the detection table and the reasons for misses; exit 0."""
    outcomes = run()
    sys.stdout.write(table(outcomes))
    sys.stdout.write("\nmissed, by reason: " + json.dumps(misses(outcomes)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
