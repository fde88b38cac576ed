"""The claim network: declared relations, their evaluation on intervals, solving for one figure."""

import json

import pytest

from zjanalysis import data, figures, network
from zjanalysis.expressions import Const
from zjanalysis.figures import INF, Interval
from zjanalysis.network import NetworkError


def approx(interval, lo, hi):
    return interval.lo == pytest.approx(lo) and interval.hi == pytest.approx(hi)


@pytest.fixture
def net():
    net = network.Network("test")
    net.figure("t.total_2018", "45.537 million", unit="million persons")
    net.figure("t.increase_2018", "5.877 million", unit="million persons")
    net.figure(
        "t.count_2017", "3956", kind="reference", unit="10 thousand persons", source="s-2017"
    )
    return net


def test_an_expression_evaluates_on_the_rounding_intervals(net):
    total, increase = net.quantities["t.total_2018"], net.quantities["t.increase_2018"]
    # [45.5365 − 5.8775, 45.5375 − 5.8765]
    assert approx(net.value(total - increase), 39.659, 39.661)
    assert approx(
        net.value(figures.growth(increase, total)),
        (45.5365 / 5.8775 - 1) * 100,
        (45.5375 / 5.8765 - 1) * 100,
    )


def test_a_check_holds_or_fails_by_overlap(net):
    total, increase, count = (
        net.quantities[q] for q in ("t.total_2018", "t.increase_2018", "t.count_2017")
    )
    net.check("t.base", (total - increase) * 100, count, says="base")
    assert net.evaluate("t.base").violated  # 3965.9..3966.1 vs 3955.5..3956.5
    assert net.evaluate("t.base", {"t.total_2018": Interval(45.4365, 45.4375)}).holds


def test_solving_for_one_figure_gives_the_range_that_makes_the_check_hold(net):
    total, increase, count = (
        net.quantities[q] for q in ("t.total_2018", "t.increase_2018", "t.count_2017")
    )
    c = net.check("t.base", (total - increase) * 100, count, says="base")
    values = net.values()
    # total ∈ count / 100 + increase = [39.555 + 5.8765, 39.565 + 5.8775]
    assert approx(c.feasible("t.total_2018", values), 45.4315, 45.4425)
    # increase ∈ total − count / 100 = [45.5365 − 39.565, 45.5375 − 39.555]
    assert approx(c.feasible("t.increase_2018", values), 5.9715, 5.9825)


def test_inequalities_solve_to_half_lines():
    net = network.Network("test")
    a = net.figure("t.a_2018", "more than 500", qualifier="more_than", unit="enterprises")
    b = net.figure("t.b_2018", "450", kind="reference", source="s")
    c = net.check("t.le", a, b, relation="<=", says="a at most b")
    assert net.evaluate("t.le").violated  # (500, ∞) ≤ [449.5, 450.5] has no pair
    assert c.feasible("t.a_2018", net.values()) == Interval(-INF, 450.5, True, False)
    net.check("t.ge", a, b, relation=">=", says="a at least b")
    assert net.evaluate("t.ge").holds
    assert c.feasible("t.b_2018", net.values()).lo == 500.0


def test_a_count_must_be_whole():
    net = network.Network("test")
    share = net.figure("t.share_2018", "9.2%", unit="percent")
    count = net.figure("t.count_2018", "102", kind="reference", source="s")
    net.whole("t.companies", share * count / 100, says="a whole number of companies")
    # [9.15, 9.25] × [101.5, 102.5] / 100 = [9.287, 9.481]: no whole number
    assert net.evaluate("t.companies").violated
    assert net.evaluate("t.companies", {"t.share_2018": Interval(9.75, 9.85)}).holds


def test_rank_among_counts_who_is_surely_and_possibly_ahead():
    net = network.Network("test")
    mine = net.figure("t.zj", "2", qualifier="about", kind="reference", source="s")  # [1.5, 2.5]
    touching = net.figure(
        "t.js", "3", qualifier="about", kind="reference", source="s"
    )  # [2.5, 3.5]
    below = net.figure("t.sh", "0.9", kind="reference", source="s")  # [0.85, 0.95]
    above = net.figure("t.gd", "4.3", kind="reference", source="s")  # [4.25, 4.35]
    rank = network.rank_among(mine, [touching, below, above])
    assert net.value(rank) == Interval(2.0, 3.0)  # gd surely ahead, js possibly (a tie at 2.5)
    assert net.value(network.rank_among(mine, [above], unlisted=2)) == Interval(2.0, 4.0)


