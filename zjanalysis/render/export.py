"""A rendered notebook as offline HTML pages: nbconvert's lab template with images embedded and
nothing loaded from a CDN, so the site opens from disk with no network. Each run gets two pages:
the analysts' page (``export_html``, with its code) and the readers' page (``export_reader``, the
same notebook with every input cell left out), each linking to the other."""

from __future__ import annotations

import functools
import html
import re
from typing import Any

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


READER_FOLDER = "reader"  # the pages without code: <out>/reader/<run>.html
_BODY = re.compile(r"<body\b[^>]*>")
# The line each page carries under its top edge, linking the other edition.
_OTHER_EDITION = '<p style="margin:.6em 1em;font-family:sans-serif"><a href="{href}">{text}</a></p>'


# nbconvert's lab template with its code cells highlighted but not passed through bleach: see
# the template's own comment for why that is safe here.
_TEMPLATE_DIR = "templates/nbconvert"
_TEMPLATE = "zjanalysis-page.html.j2"


@functools.cache
def _html_exporter(reader: bool = False) -> Any:
    """One exporter of each kind per process: building one loads and compiles the templates
    (~0.1 s). The readers' exporter leaves every input cell out. Both validate the notebook
    once, after all of nbconvert's preprocessors, instead of after each one
    (``optimistic_validation``: an invalid notebook still fails, at a tenth of the cost)."""
    from nbconvert import HTMLExporter

    from zjanalysis import paths

    options: dict[str, Any] = {
        "template_name": "lab",
        "template_file": _TEMPLATE,
        "extra_template_paths": [str(paths.package_dir() / _TEMPLATE_DIR)],
        "embed_images": True,
        "optimistic_validation": True,
    }
    if reader:
        options.update(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    return HTMLExporter(**options)


def export_html(nb: Any, *, reader_link: str = "") -> str:
    """Return `nb` as one self-contained HTML page: images embedded, no script or style from a CDN.

    nbconvert's lab template is used with `embed_images`; its external <script src> and
    <link href> tags (require.js, MathJax) are stripped, so the page works offline (LaTeX in
    Markdown then shows as source). ``reader_link`` (relative) adds a link to the page without code.
    """
    return _finish(
        _html_exporter().from_notebook_node(nb)[0], reader_link, "Read it without the code"
    )


def export_reader(nb: Any, *, analysis_link: str = "") -> str:
    """Return `nb` as a page for readers: the same page with every input cell left out (the
    prose, the tables, the charts and the drawings stay). ``analysis_link`` (relative) adds a link
    to the page with the code."""
    return _finish(
        _html_exporter(reader=True).from_notebook_node(nb)[0],
        analysis_link,
        "The analysis, with its code",
    )


def _finish(body: str, link: str, text: str) -> str:
    body = _NOTEBOOK_LINK.sub(r'href="\1.html"', _EXTERNAL_TAG.sub("", body))
    if link:
        line = _OTHER_EDITION.format(href=html.escape(link, quote=True), text=text)
        body = _BODY.sub(lambda m: m.group(0) + line, body, count=1)
    return body
