"""``datawall outlook``: the quarterly report, from fits to a folder of HTML, PDF and JSON.

The steps, each reading only what the previous produced: fit (or reuse) every model on the
data published by the quarter's end; run the named scenarios and the one-at-a-time
sensitivity sweep through the stress engine; build ``summary.json``; compare it with the
previous quarter's; draw the figures; render HTML and PDF; write the folder at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import xarray as xr

from forecast import backtest, locks, sensitivity, settings, stress
from forecast import fit as fitting
from forecast.errors import InputError
from forecast.models import REGISTRY
from forecast.paths import check_output_folder
from forecast.report import (
    content,
    downloads,
    figures,
    items,
    narrative,
    provenance,
    render,
    sources,
)
from forecast.report.quarter import Quarter
from forecast.scenarios import (
    BASELINE,
    Scenario,
    as_of_baseline,
    check_unique_names,
    load_scenario,
)

#: The calibration figure's caption (the track record is the report's, not a model's).
CALIBRATION_CAPTION = (
    "Track record. Left: the share of observations published after each backtest's as-of "
    "date that fell inside the model's central predictive interval, against the "
    "interval's nominal probability (on the diagonal: calibrated; below: overconfident). "
    "Right: the PIT values of all of them (flat: calibrated; U-shaped: intervals too "
    "narrow; hump: too wide)."
)
#: The P(by year) figure's caption.
PROBABILITIES_CAPTION = (
    "Probability that each event has happened by the end of each year. Left: the compute "
    "trend exceeding each cap and the first of them. Right: each model's own event."
)
TORNADO_CAPTION = (
    "Tornado: the median {label} with each parameter at its P10 (blue bar) and at its P90 "
    "(orange bar), the others at their baseline, each bar labelled with the median at its end; "
    "the ten parameters with the largest swing. A diamond on the baseline line: that end moves "
    "the median by (almost) nothing."
)


def data_cut_for(quarter: Quarter, today: dt.date) -> dt.date | None:
    """Return the as-of date the quarter's fits use, or None for every row.

    A past quarter is fitted on the rows published by its end. For the current quarter every
    bundled row qualifies (no row may be dated after today), so no cut is made and the
    outlook reuses the runs of ``fit`` and ``forecast``. A quarter that has not started is
    refused.
    """
    if quarter.start > today:
        raise InputError(
            "--quarter", f"{quarter.label} has not started yet (today is {today.isoformat()})"
        )
    return None if quarter.end >= today else quarter.end


def named_scenarios(names: Sequence[str] | None) -> list[Scenario]:
    """Return the scenarios of the scenario table: the baseline first, then the named ones.

    Without ``names``, every scenario in ``priors/scenarios/``.
    """
    if not names:
        names = sorted(p.stem for p in settings.scenarios_dir().glob("*.toml"))
    ordered = [BASELINE, *[n for n in dict.fromkeys(names) if n != BASELINE]]
    scenarios = [load_scenario(n) for n in ordered]
    check_unique_names(scenarios)
    return scenarios


def _cut_refits(scenarios: list[Scenario], data_cut: dt.date | None) -> list[Scenario]:
    """Give refitted scenarios the quarter's as-of date when they set none of their own."""
    if data_cut is None:
        return scenarios
    return [
        dataclasses.replace(s, as_of=data_cut) if s.changes_fit and s.as_of is None else s
        for s in scenarios
    ]


def previous_summary(quarter: Quarter) -> dict[str, Any] | None:
    """Return the previous quarter's ``summary.json`` from ``reports/``, if there is one."""
    path = settings.reports_dir() / quarter.previous().folder / "summary.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON ({exc.msg})", row=exc.lineno) from exc


