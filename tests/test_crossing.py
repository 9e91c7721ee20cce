import numpy as np
import pytest
import xarray as xr

from forecast.models.crossing import (
    crossing_year,
    first_crossing_year,
    joint_crossing_year,
    linear_crossing_year,
)


def test_known_crossing_year():
    # demand 10^(12 + 0.5 (y - 2020)), supply 10^(14 + 0.1 (y - 2020)): equal at y = 2025
    slope = np.array([[0.5, 0.3]])
    gap = lambda y: (12 + slope * (y - 2020)) - (14 + 0.1 * (y - 2020))  # noqa: E731
    years = first_crossing_year(gap, (1, 2), start=2000, stop=2100)
    np.testing.assert_allclose(years, [[2025.0, 2020 + 2 / 0.2]], atol=1e-6)


def test_never_and_already():
    offsets = np.array([-5.0, 1.0])  # never reaches / already above at start
    gap = lambda y: offsets + 0.0 * y  # noqa: E731
    years = first_crossing_year(gap, (2,), start=2000, stop=2100)
    assert np.isinf(years[0]) and years[1] == 2000


def test_non_exponential_supply_matches_numeric_root():
    # supply with an additive term that kicks in later: solve by dense brute force
    def gap(y):
        demand = 10 ** (12 + 0.4 * (y - 2020))
        supply = 1e14 + np.where(y >= 2025, 5e13 * 2.0 ** (y - 2025), 0.0)
        return np.log10(demand) - np.log10(supply)

    (year,) = first_crossing_year(gap, (1,), start=2000, stop=2100)
    dense = np.linspace(2020, 2040, 2_000_001)
    expected = dense[np.argmax(gap(dense) >= 0)]
    assert year == pytest.approx(expected, abs=1e-4)


def test_linear_solver_is_exact_between_knots_per_element():
    # Demand grows 0.5 OOM/yr until a per-draw hold year, then 0.05; supply 0.1 OOM/yr.
    hold = xr.DataArray([2022.0, 2030.0, 2040.0], dims="draw")
    offset = xr.DataArray([-4.0, -4.0, 30.0], dims="draw")  # the last is above from the start

    def gap(y):
        demand = 0.5 * (np.minimum(y, hold) - 2020) + 0.05 * np.maximum(y - hold, 0)
        return demand - 0.1 * (y - 2020) + offset

    solved = linear_crossing_year(gap, start=2000.0, stop=2100.0, knots=(hold,))
    # draw 0: -4 + 1.0 at 2022 (gap -3.2), then -0.05/yr: never; draw 1: 0.4/yr from 2020 -> 2030
    np.testing.assert_allclose(solved.values, [np.inf, 2030.0, 2000.0], atol=1e-9)
    brute = crossing_year(gap, start=2000.0, stop=2100.0)
    np.testing.assert_allclose(solved.values, brute.values, atol=1e-8)


def test_joint_solver_finds_the_first_year_every_gap_is_met_at_once():
    """Demand over the larger of two supplies: the campus (flat, then growing) and a share of
    capacity (growing from the start, held for a per-draw delay), checked by brute force."""
    delay = xr.DataArray([0.0, 1.7, 4.2, 30.0], dims="draw")
    start_year = xr.DataArray(2024.0)

    def demand(y):
        return 0.45 * (y - 2020.0)

    def campus(y):
        return 2.0 + 0.3 * np.maximum(y - 2030.0, 0.0)

    def share(y):
        held = xr.where(y <= start_year, y, np.maximum(start_year, y - delay))
        return 0.5 + 0.2 * (held - 2020.0)

    gaps = [lambda y: demand(y) - campus(y), lambda y: demand(y) - share(y)]
    knots = (start_year, start_year + delay, 2030.0)
    solved = joint_crossing_year(
        lambda y: [g(y) for g in gaps], start=2000.0, stop=2100.0, knots=knots
    )
    dense = xr.DataArray(np.linspace(2000.0, 2100.0, 1_000_001), dims="year")
    met = (gaps[0](dense) >= 0) & (gaps[1](dense) >= 0)
    brute = dense.isel(year=met.argmax("year")).where(met.any("year"), np.inf)
    np.testing.assert_allclose(solved.values, brute.transpose("draw").values, atol=2e-4)
    # One gap: the joint solver is the single-gap solver.
    single = linear_crossing_year(gaps[1], start=2000.0, stop=2100.0, knots=knots)
    joint = joint_crossing_year(lambda y: [gaps[1](y)], start=2000.0, stop=2100.0, knots=knots)
    xr.testing.assert_identical(single, joint)
