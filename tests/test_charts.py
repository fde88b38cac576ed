"""Tests of zjanalysis.charts: what each chart draws, the caption, byte-stable files, bad input."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from zjanalysis import charts  # noqa: E402


@dataclass
class Iv:
    """Stands in for figures.Interval: the charts only rely on .lo/.hi and the open flags."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False


@dataclass
class FakeStated:
    """Stands in for figures.Stated: printed text, value and an interval."""

    text: str
    value: float
    interval: Iv


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def texts(ax):
    return [t.get_text() for t in ax.texts]


def caption(ax):
    found = by_gid(ax, "sources-caption")
    assert len(found) == 1
    return found[0].get_text()


# --- theme and import -------------------------------------------------------------------------


def test_importing_charts_is_silent_and_loads_no_plotting_library():
    code = (
        "import sys, zjanalysis.charts; "
        "print(sorted(m for m in ('matplotlib', 'seaborn', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"
    assert out.stderr == ""


def test_use_theme_is_idempotent_and_sets_the_deterministic_svg_salt():
    charts.use_theme()
    first = dict(matplotlib.rcParams)
    matplotlib.rcParams["svg.hashsalt"] = None
    charts.use_theme()
    charts.use_theme()
    assert dict(matplotlib.rcParams) == first
    assert matplotlib.rcParams["svg.hashsalt"] == "zjanalysis"
    assert matplotlib.rcParams["axes.titlelocation"] == "left"


# --- stated_vs_reference ----------------------------------------------------------------------


def test_stated_vs_reference_draws_one_row_per_value_with_the_stated_interval():
    ax = charts.stated_vs_reference(
        "Zhejiang netizens 2018",
        Iv(45.5365, 45.5375),
        {"Bureau": 44.9, "Implied": Iv(45.4, 45.5)},
        unit="million persons",
        sources=["Report 2018", "Bureau 2019"],
    )
    assert ax.get_title(loc="left") == "Zhejiang netizens 2018: stated figure and reference values"
    assert ax.get_xlabel() == "million persons"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Stated", "Bureau", "Implied"]
    assert len(by_gid(ax, "value-point")) == 3
    # Two finite intervals (stated, Implied) get a bar; the plain number 44.9 does not.
    bars = by_gid(ax, "value-interval")
    assert [list(b.get_xdata()) for b in bars] == [[45.5365, 45.5375], [45.4, 45.5]]
    # Stated point is the interval's middle: (45.5365 + 45.5375) / 2 = 45.537.
    assert "45.537 [45.5365, 45.5375]" in texts(ax)
    assert "44.9" in texts(ax)
    assert caption(ax) == "Sources: Report 2018; Bureau 2019"
    assert not by_gid(ax, "open-bound")


def test_stated_vs_reference_draws_an_open_bound_as_an_arrow_from_a_hollow_point():
    ax = charts.stated_vs_reference(
        "Security firms", Iv(500, math.inf, lo_open=True), {"Survey": 620}, unit="enterprises"
    )
    assert len(by_gid(ax, "open-bound")) == 1
    stated_point = by_gid(ax, "value-point")[0]
    assert stated_point.get_xdata()[0] == 500
    assert stated_point.get_markerfacecolor() == "white"
    assert "> 500" in texts(ax)
    # The axis must reach past the reference so the arrow has room: 620 is inside the limits.
    lo, hi = ax.get_xlim()
    assert lo < 500 and hi > 620
    assert not by_gid(ax, "sources-caption")


def test_stated_vs_reference_uses_a_stated_objects_value_and_interval():
    stated = FakeStated("79.2%", 79.2, Iv(79.15, 79.25))
    ax = charts.stated_vs_reference("Penetration", stated, {"CNNIC": 59.6}, unit="percent")
    assert by_gid(ax, "value-point")[0].get_xdata()[0] == 79.2


def test_stated_vs_reference_accepts_the_projects_interval():
    from zjanalysis import figures

    ax = charts.stated_vs_reference("X", figures.Interval(1.0, 3.0), {"Y": 2.5}, unit="percent")
    assert list(by_gid(ax, "value-interval")[0].get_xdata()) == [1.0, 3.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stated": Iv(5, 3)}, r"stated has lo 5 greater than hi 3 \(a negative width\)"),
        ({"references": {}}, "references is empty"),
        ({"references": [1, 2]}, "references must be a mapping"),
        ({"references": {"Bureau": "abc"}}, r"references\['Bureau'\] must be a number; got 'abc'"),
        ({"unit": None}, "unit must name the unit"),
        ({"unit": "  "}, "unit must name the unit"),
        ({"stated": Iv(-math.inf, math.inf)}, "stated is unbounded at both ends"),
        ({"stated": float("nan")}, "stated must be a number; got NaN"),
        ({"label": ""}, "label must be a non-empty string"),
    ],
)
def test_stated_vs_reference_rejects_bad_input(kwargs, message):
    args = {"label": "X", "stated": 1.0, "references": {"Y": 2.0}, "unit": "percent"} | kwargs
    with pytest.raises(ValueError, match=message):
        charts.stated_vs_reference(
            args.pop("label"), args.pop("stated"), args.pop("references"), **args
        )


