"""The first year a growing demand meets a supply: vectorised over posterior draws.

Both curves are given as one function ``gap(years)`` = log demand - log supply, which must
broadcast ``years`` against the arrays it closes over. Two solvers:

* :func:`linear_crossing_year`, exact and fast, for a gap linear in the year between known kinks
  (every trend the engine projects is log-linear between its kinks): it evaluates the gap at the
  kinks only, a few evaluations where the grid solver needs hundreds;
* :func:`log_sum_crossing_year`, for a supply that is a sum of exponentials (synthetic data
  growing at its own rate on top of the stock), so that the gap is concave between kinks: Newton
  steps with the exact slope from each segment's start, compiled, which never pass the first
  zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import xarray as xr

from forecast.numerics.segments import WALK_DIMS, log_sum_segment, segment_step


def log_sum_crossing_year(
    log_demand: Callable[[xr.DataArray], xr.DataArray],
    log_supply_terms: Callable[[xr.DataArray], Sequence[xr.DataArray]],
    *,
    start: float,
    stop: float,
    knots: tuple[xr.DataArray | float, ...] = (),
    tolerance: float = 1e-9,
    max_steps: int = 100,
) -> xr.DataArray:
    """Return the first year the demand reaches a supply that is a sum of exponentials.

    For a demand log-linear between kinks against a supply ``sum_i 10**term_i(year)`` whose
    terms are each log-linear between the same kinks (the text stock, multimodal tokens and
    synthetic tokens growing at their own rate from a start year): ``log10`` of the supply is
    convex, so the gap is concave on each segment between kinks, and may jump at one (a term
    that switches on). Each segment's lines are read from two evaluations (at its start and
    its middle: a term that switches on at a kink is on from it), then Newton steps with the
    exact slope run compiled per element
    (:func:`~forecast.numerics.segments.log_sum_segment`): for a concave gap the
    tangent lies above it, so a step never passes the first zero, and a slope that is no
    longer positive means the gap only falls from there. No grid: a crossing between grid
    years cannot be missed.

    Parameters
    ----------
    log_demand : callable
        ``log_demand(years)``: log10 of the demand; ``years`` is a DataArray with the dims of
        the knots (or 0-d), and the result broadcasts against it.
    log_supply_terms : callable
        ``log_supply_terms(years)``: log10 of each term of the supply (``-inf`` where a term is
        absent), each log-linear between ``knots``.
    start, stop : float
        Search window in decimal years.
    knots : tuple of float or DataArray
        Years where the demand or a term may kink or switch on (per draw or per scenario as
        DataArrays).
    tolerance : float, default 1e-9
        Stop once a step is shorter than this (decimal years).
    max_steps : int, default 100
        Newton steps per segment at most; an element still short of its zero after them
        raises (it cannot happen for a concave gap).

    Returns
    -------
    xarray.DataArray
        Decimal years (``start`` if the demand already reaches the supply there, ``+inf`` if it
        never does before ``stop``).
    """
    points = _knot_years(start, stop, knots)

    def evaluate(years: xr.DataArray) -> list[xr.DataArray]:
        with np.errstate(divide="ignore"):  # log10(0): an absent term
            return [log_demand(years), *log_supply_terms(years)]

    template = xr.broadcast(*evaluate(points[0]), points[0])[0]
    solved = np.full(template.size, np.inf)
    todo = np.ones(template.size, dtype=bool)
    for begin, end in zip(points[:-1], points[1:], strict=False):
        middle = (begin + end) / 2
        at_begin = _rows(template, evaluate(begin))
        at_middle = _rows(template, evaluate(middle))
        years = _rows(template, [begin, end])
        remaining = log_sum_segment(
            at_begin, at_middle, years[0], years[1], solved, todo, tolerance, max_steps
        )
        if remaining < 0:
            raise RuntimeError(f"no crossing found in {max_steps} steps: is the gap concave?")
        if remaining == 0:
            break
    return _like(template, solved.reshape(template.shape))


def _values_like(array: xr.DataArray, dims: tuple[str, ...], shape: tuple[int, ...]) -> np.ndarray:
    """Return ``array``'s values broadcast (a view) to ``shape``, its dims ordered as ``dims``."""
    present = [d for d in dims if d in array.dims]
    data = array.transpose(*present).values.reshape([array.sizes.get(d, 1) for d in dims])
    return data if data.shape == tuple(shape) else np.broadcast_to(data, shape)


