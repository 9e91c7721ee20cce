"""Benchmark: each compiled kernel of ``forecast/numerics`` against the library functions.

For each kernel (the crossing walk's segment step, the log-sum crossing's Newton steps), at the
sizes the product meets (a headline: one row of 4,000 draws, 4 chains x 1,000; a year grid: 100
years x 4,000 draws; a lever sweep: 10,000 scenarios x 1,000 and x 4,000 draws), prints the time
of the kernel and of each library formulation of the same numbers, the ratio, and whether the
library's numbers are identical to the kernel's (bitwise), or how far apart they are. The
summaries' quantiles and P(by year), which sort with numpy (compiled kernels for them save a
sweep too little), are timed against numpy's and arviz-stats' own functions the same way::

    python benchmarks/numerics.py [--only quantiles,probability_by,segment_step,log_sum]
                                  [--repeat 3] [--sweeps 10000]

Times are the best of ``--repeat`` calls on one thread, wall and CPU (CPU time is the steadier
figure on a machine shared with other work). With ``--sweeps N``, the four sweeps of
``benchmarks/stress_sweep.py`` (N scenarios each, over the stored baseline runs: run it after
``datawall fit``) run once with the kernels and once with each kernel replaced by its library
formulation, and their times are printed with the CPU time spent inside the kernel or its
replacement: the effect on the user's command. The figures are printed, never asserted: they
depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

#: Headline probabilities: median, P10, P90.
PROBS = np.array([0.5, 0.1, 0.9])
#: Year ends of the P(by year) curves (2025..2045).
ENDS = np.arange(2025, 2046) + 1.0
#: (label, rows, draws) at the sizes the product meets.
SIZES = (
    ("headline row", 1, 4_000),
    ("year grid", 100, 4_000),
    ("lever sweep", 10_000, 1_000),
    ("lever sweep", 10_000, 4_000),
)


#: A call slower than this is timed once (its first call), not best of ``--repeat``.
SLOW_S = 2.0


def best_of(run: Callable[[], np.ndarray], repeat: int) -> tuple[np.ndarray, float, float]:
    """Return ``run()`` and the best wall and CPU seconds of ``repeat`` calls after a first one.

    The first call warms up (numba compiles or loads its cache); a first call slower than
    :data:`SLOW_S` gives the figures itself.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if wall > SLOW_S:
        return result, wall, cpu
    wall, cpu = math.inf, math.inf
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        run()
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
    return result, wall, cpu


def compare(expected: np.ndarray, got: np.ndarray) -> str:
    """Return "identical" for arrays equal bit for bit (NaN alike), else how far apart."""
    if expected.shape == got.shape and np.array_equal(expected, got, equal_nan=True):
        return "identical"
    with np.errstate(invalid="ignore"):
        both = np.isfinite(expected) & np.isfinite(got)
        apart = (np.isnan(expected) != np.isnan(got)) | (np.isinf(expected) != np.isinf(got))
        diff = np.abs(expected[both] - got[both]).max(initial=0.0)
    return f"differs: max |diff| {diff:.2g}, {int(apart.sum())} NaN/inf placed differently"


def report(
    label: str,
    reference: tuple[str, Callable[[], np.ndarray]],
    others: dict[str, Callable[[], np.ndarray]],
    repeat: int,
) -> None:
    """Time the code's function (``(name, call)``) and each other formulation, a line each."""
    name, call = reference
    expected, r_wall, r_cpu = best_of(call, repeat)
    print(f"  {label}")
    print(f"    {name:<46} {r_wall * 1e3:10.2f} ms wall {r_cpu * 1e3:10.2f} ms cpu")
    for name, run in others.items():
        got, wall, cpu = best_of(run, repeat)
        print(
            f"    {name:<46} {wall * 1e3:10.2f} ms wall {cpu * 1e3:10.2f} ms cpu"
            f"  x{cpu / r_cpu:6.1f}  {compare(expected, got)}",
            flush=True,
        )


def year_rows(rng: np.random.Generator, rows: int, draws: int) -> np.ndarray:
    """Return rows of event years as the walls give them.

    Decimal years from 2025, 5% of them on whole years (ties, and draws exactly on year ends),
    20% never (``+inf``), every 50th row with 10% NaN.
    """
    years = 2025.0 + rng.gamma(2.0, 4.0, size=(rows, draws))
    whole = rng.random((rows, draws)) < 0.05
    years[whole] = np.floor(years[whole])
    years[rng.random((rows, draws)) < 0.2] = np.inf
    nan_rows = years[::50]
    nan_rows[rng.random(nan_rows.shape) < 0.1] = np.nan
    return years


