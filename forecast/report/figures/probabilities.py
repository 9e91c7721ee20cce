"""P(event by the end of year Y): the models' event curves, and one event under each scenario."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import xarray as xr
from matplotlib.figure import Figure

from forecast.models.reporting import EventCurve
from forecast.report.figures.style import COLORS, new_figure, styled
from forecast.settings import SETTINGS
from forecast.summary import probability_by

#: The panels, in order: (panel name of :class:`EventCurve`, title).
PANELS = (("walls", "compute trend exceeds ..."), ("models", "each model's event"))


@styled()
def probabilities_by_year(
    runs: Mapping[str, xr.DataTree], curves: Sequence[tuple[str, EventCurve]]
) -> Figure:
    """Draw P(event by the end of year Y) for each (model, curve), one panel per kind."""
    by = SETTINGS.probability_years.figure
    fig, axes = new_figure(4.2, ncols=len(PANELS))
    for ax, (panel, title) in zip(axes, PANELS, strict=True):
        for model, curve in curves:
            if curve.panel != panel:
                continue
            years = runs[model]["derived"][curve.variable].sel(dict(curve.selection))
            p = probability_by(years, by)
            ax.plot(
                by, p.values, color=COLORS[curve.color], ls=curve.style, lw=1.6, label=curve.label
            )
        ax.set_ylim(0, 1.02)
        ax.set_xlim(by[0], by[-1])
        ax.set_xticks(by[::2])
        ax.set_xlabel("by the end of year")
        ax.set_ylabel("probability")
        ax.set_title(title, loc="left")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    return fig


@styled()
def scenario_probabilities(result: xr.Dataset, headline: str, ylabel: str) -> Figure:
    """Draw P(event by year) under each scenario of a stress result (``{headline}_p_by``)."""
    p_by = result[f"{headline}_p_by"]
    fig, (ax,) = new_figure(3.8)
    cmap = mpl.colormaps["tab20"]
    for i, scenario in enumerate(p_by["scenario"].values):
        is_baseline = str(scenario) == "baseline"
        ax.plot(
            p_by["by_year"].values,
            p_by.sel(scenario=scenario).values,
            color="black" if is_baseline else cmap(i % 20),
            lw=2.4 if is_baseline else 1.3,
            label=str(scenario),
            zorder=3 if is_baseline else 2,
        )
    ax.set_ylim(0, 1.02)
    last = SETTINGS.probability_years.figure[-1]
    ax.set_xlim(p_by["by_year"].values[0], last)
    ax.set_xticks(range(int(p_by["by_year"].values[0]), last + 1, 2))
    ax.set_xlabel("by the end of year")
    ax.set_ylabel(ylabel)
    ax.legend(loc="lower right", ncols=2, frameon=False)
    return fig
