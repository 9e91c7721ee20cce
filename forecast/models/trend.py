"""Dated trends: the building block every growth model shares, in three standard forms.

A quantity growing exponentially is a line in log10 space; how that line may bend is the
trend's *form*, a fit option chosen per trend by its own backtest (``datawall backtest``)::

    log10 y_i = mu(t_i) + eps_i,    eps_i ~ StudentT(nu, 0, sigma)

``linear``
    ``mu(t) = intercept + slope (t - t0)``: one growth rate for ever. Its predictive interval
    widens with the horizon only through the slope's posterior.
``local_linear``
    A local linear trend (Harvey 1989, *Forecasting, Structural Time Series Models and the
    Kalman Filter*, Sec. 2.3; Durbin & Koopman 2012, Sec. 3.2), in continuous time with yearly
    knots: the growth rate is constant within each year and takes a random-walk step at each
    knot, ``slope_{k+1} = slope_k + slope_drift * z_k``, ``z_k ~ Normal(0, 1)``; the level is
    continuous (log-linear between knots). Beyond the data the steps continue, one path per
    posterior draw, so the predictive variance of the level grows like ``h**3`` with the
    horizon ``h``: the trend can bend, and its forecast is as uncertain as bends have been.
``local_linear_robust``
    The same with heavy-tailed steps, ``z_k ~ StudentT(2)`` (a scale mixture of normals: most
    years' growth rate moves little, an occasional year's moves a lot; the robust structural
    time series of Harvey & Fernandes 1989, J. Bus. Econ. Stat. 7(4), with the degrees of
    freedom fixed at :data:`ROBUST_STEP_NU`). One large change in the record (language models
    reaching the compute frontier in 2019-20) then does not make every year's step large.
``changepoint``
    One break at an unknown year (Bayesian changepoint; Carlin, Gelfand & Smith 1992):
    ``mu(t) = intercept + slope (t - t0) + slope_change max(t - break, 0)``, the break uniform
    over the years the data span.

``slope`` is the growth in orders of magnitude (OOM) per year at the origin ``t0``
(``settings.year_origin``); ``intercept`` is log10 of the trend there. The Student-t likelihood
keeps a few unusual observations from dragging the trend (Gelman et al., *Bayesian Data
Analysis*, 3rd ed., Sec. 17.2).

Three layers, as arviz-stats has them: the PyMC builder (:func:`add_trend`), the per-draw
curve stored with a run (:func:`trend_curve`), and evaluation of a stored curve at any year
(:func:`log10_trend`, with :func:`trend_kinks` for the crossing solvers: the curve is log-linear
between them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import xarray as xr
from scipy import special, stats

from forecast.models.base import FitInputs, draw_uniforms
from forecast.priors import PriorSet
from forecast.settings import SETTINGS

#: The forms a trend may take (a fit option of each model, per trend).
TREND_FORMS = ("linear", "local_linear", "local_linear_robust", "changepoint")
#: Degrees of freedom of the slope steps of ``local_linear_robust``.
ROBUST_STEP_NU = 2.0
#: A projected growth rate is held within this many OOM a year, either way: no trend the
#: engine projects has grown or shrunk 1000x in a year, and a random walk left alone for
#: decades would reach numbers no float holds.
MAX_FUTURE_SLOPE = 3.0
#: The priors every form reads, then those each form adds.
TREND_PARAMETERS = ("intercept", "slope", "sigma", "nu")
FORM_PARAMETERS: dict[str, tuple[str, ...]] = {
    "linear": (),
    "local_linear": ("slope_drift",),
    "local_linear_robust": ("slope_drift",),
    "changepoint": ("slope_change",),
}
#: Knot spacing of a local linear trend, years.
KNOT_YEARS = 1.0
#: Trend priors a model may leave to ``priors/defaults.toml`` (as ``trend_<name>``).
SHARED_PARAMETERS = ("nu", "slope_drift", "slope_change")


def trend_prior_names(prefix: str, form: str | None = None) -> tuple[str, ...]:
    """Return the prior names of a trend, e.g. ``compute_intercept``, ``compute_slope``...

    With ``form=None``, the priors of every form: what a prior file may declare, so that the
    form stays a fit option (the priors a form does not read are left unused).
    """
    forms = TREND_FORMS if form is None else (_form(form),)
    extra = dict.fromkeys(p for f in forms for p in FORM_PARAMETERS[f])
    return tuple(f"{prefix}_{p}" for p in (*TREND_PARAMETERS, *extra))


def trend_prior_defaults(*prefixes: str) -> dict[str, str]:
    """Return the priors of the named trends that ``priors/defaults.toml`` may give.

    ``{"compute_nu": "trend_nu", "compute_slope_drift": "trend_slope_drift", ...}``: a model's
    own file overrides any of them.
    """
    return {f"{p}_{q}": f"trend_{q}" for p in prefixes for q in SHARED_PARAMETERS}


def _form(form: str) -> str:
    if form not in TREND_FORMS:
        raise ValueError(f"unknown trend form {form!r}; expected one of {TREND_FORMS}")
    return form


def knot_years(years_since_origin: np.ndarray) -> np.ndarray:
    """Return the yearly knots (years since the origin) spanning the observations.

    From the whole year of the first observation to the whole year after the last (at least
    two knots): the fitted slopes are those of the years the data cover.
    """
    first = np.floor(np.min(years_since_origin) / KNOT_YEARS) * KNOT_YEARS
    last = max(np.floor(np.max(years_since_origin) / KNOT_YEARS) * KNOT_YEARS + KNOT_YEARS, first)
    return np.arange(first, last + KNOT_YEARS / 2, KNOT_YEARS)


def _origin_segment(knots: np.ndarray) -> int:
    """Return the segment whose slope is ``slope``: the one holding the origin, or the nearest."""
    return int(np.clip(np.searchsorted(knots, 0.0, side="right") - 1, 0, len(knots) - 2))


def _local_linear_mean(
    prefix: str,
    knots: np.ndarray,
    intercept: Any,
    slope: Any,
    drift: Any,
    steps: Any,
) -> Callable[[Any], Any]:
    """Register a local linear trend's knots and slopes; return its level as a function of t."""
    n_segments = len(knots) - 1
    j0 = _origin_segment(knots)
    walk = pt.concatenate([pt.zeros(1), pt.cumsum(steps)])  # segment j: sum of steps 1..j
    slopes = slope + drift * (walk - walk[j0])
    # Level at each knot relative to the first, then shifted so the origin reads `intercept`.
    rise = pt.concatenate([pt.zeros(1), pt.cumsum(slopes * KNOT_YEARS)])
    at_origin = rise[j0] + slopes[j0] * (0.0 - knots[j0])
    levels = intercept + rise - at_origin
    pm.Deterministic(f"{prefix}_knot_log10", levels, dims=f"{prefix}_knot")
    pm.Deterministic(f"{prefix}_segment_slope", slopes, dims=f"{prefix}_segment")
    knots_t = pt.as_tensor_variable(knots)

    def mean(t: Any) -> Any:
        position = (pt.as_tensor_variable(t) - knots[0]) / KNOT_YEARS
        index = pt.clip(pt.floor(position), 0, n_segments - 1).astype("int64")
        return levels[index] + slopes[index] * (t - knots_t[index])

    return mean


