"""The power model: recovery on simulated data, the walls by hand, validation, the contract."""

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from forecast.data import load_table
from forecast.models import power
from forecast.models.base import FitInputs, model_priors
from tests.helpers import (
    REPO,
    assert_row_refused,
    compute_upstream,
    fake_posterior,
    run_cli,
    sample_small,
)

TRUTH = {
    "power_slope": 0.33,
    "capacity_slope": np.array([0.06, 0.12, 0.05]),
    "load_factor": 0.5,
    "lag_slope": 0.15,
}


def simulated_inputs(rng):
    n_runs = 30
    t_runs = np.sort(rng.uniform(-2, 5.5, n_runs))
    log10_mw = 0.7 + TRUTH["power_slope"] * t_runs + 0.3 * rng.standard_t(5, n_runs)
    intercepts = np.array([1.4, 0.2, 1.6])
    series = np.repeat([0, 1, 2], 8)
    t_cap = rng.uniform(-6, 5, series.size)
    average = rng.integers(0, 2, series.size).astype(float)  # half the figures are TWh-based
    log10_gw = (
        intercepts[series]
        + TRUTH["capacity_slope"][series] * t_cap
        + average * np.log10(TRUTH["load_factor"])
        + 0.03 * rng.standard_normal(series.size)
    )
    t_lag = np.linspace(-17, 4, 10)
    lag = 4.0 + TRUTH["lag_slope"] * t_lag + 0.3 * rng.standard_normal(10)
    return FitInputs(
        rows=pd.DataFrame({"model": [f"r{i}" for i in range(n_runs)]}),
        arrays={
            "power_years_since_origin": t_runs,
            "power_log10": log10_mw,
            "capacity_series": series,
            "capacity_years_since_origin": t_cap,
            "capacity_log10_gw": log10_gw,
            "capacity_is_average": average,
            "lag_years_since_origin": t_lag,
            "lag_years": lag,
            "supply_reference_year": 2025.0,
        },
        coords={
            "release": [f"r{i}" for i in range(n_runs)],
            "series": list(power.SERIES),
            "capacity_obs": list(range(series.size)),
            "lag_obs": list(range(10)),
        },
    )


@pytest.mark.slow
def test_recovers_growth_rates_load_factor_and_lag_trend(project, rng):
    priors = model_priors(power.MODEL)
    tree = sample_small(power.build(simulated_inputs(rng), priors), seed=11, target_accept=0.9)
    post = tree["posterior"]
    for name in ("power_slope", "load_factor", "lag_slope"):
        lo, hi = post[name].quantile([0.01, 0.99]).values
        assert lo < TRUTH[name] < hi, name
    lo, hi = post["capacity_slope"].quantile([0.01, 0.99], dim=("chain", "draw")).values
    assert (lo < TRUTH["capacity_slope"]).all() and (TRUTH["capacity_slope"] < hi).all()


HAND = dict(
    power_intercept=1.0,  # 10 MW at 2020
    power_slope=0.3,
    power_sigma=0.2,
    power_nu=5.0,
    load_factor=0.5,
    lag_intercept=4.0,
    lag_slope=0.1,
    supply_reference_year=2020.0,
    precision_gain_per_year=1.2,
    run_duration_growth=1.1,
    largest_campus_2025_gw=1.0,
    largest_campus_2030_gw=1.0,  # a flat 1 GW campus
    lab_share=0.5,
)
#: The memory model's fitted FLOP-per-watt growth: the one path every model reads.
MEMORY = fake_posterior(flop_per_watt_growth_per_year=1.25)
LEVERS = dict(
    extra_grid_delay_years=0.0,
    campus_growth_after_2030=1.0,
    ai_capacity_growth_per_year=None,
)


def hand_posterior(ai_slope=0.0):
    post = fake_posterior(**HAND)
    series = list(power.SERIES)
    shape = (1, 3, 3)

    def by_series(values):
        return (("chain", "draw", "series"), np.broadcast_to(values, shape).astype(float))

    return post.assign(
        capacity_intercept=by_series([1.5, np.log10(4.0), 1.7]),  # US AI: 4 GW
        capacity_slope=by_series([0.05, ai_slope, 0.04]),
    ).assign_coords(series=series)