# Quantiles ------------------------------------------------------------------------------------


def bench_quantiles(rng: np.random.Generator, repeat: int) -> None:
    """Time the summaries' quantiles (``np.sort``) against numpy's and arviz-stats' own."""
    from arviz_stats.base import array_stats

    from forecast.summary import row_quantiles

    print("quantiles (median, P10, P90) of rows of event years; NaN dropped, +inf counted")
    for label, n_rows, draws in SIZES:
        rows = year_rows(rng, n_rows, draws)
        others = {
            "np.quantile (NaN rows give NaN)": lambda rows=rows: np.quantile(rows, PROBS, axis=1).T,
            "np.nanquantile": lambda rows=rows: np.nanquantile(rows, PROBS, axis=1).T,
            "arviz_stats array_stats.quantile(skipna)": lambda rows=rows: array_stats.quantile(
                rows, PROBS, axis=-1, skipna=True
            ),
            "arviz_stats array_stats.eti(0.8, skipna)": lambda rows=rows: np.concatenate(
                [
                    array_stats.quantile(rows, PROBS[:1], axis=-1, skipna=True),
                    array_stats.eti(rows, 0.8, axis=-1, skipna=True),
                ],
                axis=-1,
            ),
        }
        reference = (
            "np.sort (summary.row_quantiles)",
            lambda rows=rows: row_quantiles(rows, PROBS),
        )
        report(f"{label}: {n_rows:,} x {draws:,} draws", reference, others, repeat)


# P(by year) -----------------------------------------------------------------------------------


