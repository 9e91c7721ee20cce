"""The outlook's numbers: ``summary.json`` and the tables the report renders from it.

Everything the report prints is read from the summary built here, which is itself built from
the stored runs (through :func:`forecast.contract.model_summary`, the ``forecast --json``
contract) and the stress engine's result. The report adds words and figures, no numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import xarray as xr

from forecast import __version__
from forecast.contract import model_summary
from forecast.data import load_table
from forecast.fit import FitPlan
from forecast.models import REGISTRY
from forecast.models.reporting import BoxItem
from forecast.models.walls import (
    PUBLISHED_2030_CAPS,
    PUBLISHED_2030_SOURCE,
    PUBLISHED_FEASIBLE_2030_FLOP,
)
from forecast.report import items, narrative
from forecast.report.provenance import input_fingerprints
from forecast.report.quarter import Quarter
from forecast.settings import today
from forecast.stress import result_to_json
from forecast.summary import finite_or_none, probabilities_by_year

#: The year the headline box asks "hit by" about.
BOX_YEAR = "2030"


def wall_probabilities(walls_run: xr.DataTree) -> dict[str, dict[str, float]]:
    """Return, per constraint, P(the compute trend exceeds its cap by the end of Y)."""
    wall_year = walls_run["derived"]["wall_year"]
    return {
        str(c): probabilities_by_year(wall_year.sel(constraint=c))
        for c in wall_year["constraint"].values
    }


def _box_item(models: Mapping[str, Any], model: str, item: BoxItem) -> dict[str, Any]:
    entry = models[model]
    return {
        "model": model,
        "headline": item.headline,
        "question": item.question,
        "label": items.labels()[f"{model}.{item.headline}"],
        "event": item.event,
        "value": entry["headline"][item.headline],
        "p_by_box_year": entry[item.p_by][BOX_YEAR] if item.p_by else None,
        "p_question": (
            item.p_question.format(by=f"by the end of {BOX_YEAR}") if item.p_question else None
        ),
        "diagnostics_passed": entry["diagnostics"]["passed"],
        # Freshness: the newest row of the data the model was fitted to (its series).
        "data_to": entry["run"]["latest_row_date"],
        "track_record": [dataclasses.asdict(trend) for trend in item.track_record],
    }


def headline_box(models: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the headline box: each model's declared lines, in report order (walls first)."""
    return [_box_item(models, model, item) for model, item in items.box_items()]


