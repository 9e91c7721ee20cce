"""Lever-only scenarios re-derived from the stored draws: grids, flat groups and chunks."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from forecast import stress
from forecast.scenarios import load_scenario
from forecast.stress import levers
from forecast.stress.sweep import Grid, Sweep, SweepAxis


def _rows(points):
    return [{"a": {"x": x, "y": y}, "b": {"z": 1.0}} for x, y in points]


def _no_unset(row):
    return ()


def test_a_grid_keeps_one_axis_per_swept_key_named_by_it():
    sweep = Sweep((SweepAxis(("a", "x"), 0.0, 2.0, 3), SweepAxis(("a", "y"), 0.1, 0.2, 2)))
    grid_points = [(x, y) for x in (0.0, 1.0, 2.0) for y in (0.1, 0.2)]
    rows = _rows([(0.0, None), *grid_points])
    swept, rest = levers._parts(rows, [Grid(1, sweep)], _no_unset)
    assert [a.dim for a in swept.axes] == ["a.x", "a.y"]
    assert [a.size for a in swept.axes] == [3, 2] and swept.members == list(range(1, 7))
    assert swept.cells[:3] == [(0, 0), (0, 1), (1, 0)]
    assert swept.constants == {"a": {}, "b": {"z": 1.0}}
    assert rest.members == [0] and rest.axes == []


def test_scenarios_outside_a_grid_share_one_flat_axis():
    # One-at-a-time points (a sensitivity sweep): one flat axis over what varies.
    (flat,) = levers._parts(_rows([(0.0, 0.1), (1.0, 0.1), (0.0, 0.2)]), [], _no_unset)
    assert [a.dim for a in flat.axes] == [levers.FLAT_DIM]
    assert [a.size for a in flat.axes] == [3] and flat.cells == [(0,), (1,), (2,)]


def test_scenarios_leaving_different_levers_unset_go_apart():
    rows = _rows([(0.0, None), (1.0, 0.2), (2.0, 0.3)])

    def unset(row):
        return tuple(k for k, v in row["a"].items() if v is None)

    parts = levers._parts(rows, [], unset)
    assert sorted(p.members for p in parts) == [[0], [1, 2]]


@pytest.mark.slow  # derives every scenario one at a time as well
def test_vectorised_chunks_equal_one_scenario_at_a_time(in_stored, levers_only, monkeypatch):
    # A 3 x 2 x 2 grid whose levers reach different models: compute's quantile reaches power,
    # cost and the walls; the grid delay power and the walls; quality the data wall and walls.
    plan = stress.build_scenarios(
        sweep=[
            "power.extra_grid_delay_years=0:4:3",
            "datawall.quality_fraction=0.1:0.3:2",
            "compute.largest_run_quantile=0.8:0.95:2",
        ]
    )
    # 2 scenarios a chunk (200 draws each): chunks cut across the grid.
    monkeypatch.setattr(levers, "CHUNK_SCENARIO_DRAWS", 2 * 200)
    together = levers_only(plan)
    for i, scenario in enumerate(plan.scenarios):
        alone = levers_only([scenario])
        xr.testing.assert_allclose(together.isel(scenario=[i]), alone, rtol=1e-12)
    flat = levers_only(plan.scenarios)  # no grid: one flat axis, the same numbers
    xr.testing.assert_allclose(together, flat, rtol=1e-12)


@pytest.mark.slow  # derives every scenario one at a time as well
def test_prior_only_parameters_set_in_some_scenarios_share_a_chunk(in_stored, levers_only):
    # Each scenario fixes a different prior-only parameter (the others read their draws):
    # one chunk, NaN where unset, and each equals its scenario derived alone.
    sets = [
        "power.lab_share=0.05",
        "power.largest_campus_2030_gw=3",
        "walls.amortized_cost_per_cluster_usd_year=0.3",
    ]
    scenarios = [s for text in sets for s in stress.build_scenarios(sets=[text]).scenarios[1:]]
    scenarios = [*stress.build_scenarios().scenarios, *scenarios]
    together = levers_only(scenarios)
    for i, scenario in enumerate(scenarios):
        alone = levers_only([scenario])
        xr.testing.assert_allclose(together.isel(scenario=[i]), alone, rtol=1e-12)
    lab = together["power.lab_run_capacity_2030_gw"].sel(stat="median")
    assert lab[1] < lab[0] and lab[2] == lab[0]  # only the scenario fixing the share moves it


def test_a_lever_moves_its_model_and_those_downstream_only(in_stored, levers_only):
    result = levers_only(stress.build_scenarios(sets=["power.lab_share=0.05"]))
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


def test_stored_draws_equal_a_refit_for_a_forward_lever(in_fitted):
    """A lever acts after the fit: re-deriving stored draws must equal sampling again."""
    from forecast import fit as fitting

    plans = fitting.plan_all(["all"], load_scenario(None))
    runs = fitting.ensure_runs(plans)
    summary, _ = stress.summarize_runs(runs)
    scenario = load_scenario("grid_delays")
    from_draws = stress.evaluate_levers([scenario], plans, runs, baseline_summary=summary)
    from_draws = from_draws.isel(scenario=0)
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


def test_thinned_sweep_at_the_baseline_levers_equals_the_baseline_row(in_stored, baseline):
    # The data wall's demand mixture assigns each draw by its labels, so re-deriving thinned
    # draws assigns them as the whole run did: the grid point at the baseline's lever values
    # (weight 0, the stacking weight; speed-up 1) reads exactly the baseline's numbers.
    plans, runs, _ = baseline
    thinned = stress.thin_runs(runs, 100)
    summary, _ = stress.summarize_runs(thinned)
    plan = stress.build_scenarios(
        sweep=["datawall.demand_weight_historical=0:0.5:3", "walls.low_precision_speedup=1:2:2"]
    )
    result = stress.evaluate_levers(
        plan.scenarios, plans, thinned, baseline_summary=summary, grids=plan.grids
    )
    weight = plan.coords["datawall.demand_weight_historical"]
    speedup = plan.coords["walls.low_precision_speedup"]

    def point(w: float) -> int:
        return int(np.flatnonzero((weight == w) & (speedup == 1.0))[0])

    for key in ("datawall.exhaustion_year", "datawall.exhaustion_year_p_by"):
        np.testing.assert_allclose(result[key][point(0.0)], result[key][0], rtol=1e-12)
    moved = result["datawall.exhaustion_year"].sel(stat="median")
    assert moved[point(0.5)] != moved[0]  # weight 0.5 moves it


@pytest.mark.slow  # derives every scenario one at a time as well
def test_a_constraint_no_chunk_reaches_is_solved_once_and_passed_in(
    in_stored, levers_only, monkeypatch
):
    # A sweep of grid delays in 4 chunks: the data wall reads nothing the delay reaches, so
    # it is solved once for the grid, not per chunk (the baseline beside it is the stored
    # baseline's summary: nothing to derive).
    from forecast.models import walls

    solved = []
    data_constraint = walls._data_constraint

    def counting(*args):
        solved.append(1)
        return data_constraint(*args)

    plan = stress.build_scenarios(sweep=["power.extra_grid_delay_years=0:4:4"])
    monkeypatch.setattr(levers, "CHUNK_SCENARIO_DRAWS", 200)  # one scenario a chunk
    monkeypatch.setattr(walls, "_data_constraint", counting)
    together = levers_only(plan)
    assert len(solved) == 1
    for i, scenario in enumerate(plan.scenarios):
        xr.testing.assert_allclose(together.isel(scenario=[i]), levers_only([scenario]), rtol=1e-12)
