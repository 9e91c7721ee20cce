"""Posterior summaries: medians, central intervals and exceedance probabilities.

Crossing years that never happen inside the search horizon are stored as ``+inf``; quantiles
count them (a median of ``+inf`` means "not before the horizon" for over half the draws) and
JSON output writes them as ``null``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from forecast import store
from forecast.models.base import Headline, ModelSpec
from forecast.settings import SETTINGS

SAMPLE_DIMS = ("chain", "draw")


def _quantiles(values: np.ndarray, probs: np.ndarray) -> np.ndarray:
    ordered = np.sort(values[~np.isnan(values)])
    if ordered.size == 0:
        return np.full(probs.shape, np.nan)
    position = probs * (ordered.size - 1)
    lower = np.floor(position).astype(int)
    upper = np.ceil(position).astype(int)
    weight = position - lower
    lo, hi = ordered[lower], ordered[upper]
    # Between a finite draw and +inf the quantile is +inf (inf - inf would give nan).
    with np.errstate(invalid="ignore"):
        return np.where(weight == 0, lo, np.where(np.isinf(hi), hi, lo + weight * (hi - lo)))


def quantiles(
    data: xr.DataArray, probs: tuple[float, ...], sample_dims: tuple[str, ...] = SAMPLE_DIMS
) -> xr.DataArray:
    """Return quantiles over the sample dims with linear interpolation, safe with ``+inf``.

    Parameters
    ----------
    data : xarray.DataArray
        Draws, with ``sample_dims`` among its dims.
    probs : tuple of float
        Quantile probabilities in ``[0, 1]``.
    sample_dims : tuple of str
        Dims that index draws.

    Returns
    -------
    xarray.DataArray
        The remaining dims plus ``quantile``.
    """
    probs_arr = np.asarray(probs, dtype=float)
    stacked = data.stack(__sample__=sample_dims).transpose(..., "__sample__")
    values = np.apply_along_axis(_quantiles, -1, stacked.values, probs_arr)
    other = [d for d in stacked.dims if d != "__sample__"]
    coords = {d: stacked.coords[d] for d in other if d in stacked.coords}
    return xr.DataArray(values, dims=[*other, "quantile"], coords={**coords, "quantile": probs_arr})


def headline(data: xr.DataArray, unit: str, ci_prob: float | None = None) -> Headline:
    """Summarise a scalar-per-draw quantity as median and central ``ci_prob`` interval."""
    ci_prob = SETTINGS.ci_prob if ci_prob is None else ci_prob
    tail = (1 - ci_prob) / 2
    q = quantiles(data, (0.5, tail, 1 - tail)).values

    def clean(x: float) -> float | None:
        return None if not math.isfinite(x) else float(x)

    return Headline(median=clean(q[0]), p10=clean(q[1]), p90=clean(q[2]), unit=unit)


def probability_by(
    years: xr.DataArray, by: tuple[int, ...], sample_dims: tuple[str, ...] = SAMPLE_DIMS
) -> xr.DataArray:
    """Return P(event year <= Y) for each Y in ``by`` (events at Y.0 count as by Y-1 end)."""
    grid = xr.DataArray(np.asarray(by, dtype=float), dims="by_year", coords={"by_year": list(by)})
    return (years <= grid + 1.0).mean(sample_dims)


def probabilities_by_year(years: xr.DataArray) -> dict[str, float]:
    """Return ``{"Y": P(event year <= Y)}`` for the reported years (JSON-ready)."""
    by = SETTINGS.probability_years
    p = probability_by(years, by)
    return {str(int(y)): float(p.sel(by_year=y)) for y in by}


def model_summary(spec: ModelSpec, run: xr.DataTree) -> dict[str, Any]:
    """Return one model's entry of the ``forecast --json`` contract.

    ``{"headline": {NAME: {"median", "p10", "p90", "unit"}}, "diagnostics": {"rhat_max",
    "ess_bulk_min", "divergences", "passed"}, ...extras, "run": {...}}``
    """
    derived = run["derived"].to_dataset()
    diagnostics = store.diagnostics(run)
    out: dict[str, Any] = {
        "headline": {k: v.to_dict() for k, v in spec.headline(derived).items()},
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
