"""Power: the power drawn by the largest training runs against what can feed them.

Demand: the power of frontier training runs (MW)
------------------------------------------------
A robust log-linear trend fitted to the cluster power of frontier runs since 2018
(``data/training_runs_power.csv``; Epoch AI's "training power draw": chips x chip TDP x server
overhead x PUE)::

    log10 P_i ~ StudentT(nu, power_intercept + power_slope * (t_i - 2020), power_sigma)

The trend runs through the frontier set; the *largest* run of a year sits above it. It is read
at the ``largest_run_quantile`` (the compute model's lever, 0.9) of the fitted Student-t scatter:
``log10 P_max(y) = trend(y) + power_sigma * t_nu^-1(q)``.

Structural check against compute (Epoch AI, "The power required to train frontier AI models is
doubling annually", 2024): power growth = compute growth / (FLOP-per-watt growth x precision
gain x run-duration growth). The compute growth is the ``compute`` model's posterior and the
FLOP-per-watt growth the ``memory`` model's fitted accelerator trend (one FLOP-per-watt path for
every model); precision and duration growth are priors with sources. The implied growth is
derived per draw beside the fitted one.

The largest run's power, read by the walls
------------------------------------------
The walls read the largest run's power from here (:func:`log10_largest_run_mw`: the fitted
trend plus the offset above), not from a restated FLOP-per-watt product, so the walls' power
cap and this model's walls are one computation. The share of AI capacity one developer puts
behind its largest run (``lab_share``) is the one share every cap reads: the walls' money cap
applies it to capital spending.

Supply: campus, data-centre capacity, grid connection
-----------------------------------------------------
* Data-centre capacity, three series (US total, US AI, global total), each log-linear in time,
  fitted to the observed rows of ``data/datacenter_capacity.csv``. A figure in TWh/yr is
  converted to average GW (``TWh / 8.76``: 8,760 hours a year), and average GW = rated GW x the
  load factor (a prior; Sevilla et al. 2024: data centres draw 40-60% of their rating)::

      log10 GW_i ~ Normal(capacity_intercept[s] + capacity_slope[s] (t_i - 2020)
                          + [i is a TWh figure] log10 load_factor, capacity_sigma)

  so the series are rated capacity, and the scatter is the disagreement between publishers.
* The largest single campus (GW), a prior at 2025 and at 2030 (Sevilla et al. 2024, Table 3),
  log-linear between them, growing after 2030 like US data-centre capacity (lever).
* The share of AI capacity one lab can put behind one run (prior, Sevilla et al. 2024).
* The grid-connection lag: the median years from interconnection request to operation (LBNL,
  "Queued Up"), a linear trend fitted to ``data/grid_connection.csv``. The lever
  ``extra_grid_delay_years`` delays supply not yet built: after the newest capacity figure
  (year ``t0``) the campus and AI-capacity curves become ``supply(max(t0, y - delay))``.

Derived per draw
----------------
Largest-run and frontier-trend power by year, the largest campus, the capacity one lab can
devote to one run, the single-campus wall year (largest run > largest campus), the distributed
wall year (largest run > lab share x US AI capacity), largest-run power in 2030, the implied
power growth from compute, and the capacity series by year.
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
    add_trend_from_inputs,
    latest_log10_growth,
    log10_trend,
    p_at_search_start,
    project_log10,
    quantile_offset,
    search_start_year,
    trend_curve,
    trend_kinks,
    trend_prior_defaults,
    trend_prior_names,
)
from forecast.priors import PriorSet
from forecast.settings import SETTINGS
from forecast.summary import Quantity

#: Capacity series fitted, and the (region, metrics) rows each reads.
SERIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "us_total": ("US", ("consumption_twh", "capacity_gw")),
    "us_ai": ("US", ("ai_capacity_gw",)),
    "global_total": ("global", ("consumption_twh", "capacity_gw")),
}
#: Hours in a year / 1000: TWh per year divided by this is average GW.
TWH_PER_GW_YEAR = 8.76
#: Years of the two campus anchors.
CAMPUS_YEARS = (2025.0, 2030.0)
LAG_METRIC = "interconnection_median_years"
#: Years the headlines read (a lever sweep derives only these; the walls read the supply curves).
HEADLINE_YEARS = (2026, 2030)

FORWARD_PARAMETERS = (
    "precision_gain_per_year",
    "run_duration_growth",
    "largest_campus_2025_gw",
    "largest_campus_2030_gw",
    "lab_share",
)
PRIOR_NAMES = (
    *trend_prior_names("power"),
    "capacity_intercept",
    "capacity_slope",
    "capacity_sigma",
    "load_factor",
    "lag_intercept",
    "lag_slope",
    "lag_sigma",
    *FORWARD_PARAMETERS,
)
LEVER_NAMES = (
    "extra_grid_delay_years",
    "campus_growth_after_2030",
    "ai_capacity_growth_per_year",
)


def select(tables: Mapping[str, pd.DataFrame], options: Mapping[str, Any]) -> FitInputs:
    """Choose the frontier runs, the observed capacity figures and the queue durations."""
    runs = compute.select_frontier_rows(tables["training_runs_power"], "power_mw", options)
    if not options["include_estimates"]:
        runs = runs[~runs["power_is_estimate"]].reset_index(drop=True)
    trend = compute.trend_inputs(runs, "power_mw", "power")

    capacity = tables["datacenter_capacity"]
    capacity = capacity[capacity["kind"] == "observed"]
    parts = []
    for index, (name, (region, metrics)) in enumerate(SERIES.items()):
        rows = capacity[(capacity["region"] == region) & capacity["metric"].isin(metrics)]
        parts.append(rows.assign(series=name, series_index=index))
    capacity = pd.concat(parts).sort_values(["series_index", "year"]).reset_index(drop=True)
    is_twh = (capacity["metric"] == "consumption_twh").to_numpy()
    log10_gw = np.log10(capacity["value"].to_numpy(float))
    log10_gw = np.where(is_twh, log10_gw - np.log10(TWH_PER_GW_YEAR), log10_gw)

    grid = tables["grid_connection"]
    lags = grid[(grid["metric"] == LAG_METRIC) & (grid["region"] == "US")]
    lags = lags.sort_values("year").reset_index(drop=True)
    return FitInputs(
        rows=runs,
        arrays={
            **trend.arrays,
            "capacity_series": capacity["series_index"].to_numpy(int),
            "capacity_years_since_origin": capacity["year"].to_numpy(float) - SETTINGS.year_origin,
            "capacity_log10_gw": log10_gw,
            "capacity_is_average": is_twh.astype(float),
            "lag_years_since_origin": lags["year"].to_numpy(float) - SETTINGS.year_origin,
            "lag_years": lags["value"].to_numpy(float),
            "supply_reference_year": float(capacity["year"].max()),
        },
        coords={
            **trend.coords,
            "series": list(SERIES),
            "capacity_obs": [
                f"{r.series} {r.year:g} {r.metric} ({r.publisher})" for r in capacity.itertuples()
            ],
            "lag_obs": [f"{y:g}" for y in lags["year"]],
        },
        extra_rows={"capacity": capacity, "grid": lags},
        row_tables={
            "fit_data": "training_runs_power",
            "fit_data_capacity": "datacenter_capacity",
            "fit_data_grid": "grid_connection",
        },
    )


def build(inputs: FitInputs, priors: PriorSet) -> pm.Model:
    """Build the power model: run-power trend, capacity series, grid lag, forward priors."""
    a = inputs.arrays
    with pm.Model(coords=inputs.coords) as model:
        add_trend_from_inputs(
            "power", inputs, priors, form=fit_options(inputs, MODEL.fit_options)["trend_form"]
        )

        series = pm.Data("capacity_series", a["capacity_series"], dims="capacity_obs")
        t_cap = pm.Data(
            "capacity_years_since_origin", a["capacity_years_since_origin"], dims="capacity_obs"
        )
        average = pm.Data("capacity_is_average", a["capacity_is_average"], dims="capacity_obs")
        intercept = priors["capacity_intercept"].create("capacity_intercept", dims="series")
        slope = priors["capacity_slope"].create("capacity_slope", dims="series")
        load_factor = priors["load_factor"].create("load_factor")
        # Average GW (from TWh/yr) = rated GW x load factor.
        mu = intercept[series] + slope[series] * t_cap + average * pt.log10(load_factor)
        pm.Normal(
            "capacity_log10_observed",
            mu=mu,
            sigma=priors["capacity_sigma"].create("capacity_sigma"),
            observed=a["capacity_log10_gw"],
            dims="capacity_obs",
        )

        t_lag = pm.Data("lag_years_since_origin", a["lag_years_since_origin"], dims="lag_obs")
        lag_intercept = priors["lag_intercept"].create("lag_intercept")
        lag_slope = priors["lag_slope"].create("lag_slope")
        pm.Normal(
            "lag_years_observed",
            mu=lag_intercept + lag_slope * t_lag,
            sigma=priors["lag_sigma"].create("lag_sigma"),
            observed=a["lag_years"],
            dims="lag_obs",
        )
        pm.Data("supply_reference_year", a["supply_reference_year"])
        for name in FORWARD_PARAMETERS:
            priors[name].create(name)
    return model


def supply_curves(posterior: xr.Dataset, levers: Mapping[str, Any]) -> xr.Dataset:
    """Return the per-draw parameters of the two supply curves, levers applied.

    Stored with the derived quantities, so a model downstream (the walls) evaluates the supply
    at any year with :func:`campus_log10_gw` and :func:`lab_log10_gw`, exactly, without reading
    (or exponentiating) a year grid. Dims: ``(chain, draw)`` plus those of DataArray levers.
    """
    cap_b = posterior["capacity_slope"]
    ai_growth = lever(levers, "ai_capacity_growth_per_year")
    ai_slope = cap_b.sel(series="us_ai")
    if ai_growth is not None:
        ai_slope = np.log10(ai_growth) + xr.zeros_like(ai_slope)
    after = lever(levers, "campus_growth_after_2030", 10 ** cap_b.sel(series="us_total"))
    fixed = {
        name: lever(levers, name, posterior[name])
        for name in ("largest_campus_2025_gw", "largest_campus_2030_gw", "lab_share")
    }
    curves = {
        "supply_reference_year": posterior["supply_reference_year"],
        "supply_delay_years": lever(levers, "extra_grid_delay_years", xr.DataArray(0.0)),
        "campus_log10_gw_2025": np.log10(fixed["largest_campus_2025_gw"]),
        "campus_log10_gw_2030": np.log10(fixed["largest_campus_2030_gw"]),
        "campus_log10_growth_after_2030": np.log10(after),
        "lab_log10_share": np.log10(fixed["lab_share"]),
        "us_ai_log10_gw_intercept": posterior["capacity_intercept"].sel(series="us_ai"),
        "us_ai_log10_gw_slope": ai_slope,
    }
    return xr.Dataset({k: v.drop_vars("series", errors="ignore") for k, v in curves.items()})


def _delayed(curves: xr.Dataset, years: Any) -> Any:
    # Supply already built (to the newest capacity figure) stands; what comes after arrives
    # ``delay`` years late, and nothing new arrives in between.
    reference, delay = curves["supply_reference_year"], curves["supply_delay_years"]
    return xr.where(years <= reference, years, np.maximum(reference, years - delay))


def campus_log10_gw(curves: xr.Dataset, years: Any) -> xr.DataArray:
    """Return log10 GW of the largest single campus at ``years``, the grid delay applied.

    Log-linear between the 2025 and 2030 anchors, then at its own rate (a lever, by default
    the fitted growth of US data-centre capacity).
    """
    y25, y30 = CAMPUS_YEARS
    y = _delayed(curves, years)
    c25, c30 = curves["campus_log10_gw_2025"], curves["campus_log10_gw_2030"]
    before = c25 + (c30 - c25) / (y30 - y25) * (np.minimum(y, y30) - y25)
    return before + curves["campus_log10_growth_after_2030"] * np.maximum(y - y30, 0.0)


def lab_log10_gw(curves: xr.Dataset, years: Any) -> xr.DataArray:
    """Return log10 GW one lab can put behind one run at ``years``: its share of US AI capacity."""
    trend = project_log10(
        curves["us_ai_log10_gw_intercept"],
        curves["us_ai_log10_gw_slope"],
        _delayed(curves, years),
        SETTINGS.year_origin,
    )
    return trend + curves["lab_log10_share"]


def supply_knots(curves: xr.Dataset) -> tuple[Any, ...]:
    """Return the years where a supply curve may change slope.

    Where the delay starts and ends, and where the campus path changes rate (2030, reached
    ``delay`` years late when it lies after the newest capacity figure).
    """
    reference, delay = curves["supply_reference_year"], curves["supply_delay_years"]
    y30 = xr.DataArray(float(CAMPUS_YEARS[1]))
    return (reference, reference + delay, y30, y30 + delay)


def log10_largest_run_mw(run: Mapping[str, Any], years: Any) -> xr.DataArray:
    """Return log10 MW of the largest training run at ``years``, from this model's derived run.

    The fitted run-power trend plus the largest run's offset above it: what this model's walls
    and the walls' power cap both read.
    """
    return log10_trend(run, "power", years) + run["largest_run_power_log10_offset"]


def largest_run_kinks(run: Mapping[str, Any]) -> tuple[Any, ...]:
    """Return the years where the run-power trend may change slope."""
    return trend_kinks(run, "power")


def derive(
    posterior: xr.Dataset,
    upstream: Mapping[str, xr.Dataset],
    levers: Mapping[str, Any],
    seed: int,
    years: xr.DataArray | None = None,
) -> xr.Dataset:
    """Project run power and supply per draw; find the single-campus and distributed walls.

    Parameters
    ----------
    posterior : xarray.Dataset
        Draws of this model's parameters, dims ``(chain, draw)`` (``series`` for capacity).
    upstream : mapping
        ``compute`` (the compute trend) and ``memory`` (the FLOP-per-watt trend), same
        ``(chain, draw)``.
    levers : mapping
        Lever values and optional fixed values of :data:`FORWARD_PARAMETERS`; DataArray values
        with extra dims (``scenario``) broadcast through.
    seed : int
        Unused (the model has no random assignment); part of the shared signature.
    years : xarray.DataArray, optional
        Years of the projected quantities (default: the projection grid). The walls are
        solved exactly whatever the years.

    Returns
    -------
    xarray.Dataset
    """
    origin = SETTINGS.year_origin
    years = compute.year_coord() if years is None else years
    p = {name: lever(levers, name, posterior[name]) for name in FORWARD_PARAMETERS}
    quantile = upstream["compute"]["largest_run_quantile"]  # the compute model's lever
    curves = supply_curves(posterior, levers)

    nu, sigma = posterior["power_nu"], posterior["power_sigma"]
    offset = quantile_offset(sigma, nu, quantile)
    run_power = trend_curve(posterior, "power", seed=seed)

    def log10_frontier_mw(y: Any) -> Any:
        return log10_trend(run_power, "power", y)

    def log10_largest_mw(y: Any) -> Any:
        return log10_frontier_mw(y) + offset

    def wall_gaps(y: Any) -> list[xr.DataArray]:
        demand_gw = log10_largest_mw(y) - 3.0
        return [demand_gw - campus_log10_gw(curves, y), demand_gw - lab_log10_gw(curves, y)]

    # Both walls in one walk over the supply's kinks: exact, no year grid. Searched from the
    # newest run with its power: the runs up to it were trained where they were.
    start = search_start_year(posterior, "power", 2018.0)
    single_campus_wall, distributed_wall = crossing_years(
        wall_gaps,
        start=start,
        stop=SETTINGS.horizon_year,
        knots=(*supply_knots(curves), *trend_kinks(run_power, "power")),
    )

    compute_growth = upstream["compute"]["compute_growth_per_year"]
    flop_per_watt_growth = upstream["memory"]["flop_per_watt_growth_per_year"]
    implied = compute_growth / (
        flop_per_watt_growth * p["precision_gain_per_year"] * p["run_duration_growth"]
    )
    power_growth = 10 ** latest_log10_growth(run_power, "power")
    load_factor = posterior["load_factor"]
    cap_a, cap_b = posterior["capacity_intercept"], posterior["capacity_slope"]
    cap_b = xr.where(cap_b["series"] == "us_ai", curves["us_ai_log10_gw_slope"], cap_b)
    capacity_gw = 10 ** project_log10(cap_a, cap_b, years, origin)
    return canonical_order(
        xr.Dataset(
            {
                "frontier_run_power_mw": 10 ** log10_frontier_mw(years),
                "largest_run_power_mw": 10 ** log10_largest_mw(years),
                "largest_campus_gw": 10 ** campus_log10_gw(curves, years),
                "lab_run_capacity_gw": 10 ** lab_log10_gw(curves, years),
                "datacenter_capacity_gw": capacity_gw,
                "datacenter_consumption_twh": capacity_gw * load_factor * TWH_PER_GW_YEAR,
                "capacity_growth_per_year": 10**cap_b,
                "grid_connection_lag_years": posterior["lag_intercept"]
                + posterior["lag_slope"] * (years - origin),
                "power_growth_per_year": power_growth,
                "implied_power_growth_per_year": implied,
                "power_growth_ratio": power_growth / implied,
                "single_campus_wall_year": single_campus_wall,
                "distributed_wall_year": distributed_wall,
                "wall_search_start_year": xr.DataArray(start),
                "load_factor": load_factor,
                "largest_run_power_log10_offset": offset,
                "run_duration_growth": p["run_duration_growth"],
                **run_power.data_vars,
                **curves.drop_vars("supply_reference_year").data_vars,
            }
        )
    )


def headline(derived: xr.Dataset) -> dict[str, Quantity]:
    """Return the power model's headline numbers (read at :data:`HEADLINE_YEARS`)."""
    h = Quantity
    at_2030 = {"year": 2030}
    capacity = derived["datacenter_capacity_gw"].sel(at_2030)
    consumption = derived["datacenter_consumption_twh"].sel(at_2030)
    return {
        "largest_run_power_2030_mw": h(derived["largest_run_power_mw"].sel(at_2030), "MW"),
        "power_growth_per_year": h(derived["power_growth_per_year"], "x/yr (fitted)"),
        "single_campus_wall_year": h(derived["single_campus_wall_year"], "year"),
        "distributed_wall_year": h(derived["distributed_wall_year"], "year"),
        "implied_power_growth_per_year": h(
            derived["implied_power_growth_per_year"], "x/yr (compute / efficiency gains)"
        ),
        "frontier_trend_power_2030_mw": h(derived["frontier_run_power_mw"].sel(at_2030), "MW"),
        "largest_campus_2030_gw": h(derived["largest_campus_gw"].sel(at_2030), "GW"),
        "lab_run_capacity_2030_gw": h(derived["lab_run_capacity_gw"].sel(at_2030), "GW"),
        "us_ai_capacity_2030_gw": h(capacity.sel(series="us_ai"), "GW rated"),
        "us_datacenter_capacity_2030_gw": h(capacity.sel(series="us_total"), "GW rated"),
        "global_datacenter_consumption_2030_twh": h(
            consumption.sel(series="global_total"), "TWh/yr"
        ),
        "us_ai_capacity_growth_per_year": h(
            derived["capacity_growth_per_year"].sel(series="us_ai"), "x/yr"
        ),
        "grid_connection_lag_2026_years": h(
            derived["grid_connection_lag_years"].sel(year=2026), "years (US median)"
        ),
    }


