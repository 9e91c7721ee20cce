"""The shared compute story: training compute of frontier language models, and the largest run.

Every wall reads this model's draws instead of restating it: the data wall turns compute into
tokens, power and cost turn the largest run into megawatts and dollars, and the walls set it
against each cap.

Model
-----
For each frontier release ``i`` (a language model among the 10 most compute-intensive at
release: the rule of ``data/models.csv``) with training compute ``C_i`` at decimal year ``t_i``::

    log10 C_i ~ StudentT(nu, mu(t_i), sigma)

with ``mu`` a trend of the form the fit option ``trend_form`` names (:mod:`~.trend`: a straight
line, a local linear trend whose growth rate takes a step each year, or one break at an
unknown year).

The largest run of a year
-------------------------
It is the largest of that year's frontier runs, not a point on the trend, and it is fitted as
what it is: for each calendar year the data cover whole, the largest frontier release ``M_y``::

    log10 M_y ~ StudentT(nu, mu(y + 1/2) + largest_run_offset, largest_run_sigma)

so the largest run at a date sits ``largest_run_offset`` above the trend, with a scatter of
its own (the maxima are also rows of the trend: their second likelihood pins the offset; the
trend moves little). Power, cost and the walls read ``mu(t) + largest_run_offset`` (the median
of the year's largest); lever ``largest_run_quantile`` may place it at a quantile of the
frontier scatter instead. The backtest scores the whole predictive distribution of each later
year's largest run, and the milestones (the first run above a threshold) as the first year
whose largest exceeds it.

Why the local linear trend
--------------------------
The three forms, fitted at each 1 January 2021-2025 to what was published by then and scored
on the frontier runs published afterwards (``datawall backtest compute --rolling
2021:2025``; coverage of the central 80% interval, mean PIT; the block-bootstrap standard errors
over releases are in docs/compute.md)::

    form                 frontier runs (161)          largest run of a year (15)
                         80% cover   PIT   log score  80% cover   PIT   log score
    linear               47% +-3    0.15    -2.61     27% +-13   0.08    -3.25
    changepoint          67% +-3    0.46    -1.24     53% +-11   0.33    -1.16
    local_linear         94% +-2    0.47    -1.55     87% +-7    0.39    -1.55   (chosen)
    local_linear_robust  97% +-1    0.53    -1.46     93% +-6    0.45    -1.43

(+- one block-bootstrap standard error over 54 releases.) The local linear trend is the only
form whose largest-run coverage lies in the 70-90% band with its PIT near 0.5; its row
coverage is above the band (wide early, when few runs constrain the drift). The robust form
(Student-t slope steps) over-covers at every horizon, 91% already at one year.

A straight line fitted at each cut slopes from 14x/yr (2021) to 5x/yr (2025): the growth
rate itself changed, faster than its posterior allowed, and a line's interval hardly widens
with the horizon. A single break helps once the break is in the data but cannot anticipate
the next. The local linear trend lets the rate drift, with a drift learned from the data
(prior: ``priors/defaults.toml``, ``trend_slope_drift``), so its interval widens with the
horizon like the record of changing rates says it should.

Published comparison: frontier training compute grew 4.2x/yr after 2018 (90% CI 3.6-4.9x;
Sevilla & Roldan 2024, https://epoch.ai/blog/training-compute-of-frontier-ai-models-grows-by-4-5x-per-year).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr
from scipy import stats

from forecast.data import decimal_year
from forecast.models.base import (
    POPULATIONS,
    FitInputs,
    ModelSpec,
    canonical_order,
    cut_date,
    fit_options,
    lever,
)
from forecast.models.reporting import ModelReport, Section
from forecast.models.trend import (
    TREND_FORMS,
    add_trend_from_inputs,
    latest_log10_growth,
    log10_trend,
    quantile_offset,
    trend_curve,
    trend_kinks,
    trend_prior_defaults,
    trend_prior_names,
)
from forecast.priors import PriorSet
from forecast.settings import SETTINGS
from forecast.summary import Quantity

PREFIX = "compute"
PRIOR_NAMES = (*trend_prior_names(PREFIX), "largest_run_offset", "largest_run_sigma")
LEVER_NAMES = ("largest_run_quantile",)


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
    """Package selected rows as the arrays of a trend fit."""
    years = decimal_year(rows["publication_date"])
    return FitInputs(
        rows=rows,
        arrays={
            f"{prefix}_years_since_origin": years - SETTINGS.year_origin,
            f"{prefix}_log10": np.log10(rows[column].to_numpy(dtype=float)),
        },
        coords={"release": rows["model"].tolist()},
    )


def yearly_maxima(
    years: np.ndarray, log10_values: np.ndarray, labels: list[str], before: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Return each whole calendar year the rows cover, its largest value and that row's label.

    Years before ``before``, the year the cut falls in (still under way).
    """
    calendar = np.floor(years).astype(int)
    whole = np.unique(calendar[calendar < before])
    best = [
        int(np.flatnonzero(calendar == y)[np.argmax(log10_values[calendar == y])]) for y in whole
    ]
    return whole, log10_values[best], [labels[i] for i in best]


