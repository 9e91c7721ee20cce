"""The shared compute story: training compute of frontier language models grows log-linearly.

Every wall reads this trend's posterior draws instead of restating it: the data wall turns
compute into tokens, and (later) power and cost turn it into megawatts and dollars.

Model
-----
For each frontier release ``i`` with known training compute ``C_i`` (FLOP) at decimal year
``t_i``::

    log10 C_i ~ StudentT(nu, compute_intercept + compute_slope * (t_i - 2020), compute_sigma)

The growth factor per year is ``10 ** compute_slope``. Published comparison: frontier
training compute grew 4.2x/yr after 2018 (90% CI 3.6-4.9x; Sevilla & Roldan 2024,
https://epoch.ai/blog/training-compute-of-frontier-ai-models-grows-by-4-5x-per-year).

The fitted line is the trend of the frontier set (the ~10 most compute-intensive models at
release), not of the single largest run, which sits above it by the residual scatter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from forecast.data import decimal_year
from forecast.models.base import POPULATIONS, FitInputs, ModelSpec, Quantity, canonical_order, lever
from forecast.models.trend import (
    add_trend_from_inputs,
    project_log10,
    quantile_offset,
    trend_prior_names,
)
from forecast.priors import PriorSet
from forecast.settings import SETTINGS

PRIOR_NAMES = trend_prior_names("compute")


def select_frontier_rows(
    table: pd.DataFrame, column: str, options: Mapping[str, Any], *, language_only: bool = False
) -> pd.DataFrame:
    """Return the rows of a model-keyed table a trend of ``column`` is fitted to.

    Parameters
    ----------
    table : pandas.DataFrame
        A validated table with the ``models`` columns joined (``models`` itself, or a cost or
        power table), already cut at the as-of date; ``frontier`` is the rule's flag.
    column : str
        The quantity trended; rows where it is unknown are left out.
    options : mapping
        ``population`` (``"frontier"`` or ``"all"``) and ``start_date`` (ISO date).
    language_only : bool
        Keep language models only (the compute and dataset trends are of language models,
        whatever domains the frontier ranking spans).

    Returns
    -------
    pandas.DataFrame
    """
    rows = table[table[column].notna()]
    if language_only:
        rows = rows[rows["domain"] == "language"]
    if options["population"] == "frontier":
        rows = rows[rows["frontier"]]
    rows = rows[rows["publication_date"] >= pd.Timestamp(options["start_date"])]
    return rows.sort_values(["publication_date", "model"]).reset_index(drop=True)


def trend_inputs(rows: pd.DataFrame, column: str, prefix: str) -> FitInputs:
    """Package selected rows as the arrays of a log-linear trend fit."""
    years = decimal_year(rows["publication_date"])
    return FitInputs(
        rows=rows,
        arrays={
            f"{prefix}_years_since_origin": years - SETTINGS.year_origin,
            f"{prefix}_log10": np.log10(rows[column].to_numpy(dtype=float)),
        },
        coords={"release": rows["model"].tolist()},
    )


def select(tables: Mapping[str, pd.DataFrame], options: Mapping[str, Any]) -> FitInputs:
    """Choose the frontier releases with known training compute."""
    rows = select_frontier_rows(
        tables["models"], "training_compute_flop", options, language_only=True
    )
    return trend_inputs(rows, "training_compute_flop", "compute")


def build(inputs: FitInputs, priors: PriorSet) -> pm.Model:
    """Build the compute-trend model."""
    with pm.Model(coords=inputs.coords) as model:
        add_trend_from_inputs("compute", inputs, priors)
    return model


def year_coord() -> xr.DataArray:
    """Return the projection year grid as a coordinate."""
    grid = SETTINGS.year_grid
    return xr.DataArray(grid, dims="year", coords={"year": grid})


def log10_compute(posterior: xr.Dataset, years: xr.DataArray | np.ndarray) -> xr.DataArray:
    """Return log10 training compute (FLOP) of the frontier trend at ``years``."""
    return project_log10(
        posterior["compute_intercept"], posterior["compute_slope"], years, SETTINGS.year_origin
    )


def largest_run_offset(posterior: xr.Dataset, quantile: Any) -> xr.DataArray:
    """Return how far (log10 FLOP) the largest run of a year sits above the frontier trend.

    The fitted line runs through the frontier set (~10 runs a year); the largest of them sits
    at the ``quantile`` of the Student-t scatter about it (see :func:`quantile_offset`).
    """
    return quantile_offset(posterior["compute_sigma"], posterior["compute_nu"], quantile)


def derive(
    posterior: xr.Dataset,
    upstream: Mapping[str, xr.Dataset],
    levers: Mapping[str, Any],
    seed: int,
) -> xr.Dataset:
    """Project the compute trend on the year grid, and place the largest run of a year.

    The ``largest_run_quantile`` lever is declared once, here: power, cost and the walls read
    ``largest_run_quantile`` and ``largest_run_log10_offset`` from this model's derived
    quantities, so one stress override moves all of them together.
    """
    years = year_coord()
    quantile = lever(levers, "largest_run_quantile")
    return canonical_order(
        xr.Dataset(
            {
                "training_compute_flop": 10 ** log10_compute(posterior, years),
                "compute_growth_per_year": 10 ** posterior["compute_slope"],
                "largest_run_quantile": quantile,
                "largest_run_log10_offset": largest_run_offset(posterior, quantile),
            }
        )
    )


def headline(derived: xr.Dataset) -> dict[str, Quantity]:
    """Return the compute trend's headline numbers."""
    return {
        "compute_growth_per_year": Quantity(derived["compute_growth_per_year"], "x/yr"),
        "training_compute_2030_flop": Quantity(
            derived["training_compute_flop"].sel(year=2030), "FLOP"
        ),
    }


MODEL = ModelSpec(
    name="compute",
    description="Frontier training compute trend (FLOP), shared by every wall.",
    tables=("models",),
    prior_names=PRIOR_NAMES,
    lever_names=("largest_run_quantile",),
    select=select,
    build=build,
    derive=derive,
    headline=headline,
    fit_options={"population": "frontier", "start_date": "2018-01-01"},
    fit_choices={"population": POPULATIONS},
)
