"""The pieces every figure of the outlook is drawn with: colours, axes, fans, observations.

Figures are :class:`matplotlib.figure.Figure` objects on an Agg canvas, made without pyplot and
drawn in the outlook's style (:func:`forecast.report.style.styled`, re-exported here): importing
a figure module changes no matplotlib setting. A fan shows the posterior median, the 50% and the
80% central intervals per year.

Every figure is drawn in two layouts from the same function (``phone=False`` or ``True``): a
page-wide one for the PDF and a wide screen, and a narrow one for a phone (the outlook's HTML
swaps it in below 640 px). The phone figure is half as wide with the same font sizes, so its
text is twice as large beside the plot; panels side by side on a page are stacked on a phone,
and legends go below the plot.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from forecast.models.trend import fitted_observations
from forecast.report.style import styled
from forecast.settings import SETTINGS
from forecast.summary import quantiles

#: Last year drawn on the time axes (the stored grid runs further).
LAST_YEAR_SHOWN = 2040
FIRST_YEAR_SHOWN = 2017
#: Width of a figure on a printed page and on a phone (inches; both rendered at the same dpi).
WIDTH_IN = 7.2
PHONE_WIDTH_IN = 3.6
#: One colour per constraint, used in every figure.
COLORS = {
    "compute": "#222222",
    "data": "#1f5fa8",
    "power": "#d9731a",
    "money": "#2b8a3e",
    "memory": "#7b3fa0",
    "other": "#8c8c8c",
}
FAN_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
#: Units whose values are drawn on a log axis (they span orders of magnitude).
LOG_UNITS = ("FLOP", "USD", "tokens")

__all__ = ["styled"]


def new_figure(
    height_in: float = 4.0,
    ncols: int = 1,
    *,
    phone: bool = False,
    phone_height_in: float | None = None,
    sharey: bool = False,
) -> tuple[Figure, np.ndarray]:
    """Return a figure on an Agg canvas (no pyplot) and its ``ncols`` panels.

    Parameters
    ----------
    height_in : float
        Height of the page-wide figure (inches), its panels in a row.
    ncols : int
        Number of panels.
    phone : bool
        Draw the phone layout: :data:`PHONE_WIDTH_IN` wide, the panels stacked in a column.
    phone_height_in : float, optional
        Height of each panel on a phone, legend included (default: ``height_in``).
    sharey : bool
        Panels side by side share their y axis (on a page only: stacked panels keep theirs).
    """
    if phone:
        height = (phone_height_in or height_in) * ncols
        fig = Figure(figsize=(PHONE_WIDTH_IN, height), layout="constrained")
        FigureCanvasAgg(fig)
        return fig, np.atleast_1d(fig.subplots(ncols, 1))
    fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, np.atleast_1d(fig.subplots(1, ncols, sharey=sharey))


def fan(ax: Axes, draws: xr.DataArray, color: str, label: str, scale: float = 1.0) -> xr.DataArray:
    """Draw the median and the 50% / 80% intervals of ``draws`` over ``year``; return them."""
    shown = draws.sel(year=slice(None, LAST_YEAR_SHOWN)) * scale
    q = quantiles(shown, FAN_QUANTILES).transpose("year", "quantile").values
    years = shown["year"].values
    ax.fill_between(years, q[:, 0], q[:, 4], color=color, alpha=0.15, lw=0)
    ax.fill_between(years, q[:, 1], q[:, 3], color=color, alpha=0.3, lw=0)
    ax.plot(years, q[:, 2], color=color, lw=1.8, label=label)
    return shown


def observed(run: xr.DataTree, prefix: str) -> tuple[np.ndarray, xr.DataArray]:
    """Return the decimal years and values (``10**`` of the log10 data) a trend was fitted to."""
    years_since_origin, log10_values = fitted_observations(run, prefix)
    return years_since_origin.values + SETTINGS.year_origin, 10.0**log10_values


def points(ax: Axes, years: np.ndarray, values: np.ndarray, color: str, label: str) -> None:
    """Draw observations over a fan."""
    ax.scatter(
        years, values, s=14, color=color, edgecolor="white", linewidth=0.5, zorder=5, label=label
    )


def time_axis(ax: Axes, ylabel: str, log: bool = True) -> None:
    """Label a year axis from :data:`FIRST_YEAR_SHOWN` to :data:`LAST_YEAR_SHOWN`."""
    ax.set_xlim(FIRST_YEAR_SHOWN, LAST_YEAR_SHOWN)
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")


#: What a fan's line and bands are.
FAN_NOTE = "lines: posterior median; bands: 50% and 80% intervals"


def explain_fan(ax: Axes) -> None:
    """Say in the corner what a fan's line and bands are."""
    ax.text(
        0.99,
        0.02,
        FAN_NOTE,
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=7,
        color="#555555",
    )


def legend(ax: Axes, phone: bool, *, fans: bool = True, **page: object) -> None:
    """Draw an axes' legend: where ``page`` says on a page, below the plot on a phone.

    With ``fans``, say what a fan's line and bands are: in the corner of the plot on a page
    (:func:`explain_fan`), as the legend's last entry on a phone, where the plot is too narrow.
    """
    if not phone:
        ax.legend(frameon=False, **page)
        if fans:
            explain_fan(ax)
        return
    handles, labels = ax.get_legend_handles_labels()
    if fans:
        handles.append(Patch(color=COLORS["other"], alpha=0.35, lw=0))
        labels.append(FAN_NOTE)
    legend_below(ax, handles, labels)


def legend_below(
    ax: Axes, handles: list | None = None, labels: list | None = None, ncols: int = 1
) -> None:
    """Draw a legend under an axes, clear of its tick labels and x label."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    ax.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        # In legend font sizes: room for the tick labels and the x label above it.
        borderaxespad=4.2 if ax.get_xlabel() else 2.4,
        ncols=ncols,
        frameon=False,
    )
