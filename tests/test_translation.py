"""The translation check: each English figure against the Chinese release, by one declared rule.

Every expected value below is worked out by hand from the two texts: 4543.7万 is 45.437 million
(45.4365 to 45.4375 after rounding), which cannot be 45.537 million (45.5365 to 45.5375); 5547.7亿
yuan is 554.77 billion yuan; 个百分点 are percentage points; 约 is "about".
"""

import pytest

from zjanalysis import data, translation


def claim(figure_text, unit, qualifier="exact", measure="count", origin="english-article"):
    value = 0.0
    return {
        "figure_text": figure_text,
        "unit": unit,
        "qualifier": qualifier,
        "measure": measure,
        "origin": origin,
        "value": value,
    }


def chinese(figure, unit, word="", measure="count", zh_id="ZH-TEST"):
    return {
        "zh_id": zh_id,
        "figure_as_printed": figure,
        "unit_as_printed": unit,
        "qualifier_as_printed": word,
        "measure": measure,
        "source_id": "s",
    }


def english(figure_text, unit, value, **kw):
    row = claim(figure_text, unit, **kw)
    row["value"] = value
    return row


@pytest.mark.parametrize(
    "en, zh, expected",
    [
        # a digit slipped: 45.537 million against 4543.7万 = 45.437 million
        (english("45.537 million", "million persons", 45.537), chinese("4543.7", "万人"), "slip"),
        # the same digits, the same unit once 亿 is converted: 5547.7亿 = 554.77 billion
        (
            english("554.77 billion yuan", "billion yuan", 554.77, measure="amount"),
            chinese("5547.7", "亿元", measure="amount"),
            "faithful",
        ),
        # "about" lost: 约587.7万 = about 5.877 million, printed as an exact 5.877 million
        (
            english("5.877 million", "million persons", 5.877, measure="increase"),
            chinese("587.7", "万人", "约", measure="increase"),
            "qualifier-dropped",
        ),
        # points became percent: 19.6个百分点 printed as "19.6%"
        (
            english("19.6%", "percentage points", 19.6, measure="gap"),
            chinese("19.6", "个百分点", measure="gap"),
            "unit-changed",
        ),
        # a rate of contribution became a share
        (
            english("17.5%", "percent", 17.5, measure="share"),
            chinese("17.5", "%", measure="contribution rate"),
            "scope-changed",
        ),
        # a rank word: 第四 is fourth
        (
            english("fourth", "rank", 4, qualifier="rank", measure="rank among provinces"),
            chinese("第四", "位", measure="rank among provinces"),
            "faithful",
        ),
        # "more than" kept: 超过99.0% against "more than 99.0%"
        (
            english("more than 99.0%", "percent", 99.0, qualifier="more_than", measure="share"),
            chinese("99.0", "%", "超过", measure="share"),
            "faithful",
        ),
        # a digit slipped AND the qualifier dropped: the slip is what matters
        (
            english("5.977 million", "million persons", 5.977, measure="increase"),
            chinese("587.7", "万人", "约", measure="increase"),
            "slip",
        ),
        # 1 Gbps is 1,000 Mbps
        (
            english("1,000 Mbps", "Mbps", 1000.0, qualifier="more_than", measure="speed"),
            chinese("1", "Gbps", "超过", measure="speed"),
            "faithful",
        ),
    ],
)
def test_the_rule_on_hand_worked_pairs(en, zh, expected):
    assert translation.compare(en, zh, "x.y_2018").value == expected


def test_a_claim_without_a_chinese_row_and_one_only_the_chinese_prints():
    assert (
        translation.compare(english("290", "applications", 290.0), None).value == "not-in-original"
    )
    only = english("4498.3万人", "million persons", 44.983, origin="chinese-release")
    found = translation.compare(only, chinese("4498.3", "万人"))
    assert found.value == "not-translated"
    assert (found.interval.lo, found.interval.hi) == (
        pytest.approx(44.9825),
        pytest.approx(44.9835),
    )


def test_the_chinese_figure_is_converted_to_the_claims_unit_exactly():
    assert translation.converted(chinese("4543.7", "万人")) == "45.437"
    assert translation.converted(chinese("5547.7", "亿元")) == "554.77"
    assert translation.converted(chinese("1", "Gbps")) == "1000"
    assert translation.converted(chinese("第四", "位")) == "4"
    lo_hi = translation.chinese_interval(chinese("4543.7", "万人"), {})
    assert lo_hi.lo == pytest.approx(45.4365) and lo_hi.hi == pytest.approx(45.4375)


def test_the_reason_names_both_figures():
    found = translation.compare(
        english("45.537 million", "million persons", 45.537), chinese("4543.7", "万人")
    )
    assert found.reason == (
        "The Chinese release prints 4543.7万人, which is 45.437 million people; the "
        "English prints 45.537 million."
    )
    dropped = translation.compare(
        english("5.877 million", "million persons", 5.877, measure="increase"),
        chinese("587.7", "万人", "约", measure="increase"),
    )
    assert "约587.7万人 (about 5.877 million people)" in dropped.reason


def test_every_claim_of_the_registry_gets_exactly_one_value():
    found = {cid: translation.check(cid).value for cid in data.claims().index}
    assert set(found.values()) <= set(translation.VALUES)
    # the seven English figures the readable part of the Chinese release prints, by hand
    assert {
        cid: v for cid, v in found.items() if v not in ("not-in-original", "not-translated")
    } == {
        "netizens.total_2018": "slip",
        "netizens.increase_2018": "qualifier-dropped",
        "netizens.penetration_2018": "faithful",
        "netizens.penetration_gap_2018": "unit-changed",
        "digecon.core_value_added_2018": "faithful",
        "digecon.core_share_gdp_2018": "scope-changed",
        "digecon.total_rank_2018": "faithful",
    }
    assert sum(v == "not-translated" for v in found.values()) == 10


def test_an_unknown_claim_is_named():
    with pytest.raises(KeyError, match="netizens.total_2108"):
        translation.check("netizens.total_2108")
