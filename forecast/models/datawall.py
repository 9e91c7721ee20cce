"""The data wall: when frontier training datasets outgrow the stock of public human text.

Follows the structure of Villalobos et al. 2024, "Position: Will we run out of data? Limits of
LLM scaling based on human-generated data" (ICML 2024, arXiv:2211.04325v2), with the
historical growth rate fitted to our own table of releases.

Demand: two projections of the frontier training-dataset size ``D(y)`` (tokens)
---------------------------------------------------------------------------
(a) *Historical*: a robust log-linear trend fitted to the dataset sizes of frontier releases::

        log10 D_i ~ StudentT(nu, dataset_intercept + dataset_slope * (t_i - 2020), dataset_sigma)

    The slope (OOM/yr) comes from the data; its prior is weakly informative.
(b) *Compute-based*: the frontier compute trend ``C(y)`` (shared ``compute`` model) turned into
    tokens with ``C = 6 N D`` and ``D = k m N`` (Hoffmann et al. 2022), so
    ``D = sqrt(k m C / 6)``, where, per draw of the ``scaling`` model,
    ``k = r_opt(C(y))`` is the compute-optimal tokens per parameter at that compute and ``m`` is
    the overtraining factor of a frontier-compute run, following its fitted trend up to the
    newest release and held at that value after (levers ``overtraining_hold_year``; a scenario
    may instead fix ``tokens_per_param`` (Chinchilla: 20) and ``overtraining_factor``, as
    Villalobos et al. 2024, Eq. 3 and fn. 23, do).
The headline demand is their equal-weight mixture (Villalobos et al. 2024, Eq. 4): each posterior
draw follows projection (a) with probability ``demand_weight_historical``, else (b).

Supply: the effective stock of public human text ``S(y)`` (tokens)
------------------------------------------------------------------
Built from its parts, as in Villalobos et al. 2024, Eq. 1 and Sec. 2.3, with the input
distributions of their code (github.com/epoch-research/data-stock, ``src/indexed_web.py``,
``src/stock_adjust.py``)::

    S(y) = pages * bytes_per_page / bytes_per_token        (indexed web, 2024)
           * quality_fraction * repetition_factor          (usable share, epochs allowed)
           * (page_count_growth * bytes_per_page_growth) ** (y - 2024)
           + multimodal_tokens (growing likewise) + synthetic tokens from 2025 (levers)

The parts have no likelihood: their posterior is their prior, and each can be fixed by a lever.

Derived per draw
----------------
Projections on the year grid; the exhaustion year (first decimal year with ``D(y) >= S(y)``)
for (a), (b) and the mixture; P(exhausted by year Y).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from forecast import summary
from forecast.models import compute, scaling
from forecast.models.base import (
    POPULATIONS,
    FitInputs,
    ModelSpec,
    Quantity,
    canonical_order,
    draw_uniforms,
    lever,
)
from forecast.models.crossing import crossing_year, linear_crossing_year
from forecast.models.trend import add_trend_from_inputs, trend_prior_names
from forecast.priors import PriorSet
from forecast.settings import SETTINGS

#: Year the stock parts describe (Villalobos et al. 2024 estimate the 2024 indexed web).
STOCK_BASE_YEAR = 2024.0
#: First year synthetic tokens are added (lever ``synthetic_tokens_2025``).
SYNTHETIC_START_YEAR = 2025.0

STOCK_PARTS = (
    "indexed_pages",
    "bytes_per_page",
    "bytes_per_token",
    "quality_fraction",
    "repetition_factor",
    "page_count_growth",
    "bytes_per_page_growth",
)
FORWARD_PARAMETERS = STOCK_PARTS
PRIOR_NAMES = (*trend_prior_names("dataset"), *FORWARD_PARAMETERS)
LEVER_NAMES = (
    "tokens_per_param",
    "overtraining_factor",
    "overtraining_hold_year",
    "demand_weight_historical",
    "multimodal_tokens",
    "synthetic_tokens_2025",
    "synthetic_growth_per_year",
)


def select(tables: Mapping[str, pd.DataFrame], options: Mapping[str, Any]) -> FitInputs:
    """Choose the releases with a known training-dataset size."""
    rows = compute.select_frontier_rows(tables["language_models"], "training_tokens", options)
    return compute.trend_inputs(rows, "training_tokens", "dataset")


def build(inputs: FitInputs, priors: PriorSet) -> pm.Model:
    """Build the data-wall model: the dataset-size trend plus the stock parts."""
    with pm.Model(coords=inputs.coords) as model:
        add_trend_from_inputs("dataset", inputs, priors)
        for name in FORWARD_PARAMETERS:
            priors[name].create(name)
    return model


def effective_stock_log10(
    parts: Mapping[str, xr.DataArray],
) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
    """Return log10 of the raw and effective 2024 stock and of its yearly growth factor."""
    raw = (
        np.log10(parts["indexed_pages"])
        + np.log10(parts["bytes_per_page"])
        - np.log10(parts["bytes_per_token"])
    )
    effective = raw + np.log10(parts["quality_fraction"]) + np.log10(parts["repetition_factor"])
    growth = np.log10(parts["page_count_growth"]) + np.log10(parts["bytes_per_page_growth"])
    return raw, effective, growth


def derive(
    posterior: xr.Dataset,
    upstream: Mapping[str, xr.Dataset],
    levers: Mapping[str, Any],
    seed: int,
) -> xr.Dataset:
    """Project demand and stock per draw and find the exhaustion years.

    Parameters
    ----------
    posterior : xarray.Dataset
        Draws of this model's parameters, dims ``(chain, draw)``.
    upstream : mapping
        Posteriors of the ``compute`` trend and of the ``scaling`` model, with the same
        ``(chain, draw)``.
    levers : mapping
        Lever values, and optional fixed values for any of :data:`FORWARD_PARAMETERS`. Values may
        be DataArrays with extra dims (e.g. ``scenario``); results broadcast over them.
    seed : int
        Seeds the draw-to-projection assignment of the demand mixture.

    Returns
    -------
    xarray.Dataset
    """
    origin = SETTINGS.year_origin
    years = compute.year_coord()
    parts = {name: lever(levers, name, posterior[name]) for name in FORWARD_PARAMETERS}
    weight = lever(levers, "demand_weight_historical")
    multimodal = lever(levers, "multimodal_tokens")
    synthetic0 = lever(levers, "synthetic_tokens_2025")
    synthetic_growth = lever(levers, "synthetic_growth_per_year")

    hist_a, hist_b = posterior["dataset_intercept"], posterior["dataset_slope"]
    comp = upstream["compute"]

    # k and m: fixed by a lever, else read per draw from the scaling posterior (resolved once
    # here, not on every call of the crossing solver).
    fixed_k = lever(levers, "tokens_per_param")
    fixed_m = lever(levers, "overtraining_factor")
    law = upstream["scaling"] if fixed_k is None or fixed_m is None else None
    hold = (
        None
        if fixed_m is not None
        else lever(levers, "overtraining_hold_year", law["overtraining_reference_year"])
    )

    def log10_tokens_per_param(y: Any) -> tuple[Any, Any]:
        """log10 of k (compute-optimal at the frontier compute of y) and of m, per draw."""
        if fixed_k is not None:
            log_k = np.log10(fixed_k)
        else:
            log_k = scaling.log10_optimal_ratio_draws(law, compute.log10_compute(comp, y))
        if fixed_m is not None:
            log_m = np.log10(fixed_m)
        else:
            held = np.minimum(y, hold)
            log_m = scaling.log10_overtraining(law, held, compute.log10_compute(comp, held))
        return log_k, log_m

    raw0, eff0, stock_g = effective_stock_log10(parts)

    u = draw_uniforms(posterior, seed)
    use_historical = u < weight

    def log_demand_hist(y: Any) -> Any:
        return hist_a + hist_b * (y - origin)

    def log_demand_compute(y: Any) -> Any:
        # D_C = sqrt(k m C / 6): log10 D_C = 0.5 (log10 k + log10 m - log10 6 + log10 C)
        log_k, log_m = log10_tokens_per_param(y)
        return 0.5 * (log_k + log_m - np.log10(6.0) + compute.log10_compute(comp, y))

    def stock(y: Any) -> Any:
        grown = 10 ** (eff0 + stock_g * (y - STOCK_BASE_YEAR))
        extra = multimodal * 10 ** (stock_g * (y - STOCK_BASE_YEAR))
        synthetic = xr.where(
            y >= SYNTHETIC_START_YEAR,
            synthetic0 * synthetic_growth ** (y - SYNTHETIC_START_YEAR),
            0.0,
        )
        return grown + extra + synthetic

    # Without synthetic tokens the stock is log-linear and the demands are log-linear up to the
    # overtraining hold year: the exact solver needs no grid.
    curved = not (isinstance(synthetic0, xr.DataArray) and bool((synthetic0 == 0).all()))
    kinks = {"historical": (), "compute": () if hold is None else (hold,)}
    exhaustion = {
        key: _crossing(fn, stock, kinks[key], curved)
        for key, fn in (("historical", log_demand_hist), ("compute", log_demand_compute))
    }
    demand_hist = 10 ** log_demand_hist(years)
    demand_comp = 10 ** log_demand_compute(years)
    log_k_years, log_m_years = log10_tokens_per_param(years)
    return canonical_order(
        xr.Dataset(
            {
                "dataset_tokens_historical": demand_hist,
                "dataset_tokens_compute": demand_comp,
                "dataset_tokens": xr.where(use_historical, demand_hist, demand_comp),
                "effective_stock_tokens": stock(years),
                "raw_stock_tokens_2024": 10**raw0,
                "effective_stock_tokens_2024": 10**eff0,
                "stock_growth_per_year": 10**stock_g,
                "dataset_growth_per_year": 10**hist_b,
                "compute_optimal_tokens_per_param": 10**log_k_years
                + xr.zeros_like(years, dtype=float),
                "overtraining_factor": 10**log_m_years + xr.zeros_like(years, dtype=float),
                "exhaustion_year_historical": exhaustion["historical"],
                "exhaustion_year_compute": exhaustion["compute"],
                "exhaustion_year": xr.where(
                    use_historical, exhaustion["historical"], exhaustion["compute"]
                ),
                "demand_uses_historical": use_historical,
            }
        )
    )


def _crossing(log_demand: Any, stock: Any, kinks: tuple, curved: bool) -> xr.DataArray:
    """Solve ``log10 D(y) = log10 S(y)`` per draw (and per scenario, if present)."""

    def log_gap(y: Any) -> Any:
        return log_demand(y) - np.log10(stock(y))

    start, stop = 2000.0, SETTINGS.horizon_year
    if curved:
        return crossing_year(log_gap, start=start, stop=stop, step=0.25)
    return linear_crossing_year(log_gap, start=start, stop=stop, knots=kinks)


def headline(derived: xr.Dataset) -> dict[str, Quantity]:
    """Return the data wall's headline numbers."""
    h = Quantity
    return {
        "exhaustion_year": h(derived["exhaustion_year"], "year"),
        "exhaustion_year_historical": h(derived["exhaustion_year_historical"], "year"),
        "exhaustion_year_compute": h(derived["exhaustion_year_compute"], "year"),
        "dataset_growth_per_year": h(derived["dataset_growth_per_year"], "x/yr"),
        "effective_stock_tokens": h(derived["effective_stock_tokens_2024"], "tokens (2024)"),
        "raw_stock_tokens": h(derived["raw_stock_tokens_2024"], "tokens (2024)"),
        "stock_growth_per_year": h(derived["stock_growth_per_year"], "x/yr"),
    }