def test_unit_left_out_is_a_value_error_naming_unit():
    with pytest.raises(ValueError, match="unit"):
        charts.stated_vs_reference("X", 1.0, {"Y": 2.0})


# --- slope ------------------------------------------------------------------------------------


def test_slope_single_series_annotates_both_values():
    ax = charts.slope(8.21, 3.81, labels=("2017", "2018"), unit="minutes", name="queue")
    lines = by_gid(ax, "series")
    assert len(lines) == 1
    assert list(lines[0].get_ydata()) == [8.21, 3.81]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2017", "2018"]
    assert ax.get_ylabel() == "minutes"
    assert "8.21" in texts(ax) and "3.81  queue" in texts(ax)
    assert ax.get_title(loc="left") == "Queue: from 2017 to 2018"


def test_slope_several_series_get_one_line_and_colour_each():
    ax = charts.slope({"settlement": (56.07, 79.08), "queue": (8.21, 3.81)}, unit="percent")
    lines = by_gid(ax, "series")
    assert [line.get_label() for line in lines] == ["settlement", "queue"]
    assert lines[0].get_color() != lines[1].get_color()
    assert ax.get_title(loc="left") == "Change from before to after, 2 series"


def test_slope_accepts_two_mappings_with_the_same_names():
    ax = charts.slope({"a": 1.0, "b": 2.0}, {"b": 3.0, "a": 4.0}, unit="percent")
    assert {line.get_label(): list(line.get_ydata()) for line in by_gid(ax, "series")} == {
        "a": [1.0, 4.0],
        "b": [2.0, 3.0],
    }


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (({"a": 1.0}, {"b": 2.0}), {}, "before and after must name the same series"),
        (({},), {}, "before is empty"),
        ((1.0,), {}, "after is missing"),
        (({"a": (1.0,)},), {}, r"before\['a'\] must be a \(before, after\) pair"),
        ((1.0, 2.0), {"labels": ("only one",)}, "labels must be two strings"),
        ((1.0, 2.0), {"unit": ""}, "unit must name the unit"),
    ],
)
def test_slope_rejects_bad_input(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        charts.slope(*args, **({"unit": "minutes"} | kwargs))


# --- timeseries -------------------------------------------------------------------------------


def test_timeseries_draws_each_series_sorted_by_year_and_marks_the_claim_year():
    ax = charts.timeseries(
        {"China": {2018: 59.6, 2016: 53.2, 2017: 55.8}, "Zhejiang": {2017: 72.0, 2018: 79.2}},
        unit="percent",
        highlight_year=2018,
        stated=Iv(79.15, 79.25),
        sources="CNNIC",
    )
    lines = by_gid(ax, "series")
    assert [line.get_label() for line in lines] == ["China", "Zhejiang"]
    assert list(lines[0].get_xdata()) == [2016, 2017, 2018]
    assert list(lines[0].get_ydata()) == [53.2, 55.8, 59.6]
    band = by_gid(ax, "highlight-year")
    assert len(band) == 1
    # The band is the claim year +/- 0.4: 2017.6 .. 2018.4.
    x0, x1 = band[0].get_x(), band[0].get_x() + band[0].get_width()
    assert (x0, x1) == pytest.approx((2017.6, 2018.4))
    stated_point = by_gid(ax, "value-point")[0]
    # The stated point is the middle of [79.15, 79.25] = 79.2, drawn at the claim year.
    assert (stated_point.get_xdata()[0], stated_point.get_ydata()[0]) == pytest.approx((2018, 79.2))
    assert ax.get_ylabel() == "percent" and ax.get_xlabel() == "year"
    assert ax.get_title(loc="left") == "China, Zhejiang, 2016–2018"
    assert caption(ax) == "Sources: CNNIC"


def test_timeseries_reads_a_tidy_frame_split_by_geography():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "geography": ["China", "China", "Zhejiang"],
            "year": [2017, 2018, 2018],
            "value": [55.8, 59.6, 79.2],
        }
    )
    ax = charts.timeseries(df, unit="percent")
    assert [line.get_label() for line in by_gid(ax, "series")] == ["China", "Zhejiang"]


