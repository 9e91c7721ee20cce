"""The outlook's words: every sentence it prints about its numbers, generated from the summary.

Nothing here computes a number. Each function reads what :func:`forecast.report.content.
build_summary` put in ``summary.json`` (every model's ``forecast --json`` entry, the stored
backtest, the sensitivity sweep, the prior sensitivity) and says it in plain words, with dates
as calendar months and intervals as the 80% central interval. A near-tie is called a tie.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forecast.formatting import (
    calendar_date,
    format_interval,
    format_probability,
    format_value,
)

#: Below this probability the first wall is a near-tie, written with its runners-up.
NEAR_TIE_PROBABILITY = 0.6
#: Constraints binding first in fewer draws than this are not named in a near-tie.
NAMED_PROBABILITY = 0.1
#: Above this share of draws with the first wall before the newest release, the lead says the
#: trend must already be bending.
BENDING_PROBABILITY = 0.1
#: The prior-sensitivity diagnosis that marks a headline as resting on its priors.
RESTS_ON_PRIORS = "rests on the prior"


def _join(parts: list[str]) -> str:
    """Return ``a``, ``a and b``, ``a, b and c``."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def ranked_first_walls(walls: Mapping[str, Any]) -> list[tuple[str, float]]:
    """Return ``(constraint, P(binds first))`` from the most probable, "none" left out."""
    pairs = [(c, p) for c, p in walls["p_binds_first"].items() if c != "none_by_grid_end"]
    return sorted(pairs, key=lambda pair: pair[1], reverse=True)


def who_binds_first(walls: Mapping[str, Any]) -> str:
    """Return which wall binds first, a near-tie named as one with every wall it is between."""
    ranked = ranked_first_walls(walls)
    top, p_top = ranked[0]
    if p_top >= NEAR_TIE_PROBABILITY:
        return f"The first wall is {top} (P = {format_probability(p_top)})"
    named = [f"{c} ({format_probability(p)})" for c, p in ranked if p >= NAMED_PROBABILITY]
    return "Which wall binds first is a near-tie between " + _join(named)


def lead(models: Mapping[str, Any]) -> str:
    """Return the outlook's lead paragraph: what the walls' numbers say, in words.

    The first wall (a near-tie naming every wall above :data:`NAMED_PROBABILITY` when the
    first is below :data:`NEAR_TIE_PROBABILITY`), its date as a month with the 80% interval,
    and, where more than :data:`BENDING_PROBABILITY` of the draws put the first wall at the
    newest frontier release, that the trend must already be bending, with what the largest
    observed run says.
    """
    walls = models["walls"]
    head = walls["headline"]
    year = head["first_wall_year"]
    words = [
        f"{who_binds_first(walls)}; the compute trend most likely meets the first wall in "
        f"{format_value(year['median'], 'year')} (80% interval {format_interval(year)})."
    ]
    history = walls.get("history")
    if history is not None:
        p_now = history["p_binding_at_latest_release"]
        latest = calendar_date(history["latest_release_year"])
        observed = _record_run(history)
        if p_now > BENDING_PROBABILITY:
            record = history["record_run"]
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


def _record_run(history: Mapping[str, Any]) -> str:
    record = history["record_run"]
    oom = record["vs_trend_oom"]
    return (
        f"The largest run published, {record['release']} "
        f"({calendar_date(record['year'])}, {format_value(record['flop'], 'FLOP')} FLOP), "
        f"lies {abs(oom):.2f} orders of magnitude {'below' if oom < 0 else 'above'} the "
        "trend's largest run at its date"
    )


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


#: The backtest's readings, as the summary says them.
READINGS = {"consistent with calibration": "calibrated"}


def track_record_verdict(summary: Mapping[str, Any], item: Mapping[str, Any]) -> str | None:
    """Return the backtest's verdict on the trends a box line rests on, or None if unscored.

    For each trend: the share of its later observations the 80% interval held, and the
    backtest's reading ("calibrated", "intervals too narrow", ...).
    """
    verdicts = [_verdict(summary, trend) for trend in item.get("track_record", ())]
    return "; ".join(v for v in verdicts if v) or None


def _verdict(summary: Mapping[str, Any], trend: Mapping[str, str]) -> str | None:
    backtest = summary.get("backtest")
    if not backtest:
        return None
    row = next(
        (
            r
            for r in backtest["summary"]
            if (r["model"], r["trend"]) == (trend["model"], trend["trend"])
        ),
        None,
    )
    if row is None:
        return None
    reading = READINGS.get(row["reading"], row["reading"])
    return f"{format_probability(row['coverage_80'])} of {trend['what']} ({reading})"


def rests_on_priors(summary: Mapping[str, Any], model: str, headline: str) -> bool:
    """Return whether the prior sensitivity found a headline resting on its priors."""
    found = summary.get("prior_sensitivity", {}).get(f"{model}.{headline}")
    return bool(found) and found["diagnosis"] == RESTS_ON_PRIORS


