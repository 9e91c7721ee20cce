"""Log-linear trends: the building block every growth model shares.

A quantity growing exponentially is a straight line in log10 space::

    log10 y_i = intercept + slope * (t_i - t0) + eps_i,    eps_i ~ StudentT(nu, 0, sigma)

``slope`` is the growth in orders of magnitude (OOM) per year, so the growth factor per year is
``10 ** slope``; ``intercept`` is log10 of the trend value at ``t0`` (``settings.year_origin``).
The Student-t likelihood keeps a few unusual releases from dragging the trend (robust regression,
Gelman et al., *Bayesian Data Analysis*, 3rd ed., Sec. 17.2).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pymc as pm
import xarray as xr
from scipy import stats

from forecast.models.base import FitInputs
from forecast.priors import PriorSet

#: The four priors a trend named ``prefix`` reads from its model's prior file.
TREND_PARAMETERS = ("intercept", "slope", "sigma", "nu")


def trend_prior_names(prefix: str) -> tuple[str, ...]:
    """Return the prior names of a trend, e.g. ``compute_intercept``, ``compute_slope``..."""
    return tuple(f"{prefix}_{p}" for p in TREND_PARAMETERS)


def add_log_linear_trend(
    prefix: str,
    years_since_origin: np.ndarray,
    log10_observed: np.ndarray,
    priors: PriorSet,
    dims: str,
    extra_mu: Any = 0.0,
) -> None:
    """Add a robust log-linear trend and its likelihood to the model in context.

    Parameters
    ----------
    prefix : str
        Name prefix of the variables (``{prefix}_intercept``, ``{prefix}_slope``, ...).
    years_since_origin : numpy.ndarray
        Decimal years of the observations minus the origin year.
    log10_observed : numpy.ndarray
        log10 of the observed quantity.
    priors : PriorSet
        Holds the four trend priors.
    dims : str
        Name of the observation dimension.
    extra_mu : tensor, optional
        Added to the trend line: an offset or covariate terms (the scaling model adds the
        compute-optimal ratio and a compute term), so ``log10 y_i ~ StudentT(nu, intercept +
        slope * t_i + extra_mu_i, sigma)``.
    """
    t = pm.Data(f"{prefix}_years_since_origin", years_since_origin, dims=dims)
    intercept = priors[f"{prefix}_intercept"].create(f"{prefix}_intercept")
    slope = priors[f"{prefix}_slope"].create(f"{prefix}_slope")
    sigma = priors[f"{prefix}_sigma"].create(f"{prefix}_sigma")
    nu = priors[f"{prefix}_nu"].create(f"{prefix}_nu")
    pm.StudentT(
        f"{prefix}_log10_observed",
        nu=nu,
        mu=intercept + slope * t + extra_mu,
        sigma=sigma,
        observed=log10_observed,
        dims=dims,
    )


def fitted_observations(run: xr.DataTree, prefix: str) -> tuple[xr.DataArray, xr.DataArray]:
    """Return the years since origin and the log10 values a stored run's trend was fitted to.

    The names are those :func:`add_log_linear_trend` gives: ``{prefix}_years_since_origin``
    (constant data) and ``{prefix}_log10_observed`` (observed data).
    """
    return (
        run["constant_data"][f"{prefix}_years_since_origin"],
        run["observed_data"][f"{prefix}_log10_observed"],
    )


def project_log10(
    intercept: xr.DataArray, slope: xr.DataArray, years: xr.DataArray | np.ndarray, origin: float
) -> xr.DataArray:
    """Return the trend in log10 units at ``years`` (broadcast over the draws)."""
    return intercept + slope * (years - origin)


def quantile_offset(sigma: xr.DataArray, nu: xr.DataArray, quantile: Any) -> xr.DataArray:
    """Return how far above a Student-t trend its ``quantile`` lies, in log10 units.

    The largest member of a set scattered about a trend (the largest training run of a year,
    say) sits near a high quantile of the scatter: ``sigma * t_nu^-1(quantile)``.
    """
    return sigma * xr.apply_ufunc(stats.t.ppf, quantile, nu)


def add_trend_from_inputs(prefix: str, inputs: FitInputs, priors: PriorSet) -> None:
    """Add the trend ``prefix`` fitted to ``inputs.arrays[f"{prefix}_..."]`` (dim ``release``)."""
    add_log_linear_trend(
        prefix,
        inputs.arrays[f"{prefix}_years_since_origin"],
        inputs.arrays[f"{prefix}_log10"],
        priors,
        dims="release",
    )
