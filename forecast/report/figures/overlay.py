"""A scenario report's figures: one yearly series, the baseline and each scenario overlaid."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib as mpl
import xarray as xr
from matplotlib.figure import Figure

from forecast.models.reporting import Overlay
from forecast.report.figures.style import (
    FIRST_YEAR_SHOWN,
    explain_fan,
    fan,
    new_figure,
    styled,
    time_axis,
)

#: Last year drawn: the scenarios part within a decade, and the fans widen past it.
LAST_YEAR_OVERLAID = 2036
#: The baseline's colour; scenarios take the qualitative map's colours in order.
BASELINE_COLOR = "#222222"


@styled()
def overlaid(
    runs_by_scenario: Mapping[str, Mapping[str, xr.DataTree]],
    model: str,
    overlay: Overlay,
    *,
    phone: bool = False,
) -> Figure:
    """Draw one model's yearly series for each scenario (the baseline first, in black)."""
    fig, (ax,) = new_figure(3.8, phone=phone)
    colors = mpl.colormaps["tab10"]
    for i, (name, runs) in enumerate(runs_by_scenario.items()):
        draws = runs[model]["derived"][overlay.variable]
        color = BASELINE_COLOR if i == 0 else colors((i - 1) % 10)
        fan(ax, draws, color, name, scale=overlay.scale)
    time_axis(ax, overlay.label)
    ax.set_xlim(FIRST_YEAR_SHOWN, LAST_YEAR_OVERLAID)
    ax.autoscale(axis="y")
    ax.legend(loc="upper left", frameon=False)
    explain_fan(ax)
    return fig
