"""The ``datawall`` command line (the public contract of DESIGN.md).

Exit codes: 0 success; 1 diagnostics failed under ``--strict``; 2 bad input (the message names
the file, the row and the column). Nothing is half-written on failure: every input is validated
before any sampling, and runs are written atomically.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import math
import sys
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperCommand, TyperGroup

from forecast import __version__
from forecast.errors import InputError
from forecast.formatting import format_value
from forecast.settings import SETTINGS, SamplerSettings
from forecast.validate import check_seed, parse_as_of
from forecast.warning_filters import configure_warnings


class _BareFlags:
    """Help lists a boolean flag bare (``--json``), not as ``--json <bool>``: it takes no value.

    Mixed into the command classes, so every flag reads so, ``--help`` and ``--version`` too.
    """

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_bool_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


class _Command(_BareFlags, TyperCommand):
    """A ``datawall`` command (help: flags bare)."""


class _Group(_BareFlags, TyperGroup):
    """A ``datawall`` command group (help: flags bare)."""


def _examples(*lines: str) -> str:
    """Return a command's help epilog: example command lines, one a line (shown verbatim).

    Help is rich markup: a ``[`` is escaped so it is printed, not read as a style tag.
    """
    return "Examples:\n\n" + "\n".join(line.replace("[", "\\[") for line in lines)


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Bayesian forecasts of the physical limits of AI scaling.",
    epilog=_examples(
        "datawall models                          # the models, one line each",
        "datawall forecast walls                  # which wall binds first, and when",
        "datawall outlook                         # this quarter's report in reports/",
    ),
)
data_app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    help="Check and import the data tables.",
    epilog=_examples("datawall data check"),
)
app.add_typer(data_app, name="data")

# Piped output has no terminal to fit: rich would fall back to 80 columns and cut names.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True)

ModelArg = Annotated[
    str, typer.Argument(metavar="MODEL", help="Model name (see datawall models), or 'all'.")
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="DATE", help="Fit only rows published by this date (YYYY-MM-DD)."
    ),
]
ScenarioOpt = Annotated[
    str | None,
    typer.Option(
        "--scenario",
        metavar="NAME|FILE",
        help="Named scenario (see datawall scenarios) or a TOML file.",
    ),
]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 1 if any fit fails diagnostics.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address for fits (default: a local cluster).",
    ),
]
Draws = Annotated[int, typer.Option(min=10, metavar="N", help="Draws per chain.")]
Chains = Annotated[int, typer.Option(min=1, metavar="N", help="Chains.")]
Tune = Annotated[int, typer.Option(min=10, metavar="N", help="Tuning steps per chain.")]
Seed = Annotated[int, typer.Option(metavar="N", help="Random seed.")]


def _as_of(value: str | None) -> dt.date | None:
    return None if value is None else parse_as_of(value, "--as-of")


def _quiet_libraries() -> None:
    level = logging.INFO if sys.stderr.isatty() else logging.WARNING
    for name in ("pymc", "pytensor", "forecast"):
        logging.getLogger(name).setLevel(level)


def _runs(
    models: list[str],
    *,
    scenario: str | None,
    as_of: str | None,
    sampler: SamplerSettings | None = None,
    refit: bool | tuple[str, ...] = (),
) -> dict:
    from forecast import fit as fitting
    from forecast.scenarios import as_of_baseline, load_scenario

    _quiet_libraries()
    cut = _as_of(as_of)
    # The baseline cut at a date is stored apart (runs/baseline-as-of-DATE/, as the outlook of
    # a past quarter and the backtests store it), so it never replaces the current runs.
    chosen = load_scenario(scenario) if scenario or cut is None else as_of_baseline(cut)
    plans = fitting.plan_all(models, chosen, as_of=cut, sampler=sampler)

    def report(name: str, event: str) -> None:
        if sys.stderr.isatty():
            err.print(f"[dim]{escape(name)}: {escape(event)}[/dim]")

    return fitting.ensure_runs(plans, refit=refit, on_event=report)


@contextlib.contextmanager
def _progress_bar(what: str) -> Iterator[Callable[[int, int], None]]:
    """Yield ``progress(done, total)`` drawing a bar of ``what`` on a terminal (else quiet)."""
    from rich.progress import Progress

    with Progress(transient=True, disable=not sys.stderr.isatty(), console=err) as bar:
        task = bar.add_task(what, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield progress


def _print_summary(name: str, entry: dict[str, Any]) -> None:
    title = f"{name}  (scenario {entry['run']['scenario']})"
    table = Table(title=escape(title), title_justify="left")
    table.add_column("quantity", no_wrap=True)
    table.add_column("median", justify="right", no_wrap=True)
    table.add_column("80% interval", justify="right", no_wrap=True)
    table.add_column("unit")
    for key, h in entry["headline"].items():
        if "label" in h:  # categorical: the most probable category and its probability
            table.add_row(key, h["label"], f"P = {h['median']:.0%}", h["unit"])
            continue
        interval = f"{format_value(h['p10'], h['unit'])} - {format_value(h['p90'], h['unit'])}"
        table.add_row(key, format_value(h["median"], h["unit"]), interval, h["unit"])
    out.print(table)
    for key, probs in entry.items():
        if key.startswith("p_") and isinstance(probs, dict):
            cells = "  ".join(f"{y}: {p:.0%}" for y, p in probs.items())
            what = key[2:].replace("_", " ")
            label = f"P({what} Y)" if what.endswith(" by") else f"P({what})"
            out.print(f"  {label}  {cells}", soft_wrap=True)
    d = entry["diagnostics"]
    status = "[green]passed[/green]" if d["passed"] else "[bold red]FAILED[/bold red]"
    out.print(
        f"  diagnostics {status}: R-hat max {d['rhat_max']:.4f}, bulk ESS min "
        f"{d['ess_bulk_min']:.0f}, divergences {d['divergences']}"
        f"  ({entry['run']['draws']} draws"
        + (
            f"; data to {entry['run']['latest_row_date']}"
            if entry["run"]["latest_row_date"]
            else ""
        )
        + ")\n",
        soft_wrap=True,
    )


@app.command(
    cls=_Command,
    epilog=_examples(
        "datawall fit datawall                    # and the models it reads",
        "datawall fit all --draws 500 --chains 2  # every model, fewer draws",
        "datawall fit datawall --scenario villalobos2024",
        "datawall fit power --as-of 2024-06-30    # on the rows published by then",
    ),
)
def fit(
    model: ModelArg = "all",
    as_of: AsOf = None,
    draws: Draws = SETTINGS.sampler.draws,
    chains: Chains = SETTINGS.sampler.chains,
    seed: Seed = SETTINGS.sampler.seed,
    tune: Tune = SETTINGS.sampler.tune,
    scenario: ScenarioOpt = None,
    strict: Strict = False,
) -> None:
    """Fit a model (and the models it reads) and store the run."""
    from forecast.store import diagnostics

    sampler = SamplerSettings(draws=draws, chains=chains, seed=check_seed(seed), tune=tune)
    refit = True if model == "all" else (model,)
    runs = _runs([model], scenario=scenario, as_of=as_of, sampler=sampler, refit=refit)
    failed = False
    for name, run in runs.items():
        d = diagnostics(run)
        failed |= not d["passed"]
        mark = "ok" if d["passed"] else "DIAGNOSTICS FAILED: " + "; ".join(d["failures"])
        out.print(
            f"{name}: R-hat max {d['rhat_max']:.4f}, bulk ESS min {d['ess_bulk_min']:.0f}, "
            f"divergences {d['divergences']} -> {mark}"
        )
    if strict and failed:
        raise typer.Exit(1)


@app.command(
    cls=_Command,
    epilog=_examples(
        "datawall forecast                        # every model's headlines",
        "datawall forecast walls                  # which wall binds first, and when",
        "datawall forecast datawall --scenario small_stock --json",
    ),
)
def forecast(
    model: ModelArg = "all",
    as_of: AsOf = None,
    scenario: ScenarioOpt = None,
    as_json: JsonFlag = False,
    strict: Strict = False,
) -> None:
    """Print the headline forecast (fits first if no current run is stored)."""
    from forecast.contract import model_summary
    from forecast.models import REGISTRY, get_model, resolve

    shown = [m.name for m in resolve([model])] if model == "all" else [get_model(model).name]
    runs = _runs([model], scenario=scenario, as_of=as_of)
    result = {name: model_summary(REGISTRY[name], runs[name]) for name in shown}
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, allow_nan=False) + "\n")
    else:
        for name, entry in result.items():
            _print_summary(name, entry)
    if strict and not all(e["diagnostics"]["passed"] for e in result.values()):
        raise typer.Exit(1)


def _interval(h: dict[str, Any]) -> str:
    if "label" in h:
        return f"{h['label']} (P = {h['median']:.0%})"
    low, high = (format_value(h[q], h["unit"]) for q in ("p10", "p90"))
    return f"{format_value(h['median'], h['unit'])} [{low}, {high}]"


#: Scenarios listed on the terminal by ``stress`` (all are in ``--json`` and the saved file).
STRESS_ROWS_SHOWN = 40


def _print_stress(report: dict[str, Any], headlines: list[str]) -> None:
    scenarios, total, limit = report["scenarios"], report["total"], STRESS_ROWS_SHOWN
    title = f"stress: {total} scenarios, {report['draws']} draws each"
    if report.get("draws_stored") and report["draws"] != report["draws_stored"]:
        title += f" (of {report['draws_stored']} stored: --sweep-draws)"

    def how(entry: dict[str, Any]) -> str:
        text = "refit" if entry["refit"] else "stored draws"
        return text if entry["diagnostics_passed"] else text + " [bold red]DIAGNOSTICS FAILED[/]"

    if len(scenarios) <= 6:  # one column per scenario: median [80% interval]
        table = Table(title=title + " (median [80% interval])", title_justify="left")
        table.add_column("headline", no_wrap=True)
        for entry in scenarios:
            table.add_column(escape(entry["scenario"]), justify="right")
        table.add_row("how", *(how(e) for e in scenarios))
        for key in headlines:
            table.add_row(key, *(_interval(e["headline"][key]) for e in scenarios))
        out.print(table)
        return
    table = Table(title=title + " (medians)", title_justify="left")
    table.add_column("scenario", no_wrap=True)
    for key in headlines:
        table.add_column(key.split(".", 1)[1], justify="right", no_wrap=True)
    for entry in scenarios[:limit]:
        cells = []
        for key in headlines:
            h = entry["headline"][key]
            cells.append(h["label"] if "label" in h else format_value(h["median"], h["unit"]))
        table.add_row(
            escape(entry["scenario"]) + ("" if entry["diagnostics_passed"] else " (FAILED)"),
            *cells,
        )
    out.print(table)
    if total > limit:
        out.print(f"  ... {total - limit} more scenarios: see --json or the saved file")


def _print_pivot(grids: list[Any], report: dict[str, Any]) -> None:
    """Print a two-key sweep: one headline's median, one key's values down, the other's across."""
    from forecast.scenarios import BASELINE
    from forecast.stress.pivot import COLUMNS_SHOWN, ROWS_SHOWN, cell, evenly, swept_value

    for grid in grids:
        title = f"{grid.headline}, median ({grid.unit}): {grid.row_key} down, {grid.col_key} across"
        if len(grids) > 1 or grid.scenario != BASELINE:
            title += f"; scenario {grid.scenario}"
        if grid.baseline is not None:
            title += f" (baseline: {format_value(grid.baseline, grid.unit)})"
        out.print(escape(title), soft_wrap=True, style="italic")
        rows = evenly(len(grid.row_values), ROWS_SHOWN)
        cols = evenly(len(grid.col_values), COLUMNS_SHOWN)
        table = Table()
        table.add_column(escape(grid.row_key), overflow="fold")
        for c in cols:
            table.add_column(swept_value(grid.col_values[c]), justify="right", overflow="fold")
        for r in rows:
            table.add_row(swept_value(grid.row_values[r]), *(cell(grid, r, c) for c in cols))
        out.print(table)
        if len(rows) < len(grid.row_values) or len(cols) < len(grid.col_values):
            out.print(
                f"  {len(rows)} of {len(grid.row_values)} rows and {len(cols)} of "
                f"{len(grid.col_values)} columns shown, evenly spaced: all in the CSV",
                soft_wrap=True,
            )
        failed = int((~grid.passed).sum())
        if failed:
            out.print(
                f"  [bold red]diagnostics FAILED[/] behind {failed:,} of {grid.passed.size:,} "
                "scenarios: do not quote them",
                soft_wrap=True,
            )
    out.print(
        f"  {report['total']:,} scenarios, {report['draws']:,} draws each; every headline of "
        "every scenario: --json or the saved file",
        soft_wrap=True,
    )


def _print_tornado(data: Any, headlines: list[str], top: int = 12) -> None:
    for key in headlines:
        unit = data[key].attrs.get("unit", "")
        order = data[f"{key}_swing"].fillna(-1).argsort().values[::-1][:top]
        base = float(data[f"{key}_baseline"])
        table = Table(
            title=f"tornado: {key} (baseline median {format_value(base, unit)} {unit})",
            title_justify="left",
        )
        for column in ("parameter", "median at P10", "median at P90", "swing"):
            table.add_column(column, justify="left" if column == "parameter" else "right")
        for i in order:
            lo, hi = (float(v) for v in data[key].values[i])
            swing = float(data[f"{key}_swing"].values[i])
            table.add_row(
                escape(str(data["parameter"].values[i])),
                format_value(lo, unit),
                format_value(hi, unit),
                "n/a" if not math.isfinite(swing) else f"{swing:.3g}",
            )
        out.print(table)


@app.command(
    cls=_Command,
    epilog=_examples(
        "datawall stress --scenario small_stock --scenario grid_crunch",
        "datawall stress --set datawall.tokens_per_param=40  # one lever moved",
        "datawall stress --scenario grid_delays --sweep power.lab_share=0.1:0.5:5",
        "datawall stress --sweep power.lab_share=0.2:0.5:4 \\",
        "    --sweep power.extra_grid_delay_years=0:4:5   # a pivot and a heatmap",
        "datawall stress --sensitivity            # tornado: each lever P10 to P90",
        "datawall stress --prior-sensitivity      # which headlines rest on priors",
    ),
)
def stress(
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario", metavar="NAME|FILE", help="Named scenario or TOML file (repeatable)."
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help="Override KEY=VALUE (repeatable): MODEL.LEVER, MODEL.fit.OPTION, "
            "MODEL.priors.PRIOR.FIELD or as_of.",
        ),
    ] = None,
    sweep: Annotated[
        list[str] | None,
        typer.Option(
            "--sweep",
            metavar="KEY=LO:HI:N",
            help="Sweep KEY=LO:HI:N (repeatable: a grid; two print a pivot and save a heatmap).",
        ),
    ] = None,
    sensitivity: Annotated[
        bool,
        typer.Option(
            "--sensitivity",
            help="One-at-a-time sweep of every lever and prior-only parameter between its "
            "P10 and P90 (tornado data).",
        ),
    ] = False,
    prior_sensitivity: Annotated[
        bool,
        typer.Option(
            "--prior-sensitivity",
            help="Power-scaling prior/likelihood sensitivity of every fitted headline.",
        ),
    ] = False,
    headline: Annotated[
        list[str] | None,
        typer.Option(
            "--headline",
            metavar="MODEL.NAME",
            help="Headline column (repeatable). With two --sweep, the pivot shows the first "
            "with a median (default: the first key headline the sweep moves).",
        ),
    ] = None,
    scheduler: Scheduler = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Where to save the result (NetCDF; default runs/stress/NAME.nc, NAME from "
            "the scenarios and overrides).",
        ),
    ] = None,
    sweep_draws: Annotated[
        int | None,
        typer.Option(
            "--sweep-draws",
            metavar="N",
            help="Summarise every scenario on this many of the stored draws, evenly spaced "
            "in each chain (default: all). Faster for large sweeps; a larger Monte Carlo error.",
        ),
    ] = None,
    max_scenario_draws: Annotated[
        int,
        typer.Option(
            "--max-scenario-draws",
            min=1,
            metavar="N",
            help="Refuse a run of more scenarios x draws than this (the work it takes).",
        ),
    ] = 100_000_000,
    max_scenarios: Annotated[
        int,
        typer.Option(
            "--max-scenarios",
            min=1,
            metavar="N",
            help="Refuse a run of more scenarios than this (about 15 kB of memory each).",
        ),
    ] = 100_000,
    as_json: JsonFlag = False,
) -> None:
    """Stress-test assumptions: scenarios, overrides, sweeps, sensitivity."""
    from rich.progress import Progress

    from forecast import stress as engine
    from forecast.parallel import check_scheduler
    from forecast.paths import check_output_file
    from forecast.report.figures.heatmap import save_pivot
    from forecast.settings import runs_dir
    from forecast.store import save_dataset
    from forecast.stress import pivot as pivoting

    _quiet_libraries()
    if sensitivity and (scenario or set_ or sweep):
        raise InputError(
            "--sensitivity", "runs on the baseline alone; drop --scenario/--set/--sweep"
        )
    # Everything asked for is checked before the baseline is read (or fitted).
    stored = engine.stored_draws()
    if sweep_draws is not None and not engine.MIN_SWEEP_DRAWS <= sweep_draws <= stored:
        raise InputError(
            "--sweep-draws",
            f"{sweep_draws} is outside {engine.MIN_SWEEP_DRAWS}..{stored} (the stored draws)",
        )
    for key in headline or []:
        engine.check_headline_key(key)
    if sensitivity:
        plan = engine.sensitivity_plan()
    else:
        plan = engine.build_scenarios(
            scenario or [],
            set_ or [],
            engine.Sweep.parse(sweep or []),
            draws=sweep_draws or stored,
            max_scenario_draws=max_scenario_draws,
            max_scenarios=max_scenarios,
        )
    name = engine.result_name(scenario or [], set_ or [], sweep or [], sensitivity, sweep_draws)
    where = "--out" if output else "runs"
    path = check_output_file(output or runs_dir() / "stress" / name, where)
    if len(sweep or []) == 2:  # a pivot and its heatmap, beside the result
        for beside in pivoting.pivot_paths(path):
            check_output_file(beside, where)
    check_scheduler(scheduler)  # before the baseline is read (or fitted)
    baseline = engine.baseline_runs()
    with Progress(transient=True, disable=not sys.stderr.isatty(), console=err) as bar:
        task = bar.add_task("scenarios", total=len(plan))
        result = engine.run_stress(
            plan,
            baseline=baseline,
            scheduler=scheduler,
            progress=lambda done, total: bar.update(task, completed=done),
            draws=sweep_draws,
        )
    known = engine.headline_keys(result)
    shown = list(headline or [k for k in engine.key_headlines() if k in known])
    for key in shown:
        if key not in known:
            raise InputError("--headline", f"unknown headline; expected one of {known}", column=key)
    save_dataset(result, path)
    # The terminal shows the first rows only: build just those (10,000 take a second).
    shown_rows = result if as_json else result.isel(scenario=slice(0, STRESS_ROWS_SHOWN))
    report = engine.result_to_json(shown_rows, None if as_json else shown) | {
        "saved": str(path),
        "total": result.sizes["scenario"],
    }
    pivot_key = pivoting.pivot_headline(result, headline or [])
    if pivot_key is not None:
        grids = pivoting.pivots(result, pivot_key)
        csv, figure = save_pivot(grids, path)
        report["pivot"] = {"headline": pivot_key, "csv": str(csv), "figure": str(figure)}
    tornado_keys = [k for k in shown if "stat" in result[k].dims]
    if sensitivity:
        data = engine.tornado(result, tornado_keys)
        report["tornado"] = {
            key: {
                str(p): {
                    "p10": data[key].sel(parameter=p, end="p10").item(),
                    "p90": data[key].sel(parameter=p, end="p90").item(),
                    "swing": data[f"{key}_swing"].sel(parameter=p).item(),
                }
                for p in data["parameter"].values
            }
            | {"baseline": data[f"{key}_baseline"].item()}
            for key in tornado_keys
        }
    if prior_sensitivity:
        from forecast.sensitivity import prior_sensitivity as psense

        frame = psense(*baseline)
        report["prior_sensitivity"] = {
            k: {
                "prior": None if math.isnan(r.prior) else r.prior,
                "likelihood": None if math.isnan(r.likelihood) else r.likelihood,
                "diagnosis": r.diagnosis,
            }
            for k, r in frame.iterrows()
        }
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2, allow_nan=False) + "\n")
        return
    if pivot_key is None:
        _print_stress(report, shown)
    else:
        _print_pivot(grids, report)
    if sensitivity:
        _print_tornado(data, tornado_keys)
    if prior_sensitivity:
        table = Table(
            title="prior sensitivity (power-scaling; > 0.05 flagged)", title_justify="left"
        )
        for column in ("headline", "prior", "likelihood", "diagnosis"):
            table.add_column(
                column, justify="right" if column in ("prior", "likelihood") else "left"
            )
        for key, row in report["prior_sensitivity"].items():
            cells = ["n/a" if v is None else f"{v:.3f}" for v in (row["prior"], row["likelihood"])]
            table.add_row(key, *cells, row["diagnosis"])
        out.print(table)
    out.print(f"saved {escape(str(path))}")
    if pivot_key is not None:
        out.print(f"saved {escape(str(csv))} and {escape(str(figure))}")


