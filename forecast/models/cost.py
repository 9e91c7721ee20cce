"""Cost: what frontier training runs cost, and when the first $1B, $10B and $100B runs come.

Data
----
``data/training_costs.csv``: frontier training runs (top 10 by compute at release) with Epoch
AI's estimates of their cost in December-2023 USD (Cottier et al. 2024, "The rising costs of
training frontier AI models", arXiv:2405.21015, and the code and data of
github.com/epoch-research/training-cost-trends). The default cost is their primary method:
amortized hardware CapEx plus energy of the final run (fit option ``cost_method`` picks cloud
rental or the cluster's purchase price instead). ``data/hardware_price_performance.csv``:
price and dense FLOP/s of AI accelerators at release.

Model: cost = compute / (FLOP per dollar)
-----------------------------------------
The cost of run ``i`` is its compute ``C_i`` divided by the FLOP it bought per dollar. Both
factors are fitted to the same runs, as one joint likelihood ``p(C_i | t_i) p(cost_i | C_i, t_i)``
with robust (Student-t) log-linear trends::

    log10 C_i             ~ StudentT(nu_r, run_compute_intercept + run_compute_slope t_i, sigma_r)
    log10 (C_i / cost_i)  ~ StudentT(nu_f, flop_per_usd_intercept + flop_per_usd_slope t_i, sigma_f)

with ``t_i`` years since 2020. The cost trend fitted from the data follows: cost grows
``10 ** (run_compute_slope - flop_per_usd_slope)`` per year (Cottier et al. fit this line
directly: 2.4x/yr, 90% CI 2.0-2.9x, 2016-2023). The FLOP per dollar is *realized*: it carries
hardware price-performance and also utilization, number formats and prices paid. The hardware
part alone is a third trend, fitted to the chips' list prices::

    log10 (FLOP/s per USD)_j ~ StudentT(nu_h, hardware_intercept + hardware_slope t_j, sigma_h)

Projection: the shared compute trend
------------------------------------
The cost of the largest run of year ``y`` is the largest run's compute, read from the shared
``compute`` model's draws (its trend plus ``sigma t_nu^-1(q)``, ``q`` the compute model's lever
``largest_run_quantile``), divided by the FLOP per dollar of that year. The realized FLOP per
dollar follows its fitted trend up to the newest costed run and then grows at lever
``flop_per_usd_growth_per_year`` (unset: the fitted rate). So the projections grow at
``compute growth / FLOP-per-dollar growth``; that and the cost growth fitted from the costed
runs are both reported, with their ratio as the consistency check.

Derived per draw
----------------
Largest-run and frontier-trend cost by year, the FLOP per dollar by year (read by the walls),
the year of the first $1B, $10B and $100B run, the growth rates and their ratios.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from forecast import summary
from forecast.data import decimal_year
from forecast.models import compute
from forecast.models.base import (
    POPULATIONS,
    FitInputs,
    ModelSpec,
    canonical_order,
    fit_options,
    lever,
)
from forecast.models.crossing import crossing_years
from forecast.models.reporting import (
    BoxItem,
    EventCurve,
    FigureItem,
    ModelReport,
    Overlay,
    ProbabilityRow,
    ScenarioFigure,
    Section,
    TrackRecord,
)
from forecast.models.trend import (
    TREND_FORMS,
    add_trend,
    latest_log10_growth,
    log10_trend_then,
    p_at_search_start,
    search_start_year,
    trend_curve,
    trend_kinks,
    trend_prior_defaults,
    trend_prior_names,
)
from forecast.priors import PriorSet
from forecast.settings import SETTINGS
from forecast.summary import Quantity
from forecast.tables.cost import COST_COLUMNS

#: Cost column read for each value of the fit option ``cost_method``.
COST_METHODS = COST_COLUMNS
#: Milestones: the first run costing this much (2023 USD), by headline name.
MILESTONES_USD = {"first_1b_run_year": 1e9, "first_10b_run_year": 1e10, "first_100b_run_year": 1e11}
#: First year searched for a milestone (before the costed runs start nothing is known).
SEARCH_START_YEAR = 2016.0
#: Years the headlines read (a lever sweep derives only these).
HEADLINE_YEARS = (2026, 2030)

PRIOR_NAMES = (
    *trend_prior_names("run_compute"),
    *trend_prior_names("flop_per_usd"),
    *trend_prior_names("hardware"),
)
LEVER_NAMES = ("flop_per_usd_growth_per_year",)


def select_runs(table: pd.DataFrame, options: Mapping[str, Any]) -> pd.DataFrame:
    """Return the costed runs the model is fitted to (those with the chosen cost).

    Parameters
    ----------
    table : pandas.DataFrame
        The validated ``training_costs`` table (already cut at the as-of date).
    options : mapping
        ``cost_method``, ``population``, ``start_date``, ``include_tpu`` and
        ``include_imputed_hardware`` (see :data:`MODEL`).

    Returns
    -------
    pandas.DataFrame
    """
    column = COST_METHODS[options["cost_method"]]
    rows = compute.select_frontier_rows(table, column, options)
    hardware = rows["hardware"]
    if not options["include_tpu"]:
        rows = rows[~hardware.str.contains("TPU")]
    if not options["include_imputed_hardware"]:
        rows = rows[~hardware.str.contains("(imputed)", regex=False)]
    return rows.reset_index(drop=True)


def select_chips(table: pd.DataFrame, options: Mapping[str, Any]) -> pd.DataFrame:
    """Return the accelerators of the hardware price-performance trend."""
    rows = table[table["precision"] == options["hardware_precision"]]
    if options["hardware_market"] == "datacenter":
        rows = rows[rows["market"] == "datacenter"]
    return rows.sort_values("release_date").reset_index(drop=True)


def select(tables: Mapping[str, pd.DataFrame], options: Mapping[str, Any]) -> FitInputs:
    """Choose the costed runs and the accelerators."""
    runs = select_runs(tables["training_costs"], options)
    chips = select_chips(tables["hardware_price_performance"], options)
    run_years = decimal_year(runs["publication_date"])
    log10_compute = np.log10(runs["training_compute_flop"].to_numpy(float))
    log10_cost = np.log10(runs[COST_METHODS[options["cost_method"]]].to_numpy(float))
    origin = SETTINGS.year_origin
    return FitInputs(
        rows=runs,
        arrays={
            "run_years_since_origin": run_years - origin,
            "run_log10_compute": log10_compute,
            "run_log10_flop_per_usd": log10_compute - log10_cost,
            "chip_years_since_origin": decimal_year(chips["release_date"]) - origin,
            "chip_log10_flop_per_s_per_usd": np.log10(chips["flop_per_s_per_usd"].to_numpy(float)),
            "cost_reference_year": float(run_years.max()),
        },
        coords={"run": runs["model"].tolist(), "chip": chips["hardware"].tolist()},
        extra_rows={"chips": chips},
        row_tables={"fit_data": "training_costs", "fit_data_chips": "hardware_price_performance"},
    )


def build(inputs: FitInputs, priors: PriorSet) -> pm.Model:
    """Build the cost model: run compute, realized FLOP per dollar, hardware price-performance."""
    a = inputs.arrays
    with pm.Model(coords=inputs.coords) as model:
        t_run = a["run_years_since_origin"]
        forms = fit_options(inputs, MODEL.fit_options)
        add_trend(
            "run_compute",
            t_run,
            a["run_log10_compute"],
            priors,
            dims="run",
            form=forms["run_compute_trend_form"],
        )
        # log10 cost_i = log10 C_i - log10 (FLOP per dollar)_i: the cost likelihood given compute.
        add_trend(
            "flop_per_usd",
            t_run,
            a["run_log10_flop_per_usd"],
            priors,
            dims="run",
            form=forms["flop_per_usd_trend_form"],
        )
        add_trend(
            "hardware",
            a["chip_years_since_origin"],
            a["chip_log10_flop_per_s_per_usd"],
            priors,
            dims="chip",
            form=forms["hardware_trend_form"],
        )
        pm.Data("cost_reference_year", a["cost_reference_year"])
    return model


def flop_per_usd_log10(curve: Mapping[str, Any], years: Any) -> xr.DataArray:
    """Return log10 training FLOP per 2023 USD at ``years``.

    The fitted trend (its stored curve) up to the newest costed run (``cost_reference_year``),
    then the rate ``flop_per_usd_log10_growth_after`` where the lever sets it (NaN: the trend
    goes on), so a model downstream (the walls) evaluates it exactly at any year, log-linear
    between :func:`flop_per_usd_kinks`.
    """
    return log10_trend_then(
        curve,
        "flop_per_usd",
        years,
        curve["cost_reference_year"],
        curve["flop_per_usd_log10_growth_after"],
    )


def flop_per_usd_kinks(curve: Mapping[str, Any]) -> tuple[Any, ...]:
    """Return the years where the FLOP-per-dollar path may change slope."""
    return (*trend_kinks(curve, "flop_per_usd"), curve["cost_reference_year"])


def derive(
    posterior: xr.Dataset,
    upstream: Mapping[str, xr.Dataset],
    levers: Mapping[str, Any],
    seed: int,
    years: xr.DataArray | None = None,
) -> xr.Dataset:
    """Project the cost of the largest run per draw; find the $1B, $10B and $100B years.

    Parameters
    ----------
    posterior : xarray.Dataset
        Draws of this model's parameters, dims ``(chain, draw)``, and ``cost_reference_year``.
    upstream : mapping
        ``{"compute": posterior and derived quantities of the compute trend}`` (its
        ``largest_run_log10_offset`` places the largest run), same ``(chain, draw)``.
    levers : mapping
        ``flop_per_usd_growth_per_year``; DataArray values with
        extra dims (``scenario``) broadcast through.
    seed : int
        Unused (no random assignment); part of the shared signature.
    years : xarray.DataArray, optional
        Years of the projected quantities (default: the projection grid). The milestone years
        are solved exactly whatever the years.

    Returns
    -------
    xarray.Dataset
    """
    years = compute.year_coord() if years is None else years
    comp = upstream["compute"]
    after = lever(levers, "flop_per_usd_growth_per_year")
    curve = trend_curve(posterior, "flop_per_usd", seed=seed).assign(
        cost_reference_year=posterior["cost_reference_year"],
        flop_per_usd_log10_growth_after=xr.DataArray(np.nan) if after is None else np.log10(after),
    )
    fpu_b = latest_log10_growth(curve, "flop_per_usd")
    fpu_b_after = fpu_b if after is None else np.log10(after)
    run_compute_b = latest_log10_growth(
        trend_curve(posterior, "run_compute", seed=seed), "run_compute"
    )
    hardware_b = latest_log10_growth(trend_curve(posterior, "hardware", seed=seed), "hardware")

    def log10_largest_cost(y: Any) -> Any:
        return compute.log10_largest_run(comp, y) - flop_per_usd_log10(curve, y)

    def milestone_gaps(y: Any) -> list[Any]:
        cost_usd = log10_largest_cost(y)
        return [cost_usd - np.log10(usd) for usd in MILESTONES_USD.values()]

    # The three milestones in one walk over the kink (FLOP per $ changes rate there), searched
    # from the newest costed run: none of the runs costed up to it reached a milestone.
    start = search_start_year(posterior, "run_compute", SEARCH_START_YEAR)
    years_at = crossing_years(
        milestone_gaps,
        start=start,
        stop=SETTINGS.horizon_year,
        knots=(*flop_per_usd_kinks(curve), *compute.kinks(comp)),
    )
    milestones = dict(zip(MILESTONES_USD, years_at, strict=True))
    fitted_growth = 10 ** (run_compute_b - fpu_b)
    projected_growth = 10 ** (compute.log10_growth(comp) - fpu_b_after)
    log10_fpu_years = flop_per_usd_log10(curve, years)
    return canonical_order(
        xr.Dataset(
            {
                "largest_run_cost_usd": 10 ** log10_largest_cost(years),
                "frontier_run_cost_usd": 10
                ** (compute.log10_compute(comp, years) - log10_fpu_years),
                "flop_per_usd": 10**log10_fpu_years,
                "cost_growth_per_year": fitted_growth,
                "projected_cost_growth_per_year": projected_growth,
                "cost_growth_ratio": fitted_growth / projected_growth,
                "run_compute_growth_per_year": 10**run_compute_b,
                "shared_compute_growth_per_year": comp["compute_growth_per_year"],
                "flop_per_usd_growth_per_year": 10**fpu_b,
                "hardware_price_performance_growth_per_year": 10**hardware_b,
                **milestones,
                "milestone_search_start_year": xr.DataArray(start),
                **curve.data_vars,
            }
        )
    )


def headline(derived: xr.Dataset) -> dict[str, Quantity]:
    """Return the cost model's headline numbers."""
    h = Quantity
    largest = derived["largest_run_cost_usd"]
    return {
        "cost_growth_per_year": h(derived["cost_growth_per_year"], "x/yr (fitted to costed runs)"),
        **{name: h(derived[name], "year") for name in MILESTONES_USD},
        "largest_run_cost_2026_usd": h(largest.sel(year=2026), "USD 2023"),
        "largest_run_cost_2030_usd": h(largest.sel(year=2030), "USD 2023"),
        "projected_cost_growth_per_year": h(
            derived["projected_cost_growth_per_year"], "x/yr (shared compute / FLOP per $)"
        ),
        "flop_per_usd_growth_per_year": h(
            derived["flop_per_usd_growth_per_year"], "x/yr (realized, costed runs)"
        ),
        "hardware_price_performance_growth_per_year": h(
            derived["hardware_price_performance_growth_per_year"], "x/yr (chip list prices)"
        ),
        "flop_per_usd_2030": h(derived["flop_per_usd"].sel(year=2030), "FLOP per USD 2023"),
    }