def _rows(template: xr.DataArray, arrays: Sequence[xr.DataArray]) -> np.ndarray:
    """Return one row per array, each broadcast to the template's shape and flattened."""
    out = np.empty((len(arrays), template.size))
    for row, array in zip(out, arrays, strict=True):
        row.reshape(template.shape)[...] = _values_like(array, template.dims, template.shape)
    return out


def _like(template: xr.DataArray, values: np.ndarray) -> xr.DataArray:
    """Return solved years as a DataArray with the template's dims and their coords."""
    coords = {d: template.coords[d] for d in template.dims if d in template.coords}
    return xr.DataArray(values, dims=template.dims, coords=coords)


def _knot_years(
    start: float, stop: float, knots: tuple[xr.DataArray | float, ...]
) -> list[xr.DataArray]:
    """Return ``start``, the knots clipped to the window, and ``stop``, in increasing order.

    Knots given per draw or per scenario are sorted element by element: the k-th returned
    DataArray holds each element's k-th year.
    """
    points = [xr.DataArray(float(start)), *map(xr.DataArray, knots), xr.DataArray(float(stop))]
    points = [p.clip(start, stop) for p in xr.broadcast(*points)]
    ordered = np.sort(np.stack([p.values for p in points]), axis=0)
    return [points[0].copy(data=values) for values in ordered]


def linear_crossing_year(
    log_gap: Callable[[xr.DataArray], xr.DataArray],
    *,
    start: float,
    stop: float,
    knots: tuple[xr.DataArray | float, ...] = (),
) -> xr.DataArray:
    """Return the first year with ``log_gap(year) >= 0`` for a gap linear between ``knots``.

    Exact, with no year grid: every curve the engine projects is log-linear in the year between
    known kinks (a trend changing rate at its reference year, supply held during a grid delay),
    so the gap is evaluated only at ``start``, the knots and ``stop`` and the first zero is
    found by linear interpolation. Use :func:`log_sum_crossing_year` for a curved supply.

    Parameters
    ----------
    log_gap : callable
        ``log_gap(years)``: log demand minus log supply; ``years`` is a DataArray (0-d, or with
        the dims of the knots given as DataArrays), one point at a time.
    start, stop : float
        Search window in decimal years.
    knots : tuple of float or DataArray
        Years where the gap's slope may change (per draw or per scenario as DataArrays); knots
        outside the window are clipped to it.

    Returns
    -------
    xarray.DataArray
        Decimal years with the dims of ``log_gap``'s result (``start`` if the gap is already
        >= 0 there, ``+inf`` if it never reaches zero by ``stop``).
    """
    return joint_crossing_year(lambda y: [log_gap(y)], start=start, stop=stop, knots=knots)


def joint_crossing_year(
    log_gaps: Callable[[xr.DataArray], Sequence[xr.DataArray]],
    *,
    start: float,
    stop: float,
    knots: tuple[xr.DataArray | float, ...] = (),
) -> xr.DataArray:
    """Return the first year every gap is >= 0 at once, each gap linear between ``knots``.

    The demand meets a supply that is the larger of several (the largest campus, or one lab's
    share of capacity) when it exceeds each of them. On each segment between two points every
    gap is linear, so the part of the segment where it is >= 0 is an interval; the first
    segment where the intervals of all gaps overlap gives the year, at the overlap's start.
    Segments are walked in order, each on arrays of one value per draw (and scenario), so
    memory stays at a few such arrays whatever the number of knots; the walk stops once every
    element has its year. With one gap this is :func:`linear_crossing_year`.

    Parameters
    ----------
    log_gaps : callable
        ``log_gaps(years)``: log demand minus log supply, one DataArray per supply (one call
        per point, so the gaps can share the work of evaluating the demand).
    start, stop, knots :
        As in :func:`linear_crossing_year`; ``knots`` must hold the kinks of every gap.

    Returns
    -------
    xarray.DataArray
        Decimal years (``start`` if every gap is >= 0 there, ``+inf`` if they never all are by
        ``stop``).
    """
    (solved,) = _walk_segments(log_gaps, _knot_years(start, stop, knots), joint=True)
    return solved


