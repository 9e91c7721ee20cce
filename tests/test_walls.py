"""The walls: each cap by hand, levers move only their cap, binding probabilities, contract."""

import json

import numpy as np
import pytest
import xarray as xr

from forecast import fit
from forecast.models import compute, walls

from .conftest import compute_upstream, run_cli
from .test_models import fake_posterior

YEARS = compute.year_coord()
T = YEARS - 2020.0

HAND = dict(
    largest_developer_capex_2025_usd=1e11,
    capex_growth_per_year=1.0,
    largest_run_capex_share=0.25,
    amortized_cost_per_cluster_usd_year=0.2,
    watts_per_tdp_watt=2.0,
    training_utilization=0.5,
    run_duration_s=walls.SECONDS_PER_YEAR / 2,  # half a year
)
LEVERS = dict(low_precision_speedup=1.0)


def by_year(values):
    """A (chain, draw, year) variable with the same curve in every draw."""
    return xr.zeros_like(fake_posterior(x=0.0)["x"]) + xr.DataArray(values, coords=YEARS.coords)


def upstream():
    comp = compute_upstream(
        fake_posterior(compute_intercept=26.0, compute_slope=0.6, compute_sigma=0.3, compute_nu=5)
    )
    # The data wall's stock curve: 1e14 tokens in 2020, x1.1 a year; k = 20 and m = 5 fixed.
    datawall = fake_posterior(
        stock_log10_tokens_2024=14.0 + 4 * np.log10(1.1),
        stock_log10_growth=np.log10(1.1),
        multimodal_tokens=0.0,
        synthetic_tokens_2025=0.0,
        synthetic_growth_per_year=1.0,
        tokens_per_param_fixed=20.0,
        overtraining_factor_fixed=5.0,
        overtraining_hold_year=np.nan,
    )
    # The power model's supply curves: a flat 1 GW campus; one lab's 0.5 GW doubling yearly.
    power = fake_posterior(
        supply_reference_year=2100.0,
        supply_delay_years=0.0,
        campus_log10_gw_2025=0.0,
        campus_log10_gw_2030=0.0,
        campus_log10_growth_after_2030=0.0,
        lab_log10_share=np.log10(0.5),
        us_ai_log10_gw_intercept=0.0,
        us_ai_log10_gw_slope=np.log10(2.0),
    )
    # Accelerators: 1e12 FLOP/s per W in 2020, x1.3 a year throughout.
    memory = fake_posterior(
        flop_per_watt_intercept=12.0,
        flop_per_watt_slope=np.log10(1.3),
        flop_per_watt_log10_growth_after=np.log10(1.3),
    ).assign(decode_tokens_per_second=by_year(100.0 + 0 * T))
    # FLOP per dollar: 1e17 in 2020, x1.3 a year (the same rate after the newest costed run).
    cost = fake_posterior(
        cost_reference_year=2024.0,
        flop_per_usd_intercept=17.0,
        flop_per_usd_slope=np.log10(1.3),
        flop_per_usd_log10_growth_after=np.log10(1.3),
    )
    scaling = xr.Dataset()  # k and m are fixed: the law is not read
    return dict(
        compute=comp, scaling=scaling, datawall=datawall, power=power, memory=memory, cost=cost
    )


def derive(levers=LEVERS, **hand):
    return walls.derive(fake_posterior(**(HAND | hand)), upstream(), levers, seed=0)


def test_each_cap_by_hand():
    out = derive()
    caps = out["cap_flop"].isel(chain=0, draw=0)
    # data: C = 6 S^2 / (k m), S = 1e14 x 1.1^t, k m = 100
    np.testing.assert_allclose(caps.sel(constraint="data"), 6 * (1e14 * 1.1**T) ** 2 / 100)
    # power: the larger of a flat 1 GW campus and 0.5 GW x 2^t, x FLOP per joule x duration
    joules_per_gw = 1e9 * walls.SECONDS_PER_YEAR / 2
    flop_per_joule = 1e12 * 1.3**T * 0.5 / 2.0
    expected = np.maximum(1.0, 0.5 * 2.0**T) * joules_per_gw * flop_per_joule
    np.testing.assert_allclose(caps.sel(constraint="power"), expected)
    # money: $100B x 25% x 0.2 /yr x 0.5 yr = $2.5B, x FLOP per dollar
    np.testing.assert_allclose(out["spend_ceiling_usd"].isel(chain=0, draw=0), 2.5e9)
    np.testing.assert_allclose(caps.sel(constraint="money"), 2.5e9 * 1e17 * 1.3**T)
    # the largest feasible run is the smallest cap
    xr.testing.assert_allclose(out["max_feasible_run_flop"], out["cap_flop"].min("constraint"))


