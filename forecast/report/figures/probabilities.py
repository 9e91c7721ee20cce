"""P(event by the end of year Y): the models' event curves, one panel per kind of event."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import xarray as xr
from matplotlib.figure import Figure

from forecast.models.reporting import EventCurve
from forecast.report.figures.style import COLORS, legend_below, new_figure, styled
from forecast.settings import SETTINGS
from forecast.summary import probability_by

#: The panels, in order: (panel name of :class:`EventCurve`, title).
PANELS = (("walls", "compute trend exceeds ..."), ("models", "each model's event"))


@styled()
def probabilities_by_year(
    runs: Mapping[str, xr.DataTree],
    curves: Sequence[tuple[str, EventCurve]],
    *,
    phone: bool = False,
) -> Figure:
    """Draw P(event by the end of year Y) for each (model, curve), one panel per kind."""
    by = SETTINGS.probability_years.figure
    fig, axes = new_figure(4.2, ncols=len(PANELS), phone=phone, phone_height_in=4.6)
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
        ax.set_xticks(by[::2] if not phone else by[1::3])
        ax.set_xlabel("by the end of year")
        ax.set_ylabel("probability")
        ax.set_title(title, loc="left")
        legend_below(ax)
    return fig
