"""The compute spine's projection by hand (trend forms and their recovery: test_trend.py)."""

import numpy as np
from scipy import stats

from forecast.models import compute
from tests.helpers import fake_posterior


def test_compute_projection_by_hand():
    comp = fake_posterior(
        compute_intercept=24.0,
        compute_slope=0.7,
        compute_sigma=0.3,
        compute_nu=5.0,
        largest_run_offset=0.5,
        largest_run_sigma=0.2,
    )
    out = compute.derive(comp, {}, {"largest_run_quantile": 0.9}, seed=0)
    np.testing.assert_allclose(out["training_compute_flop"].sel(year=2030), 10 ** (24 + 7.0))
    np.testing.assert_allclose(out["compute_growth_per_year"], 10**0.7)
    # The largest run of a year sits sigma * t_nu^-1(0.9) above the trend.
    np.testing.assert_allclose(out["largest_run_log10_offset"], 0.3 * stats.t.ppf(0.9, 5.0))
