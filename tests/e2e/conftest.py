"""Fixtures for the end-to-end tests: Debian's Chromium driven by Playwright, a real JupyterLab
server, the notebooks to drive (the real ones once they exist) and the artifacts folder.

Browser tests skip with a visible reason when Chromium or Playwright is missing, unless
ZJ_REQUIRE_BROWSER=1 (set by .ci/run): then a missing browser is a failure, so CI cannot
silently skip them.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
    "--disable-sync",
]
REQUIRE_VAR = "ZJ_REQUIRE_BROWSER"
# Bounds, not sleeps: every wait below polls a condition and gives up after these.
SERVER_START_S = 60.0
SERVER_STOP_S = 10.0

SAMPLE_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJ"
    "RU5ErkJggg=="
)


def real_notebooks(count: int = 2) -> list[Path]:
    """Return the first `count` committed theme notebooks (notebooks/0[1-9]_*.ipynb), maybe none."""
    return sorted((REPO / "notebooks").glob("0[1-9]_*.ipynb"))[:count]


def browser_missing_reason() -> str | None:
    """Return why the browser tests cannot run here, or None when Chromium and Playwright exist."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright (Python) is not installed in this environment"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


def require_browser() -> None:
    """Return when the browser tests can run; else skip saying why, or fail under
    ZJ_REQUIRE_BROWSER=1."""
    reason = browser_missing_reason()
    if reason is None:
        return
    if os.environ.get(REQUIRE_VAR) == "1":
        pytest.fail(f"{REQUIRE_VAR}=1 but the browser tests cannot run: {reason}.")
    pytest.skip(f"browser test skipped: {reason}")


def make_notebook(
    path: Path,
    *body: str,
    params: str = "tolerance: float = 0.0  # widening",
    findings: list[dict] | None = None,
) -> Path:
    """Write a small python3 notebook: a markdown title, a tagged parameters cell, then `body`.

    With `findings`, a last cell displays them as a zjanalysis run record, so a render of this
    notebook puts them in the ledger. Returns `path`.
    """
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# Test notebook {path.stem}"), cell]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in body]
    if findings is not None:
        record = {
            "schema": "zjanalysis/run-record",
            "version": 1,
            "theme": "test",
            "parameters": {},
            "claims": findings,
            "sources": {},
            "network": None,
            "diagnosis": None,
        }
        nb.cells.append(
            nbformat.v4.new_code_cell(
                "from IPython.display import display\n"
                f"display({{'application/vnd.zjanalysis.record+json': {record!r}, "
                f"'text/plain': '{len(findings)} findings'}}, raw=True)"
            )
        )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def finding(claim_id: str, verdict: str = "confirmed") -> dict:
    """Return one claim entry of a run record for `claim_id` (the fields records.build writes)."""
    return {
        "claim_id": claim_id,
        "theme": "test",
        "verdict": verdict,
        "evidence": "exact",
        "stated": "1.0",
        "unit": "units",
        "likely_value": "",
        "reconstructed": {"lo": 0.95, "hi": 1.05, "lo_open": False, "hi_open": False},
        "references": [
            {
                "id": "ref:test",
                "label": "test figure",
                "printed": "1.0",
                "unit": "units",
                "unit_as_printed": "",
                "value": 1.0,
                "source_id": "test-2019-source",
            }
        ],
        "explanation": "test finding",
        "sources": ["test-2019-source"],
        "constraints": [],
    }


def generated_notebooks(folder: Path) -> list[Path]:
    """Write two stand-in notebooks (a chart, text, findings) into `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    chart = (
        "import matplotlib.pyplot as plt\n"
        "plt.plot([2016, 2017, 2018], [1, 2, 3 + tolerance])\nplt.show()"
    )
    return [
        make_notebook(
            folder / "01_first.ipynb",
            "print('first', tolerance)",
            chart,
            findings=[finding("first.a_2018"), finding("first.b_2018", "discrepancy")],
        ),
        make_notebook(
            folder / "02_second.ipynb",
            "total = sum(range(10))\ntotal",
            chart,
            findings=[finding("second.c_2018", "unverifiable")],
        ),
    ]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder screenshots are saved in (test-artifacts/, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium under Playwright, shared by the session.

    Skips with the reason when either is missing; fails instead when ZJ_REQUIRE_BROWSER=1.
    """
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


