"""Scaling laws: a Bayesian fit of the Chinchilla loss law to the published training runs.

Model (Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models",
arXiv:2203.15556, Approach 3; data as extracted by Besiroglu, Erdil, Barnett & You 2024,
"Chinchilla Scaling: A replication attempt", arXiv:2404.10102)::

    L(N, D) = E + A / N**alpha + B / D**beta,        D = C / (6 N)

fitted to log loss with a Student-t likelihood (robust, like their Huber loss):
``log L_i ~ StudentT(nu, log L(N_i, D_i), sigma)``. To decorrelate ``A`` from ``alpha`` (and
``B`` from ``beta``) the terms are sampled at reference sizes, ``A / N**alpha =
exp(log_a_ref - alpha (log N - log N_ref))``, and ``A = exp(log_a_ref + alpha log N_ref)`` is a
deterministic.

Derived per draw, on a compute grid from 1e21 to 1e30 FLOP (closed form, minimising L subject
to C = 6 N D)::

    G = (alpha A / (beta B)) ** (1 / (alpha + beta)),  a = beta / (alpha + beta),  b = 1 - a
    N_opt = G (C/6)**a,  D_opt = (C/6)**b / G,  tokens per parameter = D_opt / N_opt

The ratio drifts with C unless alpha = beta. The overtraining of real releases and the data
wall's use of these posteriors are the next step (issue 11).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import xarray as xr

from forecast import summary
from forecast.models.base import FitInputs, Headline, ModelSpec, canonical_order

#: Reference sizes at which the two power-law terms are sampled (decorrelation only).
LOG_N_REF = float(np.log(1e9))
LOG_D_REF = float(np.log(1e10))
PRIOR_NAMES = ("alpha", "beta", "log_a_ref", "log_b_ref", "irreducible_loss", "sigma", "nu")
#: Compute budgets (FLOP) of the derived compute-optimal allocation.
COMPUTE_GRID_FLOP = 10.0 ** np.arange(21, 30.5, 0.5)


def select(tables: Mapping[str, pd.DataFrame], options: Mapping[str, Any]) -> FitInputs:
    """Choose the runs to fit (by default those Besiroglu et al. 2024 keep: 240 of 245)."""
    rows = tables["chinchilla_runs"]
    if options["replication_subset"]:
        rows = rows[rows["used_in_replication_fit"]]
    rows = rows.reset_index(drop=True)
    return FitInputs(
        rows=rows,
        arrays={
            "log_parameters": np.log(rows["parameters"].to_numpy(float)),
            "log_tokens": np.log(rows["training_tokens"].to_numpy(float)),
            "log_loss": np.log(rows["loss"].to_numpy(float)),
        },
        coords={"run": rows["run_id"].astype(int).tolist()},
    )


def build(inputs: FitInputs, priors: Any) -> pm.Model:
    """Build the Chinchilla loss-law model."""
    with pm.Model(coords=inputs.coords) as model:
        log_n = pm.Data("log_parameters", inputs.arrays["log_parameters"], dims="run")
        log_d = pm.Data("log_tokens", inputs.arrays["log_tokens"], dims="run")
        p = {name: priors[name].create(name) for name in PRIOR_NAMES}
        terms = pt.stack(
            [
                pt.log(p["irreducible_loss"]) + pt.zeros_like(log_n),
                p["log_a_ref"] - p["alpha"] * (log_n - LOG_N_REF),
                p["log_b_ref"] - p["beta"] * (log_d - LOG_D_REF),
            ]
        )
        pm.StudentT(
            "log_loss_observed",
            nu=p["nu"],
            mu=pt.logsumexp(terms, axis=0),
            sigma=p["sigma"],
            observed=inputs.arrays["log_loss"],
            dims="run",
        )
        pm.Deterministic("A", pt.exp(p["log_a_ref"] + p["alpha"] * LOG_N_REF))
        pm.Deterministic("B", pt.exp(p["log_b_ref"] + p["beta"] * LOG_D_REF))
    return model


def compute_optimal(
    alpha: Any, beta: Any, a_coef: Any, b_coef: Any, compute_flop: Any
) -> tuple[Any, Any]:
    """Return the loss-minimising ``(N, D)`` for compute ``C = 6 N D`` (closed form).

    Works on numbers, numpy arrays and DataArrays alike (broadcasting by name for the latter).
    """
    g = (alpha * a_coef / (beta * b_coef)) ** (1.0 / (alpha + beta))
    a = beta / (alpha + beta)
    b = alpha / (alpha + beta)
    n_opt = g * (compute_flop / 6.0) ** a
    d_opt = (compute_flop / 6.0) ** b / g
    return n_opt, d_opt


def derive(
    posterior: xr.Dataset,
    upstream: Mapping[str, xr.Dataset],
    levers: Mapping[str, Any],
    seed: int,
) -> xr.Dataset:
    """Compute-optimal parameters, tokens and tokens per parameter on the compute grid."""
    grid = xr.DataArray(
        COMPUTE_GRID_FLOP, dims="compute_flop", coords={"compute_flop": COMPUTE_GRID_FLOP}
    )
    n_opt, d_opt = compute_optimal(
        posterior["alpha"], posterior["beta"], posterior["A"], posterior["B"], grid
    )
    return canonical_order(
        xr.Dataset(
            {
                "optimal_parameters": n_opt,
                "optimal_tokens": d_opt,
                "optimal_tokens_per_param": d_opt / n_opt,
                "alpha": posterior["alpha"],
                "beta": posterior["beta"],
                "irreducible_loss": posterior["irreducible_loss"],
                "A": posterior["A"],
                "B": posterior["B"],
            }
        )
    )


def headline(derived: xr.Dataset) -> dict[str, Headline]:
    """Return the scaling law's headline numbers."""
    h = summary.headline
    ratio = derived["optimal_tokens_per_param"]
    return {
        "tokens_per_param_at_1e26_flop": h(ratio.sel(compute_flop=1e26), "tokens/parameter"),
        "tokens_per_param_at_chinchilla_budget": h(
            ratio.interp(compute_flop=5.88e23), "tokens/parameter at 5.88e23 FLOP"
        ),
        "alpha": h(derived["alpha"], "exponent of N"),
        "beta": h(derived["beta"], "exponent of D"),
        "irreducible_loss": h(derived["irreducible_loss"], "nats/token"),
        "A": h(derived["A"], "nats/token x N^alpha"),
        "B": h(derived["B"], "nats/token x D^beta"),
    }


MODEL = ModelSpec(
    name="scaling",
    description="Chinchilla loss law L(N, D) fitted to Hoffmann et al.'s runs.",
    tables=("chinchilla_runs",),
    prior_names=PRIOR_NAMES,
    lever_names=(),
    select=select,
    build=build,
    derive=derive,
    headline=headline,
    fit_options={"replication_subset": True},
)
