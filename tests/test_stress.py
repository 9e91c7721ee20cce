"""The stress engine: scenarios, overrides, sweeps, sensitivity, refits on Dask."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from forecast import stress
from forecast.errors import InputError
from forecast.scenarios import load_scenario
from tests.conftest import run_cli


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("power.lab_share", "expected KEY=VALUE"),
        ("nosuch.lever=1", "unknown model 'nosuch'"),
        ("power.nosuch=1", "unknown lever"),
        ("power.lab_share=2.0", "expected a number in [0.001, 1.0]"),
        ("power.extra_grid_delay_years=-1", "outside the allowed range"),
        ("cost.fit.cost_method=rental", "expected one of"),
        ("datawall.priors.nosuch.dist=Normal", "unknown prior"),
        ("power.fit.x.y=1", "expected MODEL.LEVER"),
    ],
)
def test_bad_overrides_are_refused_naming_the_key(text, message):
    with pytest.raises(InputError) as info:
        stress.build_scenarios(sets=[text])
    assert message in str(info.value)


def test_bad_sweep_is_refused(capsys):
    assert run_cli("stress", "--sweep", "power.extra_grid_delay_years=0:5") == 2
    assert "LO:HI:N" in capsys.readouterr().err
    assert run_cli("stress", "--sweep", "power.extra_grid_delay_years=0:50:3") == 2


def test_sweep_grid_and_names():
    scenarios, coords = stress.build_scenarios(
        ["grid_delays"],
        sets=["walls.low_precision_speedup=2"],
        sweeps=["power.lab_share=0.1:0.3:3", "cost.flop_per_usd_growth_per_year=1.2:1.4:2"],
    )
    assert scenarios[0].name == "baseline" and len(scenarios) == 1 + 3 * 2
    last = scenarios[-1]
    assert last.name == (
        "grid_delays[walls.low_precision_speedup=2][power.lab_share=0.3]"
        "[cost.flop_per_usd_growth_per_year=1.4]"
    )
    assert last.for_model("power").levers == {"extra_grid_delay_years": 2.0, "lab_share": 0.3}
    assert last.for_model("walls").levers == {"low_precision_speedup": 2}
    np.testing.assert_allclose(coords["power.lab_share"].values[1:], [0.1, 0.1, 0.2, 0.2, 0.3, 0.3])
    assert np.isnan(coords["power.lab_share"].values[0])


def test_refit_needed_only_for_priors_options_and_as_of():
    assert not stress.needs_refit(load_scenario("grid_delays"))
    assert stress.needs_refit(load_scenario("cottier2024"))  # as_of and fit options
    (_, set_prior), _ = stress.build_scenarios(
        sets=["cost.priors.run_compute_sigma.kwargs.sigma=0.5"]
    )
    assert stress.needs_refit(set_prior)


def test_sensitivity_points_cover_levers_and_prior_only_parameters():
    points = stress.sensitivity_points()
    by_key = {(p.model, p.parameter, p.end): p for p in points}
    assert by_key[("cost", "flop_per_usd_growth_per_year", "p10")].value == 1.26
    assert by_key[("walls", "low_precision_speedup", "p90")].source == "lever"
    low = by_key[("datawall", "quality_fraction", "p10")]
    high = by_key[("datawall", "quality_fraction", "p90")]
    assert low.source == "prior" and 0.1 < low.value < high.value < 0.4
    assert ("compute", "largest_run_quantile", "p10") not in by_key  # no declared range


@pytest.fixture(scope="module")
def baseline(fitted_project):
    """Plans, runs and summary of the small baseline fit."""
    from forecast import fit as fitting

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAWALL_ROOT", str(fitted_project))
        mp.setenv("DATAWALL_RUNS", str(fitted_project / "runs"))
        plans = fitting.plan_all(["all"], load_scenario(None))
        runs = fitting.ensure_runs(plans)
        summary, _ = stress.summarize_runs(runs)
    return plans, runs, summary


def _levers_only(scenarios, baseline):
    plans, runs, summary = baseline
    return stress.evaluate_levers(scenarios, plans, runs, baseline_summary=summary)


def test_sweep_grids_are_found_among_other_scenarios():
    def rows(points):
        return [{"a": {"x": x, "y": y}, "b": {"z": 1.0}} for x, y in points]

    grid = [(x, y) for x in (0.0, 1.0, 2.0) for y in (0.1, 0.2)]
    # The baseline (x=0 as on the grid, y unset) beside a 3 x 2 sweep: a grid and a remainder.
    (swept, rest) = stress._grid_parts(rows([(0.0, None), *grid]), list(range(7)))
    assert [a.size for a in swept.axes] == [3, 2] and swept.members == list(range(1, 7))
    assert swept.cells[:3] == [(0, 0), (0, 1), (1, 0)]
    assert rest.members == [0] and rest.constants == {"a": {}, "b": {"z": 1.0}}
    # One-at-a-time points (a sensitivity sweep) are no grid: one flat axis.
    (flat,) = stress._grid_parts(rows([(0.0, 0.1), (1.0, 0.1), (0.0, 0.2)]), [0, 1, 2])
    assert [a.size for a in flat.axes] == [3] and flat.cells == [(0,), (1,), (2,)]


def test_vectorised_chunks_equal_one_scenario_at_a_time(in_fitted, baseline, monkeypatch):
    # A 3 x 2 x 2 grid whose levers reach different models: compute's quantile reaches power,
    # cost and the walls; the grid delay power and the walls; quality the data wall and walls.
    scenarios, _ = stress.build_scenarios(
        sweeps=[
            "power.extra_grid_delay_years=0:4:3",
            "datawall.quality_fraction=0.1:0.3:2",
            "compute.largest_run_quantile=0.8:0.95:2",
        ]
    )
    # 2 scenarios a chunk (400 draws each): chunks cut across the grid.
    monkeypatch.setattr(stress, "CHUNK_SCENARIO_DRAWS", 2 * 400)
    together = _levers_only(scenarios, baseline)
    for i, scenario in enumerate(scenarios):
        alone = _levers_only([scenario], baseline)
        xr.testing.assert_allclose(together.isel(scenario=[i]), alone, rtol=1e-12)


def test_prior_only_parameters_set_in_some_scenarios_share_a_chunk(in_fitted, baseline):
    # Each scenario fixes a different prior-only parameter (the others read their draws):
    # one chunk, NaN where unset, and each equals its scenario derived alone.
    sets = [
        "power.lab_share=0.05",
        "power.largest_campus_2030_gw=3",
        "walls.amortized_cost_per_cluster_usd_year=0.3",
    ]
    scenarios = [s for text in sets for s in stress.build_scenarios(sets=[text])[0][1:]]
    scenarios = stress.build_scenarios()[0] + scenarios
    together = _levers_only(scenarios, baseline)
    for i, scenario in enumerate(scenarios):
        alone = _levers_only([scenario], baseline)
        xr.testing.assert_allclose(together.isel(scenario=[i]), alone, rtol=1e-12)
    lab = together["power.lab_run_capacity_2030_gw"].sel(stat="median")
    assert lab[1] < lab[0] and lab[2] == lab[0]  # only the scenario fixing the share moves it


def test_a_lever_moves_its_model_and_those_downstream_only(in_fitted, baseline):
    scenarios, _ = stress.build_scenarios(sets=["power.lab_share=0.05"])
    result = _levers_only(scenarios, baseline)
    base, low = result.isel(scenario=0), result.isel(scenario=1)
    assert float(low["power.distributed_wall_year"].sel(stat="median")) < float(
        base["power.distributed_wall_year"].sel(stat="median")
    )
    assert float(low["walls.power_cap_2030_flop"].sel(stat="median")) < float(
        base["walls.power_cap_2030_flop"].sel(stat="median")
    )
    for untouched in (
        "datawall.exhaustion_year",
        "cost.first_1b_run_year",
        "power.power_growth_per_year",
    ):
        xr.testing.assert_equal(low[untouched], base[untouched])


def test_stored_draws_equal_a_refit_for_a_forward_lever(in_fitted, baseline):
    """A lever acts after the fit: re-deriving stored draws must equal sampling again."""
    from forecast import fit as fitting

    scenario = load_scenario("grid_delays")
    from_draws = _levers_only([scenario], baseline).isel(scenario=0)
    plans = fitting.plan_all(["all"], scenario)
    runs = fitting.ensure_runs(plans, refit=("power",))  # same seed, sampled afresh
    assert runs["power"].attrs["scenario"] == "grid_delays"
    refitted, _ = stress.summarize_runs(runs)
    for key in (
        "power.single_campus_wall_year",
        "power.distributed_wall_year",
        "walls.first_wall_year",
    ):
        xr.testing.assert_allclose(from_draws[key], refitted[key], rtol=1e-12)


def test_p_by_year_counts_like_probability_by():
    from forecast.summary import probability_by

    draws = xr.DataArray([[2026.2, 2027.0, 2031.5, np.inf, np.nan, 2024.0]], dims=("chain", "draw"))
    curve = probability_by(draws, stress.P_BY_YEARS)
    # The definition, by comparison: the event no later than the end of year Y.
    grid = xr.DataArray(np.asarray(stress.P_BY_YEARS, float), dims="by_year")
    expected = (draws <= grid + 1.0).mean(("chain", "draw"))
    np.testing.assert_allclose(curve.values, expected.values)


def test_sweep_draws_thin_every_chain_evenly_and_say_so(in_fitted, baseline, capsys):
    plans, runs, _ = baseline
    thinned = stress.thin_runs(runs, 200)
    draws = thinned["power"]["posterior"]["draw"]
    assert thinned["power"]["posterior"].sizes["draw"] == 100  # of 200 per chain
    np.testing.assert_array_equal(draws, runs["power"]["posterior"]["draw"][::2])
    assert all((run["posterior"]["draw"] == draws).all() for run in thinned.values())  # paired
    scenarios, coords = stress.build_scenarios(sweeps=["power.lab_share=0.1:0.3:3"])
    result = stress.run_stress(scenarios, baseline=(plans, runs), sweep_coords=coords, draws=200)
    assert result.attrs["draws"] == 200 and result.attrs["draws_stored"] == 400
    expected, _ = stress.summarize_runs(thinned)  # the baseline row: over the same 200 draws
    for key, value in expected.data_vars.items():
        got = result[key].isel(scenario=0).values
        if key.startswith("walls."):
            # The walls condition on history over the draws they are derived from (rejection
            # of the joint draws with a cap below a trained run), so re-deriving 200 draws
            # resamples among those 200: equal within Monte Carlo error, not draw for draw.
            continue
        np.testing.assert_allclose(got, value.values)
    first = "walls.first_wall"
    if first in expected:
        np.testing.assert_allclose(
            result[first].isel(scenario=0).values, expected[first].values, atol=0.1
        )
    args = ("stress", "--sweep", "power.lab_share=0.1:0.3:3", "--sweep-draws")
    assert run_cli(*args, "50") == 2
    assert "--sweep-draws" in capsys.readouterr().err
    assert run_cli(*args, "200", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["draws"] == 200 and report["draws_stored"] == 400


def test_thinned_sweep_at_the_baseline_levers_equals_the_baseline_row(in_fitted, baseline):
    # The data wall's demand mixture assigns each draw by its labels, so re-deriving thinned
    # draws assigns them as the whole run did: the grid point at the baseline's lever values
    # (weight 0, the stacking weight; speed-up 1) reads exactly the baseline's numbers.
    plans, runs, _ = baseline
    thinned = stress.thin_runs(runs, 200)
    summary, _ = stress.summarize_runs(thinned)
    scenarios, _ = stress.build_scenarios(
        sweeps=[
            "datawall.demand_weight_historical=0:0.5:3",
            "walls.low_precision_speedup=1:2:2",
        ]
    )
    result = stress.evaluate_levers(scenarios, plans, thinned, baseline_summary=summary)
    names = [s.name for s in scenarios]

    def point(weight: str) -> int:
        return next(
            i
            for i, name in enumerate(names)
            if f"demand_weight_historical={weight}]" in name and "speedup=1]" in name
        )

    for key in ("datawall.exhaustion_year", "datawall.exhaustion_year_p_by"):
        np.testing.assert_allclose(result[key][point("0")], result[key][0], rtol=1e-12)
    moved = result["datawall.exhaustion_year"].sel(stat="median")
    assert moved[point("0.5")] != moved[0]  # weight 0.5 moves it


def test_cli_stress_json_table_and_saved_dataset(in_fitted, capsys):
    code = run_cli(
        "stress", "--scenario", "grid_crunch", "--scenario", "hardware_slowdown", "--json"
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    names = [s["scenario"] for s in report["scenarios"]]
    assert names == ["baseline", "grid_crunch", "hardware_slowdown"]
    crunch = report["scenarios"][1]["headline"]
    base = report["scenarios"][0]["headline"]
    assert (
        crunch["power.lab_run_capacity_2030_gw"]["median"]
        < base["power.lab_run_capacity_2030_gw"]["median"]
    )
    assert set(crunch["walls.first_wall"]["p"]) == {"data", "power", "money"}
    saved = xr.open_dataset(report["saved"])
    assert saved.sizes["scenario"] == 3 and "datawall.exhaustion_year_p_by" in saved
    assert run_cli("stress", "--scenario", "grid_crunch", "--headline", "nosuch.x") == 2


def test_sensitivity_gives_tornado_data(in_fitted, capsys):
    assert run_cli("stress", "--sensitivity", "--headline", "walls.first_wall_year", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    bars = report["tornado"]["walls.first_wall_year"]
    speedup = bars["walls.low_precision_speedup"]
    assert speedup["p90"] >= speedup["p10"]  # FP8 doubles power's FLOP: later wall
    assert all(b["swing"] >= 0 for k, b in bars.items() if k != "baseline")


def test_refits_run_on_a_local_dask_cluster_with_two_workers(in_fitted):
    scenarios, _ = stress.build_scenarios(
        ["baseline"],
        sweeps=["cost.priors.flop_per_usd_sigma.kwargs.sigma=0.2:0.4:2"],
    )
    refits = [s for s in scenarios if stress.needs_refit(s)]
    assert len(refits) == 2
    results = stress.evaluate_refits(refits)
    for summary, passed in results:
        assert isinstance(passed, bool)
        assert "cost.cost_growth_per_year" in summary
    # each scenario's cost run was fitted and stored under its own name
    runs = in_fitted / "runs"
    assert all((runs / s.name / "cost.nc").is_file() for s in refits)
