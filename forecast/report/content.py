"""The outlook's numbers: ``summary.json`` and the tables the report renders from it.

Everything the report prints is read from the summary built here, which is itself built from
the stored runs (through :func:`forecast.summary.model_summary`, the ``forecast --json``
contract) and the stress engine's result. The report adds words and figures, no numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import xarray as xr

from forecast import __version__
from forecast.fit import FitPlan
from forecast.formatting import (
    calendar_date,
    format_interval,
    format_probability,
    format_value,
)
from forecast.models import REGISTRY
from forecast.models.reporting import BoxItem
from forecast.models.walls import (
    PUBLISHED_2030_CAPS,
    PUBLISHED_2030_SOURCE,
    PUBLISHED_FEASIBLE_2030_FLOP,
)
from forecast.report import items
from forecast.report.provenance import input_fingerprints
from forecast.report.quarter import Quarter
from forecast.settings import today
from forecast.stress import result_to_json
from forecast.summary import model_summary, probabilities_by_year

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
        "value": entry["headline"][item.headline],
        "p_by_box_year": entry[item.p_by][BOX_YEAR] if item.p_by else None,
        "p_question": (
            item.p_question.format(by=f"by the end of {BOX_YEAR}") if item.p_question else None
        ),
        "diagnostics_passed": entry["diagnostics"]["passed"],
    }


def headline_box(models: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the headline box: each model's declared lines, in report order (walls first)."""
    return [_box_item(models, model, item) for model, item in items.box_items()]


#: Below this probability the first wall is a near-tie, written with its runner-up.
NEAR_TIE_PROBABILITY = 0.6
#: Above this share of draws with the first wall before the newest release, the lead says the
#: trend must already be bending.
BENDING_PROBABILITY = 0.1


def lead(models: Mapping[str, Any]) -> str:
    """Return the outlook's lead paragraph: what the walls' numbers say, in words.

    The first wall (a near-tie naming both when its probability is below
    :data:`NEAR_TIE_PROBABILITY`), its date as a month with the 80% interval, and, where more
    than :data:`BENDING_PROBABILITY` of the draws put the first wall before the newest frontier
    release, that the trend must already be bending, with what the largest observed run says.
    """
    walls = models["walls"]
    head = walls["headline"]
    year = head["first_wall_year"]
    ranked = sorted(
        ((p, c) for c, p in walls["p_binds_first"].items() if c != "none_by_grid_end"),
        reverse=True,
    )
    (p1, c1), (p2, c2) = ranked[0], ranked[1]
    if p1 < NEAR_TIE_PROBABILITY:
        who = (
            f"The first wall is a near-tie between {c1} (P = {format_probability(p1)}) and "
            f"{c2} (P = {format_probability(p2)})"
        )
    else:
        who = f"The first wall is {c1} (P = {format_probability(p1)})"
    when = (
        f"; the compute trend most likely meets it in {format_value(year['median'], 'year')} "
        f"(80% interval {format_interval(year)})."
    )
    words = [who + when]
    history = walls.get("history")
    if history is not None:
        p_now = history["p_binding_at_latest_release"]
        record = history["record_run"]
        latest = calendar_date(history["latest_release_year"])
        oom = record["vs_trend_oom"]
        side = "below" if oom < 0 else "above"
        observed = (
            f"The largest run published, {record['release']} "
            f"({calendar_date(record['year'])}, {format_value(record['flop'], 'FLOP')} FLOP), "
            f"lies {abs(oom):.2f} orders of magnitude {side} the trend's largest run at its date"
        )
        if p_now > BENDING_PROBABILITY:
            agree = (
                "so the observed runs agree that growth is already slower than the trend"
                if record["p_below_trend"] > 0.5
                else "so the observed runs do not yet show the bend"
            )
            words.append(
                f"In {format_probability(p_now)} of draws the trend's largest run already "
                f"exceeds a cap at the newest frontier release ({latest}), though every run "
                "trained lies below every cap: for those draws the trend must already be "
                f"bending. {observed}, {agree}."
            )
        else:
            words.append(
                f"Every cap is conditioned on the runs trained to {latest}, so no wall lies "
                f"before them. {observed}."
            )
    largest = head["largest_run_2030_flop"]["median"]
    feasible = head["max_feasible_run_2030_flop"]["median"]
    words.append(
        f"The trend's largest run would need {format_value(largest, 'FLOP')} FLOP in 2030; "
        f"every wall together allows {format_value(feasible, 'FLOP')}."
    )
    data_history = models.get("datawall", {}).get("history")
    if data_history and data_history["p_at_latest_release"] > BENDING_PROBABILITY:
        words.append(
            f"The exhaustion year is searched from the newest release with a disclosed dataset "
            f"({calendar_date(data_history['latest_release_year'])}): in "
            f"{format_probability(data_history['p_at_latest_release'])} of draws the demand "
            "projection already asks for the whole stock there, though no release trained on "
            "it, so in those draws too the trend must already be bending."
        )
    return " ".join(words)


