"""The claim network drawn as SVG: one function for the notebook and the site, deterministic."""

import xml.etree.ElementTree as ET

import pytest

from zjanalysis import drawing, network, records

SVG = "{http://www.w3.org/2000/svg}"


def recorded_network() -> dict:
    """The collection's real example in miniature: 45.537 − 5.877 misses 39.56 and 45.537 / 57.37
    misses 79.2 %, while 45.437 (one digit changed) makes both hold: 45.437 − 5.877 = 39.560 and
    45.437 / 57.37 = 79.20 %."""
    net = network.Network("test")
    t = net.figure("t.total_2018", "45.537 million", unit="million persons")
    i = net.figure("t.increase_2018", "5.877 million", unit="million persons")
    r = net.figure("t.rate_2018", "79.2%", unit="percent")
    e = net.figure("t.edition_2017", "39.56", kind="reference", unit="million persons", source="s1")
    p = net.figure(
        "t.population_2018", "57.37", kind="reference", unit="million persons", source="s2"
    )
    net.figure("t.unused_2018", "12", kind="reference", source="s3", label="a figure no check uses")
    net.check("t.end_2017", t - i, e, says="last year's count")
    net.check("t.rate", t / p * 100, r, says="the rate")
    return records.build(net)


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_the_drawing_marks_the_blamed_figure_with_its_likely_reading_and_skips_unused_references():
    svg = drawing.svg(recorded_network())
    shown = texts(svg)
    assert "45.537 million → 45.437 million · discrepancy" in shown
    assert "total_2018" in shown and "a figure no check uses" not in " ".join(shown)
    assert shown[0] == "Test: 2 checks, 2 like for like failing; blamed: t.total_2018"
    root = ET.fromstring(svg)
    rings = [c for c in root.iter(f"{SVG}circle") if c.get("stroke") == "#cf222e"]
    assert len(rings) == 1  # one blamed figure
    open_diamonds = [d for d in root.iter(f"{SVG}polygon") if d.get("fill") == "#ffffff"]
    assert len(open_diamonds) == 2  # both checks fail as printed


def test_the_same_record_gives_the_same_bytes_and_links_are_optional():
    record = recorded_network()
    assert drawing.svg(record) == drawing.svg(record)
    linked = drawing.svg(record, href=lambda claim_id: f"index.html#{claim_id}")
    hrefs = [a.get("href") for a in ET.fromstring(linked).iter(f"{SVG}a")]
    assert sorted(hrefs) == [
        "index.html#t.increase_2018",
        "index.html#t.rate_2018",
        "index.html#t.total_2018",
    ]


def test_layout_puts_claims_left_checks_middle_references_right():
    places = drawing.layout(recorded_network()["network"])
    assert {
        x
        for key, (x, _) in places.items()
        if key.startswith("q:t.") and "2018" in key and key != "q:t.population_2018"
    } == {0.0}
    assert places["c:t.end_2017"][0] == 1.0 and places["q:t.edition_2017"][0] == 2.0
    assert "q:t.unused_2018" not in places
    assert drawing.layout(recorded_network()["network"]) == places


def test_a_record_without_a_network_is_refused():
    with pytest.raises(ValueError, match="draws the network of a run record"):
        drawing.svg({"network": None})


def test_show_displays_svg_with_a_caption(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.get_ipython", lambda: object())
    monkeypatch.setattr("IPython.display.display", lambda bundle, raw: shown.append(bundle))
    drawing.show(recorded_network())
    assert set(shown[0]) == {"image/svg+xml", "text/plain"}
    assert shown[0]["text/plain"].startswith("<claim network: Test: 2 checks")