@app.command(
    cls=_Command,
    epilog=_examples(
        "datawall outlook                         # this quarter, in reports/YYYY-QN/",
        "datawall outlook --quarter 2026Q3 --out /tmp/outlook-2026q3",
        "datawall outlook --scenario small_stock --scenario grid_delays --strict",
    ),
)
def outlook(
    quarter: Annotated[
        str | None,
        typer.Option(
            "--quarter",
            metavar="YYYYQN",
            help="Quarter, e.g. 2026Q4 (default: the current one). A past quarter is fitted "
            "on the data published by its end.",
        ),
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario",
            metavar="NAME|FILE",
            help="Scenario of the scenario table (repeatable; default: all in priors/scenarios/).",
        ),
    ] = None,
    scheduler: Scheduler = None,
    output: Annotated[
        str | None,
        typer.Option("--out", metavar="DIR", help="Report folder (default reports/YYYY-QN/)."),
    ] = None,
    strict: Strict = False,
) -> None:
    """Write the quarterly outlook: HTML, PDF, summary.json and figures."""
    from pathlib import Path

    from forecast.parallel import check_scheduler
    from forecast.report.outlook import build_outlook
    from forecast.report.quarter import Quarter
    from forecast.settings import today

    _quiet_libraries()
    chosen = Quarter.parse(quarter) if quarter else Quarter.containing(today())
    check_scheduler(scheduler)

    def step(message: str) -> None:
        if sys.stderr.isatty():
            err.print(f"[dim]outlook {chosen.label}: {message}[/dim]")

    with _progress_bar("scenarios") as progress:
        folder = build_outlook(
            chosen,
            scenario_names=scenario,
            scheduler=scheduler,
            out_dir=Path(output) if output else None,
            on_event=step,
            progress=progress,
        )
    summary = json.loads((folder / "summary.json").read_text())
    out.print(f"outlook {chosen.label} written to {escape(str(folder))}")
    for name in ("outlook.html", "outlook.pdf", "summary.json"):
        out.print(f"  {escape(str(folder / name))}")
    if not summary["diagnostics_passed"]:
        failed = [n for n, m in summary["models"].items() if not m["diagnostics"]["passed"]]
        err.print(f"[bold red]diagnostics failed[/bold red] for {', '.join(failed)}")
        if strict:
            raise typer.Exit(1)