def extras(derived: xr.Dataset) -> dict[str, Any]:
    """Return P(first $1B / $10B / $100B run by year Y), and the share at the newest costed run."""
    out: dict[str, Any] = {
        "p_" + name.replace("_year", "_by"): summary.probabilities_by_year(derived[name])
        for name in MILESTONES_USD
    }
    if "milestone_search_start_year" in derived:
        start = float(derived["milestone_search_start_year"])
        out["history"] = {"latest_costed_run_year": start} | {
            "p_at_latest_costed_run_" + k.removesuffix("_year"): p
            for k, p in p_at_search_start(derived, list(MILESTONES_USD), start).items()
        }
    return out


#: The cost milestones in the outlook.
REPORT = ModelReport(
    rank=4,
    section=Section(
        "cost",
        "Cost of the largest training run",
        figures=(
            FigureItem(
                "cost_wall",
                "Amortized hardware and energy cost of the largest training run (black, 2023 "
                "USD) against the spending ceiling for one run (green): the most the largest "
                "developer may spend on it, the money cap of the walls. Where the black fan "
                "rises through the green, the money wall binds. Points: the costed frontier "
                "runs; dashed: the $1B, $10B and $100B marks. Drawn from $1M to $10T: the "
                "cost's fan runs further, past any ceiling.",
                "forecast.report.figures.cost:cost_wall",
            ),
        ),
    ),
    box=tuple(
        BoxItem(
            f"first_{size}_run_year",
            f"Year of the first ${size.upper()} training run",
            p_by=f"p_first_{size}_run_by",
            p_question=f"P(a ${size.upper()} run {{by}})",
            track_record=(
                TrackRecord("cost", "run_compute", "later costed runs' compute"),
                TrackRecord("cost", "flop_per_usd", "later runs' FLOP per dollar"),
            ),
            event=f"the first ${size.upper()} run comes",
        )
        for size in ("1b", "10b")
    ),
    probability_rows=tuple(
        ProbabilityRow(f"p_first_{size}_run_by", f"first ${size.upper()} run")
        for size in ("1b", "10b", "100b")
    ),
    event_curves=tuple(
        EventCurve(f"first_{size}_run_year", f"first ${size.upper()} run", "money", style)
        for size, style in (("1b", ":"), ("10b", "--"), ("100b", "-"))
    ),
    scenario_columns=(("first_10b_run_year", "first $10B run"),),
    scenario_figures=(
        ScenarioFigure(
            "scenarios_cost",
            ("first_10b_run_year",),
            "The year of the first $10B training run under each named scenario: a dot at the "
            "median and a line over the 80% interval; the baseline in black, its median dashed.",
        ),
    ),
    stress_headlines=("first_1b_run_year", "first_10b_run_year"),
    overlays=(Overlay("largest_run_cost_usd", "Cost of the largest run (2023 USD)"),),
    labels={
        "cost_growth_per_year": (
            "Growth of frontier training cost (times per year, fitted to costed runs)"
        ),
        "first_1b_run_year": "Year of the first $1B training run",
        "first_10b_run_year": "Year of the first $10B training run",
        "first_100b_run_year": "Year of the first $100B training run",
        "largest_run_cost_2026_usd": "Cost of the largest run in 2026 (2023 USD)",
        "largest_run_cost_2030_usd": "Cost of the largest run in 2030 (2023 USD)",
        "projected_cost_growth_per_year": "Growth of cost on the compute trend (times per year)",
        "flop_per_usd_growth_per_year": (
            "Growth of FLOP per dollar realised by runs (times per year)"
        ),
        "hardware_price_performance_growth_per_year": (
            "Growth of chip FLOP/s per list-price dollar (times per year)"
        ),
        "flop_per_usd_2030": "FLOP per 2023 dollar in 2030",
    },
)


