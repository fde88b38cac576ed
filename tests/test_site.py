"""The site: atomic writes, offline HTML export, the ledger files, the readers' page (index.html),
the analysts' ledger page (ledger.html) and the network page."""

from __future__ import annotations

import csv
import io
import json
import os
import re

import nbformat
import pytest

from zjanalysis import atomic, drawing, records, site
from zjanalysis.render import export
from zjanalysis.site import ledger

CLAIM = {
    "claim_id": "netizens.total_2018",
    "theme": "internet_users",
    "verdict": "discrepancy",
    "evidence": "exact",
    "stated": "45.537 million",
    "unit": "million persons",
    "likely_value": "",
    "reconstructed": {"lo": 45.5, "hi": 45.5, "lo_open": False, "hi_open": False},
    "references": [],
    "explanation": "off by <b>0.1%</b> & more",
    "sources": ["cnnic-2019-43rd-report", "zj-stats-2019"],
    "constraints": [],
}


def store(folder, name="01_x", claims=(CLAIM,), html=True, parameters=None, record=None):
    """Write a run record as the renderer stores it, beside an (empty) notebook."""
    (folder / f"{name}.ipynb").parent.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.ipynb").write_text("{}")
    outputs = {"ipynb": f"{name}.ipynb", **({"html": f"{name}.html"} if html else {})}
    decided = record or {
        "schema": records.SCHEMA,
        "version": records.VERSION,
        "theme": "internet_users",
        "parameters": {},
        "claims": list(claims),
        "sources": {},
        "network": None,
        "diagnosis": None,
    }
    stored = records.with_run(
        decided,
        run={
            "name": name,
            "notebook": f"notebooks/{name}.ipynb",
            "edition": "instructor",
            "parameters": {"tolerance": 0.01} if parameters is None else parameters,
            "status": "ok",
            "message": "",
            "outputs": outputs,
        },
        inputs={"data": "d"},
        versions={"python": "3"},
    )
    (folder / f"{name}{records.SUFFIX}").write_text(records.dumps(stored))


def test_write_atomic_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a.txt"
    atomic.write_atomic(target, "one")
    atomic.write_atomic(target, b"two")
    assert target.read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_write_atomic_cleans_up_when_writing_fails(tmp_path):
    with pytest.raises(TypeError):
        atomic.write_atomic(tmp_path / "a.txt", 12)  # neither str nor bytes
    assert list(tmp_path.iterdir()) == []


def test_remove_temp_files_only_removes_ours(tmp_path):
    (tmp_path / ".a.ipynb.x1.zjtmp").write_text("")
    (tmp_path / "keep.ipynb").write_text("")
    assert [p.name for p in atomic.remove_temp_files(tmp_path)] == [".a.ipynb.x1.zjtmp"]
    assert [p.name for p in tmp_path.iterdir()] == ["keep.ipynb"]


def test_ledger_rows_come_from_the_records_in_run_order(tmp_path):
    store(tmp_path, "02_y", claims=({**CLAIM, "claim_id": "b.y_2018"},))
    store(tmp_path)
    rows = ledger.rows(records.load_folder(tmp_path))
    assert [r["claim_id"] for r in rows] == ["netizens.total_2018", "b.y_2018"]
    assert rows[0]["notebook"] == "01_x.ipynb" and rows[0]["parameters"] == {"tolerance": 0.01}


def test_ledger_csv_and_json_columns(tmp_path):
    store(tmp_path)
    rows = site.build(tmp_path)
    assert len(rows) == 1
    table = list(csv.DictReader(io.StringIO((tmp_path / "ledger.csv").read_text())))
    assert tuple(table[0]) == ledger.LEDGER_COLUMNS
    # lists joined with '; ', None empty, parameters as JSON
    assert table[0]["sources"] == "cnnic-2019-43rd-report; zj-stats-2019"
    assert table[0]["reference"] == "" and table[0]["reconstructed"] == "45.5 million people"
    assert json.loads(table[0]["parameters"]) == {"tolerance": 0.01}
    data = json.loads((tmp_path / "ledger.json").read_text())
    assert set(data[0]) == set(ledger.LEDGER_COLUMNS) and data[0]["sources"] == CLAIM["sources"]


def test_the_ledger_page_escapes_colours_counts_and_links(tmp_path):
    confirmed = {**CLAIM, "claim_id": "b.y_2018", "verdict": "confirmed"}
    store(tmp_path, claims=(CLAIM, confirmed))
    site.build(tmp_path)
    page = (tmp_path / "ledger.html").read_text()
    assert "<b>0.1%</b>" not in page and "&lt;b&gt;0.1%&lt;/b&gt; &amp; more" in page
    assert '<span class="v-discrepancy">discrepancy</span> 1' in page
    assert '<span class="v-confirmed">confirmed</span> 1' in page
    assert '<span class="v-misleading">misleading</span> 0' in page
    assert page.count('<a href="01_x.html">01_x</a>') == 2
    assert ".v-discrepancy { color: #fff; background: #cf222e" in page
    assert '<a href="index.html">' in page  # back to the readers' page
    assert "<script" not in page and not re.search(r"(?:src|href)=[\"']?https?:", page)


