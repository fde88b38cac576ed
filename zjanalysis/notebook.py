"""The generated tables of every notebook: its claims, its checks, the diagnosis, the links.

Each function displays its output (text/plain and text/html, or text/markdown) and returns None,
so a notebook cell is one call. The output depends only on the registry, the network or the run
record: no ids, timestamps or paths, so nbval compares it byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zjanalysis import data, diagnosis, display, findings, translation
from zjanalysis.network import STATUS_WORDS, Network

__all__ = [
    "claims_table",
    "evidence_table",
    "navigation",
    "notebook_order",
    "show_checks",
    "show_hypotheses",
    "theme_overview",
    "translation_table",
    "verdict_table",
]

_OVERVIEW = "00_overview"
_COLUMNS = ("claim_id", "statement", "figure as printed", "paragraph")
# Where a figure only the Chinese release prints stands in the paragraph column.
CHINESE_ONLY = "Chinese release only"


def claims_table(theme: str) -> None:
    """Display the theme's claims: claim_id, our statement, the figure as printed, the paragraph.

    Rows follow the article (paragraph, then registry order). Displays text/plain and text/html;
    returns None. Raises ``ValueError`` naming the allowed themes for an unknown ``theme``, and
    :class:`zjanalysis.data.DataError` when the registry is invalid.
    """
    if theme not in data.THEMES:
        raise ValueError(
            f"theme {theme!r} is not a theme of the report; allowed: {', '.join(data.THEMES)}"
        )
    table = data.claims()
    mine = table[table["theme"] == theme]
    rows = [
        (
            claim_id,
            row["statement"],
            row["figure_text"],
            CHINESE_ONLY if row["paragraph"] is None else str(int(row["paragraph"])),
        )
        for claim_id, row in mine.iterrows()
    ]
    # The article's order (stable: registry order within a paragraph), then the Chinese release's.
    rows.sort(key=lambda r: int(r[3]) if r[3] != CHINESE_ONLY else 10**6)

    if not rows:
        display.show({"text/plain": f"(no claims registered for theme {theme!r})", "text/html": ""})
        return
    _table(_COLUMNS, rows, "zj-claims")


def notebook_order() -> list[str]:
    """Notebook stems in reading order (``00_overview``, ``01_internet_users``, ...).

    Built from :data:`zjanalysis.data.THEMES`, not from the files present, so a notebook's
    committed navigation does not change when another notebook is added.
    """
    return [_OVERVIEW, *(f"{n:02d}_{theme}" for n, theme in enumerate(data.THEMES, start=1))]


def _title(stem: str) -> str:
    number, name = stem.split("_", 1)
    return f"{number} · {name.replace('_', ' ').capitalize()}"


def navigation(notebook_name: str) -> None:
    """Display markdown links to the previous and next notebooks and to the overview.

    ``notebook_name`` is a stem (``"01_internet_users"``), a file name
    (``"01_internet_users.ipynb"``) or a theme (``"internet_users"``). Displays text/markdown and
    text/plain; returns None. Raises ``ValueError`` listing the known notebooks when the name is
    not one of them.
    """
    order = notebook_order()
    stem = Path(str(notebook_name)).name.removesuffix(".ipynb")
    if stem not in order:
        by_theme = [s for s in order if s.split("_", 1)[1] == stem]
        if len(by_theme) != 1:
            raise ValueError(
                f"notebook {notebook_name!r} is not in the collection; known: {', '.join(order)}"
            )
        stem = by_theme[0]
    position = order.index(stem)
    parts = []
    if position > 0:
        parts.append(f"[← {_title(order[position - 1])}]({order[position - 1]}.ipynb)")
    if stem != _OVERVIEW:
        parts.append(f"[Overview]({_OVERVIEW}.ipynb)")
    if position + 1 < len(order):
        parts.append(f"[{_title(order[position + 1])} →]({order[position + 1]}.ipynb)")
    text = " | ".join(parts)
    display.show({"text/markdown": text, "text/plain": text})


def _table(columns: tuple[str, ...], rows: list[tuple[str, ...]], css: str) -> None:
    display.show(display.table_bundle(columns, rows, css))


def theme_overview() -> None:
    """Display, per theme in reading order, its notebook, how many claims it checks and their
    paragraphs."""
    claims = data.claims()
    rows = []
    for stem in notebook_order():
        theme = stem.split("_", 1)[1]
        if theme not in data.THEMES:
            continue
        mine = claims[claims["theme"] == theme]
        paragraphs = ", ".join(
            str(p) for p in sorted(set(int(p) for p in mine["paragraph"] if p is not None))
        )
        extra = int(mine["paragraph"].isna().sum())
        if extra:
            paragraphs += f" (and {extra} only in the Chinese release)"
        rows.append((f"{stem}.ipynb", theme, str(len(mine)), paragraphs))
    rows.append(("all notebooks", "", str(len(claims)), ""))
    _table(("notebook", "theme", "claims", "article paragraphs"), rows, "zj-themes")


def verdict_table() -> None:
    """Display the five verdicts and what each means (``findings.VERDICT_MEANINGS``)."""
    _table(("verdict", "meaning"), list(findings.VERDICT_MEANINGS.items()), "zj-verdicts")


def evidence_table() -> None:
    """Display the evidence levels a verdict carries and what each means."""
    _table(("evidence", "meaning"), list(findings.EVIDENCE_MEANINGS.items()), "zj-evidence")


def translation_table() -> None:
    """Display what the translation check can find and what each value means
    (``translation.MEANINGS``)."""
    _table(("translation", "meaning"), list(translation.MEANINGS.items()), "zj-translation")


def show_checks(net: Network) -> None:
    """Display every constraint of the network: id, status, like for like or how it differs, its
    words. A domain that holds (a share within 0-100 %) is left out: it says nothing until it
    fails."""
    values = net.values()
    rows = []
    for c in net.constraints.values():
        status = c.evaluate(values).status
        if c.role == "domain" and status != "violated":
            continue
        kind = {
            "reading": "reading",
            "translation": "the Chinese original",
            "domain": "domain",
        }.get(c.role, "")
        kind = kind or ("like for like" if c.comparable else c.difference_text())
        if c.role == "translation" and not c.comparable:
            kind += f"; {c.difference_text()}"
        if c.partial:
            kind += f"; partial: {c.partial}"
        rows.append((c.id, STATUS_WORDS[status], kind, c.says))
    _table(("constraint", "status", "comparability", "what it says"), rows, "zj-constraints")


def show_hypotheses(record: Mapping[str, Any]) -> None:
    """Display the ranked hypotheses of a run record (``records.emit``'s result) as a table, or
    say that every like-for-like check holds, or that no change of one or two figures can."""
    found = record["diagnosis"]
    rows = diagnosis.table(found)
    if not rows:
        text = (
            "Every like-for-like check holds: no printed figure is blamed."
            if not found["violated"]
            else "No change of one or two figures makes every failing check hold: "
            + ", ".join(found["violated"])
        )
        _table(("diagnosis",), [(text,)], "zj-hypotheses")
        return
    columns = tuple(rows[0])
    _table(columns, [tuple(str(r[c]) for c in columns) for r in rows], "zj-hypotheses")
