"""The power wall's figures: the largest run's power, and data-centre electricity use.

The first sets the largest run's power against what can feed it; the second, the fitted
data-centre electricity use beside the published projections (IEA, LBNL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from forecast.data import load_table
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

#: The published projections drawn beside the fit, by the ``scenario`` names of
#: ``data/datacenter_capacity.csv`` they start with: IEA's Energy and AI cases (global) and
#: LBNL's 2024 low-high range (US).
IEA_CASES = "IEA Energy and AI 2025"
LBNL_RANGE = "LBNL 2024"
#: Marker of each IEA case (by the case's name after :data:`IEA_CASES`); others get "o".
CASE_MARKERS = {
    "Base Case": "D",
    "Headwinds Case": "v",
    "Lift-Off Case": "^",
    "High Efficiency Case": "s",
}
#: Years drawn beside the published projections: every estimate fitted (from 2000), and the
#: projections (to 2035).
PUBLISHED_YEARS = (1999, 2037)


@styled()
def power_wall(runs: Mapping[str, xr.DataTree], *, phone: bool = False) -> Figure:
    """Draw the largest run's power against one campus and one lab's distributed share."""
    derived = runs["power"]["derived"]
    fig, (ax,) = new_figure(phone=phone, phone_height_in=5.0)
    fan(ax, derived["largest_campus_gw"], COLORS["power"], "largest single campus", scale=1e3)
    fan(
        ax,
        derived["lab_run_capacity_gw"],
        COLORS["money"],
        "one lab's share of US AI capacity (distributed)",
        scale=1e3,
    )
    fan(ax, derived["largest_run_power_mw"], COLORS["compute"], "largest training run")
    years, power = observed(runs["power"], "power")
    points(ax, years, power, COLORS["compute"], "training runs (data)")
    time_axis(ax, "power (MW)")
    legend(ax, phone, loc="upper left")
    return fig


def published_projections(run: xr.DataTree) -> pd.DataFrame:
    """Return the projection rows of ``data/datacenter_capacity.csv`` the run could have seen.

    The rows published by the run's as-of date (every row for a run without one), in TWh/yr.
    """
    as_of = run.attrs.get("as_of") or None
    table = load_table("datacenter_capacity", as_of=dt.date.fromisoformat(as_of) if as_of else None)
    rows = table[(table["kind"] == "projection") & (table["metric"] == "consumption_twh")]
    return rows.reset_index(drop=True)


def _fitted_twh(run: xr.DataTree, region: str, series: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the years and TWh/yr figures of a series' fit inputs (its GW figures left out)."""
    rows = run["fit_data_capacity"].to_dataset()
    keep = (rows["series"] == series) & (rows["metric"] == "consumption_twh")
    keep &= rows["region"] == region
    return rows["year"].values[keep.values], rows["value"].values[keep.values]


def _iea_cases(ax: Axes, rows: pd.DataFrame) -> None:
    """Mark IEA's cases (global) at the years IEA publishes them, one marker per case."""
    iea = rows[(rows["region"] == "global") & rows["scenario"].str.startswith(IEA_CASES)]
    for case, case_rows in iea.groupby("scenario", sort=False):
        name = str(case).removeprefix(IEA_CASES).strip()
        ax.scatter(
            case_rows["year"],
            case_rows["value"],
            marker=CASE_MARKERS.get(name, "o"),
            s=34,
            facecolor="white",
            edgecolor=COLORS["power"],
            linewidth=1.4,
            zorder=6,
            label=f"IEA 2025: {name.removesuffix(' Case')}",
        )


def _lbnl_range(ax: Axes, rows: pd.DataFrame) -> None:
    """Draw LBNL's low-high range (US) as a bar at each year it gives one."""
    lbnl = rows[(rows["region"] == "US") & rows["scenario"].str.startswith(LBNL_RANGE)]
    for i, (year, year_rows) in enumerate(lbnl.groupby("year")):
        low, high = year_rows["value"].min(), year_rows["value"].max()
        ax.plot(
            [year, year],
            [low, high],
            color=COLORS["power"],
            lw=3,
            solid_capstyle="butt",
            zorder=6,
            label="LBNL 2024: low-high range" if i == 0 else None,
        )


@styled()
def power_published(runs: Mapping[str, xr.DataTree], *, phone: bool = False) -> Figure:
    """Draw fitted data-centre electricity use (global, US) beside IEA's cases and LBNL's range.

    The published figures are the projection rows of ``data/datacenter_capacity.csv``; the
    points, the observed TWh figures the series were fitted to.
    """
    run = runs["power"]
    consumption = run["derived"]["datacenter_consumption_twh"]
    rows = published_projections(run)
    fig, axes = new_figure(3.8, ncols=2, phone=phone, phone_height_in=4.4)
    panels = (
        ("global_total", "global", "World", _iea_cases),
        ("us_total", "US", "United States", _lbnl_range),
    )
    for ax, (series, region, title, published) in zip(axes, panels, strict=True):
        fan(ax, consumption.sel(series=series), COLORS["compute"], "fitted series")
        years, twh = _fitted_twh(run, region, series)
        points(ax, years, twh, COLORS["other"], "estimates fitted (data)")
        published(ax, rows)
        growth = float(run["derived"]["capacity_growth_per_year"].sel(series=series).median())
        # A legend line with no mark: the fitted series' median growth, beside what it fitted.
        ax.plot([], [], ls="none", label=f"fitted growth: x{growth:.2f} a year")
        time_axis(ax, "data-centre electricity use (TWh/yr)", log=False)
        ax.set_xlim(*PUBLISHED_YEARS)
        ax.set_ylim(bottom=0)
        ax.set_title(title, loc="left")
    legend(axes[0], phone, fans=phone, loc="upper left")
    legend(axes[1], phone, fans=not phone, loc="upper left")
    return fig