def _box(summary: Mapping[str, Any], model: str, headline: str) -> Mapping[str, Any] | None:
    return next(
        (i for i in summary["headline_box"] if i["model"] == model and i["headline"] == headline),
        None,
    )


def _event(summary: Mapping[str, Any], item: Mapping[str, Any]) -> str:
    """Return "<what> in <month> (P by <box year> x%)" for a year headline of the box."""
    value = item["value"]
    text = f"{item['event']} in {format_value(value['median'], 'year')}"
    if item.get("p_by_box_year") is not None:
        p = format_probability(item["p_by_box_year"])
        text += f" (P by the end of {summary['box_year']}: {p})"
    if rests_on_priors(summary, item["model"], item["headline"]):
        text += ", a date that rests on its priors"
    return text


def executive_summary(summary: Mapping[str, Any]) -> list[str]:
    """Return the executive summary: four to six sentences, each from the summary's numbers.

    Which wall stops the compute trend first and when (a near-tie said as a tie), what the
    runs already trained say, the largest run every wall allows in 2030 against the trend's,
    each wall's own date, the backtest's verdict on the trends they rest on, and what would
    move the first wall most.
    """
    models = summary["models"]
    walls = models["walls"]
    head = walls["headline"]
    year = head["first_wall_year"]
    first = _box(summary, "walls", "first_wall_year")
    sentences = [
        f"{who_binds_first(walls)}: the compute trend's largest run most likely meets the first "
        f"of them in {format_value(year['median'], 'year')} (80% interval "
        f"{format_interval(year)}"
        + (
            f"; P by the end of {summary['box_year']}: "
            f"{format_probability(first['p_by_box_year'])})."
            if first and first.get("p_by_box_year") is not None
            else ")."
        )
    ]
    history = walls.get("history")
    if history is not None:
        p_now = history["p_binding_at_latest_release"]
        record = _record_run(history)
        sentence = f"Already observed: {record[0].lower()}{record[1:]}"
        if p_now > BENDING_PROBABILITY:
            sentence += (
                f"; in {format_probability(p_now)} of draws the trend already exceeds a cap at "
                "the newest release, and in those growth must already be slower than the trend"
            )
        sentences.append(sentence + ".")
    feasible, largest = head["max_feasible_run_2030_flop"], head["largest_run_2030_flop"]
    ratio = largest["median"] / feasible["median"]
    sentences.append(
        f"In 2030 every wall together allows a training run of "
        f"{format_value(feasible['median'], 'FLOP')} FLOP (80% interval "
        f"{format_interval(feasible)}), {ratio:,.0f} times less than the "
        f"{format_value(largest['median'], 'FLOP')} FLOP the trend would need."
    )
    events = [
        _event(summary, item)
        for item in summary["headline_box"]
        if item["model"] != "walls" and item.get("event") and item["value"]["unit"] == "year"
    ]
    if events:
        sentences.append("On their own trends, " + _join(events) + ".")
    trends = {
        (t["model"], t["trend"]): t
        for item in summary["headline_box"]
        for t in item["track_record"]
    }
    verdicts = [v for v in (_verdict(summary, t) for t in trends.values()) if v]
    if verdicts:
        sentences.append(
            "Track record (rolling backtest): the 80% intervals of the trends behind these "
            "dates held " + _join(verdicts) + "."
        )
    elif summary.get("backtest") is None:
        sentences.append(
            "No backtest is stored, so these intervals have no track record yet "
            "(datawall backtest --rolling 2021:2025)."
        )
    mover = biggest_mover(summary, "walls.first_wall_year")
    if mover is not None:
        sentences.append(
            f"The assumption that moves the first wall most is {mover['label']}: from "
            f"{format_value(mover['p10'], 'year')} at its P10 to "
            f"{format_value(mover['p90'], 'year')} at its P90."
        )
    return sentences


def biggest_mover(summary: Mapping[str, Any], headline: str) -> Mapping[str, Any] | None:
    """Return the sensitivity sweep's parameter with the widest swing of a headline, if any."""
    rows = summary.get("sensitivity", {}).get(headline)
    return rows[0] if rows else None


