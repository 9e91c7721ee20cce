"""A two-key sweep read as a pivot: one headline's median over both swept keys, and its heatmap.

``datawall stress --sweep A=.. --sweep B=..`` evaluates a grid; listed one scenario a row, its
swept values were cut off on the terminal. Here one headline's median is laid out with A's
values down and B's across (:func:`pivots`), written as CSV (:func:`pivot_csv`) and drawn as a
heatmap (:func:`forecast.report.figures.heatmap.heatmap`), both saved beside the result's
NetCDF (:func:`forecast.report.figures.heatmap.save_pivot`).

Everything is read from the result alone: one coord per swept key over ``scenario`` (NaN where
the key is unswept, as in the baseline row), so a saved result gives the same pivot. With
several named scenarios swept, each has its own grid: one pivot, and one panel, per scenario.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from forecast.formatting import format_value
from forecast.scenarios import BASELINE
from forecast.stress.overrides import label
from forecast.stress.result import key_headlines, swept_keys

#: Grids of at most this many cells have each cell's value written on the heatmap.
ANNOTATED_CELLS = 150
#: Swept values ticked one by one along a heatmap axis, at most (more: round ticks).
TICKS_SHOWN = 12
#: Rows and columns printed on the terminal, at most (evenly spaced, both ends kept; the CSV
#: holds every one).
ROWS_SHOWN, COLUMNS_SHOWN = 25, 10


@dataclass(frozen=True)
class Pivot:
    """One headline's median over a two-key grid of one swept scenario.

    Attributes
    ----------
    headline, unit : str
        ``model.name`` and its unit.
    scenario : str
        The scenario swept (``baseline`` unless named).
    row_key, col_key : str
        The swept keys: ``row_key``'s values down, ``col_key``'s across (in sweep order).
    row_values, col_values : tuple of float
    median : numpy.ndarray
        ``(rows, cols)`` medians (NaN or infinite: beyond the horizon, or none).
    passed : numpy.ndarray
        ``(rows, cols)``: whether the fits behind each point passed their diagnostics.
    baseline : float or None
        The headline's median in the unswept baseline, if the result holds it.
    """

    headline: str
    unit: str
    scenario: str
    row_key: str
    col_key: str
    row_values: tuple[float, ...]
    col_values: tuple[float, ...]
    median: np.ndarray
    passed: np.ndarray
    baseline: float | None = None


def swept_value(value: float) -> str:
    """Return a swept value as scenario names show it (6 significant digits, in full)."""
    return f"{value:.6g}"


def _grid_rows(result: xr.Dataset, keys: Sequence[str]) -> np.ndarray:
    """Return the positions of the scenarios where every key is swept."""
    return np.flatnonzero(np.all([np.isfinite(result[k].values) for k in keys], axis=0))


def _medians(result: xr.Dataset, headline: str) -> np.ndarray:
    return result[headline].transpose("scenario", "stat").sel(stat="median").values


def _has_median(result: xr.Dataset, key: str) -> bool:
    return key in result.data_vars and "stat" in result[key].dims


def _moves(result: xr.Dataset, key: str, rows: np.ndarray) -> bool:
    """Whether the headline's median, as printed, differs between the grid's points."""
    unit = result[key].attrs.get("unit", "")
    values = np.unique(_medians(result, key)[rows])  # NaNs apart: each one is "n/a"
    return len({format_value(float(v), unit) for v in values}) > 1


def pivot_headline(result: xr.Dataset, asked: Sequence[str] = ()) -> str | None:
    """Return the headline a two-key sweep's pivot shows, or None if it has no pivot.

    The first of ``asked`` (``--headline``) with a median; without any asked, the first key
    headline (:func:`~forecast.stress.result.key_headlines`) the sweep moves, else the first
    with a median. None if the result is not a two-key sweep or no candidate has a median
    (a categorical headline has none).
    """
    keys = swept_keys(result)
    if len(keys) != 2:
        return None
    if asked:
        return next((k for k in asked if _has_median(result, k)), None)
    candidates = [k for k in key_headlines() if _has_median(result, k)]
    rows = _grid_rows(result, keys)
    return next((k for k in candidates if _moves(result, k, rows)), None) or next(
        iter(candidates), None
    )


def _scenario_swept(name: str, keys: Sequence[str], values: Sequence[float]) -> str:
    """Return the scenario a grid point was made from: its name without the swept suffix."""
    suffix = "".join(
        f"[{label(tuple(k.split('.')), float(v))}]" for k, v in zip(keys, values, strict=True)
    )
    return name.removesuffix(suffix) if name.endswith(suffix) else name.partition("[")[0]


def _in_order(values: np.ndarray) -> tuple[float, ...]:
    """Return the distinct values in the order they first appear (the sweep's order)."""
    return tuple(dict.fromkeys(map(float, values)))


def pivots(result: xr.Dataset, headline: str) -> list[Pivot]:
    """Return the pivot of ``headline`` for each scenario a two-key sweep swept.

    Raises
    ------
    ValueError
        If the result is not a two-key sweep or the headline has no median.
    """
    keys = swept_keys(result)
    if len(keys) != 2 or not _has_median(result, headline):
        raise ValueError(f"no pivot: {len(keys)} swept keys, headline {headline!r}")
    row_key, col_key = keys
    rows = _grid_rows(result, keys)
    row_of, col_of = result[row_key].values, result[col_key].values
    row_values, col_values = _in_order(row_of[rows]), _in_order(col_of[rows])
    row_index = {v: i for i, v in enumerate(row_values)}
    col_index = {v: i for i, v in enumerate(col_values)}
    size = len(row_values) * len(col_values)
    medians, passed = _medians(result, headline), result["diagnostics_passed"].values
    names = result["scenario"].values
    unit = result[headline].attrs.get("unit", "")
    baseline = None
    if BASELINE in names:
        value = float(medians[list(names).index(BASELINE)])
        baseline = value if math.isfinite(value) else None
    out = []
    # Each swept scenario's grid is a block of consecutive scenarios (the plan's order).
    for start in range(0, len(rows), size):
        block = rows[start : start + size]
        grid = np.full((len(row_values), len(col_values)), np.nan)
        ok = np.ones(grid.shape, dtype=bool)
        at = (
            [row_index[float(v)] for v in row_of[block]],
            [col_index[float(v)] for v in col_of[block]],
        )
        grid[at], ok[at] = medians[block], passed[block]
        first = block[0]
        point = [row_of[first], col_of[first]]
        out.append(
            Pivot(
                headline=headline,
                unit=unit,
                scenario=_scenario_swept(str(names[first]), keys, point),
                row_key=row_key,
                col_key=col_key,
                row_values=row_values,
                col_values=col_values,
                median=grid,
                passed=ok,
                baseline=baseline,
            )
        )
    return out


def evenly(n: int, limit: int) -> list[int]:
    """Return at most ``limit`` positions of ``n``, evenly spaced, the first and last kept."""
    if n <= limit:
        return list(range(n))
    return sorted({round(i * (n - 1) / (limit - 1)) for i in range(limit)})


def cell(pivot: Pivot, row: int, col: int) -> str:
    """Return one median as the report prints it (``Oct 2029``, ``$1.2B``, ``after 2100``)."""
    value = float(pivot.median[row, col])
    return format_value(value if math.isfinite(value) else None, pivot.unit)


def pivot_csv(pivots: Sequence[Pivot]) -> bytes:
    """Return the pivots as CSV: a comment line, then a header and one row per row value.

    Values are the medians to 6 significant digits (decimal years for a year; empty beyond the
    horizon), one column per value of the across key, the scenario swept first.
    """
    first = pivots[0]
    lines = [
        # The first line marks the file as a pivot (forecast.paths.MAGIC): a new one may replace it.
        f"# datawall stress pivot: median of {first.headline} ({first.unit}), "
        f"{first.row_key} down, {first.col_key} across",
        ",".join(["scenario", first.row_key, *map(swept_value, first.col_values)]),
    ]
    for p in pivots:
        for r, value in enumerate(p.row_values):
            cells = [f"{v:.6g}" if math.isfinite(v) else "" for v in p.median[r]]
            lines.append(",".join([p.scenario, swept_value(value), *cells]))
    return ("\n".join(lines) + "\n").encode()


def pivot_paths(result_path: str | Path) -> tuple[Path, Path]:
    """Return where a result's pivot (CSV) and heatmap (PNG) are saved: beside it, same stem."""
    path = Path(result_path)
    return path.with_suffix(".csv"), path.with_suffix(".png")