def test_the_ledger_page_links_the_notebook_when_no_html(tmp_path):
    store(tmp_path, html=False)
    site.build(tmp_path)
    assert '<a href="01_x.ipynb">' in (tmp_path / "ledger.html").read_text()


def _cards(page: str) -> dict[str, str]:
    """The readers' page's cards by id: the text of each <article class="card">."""
    return dict(re.findall(r'<article class="card" id="([^"]+)"[^>]*>(.*?)</article>', page, re.S))


def _text(fragment: str) -> str:
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def test_the_readers_page_has_a_card_for_every_claim_in_the_ledger(tmp_path):
    store(tmp_path, record=_network_record())
    store(
        tmp_path,
        "02_y",
        claims=(
            {
                **CLAIM,
                "claim_id": "b.y_2018",
                "theme": "broadband",
                "verdict": "unverifiable",
                "evidence": "none",
            },
        ),
    )
    rows = site.build(tmp_path)
    page = (tmp_path / "index.html").read_text()
    cards = _cards(page)
    assert set(cards) == {row["claim_id"] for row in rows}
    assert '<a href="ledger.html">' in page  # the analysts' ledger, one click away
    assert "<script" not in page and not re.search(r"(?:src|href)=[\"']?https?:", page)


def test_a_card_says_what_was_found_in_words_not_colour(tmp_path):
    store(tmp_path, record=_network_record())
    site.build(tmp_path)
    card = _cards((tmp_path / "index.html").read_text())["t.total_2018"]
    verdict = re.search(r'<p class="verdict v-discrepancy">(.*?)</p>', card, re.S).group(1)
    assert _text(verdict) == "✘ Discrepancy"  # an icon and a word
    summary = _text(re.search(r'<p class="summary">(.*?)</p>', card, re.S).group(1))
    # 45.437 − 5.877 = 39.560 and 45.437 / 57.37 = 79.20 %: two checks agree with one change
    assert summary == (
        "The printed “45.537 million” is most likely a misprint for 45.437 million: that one "
        "change makes two checks agree."
    )
    assert len(summary.split()) <= 40
    assert "<details><summary>How we checked</summary>" in card
    assert '<a href="01_x.html">The analysis, with code</a>' in card
    assert '<a href="#t.total_2018">' in card


def test_every_summary_on_the_readers_page_is_one_short_sentence(tmp_path):
    store(tmp_path, record=_network_record())
    site.build(tmp_path)
    for claim_id, card in _cards((tmp_path / "index.html").read_text()).items():
        summary = _text(re.search(r'<p class="summary">(.*?)</p>', card, re.S).group(1))
        assert len(summary.split()) <= 40, claim_id
        assert summary.count(". ") == 0 and summary.endswith("."), claim_id


def test_the_readers_page_opens_with_the_findings(tmp_path):
    store(tmp_path, record=_network_record())
    site.build(tmp_path)
    page = (tmp_path / "index.html").read_text()
    findings = page[
        page.index('<ul class="findings">') : page.index("</ul>", page.index("findings"))
    ]
    assert "We checked 3 figures" in _text(findings)  # total, increase and rate
    assert "should most likely read 45.437 million" in _text(findings)


def test_a_card_cites_its_sources_with_publisher_date_and_link(tmp_path):
    record = _network_record()
    record["claims"][0]["sources"] = ["s1"]
    record["sources"] = {
        "s1": {
            "label": "CNNIC 2019",
            "publisher": "CNNIC",
            "title": "43rd report",
            "url": "https://example.org/r<1>",
            "published": "2019-02-28",
            "locator": "",
            "warning": "",
        }
    }
    store(tmp_path, record=record)
    site.build(tmp_path)
    card = _cards((tmp_path / "index.html").read_text())["t.total_2018"]
    assert '<a href="https://example.org/r&lt;1&gt;">CNNIC, 43rd report</a> (2019-02-28)' in card


def test_building_again_keeps_unchanged_files_untouched(tmp_path):
    store(tmp_path)
    site.build(tmp_path)
    before = (tmp_path / "ledger.csv").stat().st_mtime_ns
    os.utime(tmp_path / "ledger.csv", ns=(1, 1))
    site.build(tmp_path)
    assert (tmp_path / "ledger.csv").stat().st_mtime_ns == 1 != before


