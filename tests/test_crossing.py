import numpy as np
import xarray as xr

from forecast.models.crossing import (
    joint_crossing_year,
    linear_crossing_year,
    log_sum_crossing_year,
)


def test_log_sum_solver_on_one_term_is_the_linear_crossing():
    # demand 10^(12 + 0.5 (y - 2020)), supply 10^(14 + 0.1 (y - 2020)): equal at y = 2025;
    # one demand never reaches the supply, one is above it from the start.
    slope = xr.DataArray([0.5, 0.3, 0.0, 0.0], dims="draw")
    level = xr.DataArray([12.0, 12.0, 1.0, 15.0], dims="draw")
    years = log_sum_crossing_year(
        lambda y: level + slope * (y - 2020),
        lambda y: [14 + 0.1 * (y - 2020)],
        start=2000,
        stop=2100,
    )
    np.testing.assert_allclose(years[:2], [2025.0, 2020 + 2 / 0.2], atol=1e-8)
    assert np.isinf(years[2]) and years[3] == 2000


def test_log_sum_solver_matches_a_dense_grid_on_a_sum_of_exponentials():
    # The stock plus synthetic tokens from 2025 (switched on there, then their own growth):
    # per draw, a crossing before they start, two on the curved part, one with no synthetic
    # tokens (log-linear), and one never; the demand kinks at a per-draw hold year.
    base = xr.DataArray([12.5, 12.0, 11.0, 12.0, 9.0], dims="draw")
    synthetic = xr.DataArray([5e13, 1e14, 1e12, 0.0, 1e13], dims="draw")
    growth = xr.DataArray([2.0, 1.5, 2.0, 1.0, 3.0], dims="draw")
    hold = xr.DataArray([2040.0, 2031.5, 2100.0, 2033.0, 2050.0], dims="draw")

    def log_demand(y):
        return base + 0.4 * (np.minimum(y, hold) - 2020) + 0.2 * np.maximum(y - hold, 0)

    def terms(y):
        with np.errstate(divide="ignore"):
            late = np.log10(synthetic) + np.log10(growth) * (y - 2025)
        return [14 + np.log10(1.05) * (y - 2020), xr.where(y >= 2025, late, -np.inf)]

    def gap(y):
        supply = 1e14 * 1.05 ** (y - 2020) + xr.where(
            y >= 2025, synthetic * growth ** (y - 2025), 0.0
        )
        return log_demand(y) - np.log10(supply)

    solved = log_sum_crossing_year(
        log_demand, terms, start=2000.0, stop=2100.0, knots=(2025.0, hold)
    )
    dense = xr.DataArray(np.linspace(2000.0, 2100.0, 10_000_001), dims="year")
    met = gap(dense) >= 0
    brute = dense.isel(year=met.argmax("year")).where(met.any("year"), np.inf)
    np.testing.assert_allclose(solved.values, brute.transpose("draw").values, atol=2e-5)
    assert np.isinf(solved.values[-1]) and np.isfinite(solved.values[:-1]).all()
    # Without a curve the log-sum solver and the exact linear one agree.
    linear = linear_crossing_year(
        lambda y: log_demand(y) - terms(y)[0], start=2000.0, stop=2100.0, knots=(hold,)
    )
    curved = log_sum_crossing_year(
        log_demand, lambda y: terms(y)[:1], start=2000.0, stop=2100.0, knots=(hold,)
    )
    np.testing.assert_allclose(curved.values, linear.values, atol=1e-8)


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


def test_each_crossing_is_solved_over_its_own_gaps_dims():
    # One demand against two supplies: the first varies by draw alone, the second also by a
    # share. Each year comes back over its own gap's dims, and equals the gap solved alone.
    from forecast.models.crossing import crossing_years

    growth = xr.DataArray([0.4, 0.6], dims="draw")
    share = xr.DataArray([0.0, 1.0, 2.0], dims="share")

    def gaps(y):
        demand = growth * (y - 2020)
        return [demand - 2.0, demand - share - 0.1 * (y - 2020)]

    campus, lab = crossing_years(gaps, start=2000.0, stop=2100.0)
    assert campus.dims == ("draw",) and set(lab.dims) == {"draw", "share"}
    np.testing.assert_allclose(campus.values, 2020 + 2.0 / growth.values)
    for which, solved in enumerate((campus, lab)):
        alone = linear_crossing_year(lambda y, w=which: gaps(y)[w], start=2000.0, stop=2100.0)
        xr.testing.assert_allclose(solved, alone.transpose(*solved.dims))


def test_walk_reads_gaps_and_years_of_any_dims_in_place_or_not():
    # The walk reads gaps already in its element order in place and the segment years through
    # broadcast grids of four dims: gaps over five dims (the leading ones merged), one gap
    # transposed, one broadcast, and knots that vary along a middle dim must all give the
    # exact crossing of each element.
    rng = np.random.default_rng(3)
    dims = ("a", "b", "c", "d", "e")
    level = xr.DataArray(rng.uniform(-3.0, 1.0, size=(2, 3, 2, 4, 5)), dims=dims)
    slope = xr.DataArray(rng.uniform(0.1, 1.0, size=(2, 3, 2, 4, 5)), dims=dims)
    hold = xr.DataArray([2022.5, 2024.0, 2030.0], dims="b")  # the slope halves from here
    cap = xr.DataArray(rng.uniform(-1.0, 0.5, size=4), dims="d")
    years = xr.DataArray(np.linspace(2020.0, 2060.0, 400_001), dims="year")

    def first_gap(y):
        return level + slope * (np.minimum(y, hold) - 2020) + slope / 2 * np.maximum(y - hold, 0)

    def brute(met):
        first = years.isel(year=met.argmax("year")).where(met.any("year"), np.inf)
        return first.drop_vars("year", errors="ignore")

    def gaps(y):
        return [first_gap(y).transpose("e", "c", "a", "d", "b"), (y - 2020) * 0.5 + cap]

    both = joint_crossing_year(gaps, start=2020.0, stop=2060.0, knots=(hold,))
    expected = brute((first_gap(years) >= 0) & ((years - 2020) * 0.5 + cap >= 0))
    np.testing.assert_allclose(both.values, expected.transpose(*both.dims).values, atol=1e-4)
    alone = linear_crossing_year(
        lambda y: first_gap(y).transpose(*dims), start=2020.0, stop=2060.0, knots=(hold,)
    )
    expected = brute(first_gap(years) >= 0)
    np.testing.assert_allclose(alone.values, expected.transpose(*alone.dims).values, atol=1e-4)
    assert (alone.values == 2020.0).any() and (alone.values > hold.max().item()).any()
