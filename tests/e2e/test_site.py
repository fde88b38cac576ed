"""The rendered site in a real browser, from disk: images decode, the ledger is complete, links
resolve, and nothing is fetched from the network.

The site is rendered once per module with `python -m zjanalysis render` over the whole
collection (about 11 s for six notebooks here), or over two generated stand-ins while
notebooks/ holds none.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from .conftest import REPO, generated_notebooks, real_notebooks

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RENDER_S = 300


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory) -> Path:
    """A freshly rendered site: every real notebook, else two generated ones."""
    out = tmp_path_factory.mktemp("site")
    if real_notebooks():
        notebooks: list[str] = []
    else:
        notebooks = [str(p) for p in generated_notebooks(tmp_path_factory.mktemp("nbs"))]
    done = subprocess.run([sys.executable, "-m", "zjanalysis", "render", *notebooks,
                           "--out", str(out), "--no-progress"], cwd=out, capture_output=True,
                          text=True, timeout=RENDER_S)
    assert done.returncode == 0, f"render failed:\n{done.stdout}\n{done.stderr[-3000:]}"
    return out


def ledger(site: Path) -> list[dict]:
    return json.loads((site / "ledger.json").read_text(encoding="utf-8"))


def broken_images(page) -> list[str]:
    """Return the src (cut short) of every <img> the browser could not decode."""
    return page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0))"
               ".map(i => (i.getAttribute('src') || '').slice(0, 80))")


def unresolved_links(page, here: Path) -> list[str]:
    """Return every link of the page that points at a missing file or a missing anchor.

    Links to other sites are not followed (the page must not fetch them) and count as fine.
    """
    hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
    ids = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
    bad = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme in ("http", "https", "mailto"):
            continue
        if parts.scheme or parts.netloc:
            bad.append(href)
        elif not parts.path:
            # Browsers try the fragment as written, then percent-decoded (nbconvert's heading
            # ids keep the percent-encoding).
            if parts.fragment and not {parts.fragment, unquote(parts.fragment)} & ids:
                bad.append(href)
        elif not (here.parent / unquote(parts.path)).is_file():
            bad.append(href)
    return bad


def test_index_lists_every_claim_and_loads_offline(site_dir, offline_page, artifacts):
    page = offline_page.page
    rows = ledger(site_dir)
    assert rows, "the rendered ledger is empty"
    page.goto((site_dir / "index.html").as_uri())
    page.screenshot(path=str(artifacts / "site-index.png"), full_page=True)
    shown = page.locator("table.ledger tbody tr td:first-child code").all_inner_texts()
    # One table row per ledger row, in the same order.
    assert shown == [row["claim_id"] for row in rows]
    if real_notebooks():
        from zjanalysis import data

        claims = data.claims()
        # Themes of the notebooks this site rendered (others may be added while tests run).
        rendered_themes = {p.stem.split("_", 1)[1] for p in site_dir.glob("0*.ipynb")}
        expected = set(claims.index[claims["theme"].isin(rendered_themes)])
        assert expected - set(shown) == set(), "claims of rendered themes missing from the ledger"
    assert broken_images(page) == []
    assert unresolved_links(page, site_dir / "index.html") == []
    assert offline_page.network_requests() == []


def test_notebook_page_from_the_index_shows_its_charts_offline(site_dir, offline_page,
                                                               artifacts):
    page = offline_page.page
    page.goto((site_dir / "index.html").as_uri())
    link = page.locator("table tbody tr a").first
    target = site_dir / unquote(link.get_attribute("href"))
    assert target.suffix == ".html" and target.is_file()
    link.click()
    page.wait_for_load_state("load")
    assert unquote(page.url) == target.as_uri()
    page.screenshot(path=str(artifacts / f"site-{target.stem}.png"), full_page=True)
    images = page.locator("img").count()
    assert images > 0, f"{target.name} shows no chart"
    assert broken_images(page) == []
    assert unresolved_links(page, target) == []
    assert offline_page.network_requests() == []
    # The page must not show a run failure (the renderer's red banner or a traceback).
    body = page.locator("body").inner_text()
    assert "This run failed" not in body and "Traceback (most recent call last)" not in body


def test_index_fits_a_1280_pixel_window_with_nothing_cut(site_dir, offline_page, artifacts):
    page = offline_page.page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto((site_dir / "index.html").as_uri())
    page.screenshot(path=str(artifacts / "site-index-1280.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # no cell whose content is wider than the cell (the sources column used to be cut)
    cut = page.eval_on_selector_all(
        "td", "cells => cells.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText.slice(0, 60))")
    assert cut == []
    sources = page.locator("table.ledger tbody tr td:nth-child(7)").first.bounding_box()
    assert sources["x"] + sources["width"] <= 1280


def test_index_puts_the_likely_misprints_and_verdicts_by_theme_first(site_dir, offline_page):
    page = offline_page.page
    page.goto((site_dir / "index.html").as_uri())
    headings = page.locator("h2").all_inner_texts()
    assert headings[:3] == ["Likely misprints", "Verdicts by theme", "The ledger"]
    rows = ledger(site_dir)
    named = [r for r in rows if r["verdict"] == "discrepancy" and r["likely_value"]]
    misprints = page.locator("table.misprints tbody tr")
    assert misprints.count() == len(named)
    if real_notebooks():
        # the collection's own diagnosis: the English summary's 45.537 million read 45.437
        first = misprints.first.inner_text()
        assert "netizens.total_2018" in first and "45.437 million" in first and "likely" in first
    bars = page.eval_on_selector_all("svg.verdict-chart rect title", "ts => ts.map(t => t.textContent)")
    counted = sum(int(t.split(": ")[1].split()[0]) for t in bars)
    assert counted == len(rows)


def test_network_page_draws_each_theme_and_loads_offline(site_dir, offline_page, artifacts):
    page = offline_page.page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto((site_dir / "network.html").as_uri())
    page.screenshot(path=str(artifacts / "site-network.png"), full_page=True)
    if real_notebooks():
        recorded = {Path(r["notebook"]).stem for r in ledger(site_dir)}
        assert page.locator("svg.network").count() == len(recorded)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert unresolved_links(page, site_dir / "network.html") == []
    assert offline_page.network_requests() == []
    if real_notebooks():
        text = page.locator("body").inner_text()
        assert "45.537 million → 45.437 million" in text
        checks = page.locator("table.constraints tbody tr td:first-child").all_inner_texts()
        assert "netizens.end_2017_count" in checks


def test_link_checker_reports_missing_targets(offline_page, tmp_path):
    # Guards the checks above: a page with one good and two bad links and a broken image.
    (tmp_path / "there.html").write_text("<p>ok</p>")
    page_path = tmp_path / "page.html"
    page_path.write_text('<a href="there.html">ok</a> <a href="gone.html">gone</a>'
                         '<a href="#nowhere">anchor</a> <h2 id="here">h</h2><a href="#here">h</a>'
                         '<img src="missing.png">')
    page = offline_page.page
    page.goto(page_path.as_uri())
    assert unresolved_links(page, page_path) == ["gone.html", "#nowhere"]
    assert broken_images(page) == ["missing.png"]


def test_network_requests_are_caught(offline_page, tmp_path):
    # Guards the offline assertion: a page that loads a script from a CDN is reported.
    page_path = tmp_path / "online.html"
    page_path.write_text('<script src="https://cdn.example.org/x.js"></script><p>x</p>')
    offline_page.page.goto(page_path.as_uri())
    assert offline_page.network_requests() == ["https://cdn.example.org/x.js"]


def test_site_is_not_written_into_the_repository(site_dir):
    assert REPO not in site_dir.parents and os.path.commonpath([REPO, site_dir]) != str(REPO)
