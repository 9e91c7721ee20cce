"""Walls compared: the largest training run each constraint allows, and which binds first.

No data of its own. Per posterior draw and year, the compute of the largest training run (the
shared ``compute`` trend at the ``largest_run_quantile`` of its scatter) is set against the
largest run each constraint allows, in FLOP, built from what the other models derived (with
their scenario levers applied) and a few stated assumptions (``priors/walls.toml``):

* **data**: the effective stock of public text ``S(y)`` (``datawall``) turned into compute
  with ``C = 6 N D`` and ``D = k m N`` (``k`` compute-optimal tokens per parameter, ``m`` the
  overtraining factor, both as the data wall uses them), so ``C_data = 6 S^2 / (k m)``.
  ``k`` and ``m`` are read at the largest run's compute of year ``y`` (the run the cap is
  about), not at the frontier trend's.
* **power**: the power one run can draw (``power``: the largest single campus, or one
  developer's share of US AI capacity spread over sites, whichever is larger) x the FLOP the
  largest run gets per MW: the largest run's compute (``compute``) over the largest run's power
  (``power``'s fitted run-power trend at the same position), x the low-precision speed-up
  beyond the fitted trends (lever). So the walls' largest-run power is the power model's, and
  the power wall is the power model's walls read together.
* **money**: the largest amortized cost one run may have x training FLOP per 2023 dollar
  (``cost``) x the low-precision speed-up. That cost is the cluster the largest run may take:
  the share of AI resources one developer puts behind its largest run (``power``'s
  ``lab_share``, the same draw the power cap reads; Sevilla et al. 2024 apply it to total AI
  resources) x the combined AI capital spending of the largest spenders (in December-2023 USD,
  the cost model's currency), x the amortized cost per dollar of cluster and year of running x
  the run's duration, which grows like the power model's ``run_duration_growth`` to a ceiling.

History
-------
A cap below a run that was trained cannot be true. Each calendar year's largest frontier run
(``data/models.csv``, by the frontier rule, published by the cut) is a record ``(t_r, C_r)``;
a joint draw (every upstream model's draw with these parameters) is consistent with history
when every cap at ``t_r`` is at least ``C_r``, and every cap at each whole year from the
newest record to :data:`HISTORY_CHECK_LAST_YEAR` at least the largest ``C_r`` (what was trained
stays feasible). With fit option ``condition_on_history`` (the
default) the walls' draws are the consistent ones: sampling-importance-resampling (Rubin 1988)
with weights 1 (consistent) or 0, i.e. rejection, the accepted draws resampled systematically
back to the draw count. The share accepted and how far conditioning moved each 2030 cap are
reported (:func:`history_effect`); if no draw is consistent the draws are kept and flagged.

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
then". The draws of every model are paired by (chain, draw): the models share parameters only
through the draws they read from each other (compute, the power model's share), so each
pairing is a draw from the joint posterior before the history is applied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from forecast import summary
from forecast.data import decimal_year
from forecast.models import compute, cost, datawall, power
from forecast.models.base import (
    DerivedPart,
    FitInputs,
    ModelSpec,
    canonical_order,
    fit_options,
    lever,
)
from forecast.models.crossing import (
    joint_crossing_year,
    linear_crossing_year,
)
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
from forecast.priors import PriorSet
from forecast.settings import SETTINGS
from forecast.summary import Quantity

#: Constraints compared, in reporting order.
CONSTRAINTS = ("data", "power", "money")
#: Middle of the year the capital-spending prior describes (spending flows through 2025).
CAPEX_BASE_YEAR = 2025.5
#: Year the run-duration prior describes (Sevilla et al. 2024's 2030 run).
DURATION_BASE_YEAR = 2030.0
SECONDS_PER_YEAR = 365.25 * 86400.0
#: Longest run considered: 15 months (Epoch AI, "The longest training run", 2022: a run
#: longer than ~15 months is overtaken by one started later on better hardware).
MAX_RUN_DURATION_S = 1.25 * SECONDS_PER_YEAR
#: The fit option that conditions the caps on the observed largest runs (see History).
HISTORY_OPTION = "condition_on_history"
#: The caps are held to history at each whole year from the newest record to this one (the
#: year the headlines report): what was trained stays feasible, so no later cap may lie below
#: the largest run trained.
HISTORY_CHECK_LAST_YEAR = 2030
#: Years the headlines read (a lever sweep derives only these; no model reads the walls).
HEADLINE_YEARS = (2030,)

FORWARD_PARAMETERS = (
    "ai_capex_2025_usd_2023",
    "capex_growth_per_year",
    "amortized_cost_per_cluster_usd_year",
    "run_duration_2030_s",
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
    """Return the history: each calendar year's largest frontier language-model run."""
    rows = compute.select_frontier_rows(
        tables["models"],
        "training_compute_flop",
        {**compute.MODEL.fit_options, "start_date": "2010-01-01"},
        language_only=True,
    )
    years = decimal_year(rows["publication_date"])
    best = (
        pd.DataFrame(
            {
                "i": np.arange(len(rows)),
                "cal": np.floor(years),
                "flop": rows["training_compute_flop"].to_numpy(float),
            }
        )
        .sort_values(["cal", "flop"])
        .groupby("cal")
        .tail(1)["i"]
        .to_numpy()
    )
    records = rows.iloc[np.sort(best)].reset_index(drop=True)
    # The caps are modelled over the projection grid (the supply curves are anchored at 2025
    # and 2030, not fitted to the 2010s): the history is the grid's years to the newest release.
    records = records[decimal_year(records["publication_date"]) >= SETTINGS.year_first]
    records = records.reset_index(drop=True)
    costed = cost_records(tables["training_costs"])
    return FitInputs(
        rows=records,
        arrays={
            "record_year": decimal_year(records["publication_date"]),
            "record_log10_flop": np.log10(records["training_compute_flop"].to_numpy(float)),
            "cost_record_year": decimal_year(costed["published"]),
            "cost_record_usd": costed["amortized_hw_energy_cost_usd_2023"].to_numpy(float),
            # 0 where no purchase price was estimated (pm.Data holds no NaN)
            "cost_record_cluster_usd": costed["hardware_acquisition_cost_usd_2023"]
            .fillna(0.0)
            .to_numpy(float),
        },
        coords={"record": records["model"].tolist(), "cost_record": costed["model"].tolist()},
    )


