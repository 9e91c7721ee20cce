"""Fixtures of the stress engine's tests: the committed baseline runs, levers derived on them."""

from __future__ import annotations

import pytest

from forecast import stress
from forecast.scenarios import load_scenario


@pytest.fixture(scope="module")
def baseline(stored_project):
    """Plans, runs and summary of the small baseline fit."""
    from forecast import fit as fitting

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAWALL_ROOT", str(stored_project))
        mp.setenv("DATAWALL_RUNS", str(stored_project / "runs"))
        plans = fitting.plan_all(["all"], load_scenario(None))
        runs = fitting.ensure_runs(plans)
        summary, _ = stress.summarize_runs(runs)
    return plans, runs, summary


@pytest.fixture
def levers_only(baseline):
    """Evaluate lever-only scenarios (a list, or a plan with its grids) on the baseline."""
    plans, runs, summary = baseline

    def evaluate(scenarios, grids=()):
        if isinstance(scenarios, stress.StressPlan):
            scenarios, grids = scenarios.scenarios, scenarios.grids
        return stress.evaluate_levers(
            list(scenarios), plans, runs, baseline_summary=summary, grids=grids
        )

    return evaluate