@app.command(
    cls=_Command,
    epilog=_examples(
        "datawall report --scenario grid_crunch --scenario small_stock",
        "datawall report --scenario villalobos2024 --out /tmp/villalobos-report",
    ),
)
def report(
    scenario: Annotated[
        list[str],
        typer.Option(
            "--scenario",
            metavar="NAME|FILE",
            help="Scenario beside the baseline (repeatable; name or TOML).",
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "--out", metavar="DIR", help="Report folder (default reports/scenarios/NAMES/)."
        ),
    ] = None,
    strict: Strict = False,
) -> None:
    """Write a scenario report: the chosen scenarios beside the baseline, in HTML, PDF and CSV."""
    from pathlib import Path

    from forecast.report.scenario_report import build_scenario_report

    _quiet_libraries()

    def step(message: str) -> None:
        if sys.stderr.isatty():
            err.print(f"[dim]report: {escape(message)}[/dim]")

    folder = build_scenario_report(
        scenario, out_dir=Path(output) if output else None, on_event=step
    )
    summary = json.loads((folder / "summary.json").read_text())
    out.print(f"scenario report written to {escape(str(folder))}")
    for name in ("report.html", "report.pdf", "summary.json"):
        out.print(f"  {escape(str(folder / name))}")
    failed = [s["name"] for s in summary["scenarios"] if not s["diagnostics_passed"]]
    if failed:
        err.print(f"[bold red]diagnostics failed[/bold red] under {', '.join(failed)}")
        if strict:
            raise typer.Exit(1)


