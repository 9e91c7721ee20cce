"""A stress run: the lever-only scenarios re-derived, the others refitted, one result."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping

import numpy as np
import xarray as xr

from forecast import __version__
from forecast import fit as fitting
from forecast.stress.baseline import baseline_runs, thin_runs
from forecast.stress.levers import evaluate_levers
from forecast.stress.refits import evaluate_refits
from forecast.stress.result import summarize_runs
from forecast.stress.sweep import StressPlan


def run_stress(
    plan: StressPlan,
    *,
    baseline: tuple[Mapping[str, fitting.FitPlan], Mapping[str, xr.DataTree]] | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    draws: int | None = None,
) -> xr.Dataset:
    """Evaluate a plan's scenarios and return their summaries over a ``scenario`` dim.

    Lever-only scenarios are re-derived from the baseline runs (``baseline``, else
    :func:`baseline_runs`); the others are refitted (see :func:`evaluate_refits`). With
    ``draws``, every scenario (the baseline too) is summarised on that many of the stored
    draws, evenly spaced within each chain (:func:`thin_runs`): a large sweep runs in a
    fraction of the time, at a larger Monte Carlo error; the result's attrs say how many.

    Returns
    -------
    xarray.Dataset
        ``{model}.{headline}`` over ``(scenario, stat)`` (categorical: ``(scenario,
        <category>)``), ``{model}.{headline}_p_by`` over ``(scenario, by_year)``,
        ``diagnostics_passed`` and ``refit`` over ``scenario``; coords ``description`` and the
        plan's labels (the swept values, the sensitivity ends).
    """
    plans, stored = baseline or baseline_runs()
    runs = thin_runs(stored, draws)  # the attrs (diagnostics) are kept
    baseline_summary, baseline_passed = summarize_runs(runs)

    scenarios = plan.scenarios
    total = len(scenarios)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    refit_index = [i for i, s in enumerate(scenarios) if s.changes_fit]
    refit_set = set(refit_index)
    lever_index = [i for i in range(total) if i not in refit_set]
    # A grid of levers on a scenario that is not refitted: its points, consecutive in the
    # plan, stay consecutive among the lever-only scenarios.
    position = {i: n for n, i in enumerate(lever_index)}
    grids = [
        dataclasses.replace(g, start=position[g.start])
        for g in plan.grids
        if all(i in position for i in g.members)
    ]
    lever_part = evaluate_levers(
        [scenarios[i] for i in lever_index],
        plans,
        runs,
        baseline_summary=baseline_summary,
        grids=grids,
        on_chunk=tick,
    )
    refits = evaluate_refits(
        [scenarios[i] for i in refit_index], scheduler=scheduler, on_done=tick, draws=draws
    )
    pieces = [lever_part] + [summary.expand_dims(scenario=1) for summary, _ in refits]
    order = np.argsort(np.asarray(lever_index + refit_index, dtype=int))
    result = xr.concat(pieces, dim="scenario", coords="minimal", compat="override")
    result = result.isel(scenario=order)
    passed = np.full(total, baseline_passed)
    passed[refit_index] = [ok for _, ok in refits]
    names = [s.name for s in scenarios]
    result = result.assign_coords(
        scenario=names,
        description=("scenario", [s.description for s in scenarios]),
        **{k: ("scenario", v) for k, v in plan.coords.items()},
    )
    result["diagnostics_passed"] = xr.DataArray(passed, dims="scenario")
    result["refit"] = xr.DataArray([i in refit_set for i in range(total)], dims="scenario")
    result.attrs = {
        "version": __version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "baseline_config_ids": ",".join(f"{n}:{r.attrs['config_id']}" for n, r in runs.items()),
        "draws": int(runs["compute"]["posterior"].sizes["draw"])
        * int(runs["compute"]["posterior"].sizes["chain"]),
        "draws_stored": int(stored["compute"]["posterior"].sizes["draw"])
        * int(stored["compute"]["posterior"].sizes["chain"]),
    }
    return result
