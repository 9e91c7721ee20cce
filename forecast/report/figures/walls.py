"""The walls' lead figure: the compute trend's largest run against every cap."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from forecast.models.walls import PUBLISHED_2030_CAPS, PUBLISHED_FEASIBLE_2030_FLOP
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
def walls_lead(runs: Mapping[str, xr.DataTree]) -> Figure:
    """Draw the compute trend's largest run against the cap each constraint sets, by year."""
    derived = runs["walls"]["derived"]
    fig, (ax,) = new_figure(4.6)
    fan(ax, derived["largest_run_flop"], COLORS["compute"], "largest run on the compute trend")
    for constraint in derived["constraint"].values:
        fan(
            ax,
            derived["cap_flop"].sel(constraint=constraint),
            COLORS[str(constraint)],
            f"{constraint} cap",
        )
    years, flop = observed(runs["compute"], "compute")
    points(ax, years, flop, COLORS["compute"], "frontier runs (data)")
    for i, (name, (lo, hi)) in enumerate(PUBLISHED_2030_CAPS.items()):
        key = name.split()[0]
        x = 2030.35 + 0.35 * i
        ax.plot([x, x], [lo, hi], color=COLORS.get(key, COLORS["other"]), lw=2.2, alpha=0.8)
        ax.plot([x], [np.sqrt(lo * hi)], marker="_", color="black", ms=6)
    ax.plot(
        [2030.0],
        [PUBLISHED_FEASIBLE_2030_FLOP],
        marker="*",
        ms=10,
        color="black",
        ls="none",
        label="2e29 FLOP judged feasible by 2030; bars: caps (Sevilla et al. 2024)",
    )
    time_axis(ax, "training compute of one run (FLOP)")
    ax.set_ylim(1e22, 1e33)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=2, frameon=False)
    explain_fan(ax)
    return fig
