"""Walls compared: the largest training run each constraint allows, and which binds first.

No data of its own. Per posterior draw and year, the compute of the largest training run (the
shared ``compute`` trend at the ``largest_run_quantile`` of its scatter) is set against the
largest run each constraint allows, in FLOP, built from what the other models derived (with
their scenario levers applied) and a few stated assumptions (``priors/walls.toml``):

* **data**: the effective stock of public text ``S(y)`` (``datawall``) turned into compute
  with ``C = 6 N D`` and ``D = k m N`` (``k`` compute-optimal tokens per parameter, ``m`` the
  overtraining factor, both as the data wall uses them), so ``C_data = 6 S^2 / (k m)``.
  ``k`` is read at the frontier compute of year ``y``; it varies as ``C^-0.03``, so at the
  crossing (where the run's compute equals the cap) the error is a few per cent at most.
* **power**: the power one run can draw (``power``: the largest single campus, or one lab's
  share of US AI capacity spread over sites, whichever is larger) x accelerator FLOP/s per watt
  of TDP (``memory``, fitted) / all-in watts per TDP watt (servers, cooling: PUE) x utilization
  x low-precision speed-up x run duration.
* **money**: the largest amortized cost one run may have x training FLOP per dollar
  (``cost``). That cost is the cluster the largest developer can buy for the run (its yearly
  capital spending x the share the largest run's cluster may take) x the amortized cost per
  dollar of cluster and year of running x the run's duration (the same duration as the power
  cap: a longer run buys more FLOP from the same watts and the same cluster).

Memory bandwidth is reported as the inference-side limit (the decode ceiling of ``memory``),
not a training cap. Chip production and latency are not modelled; their published ranges are
reported with the walls (:data:`UNMODELED`).

Derived per draw: each cap by year, the year the largest run first exceeds each, the first
wall and which constraint it is, and the largest feasible run by year (the smallest cap). The
power wall is solved exactly: the power model's supply curves and the memory model's FLOP/s per
watt are evaluated as functions at their kinks (a grid delay of 1.3 years puts a kink at a
fractional year), and the run must exceed both the campus and the distributed supply. The data
and money walls are solved the same way from the data wall's stock curve (with its k and m)
and the cost model's FLOP per dollar: exact at their kinks (the overtraining hold year, the
newest costed run), or by Newton steps on the concave gap when synthetic data curves the
stock. All three are searched up to the grid's last year, so a later wall is "not before
then". The draws of every model are paired by (chain, draw): the models share no parameters
except through the compute draws they all read, so each pairing is a draw from the joint
posterior.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from forecast import summary
from forecast.models import compute, cost, datawall, memory, power
from forecast.models.base import FitInputs, ModelSpec, Quantity, canonical_order, lever
from forecast.models.crossing import (
    joint_crossing_year,
    linear_crossing_year,
)
from forecast.models.reuse import reusable
from forecast.priors import PriorSet

#: Constraints compared, in reporting order.
CONSTRAINTS = ("data", "power", "money")
#: Year of the capital-spending prior.
CAPEX_BASE_YEAR = 2025.0
SECONDS_PER_YEAR = 365.25 * 86400.0
#: Years the headlines read (a lever sweep derives only these; no model reads the walls).
HEADLINE_YEARS = (2030,)

FORWARD_PARAMETERS = (
    "largest_developer_capex_2025_usd",
    "capex_growth_per_year",
    "largest_run_capex_share",
    "amortized_cost_per_cluster_usd_year",
    "watts_per_tdp_watt",
    "training_utilization",
    "run_duration_s",
)
LEVER_NAMES = ("low_precision_speedup",)

#: Sevilla et al. 2024's 2030 caps (FLOP, their 80% ranges) for the constraints modelled here,
#: drawn beside ours in the outlook. They give no money cap ("hundreds of billions" of dollars
#: for the cluster of a 2e29 FLOP run) and judge 2e29 FLOP feasible by 2030.
PUBLISHED_2030_CAPS = {
    "power (single campus)": (1e28, 3e29),
    "power (distributed)": (2e28, 2e30),
    "data (text and multimodal)": (6e28, 2e32),
}
PUBLISHED_2030_SOURCE = (
    "Sevilla et al. 2024, 'Can AI scaling continue through 2030?', Epoch AI "
    "(https://epoch.ai/blog/can-ai-scaling-continue-through-2030)"
)
PUBLISHED_FEASIBLE_2030_FLOP = 2e29

#: Constraints the engine does not model, with the published ranges to quote beside the walls.
UNMODELED = {
    "chip_production": {
        "max_run_2030_flop": {"median": 9e29, "p10": 1e29, "p90": 5e30},
        "source": "Sevilla et al. 2024, 'Can AI scaling continue through 2030?', Epoch AI "
        "(https://epoch.ai/blog/can-ai-scaling-continue-through-2030): 100M H100e (20M-400M)",
    },
    "latency": {
        "max_run_2030_flop": {"median": None, "p10": 3e30, "p90": 1e32},
        "source": "Sevilla et al. 2024 (latency wall, batch size scaling with model size)",
    },
}


def select(tables: Mapping[str, pd.DataFrame], options: Mapping[str, Any]) -> FitInputs:
    """Return empty inputs: the walls read no table."""
    return FitInputs(rows=pd.DataFrame(), arrays={}, coords={})


def build(inputs: FitInputs, priors: PriorSet) -> pm.Model:
    """Build the prior-only model of the walls' stated assumptions."""
    with pm.Model() as model:
        for name in FORWARD_PARAMETERS:
            priors[name].create(name)
    return model


