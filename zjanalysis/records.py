"""The run record: everything one run of a notebook decided, as one versioned JSON document.

A theme notebook ends its checks with ``result = records.emit(net)``: the network is diagnosed,
every claim's verdict derived, and the record displayed once, as the findings table (text and
HTML) with the record itself under ``MIME``. Nothing else leaves the kernel: the renderer reads
that one output (``from_notebook``), adds what only it knows (``with_run``: the run's name and
parameters as passed, the input digests, the package versions), stores it beside the run's
pages, and every page of the site is a function of the set of stored records.

The schema is described field by field in ``docs/run-record.md``; ``check`` refuses a document
that is not a record of a version this code reads. Records are written by ``dumps``: keys
sorted, no time or machine in them, so the same run gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zjanalysis.diagnosis import Diagnosis
    from zjanalysis.findings import Finding
    from zjanalysis.network import Network

SCHEMA = "zjanalysis/run-record"
VERSION = 1
MIME = "application/vnd.zjanalysis.record+json"
SUFFIX = ".record.json"
# Filled by the process that ran the notebook (the renderer), not by the kernel.
RUN_FIELDS = ("run", "inputs", "versions")


class RecordError(ValueError):
    """A document is not a run record this code can read; the message says why."""


# Building a record needs the whole verdict core; reading, checking and storing one needs none of
# it, and the renderer's no-op path reads records: so the core is imported where it is used.


def build(net: Network, found: Diagnosis | None = None) -> dict:
    """The record of a network: parameters, one entry per claim of the theme (its finding, with
    its paragraph and our statement), the sources used, the network with each constraint's
    status, and the diagnosis. Runs the diagnosis when ``found`` is not given.

    Raises NetworkError (from ``verdicts.derive``) when a claim has no check and no document
    that would settle it.
    """
    from zjanalysis import diagnosis, params, verdicts

    found = diagnosis.diagnose(net) if found is None else found
    findings = verdicts.derive(net, found)
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "theme": net.theme,
        "parameters": params.checked(),
        "claims": [_claim_entry(net, f) for f in findings],
        "sources": _sources(net),
        "network": _network(net),
        "diagnosis": diagnosis.to_json(net, found),
    }


def emit(net: Network, *, title: str | None = None) -> dict:
    """Build the run's record, display it once (the findings as a text and an HTML table, and
    the record under ``MIME``), and return it for ``notebook.show_hypotheses`` and
    ``drawing.show``. Outside IPython the text table is printed."""
    from zjanalysis import display
    from zjanalysis.findings import table_bundle

    record = build(net)
    bundle = table_bundle(record["claims"], title)
    bundle[MIME] = record
    display.show(bundle)
    return record


def check(record: Any, where: str = "the record") -> dict:
    """Return ``record`` when it is a run record of a version this code reads; else raise
    RecordError naming ``where`` and what is wrong."""
    if not isinstance(record, dict) or record.get("schema") != SCHEMA:
        raise RecordError(f"{where} is not a zjanalysis run record (no schema {SCHEMA!r}).")
    if record.get("version") != VERSION:
        raise RecordError(
            f"{where} is a run record of version {record.get('version')!r}; this zjanalysis "
            f"reads version {VERSION}. Render again to rewrite it."
        )
    for name in ("claims", "parameters"):
        if name not in record:
            raise RecordError(f"{where} has no {name!r}.")
    return record


def from_notebook(nb: Any, where: str = "the notebook") -> dict | None:
    """The one record an executed notebook emitted (NotebookNode or dict), or None when it
    emitted none (the overview, or a run that failed before its checks). Raises RecordError for
    more than one record, or one this code cannot read."""
    found = []
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") in ("display_data", "execute_result") and MIME in out.get(
                "data", {}
            ):
                payload = out["data"][MIME]
                found.append(json.loads(payload) if isinstance(payload, str) else payload)
    if len(found) > 1:
        raise RecordError(
            f"{where} emitted {len(found)} run records; a run emits one (call records.emit once)."
        )
    return check(_plain(found[0]), where) if found else None


def with_run(
    record: dict | None,
    *,
    run: Mapping[str, Any],
    inputs: Mapping[str, str],
    versions: Mapping[str, str],
) -> dict:
    """The record as stored beside a run's pages: the kernel's record (an empty one when the run
    emitted none) with the run (name, notebook, edition, parameters as passed, status, message,
    outputs), the digests of its inputs and the package versions."""
    stored = (
        dict(record)
        if record is not None
        else {
            "schema": SCHEMA,
            "version": VERSION,
            "theme": "",
            "parameters": {},
            "claims": [],
            "sources": {},
            "network": None,
            "diagnosis": None,
        }
    )
    stored.update(run=dict(run), inputs=dict(inputs), versions=dict(versions))
    return stored


def dumps(record: Mapping[str, Any]) -> str:
    """The record as the JSON text stored on disk: keys sorted, one space of indent, UTF-8 text
    kept as it is, a final newline."""
    return json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def load(path: Path) -> dict:
    """The record stored at ``path``. Raises RecordError naming the file when it cannot be read
    or is not a record."""
    path = Path(path)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise RecordError(f"{path} cannot be read as a run record: {err}.") from None
    return check(record, str(path))


def load_folder(folder: Path) -> list[dict]:
    """Every record stored in ``folder`` or below it (``*.record.json``: the runs of a render,
    the student edition's in ``student/`` among them), sorted by run name. Raises RecordError
    for a file that is not a record."""
    records = [load(p) for p in sorted(Path(folder).rglob(f"*{SUFFIX}")) if p.is_file()]
    return sorted(records, key=lambda r: str(r.get("run", {}).get("name", "")))


# ---------------------------------------------------------------------------------------------


def _claim_entry(net: Network, finding: Finding) -> dict:
    quantity = net.quantities[finding.claim_id]
    key = quantity.key
    entry = finding.to_json()
    entry.update(
        theme=net.theme,
        paragraph=key.get("paragraph"),
        statement=key.get("statement", ""),
        value=quantity.stated.value if quantity.stated.value != float("inf") else None,
        qualifier=quantity.stated.qualifier,
        origin=key.get("origin", ""),
        translation=dict(key.get("translation", {})),
    )
    return entry


def _sources(net: Network) -> dict[str, dict]:
    """Every source a figure of the network cites: its short label and what a reader needs to
    find it again (publisher, title, address or locator, date), with the warning for a source
    that cannot be reopened."""
    from zjanalysis import data

    known = data.sources()
    out = {}
    for q in net.quantities.values():
        for sid in q.sources:
            if sid in out or sid not in known.index:
                continue
            row = known.loc[sid]
            out[sid] = {
                "label": data.source_label(sid),
                **{
                    k: _text(row.get(k))
                    for k in ("publisher", "title", "url", "published", "locator")
                },
                "warning": " ".join(data.source_warnings([sid])),
            }
    return dict(sorted(out.items()))


def _network(net: Network) -> dict:
    from zjanalysis.network import describe

    body = net.to_json()
    values = net.values()
    for item in body["constraints"]:
        ev = net.constraints[item["id"]].evaluate(values)
        item.update(
            status=ev.status,
            left_range=None if ev.left is None else ev.left.to_json(),
            right_range=None if ev.right is None else ev.right.to_json(),
            text=describe(net, item["id"]),
        )
    return body


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def _plain(value: Any) -> Any:
    """A NotebookNode (a dict subclass) as plain dicts and lists: records compare and dump alike."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