def compare(previous: dict[str, Any] | None, summary: dict[str, Any]) -> dict[str, Any] | None:
    """Return the "what changed" section's content, or None without a previous summary."""
    if previous is None:
        return None
    changes = provenance.input_changes(previous, summary)
    shifts = provenance.headline_shifts(previous, summary)
    boxed = {(item["model"], item["headline"]) for item in summary["headline_box"]}
    shown = [r for r in shifts if r["material"] or (r["model"], r["headline"]) in boxed]
    causes = provenance.causes_by_model(changes)
    return {
        "previous_quarter": previous.get("quarter"),
        "previous_version": previous.get("version"),
        "previous_generated_on": previous.get("generated_on"),
        "previous_data_cut": previous.get("data_cut"),
        "inputs": changes,
        "causes": {model: found for model, found in causes.items() if found},
        "shifts": shifts,
        "shown": shown,
        "moved": sum(r["material"] for r in shifts),
        "unchanged": len(shifts) - len(shown),
        "thresholds": {
            "years": provenance.MATERIAL_YEARS,
            "ratio": provenance.MATERIAL_RATIO,
            "probability": provenance.MATERIAL_PROBABILITY,
        },
    }


def track_record(
    full_run_ids: Mapping[str, str],
) -> tuple[dict[str, Any] | None, xr.Dataset | None]:
    """Return the stored backtest's summary for the report (and its scores), if there is one.

    The backtest (``datawall backtest``, saved as ``runs/backtest.nc``) is not rerun by the
    outlook: it takes one full fit per as-of date. ``current`` says whether it was scored
    against the full-data runs today's inputs and code give (``full_run_ids``: config id per
    model; a past quarter's outlook reads cut runs, but its backtest scores against all the
    data); if not, the report says to rerun it.
    """
    path = settings.runs_dir() / "backtest.nc"
    if not path.is_file():
        return None, None
    scores = xr.load_dataset(path)
    full_ids = json.loads(scores.attrs["full_run_ids"])
    current = all(full_run_ids.get(name) == run_id for name, run_id in full_ids.items())
    return {
        "as_of_dates": json.loads(scores.attrs["as_of_dates"]),
        "skipped": json.loads(scores.attrs["skipped"]),
        "version": scores.attrs["version"],
        "current": current,
        "summary": backtest.summarize(scores),
        "by_as_of": backtest.summarize(scores, by=("as_of",)),
        "demand_stacking": backtest.stacking_weight(scores),
    }, scores


def _captions() -> dict[str, str]:
    """Return every figure's caption by stem: the models' own, the report's, the tornados'."""
    captions = items.captions() | {
        figures.PROBABILITIES_STEM: PROBABILITIES_CAPTION,
        "calibration": CALIBRATION_CAPTION,
    }
    for key, label in items.tornado_headlines():
        captions[figures.tornado_stem(key)] = TORNADO_CAPTION.format(label=label)
    return captions


def _figure_entries(
    pngs: dict[str, bytes], phone_pngs: dict[str, bytes]
) -> dict[str, dict[str, Any]]:
    """Return each figure's number, files, caption and inline images (page and phone)."""
    return render.figure_entries(pngs, phone_pngs, _captions())


def draw_figures(
    runs: Mapping[str, xr.DataTree],
    stress_result: xr.Dataset | None,
    tornado_data: xr.Dataset | None,
    scores: xr.Dataset | None,
    *,
    phone: bool = False,
) -> dict[str, bytes]:
    """Return every figure of the outlook as PNG bytes by stem, in one layout."""
    drawn = figures.all_figures(runs, stress_result, tornado_data, phone=phone)
    if scores is not None:
        drawn["calibration"] = figures.calibration(scores, phone=phone)
    return {stem: render.figure_png(fig) for stem, fig in drawn.items()}