def add_trend(
    prefix: str,
    years_since_origin: np.ndarray,
    log10_observed: np.ndarray,
    priors: PriorSet,
    dims: str,
    *,
    form: str = "linear",
    extra_mu: Any = 0.0,
) -> Callable[[Any], Any]:
    """Add a robust trend of the given form and its likelihood to the model in context.

    Parameters
    ----------
    prefix : str
        Name prefix of the variables (``{prefix}_intercept``, ``{prefix}_slope``, ...).
    years_since_origin : numpy.ndarray
        Decimal years of the observations minus the origin year.
    log10_observed : numpy.ndarray
        log10 of the observed quantity.
    priors : PriorSet
        Holds the trend's priors (:func:`trend_prior_names`).
    dims : str
        Name of the observation dimension.
    form : {"linear", "local_linear", "local_linear_robust", "changepoint"}
        How the trend may bend (module docstring).
    extra_mu : tensor, optional
        Added to the trend line: an offset or covariate terms (the scaling model adds the
        compute-optimal ratio and a compute term).

    Returns
    -------
    callable
        The trend's mean at any years since the origin (a tensor): another likelihood may
        read the same trend (the compute model's yearly maxima).
    """
    form = _form(form)
    years = np.asarray(years_since_origin, dtype=float)
    t = pm.Data(f"{prefix}_years_since_origin", years, dims=dims)
    # The newest observation's date: where a trend's current growth rate is read.
    pm.Data(f"{prefix}_latest_year", float(years.max()) + SETTINGS.year_origin)
    intercept = priors[f"{prefix}_intercept"].create(f"{prefix}_intercept")
    slope = priors[f"{prefix}_slope"].create(f"{prefix}_slope")
    sigma = priors[f"{prefix}_sigma"].create(f"{prefix}_sigma")
    nu = priors[f"{prefix}_nu"].create(f"{prefix}_nu")
    if form == "linear":

        def mean(x: Any) -> Any:
            return intercept + slope * x

    elif form == "changepoint":
        change = priors[f"{prefix}_slope_change"].create(f"{prefix}_slope_change")
        # The break may fall anywhere in the years the data span (but not at their very ends).
        lo, hi = float(years.min()), float(years.max())
        margin = min(0.5, (hi - lo) / 4)
        at = pm.Uniform(f"{prefix}_break_years_since_origin", lo + margin, hi - margin)

        def mean(x: Any) -> Any:
            return intercept + slope * x + change * pt.maximum(x - at, 0.0)

    else:
        knots = knot_years(years)
        model = pm.modelcontext(None)
        model.add_coords(
            {f"{prefix}_knot": knots + SETTINGS.year_origin, f"{prefix}_segment": knots[:-1]}
        )
        drift = priors[f"{prefix}_slope_drift"].create(f"{prefix}_slope_drift")
        if form == "local_linear":
            steps = pm.Normal(f"{prefix}_slope_steps", 0.0, 1.0, shape=len(knots) - 2)
        else:
            steps = pm.StudentT(
                f"{prefix}_slope_steps", nu=ROBUST_STEP_NU, mu=0.0, sigma=1.0, shape=len(knots) - 2
            )
        pm.Data(f"{prefix}_slope_step_nu", ROBUST_STEP_NU if form != "local_linear" else np.inf)
        mean = _local_linear_mean(prefix, knots, intercept, slope, drift, steps)
    mu = mean(t)
    pm.StudentT(
        f"{prefix}_log10_observed",
        nu=nu,
        mu=mu + extra_mu,
        sigma=sigma,
        observed=log10_observed,
        dims=dims,
    )
    return mean


