"""Tables in a notebook: the one way the package shows rows of text, as aligned text and as HTML.

Every table a notebook displays (claims, checks, hypotheses, findings) goes through
``table_bundle``, so the text and HTML forms agree and nbval compares stable text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence


def show_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], css: str, *, title: str | None = None
) -> None:
    """Display a table as aligned text and as HTML (``<table class=css>``); returns None.

    Cells are strings; HTML is escaped. Outside IPython the text is printed.
    """
    show(table_bundle(columns, rows, css, title=title))


def table_bundle(
    columns: Sequence[str], rows: Sequence[Sequence[str]], css: str, *, title: str | None = None
) -> dict[str, str]:
    """The bundle ``show_table`` displays: {"text/plain": aligned text, "text/html": table}."""
    rows = [[str(c) for c in r] for r in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(columns)
    ]
    lines = [title] if title else []
    lines.append("  ".join(h.ljust(w) for h, w in zip(columns, widths, strict=True)).rstrip())
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows
    )
    caption = f"<caption>{html.escape(title)}</caption>" if title else ""
    return {
        "text/plain": "\n".join(lines),
        "text/html": f'<table class="{css}">{caption}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>",
    }


def show(bundle: dict) -> None:
    """Display a MIME bundle in IPython (raw), or print its text/plain outside IPython; returns
    None."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python without IPython installed
        print(bundle["text/plain"])
        return
    if get_ipython() is None:
        print(bundle["text/plain"])
        return
    display(bundle, raw=True)