def test_timeseries_wide_frame_skips_missing_years():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"China": [55.8, 59.6], "Zhejiang": [float("nan"), 79.2]}, index=[2017, 2018])
    ax = charts.timeseries(df, unit="percent")
    zhejiang = [line for line in by_gid(ax, "series") if line.get_label() == "Zhejiang"][0]
    assert list(zhejiang.get_xdata()) == [2018]


def test_timeseries_single_mapping_uses_name_and_draws_an_open_bound_upwards():
    ax = charts.timeseries(
        {2017: 15.0, 2018: 20.21},
        unit="million users",
        name="Registered users",
        highlight_year=2018,
        stated=Iv(20.21, math.inf, lo_open=True),
    )
    assert [line.get_label() for line in by_gid(ax, "series")] == ["Registered users"]
    assert len(by_gid(ax, "open-bound")) == 1


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        ({}, {}, "data is empty"),
        ({"China": {}}, {}, "data is empty"),
        ({"2018-06": 57.7}, {}, "year '2018-06' of 'value' must be a number"),
        ({2018: "high"}, {}, r"data\['value'\]\[2018\] must be a number; got 'high'"),
        ({2018: 1.0}, {"stated": 1.0}, "stated needs highlight_year"),
        ([1, 2, 3], {}, "data must be a mapping year -> value"),
        ({2018: 1.0}, {"unit": None}, "unit must name the unit"),
    ],
)
def test_timeseries_rejects_bad_input(data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        charts.timeseries(data, **({"unit": "percent"} | kwargs))


# --- ranking ----------------------------------------------------------------------------------


def test_ranking_orders_bars_and_colours_only_the_highlighted_region():
    ax = charts.ranking(
        {"Jiangsu": 3.5, "Zhejiang": 2.3, "Guangdong": 4.3, "Fujian": 1671.88 / 1000},
        unit="trillion yuan",
    )
    # Largest first: Guangdong 4.3 > Jiangsu 3.5 > Zhejiang 2.3 > Fujian 1.67188.
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Guangdong",
        "Jiangsu",
        "Zhejiang",
        "Fujian",
    ]
    bars = ax.patches
    assert len(bars) == 4
    colours = [mcolors.to_hex(b.get_facecolor()) for b in bars]
    assert colours.count(colours[2]) == 1
    assert colours[2] == charts.COLORS["highlight"].lower()
    assert "#3  2.3" in texts(ax) and "#4  1.6719" in texts(ax)
    assert ax.get_xlabel() == "trillion yuan"
    assert ax.get_title(loc="left") == "Ranking of 4 regions, largest first: Zhejiang is #3"


