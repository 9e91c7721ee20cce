"""The data wall's figure: frontier dataset size against the stock of public text."""

from __future__ import annotations

from collections.abc import Mapping

import xarray as xr
from matplotlib.figure import Figure

from forecast.report.figures.style import (
    COLORS,
    fan,
    legend,
    new_figure,
    observed,
    points,
    styled,
    time_axis,
)


@styled()
def data_wall(runs: Mapping[str, xr.DataTree], *, phone: bool = False) -> Figure:
    """Draw frontier training-dataset size against the effective stock of public text."""
    derived = runs["datawall"]["derived"]
    fig, (ax,) = new_figure(phone=phone, phone_height_in=4.6)
    fan(ax, derived["effective_stock_tokens"], COLORS["data"], "effective stock of public text")
    fan(ax, derived["dataset_tokens"], COLORS["compute"], "frontier dataset size (demand)")
    years, tokens = observed(runs["datawall"], "dataset")
    points(ax, years, tokens, COLORS["compute"], "frontier training sets (data)")
    time_axis(ax, "training tokens")
    legend(ax, phone, loc="upper left")
    return fig