@pytest.mark.parametrize(
    "declare, message",
    [
        (lambda n, t, i: n.check("t.twice", t - t, i, says="x"), "more than once"),
        (lambda n, t, i: n.check("bad id", t, i, says="x"), "should read"),
        (lambda n, t, i: n.check("t.rel", t, i, says="x", relation="~"), "relation '~'"),
        (lambda n, t, i: n.check("t.words", t, i, says=" "), "needs 'says'"),
        (
            lambda n, t, i: n.check("t.diff", t, i, says="x", differs={"colour": "red"}),
            "allowed: definition",
        ),
        (
            lambda n, t, i: n.check("t.stated", t, figures.stated("5"), says="x"),
            "must be a quantity",
        ),
        (lambda n, t, i: n.check("t.const", 1, 2, says="x"), "holds no figure"),
    ],
)
def test_bad_declarations_say_what_is_wrong(net, declare, message):
    total, increase = net.quantities["t.total_2018"], net.quantities["t.increase_2018"]
    with pytest.raises(NetworkError, match=message):
        declare(net, total, increase)


def test_a_constraint_id_is_declared_once(net):
    total, increase = net.quantities["t.total_2018"], net.quantities["t.increase_2018"]
    net.check("t.once", total, increase, says="x", relation=">=")
    with pytest.raises(NetworkError, match="declared twice"):
        net.check("t.once", total, increase, says="x", relation=">=")


def test_an_expression_has_no_truth_value(net):
    with pytest.raises(NetworkError, match="no truth value"):
        bool(net.quantities["t.total_2018"] + 1)


def test_tolerance_widens_every_figure():
    strict, loose = network.Network("test"), network.Network("test", tolerance=0.01)
    for n in (strict, loose):
        a = n.figure("t.a_2018", "100")
        b = n.figure("t.b_2018", "102", kind="reference", source="s")
        n.check("t.eq", a, b, says="a is b")
    assert (
        strict.evaluate("t.eq").violated and loose.evaluate("t.eq").holds
    )  # [99, 101.505] meets [100.485, ...]
    with pytest.raises(NetworkError, match="tolerance"):
        network.Network("test", tolerance=-0.1)


def test_a_recorded_network_reads_back_from_the_data():
    net = network.Network("internet_users")
    total, increase = net.claim("netizens.total_2018"), net.claim("netizens.increase_2018")
    edition = net.reference(data.lookup("netizens", "Zhejiang", 2017), label="2017 edition")
    rate = net.claim("netizens.penetration_2018")
    national = net.reference(
        data.lookup("internet penetration rate", "China", 2018, period="year-end")
    )
    net.check(
        "netizens.end_2017_count", total - increase, edition, says="base", unit="million persons"
    )
    net.check(
        "netizens.gap_points",
        net.claim("netizens.penetration_gap_2018"),
        figures.points_gap(rate, national),
        says="gap",
        differs={"date": "example"},
    )
    again = network.from_payload(json.loads(json.dumps(net.to_json())))
    assert list(again.constraints) == list(net.constraints)
    for cid in net.constraints:
        assert again.evaluate(cid) == net.evaluate(cid)
    assert again.constraints["netizens.gap_points"].right.name == "points gap"
    assert again.constraints["netizens.gap_points"].differs == {"date": "example"}
    assert again.quantities[edition.id].label == "2017 edition"


# --- references from the data, their ids, and the record's round trip -------------------------


def test_a_reference_row_becomes_one_quantity_with_a_stable_id_and_its_source():
    from zjanalysis import data

    net = network.Network("internet_users")
    row = data.lookup("resident population", "Zhejiang", 2018)
    q = net.reference(row)
    # ref:<source>/<geography>/<year>/<period>/<indicator>
    assert q.id == f"ref:{row['source_id']}/Zhejiang/2018/{row['period']}/resident population"
    assert q.kind == "reference" and q.sources == (row["source_id"],)
    assert q.label == f"resident population, Zhejiang {row['period']} 2018"
    assert q.key["year"] == 2018 and q.key["unit_as_printed"] == row["unit_as_printed"]
    assert q.unit == row["unit"] and q.printed == row["value_as_printed"]
    again = net.reference(row, label="population", same_publisher="the same office")
    assert again is q and (q.label, q.same_publisher) == ("population", "the same office")
    assert network.reference_id({"source_id": "s", "geography": "G", "year": 1}) == "ref:s/G/1//"


