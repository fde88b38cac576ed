"""The claim network drawn: one deterministic SVG per run record, for the notebook and the site.

``svg(record)`` lays a theme's network out in three columns (the report's figures, the checks,
the reference figures) and writes it as SVG text: the same record always gives the same bytes
(fixed decimals, no ids, no time), so nbval can compare the notebook's output and the site embeds
exactly what the notebook shows. ``show(record)`` displays it in a notebook. Nothing here draws
with matplotlib: building the text takes a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from zjanalysis import display

# One colour per verdict, wherever a verdict is coloured (always beside its word, never alone).
# Each is dark enough for white text on it and for coloured text on white (WCAG AA, 4.5:1).
VERDICT_COLOURS = {
    "confirmed": "#1a7f37",
    "consistent": "#0969da",
    "discrepancy": "#cf222e",
    "misleading": "#8a6100",
    "unverifiable": "#57606a",
}
_COLUMN_X = (300.0, 520.0, 740.0)
_ROW = 54.0
_TOP = 74.0
_WIDTH = 1100
_HEADINGS = ("the report's figures", "checks", "reference figures")


def shown_constraints(network: Mapping[str, Any]) -> list[dict]:
    """The constraints a drawing shows: all but the domains that hold (a share within 0-100 %),
    which say nothing until they fail."""
    return [
        c for c in network["constraints"] if c["role"] != "domain" or c.get("status") == "violated"
    ]


def drawn(network: Mapping[str, Any]) -> list[dict]:
    """The quantities a drawing shows: every claim, and the references a shown check uses."""
    used = {qid for c in shown_constraints(network) for qid in c["inputs"]}
    return [q for q in network["quantities"] if q["kind"] == "claim" or q["id"] in used]


def layout(network: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Positions for drawing a recorded network: claims in the left column, constraints in the
    middle, reference figures on the right, each column ordered to keep edges from crossing.
    Keys are ``"q:<quantity id>"`` and ``"c:<constraint id>"``; x is 0, 1 or 2, y runs from 0
    (top) down in steps of 1. The same network always gets the same positions.

    A layered layout with barycentre ordering (as in Sugiyama-style drawings) reads better for
    these small three-column graphs than a force-directed one, and needs only each node's
    neighbours, so no graph library is involved (networkx was tried; it added an import of a
    tenth of a second to every render and placed nothing better).
    """
    layer: dict[str, int] = {}
    neighbours: dict[str, list[str]] = {}
    for q in drawn(network):
        node = f"q:{q['id']}"
        layer[node], neighbours[node] = (0 if q["kind"] == "claim" else 2), []
    for c in shown_constraints(network):
        node = f"c:{c['id']}"
        layer[node], neighbours[node] = 1, []
        for qid in c["inputs"]:
            neighbours[node].append(f"q:{qid}")
            neighbours[f"q:{qid}"].append(node)
    order = {n: i for i, n in enumerate(layer)}
    # Each connected part of the network stays together, parts in the order they first appear.
    part: dict[str, int] = {}
    for start in layer:
        if start in part:
            continue
        stack = [start]
        while stack:
            node = stack.pop()
            if node not in part:
                part[node] = order[start]
                stack.extend(neighbours[node])
    columns: dict[int, list[str]] = {0: [], 1: [], 2: []}
    for node in sorted(layer, key=lambda n: (part[n], order[n])):
        columns[layer[node]].append(node)
    # Barycentre sweeps: each node moves to the mean position of its neighbours.
    position = {n: float(i) for column in columns.values() for i, n in enumerate(column)}
    for _ in range(4):
        for x in (1, 0, 2, 1):
            means = {
                n: (
                    sum(position[m] for m in neighbours[n]) / len(neighbours[n])
                    if neighbours[n]
                    else position[n]
                )
                for n in columns[x]
            }
            columns[x].sort(key=lambda n: (means[n], order[n]))
            for i, n in enumerate(columns[x]):
                position[n] = float(i)
    tallest = max((len(v) for v in columns.values()), default=1)
    placed = {}
    for x, nodes in columns.items():
        offset = (tallest - len(nodes)) / 2
        for i, n in enumerate(nodes):
            placed[n] = (float(x), round(offset + i, 2))
    return placed


def caption(record: Mapping[str, Any]) -> str:
    """The drawing's title line: the theme, how many checks, how many fail like for like, and
    the figures the diagnosis blames."""
    network = record["network"]
    failing = [
        c
        for c in network["constraints"]
        if c.get("status") == "violated" and c["role"] != "reading" and not c["differs"]
    ]
    blamed = (record.get("diagnosis") or {}).get("implicated", [])
    theme = str(record.get("theme", "")).replace("_", " ").capitalize()
    return (
        f"{theme}: {len(shown_constraints(network))} checks, {len(failing)} like for like failing"
        + (f"; blamed: {', '.join(blamed)}" if blamed else "")
    )


