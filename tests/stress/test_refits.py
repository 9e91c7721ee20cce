"""Scenarios that change a fit: refitted on a local Dask cluster, stored under their names."""

from __future__ import annotations

from forecast import stress


def test_refits_run_on_a_local_dask_cluster_with_two_workers(in_fitted):
    plan = stress.build_scenarios(
        ["baseline"], sweep=["cost.priors.flop_per_usd_sigma.kwargs.sigma=0.2:0.4:2"]
    )
    refits = [s for s in plan.scenarios if s.changes_fit]
    assert len(refits) == 2
    results = stress.evaluate_refits(refits)
    for summary, passed in results:
        assert isinstance(passed, bool)
        assert "cost.cost_growth_per_year" in summary
    # each scenario's cost run was fitted and stored under its own name
    runs = in_fitted / "runs"
    assert all((runs / s.name / "cost.nc").is_file() for s in refits)
