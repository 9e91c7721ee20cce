import numpy as np
import xarray as xr

from forecast.summary import (
    headline,
    probability_by,
    quantiles,
    row_probability_by,
    row_quantiles,
)

PROBS = np.array([0.5, 0.1, 0.9, 0.0, 1.0, 0.25])


def draws(values):
    return xr.DataArray(np.asarray(values, float).reshape(1, -1), dims=("chain", "draw"))


def reference_quantiles(row, probs):
    """Linear-interpolation quantiles of one row, one at a time: NaN dropped, +inf safe."""
    kept = np.sort(row[~np.isnan(row)])
    if kept.size == 0:
        return np.full(len(probs), np.nan)
    out = []
    for p in probs:
        position = p * (kept.size - 1)
        lo, hi = kept[int(np.floor(position))], kept[int(np.ceil(position))]
        weight = position - np.floor(position)
        out.append(lo if weight == 0 else hi if np.isinf(hi) else lo + weight * (hi - lo))
    return np.array(out)


def awkward_rows(rng, n):
    """Rows of n draws: ties, NaN, +inf (many), both, all NaN, none tied, all tied, all +inf,
    and draws exactly on, just below and just above year ends."""
    values = np.round(rng.normal(size=(12, n)) * 3) + 2030  # ties
    values[1, rng.random(n) < 0.3] = np.nan
    values[2, rng.random(n) < 0.5] = np.inf
    values[3, rng.random(n) < 0.3] = np.nan
    values[3, rng.random(n) < 0.3] = np.inf
    values[4] = np.nan
    values[5] += rng.normal(size=n)  # no ties
    values[6] = 2031.0  # all tied
    values[7] = np.inf  # never by the horizon
    values[8, rng.random(n) < 0.9] = np.inf  # mostly never: the quantiles fall among +inf
    # values[9]: whole years, the ends of years; then a hair below and above them.
    values[10] = np.nextafter(values[9], -np.inf)
    values[11] = np.nextafter(values[9], np.inf)
    return values


def test_quantiles_match_numpy_when_finite(rng):
    x = rng.normal(size=1001)
    q = quantiles(draws(x), (0.1, 0.5, 0.9)).values
    np.testing.assert_allclose(q, np.quantile(x, [0.1, 0.5, 0.9]))


def test_infinite_draws_count_as_beyond_horizon():
    x = [2027.0, 2028.0, 2029.0, np.inf, np.inf]
    h = headline(draws(x), "year")
    assert h.median == 2029.0
    assert h.p90 is None  # beyond the horizon
    assert h.p10 == 2027.0 + 0.4 * 1.0


def test_row_quantiles_match_the_definition_with_ties_nan_and_inf(rng):
    # Row by row and bit for bit, on the awkward cases, from one draw to a headline's 4,000.
    for n in (1, 2, 3, 7, 100, 1001, 4000):
        rows = awkward_rows(rng, n)
        expected = np.array([reference_quantiles(row, PROBS) for row in rows])
        np.testing.assert_array_equal(row_quantiles(rows, PROBS), expected)


def test_row_quantiles_between_a_value_and_inf_are_inf():
    rows = np.array([[2027.0, 2028.0, 2029.0, np.inf, np.inf], [np.inf] * 5])
    got = row_quantiles(rows, np.array([0.1, 0.5, 0.6, 0.9, 1.0]))
    np.testing.assert_array_equal(got[0], [2027.4, 2029.0, np.inf, np.inf, np.inf])
    np.testing.assert_array_equal(got[1], [np.inf] * 5)  # not NaN, as np.quantile gives


def test_quantiles_over_the_sample_dims_are_each_rows(rng):
    rows = awkward_rows(rng, 1001)
    data = xr.DataArray(rows.reshape(len(rows), 1, -1), dims=("scenario", "chain", "draw"))
    got = quantiles(data, tuple(PROBS))
    assert got.dims == ("scenario", "quantile")
    np.testing.assert_array_equal(got.values, row_quantiles(rows, PROBS))


def test_probability_by_end_of_year():
    p = probability_by(draws([2026.2, 2027.9, 2028.0, 2031.5]), (2026, 2027, 2030))
    assert p.sel(by_year=2026) == 0.25
    assert p.sel(by_year=2027) == 0.75  # 2028.0 is the first instant of 2028: by end of 2027
    assert p.sel(by_year=2030) == 0.75


def test_probability_by_counts_nan_and_inf_as_never(rng):
    values = rng.uniform(2024.0, 2035.0, size=(3, 2, 50))
    values[0, 0, :10] = np.nan
    values[1, :, ::3] = np.inf
    values[2, 1, 0] = 2031.0  # exactly the end of 2030
    values[2, 1, 1] = 2034.0  # exactly the end of the last year asked
    data = xr.DataArray(values, dims=("scenario", "chain", "draw"))
    by = (2025, 2030, 2033)
    p = probability_by(data, by)
    flat = values.reshape(3, -1)
    expected = [[np.mean(row <= y + 1.0) for y in by] for row in flat]  # NaN, inf: False
    np.testing.assert_allclose(p.transpose("scenario", "by_year").values, expected)


def test_row_probability_by_exact_on_and_between_year_ends(rng):
    # Draws exactly on an end, a hair either side of it, far outside the years, and ends that
    # are not evenly spaced must all count as a comparison with each end does.
    ends = np.arange(2025, 2046) + 1.0
    hair = np.concatenate([ends, np.nextafter(ends, -np.inf), np.nextafter(ends, np.inf)])
    values = np.concatenate(
        [hair, [-np.inf, 0.0, 1e6, 2024.0], rng.uniform(2020.0, 2050.0, size=500)]
    )
    for by in (range(2025, 2046), (2025, 2026, 2030, 2031, 2045), (2040,)):
        chosen = np.array(by) + 1.0
        expected = [[np.mean(values <= end) for end in chosen]]
        np.testing.assert_array_equal(row_probability_by(values[None, :], chosen), expected)


def test_row_probability_by_never_counts_nan_or_inf(rng):
    rows = awkward_rows(rng, 300)
    ends = np.array([2026.0, 2031.0, 2034.0])
    expected = [[np.mean(row <= end) for end in ends] for row in rows]  # NaN, inf: False
    got = row_probability_by(rows, ends)
    np.testing.assert_array_equal(got, expected)
    assert (got[[4, 7]] == 0).all()  # all NaN, all +inf
