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


def _reference_quantiles(row, probs):
    """Linear-interpolation quantiles of one row by sorting: NaN dropped, +inf safe."""
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


def test_quantiles_match_sorting_with_ties_nan_and_inf(rng):
    # The compiled selection against a plain sort, row by row, on the awkward cases: few
    # draws, runs of ties, NaN draws, +inf draws (never by the horizon) and an all-NaN row.
    probs = (0.5, 0.1, 0.9, 0.0, 1.0, 0.25)
    for n in (1, 2, 3, 7, 100, 1001, 5000):  # from 1024 draws, bracketed by a sample
        values = np.round(rng.normal(size=(8, n)) * 3) + 2030  # ties
        values[1, rng.random(n) < 0.3] = np.nan
        values[2, rng.random(n) < 0.5] = np.inf
        values[3, rng.random(n) < 0.3] = np.nan
        values[3, rng.random(n) < 0.3] = np.inf
        values[4] = np.nan
        values[5] += rng.normal(size=n)  # no ties
        values[6] = 2031.0  # all tied
        values[7] = np.inf  # never by the horizon
        data = xr.DataArray(values.reshape(8, 1, n), dims=("scenario", "chain", "draw"))
        got = quantiles(data, probs)
        assert got.dims == ("scenario", "quantile")
        expected = np.array([_reference_quantiles(row, probs) for row in values])
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


def test_probability_by_exact_on_and_between_year_ends(rng):
    # The compiled count guesses each draw's year from evenly spaced ends and corrects the
    # guess: draws exactly on an end, a hair either side of it, far outside the years, and
    # ends that are not evenly spaced must all count as a comparison with each end does.
    ends = np.arange(2025, 2046) + 1.0
    hair = np.concatenate([ends, np.nextafter(ends, -np.inf), np.nextafter(ends, np.inf)])
    values = np.concatenate(
        [hair, [-np.inf, 0.0, 1e6, 2024.0], rng.uniform(2020.0, 2050.0, size=500)]
    )
    data = draws(values)
    for by in (tuple(range(2025, 2046)), (2025, 2026, 2030, 2031, 2045), (2040,)):
        p = probability_by(data, by)
        expected = [np.mean(values <= y + 1.0) for y in by]
        np.testing.assert_array_equal(p.values, expected)


def test_quantiles_exact_when_the_sample_misleads_the_brackets():
    # Long rows find their order statistics inside brackets from an evenly spaced sample; a
    # row whose sampled draws are all extreme gets brackets that miss, and must still be exact.
    from forecast.summary import BRACKET_SAMPLE_SIZE

    n = 4096
    row = np.arange(n, dtype=float)
    sampled = (np.arange(BRACKET_SAMPLE_SIZE) * n) // BRACKET_SAMPLE_SIZE
    row[sampled] = -1.0
    probs = (0.5, 0.1, 0.9)
    got = quantiles(xr.DataArray(row.reshape(1, 1, n), dims=("s", "chain", "draw")), probs)
    np.testing.assert_array_equal(got.values[0], _reference_quantiles(row, probs))
