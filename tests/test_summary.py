import numpy as np
import xarray as xr

from forecast.summary import headline, probability_by, quantiles


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
