"""The outlook's figures, drawn from stored runs and stress results (matplotlib, Agg).

Every figure is a function returning a :class:`matplotlib.figure.Figure` with an Agg canvas
(no pyplot, no global backend), drawn in the outlook's style (:mod:`forecast.report.style`),
sized for a printed page: axes labelled with units, log scales where the values span orders of
magnitude, and the observations each model was fitted to drawn over its fan chart. A fan shows
the posterior median, the 50% and the 80% central intervals per year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib
import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from forecast.formatting import format_value
from forecast.models.trend import fitted_observations
from forecast.models.walls import PUBLISHED_2030_CAPS, PUBLISHED_FEASIBLE_2030_FLOP
from forecast.report.style import styled
from forecast.settings import SETTINGS
from forecast.summary import probability_by, quantiles

#: Last year drawn on the time axes (the stored grid runs further).
LAST_YEAR_SHOWN = 2040
FIRST_YEAR_SHOWN = 2017
WIDTH_IN = 7.2
#: One colour per constraint, used in every figure.
COLORS = {
    "compute": "#222222",
    "data": "#1f5fa8",
    "power": "#d9731a",
    "money": "#2b8a3e",
    "memory": "#7b3fa0",
    "other": "#8c8c8c",
}
_FAN = (0.1, 0.25, 0.5, 0.75, 0.9)


def _figure(height_in: float = 4.0, ncols: int = 1) -> tuple[Figure, np.ndarray]:
    """Return a page-wide figure on an Agg canvas and its ``ncols`` axes in one row."""
    fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, np.atleast_1d(fig.subplots(1, ncols))


def fan(ax: Axes, draws: xr.DataArray, color: str, label: str, scale: float = 1.0) -> xr.DataArray:
    """Draw the median and the 50% / 80% intervals of ``draws`` over ``year``; return them."""
    shown = draws.sel(year=slice(None, LAST_YEAR_SHOWN)) * scale
    q = quantiles(shown, _FAN).transpose("year", "quantile").values
    years = shown["year"].values
    ax.fill_between(years, q[:, 0], q[:, 4], color=color, alpha=0.15, lw=0)
    ax.fill_between(years, q[:, 1], q[:, 3], color=color, alpha=0.3, lw=0)
    ax.plot(years, q[:, 2], color=color, lw=1.8, label=label)
    return shown


def observed(run: xr.DataTree, prefix: str) -> tuple[np.ndarray, xr.DataArray]:
    """Return the decimal years and values (``10**`` of the log10 data) a trend was fitted to."""
    years_since_origin, log10_values = fitted_observations(run, prefix)
    return years_since_origin.values + SETTINGS.year_origin, 10.0**log10_values


def _points(ax: Axes, years: np.ndarray, values: np.ndarray, color: str, label: str) -> None:
    ax.scatter(
        years, values, s=14, color=color, edgecolor="white", linewidth=0.5, zorder=5, label=label
    )


def _time_axis(ax: Axes, ylabel: str, log: bool = True) -> None:
    ax.set_xlim(FIRST_YEAR_SHOWN, LAST_YEAR_SHOWN)
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")


def _explain_fan(ax: Axes) -> None:
    ax.text(
        0.99,
        0.02,
        "lines: posterior median; bands: 50% and 80% intervals",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=7,
        color="#555555",
    )


@styled()
def walls_lead(runs: Mapping[str, xr.DataTree]) -> Figure:
    """Draw the compute trend's largest run against the cap each constraint sets, by year."""
    derived = runs["walls"]["derived"]
    fig, (ax,) = _figure(4.6)
    fan(ax, derived["largest_run_flop"], COLORS["compute"], "largest run on the compute trend")
    for constraint in derived["constraint"].values:
        fan(
            ax,
            derived["cap_flop"].sel(constraint=constraint),
            COLORS[str(constraint)],
            f"{constraint} cap",
        )
    years, flop = observed(runs["compute"], "compute")
    _points(ax, years, flop, COLORS["compute"], "frontier runs (data)")
    for i, (name, (lo, hi)) in enumerate(PUBLISHED_2030_CAPS.items()):
        key = name.split()[0]
        x = 2030.35 + 0.35 * i
        ax.plot([x, x], [lo, hi], color=COLORS.get(key, COLORS["other"]), lw=2.2, alpha=0.8)
        ax.plot([x], [np.sqrt(lo * hi)], marker="_", color="black", ms=6)
    ax.plot(
        [2030.0],
        [PUBLISHED_FEASIBLE_2030_FLOP],
        marker="*",
        ms=10,
        color="black",
        ls="none",
        label="2e29 FLOP judged feasible by 2030; bars: caps (Sevilla et al. 2024)",
    )
    _time_axis(ax, "training compute of one run (FLOP)")
    ax.set_ylim(1e22, 1e33)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=2, frameon=False)
    _explain_fan(ax)
    return fig