def add_log_linear_trend(
    prefix: str,
    years_since_origin: np.ndarray,
    log10_observed: np.ndarray,
    priors: PriorSet,
    dims: str,
    extra_mu: Any = 0.0,
) -> None:
    """Add a ``linear`` trend (:func:`add_trend`): for trends with covariates in the mean."""
    add_trend(
        prefix, years_since_origin, log10_observed, priors, dims, form="linear", extra_mu=extra_mu
    )


def add_trend_from_inputs(
    prefix: str, inputs: FitInputs, priors: PriorSet, form: str = "linear"
) -> Callable[[Any], Any]:
    """Add the trend ``prefix`` fitted to ``inputs.arrays[f"{prefix}_..."]`` (dim ``release``)."""
    return add_trend(
        prefix,
        inputs.arrays[f"{prefix}_years_since_origin"],
        inputs.arrays[f"{prefix}_log10"],
        priors,
        dims="release",
        form=form,
    )


def fitted_observations(run: xr.DataTree, prefix: str) -> tuple[xr.DataArray, xr.DataArray]:
    """Return the years since origin and the log10 values a stored run's trend was fitted to."""
    return (
        run["constant_data"][f"{prefix}_years_since_origin"],
        run["observed_data"][f"{prefix}_log10_observed"],
    )


# --- the per-draw curve ----------------------------------------------------------------------


def trend_form_of(posterior: Mapping[str, Any], prefix: str) -> str:
    """Return the form of a fitted or stored trend, read from the variables it has."""
    if f"{prefix}_knot_log10" in posterior:
        nu = posterior.get(f"{prefix}_slope_step_nu")
        robust = nu is not None and bool(np.isfinite(np.asarray(nu)).all())
        return "local_linear_robust" if robust else "local_linear"
    if f"{prefix}_slope_change" in posterior:
        return "changepoint"
    return "linear"


def future_steps(
    posterior: xr.Dataset, seed: int, n: int, stream: str, nu: float = np.inf
) -> xr.DataArray:
    """Return ``n`` standard steps per draw (normal, or Student-t with ``nu`` degrees of freedom).

    A hash of the seed, the stream's name and the draw's labels: the future steps of a local
    linear trend, so the same draw gets the same path in a thinned run as in the whole one.
    Dims ``(chain, draw, step)``.
    """
    key = int.from_bytes(stream.encode()[:6].ljust(6, b"\0"), "little")
    uniforms = [draw_uniforms(posterior, seed ^ (key + 7919 * (i + 1))) for i in range(n)]
    # Keep clear of 0 and 1 (the hash's 2**-53 grid): the inverse CDF of 0 is -inf.
    u = xr.concat(uniforms, dim="step").clip(2.0**-53, 1 - 2.0**-53)
    inverse = special.ndtri if not np.isfinite(nu) else (lambda p: stats.t.ppf(p, nu))
    return xr.apply_ufunc(inverse, u).transpose(..., "step")


