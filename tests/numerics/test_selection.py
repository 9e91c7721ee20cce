import numpy as np

from forecast.numerics.selection import BRACKET_SAMPLE_SIZE, BRACKETED_MIN_DRAWS, row_quantiles

PROBS = np.array([0.5, 0.1, 0.9, 0.0, 1.0, 0.25])


def reference_quantiles(row, probs):
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


def quantiles_of(rows, probs=PROBS):
    out = np.empty((rows.shape[0], len(probs)))
    row_quantiles(rows, np.asarray(probs, float), out)
    return out


def awkward_rows(rng, n):
    """Rows of n draws: ties, NaN, +inf (many), both, all NaN, none tied, all tied, all +inf."""
    values = np.round(rng.normal(size=(9, n)) * 3) + 2030  # ties
    values[1, rng.random(n) < 0.3] = np.nan
    values[2, rng.random(n) < 0.5] = np.inf
    values[3, rng.random(n) < 0.3] = np.nan
    values[3, rng.random(n) < 0.3] = np.inf
    values[4] = np.nan
    values[5] += rng.normal(size=n)  # no ties
    values[6] = 2031.0  # all tied
    values[7] = np.inf  # never by the horizon
    values[8, rng.random(n) < 0.9] = np.inf  # mostly never: the quantiles fall among +inf
    return values


def test_row_quantiles_match_sorting_with_ties_nan_and_inf(rng):
    # The compiled selection against a plain sort, row by row, bit for bit.
    for n in (1, 2, 3, 7, 100, 1001, BRACKETED_MIN_DRAWS, 4000, 5000):
        rows = awkward_rows(rng, n)
        expected = np.array([reference_quantiles(row, PROBS) for row in rows])
        np.testing.assert_array_equal(quantiles_of(rows), expected)


def test_row_quantiles_between_a_value_and_inf_are_inf():
    rows = np.array([[2027.0, 2028.0, 2029.0, np.inf, np.inf]])
    np.testing.assert_array_equal(
        quantiles_of(rows, [0.1, 0.5, 0.6, 0.9, 1.0]), [[2027.4, 2029.0, np.inf, np.inf, np.inf]]
    )


def test_row_quantiles_exact_when_the_sample_misleads_the_brackets():
    # Long rows find their order statistics inside brackets from an evenly spaced sample; a
    # row whose sampled draws are all extreme gets brackets that miss, and must still be exact.
    n = 4096
    row = np.arange(n, dtype=float)
    sampled = (np.arange(BRACKET_SAMPLE_SIZE) * n) // BRACKET_SAMPLE_SIZE
    row[sampled] = -1.0
    probs = np.array([0.5, 0.1, 0.9])
    np.testing.assert_array_equal(
        quantiles_of(row[None, :], probs)[0], reference_quantiles(row, probs)
    )