def cost_records(rows: pd.DataFrame) -> pd.DataFrame:
    """Return each calendar year's costliest run (amortized hardware and energy, 2023 USD).

    From :data:`~forecast.settings.Settings.year_first` on, as the FLOP records; what the money
    cap is checked against (:func:`history_summary`), not conditioned on: a run's cost and its
    compute are one run, whose compute the FLOP records already hold the caps to.
    """
    rows = rows[rows["amortized_hw_energy_cost_usd_2023"].notna()].copy()
    rows["year"] = decimal_year(rows["published"])
    rows = rows[rows["year"] >= SETTINGS.year_first]
    rows["calendar"] = np.floor(rows["year"])
    best = rows.sort_values("amortized_hw_energy_cost_usd_2023").groupby("calendar").tail(1)
    return best.sort_values("year").reset_index(drop=True)


def build(inputs: FitInputs, priors: PriorSet) -> pm.Model:
    """Build the prior-only model of the walls' stated assumptions, with the history as data."""
    with pm.Model(coords=inputs.coords) as model:
        for name in ("record_year", "record_log10_flop"):
            pm.Data(name, inputs.arrays[name], dims="record")
        for name in ("cost_record_year", "cost_record_usd", "cost_record_cluster_usd"):
            pm.Data(name, inputs.arrays[name], dims="cost_record")
        conditioned = fit_options(inputs, MODEL.fit_options)[HISTORY_OPTION]
        pm.Data(HISTORY_OPTION, float(bool(conditioned)))
        for name in FORWARD_PARAMETERS:
            priors[name].create(name)
    return model


