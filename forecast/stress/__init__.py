"""Stress tests: named scenarios, ``--set`` overrides, sweeps and one-at-a-time sensitivity.

A stress run takes a :class:`~forecast.stress.sweep.StressPlan` (its scenarios, the
``--sweep`` grids placed among them, a label per scenario) and returns one xarray Dataset with
a ``scenario`` dim: every headline of every model summarised per scenario (median, P10, P90;
the probabilities of a categorical headline), P(by year) curves of every event year, and
whether the fits behind each scenario passed their diagnostics.

One module per concern:

* :mod:`~forecast.stress.overrides`: ``--set KEY=VALUE`` parsed and applied to a scenario;
* :mod:`~forecast.stress.sweep`: the sweep with its named axes, the plan, the size limits;
* :mod:`~forecast.stress.levers`: **levers only** (no prior, fit-option or as-of override, so
  the fit would be the baseline's): every model a lever touches, and every model downstream,
  re-derived from the stored baseline draws, vectorised over ``(scenario, chain, draw)`` in
  chunks run in parallel by Dask. No refit;
* :mod:`~forecast.stress.refits`: **refit** (a prior, fit option or as-of date changes): each
  scenario planned and fitted (or its stored runs reused), many at once on a Dask cluster;
* :mod:`~forecast.stress.sensitivity`: the one-at-a-time sweep and the tornado;
* :mod:`~forecast.stress.result`: summaries, the result's file name and its JSON;
* :mod:`~forecast.stress.pivot`: a two-key sweep as a pivot of one headline, and its heatmap;
* :mod:`~forecast.stress.run`: one stress run, both paths together.
"""

from forecast.stress.baseline import baseline_runs, thin_runs
from forecast.stress.levers import evaluate_levers
from forecast.stress.overrides import check_headline_key, parse_assignment, with_assignments
from forecast.stress.refits import evaluate_refits
from forecast.stress.result import (
    headline_keys,
    key_headlines,
    result_name,
    result_to_json,
    summarize_models,
    summarize_runs,
    swept_keys,
)
from forecast.stress.run import run_stress
from forecast.stress.sensitivity import (
    SensitivityPoint,
    sensitivity_plan,
    sensitivity_points,
    tornado,
)
from forecast.stress.sweep import (
    MAX_SCENARIO_DRAWS,
    MAX_SCENARIOS,
    MIN_SWEEP_DRAWS,
    Grid,
    StressPlan,
    Sweep,
    SweepAxis,
    build_scenarios,
    check_size,
    stored_draws,
)

__all__ = [
    "MAX_SCENARIOS",
    "MAX_SCENARIO_DRAWS",
    "MIN_SWEEP_DRAWS",
    "Grid",
    "SensitivityPoint",
    "StressPlan",
    "Sweep",
    "SweepAxis",
    "baseline_runs",
    "build_scenarios",
    "check_headline_key",
    "check_size",
    "evaluate_levers",
    "evaluate_refits",
    "headline_keys",
    "key_headlines",
    "parse_assignment",
    "result_name",
    "result_to_json",
    "run_stress",
    "sensitivity_plan",
    "sensitivity_points",
    "stored_draws",
    "summarize_models",
    "summarize_runs",
    "swept_keys",
    "thin_runs",
    "tornado",
    "with_assignments",
]