def searchsorted_probability_by(rows: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Return the share of each row ``<= ends[j]`` by ``np.searchsorted`` and ``np.bincount``.

    Each value is placed among the ends (NaN and ``+inf`` past the last), the places counted per
    row and summed up the ends.
    """
    n_rows, n_ends = rows.shape[0], ends.size
    place = np.searchsorted(ends, rows, side="left")
    place += np.arange(n_rows)[:, None] * (n_ends + 1)
    counts = np.bincount(place.ravel(), minlength=n_rows * (n_ends + 1))
    return np.cumsum(counts.reshape(n_rows, n_ends + 1)[:, :n_ends], axis=1) / rows.shape[1]


def compared_probability_by(rows: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Return the share of each row ``<= ends[j]`` by comparing every value with every end."""
    return np.count_nonzero(rows[:, :, None] <= ends, axis=1) / rows.shape[1]


def bench_probability_by(rng: np.random.Generator, repeat: int) -> None:
    """Time the summaries' P(by year) (``np.sort``) against other numpy formulations."""
    from forecast.summary import row_probability_by

    print("P(by year), 21 year ends, of rows of event years; NaN and +inf never count")
    for label, n_rows, draws in SIZES:
        rows = year_rows(rng, n_rows, draws)
        others = {
            "np.searchsorted + np.bincount": lambda rows=rows: searchsorted_probability_by(
                rows, ENDS
            ),
            "comparisons (values x ends)": lambda rows=rows: compared_probability_by(rows, ENDS),
        }
        reference = (
            "np.sort + np.searchsorted (summary)",
            lambda rows=rows: row_probability_by(rows, ENDS),
        )
        report(f"{label}: {n_rows:,} x {draws:,} draws", reference, others, repeat)


# Segment walk ---------------------------------------------------------------------------------


def _later(value: np.ndarray, than: np.ndarray) -> np.ndarray:
    """Python's ``max(than, value)`` elementwise (as compiled: ``value`` only if greater)."""
    return np.where(value > than, value, than)


def _earlier(value: np.ndarray, than: np.ndarray) -> np.ndarray:
    """Python's ``min(than, value)`` elementwise."""
    return np.where(value < than, value, than)


def nonnegative_part(at_start, at_end, begin, end):
    """:func:`forecast.numerics.segments.nonnegative_part` in array operations."""
    with np.errstate(divide="ignore", invalid="ignore"):
        root = at_start / (at_start - at_end)
    up, down = at_start >= 0, at_end >= 0
    new_begin = np.where(up, _later(0.0, begin), np.where(down, _later(root, begin), np.inf))
    new_end = np.where(up, _earlier(np.where(down, 1.0, root), end), np.where(down, end, -np.inf))
    nan = np.isnan(at_start) | np.isnan(at_end)
    return np.where(nan, np.inf, new_begin), np.where(nan, -np.inf, new_end)


def numpy_segment_step(gaps0, years0, gaps1, years1, solved, todo) -> int:
    """:func:`forecast.numerics.segments.segment_step` in array operations, same formulas."""
    index = np.flatnonzero(todo)
    begin, end = np.zeros(index.size), np.ones(index.size)
    for gap0, gap1 in zip(gaps0, gaps1, strict=True):
        begin, end = nonnegative_part(gap0[index], gap1[index], begin, end)
    hit = begin <= end
    cells = np.unravel_index(index[hit], years0.shape)
    start = years0[cells]
    solved[index[hit]] = start + begin[hit] * (years1[cells] - start)
    todo[index[hit]] = False
    return int(index.size - hit.sum())


def walk_case(rng: np.random.Generator, scenarios: int, draws: int):
    """Return a joint walk like the power wall's: ``(gaps, start, stop, knots)``.

    A demand with a per-draw rate change against a campus and against a share of capacity held
    for a per-scenario grid delay.
    """
    import xarray as xr

    level = xr.DataArray(rng.normal(-3.0, 1.0, draws), dims="draw")
    rate = xr.DataArray(rng.uniform(0.1, 0.6, draws), dims="draw")
    turn = xr.DataArray(rng.uniform(2026.0, 2040.0, draws), dims="draw")
    delay = xr.DataArray(np.linspace(0.0, 5.0, scenarios), dims="scenario")
    share = xr.DataArray(rng.normal(0.0, 0.3, scenarios), dims="scenario")
    start = xr.DataArray(2026.0)

    def gaps(y):
        demand = level + rate * (np.minimum(y, turn) - 2025.0) + 0.05 * np.maximum(y - turn, 0)
        held = xr.where(y <= start, y, np.maximum(start, y - delay))
        return [demand - 0.1 * (y - 2025.0), demand + share - 0.3 * (held - 2025.0)]

    return gaps, 2025.0, 2100.0, (turn, start + delay, start)


def bench_segment_step(rng: np.random.Generator, repeat: int) -> None:
    """Time the compiled segment step against the same step in numpy, in a whole walk."""

    def walk(crossing, gaps, start, stop, knots):
        return crossing.joint_crossing_year(gaps, start=start, stop=stop, knots=knots).values

    print("crossing walk: joint crossing of two linear gaps, segment by segment")
    bench_solver(
        rng,
        repeat,
        SOLVER_SIZES,
        (walk_case, walk),
        ("segment_step", {"numpy segment step": numpy_segment_step}),
    )


#: (label, scenarios, draws) of the crossing solvers' benchmarks.
SOLVER_SIZES = (
    ("headline", 1, 4_000),
    ("year grid", 100, 4_000),
    ("lever sweep (one 2M chunk)", 500, 4_000),
    ("lever sweep", 10_000, 1_000),
)


def bench_solver(
    rng: np.random.Generator,
    repeat: int,
    sizes: tuple[tuple[str, int, int], ...],
    problem: tuple[Callable[..., tuple], Callable[..., np.ndarray]],
    kernel: tuple[str, dict[str, Callable[..., int]]],
) -> None:
    """Time a crossing solver with its kernel, then with each formulation swapped in for it.

    ``problem``: a case builder ``(rng, scenarios, draws) -> args`` and the solver call
    ``(crossing module, *args) -> years``; ``kernel``: the kernel's name in
    ``forecast.models.crossing`` and the formulations to swap in, by name.
    """
    from forecast.models import crossing

    case, solve = problem
    name, formulations = kernel
    for label, scenarios, draws in sizes:
        args = case(rng, scenarios, draws)

        def run(args=args):
            return solve(crossing, *args)

        def run_with(formulation, run=run):
            def swapped():
                with replaced(crossing, name, formulation):
                    return run()

            return swapped

        others = {k: run_with(formulation) for k, formulation in formulations.items()}
        report(f"{label}: {scenarios:,} x {draws:,} draws", ("kernel", run), others, repeat)


@contextlib.contextmanager
def replaced(module: object, name: str, value: object) -> Iterator[None]:
    """Replace ``module.name`` by ``value`` for the duration of the block."""
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


# Log-sum crossing -----------------------------------------------------------------------------

LN10 = float(np.log(10.0))


def _log_sum_lines(at_begin, at_middle, years0, years1, index):
    """Per element of ``index``: the segment's length, the demand's and each term's lines."""
    length = (years1 - years0)[index]
    half = length / 2
    demand = at_begin[0, index]
    demand_slope = (at_middle[0, index] - demand) / half
    level, middle = at_begin[1:, index], at_middle[1:, index]
    absent = (level == -np.inf) & (middle == -np.inf)
    with np.errstate(invalid="ignore"):
        slope = np.where(absent, 0.0, (middle - level) / half)
    return length, demand, demand_slope, np.where(absent, -np.inf, level), slope, absent


def _log_sum_start(length, demand, demand_slope, level, slope, absent):
    """Return where the demand first reaches every term on its own, and if on the segment.

    As a fraction of the segment (see the kernel).
    """
    begin, end = np.zeros(length.size), np.ones(length.size)
    for j in range(level.shape[0]):
        with np.errstate(invalid="ignore"):  # the kernel skips these elements
            at_start = demand - level[j]
            at_end = at_start + (demand_slope - slope[j]) * length
        new_begin, new_end = nonnegative_part(at_start, at_end, begin, end)
        begin = np.where(absent[j], begin, new_begin)
        end = np.where(absent[j], end, new_end)
    return begin, (begin <= end) & (begin < 1.0) & (length > 0)


def _log_sum_gap(x, demand, demand_slope, level, slope):
    """Return the gap ``demand - log10(sum of 10**term)`` at ``x`` years in, and its slope."""
    lines = level + slope * x
    top = lines.max(axis=0)
    w = np.exp(LN10 * (lines - top))
    total = w.sum(axis=0)
    gap = demand + demand_slope * x - (top + np.log(total) / LN10)
    return gap, demand_slope - (w * slope).sum(axis=0) / total


def numpy_log_sum_segment(
    at_begin, at_middle, years0, years1, solved, todo, tolerance, max_steps
) -> int:
    """Solve one segment as :func:`forecast.numerics.segments.log_sum_segment`, in arrays.

    The same Newton steps, every element still stepping advanced at once.
    """
    index = np.flatnonzero(todo)
    lines = _log_sum_lines(at_begin, at_middle, years0, years1, index)
    length, demand, demand_slope, level, slope, absent = lines
    begin, inside = _log_sum_start(*lines)
    x = np.where(inside, begin * length, np.inf)
    active = np.flatnonzero(inside)
    for _ in range(max_steps):
        if not active.size:
            break
        gap, gap_slope = _log_sum_gap(
            x[active], demand[active], demand_slope[active], level[:, active], slope[:, active]
        )
        met = gap >= 0
        falls = ~met & ~(gap_slope > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = -gap / gap_slope
        moved = x[active] + step
        past = ~met & ~falls & (moved >= length[active])
        x[active[falls | past]] = np.inf
        stepping = ~met & ~falls & ~past
        x[active[stepping]] = moved[stepping]
        active = active[stepping & ~(step < tolerance)]
    else:
        if active.size:
            return -1
    found = np.isfinite(x)
    solved[index[found]] = years0[index[found]] + x[found]
    todo[index[found]] = False
    return int(index.size - found.sum())


def _solve_segment(at_begin, at_middle, years0, years1, solved, todo, zeros) -> int:
    """Solve one segment as the kernel does, the zeros found by ``zeros(x0, length, args)``.

    ``zeros`` gets, for each element the demand reaches on the segment, the kernel's start
    ``x0`` (years into the segment), the segment's length and the lines ``(demand,
    demand_slope, level, slope)``, and returns each first zero (``inf`` where none).
    """
    index = np.flatnonzero(todo)
    lines = _log_sum_lines(at_begin, at_middle, years0, years1, index)
    length, demand, demand_slope, level, slope, _ = lines
    begin, inside = _log_sum_start(*lines)
    at = np.flatnonzero(inside)
    x = np.full(index.size, np.inf)
    if at.size:
        args = (demand[at], demand_slope[at], level[:, at], slope[:, at])
        x[at] = zeros(begin[at] * length[at], length[at], args)
    found = np.isfinite(x)
    solved[index[found]] = years0[index[found]] + x[found]
    todo[index[found]] = False
    return int(index.size - found.sum())


def scipy_newton_log_sum_segment(*segment) -> int:
    """Solve one segment by ``scipy.optimize.newton`` on arrays (vectorised Newton).

    From the kernel's start; the zeros found are kept where they lie on the segment.
    """
    from scipy.optimize import newton

    *arrays, tolerance, max_steps = segment

    def zeros(x0, length, args):
        gap0, _ = _log_sum_gap(x0, *args)
        root, converged, _ = newton(
            lambda x, *a: _log_sum_gap(x, *a)[0],
            x0,
            fprime=lambda x, *a: _log_sum_gap(x, *a)[1],
            args=args,
            tol=tolerance,
            maxiter=max_steps,
            full_output=True,
            disp=False,
        )
        root = np.where(gap0 >= 0, x0, root)
        return np.where((converged | (gap0 >= 0)) & (root < length), root, np.inf)

    return _solve_segment(*arrays, zeros)


def _flat_gap(x, demand, demand_slope, *lines):
    """Return the gap with the terms' levels and slopes as separate arguments."""
    n = len(lines) // 2
    return _log_sum_gap(x, demand, demand_slope, np.stack(lines[:n]), np.stack(lines[n:]))[0]


def scipy_find_root_log_sum_segment(*segment) -> int:
    """Solve one segment by ``scipy.optimize.elementwise.find_root`` (Chandrupatla).

    Where the gap changes sign between the kernel's start and the segment's end; a zero the
    concave gap rises to and falls from inside the segment has no such bracket and is missed.
    """
    from scipy.optimize.elementwise import find_root

    *arrays, tolerance, max_steps = segment

    def zeros(x0, length, args):
        x1 = np.nextafter(length, 0.0)
        gap0, _ = _log_sum_gap(x0, *args)
        gap1, _ = _log_sum_gap(x1, *args)
        bracketed = (gap0 < 0) & (gap1 >= 0)
        # Elementwise: one argument per term, each of one value per element.
        flat = (args[0], args[1], *args[2], *args[3])
        res = find_root(
            _flat_gap,
            (x0[bracketed], x1[bracketed]),
            args=tuple(a[bracketed] for a in flat),
            tolerances={"xatol": tolerance, "xrtol": 0.0},
            maxiter=max_steps,
        )
        x = np.where(gap0 >= 0, x0, np.inf)
        x[bracketed] = res.x
        return x

    return _solve_segment(*arrays, zeros)


def log_sum_case(rng: np.random.Generator, scenarios: int, draws: int):
    """Return a curved data wall as the synthetic sweep meets it.

    A demand with a per-draw hold year against the stock plus synthetic tokens from 2025 at a
    per-scenario level and growth: ``(log_demand, log_supply_terms, knots)``.
    """
    import xarray as xr

    base = xr.DataArray(rng.normal(12.5, 0.5, draws), dims="draw")
    rate = xr.DataArray(rng.uniform(0.2, 0.6, draws), dims="draw")
    hold = xr.DataArray(rng.uniform(2027.0, 2040.0, draws), dims="draw")
    stock = xr.DataArray(rng.normal(14.0, 0.2, draws), dims="draw")
    side = max(1, round(scenarios**0.5))
    tokens = xr.DataArray(np.geomspace(1e11, 1e13, side), dims="tokens")
    growth = xr.DataArray(np.linspace(1.5, 4.0, max(1, scenarios // side)), dims="growth")

    def log_demand(y):
        return base + rate * (np.minimum(y, hold) - 2020) + 0.1 * np.maximum(y - hold, 0)

    def terms(y):
        late = np.log10(tokens) + np.log10(growth) * (y - 2025)
        return [stock + np.log10(1.05) * (y - 2020), xr.where(y >= 2025, late, -np.inf)]

    return log_demand, terms, (2025.0, hold)


def bench_log_sum(rng: np.random.Generator, repeat: int) -> None:
    """Time the compiled Newton steps against numpy's and scipy's, in the whole solver."""

    def solve(crossing, log_demand, terms, knots):
        return crossing.log_sum_crossing_year(
            log_demand, terms, start=2020.0, stop=2100.0, knots=knots
        ).values

    print("log-sum crossing: demand against stock + synthetic tokens (curved supply)")
    formulations = {
        "numpy Newton steps": numpy_log_sum_segment,
        "scipy.optimize.newton (vectorised)": scipy_newton_log_sum_segment,
        "scipy elementwise.find_root (bracketed)": scipy_find_root_log_sum_segment,
    }
    sizes = tuple(size for size in SOLVER_SIZES if size[0] != "year grid")
    bench_solver(rng, repeat, sizes, (log_sum_case, solve), ("log_sum_segment", formulations))


# The user's command ---------------------------------------------------------------------------


#: Where the code calls each kernel, and the fastest library formulation of its numbers.
SWAPS = {
    "segment_step": ("forecast.models.crossing", "segment_step", numpy_segment_step),
    "log_sum": ("forecast.models.crossing", "log_sum_segment", numpy_log_sum_segment),
}


@dataclass
class Inside:
    """Calls of one function during a sweep and the CPU seconds spent inside them."""

    calls: int = 0
    seconds: float = 0.0


def timed(function: Callable[..., object], inside: Inside) -> Callable[..., object]:
    """Return ``function`` counting its calls and their CPU time (per thread) in ``inside``."""
    lock = threading.Lock()

    def call(*args: object) -> object:
        start = time.thread_time()
        result = function(*args)
        with lock:
            inside.calls += 1
            inside.seconds += time.thread_time() - start
        return result

    return call


def bench_sweeps(scenarios: int, kernels: list[str]) -> None:
    """Time the benchmark sweeps with the kernels, then with each replaced by its library.

    A kernel is replaced only in the sweeps that call it.
    """
    from stress_sweep import SWEEPS

    from forecast import stress

    plans, runs = stress.baseline_runs()
    summary, _ = stress.summarize_runs(runs)
    side = max(2, round(scenarios**0.5))
    modules = {name: importlib.import_module(module) for name, (module, _, _) in SWAPS.items()}
    kernel = {name: getattr(modules[name], attr) for name, (_, attr, _) in SWAPS.items()}

    def sweep(label: str, library: str | None) -> tuple[float, float, dict[str, Inside]]:
        plan = stress.build_scenarios(
            sweep=stress.Sweep.parse([k.format(n=side) for k in SWEEPS[label]])
        )
        inside = {name: Inside() for name in kernels}
        with contextlib.ExitStack() as stack:
            for name in kernels:
                function = SWAPS[name][2] if name == library else kernel[name]
                stack.enter_context(
                    replaced(modules[name], SWAPS[name][1], timed(function, inside[name]))
                )
            wall, cpu = time.perf_counter(), time.process_time()
            stress.evaluate_levers(
                plan.scenarios, plans, runs, baseline_summary=summary, grids=plan.grids
            )
        return time.perf_counter() - wall, time.process_time() - cpu, inside

    print(f"stress sweeps of {side * side:,} scenarios over the stored draws")
    base = {}
    for label in SWEEPS:
        base[label] = wall, cpu, inside = sweep(label, None)
        spent = ", ".join(
            f"{name} {v.seconds:.1f} s ({v.calls} calls)" for name, v in inside.items()
        )
        print(f"  {label}\n    kernels: {wall:.1f} s wall, {cpu:.1f} s cpu; inside {spent}")
    for name in kernels:
        for label in SWEEPS:
            k_wall, k_cpu, k_inside = base[label]
            if not k_inside[name].calls:
                continue
            wall, cpu, inside = sweep(label, name)
            print(
                f"  {label}\n    {name} by the library: {wall:.1f} s wall ({wall - k_wall:+.1f}), "
                f"{cpu:.1f} s cpu ({cpu - k_cpu:+.1f}); inside {inside[name].seconds:.1f} s "
                f"({inside[name].seconds - k_inside[name].seconds:+.1f})",
                flush=True,
            )


BENCHES = {
    "quantiles": bench_quantiles,
    "probability_by": bench_probability_by,
    "segment_step": bench_segment_step,
    "log_sum": bench_log_sum,
}


def main() -> None:
    """Run the benchmarks asked for and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(BENCHES), help="kernels, comma separated")
    parser.add_argument("--repeat", type=int, default=3, help="calls timed (best kept)")
    parser.add_argument("--sweeps", type=int, default=0, help="scenarios per sweep (0: none)")
    parser.add_argument("--sweeps-only", action="store_true", help="skip the kernels' figures")
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    kernels = [name for name in args.only.split(",") if name]
    for name in kernels:
        if not args.sweeps_only:
            BENCHES[name](rng, args.repeat)
    if args.sweeps:
        bench_sweeps(args.sweeps, [name for name in kernels if name in SWAPS])


if __name__ == "__main__":
    main()
