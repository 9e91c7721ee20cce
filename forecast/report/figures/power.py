"""The power wall's figure: the largest run's power against one campus and one lab's share."""

from __future__ import annotations

from collections.abc import Mapping

import xarray as xr
from matplotlib.figure import Figure

from forecast.report.figures.style import (
    COLORS,
    explain_fan,
    fan,
    new_figure,
    observed,
    points,
    styled,
    time_axis,
)


@styled()
def power_wall(runs: Mapping[str, xr.DataTree]) -> Figure:
    """Draw the largest run's power against one campus and one lab's distributed share."""
    derived = runs["power"]["derived"]
    fig, (ax,) = new_figure()
    fan(ax, derived["largest_campus_gw"], COLORS["power"], "largest single campus", scale=1e3)
    fan(
        ax,
        derived["lab_run_capacity_gw"],
        COLORS["money"],
        "one lab's share of US AI capacity (distributed)",
        scale=1e3,
    )
    fan(ax, derived["largest_run_power_mw"], COLORS["compute"], "largest training run")
    years, power = observed(runs["power"], "power")
    points(ax, years, power, COLORS["compute"], "training runs (data)")
    time_axis(ax, "power (MW)")
    ax.legend(loc="upper left", frameon=False)
    explain_fan(ax)
    return fig