def build_outlook(
    quarter: Quarter,
    *,
    scenario_names: Sequence[str] | None = None,
    scheduler: str | None = None,
    out_dir: Path | None = None,
    on_event: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Fit, stress, summarise and render one quarter's outlook; return its folder.

    Parameters
    ----------
    quarter : Quarter
        The outlook's quarter; its end is the as-of date of the data.
    scenario_names : sequence of str, optional
        Scenarios of the scenario table (default: every file in ``priors/scenarios/``).
    scheduler : str, optional
        Address of a Dask scheduler for refitted scenarios (default: a local cluster).
    out_dir : Path, optional
        Where to write (default ``reports/<YYYY-QN>/``): checked before any work
        (:func:`forecast.paths.check_output_folder`), and locked while the outlook is built, so
        a second outlook into it waits (:func:`forecast.locks.holding`).
    on_event : callable, optional
        Called with a short message as each step starts.
    progress : callable, optional
        Called as ``progress(done, total)`` as the scenarios are evaluated.

    Returns
    -------
    Path
        The report folder: ``outlook.html``, ``outlook.pdf``, ``summary.json``, ``figures/``.
    """
    say = on_event or (lambda message: None)
    data_cut = data_cut_for(quarter, settings.today())
    scenarios = _cut_refits(named_scenarios(scenario_names), data_cut)
    target = check_output_folder(
        Path(out_dir) if out_dir else settings.reports_dir() / quarter.folder
    )
    # Two outlooks into one folder take turns: the second reuses the first's runs.
    with locks.holding(target):
        return _write_outlook(
            quarter, target, data_cut, scenarios, scheduler=scheduler, say=say, progress=progress
        )


def _write_outlook(
    quarter: Quarter,
    target: Path,
    data_cut: dt.date | None,
    scenarios: list[Scenario],
    *,
    scheduler: str | None,
    say: Callable[[str], None],
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Fit, stress, summarise, render and write the outlook (see :func:`build_outlook`)."""
    previous = previous_summary(quarter)

    say("fitting (or reusing) every model")
    plans = fitting.plan_all(["all"], as_of_baseline(data_cut))
    runs = fitting.ensure_runs(plans, progressbar=False)

    say("running the scenarios and the sensitivity sweep")
    plan = stress.StressPlan(tuple(scenarios)) + stress.sensitivity_plan().without(BASELINE)
    result = stress.run_stress(plan, baseline=(plans, runs), scheduler=scheduler, progress=progress)
    names = [s.name for s in scenarios]
    tornado_data = stress.tornado(result, [key for key, _ in items.tornado_headlines()])

    say("drawing the figures")
    full_plans = plans if data_cut is None else fitting.plan_all(["all"], load_scenario(BASELINE))
    record, scores = track_record({name: p.config_id for name, p in full_plans.items()})
    shown = result.sel(scenario=names)
    pngs = draw_figures(runs, shown, tornado_data, scores)
    phone_pngs = draw_figures(runs, shown, tornado_data, scores, phone=True)
    entries = _figure_entries(pngs, phone_pngs)

    say("measuring which headlines rest on their priors")
    prior_sensitivity = sensitivity.prior_sensitivity(plans, runs)

    summary = content.build_summary(
        quarter,
        data_cut=data_cut,
        plans=plans,
        runs=runs,
        stress_result=result,
        named_scenarios=names,
        figures={stem: e["file"] for stem, e in entries.items()},
        tornado_data=tornado_data,
        prior_sensitivity=prior_sensitivity,
        backtest=record,
    )
    changes = compare(previous, summary)

    say("writing the tables and series as CSV")
    csv_files, index = downloads.files(summary, runs, content.prior_rows(plans))

    say("rendering HTML and PDF")
    context = _context(
        quarter,
        summary,
        changes,
        figures=entries,
        plans=plans,
        scenarios=scenarios,
        downloads_index=index,
    )
    html = render.render_html(context)
    files = {
        **csv_files,
        "outlook.html": html.encode(),
        "outlook.pdf": render.render_pdf(html),
        "summary.json": render.json_bytes(summary),
        **{entries[stem]["file"]: png for stem, png in pngs.items()},
        **{entries[stem]["phone_file"]: png for stem, png in phone_pngs.items()},
    }
    return render.write_report(files, target)


def _contents(sections: Sequence[items.SectionPlan]) -> list[tuple[str, str]]:
    """Return the table of contents: (section id, title) in page order."""
    return [
        ("summary", "Summary"),
        ("headline", "Headlines"),
        ("changes", "What changed since last quarter"),
        *((section.id, section.title) for section in sections),
        ("probabilities", "Probability of each event by year"),
        ("scenarios", "Scenarios"),
        ("sensitivity", "Which assumptions matter"),
        ("track-record", "Track record: backtests"),
        ("diagnostics", "Diagnostics"),
        ("method", "Method notes"),
        ("glossary", "Glossary"),
        ("downloads", "Downloads (CSV)"),
        ("appendix", "Appendices: data, priors and levers"),
        ("sources", "Sources"),
    ]


def _box_extras(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Return, per box line: a near-tie, resting on priors, the backtest's verdict."""
    ranked = narrative.ranked_first_walls(summary["models"]["walls"])
    return [
        {
            "tie": item["value"].get("label") is not None
            and ranked[0][1] < narrative.NEAR_TIE_PROBABILITY,
            "priors": narrative.rests_on_priors(summary, item["model"], item["headline"]),
            "verdict": narrative.track_record_verdict(summary, item),
        }
        for item in summary["headline_box"]
    ]


def _context(
    quarter: Quarter,
    summary: dict[str, Any],
    changes: dict[str, Any] | None,
    *,
    figures: dict[str, dict[str, Any]],
    plans: dict[str, fitting.FitPlan],
    scenarios: Sequence[Scenario] = (),
    downloads_index: Sequence[Sequence[str]] = (),
) -> dict[str, Any]:
    years = [str(y) for y in settings.SETTINGS.probability_years.reported]
    models = summary["models"]
    p_rows = [(row.label, models[model][row.p_by]) for model, row in items.probability_rows()]
    p_rows += [
        (f"compute trend exceeds the {c} cap", p)
        for c, p in summary["walls"]["p_cap_exceeded_by"].items()
    ]
    prior_rows = content.prior_rows(plans)
    bibliography = sources.bibliography(summary, prior_rows)
    for scenario in scenarios:
        if scenario.source:
            bibliography.cite(scenario.source)
    labels = items.labels()
    units = {f"{m}.{k}": h["unit"] for m, e in models.items() for k, h in e["headline"].items()}
    none = summary["models"]["walls"]["p_binds_first"].get("none_by_grid_end", 0.0)
    first_walls = narrative.ranked_first_walls(models["walls"])
    if none:
        first_walls.append((f"no wall by {settings.SETTINGS.year_last}", none))
    sections = items.sections()
    return {
        "s": summary,
        "quarter_title": f"{quarter.year} Q{quarter.number}",
        "previous_folder": quarter.previous().folder,
        "box_year": content.BOX_YEAR,
        "walls": models["walls"]["headline"],
        "failed_models": [n for n, m in models.items() if not m["diagnostics"]["passed"]],
        "changes": changes,
        "figures": figures,
        "tornado_stems": [s for s in figures if s.startswith("tornado_")],
        "scenario_columns": items.scenario_columns(),
        "lead_figures": [figure.stem for figure in items.lead_figures()],
        "scenario_figures": [figure.stem for _, figure in items.scenario_figures()],
        "sections": sections,
        "contents": _contents(sections),
        "box_extras": _box_extras(summary),
        "first_walls": first_walls,
        "labels": labels,
        "unit_of": units,
        "glossary": [(key, labels.get(key, key), units[key]) for key in units],
        "model_titles": {name: spec.description for name, spec in REGISTRY.items()},
        "p_years": years,
        "p_rows": p_rows,
        "thresholds": settings.SETTINGS.diagnostics,
        "horizon": f"{settings.SETTINGS.horizon_year:.0f}",
        "grid_end": settings.SETTINGS.year_last,
        "prior_rows": prior_rows,
        "sources": bibliography.entries(),
        "source_numbers": bibliography.numbers,
        "scenario_sources": {s.name: s.source for s in scenarios if s.source},
        "downloads": downloads_index,
    }