def crossing_years(
    log_gaps: Callable[[xr.DataArray], Sequence[xr.DataArray]],
    *,
    start: float,
    stop: float,
    knots: tuple[xr.DataArray | float, ...] = (),
) -> list[xr.DataArray]:
    """Return, for each gap on its own, the first year it is >= 0.

    As :func:`linear_crossing_year` for each gap, in one walk that evaluates them together. For
    walls that share their demand (the largest run against the campus and against the
    distributed supply): the demand is evaluated once per point, not once per wall.
    """
    return _walk_segments(log_gaps, _knot_years(start, stop, knots), joint=False)


def _walk_segments(
    log_gaps: Callable[[xr.DataArray], Sequence[xr.DataArray]],
    points: list[xr.DataArray],
    joint: bool,
) -> list[xr.DataArray]:
    """Solve the gaps jointly (one year) or each on its own (one year each), segment by segment.

    Each group of gaps (all of them, or each alone) is solved over the dims its own gaps and
    the points have: a gap that does not vary along a dim of another (the campus wall along
    the lab's share of capacity) is solved once along it, not once per value.
    """
    first = log_gaps(points[0])
    groups = [list(range(len(first)))] if joint else [[i] for i in range(len(first))]
    templates = [xr.broadcast(*(first[i] for i in group), points[0])[0] for group in groups]

    def ends(template: xr.DataArray, group: list[int], gaps: Sequence[xr.DataArray], point):
        """Return a segment end as the compiled step reads it: gap rows, a grid of years."""
        return _gap_rows(template, [gaps[i] for i in group]), _year_grid(template, point)

    before = [ends(t, g, first, points[0]) for t, g in zip(templates, groups, strict=True)]
    solved = [np.full(t.size, np.inf) for t in templates]
    todo = [np.ones(t.size, dtype=bool) for t in templates]
    remaining = [t.size for t in templates]
    for point in points[1:]:
        gaps = log_gaps(point)
        for k, (template, group) in enumerate(zip(templates, groups, strict=True)):
            if not remaining[k]:
                continue
            after = ends(template, group, gaps, point)
            remaining[k] = segment_step(*before[k], *after, solved[k], todo[k])
            before[k] = after
        if not any(remaining):
            break
    return [_like(t, s.reshape(t.shape)) for t, s in zip(templates, solved, strict=True)]


def _gap_rows(template: xr.DataArray, gaps: Sequence[xr.DataArray]) -> tuple[np.ndarray, ...]:
    """Return each gap's values in the template's dim order, flattened (read-only).

    A gap that already has the template's dims and memory order (as the arithmetic that
    builds it usually leaves it) is passed as a view, not copied: at 2M scenario-draws a
    segment, copies cost as much as the walk.
    """
    return tuple(
        _read_only(np.ravel(_values_like(gap, template.dims, template.shape))) for gap in gaps
    )


def _year_grid(template: xr.DataArray, years: xr.DataArray) -> np.ndarray:
    """Return ``years`` broadcast to the template's shape, a view of :data:`WALK_DIMS` dims.

    Years vary along few dims (a grid delay, the draws), so they are read through a
    broadcast view instead of being copied to one value per element.
    """
    view = _values_like(years, template.dims, template.shape)
    if view.ndim > WALK_DIMS:  # merge the leading dims (a copy only if their strides differ)
        view = view.reshape(-1, *view.shape[view.ndim - WALK_DIMS + 1 :])
    return _read_only(view.reshape((1,) * (WALK_DIMS - view.ndim) + view.shape))


def _read_only(values: np.ndarray) -> np.ndarray:
    """Return a read-only view: every row the compiled walk gets has one array type."""
    view = values.view()
    view.flags.writeable = False
    return view
