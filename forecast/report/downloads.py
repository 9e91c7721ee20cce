"""The outlook's numbers as CSV files: every yearly series the fans draw, and every table.

Written beside ``summary.json`` in ``downloads/`` and linked from the report, so a reader takes
the numbers into their own tools. Each file has a header row with units in the column names
or an ``unit`` column; ``downloads/index.csv`` says what each file holds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

import xarray as xr

from forecast.report import items
from forecast.summary import quantiles

#: Quantiles of every yearly series, as the fans draw them (median, 50% and 80% intervals).
SERIES_QUANTILES = {"p10": 0.1, "p25": 0.25, "median": 0.5, "p75": 0.75, "p90": 0.9}
#: Folder of the CSV files inside the report folder.
FOLDER = "downloads"


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """Return rows as CSV (UTF-8, one line per row); None is an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue().encode()


def yearly_series(runs: Mapping[str, xr.DataTree]) -> dict[str, tuple[str, xr.DataArray]]:
    """Return every derived yearly series per draw, by file stem, with what it is.

    A series with further dims (``series``, ``constraint``) gives one file per value.
    """
    out: dict[str, tuple[str, xr.DataArray]] = {}
    for model, run in runs.items():
        derived = run["derived"].to_dataset()
        for name, variable in derived.data_vars.items():
            dims = set(variable.dims)
            if not {"chain", "draw", "year"} <= dims:
                continue
            others = [d for d in variable.dims if d not in ("chain", "draw", "year")]
            if not others:
                out[f"series_{model}_{name}"] = (f"{model}: {name}", variable)
                continue
            stacked = variable.stack(_other=others)
            for i in range(stacked.sizes["_other"]):
                part = stacked.isel(_other=i)
                tag = "_".join(str(part[d].values) for d in others)
                out[f"series_{model}_{name}_{tag}"] = (
                    f"{model}: {name} ({', '.join(f'{d} {part[d].values}' for d in others)})",
                    part.drop_vars(["_other", *others]),
                )
    return out


def series_csv(draws: xr.DataArray) -> bytes:
    """Return a yearly series' quantiles over the draws: year, p10, p25, median, p75, p90."""
    q = quantiles(draws, tuple(SERIES_QUANTILES.values())).transpose("year", "quantile")
    rows = [
        [int(year), *(f"{v:.6g}" for v in values)]
        for year, values in zip(q["year"].values, q.values, strict=True)
    ]
    return csv_bytes(["year", *SERIES_QUANTILES], rows)


#: Columns of a headline-box row (:func:`box_row`), after the box year's probability is named.
BOX_COLUMNS = ["model", "headline", "question", "category", "median", "p10", "p90", "unit"]
#: Columns of a headline row (:func:`headline_rows`).
HEADLINE_COLUMNS = ["model", "headline", "label", "category", "median", "p10", "p90", "unit"]
HEADLINE_COLUMNS += ["diagnostics_passed", "data_to"]


def box_columns(box_year: str) -> list[str]:
    """Return the header of the headline box's CSV."""
    return [*BOX_COLUMNS, f"p_by_end_of_{box_year}", "data_to", "diagnostics_passed"]


def box_row(item: Mapping[str, Any]) -> list[Any]:
    """Return one line of the headline box as a CSV row (see :func:`box_columns`)."""
    value = item["value"]
    return [
        item["model"],
        item["headline"],
        item["question"],
        value.get("label", ""),
        value["median"],
        value["p10"],
        value["p90"],
        value["unit"],
        item["p_by_box_year"],
        item["data_to"],
        item["diagnostics_passed"],
    ]


def headline_rows(models: Mapping[str, Any]) -> list[list[Any]]:
    """Return every model's headlines as CSV rows (see :data:`HEADLINE_COLUMNS`)."""
    labels = items.labels()
    return [
        [model, key, labels.get(f"{model}.{key}", key), h.get("label", "")]
        + [h["median"], h["p10"], h["p90"], h["unit"]]
        + [entry["diagnostics"]["passed"], entry["run"]["latest_row_date"]]
        for model, entry in models.items()
        for key, h in entry["headline"].items()
    ]


