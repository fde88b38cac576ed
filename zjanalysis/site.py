"""The rendered site: atomic writes, HTML pages, the claim ledger and its index page.

`render` writes each notebook through `write_atomic` and `export_html`; after a batch, `write_site`
turns the findings recorded in the render cache into `ledger.csv`, `ledger.json` and `index.html`.
Nothing here imports nbconvert until a page is exported, so the no-op render stays fast.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

from zjanalysis.checks import findings_from_notebook  # the renderer reads findings through site

FINDINGS_MIME = "application/vnd.zjanalysis.findings+json"
LEDGER_COLUMNS = (
    "claim_id", "theme", "verdict", "stated", "reconstructed", "reference",
    "explanation", "sources", "notebook", "parameters",
)
VERDICT_COLOURS = {
    "confirmed": "#1a7f37",
    "consistent": "#0969da",
    "discrepancy": "#cf222e",
    "misleading": "#bf8700",
    "unverifiable": "#6e7781",
}
TEMP_SUFFIX = ".zjtmp"

# External scripts and stylesheets (require.js and MathJax from a CDN in nbconvert's templates)
# would make the site depend on the network; they are removed after export.
_EXTERNAL_TAG = re.compile(
    r"<script\b[^>]*\bsrc=[\"']?(?:https?:)?//[^>]*>\s*</script>"
    r"|<link\b[^>]*\bhref=[\"']?(?:https?:)?//[^>]*>"
    # inline loaders that import from a CDN at run time (the lab template's mermaid loader)
    r"|<script\b[^>]*>(?:(?!</script>).)*?\bimport\(\s*[\"']https?://(?:(?!</script>).)*?</script>",
    re.IGNORECASE | re.DOTALL,
)
# Notebook-to-notebook links (the generated navigation) point at .ipynb files; on the site
# they should open the rendered page next to them.
_NOTEBOOK_LINK = re.compile(r'href="([A-Za-z0-9_.-]+)\.ipynb"')


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write `content` to `path` through a temp file in the same folder and `os.replace`.

    A reader (or an interrupted render) sees either the old file or the new one, never half.
    Returns None; raises OSError when the folder cannot be written.
    """
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # mkstemp creates 0600; published files get the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        # Also on SIGTERM/KeyboardInterrupt: no temp file may survive.
        Path(tmp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, content: str) -> None:
    """Atomically write `content` unless `path` already holds exactly it (keeps mtimes quiet)."""
    path = Path(path)
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return
    write_atomic(path, content)


def remove_temp_files(folder: Path) -> list[Path]:
    """Delete temp files left by an interrupted write under `folder`; return what was removed."""
    removed = sorted(Path(folder).rglob(f".*{TEMP_SUFFIX}")) if Path(folder).is_dir() else []
    for tmp in removed:
        tmp.unlink(missing_ok=True)
    return removed


