"""The heatmap of a two-key sweep: one headline's median over the grid, with calendar dates.

The pivots come from :mod:`forecast.stress.pivot`; this draws them (one panel per scenario
swept) and saves the pivot's CSV and the heatmap beside the stress result.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from forecast.atomic import write_bytes
from forecast.formatting import calendar_date, format_value
from forecast.report.render import figure_png
from forecast.report.style import styled
from forecast.stress.pivot import (
    ANNOTATED_CELLS,
    TICKS_SHOWN,
    Pivot,
    cell,
    pivot_csv,
    pivot_paths,
    swept_value,
)


def _colour_bar_label(value: float, _position: object, unit: str) -> str:
    if unit != "year":
        return format_value(value, unit)
    return str(round(value)) if float(value).is_integer() else calendar_date(value)


def _edges(values: Sequence[float]) -> np.ndarray:
    """Return the cell edges around swept values: midpoints between them, the ends mirrored."""
    v = np.asarray(values, dtype=float)
    if v.size == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])


def _tick_values(axis: Axis, values: Sequence[float]) -> None:
    """Tick every swept value as scenario names show it, if few; else leave round ticks."""
    if len(values) <= TICKS_SHOWN:
        axis.set_ticks(list(values), [swept_value(v) for v in values])


@styled()
def heatmap(pivots: Sequence[Pivot]) -> Figure:
    """Draw each pivot as a heatmap (one panel per scenario swept, stacked) on one colour scale.

    Each cell sits at its swept values, the axes labelled with the keys; the colour bar is the
    headline's median in its unit (a year as a calendar year or month); small grids have each
    cell's value written in it, as the terminal prints it.
    """
    first = pivots[0]
    n_rows, n_cols = first.median.shape
    panel_in = max(3.0, 1.4 + 0.42 * min(n_rows, TICKS_SHOWN))
    fig = Figure(figsize=(7.2, panel_in * len(pivots)), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(pivots), 1, squeeze=False)[:, 0]
    finite = np.concatenate([p.median[np.isfinite(p.median)] for p in pivots])
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    norm = Normalize(lo, hi if hi > lo else lo + 1.0)
    mesh = None
    for ax, p in zip(axes, pivots, strict=True):
        shown = np.ma.masked_invalid(p.median)
        edges = _edges(p.col_values), _edges(p.row_values)
        mesh = ax.pcolormesh(*edges, shown, cmap="viridis", norm=norm)
        ax.set_facecolor("#dddddd")  # beyond the horizon (or no value): no colour
        _tick_values(ax.xaxis, p.col_values)
        _tick_values(ax.yaxis, p.row_values)
        ax.set_xlabel(p.col_key)
        ax.set_ylabel(p.row_key)
        ax.grid(False)
        if len(pivots) > 1:
            ax.set_title(p.scenario)
        if n_rows * n_cols > ANNOTATED_CELLS:
            continue
        for (r, y), (c, x) in itertools.product(enumerate(p.row_values), enumerate(p.col_values)):
            value = p.median[r, c]
            dark = math.isfinite(value) and norm(value) < 0.55
            colour = "white" if dark else "black"
            ax.text(x, y, cell(p, r, c), ha="center", va="center", fontsize=7, color=colour)
    bar = fig.colorbar(mesh, ax=list(axes))
    bar.set_label(f"{first.headline}, median ({first.unit})")
    bar.ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, pos: _colour_bar_label(v, pos, first.unit))
    )
    return fig


def save_pivot(pivots: Sequence[Pivot], result_path: str | Path) -> tuple[Path, Path]:
    """Write the pivots' CSV and heatmap beside the result, each atomically; return both paths."""
    csv, png = pivot_paths(result_path)
    write_bytes(csv, pivot_csv(pivots))
    write_bytes(png, figure_png(heatmap(pivots)))
    return csv, png
