"""The shared trend forms: recovery of a known slope and of a bend, horizons, the largest run."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr

from forecast import backtest
from forecast.models import compute
from forecast.models.base import FitInputs, model_priors
from forecast.models.trend import (
    add_trend,
    latest_log10_growth,
    log10_trend,
    slope_at,
    trend_curve,
    trend_kinks,
)
from forecast.settings import SETTINGS
from tests.helpers import sample_small

ORIGIN = SETTINGS.year_origin


def _priors(project):
    return model_priors(compute.MODEL)


def _fit(priors, years, log10, form, seed=11):
    with pm.Model(coords={"release": np.arange(len(years))}) as model:
        add_trend("compute", years - ORIGIN, log10, priors, dims="release", form=form)
    return sample_small(model, seed=seed, target_accept=0.95)


def _draws(tree):
    posterior = tree["posterior"].to_dataset()
    constants = tree["constant_data"].to_dataset()
    return posterior.assign({k: v for k, v in constants.data_vars.items() if v.ndim == 0})


def _simulate(rng, slopes, n=60, first=2018.0, last=2026.0, sigma=0.3):
    """Frontier-like rows about a piecewise-linear trend with the given yearly slopes."""
    years = np.sort(rng.uniform(first, last, n))
    knots = np.arange(first, last + 1)
    level = np.concatenate([[22.0], 22.0 + np.cumsum(slopes)])
    mu = np.interp(years, knots, level[: len(knots)])
    return years, mu + sigma * rng.standard_t(8, n)


@pytest.mark.slow
@pytest.mark.slow
@pytest.mark.parametrize("form", ["linear", "local_linear", "local_linear_robust"])
def test_each_form_recovers_a_known_constant_slope(project, rng, form):
    years, log10 = _simulate(rng, [0.6] * 8)
    draws = _draws(_fit(_priors(project), years, log10, form))
    curve = trend_curve(draws, "compute", seed=1)
    growth = latest_log10_growth(curve, "compute")
    lo, hi = growth.quantile([0.05, 0.95]).values
    assert lo < 0.6 < hi
    assert abs(float(growth.median()) - 0.6) < 0.1


@pytest.mark.slow
@pytest.mark.slow
def test_local_linear_and_changepoint_recover_a_known_bend(project, rng):
    # 1.2 OOM/yr to 2021, 0.5 after: the growth rate changed once.
    slopes = [1.2, 1.2, 1.2, 0.5, 0.5, 0.5, 0.5, 0.5]
    years, log10 = _simulate(rng, slopes)
    priors = _priors(project)
    robust = trend_curve(
        _draws(_fit(priors, years, log10, "local_linear_robust")), "compute", seed=1
    )
    early = slope_at(robust, "compute", xr.DataArray(2019.5)).median()
    late = slope_at(robust, "compute", xr.DataArray(2024.5)).median()
    assert abs(float(early) - 1.2) < 0.25 and abs(float(late) - 0.5) < 0.15
    line = trend_curve(_draws(_fit(priors, years, log10, "linear")), "compute", seed=1)
    assert abs(float(line["compute_slope"].median()) - 0.5) > 0.15  # a line cannot bend
    breaking = trend_curve(_draws(_fit(priors, years, log10, "changepoint")), "compute", seed=1)
    assert abs(float(breaking["compute_break_year"].median()) - 2021.0) < 0.75
    after = breaking["compute_slope"] + breaking["compute_slope_change"]
    assert abs(float(after.median()) - 0.5) < 0.15


@pytest.mark.slow
@pytest.mark.slow
def test_the_local_linear_interval_widens_with_the_horizon_and_a_lines_hardly(project, rng):
    years, log10 = _simulate(rng, [0.6] * 8)
    priors = _priors(project)
    widths = {}
    for form in ("linear", "local_linear_robust"):
        curve = trend_curve(_draws(_fit(priors, years, log10, form)), "compute", seed=1)
        at = xr.DataArray([2026.0, 2028.0, 2031.0], dims="year")
        q = log10_trend(curve, "compute", at).quantile([0.1, 0.9], ["chain", "draw"])
        widths[form] = (q.sel(quantile=0.9) - q.sel(quantile=0.1)).values
    local = widths["local_linear_robust"]
    assert local[0] < local[1] < local[2] and local[2] > 2.0 * local[0]
    assert local[2] - local[0] > 2.0 * (widths["linear"][2] - widths["linear"][0])


def test_a_stored_local_linear_curve_is_log_linear_between_its_knots():
    knots = np.arange(2018.0, 2031.0)
    levels = 20.0 + np.cumsum(np.r_[0.0, np.linspace(1.0, 0.4, len(knots) - 1)])
    curve = xr.Dataset(
        {
            "c_knot_log10": (("chain", "draw", "c_knot"), levels[None, None, :]),
            "c_intercept": (("chain", "draw"), [[0.0]]),
            "c_slope": (("chain", "draw"), [[0.0]]),
        },
        coords={"c_knot": knots},
    )
    at = xr.DataArray([2018.0, 2018.5, 2024.25, 2030.0, 2032.0], dims="year")
    got = log10_trend(curve, "c", at).values.ravel()
    expected = np.interp(at.values, knots, levels)
    expected[-1] = levels[-1] + 2.0 * (levels[-1] - levels[-2])  # the last slope continues
    np.testing.assert_allclose(got, expected)
    assert trend_kinks(curve, "c") == tuple(knots)
    segment = levels[7] - levels[6]  # the knots 2024 and 2025
    np.testing.assert_allclose(slope_at(curve, "c", xr.DataArray(2024.5)).values, segment)


# ---------------------------------------------------------------------------- the largest run


def _frontier_set(rng, slope=0.6, drift=0.2, sigma=0.45, per_year=9, years=range(2018, 2027)):
    """Simulated frontier rows about a trend whose growth rate drifts (the model's own form).

    The growth rate takes a ``Normal(0, drift)`` step each year from ``slope`` (OOM/yr); the
    rows scatter about the trend, ``per_year`` a year.
    """
    first = years[0]
    knots = np.arange(first, years[-1] + 2)
    rates = slope + np.cumsum(np.r_[0.0, drift * rng.standard_normal(len(knots) - 2)])
    levels = 23.0 + slope * (first - ORIGIN) + np.r_[0.0, np.cumsum(rates)]
    rows = []
    for y in years:
        t = np.sort(rng.uniform(y, y + 1, per_year))
        mu = np.interp(t, knots, levels)
        rows.append(pd.DataFrame({"t": t, "v": mu + sigma * rng.standard_t(8, per_year)}))
    frame = pd.concat(rows, ignore_index=True)
    frame["model"] = [f"m{i}" for i in range(len(frame))]
    return frame


def _compute_inputs(frame: pd.DataFrame) -> FitInputs:
    years = frame["t"].to_numpy()
    whole, maxima, largest = compute.yearly_maxima(
        years, frame["v"].to_numpy(), list(frame["model"]), before=int(np.floor(years.max())) + 1
    )
    return FitInputs(
        rows=frame,
        arrays={
            "compute_years_since_origin": years - ORIGIN,
            "compute_log10": frame["v"].to_numpy(),
            "largest_run_years_since_origin": whole + 0.5 - ORIGIN,
            "largest_run_log10": maxima,
        },
        coords={
            "release": list(frame["model"]),
            "max_year": whole.tolist(),
            "largest_release": largest,
        },
        options={"trend_form": "local_linear"},
    )


def _as_run(tree, seed=1):
    """A sampled compute model as the backtest reads a stored run."""
    out = tree.copy()
    out.attrs = {"random_seed": seed}
    return out


@pytest.mark.slow
@pytest.mark.slow
def test_the_largest_run_forecast_covers_at_its_nominal_rate_on_simulated_frontier_sets(project):
    priors = _priors(project)
    pits = []
    for k in range(8):
        rng = np.random.default_rng(100 + k)
        frame = _frontier_set(rng)
        fitted = frame[frame["t"] < 2024.0]
        later = frame[frame["t"] >= 2024.0]
        tree = sample_small(
            compute.build(_compute_inputs(fitted), priors), seed=k, target_accept=0.95
        )
        run = _as_run(tree)
        for year in (2024, 2025, 2026):
            observed = later[np.floor(later["t"]) == year]["v"].max()
            pits.append(float(backtest.largest_run_cdf(run, year, np.array([observed]))[0].mean()))
    covered = backtest.coverage(np.array(pits), 0.8)
    # 24 years' maxima: 80% coverage within binomial noise (P(outside [0.55, 0.97]) < 2%).
    assert 0.55 <= covered <= 0.97, pits
    assert 0.3 < float(np.mean(pits)) < 0.7


def _known_largest_run(centre_2024: float, slope: float = 1.0, sigma: float = 1e-3):
    """A compute 'run' whose yearly largest is known: median centre_2024 + slope (y - 2024)."""
    knots = np.arange(2018.0, 2101.0)
    levels = centre_2024 + slope * (knots - 2024.5)
    draws = {"chain": [0], "draw": [0, 1]}
    posterior = xr.Dataset(
        {
            "compute_knot_log10": (("chain", "draw", "compute_knot"), np.tile(levels, (1, 2, 1))),
            "compute_segment_slope": (
                ("chain", "draw", "compute_segment"),
                np.full((1, 2, 82), slope),
            ),
            "compute_intercept": (("chain", "draw"), np.zeros((1, 2))),
            "compute_slope": (("chain", "draw"), np.full((1, 2), slope)),
            "compute_slope_drift": (("chain", "draw"), np.zeros((1, 2))),
            "compute_sigma": (("chain", "draw"), np.full((1, 2), 0.3)),
            "compute_nu": (("chain", "draw"), np.full((1, 2), 1e6)),
            "largest_run_offset": (("chain", "draw"), np.zeros((1, 2))),
            "largest_run_sigma": (("chain", "draw"), np.full((1, 2), sigma)),
        },
        coords=draws | {"compute_knot": knots, "compute_segment": knots[:-1]},
    )
    tree = xr.DataTree.from_dict({"posterior": posterior, "constant_data": xr.Dataset()})
    tree.attrs = {"random_seed": 1}
    return tree


def test_event_scores_on_a_known_case():
    # The year's largest is 1e25 at the middle of 2024, with no scatter to speak of: the first
    # run above 1e25 comes in 2024 with probability one half, and surely by the end of 2025.
    run = _known_largest_run(centre_2024=25.0)
    times = np.array([2023.99, 2024.5, 2025.0, 2025.5])
    cdf = backtest.event_cdf({"compute": run}, "first_1e25_flop_run", dt.date(2023, 1, 1), times)
    p_2024 = 0.5
    expected = [0.0, 1 - (1 - p_2024) ** 0.5, p_2024, 1.0]
    np.testing.assert_allclose(cdf[:, 0], expected, atol=1e-6)
    # The largest run of 2024 is Student-t about its median: its CDF there is one half.
    np.testing.assert_allclose(backtest.largest_run_cdf(run, 2024, np.array([25.0])), 0.5)


def test_crossings_are_searched_from_the_newest_observation():
    from forecast.models.trend import p_at_search_start, search_start_year

    fitted = xr.Dataset({"power_latest_year": 2026.5})
    assert search_start_year(fitted, "power", 2018.0) == 2026.5
    assert search_start_year(xr.Dataset(), "power", 2018.0) == 2018.0
    years = xr.Dataset({"wall_year": ("draw", [2026.5, 2027.0, 2030.0, 2026.5])})
    assert p_at_search_start(years, ["wall_year"], 2026.5) == {"wall_year": 0.5}