@styled()
def data_wall(runs: Mapping[str, xr.DataTree]) -> Figure:
    """Draw frontier training-dataset size against the effective stock of public text."""
    derived = runs["datawall"]["derived"]
    fig, (ax,) = _figure()
    fan(ax, derived["effective_stock_tokens"], COLORS["data"], "effective stock of public text")
    fan(ax, derived["dataset_tokens"], COLORS["compute"], "frontier dataset size (demand)")
    years, tokens = observed(runs["datawall"], "dataset")
    _points(ax, years, tokens, COLORS["compute"], "frontier training sets (data)")
    _time_axis(ax, "tokens")
    ax.legend(loc="upper left", frameon=False)
    _explain_fan(ax)
    return fig


@styled()
def power_wall(runs: Mapping[str, xr.DataTree]) -> Figure:
    """Draw the largest run's power against one campus and one lab's distributed share."""
    derived = runs["power"]["derived"]
    fig, (ax,) = _figure()
    fan(ax, derived["largest_campus_gw"], COLORS["power"], "largest single campus", scale=1e3)
    fan(
        ax,
        derived["lab_run_capacity_gw"],
        COLORS["money"],
        "one lab's share of US AI capacity (distributed)",
        scale=1e3,
    )
    fan(ax, derived["largest_run_power_mw"], COLORS["compute"], "largest training run")
    years, power = observed(runs["power"], "power")
    _points(ax, years, power, COLORS["compute"], "training runs (data)")
    _time_axis(ax, "power (MW)")
    ax.legend(loc="upper left", frameon=False)
    _explain_fan(ax)
    return fig


@styled()
def memory_wall(runs: Mapping[str, xr.DataTree]) -> Figure:
    """Draw memory bandwidth per HBM stack and per accelerator, and bytes per FLOP."""
    run = runs["memory"]
    derived = run["derived"]
    fig, (left, right) = _figure(3.8, ncols=2)
    fan(left, derived["accelerator_bandwidth_tbps"], COLORS["memory"], "per accelerator")
    fan(left, derived["hbm_stack_bandwidth_tbps"], COLORS["data"], "per HBM stack")
    hbm_years, hbm_gbps = observed(run, "hbm")
    _points(left, hbm_years, hbm_gbps / 1e3, COLORS["data"], "HBM generations (data)")
    accel_years, accel = observed(run, "accel")
    bandwidth_tbps = accel.sel(metric="bandwidth")
    _points(left, accel_years, bandwidth_tbps, COLORS["memory"], "accelerators (data)")
    _time_axis(left, "memory bandwidth (TB/s)")
    left.legend(loc="upper left", frameon=False)
    fan(right, derived["bytes_per_flop"], COLORS["memory"], "accelerator (fit)")
    # TB/s over dense 16-bit TFLOP/s: bytes moved per FLOP.
    _points(
        right,
        accel_years,
        bandwidth_tbps / accel.sel(metric="flops"),
        COLORS["memory"],
        "accelerators (data)",
    )
    _time_axis(right, "bytes per dense 16-bit FLOP")
    right.legend(loc="upper right", frameon=False)
    for ax in (left, right):
        ax.set_xlim(2014, LAST_YEAR_SHOWN)
    _explain_fan(right)
    return fig


