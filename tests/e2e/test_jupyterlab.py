"""JupyterLab end to end: a real server, Debian's Chromium, "Run All Cells" from the Run menu.

Drives the first two notebooks of the collection (generated stand-ins while notebooks/ holds
none), checks in the page and in the saved file that every code cell ran and none failed, and
proves the checks can fail on a notebook that raises. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat
import pytest

from .conftest import LabServer, make_notebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RUN_ALL_S = 60.0
# Error outputs render with the stderr MIME type; a traceback marks them apart from warnings.
ERROR_OUTPUTS = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
# The toolbar indicator says "idle" before any kernel exists; the status bar names the kernel.
KERNEL_READY = """() => !document.querySelector('.jp-Dialog')
    && [...document.querySelectorAll('.jp-StatusBar-TextItem')].some(
        e => /^(?!No Kernel).+ \\| Idle$/.test(e.textContent.trim()))"""
ALL_CELLS_RAN = """() => {
    const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
    const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
    const idle = !status || status.getAttribute('data-status') === 'idle';
    return idle && prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}"""


@pytest.fixture
def lab_context(browser, lab_server: LabServer):
    """A browser context for the local server; the test asserts it requested nothing else.

    Requests are recorded, not intercepted: a route handler of Playwright's sync API only runs
    while Python calls into Playwright, so it would stall the page during the polling loops.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(20_000)
    context.requests = []
    context.on("request", lambda request: context.requests.append(request.url))
    try:
        yield context
        elsewhere = [
            u
            for u in context.requests
            if u.startswith(("http:", "https:", "ws:", "wss:"))
            and not u.split("//", 1)[1].startswith(lab_server.url.split("//", 1)[1])
        ]
        assert elsewhere == [], f"JupyterLab requested {elsewhere[:5]} beyond the local server"
    finally:
        context.close()


def open_notebook(page, server: LabServer, name: str) -> None:
    page.goto(server.tree_url(name))
    page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for()
    assert page.locator(".jp-NotebookPanel").count() == 1, "another notebook was restored"
    # The kernel must be up (no kernel dialog, status idle) before Run All is chosen.
    page.wait_for_function(KERNEL_READY, timeout=30_000)


def run_all_from_menu(page) -> None:
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    # The command id, not the label: labels change between JupyterLab versions and locales.
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]:not(.lm-mod-disabled)').click()


def save_from_menu(page, path: Path, bound: float = 15.0) -> nbformat.NotebookNode:
    """Choose File > Save; return the notebook as read back once the file on disk has changed."""
    before = path.stat().st_mtime_ns
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^File$")).click()
    page.locator('.lm-Menu-item[data-command="docmanager:save"]:not(.lm-mod-disabled)').click()
    deadline = time.monotonic() + bound
    while path.stat().st_mtime_ns == before:
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} was not saved within {bound:g} s of File > Save")
        time.sleep(0.2)
    # JupyterLab truncates the file before writing it: under load the first read can be empty.
    while True:
        try:
            return nbformat.read(path, as_version=4)
        except nbformat.reader.NotJSONError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def run_in_lab(page, server: LabServer, path: Path, artifacts: Path) -> tuple[list[str], list]:
    """Open `path` in JupyterLab, run all cells, save; return (page tracebacks, saved errors)."""
    open_notebook(page, server, path.name)
    run_all_from_menu(page)
    try:
        page.wait_for_function(ALL_CELLS_RAN, timeout=RUN_ALL_S * 1000)
    finally:
        page.screenshot(path=str(artifacts / f"jupyterlab-{path.stem}.png"), full_page=True)
    saved = save_from_menu(page, path)
    unrun = [
        i for i, c in enumerate(saved.cells) if c.cell_type == "code" and c.execution_count is None
    ]
    assert unrun == [], f"{path.name}: saved cells {unrun} have no execution count"
    shown = [
        text
        for text in page.locator(ERROR_OUTPUTS).all_inner_texts()
        if "Traceback" in text or "Error" in text
    ]
    errors = [
        out
        for cell in saved.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    return shown, errors


def test_two_notebooks_run_all_cells_without_errors(
    lab_context, lab_server, lab_notebooks, artifacts
):
    for path in lab_notebooks[:2]:
        # One page per notebook: every selector below sees this notebook only.
        lab_page = lab_context.new_page()
        before = nbformat.read(path, as_version=4)
        code_cells = sum(c.cell_type == "code" for c in before.cells)
        shown, errors = run_in_lab(lab_page, lab_server, path, artifacts)
        assert shown == [], f"{path.name}: the page shows error output: {shown[0][:2000]}"
        assert errors == [], f"{path.name}: {errors[0].ename}: {errors[0].evalue}"
        prompts = lab_page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        assert len(prompts) == code_cells
        assert all(re.search(r"\[\d+\]", p) for p in prompts), prompts


def test_a_failing_notebook_is_detected(lab_context, lab_server, artifacts):
    # Guards the checks above: they must see an exception raised in the browser session.
    path = make_notebook(
        lab_server.root / "zz_raises.ipynb", "x = 1", "raise RuntimeError('raised on purpose')"
    )
    lab_page = lab_context.new_page()
    open_notebook(lab_page, lab_server, path.name)
    run_all_from_menu(lab_page)
    # Run All stops at the error: the last cell never runs, so wait for the error to show.
    lab_page.locator(ERROR_OUTPUTS, has_text="raised on purpose").wait_for(timeout=RUN_ALL_S * 1000)
    lab_page.screenshot(path=str(artifacts / "jupyterlab-zz_raises.png"), full_page=True)
    saved = save_from_menu(lab_page, path)
    errors = [
        o
        for c in saved.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert [(e.ename, e.evalue) for e in errors] == [("RuntimeError", "raised on purpose")]
