"""The site's pages, from the run records alone: index.html (for readers), ledger.html (for
analysts) and network.html.

All three are Jinja2 templates (``zjanalysis/templates/``, escaped by default) with their charts as
inline SVG, so the site needs no script and no network. Jinja2 is imported only when a page is
written, so the no-op render stays fast.
"""

from __future__ import annotations

import functools
import html
from collections import Counter
from pathlib import Path
from typing import Any

from zjanalysis import data, drawing, paths, summaries
from zjanalysis.drawing import VERDICT_COLOURS
from zjanalysis.findings import reconstructed_text
from zjanalysis.network import STATUS_WORDS
from zjanalysis.site.ledger import LEDGER_COLUMNS, _cell_text


@functools.cache
def _templates() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths.package_dir() / "templates"),
        autoescape=True,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def _page(name: str, **context: Any) -> str:
    return _templates().get_template(name).render(colours=VERDICT_COLOURS, **context)


def _link(entry_or_row: dict) -> tuple[str, str]:
    target = entry_or_row.get("html") or entry_or_row["notebook"]
    return target, Path(str(entry_or_row["notebook"])).stem


def index_html(records: list[dict]) -> str:
    """Return index.html, the readers' page: what the collection found in a few plain sentences,
    then one card per claim grouped by theme (one run per notebook: its run without parameters),
    each an element whose id is the claim id. A card holds the figure as printed and where,
    the verdict in a word with an icon, one plain sentence, the strength of the evidence, the
    sources as links, how it was checked (in a <details>), and links to the analysis. Everything
    is escaped; the page carries its own CSS and no script, so it opens offline."""
    chosen = default_runs(records, networks=False)
    titles = {theme: theme.replace("_", " ").capitalize() for theme in data.THEMES}
    themes: dict[str, list[dict]] = {}
    for record in chosen:
        for claim in record.get("claims", []):
            themes.setdefault(str(claim.get("theme") or record.get("theme")), []).append(
                _card(claim, record)
            )
    order = [t for t in data.THEMES if t in themes] + sorted(set(themes) - set(data.THEMES))
    legend = [
        (v, summaries.VERDICT_WORDS[v], summaries.ICONS[v], VERDICT_LEGEND[v])
        for v in VERDICT_COLOURS
    ]
    return _page(
        "index.html",
        findings=summaries.findings(chosen),
        legend=legend,
        themes=[{"id": t, "title": titles.get(t, t), "cards": themes[t]} for t in order],
    )


# What each verdict means, in the words the readers' page uses.
VERDICT_LEGEND = {
    "confirmed": "an independent source agrees",
    "consistent": "it fits what is known, without being confirmed",
    "discrepancy": "the checks show it is wrong, usually a misprint",
    "misleading": "the number holds but its wording misleads",
    "unverifiable": "nothing available can check it",
}


def _card(claim: dict, record: dict) -> dict:
    run = record.get("run", {})
    outputs = run.get("outputs", {})
    where = (
        "printed only in the report's Chinese release"
        if claim.get("origin") == "chinese-release"
        else f"paragraph {claim.get('paragraph')} of the English summary"
    )
    constraints = {c["id"]: c for c in (record.get("network") or {}).get("constraints", [])}
    translation = claim.get("translation") or {}
    known = record.get("sources", {})
    return {
        "claim_id": claim["claim_id"],
        "figure": summaries.figure(claim),
        "statement": claim.get("statement", ""),
        "where": where,
        "verdict": claim["verdict"],
        "word": summaries.VERDICT_WORDS[claim["verdict"]],
        "icon": summaries.ICONS[claim["verdict"]],
        "summary": summaries.sentence(claim, record),
        "evidence": summaries.EVIDENCE_WORDS.get(claim.get("evidence", ""), ""),
        "translation": (
            translation.get("reason", "")
            if translation.get("value") not in (None, "", "not-in-original")
            else ""
        ),
        "sources": [known[s] for s in claim.get("sources", []) if s in known],
        "checks": [
            constraints[c]["text"] for c in claim.get("constraints", []) if c in constraints
        ],
        "reconstructed": reconstructed_text(claim),
        "explanation": claim.get("explanation", ""),
        "analysis": outputs.get("html") or outputs.get("ipynb", ""),
        "reader": outputs.get("reader", ""),
    }


def ledger_html(rows: list[dict], records: list[dict]) -> str:
    """Return ledger.html, the analysts' page: verdict counts, the likely misprints, verdicts by
    theme, and the ledger (one row per finding, colour-coded, linking its notebook page)."""
    counts = Counter(row["verdict"] for row in rows)
    order = list(VERDICT_COLOURS) + sorted(set(counts) - set(VERDICT_COLOURS))
    shown = []
    for row in rows:
        href, page = _link(row)
        shown.append(
            {
                **{c: _cell_text(row.get(c)) for c in LEDGER_COLUMNS},
                "href": href,
                "page": page,
                "parameters": _cell_text(row.get("parameters")) if row.get("parameters") else "",
            }
        )
    return _page(
        "ledger.html",
        rows=shown,
        counts=[(v, counts.get(v, 0)) for v in order],
        misprints=misprints(rows, records),
        chart=verdict_chart(rows),
    )


