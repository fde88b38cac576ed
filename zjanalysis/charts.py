"""The house theme and the chart functions the notebooks use.

Every chart function applies the house theme itself, returns the matplotlib ``Axes`` it drew
into, and shares the same keywords: ``ax=`` (draw into an existing Axes), ``title=`` (replace the
default title), ``sources=`` (a caption line "Sources: ..." under the plot) and ``save=`` (a
``.png`` or ``.svg`` path, written byte-for-byte the same for the same inputs).

Values may be plain numbers or intervals: anything with ``.lo`` and ``.hi`` (such as
``zjanalysis.figures.Interval``; ``lo_open`` / ``hi_open`` are honoured when present, and infinite
ends are drawn as arrows), or anything with an ``.interval`` (such as ``figures.Stated``).
matplotlib and seaborn are imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

import math
import numbers
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "COLORS",
    "PALETTE",
    "use_theme",
    "stated_vs_reference",
    "slope",
    "timeseries",
    "ranking",
    "share_bar",
]

# Okabe-Ito: distinguishable with the common colour-vision deficiencies and in greyscale print.
# Vermillion is kept out of the series palette: it always means "the stated figure" or the
# highlighted region, so a series can never be mistaken for it.
PALETTE = ("#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
COLORS = {
    "stated": "#D55E00",
    "reference": "#0072B2",
    "highlight": "#D55E00",
    "muted": "#B0B0B0",
    "band": "#F6D5C3",
    "caption": "#555555",
}

# Same bytes on every run: fixed resolution, a fixed SVG id salt, and no date or version stamps.
_DPI = 150
_SVG_SALT = "zjanalysis"
_METADATA = {".png": {"Software": None}, ".svg": {"Date": None, "Creator": None}}
_FIGSIZE = (7.5, 4.2)
_CAPTION_SIZE = 8.5
_GAP_PT = 6.0
_SLOPE_LABEL_PT = 13.0  # a 10-pt label's line height, plus a little air


@dataclass(frozen=True)
class _Range:
    """A value to draw: its ends, which ends are open, and the point to mark."""

    lo: float
    hi: float
    lo_open: bool
    hi_open: bool
    point: float


def use_theme() -> None:
    """Apply the house theme (seaborn style, palette, font sizes) to matplotlib's rcParams.

    Calling it again gives the same settings; every chart function calls it, so a notebook
    never has to. Returns None.
    """
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette=list(PALETTE),
        font="DejaVu Sans",
        font_scale=0.9,
        rc={
            "figure.figsize": _FIGSIZE,
            "figure.dpi": 100,
            "savefig.dpi": _DPI,
            "axes.titlesize": 12.5,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.titlepad": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "grid.color": "#E3E3E3",
            "svg.hashsalt": _SVG_SALT,
            "svg.fonttype": "path",
        },
    )
    # seaborn leaves these alone; set them here so the theme is complete on its own.
    mpl.rcParams["svg.hashsalt"] = _SVG_SALT
    mpl.rcParams["path.simplify"] = True


# ---------------------------------------------------------------------------------------------
# Charts


def stated_vs_reference(
    label: str,
    stated: Any,
    references: Mapping[str, Any],
    *,
    unit: str | None = None,
    ax: Any = None,
    save: str | Path | None = None,
    sources: str | Sequence[str] | None = None,
    title: str | None = None,
) -> Any:
    """Draw a stated figure with its rounding interval against one or more reference values.

    One row per value: the stated figure on top (its interval as an error bar and a shaded band
    across all rows; an open bound such as "more than 500" as an arrow), then each reference.

    Returns the Axes. Raises ValueError when ``unit`` is missing, ``references`` is empty, or
    a value is not a number / interval (or has lo > hi).
    """
    unit = _require_unit(unit)
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"label must be a non-empty string naming the figure; got {label!r}.")
    refs = _require_mapping(references, "references")
    rows = [("Stated", _as_range(stated, "stated"))]
    rows += [(str(name), _as_range(value, f"references[{name!r}]")) for name, value in refs.items()]

    ax = _start(ax, (_FIGSIZE[0], 1.6 + 0.55 * len(rows)))
    lo, hi = _limits([r for _, r in rows], pad=0.12)
    ax.set_xlim(lo, hi)
    ax.set_ylim(len(rows) - 0.5, -0.6)
    s = rows[0][1]
    ax.axvspan(
        max(s.lo, lo),
        min(s.hi, hi),
        color=COLORS["band"],
        alpha=0.6,
        lw=0,
        zorder=0,
        gid="stated-band",
    )
    for y, (_, r) in enumerate(rows):
        color = COLORS["stated"] if y == 0 else COLORS["reference"]
        _draw_range(ax, r, y, color, vertical=False)
        ax.annotate(
            _fmt_range(r),
            (r.point, y),
            xytext=(0, 7),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=9,
            color=color,
        )
    ax.set_yticks(range(len(rows)), [name for name, _ in rows])
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(unit)
    return _finish(ax, title, f"{label}: stated figure and reference values", sources, save)


def slope(
    before: Any,
    after: Any = None,
    *,
    labels: tuple[str, str] = ("before", "after"),
    unit: str | None = None,
    name: str | None = None,
    ax: Any = None,
    save: str | Path | None = None,
    sources: str | Sequence[str] | None = None,
    title: str | None = None,
) -> Any:
    """Draw a before/after slope chart with both values annotated.

    Either ``slope(8.21, 3.81, unit="minutes", name="queue")``, or several series as
    ``slope({"queue": (8.21, 3.81), ...}, unit=...)``, or two mappings name -> value with
    the same names.

    Returns the Axes. Raises ValueError when ``unit`` is missing, there are no series, the
    two mappings name different series, or ``labels`` is not two strings.
    """
    unit = _require_unit(unit)
    series = _slope_series(before, after, name)
    if (
        not isinstance(labels, Sequence)
        or isinstance(labels, str)
        or len(labels) != 2
        or not all(isinstance(t, str) for t in labels)
    ):
        raise ValueError(f"labels must be two strings (before, after); got {labels!r}.")

    ax = _start(ax, (6.4, 4.6))
    for i, (key, (b, a)) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        ax.plot([0, 1], [b, a], marker="o", ms=7, lw=2.2, color=color, label=key, gid="series")
    ax.set_xlim(-0.45, 1.45 if len(series) == 1 and not name else 1.9)
    ax.set_xticks([0, 1], list(labels))
    ax.grid(axis="x", visible=False)
    ax.set_ylabel(unit)
    # Labels of series that start (or end) close together are moved apart, never onto a line.
    keys = list(series)
    starts = _spread_labels(ax, [series[k][0] for k in keys], _SLOPE_LABEL_PT)
    ends = _spread_labels(ax, [series[k][1] for k in keys], _SLOPE_LABEL_PT)
    for i, key in enumerate(keys):
        color = PALETTE[i % len(PALETTE)]
        b, a = series[key]
        ax.annotate(
            _fmt(b),
            (0, b),
            xytext=(-9, starts[i]),
            textcoords="offset points",
            ha="right",
            va="center",
            color=color,
            fontsize=10,
            gid="start-label",
        )
        tail = f"{_fmt(a)}  {key}" if len(series) > 1 or name else _fmt(a)
        ax.annotate(
            tail,
            (1, a),
            xytext=(9, ends[i]),
            textcoords="offset points",
            ha="left",
            va="center",
            color=color,
            fontsize=10,
            gid="end-label",
        )
    if len(series) == 1:
        default = f"{next(iter(series))}: from {labels[0]} to {labels[1]}"
    else:
        default = f"Change from {labels[0]} to {labels[1]}, {len(series)} series"
    return _finish(ax, title, default, sources, save)


def timeseries(
    data: Any,
    *,
    unit: str | None = None,
    highlight_year: float | None = None,
    stated: Any = None,
    name: str | None = None,
    by: str | None = None,
    ax: Any = None,
    save: str | Path | None = None,
    sources: str | Sequence[str] | None = None,
    title: str | None = None,
) -> Any:
    """Draw one or more yearly series, mark the claim's year and overlay the stated figure.

    ``data`` is a mapping year -> value (one series, called ``name``), a mapping
    series -> {year: value}, a pandas Series indexed by year, a wide DataFrame (index = year,
    one column per series) or a tidy DataFrame with ``year`` and ``value`` columns split by
    the column ``by`` (default ``geography`` when present). ``stated`` (number or interval) is
    drawn at ``highlight_year``.

    Returns the Axes. Raises ValueError when ``unit`` is missing, there is no data, a year
    or value is not a number, or ``stated`` is given without ``highlight_year``.
    """
    unit = _require_unit(unit)
    series = _timeseries_series(data, name, by)
    if stated is not None and highlight_year is None:
        raise ValueError(
            "stated needs highlight_year: the year at which to draw the stated figure."
        )
    if highlight_year is not None:
        highlight_year = _number(highlight_year, "highlight_year")

    ax = _start(ax, _FIGSIZE)
    for i, (key, points) in enumerate(series.items()):
        xs, ys = zip(*points, strict=True)
        ax.plot(
            xs,
            ys,
            marker="o",
            ms=4.5,
            lw=2,
            color=PALETTE[i % len(PALETTE)],
            label=key,
            gid="series",
        )
    if highlight_year is not None:
        ax.axvspan(
            highlight_year - 0.4,
            highlight_year + 0.4,
            color=COLORS["band"],
            alpha=0.7,
            lw=0,
            zorder=0,
            gid="highlight-year",
        )
    if stated is not None:
        r = _as_range(stated, "stated")
        _draw_range(
            ax, r, highlight_year, COLORS["stated"], vertical=True, label="stated", marker="D"
        )
        # Left of the marker, unless the claim's year is the first one: then nothing is to its
        # left and the label would run off the chart.
        first = min(x for pts in series.values() for x, _ in pts)
        right = highlight_year <= first
        ax.annotate(
            f"stated {_fmt_range(r)}",
            (highlight_year, r.point),
            xytext=(8 if right else -8, 0),
            textcoords="offset points",
            ha="left" if right else "right",
            va="center",
            color=COLORS["stated"],
            fontsize=9,
            gid="stated-label",
        )
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("year")
    ax.set_ylabel(unit)
    if len(series) > 1 or stated is not None:
        ax.legend(frameon=False, loc="best")
    years = sorted({x for pts in series.values() for x, _ in pts})
    default = f"{', '.join(series)}, {_fmt_year(years[0])}–{_fmt_year(years[-1])}"
    return _finish(ax, title, default, sources, save)


def ranking(
    values: Mapping[str, Any],
    *,
    highlight: str | None = "Zhejiang",
    unit: str | None = None,
    ascending: bool = False,
    show_ranks: bool = True,
    ax: Any = None,
    save: str | Path | None = None,
    sources: str | Sequence[str] | None = None,
    title: str | None = None,
) -> Any:
    """Draw horizontal bars in rank order, rank 1 on top, the highlighted region coloured.

    Ranks follow competition ranking (ties share a rank: 1, 2, 2, 4); ``ascending=True``
    ranks the smallest value first. ``highlight=None`` colours nothing. ``show_ranks=False``
    labels the bars with their values only (for a handful of regions that are not a full
    league table, where "#1" would mislead); the order still follows the ranking.

    Returns the Axes. Raises ValueError when ``unit`` is missing, ``values`` is empty, a value
    is not a number, or ``highlight`` is not one of the regions.
    """
    unit = _require_unit(unit)
    vals = {
        str(k): _point(v, f"values[{k!r}]") for k, v in _require_mapping(values, "values").items()
    }
    if highlight is not None and highlight not in vals:
        raise ValueError(
            f"highlight {highlight!r} is not one of the regions in values: "
            f"{', '.join(sorted(vals))}."
        )
    sign = 1 if ascending else -1
    order = sorted(vals, key=lambda k: (sign * vals[k], k))
    ranks = {k: 1 + sum(sign * vals[o] < sign * vals[k] for o in vals) for k in order}

    ax = _start(ax, (_FIGSIZE[0], 1.5 + 0.38 * len(order)))
    colors = [COLORS["highlight"] if k == highlight else COLORS["muted"] for k in order]
    bars = ax.barh(range(len(order)), [vals[k] for k in order], color=colors, height=0.7)
    if not isinstance(show_ranks, bool):
        raise ValueError(f"show_ranks must be True or False; got {show_ranks!r}.")
    texts = [f"#{ranks[k]}  {_fmt(vals[k])}" if show_ranks else _fmt(vals[k]) for k in order]
    ax.bar_label(bars, texts, padding=4, fontsize=9)
    ax.set_yticks(range(len(order)), order)
    for tick, key in zip(ax.get_yticklabels(), order, strict=False):
        if key == highlight:
            tick.set_fontweight("bold")
    ax.invert_yaxis()
    ax.margins(x=0.16)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(unit)
    which = "smallest" if ascending else "largest"
    default = f"Ranking of {len(order)} regions, {which} first"
    if highlight is not None and show_ranks:
        default += f": {highlight} is #{ranks[highlight]}"
    return _finish(ax, title, default, sources, save)


def share_bar(
    part: Any,
    total: Any,
    *,
    part_label: str = "part",
    total_label: str = "total",
    unit: str | None = None,
    ax: Any = None,
    save: str | Path | None = None,
    sources: str | Sequence[str] | None = None,
    title: str | None = None,
) -> Any:
    """Draw a single bar for ``total`` with ``part`` filled in and its percentage annotated.

    Returns the Axes. Raises ValueError when ``unit`` is missing, ``total`` is not positive,
    ``part`` is negative, or ``part`` is larger than ``total``.
    """
    unit = _require_unit(unit)
    p, t = _point(part, "part"), _point(total, "total")
    if t <= 0:
        raise ValueError(f"total must be positive; got {_fmt(t)}.")
    if not 0 <= p <= t:
        raise ValueError(f"part must be between 0 and total ({_fmt(t)}); got {_fmt(p)}.")

    ax = _start(ax, (_FIGSIZE[0], 2.6))
    ax.barh(
        [0],
        [p],
        color=COLORS["highlight"],
        height=0.55,
        label=f"{part_label}: {_fmt(p)}",
        gid="part",
    )
    ax.barh(
        [0],
        [t - p],
        left=[p],
        color=COLORS["muted"],
        height=0.55,
        label=f"rest of {total_label}: {_fmt(t - p)}",
        gid="rest",
    )
    share = 100 * p / t
    inside = share >= 12
    ax.annotate(
        f"{_fmt(share, 1)}%",
        (p / 2 if inside else p, 0),
        xytext=(0 if inside else 6, 0),
        textcoords="offset points",
        ha="center" if inside else "left",
        va="center",
        fontsize=12,
        fontweight="bold",
        color="white" if inside else COLORS["highlight"],
    )
    ax.annotate(
        f"{total_label}: {_fmt(t)}",
        (t, 0.28),
        xytext=(0, 4),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=9,
    )
    ax.set_xlim(0, t * 1.02)
    ax.set_ylim(-0.95, 0.75)
    ax.set_yticks([])
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(unit)
    ax.legend(frameon=False, loc="lower left", ncol=2, fontsize=9, borderaxespad=0.2)
    return _finish(ax, title, f"{part_label} as a share of {total_label}", sources, save)


# ---------------------------------------------------------------------------------------------
# Shared helpers


def _start(ax: Any, figsize: tuple[float, float]) -> Any:
    use_theme()
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _finish(ax: Any, title: str | None, default: str, sources: Any, save: str | Path | None) -> Any:
    if title is None:
        title = default[0].upper() + default[1:]
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string; got {title!r}.")
    text = _sources_text(sources)
    left_pt, below_pt, width_pt, axes_width_pt = _margins(ax)
    # Title and caption start at the left edge of the tick labels, not of the plotting area,
    # so a chart with long category names still reads as one block.
    ax.set_title(_wrap(title, width_pt, 12.5), loc="left", x=-left_pt / axes_width_pt)
    if text is not None:
        ax.annotate(
            _wrap(text, width_pt, _CAPTION_SIZE),
            (0, 0),
            xycoords="axes fraction",
            xytext=(-left_pt, -(below_pt + _GAP_PT)),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=_CAPTION_SIZE,
            color=COLORS["caption"],
            annotation_clip=False,
            gid="sources-caption",
        )
    if save is not None:
        _save(ax.figure, save)
    return ax


def _margins(ax: Any) -> tuple[float, float, float, float]:
    """Points the Axes' decorations reach left of and below its frame, their total width, and
    the frame's width. Offsets in points keep their place when the figure is saved at any dpi."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    inner = ax.get_window_extent(renderer)
    outer = ax.get_tightbbox(renderer)
    to_pt = 72 / fig.dpi
    return (
        (inner.x0 - outer.x0) * to_pt,
        (inner.y0 - outer.y0) * to_pt,
        outer.width * to_pt,
        inner.width * to_pt,
    )