def history_effect(models: Mapping[str, Any]) -> str | None:
    """Return how far conditioning on history moved each 2030 cap and the first wall, or None."""
    history = models["walls"].get("history")
    if history is None or not history.get("moved_median"):
        return None
    moved = history["moved_median"]
    parts = [
        f"{c} cap {format_value(v['before'], 'FLOP')} -> {format_value(v['after'], 'FLOP')}"
        for c, v in moved.items()
        if c != "first_wall_year"
    ]
    if "first_wall_year" in moved:
        v = moved["first_wall_year"]
        parts.append(
            f"first wall {format_value(v['before'], 'year')} -> {format_value(v['after'], 'year')}"
        )
    text = (
        "Conditioning on the largest runs trained kept "
        f"{format_probability(history['accepted_share'])} of the joint draws (those with "
        "every cap at or above every run); medians before -> after: " + "; ".join(parts) + "."
    )
    check = history.get("money_check")
    if check:
        ceiling = check["ceiling_usd"]
        text += (
            f" The costliest run observed, {check['release']} "
            f"({calendar_date(check['year'])}, {format_value(check['cost_usd'], 'USD')} "
            f"amortized), cost {check['cost_share_of_ceiling']:.0%} of the money cap's spend "
            f"ceiling then ({format_value(ceiling['median'], 'USD')}, 80% "
            f"{format_value(ceiling['p10'], 'USD')} - {format_value(ceiling['p90'], 'USD')})"
        )
        if check.get("cluster_share_of_capex") is not None:
            text += (
                f"; its cluster cost {check['cluster_share_of_capex']:.1%} of the largest "
                "spenders' capital spending that year, where the cap assumes the 16-40% share "
                "Sevilla et al. 2024 give the largest run: the money cap is what that share "
                "would buy, not a forecast of what developers will spend"
            )
        text += "."
    return text


def build_summary(
    quarter: Quarter,
    *,
    data_cut: dt.date | None,
    plans: Mapping[str, FitPlan],
    runs: Mapping[str, xr.DataTree],
    stress_result: xr.Dataset,
    named_scenarios: Sequence[str],
    figures: Mapping[str, str],
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

    Returns
    -------
    dict
        ``quarter``, ``as_of``, ``data_cut``, ``version``, ``generated_on``, ``draws``,
        ``diagnostics_passed``, ``headline_box``, ``walls`` (P(each cap exceeded by Y), P(binds
        first)), ``models`` (every model's ``forecast --json`` entry), ``scenarios`` (the
        stress engine's JSON for the named scenarios), ``published_2030`` (Sevilla et al.'s
        ranges), ``inputs`` (data and prior fingerprints) and ``figures``.
    """
    models = {name: model_summary(REGISTRY[name], runs[name]) for name in runs}
    named = stress_result.sel(scenario=list(named_scenarios))
    keys = [k for k, _ in items.scenario_columns()]
    draws = {entry["run"]["draws"] for entry in models.values()}
    return {
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
        "headline_box": headline_box(models),
        "lead": lead(models),
        "history_effect": history_effect(models),
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
        "inputs": input_fingerprints(plans, data_cut),
        "figures": dict(figures),
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
