"""A stress run's result: every headline summarised per scenario, its file name, its JSON.

The result is one xarray Dataset over ``scenario``: ``{model}.{headline}`` over ``(scenario,
stat)`` (a categorical headline: ``(scenario, <category>)``), ``{model}.{headline}_p_by`` over
``(scenario, by_year)`` for event years, ``diagnostics_passed`` and ``refit``; the plan's
labels (swept values, sensitivity ends) as coords over ``scenario``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from forecast import store
from forecast.fingerprint import fingerprint
from forecast.models import REGISTRY
from forecast.models.reporting import in_report_order
from forecast.paths import folder_name
from forecast.scenarios import BASELINE
from forecast.settings import SETTINGS
from forecast.summary import Headline, finite_or_none, probability_by, summarize_scenarios


def key_headlines() -> tuple[str, ...]:
    """Return the headlines shown on the terminal unless others are asked for.

    What each registered model declares (``ModelReport.stress_headlines``), in report order.
    """
    return tuple(
        f"{name}.{headline}"
        for name, report in in_report_order(REGISTRY.values())
        for headline in report.stress_headlines
    )


def summarize_models(
    derived: Mapping[str, xr.Dataset], only_dims: set[str] | None = None
) -> xr.Dataset:
    """Summarise every model's headlines (``model.name``) and P(by year) curves of event years.

    With ``only_dims``, only the headlines that vary along one of those dims are summarised.
    """
    out = {}
    for name, dataset in derived.items():
        quantities = REGISTRY[name].headline(dataset)
        if only_dims is not None:
            quantities = {k: q for k, q in quantities.items() if only_dims & set(q.draws.dims)}
        for key, summary in summarize_scenarios(quantities).data_vars.items():
            out[f"{name}.{key}"] = summary
        for key, quantity in quantities.items():
            if quantity.unit == "year" and quantity.category_dim is None:
                out[f"{name}.{key}_p_by"] = probability_by(
                    quantity.draws, SETTINGS.probability_years.stress_curves
                )
    return xr.Dataset(out)


def summarize_runs(runs: Mapping[str, xr.DataTree]) -> tuple[xr.Dataset, bool]:
    """Return the summary of a scenario's runs and whether every one passed its diagnostics."""
    summary = summarize_models({name: run["derived"].to_dataset() for name, run in runs.items()})
    return summary, all(store.diagnostics(run)["passed"] for run in runs.values())


def result_name(
    names: Sequence[str],
    sets: Sequence[str],
    sweeps: Sequence[str],
    sensitivity: bool = False,
    draws: int | None = None,
) -> str:
    """Return the file a stress result is saved in by default, under ``runs/stress/``.

    Named from the request, so two stress runs at once never write one file unless they ask
    for the same thing (and then compute the same result): the scenario names (``baseline``,
    ``sensitivity``), then a digest of everything else asked for (overrides, sweeps, draws,
    scenario files given by path) when there is any.
    """
    plain = [n for n in names if Path(n).suffix != ".toml"]
    files = [str(Path(n).resolve()) for n in names if Path(n).suffix == ".toml"]
    label = "sensitivity" if sensitivity else "+".join([*plain, *map(_stem, files)]) or BASELINE
    extra = [*files, *sets, *sweeps] + ([f"draws={draws}"] if draws else [])
    if extra or len(label) > 60:
        digest = fingerprint([label, extra])[:10]
        label = f"{label[:60]}-{digest}"
    return folder_name(label) + ".nc"


def _stem(path: str) -> str:
    return Path(path).stem


def _headline_entries(result: xr.Dataset, key: str) -> list[dict[str, Any]]:
    """Return one headline for every scenario in the ``forecast --json`` shape."""
    var = result[key].transpose("scenario", ...)
    unit = var.attrs.get("unit", "")
    if "stat" in var.dims:
        stats = var.transpose(..., "stat").sel(stat=["median", "p10", "p90"]).values
        return [Headline(*map(finite_or_none, row), unit).to_dict() for row in stats]
    categories = [str(c) for c in var[var.dims[1]].values]
    entries = []
    for row in var.values:
        best = int(np.argmax(row))
        headline = Headline(float(row[best]), None, None, unit, categories[best])
        entries.append(
            headline.to_dict() | {"p": dict(zip(categories, map(float, row), strict=True))}
        )
    return entries


def headline_keys(result: xr.Dataset) -> list[str]:
    """Return the ``model.headline`` names of a stress result (P(by year) curves excluded)."""
    return [str(k) for k in result.data_vars if "." in str(k) and not str(k).endswith("_p_by")]


def swept_keys(result: xr.Dataset) -> list[str]:
    """Return the keys a stress result swept (``model.lever``): its coords over ``scenario``.

    Each holds the key's value per scenario, NaN where it is not swept (the baseline row).
    """
    return [str(c) for c in result.coords if "." in str(c)]


def result_to_json(result: xr.Dataset, headlines: Sequence[str] | None = None) -> dict[str, Any]:
    """Return a stress result as JSON-ready dicts, one per scenario."""
    keys = list(headlines or headline_keys(result))
    swept = swept_keys(result)
    columns = {k: _headline_entries(result, k) for k in keys}
    # Columns as plain arrays, read once (indexing the Dataset per scenario is slow at 10,000).
    descriptions = result["description"].values
    refit, passed = result["refit"].values, result["diagnostics_passed"].values
    swept_values = {k: result[k].values for k in swept}
    scenarios = []
    for i, name in enumerate(result["scenario"].values):
        entry: dict[str, Any] = {
            "scenario": str(name),
            "description": str(descriptions[i]),
            "refit": bool(refit[i]),
            "diagnostics_passed": bool(passed[i]),
        }
        values = {k: float(v[i]) for k, v in swept_values.items()}
        if any(math.isfinite(v) for v in values.values()):
            entry["swept"] = values
        entry["headline"] = {k: columns[k][i] for k in keys}
        scenarios.append(entry)
    return {
        "draws": result.attrs.get("draws"),
        "draws_stored": result.attrs.get("draws_stored"),
        "scenarios": scenarios,
    }