@functools.cache
def _html_exporter() -> Any:
    """One exporter per process: building one loads and compiles the templates (~0.1 s)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", embed_images=True)


def export_html(nb: Any) -> str:
    """Return `nb` as one self-contained HTML page: images embedded, no script or style from a CDN.

    nbconvert's lab template is used with `embed_images`; its external <script src> and
    <link href> tags (require.js, MathJax) are stripped, so the page works offline (LaTeX in
    Markdown then shows as source).
    """
    body, _ = _html_exporter().from_notebook_node(nb)
    return _NOTEBOOK_LINK.sub(r'href="\1.html"', _EXTERNAL_TAG.sub("", body))


def ledger_rows(entries: dict[str, dict], out_dir: Path) -> list[dict]:
    """Return one ledger row per finding of each rendered run whose notebook still exists.

    `entries` is the render cache's `runs` mapping (run name -> entry with notebook, parameters,
    findings); rows come sorted by run name, findings in the order the notebook recorded them.
    """
    rows = []
    for name in sorted(entries):
        entry = entries[name]
        notebook = entry.get("outputs", {}).get("ipynb")
        if not notebook or not (Path(out_dir) / notebook).exists():
            continue
        for finding in entry.get("findings", []):
            row = {column: finding.get(column) for column in LEDGER_COLUMNS[:8]}
            if row["claim_id"] is None and finding.get("claim_ids"):
                row["claim_id"] = finding["claim_ids"][0]
            row["notebook"] = notebook
            row["parameters"] = entry.get("parameters", {})
            row["html"] = entry.get("outputs", {}).get("html")
            rows.append(row)
    return rows


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


def index_html(rows: list[dict]) -> str:
    """Return index.html: verdict counts and the ledger as a colour-coded table, all escaped.

    The page carries its own CSS and no scripts, so it opens offline.
    """
    esc = html.escape
    counts = Counter(row["verdict"] for row in rows)
    styles = "\n".join(
        f".v-{esc(v)} {{ color: #fff; background: {c}; padding: 0 .4em; border-radius: 3px; }}"
        for v, c in VERDICT_COLOURS.items()
    )
    summary = "".join(
        f'<li><span class="v-{esc(v)}">{esc(v)}</span> {counts.get(v, 0)}</li>'
        for v in list(VERDICT_COLOURS) + sorted(set(counts) - set(VERDICT_COLOURS))
    )
    body = []
    for row in rows:
        target = row.get("html") or row["notebook"]
        cells = [esc(_cell_text(row[c])) for c in LEDGER_COLUMNS]
        cells[2] = f'<span class="v-{esc(str(row["verdict"]))}">{cells[2]}</span>'
        cells[8] = f'<a href="{esc(target, quote=True)}">{esc(Path(str(row["notebook"])).stem)}</a>'
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{esc(c)}</th>" for c in LEDGER_COLUMNS)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>Zhejiang Internet Development Report 2018: claim ledger</title>\n<style>\n"
        "body { font-family: sans-serif; margin: 2em; line-height: 1.4; }\n"
        "table { border-collapse: collapse; font-size: .9em; }\n"
        "td, th { border: 1px solid #ccc; padding: .3em .5em; vertical-align: top; text-align: left; }\n"
        "th { background: #f3f4f6; position: sticky; top: 0; }\n"
        "td:nth-child(1), td:nth-child(3), td:nth-child(9) { white-space: nowrap; }\n"
        "td:nth-child(7) { min-width: 28em; }\n"
        "ul.counts { list-style: none; padding: 0; } ul.counts li { display: inline; margin-right: 1.2em; }\n"
        f"{styles}\n</style>\n</head>\n<body>\n"
        "<h1>Claim ledger</h1>\n"
        "<p>Every figure printed in the English summary of the <i>Zhejiang Internet Development "
        "Report 2018</i>, checked against independent sources where any exist. "
        f"{len(rows)} findings; each links to the notebook page that explains it.</p>\n"
        f"<ul class=\"counts\">{summary}</ul>\n"
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body)
        + "\n</tbody>\n</table>\n</body>\n</html>\n"
    )


def write_site(out_dir: Path, entries: dict[str, dict]) -> list[dict]:
    """Write ledger.csv, ledger.json and index.html into `out_dir`; return the ledger rows."""
    out_dir = Path(out_dir)
    rows = ledger_rows(entries, out_dir)
    write_if_changed(out_dir / "ledger.csv", ledger_csv(rows))
    write_if_changed(out_dir / "ledger.json", ledger_json(rows))
    write_if_changed(out_dir / "index.html", index_html(rows))
    return rows


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
    columns = ("claim_id", "verdict", "stated", "reconstructed", "reference", "notebook")
    table = [list(columns)]
    for row in rows:
        cells = [_cell_text(row.get(c)).replace("\n", " ") for c in columns]
        table.append([c if len(c) <= width else c[: width - 1] + "…" for c in cells])
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    counts = Counter(row.get("verdict") for row in rows)
    lines.append("")
    lines.append(", ".join(f"{v}: {counts[v]}" for v in sorted(counts, key=str)) or "no findings")
    return "\n".join(lines) + "\n"
