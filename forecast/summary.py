"""Posterior summaries: medians, central intervals and exceedance probabilities.

Crossing years that never happen inside the search horizon are stored as ``+inf``; quantiles
count them (a median of ``+inf`` means "not before the horizon" for over half the draws) and
JSON output writes them as ``null``.
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
import xarray as xr

from forecast import store
from forecast.models.base import Headline, ModelSpec, Quantity
from forecast.settings import SETTINGS

SAMPLE_DIMS = ("chain", "draw")


#: Rows with at least this many draws find their order statistics inside brackets read off an
#: evenly spaced sample of the row (:func:`_order_statistics`); shorter rows select directly.
BRACKETED_MIN_DRAWS = 1024
#: Draws in the sample that sets the brackets.
BRACKET_SAMPLE_SIZE = 256


@numba.njit(cache=True, nogil=True)
def _row_quantiles(
    rows: np.ndarray, probs: np.ndarray, out: np.ndarray
) -> None:  # pragma: no cover - compiled
    """Fill ``out[i, j]`` with the ``probs[j]`` quantile of row ``i`` (see :func:`quantiles`).

    Each row's non-NaN values are copied to a buffer and only the order statistics the
    quantiles need are found (:func:`_order_statistics`): linear work per row, not a sort.
    """
    n_probs = probs.size
    buffer = np.empty(rows.shape[1])
    inside = np.empty((2 * n_probs, rows.shape[1]))
    sample = np.empty(BRACKET_SAMPLE_SIZE)
    ranks = np.empty(2 * n_probs, dtype=np.int64)
    weight = np.empty(n_probs)
    for i in range(rows.shape[0]):
        count = 0
        for value in rows[i]:  # branchless: a NaN is written, then overwritten
            buffer[count] = value
            count += not np.isnan(value)
        if count == 0:
            out[i, :] = np.nan
            continue
        for j in range(n_probs):
            position = probs[j] * (count - 1)
            ranks[2 * j] = max(int(np.floor(position)), 0)
            ranks[2 * j + 1] = max(int(np.ceil(position)), 0)
            weight[j] = position - ranks[2 * j]
        wanted = np.unique(ranks)
        found = np.empty(wanted.size)
        _order_statistics(buffer[:count], wanted, found, sample, inside)
        for j in range(n_probs):
            lo = found[np.searchsorted(wanted, ranks[2 * j])]
            hi = found[np.searchsorted(wanted, ranks[2 * j + 1])]
            if weight[j] == 0:
                out[i, j] = lo
            elif np.isinf(hi):  # between a finite draw and +inf (inf - inf would give nan)
                out[i, j] = hi
            else:
                out[i, j] = lo + weight[j] * (hi - lo)


@numba.njit(cache=True, nogil=True)
def _order_statistics(
    values: np.ndarray, ranks: np.ndarray, found: np.ndarray, sample: np.ndarray, inside: np.ndarray
) -> None:  # pragma: no cover - compiled
    """Fill ``found[t]`` with the ``ranks[t]``-th smallest of ``values`` (may reorder them).

    For a long row, as Floyd and Rivest's selection: an evenly spaced sample of the row,
    sorted, gives for each cluster of nearby ranks two values that bracket them with high
    probability; one pass over the row counts, for every cluster at once, the values below
    its bracket and collects those inside it (``inside[c]``), and the ranks are selected
    among the few collected. Exact whatever the sample: should the brackets miss a rank
    (rare), that cluster is selected in the whole row instead.
    """
    n = values.size
    if n < BRACKETED_MIN_DRAWS:
        _select_many(values, ranks)
        for t in range(ranks.size):
            found[t] = values[ranks[t]]
        return
    size = sample.size
    for t in range(size):
        sample[t] = values[(t * n) // size]
    sample.sort()
    # Clusters: runs of ranks within one sample step of their first, with their brackets.
    firsts = np.empty(ranks.size, dtype=np.int64)
    lasts = np.empty(ranks.size, dtype=np.int64)
    low = np.empty(ranks.size)
    high = np.empty(ranks.size)
    clusters = 0
    first = 0
    while first < ranks.size:
        last = first
        while last + 1 < ranks.size and ranks[last + 1] - ranks[first] <= n // size:
            last += 1
        share = (ranks[first] + 0.5) / n
        spread = 3.0 * np.sqrt(size * share * (1.0 - share)) + 2.0  # sample ranks: ~3 sd
        a = int(np.floor(ranks[first] * size / n - spread))
        b = int(np.ceil((ranks[last] + 1) * size / n + spread))
        low[clusters] = sample[a] if a >= 0 else -np.inf
        high[clusters] = sample[b] if b < size else np.inf
        firsts[clusters], lasts[clusters] = first, last
        clusters += 1
        first = last + 1
    below = np.zeros(clusters, dtype=np.int64)
    collected = np.zeros(clusters, dtype=np.int64)
    for value in values:  # branchless: each value is written, kept only if inside
        for c in range(clusters):
            inside[c, collected[c]] = value
            collected[c] += (value >= low[c]) & (value <= high[c])
            below[c] += value < low[c]
    for c in range(clusters):
        cluster = ranks[firsts[c] : lasts[c] + 1]
        if below[c] <= cluster[0] and cluster[-1] < below[c] + collected[c]:
            part = inside[c, : collected[c]]
            _select_many(part, cluster - below[c])
            for t in range(firsts[c], lasts[c] + 1):
                found[t] = part[ranks[t] - below[c]]
        else:
            _select_many(values, cluster)
            for t in range(firsts[c], lasts[c] + 1):
                found[t] = values[ranks[t]]


@numba.njit(cache=True, nogil=True)
def _select_many(values: np.ndarray, ranks: np.ndarray) -> None:  # pragma: no cover - compiled
    """Reorder ``values`` so each of ``ranks`` (increasing) holds its order statistic.

    Quickselect for the middle rank, then the ranks below it in the part below, the ranks
    above in the part above (an explicit stack instead of recursion).
    """
    stack = np.empty((2 * ranks.size + 2, 4), dtype=np.int64)  # lo, hi, first rank, end rank
    stack[0] = (0, values.size, 0, ranks.size)
    top = 1
    while top:
        top -= 1
        lo, hi, first, end = stack[top]
        if first >= end:
            continue
        middle = (first + end) // 2
        k = ranks[middle]
        _select(values, lo, hi, k)
        stack[top] = (lo, k, first, middle)
        stack[top + 1] = (k + 1, hi, middle + 1, end)
        top += 2


@numba.njit(cache=True, nogil=True)
def _select(values: np.ndarray, lo: int, hi: int, k: int) -> None:  # pragma: no cover - compiled
    """Put the ``k``-th smallest of ``values[lo:hi]`` at ``k``, smaller before, larger after.

    Quickselect with a three-way split (below, equal to, above the pivot) made of two
    branchless passes: random data costs no mispredicted branches, and runs of ties (many
    ``+inf`` draws) end the search as soon as ``k`` falls among them.
    """
    if k == lo:  # the smallest (the upper neighbour of a rank just selected): one scan
        smallest = lo
        for i in range(lo + 1, hi):
            if values[i] < values[smallest]:
                smallest = i
        values[lo], values[smallest] = values[smallest], values[lo]
        return
    while hi - lo > 1:
        a, b, c = values[lo], values[(lo + hi - 1) // 2], values[hi - 1]
        pivot = max(min(a, b), min(max(a, b), c))  # median of three
        less = _partition(values, lo, hi, pivot, False)
        if k < less:
            hi = less
            continue
        not_greater = _partition(values, less, hi, pivot, True)
        if k < not_greater:  # among the values equal to the pivot
            return
        lo = not_greater


@numba.njit(cache=True, nogil=True)
def _partition(
    values: np.ndarray, lo: int, hi: int, pivot: float, or_equal: bool
) -> int:  # pragma: no cover - compiled
    """Move the values of ``values[lo:hi]`` below ``pivot`` (or equal, with ``or_equal``) first.

    Branchless (every value is swapped, the boundary moves by the comparison's result).
    Returns where the other values start.
    """
    store = lo
    for i in range(lo, hi):
        value = values[i]
        values[i] = values[store]
        values[store] = value
        store += (value < pivot) | (or_equal & (value == pivot))
    return store


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
    rows, other = _sample_rows(data, sample_dims)
    out = np.empty((rows.shape[0], probs_arr.size))
    _row_quantiles(rows, probs_arr, out)
    return _from_rows(out, data, other, "quantile", probs_arr)


def _sample_rows(data: xr.DataArray, sample_dims: tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
    """Return ``data`` as one row of draws per element of the other dims, and those dims.

    The sample dims are moved last (a view) and the rows reshaped from it: one copy at most.
    """
    other = [d for d in data.dims if d not in sample_dims]
    values = np.asarray(data.transpose(*other, *sample_dims).values, dtype=float)
    n_draws = math.prod(data.sizes[d] for d in sample_dims)
    return values.reshape(-1, n_draws), other


def _from_rows(
    rows: np.ndarray, data: xr.DataArray, other: list[str], name: str, values: Any
) -> xr.DataArray:
    """Return per-row results over ``other`` (with ``data``'s coords) and a new dim ``name``."""
    coords = {d: data.coords[d] for d in other if d in data.coords}
    shape = [data.sizes[d] for d in other]
    return xr.DataArray(
        rows.reshape(*shape, len(values)), dims=[*other, name], coords={**coords, name: values}
    )


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
    among the year ends (:func:`_row_probability_by`), so the work grows with the draws, not
    with draws x years.

    Returns
    -------
    xarray.DataArray
        The dims of ``years`` other than ``sample_dims``, plus ``by_year``.
    """
    ends = np.asarray(by, dtype=float) + 1.0
    if np.any(np.diff(ends) <= 0):
        raise ValueError(f"by: years must increase, got {by}")
    rows, other = _sample_rows(years, sample_dims)
    p = np.empty((rows.shape[0], ends.size))
    _row_probability_by(rows, ends, p)
    return _from_rows(p, years, other, "by_year", list(by))


@numba.njit(cache=True, nogil=True)
def _row_probability_by(
    rows: np.ndarray, ends: np.ndarray, out: np.ndarray
) -> None:  # pragma: no cover - compiled
    """Fill ``out[i, j]`` with the share of row ``i``'s values ``<= ends[j]`` (NaN: never).

    Each value's first end not before it is guessed as if the ends were evenly spaced (the
    year ends are) and the guess corrected against the ends themselves: exact for any
    increasing ends, and without a binary search's mispredicted branches for year ends.
    """
    counts = np.empty(ends.size, dtype=np.int64)
    first, last = ends[0], ends[-1]
    top = ends.size - 1
    step = (last - first) / top if top else 1.0
    for i in range(rows.shape[0]):
        counts[:] = 0
        for value in rows[i]:
            if value <= last:  # False for NaN and for +inf
                guess = min(max((value - first) / step, 0.0), float(top))
                j = int(np.ceil(guess))
                while j > 0 and ends[j - 1] >= value:
                    j -= 1
                while ends[j] < value:
                    j += 1
                counts[j] += 1
        total = 0
        for j in range(ends.size):
            total += counts[j]
            out[i, j] = total / rows.shape[1]


def probabilities_by_year(years: xr.DataArray) -> dict[str, float]:
    """Return ``{"Y": P(event year <= Y)}`` for the reported years (JSON-ready)."""
    by = SETTINGS.probability_years.reported
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
