"""The baseline runs every lever-only scenario is derived from, and thinning their draws."""

from __future__ import annotations

import math
from collections.abc import Mapping

import xarray as xr

from forecast import fit as fitting
from forecast.errors import InputError
from forecast.scenarios import BASELINE, load_scenario
from forecast.stress.sweep import MIN_SWEEP_DRAWS


def thin_runs(runs: Mapping[str, xr.DataTree], draws: int | None) -> dict[str, xr.DataTree]:
    """Keep about ``draws`` of each run's draws, evenly spaced within every chain.

    Every run keeps the same (chain, draw) pairs, so the draws stay paired across models.
    ``None`` keeps them all.
    """
    runs = dict(runs)
    if draws is None:
        return runs
    posterior = next(iter(runs.values()))["posterior"]
    chains, stored = posterior.sizes["chain"], posterior.sizes["draw"]
    if not MIN_SWEEP_DRAWS <= draws <= chains * stored:
        raise InputError(
            "--sweep-draws",
            f"{draws} is outside {MIN_SWEEP_DRAWS}..{chains * stored} (the stored draws)",
        )
    stride = max(1, stored // math.ceil(draws / chains))
    return {name: run.isel(draw=slice(None, None, stride)) for name, run in runs.items()}


def baseline_runs() -> tuple[dict[str, fitting.FitPlan], dict[str, xr.DataTree]]:
    """Return the baseline plans and runs every lever-only scenario is derived from.

    Fits the baseline first if no current run is stored.
    """
    baseline = load_scenario(BASELINE)
    if baseline.changes_fit:
        raise InputError(
            baseline.path or BASELINE,
            "the baseline scenario must not override priors, fit options, as_of or [data]",
        )
    plans = fitting.plan_all(["all"], baseline)
    return plans, fitting.ensure_runs(plans, progressbar=False)