def _wrap(text: str, width_pt: float, fontsize: float) -> str:
    # DejaVu Sans averages a little over half an em per character.
    chars = max(30, int(width_pt / (0.56 * fontsize)))
    return "\n".join(textwrap.fill(part, chars) for part in text.split("\n"))


def _sources_text(sources: Any) -> str | None:
    if sources is None:
        return None
    items = [sources] if isinstance(sources, str) else sources
    if (
        not isinstance(items, Sequence)
        or not items
        or not all(isinstance(s, str) and s.strip() for s in items)
    ):
        raise ValueError(
            f"sources must be a non-empty string or list of non-empty strings; got {sources!r}."
        )
    return "Sources: " + "; ".join(s.strip() for s in items)


def _save(fig: Any, path: str | Path) -> None:
    import matplotlib as mpl

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _METADATA:
        raise ValueError(f"save must be a path ending in .png or .svg; got {str(path)!r}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context({"svg.hashsalt": _SVG_SALT, "svg.fonttype": "path"}):
        fig.savefig(
            path,
            format=suffix[1:],
            dpi=_DPI,
            bbox_inches="tight",
            pad_inches=0.15,
            metadata=_METADATA[suffix],
            facecolor="white",
        )


def _require_unit(unit: Any) -> str:
    if not isinstance(unit, str) or not unit.strip():
        raise ValueError(
            f"unit must name the unit of the values (e.g. 'percent', "
            f"'million persons'); got {unit!r}."
        )
    return unit.strip()


def _require_mapping(value: Any, what: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} must be a mapping of label -> value; got {type(value).__name__}.")
    if not value:
        raise ValueError(f"{what} is empty; give at least one label -> value.")
    return value


def _number(x: Any, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"{what} must be a number; got {x!r}.")
    x = float(x)
    if math.isnan(x):
        raise ValueError(f"{what} must be a number; got NaN.")
    return x


def _as_range(x: Any, what: str) -> _Range:
    """A number, an interval-like object (.lo/.hi) or a stated figure (.interval) as a _Range."""
    value = getattr(x, "value", None)
    if hasattr(x, "interval"):
        x = x.interval
    if hasattr(x, "lo") and hasattr(x, "hi"):
        lo, hi = _number(x.lo, f"{what}.lo"), _number(x.hi, f"{what}.hi")
        if lo > hi:
            raise ValueError(
                f"{what} has lo {_fmt(lo)} greater than hi {_fmt(hi)} "
                f"(a negative width); lo must be <= hi."
            )
        if math.isinf(lo) and math.isinf(hi):
            raise ValueError(f"{what} is unbounded at both ends; at least one end must be finite.")
        if isinstance(value, numbers.Real) and lo <= value <= hi and math.isfinite(value):
            point = float(value)
        elif math.isfinite(lo) and math.isfinite(hi):
            point = (lo + hi) / 2
        else:
            point = lo if math.isfinite(lo) else hi
        return _Range(
            lo, hi, bool(getattr(x, "lo_open", False)), bool(getattr(x, "hi_open", False)), point
        )
    v = _number(x, what)
    if math.isinf(v):
        raise ValueError(f"{what} must be finite; got {v}.")
    return _Range(v, v, False, False, v)


def _point(x: Any, what: str) -> float:
    return _as_range(x, what).point


def _limits(ranges: Sequence[_Range], pad: float) -> tuple[float, float]:
    finite = [v for r in ranges for v in (r.lo, r.hi, r.point) if math.isfinite(v)]
    lo, hi = min(finite), max(finite)
    span = hi - lo or max(abs(hi) * 0.1, 1.0)
    # An open-ended range needs room for its arrow beyond the last finite value.
    right = pad + (0.25 if any(math.isinf(r.hi) for r in ranges) else 0)
    left = pad + (0.25 if any(math.isinf(r.lo) for r in ranges) else 0)
    return lo - left * span, hi + right * span


def _spread_labels(ax: Any, values: Sequence[float], gap_pt: float) -> list[float]:
    """Vertical offsets in points that keep labels at `values` (data units) `gap_pt` apart.

    Labels closer than the gap are moved apart symmetrically around their cluster's middle;
    labels with room keep offset 0. Uses the Axes' current y-limits and height.
    """
    lo, hi = ax.get_ylim()
    height_pt = ax.get_window_extent().height * 72 / ax.figure.dpi
    scale = height_pt / (hi - lo) if hi != lo else 0.0
    order = sorted(range(len(values)), key=lambda i: (values[i], i))
    wanted = [values[i] * scale for i in order]
    # Merge neighbours into clusters until no two clusters overlap (at most n passes).
    clusters = [[i] for i in range(len(order))]
    placed = list(wanted)
    for _ in range(len(order)):
        changed = False
        for c in range(len(clusters) - 1):
            top_of_lower = placed[clusters[c][-1]]
            if placed[clusters[c + 1][0]] - top_of_lower < gap_pt - 1e-9:
                clusters[c : c + 2] = [clusters[c] + clusters[c + 1]]
                changed = True
                break
        for members in clusters:
            middle = sum(wanted[m] for m in members) / len(members)
            first = middle - gap_pt * (len(members) - 1) / 2
            for k, m in enumerate(members):
                placed[m] = first + k * gap_pt
        if not changed:
            break
    offsets = [0.0] * len(values)
    for rank, index in enumerate(order):
        offsets[index] = placed[rank] - wanted[rank]
    return offsets


def _draw_range(
    ax: Any,
    r: _Range,
    at: float,
    color: str,
    *,
    vertical: bool,
    label: str | None = None,
    marker: str = "o",
) -> None:
    """Mark r.point at position ``at``; bars for a finite interval, an arrow for an open end."""

    def xy(value: float) -> tuple[float, float]:
        return (at, value) if vertical else (value, at)

    open_marker = (r.lo_open and r.point == r.lo) or (r.hi_open and r.point == r.hi)
    x, y = xy(r.point)
    ax.plot(
        [x],
        [y],
        marker=marker,
        ms=8,
        color=color,
        mfc="white" if open_marker else color,
        mew=2,
        ls="none",
        zorder=4,
        label=label,
        gid="value-point",
    )
    lo, hi = (v if math.isfinite(v) else r.point for v in (r.lo, r.hi))
    if hi > lo:
        (x0, y0), (x1, y1) = xy(lo), xy(hi)
        ax.plot(
            [x0, x1],
            [y0, y1],
            color=color,
            lw=2.5,
            solid_capstyle="butt",
            zorder=3,
            gid="value-interval",
        )
    for end, edge in ((r.lo, 0.0), (r.hi, 1.0)):
        if math.isinf(end):
            coords = ("data", "axes fraction") if vertical else ("axes fraction", "data")
            head = (at, edge) if vertical else (edge, at)
            ax.annotate(
                "",
                head,
                xycoords=coords,
                xytext=(x, y),
                textcoords="data",
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": color,
                    "lw": 2,
                    "shrinkA": 5,
                    "shrinkB": 2,
                },
                gid="open-bound",
            )


