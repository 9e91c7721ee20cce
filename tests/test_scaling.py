"""The Chinchilla loss-law fit: closed-form optimum, recovery on simulated runs, validation."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize_scalar

from forecast.data import TABLES, read_rows
from forecast.errors import InputError
from forecast.models import scaling
from forecast.models.base import FitInputs
from forecast.priors import load_priors

from .conftest import REPO, sample_small


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


def test_recovers_known_exponents(project, rng):
    truth = dict(e=1.8, a=480.0, b=2000.0, alpha=0.35, beta=0.37)
    n = np.exp(rng.uniform(np.log(7e7), np.log(1.6e10), 120))
    c = np.exp(rng.uniform(np.log(6e18), np.log(3e21), 120))
    d = c / (6 * n)
    loss = truth["e"] + truth["a"] / n ** truth["alpha"] + truth["b"] / d ** truth["beta"]
    log_loss = np.log(loss) + 0.004 * rng.standard_t(4, 120)
    inputs = FitInputs(
        rows=pd.DataFrame({"run_id": range(1, 121)}),
        arrays={"log_parameters": np.log(n), "log_tokens": np.log(d), "log_loss": log_loss},
        coords={"run": list(range(1, 121))},
    )
    priors = load_priors("scaling", scaling.PRIOR_NAMES)
    tree = sample_small(scaling.build(inputs, priors), seed=5, target_accept=0.95)
    post = tree["posterior"]
    for name, value in (("alpha", 0.35), ("beta", 0.37), ("irreducible_loss", 1.8)):
        lo, hi = post[name].quantile([0.01, 0.99]).values
        assert lo < value < hi, name


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