def test_wall_years_by_hand():
    out = derive().isel(chain=0, draw=0)
    # run: 26 + 0.6 t; money: log10(2.5e26) + t log10(1.3)
    money = 2020 + (np.log10(2.5e26) - 26) / (0.6 - np.log10(1.3))
    np.testing.assert_allclose(out["wall_year"].sel(constraint="money"), money, atol=1e-9)
    # data: log10(6e26) + 2 t log10(1.1), above the run until it crosses
    data = 2020 + (np.log10(6e26) - 26) / (0.6 - 2 * np.log10(1.1))
    np.testing.assert_allclose(out["wall_year"].sel(constraint="data"), data, atol=1e-9)
    # power: the run against max(1 GW, 0.5 GW x 2^t) x 1e9 J/GW-s x 0.5 yr x 1e12 x 1.3^t x 0.25
    # FLOP/J: the campus binds until 2021, then the lab's share; solved exactly (no grid).
    log10_gain = np.log10(1e9 * walls.SECONDS_PER_YEAR / 2 * 1e12 * 0.5 / 2.0)
    dense = np.linspace(2020.0, 2045.0, 2_500_001)
    t = dense - 2020.0
    cap = np.log10(np.maximum(1.0, 0.5 * 2.0**t)) + log10_gain + t * np.log10(1.3)
    crossed = (26.0 + 0.6 * t) >= cap
    power = dense[np.argmax(crossed)] if crossed.any() else np.inf
    np.testing.assert_allclose(out["wall_year"].sel(constraint="power"), power, atol=2e-5)
    assert float(out["first_wall_year"]) == pytest.approx(min(money, data, power))
    first = min({"money": money, "data": data, "power": power}.items(), key=lambda kv: kv[1])[0]
    assert bool(out["binds_first"].sel(constraint=first))
    assert int(out["binds_first"].sum()) == 1


def test_data_wall_with_synthetic_tokens_is_solved_on_the_curved_stock():
    ups = upstream()
    ups["datawall"] = ups["datawall"].assign(
        synthetic_tokens_2025=xr.DataArray(3e15), synthetic_growth_per_year=xr.DataArray(3.0)
    )
    out = walls.derive(fake_posterior(**HAND), ups, LEVERS, seed=0).isel(chain=0, draw=0)
    dense = np.linspace(2020.0, 2045.0, 2_500_001)
    t = dense - 2020.0
    stock = 1e14 * 1.1**t + np.where(dense >= 2025.0, 3e15 * 3.0 ** (dense - 2025.0), 0.0)
    crossed = 26.0 + 0.6 * t >= np.log10(6 * stock**2 / 100)
    expected = dense[np.argmax(crossed)] if crossed.any() else np.inf
    np.testing.assert_allclose(out["data_wall_year"], expected, atol=2e-5)
    assert np.isfinite(expected)  # the run catches the curved stock inside the window


@pytest.mark.parametrize(
    ("changes", "moved"),
    [
        ({"low_precision_speedup": 2.0}, "power"),
        ({"capex_growth_per_year": 1.5}, "money"),
        ({"largest_run_capex_share": 0.5}, "money"),
    ],
)
def test_a_lever_moves_only_its_cap(changes, moved):
    base = derive()
    levers = LEVERS | {k: v for k, v in changes.items() if k in LEVERS}
    hand = {k: v for k, v in changes.items() if k not in LEVERS}
    out = derive(levers, **hand)
    for constraint in walls.CONSTRAINTS:
        same = np.allclose(
            out["cap_flop"].sel(constraint=constraint), base["cap_flop"].sel(constraint=constraint)
        )
        assert same == (constraint != moved), constraint
    xr.testing.assert_equal(out["largest_run_flop"], base["largest_run_flop"])


def test_levers_broadcast_and_binding_probabilities_sum_to_one():
    shares = xr.DataArray([0.05, 0.25, 1.0], dims="scenario")
    out = derive(LEVERS | {"largest_run_capex_share": shares})
    assert out["wall_year"].dims == ("scenario", "chain", "draw", "constraint")
    money = out["wall_year"].sel(constraint="money")
    assert (money.diff("scenario") > 0).all()
    probs = walls.binding_probabilities(out.isel(scenario=1))
    assert sum(probs.values()) == pytest.approx(1.0)


def test_a_failed_upstream_fit_flags_the_walls():
    ok = {"rhat_max": 1.0, "ess_bulk_min": 500, "divergences": 0, "passed": True, "failures": []}
    bad = ok | {"passed": False, "failures": ["R-hat 1.200 > 1.01"]}
    runs = {
        name: xr.DataTree(dataset=xr.Dataset(attrs={"diagnostics": json.dumps(ok)}))
        for name in walls.MODEL.requires
    }
    assert fit.with_upstream(ok, walls.MODEL, runs)["passed"]
    runs["power"].attrs["diagnostics"] = json.dumps(bad)
    flagged = fit.with_upstream(ok, walls.MODEL, runs)
    assert not flagged["passed"] and flagged["failures"] == [
        "upstream power failed its diagnostics"
    ]


def test_forecast_walls_json_contract(in_fitted, capsys):
    assert run_cli("forecast", "walls", "--json") == 0
    entry = json.loads(capsys.readouterr().out)["walls"]
    first = entry["headline"]["first_wall"]
    assert first["label"] in walls.CONSTRAINTS and 0 < first["median"] <= 1
    for name in ("first_wall_year", "max_feasible_run_2030_flop", "power_cap_2030_flop"):
        h = entry["headline"][name]
        assert set(h) == {"median", "p10", "p90", "unit"} and h["p10"] <= h["median"] <= h["p90"]
    assert sum(entry["p_binds_first"].values()) == pytest.approx(1.0)
    assert entry["p_binds_first"][first["label"]] == pytest.approx(first["median"])
    assert set(entry["unmodeled"]) == {"chip_production", "latency"}
