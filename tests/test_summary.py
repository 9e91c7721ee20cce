import numpy as np
import xarray as xr

from forecast.summary import headline, probability_by, quantiles
from tests.numerics.test_selection import PROBS, awkward_rows, reference_quantiles


def draws(values):
    return xr.DataArray(np.asarray(values, float).reshape(1, -1), dims=("chain", "draw"))


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


def test_probability_by_end_of_year():
    p = probability_by(draws([2026.2, 2027.9, 2028.0, 2031.5]), (2026, 2027, 2030))
    assert p.sel(by_year=2026) == 0.25
    assert p.sel(by_year=2027) == 0.75  # 2028.0 is the first instant of 2028: by end of 2027
    assert p.sel(by_year=2030) == 0.75


def test_quantiles_over_the_sample_dims_match_sorting_per_row(rng):
    # Vectorised over the other dims: each row of awkward draws (ties, NaN, +inf, all NaN, all
    # +inf) as the sorting reference gives it, under the ``quantile`` dim.
    rows = awkward_rows(rng, 1001)
    data = xr.DataArray(rows.reshape(len(rows), 1, -1), dims=("scenario", "chain", "draw"))
    got = quantiles(data, tuple(PROBS))
    assert got.dims == ("scenario", "quantile")
    expected = np.array([reference_quantiles(row, PROBS) for row in rows])
    np.testing.assert_array_equal(got.values, expected)


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