def _fmt(x: float, decimals: int = 4) -> str:
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = f"{x:,.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


def _fmt_year(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:g}"


def _fmt_range(r: _Range) -> str:
    if r.lo == r.hi:
        return _fmt(r.point)
    if math.isinf(r.hi):
        return f"{'>' if r.lo_open else '≥'} {_fmt(r.lo)}"
    if math.isinf(r.lo):
        return f"{'<' if r.hi_open else '≤'} {_fmt(r.hi)}"
    left, right = "(" if r.lo_open else "[", ")" if r.hi_open else "]"
    return f"{_fmt(r.point)} {left}{_fmt(r.lo)}, {_fmt(r.hi)}{right}"


def _slope_series(before: Any, after: Any, name: str | None) -> dict[str, tuple[float, float]]:
    if isinstance(before, Mapping) and after is None:
        if not before:
            raise ValueError("before is empty; give at least one series name -> (before, after).")
        out = {}
        for key, pair in before.items():
            if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
                raise ValueError(f"before[{key!r}] must be a (before, after) pair; got {pair!r}.")
            out[str(key)] = (
                _point(pair[0], f"before[{key!r}]"),
                _point(pair[1], f"after[{key!r}]"),
            )
        return out
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        if set(before) != set(after):
            raise ValueError(
                f"before and after must name the same series; before has "
                f"{sorted(map(str, before))}, after has {sorted(map(str, after))}."
            )
        if not before:
            raise ValueError("before is empty; give at least one series name -> value.")
        return {
            str(k): (_point(before[k], f"before[{k!r}]"), _point(after[k], f"after[{k!r}]"))
            for k in before
        }
    if after is None:
        raise ValueError(
            "after is missing: give two values, two mappings, or one mapping "
            "name -> (before, after)."
        )
    return {name or "value": (_point(before, "before"), _point(after, "after"))}


