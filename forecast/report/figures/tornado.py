"""Tornado charts: a headline's median with each parameter at its P10 and its P90.

Each bar runs from the baseline median to the median with one parameter moved to one end of
its range, and says at its end what that median is. A parameter that moves the median by
nothing has a bar of zero width: it is drawn as a marker on the baseline line, so a short
list is not read as missing rows.
"""

from __future__ import annotations

import textwrap

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from forecast.formatting import format_value
from forecast.report.figures.style import LOG_UNITS, new_figure, styled

#: Colours of the two ends, as the caption names them; each end's bar in its half of the row.
END_COLORS = ("#4c72b0", "#dd8452")
OFFSETS = (0.19, -0.19)
BAR_HEIGHT = 0.36
END_LABELS = ("parameter at its P10", "parameter at its P90")
#: Words a parameter's name is written with in full (the rest: underscores to spaces).
WORDS = {
    "ai": "AI",
    "usd": "USD",
    "gw": "GW",
    "mw": "MW",
    "flop": "FLOP",
    "s": "seconds",
    "hbm": "HBM",
}


def readable(parameter: str) -> str:
    """Return a sweep parameter's name in words.

    ``"walls.run_duration_2030_s"`` reads ``"run duration 2030 seconds (walls)"``. The priors
    and levers carry a unit and a source but no short label, so the name itself is made
    readable; the model it belongs to follows in brackets.
    """
    model, _, name = parameter.rpartition(".")
    words = " ".join(WORDS.get(word, word) for word in name.split("_"))
    return f"{words} ({model})" if model else words


@styled()
def tornado(
    data: xr.Dataset, headline: str, label: str, top: int = 10, *, phone: bool = False
) -> Figure:
    """Draw the swing of a headline's median between each parameter's P10 and P90.

    Parameters
    ----------
    data : xarray.Dataset
        :func:`forecast.stress.tornado`'s data: ``{headline}`` over (parameter, end),
        ``{headline}_swing`` and ``{headline}_baseline``.
    headline : str
        ``"model.headline"``.
    label : str
        What the headline is, in plain words with its unit (the x axis).
    top : int
        How many parameters to draw, the largest swings first.
    phone : bool
        Draw the phone layout: names wrapped over two lines, rows taller.
    """
    swing = data[f"{headline}_swing"].fillna(-1.0)
    order = swing.argsort().values[::-1][:top][::-1]
    values = data[headline].values[order]
    names = [readable(str(n)) for n in data["parameter"].values[order]]
    base = float(data[f"{headline}_baseline"])
    unit = data[headline].attrs.get("unit", "")
    log = unit.startswith(LOG_UNITS)
    row_in = 0.48 if phone else 0.34
    # Room for the x label and the legend (three lines of it on a phone) below the bars.
    fig, (ax,) = new_figure(
        1.3 + row_in * len(order), phone=phone, phone_height_in=1.9 + row_in * len(order)
    )
    rows = np.arange(len(order))
    # Room beyond the longest bars for their labels: more of the span where the axis is narrow.
    low, high = _limits(values, base, log, pad=0.8 if phone else 0.3)
    still = _too_short_to_see(values, base, (low, high), log)
    for end, color in enumerate(END_COLORS):
        y = rows + OFFSETS[end]
        ends = values[:, end]
        finite = np.isfinite(ends)
        ax.barh(y[finite], ends[finite] - base, left=base, color=color, height=BAR_HEIGHT)
        # A bar of (about) zero width: a marker on the baseline line.
        ax.plot(
            np.full(still[:, end].sum(), base),
            y[still[:, end]],
            ls="none",
            marker="D",
            ms=5,
            color=color,
            markeredgecolor="black",
            markeredgewidth=0.6,
            zorder=4,
            gid=f"unchanged:{END_LABELS[end]}",
        )
    ax.axvline(base, color="black", lw=1)
    wrap = 26 if phone else 60
    ax.set_yticks(rows, [textwrap.fill(n, wrap) for n in names])
    _label_ends(ax, values, base, unit)
    ax.set_xlim(low, high)
    title = textwrap.fill(f"{label}, median", 30 if phone else 90)
    ax.set_xlabel(f"{title}\n(line: baseline, {format_value(base, unit)})")
    if log:
        ax.set_xscale("log")
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3 if phone else 6))
        ax.ticklabel_format(axis="x", useOffset=False, style="plain")
    ax.grid(axis="y", visible=False)
    handles = [Patch(color=c) for c in END_COLORS]
    handles.append(
        Line2D([], [], ls="none", marker="D", ms=5, color="white", markeredgecolor="black")
    )
    labels = [*END_LABELS, "median (almost) unchanged at that end"]
    fig.legend(handles, labels, loc="outside lower center", ncols=1 if phone else 3, frameon=False)
    return fig


def _limits(values: np.ndarray, base: float, log: bool, pad: float) -> tuple[float, float]:
    """Return the x range: every end and the baseline, and ``pad`` of their span beyond."""
    finite = values[np.isfinite(values)]
    low, high = min(finite.min(initial=base), base), max(finite.max(initial=base), base)
    if log:
        span = max(np.log10(high / low), 0.3)
        return low / 10 ** (pad * span), high * 10 ** (pad * span)
    span = max(high - low, 0.1)
    return low - pad * span, high + pad * span


def _too_short_to_see(
    values: np.ndarray, base: float, limits: tuple[float, float], log: bool
) -> np.ndarray:
    """Return which ends' bars would be narrower than 1% of the axis (drawn as markers)."""
    scale = np.log10 if log else (lambda x: x)
    with np.errstate(invalid="ignore", divide="ignore"):
        width = np.abs(scale(values) - scale(base)) / (scale(limits[1]) - scale(limits[0]))
    return np.isfinite(values) & (width < 0.01)


def _label_ends(ax: Axes, values: np.ndarray, base: float, unit: str) -> None:
    """Write each bar's median at its end, outside the bar."""
    for row, pair in enumerate(values):
        for end, value in enumerate(pair):
            if not np.isfinite(value):
                continue
            right = value >= base
            ax.annotate(
                format_value(value, unit),
                (value, row + OFFSETS[end]),
                xytext=(5 if right else -5, 0),
                textcoords="offset points",
                ha="left" if right else "right",
                va="center",
                fontsize=7,
                color="#333333",
            )


def tornado_stem(headline: str) -> str:
    """Return the file stem of a headline's tornado figure (``tornado_walls_first_wall_year``)."""
    return f"tornado_{headline.replace('.', '_')}"
