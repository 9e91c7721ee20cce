"""Scenario reports: the outlook's headlines for chosen scenarios beside the baseline.

``datawall report --scenario NAME [--scenario NAME]...`` renders, for a planner's house view,
one report with a headline box per scenario (the baseline first), the yearly series each model
declares (``ModelReport.overlays``) with the scenarios' fans overlaid on the baseline's, each
scenario's definition (its TOML, its source), what moved against the baseline, and the numbers
as CSV, in HTML and PDF, without touching the quarterly outlook. A scenario that moves levers
only is derived from the stored baseline draws; one that changes priors, fit options or the
data cut is fitted (its runs stored in ``runs/<scenario>/`` as ``datawall fit`` stores them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import xarray as xr

from forecast import __version__, locks, settings
from forecast import fit as fitting
from forecast.contract import model_summary
from forecast.models import REGISTRY
from forecast.paths import check_output_folder, folder_name
from forecast.report import content, downloads, items, narrative, provenance, render, sources
from forecast.report.figures.overlay import overlaid
from forecast.scenarios import BASELINE, Scenario, check_unique_names, load_scenario

#: Folder of scenario reports inside ``reports/``.
FOLDER = "scenarios"


def chosen_scenarios(names: Sequence[str]) -> list[Scenario]:
    """Return the baseline, then each named scenario (or TOML file) once, checked."""
    ordered = [BASELINE, *[n for n in dict.fromkeys(names) if n != BASELINE]]
    scenarios = [load_scenario(n) for n in ordered]
    check_unique_names(scenarios)
    return scenarios


def default_folder(scenarios: Sequence[Scenario]) -> Path:
    """Return ``reports/scenarios/<names>/`` for the scenarios beside the baseline."""
    names = "+".join(s.name for s in scenarios if s.name != BASELINE) or BASELINE
    return settings.reports_dir() / FOLDER / folder_name(names)


def build_scenario_report(
    names: Sequence[str],
    *,
    out_dir: Path | None = None,
    on_event: Callable[[str], None] | None = None,
) -> Path:
    """Fit or derive each scenario, summarise, draw, render and write its report; return it.

    Parameters
    ----------
    names : sequence of str
        Scenario names (``priors/scenarios/``) or TOML files; the baseline is always included.
    out_dir : Path, optional
        Where to write (default ``reports/scenarios/<names>/``): checked before any work and
        locked while the report is built.
    on_event : callable, optional
        Called with a short message as each step starts.

    Returns
    -------
    Path
        The report folder: ``report.html``, ``report.pdf``, ``summary.json``, ``figures/``,
        ``downloads/``.
    """
    say = on_event or (lambda message: None)
    scenarios = chosen_scenarios(names)
    target = check_output_folder(Path(out_dir) if out_dir else default_folder(scenarios))
    with locks.holding(target):
        runs_by: dict[str, dict[str, xr.DataTree]] = {}
        plans_by: dict[str, dict[str, fitting.FitPlan]] = {}
        for scenario in scenarios:
            say(f"fitting or deriving {scenario.name}")
            plans_by[scenario.name] = fitting.plan_all(["all"], scenario)
            runs_by[scenario.name] = fitting.ensure_runs(plans_by[scenario.name])
        say("summarising and drawing")
        summary = scenario_summary(scenarios, runs_by)
        summary["executive_summary"] = narrative.scenario_effects(summary, items.labels())
        pngs, phone_pngs = (
            {
                f"overlay_{model}_{overlay.variable}": render.figure_png(
                    overlaid(runs_by, model, overlay, phone=phone)
                )
                for model, overlay in items.overlays()
            }
            for phone in (False, True)
        )
        captions = {
            f"overlay_{model}_{overlay.variable}": (
                f"{overlay.label}: the baseline (black) and each scenario, median with the 50% "
                "and 80% intervals of the posterior draws."
            )
            for model, overlay in items.overlays()
        }
        entries = render.figure_entries(pngs, phone_pngs, captions)
        summary["figures"] = {stem: e["file"] for stem, e in entries.items()}
        csv_files, index = scenario_downloads(summary, runs_by)
        baseline_plans = plans_by[BASELINE]
        prior_rows = content.prior_rows(baseline_plans)
        bibliography = sources.Bibliography()
        for scenario in scenarios:
            if scenario.source:
                bibliography.cite(scenario.source)
        for row in prior_rows:
            bibliography.cite(row["source"])
        say("rendering HTML and PDF")
        html = render.render_html(
            {
                "s": summary,
                "effects": summary["executive_summary"],
                "figures": entries,
                "labels": items.labels(),
                "downloads": index,
                "sources": bibliography.entries(),
                "source_numbers": bibliography.numbers,
                "box_questions": [
                    (item["model"], item["headline"], item["question"])
                    for item in summary["headline_box"][BASELINE]
                ],
            },
            template="scenario_report.html.j2",
        )
        files = {
            "report.html": html.encode(),
            "report.pdf": render.render_pdf(html),
            "summary.json": render.json_bytes(summary),
            **csv_files,
            **{entries[stem]["file"]: png for stem, png in pngs.items()},
            **{entries[stem]["phone_file"]: png for stem, png in phone_pngs.items()},
        }
        return render.write_report(files, target)


def scenario_summary(
    scenarios: Sequence[Scenario], runs_by: Mapping[str, Mapping[str, xr.DataTree]]
) -> dict[str, Any]:
    """Return the scenario report's ``summary.json``: each scenario's models, box and shifts."""
    models_by = {
        name: {m: model_summary(REGISTRY[m], run) for m, run in runs.items()}
        for name, runs in runs_by.items()
    }
    base = models_by[BASELINE]
    shifts = {
        s.name: [
            row
            for row in provenance.headline_shifts({"models": base}, {"models": models_by[s.name]})
            if row["material"]
        ]
        for s in scenarios
        if s.name != BASELINE
    }
    return {
        "kind": "scenario report",
        "version": __version__,
        "generated_on": settings.today().isoformat(),
        "latest_row_date": max(
            (e["run"]["latest_row_date"] for e in base.values() if e["run"]["latest_row_date"]),
            default=None,
        ),
        "box_year": content.BOX_YEAR,
        "scenarios": [
            {
                "name": s.name,
                "description": s.description,
                "source": s.source,
                "refit": s.changes_fit,
                "as_of": s.as_of.isoformat() if s.as_of else None,
                "toml": s.path.read_text(encoding="utf-8") if s.path else "",
                "diagnostics_passed": all(
                    e["diagnostics"]["passed"] for e in models_by[s.name].values()
                ),
            }
            for s in scenarios
        ],
        "headline_box": {name: content.headline_box(models) for name, models in models_by.items()},
        "shifts": shifts,
        "models": models_by,
    }


def scenario_downloads(
    summary: Mapping[str, Any], runs_by: Mapping[str, Mapping[str, xr.DataTree]]
) -> tuple[dict[str, bytes], list[list[str]]]:
    """Return the report's CSV files (box and headlines by scenario, overlaid series) and index."""
    out: dict[str, bytes] = {}
    index: list[list[str]] = []

    def add(stem: str, kind: str, what: str, data: bytes) -> None:
        out[f"{downloads.FOLDER}/{stem}.csv"] = data
        index.append([f"{stem}.csv", kind, what])

    add(
        "headline_box",
        "table",
        "Each scenario's headline box: median, 80% interval, P(by the box year)",
        downloads.csv_bytes(
            ["scenario", *downloads.box_columns(summary["box_year"])],
            [
                [name, *downloads.box_row(item)]
                for name, box in summary["headline_box"].items()
                for item in box
            ],
        ),
    )
    add(
        "headlines",
        "table",
        "Every model's headlines under each scenario",
        downloads.csv_bytes(
            ["scenario", *downloads.HEADLINE_COLUMNS],
            [
                [name, *row]
                for name, models in summary["models"].items()
                for row in downloads.headline_rows(models)
            ],
        ),
    )
    for name, runs in runs_by.items():
        for model, overlay in items.overlays():
            draws = runs[model]["derived"][overlay.variable] * overlay.scale
            add(
                f"series_{folder_name(name)}_{model}_{overlay.variable}",
                "yearly series",
                f"{name}: {overlay.label}, quantiles over the draws",
                downloads.series_csv(draws),
            )
    out[f"{downloads.FOLDER}/index.csv"] = downloads.csv_bytes(["file", "kind", "what"], index)
    return out, index
