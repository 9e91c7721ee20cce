"""The cost figure: the amortized cost of the largest training run (2023 USD)."""

from __future__ import annotations

from collections.abc import Mapping

import xarray as xr
from matplotlib.figure import Figure

from forecast.report.figures.style import (
    COLORS,
    FIRST_YEAR_SHOWN,
    explain_fan,
    fan,
    new_figure,
    observed,
    points,
    styled,
    time_axis,
)


@styled()
def cost_wall(runs: Mapping[str, xr.DataTree]) -> Figure:
    """Draw the amortized hardware and energy cost of the largest run (2023 USD)."""
    run = runs["cost"]
    fig, (ax,) = new_figure()
    fan(ax, run["derived"]["largest_run_cost_usd"], COLORS["money"], "largest training run")
    years, _ = observed(run, "run_compute")
    cost = 10.0 ** (
        run["observed_data"]["run_compute_log10_observed"]
        - run["observed_data"]["flop_per_usd_log10_observed"]
    )
    points(ax, years, cost, COLORS["compute"], "costed frontier runs (data)")
    for threshold, text in ((1e9, "$1B"), (1e10, "$10B"), (1e11, "$100B")):
        ax.axhline(threshold, color=COLORS["other"], lw=0.8, ls="--")
        ax.text(FIRST_YEAR_SHOWN + 0.2, threshold * 1.15, text, fontsize=7, color="#555555")
    time_axis(ax, "cost of one run (2023 USD)")
    ax.legend(loc="upper left", frameon=False, bbox_to_anchor=(0.06, 1.0))
    explain_fan(ax)
    return fig