def trend_curve(
    posterior: xr.Dataset,
    prefix: str,
    *,
    seed: int,
    horizon: float | None = None,
) -> xr.Dataset:
    """Return what evaluates a fitted trend at any year, per draw: the curve to store.

    ``linear``: intercept and slope. ``changepoint``: those, the slope change and the break
    year. ``local_linear``: the level at every yearly knot from the first data year to
    ``horizon``, the fitted knots followed by one random-walk path per draw beyond them.
    """
    horizon = SETTINGS.horizon_year if horizon is None else horizon
    form = trend_form_of(posterior, prefix)
    out = {f"{prefix}_intercept": posterior[f"{prefix}_intercept"]}
    out[f"{prefix}_slope"] = posterior[f"{prefix}_slope"]
    if f"{prefix}_latest_year" in posterior:
        out[f"{prefix}_latest_year"] = posterior[f"{prefix}_latest_year"]
    if form == "changepoint":
        out[f"{prefix}_slope_change"] = posterior[f"{prefix}_slope_change"]
        out[f"{prefix}_break_year"] = (
            posterior[f"{prefix}_break_years_since_origin"] + SETTINGS.year_origin
        )
    if not form.startswith("local_linear"):
        return xr.Dataset(out)
    knot_dim = f"{prefix}_knot"
    levels = posterior[f"{prefix}_knot_log10"]
    slopes = posterior[f"{prefix}_segment_slope"]
    fitted_years = levels[knot_dim].values.astype(float)
    future_years = np.arange(fitted_years[-1] + KNOT_YEARS, horizon + KNOT_YEARS, KNOT_YEARS)
    last_slope = slopes.isel({f"{prefix}_segment": -1}).drop_vars(f"{prefix}_segment")
    if len(future_years):
        nu = float(posterior[f"{prefix}_slope_step_nu"]) if form.endswith("robust") else np.inf
        steps = future_steps(posterior, seed, len(future_years), prefix, nu)
        drift = posterior[f"{prefix}_slope_drift"]
        future_slopes = (last_slope + drift * steps.cumsum("step")).clip(
            -MAX_FUTURE_SLOPE, MAX_FUTURE_SLOPE
        )
        rise = (future_slopes * KNOT_YEARS).cumsum("step")
        future = levels.isel({knot_dim: -1}).drop_vars(knot_dim) + rise
        future = future.rename(step=knot_dim).assign_coords({knot_dim: future_years})
        levels = xr.concat([levels, future], dim=knot_dim)
    out[f"{prefix}_knot_log10"] = levels
    if f"{prefix}_slope_step_nu" in posterior:
        out[f"{prefix}_slope_step_nu"] = posterior[f"{prefix}_slope_step_nu"]
    return xr.Dataset(out)


def _interpolate_knots(levels: xr.DataArray, knot_dim: str, years: Any) -> xr.DataArray:
    """Return ``levels`` (log-linear between yearly knots) at ``years``; flat slopes outside.

    Before the first knot the first segment's slope continues; after the last, the last's.
    """
    first = float(levels[knot_dim].values[0])
    n = levels.sizes[knot_dim]
    years = xr.DataArray(years) if not isinstance(years, xr.DataArray) else years
    position = (years - first) / KNOT_YEARS
    index = np.clip(np.floor(position), 0, n - 2).astype(int)
    frac = position - index
    bare = levels.drop_vars(knot_dim)
    lo = bare.isel({knot_dim: index})
    hi = bare.isel({knot_dim: index + 1})
    return lo + (hi - lo) * frac


def log10_trend(curve: Mapping[str, Any], prefix: str, years: Any) -> xr.DataArray:
    """Return log10 of a stored trend at ``years`` (broadcast over the draws and ``years``)."""
    form = trend_form_of(curve, prefix)
    if form.startswith("local_linear"):
        return _interpolate_knots(curve[f"{prefix}_knot_log10"], f"{prefix}_knot", years)
    line = project_log10(
        curve[f"{prefix}_intercept"], curve[f"{prefix}_slope"], years, SETTINGS.year_origin
    )
    if form == "changepoint":
        line = line + curve[f"{prefix}_slope_change"] * np.maximum(
            years - curve[f"{prefix}_break_year"], 0.0
        )
    return line


def trend_kinks(curve: Mapping[str, Any], prefix: str) -> tuple[Any, ...]:
    """Return the years where a stored trend may change slope (the crossing solvers' knots)."""
    form = trend_form_of(curve, prefix)
    if form == "changepoint":
        return (curve[f"{prefix}_break_year"],)
    if form.startswith("local_linear"):
        return tuple(float(y) for y in curve[f"{prefix}_knot_log10"][f"{prefix}_knot"].values)
    return ()


