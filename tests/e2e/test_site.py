"""The rendered site in a real browser, from disk: the readers' page has a card per claim, the
ledger is complete, images decode, links resolve, axe-core finds no serious accessibility
violation, no page scrolls sideways on a phone, and nothing is fetched from the network.

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
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "zjanalysis",
            "render",
            *notebooks,
            "--out",
            str(out),
            "--no-progress",
        ],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=RENDER_S,
    )
    assert done.returncode == 0, f"render failed:\n{done.stdout}\n{done.stderr[-3000:]}"
    return out


def ledger(site: Path) -> list[dict]:
    return json.loads((site / "ledger.json").read_text(encoding="utf-8"))


def broken_images(page) -> list[str]:
    """Return the src (cut short) of every <img> the browser could not decode."""
    return page.eval_on_selector_all(
        "img",
        "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => (i.getAttribute('src') || '').slice(0, 80))",
    )


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


def test_the_readers_page_has_a_card_for_every_claim_and_loads_offline(
    site_dir, offline_page, artifacts
):
    page = offline_page.page
    rows = ledger(site_dir)
    assert rows, "the rendered ledger is empty"
    page.goto((site_dir / "index.html").as_uri())
    page.screenshot(path=str(artifacts / "site-index.png"), full_page=True)
    cards = page.eval_on_selector_all("article.card", "cs => cs.map(c => c.id)")
    assert sorted(cards) == sorted({row["claim_id"] for row in rows})  # one card per claim, by id
    for card in page.locator("article.card").all():
        verdict = card.locator(".verdict").inner_text().strip()
        icon, word = verdict.split(" ", 1)
        assert len(icon) == 1 and word in {
            "Confirmed",
            "Consistent",
            "Discrepancy",
            "Misleading",
            "Unverifiable",
        }
        summary = card.locator(".summary").inner_text().strip()
        assert 0 < len(summary.split()) <= 40, (card.get_attribute("id"), summary)
    if real_notebooks():
        from zjanalysis import data

        claims = data.claims()
        rendered_themes = {p.stem.split("_", 1)[1] for p in site_dir.glob("0*.ipynb")}
        expected = set(claims.index[claims["theme"].isin(rendered_themes)])
        assert expected - set(cards) == set(), "claims of rendered themes without a card"
        misprint = page.locator("article.card#netizens\\.total_2018 .summary").inner_text()
        assert "45.437 million" in misprint  # the likely value, named
    assert broken_images(page) == []
    assert unresolved_links(page, site_dir / "index.html") == []
    assert offline_page.network_requests() == []


def test_how_we_checked_opens_from_the_keyboard(site_dir, offline_page):
    page = offline_page.page
    page.goto((site_dir / "index.html").as_uri())
    details = page.locator("article.card details").first
    assert details.evaluate("d => d.open") is False
    details.locator("summary").focus()
    page.keyboard.press("Enter")
    assert details.evaluate("d => d.open") is True
    page.keyboard.press("Space")
    assert details.evaluate("d => d.open") is False


def test_printing_shows_every_card_opened_and_in_black_and_white(site_dir, offline_page, artifacts):
    page = offline_page.page
    page.goto((site_dir / "index.html").as_uri())
    inside = page.locator("article.card details > :not(summary)").first
    assert not inside.is_visible()
    page.emulate_media(media="print")
    assert inside.is_visible()  # the arithmetic is on paper
    assert page.locator("nav.site").first.is_hidden()
    page.pdf(path=str(artifacts / "site-index.pdf"))


def test_the_readers_pages_link_the_analysis_and_show_no_code(site_dir, offline_page, artifacts):
    page = offline_page.page
    readers = sorted((site_dir / "reader").rglob("*.html"))
    notebooks = sorted(p for p in site_dir.glob("*.ipynb"))
    assert [p.stem for p in readers] == [p.stem for p in notebooks], (
        "a notebook without a reader page"
    )
    target = readers[min(1, len(readers) - 1)]
    page.goto(target.as_uri())
    page.screenshot(path=str(artifacts / f"site-reader-{target.stem}.png"), full_page=True)
    assert page.locator(".jp-InputArea-editor").count() == 0  # no code (Markdown cells stay)
    assert page.locator("img").count() > 0 and broken_images(page) == []
    back = page.locator("a", has_text="The analysis, with its code")
    assert (
        target.parent / back.get_attribute("href")
    ).resolve() == site_dir / f"{target.stem}.html"
    assert unresolved_links(page, target) == []
    assert offline_page.network_requests() == []


@pytest.mark.parametrize(
    "name", ["index.html", "ledger.html", "network.html", "reader", "analysis"]
)
def test_no_page_scrolls_sideways_on_a_phone(site_dir, offline_page, artifacts, name):
    page = offline_page.page
    page.set_viewport_size({"width": 375, "height": 812})
    path = _page_path(site_dir, name)
    page.goto(path.as_uri())
    page.screenshot(path=str(artifacts / f"site-375-{path.stem}.png"), full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("name", ["index.html", "network.html", "reader"])
def test_axe_finds_no_serious_or_critical_violation(site_dir, offline_page, name):
    from axe_playwright_python.sync_playwright import Axe

    page = offline_page.page
    page.goto(_page_path(site_dir, name).as_uri())
    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert offline_page.network_requests() == []  # axe-core runs from the package, not a CDN


def _page_path(site_dir: Path, name: str) -> Path:
    """A site page by name; "reader" and "analysis" are the first notebook with charts in either
    edition."""
    if name in ("reader", "analysis"):
        stem = sorted(p.stem for p in site_dir.glob("*.ipynb"))[
            min(1, len(list(site_dir.glob("*.ipynb"))) - 1)
        ]
        return (
            site_dir / "reader" / f"{stem}.html" if name == "reader" else site_dir / f"{stem}.html"
        )
    return site_dir / name


def test_the_ledger_page_lists_every_claim_and_loads_offline(site_dir, offline_page, artifacts):
    page = offline_page.page
    rows = ledger(site_dir)
    page.goto((site_dir / "index.html").as_uri())
    page.locator("nav.site a", has_text="ledger").first.click()  # one click from the readers' page
    page.wait_for_load_state("load")
    assert unquote(page.url) == (site_dir / "ledger.html").as_uri()
    page.screenshot(path=str(artifacts / "site-ledger.png"), full_page=True)
    shown = page.locator("table.ledger tbody tr td:first-child code").all_inner_texts()
    # One table row per ledger row, in the same order.
    assert shown == [row["claim_id"] for row in rows]
    assert broken_images(page) == []
    assert unresolved_links(page, site_dir / "ledger.html") == []
    assert offline_page.network_requests() == []


def test_notebook_page_from_the_ledger_shows_its_charts_offline(site_dir, offline_page, artifacts):
    page = offline_page.page
    page.goto((site_dir / "ledger.html").as_uri())
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
    assert page.locator("a", has_text="Read it without the code").count() == 1


def test_the_ledger_fits_a_1280_pixel_window_with_nothing_cut(site_dir, offline_page, artifacts):
    page = offline_page.page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto((site_dir / "ledger.html").as_uri())
    page.screenshot(path=str(artifacts / "site-ledger-1280.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # no cell whose content is wider than the cell (the sources column used to be cut)
    cut = page.eval_on_selector_all(
        "td",
        "cells => cells.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => "
        "c.innerText.slice(0, 60))",
    )
    assert cut == []
    sources = page.locator("table.ledger tbody tr td:nth-child(7)").first.bounding_box()
    assert sources["x"] + sources["width"] <= 1280


def test_the_ledger_puts_the_likely_misprints_and_verdicts_by_theme_first(site_dir, offline_page):
    page = offline_page.page
    page.goto((site_dir / "ledger.html").as_uri())
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
    bars = page.eval_on_selector_all(
        "svg.verdict-chart rect title", "ts => ts.map(t => t.textContent)"
    )
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
    # every node links to its card on the readers' page, and that card exists
    cards = {r["claim_id"] for r in ledger(site_dir)}
    targets = page.eval_on_selector_all(
        "svg.network a", "as => as.map(a => a.getAttribute('href'))"
    )
    assert targets and {t.split("#", 1)[1] for t in targets} <= cards
    assert {t.split("#", 1)[0] for t in targets} == {"index.html"}
    if real_notebooks():
        text = page.locator("body").inner_text()
        assert "45.537 million → 45.437 million" in text
        checks = page.locator("table.constraints tbody tr td:first-child").all_inner_texts()
        assert "netizens.end_2017_count" in checks


def test_link_checker_reports_missing_targets(offline_page, tmp_path):
    # Guards the checks above: a page with one good and two bad links and a broken image.
    (tmp_path / "there.html").write_text("<p>ok</p>")
    page_path = tmp_path / "page.html"
    page_path.write_text(
        '<a href="there.html">ok</a> <a href="gone.html">gone</a>'
        '<a href="#nowhere">anchor</a> <h2 id="here">h</h2><a href="#here">h</a>'
        '<img src="missing.png">'
    )
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
