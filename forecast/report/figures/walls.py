"""The walls' lead figure: the compute trend's largest run against each cap, one panel a cap.

In one plot the trend and the three caps overlap where they cross; side by side, on one shared
scale and zoomed on the years they cross in, each cap is read against the trend alone.
"""

from __future__ import annotations

from collections.abc import Mapping

import xarray as xr
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from forecast.models.walls import PUBLISHED_2030_CAPS, PUBLISHED_FEASIBLE_2030_FLOP
from forecast.report.figures.style import (
    COLORS,
    FAN_NOTE,
    fan,
    new_figure,
    observed,
    points,
    styled,
    time_axis,
)

#: One panel per cap: (constraint, Sevilla et al.'s 2030 ranges drawn in it as (key of
#: :data:`PUBLISHED_2030_CAPS`, short label)).
PANELS = (
    ("data", (("data (text and multimodal)", "with multimodal"),)),
    ("power", (("power (single campus)", "campus"), ("power (distributed)", "distributed"))),
    ("money", ()),
)
#: The years and training compute shown: where the trend meets the caps.
YEARS_SHOWN = (2020, 2036)
FLOP_SHOWN = (1e23, 1e32)


@styled()
def walls_lead(runs: Mapping[str, xr.DataTree], *, phone: bool = False) -> Figure:
    """Draw the compute trend's largest run against the cap each constraint sets, by year."""
    derived = runs["walls"]["derived"]
    fig, axes = new_figure(3.9, ncols=len(PANELS), phone=phone, phone_height_in=3.0, sharey=True)
    years, flop = observed(runs["compute"], "compute")
    for ax, (constraint, published) in zip(axes, PANELS, strict=True):
        fan(ax, derived["largest_run_flop"], COLORS["compute"], "largest run on the trend")
        cap = derived["cap_flop"].sel(constraint=constraint)
        fan(ax, cap, COLORS[constraint], f"{constraint} cap")
        points(ax, years, flop, COLORS["compute"], "frontier runs (data)")
        for i, (name, short) in enumerate(published):
            lo, hi = PUBLISHED_2030_CAPS[name]
            x = 2030.8 + 1.2 * i
            ax.plot([x, x], [lo, hi], color=COLORS[constraint], lw=3, solid_capstyle="butt")
            top = min(hi, FLOP_SHOWN[1])
            ax.text(x + 0.3, top, short, fontsize=7, color="#333333", va="top")
        ax.plot([2030.0], [PUBLISHED_FEASIBLE_2030_FLOP], marker="*", ms=9, color="black")
        time_axis(ax, "training compute of one run (FLOP)")
        ax.set_xlim(*YEARS_SHOWN)
        ax.set_xticks(range(YEARS_SHOWN[0] + 5, YEARS_SHOWN[1], 5))
        ax.set_ylim(*FLOP_SHOWN)
        ax.set_title(f"{constraint} cap", loc="left", color=COLORS[constraint])
        if not phone and ax is not axes[0]:
            ax.set_ylabel("")
    cap_lines = tuple(Line2D([], [], color=COLORS[c], lw=1.8) for c, _ in PANELS)
    handles = [
        Line2D([], [], color=COLORS["compute"], lw=1.8),
        cap_lines,
        Line2D([], [], ls="none", marker="o", ms=4, color=COLORS["compute"]),
        Line2D([], [], color=COLORS["other"], lw=3),
        Line2D([], [], ls="none", marker="*", ms=9, color="black"),
        Patch(color=COLORS["other"], alpha=0.35, lw=0),
    ]
    labels = [
        "largest run on the compute trend",
        "largest run the panel's cap allows",
        "frontier runs (data)",
        "Sevilla et al. 2024: cap in 2030",
        "Sevilla et al. 2024: 2e29 FLOP feasible by 2030",
        FAN_NOTE,
    ]
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=1 if phone else 2,
        frameon=False,
        handler_map={tuple: HandlerTuple(ndivide=None)},
    )
    return fig