def svg(record: Mapping[str, Any], *, href: Callable[[str], str | None] | None = None) -> str:
    """The record's claim network as one SVG document (text), scaled to its container's width.

    The report's figures are on the left, each with its verdict in words and a dot in the
    verdict's colour; a check is a diamond (filled when it holds, open red when a like-for-like
    check fails, grey when its two sides are not like for like, dashed edges, or when it reads a
    claim's wording, dotted edges); reference figures are on the right. A figure the diagnosis
    blames is bold with a thick red ring and shows the value it most likely read. ``href(claim_id)``
    may give a link for each claim's node (the site links them to their cards). Raises ValueError
    for a record without a network.
    """
    network = record.get("network")
    if not network or not network.get("quantities"):
        raise ValueError(
            "svg() draws the network of a run record (records.emit's result); this one has none"
        )
    places = layout(network)
    rows = max(y for _, y in places.values()) + 1
    height = int(_TOP + rows * _ROW + 14 * len(cited_sources(record)) + 4)
    verdicts = {c["claim_id"]: c["verdict"] for c in record.get("claims", [])}
    diagnosis = record.get("diagnosis") or {}
    blamed = set(diagnosis.get("implicated", []))
    likely = {
        ch["quantity"]: ch["reading"]
        for h in diagnosis.get("hypotheses", [])[:1]
        for ch in h["changes"]
        if ch["reading"]
    }

    def at(node: str) -> tuple[float, float]:
        x, y = places[node]
        return _COLUMN_X[int(x)], _TOP + y * _ROW

    title = caption(record)
    # A picture with links in it is a group of links to assistive technology, not one image.
    role = "group" if href is not None else "img"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network" role="{role}" viewBox="0 0 '
        f'{_WIDTH} {height}" '
        f'width="100%" style="max-width:{_WIDTH}px" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        "<style>text{font-family:sans-serif;fill:#1f2328}.muted{fill:#57606a}</style>",
        f'<text x="10" y="18" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for x, name in zip(_COLUMN_X, _HEADINGS, strict=True):
        out.append(
            f'<text class="muted" x="{x:.0f}" y="40" text-anchor="middle" font-size="12" '
            f'font-style="italic">{name}</text>'
        )
    for c in shown_constraints(network):
        cx, cy = at(f"c:{c['id']}")
        dash = (
            ' stroke-dasharray="2,3"'
            if c["role"] == "reading"
            else (' stroke-dasharray="6,4"' if c["differs"] else "")
        )
        for qid in c["inputs"]:
            qx, qy = at(f"q:{qid}")
            out.append(
                f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{qx:.1f}" y2="{qy:.1f}" stroke="#8c959f" '
                f'stroke-width="1.2"{dash}/>'
            )
    for c in shown_constraints(network):
        cx, cy = at(f"c:{c['id']}")
        fails = c.get("status") == "violated"
        colour = (
            "#cf222e"
            if fails and not c["differs"] and c["role"] != "reading"
            else ("#6e7781" if c["differs"] or c["role"] == "reading" else "#1a7f37")
        )
        fill = "#ffffff" if fails else colour
        out.append(
            f'<polygon points="{cx:.1f},{cy - 8:.1f} {cx + 8:.1f},{cy:.1f} {cx:.1f},{cy + 8:.1f} '
            f'{cx - 8:.1f},{cy:.1f}" fill="{fill}" stroke="{colour}" stroke-width="2">'
            f"<title>{escape(c.get('text') or c['says'])}</title></polygon>"
        )
        out.append(
            f'<text x="{cx:.1f}" y="{cy - 12:.1f}" text-anchor="middle" font-size="10.5">'
            f"{escape(c['id'].split('.', 1)[1])}</text>"
        )
    for q in drawn(network):
        qx, qy = at(f"q:{q['id']}")
        claim = q["kind"] == "claim"
        verdict = verdicts.get(q["id"], "")
        name = q["id"].split(".", 1)[1] if claim else q["label"]
        name = name if len(name) <= 42 else name[:41] + "…"
        value = q.get("shown") or q["printed"]
        value += f" → {likely[q['id']]}" if q["id"] in likely else ""
        anchor, tx = ("end", qx - 10) if claim else ("start", qx + 10)
        dot = VERDICT_COLOURS.get(verdict, "#57606a") if claim else "#57606a"
        ring = ' stroke="#cf222e" stroke-width="3"' if q["id"] in blamed else ""
        weight = ' font-weight="bold"' if q["id"] in blamed else ""
        node = [
            f'<circle cx="{qx:.1f}" cy="{qy:.1f}" r="5" fill="{dot}"{ring}/>',
            f'<text x="{tx:.1f}" y="{qy - 3:.1f}" text-anchor="{anchor}" font-size="11.5"{weight}>'
            f"{escape(name)}</text>",
            f'<text class="muted" x="{tx:.1f}" y="{qy + 11:.1f}" text-anchor="{anchor}" '
            'font-size="10.5">'
            f"{escape(value)}{(' · ' + escape(verdict)) if verdict else ''}</text>",
        ]
        link = href(q["id"]) if (href is not None and claim) else None
        if link:
            node = [f'<a href="{escape(link)}">'] + node + ["</a>"]
        out.extend(node)
    for i, label in enumerate(cited_sources(record)):
        out.append(
            f'<text class="muted" x="10" y="{_TOP + rows * _ROW + 14 * i:.0f}" font-size="10">'
            f"{'Sources: ' if i == 0 else ''}{escape(label)}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def cited_sources(record: Mapping[str, Any]) -> list[str]:
    """The short labels of the sources of the reference figures a drawing shows, sorted."""
    used = {
        sid for q in drawn(record["network"]) if q["kind"] == "reference" for sid in q["sources"]
    }
    known = record.get("sources", {})
    return sorted({known[sid]["label"] for sid in used if sid in known})


def show(record: Mapping[str, Any]) -> None:
    """Display the record's network in a notebook as ``image/svg+xml`` (with the caption as
    text/plain); returns None. Outside IPython the caption is printed."""
    display.show(
        {"image/svg+xml": svg(record), "text/plain": f"<claim network: {caption(record)}>"}
    )