def _se(value: float | None, scale: float = 1.0) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value * scale:.{0 if scale > 1 else 2}f}"


def _rolling(text: str) -> list[dt.date]:
    start, sep, stop = text.partition(":")
    if not (sep and start.strip().isdigit() and stop.strip().isdigit()) or int(start) > int(stop):
        raise InputError("--rolling", f"expected FIRST:LAST years like 2021:2025, got {text!r}")
    return [dt.date(year, 1, 1) for year in range(int(start), int(stop) + 1)]


@app.command(
    cls=_Command,
    epilog=_examples(
        "datawall backtest --rolling 2021:2025    # fitted at each 1 January",
        "datawall backtest compute --as-of 2023-06-30 --as-of 2024-06-30",
    ),
)
def backtest(
    model: Annotated[
        str,
        typer.Argument(
            metavar="MODEL",
            help="Model to score (one with dated observations), or 'all'.",
        ),
    ] = "all",
    as_of: Annotated[
        list[str] | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Fit on rows published by this date, YYYY-MM-DD (repeatable).",
        ),
    ] = None,
    rolling: Annotated[
        str | None,
        typer.Option(
            "--rolling",
            metavar="FIRST:LAST",
            help="Every 1 January from FIRST to LAST, e.g. 2021:2025.",
        ),
    ] = None,
    # Deprecated: the model was an option here while fit and forecast take it as an argument.
    # Hidden from the help; kept so existing scripts run, with a note on how to write it now.
    model_option: Annotated[
        str | None, typer.Option("--model", hidden=True, help="Deprecated: give MODEL.")
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            metavar="NAME|FILE",
            help="Backtest a scenario's fit options and priors (named or a TOML file; no as_of).",
        ),
    ] = None,
    draws: Draws = SETTINGS.sampler.draws,
    chains: Chains = SETTINGS.sampler.chains,
    tune: Tune = SETTINGS.sampler.tune,
    seed: Seed = SETTINGS.sampler.seed,
    scheduler: Scheduler = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Where to save the scores (NetCDF; default runs/backtest.nc).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Score past forecasts: fit at each as-of date, compare with what was published after."""
    from forecast import backtest as engine
    from forecast.atomic import write_bytes
    from forecast.parallel import check_scheduler
    from forecast.paths import check_output_file
    from forecast.report.figures import calibration
    from forecast.report.render import figure_png
    from forecast.scenarios import load_scenario
    from forecast.settings import runs_dir
    from forecast.store import save_dataset

    _quiet_libraries()
    if model_option is not None:
        if model != "all" and model != model_option:
            raise InputError("--model", f"the model is given twice ({model}, {model_option})")
        err.print(
            f"note: --model is deprecated; name the model as an argument: "
            f"datawall backtest {escape(model_option)} ...",
            soft_wrap=True,
        )
        model = model_option
    dates = [_as_of(text) for text in as_of or []] + (_rolling(rolling) if rolling else [])
    if not dates:
        raise InputError("--as-of", "give at least one --as-of DATE or --rolling FIRST:LAST")
    sampler = SamplerSettings(draws=draws, chains=chains, tune=tune, seed=check_seed(seed))
    chosen = load_scenario(scenario) if scenario else None
    engine.scored_models(model)  # an unknown model is refused before the target is checked
    where = "--out" if output else "runs"
    path = check_output_file(output or runs_dir() / "backtest.nc", where)
    figure = check_output_file(path.with_suffix(".png"), where)
    check_scheduler(scheduler)

    def step(message: str) -> None:
        if sys.stderr.isatty():
            err.print(f"[dim]backtest: {message}[/dim]")

    with _progress_bar("as-of dates") as progress:
        result = engine.run_backtest(
            dates,
            model=model,
            sampler=sampler,
            scheduler=scheduler,
            scenario=chosen,
            on_event=step,
            progress=progress,
        )
    save_dataset(result, path)
    write_bytes(figure, figure_png(calibration(result)))
    by_trend = engine.summarize(result)
    by_date = engine.summarize(result, by=("as_of",))
    stacking = engine.stacking_weight(result)
    if as_json:
        report = {
            "as_of_dates": json.loads(result.attrs["as_of_dates"]),
            "skipped": json.loads(result.attrs["skipped"]),
            "unscored_events": json.loads(result.attrs["unscored_events"]),
            "summary": by_trend,
            "by_as_of": by_date,
            "demand_stacking": stacking,
            "saved": str(path),
            "figure": str(figure),
        }
        sys.stdout.write(json.dumps(report, indent=2, allow_nan=False) + "\n")
        return
    for title, rows, keys in (
        ("by trend", by_trend, ("model", "trend")),
        ("by as-of date", by_date, ("as_of",)),
    ):
        table = Table(title=f"backtest {title}", title_justify="left")
        columns = (*keys, "n", "releases", "max horizon", "50%", "80% ± se", "95%", "mean PIT ± se")
        for column in (*columns, "CRPS", "log score", "reading"):
            table.add_column(column, justify="left" if column in (*keys, "reading") else "right")
        for row in rows:
            table.add_row(
                *(escape(str(row[k])) for k in keys),
                str(row["n"]),
                str(row["releases"]),
                f"{row['horizon_years_max']:.1f} yr",
                f"{row['coverage_50']:.0%}",
                f"{row['coverage_80']:.0%} ± {_se(row['coverage_80_se'], 100)}",
                f"{row['coverage_95']:.0%}",
                f"{row['pit_mean']:.2f} ± {_se(row['pit_mean_se'])}",
                f"{row['crps']:.3f}",
                f"{row['log_score']:.2f}",
                escape(row["reading"]),
            )
        out.print(table)
    for date, models in json.loads(result.attrs["skipped"]).items():
        for name, why in models.items():
            out.print(f"  {date}: {name} not fitted ({escape(why)})", soft_wrap=True)
    for date, events in json.loads(result.attrs.get("unscored_events", "{}")).items():
        for name, why in events.items():
            out.print(f"  {date}: {name} not scored ({escape(why)})", soft_wrap=True)
    if stacking is not None:
        out.print(
            f"  Data-wall demand: stacking weight of the dataset-size trend "
            f"{stacking['weight']:.2f} ± {_se(stacking['weight_se'])} against the compute-based "
            f"projection ({stacking['n']} rows, {stacking['releases']} releases; mean log score "
            + ", ".join(f"{k} {v:.2f}" for k, v in stacking["log_score"].items())
            + "). The demand mixture's weight (datawall lever demand_weight_historical) is "
            "set from it.",
            soft_wrap=True,
        )
    out.print(
        "  Coverage: share of later observations inside the 50/80/95% predictive intervals; "
        "mean PIT 0.5 if they fall as often above the median as below (se: bootstrap over "
        "releases). CRPS in log10 units, years for milestones (lower is better); log score "
        "per observation (higher is better)."
    )
    out.print(f"  saved {escape(str(path))} and {escape(str(figure))}")


@data_app.command("check", cls=_Command, epilog=_examples("datawall data check"))
def data_check() -> None:
    """Validate every data table and prior file; exit 2 at the first bad row."""
    from forecast.data import check_all
    from forecast.models import REGISTRY
    from forecast.models.base import model_priors
    from forecast.scenarios import bundled_scenarios

    counts = check_all()
    for name, n in counts.items():
        out.print(f"data/{name}.csv: {n} rows ok")
    for spec in REGISTRY.values():
        priors = model_priors(spec)
        out.print(
            f"priors/{spec.name}.toml: {len(priors.priors)} priors, {len(priors.levers)} levers ok"
        )
    for scenario in bundled_scenarios():
        assert scenario.path is not None  # read from its file
        out.print(f"priors/scenarios/{escape(scenario.path.name)}: ok")


@data_app.command(
    "compare",
    cls=_Command,
    epilog=_examples(
        "datawall data compare notable_ai_models.csv  # from https://epoch.ai/data",
        "datawall data compare notable_ai_models.csv --json",
    ),
)
def data_compare(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE", help="CSV export of Epoch AI's database (https://epoch.ai/data)."
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Compare an Epoch AI export with our tables, per table and field; change nothing."""
    from forecast.importers.compare import compare_epoch, report_lines

    report = compare_epoch(file)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, allow_nan=False) + "\n")
        return
    for line in report_lines(report):
        out.print(line, markup=False, highlight=False, soft_wrap=True)


