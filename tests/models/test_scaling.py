"""The Chinchilla loss-law fit: closed-form optimum, recovery on simulated runs, validation."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize_scalar

from forecast.data import TABLES, read_rows
from forecast.errors import InputError
from forecast.models import scaling
from forecast.models.base import FitInputs, model_priors
from tests.helpers import REPO, sample_small


@pytest.mark.parametrize("compute", [1e21, 5.88e23, 1e26, 1e30])
def test_compute_optimal_matches_numerical_minimum(compute):
    e, a_coef, b_coef, alpha, beta = 1.69, 406.4, 410.7, 0.34, 0.28  # Hoffmann et al. 2022

    def loss(log_n):
        n = np.exp(log_n)
        return e + a_coef / n**alpha + b_coef / (compute / (6 * n)) ** beta

    best = minimize_scalar(
        loss, bounds=(np.log(1e6), np.log(1e16)), method="bounded", options={"xatol": 1e-10}
    )
    n_opt, d_opt = scaling.compute_optimal(alpha, beta, a_coef, b_coef, compute)
    assert np.log(n_opt) == pytest.approx(best.x, abs=1e-4)
    assert 6 * n_opt * d_opt == pytest.approx(compute)


def test_equal_exponents_give_a_constant_ratio():
    ratios = [
        np.divide(*scaling.compute_optimal(0.3, 0.3, 400.0, 400.0, c)[::-1])
        for c in (1e21, 1e25, 1e29)
    ]
    np.testing.assert_allclose(ratios, ratios[0])


def test_log10_ratio_matches_the_closed_form_optimum():
    alpha, beta, a_coef, b_coef = 0.3478, 0.3658, 482.01, 2085.43  # Besiroglu et al. 2024
    for compute in (1e21, 1e26, 1e30):
        n_opt, d_opt = scaling.compute_optimal(alpha, beta, a_coef, b_coef, compute)
        got = scaling.log10_optimal_tokens_per_param(
            alpha, beta, np.log(a_coef), np.log(b_coef), np.log10(compute)
        )
        assert got == pytest.approx(np.log10(d_opt / n_opt), abs=1e-12)


OVERTRAINING_TRUTH = dict(
    overtraining_intercept=0.3,
    overtraining_slope=0.3,
    overtraining_compute_slope=-0.4,
    overtraining_sigma=0.25,
)


def simulated_inputs(rng, truth, n_runs=120, n_releases=60):
    """Runs drawn from a known loss law; releases overtrained by a known trend against it."""
    n = np.exp(rng.uniform(np.log(7e7), np.log(1.6e10), n_runs))
    c = np.exp(rng.uniform(np.log(6e18), np.log(3e21), n_runs))
    d = c / (6 * n)
    loss = truth["e"] + truth["a"] / n ** truth["alpha"] + truth["b"] / d ** truth["beta"]
    log_loss = np.log(loss) + 0.004 * rng.standard_t(4, n_runs)
    years = rng.uniform(0, 6.5, n_releases)
    log10_c = rng.uniform(21, 26, n_releases)
    optimum = scaling.log10_optimal_tokens_per_param(
        truth["alpha"], truth["beta"], np.log(truth["a"]), np.log(truth["b"]), log10_c
    )
    ot = OVERTRAINING_TRUTH
    log10_m = (
        ot["overtraining_intercept"]
        + ot["overtraining_slope"] * years
        + ot["overtraining_compute_slope"] * (log10_c - 25)
        + ot["overtraining_sigma"] * rng.standard_t(4, n_releases)
    )
    return FitInputs(
        rows=pd.DataFrame({"run_id": range(1, n_runs + 1)}),
        arrays={
            "log_parameters": np.log(n),
            "log_tokens": np.log(d),
            "log_loss": log_loss,
            "release_years_since_origin": years,
            "release_log10_tokens_per_param": optimum + log10_m,
            "release_log10_compute": log10_c,
            "overtraining_reference_year": 2026.5,
        },
        coords={"run": list(range(1, n_runs + 1)), "release": [f"r{i}" for i in range(n_releases)]},
    )


@pytest.mark.slow
def test_recovers_known_exponents_and_overtraining_trend(project, rng):
    truth = dict(e=1.8, a=480.0, b=2000.0, alpha=0.35, beta=0.37)
    inputs = simulated_inputs(rng, truth)
    priors = model_priors(scaling.MODEL)
    tree = sample_small(scaling.build(inputs, priors), seed=5, target_accept=0.95)
    post = tree["posterior"]
    expected = {"alpha": 0.35, "beta": 0.37, "irreducible_loss": 1.8, **OVERTRAINING_TRUTH}
    for name, value in expected.items():
        lo, hi = post[name].quantile([0.01, 0.99]).values
        assert lo < value < hi, name
    assert float(tree["constant_data"]["overtraining_reference_year"]) == 2026.5


def test_bundled_runs_and_bad_row(tmp_path):
    spec = TABLES["chinchilla_runs"]
    rows = read_rows(REPO / "data" / "chinchilla_runs.csv", spec)
    assert len(rows) == 245 and sum(r.used_in_replication_fit for _, r in rows) == 240
    lines = (REPO / "data" / "chinchilla_runs.csv").read_text().splitlines()
    head, first = lines[0], lines[1].split(",")
    first[3] = str(float(first[3]) * 1e3)  # tokens in thousands: inconsistent with C / 6N
    bad = tmp_path / "chinchilla_runs.csv"
    bad.write_text("\n".join([head, ",".join(first)]) + "\n")
    with pytest.raises(InputError) as info:
        read_rows(bad, spec)
    assert info.value.row == 2 and info.value.column == "training_tokens"


def test_releases_are_fitted_with_their_heavy_overtrainers(in_stored):
    from forecast import store

    run = store.load_run(store.run_path("scaling"))
    releases = run["fit_data_releases"]["model"].values.tolist()
    assert "Llama 3-8B" in releases  # ~1,900 tokens per parameter: kept, it is the phenomenon
    assert run["observed_data"].sizes["release"] == len(releases) >= 50
    derived = run["derived"]
    assert set(derived["overtraining_factor_current"].dims) == {"chain", "draw"}
    assert float(derived["year"].max()) <= float(derived["overtraining_reference_year"])
    # frontier tokens per parameter = optimum at the frontier compute x overtraining
    assert float(derived["frontier_tokens_per_param_current"].median()) > float(
        derived["overtraining_factor_current"].median()
    )


def test_forecast_scaling_json_contract(in_stored, capsys):
    import json

    from tests.helpers import run_cli

    assert run_cli("forecast", "scaling", "--json") == 0
    entry = json.loads(capsys.readouterr().out)["scaling"]
    for name in (
        "tokens_per_param_at_1e26_flop",
        "alpha",
        "beta",
        "irreducible_loss",
        "overtraining_factor_current",
    ):
        h = entry["headline"][name]
        assert set(h) == {"median", "p10", "p90", "unit"} and h["p10"] <= h["median"] <= h["p90"]
    assert entry["run"]["latest_row_date"] is not None  # the releases carry dates
