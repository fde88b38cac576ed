"""The run pages (zjanalysis.render.export): nbconvert's lab template, except that highlighted
code is not passed through bleach. These tests hold the reason that is safe: Pygments escapes
what it highlights, so bleach has nothing to remove, on every code cell of the collection and on
code written to break out of its block."""

from __future__ import annotations

import nbformat
import pytest
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.strings import clean_html

from zjanalysis import paths
from zjanalysis.render import export

NOTEBOOKS = sorted(paths.notebooks_dir().glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_bleach_leaves_every_highlighted_code_cell_of_the_collection_unchanged(notebook):
    highlight = Highlight2HTML(pygments_lexer="ipython3")
    nb = nbformat.read(notebook, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    assert cells, f"{notebook.name} has no code cell"
    for cell in cells:
        html = highlight(cell.source)
        assert str(clean_html(html)) == html, cell.source[:60]


def hostile_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    nb.cells = [
        nbformat.v4.new_code_cell(
            'page = "</pre></div><script>alert(1)</script><img src=x onerror=alert(2)>"\n'
            "# <iframe src=javascript:alert(3)>\n"
            "visible_only_with_code = 1"
        ),
        nbformat.v4.new_markdown_cell("A finding in plain words."),
    ]
    return nb


def test_code_that_tries_to_break_out_of_its_block_is_shown_escaped():
    page = export.export_html(hostile_notebook())
    for raw in ("<script>alert(1)", "<img src=x onerror", "<iframe src=javascript"):
        assert raw not in page
    assert "&lt;script&gt;alert" in page and "&lt;iframe" in page


def test_the_readers_page_leaves_the_code_out_and_keeps_the_prose():
    nb = hostile_notebook()
    analysts, readers = export.export_html(nb), export.export_reader(nb)
    assert "visible_only_with_code" in analysts
    assert "visible_only_with_code" not in readers
    assert "A finding in plain words." in readers