def derive(
    posterior: xr.Dataset,
    upstream: Mapping[str, xr.Dataset],
    levers: Mapping[str, Any],
    seed: int,
    years: xr.DataArray | None = None,
) -> xr.Dataset:
    """Build each constraint's cap per draw and year and find the walls.

    Parameters
    ----------
    posterior : xarray.Dataset
        Draws of :data:`FORWARD_PARAMETERS` (their priors), dims ``(chain, draw)``.
    upstream : mapping
        Draws and derived quantities of ``compute``, ``datawall``, ``power``, ``cost`` and
        ``memory``, paired by ``(chain, draw)``.
    levers : mapping
        ``low_precision_speedup`` and fixed values of
        :data:`FORWARD_PARAMETERS`; DataArray values (``scenario``) broadcast through.
    seed : int
        Unused; part of the shared signature.
    years : xarray.DataArray, optional
        Years of the caps and runs in the output (default: the projection grid; the memory
        model's derived quantities must hold them). The walls are solved exactly whatever the
        years.

    Returns
    -------
    xarray.Dataset
    """
    grid = compute.year_coord()
    years = grid if years is None else years
    comp = upstream["compute"]
    start, stop = float(grid[0]), float(grid[-1])
    # Each constraint's wall and cap from what it reads alone: one no lever of a sweep's chunk
    # reaches is solved in the first chunk and reused (see forecast.models.reuse).
    data_wall, data_cap = _data_constraint(
        comp, upstream["datawall"], upstream["scaling"], start, stop, years
    )
    power_wall, campus_flop, distributed_flop = _power_constraint(
        posterior,
        _lever_values(levers, POWER_LEVERS),
        comp,
        upstream["memory"],
        upstream["power"],
        start,
        stop,
        years,
    )
    money_wall, money_cap, spend_usd = _money_constraint(
        posterior, _lever_values(levers, MONEY_LEVERS), comp, upstream["cost"], start, stop, years
    )
    walls = {"data": data_wall, "power": power_wall, "money": money_wall}
    constraint = xr.DataArray(list(CONSTRAINTS), dims="constraint", name="constraint")
    wall_year = xr.concat(
        [walls[c] for c in CONSTRAINTS], dim=constraint, coords="minimal", compat="override"
    )
    first_year = wall_year.min("constraint")
    binds_first = (wall_year == first_year) & np.isfinite(first_year)

    # Each cap over its own dims (10** once per value, not once per value of every other
    # constraint's dims), then stacked.
    cap_flops = {
        "data": data_cap,
        "power": np.maximum(campus_flop, distributed_flop),
        "money": money_cap,
    }
    caps = xr.concat(
        [cap_flops[c] for c in CONSTRAINTS], dim=constraint, coords="minimal", compat="override"
    )
    return canonical_order(
        xr.Dataset(
            {
                "largest_run_flop": 10 ** _log10_run(comp, years),
                "cap_flop": caps,
                "power_single_campus_cap_flop": campus_flop,
                "power_distributed_cap_flop": distributed_flop,
                "spend_ceiling_usd": spend_usd,
                "max_feasible_run_flop": caps.min("constraint"),
                "wall_year": wall_year,
                # Each constraint's own, with the dims only what reaches it gives it (the
                # stacked forms broadcast every constraint to the dims of all).
                **{f"{c}_wall_year": walls[c] for c in CONSTRAINTS},
                **{f"{c}_cap_flop": cap_flops[c] for c in CONSTRAINTS},
                "first_wall_year": first_year,
                "binds_first": binds_first,
                "decode_tokens_per_second": upstream["memory"]["decode_tokens_per_second"].sel(
                    year=years.values
                ),
            }
        )
    )


