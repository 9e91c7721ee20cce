"""A two-key sweep as a pivot: laid out from the result's coords alone, saved as CSV and PNG."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from forecast.paths import MAGIC
from forecast.stress import pivot

ROW, COL = "power.lab_share", "power.extra_grid_delay_years"


def sweep_result(
    rows=(0.1, 0.233333, 0.366667), cols=(4.0, 2.0, 0.0), bases=("baseline",), moving=True
) -> xr.Dataset:
    """A stress result of a two-key sweep per base scenario, after the baseline row.

    ``walls.first_wall_year``'s median is ``2027 + row + col / 10`` (or 2027 if not moving);
    ``datawall.exhaustion_year`` is 2030 everywhere; ``walls.first_wall`` is categorical.
    """
    names, row_of, col_of, medians = ["baseline"], [np.nan], [np.nan], [2027.5]
    for base in bases:
        for r, c in itertools.product(rows, cols):  # the last axis fastest, as a plan orders it
            names.append(f"{base}[{ROW}={r:.6g}][{COL}={c:.6g}]")
            row_of.append(r)
            col_of.append(c)
            medians.append(2027 + r + c / 10 if moving else 2027.0)
    n = len(names)
    stats = np.stack([medians, np.array(medians) - 1, np.array(medians) + 1], axis=1)
    result = xr.Dataset(
        {
            "walls.first_wall": (("scenario", "wall"), np.full((n, 2), 0.5)),
            "walls.first_wall_year": (("scenario", "stat"), stats),
            "datawall.exhaustion_year": (("scenario", "stat"), np.full((n, 3), 2030.0)),
            "diagnostics_passed": ("scenario", np.arange(n) != 1),
        },
        coords={
            "scenario": names,
            "stat": ["median", "p10", "p90"],
            "wall": ["data", "power"],
            ROW: ("scenario", row_of),
            COL: ("scenario", col_of),
        },
    )
    for key in ("walls.first_wall_year", "datawall.exhaustion_year"):
        result[key].attrs["unit"] = "year"
    return result


def test_the_pivot_lays_out_each_point_by_its_swept_values_in_sweep_order():
    (grid,) = pivot.pivots(sweep_result(), "walls.first_wall_year")
    assert (grid.row_key, grid.col_key, grid.scenario) == (ROW, COL, "baseline")
    assert grid.row_values == (0.1, 0.233333, 0.366667)
    assert grid.col_values == (4.0, 2.0, 0.0)  # swept from 4 down to 0: kept in that order
    for (r, row), (c, col) in itertools.product(
        enumerate(grid.row_values), enumerate(grid.col_values)
    ):
        assert grid.median[r, c] == pytest.approx(2027 + row + col / 10)
    assert grid.baseline == 2027.5 and grid.unit == "year"
    assert not grid.passed[0, 0] and grid.passed.sum() == grid.passed.size - 1
    assert pivot.cell(grid, 0, 0) == "Jul 2027"  # 2027.5: as the report prints a year


def test_each_swept_scenario_has_its_own_pivot():
    result = sweep_result(bases=("baseline[datawall.tokens_per_param=40]", "grid_delays"))
    grids = pivot.pivots(result, "walls.first_wall_year")
    assert [g.scenario for g in grids] == ["baseline[datawall.tokens_per_param=40]", "grid_delays"]
    assert all(g.median.shape == (3, 3) for g in grids)


def test_the_headline_is_the_first_asked_with_a_median_else_the_first_key_headline_moved():
    result = sweep_result()
    assert pivot.pivot_headline(result) == "walls.first_wall_year"  # walls.first_wall: no median
    asked = ["walls.first_wall", "datawall.exhaustion_year"]
    assert pivot.pivot_headline(result, asked) == "datawall.exhaustion_year"
    assert pivot.pivot_headline(result, ["walls.first_wall"]) is None
    still = sweep_result(moving=False)
    # Nothing moves: the first key headline with a median all the same.
    assert pivot.pivot_headline(still) == "walls.first_wall_year"
    one_key = sweep_result().drop_vars(COL)
    assert pivot.pivot_headline(one_key) is None
    with pytest.raises(ValueError, match="no pivot"):
        pivot.pivots(one_key, "walls.first_wall_year")


def test_the_csv_is_the_pivot_with_the_scenario_first_and_a_comment_line():
    grids = pivot.pivots(sweep_result(bases=("a", "b")), "walls.first_wall_year")
    content = pivot.pivot_csv(grids)
    assert content.startswith(MAGIC[".csv"][0])  # a later pivot may replace it
    frame = pd.read_csv(io.BytesIO(content), comment="#")
    assert list(frame.columns) == ["scenario", ROW, "4", "2", "0"]
    assert list(frame["scenario"]) == ["a"] * 3 + ["b"] * 3
    assert list(frame[ROW]) == [0.1, 0.233333, 0.366667] * 2
    assert frame["4"].iloc[0] == pytest.approx(2027.5)


def test_the_heatmap_labels_its_axes_with_the_keys_and_its_colour_bar_with_the_headline():
    grids = pivot.pivots(sweep_result(), "walls.first_wall_year")
    fig = pivot.heatmap(grids)
    heat, bar = fig.axes
    assert (heat.get_xlabel(), heat.get_ylabel()) == (COL, ROW)
    assert [t.get_text() for t in heat.get_xticklabels()] == ["4", "2", "0"]
    assert [t.get_text() for t in heat.get_yticklabels()] == ["0.1", "0.233333", "0.366667"]
    assert bar.get_ylabel() == "walls.first_wall_year, median (year)"
    fig.canvas.draw()
    ticks = [t.get_text() for t in bar.get_yticklabels() if t.get_text()]
    assert ticks and all(t[-4:].isdigit() and 2027 <= int(t[-4:]) <= 2028 for t in ticks)
    assert {t.get_text() for t in heat.texts} >= {"Jul 2027", "Jun 2027"}


def test_the_pivot_and_its_heatmap_are_saved_beside_the_result(tmp_path):
    grids = pivot.pivots(sweep_result(), "walls.first_wall_year")
    csv, png = pivot.save_pivot(grids, tmp_path / "sweep.nc")
    assert (csv, png) == (tmp_path / "sweep.csv", tmp_path / "sweep.png")
    assert png.read_bytes().startswith(MAGIC[".png"][0])
    assert csv.read_bytes() == pivot.pivot_csv(grids)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.csv", "sweep.png"]


def test_a_large_grid_has_round_ticks_and_no_cell_values():
    assert pivot.evenly(5, 12) == [0, 1, 2, 3, 4]
    assert pivot.evenly(100, 12)[0] == 0 and pivot.evenly(100, 12)[-1] == 99
    assert len(pivot.evenly(100, 12)) == 12
    rows = tuple(round(0.1 + i / 100, 6) for i in range(30))
    grids = pivot.pivots(sweep_result(rows=rows, cols=tuple(range(20))), "walls.first_wall_year")
    heat = pivot.heatmap(grids).axes[0]
    assert heat.get_ylim() == pytest.approx((0.095, 0.395))  # each cell around its value
    assert len(heat.get_yticks()) < len(rows) and not heat.texts  # 600 cells: no values
