"""The site: atomic writes, offline HTML export, the ledger files and the index page."""

from __future__ import annotations

import csv
import io
import json
import os
import re

import nbformat
import pytest

from zjanalysis import site

FINDING = {
    "claim_id": "netizens.total_2018", "claim_ids": ["netizens.total_2018"],
    "theme": "internet_users", "verdict": "discrepancy", "stated": "45.537 million",
    "reconstructed": 45.5, "reference": None, "explanation": "off by <b>0.1%</b> & more",
    "sources": ["cnnic-2019-43rd-report", "zj-stats-2019"],
}


def entries(tmp_path, findings=(FINDING,), html=True):
    (tmp_path / "01_x.ipynb").write_text("{}")
    outputs = {"ipynb": "01_x.ipynb"}
    if html:
        outputs["html"] = "01_x.html"
    return {"01_x": {"findings": list(findings), "outputs": outputs,
                     "parameters": {"tolerance": 0.01}}}


def test_write_atomic_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a.txt"
    site.write_atomic(target, "one")
    site.write_atomic(target, b"two")
    assert target.read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_write_atomic_cleans_up_when_writing_fails(tmp_path):
    with pytest.raises(TypeError):
        site.write_atomic(tmp_path / "a.txt", 12)  # neither str nor bytes
    assert list(tmp_path.iterdir()) == []


def test_remove_temp_files_only_removes_ours(tmp_path):
    (tmp_path / ".a.ipynb.x1.zjtmp").write_text("")
    (tmp_path / "keep.ipynb").write_text("")
    assert [p.name for p in site.remove_temp_files(tmp_path)] == [".a.ipynb.x1.zjtmp"]
    assert [p.name for p in tmp_path.iterdir()] == ["keep.ipynb"]


def test_findings_reader_reads_payloads_in_order():
    nb = nbformat.v4.new_notebook()
    out = lambda fs: nbformat.v4.new_output(  # noqa: E731
        "display_data", data={site.FINDINGS_MIME: {"version": 1, "findings": fs}})
    nb.cells = [nbformat.v4.new_code_cell("a", outputs=[out([{"claim_id": "a"}])]),
                nbformat.v4.new_code_cell("b", outputs=[out([{"claim_id": "b"}, {"claim_id": "c"}])])]
    assert [f["claim_id"] for f in site.findings_from_notebook(nb)] == ["a", "b", "c"]


def test_ledger_rows_take_findings_and_skip_missing_notebooks(tmp_path):
    runs = entries(tmp_path)
    runs["gone"] = {"findings": [FINDING], "outputs": {"ipynb": "gone.ipynb"}, "parameters": {}}
    rows = site.ledger_rows(runs, tmp_path)
    assert len(rows) == 1
    assert rows[0]["notebook"] == "01_x.ipynb" and rows[0]["parameters"] == {"tolerance": 0.01}


def test_ledger_csv_and_json_columns(tmp_path):
    rows = site.write_site(tmp_path, entries(tmp_path))
    assert len(rows) == 1
    table = list(csv.DictReader(io.StringIO((tmp_path / "ledger.csv").read_text())))
    assert tuple(table[0]) == site.LEDGER_COLUMNS
    # lists joined with '; ', None empty, parameters as JSON
    assert table[0]["sources"] == "cnnic-2019-43rd-report; zj-stats-2019"
    assert table[0]["reference"] == "" and table[0]["reconstructed"] == "45.5"
    assert json.loads(table[0]["parameters"]) == {"tolerance": 0.01}
    data = json.loads((tmp_path / "ledger.json").read_text())
    assert set(data[0]) == set(site.LEDGER_COLUMNS) and data[0]["sources"] == FINDING["sources"]


def test_index_escapes_colours_counts_and_links(tmp_path):
    confirmed = {**FINDING, "claim_id": "b.y_2018", "verdict": "confirmed"}
    site.write_site(tmp_path, entries(tmp_path, findings=(FINDING, confirmed)))
    page = (tmp_path / "index.html").read_text()
    assert "<b>0.1%</b>" not in page and "&lt;b&gt;0.1%&lt;/b&gt; &amp; more" in page
    assert '<span class="v-discrepancy">discrepancy</span> 1' in page
    assert '<span class="v-confirmed">confirmed</span> 1' in page
    assert '<span class="v-misleading">misleading</span> 0' in page
    assert page.count('<a href="01_x.html">01_x</a>') == 2
    assert ".v-discrepancy { color: #fff; background: #cf222e" in page
    assert "<script" not in page and "http" not in page


