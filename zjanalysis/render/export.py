"""A rendered notebook as an offline HTML page: nbconvert's lab template with images embedded
and nothing loaded from a CDN, so the site opens from disk with no network."""

from __future__ import annotations

import functools
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