@data_app.command(
    "import-epoch",
    cls=_Command,
    epilog=_examples(
        "datawall data import-epoch notable_ai_models.csv --dry-run  # report only",
        "datawall data import-epoch notable_ai_models.csv --update",
    ),
)
def data_import_epoch(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE", help="CSV export of Epoch AI's database (https://epoch.ai/data)."
        ),
    ],
    update: Annotated[
        bool, typer.Option("--update", help="Let the export's values replace curated rows.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the report; write nothing.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Import Epoch AI's models into models, training_runs_power and training_costs."""
    from forecast.importers.epoch import import_epoch
    from forecast.importers.merge import report_lines

    report = import_epoch(file, update=update, dry_run=dry_run)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
        return
    for line in report_lines(report):
        out.print(line, markup=False, highlight=False, soft_wrap=True)


def _listing(entries: list[dict[str, Any]], lines: list[str], as_json: bool) -> None:
    """Print a listing: ``entries`` as one JSON array, else ``lines``, one each, as they are."""
    if as_json:
        sys.stdout.write(json.dumps(entries, indent=2) + "\n")
        return
    for line in lines:
        out.print(line, markup=False, highlight=False, soft_wrap=True)


@app.command(
    cls=_Command,
    epilog=_examples(
        "datawall models                          # name, what it forecasts, what it reads",
        "datawall models --json",
    ),
)
def models(as_json: JsonFlag = False) -> None:
    """List the models, one line each: what each forecasts and the models it reads."""
    from forecast.models import REGISTRY

    specs = list(REGISTRY.values())
    width = max(len(s.name) for s in specs)
    _listing(
        [
            {"name": s.name, "description": s.description, "requires": list(s.requires)}
            for s in specs
        ],
        [
            f"{s.name:<{width}}  {s.description}"
            + (f" Reads {', '.join(s.requires)}." if s.requires else "")
            for s in specs
        ],
        as_json,
    )


@app.command(
    cls=_Command,
    epilog=_examples(
        "datawall scenarios                       # name, refit or levers, description",
        "datawall scenarios --json",
    ),
)
def scenarios(as_json: JsonFlag = False) -> None:
    """List the scenarios of priors/scenarios/, one line each: refitted or levers only."""
    from forecast.scenarios import bundled_scenarios

    bundled = bundled_scenarios()
    width = max(len(s.name) for s in bundled)
    _listing(
        [
            {
                "name": s.name,
                "description": s.description,
                "changes_fit": s.changes_fit,
                "source": s.source,
            }
            for s in bundled
        ],
        [
            f"{s.name:<{width}}  {'refit ' if s.changes_fit else 'levers'}  {s.description}"
            for s in bundled
        ],
        as_json,
    )
    if not as_json:
        out.print(
            "refit: changes priors, fit options, the frontier rule or the as-of date, so it is "
            "fitted afresh (minutes); levers: re-derived from the stored baseline draws (seconds).",
            style="dim",
            soft_wrap=True,
        )


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"datawall {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,  # before the check for a command: `datawall --version` alone works
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    pass


def main() -> None:
    """Entry point of the ``datawall`` console script."""
    configure_warnings()  # before any command: silence what tells a user nothing
    try:
        app(standalone_mode=False, prog_name="datawall")
    except InputError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    except typer.TyperException as exc:  # usage errors: bad option values, unknown options
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            sys.stderr.write(f"error: {exc}\n")
        sys.exit(getattr(exc, "exit_code", 2))


if __name__ == "__main__":
    main()
