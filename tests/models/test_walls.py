"""The walls: each cap by hand, shared parameters, the history, levers, contract."""

import json

import numpy as np
import pytest
import xarray as xr

from forecast import fit
from forecast.models import compute, power, walls
from tests.helpers import compute_upstream, fake_posterior, run_cli

YEARS = compute.year_coord()
T = YEARS - 2020.0

HAND = dict(
    ai_capex_2025_usd_2023=4e11,
    capex_growth_per_year=1.0,
    amortized_cost_per_cluster_usd_year=0.2,
    run_duration_2030_s=walls.SECONDS_PER_YEAR / 2,  # half a year
)
LEVERS = dict(low_precision_speedup=1.0)
#: The records of history by hand: a 1e25 FLOP run in mid-2020 (far below every cap).
RECORDS = dict(record_year=[2020.5], record_log10_flop=[25.0])


def by_year(values):
    """A (chain, draw, year) variable with the same curve in every draw."""
    return xr.zeros_like(fake_posterior(x=0.0)["x"]) + xr.DataArray(values, coords=YEARS.coords)


def walls_posterior(records=RECORDS, conditioned=True, **hand):
    post = fake_posterior(**(HAND | hand))
    return post.assign(
        record_year=("record", np.asarray(records["record_year"], float)),
        record_log10_flop=("record", np.asarray(records["record_log10_flop"], float)),
        condition_on_history=float(conditioned),
    ).assign_coords(record=[f"r{i}" for i in range(len(records["record_year"]))])


def upstream(lab_share=0.5, run_power_growth=2.0):
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
    # The power model: a flat 1 GW campus; one developer's share of 1 GW of AI capacity
    # doubling yearly; the largest run draws 10 MW in 2020, growing 2x a year (a straight
    # trend, no offset); run duration grows 1.1x a year.
    pw = fake_posterior(
        supply_reference_year=2100.0,
        supply_delay_years=0.0,
        campus_log10_gw_2025=0.0,
        campus_log10_gw_2030=0.0,
        campus_log10_growth_after_2030=0.0,
        lab_log10_share=np.log10(lab_share),
        us_ai_log10_gw_intercept=0.0,
        us_ai_log10_gw_slope=np.log10(2.0),
        power_intercept=1.0,
        power_slope=np.log10(run_power_growth),
        largest_run_power_log10_offset=0.0,
        run_duration_growth=1.1,
    )
    memory = fake_posterior(x=0.0).assign(decode_tokens_per_second=by_year(100.0 + 0 * T))
    # FLOP per dollar: 1e17 in 2020, x1.3 a year (the same rate after the newest costed run).
    cost = fake_posterior(
        cost_reference_year=2024.0,
        flop_per_usd_intercept=17.0,
        flop_per_usd_slope=np.log10(1.3),
        flop_per_usd_log10_growth_after=np.log10(1.3),
    )
    scaling = xr.Dataset()  # k and m are fixed: the law is not read
    return dict(
        compute=comp, scaling=scaling, datawall=datawall, power=pw, memory=memory, cost=cost
    )


def derive(levers=LEVERS, ups=None, **hand):
    return walls.derive(walls_posterior(**hand), ups or upstream(), levers, seed=0)


def duration_s(years):
    return np.minimum(
        walls.SECONDS_PER_YEAR / 2 * 1.1 ** (np.asarray(years) - 2030.0), walls.MAX_RUN_DURATION_S
    )


def test_each_cap_by_hand():
    out = derive()
    caps = out["cap_flop"].isel(chain=0, draw=0)
    # data: C = 6 S^2 / (k m), S = 1e14 x 1.1^t, k m = 100
    np.testing.assert_allclose(caps.sel(constraint="data"), 6 * (1e14 * 1.1**T) ** 2 / 100)
    # power: the larger supply x the largest run's FLOP per GW (its compute over its power)
    run_gw = 1e-2 * 2.0**T
    flop_per_gw = 10 ** (26.0 + 0.6 * T) / run_gw
    expected = np.maximum(1.0, 0.5 * 2.0**T) * flop_per_gw
    np.testing.assert_allclose(caps.sel(constraint="power"), expected, rtol=1e-9)
    # money: $400B x 50% (the power model's share) x 0.2 /yr x the duration, x FLOP per dollar
    spend = 4e11 * 0.5 * 0.2 * duration_s(YEARS) / walls.SECONDS_PER_YEAR
    np.testing.assert_allclose(out["spend_ceiling_usd"].isel(chain=0, draw=0), spend)
    np.testing.assert_allclose(caps.sel(constraint="money"), spend * 1e17 * 1.3**T)
    # the largest feasible run is the smallest cap
    xr.testing.assert_allclose(out["max_feasible_run_flop"], out["cap_flop"].min("constraint"))


