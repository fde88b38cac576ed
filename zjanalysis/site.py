"""The rendered site: atomic writes, HTML pages, the claim ledger, its index and the network page.

`render` writes each notebook through `write_atomic` and `export_html`; after a batch, `write_site`
turns the findings and networks recorded in the render cache into `ledger.csv`, `ledger.json`,
`index.html` and `network.html`. The two pages are Jinja2 templates (`zjanalysis/templates/`,
escaped by default); their charts are inline SVG written here, so the site needs no script and
no network. Nothing here imports nbconvert until a page is exported, nor Jinja2 until the site is
written, so the no-op render stays fast.
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
from zjanalysis.network import MIME as NETWORK_MIME
from zjanalysis.network import drawn, layout

FINDINGS_MIME = "application/vnd.zjanalysis.findings+json"
# What a notebook records for each claim, then where the finding comes from.
FINDING_COLUMNS = (
    "claim_id", "theme", "verdict", "evidence", "stated", "likely_value", "reconstructed",
    "reference", "explanation", "sources", "constraints",
)
LEDGER_COLUMNS = FINDING_COLUMNS + ("notebook", "parameters")
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


def prepare_folder(folder: Path) -> str | None:
    """Create the output folder (`--out`) if needed, prove it is writable and clear temp files
    an interrupted write left in it (call it holding the folder's lock). Return None, or one
    sentence saying why the folder cannot be used."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / ".write-test", b"")
        (folder / ".write-test").unlink()
    except OSError as err:
        return f"Cannot write to --out {folder}: {err.strerror or err}."
    remove_temp_files(folder)
    return None


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
            row = {column: finding.get(column) for column in FINDING_COLUMNS}
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


def network_from_notebook(nb) -> list[dict]:
    """Every network recorded by ``verdicts.record`` in an executed notebook, in cell order."""
    found = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            payload = out.get("data", {}).get(NETWORK_MIME)
            if payload is not None:
                found.append(json.loads(payload) if isinstance(payload, str) else payload)
    return found


@functools.cache
def _templates() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                              autoescape=True, trim_blocks=False, keep_trailing_newline=True)


def _page(name: str, **context: Any) -> str:
    return _templates().get_template(name).render(colours=VERDICT_COLOURS, **context)


def _link(entry_or_row: dict) -> tuple[str, str]:
    target = entry_or_row.get("html") or entry_or_row["notebook"]
    return target, Path(str(entry_or_row["notebook"])).stem


def index_html(rows: list[dict], entries: dict[str, dict] | None = None) -> str:
    """Return index.html: verdict counts, the likely misprints, verdicts by theme, and the ledger
    (one row per finding, colour-coded, linking its notebook page). Everything is escaped; the
    page carries its own CSS and no script, so it opens offline.
    """
    counts = Counter(row["verdict"] for row in rows)
    order = list(VERDICT_COLOURS) + sorted(set(counts) - set(VERDICT_COLOURS))
    shown = []
    for row in rows:
        href, page = _link(row)
        shown.append({**{c: _cell_text(row.get(c)) for c in LEDGER_COLUMNS}, "href": href, "page": page,
                      "parameters": _cell_text(row.get("parameters")) if row.get("parameters") else ""})
    return _page("index.html", rows=shown, counts=[(v, counts.get(v, 0)) for v in order],
                 misprints=misprints(rows, entries or {}), chart=verdict_chart(rows))


def misprints(rows: list[dict], entries: dict[str, dict]) -> list[dict]:
    """The ledger's discrepancies that a slip explains: claim, printed, likely reading, strength,
    the diagnosis in a sentence, and the notebook page; likely ones first."""
    networks = {}
    for entry in entries.values():
        for body in entry.get("network", []):
            networks[(entry.get("outputs", {}).get("ipynb"), body.get("theme"))] = body
    found = []
    for row in rows:
        if row["verdict"] != "discrepancy" or not row.get("likely_value"):
            continue
        body = next((b for (nb, _), b in networks.items() if nb == row["notebook"]), {})
        hypothesis = next((h for h in body.get("hypotheses", [])
                           if any(c["quantity"] == row["claim_id"] for c in h["changes"])), None)
        change = next((c for c in hypothesis["changes"] if c["quantity"] == row["claim_id"]), {}) if hypothesis else {}
        href, page = _link(row)
        found.append({"claim_id": row["claim_id"], "printed": row["stated"],
                      "reading": change.get("reading") or row["likely_value"],
                      "strength": hypothesis["strength"] if hypothesis else "",
                      "sentence": hypothesis["sentence"] if hypothesis else row["explanation"],
                      "href": href, "page": page})
    found.sort(key=lambda m: (m["strength"] != "likely", m["page"], m["claim_id"]))
    return found