def test_index_links_the_notebook_when_no_html(tmp_path):
    site.write_site(tmp_path, entries(tmp_path, html=False))
    assert '<a href="01_x.ipynb">' in (tmp_path / "index.html").read_text()


def test_write_site_keeps_unchanged_files_untouched(tmp_path):
    site.write_site(tmp_path, entries(tmp_path))
    before = (tmp_path / "ledger.csv").stat().st_mtime_ns
    os.utime(tmp_path / "ledger.csv", ns=(1, 1))
    site.write_site(tmp_path, entries(tmp_path))
    assert (tmp_path / "ledger.csv").stat().st_mtime_ns == 1 != before


def test_export_html_is_offline_with_embedded_images():
    nb = nbformat.v4.new_notebook()
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    nb.cells = [nbformat.v4.new_markdown_cell("Title $x^2$"),
                nbformat.v4.new_code_cell("plot", outputs=[nbformat.v4.new_output(
                    "display_data", data={"image/png": png, "text/plain": "<Figure>"})])]
    page = site.export_html(nb)
    assert f"data:image/png;base64,{png}" in page
    external = re.findall(r"<(?:script|link)\b[^>]*(?:src|href)=[\"']?(?:https?:)?//", page)
    assert external == []


def test_read_ledger_missing_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"No ledger at .*ledger.json; run `zjanalysis render"):
        site.read_ledger(tmp_path)


def test_format_ledger_aligns_and_counts():
    rows = [{"claim_id": "a.b_2018", "verdict": "confirmed", "stated": "1", "notebook": "n.ipynb"},
            {"claim_id": "c_2018", "verdict": "discrepancy", "stated": "x" * 60, "notebook": "n"}]
    text = site.format_ledger(rows)
    lines = text.splitlines()
    assert lines[0].index("verdict") == lines[2].index("confirmed") == lines[3].index("discrepancy")
    assert "x" * 39 + "…" in text and "x" * 41 not in text
    assert lines[-1] == "confirmed: 1, discrepancy: 1"


def _network_entry(tmp_path):
    from zjanalysis import network, verdicts

    net = network.Network("test")
    t = net.figure("t.total_2018", "45.537 million", unit="million persons")
    i = net.figure("t.increase_2018", "5.877 million", unit="million persons")
    r = net.figure("t.rate_2018", "79.2%", unit="percent")
    e = net.figure("t.edition_2017", "39.56", kind="reference", unit="million persons", source="s1",
                   label="count <2017>")
    p = net.figure("t.population_2018", "57.37", kind="reference", unit="million persons", source="s2")
    net.check("t.end_2017", t - i, e, says="last year's count")
    net.check("t.rate", t / p * 100, r, says="the rate")
    from zjanalysis import diagnosis

    found = diagnosis.diagnose(net)
    findings = verdicts.derive(net, found)
    body = verdicts.payload(net, found, findings)
    rows = [{**f.__dict__, "claim_id": f.claim_ids[0], "theme": "test", "claim_ids": list(f.claim_ids),
             "sources": list(f.sources), "constraints": list(f.constraints)} for f in findings]
    (tmp_path / "01_x.ipynb").write_text("{}")
    return {"01_x": {"findings": rows, "network": [body], "notebook": "notebooks/01_x.ipynb",
                     "outputs": {"ipynb": "01_x.ipynb", "html": "01_x.html"}, "parameters": {}}}


def test_the_index_lists_the_likely_misprints_from_the_networks(tmp_path):
    site.write_site(tmp_path, _network_entry(tmp_path))
    page = (tmp_path / "index.html").read_text()
    table = page[page.index('<table class="wide misprints">'):page.index("</table>", page.index("misprints"))]
    # 45.437 − 5.877 = 39.560 and 45.437 / 57.37 = 79.20 %: the one likely misprint
    assert "<code>t.total_2018</code>" in table and "<b>45.437 million</b>" in table and ">likely<" in table
    assert table.count("<tr>") == 2   # the header and one misprint


def test_the_network_page_draws_every_recorded_network_escaped(tmp_path):
    site.write_site(tmp_path, _network_entry(tmp_path))
    page = (tmp_path / "network.html").read_text()
    assert page.count('<svg class="network"') == 1
    assert "count &lt;2017&gt;" in page and "count <2017>" not in page
    assert "45.537 million → 45.437 million" in page
    assert "<script" not in page and "http" not in page
    assert '<a href="01_x.html">' in page