def test_wall_years_by_hand():
    out = derive().isel(chain=0, draw=0)
    dense = np.linspace(2020.0, 2045.0, 2_500_001)
    t = dense - 2020.0
    run = 26.0 + 0.6 * t

    def first(crossed):
        return dense[np.argmax(crossed)] if crossed.any() else np.inf

    spend = np.log10(4e11 * 0.5 * 0.2 * duration_s(dense) / walls.SECONDS_PER_YEAR)
    money = first(run >= spend + 17.0 + t * np.log10(1.3))
    data = 2020 + (np.log10(6e26) - 26) / (0.6 - 2 * np.log10(1.1))
    # power: the run's 10 MW x 2^t against the campus (1 GW) and the share (0.5 GW x 2^t):
    # it passes the campus in 2026.6 but never the share, which grows as fast.
    run_gw = -2.0 + t * np.log10(2.0)
    power_wall = first((run_gw >= 0.0) & (run_gw >= np.log10(0.5) + t * np.log10(2.0)))
    np.testing.assert_allclose(out["wall_year"].sel(constraint="money"), money, atol=2e-5)
    np.testing.assert_allclose(out["wall_year"].sel(constraint="data"), data, atol=1e-9)
    assert float(out["wall_year"].sel(constraint="power")) == power_wall == np.inf
    assert float(out["first_wall_year"]) == pytest.approx(min(money, data))
    name = "money" if money < data else "data"
    assert bool(out["binds_first"].sel(constraint=name))
    assert int(out["binds_first"].sum()) == 1


def test_walls_largest_run_power_is_the_power_models():
    # The power wall the walls find is where the power model's largest run (its own function)
    # exceeds both supplies: one computation, not a restated FLOP-per-watt product.
    ups = upstream(lab_share=0.05, run_power_growth=3.0)  # the run passes both supplies
    out = derive(ups=ups).isel(chain=0, draw=0)
    pw = ups["power"].isel(chain=0, draw=0)
    year = float(out["wall_year"].sel(constraint="power"))
    mw = float(power.log10_largest_run_mw(pw, xr.DataArray(year)))
    assert mw == pytest.approx(
        3.0
        + max(
            float(power.campus_log10_gw(pw, xr.DataArray(year))),
            float(power.lab_log10_gw(pw, xr.DataArray(year))),
        ),
        abs=1e-9,
    )
    # and the cap in FLOP at any year, over the run's compute, is supply over the run's power
    cap = out["cap_flop"].sel(constraint="power")
    run_mw = 10 ** power.log10_largest_run_mw(pw, YEARS)
    supply_mw = 1e3 * np.maximum(
        10 ** power.campus_log10_gw(pw, YEARS), 10 ** power.lab_log10_gw(pw, YEARS)
    )
    np.testing.assert_allclose(cap / out["largest_run_flop"], supply_mw / run_mw, rtol=1e-9)


def test_one_shared_share_moves_every_cap_that_reads_it_and_nothing_else():
    base, more = derive(ups=upstream(0.5)), derive(ups=upstream(1.0))
    cap = {
        c: more["cap_flop"].sel(constraint=c) / base["cap_flop"].sel(constraint=c)
        for c in walls.CONSTRAINTS
    }
    assert np.allclose(cap["data"], 1.0)
    np.testing.assert_allclose(cap["money"], 2.0)  # the money cap is linear in the share
    # the power cap reads it where the share binds (after the share passes the campus)
    late = YEARS >= 2021
    np.testing.assert_allclose(cap["power"].where(late, drop=True), 2.0)
    xr.testing.assert_equal(more["largest_run_flop"], base["largest_run_flop"])


def test_data_wall_with_synthetic_tokens_is_solved_on_the_curved_stock():
    ups = upstream()
    ups["datawall"] = ups["datawall"].assign(
        synthetic_tokens_2025=xr.DataArray(3e15), synthetic_growth_per_year=xr.DataArray(3.0)
    )
    out = derive(ups=ups).isel(chain=0, draw=0)
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
        ({"capex_growth_per_year": 1.5}, {"money"}),
        ({"amortized_cost_per_cluster_usd_year": 0.4}, {"money"}),
        ({"low_precision_speedup": 2.0}, {"power", "money"}),
    ],
)
def test_a_lever_moves_only_the_caps_that_read_it(changes, moved):
    base = derive()
    levers = LEVERS | {k: v for k, v in changes.items() if k in LEVERS}
    hand = {k: v for k, v in changes.items() if k not in LEVERS}
    out = derive(levers, **hand)
    for constraint in walls.CONSTRAINTS:
        same = np.allclose(
            out["cap_flop"].sel(constraint=constraint), base["cap_flop"].sel(constraint=constraint)
        )
        assert same == (constraint not in moved), constraint
    xr.testing.assert_equal(out["largest_run_flop"], base["largest_run_flop"])