def derive(
    posterior: xr.Dataset,
    upstream: Mapping[str, xr.Dataset],
    levers: Mapping[str, Any],
    seed: int,
    years: xr.DataArray | None = None,
    parts: Mapping[str, tuple] | None = None,
) -> xr.Dataset:
    """Build each constraint's cap per draw and year, find the walls, and apply the history.

    Parameters
    ----------
    posterior : xarray.Dataset
        Draws of :data:`FORWARD_PARAMETERS` (their priors), dims ``(chain, draw)``, with the
        history records (``record_year``, ``record_log10_flop``, dim ``record``) and the fit
        option ``condition_on_history``.
    upstream : mapping
        Draws and derived quantities of ``compute``, ``scaling``, ``datawall``, ``power``,
        ``cost`` and ``memory``, paired by ``(chain, draw)``.
    levers : mapping
        ``low_precision_speedup`` and fixed values of :data:`FORWARD_PARAMETERS`; DataArray
        values (``scenario``) broadcast through.
    seed : int
        Unused; part of the shared signature.
    years : xarray.DataArray, optional
        Years of the caps and runs in the output (default: the projection grid; the memory
        model's derived quantities must hold them). The walls are solved exactly whatever the
        years.
    parts : mapping, optional
        Constraints already solved (:func:`derive_parts`, same arguments), by name: a lever
        sweep solves once a constraint that no lever of its chunks reaches.

    Returns
    -------
    xarray.Dataset
    """
    comp = upstream["compute"]
    history = posterior.get("record_year")
    years, start, stop, at = _search(posterior, years)
    solved = dict(parts or {})
    solved |= _solve(
        posterior, upstream, levers, [c for c in CONSTRAINTS if c not in solved], years, at
    )
    data_wall, data_caps = solved["data"]
    power_wall, campus_caps, distributed_caps = solved["power"]
    money_wall, money_caps, spends_usd = solved["money"]
    walls = {"data": data_wall, "power": power_wall, "money": money_wall}
    constraint = xr.DataArray(list(CONSTRAINTS), dims="constraint", name="constraint")

    def stacked(per_constraint: Mapping[str, xr.DataArray]) -> xr.DataArray:
        return xr.concat(
            [per_constraint[c] for c in CONSTRAINTS],
            dim=constraint,
            coords="minimal",
            compat="override",
        )

    wall_year = stacked(walls)
    first_year = wall_year.min("constraint")
    power_caps = [np.maximum(c, d) for c, d in zip(campus_caps, distributed_caps, strict=True)]
    cap_flops = {"data": data_caps[0], "power": power_caps[0], "money": money_caps[0]}
    # Where the run already exceeds several caps when the search starts, the one it exceeds
    # most binds first (elsewhere two walls in the same instant have no probability).
    excess_at_start = _log10_run(comp, at["start"]) - np.log10(
        stacked({"data": data_caps[1], "power": power_caps[1], "money": money_caps[1]})
    )
    tied = (wall_year == first_year) & np.isfinite(first_year)
    most = excess_at_start.where(tied) == excess_at_start.where(tied).max("constraint")
    binds_first = tied & xr.where(tied.sum("constraint") > 1, most, True)
    caps = stacked(cap_flops)
    out = xr.Dataset(
        {
            "largest_run_flop": 10 ** _log10_run(comp, years),
            "cap_flop": caps,
            "power_single_campus_cap_flop": campus_caps[0],
            "power_distributed_cap_flop": distributed_caps[0],
            "spend_ceiling_usd": spends_usd[0],
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
    if "cost_history" in at:
        capex = posterior["ai_capex_2025_usd_2023"] * posterior["capex_growth_per_year"] ** (
            posterior["cost_record_year"] - CAPEX_BASE_YEAR
        )
        out = out.assign(
            cost_record_spend_ceiling_usd=spends_usd[list(at).index("cost_history")],
            cost_record_cluster_share_of_capex=posterior["cost_record_cluster_usd"].where(
                posterior["cost_record_cluster_usd"] > 0
            )
            / capex,
            cost_record_year=posterior["cost_record_year"],
            cost_record_usd=posterior["cost_record_usd"],
        )
    if history is None:
        return canonical_order(out)
    margins = stacked({"data": data_caps[2], "power": power_caps[2], "money": money_caps[2]})
    margin_oom = np.log10(margins) - posterior["record_log10_flop"]
    # Later years: each cap at or above the largest run trained (the record's FLOP).
    i_later = list(at).index("later")
    later = stacked(
        {"data": data_caps[i_later], "power": power_caps[i_later], "money": money_caps[i_later]}
    )
    later_margin_oom = (np.log10(later) - posterior["record_log10_flop"].max("record")).min(
        "history_year"
    )
    out = out.assign(
        history_margin_oom=margin_oom,
        history_later_margin_oom=later_margin_oom,
        record_vs_trend_oom=posterior["record_log10_flop"]
        - _log10_run(comp, posterior["record_year"]),
        record_year=posterior["record_year"],
        record_log10_flop=posterior["record_log10_flop"],
    )
    if not bool(posterior.get(HISTORY_OPTION, xr.DataArray(1.0)) > 0):
        return canonical_order(out.assign(history_accepted_share=xr.DataArray(np.nan)))
    consistent = (margin_oom >= 0).all(("constraint", "record")) & (later_margin_oom >= 0).all(
        "constraint"
    )
    # What the history moved: the walls' numbers before it, kept beside (not resampled).
    before = {"first_wall_year_unconditioned": first_year}
    if 2030 in years["year"].values:
        before["cap_2030_flop_unconditioned"] = caps.sel(year=2030, drop=True)
    return canonical_order(condition_on(out, consistent).assign(before))


def condition_on(derived: xr.Dataset, consistent: xr.DataArray) -> xr.Dataset:
    """Return the draws consistent with history, resampled to the draw count (rejection SIR).

    Parameters
    ----------
    derived : xarray.Dataset
        The walls' quantities, dims ``(chain, draw, ...)``.
    consistent : xarray.DataArray of bool
        Per draw (and per scenario, where levers give it dims): every cap at or above every
        record.

    Returns
    -------
    xarray.Dataset
        The same dims, each ``(chain, draw)`` of a scenario holding a consistent draw (the
        accepted draws in order, repeated evenly; where none is consistent, the draws as they
        were). ``history_accepted_share`` and ``history_source_draw`` (the flat index of the
        joint draw each holds) are added.
    """
    sample = ("chain", "draw")
    flat = consistent.stack(sample=sample).transpose(..., "sample")
    n = flat.sizes["sample"]

    def indices(ok: np.ndarray) -> np.ndarray:
        accepted = np.flatnonzero(ok)
        if accepted.size == 0:
            return np.arange(n)
        return accepted[(np.arange(n) * accepted.size) // n]

    index = xr.apply_ufunc(
        lambda ok: np.apply_along_axis(indices, -1, ok),
        flat,
        input_core_dims=[["sample"]],
        output_core_dims=[["sample"]],
    )
    share = flat.mean("sample")
    sample_coords = xr.Coordinates.from_pandas_multiindex(flat.indexes["sample"], "sample")

    def take(values: xr.DataArray) -> xr.DataArray:
        if not set(sample) <= set(values.dims):
            return values
        stacked_values = values.stack(sample=sample)
        v, i = xr.broadcast(stacked_values, index.drop_vars(["sample", *sample]))
        picked = xr.apply_ufunc(
            np.take_along_axis,
            v.drop_vars(["sample", *sample], errors="ignore"),
            i,
            input_core_dims=[["sample"], ["sample"]],
            output_core_dims=[["sample"]],
            kwargs={"axis": -1},
        )
        return picked.assign_coords(sample_coords).unstack("sample")

    conditioned = xr.Dataset({name: take(var) for name, var in derived.data_vars.items()})
    source = index.drop_vars(["sample", *sample]).assign_coords(sample_coords).unstack("sample")
    return conditioned.assign(history_accepted_share=share, history_source_draw=source)


#: The levers the money constraint reads (besides the draws of :data:`FORWARD_PARAMETERS`).
MONEY_LEVERS = FORWARD_PARAMETERS


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


def _search(
    posterior: xr.Dataset, years: xr.DataArray | None
) -> tuple[xr.DataArray, float, float, dict[str, xr.DataArray]]:
    """Return the output years, the search's start and stop, and the years caps are read at.

    Before the newest release the runs are history, not the trend: the walls are searched from
    it on (and the caps conditioned on the runs up to it, and at every later whole year).
    """
    grid = compute.year_coord()
    years = grid if years is None else years
    history = posterior.get("record_year")
    start = float(grid[0]) if history is None else max(float(grid[0]), float(history.max()))
    at = {"years": years, "start": xr.DataArray(start)} | (
        {} if history is None else {"history": history}
    )
    if "cost_record_year" in posterior:
        at["cost_history"] = posterior["cost_record_year"]
    if history is not None:
        first_later = np.ceil(float(history.max()))
        at["later"] = xr.DataArray(
            np.arange(first_later, max(first_later, HISTORY_CHECK_LAST_YEAR + 1.0)),
            dims="history_year",
        )
    return years, start, float(grid[-1]), at


def _solve(
    posterior: xr.Dataset,
    upstream: Mapping[str, xr.Dataset],
    levers: Mapping[str, Any],
    names: Sequence[str],
    years: xr.DataArray,
    at: Mapping[str, xr.DataArray],
) -> dict[str, tuple]:
    """Solve the named constraints: each one's wall year and its caps at each array of ``at``."""
    comp = upstream["compute"]
    start, stop = float(at["start"]), float(compute.year_coord()[-1])
    speedup = lever(levers, "low_precision_speedup")
    solvers = {
        "data": lambda: _data_constraint(
            comp, upstream["datawall"], upstream["scaling"], start, stop, tuple(at.values())
        ),
        "power": lambda: _power_constraint(
            speedup, comp, upstream["power"], start, stop, tuple(at.values())
        ),
        "money": lambda: _money_constraint(
            posterior,
            _lever_values(levers, MONEY_LEVERS),
            speedup,
            comp,
            upstream["cost"],
            upstream["power"],
            start,
            stop,
            years,
            tuple(at.values()),
        ),
    }
    return {name: solvers[name]() for name in names}


def derive_parts(
    posterior: xr.Dataset,
    upstream: Mapping[str, xr.Dataset],
    levers: Mapping[str, Any],
    names: Sequence[str],
    years: xr.DataArray | None = None,
) -> dict[str, tuple]:
    """Solve the named constraints alone, for :func:`derive`'s ``parts`` (see :data:`PARTS`)."""
    years, _, _, at = _search(posterior, years)
    return _solve(posterior, upstream, levers, names, years, at)


def _log10_speedup(speedup: Any) -> Any:
    return 0.0 if speedup is None else np.log10(speedup)


def _data_constraint(
    comp: Mapping[str, xr.DataArray],
    data: Mapping[str, xr.DataArray],
    law: Mapping[str, xr.DataArray],
    start: float,
    stop: float,
    at: tuple[xr.DataArray, ...],
) -> tuple[xr.DataArray, tuple[xr.DataArray, ...]]:
    """Return the data wall's year and its cap in FLOP at each array of years in ``at``.

    The cap at any year is the data wall's stock curve with its k and m (lever-fixed, or the
    scaling law's at the largest run's compute of the year): ``6 S^2 / (k m)``.
    """

    def log10_data(y: Any) -> xr.DataArray:
        log_k, log_m = datawall.log10_tokens_per_param(data, law, comp, y, _log10_run)
        return np.log10(6.0) + 2.0 * np.log10(datawall.stock_tokens(data, y)) - log_k - log_m

    # The run meets the data cap 6 S^2 / (k m) where the tokens it trains on meet the stock.
    hold = data["overtraining_hold_year"].fillna(stop)  # m is held from there on
    wall = datawall.stock_crossing_year(
        lambda y: datawall.log10_tokens_for_flop(
            data, law, comp, y, _log10_run(comp, y), _log10_run
        ),
        data,
        (hold, *compute.kinks(comp)),
        start=start,
        stop=stop,
    )
    return wall, tuple(10 ** log10_data(y) for y in at)


def _power_constraint(
    speedup: Any,
    comp: Mapping[str, xr.DataArray],
    run_power: Mapping[str, xr.DataArray],
    start: float,
    stop: float,
    at: tuple[xr.DataArray, ...],
) -> tuple[xr.DataArray, tuple[xr.DataArray, ...], tuple[xr.DataArray, ...]]:
    """Return the power wall's year and the campus and distributed caps in FLOP at ``at``.

    The largest run's power is the power model's (its fitted run-power trend at the largest
    run's position), reduced by the low-precision speed-up beyond the trends; the FLOP per GW
    of that run is the largest run's compute over that power. With the power model's supply
    curves this gives the power caps at any year, so the wall is solved exactly. The run
    exceeds the power cap (the larger of one campus and one developer's distributed share) when
    it exceeds both.
    """
    gain = _log10_speedup(speedup)

    def log10_run_gw(y: Any) -> xr.DataArray:
        return power.log10_largest_run_mw(run_power, y) - 3.0 - gain

    def log10_flop_per_gw(y: Any) -> xr.DataArray:
        return _log10_run(comp, y) - log10_run_gw(y)

    def power_gaps(y: Any) -> list[xr.DataArray]:
        demand = log10_run_gw(y)
        return [
            demand - power.campus_log10_gw(run_power, y),
            demand - power.lab_log10_gw(run_power, y),
        ]

    wall = joint_crossing_year(
        power_gaps,
        start=start,
        stop=stop,
        knots=(*power.supply_knots(run_power), *power.largest_run_kinks(run_power)),
    )
    campus = tuple(10 ** (power.campus_log10_gw(run_power, y) + log10_flop_per_gw(y)) for y in at)
    distributed = tuple(10 ** (power.lab_log10_gw(run_power, y) + log10_flop_per_gw(y)) for y in at)
    return wall, campus, distributed


def run_duration_s(duration_2030_s: Any, growth_per_year: Any, years: Any) -> Any:
    """Return the largest run's duration (s) at ``years``: growing, up to the longest run."""
    grown = duration_2030_s * growth_per_year ** (years - DURATION_BASE_YEAR)
    return np.minimum(grown, MAX_RUN_DURATION_S)


def duration_kink(duration_2030_s: Any, growth_per_year: Any) -> Any:
    """Return the year the growing duration reaches :data:`MAX_RUN_DURATION_S`."""
    ratio = np.log(MAX_RUN_DURATION_S / duration_2030_s) / np.log(growth_per_year)
    return DURATION_BASE_YEAR + ratio


def _money_constraint(
    posterior: xr.Dataset,
    lever_values: tuple[Any, ...],
    speedup: Any,
    comp: Mapping[str, xr.DataArray],
    cost_model: Mapping[str, xr.DataArray],
    run_power: Mapping[str, xr.DataArray],
    start: float,
    stop: float,
    years: xr.DataArray,
    at: tuple[xr.DataArray, ...],
) -> tuple[xr.DataArray, tuple[xr.DataArray, ...], xr.DataArray]:
    """Return the money wall's year and its cap in FLOP and the spend ceiling (USD) at ``at``.

    The cap at any year: what the largest run may cost (2023 USD) x FLOP per 2023 $ x the
    low-precision speed-up. ``lever_values`` are those of :data:`MONEY_LEVERS`.
    """
    p = _parameters(posterior, MONEY_LEVERS, lever_values)
    growth = run_power["run_duration_growth"]
    log10_base = (
        np.log10(
            p["ai_capex_2025_usd_2023"]
            * p["amortized_cost_per_cluster_usd_year"]
            / SECONDS_PER_YEAR
        )
        + run_power["lab_log10_share"]
    )

    def log10_spend(y: Any) -> xr.DataArray:
        return (
            log10_base
            + np.log10(p["capex_growth_per_year"]) * (y - CAPEX_BASE_YEAR)
            + np.log10(run_duration_s(p["run_duration_2030_s"], growth, y))
        )

    def log10_money(y: Any) -> xr.DataArray:
        return log10_spend(y) + cost.flop_per_usd_log10(cost_model, y) + _log10_speedup(speedup)

    wall = linear_crossing_year(
        lambda y: _log10_run(comp, y) - log10_money(y),
        start=start,
        stop=stop,
        # FLOP per $ changes rate at the newest costed run; the compute trend at its kinks;
        # the duration stops growing at its ceiling.
        knots=(
            *cost.flop_per_usd_kinks(cost_model),
            *compute.kinks(comp),
            duration_kink(p["run_duration_2030_s"], growth),
        ),
    )
    return wall, tuple(10 ** log10_money(y) for y in at), tuple(10 ** log10_spend(y) for y in at)


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


def history_summary(derived: xr.Dataset) -> dict[str, Any] | None:
    """Return what the history says about the walls, or ``None`` for a run without records.

    ``accepted_share``: the share of joint draws whose caps all lie at or above every record
    (NaN when the run was not conditioned). ``p_cap_below_observed_run``: per constraint, the
    share of the walls' draws with the cap below some record (0 once conditioned).
    ``record_run``: the largest run published, and how far it lies from the largest-run
    trend at its date. ``p_binding_at_latest_release``: P(the trend's largest run already
    exceeds a cap at the newest release, where the walls' search starts): for those draws the
    trend must already be bending, since the runs trained lie below every cap.
    """
    if "history_margin_oom" not in derived:
        return None
    margin = derived["history_margin_oom"]
    below = (margin < 0).any("record")
    if "history_later_margin_oom" in derived:
        below = below | (derived["history_later_margin_oom"] < 0)
    below = below.mean(summary.SAMPLE_DIMS)
    flop = derived["record_log10_flop"]
    i = int(flop.argmax("record"))
    year = derived["record_year"]
    latest = float(year.max())
    vs_trend = derived["record_vs_trend_oom"].isel(record=i)
    first = derived["first_wall_year"]
    moved = {}
    if "cap_2030_flop_unconditioned" in derived:
        after = derived["cap_flop"].sel(year=2030).median(summary.SAMPLE_DIMS)
        before = derived["cap_2030_flop_unconditioned"].median(summary.SAMPLE_DIMS)
        moved = {
            str(c): {
                "before": float(before.sel(constraint=c).median()),
                "after": float(after.sel(constraint=c).median()),
            }
            for c in derived["constraint"].values
        }
    if "first_wall_year_unconditioned" in derived:
        moved["first_wall_year"] = {
            "before": float(derived["first_wall_year_unconditioned"].median()),
            "after": float(first.median()),
        }
    return {
        "accepted_share": float(derived["history_accepted_share"].mean()),
        "moved_median": moved,
        "p_cap_below_observed_run": {
            str(c): float(below.sel(constraint=c).mean()) for c in derived["constraint"].values
        },
        "record_run": {
            "release": str(derived["record"].values[i]),
            "year": float(year.isel(record=i)),
            "flop": float(10 ** flop.isel(record=i)),
            "vs_trend_oom": float(vs_trend.median()),
            "p_below_trend": float((vs_trend < 0).mean()),
        },
        "latest_release_year": latest,
        "p_binding_at_latest_release": float((first <= latest + 1e-9).mean()),
        **({} if "cost_record_usd" not in derived else {"money_check": money_check(derived)}),
    }


def money_check(derived: xr.Dataset) -> dict[str, Any]:
    """Return the costliest observed run against the money cap's spend ceiling at its date.

    ``ceiling_usd``: the median and 80% interval of what the largest run may cost then;
    ``cost_share_of_ceiling``: the run's amortized cost over the median ceiling;
    ``cluster_share_of_capex``: its cluster's purchase price over the spenders' capital
    spending that year (median over the draws), beside the share the cap assumes
    (``power``'s ``lab_share``, Sevilla et al. 2024's 16-40%).
    """
    spent = derived["cost_record_usd"]
    i = int(spent.argmax("cost_record"))
    ceiling = derived["cost_record_spend_ceiling_usd"].isel(cost_record=i)
    share = derived["cost_record_cluster_share_of_capex"].isel(cost_record=i)
    low, mid, high = (float(ceiling.quantile(q)) for q in (0.1, 0.5, 0.9))
    return {
        "release": str(derived["cost_record"].values[i]),
        "year": float(derived["cost_record_year"].isel(cost_record=i)),
        "cost_usd": float(spent.isel(cost_record=i)),
        "ceiling_usd": {"median": mid, "p10": low, "p90": high},
        "cost_share_of_ceiling": float(spent.isel(cost_record=i)) / mid,
        "p_ceiling_below_cost": float((ceiling < spent.isel(cost_record=i)).mean()),
        "cluster_share_of_capex": float(share.median()) if bool(share.notnull().all()) else None,
    }


def extras(derived: xr.Dataset) -> dict[str, Any]:
    """Return P(each binds first), P(first wall by year Y), the history and the unmodelled."""
    history = history_summary(derived)
    return {
        "p_binds_first": binding_probabilities(derived),
        "p_first_wall_by": summary.probabilities_by_year(derived["first_wall_year"]),
        **({} if history is None else {"history": history}),
        "unmodeled": UNMODELED,
    }


#: What each constraint reads: a lever sweep solves once, and passes to :func:`derive`, a
#: constraint that no lever its chunks vary reaches (the data wall in a sweep of power levers).
PARTS = {
    "data": DerivedPart(("compute", "datawall", "scaling")),
    "power": DerivedPart(("compute", "power"), ("low_precision_speedup",)),
    "money": DerivedPart(("compute", "cost", "power"), (*MONEY_LEVERS, "low_precision_speedup")),
}

#: The walls in the outlook: the lead figure, the first wall in the box and its own section.
REPORT = ModelReport(
    rank=0,
    lead_figures=(
        FigureItem(
            "walls",
            "The largest training run on the fitted compute trend (black) against the largest "
            "run each constraint allows, one panel a cap on one scale: data (the stock of public "
            "text through the scaling laws), power (the larger of one campus and one lab's "
            "distributed share) and money (the largest developer's spending ceiling for one "
            "run). Where the black fan rises through a cap, that wall binds; the first of the "
            "three is the first wall. Points: frontier runs the compute trend was fitted to. "
            "Bars beside 2030: Sevilla et al. 2024's ranges for the data cap (with multimodal "
            "data) and the power cap (one campus, distributed); they give none for money. Star: "
            "the run they judge feasible by 2030.",
            "forecast.report.figures.walls:walls_lead",
        ),
    ),
    section=Section(
        "walls",
        "The walls compared",
        intro=(
            "Per posterior draw and year, the largest training run on the fitted compute trend "
            "is set against the largest run each constraint allows. The first wall is the "
            "earliest year the trend exceeds a cap; the binding constraint is the one it "
            "exceeds first."
        ),
        template="walls.html.j2",
    ),
    box=(
        BoxItem("first_wall", "Which wall stops the compute trend first"),
        BoxItem(
            "first_wall_year",
            "When the compute trend hits its first wall",
            p_by="p_first_wall_by",
            p_question="P(a wall is hit {by})",
            track_record=(TrackRecord("compute", "largest_run", "later years' largest runs"),),
            event="the compute trend hits its first wall",
        ),
        BoxItem(
            "max_feasible_run_2030_flop", "Largest training run every wall allows in 2030 (FLOP)"
        ),
    ),
    probability_rows=(ProbabilityRow("p_first_wall_by", "a wall is hit (first wall)"),),
    event_curves=(
        EventCurve("first_wall_year", "first wall (any constraint)", "compute", panel="walls"),
        *(
            EventCurve("wall_year", f"{c} cap", c, selection={"constraint": c}, panel="walls")
            for c in ("data", "power", "money")
        ),
    ),
    scenario_columns=(
        ("first_wall", "first wall"),
        ("first_wall_year", "first wall year"),
        ("max_feasible_run_2030_flop", "largest feasible run 2030 (FLOP)"),
    ),
    scenario_figures=(
        ScenarioFigure(
            "scenarios_walls",
            ("first_wall", "first_wall_year", "max_feasible_run_2030_flop"),
            "The walls under each named scenario. Left: how often each wall binds first "
            "(share of draws). Middle and right: the first wall's year and the largest run "
            "every wall allows in 2030, a dot at the median and a line over the 80% interval; "
            "the baseline in black, its median dashed.",
        ),
    ),
    tornado=(
        ("first_wall_year", "year the compute trend hits its first wall"),
        ("max_feasible_run_2030_flop", "largest feasible run in 2030 (FLOP)"),
    ),
    stress_headlines=("first_wall", "first_wall_year", "max_feasible_run_2030_flop"),
    overlays=(
        Overlay("largest_run_flop", "Largest run on the compute trend (FLOP)"),
        Overlay("max_feasible_run_flop", "Largest run every wall allows (FLOP)"),
    ),
    labels={
        "first_wall": "Which wall stops the compute trend first",
        "first_wall_year": "When the compute trend hits its first wall",
        "max_feasible_run_2030_flop": "Largest training run every wall allows in 2030 (FLOP)",
        "largest_run_2030_flop": (
            "Largest run on the compute trend in 2030, given the runs trained (FLOP)"
        ),
        "data_cap_2030_flop": "Largest run the stock of text allows in 2030 (FLOP)",
        "power_cap_2030_flop": "Largest run the power supply allows in 2030 (FLOP)",
        "money_cap_2030_flop": "Largest run the spending ceiling allows in 2030 (FLOP)",
        "data_wall_year": "Year the compute trend's largest run exceeds the data cap",
        "power_wall_year": "Year the compute trend's largest run exceeds the power cap",
        "money_wall_year": "Year the compute trend's largest run exceeds the money cap",
        "power_single_campus_cap_2030_flop": "Largest run one campus allows in 2030 (FLOP)",
        "spend_ceiling_2030_usd": "Spending ceiling for one run in 2030 (2023 USD)",
        "decode_tokens_per_second_2030": (
            "Decoding speed bandwidth allows in 2030 (tokens/s; inference, not a training cap)"
        ),
    },
)


MODEL = ModelSpec(
    name="walls",
    description="The largest run each constraint allows; which binds first, and when.",
    tables=("models", "training_costs"),
    # The records are history the caps are checked against, not data fitted: any number will do.
    optional_groups=("fit_data",),
    prior_names=FORWARD_PARAMETERS,
    lever_names=LEVER_NAMES,
    select=select,
    build=build,
    derive=derive,
    parts=PARTS,
    derive_parts=derive_parts,
    headline=headline,
    extras=extras,
    # The data wall's own inputs (scaling) reach the walls through its derived quantities.
    requires=("compute", "scaling", "datawall", "power", "cost", "memory"),
    headline_years=HEADLINE_YEARS,
    # Condition the caps on the observed largest runs (module docstring, History); a scenario
    # sets it false to see the caps as their models give them.
    fit_options={HISTORY_OPTION: True},
    forward_bounds={
        "ai_capex_2025_usd_2023": (1e10, 1e13),
        "capex_growth_per_year": (0.5, 3.0),
        "amortized_cost_per_cluster_usd_year": (1e-3, 2.0),
        "run_duration_2030_s": (8.64e4, MAX_RUN_DURATION_S),
    },
    report=REPORT,
)
