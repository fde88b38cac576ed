"""Expressions over printed figures: arithmetic, solving for one figure, words and JSON, each
against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from zjanalysis import network
from zjanalysis.expressions import (
    Const,
    NetworkError,
    Op,
    Rank,
    as_expr,
    from_json,
    intersect,
    rank_among,
)
from zjanalysis.figures import Interval, stated

INF = math.inf


def figures3():
    """a = 10 (9.5 to 10.5), b = 4 (3.5 to 4.5), c = 2 (1.5 to 2.5), all claims of one network."""
    net = network.Network("test")
    a = net.figure("t.a_2018", "10", unit="units")
    b = net.figure("t.b_2018", "4", unit="units")
    c = net.figure("t.c_2018", "2", unit="units")
    return net, a, b, c


def value(net, expr):
    return expr.evaluate(net.values())


def test_the_reflected_operators_keep_the_number_on_its_side():
    net, a, b, _ = figures3()
    # 20 − [9.5, 10.5] = [9.5, 10.5]; 3 × [3.5, 4.5] = [10.5, 13.5]; 21 / [3.5, 4.5] = [4.667, 6]
    assert value(net, 20 - a) == Interval(9.5, 10.5)
    assert value(net, 3 * b) == Interval(10.5, 13.5)
    assert value(net, 21 / b) == Interval(21 / 4.5, 6.0)
    assert value(net, 1 + b) == Interval(4.5, 5.5)
    # −a = 0 − a = [−10.5, −9.5]
    assert value(net, -a) == Interval(-10.5, -9.5)
    # b² over [3.5, 4.5] = [12.25, 20.25]
    assert value(net, b**2) == Interval(12.25, 20.25)


@pytest.mark.parametrize("exponent", [0, -1, True, "2"])
def test_a_power_must_be_a_positive_number(exponent):
    _, a, _, _ = figures3()
    with pytest.raises(NetworkError, match="raised only to a positive number"):
        _ = a**exponent


def test_an_expression_has_no_truth_value():
    _, a, b, _ = figures3()
    with pytest.raises(NetworkError, match="no truth value; declare the relation with net.check"):
        bool(a - b)


def test_constants_enter_as_points_and_printed_figures_are_refused():
    assert as_expr(3).value == Interval(3.0, 3.0)
    assert as_expr(Interval(1.0, 2.0)).value == Interval(1.0, 2.0)
    with pytest.raises(NetworkError, match="must be a quantity of the network"):
        as_expr(stated("45.537 million"))
    with pytest.raises(NetworkError, match="cannot enter a constraint as a constant"):
        as_expr(True)
    with pytest.raises(NetworkError, match="use a number, a figure of the network"):
        as_expr("ten")


@pytest.mark.parametrize(
    "make, qid, target, expected",
    [
        # a + b = [13, 14]: a = [13, 14] − b = [13 − 4.5, 14 − 3.5] = [8.5, 10.5]
        (lambda a, b: a + b, "t.a_2018", Interval(13.0, 14.0), Interval(8.5, 10.5)),
        # a − b = [5, 6]: a = [5, 6] + b = [8.5, 10.5]
        (lambda a, b: a - b, "t.a_2018", Interval(5.0, 6.0), Interval(8.5, 10.5)),
        # a − b = [5, 6]: b = a − [5, 6] = [9.5 − 6, 10.5 − 5] = [3.5, 5.5]
        (lambda a, b: a - b, "t.b_2018", Interval(5.0, 6.0), Interval(3.5, 5.5)),
        # a × b = [36, 45]: a = [36 / 4.5, 45 / 3.5] = [8, 12.857]
        (lambda a, b: a * b, "t.a_2018", Interval(36.0, 45.0), Interval(8.0, 45 / 3.5)),
        # a / b = [2, 3]: a = [2, 3] × b = [7, 13.5]
        (lambda a, b: a / b, "t.a_2018", Interval(2.0, 3.0), Interval(7.0, 13.5)),
        # a / b = [2, 3]: b = a / [2, 3] = [9.5 / 3, 10.5 / 2] = [3.167, 5.25]
        (lambda a, b: a / b, "t.b_2018", Interval(2.0, 3.0), Interval(9.5 / 3, 5.25)),
        # b² = [4, 9]: b = [2, 3]
        (lambda a, b: b**2, "t.b_2018", Interval(4.0, 9.0), Interval(2.0, 3.0)),
    ],
)
def test_solving_for_one_figure(make, qid, target, expected):
    net, a, b, _ = figures3()
    found = make(a, b).solve(qid, target, net.values())
    assert found.lo == pytest.approx(expected.lo) and found.hi == pytest.approx(expected.hi)


def test_solving_a_power_below_zero_has_no_answer_and_a_zero_divisor_leaves_it_free():
    net, a, b, _ = figures3()
    assert (b**2).solve("t.b_2018", Interval(-9.0, -4.0), net.values()) is None
    zero = Const(Interval(-1.0, 1.0))
    assert (a * zero).solve("t.a_2018", Interval(1.0, 2.0), net.values()) == Interval(-INF, INF)
    with pytest.raises(NetworkError, match="t.a_2018 does not appear in a constant"):
        Const(Interval(1.0, 1.0)).solve("t.a_2018", Interval(1.0, 1.0), {})


def test_formulas_read_in_words_with_brackets_only_where_needed():
    net, a, b, c = figures3()
    label = {"t.a_2018": "A", "t.b_2018": "B", "t.c_2018": "C"}
    assert (a - b).formula(label) == "A − B"
    assert ((a - b) / c).formula(label) == "(A − B) ÷ C"
    assert (a * (b + c)).formula(label) == "A × (B + C)"
    assert (-a).formula(label) == "−A"
    assert (-(a + b)).formula(label) == "−(A + B)"
    assert (a * 100).formula(label) == "A × 100"
    assert (b**2).formula(label) == "B ^ 2"
    named = (a / b * 100).named("share", part=a, whole=b)
    assert named.formula(label) == "share(A, B)"
    assert (named - c).formula(label) == "share(A, B) − C"


def test_a_rank_counts_who_is_surely_and_possibly_ahead():
    net = network.Network("test")
    me = net.figure("t.me_2018", "10", unit="units")  # 9.5 to 10.5
    above = net.figure("t.x", "20", kind="reference", unit="units", source="s")  # surely ahead
    near = net.figure("t.y", "10.2", kind="reference", unit="units", source="s")  # maybe ahead
    below = net.figure("t.z", "5", kind="reference", unit="units", source="s")  # behind
    first = net.figure("t.w", "1", kind="reference", unit="rank", source="s")
    rank = rank_among(me, [above, near, below], unlisted=2, ahead=[first])
    # surely ahead: `above` and the entity known to be ahead → rank at least 1 + 2 = 3;
    # possibly: `near`, and 2 unlisted → at most 3 + 1 + 2 = 6
    assert rank.evaluate(net.values()) == Interval(3.0, 6.0)
    label = {q: q[2:3].upper() for q in ("t.me_2018", "t.x", "t.y", "t.z", "t.w")}
    assert rank.formula(label) == "rank of M among X, Y, Z, behind W and 2 not listed"
    assert rank.solve("t.me_2018", Interval(1.0, 1.0), net.values()) == Interval(-INF, INF)
    assert rank.quantity_ids() == ["t.me_2018", "t.x", "t.y", "t.z", "t.w"]


def test_a_tie_at_the_edge_counts_as_possibly_ahead_unless_an_end_is_open():
    me = Const(Interval(1.0, 2.0))
    closed = Rank(me, (Const(Interval(2.0, 3.0)),))
    assert closed.evaluate({}) == Interval(1.0, 2.0)  # 2 = 2: possibly ahead
    opened = Rank(me, (Const(Interval(2.0, 3.0, True, False)),))
    assert opened.evaluate({}) == Interval(2.0, 2.0)  # above 2, and mine is at most 2: ahead


@pytest.mark.parametrize(
    "unlisted, others, message",
    [
        (-1, [1], "unlisted must be a whole number of 0 or more"),
        (1.5, [1], "whole number"),
        (0, [], "needs the figures of the others ranked"),
    ],
)
def test_rank_among_refuses_what_it_cannot_count(unlisted, others, message):
    with pytest.raises(NetworkError, match=message):
        rank_among(Const(Interval(1.0, 1.0)), others, unlisted=unlisted)


def test_json_names_every_node_and_writes_infinity_as_null():
    net, a, b, _ = figures3()
    assert (a - b).to_json() == ["op", "-", ["q", "t.a_2018"], ["q", "t.b_2018"]]
    assert Const(Interval(0.0, INF)).to_json() == ["const", 0.0, None]
    assert Const(Interval(-INF, 2.0)).to_json() == ["const", None, 2.0]
    named = (a / b).named("ratio", part=a, scale=100)
    assert named.to_json() == [
        "op",
        "/",
        ["q", "t.a_2018"],
        ["q", "t.b_2018"],
        {"name": "ratio", "part": ["q", "t.a_2018"], "scale": ["const", 100.0, 100.0]},
    ]


def test_json_reads_back_to_the_same_expression():
    net, a, b, c = figures3()
    exprs = [
        a + b * c - 7,
        (a / b) ** 2,
        -(a - Const(Interval(0.0, INF))),
        (a / b * 100).named("share", part=a, whole=b, note=Interval(1.0, 2.0)),
        rank_among(a, [b, c], unlisted=1, ahead=[c]),
        Rank(a, (b,)),
    ]
    label = {q: q for q in net.quantities}
    for expr in exprs:
        back = from_json(expr.to_json(), net.quantities)
        assert back.to_json() == expr.to_json()
        assert back.formula(label) == expr.formula(label)
        assert back.evaluate(net.values()) == expr.evaluate(net.values())


def test_json_of_an_old_rank_without_its_ahead_list_still_reads():
    net, a, b, _ = figures3()
    back = from_json(["rank", ["q", "t.a_2018"], [["q", "t.b_2018"]], 0], net.quantities)
    # b (3.5 to 4.5) is below a (9.5 to 10.5): a ranks first
    assert back.ahead == () and back.evaluate(net.values()) == Interval(1.0, 1.0)


def test_json_names_what_it_cannot_read():
    with pytest.raises(NetworkError, match="names 't.gone', which is not a quantity"):
        from_json(["q", "t.gone"], {})
    with pytest.raises(NetworkError, match="unknown expression node 'sum'"):
        from_json(["sum", 1, 2], {})


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (Interval(1.0, 3.0), Interval(2.0, 4.0), Interval(2.0, 3.0)),
        (Interval(2.0, 4.0), Interval(1.0, 3.0), Interval(2.0, 3.0)),
        (Interval(1.0, 2.0), Interval(3.0, 4.0), None),
        # touching ends: closed meet in a point, an open end leaves nothing
        (Interval(1.0, 2.0), Interval(2.0, 3.0), Interval(2.0, 2.0)),
        (Interval(1.0, 2.0, False, True), Interval(2.0, 3.0), None),
        (Interval(1.0, 2.0), Interval(2.0, 3.0, True, False), None),
        # the same end, one open: the intersection is open there
        (Interval(1.0, 3.0, True, False), Interval(1.0, 2.0), Interval(1.0, 2.0, True, False)),
        (Interval(1.0, 3.0), Interval(0.0, 3.0, False, True), Interval(1.0, 3.0, False, True)),
        (Interval(1.0, 3.0, False, True), Interval(0.0, 3.0), Interval(1.0, 3.0, False, True)),
        (Interval(1.0, 3.0), Interval(1.0, 3.0, True, False), Interval(1.0, 3.0, True, False)),
        (None, Interval(1.0, 2.0), None),
        (Interval(1.0, 2.0), None, None),
    ],
)
def test_intersect(a, b, expected):
    assert intersect(a, b) == expected


def test_an_op_is_built_from_its_parts():
    op = Op("+", Const(Interval(1.0, 1.0)), Const(Interval(2.0, 2.0)))
    assert op.quantity_ids() == [] and op.evaluate({}) == Interval(3.0, 3.0)