def test_levers_broadcast_and_binding_probabilities_sum_to_one():
    amortized = xr.DataArray([0.2, 0.4, 0.8], dims="scenario")
    out = derive(LEVERS | {"amortized_cost_per_cluster_usd_year": amortized})
    assert set(out["wall_year"].dims) == {"scenario", "chain", "draw", "constraint"}
    money = out["wall_year"].sel(constraint="money").isel(chain=0, draw=0)
    assert (money.diff("scenario") > 0).all()
    probs = walls.binding_probabilities(out.isel(scenario=1))
    assert sum(probs.values()) == pytest.approx(1.0)


# --- history ---------------------------------------------------------------------------------


def test_history_margins_by_hand():
    out = derive()
    margin = out["history_margin_oom"].isel(chain=0, draw=0, record=0)
    t = 0.5
    data = np.log10(6 * (1e14 * 1.1**t) ** 2 / 100) - 25.0
    np.testing.assert_allclose(margin.sel(constraint="data"), data)
    power_cap = np.log10(1e3) + (26.0 + 0.6 * t) - (1.0 + t * np.log10(2.0))
    np.testing.assert_allclose(margin.sel(constraint="power"), power_cap - 25.0)
    np.testing.assert_allclose(out["record_vs_trend_oom"].isel(chain=0, draw=0), 25.0 - 26.3)
    assert float(out["history_accepted_share"]) == 1.0


def test_a_cap_below_an_observed_run_has_no_posterior_mass():
    # Three draws of the capital spending: the first puts the money cap below a 2021 record of
    # 3e26 FLOP, the others above it. Conditioned, no draw keeps the first value.
    post = walls_posterior(records=dict(record_year=[2021.0], record_log10_flop=[26.5]))
    post["ai_capex_2025_usd_2023"] = post["ai_capex_2025_usd_2023"].copy(data=[[1e9, 4e11, 4e13]])
    money_2021 = lambda out: out["history_margin_oom"].sel(constraint="money", record="r0")  # noqa: E731
    free = walls.derive(post.assign(condition_on_history=0.0), upstream(), LEVERS, seed=0)
    assert bool((money_2021(free) < 0).any())
    kept = walls.derive(post, upstream(), LEVERS, seed=0)
    assert bool((kept["history_margin_oom"] >= 0).all())
    assert float(kept["history_accepted_share"]) == pytest.approx(2 / 3)
    assert sorted(np.unique(kept["history_source_draw"].values)) == [1, 2]
    summary = walls.history_summary(kept)
    assert summary["p_cap_below_observed_run"] == {"data": 0.0, "power": 0.0, "money": 0.0}
    assert walls.history_summary(free)["p_cap_below_observed_run"]["money"] == pytest.approx(1 / 3)


def test_history_resamples_per_scenario():
    growth = xr.DataArray([1.0, 3.0], dims="scenario")
    post = walls_posterior(records=dict(record_year=[2021.0], record_log10_flop=[26.5]))
    post["ai_capex_2025_usd_2023"] = post["ai_capex_2025_usd_2023"].copy(data=[[1e9, 4e11, 4e13]])
    out = walls.derive(post, upstream(), LEVERS | {"capex_growth_per_year": growth}, seed=0)
    assert bool((out["history_margin_oom"] >= 0).all())
    share = out["history_accepted_share"]
    assert share.dims == ("scenario",) and float(share.sel(scenario=0)) <= 1.0


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


def test_forecast_walls_json_contract(in_stored, capsys):
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
    history = entry["history"]
    assert set(history["p_cap_below_observed_run"]) == set(walls.CONSTRAINTS)
    assert max(history["p_cap_below_observed_run"].values()) == 0.0
    assert 0.0 < history["accepted_share"] <= 1.0
    assert history["record_run"]["flop"] > 1e25
    assert 0.0 <= history["p_binding_at_latest_release"] <= 1.0
    # The walls are searched from the newest release: none before a run that was trained.
    first = entry["headline"]["first_wall_year"]
    assert first["p10"] >= history["latest_release_year"] - 1e-9


def test_walls_start_at_the_newest_release_and_ties_there_go_to_the_most_exceeded_cap():
    # With the newest release in 2025 the run already exceeds the data cap (by 1.8 OOM) and the
    # money cap (by 1.3 OOM) there: both walls are "now", and the data wall binds first.
    out = derive(records=dict(record_year=[2025.0], record_log10_flop=[25.0]))
    one = out.isel(chain=0, draw=0)
    for c in ("data", "money"):
        assert float(one["wall_year"].sel(constraint=c)) == pytest.approx(2025.0)
    assert bool(one["binds_first"].sel(constraint="data")) and int(one["binds_first"].sum()) == 1
    assert sum(walls.binding_probabilities(out).values()) == pytest.approx(1.0)
    assert walls.history_summary(out)["p_binding_at_latest_release"] == 1.0