def tables(summary: Mapping[str, Any], prior_rows: Sequence[Mapping[str, Any]]) -> dict:
    """Return every table of the report as ``{stem: (what, header, rows)}``."""
    out: dict[str, tuple[str, list[str], list[list[Any]]]] = {}
    out["headline_box"] = (
        "The headline box: each question's median, 80% interval and P(by the box year)",
        box_columns(summary["box_year"]),
        [box_row(item) for item in summary["headline_box"]],
    )
    out["headlines"] = (
        "Every model's headlines (the forecast --json contract), with plain labels",
        HEADLINE_COLUMNS,
        headline_rows(summary["models"]),
    )
    curves = [
        (model, key, values)
        for model, entry in summary["models"].items()
        for key, values in entry.items()
        if key.startswith("p_") and key.endswith("_by") and isinstance(values, dict)
    ] + [
        ("walls", f"p_{constraint}_cap_exceeded_by", values)
        for constraint, values in summary["walls"]["p_cap_exceeded_by"].items()
    ]
    years = sorted({year for _, _, values in curves for year in values})
    p_rows = [[model, key, *(values.get(y) for y in years)] for model, key, values in curves]
    out["probabilities_by_year"] = (
        "P(event by the end of year Y) for every event of every model",
        ["model", "event", *years],
        p_rows,
    )
    scenario_keys = [k for k, _ in items.scenario_columns()]
    out["scenarios"] = (
        "Each named scenario's headlines (median, 80% interval; the first wall: P(binds first))",
        [
            "scenario",
            "refit",
            "diagnostics_passed",
            "headline",
            "category",
            "median",
            "p10",
            "p90",
            "unit",
        ],
        [
            [
                row["scenario"],
                row["refit"],
                row["diagnostics_passed"],
                key,
                row["headline"][key].get("label", ""),
                row["headline"][key]["median"],
                row["headline"][key]["p10"],
                row["headline"][key]["p90"],
                row["headline"][key]["unit"],
            ]
            for row in summary["scenarios"]
            for key in scenario_keys
            if key in row["headline"]
        ],
    )
    out["sensitivity"] = (
        "One-at-a-time sensitivity: each headline's median with a parameter at its P10 and P90",
        ["headline", "parameter", "what", "median_at_p10", "median_at_p90", "swing"],
        [
            [key, r["parameter"], r["label"], r["p10"], r["p90"], r["swing"]]
            for key, rows in summary.get("sensitivity", {}).items()
            for r in rows
        ],
    )
    backtest = summary.get("backtest") or {}
    out["track_record"] = (
        "The stored backtest by trend: coverage of the 50/80/95% intervals, mean PIT, CRPS",
        ["model", "trend", "n", "releases", "coverage_50", "coverage_80", "coverage_80_se"]
        + ["coverage_95", "pit_mean", "pit_mean_se", "crps", "log_score", "reading"],
        [
            [r.get(k) for k in ("model", "trend", "n", "releases", "coverage_50", "coverage_80")]
            + [r.get(k) for k in ("coverage_80_se", "coverage_95", "pit_mean", "pit_mean_se")]
            + [r.get(k) for k in ("crps", "log_score", "reading")]
            for r in backtest.get("summary", [])
        ],
    )
    out["diagnostics"] = (
        "Each model's sampling diagnostics",
        ["model", "rhat_max", "ess_bulk_min", "divergences", "passed", "draws", "data_to"],
        [
            [
                name,
                m["diagnostics"]["rhat_max"],
                m["diagnostics"]["ess_bulk_min"],
                m["diagnostics"]["divergences"],
                m["diagnostics"]["passed"],
                m["run"]["draws"],
                m["run"]["latest_row_date"],
            ]
            for name, m in summary["models"].items()
        ],
    )
    out["priors_and_levers"] = (
        "Every prior and lever of every model, with its source",
        ["model", "name", "kind", "distribution_or_value", "unit", "source"],
        [[r["model"], r["name"], r["kind"], r["what"], r["unit"], r["source"]] for r in prior_rows],
    )
    out["data_tables"] = (
        "The data tables the models read: rows used, newest row, SHA-256",
        ["file", "description", "rows", "latest_row_date", "sha256"],
        [
            [t["file"], t["description"], t["rows"], t["latest_row_date"], t["sha256"]]
            for t in summary["inputs"]["data"].values()
        ],
    )
    return out


def files(
    summary: Mapping[str, Any],
    runs: Mapping[str, xr.DataTree],
    prior_rows: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, bytes], list[list[str]]]:
    """Return every CSV file of the report by its path in the report folder, and the index.

    The index (also ``downloads/index.csv``) has one ``[file, kind, what]`` per file.
    """
    out: dict[str, bytes] = {}
    index = []
    for stem, (what, header, rows) in tables(summary, prior_rows).items():
        out[f"{FOLDER}/{stem}.csv"] = csv_bytes(header, rows)
        index.append([f"{stem}.csv", "table", what])
    for stem, (what, draws) in yearly_series(runs).items():
        out[f"{FOLDER}/{stem}.csv"] = series_csv(draws)
        index.append([f"{stem}.csv", "yearly series", f"{what}: quantiles over the draws"])
    out[f"{FOLDER}/index.csv"] = csv_bytes(["file", "kind", "what"], index)
    return out, index
