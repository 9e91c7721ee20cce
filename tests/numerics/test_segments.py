import numpy as np
import pytest

from forecast.numerics.segments import log_sum_segment, nonnegative_part, segment_step


@pytest.mark.parametrize(
    ("at_start", "at_end", "part"),
    [
        (1.0, 2.0, (0.0, 1.0)),  # >= 0 throughout
        (1.0, -3.0, (0.0, 0.25)),  # falls through zero a quarter in
        (-1.0, 3.0, (0.25, 1.0)),  # rises through zero a quarter in
        (0.0, -1.0, (0.0, 0.0)),  # zero at the start only
        (-1.0, -2.0, (np.inf, -np.inf)),  # never
        (np.nan, 1.0, (np.inf, -np.inf)),  # NaN: never
    ],
)
def test_nonnegative_part_of_a_linear_gap(at_start, at_end, part):
    assert nonnegative_part(at_start, at_end, 0.0, 1.0) == part


def test_segment_step_solves_where_every_gap_is_met_at_once():
    # Four elements on the segment 2030 -> 2040: both gaps met from 2032.5; the second gap
    # never met;
    # met only at the segment's end; and an element already solved, which is left alone.
    gaps0 = (np.array([-1.0, 1.0, -1.0, -1.0]), np.array([1.0, -1.0, -4.0, -1.0]))
    gaps1 = (np.array([3.0, 1.0, 0.0, 3.0]), np.array([1.0, -1.0, 0.0, 3.0]))
    years0 = np.full((1, 1, 1, 4), 2030.0)
    years1 = np.full((1, 1, 1, 4), 2040.0)
    solved = np.array([np.inf, np.inf, np.inf, 2001.0])
    todo = np.array([True, True, True, False])
    remaining = segment_step(gaps0, years0, gaps1, years1, solved, todo)
    assert remaining == 1
    np.testing.assert_array_equal(solved, [2032.5, np.inf, 2040.0, 2001.0])
    np.testing.assert_array_equal(todo, [False, True, False, False])


def test_log_sum_segment_reports_newton_that_does_not_settle():
    # demand 12 + 0.5 x against 10**(14 + 0.1 x) + 10**(13.9 + 0.1 x): one Newton step is
    # not enough to reach the zero, so the kernel says so (-1) rather than guess.
    at_begin = np.array([[12.0], [14.0], [13.9]])
    at_middle = np.array([[12.0 + 0.5 * 5], [14.0 + 0.1 * 5], [13.9 + 0.1 * 5]])
    years0, years1 = np.array([2020.0]), np.array([2030.0])
    solved, todo = np.array([np.inf]), np.array([True])
    assert log_sum_segment(at_begin, at_middle, years0, years1, solved, todo, 1e-9, 1) == -1
    assert log_sum_segment(at_begin, at_middle, years0, years1, solved, todo, 1e-9, 100) == 0
    crossing = 2020.0 + (2.0 + np.log10(1 + 10**-0.1)) / 0.4
    np.testing.assert_allclose(solved, [crossing], atol=1e-9)