def extras(derived: xr.Dataset) -> dict[str, Any]:
    """Return P(wall reached by year Y) for the single-campus and distributed walls."""
    keys = ("single_campus_wall_year", "distributed_wall_year")
    out: dict[str, Any] = {
        "p_" + key.replace("_year", "_by"): summary.probabilities_by_year(derived[key])
        for key in keys
    }
    if "wall_search_start_year" in derived:
        start = float(derived["wall_search_start_year"])
        out["history"] = {"latest_run_year": start} | {
            "p_at_latest_run_" + k.removesuffix("_year"): p
            for k, p in p_at_search_start(derived, keys, start).items()
        }
    return out


#: The power wall in the outlook.
REPORT = ModelReport(
    rank=2,
    section=Section(
        "power",
        "Power: the largest run against one campus and one lab's share",
        figures=(
            FigureItem(
                "power_wall",
                "Power drawn by the largest training run (black) against the largest single "
                "campus (orange) and the share of US AI data-centre capacity one lab can put "
                "behind one run (green). Points: training runs with a published or estimated "
                "cluster power.",
                "forecast.report.figures.power:power_wall",
            ),
            FigureItem(
                "power_published",
                "Data-centre electricity use (TWh per year) as the power model fits it (fan), "
                "beside the published projections of data/datacenter_capacity.csv. Left, the "
                "world: IEA's Energy and AI (2025) cases, each at the years the table holds a "
                "value of it (IEA states most only in charts; the table's notes say which were "
                "read by others). Right, the United States: LBNL's 2024 low-high range for 2028. "
                "Points: the TWh estimates "
                "each series is fitted to (the GW figures it also fits are not drawn). The fit "
                "runs below both because it is one log-linear trend through every estimate "
                "since 2000, and those stay flat, near 200 TWh (world) and 70 TWh (US), through "
                "the 2010s: its growth rate is two decades' average, where IEA and LBNL build "
                "their projections up from the servers expected to be installed.",
                "forecast.report.figures.power:power_published",
            ),
        ),
    ),
    box=(
        BoxItem(
            "single_campus_wall_year",
            "Year the largest run no longer fits on one campus",
            p_by="p_single_campus_wall_by",
            p_question="P(outgrown {by})",
            track_record=(TrackRecord("power", "power", "later runs' power"),),
            event="the largest run outgrows one campus",
        ),
    ),
    probability_rows=(
        ProbabilityRow("p_single_campus_wall_by", "largest run outgrows one campus"),
        ProbabilityRow("p_distributed_wall_by", "largest run outgrows a lab's distributed share"),
    ),
    event_curves=(
        EventCurve("single_campus_wall_year", "largest run outgrows one campus", "power"),
        EventCurve(
            "distributed_wall_year", "... outgrows a lab's distributed share", "power", "--"
        ),
    ),
    scenario_columns=(
        ("single_campus_wall_year", "run outgrows one campus"),
        ("distributed_wall_year", "run outgrows distributed share"),
    ),
    scenario_figures=(
        ScenarioFigure(
            "scenarios_power",
            ("single_campus_wall_year", "distributed_wall_year"),
            "The years the largest run outgrows one campus and one lab's distributed share "
            "under each named scenario: a dot at the median and a line over the 80% interval; "
            "the baseline in black, its median dashed.",
        ),
    ),
    stress_headlines=("single_campus_wall_year", "distributed_wall_year"),
    overlays=(
        Overlay("largest_run_power_mw", "Power drawn by the largest run (MW)"),
        Overlay("lab_run_capacity_gw", "One lab's share of US AI capacity (MW)", scale=1e3),
    ),
    labels={
        "largest_run_power_2030_mw": "Power drawn by the largest training run in 2030 (MW)",
        "power_growth_per_year": "Growth of the largest run's power (times per year)",
        "single_campus_wall_year": "Year the largest run no longer fits on one campus",
        "distributed_wall_year": "Year the largest run outgrows one lab's distributed share",
        "implied_power_growth_per_year": "Power growth the compute trend implies (times per year)",
        "frontier_trend_power_2030_mw": "Power of a frontier run on the trend in 2030 (MW)",
        "largest_campus_2030_gw": "Largest single campus in 2030 (GW)",
        "lab_run_capacity_2030_gw": "One lab's share of US AI capacity for one run in 2030 (GW)",
        "us_ai_capacity_2030_gw": "US AI data-centre capacity in 2030 (GW rated)",
        "us_datacenter_capacity_2030_gw": "US data-centre capacity in 2030 (GW rated)",
        "global_datacenter_consumption_2030_twh": (
            "Global data-centre electricity use in 2030 (TWh per year)"
        ),
        "us_ai_capacity_growth_per_year": "Growth of US AI data-centre capacity (times per year)",
        "grid_connection_lag_2026_years": "Grid-connection lead time in 2026 (years, US median)",
    },
)


MODEL = ModelSpec(
    name="power",
    description="Largest training-run power versus campus, data-centre and grid capacity.",
    tables=("training_runs_power", "datacenter_capacity", "grid_connection"),
    prior_names=PRIOR_NAMES,
    lever_names=LEVER_NAMES,
    select=select,
    build=build,
    derive=derive,
    headline=headline,
    extras=extras,
    fit_options={
        "population": "frontier",
        "start_date": "2018-01-01",
        "include_estimates": True,
        "trend_form": "linear",
    },
    fit_choices={"population": POPULATIONS, "trend_form": TREND_FORMS},
    prior_defaults=trend_prior_defaults("power"),
    requires=("compute", "memory"),
    headline_years=HEADLINE_YEARS,
    # Interconnection-queue durations were first published in 2022 (LBNL "Queued Up"): a cut
    # before then fits the lag trend on its prior alone.
    optional_groups=("grid",),
    forward_bounds={
        "precision_gain_per_year": (1.0, 3.0),
        "run_duration_growth": (0.5, 3.0),
        "largest_campus_2025_gw": (0.01, 100.0),
        "largest_campus_2030_gw": (0.01, 1000.0),
        "lab_share": (0.001, 1.0),
    },
    report=REPORT,
)