#: The levers each constraint reads (besides the draws of :data:`FORWARD_PARAMETERS`).
POWER_LEVERS = (
    "low_precision_speedup",
    "training_utilization",
    "watts_per_tdp_watt",
    "run_duration_s",
)
MONEY_LEVERS = (
    "largest_run_capex_share",
    "amortized_cost_per_cluster_usd_year",
    "run_duration_s",
    "largest_developer_capex_2025_usd",
    "capex_growth_per_year",
)


def _lever_values(levers: Mapping[str, Any], names: tuple[str, ...]) -> tuple[Any, ...]:
    """Return the values set for ``names`` (``None`` where unset), as given."""
    return tuple(levers.get(name) for name in names)


def _parameters(
    posterior: xr.Dataset, names: tuple[str, ...], lever_values: tuple[Any, ...]
) -> dict[str, Any]:
    """Return each parameter: its lever's value where set, else its draws (if it has any)."""
    levers = dict(zip(names, lever_values, strict=True))
    return {name: lever(levers, name, posterior.get(name)) for name in names}


def _log10_run(comp: Mapping[str, xr.DataArray], y: Any) -> xr.DataArray:
    """Return log10 FLOP of the largest training run at ``y``."""
    return compute.log10_largest_run(comp, y)


@reusable
def _data_constraint(
    comp: Mapping[str, xr.DataArray],
    data: Mapping[str, xr.DataArray],
    law: Mapping[str, xr.DataArray],
    start: float,
    stop: float,
    years: xr.DataArray,
) -> tuple[xr.DataArray, xr.DataArray]:
    """Return the data wall's year and its cap in FLOP at ``years``.

    The cap at any year is the data wall's stock curve with its k and m (lever-fixed, or the
    scaling law's at the frontier compute of the year): ``6 S^2 / (k m)``.
    """

    def log10_data(y: Any) -> xr.DataArray:
        log_k, log_m = datawall.log10_tokens_per_param(data, law, comp, y)
        return np.log10(6.0) + 2.0 * np.log10(datawall.stock_tokens(data, y)) - log_k - log_m

    # The run meets the data cap 6 S^2 / (k m) where the tokens it trains on meet the stock.
    hold = data["overtraining_hold_year"].fillna(stop)  # m is held from there on
    wall = datawall.stock_crossing_year(
        lambda y: datawall.log10_tokens_for_flop(data, law, comp, y, _log10_run(comp, y)),
        data,
        (hold, *compute.kinks(comp)),
        start=start,
        stop=stop,
    )
    return wall, 10 ** log10_data(years)


@reusable
def _power_constraint(
    posterior: xr.Dataset,
    lever_values: tuple[Any, ...],
    comp: Mapping[str, xr.DataArray],
    fpw: Mapping[str, xr.DataArray],
    curves: Mapping[str, xr.DataArray],
    start: float,
    stop: float,
    years: xr.DataArray,
) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
    """Return the power wall's year and the campus and distributed caps in FLOP at ``years``.

    FLOP one run gets per GW of supply: the memory model's accelerator FLOP/s per watt (at any
    year) x the stated assumptions. With the power model's supply curves, this gives the power
    caps in log10 units at any year, so the power wall is solved exactly (no grid). The run
    exceeds the power cap (the larger of one campus and one lab's distributed share) when it
    exceeds both. ``lever_values`` are those of :data:`POWER_LEVERS`.
    """
    p = _parameters(posterior, POWER_LEVERS, lever_values)
    log10_flop_per_gw_gain = np.log10(
        1e9
        * p["low_precision_speedup"]
        * p["training_utilization"]
        / p["watts_per_tdp_watt"]
        * p["run_duration_s"]
    )

    def log10_flop_per_gw(y: Any) -> xr.DataArray:
        return memory.flop_per_watt_log10(fpw, y) + log10_flop_per_gw_gain

    def power_gaps(y: Any) -> list[xr.DataArray]:
        # The run in GW-equivalents, set against each supply curve.
        demand = _log10_run(comp, y) - log10_flop_per_gw(y)
        return [
            demand - power.campus_log10_gw(curves, y),
            demand - power.lab_log10_gw(curves, y),
        ]

    wall = joint_crossing_year(
        power_gaps,
        start=start,
        stop=stop,
        knots=(*power.supply_knots(curves), *memory.flop_per_watt_kinks(fpw), *compute.kinks(comp)),
    )
    campus = 10 ** (power.campus_log10_gw(curves, years) + log10_flop_per_gw(years))
    distributed = 10 ** (power.lab_log10_gw(curves, years) + log10_flop_per_gw(years))
    return wall, campus, distributed


