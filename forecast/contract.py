"""The ``forecast --json`` contract: one model's entry, read from its stored run.

What ``datawall forecast --json`` prints per model, and what the reports' ``summary.json`` holds
under ``models``: the headlines summarised (:mod:`forecast.summary`), the diagnostics, the
model's extras and where the run came from.
"""

from __future__ import annotations

from typing import Any

import xarray as xr

from forecast import store
from forecast.models.base import ModelSpec
from forecast.summary import summarize


def model_summary(spec: ModelSpec, run: xr.DataTree) -> dict[str, Any]:
    """Return one model's entry of the ``forecast --json`` contract.

    ``{"headline": {NAME: {"median", "p10", "p90", "unit"}}, "diagnostics": {"rhat_max",
    "ess_bulk_min", "divergences", "passed"}, ...extras, "run": {...}}``
    """
    derived = run["derived"].to_dataset()
    diagnostics = store.diagnostics(run)
    out: dict[str, Any] = {
        "headline": {k: summarize(v).to_dict() for k, v in spec.headline(derived).items()},
        "diagnostics": {
            "rhat_max": diagnostics["rhat_max"],
            "ess_bulk_min": diagnostics["ess_bulk_min"],
            "divergences": diagnostics["divergences"],
            "passed": diagnostics["passed"],
        },
    }
    if spec.extras:
        out.update(spec.extras(derived))
    out["run"] = {
        "scenario": run.attrs["scenario"],
        "as_of": run.attrs["as_of"] or None,
        "latest_row_date": run.attrs.get("latest_row_date") or None,
        "config_id": run.attrs["config_id"],
        "draws": int(run["posterior"].sizes["draw"] * run["posterior"].sizes["chain"]),
        "version": run.attrs["version"],
    }
    return out
