"""The rendered site, built from the run records in an output folder and nothing else.

``build(DIR)`` reads every ``*.record.json`` below DIR and writes ``ledger.csv``,
``ledger.json``, ``index.html`` (the readers' page), ``ledger.html`` (the analysts' full ledger)
and ``network.html`` into it, each only when its bytes change.
It reads no notebook, no cache and no data: deleting the site files and the render cache and
building again gives the same bytes (``zjanalysis site --out DIR``).
"""

from __future__ import annotations

from pathlib import Path

FILES = ("ledger.csv", "ledger.json", "index.html", "ledger.html", "network.html")


def build(out_dir: Path) -> list[dict]:
    """Write the site files of `out_dir` from its run records; return the ledger rows. Raises
    RecordError (from ``records``) naming a stored file that is not a run record."""
    # Imported here: the renderer needs FILES on every render, the pages only when they change.
    from zjanalysis import atomic, records
    from zjanalysis.site import ledger, pages

    out_dir = Path(out_dir)
    stored = records.load_folder(out_dir)
    rows = ledger.rows(stored)
    atomic.write_if_changed(out_dir / "ledger.csv", ledger.ledger_csv(rows))
    atomic.write_if_changed(out_dir / "ledger.json", ledger.ledger_json(rows))
    atomic.write_if_changed(out_dir / "index.html", pages.index_html(stored))
    atomic.write_if_changed(out_dir / "ledger.html", pages.ledger_html(rows, stored))
    atomic.write_if_changed(out_dir / "network.html", pages.network_html(stored))
    return rows