MODEL = ModelSpec(
    name="cost",
    description="Frontier training-run cost (2023 USD): when the first $1B, $10B, $100B runs come.",
    tables=("training_costs", "hardware_price_performance"),
    prior_names=PRIOR_NAMES,
    lever_names=LEVER_NAMES,
    select=select,
    build=build,
    derive=derive,
    headline=headline,
    extras=extras,
    fit_options={
        "cost_method": "amortized",
        "population": "frontier",
        "start_date": "2018-01-01",
        "include_tpu": True,
        "include_imputed_hardware": True,
        "hardware_precision": "fp16_tensor",
        "hardware_market": "datacenter",
        "run_compute_trend_form": "linear",
        "flop_per_usd_trend_form": "linear",
        "hardware_trend_form": "linear",
    },
    fit_choices={
        "cost_method": tuple(COST_METHODS),
        "population": POPULATIONS,
        "hardware_precision": ("fp16_tensor", "fp32"),
        "hardware_market": ("datacenter", "all"),
        "run_compute_trend_form": TREND_FORMS,
        "flop_per_usd_trend_form": TREND_FORMS,
        "hardware_trend_form": TREND_FORMS,
    },
    prior_defaults=trend_prior_defaults("run_compute", "flop_per_usd", "hardware"),
    requires=("compute",),
    headline_years=HEADLINE_YEARS,
    report=REPORT,
)
