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
from forecast.models.base import Headline, ModelSpec, Quantity
from forecast.settings import SETTINGS

SAMPLE_DIMS = ("chain", "draw")


def _quantiles(values: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Return quantiles along the last axis, NaN dropped, linear interpolation, +inf safe."""
    finite_count = np.sum(~np.isnan(values), axis=-1, keepdims=True)
    position = probs * (finite_count - 1)
    lower = np.maximum(np.floor(position).astype(int), 0)
    upper = np.maximum(np.ceil(position).astype(int), 0)
    weight = position - lower
    if finite_count.min() == values.shape[-1]:
        # No NaN: a partition finds the order statistics in linear time.
        kth = np.unique(np.concatenate([lower.ravel(), upper.ravel()]))
        ordered = np.partition(values, kth, axis=-1)
    else:
        ordered = np.sort(values, axis=-1)  # NaN sort last
    lo = np.take_along_axis(ordered, lower, axis=-1)
    hi = np.take_along_axis(ordered, upper, axis=-1)
    # Between a finite draw and +inf the quantile is +inf (inf - inf would give nan).
    with np.errstate(invalid="ignore"):
        result = np.where(weight == 0, lo, np.where(np.isinf(hi), hi, lo + weight * (hi - lo)))
    return np.where(finite_count == 0, np.nan, result)


def quantiles(
    data: xr.DataArray, probs: tuple[float, ...], sample_dims: tuple[str, ...] = SAMPLE_DIMS
) -> xr.DataArray:
    """Return quantiles over the sample dims with linear interpolation, safe with ``+inf``.

    Vectorised over every other dim (``scenario``, ``year``...); NaN draws are dropped.

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
    values = _quantiles(stacked.values.astype(float), probs_arr)
    other = [d for d in stacked.dims if d != "__sample__"]
    coords = {d: stacked.coords[d] for d in other if d in stacked.coords}
    return xr.DataArray(values, dims=[*other, "quantile"], coords={**coords, "quantile": probs_arr})


def finite_or_none(x: float) -> float | None:
    """Return ``x`` as a float, or ``None`` if it is not finite (JSON has no infinity)."""
    return None if not math.isfinite(x) else float(x)


def headline(data: xr.DataArray, unit: str, ci_prob: float | None = None) -> Headline:
    """Summarise a scalar-per-draw quantity as median and central ``ci_prob`` interval."""
    q = quantiles(data, _headline_probs(ci_prob)).values
    return Headline(
        median=finite_or_none(q[0]), p10=finite_or_none(q[1]), p90=finite_or_none(q[2]), unit=unit
    )


def _headline_probs(ci_prob: float | None = None) -> tuple[float, float, float]:
    tail = (1 - (SETTINGS.ci_prob if ci_prob is None else ci_prob)) / 2
    return (0.5, tail, 1 - tail)


def category_probabilities(quantity: Quantity) -> xr.DataArray:
    """Return P(each category) of a categorical quantity (its indicator's mean over draws)."""
    return quantity.draws.mean(SAMPLE_DIMS)


def summarize(quantity: Quantity) -> Headline:
    """Summarise one headline quantity (no ``scenario`` dim) for the ``forecast`` contract."""
    if quantity.category_dim is None:
        return headline(quantity.draws, quantity.unit)
    p = category_probabilities(quantity)
    best = p[quantity.category_dim].values[int(p.argmax(quantity.category_dim))]
    return Headline(
        float(p.sel({quantity.category_dim: best})), None, None, quantity.unit, str(best)
    )


def summarize_scenarios(
    quantities: dict[str, Quantity], ci_prob: float | None = None
) -> xr.Dataset:
    """Summarise headline quantities over the sample dims, vectorised over ``scenario``.

    Returns
    -------
    xarray.Dataset
        One variable per headline with dims ``(..., stat)`` (``stat``: median, p10, p90); a
        categorical headline gives ``(..., <category dim>)`` probabilities instead.
    """
    out = {}
    for name, quantity in quantities.items():
        if quantity.category_dim is not None:
            out[name] = category_probabilities(quantity)
        else:
            q = quantiles(quantity.draws, _headline_probs(ci_prob))
            out[name] = q.rename(quantile="stat").assign_coords(stat=["median", "p10", "p90"])
        out[name].attrs["unit"] = quantity.unit
    return xr.Dataset(out)


def probability_by(
    years: xr.DataArray, by: tuple[int, ...], sample_dims: tuple[str, ...] = SAMPLE_DIMS
) -> xr.DataArray:
    """Return P(event by the end of year Y) for each Y in ``by`` (increasing).

    An event at exactly ``Y + 1.0`` counts as by the end of Y; NaN and ``+inf`` never count.
    Vectorised over every other dim (``scenario``...) by counting: each draw is placed once
    among the year ends, so the work grows with the draws, not with draws x years.

    Returns
    -------
    xarray.DataArray
        The dims of ``years`` other than ``sample_dims``, plus ``by_year``.
    """
    ends = np.asarray(by, dtype=float) + 1.0
    if np.any(np.diff(ends) <= 0):
        raise ValueError(f"by: years must increase, got {by}")
    stacked = years.stack(__sample__=sample_dims).transpose(..., "__sample__")
    rows = stacked.values.astype(float).reshape(-1, stacked.sizes["__sample__"])
    n_ends = ends.size
    # Index of the first year whose end the event is not after (NaN sorts last: never).
    first = np.searchsorted(ends, rows, side="left")
    index = first + (n_ends + 1) * np.arange(rows.shape[0])[:, None]
    counts = np.bincount(index.ravel(), minlength=rows.shape[0] * (n_ends + 1))
    counts = counts.reshape(rows.shape[0], n_ends + 1)[:, :n_ends]
    p = np.cumsum(counts, axis=1) / rows.shape[1]
    other = [d for d in stacked.dims if d != "__sample__"]
    coords = {d: stacked.coords[d] for d in other if d in stacked.coords}
    return xr.DataArray(
        p.reshape(*[stacked.sizes[d] for d in other], n_ends),
        dims=[*other, "by_year"],
        coords={**coords, "by_year": list(by)},
    )


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
