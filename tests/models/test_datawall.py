"""The data wall's maths: the dataset trend recovered on simulated data, exhaustion by hand."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from forecast.models import datawall
from forecast.models.base import FitInputs, model_priors
from tests.helpers import fake_posterior, sample_small


def simulated_inputs(rng, intercept, slope, sigma, n=40):
    years = np.sort(rng.uniform(2020, 2026, n))
    log10 = intercept + slope * (years - 2020) + sigma * rng.standard_t(5, n)
    rows = pd.DataFrame({"model": [f"m{i}" for i in range(n)], "year": years})
    return FitInputs(
        rows=rows,
        arrays={"dataset_years_since_origin": years - 2020, "dataset_log10": log10},
        coords={"release": rows["model"].tolist()},
    )


@pytest.mark.slow
def test_dataset_trend_recovers_known_growth(project, rng):
    truth = {"dataset_intercept": 11.8, "dataset_slope": 0.38, "dataset_sigma": 0.25}
    inputs = simulated_inputs(rng, *truth.values())
    priors = model_priors(datawall.MODEL)
    tree = sample_small(datawall.build(inputs, priors), seed=3)
    post = tree["posterior"]
    for name, value in truth.items():
        lo, hi = post[name].quantile([0.02, 0.98]).values
        assert lo < value < hi, name
    assert abs(float(post["dataset_slope"].mean()) - 0.38) < 0.05
    # Parts with no likelihood keep their prior: quality fraction median sqrt(0.1 * 0.4) = 0.2
    assert float(post["quality_fraction"].median()) == pytest.approx(0.2, rel=0.15)
    assert float(post["bytes_per_token"].min()) >= 1.0


HAND = dict(
    dataset_intercept=12.0,
    dataset_slope=0.5,
    indexed_pages=1e11,
    bytes_per_page=5000.0,
    bytes_per_token=5.0,  # raw stock 1e14
    quality_fraction=0.5,
    repetition_factor=2.0,  # effective 1e14
    page_count_growth=1.0,
    bytes_per_page_growth=1.0,  # constant stock
)
LEVERS = dict(
    tokens_per_param=20.0,
    overtraining_factor=1.5,
    overtraining_hold_year=None,
    demand_weight_historical=0.5,
    multimodal_tokens=0.0,
    synthetic_tokens_2025=0.0,
    synthetic_growth_per_year=1.0,
)


def test_exhaustion_years_by_hand():
    post = fake_posterior(**HAND)
    comp = fake_posterior(compute_intercept=23.0, compute_slope=0.5)
    out = datawall.derive(post, {"compute": comp}, LEVERS, seed=0)
    # historical: 12 + 0.5 t = 14 -> 2024
    np.testing.assert_allclose(out["exhaustion_year_historical"], 2024.0, atol=1e-6)
    # compute: D = sqrt(20 * 1.5 * C / 6) = sqrt(5 C); 0.5 (log10 5 + 23 + 0.5 t) = 14
    expected = 2020 + 2 * (28 - np.log10(5) - 23)
    np.testing.assert_allclose(out["exhaustion_year_compute"], expected, atol=1e-6)
    assert float(out["effective_stock_tokens_2024"].mean()) == pytest.approx(1e14)
    mixed = out["exhaustion_year"].values
    assert set(np.round(mixed.ravel(), 6)) <= {2024.0, round(expected, 6)}


def test_no_exhaustion_before_the_newest_release_with_a_disclosed_dataset():
    # The same demand as above (the historical trend reaches the stock in 2024, the compute
    # trend about 2028.6), with a release disclosed in mid-2025: no release trained on the
    # stock, so the historical draws are exhausted "at the newest release", and say so.
    post = fake_posterior(**HAND).assign(dataset_latest_year=2025.5)
    comp = fake_posterior(compute_intercept=23.0, compute_slope=0.5)
    out = datawall.derive(post, {"compute": comp}, LEVERS, seed=0)
    np.testing.assert_allclose(out["exhaustion_year_historical"], 2025.5)
    expected = 2020 + 2 * (28 - np.log10(5) - 23)
    np.testing.assert_allclose(out["exhaustion_year_compute"], expected, atol=1e-6)
    history = datawall.extras(out)["history"]
    assert history["latest_release_year"] == 2025.5
    assert history["p_at_latest_release_historical"] == 1.0
    assert history["p_at_latest_release_compute"] == 0.0


def scaling_posterior(ratio=20.0, alpha=0.3, **overtraining):
    """A scaling posterior whose compute-optimal ratio is ``ratio`` at every compute."""
    b_coef = 400.0
    a_coef = b_coef * ratio ** (-alpha)  # alpha = beta: (alpha A / (beta B))^(-2 / 2 alpha)
    return fake_posterior(alpha=alpha, beta=alpha, A=a_coef, B=b_coef, **overtraining)


def test_compute_demand_reads_the_scaling_posterior_and_holds_overtraining():
    post = fake_posterior(**HAND)
    comp = fake_posterior(compute_intercept=23.0, compute_slope=0.5)
    law = scaling_posterior(
        overtraining_intercept=np.log10(1.5),
        overtraining_slope=0.0,
        overtraining_compute_slope=0.0,
        overtraining_reference_year=2021.0,
    )
    unset = LEVERS | {"tokens_per_param": None, "overtraining_factor": None}
    fixed = datawall.derive(post, {"compute": comp}, LEVERS, seed=0)
    fitted = datawall.derive(post, {"compute": comp, "scaling": law}, unset, seed=0)
    # k = 20 and m = 1.5 from the posterior give the same years as the same fixed levers
    np.testing.assert_allclose(fitted["exhaustion_year_compute"], fixed["exhaustion_year_compute"])
    np.testing.assert_allclose(fitted["compute_optimal_tokens_per_param"], 20.0)
    # a growing overtraining trend is followed to the hold year, then held:
    # log10 m = log10 1.5 + 0.1 (min(y, 2022) - 2020); 0.5 (log10 5 + 0.2 + 23 + 0.5 t) = 14
    growing = law.assign(overtraining_slope=law["overtraining_slope"] + 0.1)
    held = datawall.derive(
        post,
        {"compute": comp, "scaling": growing},
        unset | {"overtraining_hold_year": 2022.0},
        seed=0,
    )
    expected = 2020 + 2 * (28 - np.log10(5) - 0.2 - 23)
    np.testing.assert_allclose(held["exhaustion_year_compute"], expected, atol=1e-6)
    m = held["overtraining_factor"].isel(chain=0, draw=0)
    expected_m = 1.5 * 10 ** np.array([0.1, 0.2, 0.2])
    np.testing.assert_allclose(m.sel(year=[2021, 2022, 2030]), expected_m)
    # unset, the hold year is the scaling model's reference year (the newest release)
    default = datawall.derive(post, {"compute": comp, "scaling": growing}, unset, seed=0)
    m = default["overtraining_factor"].isel(chain=0, draw=0)
    np.testing.assert_allclose(m.sel(year=2030), 1.5 * 10**0.1)


def test_levers_broadcast_over_scenarios_and_move_only_their_part():
    post = fake_posterior(**HAND)
    comp = fake_posterior(compute_intercept=23.0, compute_slope=0.5)
    quality = xr.DataArray([0.5, 0.05], dims="scenario")
    out = datawall.derive(post, {"compute": comp}, LEVERS | {"quality_fraction": quality}, seed=0)
    assert out["exhaustion_year_historical"].dims == ("scenario", "chain", "draw")
    hist = out["exhaustion_year_historical"].isel(chain=0, draw=0).values
    np.testing.assert_allclose(hist, [2024.0, 2022.0], atol=1e-6)  # 10x smaller stock: 2 yr
    # the demand side does not depend on the stock lever
    assert "scenario" not in out["dataset_tokens_historical"].dims
    assert out["effective_stock_tokens"].dims == ("scenario", "chain", "draw", "year")


def test_synthetic_tokens_postpone_exhaustion():
    post = fake_posterior(**HAND)
    comp = fake_posterior(compute_intercept=23.0, compute_slope=0.5)
    base = datawall.derive(post, {"compute": comp}, LEVERS, seed=0)
    boom = datawall.derive(
        post,
        {"compute": comp},
        LEVERS | {"synthetic_tokens_2025": 1e14, "synthetic_growth_per_year": 2.0},
        seed=0,
    )
    assert (boom["exhaustion_year_compute"] > base["exhaustion_year_compute"]).all()
    assert (boom["exhaustion_year_historical"] == base["exhaustion_year_historical"]).all()
