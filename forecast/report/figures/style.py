"""The pieces every figure of the outlook is drawn with: colours, axes, fans, observations.

Figures are :class:`matplotlib.figure.Figure` objects on an Agg canvas, made without pyplot and
drawn in the outlook's style (:func:`forecast.report.style.styled`, re-exported here): importing
a figure module changes no matplotlib setting. A fan shows the posterior median, the 50% and the
80% central intervals per year.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from forecast.models.trend import fitted_observations
from forecast.report.style import styled
from forecast.settings import SETTINGS
from forecast.summary import quantiles

#: Last year drawn on the time axes (the stored grid runs further).
LAST_YEAR_SHOWN = 2040
FIRST_YEAR_SHOWN = 2017
WIDTH_IN = 7.2
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

__all__ = ["styled"]


def new_figure(height_in: float = 4.0, ncols: int = 1) -> tuple[Figure, np.ndarray]:
    """Return a page-wide figure on an Agg canvas (no pyplot) and its ``ncols`` axes in a row."""
    fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, np.atleast_1d(fig.subplots(1, ncols))


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


def explain_fan(ax: Axes) -> None:
    """Say in the corner what a fan's line and bands are."""
    ax.text(
        0.99,
        0.02,
        "lines: posterior median; bands: 50% and 80% intervals",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=7,
        color="#555555",
    )