def test_the_site_is_a_function_of_the_records_alone(tmp_path):
    """Delete every site file (and anything but the records and notebooks), build again: the
    same bytes come back."""
    store(tmp_path, record=_network_record())
    store(tmp_path, "student/01_x", parameters={})
    site.build(tmp_path)
    first = {name: (tmp_path / name).read_bytes() for name in site.FILES}
    for name in site.FILES:
        (tmp_path / name).unlink()
    site.build(tmp_path)
    assert {name: (tmp_path / name).read_bytes() for name in site.FILES} == first
    rows = json.loads(first["ledger.json"])
    assert [r["notebook"] for r in rows].count("student/01_x.ipynb") == 1


def test_a_stored_file_that_is_not_a_record_is_named(tmp_path):
    (tmp_path / f"01_x{records.SUFFIX}").write_text('{"schema": "something else"}')
    with pytest.raises(
        records.RecordError, match=r"01_x.record.json is not a zjanalysis run record"
    ):
        site.build(tmp_path)


def test_export_html_is_offline_with_embedded_images():
    nb = nbformat.v4.new_notebook()
    png = (
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhf"
        "DwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    nb.cells = [
        nbformat.v4.new_markdown_cell("Title $x^2$"),
        nbformat.v4.new_code_cell(
            "plot",
            outputs=[
                nbformat.v4.new_output(
                    "display_data", data={"image/png": png, "text/plain": "<Figure>"}
                )
            ],
        ),
    ]
    page = export.export_html(nb)
    assert f"data:image/png;base64,{png}" in page
    external = re.findall(r"<(?:script|link)\b[^>]*(?:src|href)=[\"']?(?:https?:)?//", page)
    assert external == []


def test_read_ledger_missing_says_what_to_run(tmp_path):
    with pytest.raises(
        FileNotFoundError, match=r"No ledger at .*ledger.json; run `zjanalysis render"
    ):
        ledger.read_ledger(tmp_path)


def test_format_ledger_aligns_and_counts():
    rows = [
        {"claim_id": "a.b_2018", "verdict": "confirmed", "stated": "1", "notebook": "n.ipynb"},
        {"claim_id": "c_2018", "verdict": "discrepancy", "stated": "x" * 60, "notebook": "n"},
    ]
    text = ledger.format_ledger(rows)
    lines = text.splitlines()
    assert lines[0].index("verdict") == lines[2].index("confirmed") == lines[3].index("discrepancy")
    assert "x" * 39 + "…" in text and "x" * 41 not in text
    assert lines[-1] == "confirmed: 1, discrepancy: 1"


def _network_record():
    from zjanalysis import network

    net = network.Network("test")
    t = net.figure("t.total_2018", "45.537 million", unit="million persons")
    i = net.figure("t.increase_2018", "5.877 million", unit="million persons")
    r = net.figure("t.rate_2018", "79.2%", unit="percent")
    e = net.figure(
        "t.edition_2017",
        "39.56",
        kind="reference",
        unit="million persons",
        source="s1",
        label="count <2017>",
    )
    p = net.figure(
        "t.population_2018", "57.37", kind="reference", unit="million persons", source="s2"
    )
    net.check("t.end_2017", t - i, e, says="last year's count")
    net.check("t.rate", t / p * 100, r, says="the rate")
    return records.build(net)


def test_the_ledger_page_lists_the_likely_misprints_from_the_networks(tmp_path):
    store(tmp_path, record=_network_record())
    site.build(tmp_path)
    page = (tmp_path / "ledger.html").read_text()
    table = page[
        page.index('<table class="wide misprints">') : page.index(
            "</table>", page.index("misprints")
        )
    ]
    # 45.437 − 5.877 = 39.560 and 45.437 / 57.37 = 79.20 %: the one likely misprint
    assert (
        "<code>t.total_2018</code>" in table
        and "<b>45.437 million</b>" in table
        and ">likely<" in table
    )
    assert table.count("<tr>") == 2  # the header and one misprint


def test_the_network_page_draws_every_recorded_network_escaped(tmp_path):
    record = _network_record()
    store(tmp_path, record=record)
    site.build(tmp_path)
    page = (tmp_path / "network.html").read_text()
    assert page.count('class="network"') == 1
    # the drawing the notebook shows, its nodes linking to their cards on the readers' page
    assert drawing.svg(record, href=lambda claim_id: f"index.html#{claim_id}") in page
    assert '<a href="index.html#t.total_2018">' in page
    assert "count &lt;2017&gt;" in page and "count <2017>" not in page
    assert "45.537 million → 45.437 million" in page
    assert "<script" not in page and not re.search(r"(?:src|href)=[\"']?https?:", page)
    assert '<a href="01_x.html">' in page