def test_money_check_by_hand():
    # A run of $1e8 in mid-2025 on a $5e9 cluster, against a ceiling of capex x share x
    # amortized rate x duration: 4e11 x 0.5 x 0.2 x (half a year x 1.1^-4.5).
    post = (
        walls_posterior()
        .assign(
            cost_record_year=("cost_record", [2025.5]),
            cost_record_usd=("cost_record", [1e8]),
            cost_record_cluster_usd=("cost_record", [5e9]),
        )
        .assign_coords(cost_record=["run"])
    )
    out = walls.derive(post, upstream(), LEVERS, seed=0)
    ceiling = 4e11 * 0.5 * 0.2 * float(duration_s(2025.5)) / walls.SECONDS_PER_YEAR
    np.testing.assert_allclose(out["cost_record_spend_ceiling_usd"], ceiling, rtol=1e-9)
    np.testing.assert_allclose(out["cost_record_cluster_share_of_capex"], 5e9 / 4e11)
    check = walls.history_summary(out)["money_check"]
    assert check["release"] == "run" and check["cost_usd"] == 1e8
    assert check["cost_share_of_ceiling"] == pytest.approx(1e8 / ceiling)
    assert check["p_ceiling_below_cost"] == 0.0


def test_the_money_cap_reproduces_the_costliest_observed_runs_cost(in_stored):
    # The money cap prices a run as its cluster x the amortized cost per dollar of cluster and
    # year x its duration. Given the costliest observed run's cluster (its purchase price, from
    # data/training_costs.csv), that price holds the run's reported amortized cost inside its
    # 80% interval over the draws.
    from forecast.store import load_run, run_path

    run = load_run(run_path("walls", "baseline"))
    draws = fit.draws(run)
    growth = fit.draws(load_run(run_path("power", "baseline")))["run_duration_growth"]
    costly = int(draws["cost_record_usd"].argmax("cost_record"))
    record = draws.isel(cost_record=costly)
    assert float(record["cost_record_cluster_usd"]) > 0
    priced = (
        record["cost_record_cluster_usd"]
        * draws["amortized_cost_per_cluster_usd_year"]
        * walls.run_duration_s(draws["run_duration_2030_s"], growth, record["cost_record_year"])
        / walls.SECONDS_PER_YEAR
    )
    low, high = (float(priced.quantile(q)) for q in (0.1, 0.9))
    assert low < float(record["cost_record_usd"]) < high
    # and the share of spending behind it is far below the share the cap assumes: the money cap
    # is what Sevilla et al.'s share would buy (reported, not tuned away).
    check = run["derived"]["cost_record_cluster_share_of_capex"].isel(cost_record=costly)
    assert float(check.median()) < 0.16


def test_walls_plan_at_a_cut_with_few_records(in_stored):
    # The records are history, not fitted rows: a cut with three calendar years of records
    # (mid-2023: 2020-2022) still plans the walls, with those records only.
    import datetime as dt

    from forecast.scenarios import as_of_cut, load_scenario

    plans = fit.plan_all(["walls"], as_of_cut(load_scenario(None), dt.date(2023, 6, 30)))
    records = plans["walls"].inputs.arrays["record_year"]
    assert 1 <= len(records) < 5 and max(records) < 2023.5


def test_a_cap_that_later_falls_below_the_largest_run_trained_has_no_posterior_mass():
    # Capital spending shrinking tenfold a year takes the money cap below the 2020 record of
    # 1e25 FLOP well before 2030 in the middle draw: what was trained stays feasible, so that
    # draw is dropped, the other two kept.
    post = walls_posterior()
    post["capex_growth_per_year"] = post["capex_growth_per_year"].copy(data=[[1.0, 0.1, 1.0]])
    free = walls.derive(post.assign(condition_on_history=0.0), upstream(), LEVERS, seed=0)
    later = free["history_later_margin_oom"].sel(constraint="money").isel(chain=0)
    assert float(later[1]) < 0 < float(later[0])
    assert float(free["history_margin_oom"].sel(constraint="money").min()) > 0  # fine in 2020
    kept = walls.derive(post, upstream(), LEVERS, seed=0)
    assert float(kept["history_accepted_share"]) == pytest.approx(2 / 3)
    assert 1 not in set(kept["history_source_draw"].values.ravel())
    assert walls.history_summary(kept)["p_cap_below_observed_run"]["money"] == 0.0