def build_summary(
    quarter: Quarter,
    *,
    data_cut: dt.date | None,
    plans: Mapping[str, FitPlan],
    runs: Mapping[str, xr.DataTree],
    stress_result: xr.Dataset,
    named_scenarios: Sequence[str],
    figures: Mapping[str, str],
    tornado_data: xr.Dataset | None = None,
    prior_sensitivity: pd.DataFrame | None = None,
    backtest: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the outlook's ``summary.json``.

    Parameters
    ----------
    quarter : Quarter
        The outlook's quarter.
    data_cut : datetime.date or None
        The as-of date the models were fitted with (None: every bundled row, which for the
        current quarter are all the rows published by its end).
    plans, runs : mapping
        The baseline fit plans and their stored runs, by model.
    stress_result : xarray.Dataset
        The stress engine's result over the named scenarios and the sensitivity points.
    named_scenarios : sequence of str
        The scenarios of the scenario table (the rest of ``stress_result`` is the tornado).
    figures : mapping
        Figure stem -> file path inside the report folder.
    tornado_data : xarray.Dataset, optional
        :func:`forecast.stress.tornado` of the sensitivity sweep, for ``sensitivity``.
    prior_sensitivity : pandas.DataFrame, optional
        :func:`forecast.sensitivity.prior_sensitivity` of the baseline, by ``model.headline``.
    backtest : mapping, optional
        The stored backtest's summary (:func:`forecast.report.outlook.track_record`).

    Returns
    -------
    dict
        ``quarter``, ``as_of``, ``data_cut``, ``version``, ``generated_on``, ``draws``,
        ``diagnostics_passed``, ``headline_box``, ``walls`` (P(each cap exceeded by Y), P(binds
        first)), ``models`` (every model's ``forecast --json`` entry), ``scenarios`` (the
        stress engine's JSON for the named scenarios), ``published_2030`` (Sevilla et al.'s
        ranges), ``published`` (the data-centre projections beside the power section),
        ``inputs`` (data and prior fingerprints), ``figures``, ``sensitivity`` (each tornado
        headline's parameters by swing), ``prior_sensitivity``, ``backtest``, and the words
        generated from all of it: ``lead``, ``history_effect``, ``executive_summary`` and
        ``notes`` (:mod:`forecast.report.narrative`).
    """
    models = {name: model_summary(REGISTRY[name], runs[name]) for name in runs}
    named = stress_result.sel(scenario=list(named_scenarios))
    keys = [k for k, _ in items.scenario_columns()]
    draws = {entry["run"]["draws"] for entry in models.values()}
    summary = {
        "quarter": quarter.label,
        "as_of": quarter.end.isoformat(),
        "data_cut": data_cut.isoformat() if data_cut else None,
        "latest_row_date": max(
            (e["run"]["latest_row_date"] for e in models.values() if e["run"]["latest_row_date"]),
            default=None,
        ),
        "version": __version__,
        "generated_on": today().isoformat(),
        "draws": sorted(draws),
        "diagnostics_passed": all(e["diagnostics"]["passed"] for e in models.values()),
        "box_year": BOX_YEAR,
        "headline_box": headline_box(models),
        "lead": narrative.lead(models),
        "history_effect": narrative.history_effect(models),
        "walls": {
            "p_cap_exceeded_by": wall_probabilities(runs["walls"]),
            "p_binds_first": models["walls"]["p_binds_first"],
        },
        "models": models,
        "scenarios": result_to_json(named, keys)["scenarios"],
        "published_2030": {
            "caps_flop": {k: list(v) for k, v in PUBLISHED_2030_CAPS.items()},
            "feasible_run_flop": PUBLISHED_FEASIBLE_2030_FLOP,
            "source": PUBLISHED_2030_SOURCE,
        },
        "published": {
            "datacenter_consumption_2030_twh": datacenter_projections(data_cut),
            "datacenter_consumption_fit": datacenter_fit(runs["power"], data_cut),
        },
        "inputs": input_fingerprints(plans, data_cut),
        "figures": dict(figures),
        "sensitivity": sensitivity_summary(tornado_data, plans),
        "prior_sensitivity": _prior_sensitivity(prior_sensitivity),
        "backtest": None if backtest is None else dict(backtest),
    }
    summary["executive_summary"] = narrative.executive_summary(summary)
    summary["notes"] = narrative.notes(summary)
    return summary


#: The data-centre projections set beside the fitted series: global use in this year.
PUBLISHED_CONSUMPTION_YEAR = 2030


def datacenter_projections(data_cut: dt.date | None) -> list[dict[str, Any]]:
    """Return the published projections of global data-centre electricity use in 2030.

    Rows of ``data/datacenter_capacity.csv`` (IEA's cases), published by the data cut.
    """
    table = load_table("datacenter_capacity", as_of=data_cut)
    rows = table[
        (table["region"] == "global")
        & (table["metric"] == "consumption_twh")
        & (table["kind"] == "projection")
        & (table["year"] == PUBLISHED_CONSUMPTION_YEAR)
    ]
    return [
        {
            "scenario": str(row.scenario),
            "publisher": str(row.publisher),
            "published": str(row.published),
            "value": float(row.value),
            "source": str(row.source),
        }
        for row in rows.itertuples()
    ]


#: Years the fitted global series' growth is read between, and the first year of the recent
#: observations it is set beside (the growth of data centres' use since AI training took off).
FIT_GROWTH_YEARS = (2025, 2030)
RECENT_FROM_YEAR = 2020


def datacenter_fit(power_run: xr.DataTree, data_cut: dt.date | None) -> dict[str, Any] | None:
    """Return the fitted global data-centre series' growth beside the recent IEA observations.

    The fit is one log-linear trend through every global observation; ``recent`` gives IEA's
    own figures from :data:`RECENT_FROM_YEAR` to the newest, and their growth per year.
    """
    derived = power_run["derived"]
    if "datacenter_consumption_twh" not in derived:
        return None
    series = derived["datacenter_consumption_twh"].sel(series="global_total")
    first, last = FIT_GROWTH_YEARS
    ratio = series.sel(year=last) / series.sel(year=first)
    fitted = float((ratio ** (1 / (last - first))).median())
    table = load_table("datacenter_capacity", as_of=data_cut)
    observed = table[
        (table["region"] == "global")
        & (table["metric"] == "consumption_twh")
        & (table["kind"] == "observed")
    ]
    iea = observed[observed["publisher"].str.startswith("IEA")]
    recent = iea[iea["year"] >= RECENT_FROM_YEAR].sort_values(["year", "published"])
    out = {
        "growth_per_year": fitted,
        "observations": len(observed),
        "first_year": int(observed["year"].min()),
        "recent": None,
    }
    if len(recent) >= 2:
        start, end = recent.iloc[0], recent.iloc[-1]
        years = float(end["year"] - start["year"])
        out["recent"] = {
            "from_year": int(start["year"]),
            "from_twh": float(start["value"]),
            "to_year": int(end["year"]),
            "to_twh": float(end["value"]),
            "growth_per_year": float((end["value"] / start["value"]) ** (1 / years)),
        }
    return out


#: Parameters kept per tornado headline in ``summary.json`` (the figure shows ten).
SENSITIVITY_TOP = 10


def sensitivity_summary(
    tornado_data: xr.Dataset | None, plans: Mapping[str, FitPlan]
) -> dict[str, list[dict[str, Any]]]:
    """Return, per tornado headline, its parameters by swing: label, median at P10 and P90."""
    if tornado_data is None:
        return {}
    described = {
        f"{model}.{name}": entry.unit
        for model, plan in plans.items()
        for group in (plan.priors.priors, plan.priors.levers)
        for name, entry in group.items()
    }
    out = {}
    for key, _ in items.tornado_headlines():
        if key not in tornado_data:
            continue
        swing = tornado_data[f"{key}_swing"].fillna(-1.0)
        order = swing.argsort().values[::-1][:SENSITIVITY_TOP]
        rows = []
        for i in order:
            parameter = str(tornado_data["parameter"].values[i])
            p10, p90 = (float(v) for v in tornado_data[key].values[i])
            rows.append(
                {
                    "parameter": parameter,
                    "label": described.get(parameter, parameter),
                    "p10": finite_or_none(p10),
                    "p90": finite_or_none(p90),
                    "swing": finite_or_none(float(tornado_data[f"{key}_swing"].values[i])),
                }
            )
        out[key] = rows
    return out


def _prior_sensitivity(frame: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    if frame is None:
        return {}
    return {
        str(key): {
            "prior": finite_or_none(float(row.prior)),
            "likelihood": finite_or_none(float(row.likelihood)),
            "diagnosis": str(row.diagnosis),
        }
        for key, row in frame.iterrows()
    }


def prior_rows(plans: Mapping[str, FitPlan]) -> list[dict[str, Any]]:
    """Return one appendix row per prior and lever of every model (with its source)."""
    rows = []
    for model, plan in plans.items():
        for name, prior in plan.priors.priors.items():
            shape = (
                f"{prior.dist}(" + ", ".join(f"{k}={v:.4g}" for k, v in prior.kwargs.items()) + ")"
            )
            stated = prior.stated_interval or prior.interval
            if stated is not None:
                shape = (
                    f"{prior.interval_prob:.0%} in [{stated[0]:.4g}, {stated[1]:.4g}] "
                    f"(as stated): {shape}"
                )
            if prior.reflect_about is not None:
                shape += f", reflected about {prior.reflect_about:g}"
            rows.append(
                {
                    "model": model,
                    "name": name,
                    "kind": "prior",
                    "what": shape,
                    "unit": prior.unit,
                    "source": prior.source,
                }
            )
        for name, lever in plan.priors.levers.items():
            value = "posterior (unset)" if lever.value is None else f"{lever.value:.4g}"
            what = f"{value}; allowed [{lever.min:g}, {lever.max:g}]"
            if lever.p10 is not None and lever.p90 is not None:
                what += f"; P10-P90 {lever.p10:g} - {lever.p90:g}"
            rows.append(
                {
                    "model": model,
                    "name": name,
                    "kind": "lever",
                    "what": what,
                    "unit": lever.unit,
                    "source": lever.source,
                }
            )
    return rows
