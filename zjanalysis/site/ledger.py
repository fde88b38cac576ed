"""The claim ledger: one row per claim of every stored run record, as CSV, JSON and text.

Rows are a pure function of the records: the order is the runs' names, then the claims in the
order their notebook recorded them; the reconstructed range and the reference figures are
written from the record's structured fields by the same functions the notebook's table uses.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from zjanalysis.findings import reconstructed_text, reference_text

# What a run records for each claim, then which run it comes from.
FINDING_COLUMNS = (
    "claim_id",
    "theme",
    "verdict",
    "evidence",
    "stated",
    "likely_value",
    "reconstructed",
    "reference",
    "explanation",
    "sources",
    "constraints",
    "translation",
)
LEDGER_COLUMNS = FINDING_COLUMNS + ("notebook", "parameters")


def rows(records: Iterable[dict]) -> list[dict]:
    """One ledger row per claim of each record (records in the order given; see
    ``records.load_folder``): the ledger columns, plus the run's page (``html``)."""
    found = []
    for record in records:
        run = record.get("run", {})
        outputs = run.get("outputs", {})
        for claim in record.get("claims", []):
            row = {column: claim.get(column) for column in FINDING_COLUMNS}
            row.update(
                reconstructed=reconstructed_text(claim),
                reference=reference_text(claim),
                translation=(claim.get("translation") or {}).get("value", ""),
                notebook=outputs.get("ipynb"),
                parameters=run.get("parameters", {}),
                html=outputs.get("html"),
            )
            found.append(row)
    return found


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def ledger_csv(rows: list[dict]) -> str:
    """Return the ledger as CSV text (lists joined with '; ', parameters as JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LEDGER_COLUMNS)
    for row in rows:
        writer.writerow([_cell_text(row[column]) for column in LEDGER_COLUMNS])
    return buffer.getvalue()


def ledger_json(rows: list[dict]) -> str:
    """Return the ledger as a JSON list of objects with the ledger columns, keys sorted."""
    plain = [{column: row[column] for column in LEDGER_COLUMNS} for row in rows]
    return json.dumps(plain, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def read_ledger(folder: Path) -> list[dict]:
    """Return the rows of `folder`/ledger.json; raises FileNotFoundError with a hint if absent."""
    path = Path(folder) / "ledger.json"
    if not path.exists():
        raise FileNotFoundError(
            f"No ledger at {path}; run `zjanalysis render --out {folder}` first."
        )
    return json.loads(path.read_text(encoding="utf-8"))


def format_ledger(rows: Iterable[dict], width: int = 40) -> str:
    """Return the ledger as an aligned text table (long cells cut to `width`) and verdict counts."""
    rows = list(rows)
    columns = (
        "claim_id",
        "verdict",
        "evidence",
        "stated",
        "likely_value",
        "constraints",
        "notebook",
    )
    table = [list(columns)]
    for row in rows:
        cells = [_cell_text(row.get(c)).replace("\n", " ") for c in columns]
        table.append([c if len(c) <= width else c[: width - 1] + "…" for c in cells])
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    counts = Counter(row.get("verdict") for row in rows)
    lines.append("")
    lines.append(", ".join(f"{v}: {counts[v]}" for v in sorted(counts, key=str)) or "no findings")
    return "\n".join(lines) + "\n"
