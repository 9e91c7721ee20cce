"""A two-key sweep as a pivot: laid out from the result's coords alone, saved as CSV and PNG."""

from __future__ import annotations

import io
import itertools

import pandas as pd
import pytest

from forecast.paths import MAGIC
from forecast.stress import pivot
from tests.helpers import COL, ROW, sweep_result


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