def extras(derived: xr.Dataset) -> dict[str, Any]:
    """Return P(exhausted by year Y) for the mixture and each projection."""
    keys = ("exhaustion_year", "exhaustion_year_historical", "exhaustion_year_compute")
    return {
        key.replace("exhaustion_year", "p_exhausted_by"): summary.probabilities_by_year(
            derived[key]
        )
        for key in keys
    }


MODEL = ModelSpec(
    name="datawall",
    description="Frontier training-dataset size versus the effective stock of public text.",
    tables=("language_models",),
    prior_names=PRIOR_NAMES,
    lever_names=LEVER_NAMES,
    select=select,
    build=build,
    derive=derive,
    headline=headline,
    extras=extras,
    # Dataset sizes are tokens seen in pre-training. Before 2020 the frontier (by compute) was
    # encoder models trained for tens of epochs on small corpora (RoBERTa, XLNet, XLM-R), whose
    # tokens seen overstate their dataset size 10-100x; from the GPT-3 era on, frontier LLMs
    # train about one epoch, so tokens seen measure the dataset. See README, "Data wall".
    fit_options={"population": "frontier", "start_date": "2020-01-01"},
    fit_choices={"population": POPULATIONS},
    requires=("compute", "scaling"),
    forward_bounds={
        "indexed_pages": (1e9, 1e14),
        "bytes_per_page": (100.0, 1e6),
        "bytes_per_token": (1.0, 10.0),
        "quality_fraction": (1e-3, 1.0),
        "repetition_factor": (1.0, 100.0),
        "page_count_growth": (0.5, 2.0),
        "bytes_per_page_growth": (0.5, 2.0),
    },
)