def misprints(rows: list[dict], records: list[dict]) -> list[dict]:
    """The ledger's discrepancies that a slip explains: claim, printed, likely reading, strength,
    the diagnosis in a sentence, and the notebook page; likely ones first."""
    diagnoses = {
        r["run"]["outputs"].get("ipynb"): r.get("diagnosis") or {} for r in records if r.get("run")
    }
    found = []
    for row in rows:
        if row["verdict"] != "discrepancy" or not row.get("likely_value"):
            continue
        hypotheses = diagnoses.get(row["notebook"], {}).get("hypotheses", [])
        hypothesis = next(
            (h for h in hypotheses if any(c["quantity"] == row["claim_id"] for c in h["changes"])),
            None,
        )
        change = (
            next((c for c in hypothesis["changes"] if c["quantity"] == row["claim_id"]), {})
            if hypothesis
            else {}
        )
        href, page = _link(row)
        found.append(
            {
                "claim_id": row["claim_id"],
                "printed": row["stated"],
                "reading": change.get("reading") or row["likely_value"],
                "strength": hypothesis["strength"] if hypothesis else "",
                "sentence": hypothesis["sentence"] if hypothesis else row["explanation"],
                "href": href,
                "page": page,
            }
        )
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
    parts = [
        f'<svg class="verdict-chart" role="img" aria-label="Verdicts by theme" width="{width}" '
        f'height="{step * len(themes) + 40}" viewBox="0 0 {width} {step * len(themes) + 40}">'
    ]
    for i, (theme, counts) in enumerate(themes.items()):
        y = 8 + i * step
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" '
            f'font-size="12">{esc(theme)}</text>'
        )
        x = float(label_w)
        for verdict, colour in VERDICT_COLOURS.items():
            n = counts.get(verdict, 0)
            if not n:
                continue
            w = n * scale
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}">'
                f"<title>{esc(theme)}: {n} {verdict}</title></rect>"
            )
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{y + 16}" text-anchor="middle" font-size="11" '
                f'fill="#fff">{n}</text>'
            )
            x += w
    y = 14 + len(themes) * step
    x = float(label_w)
    for verdict, colour in VERDICT_COLOURS.items():
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14:.1f}" y="{y + 9}" font-size="11">{verdict}</text>'
        )
        x += 14 + 7.2 * len(verdict) + 14
    parts.append("</svg>")
    return "".join(parts)


def default_runs(records: list[dict], *, networks: bool = True) -> list[dict]:
    """One record per notebook: its run without parameters, else its first by name; notebooks in
    name order. With ``networks`` (the network page), only records that carry a network."""
    chosen: dict[str, dict] = {}
    for record in records:
        run = record.get("run", {})
        if (networks and not record.get("network")) or not run.get("outputs", {}).get("ipynb"):
            continue
        notebook = str(run.get("notebook") or run.get("name"))
        if notebook not in chosen or (
            not run.get("parameters") and chosen[notebook]["run"].get("parameters")
        ):
            chosen[notebook] = record
    return [chosen[k] for k in sorted(chosen)]


def network_html(records: list[dict]) -> str:
    """Return network.html: every theme's recorded network (one run per notebook) as the
    drawing its notebook shows, its checks in a table, and its diagnosis."""
    themes = []
    for record in default_runs(records):
        run = record["run"]
        href = run["outputs"].get("html") or run["outputs"]["ipynb"]
        network = record["network"]
        constraints = [
            {
                "id": c["id"],
                "status": STATUS_WORDS.get(c.get("status"), STATUS_WORDS["unknown"]),
                "comparability": (
                    "reading of the wording"
                    if c["role"] == "reading"
                    else ("the Chinese original; " if c["role"] == "translation" else "")
                    + ("; ".join(f"{k}: {v}" for k, v in c["differs"].items()) or "like for like")
                )
                + (f"; partial: {c['partial']}" if c.get("partial") else ""),
                "text": c.get("text") or c["says"],
            }
            for c in drawing.shown_constraints(network)
        ]
        theme = str(record.get("theme", ""))
        themes.append(
            {
                "id": f"theme-{theme}",
                "title": theme.replace("_", " ").capitalize(),
                "href": href,
                "page": Path(href).stem,
                "parameters": _cell_text(run.get("parameters")) if run.get("parameters") else "",
                "summary": drawing.caption(record),
                "svg": drawing.svg(record, href=lambda claim_id: f"index.html#{claim_id}")
                if network.get("quantities")
                else "",
                "constraints": constraints,
                "hypotheses": [
                    h["sentence"] for h in (record.get("diagnosis") or {}).get("hypotheses", [])[:3]
                ],
            }
        )
    return _page("network.html", themes=themes)
