import numpy as np

from forecast.numerics.counting import row_probability_by


def shares(rows, ends):
    out = np.empty((rows.shape[0], len(ends)))
    row_probability_by(rows, np.asarray(ends, float), out)
    return out


def test_row_probability_by_exact_on_and_between_year_ends(rng):
    # The compiled count guesses each draw's year from evenly spaced ends and corrects the
    # guess: draws exactly on an end, a hair either side of it, far outside the years, and
    # ends that are not evenly spaced must all count as a comparison with each end does.
    ends = np.arange(2025, 2046) + 1.0
    hair = np.concatenate([ends, np.nextafter(ends, -np.inf), np.nextafter(ends, np.inf)])
    values = np.concatenate(
        [hair, [-np.inf, 0.0, 1e6, 2024.0], rng.uniform(2020.0, 2050.0, size=500)]
    )
    for by in (range(2025, 2046), (2025, 2026, 2030, 2031, 2045), (2040,)):
        chosen = np.array(by) + 1.0
        expected = [[np.mean(values <= end) for end in chosen]]
        np.testing.assert_array_equal(shares(values[None, :], chosen), expected)


def test_row_probability_by_never_counts_nan_or_inf(rng):
    rows = rng.uniform(2024.0, 2035.0, size=(4, 300))
    rows[0, :30] = np.nan
    rows[1, ::3] = np.inf
    rows[2] = np.inf
    rows[3] = np.nan
    ends = np.array([2026.0, 2031.0, 2034.0])
    expected = [[np.mean(row <= end) for end in ends] for row in rows]  # NaN, inf: False
    got = shares(rows, ends)
    np.testing.assert_array_equal(got, expected)
    assert (got[2:] == 0).all()