@styled()
def cost_wall(runs: Mapping[str, xr.DataTree]) -> Figure:
    """Draw the amortized hardware and energy cost of the largest run (2023 USD)."""
    run = runs["cost"]
    fig, (ax,) = _figure()
    fan(ax, run["derived"]["largest_run_cost_usd"], COLORS["money"], "largest training run")
    years, _ = observed(run, "run_compute")
    cost = 10.0 ** (
        run["observed_data"]["run_compute_log10_observed"]
        - run["observed_data"]["flop_per_usd_log10_observed"]
    )
    _points(ax, years, cost, COLORS["compute"], "costed frontier runs (data)")
    for threshold, text in ((1e9, "$1B"), (1e10, "$10B"), (1e11, "$100B")):
        ax.axhline(threshold, color=COLORS["other"], lw=0.8, ls="--")
        ax.text(FIRST_YEAR_SHOWN + 0.2, threshold * 1.15, text, fontsize=7, color="#555555")
    _time_axis(ax, "cost of one run (2023 USD)")
    ax.legend(loc="upper left", frameon=False, bbox_to_anchor=(0.06, 1.0))
    _explain_fan(ax)
    return fig


#: The events of the P(by year) figure: (run, derived variable, selection, label, colour, style).
_WALL_EVENTS = (
    ("walls", "first_wall_year", {}, "first wall (any constraint)", "compute", "-"),
    ("walls", "wall_year", {"constraint": "data"}, "data cap", "data", "-"),
    ("walls", "wall_year", {"constraint": "power"}, "power cap", "power", "-"),
    ("walls", "wall_year", {"constraint": "money"}, "money cap", "money", "-"),
)
_MODEL_EVENTS = (
    ("datawall", "exhaustion_year", {}, "stock of public text exhausted", "data", "-"),
    ("power", "single_campus_wall_year", {}, "largest run outgrows one campus", "power", "-"),
    ("power", "distributed_wall_year", {}, "... outgrows a lab's distributed share", "power", "--"),
    ("cost", "first_1b_run_year", {}, "first $1B run", "money", ":"),
    ("cost", "first_10b_run_year", {}, "first $10B run", "money", "--"),
    ("cost", "first_100b_run_year", {}, "first $100B run", "money", "-"),
)


@styled()
def probabilities_by_year(runs: Mapping[str, xr.DataTree]) -> Figure:
    """Draw P(event by the end of year Y) for the walls and each model's event."""
    by = SETTINGS.probability_years.figure
    fig, (left, right) = _figure(4.2, ncols=2)
    panels = (
        (left, _WALL_EVENTS, "compute trend exceeds ..."),
        (right, _MODEL_EVENTS, "each model's event"),
    )
    for ax, events, title in panels:
        for model, variable, selection, label, color, style in events:
            years = runs[model]["derived"][variable].sel(selection)
            p = probability_by(years, by)
            ax.plot(by, p.values, color=COLORS[color], ls=style, lw=1.6, label=label)
        ax.set_ylim(0, 1.02)
        ax.set_xlim(by[0], by[-1])
        ax.set_xticks(by[::2])
        ax.set_xlabel("by the end of year")
        ax.set_ylabel("probability")
        ax.set_title(title, loc="left")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    return fig


@styled()
def scenario_probabilities(result: xr.Dataset, headline: str, ylabel: str) -> Figure:
    """Draw P(event by year) under each scenario of a stress result (``{headline}_p_by``)."""
    p_by = result[f"{headline}_p_by"]
    fig, (ax,) = _figure(3.8)
    cmap = matplotlib.colormaps["tab20"]
    for i, scenario in enumerate(p_by["scenario"].values):
        is_baseline = str(scenario) == "baseline"
        ax.plot(
            p_by["by_year"].values,
            p_by.sel(scenario=scenario).values,
            color="black" if is_baseline else cmap(i % 20),
            lw=2.4 if is_baseline else 1.3,
            label=str(scenario),
            zorder=3 if is_baseline else 2,
        )
    ax.set_ylim(0, 1.02)
    last = SETTINGS.probability_years.figure[-1]
    ax.set_xlim(p_by["by_year"].values[0], last)
    ax.set_xticks(range(int(p_by["by_year"].values[0]), last + 1, 2))
    ax.set_xlabel("by the end of year")
    ax.set_ylabel(ylabel)
    ax.legend(loc="lower right", ncols=2, frameon=False)
    return fig