@reusable
def _money_constraint(
    posterior: xr.Dataset,
    lever_values: tuple[Any, ...],
    comp: Mapping[str, xr.DataArray],
    cost_model: Mapping[str, xr.DataArray],
    start: float,
    stop: float,
    years: xr.DataArray,
) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
    """Return the money wall's year, its cap in FLOP and the spend ceiling in USD at ``years``.

    The cap at any year: what the largest developer may spend on one run x FLOP per $.
    ``lever_values`` are those of :data:`MONEY_LEVERS`.
    """
    p = _parameters(posterior, MONEY_LEVERS, lever_values)
    log10_spend_share = np.log10(
        p["largest_run_capex_share"]
        * p["amortized_cost_per_cluster_usd_year"]
        * p["run_duration_s"]
        / SECONDS_PER_YEAR
    )

    def log10_spend(y: Any) -> xr.DataArray:
        return (
            np.log10(p["largest_developer_capex_2025_usd"])
            + np.log10(p["capex_growth_per_year"]) * (y - CAPEX_BASE_YEAR)
            + log10_spend_share
        )

    def log10_money(y: Any) -> xr.DataArray:
        return log10_spend(y) + cost.flop_per_usd_log10(cost_model, y)

    wall = linear_crossing_year(
        lambda y: _log10_run(comp, y) - log10_money(y),
        start=start,
        stop=stop,
        # FLOP per $ changes rate at the newest costed run; the compute trend at its kinks.
        knots=(*cost.flop_per_usd_kinks(cost_model), *compute.kinks(comp)),
    )
    return wall, 10 ** log10_money(years), 10 ** log10_spend(years)


def binding_probabilities(derived: xr.Dataset) -> dict[str, float]:
    """Return P(each constraint binds first), and P(no wall on the projection grid)."""
    p = derived["binds_first"].mean(summary.SAMPLE_DIMS)
    out = {str(c): float(p.sel(constraint=c)) for c in derived["constraint"].values}
    return out | {"none_by_grid_end": float(1.0 - p.sum())}


def headline(derived: xr.Dataset) -> dict[str, Quantity]:
    """Return the walls' headline numbers."""
    h = Quantity
    at_2030 = {"year": 2030}
    return {
        "first_wall": Quantity(derived["binds_first"], "P(binds first)", category_dim="constraint"),
        "first_wall_year": h(derived["first_wall_year"], "year"),
        "max_feasible_run_2030_flop": h(derived["max_feasible_run_flop"].sel(at_2030), "FLOP"),
        "largest_run_2030_flop": h(derived["largest_run_flop"].sel(at_2030), "FLOP (trend)"),
        **{
            f"{c}_cap_2030_flop": h(derived[f"{c}_cap_flop"].sel(at_2030), "FLOP")
            for c in CONSTRAINTS
        },
        **{f"{c}_wall_year": h(derived[f"{c}_wall_year"], "year") for c in CONSTRAINTS},
        "power_single_campus_cap_2030_flop": h(
            derived["power_single_campus_cap_flop"].sel(at_2030), "FLOP"
        ),
        "spend_ceiling_2030_usd": h(derived["spend_ceiling_usd"].sel(at_2030), "USD 2023"),
        "decode_tokens_per_second_2030": h(
            derived["decode_tokens_per_second"].sel(at_2030),
            "tokens/s (inference-side limit, not a training cap)",
        ),
    }


def extras(derived: xr.Dataset) -> dict[str, Any]:
    """Return P(each binds first), P(first wall by year Y) and the unmodelled constraints."""
    return {
        "p_binds_first": binding_probabilities(derived),
        "p_first_wall_by": summary.probabilities_by_year(derived["first_wall_year"]),
        "unmodeled": UNMODELED,
    }


MODEL = ModelSpec(
    name="walls",
    description="The largest run each constraint allows; which binds first, and when.",
    tables=(),
    prior_names=FORWARD_PARAMETERS,
    lever_names=LEVER_NAMES,
    select=select,
    build=build,
    derive=derive,
    headline=headline,
    extras=extras,
    # The data wall's own inputs (scaling) reach the walls through its derived quantities.
    requires=("compute", "scaling", "datawall", "power", "cost", "memory"),
    headline_years=HEADLINE_YEARS,
    forward_bounds={
        "largest_developer_capex_2025_usd": (1e9, 1e13),
        "capex_growth_per_year": (0.5, 3.0),
        "largest_run_capex_share": (0.001, 1.0),
        "amortized_cost_per_cluster_usd_year": (1e-3, 2.0),
        "watts_per_tdp_watt": (1.0, 5.0),
        "training_utilization": (0.01, 1.0),
        "run_duration_s": (8.64e4, 1e9),
    },
)