def verdict_chart(rows: list[dict]) -> str:
    """An inline SVG: one bar per theme, split into its verdicts (counts written on the bars)."""
    esc = html.escape
    themes: dict[str, Counter] = {}
    for row in rows:
        themes.setdefault(str(row.get("theme") or "?"), Counter())[row["verdict"]] += 1
    if not themes:
        return "<p>No findings yet.</p>"
    most = max(sum(c.values()) for c in themes.values())
    bar, label_w, step, width = 24, 170, 32, 720
    scale = (width - label_w - 20) / most
    parts = [f'<svg class="verdict-chart" role="img" aria-label="Verdicts by theme" width="{width}" '
             f'height="{step * len(themes) + 40}" viewBox="0 0 {width} {step * len(themes) + 40}">']
    for i, (theme, counts) in enumerate(themes.items()):
        y = 8 + i * step
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="12">{esc(theme)}</text>')
        x = float(label_w)
        for verdict, colour in VERDICT_COLOURS.items():
            n = counts.get(verdict, 0)
            if not n:
                continue
            w = n * scale
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}">'
                         f'<title>{esc(theme)}: {n} {verdict}</title></rect>')
            parts.append(f'<text x="{x + w / 2:.1f}" y="{y + 16}" text-anchor="middle" font-size="11" '
                         f'fill="#fff">{n}</text>')
            x += w
    y = 14 + len(themes) * step
    x = float(label_w)
    for verdict, colour in VERDICT_COLOURS.items():
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14:.1f}" y="{y + 9}" font-size="11">{verdict}</text>')
        x += 14 + 7.2 * len(verdict) + 14
    parts.append("</svg>")
    return "".join(parts)


def _default_runs(entries: dict[str, dict]) -> list[tuple[str, dict]]:
    """One run per notebook for the network page: its run without parameters, else its first."""
    chosen: dict[str, tuple[str, dict]] = {}
    for name in sorted(entries):
        entry = entries[name]
        notebook = str(entry.get("notebook") or name)
        if not entry.get("network") or not entry.get("outputs", {}).get("ipynb"):
            continue
        if notebook not in chosen or (not entry.get("parameters") and chosen[notebook][1].get("parameters")):
            chosen[notebook] = (name, entry)
    return [chosen[k] for k in sorted(chosen)]