def test_ranking_gives_ties_the_same_rank_and_can_rank_smallest_first():
    ax = charts.ranking({"A": 3.0, "B": 2.0, "C": 2.0, "D": 1.0}, highlight="C", unit="minutes")
    # Competition ranking: 3.0 -> #1, the two 2.0s share #2, 1.0 -> #4.
    assert texts(ax) == ["#1  3", "#2  2", "#2  2", "#4  1"]
    ax = charts.ranking(
        {"A": 3.0, "B": 2.0, "D": 1.0}, highlight=None, unit="minutes", ascending=True
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["D", "B", "A"]
    assert len({mcolors.to_hex(b.get_facecolor()) for b in ax.patches}) == 1


def test_ranking_thousands_are_separated():
    ax = charts.ranking({"Zhejiang": 1671.88, "Other": 12}, unit="billion yuan")
    assert "#1  1,671.88" in texts(ax)


@pytest.mark.parametrize(
    ("values", "kwargs", "message"),
    [
        (
            {"Jiangsu": 1.0, "Fujian": 2.0},
            {},
            "highlight 'Zhejiang' is not one of the regions in values: Fujian, Jiangsu",
        ),
        ({}, {}, "values is empty"),
        ({"Zhejiang": None}, {}, r"values\['Zhejiang'\] must be a number; got None"),
        ({"Zhejiang": True}, {}, r"values\['Zhejiang'\] must be a number; got True"),
        ({"Zhejiang": 1.0}, {"unit": None}, "unit must name the unit"),
    ],
)
def test_ranking_rejects_bad_input(values, kwargs, message):
    with pytest.raises(ValueError, match=message):
        charts.ranking(values, **({"unit": "percent"} | kwargs))


# --- share_bar --------------------------------------------------------------------------------


def test_share_bar_fills_the_part_and_annotates_its_percentage():
    ax = charts.share_bar(
        25,
        200,
        part_label="core industries",
        total_label="GDP",
        unit="billion yuan",
        sources="Bureau",
    )
    part, rest = ax.patches
    assert (part.get_x(), part.get_width()) == (0, 25)
    # The rest starts where the part ends: 200 - 25 = 175 wide from x = 25.
    assert (rest.get_x(), rest.get_width()) == (25, 175)
    assert mcolors.to_hex(part.get_facecolor()) != mcolors.to_hex(rest.get_facecolor())
    # 25 / 200 = 12.5 %.
    assert "12.5%" in texts(ax)
    assert ax.get_xlabel() == "billion yuan"
    assert ax.get_title(loc="left") == "Core industries as a share of GDP"
    assert caption(ax) == "Sources: Bureau"


def test_share_bar_uses_an_intervals_middle():
    ax = charts.share_bar(Iv(24, 26), 100, unit="percent")
    # Middle of [24, 26] is 25; 25 / 100 = 25 %.
    assert "25%" in texts(ax)


@pytest.mark.parametrize(
    ("part", "total", "message"),
    [
        (250, 200, r"part must be between 0 and total \(200\); got 250"),
        (-1, 200, r"part must be between 0 and total \(200\); got −1"),
        (1, 0, "total must be positive; got 0"),
        ("a", 1, "part must be a number; got 'a'"),
    ],
)
def test_share_bar_rejects_bad_input(part, total, message):
    with pytest.raises(ValueError, match=message):
        charts.share_bar(part, total, unit="percent")


# --- shared keywords: ax, title, sources, save ------------------------------------------------


def test_charts_draw_into_a_given_axes_and_keep_a_given_title_verbatim():
    fig, (left, right) = plt.subplots(1, 2)
    assert charts.ranking({"Zhejiang": 1.0}, unit="percent", ax=right, title="my title") is right
    assert right.get_title(loc="left") == "my title"
    assert left.get_title(loc="left") == "" and not left.patches


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ([], "sources must be a non-empty string or list"),
        ("", "sources must be a non-empty"),
        ([1], "sources must be a non-empty string or list of non-empty strings; got \\[1\\]"),
    ],
)
def test_bad_sources_are_rejected(sources, message):
    with pytest.raises(ValueError, match=message):
        charts.share_bar(1, 2, unit="percent", sources=sources)


def test_bad_title_is_rejected():
    with pytest.raises(ValueError, match="title must be a non-empty string; got ''"):
        charts.share_bar(1, 2, unit="percent", title="")


def test_caption_sits_below_the_axis_label_without_overlapping_it():
    ax = charts.ranking({"Zhejiang": 1.0, "Jiangsu": 2.0}, unit="percent", sources="Bureau")
    renderer = ax.figure.canvas.get_renderer()
    cap = by_gid(ax, "sources-caption")[0].get_window_extent(renderer)
    label = ax.xaxis.label.get_window_extent(renderer)
    assert cap.y1 < label.y0


def test_title_and_caption_share_the_left_edge_of_the_tick_labels():
    ax = charts.stated_vs_reference(
        "X", 1.0, {"A long reference name": 2.0}, unit="percent", sources="Bureau"
    )
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    title = ax._left_title.get_window_extent(renderer)
    cap = by_gid(ax, "sources-caption")[0].get_window_extent(renderer)
    ticks = min(t.get_window_extent(renderer).x0 for t in ax.get_yticklabels())
    frame = ax.get_window_extent(renderer)
    assert title.x0 == pytest.approx(ticks, abs=1.5)
    assert cap.x0 == pytest.approx(ticks, abs=1.5)
    assert title.y0 >= frame.y1  # the title sits above the plotting area, not over it


def _draw_every_chart(save):
    charts.stated_vs_reference(
        "X",
        Iv(1.0, math.inf, lo_open=True),
        {"Y": 2.0},
        unit="percent",
        sources="S",
        save=save("stated"),
    )
    charts.slope({"a": (1, 2), "b": (2, 1)}, unit="minutes", sources="S", save=save("slope"))
    charts.timeseries(
        {"A": {2017: 1, 2018: 2}},
        unit="percent",
        highlight_year=2018,
        stated=2.0,
        sources="S",
        save=save("timeseries"),
    )
    charts.ranking({"Zhejiang": 1.0, "B": 2.0}, unit="percent", sources="S", save=save("ranking"))
    charts.share_bar(1, 4, unit="percent", sources=["S", "T"], save=save("share"))
    plt.close("all")


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_saving_twice_gives_identical_bytes(tmp_path, suffix):
    _draw_every_chart(lambda name: tmp_path / "first" / f"{name}{suffix}")
    _draw_every_chart(lambda name: tmp_path / "second" / f"{name}{suffix}")
    names = ["stated", "slope", "timeseries", "ranking", "share"]
    for name in names:
        first = (tmp_path / "first" / f"{name}{suffix}").read_bytes()
        second = (tmp_path / "second" / f"{name}{suffix}").read_bytes()
        assert first == second, name
        if suffix == ".png":
            assert first.startswith(b"\x89PNG") and b"Software" not in first
        else:
            assert first.startswith(b"<?xml") and b"dc:date" not in first
            assert b"Matplotlib v" not in first


