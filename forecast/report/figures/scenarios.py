"""The scenario figures: each named scenario's headline beside the baseline's, one panel a column.

A numeric headline of the scenario table is drawn as a dot at each scenario's median and a line
over its 80% interval, one row per scenario; the baseline is black, with a dashed line through
its median to read the others against. A categorical headline (the first wall) is drawn as each
scenario's probabilities, stacked. Everything drawn is a stress result's
(:func:`forecast.stress.run_stress`): ``{headline}`` over ``stat`` (median, p10, p90), or over
``constraint`` for the first wall.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from forecast.report.figures.style import (
    COLORS,
    LOG_UNITS,
    PHONE_WIDTH_IN,
    WIDTH_IN,
    new_figure,
    styled,
)
from forecast.scenarios import BASELINE
from forecast.settings import SETTINGS

#: Colour of the named scenarios' dots and intervals (the baseline is black).
SCENARIO_COLOR = "#4c72b0"
#: Height of one scenario's row (inches).
ROW_IN = 0.25
#: The share of draws where no wall binds by the end of the grid, in the first wall's bars.
NO_WALL = "none_by_grid_end"


@styled()
def scenario_intervals(
    result: xr.Dataset, headlines: Sequence[tuple[str, str]], *, phone: bool = False
) -> Figure:
    """Draw each scenario's headlines beside the baseline's, one panel per headline.

    Parameters
    ----------
    result : xarray.Dataset
        A stress result over ``scenario`` (the baseline first, if it is one of them).
    headlines : sequence of (str, str)
        ``("model.headline", plain label with unit)``, one panel each, in order.
    phone : bool
        Draw the phone layout (panels stacked).
    """
    scenarios = [str(s) for s in result["scenario"].values]
    rows = np.arange(len(scenarios))[::-1]  # the first scenario on top
    table_in = ROW_IN * len(scenarios)
    fig, axes = new_figure(
        table_in + 2.4,
        ncols=len(headlines),
        phone=phone,
        phone_height_in=table_in + 1.4,
        sharey=True,
    )
    panel_in = PHONE_WIDTH_IN if phone else WIDTH_IN / len(headlines)
    handles: dict[str, object] = {}
    for ax, (key, label) in zip(axes, headlines, strict=True):
        values = result[key]
        if "constraint" in values.dims:
            handles |= _probabilities(ax, values, rows, scenarios)
        else:
            handles |= _intervals(ax, values, rows, scenarios)
        # About 60% of a panel's width in characters of the title's size.
        ax.set_title(textwrap.fill(label, max(18, int(panel_in * 72 / 10 * 0.95))), loc="left")
        ax.set_yticks(rows, scenarios)
        ax.set_ylim(-0.7, len(scenarios) - 0.3)
        ax.grid(axis="y", visible=False)
        for tick in ax.get_yticklabels():
            if tick.get_text() == BASELINE:
                tick.set_fontweight("bold")
    fig.legend(
        list(handles.values()),
        list(handles),
        loc="outside lower center",
        ncols=1 if phone else 2,
        frameon=False,
    )
    return fig


def _intervals(
    ax: Axes, values: xr.DataArray, rows: np.ndarray, scenarios: list[str]
) -> dict[str, Line2D]:
    """Draw each scenario's median and 80% interval; return the legend's entries for them."""
    unit = values.attrs.get("unit", "")
    median, p10, p90 = (values.sel(stat=s).values.astype(float) for s in ("median", "p10", "p90"))
    finite = np.concatenate([v[np.isfinite(v)] for v in (median, p10, p90)])
    if unit == "year":  # years past the projection grid run off the axis
        finite = np.minimum(finite, SETTINGS.year_last)
    if not finite.size:  # no scenario's event comes by the horizon
        finite = np.array([SETTINGS.year_last if unit == "year" else 1.0])
    log = unit.startswith(LOG_UNITS)
    low, high = _limits(finite, log)
    for row, name, m, lo, hi in zip(rows, scenarios, median, p10, p90, strict=True):
        if math.isnan(m):
            continue
        base = name == BASELINE
        color = COLORS["compute"] if base else SCENARIO_COLOR
        ends = [min(lo, high), min(hi, high)]
        ax.plot(ends, [row, row], color=color, lw=2.4 if base else 1.6, solid_capstyle="butt")
        if hi > high:  # the interval runs past the axis: later, or not by the search horizon
            ax.plot([high], [row], marker=">", ms=6, color=color, clip_on=False)
        ax.plot(
            [min(m, high)],
            [row],
            marker="D" if base else "o",
            ms=7 if base else 5.5,
            color=color,
            markeredgecolor="white",
            markeredgewidth=0.6,
            zorder=4,
            clip_on=False,
            gid=f"median:{name}",
        )
        if base and m <= high:
            ax.axvline(m, color=COLORS["compute"], lw=0.9, ls="--", zorder=1, gid="baseline")
    ax.set_xlim(low, high)
    if log:
        ax.set_xscale("log")
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=unit == "year"))
        ax.ticklabel_format(axis="x", useOffset=False, style="plain")
    ax.set_xlabel(unit)
    return _interval_handles(bool(np.any(p90 > high) or np.any(median > high)))


def _limits(values: np.ndarray, log: bool) -> tuple[float, float]:
    """Return axis limits around ``values`` with a margin (a factor on a log axis)."""
    low, high = float(values.min()), float(values.max())
    if log:
        span = max(np.log10(high / low), 0.5)
        return low / 10 ** (0.06 * span), high * 10 ** (0.06 * span)
    span = max(high - low, 1.0)
    return low - 0.06 * span, high + 0.06 * span


def _probabilities(
    ax: Axes, values: xr.DataArray, rows: np.ndarray, scenarios: list[str]
) -> dict[str, Patch]:
    """Draw each scenario's probability of each category as stacked bars, labelled in %.

    Return the legend's entries: one colour per category.
    """
    categories = [str(c) for c in values["constraint"].values]
    parts = [(c, values.sel(constraint=c).values.astype(float)) for c in categories]
    rest = 1.0 - np.sum([p for _, p in parts], axis=0)
    if np.any(rest > 0.005):
        parts.append((NO_WALL, np.clip(rest, 0.0, 1.0)))
    left = np.zeros(len(scenarios))
    edges = ["black" if s == BASELINE else "white" for s in scenarios]
    handles = {}
    for name, p in parts:
        color = COLORS.get(name, COLORS["other"])
        ax.barh(rows, p, left=left, color=color, height=0.7, edgecolor=edges, lw=0.8)
        label = f"no wall by {SETTINGS.year_last}" if name == NO_WALL else f"{name} binds first"
        handles[label] = Patch(color=color)
        for row, start, share in zip(rows, left, p, strict=True):
            if share >= 0.12:
                ax.text(
                    start + share / 2,
                    row,
                    f"{share:.0%}",
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white",
                )
        left += p
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
    ax.set_xlabel("share of draws")
    return handles


def _interval_handles(past_axis: bool) -> dict[str, Line2D]:
    """Return the legend's entries for the dots, lines and dashed line."""
    handles = {
        "baseline: median (dot) and 80% interval (line)": Line2D(
            [], [], color=COLORS["compute"], marker="D", ms=6, lw=2.4
        ),
        "named scenario: median and 80% interval": Line2D(
            [], [], color=SCENARIO_COLOR, marker="o", ms=5, lw=1.6
        ),
        "the baseline's median": Line2D([], [], color=COLORS["compute"], lw=0.9, ls="--"),
    }
    if past_axis:
        label = f"runs on past the axis (later, or not by {SETTINGS.horizon_year:.0f})"
        handles[label] = Line2D([], [], ls="none", marker=">", ms=6, color=SCENARIO_COLOR)
    return handles
