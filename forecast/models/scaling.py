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

The ratio drifts with C unless alpha = beta.

Overtraining of real releases
-----------------------------
Releases since 2020 with known training tokens ``D_i`` and active parameters ``N_i`` (frontier
and notable open models of ``data/models.csv``, tokens seen; compute ``C_i = 6 N_i D_i``) sit above
or below the compute-optimal ratio at their own compute by the overtraining factor ``m_i``::

    log10(D_i / N_i) = log10 r_opt(C_i) + log10 m_i,    r_opt = D_opt / N_opt (above)
    log10 m_i ~ StudentT(nu, overtraining_intercept + overtraining_slope * (t_i - 2020)
                             + overtraining_compute_slope * (log10 C_i - 25), overtraining_sigma)

Small models are overtrained far more than large ones in the same year (they are made to be
cheap to serve), hence the compute term. Llama 3 8B (~1,900 tokens per parameter, ~100x) is
data, not an outlier: the Student-t keeps it in without letting it drag the trend. The
releases carry no information on the loss law: its compute-optimal ratio enters their
likelihood only as an intercept and a slope in log10 C, both absorbed by the free
``overtraining_intercept`` and ``overtraining_compute_slope`` (a "cut" without a second fit).

Derived per draw, with the frontier compute trend of the ``compute`` model: the overtraining
factor of a run at the frontier compute of each year through the newest release, and its
value at that release's date (the *current* overtraining factor the data wall holds).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import xarray as xr

from forecast.data import decimal_year
from forecast.models import compute
from forecast.models.base import POPULATIONS, FitInputs, ModelSpec, canonical_order
from forecast.models.reporting import ModelReport, Section
from forecast.models.trend import add_log_linear_trend, trend_prior_names
from forecast.priors import PriorSet
from forecast.settings import SETTINGS
from forecast.summary import Quantity

#: Reference sizes at which the two power-law terms are sampled (decorrelation only).
LOG_N_REF = float(np.log(1e9))
LOG_D_REF = float(np.log(1e10))
LAW_PRIOR_NAMES = ("alpha", "beta", "log_a_ref", "log_b_ref", "irreducible_loss", "sigma", "nu")
PRIOR_NAMES = (
    *LAW_PRIOR_NAMES,
    *trend_prior_names("overtraining", "linear"),
    "overtraining_compute_slope",
)
#: Compute budgets (FLOP) of the derived compute-optimal allocation.
COMPUTE_GRID_FLOP = 10.0 ** np.arange(21, 30.5, 0.5)
#: log10 FLOP at which ``overtraining_intercept`` is read (the compute term is centred here).
OVERTRAINING_LOG10_COMPUTE_REF = 25.0


def select(tables: Mapping[str, pd.DataFrame], options: Mapping[str, Any]) -> FitInputs:
    """Choose the runs of the loss law and the releases of the overtraining trend.

    Runs: by default those Besiroglu et al. 2024 keep (240 of 245). Releases: from
    ``overtraining_start_date``, with known training tokens and active parameters (MoE
    releases whose active parameters are unknown cannot be placed against the optimum).
    """
    rows = tables["chinchilla_runs"]
    if options["replication_subset"]:
        rows = rows[rows["used_in_replication_fit"]]
    rows = rows.reset_index(drop=True)
    releases = compute.select_frontier_rows(
        tables["models"],
        "tokens_seen",
        {
            "population": options["overtraining_population"],
            "start_date": options["overtraining_start_date"],
        },
        language_only=True,
    )
    releases = releases[releases["active_parameters"].notna()].reset_index(drop=True)
    active = releases["active_parameters"].to_numpy(float)
    tokens = releases["tokens_seen"].to_numpy(float)
    years = decimal_year(releases["publication_date"])
    return FitInputs(
        rows=rows,
        arrays={
            "log_parameters": np.log(rows["parameters"].to_numpy(float)),
            "log_tokens": np.log(rows["training_tokens"].to_numpy(float)),
            "log_loss": np.log(rows["loss"].to_numpy(float)),
            "release_years_since_origin": years - SETTINGS.year_origin,
            "release_log10_tokens_per_param": np.log10(tokens / active),
            "release_log10_compute": np.log10(6.0 * active * tokens),
            "overtraining_reference_year": float(years.max()) if len(years) else np.nan,
        },
        coords={"run": rows["run_id"].astype(int).tolist(), "release": releases["model"].tolist()},
        extra_rows={"releases": releases},
        row_tables={"fit_data": "chinchilla_runs", "fit_data_releases": "models"},
    )