def select(tables: Mapping[str, pd.DataFrame], options: Mapping[str, Any]) -> FitInputs:
    """Choose the frontier language models with known training compute, and each year's largest."""
    rows = select_frontier_rows(
        tables["models"], "training_compute_flop", options, language_only=True
    )
    inputs = trend_inputs(rows, "training_compute_flop", PREFIX)
    years = inputs.arrays[f"{PREFIX}_years_since_origin"] + SETTINGS.year_origin
    whole, maxima, largest = yearly_maxima(
        years, inputs.arrays[f"{PREFIX}_log10"], inputs.coords["release"], cut_date(tables).year
    )
    return FitInputs(
        rows=rows,
        arrays={
            **inputs.arrays,
            "largest_run_years_since_origin": whole + 0.5 - SETTINGS.year_origin,
            "largest_run_log10": maxima,
        },
        coords={**inputs.coords, "max_year": whole.tolist(), "largest_release": largest},
    )


def build(inputs: FitInputs, priors: PriorSet) -> pm.Model:
    """Build the compute trend and the likelihood of each year's largest run."""
    a = inputs.arrays
    with pm.Model(coords=inputs.coords) as model:
        mu_of = add_trend_from_inputs(
            PREFIX, inputs, priors, form=fit_options(inputs, MODEL.fit_options)["trend_form"]
        )
        offset = priors["largest_run_offset"].create("largest_run_offset")
        t = pm.Data(
            "largest_run_years_since_origin", a["largest_run_years_since_origin"], dims="max_year"
        )
        pm.StudentT(
            "largest_run_log10_observed",
            nu=model[f"{PREFIX}_nu"],
            mu=mu_of(t) + offset,
            sigma=priors["largest_run_sigma"].create("largest_run_sigma"),
            observed=a["largest_run_log10"],
            dims="max_year",
        )
    return model


def year_coord() -> xr.DataArray:
    """Return the projection year grid as a coordinate."""
    grid = SETTINGS.year_grid
    return xr.DataArray(grid, dims="year", coords={"year": grid})


def log10_compute(comp: Mapping[str, Any], years: Any) -> xr.DataArray:
    """Return log10 training compute (FLOP) of the frontier trend at ``years``.

    ``comp`` is the compute run as a downstream model reads it (its draws and derived curve).
    """
    return log10_trend(comp, PREFIX, years)


def log10_largest_run(comp: Mapping[str, Any], years: Any) -> xr.DataArray:
    """Return log10 FLOP of the largest training run at ``years`` (the median of a year's max)."""
    return log10_compute(comp, years) + comp["largest_run_log10_offset"]


def kinks(comp: Mapping[str, Any]) -> tuple[Any, ...]:
    """Return the years where the compute trend may change slope (for the crossing solvers)."""
    return trend_kinks(comp, PREFIX)