class RecordedPage:
    """A Playwright page plus every URL it requested (to prove the site stays offline)."""

    def __init__(self, page) -> None:
        self.page = page
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))

    def network_requests(self) -> list[str]:
        """Return the requested URLs that would leave the machine (http, https, ws)."""
        return [u for u in self.requests if u.split(":", 1)[0] in ("http", "https", "ws", "wss")]


@pytest.fixture
def offline_page(browser) -> Iterator[RecordedPage]:
    """A fresh page that records its requests and refuses any that would reach the network."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("http*://**/*", lambda route: route.abort())
    context.set_default_timeout(15_000)
    try:
        yield RecordedPage(context.new_page())
    finally:
        context.close()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """A running `jupyter lab`: its URL, token and root folder (a temp copy of the notebooks)."""

    def __init__(self, process: subprocess.Popen, url: str, token: str, root: Path, log: Path):
        self.process, self.url, self.token, self.root, self.log = process, url, token, root, log

    def tree_url(self, name: str) -> str:
        """Return the JupyterLab URL that opens notebook `name` from the root folder."""
        # `reset` starts from an empty workspace, so only this notebook is open in the page.
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"


def _wait_for_status(url: str, token: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    request = urllib.request.Request(
        f"{url}/api/status", headers={"Authorization": f"token {token}"}
    )
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"jupyter lab exited with status {process.returncode}; "
                f"its log:\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(
        f"jupyter lab did not answer {url}/api/status within {SERVER_START_S:g} s; "
        f"its log:\n{log.read_text()[-3000:]}"
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(SERVER_STOP_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(SERVER_STOP_S)


@pytest.fixture(scope="module")
def lab_notebooks(tmp_path_factory) -> list[Path]:
    """The notebooks JupyterLab will open: the first two real ones, else two generated ones.

    Always a temp copy, so running them in the UI never modifies the committed notebooks.
    """
    root = tmp_path_factory.mktemp("lab-root")
    real = real_notebooks()
    if real:
        return [Path(shutil.copy2(p, root / p.name)) for p in real]
    return generated_notebooks(root)


@pytest.fixture(scope="module")
def lab_server(browser, lab_notebooks, tmp_path_factory) -> Iterator[LabServer]:
    """A `jupyter lab` from this environment on 127.0.0.1, a free port and a random token.

    Its config, data and runtime folders are temporary so the user's settings do not leak in;
    its root is the folder of `lab_notebooks`. Stopped (SIGTERM, then SIGKILL after a bound)
    when the module's tests are done.
    """
    home = tmp_path_factory.mktemp("lab-home")
    env = dict(os.environ)
    for var, sub in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
    ):
        env[var] = str(home / sub)
        (home / sub).mkdir()
    # Settings in the temp data folder are still read: keep every cell in the DOM (no
    # virtual scrolling) so the test sees all of them.
    # Also start the notebook's own kernel without asking, and fetch no news.
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab"
    for extension, plugin, text in (
        (
            "notebook-extension",
            "tracker",
            '{"windowingMode": "none", "autoStartDefaultKernel": true}',
        ),
        ("apputils-extension", "notification", '{"fetchNews": "false"}'),
    ):
        (settings / extension).mkdir(parents=True, exist_ok=True)
        (settings / extension / f"{plugin}.jupyterlab-settings").write_text(text + "\n")
    env.pop("JUPYTER_PATH", None)
    env["JUPYTERLAB_SETTINGS_DIR"] = str(home / "config" / "lab" / "user-settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(home / "workspaces")
    port, token = free_port(), secrets.token_hex(24)
    root = lab_notebooks[0].parent
    log = home / "jupyter-lab.log"
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [
        str(jupyter),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.port_retries=0",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        # CI runs as root; Jupyter refuses root without this flag.
        command.append("--allow-root")
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            command, env=env, cwd=root, stdout=sink, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_status(url, token, process, log)
        yield LabServer(process, url, token, root, log)
    finally:
        _stop(process)
