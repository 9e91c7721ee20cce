"""Shares of rows of draws at or below each of a few increasing ends (P(event by year))."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def row_probability_by(
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
