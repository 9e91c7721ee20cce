"""The heatmap of a two-key sweep: labelled axes and colour bar, saved beside the result."""

from __future__ import annotations

import pytest

from forecast.paths import MAGIC
from forecast.report.figures import heatmap
from forecast.stress import pivot
from tests.helpers import COL, ROW, sweep_result


def test_the_heatmap_labels_its_axes_with_the_keys_and_its_colour_bar_with_the_headline():
    grids = pivot.pivots(sweep_result(), "walls.first_wall_year")
    fig = heatmap.heatmap(grids)
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
    csv, png = heatmap.save_pivot(grids, tmp_path / "sweep.nc")
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
    heat = heatmap.heatmap(grids).axes[0]
    assert heat.get_ylim() == pytest.approx((0.095, 0.395))  # each cell around its value
    assert len(heat.get_yticks()) < len(rows) and not heat.texts  # 600 cells: no values