def log10_growth(comp: Mapping[str, Any]) -> xr.DataArray:
    """Return the trend's growth (OOM per year) at its newest release: the current rate."""
    return np.log10(comp["compute_growth_per_year"])


def derive(
    posterior: xr.Dataset,
    upstream: Mapping[str, xr.Dataset],
    levers: Mapping[str, Any],
    seed: int,
) -> xr.Dataset:
    """Project the compute trend, and place the largest run of a year.

    The trend's curve per draw (for a local linear trend: its path of knots to the horizon,
    one random-walk continuation per draw, seeded) is stored with the derived quantities, so
    every model downstream evaluates the same path at any year.
    """
    years = year_coord()
    curve = trend_curve(posterior, PREFIX, seed=seed)
    quantile = lever(levers, "largest_run_quantile")
    offset = (
        posterior["largest_run_offset"]
        if quantile is None
        else quantile_offset(posterior["compute_sigma"], posterior["compute_nu"], quantile)
    )
    log10_trend_years = log10_compute(curve, years)
    growth = 10 ** latest_log10_growth(curve, PREFIX)
    return canonical_order(
        xr.Dataset(
            {
                "training_compute_flop": 10**log10_trend_years,
                "largest_run_flop": 10 ** (log10_trend_years + offset),
                "compute_growth_per_year": growth,
                "largest_run_log10_offset": offset,
                # Where the largest run sits in the frontier's scatter (the power model places
                # the largest run's power at the same quantile of its own).
                "largest_run_quantile": xr.apply_ufunc(
                    stats.t.cdf, offset / posterior["compute_sigma"], posterior["compute_nu"]
                ),
                "largest_run_sigma": posterior["largest_run_sigma"],
                "compute_sigma": posterior["compute_sigma"],
                "compute_nu": posterior["compute_nu"],
                **curve.data_vars,
            }
        )
    )


def headline(derived: xr.Dataset) -> dict[str, Quantity]:
    """Return the compute trend's headline numbers."""
    at_2030 = {"year": 2030}
    latest = float(derived["compute_latest_year"])
    return {
        "compute_growth_per_year": Quantity(
            derived["compute_growth_per_year"], f"x/yr (at the newest release, {latest:.2f})"
        ),
        "training_compute_2030_flop": Quantity(
            derived["training_compute_flop"].sel(at_2030), "FLOP (trend)"
        ),
        "largest_run_2030_flop": Quantity(
            derived["largest_run_flop"].sel(at_2030), "FLOP (largest run of the year)"
        ),
        "largest_run_offset": Quantity(
            derived["largest_run_log10_offset"], "OOM above the trend (largest run of a year)"
        ),
    }


#: The compute trend in the outlook: its headline table (the walls read its projection).
REPORT = ModelReport(
    rank=5,
    section=Section("compute-scaling", "The shared compute trend and the scaling laws"),
    labels={
        "compute_growth_per_year": "Growth of frontier training compute now (times per year)",
        "training_compute_2030_flop": "Frontier training compute on the trend in 2030 (FLOP)",
        "largest_run_2030_flop": "Largest training run of 2030 on the compute trend (FLOP)",
        "largest_run_offset": (
            "How far a year's largest run sits above the trend (orders of magnitude)"
        ),
    },
)


MODEL = ModelSpec(
    name="compute",
    description="Frontier training compute trend (FLOP) and the largest run, read by every wall.",
    tables=("models",),
    prior_names=PRIOR_NAMES,
    lever_names=LEVER_NAMES,
    select=select,
    build=build,
    derive=derive,
    headline=headline,
    # The trend starts with the table's first transformer-era language models (GPT-1, BERT,
    # 2018), fixed before any backtest cut; the form is chosen by the backtest (docstring).
    fit_options={
        "population": "frontier",
        "start_date": "2018-01-01",
        "trend_form": "local_linear",
    },
    fit_choices={"population": POPULATIONS, "trend_form": TREND_FORMS},
    prior_defaults=trend_prior_defaults(PREFIX),
    # The local linear trend's slope steps against few early rows: small steps.
    target_accept=0.99,
    report=REPORT,
)