def build(inputs: FitInputs, priors: PriorSet) -> pm.Model:
    """Build the Chinchilla loss law and the overtraining trend of releases."""
    with pm.Model(coords=inputs.coords) as model:
        log_n = pm.Data("log_parameters", inputs.arrays["log_parameters"], dims="run")
        log_d = pm.Data("log_tokens", inputs.arrays["log_tokens"], dims="run")
        p = {name: priors[name].create(name) for name in LAW_PRIOR_NAMES}
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
        log_a = p["log_a_ref"] + p["alpha"] * LOG_N_REF
        log_b = p["log_b_ref"] + p["beta"] * LOG_D_REF
        pm.Deterministic("A", pt.exp(log_a))
        pm.Deterministic("B", pt.exp(log_b))

        # Overtraining of releases relative to the optimum at their own compute.
        log10_c = pm.Data(
            "release_log10_compute", inputs.arrays["release_log10_compute"], dims="release"
        )
        pm.Data("overtraining_reference_year", inputs.arrays["overtraining_reference_year"])
        compute_slope = priors["overtraining_compute_slope"].create("overtraining_compute_slope")
        optimum = log10_optimal_tokens_per_param(
            p["alpha"], p["beta"], log_a, log_b, log10_c, log=pt.log
        )
        add_log_linear_trend(
            "overtraining",
            inputs.arrays["release_years_since_origin"],
            inputs.arrays["release_log10_tokens_per_param"],
            priors,
            dims="release",
            extra_mu=optimum + compute_slope * (log10_c - OVERTRAINING_LOG10_COMPUTE_REF),
        )
    return model


def log10_optimal_tokens_per_param(
    alpha: Any, beta: Any, log_a: Any, log_b: Any, log10_compute: Any, log: Any = np.log
) -> Any:
    """Return log10 of the compute-optimal ``D_opt / N_opt`` at ``log10_compute`` FLOP.

    ``D_opt / N_opt = (C/6) ** ((alpha - beta) / (alpha + beta)) / G**2`` (see
    :func:`compute_optimal`), written in logs of ``A`` and ``B`` so it serves the PyMC model
    (``log=pytensor.tensor.log``) and the draws alike.
    """
    log_g = (log(alpha) + log_a - log(beta) - log_b) / (alpha + beta)
    drift = (alpha - beta) / (alpha + beta)
    return drift * (log10_compute - np.log10(6.0)) - 2.0 * log_g / np.log(10.0)


def log10_overtraining(posterior: xr.Dataset, years: Any, log10_compute: Any) -> xr.DataArray:
    """Return log10 of the fitted overtraining factor at ``years`` and ``log10_compute`` FLOP."""
    return (
        posterior["overtraining_intercept"]
        + posterior["overtraining_slope"] * (years - SETTINGS.year_origin)
        + posterior["overtraining_compute_slope"] * (log10_compute - OVERTRAINING_LOG10_COMPUTE_REF)
    )


