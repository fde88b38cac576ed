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


# --- ranks, kinds of number, and rows the rule cannot read ---------------------------------


@pytest.mark.parametrize(
    "printed, rank",
    [
        ("第一", 1),
        ("第四", 4),
        ("第十", 10),
        ("第十一", 11),
        ("第二十", 20),
        ("第三十一", 31),
        ("第31", 31),
    ],
)
def test_chinese_ranks_are_read_as_numbers(printed, rank):
    # 十 is ten; a numeral before it multiplies it, one after it adds: 三十一 = 3 x 10 + 1
    assert translation.chinese_rank(printed) == rank


@pytest.mark.parametrize("printed", ["第", "四", "第零", "第十十", "第四五", "first", "第4a"])
def test_a_rank_the_rule_cannot_read_is_refused(printed):
    with pytest.raises(ValueError, match="is not a rank the rule reads; expected 第 and a number"):
        translation.chinese_rank(printed)


def test_a_rank_beyond_the_fifth_is_compared_too():
    # 第六 is sixth: it cannot be the English "first", and it is the English "sixth"
    first = english("first", "rank", 1.0, qualifier="rank", measure="rank among provinces")
    sixth = chinese("第六", "位", measure="rank among provinces")
    found = translation.compare(first, sixth)
    assert (found.value, found.converted) == ("slip", "6")
    assert (
        found.reason == "The Chinese release prints 第六, which is sixth; the English prints first."
    )
    assert (
        translation.compare(
            english("sixth", "rank", 6.0, qualifier="rank", measure="rank among provinces"), sixth
        ).value
        == "faithful"
    )


def test_a_count_printed_as_a_percentage_changed_its_unit_and_converts_to_nothing():
    # 12家 counts institutions; "12%" is a percentage: same digits, another kind of number
    found = translation.compare(english("12%", "percent", 12.0), chinese("12", "家"))
    assert found.value == "unit-changed"
    assert (
        found.reason
        == "The Chinese release prints 12家, as a count; the English prints 12%, in percent."
    )
    assert (found.interval, found.converted) == (None, "")


def test_more_than_kept_and_more_than_lost():
    # 超过1Gbps = more than 1,000 Mbps; an exact "1,000 Mbps" loses the "more than"
    peak = chinese("1", "Gbps", "超过", measure="speed")
    assert (
        translation.compare(english("1,000 Mbps", "Mbps", 1000.0, measure="speed"), peak).value
        == "qualifier-dropped"
    )
    # a qualifier the English adds is not flagged: (99, inf) still holds 99.0% (98.95 to 99.05)
    added = translation.compare(
        english("more than 99.0%", "percent", 99.0, qualifier="more_than", measure="share"),
        chinese("99.0", "%", measure="share"),
    )
    assert added.value == "faithful"


def test_the_figure_comes_back_in_the_claims_unit():
    # 4543.7 x 10^4 persons / 10^6 = 45.437 million persons;
    # 5547.7 x 10^8 yuan / 10^9 = 554.77 billion yuan
    total = translation.check("netizens.total_2018")
    assert total.converted == "45.437"
    assert (total.interval.lo, total.interval.hi) == (
        pytest.approx(45.4365),
        pytest.approx(45.4375),
    )
    assert translation.check("digecon.core_value_added_2018").converted == "554.77"
    # 99.0 keeps its printed digit; 500 个 is 0.0000005 billion items (500 / 10^9)
    assert translation.converted(chinese("99.0", "%")) == "99.0"
    assert translation.converted(chinese("500", "个"), "billion items") == "0.000000500"
    assert translation.check("gov.portal_users_2018").converted == ""


@pytest.mark.parametrize(
    "row, message",
    [
        (
            chinese("4543.7", "万户"),
            "Chinese figure ZH-TEST: unit_as_printed '万户' is not a unit the rule converts; "
            "allowed: 万人, 亿元",
        ),
        (
            chinese("4543.7", "万人", "大约"),
            "Chinese figure ZH-TEST: qualifier_as_printed '大约' is not a qualifier word "
            "the rule reads; allowed: 约, 超过, 余, 以上, or empty",
        ),
        (
            chinese("四千五百", "万人"),
            "Chinese figure ZH-TEST: figure_as_printed '四千五百' is not a number",
        ),
        (
            chinese("4", "位", measure="rank among provinces"),
            "Chinese figure ZH-TEST: '4' is not a rank the rule reads",
        ),
    ],
)
def test_a_chinese_row_the_rule_cannot_read_is_named(row, message):
    with pytest.raises(ValueError) as caught:
        translation.compare(english("45.537 million", "million persons", 45.537), row)
    assert str(caught.value).startswith(message), str(caught.value)


def test_a_claim_unit_outside_the_registry_is_named():
    with pytest.raises(
        ValueError,
        match="the claim's unit 'furlongs' is not a unit of the registry; allowed: million persons",
    ):
        translation.compare(english("12 furlongs", "furlongs", 12.0), chinese("12", "个"))


def test_every_unit_of_the_registry_and_of_the_chinese_table_has_a_kind():
    import json

    descriptor = json.loads((data.data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    enums = {
        (r["name"], f["name"]): f["constraints"]["enum"]
        for r in descriptor["resources"]
        for f in r["schema"]["fields"]
        if f["name"] in ("unit", "unit_as_printed") and "enum" in f.get("constraints", {})
    }
    assert set(enums[("claims", "unit")]) == set(translation.KINDS)
    assert set(enums[("chinese_release", "unit_as_printed")]) == set(translation.CHINESE_UNITS)
    assert {kind for kind, _ in translation.CHINESE_UNITS.values()} == set(
        translation.DEFAULT_UNITS
    )