def test_walls_by_hand():
    # quantile 0.5: the largest run on the trend line itself (t quantile 0.5 is 0)
    comp = compute_upstream(fake_posterior(compute_intercept=23.0, compute_slope=np.log10(4.0)))
    out = power.derive(hand_posterior(), {"compute": comp, "memory": MEMORY}, LEVERS, seed=0)
    # run: 1 + 0.3 t = 3 (1 GW campus) -> t = 6.667
    np.testing.assert_allclose(out["single_campus_wall_year"], 2020 + 2 / 0.3, atol=1e-6)
    # lab share 0.5 x 4 GW = 2 GW: 1 + 0.3 t = 3 + log10 2
    expected = 2020 + (2 + np.log10(2)) / 0.3
    np.testing.assert_allclose(out["distributed_wall_year"], expected, atol=1e-6)
    # compute growth over the memory model's FLOP/W growth x precision x duration
    np.testing.assert_allclose(out["implied_power_growth_per_year"], 4 / (1.25 * 1.2 * 1.1))
    # what the walls read: the largest run's power at any year, and its kinks
    at = xr.DataArray([2021.3, 2030.0])
    np.testing.assert_allclose(
        10 ** power.log10_largest_run_mw(out, at).isel(chain=0, draw=0),
        10 ** (1 + 0.3 * (at - 2020)),
    )
    np.testing.assert_allclose(out["run_duration_growth"], 1.1)
    np.testing.assert_allclose(out["largest_run_power_mw"].sel(year=2030), 10**4.0)
    # TWh = rated GW x load factor x 8.76
    us = out["datacenter_consumption_twh"].sel(series="us_total", year=2020)
    np.testing.assert_allclose(us, 10**1.5 * 0.5 * 8.76)


def test_grid_delay_and_quantile_levers():
    comp = compute_upstream(fake_posterior(compute_intercept=23.0, compute_slope=0.6))
    post = hand_posterior(ai_slope=0.1)
    delayed = power.derive(
        post, {"compute": comp, "memory": MEMORY}, LEVERS | {"extra_grid_delay_years": 2.0}, 0
    )
    # supply built by 2020 stands, later supply arrives 2 years late: 1 + 0.3 t = 3 + log10 2 +
    # 0.1 (t - 2)
    expected = 2020 + (2 + np.log10(2) - 0.2) / 0.2
    np.testing.assert_allclose(delayed["distributed_wall_year"], expected, atol=1e-6)
    lab = delayed["lab_run_capacity_gw"].isel(chain=0, draw=0)
    np.testing.assert_allclose(
        lab.sel(year=[2020, 2021, 2022, 2025]), 2 * 10 ** (0.1 * np.array([0, 0, 0, 3]))
    )
    upper = power.derive(
        post, {"compute": compute_upstream(comp, 0.9), "memory": MEMORY}, LEVERS, 0
    )
    assert (upper["single_campus_wall_year"] < delayed["single_campus_wall_year"]).all()
    scenarios = xr.DataArray([0.0, 3.0], dims="scenario")
    swept = power.derive(
        post, {"compute": comp, "memory": MEMORY}, LEVERS | {"extra_grid_delay_years": scenarios}, 0
    )
    assert swept["distributed_wall_year"].dims == ("scenario", "chain", "draw")


@pytest.mark.parametrize(
    ("table", "line", "column", "value", "message"),
    [
        ("training_runs_power", 12, "power_mw", "5101", "per chip"),  # kW read as MW
        ("datacenter_capacity", 3, "metric", "consumption_gwh", "consumption_twh"),
        ("datacenter_capacity", 6, "scenario", "", "must name its scenario"),
        ("grid_connection", 5, "value", "40", "implausible"),
    ],
)
def test_bad_rows_are_refused_with_line_and_column(tmp_path, table, line, column, value, message):
    assert_row_refused(tmp_path, table, line, column, value, message)


def test_bundled_power_tables():
    runs = load_table("training_runs_power", directory=REPO / "data")
    frontier = runs[runs["frontier"] & (runs["publication_date"] >= "2018-01-01")]
    assert len(frontier) >= 20
    assert (frontier["power_mw"] >= 100).sum() >= 3  # the 100+ MW runs of 2025-26


def test_forecast_power_json_contract(in_stored, capsys):
    assert run_cli("forecast", "power", "--json") == 0
    entry = json.loads(capsys.readouterr().out)["power"]
    for name in ("largest_run_power_2030_mw", "power_growth_per_year", "single_campus_wall_year"):
        h = entry["headline"][name]
        assert set(h) == {"median", "p10", "p90", "unit"} and h["p10"] <= h["median"] <= h["p90"]
    probs = list(entry["p_single_campus_wall_by"].values())
    assert probs == sorted(probs)
