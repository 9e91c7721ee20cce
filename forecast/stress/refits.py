"""Scenarios that change a fit (priors, fit options, as-of date, frontier rule): refitted.

Each is planned and fitted, or its stored runs reused, many at once on a Dask cluster: a local
one by default, or an existing one given by its scheduler address.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import xarray as xr

from forecast import fit as fitting
from forecast import parallel
from forecast.scenarios import Scenario
from forecast.stress.baseline import thin_runs
from forecast.stress.result import summarize_runs


def _summarize_plans(
    plans: Mapping[str, fitting.FitPlan],
    draws: int | None,
    sampled: Mapping[str, fitting.Sampled] | None = None,
) -> tuple[xr.Dataset, bool]:
    """Fit (or reuse) the planned runs; return their summary over ``draws`` and diagnostics.

    ``sampled``: draws a cluster sampled from some of the plans (see
    :func:`forecast.fit.ensure_runs`).
    """
    runs = fitting.ensure_runs(plans, progressbar=False, sampled=sampled)
    return summarize_runs(thin_runs(runs, draws))


def evaluate_refits(
    scenarios: Sequence[Scenario],
    *,
    scheduler: str | None = None,
    on_done: Callable[[int], None] | None = None,
    draws: int | None = None,
) -> list[tuple[xr.Dataset, bool]]:
    """Fit the scenarios that change a fit, in parallel on a Dask cluster.

    Every scenario is planned here; the models with no stored run to reuse are sampled on
    the cluster, one task per scenario (:func:`forecast.parallel.map_on_cluster`), and each
    scenario's runs are derived and stored here as its task returns.

    Parameters
    ----------
    scenarios : sequence of Scenario
    scheduler : str, optional
        Address of a running Dask scheduler; default: a local cluster (see
        :func:`forecast.parallel.map_on_cluster`).
    on_done : callable, optional
        Called with 1 as each scenario finishes.
    draws : int, optional
        Summarise each on this many of its draws (:func:`thin_runs`); default all.
    """
    all_plans = [fitting.plan_all(["all"], scenario) for scenario in scenarios]
    results: dict[int, tuple[xr.Dataset, bool]] = {}
    tasks: dict[int, parallel.Task] = {}
    for i, (scenario, plans) in enumerate(zip(scenarios, all_plans, strict=True)):
        pending = fitting.to_sample(plans)
        if pending:
            tasks[i] = parallel.Task(f"scenario {scenario.name!r}", pending)
            continue
        # Every run stored and current (or re-derived from stored draws): no worker needed,
        # and no cluster started (seconds) when nothing is to be sampled.
        results[i] = _summarize_plans(plans, draws)
        if on_done:
            on_done(1)
    order = list(tasks)

    def store_scenario(position: int, sampled: dict[str, fitting.Sampled]) -> None:
        i = order[position]
        results[i] = _summarize_plans(all_plans[i], draws, sampled)
        if on_done:
            on_done(1)

    parallel.map_on_cluster(
        [tasks[i] for i in order], scheduler=scheduler, on_result=store_scenario
    )
    return [results[i] for i in range(len(scenarios))]
