"""The cost figure: the amortized cost of the largest training run against the spend ceiling."""

from __future__ import annotations

from collections.abc import Mapping

import xarray as xr
from matplotlib.figure import Figure

from forecast.report.figures.style import (
    COLORS,
    FIRST_YEAR_SHOWN,
    fan,
    legend,
    new_figure,
    observed,
    points,
    styled,
    time_axis,
)

#: The y range drawn (2023 USD): from the first costed runs to well past the ceiling's 2040s.
COST_RANGE_USD = (1e6, 1e13)
#: The cost marks drawn as dashed lines.
MARKS_USD = ((1e9, "$1B"), (1e10, "$10B"), (1e11, "$100B"))


@styled()
def cost_wall(runs: Mapping[str, xr.DataTree], *, phone: bool = False) -> Figure:
    """Draw the largest run's amortized cost against the money cap's spend ceiling (2023 USD).

    The ceiling is the walls' (``spend_ceiling_usd``): the most the largest developer may spend
    on one run, the cap the money wall turns into FLOP.
    """
    run = runs["cost"]
    fig, (ax,) = new_figure(phone=phone, phone_height_in=5.0)
    fan(ax, run["derived"]["largest_run_cost_usd"], COLORS["compute"], "largest training run")
    # The ceiling over the cost's wider fan, so that both stay visible.
    fan(
        ax,
        runs["walls"]["derived"]["spend_ceiling_usd"],
        COLORS["money"],
        "spend ceiling for one run (money cap)",
    )
    years, _ = observed(run, "run_compute")
    cost = 10.0 ** (
        run["observed_data"]["run_compute_log10_observed"]
        - run["observed_data"]["flop_per_usd_log10_observed"]
    )
    points(ax, years, cost, COLORS["compute"], "costed frontier runs (data)")
    for threshold, text in MARKS_USD:
        ax.axhline(threshold, color=COLORS["other"], lw=0.8, ls="--")
        ax.text(FIRST_YEAR_SHOWN + 0.2, threshold * 1.15, text, fontsize=7, color="#555555")
    time_axis(ax, "cost of one run (2023 USD)")
    ax.set_ylim(*COST_RANGE_USD)
    legend(ax, phone, loc="upper left", bbox_to_anchor=(0.06, 1.0))
    return fig