def test_a_reference_row_without_its_source_or_its_key_columns_is_refused():
    net = network.Network("test")
    with pytest.raises(NetworkError, match="reference row 'x' has no source_id; every figure"):
        net.reference({"indicator": "x", "geography": "G", "year": 1, "period": "year"})
    with pytest.raises(NetworkError, match=r"reference row 'x' lacks year, period: pass a whole"):
        net.reference({"indicator": "x", "geography": "G", "source_id": "s"})


def test_a_claim_from_the_registry_carries_its_key_and_is_one_object():
    net = network.Network("internet_users")
    total = net.claim("netizens.total_2018")
    assert net.claim("netizens.total_2018") is total
    assert (total.year, total.unit, total.printed) == (2018, "million persons", "45.537 million")
    assert total.key["theme"] == "internet_users" and total.key["paragraph"] == 7
    assert total.key["origin"] == "english-article" and total.key["measure"] == "count"
    with pytest.raises(KeyError, match="netizens.total_2019"):
        net.claim("netizens.total_2019")


def test_a_recorded_network_keeps_its_tolerance_settle_notes_and_differences():
    from zjanalysis import data

    net = network.Network("internet_users", tolerance=0.01)
    total = net.claim("netizens.total_2018")
    increase = net.claim("netizens.increase_2018")
    edition = net.reference(data.lookup("netizens", "Zhejiang", 2017), label="2017 edition")
    net.check(
        "netizens.end_2017_count",
        total - increase,
        edition,
        unit="million persons",
        says="total minus increase is last year's count",
        differs={"date": "a year apart"},
    )
    net.would_settle("netizens.increase_2018", "the bureau's count")
    body = net.to_json()
    back = network.from_payload(body)
    assert back.to_json() == body
    assert back.tolerance == 0.01 and back.settle == {
        "netizens.increase_2018": "the bureau's count"
    }
    assert network.from_payload(body, tolerance=0.2).tolerance == 0.2
    assert list(back.quantities) == list(net.quantities)
    assert network.describe(back, "netizens.end_2017_count") == network.describe(
        net, "netizens.end_2017_count"
    )


def test_a_recorded_reference_no_longer_in_the_data_is_named():
    net = network.Network("internet_users")
    body = net.to_json()
    body["quantities"].append(
        {
            "id": "ref:s/Zhejiang/1900/year/nothing",
            "kind": "reference",
            "label": "x",
            "key": {
                "table": "",
                "geography": "Zhejiang",
                "year": 1900,
                "period": "year",
                "indicator": "nothing",
                "source_id": "s",
            },
        }
    )
    with pytest.raises(NetworkError, match=r"ref:s/Zhejiang/1900/year/nothing matches 0 rows"):
        network.from_payload(body)


@pytest.mark.parametrize(
    "interval, whole",
    [
        (Interval(2.3, 2.7), False),  # no whole number between 2.3 and 2.7
        (Interval(2.3, 3.0), True),  # 3
        (Interval(2.3, 3.0, False, True), False),  # 3 is left out
        (Interval(3.0, 3.4, True, False), False),  # 3 is left out
        (Interval(2.0, 2.0), True),
        (Interval(9.38, 9.48), False),  # 9.2% of 102 companies: 9.38 to 9.48, no whole company
    ],
)
def test_a_whole_check_asks_for_a_whole_number_inside(interval, whole):
    net = network.Network("test")
    n = net.figure("t.n_2018", "1", unit="units")
    net.whole("t.count", n * 0 + Const(interval), says="a count")  # n × 0 + the interval
    assert net.evaluate("t.count").holds is whole
    assert network.describe(net, "t.count").startswith(
        f"t.count {'holds' if whole else 'fails'}: a count — "
    )


def test_describe_says_when_a_check_cannot_be_evaluated():
    net = network.Network("test")
    a = net.figure("t.a_2018", "10", unit="units")
    zero = net.figure("t.z", "0", kind="reference", unit="units", source="s")
    net.check("t.div", a / zero, 1, says="a over nothing")
    assert network.describe(net, "t.div").startswith("t.div: cannot be evaluated (")


def test_the_source_labels_are_those_of_the_reference_figures_each_once_sorted():
    from zjanalysis import data

    net = network.Network("test")
    net.figure("t.claim_2018", "7", unit="units")  # a claim's source is not a reference's
    for i, source in enumerate(["cnnic-2009-23rd-report", "article-2019-zj-report"] * 2):
        net.figure(f"t.ref{i}", "7", kind="reference", unit="units", source=source)
    assert net.source_labels() == sorted(
        [data.source_label("cnnic-2009-23rd-report"), data.source_label("article-2019-zj-report")]
    )