def log10_optimal_ratio_draws(posterior: xr.Dataset, log10_compute: Any) -> xr.DataArray:
    """Return log10 compute-optimal tokens per parameter per draw at ``log10_compute`` FLOP."""
    return log10_optimal_tokens_per_param(
        posterior["alpha"],
        posterior["beta"],
        np.log(posterior["A"]),
        np.log(posterior["B"]),
        log10_compute,
    )


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
    """Compute-optimal allocation on the compute grid; overtraining of frontier-compute runs."""
    grid = xr.DataArray(
        COMPUTE_GRID_FLOP, dims="compute_flop", coords={"compute_flop": COMPUTE_GRID_FLOP}
    )
    n_opt, d_opt = compute_optimal(
        posterior["alpha"], posterior["beta"], posterior["A"], posterior["B"], grid
    )
    reference_year = posterior["overtraining_reference_year"]
    years = compute.year_coord()
    years = years.sel(year=years <= reference_year)
    front = upstream["compute"]
    log10_c_now = compute.log10_compute(front, reference_year)
    log10_m_now = log10_overtraining(posterior, reference_year, log10_c_now)
    return canonical_order(
        xr.Dataset(
            {
                "optimal_parameters": n_opt,
                "optimal_tokens": d_opt,
                "optimal_tokens_per_param": d_opt / n_opt,
                "overtraining_factor_frontier": 10
                ** log10_overtraining(posterior, years, compute.log10_compute(front, years)),
                "overtraining_factor_current": 10**log10_m_now,
                "frontier_tokens_per_param_current": 10
                ** (log10_m_now + log10_optimal_ratio_draws(posterior, log10_c_now)),
                "overtraining_growth_per_year": 10 ** posterior["overtraining_slope"],
                "overtraining_compute_slope": posterior["overtraining_compute_slope"],
                "overtraining_reference_year": reference_year,
                "alpha": posterior["alpha"],
                "beta": posterior["beta"],
                "irreducible_loss": posterior["irreducible_loss"],
                "A": posterior["A"],
                "B": posterior["B"],
            }
        )
    )


def headline(derived: xr.Dataset) -> dict[str, Quantity]:
    """Return the scaling law's headline numbers."""
    h = Quantity
    ratio = derived["optimal_tokens_per_param"]
    when = f"{float(derived['overtraining_reference_year']):.2f}"
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
        "overtraining_factor_current": h(
            derived["overtraining_factor_current"],
            f"x compute-optimal, frontier-compute run at {when}",
        ),
        "frontier_tokens_per_param_current": h(
            derived["frontier_tokens_per_param_current"], f"tokens/active parameter at {when}"
        ),
        "overtraining_growth_per_year": h(
            derived["overtraining_growth_per_year"], "x/yr at fixed compute"
        ),
        "overtraining_compute_slope": h(
            derived["overtraining_compute_slope"], "OOM of overtraining per OOM of compute"
        ),
    }


#: The scaling laws in the outlook: their headline table, in the compute trend's section.
REPORT = ModelReport(
    rank=6,
    section=Section("compute-scaling", "The shared compute trend and the scaling laws"),
    labels={
        "tokens_per_param_at_1e26_flop": "Compute-optimal tokens per parameter at 1e26 FLOP",
        "tokens_per_param_at_chinchilla_budget": (
            "Compute-optimal tokens per parameter at Chinchilla's budget (5.9e23 FLOP)"
        ),
        "alpha": "Loss-law exponent of model size (alpha)",
        "beta": "Loss-law exponent of training tokens (beta)",
        "irreducible_loss": "Irreducible loss (nats per token)",
        "A": "Loss-law coefficient of model size (A)",
        "B": "Loss-law coefficient of training tokens (B)",
        "overtraining_factor_current": (
            "Overtraining of a frontier run now (times the compute-optimal tokens)"
        ),
        "frontier_tokens_per_param_current": "Tokens per active parameter of a frontier run now",
        "overtraining_growth_per_year": "Growth of overtraining at fixed compute (times per year)",
        "overtraining_compute_slope": (
            "Change of overtraining with compute (orders of magnitude per order of compute)"
        ),
    },
)


MODEL = ModelSpec(
    name="scaling",
    description="Chinchilla loss law L(N, D) and the overtraining trend of real releases.",
    tables=("chinchilla_runs", "models"),
    prior_names=PRIOR_NAMES,
    lever_names=(),
    select=select,
    build=build,
    derive=derive,
    headline=headline,
    fit_options={
        "replication_subset": True,
        "overtraining_population": "all",
        "overtraining_start_date": "2020-01-01",
    },
    fit_choices={"overtraining_population": POPULATIONS},
    prior_defaults={"nu": "trend_nu", "overtraining_nu": "trend_nu"},
    # Hoffmann et al.'s runs were public from 2022-03-29: a cut before then fits the loss law on
    # its priors alone (the run records it), so the models downstream can still be fitted.
    optional_groups=("fit_data",),
    requires=("compute",),
    report=REPORT,
)