def network_svg(body: dict) -> str:
    """One theme's network as inline SVG, in the layout of ``network.layout``."""
    esc = html.escape
    places = layout(body)
    rows = max(y for _, y in places.values()) + 1
    col = {0: 300.0, 1: 520.0, 2: 740.0}
    row_h, top, width = 54.0, 40.0, 1100
    height = int(top + rows * row_h + 10)
    verdicts = body.get("verdicts", {})
    blamed = set(body.get("implicated", []))
    likely = {ch["quantity"]: ch["reading"] for h in body.get("hypotheses", [])[:1] for ch in h["changes"]
              if ch["reading"]}

    def at(node: str) -> tuple[float, float]:
        x, y = places[node]
        return col[int(x)], top + y * row_h

    out = [f'<svg class="network" role="img" aria-label="Claim network: {esc(body.get("theme", ""))}" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for x, name in ((0, "the report's figures"), (1, "checks"), (2, "reference figures")):
        out.append(f'<text x="{col[x]:.0f}" y="16" text-anchor="middle" font-size="12" font-style="italic" '
                   f'fill="#57606a">{name}</text>')
    for c in body["constraints"]:
        cx, cy = at(f"c:{c['id']}")
        dash = ' stroke-dasharray="2,3"' if c["role"] == "reading" else (' stroke-dasharray="6,4"' if c["differs"] else "")
        for qid in c["inputs"]:
            qx, qy = at(f"q:{qid}")
            out.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{qx:.1f}" y2="{qy:.1f}" stroke="#b0b0b0" '
                       f'stroke-width="1.2"{dash}/>')
    for c in body["constraints"]:
        cx, cy = at(f"c:{c['id']}")
        fails = c.get("status") == "violated"
        colour = "#cf222e" if fails and not c["differs"] and c["role"] == "check" else (
            "#9a9a9a" if c["differs"] or c["role"] == "reading" else "#1a7f37")
        fill = "#fff" if fails else colour
        out.append(f'<polygon points="{cx:.1f},{cy - 8:.1f} {cx + 8:.1f},{cy:.1f} {cx:.1f},{cy + 8:.1f} '
                   f'{cx - 8:.1f},{cy:.1f}" fill="{fill}" stroke="{colour}" stroke-width="2">'
                   f'<title>{esc(c.get("text") or c["says"])}</title></polygon>')
        out.append(f'<text x="{cx:.1f}" y="{cy - 12:.1f}" text-anchor="middle" font-size="10.5">'
                   f'{esc(c["id"].split(".", 1)[1])}</text>')
    for q in drawn(body):
        qx, qy = at(f"q:{q['id']}")
        claim = q["kind"] == "claim"
        verdict = verdicts.get(q["id"], {}).get("verdict", "")
        name = q["id"].split(".", 1)[1] if claim else q["label"]
        name = name if len(name) <= 42 else name[:41] + "…"
        value = q.get("shown") or q["printed"]
        value += f" → {likely[q['id']]}" if q["id"] in likely else ""
        anchor, tx = ("end", qx - 10) if claim else ("start", qx + 10)
        fill = VERDICT_COLOURS.get(verdict, "#57606a") if claim else "#57606a"
        stroke = ' stroke="#cf222e" stroke-width="3"' if q["id"] in blamed else ""
        out.append(f'<circle cx="{qx:.1f}" cy="{qy:.1f}" r="5" fill="{fill}"{stroke}/>')
        weight = ' font-weight="bold"' if q["id"] in blamed else ""
        out.append(f'<text x="{tx:.1f}" y="{qy - 3:.1f}" text-anchor="{anchor}" font-size="11.5"{weight}>'
                   f'{esc(name)}</text>')
        out.append(f'<text x="{tx:.1f}" y="{qy + 11:.1f}" text-anchor="{anchor}" font-size="10.5" fill="{fill}">'
                   f'{esc(value)}{(" · " + esc(verdict)) if verdict else ""}</text>')
    out.append("</svg>")
    return "".join(out)


def network_html(entries: dict[str, dict]) -> str:
    """Return network.html: every theme's recorded network (one run per notebook) as a chart,
    its checks in a table, and its diagnosis."""
    themes = []
    for name, entry in _default_runs(entries):
        href = entry.get("outputs", {}).get("html") or entry["outputs"]["ipynb"]
        for body in entry["network"]:
            constraints = [{"id": c["id"], "status": {"holds": "holds", "violated": "fails"}.get(c.get("status"), "cannot be evaluated"),
                            "comparability": ("reading of the wording" if c["role"] == "reading" else
                                              "; ".join(f"{k}: {v}" for k, v in c["differs"].items()) or "like for like")
                            + (f"; partial: {c['partial']}" if c.get("partial") else ""),
                            "text": c.get("text") or c["says"]} for c in body["constraints"]]
            failing = sum(c.get("status") == "violated" and c["role"] == "check" and not c["differs"]
                          for c in body["constraints"])
            blamed = ", ".join(body.get("implicated", [])) or "no figure"
            theme = str(body.get("theme", ""))
            themes.append({"id": f"theme-{theme}", "title": theme.replace("_", " ").capitalize(),
                           "href": href, "page": Path(href).stem,
                           "parameters": _cell_text(entry.get("parameters")) if entry.get("parameters") else "",
                           "summary": f"{len(constraints)} checks, {failing} like-for-like failing; blamed: {blamed}",
                           "svg": network_svg(body) if body.get("quantities") else "",
                           "constraints": constraints,
                           "hypotheses": [h["sentence"] for h in body.get("hypotheses", [])[:3]]})
    return _page("network.html", themes=themes)


def write_site(out_dir: Path, entries: dict[str, dict]) -> list[dict]:
    """Write ledger.csv, ledger.json, index.html and network.html into `out_dir`; return the ledger rows."""
    out_dir = Path(out_dir)
    rows = ledger_rows(entries, out_dir)
    write_if_changed(out_dir / "ledger.csv", ledger_csv(rows))
    write_if_changed(out_dir / "ledger.json", ledger_json(rows))
    write_if_changed(out_dir / "index.html", index_html(rows, entries))
    write_if_changed(out_dir / "network.html", network_html(entries))
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
    columns = ("claim_id", "verdict", "evidence", "stated", "likely_value", "constraints", "notebook")
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
