"""Tornado charts: a headline's median with each parameter at its P10 and its P90."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from forecast.formatting import format_value
from forecast.report.figures.style import new_figure, styled


@styled()
def tornado(data: xr.Dataset, headline: str, label: str, top: int = 10) -> Figure:
    """Draw the swing of a headline's median between each parameter's P10 and P90."""
    swing = data[f"{headline}_swing"].fillna(-1.0)
    order = swing.argsort().values[::-1][:top][::-1]
    values = data[headline].values[order]
    names = data["parameter"].values[order]
    base = float(data[f"{headline}_baseline"])
    log = data[headline].attrs.get("unit", "").startswith(("FLOP", "USD", "tokens"))  # spans OOMs
    fig, (ax,) = new_figure(0.6 + 0.32 * len(order))
    rows = np.arange(len(order))
    for end, color in ((0, "#4c72b0"), (1, "#dd8452")):
        ends = values[:, end]
        finite = np.isfinite(ends)
        ax.barh(
            rows[finite],
            ends[finite] - base,
            left=base,
            color=color,
            height=0.6,
            label=("parameter at its P10", "parameter at its P90")[end],
        )
    ax.axvline(base, color="black", lw=1)
    ax.set_yticks(rows, [str(n) for n in names])
    unit = data[headline].attrs.get("unit", "")
    ax.set_xlabel(f"{label}, median\n(line: baseline, {format_value(base, unit)})")
    if log:
        ax.set_xscale("log")
    else:
        ax.ticklabel_format(axis="x", useOffset=False, style="plain")
    ax.legend(loc="lower right", frameon=False)
    ax.grid(axis="y", visible=False)
    return fig


def tornado_stem(headline: str) -> str:
    """Return the file stem of a headline's tornado figure (``tornado_walls_first_wall_year``)."""
    return f"tornado_{headline.replace('.', '_')}"
