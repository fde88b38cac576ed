"""The browser tests' gate: skip with a reason on a machine without Chromium, fail in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import conftest


def test_missing_chromium_skips_with_the_reason(monkeypatch):
    monkeypatch.setattr(conftest, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv(conftest.REQUIRE_VAR, raising=False)
    with pytest.raises(
        pytest.skip.Exception,
        match=r"browser test skipped: /nonexistent/chromium "
        r"is missing \(apt-get install chromium\)",
    ):
        conftest.require_browser()


def test_missing_chromium_fails_when_ci_requires_the_browser(monkeypatch):
    monkeypatch.setattr(conftest, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.setenv(conftest.REQUIRE_VAR, "1")
    with pytest.raises(
        pytest.fail.Exception,
        match=r"ZJ_REQUIRE_BROWSER=1 but the browser tests "
        r"cannot run: /nonexistent/chromium is missing",
    ):
        conftest.require_browser()


def test_missing_playwright_is_named(monkeypatch):
    monkeypatch.setattr(
        conftest.importlib.util,
        "find_spec",
        lambda name: None if name == "playwright" else object(),
    )
    assert (
        conftest.browser_missing_reason()
        == "Playwright (Python) is not installed in this environment"
    )


def test_ci_script_installs_chromium_and_requires_the_browser():
    script = (conftest.REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "apt-get install -y -qq chromium" in script
    assert "export ZJ_REQUIRE_BROWSER=1" in script
    lines = [line.strip() for line in script.splitlines()]
    assert lines[-1] == "make test"
    assert "export ZJ_REQUIRE_BROWSER=1" in lines[:-1]