def _timeseries_series(data: Any, name: str | None, by: str | None) -> dict[str, list]:
    raw = _timeseries_mapping(data, name, by)
    out: dict[str, list] = {}
    for key, points in raw.items():
        pts = []
        for year, value in points.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue  # a wide frame leaves NaN where a series has no figure for that year
            pts.append(
                (
                    _number(year, f"year {year!r} of {key!r}"),
                    _point(value, f"data[{key!r}][{year!r}]"),
                )
            )
        if pts:
            out[str(key)] = sorted(pts)
    if not out:
        raise ValueError("data is empty; give at least one year -> value.")
    return out


def _timeseries_mapping(data: Any, name: str | None, by: str | None) -> dict[str, Mapping]:
    kind = type(data).__name__
    if kind == "DataFrame":
        if {"year", "value"} <= set(data.columns):
            by = by or ("geography" if "geography" in data.columns else None)
            if by is None:
                return {
                    name or "value": dict(
                        zip(data["year"].tolist(), data["value"].tolist(), strict=True)
                    )
                }
            if by not in data.columns:
                raise ValueError(
                    f"by {by!r} is not a column of data; columns are "
                    f"{', '.join(map(str, data.columns))}."
                )
            return {
                str(g): dict(zip(d["year"].tolist(), d["value"].tolist(), strict=True))
                for g, d in data.groupby(by, sort=False)
            }
        return {
            str(c): dict(zip(data.index.tolist(), data[c].tolist(), strict=True))
            for c in data.columns
        }
    if kind == "Series":
        return {
            name or str(data.name or "value"): dict(
                zip(data.index.tolist(), data.tolist(), strict=True)
            )
        }
    if not isinstance(data, Mapping):
        raise ValueError(
            f"data must be a mapping year -> value, a mapping series -> "
            f"{{year: value}}, or a pandas Series/DataFrame; got {kind}."
        )
    if data and all(isinstance(v, Mapping) for v in data.values()):
        return {str(k): v for k, v in data.items()}
    return {name or "value": data}
