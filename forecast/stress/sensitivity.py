"""One-at-a-time sensitivity: every lever and prior-only parameter at its P10 and its P90.

:func:`sensitivity_plan` gives the baseline and one scenario per end of each parameter's
range, labelled (``sensitivity_parameter``, ``sensitivity_end``) so that :func:`tornado` reads
the result by those labels, never by the scenarios' names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from forecast.models import REGISTRY
from forecast.models.base import model_priors
from forecast.scenarios import BASELINE, load_scenario
from forecast.stress.overrides import with_assignments
from forecast.stress.sweep import StressPlan

#: The result's coords saying which parameter, and which end of its range, a scenario sets.
PARAMETER = "sensitivity_parameter"
END = "sensitivity_end"
ENDS = ("p10", "p90")


@dataclass(frozen=True)
class SensitivityPoint:
    """One end of one parameter's range in a one-at-a-time sweep."""

    model: str
    parameter: str
    end: str  # "p10" or "p90"
    value: float
    source: str  # "lever" (declared P10/P90) or "prior" (the prior's quantile)


def sensitivity_points(models: Iterable[str] = REGISTRY) -> list[SensitivityPoint]:
    """Return the ends of every parameter's range for a one-at-a-time sweep.

    Levers with a declared ``p10``/``p90`` take those; prior-only parameters (stock parts,
    campus sizes, capex...) take their prior's 10% and 90% quantiles.
    """
    points = []
    for name in models:
        spec = REGISTRY[name]
        priors = model_priors(spec)
        for lever_name, lever_spec in priors.levers.items():
            if lever_spec.p10 is not None and lever_spec.p90 is not None:
                for end in ("p10", "p90"):
                    points.append(
                        SensitivityPoint(name, lever_name, end, getattr(lever_spec, end), "lever")
                    )
        for parameter in spec.forward_bounds:
            lo, hi = priors[parameter].quantile(np.array([0.1, 0.9]))
            points.append(SensitivityPoint(name, parameter, "p10", float(lo), "prior"))
            points.append(SensitivityPoint(name, parameter, "p90", float(hi), "prior"))
    return points


def sensitivity_plan(models: Iterable[str] = REGISTRY) -> StressPlan:
    """Return the baseline and one scenario per :func:`sensitivity_points` entry, labelled."""
    baseline = load_scenario(BASELINE)
    scenarios, parameters, ends = [baseline], [""], [""]
    for point in sensitivity_points(models):
        path = (point.model, point.parameter)
        name = f"{point.model}.{point.parameter}@{point.end}"
        scenarios.append(with_assignments(baseline, [(path, point.value)], name=name, where=name))
        parameters.append(".".join(path))
        ends.append(point.end)
    coords = {PARAMETER: np.asarray(parameters, dtype=object), END: np.asarray(ends, dtype=object)}
    return StressPlan(tuple(scenarios), coords)


def tornado(result: xr.Dataset, headlines: Sequence[str]) -> xr.Dataset:
    """Reshape a sensitivity stress result into tornado data.

    Each headline's median at each parameter's P10 and P90, the baseline median, and the swing.
    The scenarios are found by the labels :func:`sensitivity_plan` gives them.

    Returns
    -------
    xarray.Dataset
        Variables ``{headline}`` with dims ``(parameter, end)``, ``{headline}_baseline`` and
        ``{headline}_swing`` (``|median at P90 - median at P10|``) over ``parameter``.
    """
    labels = result[PARAMETER].values.astype(str)
    ends = result[END].values.astype(str)
    parameters = list(dict.fromkeys(p for p in labels if p))
    position = {(p, e): i for i, (p, e) in enumerate(zip(labels, ends, strict=True)) if p}
    cells = np.array([[position[p, end] for end in ENDS] for p in parameters], dtype=int)
    out = {}
    for headline in headlines:
        median = result[headline].sel(stat="median")
        values = median.values[cells].astype(float) if parameters else np.empty((0, 2))
        out[headline] = xr.DataArray(
            values,
            dims=("parameter", "end"),
            coords={"parameter": parameters, "end": list(ENDS)},
            attrs=dict(result[headline].attrs),
        )
        out[f"{headline}_baseline"] = median.sel(scenario=BASELINE).drop_vars("scenario")
        with np.errstate(invalid="ignore"):
            swing = np.abs(values[:, 1] - values[:, 0])
        out[f"{headline}_swing"] = xr.DataArray(
            swing, dims="parameter", coords={"parameter": parameters}
        )
    return xr.Dataset(out)