def slope_at(curve: Mapping[str, Any], prefix: str, years: Any) -> xr.DataArray:
    """Return a stored trend's growth rate (OOM per year) at ``years``: its local slope."""
    form = trend_form_of(curve, prefix)
    if form == "linear":
        return curve[f"{prefix}_slope"] + xr.zeros_like(xr.DataArray(years), dtype=float)
    if form == "changepoint":
        after = xr.DataArray(years) > curve[f"{prefix}_break_year"]
        return curve[f"{prefix}_slope"] + curve[f"{prefix}_slope_change"] * after
    levels = curve[f"{prefix}_knot_log10"]
    knot_dim = f"{prefix}_knot"
    step = levels.diff(knot_dim, label="lower") / KNOT_YEARS
    first = float(levels[knot_dim].values[0])
    years = xr.DataArray(years) if not isinstance(years, xr.DataArray) else years
    index = np.clip(np.floor((years - first) / KNOT_YEARS), 0, step.sizes[knot_dim] - 1)
    return step.drop_vars(knot_dim).isel({knot_dim: index.astype(int)})


def log10_trend_then(
    curve: Mapping[str, Any], prefix: str, years: Any, start: Any, log10_rate: Any
) -> xr.DataArray:
    """Return a stored trend to ``start``, then growing ``log10_rate`` OOM a year after it.

    A forward lever on a fitted rate (FLOP per dollar from the newest costed run on, say):
    where ``log10_rate`` is ``None`` or NaN, the trend's own path continues (for a local linear
    trend, its random walk). Log-linear between :func:`trend_kinks` and ``start``.
    """
    own = log10_trend(curve, prefix, years)
    if log10_rate is None:
        return own
    rate = xr.DataArray(log10_rate) if not isinstance(log10_rate, xr.DataArray) else log10_rate
    held = log10_trend(curve, prefix, np.minimum(years, start)) + rate.fillna(0.0) * np.maximum(
        years - start, 0.0
    )
    return xr.where(rate.isnull(), own, held) if bool(rate.isnull().any()) else held


def search_start_year(posterior: Mapping[str, Any], prefix: str, default: float) -> float:
    """Return where a crossing of trend ``prefix`` is searched from: its newest observation.

    Up to the newest row a trend was fitted to, the rows are history: a wall the trend puts
    before it is one the rows show was not reached (the trend must be bending instead). A
    posterior without the trend's ``{prefix}_latest_year`` starts at ``default``.
    """
    name = f"{prefix}_latest_year"
    return float(posterior[name]) if name in posterior else default


def p_at_search_start(
    derived: Mapping[str, Any], keys: Sequence[str], start: float
) -> dict[str, float]:
    """Return, per crossing year in ``keys``, the share of draws already there at ``start``."""
    return {key: float((derived[key] <= start + 1e-9).mean()) for key in keys}


def latest_log10_growth(curve: Mapping[str, Any], prefix: str) -> xr.DataArray:
    """Return a trend's growth rate (OOM per year) at its newest observation, per draw.

    A straight trend has one rate, wherever it is read.
    """
    if trend_form_of(curve, prefix) == "linear":
        return curve[f"{prefix}_slope"]
    return slope_at(curve, prefix, curve[f"{prefix}_latest_year"])


def project_log10(
    intercept: xr.DataArray, slope: xr.DataArray, years: xr.DataArray | np.ndarray, origin: float
) -> xr.DataArray:
    """Return a straight trend in log10 units at ``years`` (broadcast over the draws)."""
    return intercept + slope * (years - origin)


def quantile_offset(sigma: xr.DataArray, nu: xr.DataArray, quantile: Any) -> xr.DataArray:
    """Return how far above a Student-t trend its ``quantile`` lies, in log10 units."""
    return sigma * xr.apply_ufunc(stats.t.ppf, quantile, nu)


def largest_of_poisson_quantile(rate_per_year: Any) -> Any:
    """Return the quantile of the scatter at which the median of a year's largest member lies.

    With ``n ~ Poisson(rate)`` members a year scattered independently with CDF ``F``, the
    largest has CDF ``exp(-rate (1 - F(x)))`` (a thinned Poisson process); its median is where
    ``F(x) = 1 - ln 2 / rate``. A rate below ``ln 2`` has no median member (clipped to 0.5).
    """
    return np.maximum(1.0 - np.log(2.0) / rate_per_year, 0.5)
