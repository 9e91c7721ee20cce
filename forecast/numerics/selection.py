"""Quantiles of rows of draws by selecting only the order statistics they need.

Linear interpolation (type 7 of Hyndman and Fan), NaN dropped per row, ``+inf`` counted: between
a finite value and ``+inf``, or two ``+inf``, the quantile is ``+inf``.

References
----------
.. [1] R. W. Floyd and R. L. Rivest, "Expected time bounds for selection", Communications of
   the ACM, 18(3), pp. 165-172, 1975.
.. [2] R. J. Hyndman and Y. Fan, "Sample quantiles in statistical packages", The American
   Statistician, 50(4), pp. 361-365, 1996.
"""

from __future__ import annotations

import numba
import numpy as np

#: Rows with at least this many draws find their order statistics inside brackets read off an
#: evenly spaced sample of the row (:func:`_order_statistics`); shorter rows select directly.
BRACKETED_MIN_DRAWS = 1024
#: Draws in the sample that sets the brackets.
BRACKET_SAMPLE_SIZE = 256


@numba.njit(cache=True, nogil=True)
def row_quantiles(
    rows: np.ndarray, probs: np.ndarray, out: np.ndarray
) -> None:  # pragma: no cover - compiled
    """Fill ``out[i, j]`` with the ``probs[j]`` quantile of row ``i`` (see the module docstring).

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
