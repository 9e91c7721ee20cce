"""Segment by segment crossing solvers: the first zero of a gap, per element, on one segment.

The walks over the segments live in :mod:`forecast.models.crossing`; these kernels solve one
segment for every element still unsolved, in one compiled pass.
"""

from __future__ import annotations

import numba
import numpy as np

LN10 = float(np.log(10.0))

#: Dims of the year grid the compiled walk reads (``forecast.models.crossing``); more are merged.
WALK_DIMS = 4


@numba.njit(cache=True, nogil=True)
def segment_step(
    gaps0: tuple[np.ndarray, ...],
    years0: np.ndarray,
    gaps1: tuple[np.ndarray, ...],
    years1: np.ndarray,
    solved: np.ndarray,
    todo: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """Solve, on one segment, every element still ``todo`` where all its gaps are >= 0.

    Each gap is linear on the segment, so the part where it is >= 0 is an interval of the
    segment (fraction 0..1); the year is the start of where all the intervals overlap.
    ``gaps0``/``gaps1`` hold each gap at the segment's ends (one flat row each), ``years0``/
    ``years1`` the ends' years as grids of :data:`WALK_DIMS` dims in the same element order.
    Compiled: one pass over the elements instead of a dozen array operations per gap. Returns
    how many elements are left unsolved.

    The same step in numpy arrays (bitwise the same years) makes the whole walk 3.2x as long on
    a chunk of 2M scenario-draws (0.96 s against 0.30 s of CPU), and the 10,000-scenario
    stress sweeps 19-79 s of CPU longer (cost sweep 282 s -> 361 s, 69 s of it inside the
    step), measured with ``benchmarks/numerics.py``.
    """
    remaining = 0
    i = 0
    n0, n1, n2, n3 = years0.shape
    for a in range(n0):
        for b in range(n1):
            for c in range(n2):
                for d in range(n3):
                    if todo[i]:
                        begin, end = 0.0, 1.0
                        for j in range(len(gaps0)):
                            begin, end = nonnegative_part(gaps0[j][i], gaps1[j][i], begin, end)
                        if begin <= end:
                            start = years0[a, b, c, d]
                            solved[i] = start + begin * (years1[a, b, c, d] - start)
                            todo[i] = False
                        else:
                            remaining += 1
                    i += 1
    return remaining


@numba.njit(cache=True, nogil=True)
def nonnegative_part(
    at_start: float, at_end: float, begin: float, end: float
) -> tuple[float, float]:  # pragma: no cover - compiled
    """Narrow ``[begin, end]`` (fractions of a segment) to where a linear gap is >= 0.

    The gap is ``at_start`` at the segment's start and ``at_end`` at its end; the part where
    it is >= 0 is an interval of the segment. An empty result has ``begin > end``; a gap that
    is NaN at either end has no such part.
    """
    if np.isnan(at_start) or np.isnan(at_end):
        return np.inf, -np.inf
    if at_start >= 0:
        return max(begin, 0.0), min(end, 1.0 if at_end >= 0 else at_start / (at_start - at_end))
    if at_end >= 0:
        return max(begin, at_start / (at_start - at_end)), end
    return np.inf, -np.inf


@numba.njit(cache=True, nogil=True)
def log_sum_segment(
    at_begin: np.ndarray,
    at_middle: np.ndarray,
    years0: np.ndarray,
    years1: np.ndarray,
    solved: np.ndarray,
    todo: np.ndarray,
    tolerance: float,
    max_steps: int,
) -> int:  # pragma: no cover - compiled
    """Solve, on one segment, every element still ``todo`` under a gap concave on it.

    See :func:`~forecast.models.crossing.log_sum_crossing_year`. Rows of ``at_begin`` /
    ``at_middle``: log10 demand, then log10 of each supply term, at the segment's start and
    middle. Newton steps start where the demand first reaches every term on its own (a lower
    bound of the zero, often close to it). Returns how many elements are left unsolved, or -1
    if Newton did not settle within ``max_steps``.

    The same Newton steps in numpy arrays (years within 1e-12: numpy's own ``exp`` and ``log``)
    make the whole solver 6.7x as long on a chunk of 2M scenario-draws (1.44 s against 0.22 s
    of CPU), and the 10,000-scenario synthetic-data sweep 446 s of CPU longer (402 s -> 848 s;
    56 s -> 532 s inside the steps). ``scipy.optimize.elementwise.find_root`` takes 7.6x as long
    and misses the zeros the segment's end does not bracket, a vectorised
    ``scipy.optimize.newton`` 54x (``benchmarks/numerics.py``).
    """
    n_terms = at_begin.shape[0] - 1
    level = np.empty(n_terms)
    slope = np.empty(n_terms)
    remaining = 0
    for i in range(years0.shape[0]):
        if not todo[i]:
            continue
        remaining += 1
        length = years1[i] - years0[i]
        if not length > 0:
            continue
        half = length / 2
        demand, demand_slope = at_begin[0, i], (at_middle[0, i] - at_begin[0, i]) / half
        n = 0
        for j in range(n_terms):
            a, b = at_begin[j + 1, i], at_middle[j + 1, i]
            if a == -np.inf and b == -np.inf:
                continue  # absent on this segment
            level[n], slope[n] = a, (b - a) / half
            n += 1
        # The supply is at least its largest term, so the gap is at most the demand less that
        # term: where the demand reaches every term on its own is not after the first zero,
        # and a start for Newton steps on the safe side (none there: no zero on the segment).
        begin, end = 0.0, 1.0
        for j in range(n):
            at_start = demand - level[j]
            begin, end = nonnegative_part(
                at_start, at_start + (demand_slope - slope[j]) * length, begin, end
            )
        if begin > end or begin >= 1.0:
            continue
        x = begin * length
        for _ in range(max_steps):
            # The gap, demand - log10(sum of 10**term), and its exact slope, x years in.
            top = -np.inf
            for j in range(n):
                top = max(top, level[j] + slope[j] * x)
            total, weighted = 0.0, 0.0
            for j in range(n):
                w = np.exp(LN10 * (level[j] + slope[j] * x - top))  # 10**(...), faster
                total += w
                weighted += w * slope[j]
            if n == 0:  # no supply at all
                break
            gap = demand + demand_slope * x - (top + np.log(total) / LN10)
            if gap >= 0:
                break
            gap_slope = demand_slope - weighted / total
            if not gap_slope > 0:  # the gap only falls from here on this segment
                x = np.inf
                break
            step = -gap / gap_slope
            x += step
            if x >= length:  # the zero lies past this segment (steps never pass it)
                x = np.inf
                break
            if step < tolerance:
                break
        else:
            return -1
        if x < np.inf:
            solved[i] = years0[i] + x
            todo[i] = False
            remaining -= 1
    return remaining