def test_save_rejects_an_unknown_file_type(tmp_path):
    with pytest.raises(
        ValueError, match=r"save must be a path ending in .png or .svg; got '.*chart.jpg'"
    ):
        charts.share_bar(1, 2, unit="percent", save=tmp_path / "chart.jpg")
    assert not (tmp_path / "chart.jpg").exists()


# --- labels stay readable -------------------------------------------------------------------


def label_boxes(ax, gid):
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == gid]


def test_slope_labels_of_series_that_start_and_end_together_do_not_overlap():
    # 10.0, 10.1 and 10.2 on an axis spanning about 5..20 are a fraction of a label apart.
    ax = charts.slope({"a": (10.0, 20.0), "b": (10.1, 20.05), "c": (10.2, 5.0)}, unit="x")
    for gid in ("start-label", "end-label"):
        boxes = label_boxes(ax, gid)
        assert len(boxes) == 3
        for i, one in enumerate(boxes):
            for other in boxes[i + 1 :]:
                assert not one.overlaps(other), (gid, one, other)
    # Order is kept: the higher value's label stays above.
    starts = label_boxes(ax, "start-label")
    assert starts[0].y0 < starts[1].y0 < starts[2].y0


def test_slope_labels_with_room_stay_level_with_their_points():
    ax = charts.slope({"a": (1.0, 9.0), "b": (9.0, 1.0)}, unit="x")
    assert all(t.xyann[1] == 0 for t in ax.texts if t.get_gid() in ("start-label", "end-label"))


@pytest.mark.parametrize(
    "values, gap, expected",
    [
        ([0.0, 100.0], 10.0, [0.0, 0.0]),  # far apart: untouched
        ([50.0, 50.0], 10.0, [-5.0, 5.0]),  # same value: 5 down, 5 up
        ([50.0, 54.0, 200.0], 10.0, [-3.0, 3.0, 0.0]),  # 4 apart: each moves 3 to make 10
    ],
)
def test_spread_labels_hand_worked(values, gap, expected):
    # An axis of 0..100 drawn 100 points high: one data unit is one point.
    fig = plt.figure(figsize=(1, 100 / 72), dpi=72)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_ylim(0, 100)
    assert charts._spread_labels(ax, values, gap) == pytest.approx(expected)


def test_timeseries_stated_label_stays_on_the_chart_when_the_claim_year_comes_first():
    ax = charts.timeseries(
        {2018: 10.0, 2019: 12.0, 2020: 13.0},
        unit="percent",
        name="rate",
        highlight_year=2018,
        stated=10.0,
    )
    label = [t for t in ax.texts if t.get_gid() == "stated-label"][0]
    assert label.get_ha() == "left"
    ax.figure.canvas.draw()
    box = label.get_window_extent(ax.figure.canvas.get_renderer())
    assert box.x0 >= ax.get_window_extent().x0
    # Later claim year: to the left of the marker, as before.
    ax = charts.timeseries(
        {2018: 10.0, 2019: 12.0}, unit="percent", name="rate", highlight_year=2019, stated=12.0
    )
    assert [t.get_ha() for t in ax.texts if t.get_gid() == "stated-label"] == ["right"]


def test_ranking_can_leave_out_the_ranks():
    ax = charts.ranking(
        {"Jiangsu": 3.5, "Zhejiang": 2.3, "Guangdong": 4.3}, unit="trillion yuan", show_ranks=False
    )
    assert texts(ax) == ["4.3", "3.5", "2.3"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Guangdong", "Jiangsu", "Zhejiang"]
    assert ax.get_title(loc="left") == "Ranking of 3 regions, largest first"
    with pytest.raises(ValueError, match="show_ranks must be True or False; got 'no'"):
        charts.ranking({"Zhejiang": 1.0}, unit="x", show_ranks="no")