def notes(summary: Mapping[str, Any]) -> dict[str, list[str]]:
    """Return, by section id, the notes that reconcile numbers which look contradictory.

    Two numbers answer different questions: the exhaustion year (training sets on their own
    trend reach the stock) and the data cap's year (the compute trend's largest run needs more
    text than the stock holds); the compute model's 2030 largest run and the walls' (those
    draws consistent with every run trained); the first $10B run (cost on the compute trend)
    and the money cap's spend ceiling; the fitted data-centre electricity use and IEA's cases.
    """
    models = summary["models"]
    walls = models["walls"]["headline"]
    out: dict[str, list[str]] = {}
    exhaustion = models.get("datawall", {}).get("headline", {}).get("exhaustion_year")
    if exhaustion:
        out.setdefault("walls", []).append(
            "Two data years answer two questions. The data cap's year "
            f"({format_value(walls['data_wall_year']['median'], 'year')}) is when the compute "
            "trend's largest run would need more unique tokens than the stock of public text "
            "holds, through the scaling laws and the overtraining of frontier runs. The "
            f"exhaustion year ({format_value(exhaustion['median'], 'year')}, the data section) "
            "is when frontier training sets, projected on their own, reach the stock."
        )
    compute_2030 = models.get("compute", {}).get("headline", {}).get("largest_run_2030_flop")
    if compute_2030:
        out.setdefault("compute-scaling", []).append(
            "The compute model's largest run of 2030 "
            f"({format_value(compute_2030['median'], 'FLOP')} FLOP) counts every draw of the "
            "trend. The walls keep only the draws in which every cap lies at or above every run "
            "already trained, and there the trend's 2030 run is "
            f"{format_value(walls['largest_run_2030_flop']['median'], 'FLOP')} FLOP: the draws "
            "dropped are mostly those whose compute stalls while run power keeps growing."
        )
    cost = models.get("cost", {}).get("headline", {})
    if cost.get("first_10b_run_year") and walls.get("spend_ceiling_2030_usd"):
        ceiling = walls["spend_ceiling_2030_usd"]
        out.setdefault("cost", []).append(
            "The first $10B run "
            f"({format_value(cost['first_10b_run_year']['median'], 'year')}) is when the "
            "largest run on the compute trend, at the FLOP per dollar runs have realised, "
            "costs $10B. The money cap's spend ceiling "
            f"({format_value(ceiling['median'], 'USD 2023')} in 2030, 80% interval "
            f"{format_interval(ceiling)}) is what the largest developer could put into one run: "
            "where the cost passes the ceiling, money binds."
        )
    published = summary.get("published", {}).get("datacenter_consumption_2030_twh", [])
    fitted = (
        models.get("power", {}).get("headline", {}).get("global_datacenter_consumption_2030_twh")
    )
    if published and fitted:
        cases = _join([f"{p['scenario']} {format_value(p['value'], 'TWh')} TWh" for p in published])
        text = (
            "Global data-centre electricity use in 2030 on the fitted series: "
            f"{format_value(fitted['median'], 'TWh')} TWh (80% interval "
            f"{format_interval(fitted)}), beside the published 2030 projections: {cases}."
        )
        fit = summary["published"].get("datacenter_consumption_fit")
        if fit and fit.get("recent"):
            recent = fit["recent"]
            text += (
                f" The fitted series is one log-linear trend through all {fit['observations']} "
                f"global observations since {fit['first_year']}, the flat decade to 2019 "
                f"included, so it grows {fit['growth_per_year']:.2f}x per year where IEA's own "
                f"figures grew {recent['growth_per_year']:.2f}x per year from "
                f"{recent['from_year']} ({recent['from_twh']:.0f} TWh) to {recent['to_year']} "
                f"({recent['to_twh']:.0f} TWh): it understates recent growth, and with it the "
                "2030 use. No wall reads this series (the power caps read the largest campus "
                "and US AI capacity)."
            )
        out.setdefault("power", []).append(text)
    return out


#: Shifts named per scenario in a scenario report's summary (the table shows them all).
SHIFTS_NAMED = 4


def scenario_effects(summary: Mapping[str, Any], labels: Mapping[str, str]) -> list[str]:
    """Return one sentence per scenario of a scenario report: what moved against the baseline.

    The box's headlines that moved materially (:mod:`forecast.report.provenance`'s thresholds),
    first as the box orders them, then the others, at most :data:`SHIFTS_NAMED` of them.
    """
    boxed = [(i["model"], i["headline"]) for i in summary["headline_box"]["baseline"]]
    out = []
    for scenario in summary["scenarios"][1:]:
        rows = summary["shifts"][scenario["name"]]
        rows = sorted(
            rows,
            key=lambda r: (
                boxed.index((r["model"], r["headline"]))
                if (r["model"], r["headline"]) in boxed
                else len(boxed)
            ),
        )
        how = "refitted" if scenario["refit"] else "levers only"
        if not rows:
            out.append(
                f"Under {scenario['name']} ({how}) no headline moves materially from the baseline."
            )
            continue
        parts = []
        for row in rows[:SHIFTS_NAMED]:
            label = labels.get(f"{row['model']}.{row['headline']}", row["headline"])
            label = label[0].lower() + label[1:]
            if row["kind"] == "category":
                parts.append(f"{label}: {row['previous']} to {row['current']}")
            else:
                before, after = (
                    format_value(row[k]["median"], row["unit"]) for k in ("previous", "current")
                )
                parts.append(f"{label}: {before} to {after}")
        more = (
            f" ({len(rows) - SHIFTS_NAMED} more in the table)" if len(rows) > SHIFTS_NAMED else ""
        )
        out.append(f"Under {scenario['name']} ({how}): " + "; ".join(parts) + more + ".")
    return out