@styled()
def tornado(data: xr.Dataset, headline: str, label: str, top: int = 10) -> Figure:
    """Draw the swing of a headline's median between each parameter's P10 and P90."""
    swing = data[f"{headline}_swing"].fillna(-1.0)
    order = swing.argsort().values[::-1][:top][::-1]
    values = data[headline].values[order]
    names = data["parameter"].values[order]
    base = float(data[f"{headline}_baseline"])
    log = data[headline].attrs.get("unit", "").startswith(("FLOP", "USD", "tokens"))  # spans OOMs
    fig, (ax,) = _figure(0.6 + 0.32 * len(order))
    rows = np.arange(len(order))
    for end, color in ((0, "#4c72b0"), (1, "#dd8452")):
        ends = values[:, end]
        finite = np.isfinite(ends)
        ax.barh(
            rows[finite],
            ends[finite] - base,
            left=base,
            color=color,
            height=0.6,
            label=("parameter at its P10", "parameter at its P90")[end],
        )
    ax.axvline(base, color="black", lw=1)
    ax.set_yticks(rows, [str(n) for n in names])
    unit = data[headline].attrs.get("unit", "")
    ax.set_xlabel(f"{label}, median\n(line: baseline, {format_value(base, unit)})")
    if log:
        ax.set_xscale("log")
    else:
        ax.ticklabel_format(axis="x", useOffset=False, style="plain")
    ax.legend(loc="lower right", frameon=False)
    ax.grid(axis="y", visible=False)
    return fig


@styled()
def calibration(result: xr.Dataset) -> Figure:
    """Draw a backtest's calibration: interval coverage against nominal, and the PIT histogram.

    ``result`` is :func:`forecast.backtest.run_backtest`'s per-observation Dataset.
    """
    fig, (left, right) = _figure(3.6, ncols=2)
    nominal = np.linspace(0.05, 0.95, 19)
    pit = result["pit"]
    models = list(dict.fromkeys(str(m) for m in result["model"].values))
    cmap = matplotlib.colormaps["tab10"]
    for i, model in enumerate(models):
        values = pit.where(result["model"] == model, drop=True).values
        covered = [np.mean(np.abs(values - 0.5) <= p / 2) for p in nominal]
        left.plot(
            nominal, covered, marker="o", ms=3, color=cmap(i), label=f"{model} (n={values.size})"
        )
    left.plot([0, 1], [0, 1], color="black", lw=0.8, ls="--", label="perfect calibration")
    left.set_xlim(0, 1)
    left.set_ylim(0, 1.02)
    left.set_xlabel("nominal central interval")
    left.set_ylabel("share of later observations inside")
    left.legend(loc="upper left", frameon=False)
    right.hist(pit.values, bins=np.linspace(0, 1, 11), color=COLORS["other"], edgecolor="white")
    right.axhline(pit.size / 10, color="black", lw=0.8, ls="--")
    right.set_xlabel("PIT: predictive CDF at the observation")
    right.set_ylabel("observations")
    right.set_title("flat = calibrated; U = too narrow", loc="left")
    return fig


def tornado_stem(headline: str) -> str:
    """Return the file stem of a headline's tornado figure (``tornado_walls_first_wall_year``)."""
    return f"tornado_{headline.replace('.', '_')}"


def all_figures(
    runs: Mapping[str, xr.DataTree],
    stress_result: xr.Dataset | None,
    tornado_data: xr.Dataset | None,
    tornado_headlines: Sequence[tuple[str, str]] = (),
) -> dict[str, Figure]:
    """Return every figure of the outlook, keyed by its file stem, in report order."""
    figures = {
        "walls": walls_lead(runs),
        "data_wall": data_wall(runs),
        "power_wall": power_wall(runs),
        "memory_wall": memory_wall(runs),
        "cost_wall": cost_wall(runs),
        "probabilities": probabilities_by_year(runs),
    }
    if stress_result is not None:
        figures["scenarios_first_wall"] = scenario_probabilities(
            stress_result, "walls.first_wall_year", "P(compute trend has hit a wall)"
        )
        figures["scenarios_exhaustion"] = scenario_probabilities(
            stress_result, "datawall.exhaustion_year", "P(stock of public text exhausted)"
        )
    if tornado_data is not None:
        for key, label in tornado_headlines:
            figures[tornado_stem(key)] = tornado(tornado_data, key, label)
    return figures
