"""The memory wall's figure: bandwidth per HBM stack and per accelerator, bytes per FLOP."""

from __future__ import annotations

from collections.abc import Mapping

import xarray as xr
from matplotlib.figure import Figure

from forecast.report.figures.style import (
    COLORS,
    LAST_YEAR_SHOWN,
    fan,
    legend,
    new_figure,
    observed,
    points,
    styled,
    time_axis,
)


@styled()
def memory_wall(runs: Mapping[str, xr.DataTree], *, phone: bool = False) -> Figure:
    """Draw memory bandwidth per HBM stack and per accelerator, and bytes per FLOP."""
    run = runs["memory"]
    derived = run["derived"]
    fig, (left, right) = new_figure(3.8, ncols=2, phone=phone, phone_height_in=4.2)
    fan(left, derived["accelerator_bandwidth_tbps"], COLORS["memory"], "per accelerator")
    fan(left, derived["hbm_stack_bandwidth_tbps"], COLORS["data"], "per HBM stack")
    hbm_years, hbm_gbps = observed(run, "hbm")
    points(left, hbm_years, hbm_gbps / 1e3, COLORS["data"], "HBM generations (data)")
    accel_years, accel = observed(run, "accel")
    bandwidth_tbps = accel.sel(metric="bandwidth")
    points(left, accel_years, bandwidth_tbps, COLORS["memory"], "accelerators (data)")
    time_axis(left, "memory bandwidth (TB/s)")
    fan(right, derived["bytes_per_flop"], COLORS["memory"], "accelerator (fit)")
    # TB/s over dense 16-bit TFLOP/s: bytes moved per FLOP.
    points(
        right,
        accel_years,
        bandwidth_tbps / accel.sel(metric="flops"),
        COLORS["memory"],
        "accelerators (data)",
    )
    time_axis(right, "bytes per dense 16-bit FLOP")
    for ax in (left, right):
        ax.set_xlim(2014, LAST_YEAR_SHOWN)
    # The note on what a fan shows, once: in the right panel's corner, or the first legend.
    legend(left, phone, fans=phone, loc="upper left")
    legend(right, phone, fans=not phone, loc="upper right")
    return fig
